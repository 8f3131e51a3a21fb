/* The check-in path: from scanned text (or a staff action) to a decision stored on disk.
 *
 * Gathers the facts the rules need — token verification against the trusted keys, the roster,
 * revocations, the participant's history, the previous scan of the same code — asks the rules
 * (core/rules.h), records the check-in durably when the rules say so, and returns everything a
 * screen or a command line needs to tell the person. Used by the kiosk, bornectl and the tests.
 *
 * A result is only "accepted" after the row is on disk: if the store fails, the result carries
 * the error and the caller must show its trouble screen, never a green one.
 *
 * One borne_checkin per thread (it owns no connection, but it is not locked). */
#ifndef BORNE_CHECKIN_CHECKIN_H
#define BORNE_CHECKIN_CHECKIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/credits.h"
#include "core/rules.h"
#include "store/store.h"

#define BORNE_SCAN_MAX_BYTES 4096 /* longer scanned text is refused as invalid, unread */

struct borne_checkin;

typedef struct borne_checkin_options {
    const char *kiosk_id;
    uint32_t session_id; /* 0: the whole event */
    borne_direction mode;
    int32_t rescan_window_ms; /* 0: the default, 5000; negative: every scan counts */
} borne_checkin_options;

typedef struct borne_scan_result {
    borne_outcome outcome; /* for a repeat scan: the first scan's outcome */
    bool repeat;           /* the same scan again: nothing new was recorded */
    bool accepted;         /* the participant may go through */
    bool recorded;         /* a row was stored (uuid is set) */
    char uuid[BORNE_UUID_LEN + 1];
    borne_token_status token_status;
    bool has_participant;
    borne_participant participant;
    uint32_t session_id;
    bool has_attendance; /* exits: the tally for this session so far */
    borne_attendance attendance;
    int64_t previous_ms; /* already in / already out: when (Unix ms) */
    borne_clock_sample time;
} borne_scan_result;

/* Opens the check-in path on `store` (borrowed) for its current event, loading the keys.
 * BORNE_ERR_NOT_FOUND when the store has no event (the kiosk is not set up). */
borne_err borne_checkin_new(struct borne_checkin **out, struct borne_store *store,
                            borne_clock *clock, const borne_checkin_options *opts);
void borne_checkin_free(struct borne_checkin *ck);

/* Reloads keys and the event (after an import or a sync). */
borne_err borne_checkin_reload(struct borne_checkin *ck);

borne_err borne_checkin_set_session(struct borne_checkin *ck, uint32_t session_id);
void borne_checkin_set_mode(struct borne_checkin *ck, borne_direction mode);
const borne_event *borne_checkin_event(const struct borne_checkin *ck);
/* The current session, or NULL for a whole-event door. */
const borne_session *borne_checkin_session(const struct borne_checkin *ck);
borne_direction borne_checkin_mode(const struct borne_checkin *ck);

/* Decides and records one scan of `text` (any bytes). Returns BORNE_OK with a result, or a store
 * error (then nothing may be shown as accepted). */
borne_err borne_checkin_scan(struct borne_checkin *ck, const uint8_t *text, size_t len,
                             borne_method method, borne_scan_result *out);

/* Staff checks a participant in or out by hand (forgotten badge: BORNE_METHOD_MANUAL; a walk-in
 * just registered at the door: BORNE_METHOD_WALK_IN). The rules still apply to the
 * registration and history; the code checks do not. */
borne_err borne_checkin_manual(struct borne_checkin *ck, uint32_t participant_id,
                               borne_direction direction, borne_method method, const char *staff_id,
                               borne_scan_result *out);

/* Why staff admit someone the rules refused (BORNE_OUTCOME_ADMITTED_BY_STAFF). Recorded in the
 * row's staff_id as "staff override:<word>" (borne_admit_reason_word). */
typedef enum borne_admit_reason {
    BORNE_ADMIT_SPEAKER = 0,      /* speaker, guest or organiser */
    BORNE_ADMIT_PAID_AT_DESK = 1, /* paid or registered at the desk today */
    BORNE_ADMIT_LIST_ERROR = 2,   /* registration error on the list */
    BORNE_ADMIT_OTHER = 3,
    BORNE_ADMIT__COUNT
} borne_admit_reason;
/* "speaker", "paid-at-desk", "list-error", "other"; NULL out of range. */
const char *borne_admit_reason_word(borne_admit_reason reason);

/* Staff admit a participant whose entry the rules refuse for a reason the desk can settle (not
 * registered for the session, registration to check, registration cancelled): an entry is
 * recorded with BORNE_OUTCOME_ADMITTED_BY_STAFF and method BORNE_METHOD_MANUAL, and counts as
 * an accepted entry. When the rules would accept the entry anyway, it is recorded as a manual
 * check-in (that outcome). BORNE_ERR_INVALID for any other refusal (a revoked code, a session
 * over: not for the desk to override) or a bad reason; BORNE_ERR_NOT_FOUND for someone not in
 * the roster. */
borne_err borne_checkin_admit(struct borne_checkin *ck, uint32_t participant_id,
                              borne_admit_reason reason, borne_scan_result *out);

#endif
