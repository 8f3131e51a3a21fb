/* UTF-8 validation and display sanitising (see utf8.h).
 *
 * DESIGN: one decoder, borne_utf8_decode(), checks each byte against the ranges of well-formed
 * sequences given in the Unicode standard (table "Well-Formed UTF-8 Byte Sequences"). Checking
 * the second byte's range against the lead byte is what rejects overlong forms (E0 80..9F,
 * F0 80..8F), surrogates (ED A0..BF) and values above U+10FFFF (F4 90..BF, F5..FF) without any
 * arithmetic on the decoded value. */
#include "core/utf8.h"

#include <string.h>

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
