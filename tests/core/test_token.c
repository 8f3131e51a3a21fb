/* Tests of Base45 and signed badge tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "core/base45.h"
#include "core/token.h"

static uint8_t pk[32], sk[64], other_pk[32], other_sk[64];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) {
        return -1;
    }
    uint8_t seed[32];
    memset(seed, 7, sizeof(seed));
    crypto_sign_seed_keypair(pk, sk, seed);
    memset(seed, 9, sizeof(seed));
    crypto_sign_seed_keypair(other_pk, other_sk, seed);
    return 0;
}

static void test_base45_rfc_vectors(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(borne_base45_encode((const uint8_t *)"AB", 2, out, sizeof(out)), BORNE_OK);
    assert_string_equal(out, "BB8");
    assert_int_equal(borne_base45_encode((const uint8_t *)"Hello!!", 7, out, sizeof(out)),
                     BORNE_OK);
    assert_string_equal(out, "%69 VD92EX0");
    assert_int_equal(borne_base45_encode((const uint8_t *)"base-45", 7, out, sizeof(out)),
                     BORNE_OK);
    assert_string_equal(out, "UJCLQE7W581");
    uint8_t dec[32];
    size_t n = 0;
    assert_int_equal(borne_base45_decode("QED8WEX0", 8, dec, sizeof(dec), &n), BORNE_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(dec, "ietf!", 5);
}

static void test_base45_rejects(void **state)
{
    (void)state;
    uint8_t dec[32];
    size_t n;
    assert_int_equal(borne_base45_decode("GGW", 3, dec, sizeof(dec), &n), BORNE_ERR_PARSE);
    assert_int_equal(borne_base45_decode("ZZZZ", 4, dec, sizeof(dec), &n), BORNE_ERR_PARSE);
    assert_int_equal(borne_base45_decode("ab", 2, dec, sizeof(dec), &n), BORNE_ERR_PARSE);
    assert_int_equal(borne_base45_decode("A\0B", 3, dec, sizeof(dec), &n), BORNE_ERR_PARSE);
    assert_int_equal(borne_base45_decode("BB8BB8", 6, dec, 3, &n), BORNE_ERR_TOO_LARGE);
}

static void test_base45_roundtrip_all_lengths(void **state)
{
    (void)state;
    uint8_t in[100], back[100];
    char text[200];
    for (size_t len = 0; len <= sizeof(in); len++) {
        randombytes_buf(in, len);
        assert_int_equal(borne_base45_encode(in, len, text, sizeof(text)), BORNE_OK);
        assert_int_equal(strlen(text), borne_base45_encoded_len(len));
        size_t n = 0;
        assert_int_equal(borne_base45_decode(text, strlen(text), back, sizeof(back), &n), BORNE_OK);
        assert_int_equal(n, len);
        assert_memory_equal(in, back, len);
    }
}

static borne_token sample(void)
{
    return (borne_token){.flags = BORNE_TOKEN_FLAG_MEMBER,
                         .key_id = 3,
                         .event_id = 2026,
                         .participant_id = 123456,
                         .valid_from = 1779000000,
                         .valid_until = 1780000000};
}

static void sign_sample(char *text, size_t cap)
{
    borne_token tok = sample();
    assert_int_equal(borne_token_sign(&tok, sk, text, cap), BORNE_OK);
}

static void test_token_roundtrip(void **state)
{
    (void)state;
    char text[BORNE_TOKEN_TEXT_LEN + 1];
    sign_sample(text, sizeof(text));
    assert_int_equal(strlen(text), BORNE_TOKEN_TEXT_LEN);
    assert_memory_equal(text, "BN1:", 4);
    /* Only characters of the QR alphanumeric mode. */
    for (size_t i = 0; text[i]; i++) {
        assert_non_null(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", text[i]));
    }
    borne_pubkey keys[] = {{.key_id = 1}, {.key_id = 3}};
    memcpy(keys[0].key, other_pk, 32);
    memcpy(keys[1].key, pk, 32);
    borne_token got;
    assert_int_equal(borne_token_verify((const uint8_t *)text, strlen(text), keys, 2, 2026,
                                        1779500000, true, &got),
                     BORNE_TOKEN_OK);
    borne_token want = sample();
    want.version = BORNE_TOKEN_VERSION;
    assert_memory_equal(&got, &want, sizeof(got));
}

