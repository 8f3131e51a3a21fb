/* Tests of the check-in rules: one test per outcome, and the orders between them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/rules.h"

#define T0 1779285600 /* session start */

/* A confirmed participant with a genuine token at a session in progress, clock trusted. */
static borne_scan_facts base(void)
{
    return (borne_scan_facts){
        .signed_code = true,
        .token_status = BORNE_TOKEN_OK,
        .found_in_roster = true,
        .registration = BORNE_REG_CONFIRMED,
        .registered_for_session = true,
        .has_session = true,
        .session = {.start = T0,
                    .end = T0 + 5400,
                    .open_before_s = 1800,
                    .close_after_s = 1800,
                    .requires_registration = true},
        .mode = BORNE_ENTRY,
        .rescan_window_ms = 5000,
        .now = T0 + 60,
        .now_mono_ms = 100000,
        .clock_trusted = true,
    };
}

static void expect(const borne_scan_facts *f, borne_outcome outcome, bool record, bool accepted)
{
    borne_decision d = borne_rules_decide(f);
    if (d.outcome != outcome) {
        fail_msg("got %s, expected %s", borne_outcome_name(d.outcome), borne_outcome_name(outcome));
    }
    assert_int_equal(d.record, record);
    assert_int_equal(d.accepted, accepted);
}

static void test_entry_and_already_in(void **state)
{
    (void)state;
    borne_scan_facts f = base();
    expect(&f, BORNE_OUTCOME_ACCEPTED_ENTRY, true, true);
    f.in_room = true;
    expect(&f, BORNE_OUTCOME_ALREADY_IN, false, true);
}

static void test_exit_paths(void **state)
{
    (void)state;
    borne_scan_facts f = base();
    f.mode = BORNE_EXIT;
    f.in_room = true;
    expect(&f, BORNE_OUTCOME_ACCEPTED_EXIT, true, true);
    f.in_room = false;
    f.has_exit = true;
    expect(&f, BORNE_OUTCOME_ALREADY_OUT, false, true);
    f.has_exit = false;
    expect(&f, BORNE_OUTCOME_EXIT_WITHOUT_ENTRY, true, true);
    /* Entry after an exit is a re-entry. */
    f.mode = BORNE_ENTRY;
    f.has_exit = true;
    expect(&f, BORNE_OUTCOME_ACCEPTED_ENTRY, true, true);
}

static void test_repeat_scan_window(void **state)
{
    (void)state;
    borne_scan_facts f = base();
    f.has_previous = true;
    f.previous_mono_ms = f.now_mono_ms - 4999;
    f.in_room = true; /* the first scan already recorded the entry */
    expect(&f, BORNE_OUTCOME_REPEAT_SCAN, false, false);
    f.previous_mono_ms = f.now_mono_ms - 5000;
    expect(&f, BORNE_OUTCOME_ALREADY_IN, false, true);
    /* A previous scan "in the future" (other boot) is not a repeat. */
    f.previous_mono_ms = f.now_mono_ms + 10;
    expect(&f, BORNE_OUTCOME_ALREADY_IN, false, true);
    /* Even an invalid code scanned twice is one scan, logged once. */
    f = base();
    f.token_status = BORNE_TOKEN_BAD_SIGNATURE;
    expect(&f, BORNE_OUTCOME_INVALID_CODE, true, false);
    f.has_previous = true;
    f.previous_mono_ms = f.now_mono_ms - 100;
    expect(&f, BORNE_OUTCOME_REPEAT_SCAN, false, false);
}

