/* Tests of core/csv: the reader on real-world exports (quotes, accents, BOM, CRLF, ';'), its
 * errors with line numbers and caps, the header helper, and the writer (quoting, formula
 * neutralising, exact round trip, buffer cap, file output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"

/* A reader over a string literal. */
static struct borne_csv_reader *open_text(const char *text, size_t len, enum borne_csv_sep sep)
{
    struct borne_csv_reader *r = NULL;
    assert_int_equal(borne_csv_reader_new(&r, text, len, sep), BORNE_OK);
    assert_non_null(r);
    return r;
}

static void expect_record(struct borne_csv_reader *r, unsigned long line, size_t count, ...)
{
    struct borne_csv_record rec;
    char msg[BORNE_CSV_MSG_MAX] = "";
    borne_err err = borne_csv_read(r, &rec, msg, sizeof(msg));
    if (err) {
        fail_msg("unexpected error: %s", msg);
    }
    assert_int_equal(rec.line, line);
    assert_int_equal(rec.count, count);
    va_list ap;
    va_start(ap, count);
    for (size_t i = 0; i < count; i++) {
        const char *want = va_arg(ap, const char *);
        assert_string_equal(rec.fields[i], want);
        assert_int_equal(rec.lengths[i], strlen(want));
    }
    va_end(ap);
}

static void expect_end(struct borne_csv_reader *r)
{
    struct borne_csv_record rec;
    assert_int_equal(borne_csv_read(r, &rec, NULL, 0), BORNE_OK);
    assert_int_equal(rec.count, 0);
    /* End is stable. */
    assert_int_equal(borne_csv_read(r, &rec, NULL, 0), BORNE_OK);
    assert_int_equal(rec.count, 0);
}

static void expect_error(const char *text, size_t len, enum borne_csv_sep sep, size_t good,
                         borne_err want, const char *want_msg)
{
    struct borne_csv_reader *r = open_text(text, len, sep);
    struct borne_csv_record rec;
    char msg[BORNE_CSV_MSG_MAX] = "";
    for (size_t i = 0; i < good; i++) {
        assert_int_equal(borne_csv_read(r, &rec, msg, sizeof(msg)), BORNE_OK);
        assert_true(rec.count > 0);
    }
    assert_int_equal(borne_csv_read(r, &rec, msg, sizeof(msg)), want);
    assert_string_equal(msg, want_msg);
    /* Sticky. */
    msg[0] = '\0';
    assert_int_equal(borne_csv_read(r, &rec, msg, sizeof(msg)), want);
    assert_string_equal(msg, want_msg);
    borne_csv_reader_free(r);
}

#define TEXT(s) s, sizeof(s) - 1

static void test_simple_and_quoted(void **state)
{
    (void)state;
    struct borne_csv_reader *r =
        open_text(TEXT("code,name,org\n"
                       "A1,\"Tremblay, Hélène\",\"Ville de \"\"Lévis\"\"\"\n"
                       "B2,Marc,\n"),
                  BORNE_CSV_SEP_AUTO);
    assert_int_equal(borne_csv_reader_separator(r), ',');
    expect_record(r, 1, 3, "code", "name", "org");
    expect_record(r, 2, 3, "A1", "Tremblay, Hélène", "Ville de \"Lévis\"");
    expect_record(r, 3, 2, "B2", "Marc"); /* trailing separator dropped */
    expect_end(r);
    borne_csv_reader_free(r);
}

static void test_newline_inside_quotes(void **state)
{
    (void)state;
    struct borne_csv_reader *r =
        open_text(TEXT("a,b\n1,\"two\nlines\"\n\"x\r\ny\",z\n3,4"), BORNE_CSV_SEP_COMMA);
    expect_record(r, 1, 2, "a", "b");
    expect_record(r, 2, 2, "1", "two\nlines");
    expect_record(r, 4, 2, "x\r\ny", "z"); /* CRLF kept as it is inside quotes */
    expect_record(r, 6, 2, "3", "4");      /* no final line end */
    expect_end(r);
    borne_csv_reader_free(r);
}

