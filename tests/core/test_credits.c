/* Tests of attendance pairing and credit hours: the corner cases of a real day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/credits.h"

#define S      1779285600    /* session start */
#define E      (S + 90 * 60) /* a 90-minute session */
#define MIN(m) (S + (m)*60)  /* minutes after the start */
#define IN(m)                                                                                      \
    {                                                                                              \
        MIN(m), BORNE_ENTRY                                                                        \
    }
#define OUT(m)                                                                                     \
    {                                                                                              \
        MIN(m), BORNE_EXIT                                                                         \
    }
#define FINAL INT64_MAX

static const borne_credit_rule threshold80 = {
    .kind = BORNE_CREDIT_THRESHOLD, .credit_minutes = 90, .min_share_permille = 800};

static borne_attendance run(const borne_credit_rule *rule, const borne_scan_event *scans, size_t n,
                            int64_t now)
{
    borne_attendance a;
    assert_int_equal(borne_credits_compute(S, E, rule, scans, n, now, &a), BORNE_OK);
    return a;
}

static void test_full_attendance(void **state)
{
    (void)state;
    borne_scan_event s[] = {IN(-10), OUT(95)};
    borne_attendance a = run(&threshold80, s, 2, FINAL);
    assert_int_equal(a.attended_s, 90 * 60);
    assert_int_equal(a.credit_minutes, 90);
    assert_int_equal(a.share_permille, 1000);
    assert_int_equal(a.intervals, 1);
}

static void test_late_arrival_threshold(void **state)
{
    (void)state;
    borne_scan_event on_edge[] = {IN(18), OUT(90)}; /* 72 of 90 min = 80 % exactly */
    assert_int_equal(run(&threshold80, on_edge, 2, FINAL).credit_minutes, 90);
    borne_scan_event late[] = {IN(19), OUT(90)}; /* 71 min: 78.9 % */
    borne_attendance a = run(&threshold80, late, 2, FINAL);
    assert_int_equal(a.attended_s, 71 * 60);
    assert_int_equal(a.credit_minutes, 0);
}

static void test_early_leave(void **state)
{
    (void)state;
    borne_scan_event s[] = {IN(0), OUT(45)};
    borne_attendance a = run(&threshold80, s, 2, FINAL);
    assert_int_equal(a.attended_s, 45 * 60);
    assert_int_equal(a.credit_minutes, 0);
    borne_credit_rule prop = {
        .kind = BORNE_CREDIT_PROPORTIONAL, .credit_minutes = 90, .step_minutes = 15};
    assert_int_equal(run(&prop, s, 2, FINAL).credit_minutes, 45);
    borne_scan_event s2[] = {IN(0), OUT(50)}; /* 50 min -> 50 credit min -> 45 by step */
    assert_int_equal(run(&prop, s2, 2, FINAL).credit_minutes, 45);
}

static void test_several_pairs(void **state)
{
    (void)state;
    /* Out for a phone call of 20 minutes: 70 of 90 min. */
    borne_scan_event s[] = {OUT(40), IN(0), IN(60), OUT(90)};
    borne_attendance a = run(&threshold80, s, 4, FINAL);
    assert_int_equal(a.attended_s, 70 * 60);
    assert_int_equal(a.intervals, 2);
    assert_int_equal(a.credit_minutes, 0);
}

static void test_two_kiosks_overlapping(void **state)
{
    (void)state;
    /* Scanned at both doors on the way in and on the way out. */
    borne_scan_event s[] = {IN(0), IN(2), OUT(88), OUT(89)};
    borne_attendance a = run(&threshold80, s, 4, FINAL);
    assert_int_equal(a.attended_s, 89 * 60);
    assert_int_equal(a.intervals, 1);
    assert_int_equal(a.unmatched_exits, 0);
    assert_int_equal(a.credit_minutes, 90);
}

static void test_exit_never_scanned(void **state)
{
    (void)state;
    borne_scan_event s[] = {IN(5)};
    borne_attendance a = run(&threshold80, s, 1, FINAL);
    assert_true(a.closed_at_end);
    assert_int_equal(a.attended_s, 85 * 60);
    assert_int_equal(a.credit_minutes, 90);
    /* While the session runs, the tally counts up to now. */
    a = run(&threshold80, s, 1, MIN(35));
    assert_false(a.closed_at_end);
    assert_int_equal(a.attended_s, 30 * 60);
}

static void test_exit_without_entry_counts_nothing(void **state)
{
    (void)state;
    borne_scan_event s[] = {OUT(80)};
    borne_attendance a = run(&threshold80, s, 1, FINAL);
    assert_int_equal(a.attended_s, 0);
    assert_int_equal(a.unmatched_exits, 1);
    assert_int_equal(a.credit_minutes, 0);
    borne_attendance none = run(&threshold80, NULL, 0, FINAL);
    assert_int_equal(none.attended_s, 0);
    /* Even a rule asking for 0 % gives nothing without presence. */
    borne_credit_rule any = threshold80;
    any.min_share_permille = 0;
    assert_int_equal(run(&any, s, 1, FINAL).credit_minutes, 0);
    borne_scan_event in_out[] = {IN(10), OUT(11)};
    assert_int_equal(run(&any, in_out, 2, FINAL).credit_minutes, 90);
}

static void test_same_second_entry_exit(void **state)
{
    (void)state;
    borne_scan_event s[] = {OUT(30), IN(30), IN(0)};
    borne_attendance a = run(&threshold80, s, 3, FINAL);
    /* Sorted: IN(0) IN(30) OUT(30): in at 0, out at 30. */
    assert_int_equal(a.attended_s, 30 * 60);
}

static void test_rule_parse(void **state)
{
    (void)state;
    borne_credit_rule r;
    assert_int_equal(borne_credit_rule_parse("threshold:800", 90, &r), BORNE_OK);
    assert_int_equal(r.kind, BORNE_CREDIT_THRESHOLD);
    assert_int_equal(r.min_share_permille, 800);
    assert_int_equal(borne_credit_rule_parse("proportional:15:500", 60, &r), BORNE_OK);
    assert_int_equal(r.step_minutes, 15);
    assert_int_equal(r.min_share_permille, 500);
    char text[64];
    borne_credit_rule_format(&r, text, sizeof(text));
    assert_string_equal(text, "proportional:15:500");
    assert_int_equal(borne_credit_rule_parse("threshold:1001", 90, &r), BORNE_ERR_PARSE);
    assert_int_equal(borne_credit_rule_parse("threshold:80x", 90, &r), BORNE_ERR_PARSE);
    assert_int_equal(borne_credit_rule_parse("half", 90, &r), BORNE_ERR_PARSE);
    assert_int_equal(borne_credit_rule_parse("threshold:800", -1, &r), BORNE_ERR_INVALID);
    borne_attendance a;
    assert_int_equal(borne_credits_compute(E, S, &threshold80, NULL, 0, FINAL, &a),
                     BORNE_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_attendance),
        cmocka_unit_test(test_late_arrival_threshold),
        cmocka_unit_test(test_early_leave),
        cmocka_unit_test(test_several_pairs),
        cmocka_unit_test(test_two_kiosks_overlapping),
        cmocka_unit_test(test_exit_never_scanned),
        cmocka_unit_test(test_exit_without_entry_counts_nothing),
        cmocka_unit_test(test_same_second_entry_exit),
        cmocka_unit_test(test_rule_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
