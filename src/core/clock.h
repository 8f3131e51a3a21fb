/* Honest time: wall time, monotonic time, boot id, and whether the wall clock can be trusted.
 *
 * A Raspberry Pi has no real-time clock: after a boot without network its wall clock may say
 * 1970 or the time of the last shutdown. Every check-in therefore records a borne_clock_sample.
 * Monotonic time (CLOCK_BOOTTIME) is exact within one boot, so once a trusted reference is known
 * for that boot (the registry's time at sync, or NTP), untrusted wall times of the same boot are
 * corrected: wall = ref.wall + (mono - ref.mono).
 *
 * The clock is a small interface so tests and the demo can use a fake one. */
#ifndef BORNE_CORE_CLOCK_H
#define BORNE_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define BORNE_BOOT_ID_LEN 36

/* Before this wall time (2026-01-01T00:00:00Z) a clock is never trusted: it was not set. */
#define BORNE_CLOCK_FLOOR_MS 1767225600000LL

typedef struct borne_clock_sample {
    int64_t wall_ms; /* Unix time in milliseconds, as the clock says */
    int64_t mono_ms; /* milliseconds since boot (CLOCK_BOOTTIME) */
    char boot_id[BORNE_BOOT_ID_LEN + 1];
    bool trusted; /* wall_ms is known to be right (NTP synced, or corrected from a reference) */
} borne_clock_sample;

typedef struct borne_clock {
    /* Fills `out` with the current time. */
    void (*now)(const struct borne_clock *clock, borne_clock_sample *out);
    void *ctx;                           /* the fake clock's state */
    char boot_id[BORNE_BOOT_ID_LEN + 1]; /* the system clock's boot id, read once */
    /* The last trusted reference of this boot, if any: makes later samples trusted. */
    bool has_reference;
    borne_clock_sample reference;
} borne_clock;

/* The system clock: CLOCK_REALTIME, CLOCK_BOOTTIME, the kernel's boot id, and trust from the
 * kernel's NTP state (adjtimex) together with BORNE_CLOCK_FLOOR_MS. */
void borne_clock_init_system(borne_clock *clock);

/* A sample from `clock`, corrected through its reference when it has one of the same boot. */
void borne_clock_now(borne_clock *clock, borne_clock_sample *out);

/* Records a trusted reference (e.g. the registry's time in a sync answer, taken at local
 * monotonic time `at.mono_ms`). Refuses (BORNE_ERR_INVALID) a reference under the floor. */
borne_err borne_clock_set_reference(borne_clock *clock, const borne_clock_sample *ref);

/* The corrected wall time of a sample taken at `mono_ms` during boot `boot_id`, using `ref`.
 * Returns false (and leaves *wall_ms) when the reference is of another boot. */
bool borne_clock_correct(const borne_clock_sample *ref, int64_t mono_ms, const char *boot_id,
                         int64_t *wall_ms);

/* A fake clock for tests and the demo: fixed boot id, wall and mono advanced by hand. */
typedef struct borne_fake_clock {
    borne_clock_sample now;
} borne_fake_clock;

void borne_clock_init_fake(borne_clock *clock, borne_fake_clock *fake);
void borne_fake_clock_advance(borne_fake_clock *fake, int64_t ms);

#endif
