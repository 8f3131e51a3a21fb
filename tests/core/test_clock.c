/* Tests of honest time: the system clock's sample, references, correction, and a fake kiosk
 * booted in 1970 that learns the time two hours later. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/clock.h"

static void test_system_clock_sample(void **state)
{
    (void)state;
    borne_clock c;
    borne_clock_init_system(&c);
    borne_clock_sample a, b;
    borne_clock_now(&c, &a);
    borne_clock_now(&c, &b);
    assert_int_equal(strlen(a.boot_id), BORNE_BOOT_ID_LEN);
    assert_string_equal(a.boot_id, b.boot_id);
    assert_true(b.mono_ms >= a.mono_ms);
    assert_true(a.wall_ms > 0);
    /* Trust is never granted under the floor, whatever the kernel says. */
    if (a.wall_ms < BORNE_CLOCK_FLOOR_MS) {
        assert_false(a.trusted);
    }
}

static void test_booted_in_1970_then_synced(void **state)
{
    (void)state;
    borne_fake_clock fake = {.now = {.wall_ms = 0, .mono_ms = 5000, .trusted = false}};
    borne_clock c;
    borne_clock_init_fake(&c, &fake);

    /* A scan at boot + 5 s: wall 1970, untrusted. */
    borne_clock_sample scan;
    borne_clock_now(&c, &scan);
    assert_false(scan.trusted);
    assert_int_equal(scan.wall_ms, 0);

    /* Two hours later the registry says it is 2026-05-20T11:00:00Z. */
    borne_fake_clock_advance(&fake, 2 * 3600 * 1000);
    borne_clock_sample ref;
    borne_clock_now(&c, &ref);
    ref.wall_ms = 1779274800000LL;
    assert_int_equal(borne_clock_set_reference(&c, &ref), BORNE_OK);

    int64_t corrected;
    assert_true(borne_clock_correct(&c.reference, scan.mono_ms, scan.boot_id, &corrected));
    assert_int_equal(corrected, 1779274800000LL - 2 * 3600 * 1000);

    /* New samples of this boot are now trusted and corrected. */
    borne_fake_clock_advance(&fake, 1000);
    borne_clock_sample later;
    borne_clock_now(&c, &later);
    assert_true(later.trusted);
    assert_int_equal(later.wall_ms, 1779274801000LL);

    /* Another boot's rows are not touched. */
    assert_false(borne_clock_correct(&c.reference, scan.mono_ms,
                                     "11111111-2222-4333-8444-555555555555", &corrected));
}

static void test_reference_under_floor_refused(void **state)
{
    (void)state;
    borne_fake_clock fake = {.now = {.wall_ms = 1000, .mono_ms = 1}};
    borne_clock c;
    borne_clock_init_fake(&c, &fake);
    borne_clock_sample ref;
    borne_clock_now(&c, &ref);
    assert_int_equal(borne_clock_set_reference(&c, &ref), BORNE_ERR_INVALID);
    assert_false(c.has_reference);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system_clock_sample),
        cmocka_unit_test(test_booted_in_1970_then_synced),
        cmocka_unit_test(test_reference_under_floor_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
