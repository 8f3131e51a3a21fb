/* Crash consistency of the registry (issue 7): borne-registry killed with SIGKILL at random
 * moments while kiosks push check-ins, many rounds.
 *
 * One registry (the real program, tests/sync/harness.c) and two provisioned kiosks (a store and
 * its sync each, tests/sync/sync_support.c) for the whole run. Each round:
 *   - 500 to 1,000 new check-ins go into one kiosk's store, or into each of both (every third
 *     round), and that kiosk's sync cycle runs in a thread of its own (both kiosks push at once
 *     then; batches of 100 and 250);
 *   - the registry is killed with SIGKILL: in one round in eight after 0-10 ms (most often
 *     before the round's first batch is stored), in the others once its database holds the
 *     first record of the round plus 0 to D ms, where D is how long a push of the round's size
 *     took at calibration (an unkilled push before the rounds; lowered by a quarter whenever a
 *     kill comes after the push), so that kills fall all along the push: inside a batch,
 *     between batches, during a commit, sometimes just after the last one;
 *   - the end of the registry's WAL is read as it was left: frames of a transaction without
 *     its commit frame mean the kill fell inside a commit (counted);
 *   - with the registry dead, its database is opened read-only (as it is on disk, WAL included)
 *     with the kiosks' stores attached, and:
 *       PRAGMA integrity_check is "ok";
 *       no check-in twice (count(*) = count(DISTINCT uuid)), none the kiosks never made, none
 *       with other content than the kiosk's;
 *       every check-in a kiosk holds as acknowledged (synced = 1, marked only from the
 *       registry's per-record answer) is there; none refused;
 *   - the registry is started again on the same port, each kiosk syncs until a cycle succeeds,
 *     and everything both kiosks hold is at the registry exactly once, nothing pending.
 * A check-in the registry committed but whose answer the kill lost is "in flight": the kiosk
 * sends it again and the registry answers "duplicate" (counted, never a failure).
 *
 * A round "killed mid-push" is one where the registry held some but not all of the round's
 * check-ins when it died. Nothing is timed: waits are loops on the database or the threads.
 *
 * BORNE_REGISTRY_CRASH_ROUNDS sets the rounds (20 by default, the CI size); the kill delays come
 * from BORNE_REGISTRY_CRASH_SEED (a fixed default, printed). Timing still varies from run to run,
 * so a seed replays the choices, not the exact kill points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/uuid.h"
#include "reliability/rel_support.h"
#include "support/fixture.h"
#include "sync/harness.h"
#include "sync/sync.h"
#include "sync/sync_support.h"

#define ROUNDS_DEFAULT 20
#define SEED_DEFAULT   20260520L
#define ROUND_MIN      500 /* new check-ins per pushing kiosk and round */
#define ROUND_MAX      1000
#define NKIOSKS        2
#define CALIBRATION    1000 /* check-ins of the timed push before the rounds */
#define EARLY_ONE_IN   8    /* rounds killed after 0-10 ms rather than once the push is seen */

typedef struct pusher {
    struct bg_sync b;
    atomic_bool done;
} pusher;

typedef struct crash_run {
    registry_proc reg;
    uint16_t port;
    kiosk k[NKIOSKS];
    size_t batch[NKIOSKS];
    int64_t held[NKIOSKS]; /* check-ins each kiosk holds */
    double ms_per_checkin; /* a push's pace: at calibration, then lowered (one_round) */
    uint64_t rng;
    /* Totals for the summary. */
    long rounds, concurrent, early, before_push, mid_push, after_push, restarts_retried;
    int64_t pushed, in_flight, in_flight_rounds, duplicates, integrity_ok;
    long in_commit; /* rounds whose WAL ended in an unfinished transaction */
} crash_run;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* splitmix64: the test's own generator, so nothing else in the process moves its sequence. */
static uint64_t rng_next(crash_run *c)
{
    uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint64_t rng_below(crash_run *c, uint64_t n)
{
    return n ? rng_next(c) % n : 0;
}

static void *push_thread(void *arg)
{
    pusher *p = arg;
    bg_run(&p->b);
    atomic_store(&p->done, true);
    return NULL;
}

/* The first row of a query, as integers (NULL as 0), into v[n]. */
static void query_ints(sqlite3 *db, const char *sql, int64_t *v, int n)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    }
    for (int i = 0; i < n; i++) {
        v[i] = sqlite3_column_int64(st, i);
    }
    sqlite3_finalize(st);
}

