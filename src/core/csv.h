/* CSV reading and writing (roster imports, attendance exports, USB-stick exports).
 *
 * Reader: works over a caller-owned, in-memory buffer (read files with a size cap first) and
 * yields one record at a time with the 1-based line where it starts. It follows RFC 4180
 * (quoted fields may hold separators, doubled quotes and line breaks) and also accepts what real
 * spreadsheets produce: CRLF, LF or CR line ends, a UTF-8 byte order mark, ';' or TAB as the
 * separator (French exports, "Unicode text"; detected from the header line unless the caller
 * forces one), blank lines, rows made only of separators and rows whose cells hold only spaces
 * (ASCII, no-break or narrow no-break: skipped), and a trailing separator at the end of a record
 * (the empty unquoted field after it is dropped, so callers must treat a missing field as empty:
 * see borne_csv_field()). A quote inside an unquoted field is kept as a plain character.
 * Input must be UTF-8 without NUL bytes. Fields are limited to BORNE_CSV_FIELD_MAX bytes and
 * records to BORNE_CSV_FIELDS_MAX fields. Every error comes with a short English message naming
 * the line, in a buffer the caller provides; errors are sticky (the reader stops there).
 *
 * Writer: writes records to a FILE* or to a growing memory buffer with a hard cap, quoting a
 * field only when needed. By default it neutralises spreadsheet formula injection ("CSV
 * injection"): a field starting with '=', '+', '-', '@', TAB or CR gets a leading apostrophe
 * (and is quoted), so that a spreadsheet shows it as text instead of evaluating it; note that
 * this also turns "-5" into "'-5". Machine formats that must read back exactly use
 * BORNE_CSV_WRITE_EXACT: then whatever the writer accepts, the reader returns byte for byte
 * (the writer refuses what the reader would refuse: invalid UTF-8, NUL bytes, over-long fields,
 * too many fields). */
#ifndef BORNE_CORE_CSV_H
#define BORNE_CORE_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

#define BORNE_CSV_FIELD_MAX  4096 /* bytes in one field, after unquoting */
#define BORNE_CSV_FIELDS_MAX 256  /* fields in one record */
#define BORNE_CSV_MSG_MAX    160  /* a message buffer of this size never truncates */

/* Separator choice for the reader: auto-detect, or force one. */
enum borne_csv_sep {
    BORNE_CSV_SEP_AUTO = 0,
    BORNE_CSV_SEP_COMMA = ',',
    BORNE_CSV_SEP_SEMICOLON = ';',
    BORNE_CSV_SEP_TAB = '\t',
};

/* One record. Everything it points to belongs to the reader and stays valid until the next
 * borne_csv_read() or borne_csv_reader_free(). */
struct borne_csv_record {
    size_t count;              /* number of fields; 0 means end of input */
    const char *const *fields; /* count NUL-terminated strings (no NUL inside: input has none) */
    const size_t *lengths;     /* their lengths in bytes */
    unsigned long line;        /* 1-based line on which the record starts */
    size_t raw_count;          /* fields on the line, a dropped trailing empty field included */
};

struct borne_csv_reader;

/* Creates a reader over data[0..len). The buffer is borrowed: it must outlive the reader.
 * sep is BORNE_CSV_SEP_AUTO (on the first non-blank line, outside quotes: TAB if tabs outnumber
 * both ';' and ',', else ';' if it has more ';' than ',', else ','), or a forced separator. Returns
 * BORNE_ERR_INVALID for a bad separator, BORNE_ERR_NOMEM if allocation fails. */
borne_err borne_csv_reader_new(struct borne_csv_reader **out, const char *data, size_t len,
                               enum borne_csv_sep sep);
void borne_csv_reader_free(struct borne_csv_reader *r);

/* The separator in use (',', ';' or TAB); with auto-detection, the one chosen. */
char borne_csv_reader_separator(const struct borne_csv_reader *r);

/* Reads the next record into *rec. At end of input returns BORNE_OK with rec->count == 0.
 * On error returns BORNE_ERR_PARSE (unterminated quote, text after a closing quote, invalid
 * UTF-8, NUL byte) or BORNE_ERR_TOO_LARGE (a cap was exceeded), writes a message such as
 * "line 12: quoted field never closed" into msg (may be NULL; truncated to msg_cap), and every
 * later call returns the same error. */
borne_err borne_csv_read(struct borne_csv_reader *r, struct borne_csv_record *rec, char *msg,
                         size_t msg_cap);

/* Field i of rec, or "" if i is negative or past the end (a dropped trailing field). */
const char *borne_csv_field(const struct borne_csv_record *rec, int i);

/* Finds a column in a header record. names is a NULL-terminated list of accepted names in order
 * of preference (for example {"display_name", "nom", "name", NULL}); the first name that matches
 * a column wins. Cells and names are compared by their borne_utf8_fold() keys with accents
 * removed, '_' read as a space: case, accents, NFC or NFD, and spaces of any kind around or
 * inside the cell do not matter ("PRÉNOM", "Pre\u0301nom", "prénom\u00A0" and "prenom" match).
 * Returns the column index, or -1 if none matches. */
int borne_csv_find_column(const struct borne_csv_record *header, const char *const *names);

/* The key borne_csv_find_column() compares (folded, accents removed, '_' as a space) for
 * s[0..len), into out[cap]; "" when s is not valid UTF-8 or the key does not fit. */
void borne_csv_header_key(const char *s, size_t len, char *out, size_t cap);

/* Writer flags. */
enum {
    BORNE_CSV_WRITE_EXACT = 1u << 0, /* no formula neutralising: exact round trip */
    BORNE_CSV_WRITE_LF = 1u << 1,    /* end records with LF instead of CRLF */
    BORNE_CSV_WRITE_BOM = 1u << 2,   /* start with a UTF-8 BOM (helps Excel pick UTF-8) */
};

struct borne_csv_writer;

/* A writer to fp (borrowed; not closed by the writer). sep is ',' or ';'. */
borne_err borne_csv_writer_new_file(struct borne_csv_writer **out, FILE *fp, char sep,
                                    unsigned flags);
/* A writer into a memory buffer that refuses to grow past cap bytes. */
borne_err borne_csv_writer_new_buffer(struct borne_csv_writer **out, size_t cap, char sep,
                                      unsigned flags);
void borne_csv_writer_free(struct borne_csv_writer *w);

/* Appends one field of len bytes to the current record. Returns BORNE_ERR_INVALID for invalid
 * UTF-8 or a NUL byte, BORNE_ERR_TOO_LARGE for a field over BORNE_CSV_FIELD_MAX, a record over
 * BORNE_CSV_FIELDS_MAX fields or a full buffer, BORNE_ERR_IO or BORNE_ERR_DISK_FULL if writing
 * the file fails. After an output error (full buffer, I/O) the writer refuses everything. */
borne_err borne_csv_write_field(struct borne_csv_writer *w, const char *s, size_t len);
/* Same for a NUL-terminated string. */
borne_err borne_csv_write_str(struct borne_csv_writer *w, const char *s);
/* Ends the current record (a record with no field is refused: BORNE_ERR_INVALID). */
borne_err borne_csv_end_record(struct borne_csv_writer *w);

/* The bytes written so far by a buffer writer (NUL-terminated; NULL for a file writer). */
const char *borne_csv_writer_data(const struct borne_csv_writer *w, size_t *len);
/* Takes ownership of a buffer writer's bytes (free() them); the writer is left empty. */
char *borne_csv_writer_take(struct borne_csv_writer *w, size_t *len);

#endif
