/* Name order for badges and reports; see collate.h. */
#include "core/collate.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"

#define KEY_CAP 1024

/* The folded spelling of one code point ("" to drop it, " " for a word break), or NULL to keep
 * the code point as it is. */
static const char *fold_cp(uint32_t cp, char ascii[2])
{
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
            ascii[0] = (char)cp;
            ascii[1] = '\0';
            return ascii;
        }
        if (cp >= 'A' && cp <= 'Z') {
            ascii[0] = (char)(cp - 'A' + 'a');
            ascii[1] = '\0';
            return ascii;
        }
        return cp == ' ' || cp == '-' || cp == '\'' ? " " : "";
    }
    switch (cp) {
    case 0xC0:
    case 0xC1:
    case 0xC2:
    case 0xC3:
    case 0xC4:
    case 0xC5:
    case 0xE0:
    case 0xE1:
    case 0xE2:
    case 0xE3:
    case 0xE4:
    case 0xE5:
        return "a";
    case 0xC6:
    case 0xE6:
        return "ae";
    case 0xC7:
    case 0xE7:
        return "c";
    case 0xC8:
    case 0xC9:
    case 0xCA:
    case 0xCB:
    case 0xE8:
    case 0xE9:
    case 0xEA:
    case 0xEB:
        return "e";
    case 0xCC:
    case 0xCD:
    case 0xCE:
    case 0xCF:
    case 0xEC:
    case 0xED:
    case 0xEE:
    case 0xEF:
        return "i";
    case 0xD1:
    case 0xF1:
        return "n";
    case 0xD2:
    case 0xD3:
    case 0xD4:
    case 0xD5:
    case 0xD6:
    case 0xD8:
    case 0xF2:
    case 0xF3:
    case 0xF4:
    case 0xF5:
    case 0xF6:
    case 0xF8:
        return "o";
    case 0x152:
    case 0x153:
        return "oe";
    case 0xD9:
    case 0xDA:
    case 0xDB:
    case 0xDC:
    case 0xF9:
    case 0xFA:
    case 0xFB:
    case 0xFC:
        return "u";
    case 0xDD:
    case 0xFD:
    case 0xFF:
    case 0x178:
        return "y";
    case 0xDF:
        return "ss";
    case 0xA0:
    case 0x2010:
    case 0x2011:
    case 0x2019:
    case 0x2018:
    case 0x02BC:
        return " "; /* no-break space, hyphens, apostrophes */
    default:
        return cp < 0xC0 ? "" : NULL; /* other Latin-1 signs dropped; the rest kept */
    }
}

/* Folds s[0..len) into out (words separated by one space, no space at either end). */
static size_t fold(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    bool space = true; /* no leading space */
    for (size_t i = 0; i < len && n + 5 < cap;) {
        uint32_t cp;
        size_t used = borne_utf8_decode(s + i, len - i, &cp);
        i += used;
        if (cp == BORNE_UTF8_INVALID) {
            continue;
        }
        char ascii[2];
        const char *f = fold_cp(cp, ascii);
        if (f == NULL) {
            n += borne_utf8_encode(cp, out + n);
            space = false;
        } else if (f[0] == ' ') {
            if (!space) {
                out[n++] = ' ';
                space = true;
            }
        } else {
            size_t fl = strlen(f);
            memcpy(out + n, f, fl);
            n += fl;
            space = space && fl == 0;
        }
    }
    while (n > 0 && out[n - 1] == ' ') {
        n--;
    }
    out[n] = '\0';
    return n;
}

static bool is_particle(const char *w, size_t n)
{
    static const char *const particles[] = {"de", "du", "des", "d", "la", "le", "van", "von"};
    for (size_t i = 0; i < sizeof(particles) / sizeof(particles[0]); i++) {
        if (strlen(particles[i]) == n && memcmp(particles[i], w, n) == 0) {
            return true;
        }
    }
    return false;
}

/* Appends src[0..n) and a separator below every letter (so "roy" < "roya"). */
static size_t put(char *out, size_t at, size_t cap, const char *src, size_t n)
{
    for (size_t i = 0; i < n && at + 1 < cap; i++) {
        out[at++] = src[i];
    }
    if (at + 1 < cap) {
        out[at++] = '\x01';
    }
    out[at] = '\0';
    return at;
}

size_t borne_name_sort_key(const char *name, size_t len, char *out, size_t cap)
{
    if (cap == 0) {
        return 0;
    }
    /* Words of the name split on spaces before folding: a hyphenated surname stays one word.
     * Hyphens and apostrophes are word breaks for the fold only. */
    size_t end = len;
    while (end > 0 && (name[end - 1] == ' ' || name[end - 1] == '\t')) {
        end--;
    }
    size_t last = end;
    while (last > 0 && name[last - 1] != ' ') {
        last--;
    }
    /* Particles before the surname ("de la", "d’" is part of its word: "d’Amours"). */
    char folded[KEY_CAP];
    size_t given_end = last;
    for (;;) {
        size_t e = given_end;
        while (e > 0 && name[e - 1] == ' ') {
            e--;
        }
        size_t b = e;
        while (b > 0 && name[b - 1] != ' ') {
            b--;
        }
        if (b == e || b == 0) {
            break; /* no word, or the first word: a given name, never a particle */
        }
        size_t fl = fold(name + b, e - b, folded, sizeof(folded));
        if (!is_particle(folded, fl)) {
            break;
        }
        given_end = b;
    }
    char surname[KEY_CAP], given[KEY_CAP], particles[KEY_CAP];
    size_t sl = fold(name + last, end - last, surname, sizeof(surname));
    /* "d’Amours", "D'Amours": the elided particle is not a sort letter either. */
    if (sl > 2 && surname[0] == 'd' && surname[1] == ' ') {
        memmove(surname, surname + 2, sl - 1);
        sl -= 2;
    }
    size_t gl = fold(name, given_end, given, sizeof(given));
    size_t pl = fold(name + given_end, last - given_end, particles, sizeof(particles));
    size_t n = put(out, 0, cap, surname, sl);
    n = put(out, n, cap, given, gl);
    n = put(out, n, cap, particles, pl);
    return n;
}

int borne_name_compare(const char *a, size_t alen, const char *b, size_t blen)
{
    char ka[KEY_CAP], kb[KEY_CAP];
    borne_name_sort_key(a, alen, ka, sizeof(ka));
    borne_name_sort_key(b, blen, kb, sizeof(kb));
    int c = strcmp(ka, kb);
    if (c != 0) {
        return c;
    }
    size_t n = alen < blen ? alen : blen;
    c = memcmp(a, b, n);
    return c != 0 ? c : (alen > blen) - (alen < blen);
}
