/* CSV reader and writer (see csv.h for the accepted dialect and the writer's quoting rules).
 *
 * DESIGN: the reader never allocates after borne_csv_reader_new(): unquoting only shrinks text,
 * so one scratch buffer of min(input, largest possible record) bytes holds every record. Fields
 * are checked against their caps as bytes are appended, and UTF-8 is checked as it is scanned,
 * so errors can name the exact line. The writer builds each field completely in a scratch
 * buffer before emitting it, so a full buffer or a failed write never leaves half a field. */
#include "core/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

#define RECORD_BYTES_MAX ((size_t)(BORNE_CSV_FIELDS_MAX + 1) * (BORNE_CSV_FIELD_MAX + 1))

struct borne_csv_reader {
    const unsigned char *data; /* borrowed input */
    size_t len;
    size_t pos;         /* next byte to read */
    unsigned long line; /* line of data[pos], 1-based */
    char sep;
    borne_err sticky; /* first error; returned again by every later call */
    char sticky_msg[BORNE_CSV_MSG_MAX];
    char *buf; /* unquoted fields of the current record, each NUL-terminated */
    size_t buf_cap;
    size_t buf_len;
    /* One spare slot so a dropped trailing field does not count against the cap. */
    const char *fields[BORNE_CSV_FIELDS_MAX + 1];
    size_t lengths[BORNE_CSV_FIELDS_MAX + 1];
    bool quoted[BORNE_CSV_FIELDS_MAX + 1];
};

static bool is_line_end(unsigned char c)
{
    return c == '\n' || c == '\r';
}

/* Guesses the separator from the first non-blank line, outside quotes: TAB if tabs outnumber
 * both ';' and ',', else ';' if it has more ';' than ','. */
static char detect_separator(const unsigned char *d, size_t len, size_t pos)
{
    while (pos < len && is_line_end(d[pos])) {
        pos++;
    }
    size_t commas = 0;
    size_t semicolons = 0;
    size_t tabs = 0;
    bool in_quotes = false;
    for (; pos < len; pos++) {
        unsigned char c = d[pos];
        if (c == '"') {
            in_quotes = !in_quotes;
        } else if (!in_quotes && is_line_end(c)) {
            break;
        } else if (!in_quotes && c == ',') {
            commas++;
        } else if (!in_quotes && c == ';') {
            semicolons++;
        } else if (!in_quotes && c == '\t') {
            tabs++;
        }
    }
    if (tabs > commas && tabs > semicolons) {
        return '\t';
    }
    return semicolons > commas ? ';' : ',';
}

borne_err borne_csv_reader_new(struct borne_csv_reader **out, const char *data, size_t len,
                               enum borne_csv_sep sep)
{
    *out = NULL;
    if (sep != BORNE_CSV_SEP_AUTO && sep != BORNE_CSV_SEP_COMMA && sep != BORNE_CSV_SEP_SEMICOLON &&
        sep != BORNE_CSV_SEP_TAB) {
        return BORNE_ERR_INVALID;
    }
    if (!data && len > 0) {
        return BORNE_ERR_INVALID;
    }
    struct borne_csv_reader *r = calloc(1, sizeof(*r));
    if (!r) {
        return BORNE_ERR_NOMEM;
    }
    r->data = (const unsigned char *)data;
    r->len = len;
    r->line = 1;
    if (len >= 3 && r->data[0] == 0xEF && r->data[1] == 0xBB && r->data[2] == 0xBF) {
        r->pos = 3;
    }
    r->sep = sep == BORNE_CSV_SEP_AUTO ? detect_separator(r->data, len, r->pos) : (char)sep;
    /* Unquoted text is never longer than its source; add room for the NULs. */
    r->buf_cap = (len < RECORD_BYTES_MAX ? len : RECORD_BYTES_MAX) + BORNE_CSV_FIELDS_MAX + 2;
    r->buf = malloc(r->buf_cap);
    if (!r->buf) {
        free(r);
        return BORNE_ERR_NOMEM;
    }
    *out = r;
    return BORNE_OK;
}

