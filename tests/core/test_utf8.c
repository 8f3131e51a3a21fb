/* Tests of core/utf8: strict validation (overlongs, surrogates, range, truncation) and the
 * display sanitiser (controls, bidi characters, invalid bytes, caps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"

static bool valid(const char *s)
{
    return borne_utf8_valid(s, strlen(s), NULL);
}

static void test_valid_text(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(valid("Hélène Côté"));
    assert_true(valid("\xE2\x82\xAC"));     /* € */
    assert_true(valid("\xF0\x9F\x98\x80")); /* emoji, 4 bytes */
    assert_true(valid("\xF4\x8F\xBF\xBF")); /* U+10FFFF */
    assert_true(valid("\xED\x9F\xBF"));     /* U+D7FF, just below surrogates */
    assert_true(valid("\xEE\x80\x80"));     /* U+E000, just above */
    assert_true(borne_utf8_valid("a\0b", 3, NULL));
}

static void test_invalid_text(void **state)
{
    (void)state;
    size_t off = 99;
    assert_false(borne_utf8_valid("ab\xC3", 3, &off)); /* truncated at the end */
    assert_int_equal(off, 2);
    assert_false(valid("\xC0\xAF"));         /* overlong '/' */
    assert_false(valid("\xC1\xBF"));         /* overlong */
    assert_false(valid("\xE0\x80\xAF"));     /* overlong 3-byte */
    assert_false(valid("\xF0\x80\x80\xAF")); /* overlong 4-byte */
    assert_false(valid("\xED\xA0\x80"));     /* U+D800 surrogate */
    assert_false(valid("\xED\xBF\xBF"));     /* U+DFFF surrogate */
    assert_false(valid("\xF4\x90\x80\x80")); /* U+110000 */
    assert_false(valid("\xF5\x80\x80\x80")); /* lead byte out of range */
    assert_false(valid("\xFF"));
    assert_false(valid("\x80"));         /* stray continuation */
    assert_false(valid("H\xE9l\xE8ne")); /* Latin-1 text */
    off = 99;
    assert_false(borne_utf8_valid("ok\xE2\x82z", 5, &off)); /* cut by a non-continuation */
    assert_int_equal(off, 2);
}

