/* Helpers shared by the tests that run kiosks' sync against the real borne-registry (tests/sync,
 * tests/reliability/test_registry_crash.c): a registry in a fresh folder, a kiosk (a fixture
 * store and its sync), synthetic check-ins, and the exactly-once comparison. They fail the
 * calling cmocka test on any error. */
#ifndef BORNE_TESTS_SYNC_SYNC_SUPPORT_H
#define BORNE_TESTS_SYNC_SYNC_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "support/fixture.h"
#include "sync/harness.h"

struct sqlite3;
struct borne_sync;

typedef struct kiosk {
    fixture fx;
    struct borne_sync *sync;
} kiosk;

/* A registry in a fresh temporary folder, serving on a free port. */
void registry_start(registry_proc *r);
/* SIGTERM, then the folder is removed. */
void registry_stop(registry_proc *r);
/* A read-only connection to the registry's database (busy timeout 5 s). */
struct sqlite3 *registry_open_ro(const registry_proc *r);
/* One integer from the registry's database (read-only connection); -1 when no row. */
int64_t registry_int(const registry_proc *r, const char *sql);

/* An empty kiosk store (clock trusted, 10 minutes before session A) and its sync ("borne-test",
 * the given request timeout and batch size; 0: the defaults). */
void kiosk_open(kiosk *k, int timeout_ms, size_t batch);
void kiosk_close(kiosk *k);
/* borne_sync_provision with a setup text; fails the test with the registry's words. */
void provision(kiosk *k, const char *setup);
/* `n` synthetic check-ins straight into the store in one transaction (new UUIDs, participants
 * 1 to 5 in turn, session A, entries and exits alternating, wall times 1 ms apart from now). */
void add_checkins(kiosk *k, size_t n);

/* The registry's (or the kiosk's) check-in UUIDs, sorted, one a line (malloc'ed), and their
 * count. */
char *registry_uuids(const registry_proc *r, int64_t *count);
char *kiosk_uuids(kiosk *k, int64_t *count);
/* Exactly once: the registry and the kiosk hold the same `expect` UUIDs, nothing is pending on
 * the kiosk, and its store is whole. */
void assert_exactly_once(const registry_proc *r, kiosk *k, int64_t expect);

/* borne_sync_run_once until it succeeds, at most `tries` times (100 ms between failures). */
borne_err sync_until_ok(kiosk *k, int tries);

/* One sync cycle in a thread of its own: pthread_create(&t, NULL, bg_run, &b). */
struct bg_sync {
    kiosk *k;
    borne_err err;
};
void *bg_run(void *arg);

#endif
