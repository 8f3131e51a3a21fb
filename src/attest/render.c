/* Drawing an attestation with cairo (see attest.h and docs/attestations.md).
 *
 * DESIGN. One function, render(), lays the whole document out in millimetres, page by page. It
 * runs twice on the same PDF surface: a first pass only measures (to know the number of pages
 * for "Page 1 de 2"), the second draws. Text uses cairo's own font API with "DejaVu Sans"
 * (fonts-dejavu-core), as the badges do; lines break only at ASCII spaces, so the no-break
 * spaces of French typography (before ":", inside « », between a number and its unit) hold.
 * Table rows never split across pages; the table header is repeated on each page; the total,
 * the notes and the verification block (QR code on the left, its explanation on the right) end
 * the document, on a new page when the last one has no room left.
 *
 * Typography (French): "9 h 05" for times, "1,50 h" for hours (two decimals, decimal comma,
 * no-break space before "h"), "26 novembre 2026", « » with no-break spaces, ’ for apostrophes. */
#define LOG_MODULE "attest"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "badge/draw.h"
#include "badge/qr.h"
#include "core/hours.h"
#include "core/log.h"
#include "core/timefmt.h"

#define FONT  "DejaVu Sans"
#define PT_MM (25.4 / 72.0)

#define NBSP  "\xc2\xa0"
#define LAQUO "\xc2\xab" NBSP
#define RAQUO NBSP "\xc2\xbb"
#define RSQUO "\xe2\x80\x99"
#define NDASH "\xe2\x80\x93"

/* Page layout, millimetres. */
#define MARGIN_X      20.0
#define MARGIN_TOP    18.0
#define MARGIN_BOTTOM 16.0
#define FOOTER_H      8.0
#define QR_MODULE_MM  0.8 /* a version-5 code (37 modules + quiet zone) is 36 mm */
#define CELL_PAD      1.6
#define TEXT_LINE_MAX (BORNE_NAME_MAX + 64)
#define MAX_LINES     8

/* ---- Words ---------------------------------------------------------------------------- */

struct words {
    const char *title, *subtitle, *intro, *person, *event;
    const char *col[5];
    const char *total, *exit_note, *verify;
};

/* Texts with numbers in them: literals, so the compiler checks their formats. The spaces
 * written NBSP are no-break spaces (U+00A0). */
#define FR_NUMBER "Numéro au registre" NBSP ": %u"
#define EN_NUMBER "Registry number: %u"
#define FR_PLACE  "Lieu" NBSP ": %s"
#define EN_PLACE  "Place: %s"
#define FR_TOTAL_NOTE                                                                                 \
    "Chaque activité est créditée selon sa règle. Le total est la somme des minutes créditées " \
    "(%lld" NBSP "min), convertie en heures et arrondie une seule fois, au centième d’heure."
#define EN_TOTAL_NOTE                                                                              \
    "Each activity is credited under its own rule. The total is the sum of the credited "          \
    "minutes (%lld" NBSP "min), converted to hours and rounded once, to the hundredth of an hour."
#define FR_VERIFY_TEXT                                                                               \
    "Ce code est signé numériquement par l’émetteur (clé n°" NBSP "%u). Il atteste l’évènement " \
    "(n°" NBSP "%u), la personne (n°" NBSP "%u), le total de %lld" NBSP "minutes et la date de "     \
    "délivrance" NBSP ": toute modification de ces données le rend invalide. Pour le "              \
    "vérifier" NBSP ": " LAQUO "bornectl verify" RAQUO ", ou auprès de l’émetteur."
#define EN_VERIFY_TEXT                                                                               \
    "This code is digitally signed by the issuer (key no." NBSP "%u). It states the event "          \
    "(no." NBSP "%u), the person (no." NBSP "%u), the total of %lld" NBSP "minutes and the date "    \
    "of issue: any change to them makes it invalid. To check it: “bornectl verify”, or ask the " \
    "issuer."
