/* Soak (issue 7, "long days"): the real kiosk loop, in process and headless (SDL's dummy video
 * driver, software rendering, as tests/kiosk), provisioned by a setup code against the real
 * borne-registry on 127.0.0.1, fed a long stream of scans with sync running. Checks that the
 * resident set size and the number of open file descriptors stay flat, and that at the end the
 * registry holds every check-in the kiosk recorded, exactly once.
 *
 * DESIGN: the loop runs as fast as it can (one borne_kiosk_step between codes, no sleeping), so
 * wall time says nothing about the door. What is kept realistic is the interleaving. A door
 * sees a code every few hundred milliseconds and the kiosk syncs every 60 s: about 200 codes per
 * sync cycle at 300 ms a code. So every SOAK_CYCLE scans the test does what staff do: opens the
 * staff menu with the PIN typed on the keyboard, asks "sync now", waits for the answer and swaps
 * entry and exit mode (the morning's entries, the evening's exits), then leaves staff mode.
 * Between those, the kiosk's own sync thread (every 5 s of real time, the shortest interval the
 * configuration allows) pushes while codes keep coming, as it does at the door. 400 participants
 * with signed codes from the registry, picked at random: repeats inside the kiosk's rescan
 * window, "already in" and plain check-ins all occur.
 *
 * Measured after a warm-up (SOAK_WARMUP scans, when SQLite's page caches, the font caches and
 * the HTTP connection have reached their working size) and at the end, both right after a
 * completed "sync now", so no request is in flight. Margins are in the constants below.
 *
 * BORNE_SOAK_SCANS sets the number of scans (2,000 by default, the CI size); BORNE_SOAK_SEED
 * replays a run (the seed is printed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <SDL.h>
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "kiosk/kiosk.h"
#include "support/fixture.h"
#include "sync/harness.h"
#include "ui/pin.h"
#include "ui/screens.h"

#define SOAK_PEOPLE  400
#define SOAK_WARMUP  500
#define SOAK_CYCLE   200 /* scans between "sync now": about 60 s of door at 300 ms a code */
#define SOAK_DEFAULT 2000

/* RSS margin between the warm-up and the end. After the warm-up the store keeps growing (a
 * 10,000-scan day is a few MB of file): SQLite's page cache of each connection (the UI's and the
 * sync thread's, 2 MB each by default) fills up with it, and the WAL index mapping grows by 32 KB
 * steps between checkpoints. That is bounded, about 4 MB, whatever the length of the day; the
 * rest of the margin is allocator slack. A leak of a few hundred bytes per scan over a 10,000-scan
 * run (several MB) does not fit; smaller leaks are LeakSanitizer's and valgrind's to find. */
#define SOAK_RSS_MARGIN_KB (6 * 1024)
/* File descriptors: the same count, give or take one: libcurl may keep its connection to the
 * registry alive between cycles or may have closed it (the registry decides). */
#define SOAK_FD_MARGIN 1

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_ASAN 1
#endif
#endif
#ifndef SOAK_ASAN
#define SOAK_ASAN 0
#endif

typedef struct soak {
    registry_proc reg;
    char setup[512];
    char dir[256];
    char conf[400];
    char db[400];
    struct borne_kiosk *k;
    char *tokens[SOAK_PEOPLE];
    long recorded; /* check-ins the kiosk reported stored */
    long scans;
    int syncs;
} soak;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const borne_view *view(soak *s)
{
    return borne_kiosk_view(s->k);
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb;
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            n++;
        }
    }
    closedir(d);
    return n - 1; /* the directory stream itself */
}

static void pump_until(soak *s, bool (*done)(soak *s, const void *arg), const void *arg,
                       int timeout_ms, const char *what)
{
    int64_t end = now_ms() + timeout_ms;
    while (!done(s, arg)) {
        if (now_ms() > end) {
            fail_msg("timed out waiting for %s (screen %s, sync \"%s\", message \"%s\")", what,
                     borne_screen_name(view(s)->screen), view(s)->sync, view(s)->message);
        }
        borne_kiosk_step(s->k, 20);
    }
}

static bool on_screen(soak *s, const void *arg)
{
    return view(s)->screen == *(const borne_screen *)arg;
}

static bool setup_settled(soak *s, const void *arg)
{
    (void)arg;
    return view(s)->setup == BORNE_VIEW_SETUP_FAILED || view(s)->setup == BORNE_VIEW_SETUP_DONE;
}

static bool message_has(soak *s, const void *arg)
{
    return strstr(view(s)->message, (const char *)arg) != NULL;
}

