/* Tests of attendance pairing and credit hours: the corner cases of a real day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/credits.h"
#include "core/hours.h"

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

/* ---- the registry's computation: a participant's whole event ---- */

/* Two parallel sessions 09:00-10:30 (A, B) worth 90 min under threshold:800, and a third
 * 50-minute session C at 11:00 worth 50 min. */
static borne_credit_session sess[3];

static void setup_sessions(void)
{
    for (int i = 0; i < 3; i++) {
        sess[i] = (borne_credit_session){.start = S,
                                         .end = E,
                                         .open_before_s = 1800,
                                         .close_after_s = 1800,
                                         .rule = threshold80};
    }
    sess[2].start = MIN(120);
    sess[2].end = MIN(170);
    sess[2].rule.credit_minutes = 50;
}

#define SC(i, m, d)                                                                                \
    {                                                                                              \
        .session = (i), .time = MIN(m), .direction = (d)                                           \
    }

static void whole(const borne_credit_scan *scans, size_t n, borne_missing_exit policy, int64_t now,
                  borne_session_credit out[3])
{
    assert_int_equal(borne_credits_participant(sess, 3, scans, n, policy, false, now, out),
                     BORNE_OK);
}

static void test_missing_exit_policies(void **state)
{
    (void)state;
    setup_sessions();
    borne_credit_scan scans[] = {SC(0, 5, BORNE_ENTRY)};
    borne_session_credit out[3];
    whole(scans, 1, BORNE_MISSING_EXIT_FULL, FINAL, out);
    assert_int_equal(out[0].attended_s, 85 * 60);
    assert_int_equal(out[0].credit_minutes, 90);
    assert_true(out[0].anomalies & BORNE_ANOMALY_MISSING_EXIT);
    assert_false(out[0].withheld);
    whole(scans, 1, BORNE_MISSING_EXIT_REVIEW, FINAL, out);
    assert_int_equal(out[0].credit_minutes, 0);
    assert_true(out[0].withheld);
    assert_true(out[0].anomalies & BORNE_ANOMALY_MISSING_EXIT);
    whole(scans, 1, BORNE_MISSING_EXIT_NONE, FINAL, out);
    assert_int_equal(out[0].credit_minutes, 0);
    assert_false(out[0].withheld);
    /* Decisions: accept counts until the end whatever the policy; edit; reject. */
    sess[0].decision = BORNE_REVIEW_ACCEPT;
    whole(scans, 1, BORNE_MISSING_EXIT_NONE, FINAL, out);
    assert_int_equal(out[0].credit_minutes, 90);
    sess[0].decision = BORNE_REVIEW_EDIT;
    sess[0].edit_entry = MIN(5);
    sess[0].edit_exit = MIN(60);
    whole(scans, 1, BORNE_MISSING_EXIT_REVIEW, FINAL, out);
    assert_int_equal(out[0].attended_s, 55 * 60);
    assert_int_equal(out[0].credit_minutes, 0); /* 611 per mille < 800 */
    sess[0].decision = BORNE_REVIEW_REJECT;
    borne_credit_scan full[] = {SC(0, 0, BORNE_ENTRY), SC(0, 90, BORNE_EXIT)};
    whole(full, 2, BORNE_MISSING_EXIT_REVIEW, FINAL, out);
    assert_int_equal(out[0].credit_minutes, 0);
    assert_int_equal(out[0].attended_s, 0);
}

/* Entered A then B at once, never left: 90 minutes of wall clock, not 3.00 h. */
static void test_overlap_back_to_back(void **state)
{
    (void)state;
    setup_sessions();
    borne_credit_scan scans[] = {SC(0, 0, BORNE_ENTRY), SC(1, 1, BORNE_ENTRY)};
    borne_session_credit out[3];
    whole(scans, 2, BORNE_MISSING_EXIT_FULL, FINAL, out);
    assert_int_equal(out[0].attended_s + out[1].attended_s, 90 * 60);
    assert_int_equal(out[0].attended_s, 60);      /* A until B's entry */
    assert_int_equal(out[1].attended_s, 89 * 60); /* the latest entry wins */
    assert_int_equal(out[0].credit_minutes + out[1].credit_minutes, 90);
    assert_true(out[0].anomalies & BORNE_ANOMALY_OVERLAP);
    assert_true(out[1].anomalies & BORNE_ANOMALY_OVERLAP);
    assert_int_equal(out[0].overlap_lost_s, 89 * 60);
}