/* The same for kiosk store `i` (attached as k<i>): each '@' in `sql` names it. */
static void kiosk_ints(sqlite3 *db, int i, const char *sql, int64_t *v, int n)
{
    char text[1024];
    size_t len = 0;
    for (const char *p = sql; *p && len + 3 < sizeof(text); p++) {
        if (*p == '@') {
            text[len++] = 'k';
            text[len++] = (char)('0' + i);
        } else {
            text[len++] = *p;
        }
    }
    text[len] = '\0';
    query_ints(db, text, v, n);
}

/* The registry's database read-only, the kiosks' stores attached as k0, k1. */
static sqlite3 *open_all(crash_run *c)
{
    sqlite3 *db = registry_open_ro(&c->reg);
    for (int i = 0; i < NKIOSKS; i++) {
        char sql[64];
        snprintf(sql, sizeof(sql), "ATTACH ?1 AS k%d", i);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, c->k[i].fx.path, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            /* Reading the schema fails first when the registry's file is damaged. */
            fail_msg("round %ld: the databases cannot be read: %s", c->rounds, sqlite3_errmsg(db));
        }
        sqlite3_finalize(st);
    }
    return db;
}

static uint32_t wal_word(const uint8_t *p, bool big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* SQLite's WAL checksum over n bytes (a multiple of 8), continuing from s[0], s[1]. */
static void wal_cksum(const uint8_t *p, size_t n, bool big, uint32_t s[2])
{
    for (size_t i = 0; i < n; i += 8) {
        s[0] += wal_word(p + i, big) + s[1];
        s[1] += wal_word(p + i + 4, big) + s[0];
    }
}

/* Frames of an unfinished transaction at the end of the registry's WAL: valid frames (this
 * WAL's salts, checksums chained) after the last commit frame. SQLite writes a transaction's
 * frames at commit, the commit frame last, so such frames mean the kill fell inside a commit;
 * a reader ignores them (the file format, "WAL file format" in SQLite's documentation). Read
 * before anything opens the database after the kill. */
static long wal_torn_frames(const registry_proc *r, long *committed)
{
    *committed = 0;
    char path[400];
    snprintf(path, sizeof(path), "%s-wal", r->db);
    FILE *f = fopen(path, "rb");
    if (!f) {
        return 0;
    }
    uint8_t hdr[32];
    long torn = 0;
    if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr)) {
        uint32_t magic = wal_word(hdr, true);
        bool big = magic == 0x377f0683;
        uint32_t page = wal_word(hdr + 8, true);
        uint32_t s[2] = {0, 0};
        wal_cksum(hdr, 24, big, s);
        bool ok = (magic & 0xfffffffe) == 0x377f0682 && page >= 512 && page <= 65536 &&
                  s[0] == wal_word(hdr + 24, true) && s[1] == wal_word(hdr + 28, true);
        uint8_t *frame = malloc(24 + (size_t)page);
        assert_non_null(frame);
        while (ok && fread(frame, 1, 24 + (size_t)page, f) == 24 + (size_t)page) {
            if (memcmp(frame + 8, hdr + 16, 8) != 0) {
                break; /* an older WAL's frame: the end of this one */
            }
            wal_cksum(frame, 8, big, s);
            wal_cksum(frame + 24, page, big, s);
            if (s[0] != wal_word(frame + 16, true) || s[1] != wal_word(frame + 20, true)) {
                break;
            }
            bool commit = wal_word(frame + 4, true) != 0;
            *committed += commit;
            torn = commit ? 0 : torn + 1;
        }
        free(frame);
    }
    fclose(f);
    return torn;
}

static bool integrity_ok(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA main.integrity_check", -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "integrity_check: %s\n", sqlite3_errmsg(db));
        return false;
    }
    bool ok = sqlite3_step(st) == SQLITE_ROW &&
              strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0 &&
              sqlite3_step(st) == SQLITE_DONE;
    if (!ok) {
        sqlite3_reset(st);
        while (sqlite3_step(st) == SQLITE_ROW) {
            fprintf(stderr, "integrity_check: %s\n", sqlite3_column_text(st, 0));
        }
    }
    sqlite3_finalize(st);
    return ok;
}

/* What the registry's database holds, checked against the kiosks' stores. After a kill
 * (`settled` false): what was acknowledged is there; once synced again: everything, once.
 * Returns the registry's check-in count; *in_flight (may be NULL) gets the check-ins the
 * registry holds that their kiosk has not seen acknowledged. */