static int64_t registry_int(soak *s, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(s->reg.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static int64_t store_int(soak *s, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void push_key(SDL_Keycode sym)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = sym;
    assert_true(SDL_PushEvent(&e) >= 0);
}

/* The registry: the fixture's event, 400 confirmed participants, a key, a kiosk; one signed
 * code per participant. */
static void registry_open(soak *s)
{
    assert_int_equal(fixture_mkdtemp(s->reg.dir, sizeof(s->reg.dir)), 0);
    snprintf(s->reg.db, sizeof(s->reg.db), "%s/registry.db", s->reg.dir);
    assert_int_equal(harness_serve(&s->reg, 0, NULL), 0);
    size_t cap = 64 * SOAK_PEOPLE + 128;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t n = (size_t)snprintf(csv, cap, "id,name,organisation,member,status,sessions\n");
    for (int i = 1; i <= SOAK_PEOPLE; i++) {
        n += (size_t)snprintf(csv + n, cap - n, "%d,Personne %d,Ville %d,oui,confirmé,A1 B2\n", i,
                              i, i % 17);
    }
    char ev[400], roster[400], key[400], url[64];
    harness_write(s->reg.dir, "event.json", fixture_event_json, ev, sizeof(ev));
    harness_write(s->reg.dir, "roster.csv", csv, roster, sizeof(roster));
    free(csv);
    snprintf(key, sizeof(key), "%s/sign.key", s->reg.dir);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)s->reg.port);
    assert_int_equal(harness_admin(&s->reg, NULL, 0, "event", "import", ev, NULL), 0);
    assert_int_equal(harness_admin(&s->reg, NULL, 0, "roster", "import", "42", roster, NULL), 0);
    assert_int_equal(
        harness_admin(&s->reg, NULL, 0, "keys", "generate", "--out", key, "--id", "7", NULL), 0);
    size_t tcap = 256 * SOAK_PEOPLE;
    char *out = malloc(tcap);
    assert_non_null(out);
    assert_int_equal(
        harness_admin(&s->reg, out, tcap, "token", "issue", "--key", key, "--event", "42", NULL),
        0);
    char *save = NULL;
    int got = 0;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned id = 0;
        char *tab = strchr(line, '\t');
        if (tab && sscanf(line, "%u", &id) == 1 && id >= 1 && id <= SOAK_PEOPLE) {
            s->tokens[id - 1] = strdup(tab + 1);
            got++;
        }
    }
    free(out);
    assert_int_equal(got, SOAK_PEOPLE);
    assert_int_equal(harness_admin(&s->reg, s->setup, sizeof(s->setup), "kiosk", "add", "--event",
                                   "42", "--url", url, "--name", "porte-A", NULL),
                     0);
    s->setup[strcspn(s->setup, "\n")] = '\0';
}

static void kiosk_open(soak *s)
{
    assert_int_equal(fixture_mkdtemp(s->dir, sizeof(s->dir)), 0);
    snprintf(s->db, sizeof(s->db), "%s/borne.db", s->dir);
    char hash[BORNE_CONFIG_HASH_CAP];
    assert_int_equal(borne_pin_hash("1234", true, hash, sizeof(hash)), BORNE_OK);
    char text[1024];
    snprintf(text, sizeof(text),
             "[kiosk]\nid = borne-soak\ndata_dir = %s\n"
             "[camera]\ndevice = none\n[scanner]\ndevice = none\n"
             "[registry]\nsync_interval_seconds = 5\n"
             "[staff]\npin_hash = %s\nidle_timeout_seconds = 600\n",
             s->dir, hash);
    harness_write(s->dir, "borne.conf", text, s->conf, sizeof(s->conf));
    struct borne_kiosk_options o = {.config_path = s->conf,
                                    .db_path = s->db,
                                    .windowed = true,
                                    .width = 800,
                                    .height = 480,
                                    .silent = true,
                                    .no_inputs = true};
    assert_int_equal(borne_kiosk_new(&o, &s->k), BORNE_OK);
    assert_int_equal(view(s)->screen, BORNE_SCREEN_NOT_SET_UP);
    borne_kiosk_present(s->k, s->setup, strlen(s->setup), BORNE_METHOD_SCANNER);
    pump_until(s, setup_settled, NULL, 20000, "provisioning");
    assert_int_equal(view(s)->setup, BORNE_VIEW_SETUP_DONE);
    borne_screen waiting = BORNE_SCREEN_WAITING;
    pump_until(s, on_screen, &waiting, 10000, "the waiting screen");
}

