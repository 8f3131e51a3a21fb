/* End-to-end tests of the check-in path: scanned text -> facts -> rules -> durable row -> result,
 * on a real store file with signed tokens and a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin/checkin.h"
#include "store/store.h"
#include "support/checkin_fixture.h"
#include "support/fixture.h"

typedef checkin_fixture ctx;

/* The check-in path of every test: kiosk "kiosk-test", session A, entries. */
static const borne_checkin_options entry_a = {
    .kiosk_id = "kiosk-test", .session_id = FIX_SESSION_A, .mode = BORNE_ENTRY};

static int setup(void **state)
{
    return checkin_fixture_setup(state, &entry_a);
}

static int64_t checkins(ctx *c)
{
    return fixture_query_int(c->fx.store, "SELECT count(*) FROM checkin");
}

static borne_scan_result scan_bytes(ctx *c, const void *text, size_t len)
{
    borne_scan_result r;
    borne_err err = borne_checkin_scan(c->ck, text, len, BORNE_METHOD_SCANNER, &r);
    if (err != BORNE_OK) {
        fail_msg("scan failed: %s", borne_strerror(err));
    }
    return r;
}

static borne_scan_result scan(ctx *c, const char *text)
{
    return scan_bytes(c, text, strlen(text));
}

static void token_for(ctx *c, uint32_t pid, char out[BORNE_TOKEN_TEXT_LEN + 1])
{
    fixture_sign(&c->fx, NULL, FIX_KEY_ID, FIX_EVENT, pid, 0, out);
    assert_int_equal(strlen(out), BORNE_TOKEN_TEXT_LEN);
}

static void at(ctx *c, int64_t t)
{
    fixture_set_time(&c->fx, t, true);
}

/* The stored row with this uuid: direction, outcome, participant, session, method. */
static void check_row(ctx *c, const char *uuid, borne_direction dir, borne_outcome outcome,
                      uint32_t pid, uint32_t sid, borne_method method)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(borne_store_db(c->fx.store),
                                        "SELECT direction, outcome, ifnull(participant_id, 0),"
                                        " ifnull(session_id, 0), method, kiosk_id FROM checkin"
                                        " WHERE uuid = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), dir);
    assert_int_equal(sqlite3_column_int(st, 1), outcome);
    assert_int_equal(sqlite3_column_int64(st, 2), pid);
    assert_int_equal(sqlite3_column_int64(st, 3), sid);
    assert_int_equal(sqlite3_column_int(st, 4), method);
    assert_string_equal((const char *)sqlite3_column_text(st, 5), "kiosk-test");
    sqlite3_finalize(st);
}

static void expect_refusal(ctx *c, const borne_scan_result *r, borne_outcome outcome)
{
    if (r->outcome != outcome) {
        fail_msg("expected %s, got %s", borne_outcome_name(outcome),
                 borne_outcome_name(r->outcome));
    }
    assert_false(r->accepted);
    assert_true(r->recorded);
    assert_true(borne_uuid_valid(r->uuid));
    (void)c;
}

/* ---- entries ---- */

