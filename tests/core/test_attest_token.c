/* core/attest_token and core/hours: attestation tokens signed, parsed and verified (a fixed
 * worked example, every way a code can be wrong), and hours rounded once at the total. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/attest_token.h"
#include "core/hours.h"
#include "core/token.h"

static uint8_t pk[32], sk[64];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) {
        return -1;
    }
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) {
        seed[i] = (uint8_t)i; /* the seed of docs/tokens.md's worked example */
    }
    crypto_sign_seed_keypair(pk, sk, seed);
    return 0;
}

static const borne_attest_token sample = {
    .key_id = 1,
    .event_id = 2026,
    .participant_id = 1042,
    .total_minutes = 150,
    .issued_day = 20787, /* 2026-11-30 */
};

static void sign(const borne_attest_token *t, const uint8_t *key, char *out)
{
    assert_int_equal(borne_attest_token_sign(t, key, out, BORNE_ATTEST_TOKEN_TEXT_LEN + 1), 0);
}

static borne_token_status check(const char *text, borne_attest_token *out)
{
    borne_pubkey keys[1] = {{.key_id = 1}};
    memcpy(keys[0].key, pk, 32);
    return borne_attest_token_verify((const uint8_t *)text, strlen(text), keys, 1, out);
}

static void test_round_trip(void **state)
{
    (void)state;
    char text[BORNE_ATTEST_TOKEN_TEXT_LEN + 1];
    sign(&sample, sk, text);
    assert_int_equal(strlen(text), BORNE_ATTEST_TOKEN_TEXT_LEN);
    assert_int_equal(BORNE_ATTEST_TOKEN_TEXT_LEN, 121);
    assert_memory_equal(text, "BA1:", 4);
    /* Every character in the QR alphanumeric alphabet (a version-5 code at level M holds 122). */
    assert_int_equal(strspn(text, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"), strlen(text));
    borne_attest_token got;
    assert_int_equal(check(text, &got), BORNE_TOKEN_OK);
    assert_memory_equal(&got, &sample, sizeof(got));
    /* Deterministic: the same fields give the same text (docs/attestations.md's example). */
    char again[BORNE_ATTEST_TOKEN_TEXT_LEN + 1];
    sign(&sample, sk, again);
    assert_string_equal(text, again);
    /* Also computed apart from this code (OpenSSL's Ed25519 and a Base45 written anew). */
    assert_string_equal(text, "BA1:1000001010007N0F30.BA:W4A+A330.O1UKSP*TQ.G92R243/EU96NE8IEB1TQJ"
                              "T14JI37SV$IF$5JOKPUTR1DD9YO+0A+BH$D5HHG0295CQ6VFD:0+9U");
}

static void test_refusals(void **state)
{
    (void)state;
    char text[BORNE_ATTEST_TOKEN_TEXT_LEN + 1], bad[BORNE_ATTEST_TOKEN_TEXT_LEN + 8];
    sign(&sample, sk, text);
    borne_attest_token got;

    /* Every single character changed: never accepted. */
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    for (size_t i = 4; i < strlen(text); i++) {
        memcpy(bad, text, sizeof(text));
        bad[i] = alphabet[(strchr(alphabet, text[i]) - alphabet + 7) % 45];
        borne_token_status st = check(bad, &got);
        assert_true(st == BORNE_TOKEN_BAD_SIGNATURE || st == BORNE_TOKEN_BAD_ENCODING ||
                    st == BORNE_TOKEN_UNKNOWN_KEY);
    }
    /* More minutes, signed by someone else's key under our key id: forged. */
    uint8_t pk2[32], sk2[64];
    crypto_sign_keypair(pk2, sk2);
    borne_attest_token more = sample;
    more.total_minutes = 900;
    sign(&more, sk2, bad);
    assert_int_equal(check(bad, &got), BORNE_TOKEN_BAD_SIGNATURE);
    assert_int_equal(got.total_minutes, 900); /* filled: the caller can say what it claimed */
    /* A key id nobody trusts. */
    more.key_id = 9;
    sign(&more, sk2, bad);
    assert_int_equal(check(bad, &got), BORNE_TOKEN_UNKNOWN_KEY);
    assert_int_equal(borne_attest_token_verify((const uint8_t *)text, strlen(text), NULL, 0, &got),
                     BORNE_TOKEN_UNKNOWN_KEY);
    /* Cut, extended, wrong prefix, other format versions, a badge token. */
    memcpy(bad, text, sizeof(text));
    bad[strlen(bad) - 3] = '\0';
    assert_int_equal(check(bad, &got), BORNE_TOKEN_BAD_LENGTH);
    snprintf(bad, sizeof(bad), "%s00", text);
    assert_int_equal(check(bad, &got), BORNE_TOKEN_BAD_LENGTH);
    snprintf(bad, sizeof(bad), "%s", text);
    bad[2] = '2';
    assert_int_equal(check(bad, &got), BORNE_TOKEN_BAD_VERSION);
    bad[2] = 'X';
    assert_int_equal(check(bad, &got), BORNE_TOKEN_NOT_SIGNED);
    assert_int_equal(check("BA1:", &got), BORNE_TOKEN_BAD_LENGTH);
    assert_int_equal(check("BA1:abc", &got), BORNE_TOKEN_BAD_ENCODING);
    assert_int_equal(check("", &got), BORNE_TOKEN_NOT_SIGNED);
    assert_int_equal(check("BA", &got), BORNE_TOKEN_NOT_SIGNED);
    /* A badge signed with the same key is not an attestation, not even re-prefixed: the
     * domain strings differ and so do the lengths. */
    borne_token badge = {.key_id = 1, .event_id = 2026, .participant_id = 1042};
    char btext[BORNE_TOKEN_TEXT_LEN + 1];
    assert_int_equal(borne_token_sign(&badge, sk, btext, sizeof(btext)), 0);
    assert_int_equal(check(btext, &got), BORNE_TOKEN_NOT_SIGNED);
    memcpy(btext, "BA1:", 4);
    assert_int_equal(check(btext, &got), BORNE_TOKEN_BAD_LENGTH);
    for (int s = 0; s <= BORNE_TOKEN_BAD_SIGNATURE; s++) {
        assert_non_null(borne_attest_token_explain((borne_token_status)s));
    }
    assert_non_null(strstr(borne_attest_token_explain(BORNE_TOKEN_BAD_SIGNATURE), "FORGED"));
}

static void test_hours(void **state)
{
    (void)state;
    char buf[32];
    /* Three 50-minute sessions: 0.83 each, but 2.50 in all (not 2.49). */
    borne_hours_format(50, ',', buf, sizeof(buf));
    assert_string_equal(buf, "0,83");
    borne_hours_format(150, ',', buf, sizeof(buf));
    assert_string_equal(buf, "2,50");
    borne_hours_format(150, '.', buf, sizeof(buf));
    assert_string_equal(buf, "2.50");
    /* Nearest hundredth, half up. */
    borne_hours_format(100, '.', buf, sizeof(buf));
    assert_string_equal(buf, "1.67");
    borne_hours_format(1, '.', buf, sizeof(buf));
    assert_string_equal(buf, "0.02");
    borne_hours_format(0, '.', buf, sizeof(buf));
    assert_string_equal(buf, "0.00");
    borne_hours_format(-5, '.', buf, sizeof(buf));
    assert_string_equal(buf, "0.00");
    borne_hours_format(90, ',', buf, sizeof(buf));
    assert_string_equal(buf, "1,50");
    borne_hours_format(65535, '.', buf, sizeof(buf));
    assert_string_equal(buf, "1092.25");
    assert_int_equal(borne_hours_hundredths(50), 83);
    assert_int_equal(borne_hours_hundredths(150), 250);
}

static void test_days(void **state)
{
    (void)state;
    assert_int_equal(borne_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(borne_days_from_civil(2026, 11, 30), 20787);
    assert_int_equal(borne_days_from_civil(2000, 3, 1), 11017);
    int y, m, d;
    for (int64_t day = 0; day <= 65535; day += 13) {
        borne_civil_from_days(day, &y, &m, &d);
        assert_int_equal(borne_days_from_civil(y, m, d), day);
    }
    borne_civil_from_days(20787, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20261130);
    borne_civil_from_days(65535, &y, &m, &d); /* the last date the field holds */
    assert_int_equal(y * 10000 + m * 100 + d, 21490606);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_hours),
        cmocka_unit_test(test_days),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