void borne_csv_reader_free(struct borne_csv_reader *r)
{
    if (!r) {
        return;
    }
    free(r->buf);
    free(r);
}

char borne_csv_reader_separator(const struct borne_csv_reader *r)
{
    return r->sep;
}

__attribute__((format(printf, 3, 4))) static borne_err fail(struct borne_csv_reader *r,
                                                            borne_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->sticky_msg, sizeof(r->sticky_msg), fmt, ap);
    va_end(ap);
    r->sticky = err;
    return err;
}

/* Consumes one line end (CRLF, LF or CR) at r->pos. */
static void skip_line_end(struct borne_csv_reader *r)
{
    if (r->data[r->pos] == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n') {
        r->pos++;
    }
    r->pos++;
    r->line++;
}

/* Appends the character at r->pos (one byte, or one whole UTF-8 sequence) to the field that
 * started at field_start, and advances. */
static borne_err take_char(struct borne_csv_reader *r, size_t field_start)
{
    const unsigned char *p = r->data + r->pos;
    size_t n = 1;
    if (*p == 0) {
        return fail(r, BORNE_ERR_PARSE, "line %lu: NUL byte in the text", r->line);
    }
    if (*p >= 0x80) {
        uint32_t cp;
        n = borne_utf8_decode((const char *)p, r->len - r->pos, &cp);
        if (cp == BORNE_UTF8_INVALID) {
            return fail(r, BORNE_ERR_PARSE, "line %lu: invalid UTF-8 (save the file as UTF-8)",
                        r->line);
        }
    }
    if (r->buf_len - field_start + n > BORNE_CSV_FIELD_MAX) {
        return fail(r, BORNE_ERR_TOO_LARGE, "line %lu: field longer than %d bytes", r->line,
                    BORNE_CSV_FIELD_MAX);
    }
    memcpy(r->buf + r->buf_len, p, n);
    r->buf_len += n;
    r->pos += n;
    return BORNE_OK;
}

/* Appends a line end found inside quotes, kept as it is (CRLF stays CRLF). */
static borne_err take_line_end(struct borne_csv_reader *r, size_t field_start)
{
    size_t n = 1;
    if (r->data[r->pos] == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n') {
        n = 2;
    }
    if (r->buf_len - field_start + n > BORNE_CSV_FIELD_MAX) {
        return fail(r, BORNE_ERR_TOO_LARGE, "line %lu: field longer than %d bytes", r->line,
                    BORNE_CSV_FIELD_MAX);
    }
    memcpy(r->buf + r->buf_len, r->data + r->pos, n);
    r->buf_len += n;
    r->pos += n;
    r->line++;
    return BORNE_OK;
}

/* Reads one field starting at r->pos. *end_of_record is set when the field ends its record. */
static borne_err read_field(struct borne_csv_reader *r, size_t idx, bool *end_of_record)
{
    size_t start = r->buf_len;
    borne_err err;
    *end_of_record = false;
    r->quoted[idx] = false;
    if (r->pos < r->len && r->data[r->pos] == '"') {
        unsigned long open_line = r->line;
        r->quoted[idx] = true;
        r->pos++;
        for (;;) {
            if (r->pos >= r->len) {
                return fail(r, BORNE_ERR_PARSE,
                            "line %lu: quoted field never closed (missing '\"')", open_line);
            }
            unsigned char c = r->data[r->pos];
            if (c == '"') {
                if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
                    r->pos++; /* a doubled quote stands for one quote */
                    err = take_char(r, start);
                } else {
                    r->pos++;
                    break;
                }
            } else if (is_line_end(c)) {
                err = take_line_end(r, start);
            } else {
                err = take_char(r, start);
            }
            if (err) {
                return err;
            }
        }
        if (r->pos < r->len && r->data[r->pos] != (unsigned char)r->sep &&
            !is_line_end(r->data[r->pos])) {
            return fail(r, BORNE_ERR_PARSE, "line %lu: text after the closing quote of a field",
                        r->line);
        }
    }
    for (;;) {
        if (r->pos >= r->len) {
            *end_of_record = true;
            break;
        }
        unsigned char c = r->data[r->pos];
        if (c == (unsigned char)r->sep) {
            r->pos++;
            break;
        }
        if (is_line_end(c)) {
            skip_line_end(r);
            *end_of_record = true;
            break;
        }
        err = take_char(r, start); /* only reached for unquoted fields */
        if (err) {
            return err;
        }
    }
    r->buf[r->buf_len] = '\0';
    r->fields[idx] = r->buf + start;
    r->lengths[idx] = r->buf_len - start;
    r->buf_len++;
    return BORNE_OK;
}

