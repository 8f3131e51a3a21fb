/* UTF-8 validation and display sanitising (see utf8.h).
 *
 * DESIGN: one decoder, borne_utf8_decode(), checks each byte against the ranges of well-formed
 * sequences given in the Unicode standard (table "Well-Formed UTF-8 Byte Sequences"). Checking
 * the second byte's range against the lead byte is what rejects overlong forms (E0 80..9F,
 * F0 80..8F), surrogates (ED A0..BF) and values above U+10FFFF (F4 90..BF, F5..FF) without any
 * arithmetic on the decoded value. */
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Allowed range of the second byte for a lead byte; later bytes are always 80..BF. */
static int seq_info(unsigned char lead, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        return 2;
    }
    if (lead == 0xE0) {
        *lo = 0xA0;
        return 3;
    }
    if (lead == 0xED) {
        *hi = 0x9F;
        return 3;
    }
    if (lead >= 0xE1 && lead <= 0xEF) {
        return 3;
    }
    if (lead == 0xF0) {
        *lo = 0x90;
        return 4;
    }
    if (lead >= 0xF1 && lead <= 0xF3) {
        return 4;
    }
    if (lead == 0xF4) {
        *hi = 0x8F;
        return 4;
    }
    return 0; /* 80..C1 and F5..FF never start a sequence */
}

size_t borne_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0) {
        *cp = BORNE_UTF8_INVALID;
        return 0;
    }
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    unsigned char lo, hi;
    int n = seq_info(u[0], &lo, &hi);
    if (n == 0) {
        *cp = BORNE_UTF8_INVALID;
        return 1;
    }
    uint32_t v = u[0] & (0xFFu >> (n + 1));
    for (int i = 1; i < n; i++) {
        if ((size_t)i >= len || u[i] < lo || u[i] > hi) {
            *cp = BORNE_UTF8_INVALID;
            return (size_t)i;
        }
        v = (v << 6) | (u[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return (size_t)n;
}

size_t borne_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
        return 0;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

bool borne_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    size_t i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = borne_utf8_decode(s + i, len - i, &cp);
        if (cp == BORNE_UTF8_INVALID) {
            if (bad_offset) {
                *bad_offset = i;
            }
            return false;
        }
        i += n;
    }
    return true;
}

bool borne_utf8_is_unsafe(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
        return true;
    }
    if (cp == 0x061C || cp == 0x200E || cp == 0x200F) {
        return true;
    }
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
        return true;
    }
    return cp == 0x2028 || cp == 0x2029;
}

borne_err borne_utf8_sanitize(char *dst, size_t cap, const char *src, size_t len, unsigned flags,
                              size_t *out_len)
{
    static const char fffd[] = "\xEF\xBF\xBD";
    if (out_len) {
        *out_len = 0;
    }
    if (!dst || cap == 0) {
        return BORNE_ERR_INVALID;
    }
    size_t o = 0;
    size_t i = 0;
    borne_err err = BORNE_OK;
    while (i < len) {
        uint32_t cp;
        size_t n = borne_utf8_decode(src + i, len - i, &cp);
        const char *piece = src + i;
        size_t piece_len = n;
        if (cp == BORNE_UTF8_INVALID || borne_utf8_is_unsafe(cp)) {
            if (flags & BORNE_UTF8_REPLACE_ASCII) {
                piece = "?";
                piece_len = 1;
            } else {
                piece = fffd;
                piece_len = 3;
            }
        }
        /* Keep one byte for the NUL; a piece is copied whole or not at all. */
        if (piece_len > cap - 1 - o) {
            err = BORNE_ERR_TOO_LARGE;
            break;
        }
        memcpy(dst + o, piece, piece_len);
        o += piece_len;
        i += n;
    }
    dst[o] = '\0';
    if (out_len) {
        *out_len = o;
    }
    return err;
}

#define FOLD_CHARS_MAX 512

borne_err borne_utf8_fold(const char *s, size_t len, unsigned flags, char *out, size_t cap)
{
    if (!out || cap == 0) {
        return BORNE_ERR_INVALID;
    }
    out[0] = '\0';
    if (!borne_utf8_valid(s, len, NULL) || memchr(s, '\0', len)) {
        return BORNE_ERR_INVALID;
    }
    if (len > FOLD_CHARS_MAX * 4) {
        return BORNE_ERR_TOO_LARGE;
    }
    /* Decomposition may grow the text (one precomposed letter becomes two or three code
     * points): a fixed buffer three times the cap in characters is enough for real words. */
    utf8proc_int32_t cps[FOLD_CHARS_MAX * 3];
    utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
                             UTF8PROC_LUMP | UTF8PROC_IGNORE | UTF8PROC_NLF2LS;
    if (flags & BORNE_FOLD_ACCENTS) {
        opts |= UTF8PROC_STRIPMARK;
    }
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, cps,
                                            (utf8proc_ssize_t)(sizeof(cps) / sizeof(cps[0])), opts);
    if (n < 0) {
        return n == UTF8PROC_ERROR_NOMEM || n == UTF8PROC_ERROR_OVERFLOW ? BORNE_ERR_TOO_LARGE
                                                                         : BORNE_ERR_INVALID;
    }
    if ((size_t)n > sizeof(cps) / sizeof(cps[0])) {
        return BORNE_ERR_TOO_LARGE;
    }
    n = utf8proc_normalize_utf32(cps, n, opts);
    if (n < 0) {
        return BORNE_ERR_INVALID;
    }
    size_t o = 0;
    bool space = false;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        uint32_t cp = (uint32_t)cps[i];
        /* LUMP turned Unicode spaces into ' '; NLF2LS turned line breaks into U+2028. */
        if (cp == ' ' || cp == '\t' || cp == 0x2028 || cp == 0x2029 || cp == '\n' || cp == '\r' ||
            cp == 0x0B || cp == 0x0C) {
            space = o > 0;
            continue;
        }
        char enc[4];
        size_t k = borne_utf8_encode(cp, enc);
        if (k == 0) {
            continue;
        }
        if (o + (space ? 1 : 0) + k + 1 > cap) {
            out[0] = '\0';
            return BORNE_ERR_TOO_LARGE;
        }
        if (space) {
            out[o++] = ' ';
            space = false;
        }
        memcpy(out + o, enc, k);
        o += k;
    }
    out[o] = '\0';
    return BORNE_OK;
}

borne_err borne_utf8_nfc(char *s, size_t cap)
{
    size_t len = strlen(s);
    if (!borne_utf8_valid(s, len, NULL)) {
        return BORNE_ERR_INVALID;
    }
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &nfc,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (n < 0) {
        return n == UTF8PROC_ERROR_NOMEM ? BORNE_ERR_NOMEM : BORNE_ERR_INVALID;
    }
    borne_err err = BORNE_OK;
    if ((size_t)n + 1 > cap) {
        err = BORNE_ERR_TOO_LARGE;
    } else {
        memcpy(s, nfc, (size_t)n + 1);
    }
    free(nfc);
    return err;
}