static void test_bom_crlf_semicolon(void **state)
{
    (void)state;
    /* What French Excel writes: BOM, ';', CRLF, a decimal comma, a blank row of separators. */
    struct borne_csv_reader *r = open_text(TEXT("\xEF\xBB\xBFNom;Prénom;Heures\r\n"
                                                "Côté;Hélène;1,5\r\n"
                                                ";;\r\n"
                                                "\r\n"
                                                "\"O'Neil; Jr\";Émile;3\r\n"),
                                           BORNE_CSV_SEP_AUTO);
    assert_int_equal(borne_csv_reader_separator(r), ';');
    expect_record(r, 1, 3, "Nom", "Prénom", "Heures");
    expect_record(r, 2, 3, "Côté", "Hélène", "1,5");
    expect_record(r, 5, 3, "O'Neil; Jr", "Émile", "3");
    expect_end(r);
    borne_csv_reader_free(r);
}

static void test_separator_detection(void **state)
{
    (void)state;
    /* A comma inside quotes does not count; blank lines before the header are skipped. */
    struct borne_csv_reader *r = open_text(TEXT("\n\n\"a,b,c\";d\n1;2\n"), BORNE_CSV_SEP_AUTO);
    assert_int_equal(borne_csv_reader_separator(r), ';');
    expect_record(r, 3, 2, "a,b,c", "d");
    borne_csv_reader_free(r);
    r = open_text(TEXT("a;b,c,d\n"), BORNE_CSV_SEP_AUTO);
    assert_int_equal(borne_csv_reader_separator(r), ',');
    borne_csv_reader_free(r);
    /* Forcing ',' on a ';' file gives one field per line. */
    r = open_text(TEXT("a;b\n"), BORNE_CSV_SEP_COMMA);
    expect_record(r, 1, 1, "a;b");
    borne_csv_reader_free(r);
    r = NULL;
    assert_int_equal(borne_csv_reader_new(&r, "a", 1, (enum borne_csv_sep)'|'), BORNE_ERR_INVALID);
    assert_null(r);
    /* Tab-separated ("Unicode text" from Excel): tabs outnumber ',' and ';' on the header. */
    r = open_text(TEXT("id\tnom\tville, province\n1\tAnne;B\tLévis, QC\n"), BORNE_CSV_SEP_AUTO);
    assert_int_equal(borne_csv_reader_separator(r), '\t');
    expect_record(r, 1, 3, "id", "nom", "ville, province");
    expect_record(r, 2, 3, "1", "Anne;B", "Lévis, QC");
    borne_csv_reader_free(r);
    r = NULL;
    assert_null(r);
}

static void test_blank_and_empty_fields(void **state)
{
    (void)state;
    struct borne_csv_reader *r =
        open_text(TEXT("a,,c\n\n,,\n\"\"\n,\"\"\nx,\n\r\r\n"), BORNE_CSV_SEP_COMMA);
    expect_record(r, 1, 3, "a", "", "c");
    expect_record(r, 4, 1, ""); /* a quoted empty field is a record, not a blank line */
    expect_record(r, 5, 2, "", "");
    expect_record(r, 6, 1, "x");
    expect_end(r);
    borne_csv_reader_free(r);
    r = open_text("", 0, BORNE_CSV_SEP_AUTO);
    expect_end(r);
    borne_csv_reader_free(r);
    r = open_text(TEXT("\xEF\xBB\xBF"), BORNE_CSV_SEP_AUTO);
    expect_end(r);
    borne_csv_reader_free(r);
}

static void test_old_mac_line_ends_and_stray_quote(void **state)
{
    (void)state;
    struct borne_csv_reader *r = open_text(TEXT("a,b\rc,5\" screen\r"), BORNE_CSV_SEP_COMMA);
    expect_record(r, 1, 2, "a", "b");
    expect_record(r, 2, 2, "c", "5\" screen"); /* a quote inside an unquoted field is text */
    expect_end(r);
    borne_csv_reader_free(r);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    expect_error(TEXT("a,b\n1,2\n3,\"never\nclosed\n4,5\n"), BORNE_CSV_SEP_COMMA, 2,
                 BORNE_ERR_PARSE, "line 3: quoted field never closed (missing '\"')");
}

static void test_text_after_closing_quote(void **state)
{
    (void)state;
    expect_error(TEXT("a\n\"b\"c\n"), BORNE_CSV_SEP_COMMA, 1, BORNE_ERR_PARSE,
                 "line 2: text after the closing quote of a field");
}