static void test_token_distinct_refusals(void **state)
{
    (void)state;
    char text[BORNE_TOKEN_TEXT_LEN + 1];
    sign_sample(text, sizeof(text));
    size_t len = strlen(text);
    const uint8_t *t = (const uint8_t *)text;
    borne_pubkey key = {.key_id = 3};
    memcpy(key.key, pk, 32);
    borne_pubkey wrong = {.key_id = 3};
    memcpy(wrong.key, other_pk, 32);
    borne_pubkey other_id = {.key_id = 4};
    memcpy(other_id.key, pk, 32);
    borne_token got;

    assert_int_equal(borne_token_verify(t, len, &other_id, 1, 2026, 1779500000, true, &got),
                     BORNE_TOKEN_UNKNOWN_KEY);
    assert_int_equal(borne_token_verify(t, len, &wrong, 1, 2026, 1779500000, true, &got),
                     BORNE_TOKEN_BAD_SIGNATURE);
    assert_int_equal(borne_token_verify(t, len, &key, 1, 2027, 1779500000, true, &got),
                     BORNE_TOKEN_WRONG_EVENT);
    assert_int_equal(borne_token_verify(t, len, &key, 1, 2026, 1778000000, true, &got),
                     BORNE_TOKEN_NOT_YET_VALID);
    assert_int_equal(borne_token_verify(t, len, &key, 1, 2026, 1790000000, true, &got),
                     BORNE_TOKEN_EXPIRED);
    /* With an untrusted clock the window is not judged. */
    assert_int_equal(borne_token_verify(t, len, &key, 1, 2026, 0, false, &got), BORNE_TOKEN_OK);
    assert_int_equal(borne_token_verify(t, len - 3, &key, 1, 2026, 1779500000, true, &got),
                     BORNE_TOKEN_BAD_LENGTH);
    assert_int_equal(borne_token_verify(t, len - 1, &key, 1, 2026, 1779500000, true, &got),
                     BORNE_TOKEN_BAD_ENCODING);
    assert_int_equal(borne_token_verify((const uint8_t *)"hello", 5, &key, 1, 2026, 0, true, &got),
                     BORNE_TOKEN_NOT_SIGNED);
    char lower[BORNE_TOKEN_TEXT_LEN + 1];
    memcpy(lower, text, sizeof(lower));
    lower[10] = 'a';
    assert_int_equal(
        borne_token_verify((const uint8_t *)lower, len, &key, 1, 2026, 1779500000, true, &got),
        BORNE_TOKEN_BAD_ENCODING);
}

/* Every single-bit change of the binary record is caught: never accepted as genuine. */
static void test_token_every_bit_flip_refused(void **state)
{
    (void)state;
    char text[BORNE_TOKEN_TEXT_LEN + 1];
    sign_sample(text, sizeof(text));
    uint8_t raw[BORNE_TOKEN_RAW_LEN];
    size_t n;
    assert_int_equal(borne_base45_decode(text + 4, strlen(text) - 4, raw, sizeof(raw), &n),
                     BORNE_OK);
    borne_pubkey key = {.key_id = 3};
    memcpy(key.key, pk, 32);
    for (size_t bit = 0; bit < BORNE_TOKEN_RAW_LEN * 8; bit++) {
        uint8_t flipped[BORNE_TOKEN_RAW_LEN];
        memcpy(flipped, raw, sizeof(raw));
        flipped[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        char altered[BORNE_TOKEN_TEXT_LEN + 1] = "BN1:";
        assert_int_equal(
            borne_base45_encode(flipped, sizeof(flipped), altered + 4, sizeof(altered) - 4),
            BORNE_OK);
        borne_token_status st = borne_token_verify((const uint8_t *)altered, strlen(altered), &key,
                                                   1, 2026, 1779500000, true, NULL);
        assert_int_not_equal(st, BORNE_TOKEN_OK);
    }
}

static void test_token_flags_and_version(void **state)
{
    (void)state;
    borne_token tok = sample();
    tok.flags = 0x80;
    char text[BORNE_TOKEN_TEXT_LEN + 1];
    assert_int_equal(borne_token_sign(&tok, sk, text, sizeof(text)), BORNE_ERR_INVALID);
    assert_int_equal(borne_token_sign(&tok, sk, text, 10), BORNE_ERR_INVALID);
    tok.flags = BORNE_TOKEN_FLAG_STAFF;
    assert_int_equal(borne_token_sign(&tok, sk, text, sizeof(text)), BORNE_OK);
    borne_token got;
    assert_int_equal(borne_token_parse((const uint8_t *)text, strlen(text), &got, NULL),
                     BORNE_TOKEN_OK);
    assert_int_equal(got.flags, BORNE_TOKEN_FLAG_STAFF);
    assert_string_equal(borne_token_status_name(BORNE_TOKEN_BAD_SIGNATURE), "bad-signature");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base45_rfc_vectors),
        cmocka_unit_test(test_base45_rejects),
        cmocka_unit_test(test_base45_roundtrip_all_lengths),
        cmocka_unit_test(test_token_roundtrip),
        cmocka_unit_test(test_token_distinct_refusals),
        cmocka_unit_test(test_token_every_bit_flip_refused),
        cmocka_unit_test(test_token_flags_and_version),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