#define FR_ISSUED    "Délivrée le %s"
#define EN_ISSUED    "Issued on %s"
#define FR_PAGE      "Page %d de %d"
#define EN_PAGE      "Page %d of %d"
#define FR_PERIODS   "%lld" NBSP "min en %d" NBSP "périodes"
#define EN_PERIODS   "%lld" NBSP "min in %d periods"
#define FR_ISSUED_BY "Émetteur" NBSP ": %s"
#define EN_ISSUED_BY "Issuer: %s"
#define SAY(d, out, cap, WHAT, ...)                                                                \
    ((d)->lang == BORNE_ATTEST_EN ? snprintf(out, cap, EN_##WHAT, __VA_ARGS__)                     \
                                  : snprintf(out, cap, FR_##WHAT, __VA_ARGS__))

static const struct words words_fr = {
    .title = "Confirmation de présence",
    .subtitle = "Confirmation of attendance",
    .intro = "Nous confirmons que la personne nommée ci-dessous a assisté aux activités suivantes "
             "de l’évènement, selon les lectures de son code à l’entrée et à la sortie des salles.",
    .person = "PERSONNE PARTICIPANTE",
    .event = "ÉVÈNEMENT",
    .col = {"Date", "Activité", "Horaire prévu", "Présence", "Heures créditées"},
    .total = "Total des heures créditées",
    .exit_note = "* Sortie non lue" NBSP ": la présence est comptée jusqu’à la fin prévue de "
                 "l’activité, ou jusqu’à la délivrance si elle n’était pas terminée.",
    .verify = "Vérification",
};

static const struct words words_en = {
    .title = "Confirmation of attendance",
    .subtitle = "Confirmation de présence",
    .intro = "We confirm that the person named below attended the following activities of the "
             "event, according to the scans of their code at the doors of the rooms.",
    .person = "PARTICIPANT",
    .event = "EVENT",
    .col = {"Date", "Activity", "Scheduled", "Attendance", "Hours credited"},
    .total = "Total hours credited",
    .exit_note = "* Exit not scanned: attendance is counted until the scheduled end of the "
                 "activity, or until the date of issue if it had not ended.",
    .verify = "Verification",
};

static const char *const month_fr[] = {"janvier",   "février", "mars",     "avril",
                                       "mai",       "juin",    "juillet",  "août",
                                       "septembre", "octobre", "novembre", "décembre"};
static const char *const month_fr_short[] = {"janv.",  "févr.", "mars",  "avr.", "mai",  "juin",
                                             "juill.", "août",  "sept.", "oct.", "nov.", "déc."};
static const char *const month_en[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
static const char *const month_en_short[] = {"Jan.", "Feb.", "Mar.",  "Apr.", "May",  "June",
                                             "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."};

/* ---- Dates and times ------------------------------------------------------------------ */

struct local {
    int year, month, day, hour, minute;
};

static void local_time(int64_t t, const char *tz, struct local *l)
{
    char iso[64];
    borne_time_format_local(t, tz[0] ? tz : BORNE_DEFAULT_TIMEZONE, iso, sizeof(iso));
    memset(l, 0, sizeof(*l));
    if (sscanf(iso, "%d-%d-%dT%d:%d", &l->year, &l->month, &l->day, &l->hour, &l->minute) != 5 ||
        l->month < 1 || l->month > 12) {
        l->year = 1970;
        l->month = 1;
        l->day = 1;
    }
}

/* "26 novembre 2026", "1er mai 2026" / "November 26, 2026". */
static void long_date(enum borne_attest_lang lang, const struct local *l, char *out, size_t cap)
{
    if (lang == BORNE_ATTEST_EN) {
        snprintf(out, cap, "%s %d, %d", month_en[l->month - 1], l->day, l->year);
    } else {
        snprintf(out, cap, "%d%s %s %d", l->day, l->day == 1 ? "er" : "", month_fr[l->month - 1],
                 l->year);
    }
}

/* "26 nov. 2026" / "Nov. 26, 2026". */
static void short_date(enum borne_attest_lang lang, const struct local *l, char *out, size_t cap)
{
    if (lang == BORNE_ATTEST_EN) {
        snprintf(out, cap, "%s" NBSP "%d, %d", month_en_short[l->month - 1], l->day, l->year);
    } else {
        snprintf(out, cap, "%d%s" NBSP "%s" NBSP "%d", l->day, l->day == 1 ? "er" : "",
                 month_fr_short[l->month - 1], l->year);
    }
}

/* "9 h 05" / "9:05". */
static void clock_time(enum borne_attest_lang lang, const struct local *l, char *out, size_t cap)
{
    if (lang == BORNE_ATTEST_EN) {
        snprintf(out, cap, "%d:%02d", l->hour, l->minute);
    } else {
        snprintf(out, cap, "%d" NBSP "h" NBSP "%02d", l->hour, l->minute);
    }
}

/* The event's dates: "26 novembre 2026", "du 26 au 27 novembre 2026", "du 30 novembre au
 * 2 décembre 2026" / "November 26–27, 2026". The end is exclusive (an end of day is the next
 * midnight), so the last day is the one of ends - 1 s. */
static void event_dates(enum borne_attest_lang lang, const borne_event *ev, char *out, size_t cap)
{
    struct local a, b;
    local_time(ev->starts, ev->timezone, &a);
    local_time(ev->ends > ev->starts ? ev->ends - 1 : ev->starts, ev->timezone, &b);
    bool en = lang == BORNE_ATTEST_EN;
    if (a.year == b.year && a.month == b.month && a.day == b.day) {
        long_date(lang, &a, out, cap);
    } else if (a.year == b.year && a.month == b.month) {
        if (en) {
            snprintf(out, cap, "%s %d" NDASH "%d, %d", month_en[a.month - 1], a.day, b.day, a.year);
        } else {
            snprintf(out, cap, "du %d%s au %d %s %d", a.day, a.day == 1 ? "er" : "", b.day,
                     month_fr[a.month - 1], a.year);
        }
    } else {
        char da[64], db[64];
        long_date(lang, &a, da, sizeof(da));
        long_date(lang, &b, db, sizeof(db));
        if (a.year == b.year) { /* drop the first year */
            char *sp = strrchr(da, en ? ',' : ' ');
            if (sp) {
                *sp = '\0';
            }
        }
        if (en) {
            snprintf(out, cap, "%s " NDASH " %s", da, db);
        } else {
            snprintf(out, cap, "du %s au %s", da, db);
        }
    }
}

static void hours_text(enum borne_attest_lang lang, int64_t minutes, char *out, size_t cap)
{
    char n[24];
    borne_hours_format(minutes, lang == BORNE_ATTEST_EN ? '.' : ',', n, sizeof(n));
    snprintf(out, cap, "%s" NBSP "h", n);
}

/* ---- Text ------------------------------------------------------------------------------ */

struct doc {
    cairo_t *cr;
    bool ink; /* false: measure only */
    const struct words *w;
    enum borne_attest_lang lang;
    double page_w, page_h;
    int page, pages;
    char issued[64];
    char running[2 * BORNE_NAME_MAX + 64]; /* the header of pages after the first */
};

static void font(struct doc *d, bool bold, double pt)
{
    cairo_select_font_face(d->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(d->cr, pt * PT_MM);
}

static double width(struct doc *d, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(d->cr, s, &e);
    return e.x_advance;
}

static double line_height(struct doc *d)
{
    cairo_font_extents_t fe;
    cairo_font_extents(d->cr, &fe);
    return fe.height;
}

static double ascent(struct doc *d)
{
    cairo_font_extents_t fe;
    cairo_font_extents(d->cr, &fe);
    return fe.ascent;
}

enum align { LEFT, RIGHT, CENTRE };

/* Draws one line with its top at y. */
static void text(struct doc *d, double x, double y, const char *s, enum align al, double grey)
{
    if (!d->ink || !s[0]) {
        return;
    }
    double w = width(d, s);
    double tx = al == RIGHT ? x - w : al == CENTRE ? x - w / 2 : x;
    cairo_set_source_rgb(d->cr, grey, grey, grey);
    cairo_move_to(d->cr, tx, y + ascent(d));
    cairo_show_text(d->cr, s);
}

struct lines {
    int n;
    char l[MAX_LINES][TEXT_LINE_MAX];
};

/* Copies s[0..n) into a line, without spaces at either end. */
static void set_line(char *dst, const char *s, size_t n)
{
    while (n && *s == ' ') {
        s++;
        n--;
    }
    while (n && s[n - 1] == ' ') {
        n--;
    }
    if (n >= TEXT_LINE_MAX) {
        n = TEXT_LINE_MAX - 1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Shortens a line at a character boundary until it and "…" fit in max_w. */
static void ellipsise(struct doc *d, char *line, double max_w)
{
    size_t n = strlen(line);
    char buf[TEXT_LINE_MAX + 4];
    for (;;) {
        while (n && line[n - 1] == ' ') {
            n--;
        }
        memcpy(buf, line, n);
        memcpy(buf + n, "\xe2\x80\xa6", 4);
        if (n == 0 || width(d, buf) <= max_w) {
            break;
        }
        n--;
        while (n && ((unsigned char)line[n] & 0xc0u) == 0x80u) {
            n--;
        }
    }
    snprintf(line, TEXT_LINE_MAX, "%s", buf);
}

/* Breaks `s` into at most `max` lines of at most max_w with the current font: at spaces, or
 * inside a word too long for a line; the last line is ellipsised if text is left over. */
static void wrap(struct doc *d, const char *s, double max_w, int max, struct lines *out)
{
    out->n = 0;
    while (*s == ' ') {
        s++;
    }
    char try[TEXT_LINE_MAX];
    while (*s && out->n < max) {
        size_t len = strlen(s), fit = 0, i = 0;
        /* The longest prefix ending before a space that fits. */
        while (i <= len) {
            if (s[i] == ' ' || s[i] == '\0') {
                set_line(try, s, i);
                if (width(d, try) > max_w) {
                    break;
                }
                fit = i;
                if (s[i] == '\0') {
                    break;
                }
            }
            i++;
        }
        if (fit == 0) { /* one word longer than the line: cut it where it overflows */
            for (i = 1; i <= len; i++) {
                if (i < len && ((unsigned char)s[i] & 0xc0u) == 0x80u) {
                    continue;
                }
                set_line(try, s, i);
                if (width(d, try) > max_w) {
                    break;
                }
                fit = i;
            }
            if (fit == 0) { /* not even one character: take one anyway */
                fit = 1;
                while (fit < len && ((unsigned char)s[fit] & 0xc0u) == 0x80u) {
                    fit++;
                }
            }
        }
        set_line(out->l[out->n++], s, fit);
        s += fit;
        while (*s == ' ') {
            s++;
        }
    }
    if (*s && out->n > 0) { /* left over: the last line says so */
        char *last = out->l[out->n - 1];
        size_t used = strlen(last);
        snprintf(last + used, TEXT_LINE_MAX - used, " %s", s);
        ellipsise(d, last, max_w);
    }
}

/* Draws wrapped lines with the first top at y; returns the height used. */
static double paragraph(struct doc *d, double x, double y, double max_w, const char *s, int max,
                        double grey)
{
    struct lines ls;
    wrap(d, s, max_w, max, &ls);
    double lh = line_height(d);
    for (int i = 0; i < ls.n; i++) {
        text(d, x, y + i * lh, ls.l[i], LEFT, grey);
    }
    return ls.n * lh;
}

static void rule(struct doc *d, double x0, double x1, double y, double w, double grey)
{
    if (!d->ink) {
        return;
    }
    cairo_set_source_rgb(d->cr, grey, grey, grey);
    cairo_set_line_width(d->cr, w);
    cairo_move_to(d->cr, x0, y);
    cairo_line_to(d->cr, x1, y);
    cairo_stroke(d->cr);
}

static void fill_rect(struct doc *d, double x, double y, double w, double h, double grey)
{
    if (!d->ink) {
        return;
    }
    cairo_set_source_rgb(d->cr, grey, grey, grey);
    cairo_rectangle(d->cr, x, y, w, h);
    cairo_fill(d->cr);
}

/* ---- The document ---------------------------------------------------------------------- */

/* Table columns: x positions (mm from the left margin) and widths. */
struct columns {
    double x[5], w[5];
};

static void columns(const struct doc *d, struct columns *c)
{
    double content = d->page_w - 2 * MARGIN_X;
    static const double fixed[5] = {27.0, 0.0, 31.0, 31.0, 24.0};
    double rest = content - fixed[0] - fixed[2] - fixed[3] - fixed[4];
    double x = MARGIN_X;
    for (int i = 0; i < 5; i++) {
        c->w[i] = i == 1 ? rest : fixed[i];
        c->x[i] = x;
        x += c->w[i];
    }
}

static void footer(struct doc *d)
{
    font(d, false, 7.5);
    double y = d->page_h - MARGIN_BOTTOM - line_height(d);
    rule(d, MARGIN_X, d->page_w - MARGIN_X, y - 1.5, 0.2, 0.75);
    char buf[96];
    SAY(d, buf, sizeof(buf), ISSUED, d->issued);
    text(d, MARGIN_X, y, buf, LEFT, 0.4);
    SAY(d, buf, sizeof(buf), PAGE, d->page, d->pages);
    text(d, d->page_w - MARGIN_X, y, buf, RIGHT, 0.4);
}

static double content_bottom(const struct doc *d)
{
    return d->page_h - MARGIN_BOTTOM - FOOTER_H;
}

static double new_page(struct doc *d)
{
    footer(d);
    if (d->ink) {
        cairo_show_page(d->cr);
    }
    d->page++;
    /* Whose pages these are, should they be separated. */
    font(d, false, 8.0);
    double y = MARGIN_TOP;
    y += paragraph(d, MARGIN_X, y, d->page_w - 2 * MARGIN_X, d->running, 1, 0.4) + 1.2;
    rule(d, MARGIN_X, d->page_w - MARGIN_X, y, 0.2, 0.75);
    return y + 4.0;
}

static double table_header(struct doc *d, const struct columns *c, double y)
{
    font(d, true, 8.0);
    double h = line_height(d) + 2 * CELL_PAD;
    fill_rect(d, MARGIN_X, y, d->page_w - 2 * MARGIN_X, h, 0.92);
    for (int i = 0; i < 5; i++) {
        if (i == 4) {
            text(d, c->x[i] + c->w[i] - CELL_PAD, y + CELL_PAD, d->w->col[i], RIGHT, 0.2);
        } else {
            text(d, c->x[i] + CELL_PAD, y + CELL_PAD, d->w->col[i], LEFT, 0.2);
        }
    }
    return y + h;
}

/* One session's row: measured (ink false) or drawn; returns its height. */
static double session_row(struct doc *d, const struct columns *c, const borne_attest *a,
                          const borne_attest_session *s, double y)
{
    const char *tz = a->event.timezone;
    struct local st, en, in, out;
    local_time(s->starts, tz, &st);
    local_time(s->ends, tz, &en);
    char date[48], sched[64], pres[64], mins[64], hrs[32], t1[24], t2[24];
    short_date(d->lang, &st, date, sizeof(date));
    clock_time(d->lang, &st, t1, sizeof(t1));
    clock_time(d->lang, &en, t2, sizeof(t2));
    snprintf(sched, sizeof(sched), "%s " NDASH " %s", t1, t2);
    local_time(s->first_entry, tz, &in);
    clock_time(d->lang, &in, t1, sizeof(t1));
    if (s->exit_missing || !s->last_exit) {
        local_time(s->exit_missing ? s->open_until : s->ends, tz, &out);
        clock_time(d->lang, &out, t2, sizeof(t2));
        snprintf(pres, sizeof(pres), "%s " NDASH " %s" NBSP "*", t1, t2);
    } else {
        local_time(s->last_exit, tz, &out);
        clock_time(d->lang, &out, t2, sizeof(t2));
        snprintf(pres, sizeof(pres), "%s " NDASH " %s", t1, t2);
    }
    long long attended_min = (long long)(s->attended_s / 60);
    if (s->intervals > 1) {
        SAY(d, mins, sizeof(mins), PERIODS, attended_min, (int)s->intervals);
    } else {
        snprintf(mins, sizeof(mins), "%lld" NBSP "min", attended_min);
    }
    hours_text(d->lang, s->credit_minutes, hrs, sizeof(hrs));

    /* Activity: "A1 · Title", the room under it in grey. */
    char title[TEXT_LINE_MAX];
    if (s->code[0]) {
        snprintf(title, sizeof(title), "%s · %s", s->code, s->title);
    } else {
        snprintf(title, sizeof(title), "%s", s->title);
    }
    font(d, false, 8.5);
    double lh = line_height(d);
    double tw = c->w[1] - 2 * CELL_PAD;
    struct lines ls;
    wrap(d, title, tw, 4, &ls);
    font(d, false, 7.5);
    double lh_small = line_height(d);
    struct lines room = {0};
    if (s->room[0]) {
        wrap(d, s->room, tw, 2, &room);
    }
    double h = ls.n * lh + room.n * lh_small;
    double other = lh + lh_small; /* the two-line cells */
    if (h < other) {
        h = other;
    }
    h += 2 * CELL_PAD;
    if (!d->ink) {
        return h;
    }
    double ty = y + CELL_PAD;
    font(d, false, 8.5);
    text(d, c->x[0] + CELL_PAD, ty, date, LEFT, 0.1);
    for (int i = 0; i < ls.n; i++) {
        text(d, c->x[1] + CELL_PAD, ty + i * lh, ls.l[i], LEFT, 0.0);
    }
    text(d, c->x[2] + CELL_PAD, ty, sched, LEFT, 0.1);
    text(d, c->x[3] + CELL_PAD, ty, pres, LEFT, 0.1);
    font(d, true, 8.5);
    text(d, c->x[4] + c->w[4] - CELL_PAD, ty, hrs, RIGHT, 0.0);
    font(d, false, 7.5);
    for (int i = 0; i < room.n; i++) {
        text(d, c->x[1] + CELL_PAD, ty + ls.n * lh + i * lh_small, room.l[i], LEFT, 0.45);
    }
    text(d, c->x[3] + CELL_PAD, ty + lh, mins, LEFT, 0.45);
    rule(d, MARGIN_X, d->page_w - MARGIN_X, y + h, 0.15, 0.8);
    return h;
}

/* The header of the first page; returns the y under it. */
static double heading(struct doc *d, const borne_attest *a, const borne_attest_options *o,
                      const char *issuer)
{
    double y = MARGIN_TOP;
    double content = d->page_w - 2 * MARGIN_X;
    font(d, true, 9.5);
    y += paragraph(d, MARGIN_X, y, content, issuer, 2, 0.3);
    y += 1.5;
    rule(d, MARGIN_X, d->page_w - MARGIN_X, y, 0.5, 0.2);
    y += 7.0;
    font(d, true, 22.0);
    text(d, MARGIN_X, y, d->w->title, LEFT, 0.0);
    y += line_height(d);
    font(d, false, 12.0);
    text(d, MARGIN_X, y, d->w->subtitle, LEFT, 0.45);
    /* The date of issue on the right, on the subtitle's baseline. */
    double base = y + ascent(d);
    char issued[96];
    SAY(d, issued, sizeof(issued), ISSUED, d->issued);
    font(d, false, 9.5);
    text(d, d->page_w - MARGIN_X, base - ascent(d), issued, RIGHT, 0.2);
    font(d, false, 12.0);
    y += line_height(d) + 5.0;
    font(d, false, 9.5);
    y += paragraph(d, MARGIN_X, y, content, d->w->intro, 3, 0.15) + 6.0;

    /* Two columns: the person on the left, the event on the right. */
    double gap = 8.0, colw = (content - gap) / 2, xr = MARGIN_X + colw + gap;
    double yl = y, yr = y;
    font(d, true, 7.0);
    text(d, MARGIN_X, yl, d->w->person, LEFT, 0.45);
    text(d, xr, yr, d->w->event, LEFT, 0.45);
    yl += line_height(d) + 1.0;
    yr = yl;
    font(d, true, 14.0);
    yl += paragraph(d, MARGIN_X, yl, colw, a->participant.display_name, 2, 0.0) + 0.8;
    font(d, false, 10.0);
    if (a->participant.organisation[0]) {
        yl += paragraph(d, MARGIN_X, yl, colw, a->participant.organisation, 2, 0.15);
    }
    font(d, false, 8.5);
    char buf[BORNE_ATTEST_MAX_TEXT + 64];
    SAY(d, buf, sizeof(buf), NUMBER, a->participant.id);
    yl += paragraph(d, MARGIN_X, yl, colw, buf, 1, 0.4);

    font(d, true, 11.0);
    yr += paragraph(d, xr, yr, colw, a->event.name, 3, 0.0) + 0.8;
    font(d, false, 10.0);
    event_dates(d->lang, &a->event, buf, sizeof(buf));
    yr += paragraph(d, xr, yr, colw, buf, 2, 0.15);
    if (o->place && o->place[0]) {
        SAY(d, buf, sizeof(buf), PLACE, o->place);
        yr += paragraph(d, xr, yr, colw, buf, 2, 0.15);
    }
    return (yl > yr ? yl : yr) + 7.0;
}

/* The total and the notes under the table: the height they need, drawn at y when ink. */
static double total_block(struct doc *d, const borne_attest *a, double y)
{
    const double y0 = y;
    double content = d->page_w - 2 * MARGIN_X;
    char buf[1024], hrs[32];
    struct columns c;
    columns(d, &c);

    /* Total: label right-aligned before the last column, the value in it. */
    rule(d, MARGIN_X, d->page_w - MARGIN_X, y, 0.5, 0.2);
    y += 2.2;
    font(d, true, 10.5);
    hours_text(d->lang, a->total_minutes, hrs, sizeof(hrs));
    text(d, c.x[4] - CELL_PAD, y, d->w->total, RIGHT, 0.0);
    text(d, c.x[4] + c.w[4] - CELL_PAD, y, hrs, RIGHT, 0.0);
    y += line_height(d) + 4.0;

    font(d, false, 8.0);
    SAY(d, buf, sizeof(buf), TOTAL_NOTE, (long long)a->total_minutes);
    y += paragraph(d, MARGIN_X, y, content, buf, 3, 0.35);
    bool any_missing = false;
    for (size_t i = 0; i < a->count; i++) {
        any_missing = any_missing || a->sessions[i].exit_missing || !a->sessions[i].last_exit;
    }
    if (any_missing) {
        y += 1.0 + paragraph(d, MARGIN_X, y + 1.0, content, d->w->exit_note, 2, 0.35);
    }
    return y - y0;
}

/* The verification block: the QR code with its quiet zone, its explanation beside it. */
static double verify_block(struct doc *d, const borne_attest *a, const borne_attest_options *o,
                           const borne_qr *qr, double y)
{
    char buf[1024];
    double m = QR_MODULE_MM;
    double quiet = BORNE_QR_QUIET_ZONE * m;
    double box = qr->size * m + 2 * quiet;
    rule(d, MARGIN_X, d->page_w - MARGIN_X, y, 0.2, 0.75);
    if (d->ink) {
        borne_draw_qr(d->cr, qr, MARGIN_X + quiet, y + quiet, m);
    }
    double tx = MARGIN_X + box + 4.0, tw = d->page_w - MARGIN_X - tx;
    double ty = y + quiet;
    font(d, true, 9.0);
    text(d, tx, ty, d->w->verify, LEFT, 0.1);
    ty += line_height(d) + 0.8;
    font(d, false, 8.0);
    SAY(d, buf, sizeof(buf), VERIFY_TEXT, (unsigned)o->key_id, a->event.id, a->participant.id,
        (long long)a->total_minutes);
    ty += paragraph(d, tx, ty, tw, buf, 7, 0.25) + 1.5;
    SAY(d, buf, sizeof(buf), ISSUED_BY,
        o->issuer && o->issuer[0] ? o->issuer : BORNE_ATTEST_DEFAULT_ISSUER);
    ty += paragraph(d, tx, ty, tw, buf, 2, 0.25);
    return (y + box > ty ? y + box : ty) - y;
}

/* Lays the document out; returns the number of pages. */
static int render(struct doc *d, const borne_attest *a, const borne_attest_options *o,
                  const borne_qr *qr)
{
    const char *issuer = o->issuer && o->issuer[0] ? o->issuer : BORNE_ATTEST_DEFAULT_ISSUER;
    d->page = 1;
    struct columns c;
    columns(d, &c);
    double y = heading(d, a, o, issuer);
    y = table_header(d, &c, y);
    for (size_t i = 0; i < a->count; i++) {
        bool ink = d->ink;
        d->ink = false;
        double h = session_row(d, &c, a, &a->sessions[i], y);
        d->ink = ink;
        if (y + h > content_bottom(d)) {
            y = new_page(d);
            y = table_header(d, &c, y);
        }
        y += session_row(d, &c, a, &a->sessions[i], y);
    }
    bool ink = d->ink;
    d->ink = false;
    double h = total_block(d, a, y);
    d->ink = ink;
    if (y + h > content_bottom(d)) {
        y = new_page(d);
    }
    y += total_block(d, a, y) + 6.0;
    /* The verification block sits at the bottom of the last page. */
    d->ink = false;
    h = verify_block(d, a, o, qr, y);
    d->ink = ink;
    if (y + h > content_bottom(d)) {
        y = new_page(d);
    }
    double bottom_y = content_bottom(d) - h;
    verify_block(d, a, o, qr, bottom_y > y ? bottom_y : y);
    footer(d);
    if (d->ink) {
        cairo_show_page(d->cr);
    }
    return d->page;
}

/* ---- Output ----------------------------------------------------------------------------- */

static borne_err check_text(const char *s)
{
    if (!s) {
        return BORNE_OK;
    }
    size_t n = strnlen(s, BORNE_ATTEST_MAX_TEXT + 1);
    if (n > BORNE_ATTEST_MAX_TEXT) {
        return BORNE_ERR_TOO_LARGE;
    }
    return borne_draw_text_is_clean(s, n) ? BORNE_OK : BORNE_ERR_INVALID;
}

static borne_err check(const borne_attest *a, const borne_attest_options *o)
{
    if (!a || !o || !o->secret || a->count == 0 || !a->sessions ||
        (o->lang != BORNE_ATTEST_FR && o->lang != BORNE_ATTEST_EN) ||
        (o->paper != BORNE_PAPER_A4 && o->paper != BORNE_PAPER_LETTER)) {
        return BORNE_ERR_INVALID;
    }
    if (a->total_minutes < 0 || a->total_minutes > BORNE_ATTEST_MAX_MINUTES) {
        return BORNE_ERR_TOO_LARGE;
    }
    borne_err err = check_text(o->issuer);
    err = err ? err : check_text(o->place);
    err = err ? err : check_text(a->participant.display_name);
    err = err ? err : check_text(a->participant.organisation);
    err = err ? err : check_text(a->event.name);
    for (size_t i = 0; !err && i < a->count; i++) {
        err = check_text(a->sessions[i].title);
        err = err ? err : check_text(a->sessions[i].code);
        err = err ? err : check_text(a->sessions[i].room);
    }
    return err;
}

borne_err borne_attest_pdf(const borne_attest *a, const borne_attest_options *o,
                           unsigned char **pdf, size_t *len,
                           char token[BORNE_ATTEST_TOKEN_TEXT_LEN + 1])
{
    *pdf = NULL;
    *len = 0;
    borne_err err = check(a, o);
    if (err) {
        LOG_WARN("attestation refused: %s", borne_strerror(err));
        return err;
    }
    /* The date of issue, in the event's time zone: printed and signed as the same day. */
    struct local issued;
    local_time(o->issued_at, a->event.timezone, &issued);
    borne_attest_token tok = {
        .key_id = o->key_id,
        .event_id = a->event.id,
        .participant_id = a->participant.id,
        .total_minutes = (uint16_t)a->total_minutes,
        .issued_day = (uint16_t)borne_days_from_civil(issued.year, issued.month, issued.day),
    };
    char text_tok[BORNE_ATTEST_TOKEN_TEXT_LEN + 1];
    err = borne_attest_token_sign(&tok, o->secret, text_tok, sizeof(text_tok));
    if (err) {
        return err;
    }
    borne_qr qr = {0};
    err = borne_qr_encode(text_tok, strlen(text_tok), &qr);
    if (err) {
        return err;
    }

    struct doc d = {.w = o->lang == BORNE_ATTEST_EN ? &words_en : &words_fr, .lang = o->lang};
    d.page_w = o->paper == BORNE_PAPER_A4 ? 210.0 : 215.9;
    d.page_h = o->paper == BORNE_PAPER_A4 ? 297.0 : 279.4;
    long_date(o->lang, &issued, d.issued, sizeof(d.issued));
    snprintf(d.running, sizeof(d.running), "%s " NDASH " %s " NDASH " %s", d.w->title,
             a->participant.display_name, a->event.name);

    struct borne_membuf m = {0};
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(
        borne_membuf_cairo_write, &m, d.page_w / PT_MM, d.page_h / PT_MM);
    char meta[BORNE_NAME_MAX + 64];
    snprintf(meta, sizeof(meta), "%s " NDASH " %s", d.w->title, a->participant.display_name);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, meta);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, a->event.name);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR,
                                   o->issuer && o->issuer[0] ? o->issuer
                                                             : BORNE_ATTEST_DEFAULT_ISSUER);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Borne " BORNE_VERSION);
    d.cr = cairo_create(surface);
    cairo_scale(d.cr, 1.0 / PT_MM, 1.0 / PT_MM);
    d.ink = false;
    d.pages = render(&d, a, o, &qr);
    d.ink = true;
    render(&d, a, o, &qr);
    cairo_status_t st = cairo_status(d.cr);
    cairo_destroy(d.cr);
    cairo_surface_finish(surface);
    if (st == CAIRO_STATUS_SUCCESS) {
        st = cairo_surface_status(surface);
    }
    cairo_surface_destroy(surface);
    borne_qr_clear(&qr);
    if (st != CAIRO_STATUS_SUCCESS || m.nomem) {
        free(m.data);
        if (m.nomem || st == CAIRO_STATUS_NO_MEMORY) {
            return BORNE_ERR_NOMEM;
        }
        LOG_ERR("cairo failed: %s", cairo_status_to_string(st));
        return BORNE_ERR_IO;
    }
    *pdf = m.data;
    *len = m.len;
    if (token) {
        memcpy(token, text_tok, sizeof(text_tok));
    }
    return BORNE_OK;
}

borne_err borne_attest_write_pdf(const borne_attest *a, const borne_attest_options *o,
                                 const char *path, char token[BORNE_ATTEST_TOKEN_TEXT_LEN + 1])
{
    unsigned char *pdf;
    size_t len;
    borne_err err = borne_attest_pdf(a, o, &pdf, &len, token);
    if (err) {
        return err;
    }
    struct borne_outfile of;
    err = borne_outfile_begin(&of, path);
    if (!err) {
        if (fwrite(pdf, 1, len, of.f) != len) {
            of.err_no = errno ? errno : EIO;
        }
        err = borne_outfile_commit(&of, path);
        borne_outfile_abort(&of);
    }
    free(pdf);
    return err;
}
