/* What the sync needs from the kiosk store, beyond store.h: unsynced check-ins in batches,
 * marking them synced by UUID, and applying a roster pull (deletions, revocations by
 * fingerprint) together with its cursor.
 *
 * Additive to store.c: it works on the same schema through borne_store_db(), on the caller's
 * connection (the sync thread opens its own). Nothing here logs personal data. */
#ifndef BORNE_STORE_SYNC_STORE_H
#define BORNE_STORE_SYNC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* kiosk_state key of the roster cursor returned by the last applied pull. */
#define BORNE_SYNC_CURSOR_KEY "sync_cursor"
/* kiosk_state key set to "1" while the kiosk replaces its roster after the registry answered
 * "reset" (its cursor was ahead: a registry restored from a backup); see sync/apply.h. */
#define BORNE_SYNC_RESET_KEY "sync_reset"
/* kiosk_state key of the registry's roster epoch (the history the cursor belongs to), sent back
 * with the cursor. */
#define BORNE_SYNC_EPOCH_KEY "sync_epoch"

/* Up to `max` unsynced check-ins of the event, oldest first (by rowid: recording order).
 * *out is malloc'ed (NULL when none); the caller frees it. */
borne_err borne_sync_store_unsynced(struct borne_store *store, uint32_t event_id, size_t max,
                                    borne_checkin_row **out, size_t *count);

/* Marks these check-ins synced, in one transaction. Unknown UUIDs are ignored.
 * *marked (may be NULL) receives the number of rows changed. */
borne_err borne_sync_store_mark_synced(struct borne_store *store, const char *const *uuids,
                                       size_t count, int64_t *marked);

/* Marks these check-ins as refused by the registry (synced = 2): kept on the kiosk and in its
 * exports, no longer pending, never pushed again. */
borne_err borne_sync_store_mark_refused(struct borne_store *store, const char *const *uuids,
                                        size_t count, int64_t *marked);

/* Deletes a participant and their registrations (a deletion pulled from the registry). */
borne_err borne_sync_store_delete_participant(struct borne_store *store, uint32_t event_id,
                                              uint32_t participant_id);
/* Deletes a session and its registrations. */
borne_err borne_sync_store_delete_session(struct borne_store *store, uint32_t session_id);

/* Revokes a code known only by its fingerprint (borne_store_code_hash), as the registry sends. */
borne_err borne_sync_store_revoke_hash(struct borne_store *store, uint32_t event_id,
                                       const uint8_t hash[BORNE_CODE_HASH_LEN]);
/* Lifts a revocation. */
borne_err borne_sync_store_unrevoke_hash(struct borne_store *store, uint32_t event_id,
                                         const uint8_t hash[BORNE_CODE_HASH_LEN]);

/* The wall time (Unix ms) of the newest check-in of the event; 0 when none. */
borne_err borne_sync_store_last_scan(struct borne_store *store, uint32_t event_id, int64_t *ms);

#endif