static void test_invalid_utf8_and_nul(void **state)
{
    (void)state;
    /* Latin-1 "Hélène" (a file saved as ANSI) on line 3 after a multi-line field. */
    expect_error(TEXT("n\n\"x\ny\"\nH\xE9l\xE8ne\n"), BORNE_CSV_SEP_COMMA, 2, BORNE_ERR_PARSE,
                 "line 4: invalid UTF-8 (save the file as UTF-8)");
    expect_error(TEXT("a\nb\xED\xA0\x80\n"), BORNE_CSV_SEP_COMMA, 1, BORNE_ERR_PARSE,
                 "line 2: invalid UTF-8 (save the file as UTF-8)");
    expect_error(TEXT("a\n\"b\0\"\n"), BORNE_CSV_SEP_COMMA, 1, BORNE_ERR_PARSE,
                 "line 2: NUL byte in the text");
}

static void test_field_cap(void **state)
{
    (void)state;
    size_t n = BORNE_CSV_FIELD_MAX;
    char *text = malloc(n + 16);
    assert_non_null(text);
    /* Exactly the cap: accepted. */
    memset(text, 'x', n);
    memcpy(text + n, "\n", 1);
    struct borne_csv_reader *r = open_text(text, n + 1, BORNE_CSV_SEP_COMMA);
    struct borne_csv_record rec;
    assert_int_equal(borne_csv_read(r, &rec, NULL, 0), BORNE_OK);
    assert_int_equal(rec.lengths[0], n);
    borne_csv_reader_free(r);
    /* One byte more, on line 2, quoted: refused. */
    memcpy(text, "h\n\"", 3);
    memset(text + 3, 'y', n + 1);
    memcpy(text + 3 + n + 1, "\"\n", 2);
    expect_error(text, n + 6, BORNE_CSV_SEP_COMMA, 1, BORNE_ERR_TOO_LARGE,
                 "line 2: field longer than 4096 bytes");
    free(text);
}

static void test_fields_cap(void **state)
{
    (void)state;
    char text[4 * (BORNE_CSV_FIELDS_MAX + 2)];
    size_t n = 0;
    for (int i = 0; i < BORNE_CSV_FIELDS_MAX; i++) {
        n += (size_t)sprintf(text + n, "%s1", i ? "," : "");
    }
    /* 256 fields plus a trailing separator: accepted. */
    text[n++] = ',';
    text[n++] = '\n';
    struct borne_csv_reader *r = open_text(text, n, BORNE_CSV_SEP_COMMA);
    struct borne_csv_record rec;
    assert_int_equal(borne_csv_read(r, &rec, NULL, 0), BORNE_OK);
    assert_int_equal(rec.count, BORNE_CSV_FIELDS_MAX);
    borne_csv_reader_free(r);
    /* 257 fields: refused, naming the line. */
    n -= 2;
    memcpy(text + n, ",2\n", 3);
    n += 3;
    expect_error(text, n, BORNE_CSV_SEP_COMMA, 0, BORNE_ERR_TOO_LARGE,
                 "line 1: more than 256 fields in one record");
}

static void test_message_truncation(void **state)
{
    (void)state;
    struct borne_csv_reader *r = open_text(TEXT("\"abc"), BORNE_CSV_SEP_COMMA);
    struct borne_csv_record rec;
    char msg[8];
    assert_int_equal(borne_csv_read(r, &rec, msg, sizeof(msg)), BORNE_ERR_PARSE);
    assert_string_equal(msg, "line 1:");
    borne_csv_reader_free(r);
}

static void test_find_column(void **state)
{
    (void)state;
    struct borne_csv_reader *r =
        open_text(TEXT(" Code ;PRÉNOM;Nom;Display_Name\n"), BORNE_CSV_SEP_AUTO);
    struct borne_csv_record h;
    assert_int_equal(borne_csv_read(r, &h, NULL, 0), BORNE_OK);
    static const char *const name[] = {"display_name", "nom", "name", NULL};
    static const char *const first[] = {"prénom", "first_name", NULL};
    static const char *const code[] = {"code", NULL};
    static const char *const email[] = {"email", "courriel", NULL};
    static const char *const nom_first[] = {"nom", "display_name", NULL};
    assert_int_equal(borne_csv_find_column(&h, name), 3); /* preferred alias wins */
    assert_int_equal(borne_csv_find_column(&h, nom_first), 2);
    assert_int_equal(borne_csv_find_column(&h, first), 1); /* accented case folding */
    assert_int_equal(borne_csv_find_column(&h, code), 0);  /* surrounding spaces ignored */
    assert_int_equal(borne_csv_find_column(&h, email), -1);
    assert_string_equal(borne_csv_field(&h, 2), "Nom");
    assert_string_equal(borne_csv_field(&h, 4), "");
    assert_string_equal(borne_csv_field(&h, -1), "");
    static const char *const partial[] = {"no", "cod", NULL};
    assert_int_equal(borne_csv_find_column(&h, partial), -1); /* no prefix matches */
    borne_csv_reader_free(r);
}