static void test_accepted_entry_repeat_already_in(void **state)
{
    ctx *c = *state;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_HELENE, tok);
    borne_scan_result r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_true(r.accepted);
    assert_true(r.recorded);
    assert_false(r.repeat);
    assert_true(borne_uuid_valid(r.uuid));
    assert_int_equal(r.token_status, BORNE_TOKEN_OK);
    assert_true(r.has_participant);
    assert_int_equal(r.participant.id, FIX_P_HELENE);
    assert_string_equal(r.participant.display_name, "Hélène Tremblay");
    assert_int_equal(r.session_id, FIX_SESSION_A);
    assert_false(r.has_attendance);
    assert_int_equal(checkins(c), 1);
    check_row(c, r.uuid, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY, FIX_P_HELENE, FIX_SESSION_A,
              BORNE_METHOD_SCANNER);
    /* The row keeps the code's fingerprint and the clock sample. */
    uint8_t hash[BORNE_CODE_HASH_LEN];
    borne_store_code_hash((const uint8_t *)tok, strlen(tok), hash);
    char sql[256];
    char hex[2 * BORNE_CODE_HASH_LEN + 1];
    sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM checkin WHERE code_hash = x'%s' AND wall_ms = %lld AND"
             " clock_trusted = 1 AND boot_id = '%s'",
             hex, (long long)c->fx.fake.now.wall_ms, c->fx.fake.now.boot_id);
    assert_int_equal(fixture_query_int(c->fx.store, sql), 1);
    int64_t first_ms = c->fx.fake.now.wall_ms;
    char first_uuid[BORNE_UUID_LEN + 1];
    memcpy(first_uuid, r.uuid, sizeof(first_uuid));

    /* The same code within 5 s: the same scan, shown again, nothing recorded. */
    borne_fake_clock_advance(&c->fx.fake, 2000);
    r = scan(c, tok);
    assert_true(r.repeat);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_true(r.accepted);
    assert_false(r.recorded);
    assert_int_equal(checkins(c), 1);
    borne_fake_clock_advance(&c->fx.fake, 2900);
    r = scan(c, tok);
    assert_true(r.repeat);
    assert_int_equal(checkins(c), 1);

    /* After the window: already in, nothing new recorded. */
    borne_fake_clock_advance(&c->fx.fake, 5100);
    r = scan(c, tok);
    assert_false(r.repeat);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ALREADY_IN);
    assert_true(r.accepted);
    assert_false(r.recorded);
    assert_int_equal(r.previous_ms, first_ms);
    assert_int_equal(checkins(c), 1);

    /* After a restart (new check-in path, same store) the stored history still says so. */
    borne_checkin_free(c->ck);
    c->ck = NULL;
    assert_int_equal(borne_checkin_new(&c->ck, c->fx.store, &c->fx.clock, &entry_a), BORNE_OK);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ALREADY_IN);
    assert_int_equal(checkins(c), 1);
    (void)first_uuid;
}

static void test_exit_tally_reentry(void **state)
{
    ctx *c = *state;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_HELENE, tok);
    at(c, FIX_A_START);
    borne_scan_result r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);

    /* 80 of 90 minutes: 889 permille, over the 800 threshold: full 90 minutes. */
    borne_checkin_set_mode(c->ck, BORNE_EXIT);
    assert_int_equal(borne_checkin_mode(c->ck), BORNE_EXIT);
    at(c, FIX_A_START + 80 * 60);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_EXIT);
    assert_true(r.accepted);
    assert_true(r.recorded);
    assert_true(r.has_attendance);
    assert_int_equal(r.attendance.attended_s, 80 * 60);
    assert_int_equal(r.attendance.credit_minutes, 90);
    assert_int_equal(r.attendance.share_permille, 888);
    assert_int_equal(r.attendance.intervals, 1);
    check_row(c, r.uuid, BORNE_EXIT, BORNE_OUTCOME_ACCEPTED_EXIT, FIX_P_HELENE, FIX_SESSION_A,
              BORNE_METHOD_SCANNER);
    assert_int_equal(checkins(c), 2);

    /* Out again: already out, nothing recorded. */
    at(c, FIX_A_START + 81 * 60);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ALREADY_OUT);
    assert_true(r.accepted);
    assert_false(r.recorded);
    assert_int_equal(checkins(c), 2);

    /* Back in: a new entry. */
    borne_checkin_set_mode(c->ck, BORNE_ENTRY);
    at(c, FIX_A_START + 82 * 60);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_true(r.recorded);
    assert_int_equal(checkins(c), 3);

    /* And out at the end: two intervals, 88 minutes. */
    borne_checkin_set_mode(c->ck, BORNE_EXIT);
    at(c, FIX_A_END + 60);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_EXIT);
    assert_true(r.has_attendance);
    assert_int_equal(r.attendance.intervals, 2);
    assert_int_equal(r.attendance.attended_s, 88 * 60);
    assert_int_equal(r.attendance.credit_minutes, 90);
}

