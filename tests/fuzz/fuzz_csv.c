/* libFuzzer target for core/csv and core/utf8: the whole input goes through the CSV reader
 * (first byte picks the separator mode), every record is checked against the reader's promises
 * and written back with the exact-mode writer, which must read back identically; the input also
 * goes through the UTF-8 validator and display sanitiser. Any broken promise aborts. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "core/csv.h"
#include "core/utf8.h"

static void fuzz_utf8(const char *s, size_t len, size_t cap)
{
    char out[512];
    size_t n = 0;
    if (cap == 0 || cap > sizeof(out)) {
        cap = sizeof(out);
    }
    borne_err err =
        borne_utf8_sanitize(out, cap, s, len, cap & 1 ? BORNE_UTF8_REPLACE_ASCII : 0, &n);
    CHECK(err == BORNE_OK || err == BORNE_ERR_TOO_LARGE);
    CHECK(n < cap && out[n] == '\0' && strlen(out) == n);
    CHECK(borne_utf8_valid(out, n, NULL));
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += borne_utf8_decode(out + i, n - i, &cp);
        CHECK(cp != BORNE_UTF8_INVALID && !borne_utf8_is_unsafe(cp));
    }
    size_t bad = 0;
    if (!borne_utf8_valid(s, len, &bad)) {
        CHECK(bad < len);
        CHECK(borne_utf8_valid(s, bad, NULL));
    }
}

/* Writes rec in exact mode and checks that it reads back the same. */
static void roundtrip(const struct borne_csv_record *rec, char sep)
{
    struct borne_csv_writer *w = NULL;
    CHECK(borne_csv_writer_new_buffer(&w, 1u << 24, sep, BORNE_CSV_WRITE_EXACT) == BORNE_OK);
    for (size_t i = 0; i < rec->count; i++) {
        CHECK(borne_csv_write_field(w, rec->fields[i], rec->lengths[i]) == BORNE_OK);
    }
    CHECK(borne_csv_end_record(w) == BORNE_OK);
    size_t len = 0;
    const char *text = borne_csv_writer_data(w, &len);
    struct borne_csv_reader *r = NULL;
    CHECK(borne_csv_reader_new(&r, text, len, (enum borne_csv_sep)sep) == BORNE_OK);
    struct borne_csv_record back;
    CHECK(borne_csv_read(r, &back, NULL, 0) == BORNE_OK);
    CHECK(back.count == rec->count);
    for (size_t i = 0; i < rec->count; i++) {
        CHECK(back.lengths[i] == rec->lengths[i]);
        CHECK(memcmp(back.fields[i], rec->fields[i], rec->lengths[i]) == 0);
    }
    CHECK(borne_csv_read(r, &back, NULL, 0) == BORNE_OK && back.count == 0);
    borne_csv_reader_free(r);
    borne_csv_writer_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    static const enum borne_csv_sep modes[] = {BORNE_CSV_SEP_AUTO, BORNE_CSV_SEP_COMMA,
                                               BORNE_CSV_SEP_SEMICOLON, BORNE_CSV_SEP_TAB};
    enum borne_csv_sep mode = modes[data[0] % 4];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    fuzz_utf8(text, len, data[0]);

    struct borne_csv_reader *r = NULL;
    CHECK(borne_csv_reader_new(&r, text, len, mode) == BORNE_OK);
    char sep = borne_csv_reader_separator(r);
    CHECK(sep == ',' || sep == ';' || sep == '\t');
    unsigned long last_line = 0;
    for (int n = 0;; n++) {
        struct borne_csv_record rec;
        char msg[BORNE_CSV_MSG_MAX];
        borne_err err = borne_csv_read(r, &rec, msg, sizeof(msg));
        if (err) {
            CHECK(err == BORNE_ERR_PARSE || err == BORNE_ERR_TOO_LARGE);
            CHECK(strncmp(msg, "line ", 5) == 0);
            break;
        }
        if (rec.count == 0) {
            break;
        }
        CHECK(rec.count <= BORNE_CSV_FIELDS_MAX);
        CHECK(rec.line > last_line);
        last_line = rec.line;
        for (size_t i = 0; i < rec.count; i++) {
            CHECK(rec.lengths[i] <= BORNE_CSV_FIELD_MAX);
            CHECK(strlen(rec.fields[i]) == rec.lengths[i]);
            CHECK(borne_csv_field(&rec, (int)i) == rec.fields[i]);
            CHECK(borne_utf8_valid(rec.fields[i], rec.lengths[i], NULL));
        }
        if (n == 0) {
            static const char *const names[] = {"display_name", "nom", "Prénom", "code", NULL};
            int col = borne_csv_find_column(&rec, names);
            CHECK(col >= -1 && col < (int)rec.count);
        }
        roundtrip(&rec, sep == '\t' ? ',' : sep); /* the writer writes ',' or ';' */
    }
    borne_csv_reader_free(r);
    return 0;
}
