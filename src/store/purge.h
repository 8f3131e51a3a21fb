/* Purging an event's personal information from the kiosk once the registry has it and the
 * retention period has passed (Québec Law 25; docs/privacy.md).
 *
 * A kiosk keeps names, organisations, registrations and check-ins only as long as the door and
 * the sync need them. After the event, once every check-in has reached the registry (synced = 1)
 * and the event ended more than `retention_days` ago, the event's participants, registrations,
 * check-ins, revoked-code fingerprints, sessions and the event itself are deleted, the name index
 * is rebuilt, and the file is VACUUMed and its WAL truncated (secure_delete is on), so nothing of
 * them stays in the file's free pages. An event with check-ins not yet synced is never purged:
 * they would be lost, and with them a participant's credits. */
#ifndef BORNE_STORE_PURGE_H
#define BORNE_STORE_PURGE_H

#include <stdint.h>

#include "core/error.h"

struct borne_store;

#define BORNE_PURGE_DEFAULT_DAYS 30

typedef struct borne_purge_report {
    uint32_t events_purged;
    uint32_t events_unsynced; /* due for purging, kept: check-ins not yet synced */
    uint32_t events_recent;   /* kept: not ended, or within the retention period */
    int64_t unsynced;         /* check-ins not yet synced in the events kept for that */
    int64_t participants;     /* rows deleted, over every purged event */
    int64_t registrations;
    int64_t checkins;
    int64_t revocations;
    int64_t sessions;
} borne_purge_report;

/* Purges event `event_id` (0: every event of the store) when it ended at least `retention_days`
 * days before `now` (Unix seconds) and none of its check-ins is unsynced; reports what was
 * deleted and what was kept and why. Each event is purged in one transaction; the VACUUM follows
 * once at the end. BORNE_ERR_NOT_FOUND for an `event_id` the store does not hold;
 * BORNE_ERR_INVALID for a negative retention. Keeping an event is not an error: read `report`. */
borne_err borne_store_purge(struct borne_store *store, uint32_t event_id, int32_t retention_days,
                            int64_t now, borne_purge_report *report);

#endif