static void test_exit_below_threshold_and_proportional(void **state)
{
    ctx *c = *state;
    char jean[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_JEAN, jean);
    at(c, FIX_A_START + 10 * 60);
    assert_int_equal(scan(c, jean).outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    borne_checkin_set_mode(c->ck, BORNE_EXIT);
    at(c, FIX_A_START + 40 * 60);
    borne_scan_result r = scan(c, jean);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_EXIT);
    assert_true(r.has_attendance);
    assert_int_equal(r.attendance.attended_s, 30 * 60);
    assert_int_equal(r.attendance.credit_minutes, 0);

    /* Session B: proportional, rounded down to 15 minutes: 70 of 120 minutes gives 60. */
    char helene[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_HELENE, helene);
    assert_int_equal(borne_checkin_set_session(c->ck, FIX_SESSION_B), BORNE_OK);
    assert_int_equal(borne_checkin_session(c->ck)->id, FIX_SESSION_B);
    borne_checkin_set_mode(c->ck, BORNE_ENTRY);
    at(c, FIX_B_START);
    assert_int_equal(scan(c, helene).outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    borne_checkin_set_mode(c->ck, BORNE_EXIT);
    at(c, FIX_B_START + 70 * 60);
    r = scan(c, helene);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_EXIT);
    assert_int_equal(r.session_id, FIX_SESSION_B);
    assert_true(r.has_attendance);
    assert_int_equal(r.attendance.credit_minutes, 60);
}

static void test_exit_without_entry(void **state)
{
    ctx *c = *state;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_JEAN, tok);
    borne_checkin_set_mode(c->ck, BORNE_EXIT);
    borne_scan_result r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_EXIT_WITHOUT_ENTRY);
    assert_true(r.accepted);
    assert_true(r.recorded);
    assert_true(r.has_attendance);
    assert_int_equal(r.attendance.credit_minutes, 0);
    assert_int_equal(r.attendance.unmatched_exits, 1);
    check_row(c, r.uuid, BORNE_EXIT, BORNE_OUTCOME_EXIT_WITHOUT_ENTRY, FIX_P_JEAN, FIX_SESSION_A,
              BORNE_METHOD_SCANNER);
}

/* ---- refusals ---- */

static void test_registration_refusals(void **state)
{
    ctx *c = *state;
    static const struct {
        uint32_t pid;
        borne_outcome outcome;
    } cases[] = {
        {FIX_P_SOPHIE, BORNE_OUTCOME_NOT_REGISTERED}, /* B2 only */
        {FIX_P_NONE, BORNE_OUTCOME_NOT_REGISTERED},   /* not registered to the event */
        {FIX_P_MARIE, BORNE_OUTCOME_CANCELLED},
        {FIX_P_LUC, BORNE_OUTCOME_SEE_DESK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char tok[BORNE_TOKEN_TEXT_LEN + 1];
        token_for(c, cases[i].pid, tok);
        borne_scan_result r = scan(c, tok);
        expect_refusal(c, &r, cases[i].outcome);
        assert_true(r.has_participant);
        assert_int_equal(r.participant.id, cases[i].pid);
        check_row(c, r.uuid, BORNE_ENTRY, cases[i].outcome, cases[i].pid, FIX_SESSION_A,
                  BORNE_METHOD_SCANNER);
    }
    assert_int_equal(checkins(c), 4);
    /* A refusal never counts as presence. */
    bool in_room = true, has_exit = true;
    assert_int_equal(borne_store_history(c->fx.store, FIX_EVENT, FIX_P_SOPHIE, FIX_SESSION_A,
                                         &in_room, &has_exit, NULL),
                     BORNE_OK);
    assert_false(in_room || has_exit);
}

static void test_session_window(void **state)
{
    ctx *c = *state;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_HELENE, tok);
    /* 08:00 with a trusted clock: doors open at 08:30. */
    at(c, FIX_A_START - 3600);
    borne_scan_result r = scan(c, tok);
    expect_refusal(c, &r, BORNE_OUTCOME_SESSION_NOT_OPEN);
    /* 10:31: over for entries. */
    at(c, FIX_A_END + 60);
    r = scan(c, tok);
    expect_refusal(c, &r, BORNE_OUTCOME_SESSION_OVER);
    /* Exits still accepted for 30 minutes, then over. */
    borne_checkin_set_mode(c->ck, BORNE_EXIT);
    at(c, FIX_A_END + 31 * 60);
    r = scan(c, tok);
    expect_refusal(c, &r, BORNE_OUTCOME_SESSION_OVER);
    borne_checkin_set_mode(c->ck, BORNE_ENTRY);
    assert_int_equal(checkins(c), 3);

    /* The same times with an untrusted clock are not enforced. */
    fixture_set_time(&c->fx, FIX_A_START - 3600, false);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_true(r.accepted);
    assert_false(r.time.trusted);
    borne_checkin_set_mode(c->ck, BORNE_EXIT);
    /* A Pi booted without network: its clock says 1970. */
    fixture_set_time(&c->fx, 60, false);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_EXIT);
    assert_int_equal(
        fixture_query_int(c->fx.store, "SELECT count(*) FROM checkin WHERE clock_trusted = 0"), 2);
}