/* ASCII spaces and tabs, no-break spaces (U+00A0) and narrow no-break spaces (U+202F) only. */
static bool only_spaces(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] == ' ' || s[i] == '\t') {
            i++;
        } else if (i + 1 < len && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xA0) {
            i += 2;
        } else if (i + 2 < len && memcmp(s + i, "\xE2\x80\xAF", 3) == 0) {
            i += 3;
        } else {
            return false;
        }
    }
    return true;
}

borne_err borne_csv_read(struct borne_csv_reader *r, struct borne_csv_record *rec, char *msg,
                         size_t msg_cap)
{
    borne_err err = BORNE_OK;
    rec->count = 0;
    rec->raw_count = 0;
    rec->fields = r->fields;
    rec->lengths = r->lengths;
    rec->line = r->line;
    while (!r->sticky) {
        if (r->pos >= r->len) {
            return BORNE_OK; /* end of input */
        }
        unsigned long start_line = r->line;
        size_t count = 0;
        bool end = false;
        r->buf_len = 0;
        while (!end) {
            if (count == BORNE_CSV_FIELDS_MAX + 1) {
                fail(r, BORNE_ERR_TOO_LARGE, "line %lu: more than %d fields in one record",
                     start_line, BORNE_CSV_FIELDS_MAX);
                break;
            }
            err = read_field(r, count, &end);
            if (err) {
                break;
            }
            count++;
        }
        if (r->sticky) {
            break;
        }
        rec->raw_count = count;
        /* A trailing separator leaves an empty unquoted field: drop it. */
        if (count > 1 && r->lengths[count - 1] == 0 && !r->quoted[count - 1]) {
            count--;
        }
        bool blank = true;
        for (size_t i = 0; i < count && blank; i++) {
            blank = !r->quoted[i] && only_spaces(r->fields[i], r->lengths[i]);
        }
        if (blank) {
            continue; /* an empty line, a row of bare separators or of spaces */
        }
        if (count > BORNE_CSV_FIELDS_MAX) {
            fail(r, BORNE_ERR_TOO_LARGE, "line %lu: more than %d fields in one record", start_line,
                 BORNE_CSV_FIELDS_MAX);
            break;
        }
        rec->count = count;
        rec->line = start_line;
        return BORNE_OK;
    }
    if (msg && msg_cap > 0) {
        snprintf(msg, msg_cap, "%s", r->sticky_msg);
    }
    return r->sticky;
}

const char *borne_csv_field(const struct borne_csv_record *rec, int i)
{
    if (i < 0 || (size_t)i >= rec->count) {
        return "";
    }
    return rec->fields[i];
}

void borne_csv_header_key(const char *s, size_t len, char *out, size_t cap)
{
    if (cap == 0) {
        return;
    }
    char tmp[BORNE_CSV_FIELD_MAX + 1];
    if (len > BORNE_CSV_FIELD_MAX) {
        out[0] = '\0';
        return;
    }
    /* '_' reads as a space ("first_name" is "first name"); the key is then folded. */
    for (size_t i = 0; i < len; i++) {
        tmp[i] = s[i] == '_' ? ' ' : s[i];
    }
    if (borne_utf8_fold(tmp, len, BORNE_FOLD_ACCENTS, out, cap) != BORNE_OK) {
        out[0] = '\0';
    }
}