/* Staff: PIN on the keyboard, "sync now" until answered, the other direction, back to the door. */
static void staff_sync(soak *s)
{
    push_key(SDLK_F2);
    const SDL_Keycode digits[] = {SDLK_1, SDLK_2, SDLK_3, SDLK_4, SDLK_RETURN};
    for (size_t i = 0; i < sizeof(digits) / sizeof(digits[0]); i++) {
        push_key(digits[i]);
    }
    borne_screen menu = BORNE_SCREEN_MENU;
    pump_until(s, on_screen, &menu, 10000, "the staff menu");
    borne_kiosk_act(s->k, BORNE_ACT_SYNC, 0);
    pump_until(s, message_has, "Synchronisé", 30000, "the answer to \"sync now\"");
    if (!strstr(view(s)->message, ", 0 en attente")) {
        /* Codes scanned while the cycle ran: the next cycle takes them. */
        borne_kiosk_act(s->k, BORNE_ACT_SYNC, 0);
        pump_until(s, message_has, ", 0 en attente", 30000, "a second \"sync now\"");
    }
    s->syncs++;
    borne_kiosk_act(s->k, BORNE_ACT_MODE, (s->syncs % 2) ? BORNE_EXIT : BORNE_ENTRY);
    borne_kiosk_act(s->k, BORNE_ACT_LEAVE_STAFF, 0);
    borne_screen waiting = BORNE_SCREEN_WAITING;
    pump_until(s, on_screen, &waiting, 10000, "the door again");
}

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    return v && v[0] ? strtol(v, NULL, 10) : def;
}

static void test_soak(void **state)
{
    (void)state;
    soak *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    const char *driver = getenv("BORNE_TEST_VIDEODRIVER");
    setenv("SDL_VIDEODRIVER", driver && driver[0] ? driver : "dummy", 1);
    setenv("SDL_RENDER_DRIVER", "software", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    long total = env_long("BORNE_SOAK_SCANS", SOAK_DEFAULT);
    if (total < SOAK_WARMUP + SOAK_CYCLE) {
        total = SOAK_WARMUP + SOAK_CYCLE;
    }
    unsigned seed = (unsigned)env_long("BORNE_SOAK_SEED", (long)time(NULL));
    srand(seed);
    printf("soak: %ld scans, seed %u\n", total, seed);
    int64_t t0 = now_ms();
    registry_open(s);
    kiosk_open(s);

    long rss_warm = 0, rss_end = 0;
    int fd_warm = 0, fd_end = 0;
    while (s->scans < total) {
        const char *tok = s->tokens[rand() % SOAK_PEOPLE];
        borne_kiosk_present(s->k, tok, strlen(tok), BORNE_METHOD_SCANNER);
        const borne_view *v = view(s);
        /* A code is either shown with its outcome or the kiosk is in trouble: the soak fails. */
        if (v->screen != BORNE_SCREEN_RESULT) {
            fail_msg("scan %ld: screen %s", s->scans, borne_screen_name(v->screen));
        }
        if (v->result.recorded) {
            s->recorded++;
        }
        s->scans++;
        borne_kiosk_step(s->k, 0);
        if (s->scans % SOAK_CYCLE == 0 || s->scans == total) {
            staff_sync(s);
        }
        if (s->scans == SOAK_WARMUP) {
            rss_warm = rss_kb();
            fd_warm = open_fds();
            printf("soak: warm-up %ld scans: RSS %ld kB, %d fds\n", s->scans, rss_warm, fd_warm);
        } else if (s->scans % 1000 == 0) {
            printf("soak: %ld scans: RSS %ld kB, %d fds\n", s->scans, rss_kb(), open_fds());
        }
    }
    rss_end = rss_kb();
    fd_end = open_fds();
    printf("soak: end %ld scans (%ld recorded, %d sync-now): RSS %ld kB (%+ld), %d fds (%+d), "
           "%.1f s\n",
           s->scans, s->recorded, s->syncs, rss_end, rss_end - rss_warm, fd_end, fd_end - fd_warm,
           (double)(now_ms() - t0) / 1000.0);
    fflush(stdout);

    /* Every recorded check-in, once, on both sides. */
    assert_int_equal(store_int(s, "SELECT count(*) FROM checkin"), s->recorded);
    assert_int_equal(view(s)->pending, 0);
    int64_t reg_rows = registry_int(s, "SELECT count(*) FROM checkin");
    int64_t reg_uuids = registry_int(s, "SELECT count(DISTINCT uuid) FROM checkin");
    printf("soak: registry %lld check-ins (%lld distinct), kiosk recorded %ld\n",
           (long long)reg_rows, (long long)reg_uuids, s->recorded);
    assert_int_equal(reg_rows, s->recorded);
    assert_int_equal(reg_uuids, s->recorded);

    borne_kiosk_free(s->k);
    harness_kill(&s->reg, SIGTERM);
    for (int i = 0; i < SOAK_PEOPLE; i++) {
        free(s->tokens[i]);
    }
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", s->reg.dir, s->dir);
    assert_int_equal(system(cmd), 0);
    free(s);
    /* Checked after the cleanup, so a failure here still frees everything for LeakSanitizer. */
    assert_true(fd_end - fd_warm <= SOAK_FD_MARGIN);
#if SOAK_ASAN
    /* AddressSanitizer keeps freed memory in quarantine (256 MB by default): RSS grows by
     * design there, and LeakSanitizer checks for leaks instead. */
    (void)rss_end;
    (void)rss_warm;
#else
    assert_true(rss_end - rss_warm <= SOAK_RSS_MARGIN_KB);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