static void test_code_refusals(void **state)
{
    ctx *c = *state;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];

    /* Another event. */
    fixture_sign(&c->fx, NULL, FIX_KEY_ID, FIX_EVENT + 1, FIX_P_HELENE, 0, tok);
    borne_scan_result r = scan(c, tok);
    expect_refusal(c, &r, BORNE_OUTCOME_WRONG_EVENT);
    assert_int_equal(r.token_status, BORNE_TOKEN_WRONG_EVENT);

    /* Signed by another key under our key id: forged. */
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    fixture_sign(&c->fx, sk, FIX_KEY_ID, FIX_EVENT, FIX_P_HELENE, 0, tok);
    r = scan(c, tok);
    expect_refusal(c, &r, BORNE_OUTCOME_INVALID_CODE);
    assert_int_equal(r.token_status, BORNE_TOKEN_BAD_SIGNATURE);
    assert_false(r.has_participant);

    /* A key id the kiosk does not know. */
    fixture_sign(&c->fx, sk, FIX_KEY_ID + 1, FIX_EVENT, FIX_P_HELENE, 0, tok);
    r = scan(c, tok);
    expect_refusal(c, &r, BORNE_OUTCOME_INVALID_CODE);
    assert_int_equal(r.token_status, BORNE_TOKEN_UNKNOWN_KEY);

    /* Revoked: the exact text. */
    token_for(c, FIX_P_JEAN, tok);
    assert_int_equal(
        borne_store_revoke(c->fx.store, FIX_EVENT, (const uint8_t *)tok, strlen(tok), "lost"),
        BORNE_OK);
    r = scan(c, tok);
    expect_refusal(c, &r, BORNE_OUTCOME_REVOKED);
    assert_int_equal(r.participant.id, FIX_P_JEAN);

    /* Random text: unknown code; only its fingerprint is stored. */
    const char *junk = "Bonjour, ceci n'est pas un code 8f3k2";
    r = scan(c, junk);
    expect_refusal(c, &r, BORNE_OUTCOME_UNKNOWN_CODE);
    assert_int_equal(r.token_status, BORNE_TOKEN_NOT_SIGNED);
    assert_false(r.has_participant);
    check_row(c, r.uuid, BORNE_ENTRY, BORNE_OUTCOME_UNKNOWN_CODE, 0, FIX_SESSION_A,
              BORNE_METHOD_SCANNER);
    assert_int_equal(fixture_query_int(c->fx.store, "SELECT count(*) FROM checkin WHERE"
                                                    " participant_id IS NULL AND"
                                                    " length(code_hash) = 16"),
                     checkins(c) - 1); /* all but the revoked one, whose holder is known */
    assert_false(fixture_file_contains(&c->fx, "ceci n'est pas"));
    assert_false(fixture_file_contains(&c->fx, "8f3k2"));
    /* The same refusal again within 5 s is the same scan. */
    int64_t n = checkins(c);
    borne_fake_clock_advance(&c->fx.fake, 1000);
    r = scan(c, junk);
    assert_true(r.repeat);
    assert_int_equal(r.outcome, BORNE_OUTCOME_UNKNOWN_CODE);
    assert_false(r.accepted);
    assert_int_equal(checkins(c), n);
}