/* ---- writer ---- */

static struct borne_csv_writer *buffer_writer(size_t cap, char sep, unsigned flags)
{
    struct borne_csv_writer *w = NULL;
    assert_int_equal(borne_csv_writer_new_buffer(&w, cap, sep, flags), BORNE_OK);
    return w;
}

static void test_writer_quoting(void **state)
{
    (void)state;
    struct borne_csv_writer *w = buffer_writer(4096, ',', BORNE_CSV_WRITE_LF);
    assert_int_equal(borne_csv_write_str(w, "plain"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "Tremblay, Hélène"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "say \"hi\""), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "two\nlines"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, " pad"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "a;b"), BORNE_OK); /* ';' is not the separator */
    assert_int_equal(borne_csv_end_record(w), BORNE_OK);
    size_t len;
    const char *out = borne_csv_writer_data(w, &len);
    assert_string_equal(out,
                        "plain,\"Tremblay, Hélène\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\","
                        "a;b\n");
    assert_int_equal(len, strlen(out));
    borne_csv_writer_free(w);

    w = buffer_writer(4096, ';', BORNE_CSV_WRITE_BOM);
    assert_int_equal(borne_csv_write_str(w, "Nom"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "1,5"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "x;y"), BORNE_OK);
    assert_int_equal(borne_csv_end_record(w), BORNE_OK);
    assert_string_equal(borne_csv_writer_data(w, NULL), "\xEF\xBB\xBFNom;1,5;\"x;y\"\r\n");
    borne_csv_writer_free(w);
}

static void test_writer_formula_injection(void **state)
{
    (void)state;
    struct borne_csv_writer *w = buffer_writer(4096, ',', BORNE_CSV_WRITE_LF);
    static const char *const evil[] = {
        "=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"};
    for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        assert_int_equal(borne_csv_write_str(w, evil[i]), BORNE_OK);
    }
    assert_int_equal(borne_csv_write_str(w, "a=b"), BORNE_OK); /* only the first char matters */
    assert_int_equal(borne_csv_end_record(w), BORNE_OK);
    assert_string_equal(borne_csv_writer_data(w, NULL),
                        "\"'=HYPERLINK(\"\"http://x\"\")\",\"'+1\",\"'-2+3\",\"'@SUM(A1)\","
                        "\"'\tx\",\"'\rx\",a=b\n");
    borne_csv_writer_free(w);

    /* Exact mode leaves them alone (but still quotes what needs quoting). */
    w = buffer_writer(4096, ',', BORNE_CSV_WRITE_LF | BORNE_CSV_WRITE_EXACT);
    assert_int_equal(borne_csv_write_str(w, "=1+1"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "-5"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "\rx"), BORNE_OK);
    assert_int_equal(borne_csv_end_record(w), BORNE_OK);
    assert_string_equal(borne_csv_writer_data(w, NULL), "=1+1,-5,\"\rx\"\n");
    borne_csv_writer_free(w);
}

static void test_writer_roundtrip(void **state)
{
    (void)state;
    static const char *const rows[][4] = {
        {"", "", "", ""},
        {"x", "", "", ""},
        {"Hélène", "a,b", "\"q\"", "l1\r\nl2"},
        {"\xEF\xBB\xBFstarts with BOM", " sp ", "=not a formula", ""},
    };
    static const size_t counts[] = {1, 2, 4, 4};
    struct borne_csv_writer *w = buffer_writer(1 << 16, ',', BORNE_CSV_WRITE_EXACT);
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < counts[i]; j++) {
            assert_int_equal(borne_csv_write_str(w, rows[i][j]), BORNE_OK);
        }
        assert_int_equal(borne_csv_end_record(w), BORNE_OK);
    }
    size_t len;
    char *text = borne_csv_writer_take(w, &len);
    assert_non_null(text);
    borne_csv_writer_free(w);
    struct borne_csv_reader *r = open_text(text, len, BORNE_CSV_SEP_COMMA);
    for (size_t i = 0; i < 4; i++) {
        struct borne_csv_record rec;
        assert_int_equal(borne_csv_read(r, &rec, NULL, 0), BORNE_OK);
        assert_int_equal(rec.count, counts[i]);
        for (size_t j = 0; j < counts[i]; j++) {
            assert_string_equal(rec.fields[j], rows[i][j]);
        }
    }
    expect_end(r);
    borne_csv_reader_free(r);
    free(text);
}

