/* Helpers of the sync tests against the real registry (see sync_support.h). */
#include "sync/sync_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/uuid.h"
#include "store/store.h"
#include "sync/sync.h"

void registry_start(registry_proc *r)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(fixture_mkdtemp(r->dir, sizeof(r->dir)), 0);
    snprintf(r->db, sizeof(r->db), "%s/registry.db", r->dir);
    assert_int_equal(harness_serve(r, 0, NULL), 0);
}

void registry_stop(registry_proc *r)
{
    harness_kill(r, SIGTERM);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
    assert_int_equal(system(cmd), 0);
}

sqlite3 *registry_open_ro(const registry_proc *r)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(r->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

int64_t registry_int(const registry_proc *r, const char *sql)
{
    sqlite3 *db = registry_open_ro(r);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

void kiosk_open(kiosk *k, int timeout_ms, size_t batch)
{
    memset(k, 0, sizeof(*k));
    assert_int_equal(fixture_open_empty(&k->fx), 0);
    fixture_set_time(&k->fx, FIX_A_START - 600, true);
    borne_sync_options o = {.db_path = k->fx.path,
                            .data_dir = k->fx.dir,
                            .kiosk_id = "borne-test",
                            .clock = &k->fx.clock,
                            .timeout_ms = timeout_ms,
                            .connect_timeout_ms = 1000,
                            .low_speed_s = 2,
                            .batch = batch};
    assert_int_equal(borne_sync_new(&o, &k->sync), BORNE_OK);
}

void kiosk_close(kiosk *k)
{
    borne_sync_free(k->sync);
    char path[400];
    snprintf(path, sizeof(path), "%s/%s", k->fx.dir, BORNE_SYNC_CREDENTIALS_FILE);
    unlink(path);
    fixture_close(&k->fx);
}

void provision(kiosk *k, const char *setup)
{
    char msg[256] = "";
    borne_err err = borne_sync_provision(k->sync, setup, msg, sizeof(msg));
    if (err) {
        fprintf(stderr, "provision: %s\n", msg);
    }
    assert_int_equal(err, BORNE_OK);
}

void add_checkins(kiosk *k, size_t n)
{
    assert_int_equal(borne_store_begin(k->fx.store), BORNE_OK);
    for (size_t i = 0; i < n; i++) {
        borne_checkin_row c;
        memset(&c, 0, sizeof(c));
        borne_uuid_new(c.uuid);
        snprintf(c.kiosk_id, sizeof(c.kiosk_id), "borne-test");
        c.event_id = FIX_EVENT;
        c.participant_id = 1 + (uint32_t)(i % 5);
        c.session_id = FIX_SESSION_A;
        c.direction = i % 2 ? BORNE_EXIT : BORNE_ENTRY;
        c.outcome = i % 2 ? BORNE_OUTCOME_ACCEPTED_EXIT : BORNE_OUTCOME_ACCEPTED_ENTRY;
        k->fx.clock.now(&k->fx.clock, &c.time);
        c.time.mono_ms += (int64_t)i;
        c.time.wall_ms += (int64_t)i;
        assert_int_equal(borne_store_add_checkin(k->fx.store, &c), BORNE_OK);
    }
    assert_int_equal(borne_store_commit(k->fx.store), BORNE_OK);
}

/* The check-in UUIDs of the database behind `db`, sorted, one a line. */
static char *uuids_of(sqlite3 *db, int64_t *count)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT uuid FROM checkin ORDER BY uuid", -1, &st, NULL), SQLITE_OK);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    *count = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (len + 40 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        len += (size_t)snprintf(out + len, cap - len, "%s\n", sqlite3_column_text(st, 0));
        (*count)++;
    }
    sqlite3_finalize(st);
    return out;
}

char *registry_uuids(const registry_proc *r, int64_t *count)
{
    sqlite3 *db = registry_open_ro(r);
    char *out = uuids_of(db, count);
    sqlite3_close(db);
    return out;
}

char *kiosk_uuids(kiosk *k, int64_t *count)
{
    return uuids_of(borne_store_db(k->fx.store), count);
}

void assert_exactly_once(const registry_proc *r, kiosk *k, int64_t expect)
{
    int64_t nr, nk;
    char *ur = registry_uuids(r, &nr);
    char *uk = kiosk_uuids(k, &nk);
    assert_int_equal(nk, expect);
    assert_int_equal(nr, expect);
    assert_string_equal(ur, uk);
    free(ur);
    free(uk);
    assert_int_equal(
        fixture_query_int(k->fx.store, "SELECT count(*) FROM checkin WHERE synced = 0"), 0);
    assert_true(fixture_integrity_ok(k->fx.store));
}

borne_err sync_until_ok(kiosk *k, int tries)
{
    borne_err err = BORNE_ERR_NET;
    for (int i = 0; i < tries && err; i++) {
        if (i > 0) {
            usleep(100 * 1000);
        }
        err = borne_sync_run_once(k->sync);
    }
    return err;
}

void *bg_run(void *arg)
{
    struct bg_sync *b = arg;
    b->err = borne_sync_run_once(b->k->sync);
    return NULL;
}