/* Every single-bit change of a genuine token is refused. */
static void test_bit_flips_refused(void **state)
{
    ctx *c = *state;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_HELENE, tok);
    size_t len = strlen(tok);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            char bad[BORNE_TOKEN_TEXT_LEN + 1];
            memcpy(bad, tok, sizeof(bad));
            bad[i] = (char)(bad[i] ^ (1 << bit));
            borne_scan_result r = scan_bytes(c, bad, len);
            if (r.accepted || (r.outcome != BORNE_OUTCOME_INVALID_CODE &&
                               r.outcome != BORNE_OUTCOME_UNKNOWN_CODE)) {
                fail_msg("flip of bit %d at %zu: %s", bit, i, borne_outcome_name(r.outcome));
            }
            if (i >= BORNE_TOKEN_PREFIX_LEN) {
                assert_int_equal(r.outcome, BORNE_OUTCOME_INVALID_CODE);
                assert_int_not_equal(r.token_status, BORNE_TOKEN_OK);
            }
        }
    }
    assert_int_equal(fixture_query_int(c->fx.store, "SELECT count(*) FROM checkin WHERE"
                                                    " outcome IN (0, 1, 2)"),
                     0);
}

static void test_opaque_and_absent(void **state)
{
    ctx *c = *state;
    borne_scan_result r = scan(c, FIX_OPAQUE_HELENE);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_true(r.accepted);
    assert_int_equal(r.token_status, BORNE_TOKEN_NOT_SIGNED);
    assert_int_equal(r.participant.id, FIX_P_HELENE);
    check_row(c, r.uuid, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY, FIX_P_HELENE, FIX_SESSION_A,
              BORNE_METHOD_SCANNER);
    /* Her signed token after the opaque code: already in (same person). */
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_HELENE, tok);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ALREADY_IN);

    /* A genuine token for someone missing from this kiosk's roster is accepted. */
    token_for(c, FIX_P_ABSENT, tok);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_true(r.accepted);
    assert_true(r.has_participant);
    assert_int_equal(r.participant.id, FIX_P_ABSENT);
    check_row(c, r.uuid, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY, FIX_P_ABSENT, FIX_SESSION_A,
              BORNE_METHOD_SCANNER);
}

static void test_staff_code(void **state)
{
    ctx *c = *state;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    fixture_sign(&c->fx, NULL, FIX_KEY_ID, FIX_EVENT, 900, BORNE_TOKEN_FLAG_STAFF, tok);
    borne_scan_result r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_STAFF);
    assert_false(r.accepted);
    assert_false(r.recorded);
    assert_int_equal(checkins(c), 0);
    /* A forged staff code is just invalid. */
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    fixture_sign(&c->fx, sk, FIX_KEY_ID, FIX_EVENT, 900, BORNE_TOKEN_FLAG_STAFF, tok);
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_INVALID_CODE);
    assert_int_equal(checkins(c), 1);
}

