/* Purging an event's personal information (see purge.h).
 *
 * DESIGN: deleting rows is not enough to forget them. secure_delete (set by store.c) zeroes the
 * freed parts of pages; the FTS5 name index keeps deleted words in older segments until merged,
 * so it is rebuilt from what remains; VACUUM rewrites the file; a TRUNCATE checkpoint empties the
 * WAL, which still held the old pages. What the flash card's wear levelling keeps is out of
 * reach of any program: docs/privacy.md says so. */
#define LOG_MODULE "store"
#include "store/purge.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/store.h"

static borne_err exec(struct borne_store *store, const char *sql, const char *what)
{
    int rc = sqlite3_exec(borne_store_db(store), sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? BORNE_OK : borne_store_error(store, rc, what);
}

/* Runs `sql` with ?1 = id; adds the rows it changed to *changed (may be NULL). */
static borne_err run_id(struct borne_store *store, const char *sql, int64_t id, int64_t *changed,
                        const char *what)
{
    sqlite3 *db = borne_store_db(store);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        return borne_store_error(store, rc, what);
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        return borne_store_error(store, rc, what);
    }
    if (changed) {
        *changed += sqlite3_changes(db);
    }
    return BORNE_OK;
}

static borne_err count_id(struct borne_store *store, const char *sql, int64_t id, int64_t *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(borne_store_db(store), sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        return borne_store_error(store, rc, "purge count");
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? BORNE_OK : borne_store_error(store, rc, "purge count");
}

/* Deletes everything of one event in one transaction. */
static borne_err purge_event(struct borne_store *store, uint32_t id, borne_purge_report *r)
{
    borne_err err = borne_store_begin(store);
    if (err) {
        return err;
    }
    err = run_id(store, "DELETE FROM checkin WHERE event_id = ?1", id, &r->checkins, "purge");
    if (!err) {
        err = run_id(store, "DELETE FROM registration WHERE event_id = ?1", id, &r->registrations,
                     "purge");
    }
    if (!err) {
        err = run_id(store, "DELETE FROM revoked_code WHERE event_id = ?1", id, &r->revocations,
                     "purge");
    }
    if (!err) {
        err = run_id(store, "DELETE FROM participant WHERE event_id = ?1", id, &r->participants,
                     "purge");
    }
    if (!err) {
        err = run_id(store, "DELETE FROM session WHERE event_id = ?1", id, &r->sessions, "purge");
    }
    if (!err) {
        err = run_id(store, "DELETE FROM event WHERE id = ?1", id, NULL, "purge");
    }
    if (!err) {
        /* The kiosk no longer stands at this event. */
        err = run_id(store,
                     "DELETE FROM kiosk_state WHERE key IN ('event_id', 'session_id') AND"
                     " (SELECT value FROM kiosk_state WHERE key = 'event_id') = CAST(?1 AS TEXT)",
                     id, NULL, "purge");
    }
    if (!err) {
        /* Drop the deleted names' words from the index's older segments. */
        err = exec(store, "INSERT INTO participant_fts(participant_fts) VALUES ('rebuild')",
                   "purge index");
    }
    if (!err) {
        err = borne_store_commit(store);
    }
    if (err) {
        borne_store_rollback(store);
        return err;
    }
    r->events_purged++;
    return BORNE_OK;
}

borne_err borne_store_purge(struct borne_store *store, uint32_t event_id, int32_t retention_days,
                            int64_t now, borne_purge_report *report)
{
    memset(report, 0, sizeof(*report));
    if (retention_days < 0) {
        return BORNE_ERR_INVALID;
    }
    /* The events, read first: purging while a statement walks the table would be fragile. */
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(borne_store_db(store),
                                "SELECT id, ends FROM event WHERE ?1 = 0 OR id = ?1 ORDER BY id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        return borne_store_error(store, rc, "purge events");
    }
    sqlite3_bind_int64(st, 1, event_id);
    size_t n = 0, cap = 0;
    struct {
        uint32_t id;
        int64_t ends;
    } *events = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            void *grown = realloc(events, cap * sizeof(*events));
            if (!grown) {
                abort(); /* small allocation: out of memory is fatal (docs/architecture.md) */
            }
            events = grown;
        }
        events[n].id = (uint32_t)sqlite3_column_int64(st, 0);
        events[n].ends = sqlite3_column_int64(st, 1);
        n++;
    }
    sqlite3_finalize(st);
    borne_err err = rc == SQLITE_DONE ? BORNE_OK : borne_store_error(store, rc, "purge events");
    if (!err && event_id != 0 && n == 0) {
        err = BORNE_ERR_NOT_FOUND;
    }
    for (size_t i = 0; !err && i < n; i++) {
        if (now < events[i].ends + (int64_t)retention_days * 86400) {
            report->events_recent++;
            continue;
        }
        int64_t unsynced = 0;
        err = count_id(store, "SELECT count(*) FROM checkin WHERE event_id = ?1 AND synced = 0",
                       events[i].id, &unsynced);
        if (err) {
            break;
        }
        if (unsynced > 0) {
            report->events_unsynced++;
            report->unsynced += unsynced;
            LOG_WARN("event %u not purged: %lld check-ins not yet synced", events[i].id,
                     (long long)unsynced);
            continue;
        }
        err = purge_event(store, events[i].id, report);
        if (!err) {
            LOG_INFO("event %u purged", events[i].id);
        }
    }
    free(events);
    if (!err && report->events_purged > 0) {
        err = exec(store, "VACUUM", "purge vacuum");
        if (!err) {
            err = exec(store, "PRAGMA wal_checkpoint(TRUNCATE)", "purge checkpoint");
        }
    }
    return err;
}