/* In A 09:00-10:30, in B 09:30-10:00 (back to A after): B gets 30 min, A 60. */
static void test_overlap_nested(void **state)
{
    (void)state;
    setup_sessions();
    borne_credit_scan scans[] = {SC(0, 0, BORNE_ENTRY), SC(0, 90, BORNE_EXIT),
                                 SC(1, 30, BORNE_ENTRY), SC(1, 60, BORNE_EXIT)};
    borne_session_credit out[3];
    whole(scans, 4, BORNE_MISSING_EXIT_REVIEW, FINAL, out);
    assert_int_equal(out[0].attended_s, 60 * 60);
    assert_int_equal(out[1].attended_s, 30 * 60);
    assert_false(out[2].scanned);
}

/* A report at 13:45 does not credit the minutes until 15:00. */
static void test_clipped_at_now(void **state)
{
    (void)state;
    setup_sessions();
    borne_credit_scan scans[] = {SC(0, 0, BORNE_ENTRY), SC(0, 90, BORNE_EXIT)};
    borne_session_credit out[3];
    whole(scans, 2, BORNE_MISSING_EXIT_FULL, MIN(45), out);
    assert_int_equal(out[0].attended_s, 45 * 60);
    assert_int_equal(out[0].credit_minutes, 0);
    assert_true(out[0].running);
    borne_credit_scan open[] = {SC(0, 0, BORNE_ENTRY)};
    whole(open, 1, BORNE_MISSING_EXIT_FULL, MIN(45), out);
    assert_int_equal(out[0].attended_s, 45 * 60);
    whole(open, 1, BORNE_MISSING_EXIT_FULL, MIN(-10), out);
    assert_int_equal(out[0].attended_s, 0);
    /* While the door is open the exit is not missing yet, whatever the policy: in the room. */
    whole(open, 1, BORNE_MISSING_EXIT_REVIEW, MIN(45), out);
    assert_int_equal(out[0].attended_s, 45 * 60);
    assert_true(out[0].in_room);
    assert_false(out[0].withheld);
    assert_int_equal(out[0].anomalies, 0);
    /* Past the door's closing (end + 30 min), it is. */
    whole(open, 1, BORNE_MISSING_EXIT_REVIEW, MIN(121), out);
    assert_true(out[0].withheld);
    assert_int_equal(out[0].anomalies, BORNE_ANOMALY_MISSING_EXIT);
    /* An exit dated after now has not happened yet. */
    whole(scans, 2, BORNE_MISSING_EXIT_REVIEW, MIN(45), out);
    assert_true(out[0].in_room);
    assert_int_equal(out[0].last_exit, 0);
}

/* A stray exit before the entry, at a second kiosk, keeps the missing exit; an exit recorded by
 * a kiosk that never saw the entry is flagged. */
static void test_stray_exit_keeps_note(void **state)
{
    (void)state;
    setup_sessions();
    borne_credit_scan scans[] = {SC(0, -2, BORNE_EXIT), SC(0, 5, BORNE_ENTRY)};
    scans[0].kiosk_saw_no_in = true;
    borne_session_credit out[3];
    whole(scans, 2, BORNE_MISSING_EXIT_REVIEW, FINAL, out);
    assert_true(out[0].anomalies & BORNE_ANOMALY_MISSING_EXIT);
    assert_true(out[0].anomalies & BORNE_ANOMALY_EXIT_WITHOUT_ENTRY);
    assert_true(out[0].withheld);
    borne_credit_scan blind[] = {SC(0, 5, BORNE_ENTRY), SC(0, 6, BORNE_EXIT)};
    blind[1].kiosk_saw_no_in = true;
    whole(blind, 2, BORNE_MISSING_EXIT_REVIEW, FINAL, out);
    assert_true(out[0].anomalies & BORNE_ANOMALY_EXIT_WITHOUT_ENTRY);
}

