/* The kiosk's offline store: one SQLite file in WAL mode with synchronous=FULL.
 *
 * Holds the event, its sessions, the roster (only what a door needs: name, organisation, member
 * or not, registration status and sessions), trusted public keys, revoked codes, every check-in
 * and a little kiosk state. The schema is versioned by PRAGMA user_version and migrated on open
 * (docs/store.md).
 *
 * A borne_store is one SQLite connection: use it from one thread only; open another for another
 * thread. Every function returns a borne_err; BORNE_ERR_DISK_FULL when the disk is full,
 * BORNE_ERR_CORRUPT when SQLite finds damage, BORNE_ERR_DB otherwise. A check-in is on disk
 * (fsync) when borne_store_add_checkin returns BORNE_OK, never before. */
#ifndef BORNE_STORE_STORE_H
#define BORNE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/clock.h"
#include "core/credits.h"
#include "core/error.h"
#include "core/rules.h"
#include "core/token.h"
#include "core/uuid.h"

#define BORNE_STORE_SCHEMA_VERSION 2
#define BORNE_NAME_MAX             256 /* bytes, names and titles */
#define BORNE_CODE_HASH_LEN        16  /* fingerprint of a scanned code */
#define BORNE_KIOSK_ID_MAX         64
#define BORNE_BADGE_TEXT_MAX       512 /* bytes of a badge code text kept to show on screen */

struct borne_store;

typedef struct borne_event {
    uint32_t id;
    char name[BORNE_NAME_MAX];
    char timezone[64];
    int64_t starts; /* Unix seconds */
    int64_t ends;
} borne_event;

typedef struct borne_session {
    uint32_t id;
    uint32_t event_id;
    char code[32]; /* short code printed in the programme, e.g. "A3" */
    char title[BORNE_NAME_MAX];
    char room[128];
    int64_t starts;
    int64_t ends;
    borne_credit_rule rule;
    int32_t open_before_s;
    int32_t close_after_s;
    bool requires_registration;
} borne_session;

typedef struct borne_participant {
    uint32_t id; /* the registry's participant id */
    uint32_t event_id;
    char display_name[BORNE_NAME_MAX];
    char organisation[BORNE_NAME_MAX];
    bool member;
    borne_reg_status status;
} borne_participant;

typedef enum borne_method {
    BORNE_METHOD_CAMERA = 0,
    BORNE_METHOD_SCANNER = 1,
    BORNE_METHOD_MANUAL = 2,  /* staff checked the person in by hand */
    BORNE_METHOD_WALK_IN = 3, /* registered at the door */
    BORNE_METHOD_CLI = 4,     /* bornectl scan */
} borne_method;

typedef struct borne_checkin_row {
    char uuid[BORNE_UUID_LEN + 1];
    char kiosk_id[BORNE_KIOSK_ID_MAX];
    uint32_t event_id;
    uint32_t participant_id; /* 0: unknown code */
    uint32_t session_id;     /* 0: the whole event */
    borne_direction direction;
    borne_method method;
    char staff_id[64]; /* manual and walk-in check-ins; "" otherwise */
    borne_outcome outcome;
    bool has_code_hash;
    uint8_t code_hash[BORNE_CODE_HASH_LEN]; /* fingerprint, never the raw text */
    borne_clock_sample time;
    int64_t wall_recorded_ms; /* read back: the wall time as first recorded */
    bool synced;
} borne_checkin_row;

/* Opens (creating if needed) and migrates the store at `path`. */
borne_err borne_store_open(const char *path, struct borne_store **out);
void borne_store_close(struct borne_store *store);

/* PRAGMA quick_check: BORNE_OK or BORNE_ERR_CORRUPT. */
borne_err borne_store_check(struct borne_store *store);

/* A transaction around many calls (imports use their own). */
borne_err borne_store_begin(struct borne_store *store);
borne_err borne_store_commit(struct borne_store *store);
void borne_store_rollback(struct borne_store *store);

/* Kiosk state: small key/value strings ("event_id", "kiosk_id", "session_id", "mode", ...). */
borne_err borne_store_state_set(struct borne_store *store, const char *key, const char *value);
/* BORNE_ERR_NOT_FOUND when unset. */
borne_err borne_store_state_get(struct borne_store *store, const char *key, char *out, size_t cap);

/* Events and sessions. */
borne_err borne_store_put_event(struct borne_store *store, const borne_event *event);
borne_err borne_store_get_event(struct borne_store *store, uint32_t id, borne_event *out);
/* The event of state "event_id", or the only event; BORNE_ERR_NOT_FOUND when not set up. */
borne_err borne_store_current_event(struct borne_store *store, borne_event *out);
borne_err borne_store_put_session(struct borne_store *store, const borne_session *session);
borne_err borne_store_get_session(struct borne_store *store, uint32_t id, borne_session *out);
/* Sessions of an event by start time. *out is malloc'ed; the caller frees it. */
borne_err borne_store_list_sessions(struct borne_store *store, uint32_t event_id,
                                    borne_session **out, size_t *count);

/* Roster. */
/* Adds or updates a participant. `opaque_code`: NULL keeps the code the participant has, ""
 * removes it, anything else sets it (BORNE_ERR_EXISTS if another participant holds it). */
borne_err borne_store_put_participant(struct borne_store *store, const borne_participant *p,
                                      const char *opaque_code);
borne_err borne_store_get_participant(struct borne_store *store, uint32_t event_id, uint32_t id,
                                      borne_participant *out);