int borne_csv_find_column(const struct borne_csv_record *header, const char *const *names)
{
    char name_key[128];
    char cell_key[128];
    for (size_t n = 0; names && names[n]; n++) {
        borne_csv_header_key(names[n], strlen(names[n]), name_key, sizeof(name_key));
        if (!name_key[0]) {
            continue;
        }
        for (size_t i = 0; i < header->count && i <= (size_t)BORNE_CSV_FIELDS_MAX; i++) {
            borne_csv_header_key(header->fields[i], header->lengths[i], cell_key, sizeof(cell_key));
            if (strcmp(cell_key, name_key) == 0) {
                return (int)i;
            }
        }
    }
    return -1;
}

/* ---- writer ---- */

/* Largest encoding of one field: separator, quotes, apostrophe, every byte a doubled quote. */
#define ENCODED_MAX (2 * BORNE_CSV_FIELD_MAX + 4)

struct borne_csv_writer {
    FILE *fp;    /* file output, borrowed; NULL for a buffer writer */
    char *buf;   /* buffer output, always NUL-terminated when not NULL */
    size_t len;  /* bytes in buf */
    size_t room; /* bytes allocated for buf */
    size_t cap;  /* hard maximum of len */
    char sep;
    unsigned flags;
    size_t nfields;  /* fields in the current record */
    bool last_empty; /* the last field written was empty */
    borne_err failed;
    char scratch[ENCODED_MAX];
};

static borne_err emit(struct borne_csv_writer *w, const char *p, size_t n)
{
    if (w->failed) {
        return w->failed;
    }
    if (w->fp) {
        if (n > 0 && fwrite(p, 1, n, w->fp) != n) {
            w->failed = errno == ENOSPC ? BORNE_ERR_DISK_FULL : BORNE_ERR_IO;
        }
        return w->failed;
    }
    if (n > w->cap - w->len) {
        w->failed = BORNE_ERR_TOO_LARGE;
        return w->failed;
    }
    if (w->len + n + 1 > w->room) {
        size_t room = w->room ? w->room : 256;
        while (room < w->len + n + 1) {
            room *= 2;
        }
        if (room > w->cap + 1) {
            room = w->cap + 1;
        }
        char *nb = realloc(w->buf, room);
        if (!nb) {
            w->failed = BORNE_ERR_NOMEM;
            return w->failed;
        }
        w->buf = nb;
        w->room = room;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    w->buf[w->len] = '\0';
    return BORNE_OK;
}

static borne_err writer_new(struct borne_csv_writer **out, FILE *fp, size_t cap, char sep,
                            unsigned flags)
{
    *out = NULL;
    if (sep != ',' && sep != ';') {
        return BORNE_ERR_INVALID;
    }
    struct borne_csv_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        return BORNE_ERR_NOMEM;
    }
    w->fp = fp;
    w->cap = cap;
    w->sep = sep;
    w->flags = flags;
    if (flags & BORNE_CSV_WRITE_BOM) {
        borne_err err = emit(w, "\xEF\xBB\xBF", 3);
        if (err) {
            free(w->buf);
            free(w);
            return err;
        }
    }
    *out = w;
    return BORNE_OK;
}

borne_err borne_csv_writer_new_file(struct borne_csv_writer **out, FILE *fp, char sep,
                                    unsigned flags)
{
    if (!fp) {
        *out = NULL;
        return BORNE_ERR_INVALID;
    }
    return writer_new(out, fp, 0, sep, flags);
}

borne_err borne_csv_writer_new_buffer(struct borne_csv_writer **out, size_t cap, char sep,
                                      unsigned flags)
{
    return writer_new(out, NULL, cap, sep, flags);
}

void borne_csv_writer_free(struct borne_csv_writer *w)
{
    if (!w) {
        return;
    }
    free(w->buf);
    free(w);
}

