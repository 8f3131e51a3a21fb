/* UTF-8 helpers: strict validation and a "safe for display" sanitiser.
 *
 * Every text that reaches the screen from outside (roster names, scanned codes, file contents)
 * goes through borne_utf8_sanitize() first: it removes what could break the layout or fool the
 * reader (control characters, bidirectional overrides) and repairs broken encoding.
 * Pure functions: no allocation, no I/O, no globals. */
#ifndef BORNE_CORE_UTF8_H
#define BORNE_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Marker stored in *cp by borne_utf8_decode() for an ill-formed sequence. */
#define BORNE_UTF8_INVALID UINT32_C(0xFFFFFFFF)

/* Decodes one scalar value from s[0..len). len must be > 0.
 * Returns the number of bytes consumed (1..4). On a well-formed sequence *cp is the scalar value;
 * on an ill-formed one (stray continuation byte, overlong form, surrogate, value above U+10FFFF,
 * sequence truncated by the end of input or by a non-continuation byte) *cp is
 * BORNE_UTF8_INVALID and the return value is the length of the maximal ill-formed prefix (at
 * least 1), so that callers skipping it resynchronise as the Unicode standard recommends. */
size_t borne_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encodes a scalar value (not a surrogate, at most U+10FFFF) into out; returns 1..4, or 0 if cp
 * is not a scalar value. */
size_t borne_utf8_encode(uint32_t cp, char out[4]);

/* True if s[0..len) is entirely well-formed UTF-8 (NUL bytes count as well-formed U+0000).
 * If bad_offset is not NULL and the text is not valid, it receives the offset of the first byte
 * of the first ill-formed sequence. */
bool borne_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* True for characters that must not be shown as they are: C0 controls (U+0000-U+001F, including
 * TAB and newlines), DEL, C1 controls (U+0080-U+009F), the bidirectional marks, embeddings,
 * overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the line and
 * paragraph separators U+2028 and U+2029. */
bool borne_utf8_is_unsafe(uint32_t cp);

/* borne_utf8_sanitize() flags. */
enum {
    /* Replace with '?' instead of U+FFFD (for ASCII-only outputs such as some fonts or logs). */
    BORNE_UTF8_REPLACE_ASCII = 1u << 0,
};

/* Copies src[0..len) into dst (capacity cap bytes, NUL included), replacing each unsafe character
 * (see borne_utf8_is_unsafe) and each ill-formed sequence by U+FFFD, or '?' with
 * BORNE_UTF8_REPLACE_ASCII. dst is always NUL-terminated when cap > 0, always well-formed, and
 * never ends in the middle of a sequence. *out_len (may be NULL) receives strlen(dst).
 * Returns BORNE_OK, BORNE_ERR_TOO_LARGE if the output was cut short to fit (dst then holds the
 * longest whole-character prefix that fits), or BORNE_ERR_INVALID if dst is NULL or cap is 0. */
borne_err borne_utf8_sanitize(char *dst, size_t cap, const char *src, size_t len, unsigned flags,
                              size_t *out_len);

/* borne_utf8_fold() flags. */
enum {
    BORNE_FOLD_ACCENTS = 1u << 0, /* also remove accents: "Séances" -> "seances" */
};

/* Writes into out (capacity cap, NUL included) a key for comparing words as people type them:
 * NFC-normalised (so NFD text from a Mac matches NFC text), case-folded, Unicode spaces (no-break
 * space, narrow no-break space, tabs, line breaks...) turned into plain spaces, invisible
 * characters (zero-width space, byte order mark, soft hyphen) removed, spaces trimmed at both
 * ends and runs of spaces collapsed to one. With BORNE_FOLD_ACCENTS, accents are removed too.
 * Returns BORNE_OK, BORNE_ERR_INVALID for ill-formed UTF-8 (out then holds ""), or
 * BORNE_ERR_TOO_LARGE when the text is over 512 characters or the key does not fit. */
borne_err borne_utf8_fold(const char *s, size_t len, unsigned flags, char *out, size_t cap);

/* Rewrites the NUL-terminated UTF-8 text s[cap] in place in Unicode normalisation form C (names
 * typed on a Mac arrive decomposed: "e" + U+0301 becomes "é"), when the result fits in cap
 * bytes (NFC is never longer than NFD, and rarely longer than the input). Returns BORNE_OK, or
 * BORNE_ERR_INVALID for ill-formed UTF-8 and BORNE_ERR_TOO_LARGE (s unchanged in both cases). */
borne_err borne_utf8_nfc(char *s, size_t cap);

#endif
