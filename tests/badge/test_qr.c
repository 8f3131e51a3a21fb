/* Tests of badge/qr: encoding modes, versions, limits, and that zbar reads back every matrix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "badge/qr.h"
#include "decode.h"

/* A real-length Borne token: "BN1:" + 126 Base45 characters. It must use alphanumeric mode:
 * 130 bytes in 8-bit mode would need version 8 at level M, alphanumeric fits version 6. */
static void test_token_is_small_and_decodes(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 20; seed++) {
        char token[200];
        test_make_token(token, 126, seed);
        borne_qr qr = {0};
        assert_int_equal(borne_qr_encode(token, strlen(token), &qr), BORNE_OK);
        assert_in_range(borne_qr_version(&qr), 1, 6);
        assert_int_equal(qr.size, 17 + 4 * qr.version);
        char out[256];
        assert_int_equal(test_decode_qr(&qr, 4, out, sizeof out), (long)strlen(token));
        assert_string_equal(out, token);
        borne_qr_clear(&qr);
    }
}

static void test_lowercase_is_kept(void **state)
{
    (void)state;
    const char *text = "https://example.org/Mon-Dossier?id=42";
    borne_qr qr = {0};
    assert_int_equal(borne_qr_encode(text, strlen(text), &qr), BORNE_OK);
    char out[256];
    assert_int_equal(test_decode_qr(&qr, 4, out, sizeof out), (long)strlen(text));
    assert_string_equal(out, text);
    borne_qr_clear(&qr);
}

static void test_bytes_with_nul(void **state)
{
    (void)state;
    const char data[] = {'a', '\0', 'b', 'c', '\x7f', '\0', 'z'};
    borne_qr qr = {0};
    assert_int_equal(borne_qr_encode(data, sizeof data, &qr), BORNE_OK);
    assert_int_equal(borne_qr_version(&qr), 1);
    char out[64];
    assert_int_equal(test_decode_qr(&qr, 4, out, sizeof out), (long)sizeof data);
    assert_memory_equal(out, data, sizeof data);
    borne_qr_clear(&qr);
}

/* The finder pattern sits in the top-left corner: dark ring, light ring, dark centre, then
 * a light separator; outside the symbol everything reads light. */
static void test_matrix_layout(void **state)
{
    (void)state;
    borne_qr qr = {0};
    assert_int_equal(borne_qr_encode("BN1:ABC", 7, &qr), BORNE_OK);
    assert_int_equal(qr.size, 21);
    assert_int_equal(borne_qr_version(&qr), 1);
    assert_int_equal(borne_qr_dark(&qr, 0, 0), 1);
    assert_int_equal(borne_qr_dark(&qr, 6, 0), 1);
    assert_int_equal(borne_qr_dark(&qr, 1, 1), 0);
    assert_int_equal(borne_qr_dark(&qr, 3, 3), 1);
    assert_int_equal(borne_qr_dark(&qr, 7, 7), 0);
    assert_int_equal(borne_qr_dark(&qr, 20, 0), 1); /* top-right finder */
    assert_int_equal(borne_qr_dark(&qr, -1, 0), 0);
    assert_int_equal(borne_qr_dark(&qr, 0, 21), 0);
    for (int i = 0; i < qr.size * qr.size; i++) {
        assert_true(qr.modules[i] == 0 || qr.modules[i] == 1);
    }
    borne_qr_clear(&qr);
    assert_null(qr.modules);
    assert_int_equal(qr.size, 0);
    assert_int_equal(borne_qr_version(&qr), 0);
    assert_int_equal(borne_qr_dark(&qr, 0, 0), 0);
}

static void test_bad_input(void **state)
{
    (void)state;
    borne_qr qr = {0};
    assert_int_equal(borne_qr_encode(NULL, 3, &qr), BORNE_ERR_INVALID);
    assert_int_equal(borne_qr_encode("abc", 0, &qr), BORNE_ERR_INVALID);
    assert_int_equal(borne_qr_encode("abc", 3, NULL), BORNE_ERR_INVALID);
    assert_null(qr.modules);

    static char big[BORNE_QR_MAX_INPUT + 1];
    memset(big, 'x', sizeof big);
    assert_int_equal(borne_qr_encode(big, sizeof big, &qr), BORNE_ERR_TOO_LARGE);
    assert_null(qr.modules);
    assert_int_equal(borne_qr_encode(big, BORNE_QR_MAX_INPUT, &qr), BORNE_OK);
    assert_true(qr.version > 20);
    borne_qr_clear(&qr);

    borne_qr_clear(NULL);
    borne_qr_clear(&qr); /* clearing twice is fine */
    assert_int_equal(borne_qr_version(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_is_small_and_decodes),
        cmocka_unit_test(test_lowercase_is_kept),
        cmocka_unit_test(test_bytes_with_nul),
        cmocka_unit_test(test_matrix_layout),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
