/* I/O faults under the check-in path: SQLite's writes, syncs and truncates fail at step N = 1, 2,
 * 3 ... (tests/reliability/faultvfs.c), once or from then on, until a run ends before step N.
 *
 * Each run: a fresh fixture store (WAL checkpoints made frequent so that database-file writes and
 * WAL truncation are exercised too), a few scans stored cleanly, the fault armed, a burst of scans,
 * the fault lifted, a few more scans on the same connection, then the store closed and reopened
 * as after a restart. Checked:
 *   - a scan that failed returns a store error and a result neither accepted nor recorded: the
 *     kiosk shows its trouble screen, never a green one; an injected SQLITE_FULL comes back as
 *     BORNE_ERR_DISK_FULL, other failures as BORNE_ERR_IO;
 *   - every check-in reported stored (before, during or after the fault) is in the reopened store;
 *   - PRAGMA integrity_check is "ok" after reopening;
 *   - the same connection stores check-ins again once the fault is lifted.
 * A row whose commit reached the WAL but whose sync failed can still be found after reopening
 * although its scan reported an error ("stored despite the error"): the safe direction (the
 * participant saw the trouble screen and scans again), counted and printed.
 *
 * BORNE_FAULT_MAX_STEPS (default 400) caps N for each kind of fault. The stores live in /dev/shm
 * when it is writable (BORNE_FAULT_ON_DISK=1: in $TMPDIR). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkin/checkin.h"
#include "reliability/faultvfs.h"
#include "reliability/rel_support.h"
#include "support/fixture.h"

#define BEFORE 4 /* clean scans before the fault */
#define BURST  16
#define AFTER  3

typedef struct fault_kind {
    const char *name;
    unsigned ops;
    bool sticky;
    int sqlite_err;
    borne_err expect;
} fault_kind;

static const fault_kind kinds[] = {
    {"write, once", FAULT_WRITE, false, 0, BORNE_ERR_IO},
    {"write, from then on", FAULT_WRITE, true, 0, BORNE_ERR_IO},
    {"sync, once", FAULT_SYNC, false, 0, BORNE_ERR_IO},
    {"sync, from then on", FAULT_SYNC, true, 0, BORNE_ERR_IO},
    {"truncate, from then on", FAULT_TRUNCATE, true, 0, BORNE_ERR_IO},
    {"any, from then on", FAULT_ALL, true, 0, BORNE_ERR_IO},
    {"disk full on write, from then on", FAULT_WRITE, true, SQLITE_FULL, BORNE_ERR_DISK_FULL},
};

typedef struct totals {
    long runs;
    long injected;
    long failed_scans;
    long reported;
    long stored_despite_error;
    long no_same_connection_recovery;
} totals;

typedef struct uuid_list {
    char (*v)[BORNE_UUID_LEN + 1];
    size_t n;
} uuid_list;

static void scan_code(struct borne_checkin *ck, fixture *fx, int i, borne_scan_result *r,
                      borne_err *err)
{
    char text[BORNE_TOKEN_TEXT_LEN + 1];
    if (i % 3 == 0) {
        /* Hélène in and out of A1: accepted entries and exits, with the credits tally. */
        fixture_sign(fx, NULL, FIX_KEY_ID, FIX_EVENT, FIX_P_HELENE, 0, text);
        borne_checkin_set_mode(ck, (i / 3) % 2 ? BORNE_EXIT : BORNE_ENTRY);
    } else {
        snprintf(text, sizeof(text), "FAULT-%04d", i); /* unknown code: a refusal row */
        borne_checkin_set_mode(ck, BORNE_ENTRY);
    }
    fixture_set_time(fx, fx->fake.now.wall_ms / 1000 + 2, true);
    *err = borne_checkin_scan(ck, (const uint8_t *)text, strlen(text), BORNE_METHOD_CAMERA, r);
}

/* The fixture's store, built once and copied for each run (an import per run would cost most of
 * the test's time). */
static char template_path[320];

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[1 << 14];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        assert_int_equal(fwrite(buf, 1, n, out), n);
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static void open_copy(fixture *fx)
{
    assert_int_equal(fixture_open_empty(fx), 0);
    borne_store_close(fx->store);
    fx->store = NULL;
    char wal[340];
    snprintf(wal, sizeof(wal), "%s-wal", fx->path);
    unlink(wal);
    copy_file(template_path, fx->path);
    assert_int_equal(fixture_reopen(fx), 0);
}

