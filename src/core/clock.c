/* System and fake clocks, and the correction of untrusted wall times. */
#include "core/clock.h"

#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>

static void read_boot_id(char out[BORNE_BOOT_ID_LEN + 1])
{
    memset(out, 0, BORNE_BOOT_ID_LEN + 1);
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (f) {
        size_t n = fread(out, 1, BORNE_BOOT_ID_LEN, f);
        out[n] = '\0';
        fclose(f);
    }
    if (strlen(out) != BORNE_BOOT_ID_LEN) {
        /* Without /proc, monotonic times cannot be tied to a boot: never correct them. */
        snprintf(out, BORNE_BOOT_ID_LEN + 1, "%s", "00000000-0000-0000-0000-000000000000");
    }
}

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool kernel_time_synced(void)
{
    struct timex tx;
    memset(&tx, 0, sizeof(tx));
    int state = adjtimex(&tx);
    return state != TIME_ERROR && state != -1 && !(tx.status & STA_UNSYNC);
}

static void system_now(const borne_clock *clock, borne_clock_sample *out)
{
    out->wall_ms = clock_ms(CLOCK_REALTIME);
    out->mono_ms = clock_ms(CLOCK_BOOTTIME);
    memcpy(out->boot_id, clock->boot_id, BORNE_BOOT_ID_LEN + 1);
    out->trusted = out->wall_ms >= BORNE_CLOCK_FLOOR_MS && kernel_time_synced();
}

void borne_clock_init_system(borne_clock *clock)
{
    memset(clock, 0, sizeof(*clock));
    clock->now = system_now;
    read_boot_id(clock->boot_id);
}

bool borne_clock_correct(const borne_clock_sample *ref, int64_t mono_ms, const char *boot_id,
                         int64_t *wall_ms)
{
    if (!ref || !boot_id || strcmp(ref->boot_id, boot_id) != 0) {
        return false;
    }
    *wall_ms = ref->wall_ms + (mono_ms - ref->mono_ms);
    return true;
}

void borne_clock_now(borne_clock *clock, borne_clock_sample *out)
{
    clock->now(clock, out);
    if (out->trusted || !clock->has_reference) {
        return;
    }
    int64_t wall;
    if (borne_clock_correct(&clock->reference, out->mono_ms, out->boot_id, &wall)) {
        out->wall_ms = wall;
        out->trusted = true;
    }
}

borne_err borne_clock_set_reference(borne_clock *clock, const borne_clock_sample *ref)
{
    if (ref->wall_ms < BORNE_CLOCK_FLOOR_MS) {
        return BORNE_ERR_INVALID;
    }
    clock->reference = *ref;
    clock->reference.trusted = true;
    clock->has_reference = true;
    return BORNE_OK;
}

static void fake_now(const borne_clock *clock, borne_clock_sample *out)
{
    const borne_fake_clock *fake = clock->ctx;
    *out = fake->now;
}

void borne_clock_init_fake(borne_clock *clock, borne_fake_clock *fake)
{
    memset(clock, 0, sizeof(*clock));
    clock->now = fake_now;
    clock->ctx = fake;
    if (!fake->now.boot_id[0]) {
        snprintf(fake->now.boot_id, sizeof(fake->now.boot_id), "%s",
                 "f0f0f0f0-0000-4000-8000-000000000001");
    }
}

void borne_fake_clock_advance(borne_fake_clock *fake, int64_t ms)
{
    fake->now.wall_ms += ms;
    fake->now.mono_ms += ms;
}
