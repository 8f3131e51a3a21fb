/* The registry's storage: one SQLite file in WAL mode (synchronous=FULL), its own schema.
 *
 * Holds events, sessions, participants with their registrations, public signing keys, revoked
 * code fingerprints, kiosks (enrolment and API tokens stored as SHA-256 hashes only) and every
 * check-in received, once, by UUID. Every roster change takes the next value of one change
 * counter, so a kiosk pulls "everything changed after N" (deletions are kept as tombstones).
 *
 * A borne_regdb is one connection: one thread at a time. The server keeps a small pool.
 * Only parameterised SQL. Nothing here logs names, codes or tokens. */
#ifndef BORNE_REGISTRY_REGDB_H
#define BORNE_REGISTRY_REGDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "store/report.h"
#include "store/sqlutil.h"
#include "store/store.h"
#include "sync/protocol.h"

#define BORNE_REGDB_SCHEMA_VERSION 7
#define BORNE_REG_TOKEN_HASH_LEN   32

struct borne_regdb;

/* How the registry reads SQLite's errors (store/sqlutil.h): never BORNE_ERR_PERM, which means
 * "this kiosk may not do that" here; SQLITE_BUSY is BORNE_ERR_TIMEOUT. */
extern const borne_sql_errmap borne_regdb_errmap;

borne_err borne_regdb_open(const char *path, struct borne_regdb **out);
void borne_regdb_close(struct borne_regdb *db);
struct sqlite3 *borne_regdb_sqlite(struct borne_regdb *db);

borne_err borne_regdb_begin(struct borne_regdb *db);
borne_err borne_regdb_commit(struct borne_regdb *db);
void borne_regdb_rollback(struct borne_regdb *db);

/* ---- organiser side (admin commands) ---- */

/* Upserts an event and its sessions (a session absent from `sessions` is kept). */
borne_err borne_regdb_put_event(struct borne_regdb *db, const borne_event *ev,
                                const borne_session *sessions, size_t count);
borne_err borne_regdb_get_event(struct borne_regdb *db, uint32_t id, borne_event *out);
/* Sessions of an event (not deleted). *out malloc'ed. */
borne_err borne_regdb_sessions(struct borne_regdb *db, uint32_t event_id, borne_session **out,
                               size_t *count);
borne_err borne_regdb_delete_session(struct borne_regdb *db, uint32_t session_id);

/* Upserts one participant; the change counter moves only when something differs. Call inside
 * a transaction for many. *changed (may be NULL) says whether it did. Ids at or above
 * BORNE_WALKIN_ID_BASE belong to walk-ins and are refused (BORNE_ERR_INVALID). */
borne_err borne_regdb_put_participant(struct borne_regdb *db, const borne_participant *p,
                                      const char *code, const uint32_t *sessions, size_t nsessions,
                                      bool *changed);
/* Marks a participant deleted (a tombstone kiosks pull). BORNE_ERR_NOT_FOUND if absent. */
borne_err borne_regdb_delete_participant(struct borne_regdb *db, uint32_t event_id, uint32_t id);
/* Deletes every participant of the event not marked `seen` since borne_regdb_mark_unseen. */
borne_err borne_regdb_mark_unseen(struct borne_regdb *db, uint32_t event_id);
borne_err borne_regdb_delete_unseen(struct borne_regdb *db, uint32_t event_id, int64_t *deleted);
/* Calls `each` for every participant of the event (not deleted), by name. */
borne_err borne_regdb_each_participant(struct borne_regdb *db, uint32_t event_id,
                                       void (*each)(void *ctx, const borne_participant *p),
                                       void *ctx);

/* A roster import: one write transaction with its statements prepared once, change numbers
 * taken from the counter read at the start and written back at the end. put: as
 * borne_regdb_put_participant (the counter moves only for a participant that differs). end:
 * commits (with `replace`, participants of the event not put are tombstoned, walk-ins kept;
 * *deleted counts them) or, when `commit` is false, rolls back; frees the import either way. */
struct borne_regdb_import;
borne_err borne_regdb_import_begin(struct borne_regdb *db, uint32_t event_id, bool replace,
                                   struct borne_regdb_import **out);
borne_err borne_regdb_import_put(struct borne_regdb_import *im, const borne_participant *p,
                                 const char *code, const uint32_t *sessions, size_t nsessions,
                                 bool *changed);