static bool needs_quotes(const char *s, size_t len, char sep)
{
    if (len == 0) {
        return false;
    }
    if (s[0] == ' ' || s[len - 1] == ' ') {
        return true; /* other readers may trim unquoted spaces */
    }
    /* A field of spaces alone must not read back as a blank row (skipped). */
    if (s[0] == '\t' || (unsigned char)s[0] == 0xC2 || (unsigned char)s[0] == 0xE2) {
        return true;
    }
    /* A leading U+FEFF would be taken for a byte order mark at the start of a file. */
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        return true;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == sep || s[i] == '"' || s[i] == '\r' || s[i] == '\n') {
            return true;
        }
    }
    return false;
}

borne_err borne_csv_write_field(struct borne_csv_writer *w, const char *s, size_t len)
{
    if (w->failed) {
        return w->failed;
    }
    if (!s && len > 0) {
        return BORNE_ERR_INVALID;
    }
    bool neutralise =
        !(w->flags & BORNE_CSV_WRITE_EXACT) && len > 0 &&
        (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
    if (len + (neutralise ? 1 : 0) > BORNE_CSV_FIELD_MAX) {
        return BORNE_ERR_TOO_LARGE;
    }
    if (w->nfields == BORNE_CSV_FIELDS_MAX) {
        return BORNE_ERR_TOO_LARGE;
    }
    if (len > 0 && (memchr(s, '\0', len) || !borne_utf8_valid(s, len, NULL))) {
        return BORNE_ERR_INVALID;
    }
    bool quote = neutralise || needs_quotes(s, len, w->sep);
    size_t n = 0;
    if (w->nfields > 0) {
        w->scratch[n++] = w->sep;
    }
    if (quote) {
        w->scratch[n++] = '"';
    }
    if (neutralise) {
        w->scratch[n++] = '\'';
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') {
            w->scratch[n++] = '"';
        }
        w->scratch[n++] = s[i];
    }
    if (quote) {
        w->scratch[n++] = '"';
    }
    borne_err err = emit(w, w->scratch, n);
    if (err) {
        return err;
    }
    w->nfields++;
    w->last_empty = len == 0;
    return BORNE_OK;
}

borne_err borne_csv_write_str(struct borne_csv_writer *w, const char *s)
{
    if (!s) {
        return BORNE_ERR_INVALID;
    }
    return borne_csv_write_field(w, s, strlen(s));
}

borne_err borne_csv_end_record(struct borne_csv_writer *w)
{
    if (w->failed) {
        return w->failed;
    }
    if (w->nfields == 0) {
        return BORNE_ERR_INVALID;
    }
    /* An unquoted empty last field would read back as a trailing separator (dropped) or a blank
     * line (skipped): write it as "" instead. */
    char tail[4];
    size_t n = 0;
    if (w->last_empty) {
        tail[n++] = '"';
        tail[n++] = '"';
    }
    if (!(w->flags & BORNE_CSV_WRITE_LF)) {
        tail[n++] = '\r';
    }
    tail[n++] = '\n';
    borne_err err = emit(w, tail, n);
    if (err) {
        return err;
    }
    w->nfields = 0;
    w->last_empty = false;
    return BORNE_OK;
}

const char *borne_csv_writer_data(const struct borne_csv_writer *w, size_t *len)
{
    if (len) {
        *len = w->fp ? 0 : w->len;
    }
    if (w->fp) {
        return NULL;
    }
    return w->buf ? w->buf : "";
}

char *borne_csv_writer_take(struct borne_csv_writer *w, size_t *len)
{
    if (len) {
        *len = 0;
    }
    if (w->fp) {
        return NULL;
    }
    char *out = w->buf;
    if (!out) {
        out = calloc(1, 1);
        if (!out) {
            return NULL;
        }
    }
    if (len) {
        *len = w->len;
    }
    w->buf = NULL;
    w->len = 0;
    w->room = 0;
    return out;
}
