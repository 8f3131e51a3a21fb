/* Store functions for the sync (see sync_store.h). */
#define LOG_MODULE "store"
#include "store/sync_store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/sqlutil.h"

/* The sync's statements run a few times a minute: they stay out of the store's cache. */
static borne_err prep(struct borne_store *store, const char *sql, sqlite3_stmt **st)
{
    return borne_sql_prepare_once(borne_store_sql(store), sql, st);
}

static borne_err done(struct borne_store *store, sqlite3_stmt *st, const char *what)
{
    return borne_sql_step_done(borne_store_sql(store), st, what);
}

static bool read_unsynced(sqlite3_stmt *st, void *elem)
{
    borne_checkin_row *c = elem;
    memset(c, 0, sizeof(*c));
    borne_sql_copy_text(c->uuid, sizeof(c->uuid), st, 0);
    borne_sql_copy_text(c->kiosk_id, sizeof(c->kiosk_id), st, 1);
    c->event_id = (uint32_t)sqlite3_column_int64(st, 2);
    c->participant_id = (uint32_t)sqlite3_column_int64(st, 3);
    c->session_id = (uint32_t)sqlite3_column_int64(st, 4);
    c->direction = (borne_direction)sqlite3_column_int(st, 5);
    c->method = (borne_method)sqlite3_column_int(st, 6);
    borne_sql_copy_text(c->staff_id, sizeof(c->staff_id), st, 7);
    c->outcome = (borne_outcome)sqlite3_column_int(st, 8);
    if (sqlite3_column_bytes(st, 9) == BORNE_CODE_HASH_LEN) {
        c->has_code_hash = true;
        memcpy(c->code_hash, sqlite3_column_blob(st, 9), BORNE_CODE_HASH_LEN);
    }
    c->time.wall_ms = sqlite3_column_int64(st, 10);
    c->wall_recorded_ms = sqlite3_column_int64(st, 11);
    c->time.mono_ms = sqlite3_column_int64(st, 12);
    borne_sql_copy_text(c->time.boot_id, sizeof(c->time.boot_id), st, 13);
    c->time.trusted = sqlite3_column_int(st, 14) != 0;
    return true;
}

borne_err borne_sync_store_unsynced(struct borne_store *store, uint32_t event_id, size_t max,
                                    borne_checkin_row **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (max == 0) {
        return BORNE_OK;
    }
    sqlite3_stmt *st;
    borne_err err =
        prep(store,
             "SELECT uuid, kiosk_id, event_id, participant_id, session_id, direction, method,"
             " staff_id, outcome, code_hash, wall_ms, wall_recorded_ms, mono_ms, boot_id,"
             " clock_trusted FROM checkin WHERE event_id = ?1 AND synced = 0"
             " ORDER BY rowid LIMIT ?2",
             &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    return borne_sql_collect(borne_store_sql(store), st, sizeof(**out), read_unsynced, (void **)out,
                             count, "unsynced check-ins");
}

static borne_err mark(struct borne_store *store, const char *const *uuids, size_t count, int state,
                      int64_t *marked)
{
    if (marked) {
        *marked = 0;
    }
    if (count == 0) {
        return BORNE_OK;
    }
    borne_err err = borne_store_begin(store);
    if (err) {
        return err;
    }
    sqlite3_stmt *st;
    err = prep(store, "UPDATE checkin SET synced = ?2 WHERE uuid = ?1 AND synced = 0", &st);
    int64_t n = 0;
    for (size_t i = 0; !err && i < count; i++) {
        sqlite3_bind_text(st, 1, uuids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, state);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE) {
            err = borne_store_error(store, rc, "mark synced");
        } else {
            n += sqlite3_changes(borne_store_db(store));
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    err = borne_sql_finish(borne_store_sql(store), err);
    if (err) {
        return err;
    }
    if (marked) {
        *marked = n;
    }
    return BORNE_OK;
}

borne_err borne_sync_store_mark_synced(struct borne_store *store, const char *const *uuids,
                                       size_t count, int64_t *marked)
{
    return mark(store, uuids, count, 1, marked);
}

borne_err borne_sync_store_mark_refused(struct borne_store *store, const char *const *uuids,
                                        size_t count, int64_t *marked)
{
    return mark(store, uuids, count, 2, marked);
}

borne_err borne_sync_store_delete_participant(struct borne_store *store, uint32_t event_id,
                                              uint32_t participant_id)
{
    sqlite3_stmt *st;
    borne_err err =
        prep(store, "DELETE FROM registration WHERE event_id = ?1 AND participant_id = ?2", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, participant_id);
    err = done(store, st, "delete registrations");
    if (err) {
        return err;
    }
    err = prep(store, "DELETE FROM participant WHERE event_id = ?1 AND participant_id = ?2", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, participant_id);
    return done(store, st, "delete participant");
}

borne_err borne_sync_store_delete_session(struct borne_store *store, uint32_t session_id)
{
    sqlite3_stmt *st;
    borne_err err = prep(store, "DELETE FROM registration WHERE session_id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, session_id);
    err = done(store, st, "delete session registrations");
    if (err) {
        return err;
    }
    err = prep(store, "DELETE FROM session WHERE id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, session_id);
    return done(store, st, "delete session");
}

borne_err borne_sync_store_revoke_hash(struct borne_store *store, uint32_t event_id,
                                       const uint8_t hash[BORNE_CODE_HASH_LEN])
{
    sqlite3_stmt *st;
    borne_err err = prep(store,
                         "INSERT OR REPLACE INTO revoked_code(event_id, code_hash, reason)"
                         " VALUES (?1, ?2, 'registry')",
                         &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_blob(st, 2, hash, BORNE_CODE_HASH_LEN, SQLITE_TRANSIENT);
    return done(store, st, "revoke (sync)");
}

borne_err borne_sync_store_unrevoke_hash(struct borne_store *store, uint32_t event_id,
                                         const uint8_t hash[BORNE_CODE_HASH_LEN])
{
    sqlite3_stmt *st;
    borne_err err =
        prep(store, "DELETE FROM revoked_code WHERE event_id = ?1 AND code_hash = ?2", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_blob(st, 2, hash, BORNE_CODE_HASH_LEN, SQLITE_TRANSIENT);
    return done(store, st, "unrevoke (sync)");
}

borne_err borne_sync_store_last_scan(struct borne_store *store, uint32_t event_id, int64_t *ms)
{
    *ms = 0;
    sqlite3_stmt *st;
    borne_err err =
        prep(store, "SELECT coalesce(max(wall_ms), 0) FROM checkin WHERE event_id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    return borne_sql_step_int64(borne_store_sql(store), st, ms, "last scan");
}
