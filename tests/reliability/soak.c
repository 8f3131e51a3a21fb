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

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/kiosk.h"
#include "support/db_ro.h"
#include "support/kiosk_loop.h"
#include "support/measure.h"
#include "sync/harness.h"
#include "sync/sync_support.h"
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
    kiosk_loop kl; /* the kiosk, its data folder and store */
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
    return kiosk_loop_view(&s->kl);
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

/* The registry: the fixture's event, 400 confirmed participants, a key, a kiosk; one signed
 * code per participant. */
static void registry_open(soak *s)
{
    registry_start(&s->reg);
    size_t cap = 64 * SOAK_PEOPLE + 128;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t n = (size_t)snprintf(csv, cap, "id,name,organisation,member,status,sessions\n");
    for (int i = 1; i <= SOAK_PEOPLE; i++) {
        n += (size_t)snprintf(csv + n, cap - n, "%d,Personne %d,Ville %d,oui,confirmé,A1 B2\n", i,
                              i, i % 17);
    }
    assert_int_equal(
        harness_setup_event_roster(&s->reg, s->reg.port, csv, s->setup, sizeof(s->setup)), 0);
    free(csv);
    char key[400];
    snprintf(key, sizeof(key), "%s/sign.key", s->reg.dir);
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
}

static void kiosk_provisioned(soak *s)
{
    kiosk_loop_open(&s->kl, "borne-soak", 5);
    s->kl.step_ms = 20;
    kiosk_loop_start(&s->kl);
    assert_int_equal(view(s)->screen, BORNE_SCREEN_NOT_SET_UP);
    kiosk_loop_provision(&s->kl, s->setup);
}

/* Staff: PIN on the keyboard, "sync now" until answered, the other direction, back to the door. */
static void staff_sync(soak *s)
{
    kiosk_loop_open_staff(&s->kl);
    borne_kiosk_act(s->kl.k, BORNE_ACT_SYNC, 0);
    kiosk_loop_wait_message(&s->kl, "Synchronisé", 30000, "the answer to \"sync now\"");
    if (!strstr(view(s)->message, ", 0 en attente")) {
        /* Codes scanned while the cycle ran: the next cycle takes them. */
        borne_kiosk_act(s->kl.k, BORNE_ACT_SYNC, 0);
        kiosk_loop_wait_message(&s->kl, ", 0 en attente", 30000, "a second \"sync now\"");
    }
    s->syncs++;
    borne_kiosk_act(s->kl.k, BORNE_ACT_MODE, (s->syncs % 2) ? BORNE_EXIT : BORNE_ENTRY);
    borne_kiosk_act(s->kl.k, BORNE_ACT_LEAVE_STAFF, 0);
    kiosk_loop_wait_screen(&s->kl, BORNE_SCREEN_WAITING, 10000, "the door again");
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
    long total = env_long("BORNE_SOAK_SCANS", SOAK_DEFAULT);
    if (total < SOAK_WARMUP + SOAK_CYCLE) {
        total = SOAK_WARMUP + SOAK_CYCLE;
    }
    unsigned seed = (unsigned)env_long("BORNE_SOAK_SEED", (long)time(NULL));
    srand(seed);
    printf("soak: %ld scans, seed %u\n", total, seed);
    int64_t t0 = now_ms();
    registry_open(s);
    kiosk_provisioned(s);

    long rss_warm = 0, rss_end = 0;
    int fd_warm = 0, fd_end = 0;
    while (s->scans < total) {
        const char *tok = s->tokens[rand() % SOAK_PEOPLE];
        borne_kiosk_present(s->kl.k, tok, strlen(tok), BORNE_METHOD_SCANNER);
        const borne_view *v = view(s);
        /* A code is either shown with its outcome or the kiosk is in trouble: the soak fails. */
        if (v->screen != BORNE_SCREEN_RESULT) {
            fail_msg("scan %ld: screen %s", s->scans, borne_screen_name(v->screen));
        }
        if (v->result.recorded) {
            s->recorded++;
        }
        s->scans++;
        borne_kiosk_step(s->kl.k, 0);
        if (s->scans % SOAK_CYCLE == 0 || s->scans == total) {
            staff_sync(s);
        }
        if (s->scans == SOAK_WARMUP) {
            rss_warm = proc_rss_kib(getpid());
            fd_warm = open_fds();
            printf("soak: warm-up %ld scans: RSS %ld kB, %d fds\n", s->scans, rss_warm, fd_warm);
        } else if (s->scans % 1000 == 0) {
            printf("soak: %ld scans: RSS %ld kB, %d fds\n", s->scans, proc_rss_kib(getpid()),
                   open_fds());
        }
    }
    rss_end = proc_rss_kib(getpid());
    fd_end = open_fds();
    printf("soak: end %ld scans (%ld recorded, %d sync-now): RSS %ld kB (%+ld), %d fds (%+d), "
           "%.1f s\n",
           s->scans, s->recorded, s->syncs, rss_end, rss_end - rss_warm, fd_end, fd_end - fd_warm,
           (double)(now_ms() - t0) / 1000.0);
    fflush(stdout);

    /* Every recorded check-in, once, on both sides. */
    assert_int_equal(db_ro_int(s->kl.db, "SELECT count(*) FROM checkin"), s->recorded);
    assert_int_equal(view(s)->pending, 0);
    int64_t reg_rows = registry_int(&s->reg, "SELECT count(*) FROM checkin");
    int64_t reg_uuids = registry_int(&s->reg, "SELECT count(DISTINCT uuid) FROM checkin");
    printf("soak: registry %lld check-ins (%lld distinct), kiosk recorded %ld\n",
           (long long)reg_rows, (long long)reg_uuids, s->recorded);
    assert_int_equal(reg_rows, s->recorded);
    assert_int_equal(reg_uuids, s->recorded);

    kiosk_loop_close(&s->kl);
    registry_stop(&s->reg);
    for (int i = 0; i < SOAK_PEOPLE; i++) {
        free(s->tokens[i]);
    }
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
