/* Text files as organisers' spreadsheet programs save them, turned into UTF-8.
 *
 * French Excel saves "CSV (séparateur : point-virgule)" in Windows-1252, "CSV UTF-8" with a byte
 * order mark, and "Texte Unicode" in UTF-16LE with a byte order mark; old DOS tools end files with
 * Ctrl-Z. borne_text_decode() accepts all of these: UTF-8 (a byte order mark is dropped), UTF-16
 * LE or BE with a byte order mark (or UTF-16LE without one, recognised by its zero bytes), and
 * Windows-1252 when the bytes are not valid UTF-8. Text that looks like Mac Roman (bytes that
 * Windows-1252 leaves undefined or that would give letters French never uses, such as "Ž" for a
 * Mac "é") is refused with the words to re-save it. Conversion goes through iconv (glibc).
 * A trailing Ctrl-Z (0x1A), with the line breaks around it, is dropped. */
#ifndef BORNE_CORE_TEXTENC_H
#define BORNE_CORE_TEXTENC_H

#include <stddef.h>

#include "core/error.h"

typedef enum borne_text_encoding {
    BORNE_TEXT_UTF8 = 0,
    BORNE_TEXT_UTF8_BOM,
    BORNE_TEXT_UTF16LE,
    BORNE_TEXT_UTF16BE,
    BORNE_TEXT_CP1252,
} borne_text_encoding;

/* A short English name ("UTF-8", "Windows-1252", ...); never NULL. */
const char *borne_text_encoding_name(borne_text_encoding enc);

/* Decodes data[0..len) into a malloc'ed, NUL-terminated UTF-8 buffer (*out, *out_len; the
 * caller frees it). The result is refused (BORNE_ERR_TOO_LARGE) if it would exceed cap bytes.
 * Errors: BORNE_ERR_PARSE with a message (English, naming the line) for text in no encoding
 * accepted, BORNE_ERR_NOMEM. On error *out is NULL. */
borne_err borne_text_decode(const char *data, size_t len, size_t cap, char **out, size_t *out_len,
                            borne_text_encoding *enc, char *msg, size_t msg_cap);

#endif