static void test_decode_lengths(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(borne_utf8_decode("\xC3\xA9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(borne_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    /* Maximal ill-formed prefix: E2 82 then 'A' -> 2 bytes skipped. */
    assert_int_equal(borne_utf8_decode("\xE2\x82"
                                       "A",
                                       3, &cp),
                     2);
    assert_int_equal(cp, BORNE_UTF8_INVALID);
    /* E0 80: the second byte is not allowed after E0, so only the lead is skipped. */
    assert_int_equal(borne_utf8_decode("\xE0\x80\x80", 3, &cp), 1);
    assert_int_equal(cp, BORNE_UTF8_INVALID);
    assert_int_equal(borne_utf8_decode("\xF0\x9F\x98", 3, &cp), 3); /* truncated at the end */
    assert_int_equal(cp, BORNE_UTF8_INVALID);
}

static void test_encode_roundtrip(void **state)
{
    (void)state;
    static const uint32_t cps[] = {0,      0x41,   0x7F,   0x80,   0x7FF,   0x800,
                                   0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF};
    for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
        char buf[4];
        size_t n = borne_utf8_encode(cps[i], buf);
        assert_true(n >= 1 && n <= 4);
        uint32_t back;
        assert_int_equal(borne_utf8_decode(buf, n, &back), n);
        assert_int_equal(back, cps[i]);
    }
    char buf[4];
    assert_int_equal(borne_utf8_encode(0xD800, buf), 0);
    assert_int_equal(borne_utf8_encode(0x110000, buf), 0);
}

static void sanitize(const char *in, size_t len, unsigned flags, const char *expect)
{
    char out[128];
    size_t n = 0;
    assert_int_equal(borne_utf8_sanitize(out, sizeof(out), in, len, flags, &n), BORNE_OK);
    assert_string_equal(out, expect);
    assert_int_equal(n, strlen(expect));
}

static void test_sanitize_keeps_names(void **state)
{
    (void)state;
    sanitize("Hélène Côté-Boucher", strlen("Hélène Côté-Boucher"), 0, "Hélène Côté-Boucher");
    sanitize("", 0, 0, "");
}

static void test_sanitize_controls(void **state)
{
    (void)state;
    sanitize("a\tb\nc", 5, 0,
             "a\xEF\xBF\xBD"
             "b\xEF\xBF\xBD"
             "c");
    sanitize("a\x7F"
             "b",
             3, BORNE_UTF8_REPLACE_ASCII, "a?b");
    sanitize("a\0b", 3, BORNE_UTF8_REPLACE_ASCII, "a?b");
    sanitize("x\xC2\x85y", 4, BORNE_UTF8_REPLACE_ASCII, "x?y"); /* C1 NEL */
    sanitize("\x1B[31mred", 8, BORNE_UTF8_REPLACE_ASCII, "?[31mred");
    sanitize("a\xE2\x80\xA8"
             "b",
             5, BORNE_UTF8_REPLACE_ASCII, "a?b"); /* line separator */
}

static void test_sanitize_bidi(void **state)
{
    (void)state;
    /* RIGHT-TO-LEFT OVERRIDE would display "evil.exe" reversed. */
    sanitize("\xE2\x80\xAE"
             "exe.live",
             11, BORNE_UTF8_REPLACE_ASCII, "?exe.live");
    static const char *const bidi[] = {
        "\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE", /* 202A-E */
        "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9", /* 2066-2069 */
        "\xE2\x80\x8E", "\xE2\x80\x8F", "\xD8\x9C",                     /* LRM RLM ALM */
    };
    for (size_t i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++) {
        sanitize(bidi[i], strlen(bidi[i]), 0, "\xEF\xBF\xBD");
    }
    /* Neighbours of the ranges are kept. */
    sanitize("\xE2\x80\xA9", 3, 0, "\xEF\xBF\xBD"); /* U+2029 is unsafe too */
    sanitize("\xE2\x80\xAF", 3, 0, "\xE2\x80\xAF"); /* U+202F narrow no-break space */
    sanitize("\xE2\x81\xA5", 3, 0, "\xE2\x81\xA5"); /* U+2065 */
    sanitize("\xE2\x81\xAA", 3, 0, "\xE2\x81\xAA"); /* U+206A */
}

static void test_sanitize_invalid(void **state)
{
    (void)state;
    sanitize("H\xE9lo", 4, BORNE_UTF8_REPLACE_ASCII, "H?lo");
    sanitize("\xED\xA0\x80", 3, BORNE_UTF8_REPLACE_ASCII, "???"); /* surrogate: 3 bad bytes */
    sanitize("\xE2\x82"
             "A",
             3, 0,
             "\xEF\xBF\xBD"
             "A"); /* one U+FFFD for E2 82 */
    sanitize("\xC0\xAF", 2, BORNE_UTF8_REPLACE_ASCII, "??");
}

static void test_sanitize_cap(void **state)
{
    (void)state;
    char out[6];
    size_t n = 99;
    /* "éé" needs 4 bytes + NUL; "ééé" does not fit in 6: stop before the third é. */
    assert_int_equal(borne_utf8_sanitize(out, sizeof(out), "ééé", 6, 0, &n), BORNE_ERR_TOO_LARGE);
    assert_string_equal(out, "éé");
    assert_int_equal(n, 4);
    /* A replacement character (3 bytes) that does not fit is left out whole. */
    assert_int_equal(borne_utf8_sanitize(out, 5, "ab\x01", 3, 0, &n), BORNE_ERR_TOO_LARGE);
    assert_string_equal(out, "ab");
    /* Exactly fitting is not truncation. */
    assert_int_equal(borne_utf8_sanitize(out, sizeof(out), "abcde", 5, 0, &n), BORNE_OK);
    assert_string_equal(out, "abcde");
    char one[1];
    assert_int_equal(borne_utf8_sanitize(one, 1, "a", 1, 0, &n), BORNE_ERR_TOO_LARGE);
    assert_string_equal(one, "");
    assert_int_equal(borne_utf8_sanitize(NULL, 0, "a", 1, 0, &n), BORNE_ERR_INVALID);
    /* The output is always valid UTF-8 without unsafe characters. */
    char big[64];
    const char junk[] = "\xF0\x9F\x98\x80\xFF\xE2\x80\xAE\xC3\xA9\x00\x80z";
    borne_utf8_sanitize(big, sizeof(big), junk, sizeof(junk) - 1, 0, &n);
    assert_true(borne_utf8_valid(big, n, NULL));
    assert_string_equal(big, "\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9\xEF\xBF\xBD"
                             "\xEF\xBF\xBDz");
}

/* Header and value keys: NFC or NFD, case, no-break spaces, invisible characters, accents. */
static void test_fold(void **state)
{
    (void)state;
    char k[64];
    const char *nfd = "Se\xCC\x81"
                      "ances"; /* "Séances" decomposed */
    const char *nbsp = "\xC2\xA0S\xC3\xA9"
                       "ances\xE2\x80\xAF"; /* no-break, narrow no-break */
    assert_int_equal(borne_utf8_fold(nfd, strlen(nfd), 0, k, sizeof(k)), BORNE_OK);
    assert_string_equal(k, "s\xC3\xA9"
                           "ances");
    assert_int_equal(borne_utf8_fold(nbsp, strlen(nbsp), 0, k, sizeof(k)), BORNE_OK);
    assert_string_equal(k, "s\xC3\xA9"
                           "ances");
    const char *caps = "  CONFIRM\xC3\x89\t ";
    assert_int_equal(borne_utf8_fold(caps, strlen(caps), BORNE_FOLD_ACCENTS, k, sizeof(k)),
                     BORNE_OK);
    assert_string_equal(k, "confirme");
    const char *inner = "\xC3\x80  v\xC3\xA9rifier\xE2\x80\x8B"; /* zero-width space */
    assert_int_equal(borne_utf8_fold(inner, strlen(inner), BORNE_FOLD_ACCENTS, k, sizeof(k)),
                     BORNE_OK);
    assert_string_equal(k, "a verifier");
    assert_int_equal(borne_utf8_fold("\xFF", 1, 0, k, sizeof(k)), BORNE_ERR_INVALID);
    assert_string_equal(k, "");
    assert_int_equal(borne_utf8_fold("abcdef", 6, 0, k, 4), BORNE_ERR_TOO_LARGE);
    char name[32] = "He\xCC\x81le\xCC\x80ne";
    assert_int_equal(borne_utf8_nfc(name, sizeof(name)), BORNE_OK);
    assert_string_equal(name, "H\xC3\xA9l\xC3\xA8ne");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_valid_text),
        cmocka_unit_test(test_invalid_text),
        cmocka_unit_test(test_decode_lengths),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_sanitize_keeps_names),
        cmocka_unit_test(test_sanitize_controls),
        cmocka_unit_test(test_sanitize_bidi),
        cmocka_unit_test(test_sanitize_invalid),
        cmocka_unit_test(test_sanitize_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
