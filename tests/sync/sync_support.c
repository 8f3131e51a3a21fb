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

#include "checkin/checkin.h"
#include "store/store.h"
#include "support/db_ro.h"
#include "sync/protocol.h"
#include "sync/sync.h"

void registry_start(registry_proc *r)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(fixture_mkdtemp(r->dir, sizeof(r->dir)), 0);
    snprintf(r->db, sizeof(r->db), "%s/registry.db", r->dir);
    assert_int_equal(harness_serve(r, 0, NULL), 0);
}

void registry_start_event(registry_proc *r, char *setup, size_t cap)
{
    registry_start(r);
    assert_int_equal(harness_setup_event(r, r->port, setup, cap), 0);
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
    return db_ro_open(r->db);
}

int64_t registry_int(const registry_proc *r, const char *sql)
{
    return db_ro_int(r->db, sql);
}

void registry_token(const registry_proc *r, uint32_t participant, char *out, size_t cap)
{
    char key[400], pid[16], line[512];
    snprintf(key, sizeof(key), "%s/sign.key", r->dir);
    snprintf(pid, sizeof(pid), "%u", participant);
    assert_int_equal(harness_admin(r, line, sizeof(line), "token", "issue", "--key", key, "--event",
                                   "42", "--participant", pid, NULL),
                     0);
    char *tab = strchr(line, '\t');
    assert_non_null(tab);
    snprintf(out, cap, "%s", tab + 1);
    out[strcspn(out, "\n")] = '\0';
}

static void sync_new(kiosk *k)
{
    borne_sync_options o = {.db_path = k->fx.path,
                            .data_dir = k->fx.dir,
                            .kiosk_id = "borne-test",
                            .clock = &k->fx.clock,
                            .timeout_ms = k->timeout_ms,
                            .connect_timeout_ms = 1000,
                            .low_speed_s = 2,
                            .batch = k->batch};
    assert_int_equal(borne_sync_new(&o, &k->sync), BORNE_OK);
}

void kiosk_open(kiosk *k, int timeout_ms, size_t batch)
{
    memset(k, 0, sizeof(*k));
    assert_int_equal(fixture_open_empty(&k->fx), 0);
    fixture_set_time(&k->fx, FIX_A_START - 600, true);
    k->timeout_ms = timeout_ms;
    k->batch = batch;
    sync_new(k);
}

void kiosk_reboot(kiosk *k, const char *boot_id, int64_t wall_ms)
{
    borne_sync_free(k->sync);
    memset(&k->fx.fake.now, 0, sizeof(k->fx.fake.now));
    k->fx.fake.now.wall_ms = wall_ms;
    k->fx.fake.now.mono_ms = 9000;
    snprintf(k->fx.fake.now.boot_id, sizeof(k->fx.fake.now.boot_id), "%s", boot_id);
    k->fx.fake.now.trusted = false;
    sync_new(k);
}

uint32_t kiosk_add_walkin(kiosk *k, int64_t number, uint32_t seq, uint32_t session,
                          const char *name, const char *org)
{
    uint32_t id = borne_walkin_id(number, seq);
    assert_true(id != 0);
    borne_participant p = {.id = id, .event_id = FIX_EVENT, .status = BORNE_REG_CONFIRMED};
    snprintf(p.display_name, sizeof(p.display_name), "%s", name);
    snprintf(p.organisation, sizeof(p.organisation), "%s", org);
    assert_int_equal(borne_store_put_participant(k->fx.store, &p, NULL), BORNE_OK);
    assert_int_equal(borne_store_set_registrations(k->fx.store, FIX_EVENT, id, &session, 1),
                     BORNE_OK);
    borne_checkin_options o = {.kiosk_id = "borne-test", .session_id = session};
    struct borne_checkin *ck;
    assert_int_equal(borne_checkin_new(&ck, k->fx.store, &k->fx.clock, &o), BORNE_OK);
    borne_scan_result res;
    assert_int_equal(borne_checkin_manual(ck, id, BORNE_ENTRY, BORNE_METHOD_WALK_IN, "staff", &res),
                     BORNE_OK);
    assert_int_equal(res.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    borne_checkin_free(ck);
    return id;
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

void registry_start_with_kiosk(registry_proc *r, kiosk *k, int timeout_ms, size_t batch)
{
    char setup[512];
    registry_start_event(r, setup, sizeof(setup));
    kiosk_open(k, timeout_ms, batch);
    provision(k, setup);
}

void add_checkins(kiosk *k, size_t n)
{
    assert_int_equal(fixture_add_checkins(&k->fx, "borne-test", n), BORNE_OK);
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