/* Scans of an untrusted clock that rebooted (dated 1970) are out of the door's window and
 * flagged, not a silent 0.00 h. */
static void test_clock_and_window(void **state)
{
    (void)state;
    setup_sessions();
    borne_credit_scan scans[] = {
        {.session = 0, .time = 60, .direction = BORNE_ENTRY, .clock_doubt = true},
        {.session = 0, .time = 5460, .direction = BORNE_EXIT, .clock_doubt = true}};
    borne_session_credit out[3];
    whole(scans, 2, BORNE_MISSING_EXIT_REVIEW, FINAL, out);
    assert_int_equal(out[0].credit_minutes, 0);
    assert_true(out[0].anomalies & BORNE_ANOMALY_CLOCK);
    assert_true(out[0].anomalies & BORNE_ANOMALY_OUTSIDE_WINDOW);
    borne_credit_scan early[] = {SC(0, -31, BORNE_ENTRY), SC(0, 90, BORNE_EXIT)};
    whole(early, 2, BORNE_MISSING_EXIT_REVIEW, FINAL, out);
    assert_true(out[0].anomalies & BORNE_ANOMALY_OUTSIDE_WINDOW);
    assert_int_equal(out[0].credit_minutes, 90);
    borne_credit_scan fine[] = {SC(0, -29, BORNE_ENTRY), SC(0, 90, BORNE_EXIT)};
    whole(fine, 2, BORNE_MISSING_EXIT_REVIEW, FINAL, out);
    assert_int_equal(out[0].anomalies, 0);
    assert_int_equal(
        borne_credits_participant(sess, 3, fine, 2, BORNE_MISSING_EXIT_REVIEW, true, FINAL, out),
        BORNE_OK);
    assert_int_equal(out[0].anomalies, BORNE_ANOMALY_WALKIN);
}

static void test_anomaly_words(void **state)
{
    (void)state;
    char buf[200];
    borne_anomaly_words(BORNE_ANOMALY_MISSING_EXIT | BORNE_ANOMALY_CLOCK, false, " ", buf,
                        sizeof(buf));
    assert_string_equal(buf, "missing-exit clock");
    borne_anomaly_words(BORNE_ANOMALY_MISSING_EXIT, true, ", ", buf, sizeof(buf));
    assert_string_equal(buf, "sortie non scannée");
    borne_missing_exit p;
    assert_int_equal(borne_missing_exit_parse("full", &p), BORNE_OK);
    assert_int_equal(p, BORNE_MISSING_EXIT_FULL);
    assert_int_equal(borne_missing_exit_parse("Full", &p), BORNE_ERR_PARSE);
    assert_int_equal(borne_missing_exit_parse(NULL, &p), BORNE_ERR_PARSE);
}

/* Three 50-minute sessions: rows read 0.83, the total 150 min reads 2.50. */
static void test_rounding_once(void **state)
{
    (void)state;
    char buf[32];
    int64_t total = 0;
    for (int i = 0; i < 3; i++) {
        borne_hours_format(50, ',', buf, sizeof(buf));
        assert_string_equal(buf, "0,83");
        total += 50;
    }
    borne_hours_format(total, ',', buf, sizeof(buf));
    assert_string_equal(buf, "2,50");
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
        cmocka_unit_test(test_missing_exit_policies),
        cmocka_unit_test(test_overlap_back_to_back),
        cmocka_unit_test(test_overlap_nested),
        cmocka_unit_test(test_clipped_at_now),
        cmocka_unit_test(test_stray_exit_keeps_note),
        cmocka_unit_test(test_clock_and_window),
        cmocka_unit_test(test_anomaly_words),
        cmocka_unit_test(test_rounding_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
