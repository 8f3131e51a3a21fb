/* Encoding detection and conversion to UTF-8 (see textenc.h).
 *
 * DESIGN: the order of the checks is what makes detection safe: a byte order mark is certain;
 * valid UTF-8 is kept as it is (Windows-1252 text with accents is almost never valid UTF-8,
 * since an accented letter followed by an ASCII one is an ill-formed sequence); only then is
 * Windows-1252 tried, after refusing the bytes that point to Mac Roman. */
#include "core/textenc.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"

#define RESAVE_HINT                                                                                \
    "re-save it as UTF-8: in Excel, Save As > \"CSV UTF-8 (Comma delimited)\"; in LibreOffice, "   \
    "Save As > Text CSV, character set \"Unicode (UTF-8)\""

const char *borne_text_encoding_name(borne_text_encoding enc)
{
    switch (enc) {
    case BORNE_TEXT_UTF8:
        return "UTF-8";
    case BORNE_TEXT_UTF8_BOM:
        return "UTF-8 with a byte order mark";
    case BORNE_TEXT_UTF16LE:
        return "UTF-16LE";
    case BORNE_TEXT_UTF16BE:
        return "UTF-16BE";
    case BORNE_TEXT_CP1252:
        return "Windows-1252";
    }
    return "?";
}

__attribute__((format(printf, 4, 5))) static borne_err fail(char *msg, size_t cap, borne_err err,
                                                            const char *fmt, ...)
{
    if (msg && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return err;
}

static unsigned long line_at(const unsigned char *d, size_t off)
{
    unsigned long line = 1;
    for (size_t i = 0; i < off; i++) {
        if (d[i] == '\n' || (d[i] == '\r' && (i + 1 >= off || d[i + 1] != '\n'))) {
            line++;
        }
    }
    return line;
}

/* UTF-16LE without a byte order mark: an even length, and most odd bytes zero (ASCII text). */
static bool looks_utf16le(const unsigned char *d, size_t len)
{
    if (len < 4 || len % 2 != 0 || d[1] != 0 || d[0] == 0) {
        return false;
    }
    size_t zeros = 0;
    for (size_t i = 1; i < len; i += 2) {
        zeros += d[i] == 0;
    }
    return zeros * 4 >= (len / 2) * 3;
}

/* True if d[0..len) holds at least one well-formed multi-byte UTF-8 sequence. */
static bool has_utf8_sequence(const unsigned char *d, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (d[i] >= 0xC2) {
            uint32_t cp;
            size_t n = borne_utf8_decode((const char *)d + i, len - i, &cp);
            if (cp != BORNE_UTF8_INVALID && n > 1) {
                return true;
            }
        }
    }
    return false;
}

/* Converts with iconv into a malloc'ed buffer of at most cap bytes. */
static borne_err convert(const char *from, const unsigned char *d, size_t len, size_t cap,
                         char **out, size_t *out_len, size_t *bad_offset)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) {
        return BORNE_ERR_UNSUPPORTED;
    }
    size_t room = len * 3 + 1;
    if (room > cap + 1) {
        room = cap + 1;
    }
    char *buf = malloc(room);
    if (!buf) {
        iconv_close(cd);
        return BORNE_ERR_NOMEM;
    }
    char *in = (char *)d;
    size_t in_left = len;
    char *o = buf;
    size_t o_left = room - 1;
    borne_err err = BORNE_OK;
    if (iconv(cd, &in, &in_left, &o, &o_left) == (size_t)-1) {
        err = errno == E2BIG ? BORNE_ERR_TOO_LARGE : BORNE_ERR_PARSE;
        *bad_offset = (size_t)(in - (char *)d);
    } else if (iconv(cd, NULL, NULL, &o, &o_left) == (size_t)-1) {
        err = BORNE_ERR_TOO_LARGE;
    }
    iconv_close(cd);
    if (err) {
        free(buf);
        return err;
    }
    *o = '\0';
    *out = buf;
    *out_len = (size_t)(o - buf);
    return BORNE_OK;
}

static borne_err copy(const unsigned char *d, size_t len, char **out, size_t *out_len)
{
    char *buf = malloc(len + 1);
    if (!buf) {
        return BORNE_ERR_NOMEM;
    }
    memcpy(buf, d, len);
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return BORNE_OK;
}

