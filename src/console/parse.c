/* The console's parsers (parse.h). */
#include "console/parse.h"

#include <string.h>

#include "core/utf8.h"

static bool cookie_char(char c)
{
    return c > 0x20 && c < 0x7f && c != ';' && c != ',' && c != '"' && c != '\\';
}

bool borne_console_cookie(const char *header, const char *name, char *out, size_t cap)
{
    if (!header || !cap) {
        return false;
    }
    size_t nlen = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';') {
            p++;
        }
        const char *start = p;
        while (*p && *p != '=' && *p != ';') {
            p++;
        }
        if (*p != '=') {
            continue; /* a bare word: skipped */
        }
        bool match = (size_t)(p - start) == nlen && memcmp(start, name, nlen) == 0;
        p++;
        const char *v = p;
        while (*p && *p != ';') {
            p++;
        }
        size_t vlen = (size_t)(p - v);
        while (vlen && v[vlen - 1] == ' ') {
            vlen--;
        }
        if (!match) {
            continue;
        }
        if (!vlen || vlen >= cap) {
            return false;
        }
        for (size_t i = 0; i < vlen; i++) {
            if (!cookie_char(v[i])) {
                return false;
            }
        }
        memcpy(out, v, vlen);
        out[vlen] = '\0';
        return true;
    }
    return false;
}

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decodes s[0..len) into out[cap]; false when malformed or too long. */
static bool decode(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= len) {
                return false;
            }
            int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
            if (hi < 0 || lo < 0) {
                return false;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
            return false;
        }
        if (n + 1 >= cap) {
            return false;
        }
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return borne_utf8_valid(out, n, NULL);
}

bool borne_console_form(const char *body, size_t len, const char *name, char *out, size_t cap)
{
    if (!body || !cap) {
        return false;
    }
    out[0] = '\0';
    size_t nlen = strlen(name);
    const char *value = NULL; /* the field's value (after '='), when it has one */
    size_t vlen = 0;
    bool found = false;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && body[i] != '&') {
            i++;
        }
        const char *pair = body + start;
        size_t plen = i - start;
        i++; /* past '&' */
        const char *eq = memchr(pair, '=', plen);
        size_t klen = eq ? (size_t)(eq - pair) : plen;
        if (klen == nlen && memcmp(pair, name, nlen) == 0) {
            if (found) {
                return false; /* twice: which one the sender meant is not ours to guess */
            }
            found = true;
            value = eq ? eq + 1 : NULL;
            vlen = eq ? plen - klen - 1 : 0;
        }
    }
    if (!found || !value) {
        return found;
    }
    if (!decode(value, vlen, out, cap)) {
        out[0] = '\0'; /* nothing half-decoded for a caller that reads it anyway */
        return false;
    }
    return true;
}

bool borne_console_safe_next(const char *path)
{
    if (!path || path[0] != '/' || path[1] == '/' || path[1] == '\\' ||
        strncmp(path, "/v1/", 4) == 0 || strlen(path) > 512) {
        return false;
    }
    for (const char *p = path; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '\\') {
            return false;
        }
    }
    return true;
}