/* The participant holding an opaque (unsigned) code; BORNE_ERR_NOT_FOUND if none. */
borne_err borne_store_find_code(struct borne_store *store, uint32_t event_id, const uint8_t *text,
                                size_t len, borne_participant *out);
borne_err borne_store_set_registrations(struct borne_store *store, uint32_t event_id,
                                        uint32_t participant_id, const uint32_t *session_ids,
                                        size_t count);
borne_err borne_store_is_registered(struct borne_store *store, uint32_t event_id,
                                    uint32_t participant_id, uint32_t session_id, bool *out);
/* Whether staff admitted the participant to the session (BORNE_OUTCOME_ADMITTED_BY_STAFF). */
borne_err borne_store_was_admitted(struct borne_store *store, uint32_t event_id,
                                   uint32_t participant_id, uint32_t session_id, bool *out);
/* Name search, accent- and case-insensitive, by word prefixes: "helene trem" finds "Hélène
 * Tremblay". Calls `found` for each match (at most `limit`), best first. */
borne_err borne_store_search(struct borne_store *store, uint32_t event_id, const char *query,
                             size_t limit, void (*found)(void *ctx, const borne_participant *p),
                             void *ctx);
/* Calls `found` for every participant of the event, by name. */
borne_err borne_store_each_participant(struct borne_store *store, uint32_t event_id,
                                       void (*found)(void *ctx, const borne_participant *p),
                                       void *ctx);
borne_err borne_store_count_participants(struct borne_store *store, uint32_t event_id,
                                         int64_t *out);

/* The participant's current badge code text (a signed token or an opaque code), as the
 * registry sent it, kept so staff can show it to its owner ("show my QR code"). It is a
 * credential: never log it. NULL or "" clears it. BORNE_ERR_NOT_FOUND: no such participant. */
borne_err borne_store_set_badge_text(struct borne_store *store, uint32_t event_id,
                                     uint32_t participant_id, const char *text);
/* Copies it into out[cap]. BORNE_ERR_NOT_FOUND when the participant or the text is absent,
 * BORNE_ERR_TOO_LARGE when cap is too small. */
borne_err borne_store_get_badge_text(struct borne_store *store, uint32_t event_id,
                                     uint32_t participant_id, char *out, size_t cap);

/* Keys and revocations. */
borne_err borne_store_put_key(struct borne_store *store, uint16_t key_id,
                              const uint8_t public_key[32]);
/* All trusted keys. *out is malloc'ed; the caller frees it. */
borne_err borne_store_load_keys(struct borne_store *store, borne_pubkey **out, size_t *count);
void borne_store_code_hash(const uint8_t *text, size_t len, uint8_t out[BORNE_CODE_HASH_LEN]);
borne_err borne_store_revoke(struct borne_store *store, uint32_t event_id, const uint8_t *text,
                             size_t len, const char *reason);
borne_err borne_store_is_revoked(struct borne_store *store, uint32_t event_id, const uint8_t *text,
                                 size_t len, bool *out);

/* Check-ins. */
/* Stores one check-in durably (its own transaction, fsync'ed). A UUID already present is
 * BORNE_ERR_EXISTS and changes nothing. */
borne_err borne_store_add_checkin(struct borne_store *store, const borne_checkin_row *c);
/* Where a participant stands in a session (0 = the event): last accepted scan an entry (in_room)
 * or an exit (has_exit). */
borne_err borne_store_history(struct borne_store *store, uint32_t event_id, uint32_t participant_id,
                              uint32_t session_id, bool *in_room, bool *has_exit, int64_t *last_ms);
/* Accepted entries and exits of a participant in a session, for the credits rule. *out is
 * malloc'ed; the caller frees it. */
borne_err borne_store_scans(struct borne_store *store, uint32_t event_id, uint32_t participant_id,
                            uint32_t session_id, borne_scan_event **out, size_t *count);
/* Corrects untrusted wall times of `ref`'s boot from a trusted reference; *rows = rows fixed. */
borne_err borne_store_correct_times(struct borne_store *store, const borne_clock_sample *ref,
                                    int64_t *rows);
/* Calls `each` for every check-in of the event, oldest first. */
borne_err borne_store_each_checkin(struct borne_store *store, uint32_t event_id,
                                   void (*each)(void *ctx, const borne_checkin_row *c), void *ctx);
borne_err borne_store_count_checkins(struct borne_store *store, uint32_t event_id, int64_t *total,
                                     int64_t *unsynced);

/* The raw connection, for the store's own modules (import.c, report.c) and the sync. */
struct sqlite3 *borne_store_db(struct borne_store *store);
/* The connection for the shared helpers (store/sqlutil.h), with the store's statement cache. */
struct borne_sqldb *borne_store_sql(struct borne_store *store);
/* How the store reads SQLite's errors (store/sqlutil.h): a read-only or forbidden database is
 * BORNE_ERR_PERM, a constraint BORNE_ERR_EXISTS, I/O BORNE_ERR_IO, "not a database"
 * BORNE_ERR_CORRUPT, SQLite's out of memory BORNE_ERR_NOMEM. */
extern const struct borne_sql_errmap borne_store_errmap;
/* Maps a SQLite result code to a borne_err with borne_store_errmap and logs it once with
 * `what`; BORNE_OK for SQLITE_OK, SQLITE_ROW and SQLITE_DONE. */
borne_err borne_store_error(struct borne_store *store, int rc, const char *what);

#endif