borne_err borne_regdb_import_end(struct borne_regdb_import *im, bool commit, int64_t *deleted);

/* Records the badge code text last issued to a participant (a signed token), which the roster
 * pull then carries so kiosks can show it to its owner. The change counter moves only when it
 * differs. Call inside a transaction for many. BORNE_ERR_NOT_FOUND: no such participant. */
borne_err borne_regdb_set_badge(struct borne_regdb *db, uint32_t event_id, uint32_t id,
                                const char *text, bool *changed);

/* The signed badge code of a participant (what `token issue` prints): member flag, event, id,
 * key; no validity bound but `valid_from` (0 for a first code; a replacement takes another so
 * its text differs from the revoked one). out: BORNE_TOKEN_TEXT_LEN + 1 bytes. */
borne_err borne_regdb_badge_token(uint32_t event_id, uint32_t id, bool member, uint16_t key_id,
                                  const uint8_t secret[64], uint32_t valid_from, char *out,
                                  size_t cap);

/* Replaces a lost badge in one transaction: revokes her current codes (the badge code last
 * issued and her roster code; when she has neither, the first signed code) and records a new
 * signed code (borne_regdb_set_badge), not revoked, which the next roster pull carries.
 * `now` in Unix seconds. *revoked counts the codes revoked. BORNE_ERR_NOT_FOUND: no such
 * participant. */
borne_err borne_regdb_replace_badge(struct borne_regdb *db, uint32_t event_id, uint32_t id,
                                    uint16_t key_id, const uint8_t secret[64], int64_t now,
                                    char *out, size_t cap, int *revoked);

borne_err borne_regdb_put_key(struct borne_regdb *db, uint16_t key_id, const uint8_t pk[32]);
borne_err borne_regdb_revoke(struct borne_regdb *db, uint32_t event_id,
                             const uint8_t hash[BORNE_CODE_HASH_LEN], bool revoked);

/* Creates a kiosk for the event with a fresh one-time enrolment token (valid `valid_s`
 * seconds), written NUL-terminated into token[BORNE_API_TOKEN_MAX]. BORNE_ERR_EXISTS: another
 * kiosk of the event in service (not revoked) has that name. */
borne_err borne_regdb_add_kiosk(struct borne_regdb *db, uint32_t event_id, const char *name,
                                int64_t valid_s, int64_t *kiosk_id, char *token);
/* Revokes a kiosk: its API token and enrolment token stop working at once. */
borne_err borne_regdb_revoke_kiosk(struct borne_regdb *db, int64_t kiosk_id);
/* Writes the kiosk list as CSV (id, name, event, state, last seen, version, pending, ...). */
borne_err borne_regdb_list_kiosks(struct borne_regdb *db, FILE *out);

/* ---- kiosk side (the API) ---- */

typedef struct borne_reg_kiosk {
    int64_t id;
    char name[BORNE_KIOSK_ID_MAX];
    uint32_t event_id;
} borne_reg_kiosk;

/* Exchanges a one-time enrolment token for an API token (written into api_token). The
 * enrolment token is spent. `name` is the label the kiosk gives itself: kept for information
 * (kiosk list), it never renames the kiosk (*kiosk has the organiser's name). BORNE_ERR_PERM:
 * unknown, spent, expired or revoked. */
borne_err borne_regdb_enrol(struct borne_regdb *db, const char *enrol_token, const char *name,
                            const char *version, borne_reg_kiosk *kiosk, char *api_token);
/* The kiosk an API token belongs to. BORNE_ERR_PERM: unknown or revoked. */
borne_err borne_regdb_auth(struct borne_regdb *db, const char *api_token, borne_reg_kiosk *out);

typedef struct borne_kiosk_report {
    char version[32];
    int64_t pending, checkins, last_scan_ms, wall_ms;
    char clock[16];
} borne_kiosk_report;

borne_err borne_regdb_set_status(struct borne_regdb *db, const borne_reg_kiosk *k,
                                 const borne_kiosk_report *st);

/* Stores a batch of check-ins for kiosk `k` in one transaction, answering per record in
 * `results` (same order). refused[i] non-NULL: the record was refused by the parser, for that
 * reason. Rows of another event are refused. A UUID already held answers "duplicate" when it is
 * the same record from the same kiosk (a retry; a retry whose time the kiosk has since
 * corrected, untrusted -> trusted, updates the stored time), and "refused" otherwise: another
 * kiosk's UUID, or the same UUID with different content (the first record stays).
 * walkins[i] (when `walkins` is not NULL and it is present) is the minimal record of a
 * participant registered at the door: the participant is created once, before its check-in, if
 * the id is in this kiosk's walk-in range (else the check-in is refused); an existing
 * participant is left as it is. */
