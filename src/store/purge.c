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
#include "store/sqlutil.h"
#include "store/store.h"

static borne_err exec(struct borne_store *store, const char *sql, const char *what)
{
    return borne_sql_exec(borne_store_sql(store), sql, what);
}

/* Runs `sql` with ?1 = id; adds the rows it changed to *changed (may be NULL). */
static borne_err run_id(struct borne_store *store, const char *sql, int64_t id, int64_t *changed,
                        const char *what)
{
    return borne_sql_run_id(borne_store_sql(store), sql, id, changed, what);
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
    err = borne_sql_finish(borne_store_sql(store), err);
    if (err) {
        return err;
    }
    r->events_purged++;
    return BORNE_OK;
}

struct event_row {
    uint32_t id;
    int64_t ends;
};

static bool read_event_row(sqlite3_stmt *st, void *elem)
{
    struct event_row *e = elem;
    e->id = (uint32_t)sqlite3_column_int64(st, 0);
    e->ends = sqlite3_column_int64(st, 1);
    return true;
}

borne_err borne_store_purge(struct borne_store *store, uint32_t event_id, int32_t retention_days,
                            int64_t now, borne_purge_report *report)
{
    memset(report, 0, sizeof(*report));
    if (retention_days < 0) {
        return BORNE_ERR_INVALID;
    }
    /* The events, read first: purging while a statement walks the table would be fragile. */
    const borne_sqldb *c = borne_store_sql(store);
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare_once(
        c, "SELECT id, ends FROM event WHERE ?1 = 0 OR id = ?1 ORDER BY id", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    struct event_row *events = NULL;
    size_t n = 0;
    err = borne_sql_collect(c, st, sizeof(*events), read_event_row, (void **)&events, &n,
                            "purge events");
    if (!err && event_id != 0 && n == 0) {
        err = BORNE_ERR_NOT_FOUND;
    }
    for (size_t i = 0; !err && i < n; i++) {
        if (now < events[i].ends + (int64_t)retention_days * 86400) {
            report->events_recent++;
            continue;
        }
        int64_t total = 0, unsynced = 0;
        err = borne_store_count_checkins(store, events[i].id, &total, &unsynced);
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