static void test_writer_refusals(void **state)
{
    (void)state;
    struct borne_csv_writer *w = buffer_writer(1 << 20, ',', 0);
    assert_int_equal(borne_csv_end_record(w), BORNE_ERR_INVALID); /* empty record */
    assert_int_equal(borne_csv_write_str(w, "H\xE9l\xE8ne"), BORNE_ERR_INVALID);
    assert_int_equal(borne_csv_write_field(w, "a\0b", 3), BORNE_ERR_INVALID);
    char *big = malloc(BORNE_CSV_FIELD_MAX + 1);
    assert_non_null(big);
    memset(big, 'z', BORNE_CSV_FIELD_MAX + 1);
    assert_int_equal(borne_csv_write_field(w, big, BORNE_CSV_FIELD_MAX + 1), BORNE_ERR_TOO_LARGE);
    big[0] = '=';
    /* The apostrophe would push a full-size field over the cap. */
    assert_int_equal(borne_csv_write_field(w, big, BORNE_CSV_FIELD_MAX), BORNE_ERR_TOO_LARGE);
    assert_int_equal(borne_csv_write_field(w, big, BORNE_CSV_FIELD_MAX - 1), BORNE_OK);
    free(big);
    for (int i = 1; i < BORNE_CSV_FIELDS_MAX; i++) {
        assert_int_equal(borne_csv_write_str(w, "f"), BORNE_OK);
    }
    assert_int_equal(borne_csv_write_str(w, "one too many"), BORNE_ERR_TOO_LARGE);
    assert_int_equal(borne_csv_end_record(w), BORNE_OK);
    /* Refused fields wrote nothing: the output reads back as one record of 256 fields. */
    size_t len;
    const char *out = borne_csv_writer_data(w, &len);
    struct borne_csv_reader *r = open_text(out, len, BORNE_CSV_SEP_COMMA);
    struct borne_csv_record rec;
    assert_int_equal(borne_csv_read(r, &rec, NULL, 0), BORNE_OK);
    assert_int_equal(rec.count, BORNE_CSV_FIELDS_MAX);
    assert_int_equal(rec.lengths[0], BORNE_CSV_FIELD_MAX);
    assert_int_equal(rec.fields[0][0], '\'');
    borne_csv_reader_free(r);
    borne_csv_writer_free(w);
    w = NULL;
    assert_int_equal(borne_csv_writer_new_buffer(&w, 100, '|', 0), BORNE_ERR_INVALID);
    assert_null(w);
}

static void test_writer_buffer_cap(void **state)
{
    (void)state;
    struct borne_csv_writer *w = buffer_writer(10, ',', BORNE_CSV_WRITE_LF);
    assert_int_equal(borne_csv_write_str(w, "abcd"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "efgh"), BORNE_OK); /* 9 bytes with the comma */
    assert_int_equal(borne_csv_write_str(w, "i"), BORNE_ERR_TOO_LARGE);
    /* Nothing of the refused field was written, and the writer stays failed. */
    assert_string_equal(borne_csv_writer_data(w, NULL), "abcd,efgh");
    assert_int_equal(borne_csv_end_record(w), BORNE_ERR_TOO_LARGE);
    assert_int_equal(borne_csv_write_str(w, ""), BORNE_ERR_TOO_LARGE);
    borne_csv_writer_free(w);
    borne_csv_writer_free(NULL);
    borne_csv_reader_free(NULL);
}

