/* Tests of ISO 8601 parsing and formatting, with Montréal's daylight saving time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

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

/* The night the clocks change (America/Montreal, 2026): 01:00-02:00 on 1 November happens
 * twice, 02:00-03:00 on 8 March never does. Both are refused, with the reason, unless the
 * offset is written. */
static void test_dst_ambiguous_and_skipped(void **state)
{
    (void)state;
    const char *tz = "America/Montreal";
    int64_t t = 0;
    char why[200] = "";
    assert_int_equal(borne_time_parse_why("2026-11-01T01:30", tz, &t, why, sizeof(why)),
                     BORNE_ERR_PARSE);
    assert_non_null(strstr(why, "happens twice"));
    assert_non_null(strstr(why, "-04:00 or -05:00"));
    assert_int_equal(borne_time_parse("2026-11-01T01:30", tz, &t), BORNE_ERR_PARSE);
    assert_int_equal(borne_time_parse_why("2026-03-08T02:30", tz, &t, why, sizeof(why)),
                     BORNE_ERR_PARSE);
    assert_non_null(strstr(why, "does not exist in America/Montreal"));
    /* With the offset, both are accepted; either side of the change is plain. */
    assert_int_equal(borne_time_parse("2026-11-01T01:30-04:00", tz, &t), BORNE_OK);
    assert_int_equal(t, 1793511000);
    assert_int_equal(borne_time_parse("2026-11-01T01:30-05:00", tz, &t), BORNE_OK);
    assert_int_equal(t, 1793511000 + 3600);
    assert_int_equal(borne_time_parse("2026-11-01T00:59", tz, &t), BORNE_OK);
    assert_int_equal(t, 1793509140);
    assert_int_equal(borne_time_parse("2026-11-01T02:00", tz, &t), BORNE_OK);
    assert_int_equal(t, 1793516400); /* 07:00Z, -05:00 */
    assert_int_equal(borne_time_parse("2026-03-08T03:00", tz, &t), BORNE_OK);
    assert_int_equal(t, 1772953200); /* 07:00Z, -04:00 */
    assert_int_equal(borne_time_parse("2026-03-08T01:59", tz, &t), BORNE_OK);
    assert_int_equal(t, 1772953140); /* 06:59Z, -05:00 */
    /* A zone without daylight saving has no such hours. */
    assert_int_equal(borne_time_parse("2026-11-01T01:30", "UTC", &t), BORNE_OK);
    /* Not a time at all: the reason says so. */
    assert_int_equal(borne_time_parse_why("le 20 mai", tz, &t, why, sizeof(why)), BORNE_ERR_PARSE);
    assert_non_null(strstr(why, "not an ISO 8601 time"));
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

/* Offsets are remembered per hour (timefmt.c): asked again, around the night the clocks go back
 * (2026-11-01 06:00Z, 02:00 EDT -> 01:00 EST) and in another zone between, the answers stay
 * those of the zone database. */
static void test_format_remembered(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *tz, *want;
    } cases[] = {
        {1793512800 - 1800, TZ_MTL, "2026-11-01T01:30:00-04:00"},
        {1793512800 - 1, TZ_MTL, "2026-11-01T01:59:59-04:00"},
        {1793512800, TZ_MTL, "2026-11-01T01:00:00-05:00"},
        {1793512800 + 1800, TZ_MTL, "2026-11-01T01:30:00-05:00"},
        {1793512800 + 1800, "Europe/Paris", "2026-11-01T07:30:00+01:00"},
        {1793512800 + 1801, TZ_MTL, "2026-11-01T01:30:01-05:00"},
        {1779282000, "UTC", "2026-05-20T13:00:00+00:00"},
        {1779282000 + 59, TZ_MTL, "2026-05-20T09:00:59-04:00"},
    };
    char buf[64];
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            borne_time_format_local(cases[i].t, cases[i].tz, buf, sizeof(buf));
            assert_string_equal(buf, cases[i].want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_remembered),
        cmocka_unit_test(test_dst_ambiguous_and_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