static void test_code_refusals(void **state)
{
    (void)state;
    static const struct {
        borne_token_status st;
        borne_outcome want;
    } cases[] = {
        {BORNE_TOKEN_BAD_ENCODING, BORNE_OUTCOME_INVALID_CODE},
        {BORNE_TOKEN_BAD_LENGTH, BORNE_OUTCOME_INVALID_CODE},
        {BORNE_TOKEN_BAD_VERSION, BORNE_OUTCOME_INVALID_CODE},
        {BORNE_TOKEN_UNKNOWN_KEY, BORNE_OUTCOME_INVALID_CODE},
        {BORNE_TOKEN_BAD_SIGNATURE, BORNE_OUTCOME_INVALID_CODE},
        {BORNE_TOKEN_WRONG_EVENT, BORNE_OUTCOME_WRONG_EVENT},
        {BORNE_TOKEN_NOT_YET_VALID, BORNE_OUTCOME_EXPIRED},
        {BORNE_TOKEN_EXPIRED, BORNE_OUTCOME_EXPIRED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        borne_scan_facts f = base();
        f.token_status = cases[i].st;
        expect(&f, cases[i].want, true, false);
    }
    borne_scan_facts f = base();
    f.signed_code = false;
    f.found_in_roster = false;
    expect(&f, BORNE_OUTCOME_UNKNOWN_CODE, true, false);
    f.found_in_roster = true; /* an opaque roster code */
    expect(&f, BORNE_OUTCOME_ACCEPTED_ENTRY, true, true);
}

static void test_revoked_before_registration(void **state)
{
    (void)state;
    borne_scan_facts f = base();
    f.revoked = true;
    f.registration = BORNE_REG_CANCELLED;
    expect(&f, BORNE_OUTCOME_REVOKED, true, false);
}

static void test_registration(void **state)
{
    (void)state;
    borne_scan_facts f = base();
    f.registration = BORNE_REG_CANCELLED;
    expect(&f, BORNE_OUTCOME_CANCELLED, true, false);
    f.registration = BORNE_REG_NEEDS_ATTENTION;
    expect(&f, BORNE_OUTCOME_SEE_DESK, true, false);
    f.registration = BORNE_REG_NONE;
    expect(&f, BORNE_OUTCOME_NOT_REGISTERED, true, false);
    f = base();
    f.registered_for_session = false;
    expect(&f, BORNE_OUTCOME_NOT_REGISTERED, true, false);
    f.session.requires_registration = false; /* open atelier */
    expect(&f, BORNE_OUTCOME_ACCEPTED_ENTRY, true, true);
    /* A genuine token of a participant missing from the roster is accepted. */
    f = base();
    f.found_in_roster = false;
    f.registered_for_session = false;
    expect(&f, BORNE_OUTCOME_ACCEPTED_ENTRY, true, true);
}

static void test_session_window(void **state)
{
    (void)state;
    borne_scan_facts f = base();
    f.now = T0 - 1801;
    expect(&f, BORNE_OUTCOME_SESSION_NOT_OPEN, true, false);
    f.now = T0 - 1800;
    expect(&f, BORNE_OUTCOME_ACCEPTED_ENTRY, true, true);
    f.now = T0 + 5399; /* a very late arrival is still let in */
    expect(&f, BORNE_OUTCOME_ACCEPTED_ENTRY, true, true);
    f.now = T0 + 5400;
    expect(&f, BORNE_OUTCOME_SESSION_OVER, true, false);
    f.mode = BORNE_EXIT;
    f.in_room = true;
    f.now = T0 + 5400 + 1800;
    expect(&f, BORNE_OUTCOME_ACCEPTED_EXIT, true, true);
    f.now = T0 + 5400 + 1801;
    expect(&f, BORNE_OUTCOME_SESSION_OVER, true, false);
    /* A clock that cannot be trusted (1970 after a boot offline) does not refuse anyone. */
    f.clock_trusted = false;
    f.now = 10;
    expect(&f, BORNE_OUTCOME_ACCEPTED_EXIT, true, true);
    /* No session: a whole-event door has no window. */
    f = base();
    f.has_session = false;
    f.now = 0;
    expect(&f, BORNE_OUTCOME_ACCEPTED_ENTRY, true, true);
}

static void test_staff_code(void **state)
{
    (void)state;
    borne_scan_facts f = base();
    f.staff_code = true;
    f.found_in_roster = false;
    expect(&f, BORNE_OUTCOME_STAFF, false, false);
    f.revoked = true; /* a lost staff badge opens nothing */
    expect(&f, BORNE_OUTCOME_REVOKED, true, false);
    f.revoked = false;
    f.token_status = BORNE_TOKEN_BAD_SIGNATURE;
    expect(&f, BORNE_OUTCOME_INVALID_CODE, true, false);
}

static void test_names(void **state)
{
    (void)state;
    for (int i = 0; i < BORNE_OUTCOME__COUNT; i++) {
        assert_string_not_equal(borne_outcome_name((borne_outcome)i), "unknown");
    }
    assert_string_equal(borne_outcome_name(BORNE_OUTCOME__COUNT), "unknown");
    assert_true(borne_outcome_is_positive(BORNE_OUTCOME_ALREADY_IN));
    assert_false(borne_outcome_is_positive(BORNE_OUTCOME_REVOKED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_and_already_in),
        cmocka_unit_test(test_exit_paths),
        cmocka_unit_test(test_repeat_scan_window),
        cmocka_unit_test(test_code_refusals),
        cmocka_unit_test(test_revoked_before_registration),
        cmocka_unit_test(test_registration),
        cmocka_unit_test(test_session_window),
        cmocka_unit_test(test_staff_code),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