static void test_writer_file(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    struct borne_csv_writer *w = NULL;
    assert_int_equal(borne_csv_writer_new_file(&w, fp, ';', BORNE_CSV_WRITE_BOM), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "Côté"), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "@x"), BORNE_OK);
    assert_int_equal(borne_csv_end_record(w), BORNE_OK);
    assert_null(borne_csv_writer_data(w, NULL));
    assert_null(borne_csv_writer_take(w, NULL));
    borne_csv_writer_free(w);
    assert_int_equal(fflush(fp), 0);
    rewind(fp);
    char buf[64] = "";
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    assert_string_equal(buf, "\xEF\xBB\xBF"
                             "Côté;\"'@x\"\r\n");

    /* A full disk is reported as such, and the writer then refuses everything. */
    fp = fopen("/dev/full", "w");
    if (!fp) {
        skip();
    }
    setvbuf(fp, NULL, _IONBF, 0);
    assert_int_equal(borne_csv_writer_new_file(&w, fp, ',', 0), BORNE_OK);
    assert_int_equal(borne_csv_write_str(w, "x"), BORNE_ERR_DISK_FULL);
    assert_int_equal(borne_csv_end_record(w), BORNE_ERR_DISK_FULL);
    borne_csv_writer_free(w);
    fclose(fp);
}

/* Rows of spaces (ASCII, no-break, narrow no-break) are blank rows; raw_count keeps the field
 * a trailing separator left. */
static void test_space_rows_and_raw_count(void **state)
{
    (void)state;
    struct borne_csv_reader *r = open_text(
        TEXT("a;b;c\n  ;\t; \n\xC2\xA0;\xE2\x80\xAF;\n1;2;\n\" \";;\n"), BORNE_CSV_SEP_AUTO);
    expect_record(r, 1, 3, "a", "b", "c");
    struct borne_csv_record rec;
    char msg[BORNE_CSV_MSG_MAX];
    assert_int_equal(borne_csv_read(r, &rec, msg, sizeof(msg)), BORNE_OK);
    assert_int_equal(rec.line, 4);
    assert_int_equal(rec.count, 2);
    assert_int_equal(rec.raw_count, 3);
    /* A quoted space is a value, not a blank row. */
    assert_int_equal(borne_csv_read(r, &rec, msg, sizeof(msg)), BORNE_OK);
    assert_int_equal(rec.line, 5);
    assert_string_equal(rec.fields[0], " ");
    assert_int_equal(borne_csv_read(r, &rec, msg, sizeof(msg)), BORNE_OK);
    assert_int_equal(rec.count, 0);
    borne_csv_reader_free(r);
}

/* Header cells match whatever the spreadsheet did to them. */
static void test_find_column_folds(void **state)
{
    (void)state;
    struct borne_csv_reader *r = open_text(TEXT("Num\xC3\xA9ro;PR\xC3\x89NOM ;Se\xCC\x81"
                                                "ances\xC2\xA0;first_name\n"),
                                           BORNE_CSV_SEP_AUTO);
    struct borne_csv_record rec;
    char msg[BORNE_CSV_MSG_MAX];
    assert_int_equal(borne_csv_read(r, &rec, msg, sizeof(msg)), BORNE_OK);
    static const char *const id[] = {"numero", NULL};
    static const char *const first[] = {"pr\xC3\xA9nom", NULL};
    static const char *const sessions[] = {"s\xC3\xA9"
                                           "ances",
                                           NULL};
    static const char *const first_en[] = {"first name", NULL};
    static const char *const none[] = {"nom", NULL};
    assert_int_equal(borne_csv_find_column(&rec, id), 0);
    assert_int_equal(borne_csv_find_column(&rec, first), 1);
    assert_int_equal(borne_csv_find_column(&rec, sessions), 2);
    assert_int_equal(borne_csv_find_column(&rec, first_en), 3);
    assert_int_equal(borne_csv_find_column(&rec, none), -1);
    borne_csv_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_and_quoted),
        cmocka_unit_test(test_newline_inside_quotes),
        cmocka_unit_test(test_bom_crlf_semicolon),
        cmocka_unit_test(test_separator_detection),
        cmocka_unit_test(test_space_rows_and_raw_count),
        cmocka_unit_test(test_find_column_folds),
        cmocka_unit_test(test_blank_and_empty_fields),
        cmocka_unit_test(test_old_mac_line_ends_and_stray_quote),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_text_after_closing_quote),
        cmocka_unit_test(test_invalid_utf8_and_nul),
        cmocka_unit_test(test_field_cap),
        cmocka_unit_test(test_fields_cap),
        cmocka_unit_test(test_message_truncation),
        cmocka_unit_test(test_find_column),
        cmocka_unit_test(test_writer_quoting),
        cmocka_unit_test(test_writer_formula_injection),
        cmocka_unit_test(test_writer_roundtrip),
        cmocka_unit_test(test_writer_refusals),
        cmocka_unit_test(test_writer_buffer_cap),
        cmocka_unit_test(test_writer_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