static void test_hostile_inputs(void **state)
{
    ctx *c = *state;
    uint8_t big[10 * 1024];
    randombytes_buf(big, sizeof(big));
    borne_scan_result r = scan_bytes(c, big, sizeof(big));
    assert_false(r.accepted);
    assert_int_equal(r.outcome, BORNE_OUTCOME_INVALID_CODE);
    memcpy(big, "BN1:", 4);
    r = scan_bytes(c, big, sizeof(big));
    assert_false(r.accepted);

    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_HELENE, tok);
    static const char nul_text[] = "OPQ-7KX2-HT\0tail";
    uint8_t with_nul[BORNE_TOKEN_TEXT_LEN + 8];
    memcpy(with_nul, tok, BORNE_TOKEN_TEXT_LEN);
    memcpy(with_nul + BORNE_TOKEN_TEXT_LEN, "\0xyz", 4);
    const struct {
        const void *text;
        size_t len;
    } cases[] = {
        {"", 0},
        {"\0\0\0\0", 4},
        {nul_text, sizeof(nul_text) - 1},
        {with_nul, BORNE_TOKEN_TEXT_LEN + 4},
        {tok, BORNE_TOKEN_TEXT_LEN - 1},
        {"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x90\x28\xbc", 13},
        {"'; DROP TABLE checkin; --", 25},
        {"\" OR 1=1 --", 11},
        {"BN1:'; DROP TABLE participant; --", 33},
        {"BN1:", 4},
        {"BN1", 3},
        {"bn1:ABC", 7},
        {"%", 1},
        {"\r\n", 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r = scan_bytes(c, cases[i].text, cases[i].len);
        if (r.accepted || borne_outcome_is_positive(r.outcome)) {
            fail_msg("hostile input %zu accepted: %s", i, borne_outcome_name(r.outcome));
        }
        borne_fake_clock_advance(&c->fx.fake, 10);
    }
    /* Nothing broken. */
    assert_int_equal(fixture_query_int(c->fx.store, "SELECT count(*) FROM participant"), 6);
    assert_int_equal(fixture_query_int(c->fx.store, "SELECT count(*) FROM checkin WHERE"
                                                    " outcome IN (0, 1, 2)"),
                     0);
    assert_true(checkins(c) >= 10);
    assert_true(fixture_integrity_ok(c->fx.store));
    /* And the door still works. */
    r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
}

/* ---- staff and setup ---- */