borne_err borne_regdb_store_checkins(struct borne_regdb *db, const borne_reg_kiosk *k,
                                     const borne_checkin_row *rows, const char *const *refused,
                                     const borne_push_walkin *walkins, size_t count,
                                     borne_push_result *results);

/* Builds a roster page for the kiosk's event: changes after `since`, at most `limit`
 * participants. `epoch` (NULL or "" when the kiosk sent none) is the history the cursor was
 * given in; a cursor ahead of the counter or of another epoch gets the roster from 0 with
 * "reset": true. Returns a malloc'ed JSON text (the caller frees it). */
borne_err borne_regdb_pull_json(struct borne_regdb *db, uint32_t event_id, int64_t since,
                                const char *epoch, size_t limit, int64_t server_time_ms, char **out,
                                size_t *len);

/* Writes a consistent copy of the whole database to `path` (VACUUM INTO: a snapshot taken in
 * one read transaction, so it may run while the server serves). The file must not exist
 * (BORNE_ERR_EXISTS). Restoring it (the server stopped, the file copied over the database, its
 * -wal and -shm removed) puts kiosks ahead of the registry: they start again from 0
 * (docs/protocol.md, "Cursor ahead of the registry"). */
borne_err borne_regdb_backup(struct borne_regdb *db, const char *path);

/* ---- retention (docs/privacy.md, "Registry") ---- */

/* Records that the event's credits report was exported at `when_ms`. */
borne_err borne_regdb_mark_exported(struct borne_regdb *db, uint32_t event_id, int64_t when_ms);

typedef struct borne_purge_report {
    int64_t participants; /* anonymised or deleted */
    int64_t checkins;     /* anonymised or deleted */
    int64_t kiosks;       /* revoked */
} borne_purge_report;

/* Purges an event's personal data, in one transaction, when it ended at least `min_age_s`
 * before `now` (Unix ms) and its credits report was exported after its last check-in arrived
 * (else BORNE_ERR_PERM with *why in words; BORNE_ERR_NOT_FOUND: no such event). Its kiosks are
 * revoked, its revoked codes, review decisions and the who and why of the desk's manual scans
 * (console_manual) dropped, and the console's audit rows about one of its participants keep
 * only who, when, the action and "event N". Then either the event is deleted whole
 * (`delete_event`), or it is anonymised: participants keep their sessions, status and member flag
 * under new ids in a random order, used by their check-ins alike; names, organisations, codes,
 * badge texts, code fingerprints and staff ids are cleared. Attendance counts stay the same.
 * Ends with a truncating WAL checkpoint (secure_delete zeroes freed content). */
borne_err borne_regdb_purge(struct borne_regdb *db, uint32_t event_id, int64_t min_age_s,
                            bool delete_event, int64_t now, borne_purge_report *out,
                            const char **why);

/* ---- reports ---- */

/* Reports never stop at a row the database should not hold (one stored before the registry
 * checked sessions, participants and times, or whose session or participant was deleted since):
 * such accepted check-ins earn nothing, are left out of credits and attendance, and are
 * counted in *skips (zeroed first) for the caller to warn about. */

/* Check-ins of the event, CSV: every record held, whatever it names (only rows that are not
 * check-ins at all are left out, counted in skips->unreadable). */
borne_err borne_regdb_checkins_csv(struct borne_regdb *db, uint32_t event_id, FILE *out,
                                   borne_report_skips *skips);
/* Per session: entries, exits, distinct participants, registered, kiosks. */
borne_err borne_regdb_attendance_csv(struct borne_regdb *db, uint32_t event_id, FILE *out,
                                     borne_report_skips *skips);
/* OMA credits per participant and session, by the kiosk's own report code (store/report.h). */
borne_err borne_regdb_credits_csv(struct borne_regdb *db, uint32_t event_id, FILE *out,
                                  borne_report_skips *skips);

/* Counts for tests and `status`: check-ins of the event (or all with event 0). */
borne_err borne_regdb_count_checkins(struct borne_regdb *db, uint32_t event_id, int64_t *out);

#endif