/* Drops a trailing Ctrl-Z and the line breaks around it from the decoded text. */
static void drop_ctrl_z(char *s, size_t *len)
{
    size_t n = *len;
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n')) {
        n--;
    }
    if (n > 0 && s[n - 1] == 0x1A) {
        while (n > 0 && s[n - 1] == 0x1A) {
            n--;
        }
        s[n] = '\0';
        *len = n;
    }
}

borne_err borne_text_decode(const char *data, size_t len, size_t cap, char **out, size_t *out_len,
                            borne_text_encoding *enc, char *msg, size_t msg_cap)
{
    const unsigned char *d = (const unsigned char *)data;
    *out = NULL;
    *out_len = 0;
    *enc = BORNE_TEXT_UTF8;
    if (!data && len > 0) {
        return BORNE_ERR_INVALID;
    }
    if (len > cap) {
        return fail(msg, msg_cap, BORNE_ERR_TOO_LARGE, "the file is larger than %zu bytes", cap);
    }
    borne_err err;
    size_t bad = 0;
    if (len >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) {
        bool le = d[0] == 0xFF;
        *enc = le ? BORNE_TEXT_UTF16LE : BORNE_TEXT_UTF16BE;
        err = convert(le ? "UTF-16LE" : "UTF-16BE", d + 2, len - 2, cap, out, out_len, &bad);
    } else if (looks_utf16le(d, len)) {
        *enc = BORNE_TEXT_UTF16LE;
        err = convert("UTF-16LE", d, len, cap, out, out_len, &bad);
    } else {
        size_t skip = 0;
        if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
            *enc = BORNE_TEXT_UTF8_BOM;
            skip = 3;
        }
        if (borne_utf8_valid(data + skip, len - skip, &bad)) {
            err = copy(d + skip, len - skip, out, out_len);
        } else if (skip || has_utf8_sequence(d, len)) {
            /* UTF-8 (a byte order mark, or accented letters in UTF-8) with a stray byte: a
             * file pasted together from two encodings. Converting would garble the rest. */
            return fail(msg, msg_cap, BORNE_ERR_PARSE,
                        "line %lu: invalid UTF-8 in a UTF-8 file (byte 0x%02X; parts pasted from "
                        "another encoding?); " RESAVE_HINT,
                        line_at(d, bad + skip), d[bad + skip]);
        } else {
            /* Bytes Windows-1252 leaves undefined, or that give letters French text does not
             * use but that are Mac Roman's accented letters (0x8E is a Mac "é"). */
            static const unsigned char mac[] = {0x81, 0x82, 0x83, 0x84, 0x86, 0x87,
                                                0x88, 0x89, 0x8A, 0x8D, 0x8E, 0x8F,
                                                0x90, 0x98, 0x9A, 0x9D, 0x9E};
            for (size_t i = 0; i < len; i++) {
                if (d[i] >= 0x80 && d[i] <= 0x9F && memchr(mac, d[i], sizeof(mac))) {
                    return fail(msg, msg_cap, BORNE_ERR_PARSE,
                                "line %lu: the file is neither UTF-8 nor Windows-1252 (Mac "
                                "Roman?); " RESAVE_HINT,
                                line_at(d, i));
                }
            }
            *enc = BORNE_TEXT_CP1252;
            err = convert("WINDOWS-1252", d, len, cap, out, out_len, &bad);
        }
    }
    if (err == BORNE_ERR_PARSE) {
        return fail(msg, msg_cap, err, "the file is not valid %s (near byte %zu); " RESAVE_HINT,
                    borne_text_encoding_name(*enc), bad);
    }
    if (err == BORNE_ERR_TOO_LARGE) {
        return fail(msg, msg_cap, err, "the file is larger than %zu bytes once in UTF-8", cap);
    }
    if (err == BORNE_ERR_UNSUPPORTED) {
        return fail(msg, msg_cap, err, "the C library cannot convert from %s",
                    borne_text_encoding_name(*enc));
    }
    if (err) {
        return fail(msg, msg_cap, err, "out of memory");
    }
    drop_ctrl_z(*out, out_len);
    return BORNE_OK;
}