/* One run with the fault at step n. Returns false when the fault never fired. */
static bool one_run(const fault_kind *k, long n, totals *t)
{
    fixture fx;
    open_copy(&fx);
    sqlite3 *db = borne_store_db(fx.store);
    assert_int_equal(sqlite3_exec(db,
                                  "PRAGMA wal_autocheckpoint = 4; PRAGMA journal_size_limit = 0",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    borne_checkin_options opts = {.kiosk_id = "fault",
                                  .session_id = FIX_SESSION_A,
                                  .mode = BORNE_ENTRY,
                                  .rescan_window_ms = -1};
    struct borne_checkin *ck;
    assert_int_equal(borne_checkin_new(&ck, fx.store, &fx.clock, &opts), BORNE_OK);
    uuid_list reported = {calloc(BEFORE + BURST + AFTER, sizeof(*reported.v)), 0};
    assert_non_null(reported.v);
    int i = 0;
    long failed = 0;
    for (int s = 0; s < BEFORE + BURST + AFTER; s++, i++) {
        if (s == BEFORE) {
            faultvfs_arm(n, k->ops, k->sticky, k->sqlite_err);
        } else if (s == BEFORE + BURST) {
            faultvfs_disarm();
        }
        borne_scan_result r;
        borne_err err;
        scan_code(ck, &fx, i, &r, &err);
        if (err) {
            assert_false(r.accepted);
            assert_false(r.recorded);
            if (s < BEFORE || s >= BEFORE + BURST) {
                if (s >= BEFORE + BURST) {
                    t->no_same_connection_recovery++;
                    continue;
                }
                fail_msg("scan %d failed with no fault armed: %s", s, borne_strerror(err));
            }
            if (err != k->expect) {
                fail_msg("%s at step %ld: %s instead of %s", k->name, n, borne_strerror(err),
                         borne_strerror(k->expect));
            }
            failed++;
        } else if (r.recorded) {
            memcpy(reported.v[reported.n++], r.uuid, BORNE_UUID_LEN + 1);
        }
    }
    bool fired = faultvfs_injected() > 0;
    t->injected += faultvfs_injected();
    borne_checkin_free(ck);

    assert_int_equal(fixture_reopen(&fx), 0);
    assert_true(rel_integrity_ok(fx.store));
    for (size_t j = 0; j < reported.n; j++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM checkin WHERE uuid = '%s'", reported.v[j]);
        if (fixture_query_int(fx.store, sql) != 1) {
            fail_msg("%s at step %ld: check-in %zu was reported stored but is gone", k->name, n, j);
        }
    }
    int64_t rows = fixture_query_int(fx.store, "SELECT count(*) FROM checkin");
    assert_true(rows >= (int64_t)reported.n);
    assert_true(rows <= (int64_t)reported.n + failed);
    t->stored_despite_error += rows - (int64_t)reported.n;
    t->failed_scans += failed;
    t->reported += (long)reported.n;
    t->runs++;
    free(reported.v);
    fixture_close(&fx);
    return fired;
}

static void test_fault_steps(void **state)
{
    assert_int_equal(faultvfs_register(), 0);
    fixture tmpl;
    assert_int_equal(fixture_open(&tmpl), 0);
    borne_store_close(tmpl.store); /* checkpoints the WAL into the file */
    tmpl.store = NULL;
    snprintf(template_path, sizeof(template_path), "%s", tmpl.path);
    long max_steps = rel_env_long("BORNE_FAULT_MAX_STEPS", 400);
    totals all = {0};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        totals t = {0};
        long n;
        for (n = 1; n <= max_steps; n++) {
            if (!one_run(&kinds[k], n, &t)) {
                break;
            }
        }
        printf("faults: %-34s steps 1..%ld: %ld injected, %ld scans refused with an error, %ld "
               "stored and reported, %ld stored despite the error, %ld needed a reopen\n",
               kinds[k].name, n - 1, t.injected, t.failed_scans, t.reported, t.stored_despite_error,
               t.no_same_connection_recovery);
        all.runs += t.runs;
        all.injected += t.injected;
        all.failed_scans += t.failed_scans;
        all.reported += t.reported;
        all.stored_despite_error += t.stored_despite_error;
        all.no_same_connection_recovery += t.no_same_connection_recovery;
    }
    printf("faults: %ld runs, %ld faults injected, %ld scans refused with an error, %ld reported "
           "check-ins all found, %ld stored despite the error, integrity ok every run\n",
           all.runs, all.injected, all.failed_scans, all.reported, all.stored_despite_error);
    fflush(stdout);
    fixture_close(&tmpl);
    assert_int_equal(all.no_same_connection_recovery, 0);
}

int main(void)
{
    /* Faults are injected above the file system, so its speed does not matter: use memory when
     * there is some (a thousand fresh stores, each fsync'ed, would cost half a minute on a disk).
     */
    if (!getenv("BORNE_FAULT_ON_DISK") && access("/dev/shm", W_OK) == 0) {
        setenv("TMPDIR", "/dev/shm", 1);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