static void test_manual(void **state)
{
    ctx *c = *state;
    borne_scan_result r;
    assert_int_equal(
        borne_checkin_manual(c->ck, FIX_P_JEAN, BORNE_ENTRY, BORNE_METHOD_MANUAL, "staff-7", &r),
        BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_true(r.accepted);
    assert_true(r.recorded);
    check_row(c, r.uuid, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY, FIX_P_JEAN, FIX_SESSION_A,
              BORNE_METHOD_MANUAL);
    char staff[64];
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT staff_id FROM checkin WHERE uuid = '%s'", r.uuid);
    assert_int_equal(fixture_query_text(c->fx.store, sql, staff, sizeof(staff)), 0);
    assert_string_equal(staff, "staff-7");
    snprintf(sql, sizeof(sql), "SELECT code_hash IS NULL FROM checkin WHERE uuid = '%s'", r.uuid);
    assert_int_equal(fixture_query_int(c->fx.store, sql), 1);
    /* The kiosk's mode is left alone. */
    assert_int_equal(borne_checkin_mode(c->ck), BORNE_ENTRY);

    /* A manual exit while in the entry mode. */
    at(c, FIX_A_START + 80 * 60);
    assert_int_equal(
        borne_checkin_manual(c->ck, FIX_P_JEAN, BORNE_EXIT, BORNE_METHOD_MANUAL, "staff-7", &r),
        BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_EXIT);
    assert_true(r.has_attendance);
    assert_int_equal(borne_checkin_mode(c->ck), BORNE_ENTRY);

    /* The rules still apply to registrations. */
    assert_int_equal(
        borne_checkin_manual(c->ck, FIX_P_SOPHIE, BORNE_ENTRY, BORNE_METHOD_MANUAL, "staff-7", &r),
        BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_NOT_REGISTERED);
    assert_false(r.accepted);
    assert_int_equal(
        borne_checkin_manual(c->ck, FIX_P_ABSENT, BORNE_ENTRY, BORNE_METHOD_MANUAL, "staff-7", &r),
        BORNE_ERR_NOT_FOUND);
    assert_false(r.accepted);
    assert_int_equal(checkins(c), 3);
}

/* "Admettre quand même": staff admit someone the rules refuse for a reason the desk settles; the
 * entry is recorded as admitted by staff, with its reason, and counts as an accepted entry. */
static void test_admit_override(void **state)
{
    ctx *c = *state;
    borne_scan_result r;
    /* Sophie is registered for B2 only: refused at A1 by hand, admitted with a reason. */
    assert_int_equal(
        borne_checkin_manual(c->ck, FIX_P_SOPHIE, BORNE_ENTRY, BORNE_METHOD_MANUAL, "staff", &r),
        BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_NOT_REGISTERED);
    assert_int_equal(borne_checkin_admit(c->ck, FIX_P_SOPHIE, BORNE_ADMIT_SPEAKER, &r), BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    assert_true(r.accepted);
    assert_true(r.recorded);
    check_row(c, r.uuid, BORNE_ENTRY, BORNE_OUTCOME_ADMITTED_BY_STAFF, FIX_P_SOPHIE, FIX_SESSION_A,
              BORNE_METHOD_MANUAL);
    char staff[64], sql[128];
    snprintf(sql, sizeof(sql), "SELECT staff_id FROM checkin WHERE uuid = '%s'", r.uuid);
    assert_int_equal(fixture_query_text(c->fx.store, sql, staff, sizeof(staff)), 0);
    assert_string_equal(staff, "staff override:speaker");
    /* Numbers are stored and synced: the new outcome comes after every older one. */
    assert_int_equal(BORNE_OUTCOME_ADMITTED_BY_STAFF, 17);
    assert_string_equal(borne_outcome_name(r.outcome), "admitted-by-staff");
    /* It counts as an entry: she is in the room, a scan now says so. */
    bool in = false, out = false;
    int64_t last = 0;
    assert_int_equal(
        borne_store_history(c->fx.store, FIX_EVENT, FIX_P_SOPHIE, FIX_SESSION_A, &in, &out, &last),
        BORNE_OK);
    assert_true(in);
    at(c, FIX_A_START + 60 * 60);
    assert_int_equal(
        borne_checkin_manual(c->ck, FIX_P_SOPHIE, BORNE_EXIT, BORNE_METHOD_MANUAL, "staff", &r),
        BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_EXIT);
    assert_true(r.has_attendance);
    assert_true(r.attendance.attended_s > 0);
    /* Cancelled and "to check" registrations too, with their reasons. */
    assert_int_equal(borne_checkin_admit(c->ck, FIX_P_MARIE, BORNE_ADMIT_PAID_AT_DESK, &r),
                     BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    assert_int_equal(borne_checkin_admit(c->ck, FIX_P_LUC, BORNE_ADMIT_LIST_ERROR, &r), BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    /* Someone the rules accept: a plain manual entry, no override recorded. */
    assert_int_equal(borne_checkin_admit(c->ck, FIX_P_JEAN, BORNE_ADMIT_OTHER, &r), BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    /* Already in: said, nothing recorded. */
    int64_t before = checkins(c);
    assert_int_equal(borne_checkin_admit(c->ck, FIX_P_JEAN, BORNE_ADMIT_OTHER, &r), BORNE_OK);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ALREADY_IN);
    assert_false(r.recorded);
    /* Not for the desk to override: a session over; a bad reason; not in the roster. */
    at(c, FIX_B_END + 3600);
    assert_int_equal(borne_checkin_admit(c->ck, FIX_P_SOPHIE, BORNE_ADMIT_OTHER, &r),
                     BORNE_ERR_INVALID);
    assert_int_equal(borne_checkin_admit(c->ck, FIX_P_HELENE, (borne_admit_reason)9, &r),
                     BORNE_ERR_INVALID);
    assert_int_equal(borne_checkin_admit(c->ck, FIX_P_ABSENT, BORNE_ADMIT_OTHER, &r),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(checkins(c), before);
    assert_null(borne_admit_reason_word(BORNE_ADMIT__COUNT));
}

static void test_whole_event_door(void **state)
{
    ctx *c = *state;
    assert_int_equal(borne_checkin_set_session(c->ck, 0), BORNE_OK);
    assert_null(borne_checkin_session(c->ck));
    assert_int_equal(borne_checkin_event(c->ck)->id, FIX_EVENT);
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_SOPHIE, tok); /* not in A1, but in the event */
    at(c, FIX_A_START - 5 * 3600);   /* no session window applies */
    borne_scan_result r = scan(c, tok);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_int_equal(r.session_id, 0);
    check_row(c, r.uuid, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY, FIX_P_SOPHIE, 0,
              BORNE_METHOD_SCANNER);
    assert_int_equal(borne_checkin_set_session(c->ck, 999), BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_checkin_set_session(c->ck, FIX_SESSION_B), BORNE_OK);
    assert_int_equal(borne_checkin_reload(c->ck), BORNE_OK);
    assert_int_equal(borne_checkin_session(c->ck)->id, FIX_SESSION_B);
}

static void test_not_set_up(void **state)
{
    (void)state;
    fixture fx;
    assert_int_equal(fixture_open_empty(&fx), 0);
    struct borne_checkin *ck = (struct borne_checkin *)1;
    assert_int_equal(borne_checkin_new(&ck, fx.store, &fx.clock, NULL), BORNE_ERR_NOT_FOUND);
    assert_null(ck);
    borne_checkin_free(NULL);
    fixture_close(&fx);
}

/* ---- durability ---- */

static void test_refused_write_is_not_accepted(void **state)
{
    ctx *c = *state;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    token_for(c, FIX_P_HELENE, tok);
    sqlite3 *db = borne_store_db(c->fx.store);
    assert_int_equal(sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL), SQLITE_OK);
    borne_scan_result r;
    memset(&r, 0xab, sizeof(r));
    borne_err err =
        borne_checkin_scan(c->ck, (const uint8_t *)tok, strlen(tok), BORNE_METHOD_SCANNER, &r);
    assert_int_not_equal(err, BORNE_OK);
    assert_false(r.accepted);
    assert_false(r.recorded);
    /* Staff check-in too. */
    err = borne_checkin_manual(c->ck, FIX_P_JEAN, BORNE_ENTRY, BORNE_METHOD_MANUAL, "staff-7", &r);
    assert_int_not_equal(err, BORNE_OK);
    assert_false(r.accepted);
    assert_int_equal(sqlite3_exec(db, "PRAGMA query_only = 0", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(checkins(c), 0);

    /* The failed scan is not remembered as shown: scanning again at once records it. */
    borne_fake_clock_advance(&c->fx.fake, 500);
    r = scan(c, tok);
    assert_false(r.repeat);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_true(r.recorded);
    assert_int_equal(checkins(c), 1);

    /* An exit whose write fails shows no tally and no acceptance either. */
    borne_checkin_set_mode(c->ck, BORNE_EXIT);
    at(c, FIX_A_START + 80 * 60);
    assert_int_equal(sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL), SQLITE_OK);
    err = borne_checkin_scan(c->ck, (const uint8_t *)tok, strlen(tok), BORNE_METHOD_SCANNER, &r);
    assert_int_not_equal(err, BORNE_OK);
    assert_false(r.accepted);
    assert_false(r.has_attendance);
    assert_int_equal(sqlite3_exec(db, "PRAGMA query_only = 0", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(checkins(c), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accepted_entry_repeat_already_in, setup,
                                        checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_exit_tally_reentry, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_exit_below_threshold_and_proportional, setup,
                                        checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_exit_without_entry, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_registration_refusals, setup,
                                        checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_session_window, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_code_refusals, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bit_flips_refused, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_opaque_and_absent, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_staff_code, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_inputs, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_manual, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_admit_override, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_whole_event_door, setup, checkin_fixture_teardown),
        cmocka_unit_test(test_not_set_up),
        cmocka_unit_test_setup_teardown(test_refused_write_is_not_accepted, setup,
                                        checkin_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
