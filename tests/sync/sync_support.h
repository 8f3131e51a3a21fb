/* Helpers shared by the tests that run kiosks' sync against the real borne-registry (tests/sync,
 * tests/reliability, tests/kiosk/test_kiosk_sync.c): a registry in a fresh folder, a kiosk (a
 * fixture store and its sync), synthetic check-ins, and the exactly-once comparison. They fail the
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
    int timeout_ms; /* the sync's, as kiosk_open was given them */
    size_t batch;
} kiosk;

/* A registry in a fresh temporary folder, serving on a free port. */
void registry_start(registry_proc *r);
/* registry_start, then the fixture's event and roster, a signing key and one kiosk, whose setup
 * text goes into setup[cap] (harness_setup_event). */
void registry_start_event(registry_proc *r, char *setup, size_t cap);
/* SIGTERM, then the folder is removed. */
void registry_stop(registry_proc *r);
/* A read-only connection to the registry's database (busy timeout 5 s). */
struct sqlite3 *registry_open_ro(const registry_proc *r);
/* One integer from the registry's database (read-only connection); -1 when no row. */
int64_t registry_int(const registry_proc *r, const char *sql);
/* The signed code the registry issues to `participant` of event 42 (the key of
 * registry_start_event), into out[cap]. */
void registry_token(const registry_proc *r, uint32_t participant, char *out, size_t cap);

/* An empty kiosk store (clock trusted, 10 minutes before session A) and its sync ("borne-test",
 * the given request timeout and batch size; 0: the defaults). */
void kiosk_open(kiosk *k, int timeout_ms, size_t batch);
void kiosk_close(kiosk *k);
/* A power cut: the sync stops, the Pi boots again (a new boot `boot_id`, monotonic time from 9 s,
 * the wall clock at `wall_ms` and untrusted: no NTP, no registry yet), the sync starts anew. */
void kiosk_reboot(kiosk *k, const char *boot_id, int64_t wall_ms);
/* A walk-in registered on the kiosk store as the kiosk does it (kiosk number `number`, sequence
 * `seq`, registered for `session` of event 42), and checked in there by hand at the fake
 * clock's time. Returns the walk-in's id. */
uint32_t kiosk_add_walkin(kiosk *k, int64_t number, uint32_t seq, uint32_t session,
                          const char *name, const char *org);
/* borne_sync_provision with a setup text; fails the test with the registry's words. */
void provision(kiosk *k, const char *setup);
/* A registry with the fixture's event (registry_start_event) and one kiosk provisioned on it
 * (kiosk_open with that request timeout and batch size, then provision). */
void registry_start_with_kiosk(registry_proc *r, kiosk *k, int timeout_ms, size_t batch);
/* `n` synthetic check-ins of kiosk "borne-test" straight into the store (fixture_add_checkins:
 * one transaction, participants 1 to 5 in turn, session A, entries and exits alternating). */
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
