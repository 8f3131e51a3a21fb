/* Tests of core/textenc: what spreadsheet programs save, turned into UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/textenc.h"

#define TEXT(s) s, sizeof(s) - 1

static char *decode(const char *in, size_t len, borne_err want, borne_text_encoding want_enc,
                    char *msg)
{
    char *out = NULL;
    size_t out_len = 0;
    borne_text_encoding enc;
    msg[0] = '\0';
    borne_err err = borne_text_decode(in, len, 1024, &out, &out_len, &enc, msg, 256);
    assert_int_equal(err, want);
    if (!err) {
        assert_int_equal(enc, want_enc);
        assert_int_equal(strlen(out), out_len);
    } else {
        assert_null(out);
        assert_true(msg[0] != '\0');
    }
    return out;
}

static void test_utf8_and_bom(void **state)
{
    (void)state;
    char msg[256];
    char *out = decode(TEXT("id;nom\n1;H\xC3\xA9l\xC3\xA8ne\n"), BORNE_OK, BORNE_TEXT_UTF8, msg);
    assert_string_equal(out, "id;nom\n1;H\xC3\xA9l\xC3\xA8ne\n");
    free(out);
    out = decode(TEXT("\xEF\xBB\xBF{\"id\": 1}"), BORNE_OK, BORNE_TEXT_UTF8_BOM, msg);
    assert_string_equal(out, "{\"id\": 1}");
    free(out);
    out = decode("", 0, BORNE_OK, BORNE_TEXT_UTF8, msg);
    assert_string_equal(out, "");
    free(out);
}

static void test_cp1252(void **state)
{
    (void)state;
    char msg[256];
    /* "Hélène O’Neil;Œuvre" in Windows-1252: é E9, è E8, ’ 92, Œ 8C. */
    char *out =
        decode(TEXT("H\xE9l\xE8ne O\x92Neil;\x8Cuvre\r\n"), BORNE_OK, BORNE_TEXT_CP1252, msg);
    assert_string_equal(out, "H\xC3\xA9l\xC3\xA8ne O\xE2\x80\x99Neil;\xC5\x92uvre\r\n");
    free(out);
}

static void test_utf16(void **state)
{
    (void)state;
    char msg[256];
    char *out = decode(TEXT("\xFF\xFEi\0d\0\t\0\xE9\0\r\0\n\0"), BORNE_OK, BORNE_TEXT_UTF16LE, msg);
    assert_string_equal(out, "id\t\xC3\xA9\r\n");
    free(out);
    out = decode(TEXT("\xFE\xFF\0i\0d\0\t\0\xE9"), BORNE_OK, BORNE_TEXT_UTF16BE, msg);
    assert_string_equal(out, "id\t\xC3\xA9");
    free(out);
    /* Without a byte order mark, UTF-16LE is recognised by its zero bytes. */
    out = decode(TEXT("i\0d\0;\0n\0o\0m\0\n\0"), BORNE_OK, BORNE_TEXT_UTF16LE, msg);
    assert_string_equal(out, "id;nom\n");
    free(out);
    /* A lone high surrogate is not UTF-16. */
    out = decode(TEXT("\xFF\xFE\x00\xD8"), BORNE_ERR_PARSE, BORNE_TEXT_UTF16LE, msg);
    assert_non_null(strstr(msg, "UTF-16LE"));
}

static void test_refused(void **state)
{
    (void)state;
    char msg[256];
    /* Mac Roman: 0x8E is a Mac "é" (Windows-1252 "Ž"), 0x8F a Mac "è" (undefined). */
    decode(TEXT("id;nom\n1;H\x8El\x8Fne\n"), BORNE_ERR_PARSE, BORNE_TEXT_UTF8, msg);
    assert_non_null(strstr(msg, "line 2"));
    assert_non_null(strstr(msg, "Mac Roman"));
    assert_non_null(strstr(msg, "CSV UTF-8"));
    /* UTF-8 with a Windows-1252 line pasted in: refused, not garbled. */
    decode(TEXT("nom\nH\xC3\xA9l\xC3\xA8ne\nFran\xE7ois\n"), BORNE_ERR_PARSE, BORNE_TEXT_UTF8, msg);
    assert_non_null(strstr(msg, "line 3"));
    assert_non_null(strstr(msg, "0xE7"));
    decode(TEXT("\xEF\xBB\xBFnom\n\xE9\n"), BORNE_ERR_PARSE, BORNE_TEXT_UTF8, msg);
    assert_non_null(strstr(msg, "line 2"));
    char big[2048];
    memset(big, 'a', sizeof(big));
    decode(big, sizeof(big), BORNE_ERR_TOO_LARGE, BORNE_TEXT_UTF8, msg);
    /* Windows-1252 that grows past the cap once in UTF-8. */
    memset(big, 0xE9, 1000);
    decode(big, 1000, BORNE_ERR_TOO_LARGE, BORNE_TEXT_UTF8, msg);
}

static void test_ctrl_z(void **state)
{
    (void)state;
    char msg[256];
    char *out = decode(TEXT("id;nom\r\n1;A\r\n\x1A"), BORNE_OK, BORNE_TEXT_UTF8, msg);
    assert_string_equal(out, "id;nom\r\n1;A\r\n");
    free(out);
    out = decode(TEXT("id;nom\r\n1;A\r\n\x1A\r\n"), BORNE_OK, BORNE_TEXT_UTF8, msg);
    assert_string_equal(out, "id;nom\r\n1;A\r\n");
    free(out);
    /* Only at the end: a Ctrl-Z inside the text stays (and the reader refuses it there). */
    out = decode(TEXT("a\x1A"
                      "b"),
                 BORNE_OK, BORNE_TEXT_UTF8, msg);
    assert_string_equal(out, "a\x1A"
                             "b");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_and_bom), cmocka_unit_test(test_cp1252),
        cmocka_unit_test(test_utf16),        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_ctrl_z),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
