/* Tests of ISO 8601 parsing and formatting, with Montréal's daylight saving time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/timefmt.h"

#define TZ_MTL "America/Montreal"

static void test_parse_forms(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(borne_time_parse("2026-05-20T13:00:00Z", TZ_MTL, &t), BORNE_OK);
    assert_int_equal(t, 1779282000);
    assert_int_equal(borne_time_parse("2026-05-20T09:00:00-04:00", TZ_MTL, &t), BORNE_OK);
    assert_int_equal(t, 1779282000);
    /* Local time in May is EDT (-4). */
    assert_int_equal(borne_time_parse("2026-05-20T09:00", TZ_MTL, &t), BORNE_OK);
    assert_int_equal(t, 1779282000);
    assert_int_equal(borne_time_parse("2026-05-20 09:00:00", TZ_MTL, &t), BORNE_OK);
    assert_int_equal(t, 1779282000);
    /* In January it is EST (-5). */
    assert_int_equal(borne_time_parse("2026-01-15T09:00", TZ_MTL, &t), BORNE_OK);
    assert_int_equal(t, 1768485600);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    int64_t t;
    const char *bad[] = {"",
                         "2026",
                         "2026-13-01",
                         "2026-02-30",
                         "2026-05-20T25:00",
                         "2026-05-20T09:00+0400",
                         "2026-05-20T09:00:00Q",
                         "20260520",
                         "2026-05-20T09:60",
                         "1969-12-31",
                         "2026-05-20T09:00Zjunk"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (borne_time_parse(bad[i], TZ_MTL, &t) == BORNE_OK) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
    assert_int_equal(borne_time_parse("2026-05-20T09:00", "../../etc/passwd", &t),
                     BORNE_ERR_INVALID);
    assert_int_equal(borne_time_parse("2026-05-20T09:00", "Nowhere/Atlantis", &t),
                     BORNE_ERR_INVALID);
    assert_int_equal(borne_time_parse("2024-02-29", TZ_MTL, &t), BORNE_OK);
}

static void test_format(void **state)
{
    (void)state;
    char buf[64];
    borne_time_format_utc(1779282000, buf, sizeof(buf));
    assert_string_equal(buf, "2026-05-20T13:00:00Z");
    borne_time_format_local(1779282000, TZ_MTL, buf, sizeof(buf));
    assert_string_equal(buf, "2026-05-20T09:00:00-04:00");
    borne_time_format_local(1768485600, TZ_MTL, buf, sizeof(buf));
    assert_string_equal(buf, "2026-01-15T09:00:00-05:00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
