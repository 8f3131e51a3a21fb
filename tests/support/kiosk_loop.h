/* The real kiosk loop run in the test program, headless, and driven as people drive it (tests
 * of tests/kiosk and tests/reliability): SDL's dummy video driver (or $BORNE_TEST_VIDEODRIVER)
 * with software rendering and no sound, no camera or scanner, a borne.conf with the staff PIN
 * 1234 in a fresh data folder. The helpers fail the calling cmocka test on any error. */
#ifndef BORNE_TESTS_SUPPORT_KIOSK_LOOP_H
#define BORNE_TESTS_SUPPORT_KIOSK_LOOP_H

#include <stdbool.h>

#include "ui/screens.h"

struct borne_kiosk;

typedef struct kiosk_loop {
    char dir[256];         /* the kiosk's data folder */
    char conf[400];        /* its borne.conf */
    char db[400];          /* its store (dir/borne.db unless the test points it elsewhere) */
    struct borne_kiosk *k; /* NULL while the kiosk is stopped */
    int step_ms;           /* how long one borne_kiosk_step may wait for events (50) */
} kiosk_loop;

/* Sets SDL's headless drivers and writes the borne.conf into a fresh data folder: kiosk id
 * `kiosk_id`, a sync every `sync_interval_s`, staff idle timeout 10 minutes. Does not start the
 * kiosk. */
void kiosk_loop_open(kiosk_loop *l, const char *kiosk_id, int sync_interval_s);
/* Stops the kiosk if it runs, and removes the data folder. */
void kiosk_loop_close(kiosk_loop *l);

/* borne_kiosk_new on the conf and db: windowed at 800x480, silent, no input devices. */
void kiosk_loop_start(kiosk_loop *l);
void kiosk_loop_stop(kiosk_loop *l);

/* What the kiosk shows now. */
const borne_view *kiosk_loop_view(const kiosk_loop *l);

/* Steps the kiosk until done(l, arg) is true; after timeout_ms the test fails, naming `what`
 * and what the kiosk shows. */
void kiosk_loop_until(kiosk_loop *l, bool (*done)(kiosk_loop *l, const void *arg), const void *arg,
                      int timeout_ms, const char *what);
/* kiosk_loop_until for the usual conditions: that screen; a message holding that text;
 * provisioning settled (succeeded or failed). */
void kiosk_loop_wait_screen(kiosk_loop *l, borne_screen screen, int timeout_ms, const char *what);
void kiosk_loop_wait_message(kiosk_loop *l, const char *text, int timeout_ms, const char *what);
void kiosk_loop_wait_setup(kiosk_loop *l, int timeout_ms, const char *what);

/* Staff mode the real way: F2, the PIN on the keyboard, Enter (argon2id on its own thread),
 * then the staff menu within 10 s. */
void kiosk_loop_open_staff(kiosk_loop *l);
/* A setup text presented as the scanner reads it: provisioning succeeds within 20 s, then the
 * waiting screen within 10 s. */
void kiosk_loop_provision(kiosk_loop *l, const char *setup);

#endif