static int64_t verify(crash_run *c, bool settled, int64_t *in_flight)
{
    sqlite3 *db = open_all(c);
    if (!settled) {
        if (!integrity_ok(db)) {
            fail_msg("round %ld: integrity_check of the registry's database is not \"ok\"",
                     c->rounds);
        }
        c->integrity_ok++;
    }
    int64_t n[2];
    query_ints(db, "SELECT count(*), count(DISTINCT uuid) FROM main.checkin", n, 2);
    int64_t rows = n[0];
    c->duplicates += rows - n[1];
    if (rows != n[1]) {
        fail_msg("round %ld: %lld check-ins twice at the registry", c->rounds,
                 (long long)(rows - n[1]));
    }
    /* One pass over each kiosk's check-ins, each looked up at the registry by its UUID. */
    int64_t held = 0, matched = 0, flying = 0;
    for (int i = 0; i < NKIOSKS; i++) {
        enum { ALL, THERE, LOST, CHANGED, REFUSED, FLYING, PENDING, NCOLS };
        int64_t v[NCOLS];
        kiosk_ints(db, i,
                   "SELECT count(*), count(c.uuid),"
                   " coalesce(sum(k.synced = 1 AND c.uuid IS NULL), 0),"
                   " coalesce(sum(c.uuid IS NOT NULL AND (c.event_id != k.event_id"
                   " OR c.participant_id IS NOT k.participant_id OR c.session_id IS NOT"
                   " k.session_id OR c.direction != k.direction OR c.outcome != k.outcome"
                   " OR c.wall_ms != k.wall_ms OR c.mono_ms != k.mono_ms"
                   " OR c.boot_id != k.boot_id)), 0),"
                   " coalesce(sum(k.synced = 2), 0),"
                   " coalesce(sum(k.synced = 0 AND c.uuid IS NOT NULL), 0),"
                   " coalesce(sum(k.synced != 1), 0)"
                   " FROM @.checkin k LEFT JOIN main.checkin c ON c.uuid = k.uuid",
                   v, NCOLS);
        assert_int_equal(v[ALL], c->held[i]);
        if (v[LOST]) {
            fail_msg("round %ld: %lld check-ins acknowledged to kiosk %d are not at the registry",
                     c->rounds, (long long)v[LOST], i);
        }
        if (v[CHANGED]) {
            fail_msg("round %ld: %lld check-ins of kiosk %d differ at the registry", c->rounds,
                     (long long)v[CHANGED], i);
        }
        if (v[REFUSED]) {
            fail_msg("round %ld: the registry refused %lld check-ins of kiosk %d", c->rounds,
                     (long long)v[REFUSED], i);
        }
        if (settled) {
            /* Everything acknowledged, hence (LOST) at the registry. */
            assert_int_equal(v[PENDING], 0);
        }
        held += v[ALL];
        matched += v[THERE];
        flying += v[FLYING];
    }
    /* The kiosks' UUIDs are distinct (random, and each store's primary key), so a registry row
     * no kiosk matched is one nobody made. */
    if (rows != matched) {
        fail_msg("round %ld: %lld check-ins at the registry that no kiosk made", c->rounds,
                 (long long)(rows - matched));
    }
    if (settled) {
        assert_int_equal(rows, held);
    }
    sqlite3_close(db);
    if (in_flight) {
        *in_flight = flying;
    }
    return rows;
}

/* Starts the registry again on its port (the old one's sockets may linger a moment). */
static void restart(crash_run *c)
{
    for (int i = 0; i < 100; i++) {
        if (harness_serve(&c->reg, c->port, NULL) == 0) {
            c->restarts_retried += i > 0;
            return;
        }
        usleep(100 * 1000);
    }
    fail_msg("the registry did not start again on port %u", (unsigned)c->port);
}

/* Polls the registry's database until it holds one of the round's first check-ins, or every
 * pushing thread has ended. True when seen. */
static bool wait_first_stored(crash_run *c, char first[NKIOSKS][BORNE_UUID_LEN + 1], pusher *p,
                              const bool *pushing)
{
    sqlite3 *db = registry_open_ro(&c->reg);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM checkin WHERE uuid IN (?1, ?2)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (int i = 0; i < NKIOSKS; i++) {
        sqlite3_bind_text(st, i + 1, pushing[i] ? first[i] : "", -1, SQLITE_TRANSIENT);
    }
    bool seen = false;
    for (;;) {
        int rc = sqlite3_step(st);
        seen = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0;
        sqlite3_reset(st);
        bool running = false;
        for (int i = 0; i < NKIOSKS; i++) {
            running |= pushing[i] && !atomic_load(&p[i].done);
        }
        if (seen || !running) {
            break;
        }
        usleep(200);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return seen;
}

/* The first check-in the kiosk will push (pushes go in rowid order). */
static void first_unsynced(kiosk *k, char out[BORNE_UUID_LEN + 1])
{
    assert_int_equal(fixture_query_text(k->fx.store,
                                        "SELECT uuid FROM checkin WHERE synced = 0 ORDER BY rowid"
                                        " LIMIT 1",
                                        out, BORNE_UUID_LEN + 1),
                     0);
}

static void one_round(crash_run *c)
{
    bool pushing[NKIOSKS] = {false, false};
    bool both = c->rounds % 3 == 1;
    pushing[0] = both || c->rounds % 2 == 0;
    pushing[1] = both || c->rounds % 2 == 1;
    char first[NKIOSKS][BORNE_UUID_LEN + 1];
    int64_t added = 0;
    for (int i = 0; i < NKIOSKS; i++) {
        if (!pushing[i]) {
            continue;
        }
        int64_t n = ROUND_MIN + (int64_t)rng_below(c, ROUND_MAX - ROUND_MIN + 1);
        borne_fake_clock_advance(&c->k[i].fx.fake, 10 * 1000);
        add_checkins(&c->k[i], (size_t)n);
        c->held[i] += n;
        added += n;
        first_unsynced(&c->k[i], first[i]);
    }
    int64_t before = c->held[0] + c->held[1] - added; /* all at the registry since last round */
    bool early = rng_below(c, EARLY_ONE_IN) == 0;
    int64_t early_us = (int64_t)rng_below(c, 10 * 1000);
    int64_t extra_us = (int64_t)rng_below(c, (uint64_t)(c->ms_per_checkin * (double)added * 1000));

    pusher p[NKIOSKS];
    pthread_t t[NKIOSKS];
    for (int i = 0; i < NKIOSKS; i++) {
        p[i].b.k = &c->k[i];
        p[i].b.err = BORNE_OK;
        atomic_init(&p[i].done, false);
        if (pushing[i]) {
            assert_int_equal(pthread_create(&t[i], NULL, push_thread, &p[i]), 0);
        }
    }
    if (early) {
        usleep((useconds_t)early_us);
    } else if (wait_first_stored(c, first, p, pushing)) {
        usleep((useconds_t)extra_us);
    } else {
        /* The cycle failed on its own (a timeout on a loaded machine): nothing wrong with the
         * registry's data in that; the round goes on and the sync after the restart must
         * succeed. */
        fprintf(stderr, "round %ld: the sync ended before storing anything (%s, %s)\n", c->rounds,
                borne_strerror(p[0].b.err), borne_strerror(p[1].b.err));
    }
    /* The registry must still be running: one that ended on its own (a sanitizer report, a
     * crash) is a failure, not a kill. WNOWAIT leaves it for harness_kill to reap. */
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    bool ended = waitid(P_PID, (id_t)c->reg.pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                 info.si_pid == c->reg.pid;
    harness_kill(&c->reg, SIGKILL);
    for (int i = 0; i < NKIOSKS; i++) {
        if (pushing[i]) {
            pthread_join(t[i], NULL);
        }
    }
    if (ended) {
        fail_msg("round %ld: the registry ended on its own before the kill (code %d, status %d)",
                 c->rounds, info.si_code, info.si_status);
    }

    long committed, torn = wal_torn_frames(&c->reg, &committed);
    int64_t flying = 0;
    int64_t at_kill = verify(c, false, &flying) - before;
    c->early += early;
    c->before_push += at_kill == 0;
    c->mid_push += at_kill > 0 && at_kill < added;
    c->after_push += at_kill == added;
    c->in_flight += flying;
    c->in_flight_rounds += flying > 0;
    c->in_commit += torn > 0;
    c->concurrent += both;
    c->pushed += added;
    if (!early && at_kill == added) {
        /* The kill came after the push: the pace was overestimated (a quicker machine than at
         * calibration, or a lighter load); aim earlier from now on. */
        c->ms_per_checkin *= 0.75;
    }
    if (getenv("BORNE_REGISTRY_CRASH_VERBOSE")) {
        fprintf(stderr,
                "round %ld: %s%lld new, %s, registry held %lld at the kill, %lld in flight,"
                " %ld frames of an unfinished commit\n",
                c->rounds, both ? "two kiosks, " : "", (long long)added,
                early ? "early kill" : "kill once seen", (long long)at_kill, (long long)flying,
                torn);
    }

    restart(c);
    for (int i = 0; i < NKIOSKS; i++) {
        assert_int_equal(sync_until_ok(&c->k[i], 20), BORNE_OK);
    }
    verify(c, true, NULL);
    /* The registry idle, its last transaction committed: the WAL reader must see commit frames
     * and no unfinished one (a check of the measure above). */
    torn = wal_torn_frames(&c->reg, &committed);
    assert_true(committed > 0);
    assert_int_equal(torn, 0);
    c->rounds++;
}

/* Registry, two kiosks with their own batch sizes, and the pace of an unkilled push. */
static void setup_run(crash_run *c)
{
    char setup[2][512];
    registry_start_event(&c->reg, setup[0], sizeof(setup[0]));
    c->port = c->reg.port;
    assert_int_equal(harness_add_kiosk(&c->reg, c->reg.port, setup[1], sizeof(setup[1])), 0);
    c->batch[0] = 100;
    c->batch[1] = 250;
    for (int i = 0; i < NKIOSKS; i++) {
        /* Requests time out late: a slow registry (sanitizers, a loaded machine) is not a kill. */
        kiosk_open(&c->k[i], 20000, c->batch[i]);
        provision(&c->k[i], setup[i]);
    }
    add_checkins(&c->k[0], CALIBRATION);
    c->held[0] = CALIBRATION;
    int64_t t0 = now_ms();
    assert_int_equal(borne_sync_run_once(c->k[0].sync), BORNE_OK);
    int64_t took = now_ms() - t0;
    c->ms_per_checkin = (double)(took > 0 ? took : 1) / CALIBRATION;
    verify(c, true, NULL);
    printf("registry_crash: calibration push of %d check-ins took %lld ms\n", CALIBRATION,
           (long long)took);
    fflush(stdout);
}

static void test_registry_sigkill_rounds(void **state)
{
    (void)state;
    crash_run *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    long rounds = rel_env_long("BORNE_REGISTRY_CRASH_ROUNDS", ROUNDS_DEFAULT);
    long seed = rel_env_long("BORNE_REGISTRY_CRASH_SEED", SEED_DEFAULT);
    c->rng = (uint64_t)seed;
    printf("registry_crash: seed %ld (BORNE_REGISTRY_CRASH_SEED), %ld rounds"
           " (BORNE_REGISTRY_CRASH_ROUNDS)\n",
           seed, rounds);
    fflush(stdout);
    int64_t t0 = now_ms();
    setup_run(c);
    while (c->rounds < rounds) {
        one_round(c);
    }
    /* The end: the registry stopped cleanly, its database checked once more. */
    harness_kill(&c->reg, SIGTERM);
    sqlite3 *db = registry_open_ro(&c->reg);
    assert_true(integrity_ok(db));
    sqlite3_close(db);
    int64_t total = c->held[0] + c->held[1];
    for (int i = 0; i < NKIOSKS; i++) {
        assert_true(fixture_integrity_ok(c->k[i].fx.store));
    }
    printf(
        "registry_crash: seed %ld, %ld rounds (%ld with both kiosks pushing), %lld check-ins"
        " pushed in them; killed before the round's push %ld, mid-push %ld, after it %ld (%ld early"
        " kills, %ld inside a commit); %lld stored in flight over %lld rounds, sent again and"
        " answered duplicate; duplicates %lld; integrity ok %lld/%ld; %ld restarts (%ld"
        " retried); registry holds %lld, every one once; %.1f s\n",
        seed, c->rounds, c->concurrent, (long long)c->pushed, c->before_push, c->mid_push,
        c->after_push, c->early, c->in_commit, (long long)c->in_flight,
        (long long)c->in_flight_rounds, (long long)c->duplicates, (long long)c->integrity_ok,
        c->rounds, c->rounds, c->restarts_retried, (long long)total,
        (double)(now_ms() - t0) / 1000.0);
    /* The test is about kills inside pushes (how many is timing, printed above; the pace
     * adapts so that most rounds are). */
    assert_true(c->mid_push > 0);
    for (int i = 0; i < NKIOSKS; i++) {
        kiosk_close(&c->k[i]);
    }
    registry_stop(&c->reg);
    free(c);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_sigkill_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
