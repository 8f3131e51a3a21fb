/* Badge rendering with cairo: one badge as a PNG, many badges as a PDF sheet.
 *
 * DESIGN. Everything is drawn by one function, draw_badge(), in millimetres with the badge's
 * top-left corner at the origin; the PNG writer scales it to 300 dpi, the PDF writer to points
 * and translates it to each slot of the sheet. For the PNG the QR modules are snapped to whole
 * pixels so the code stays crisp. Text is measured with cairo's own font metrics: the name
 * tries each size from the largest down, first on one line, then split on two lines at the
 * space or hyphen that balances them best; only at the smallest size is it ellipsised.
 * Files go through a temporary file and a rename (see write_begin / write_commit). */
#define LOG_MODULE "badge"

#include "badge/badge.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "badge/draw.h"
#include "badge/qr.h"
#include "core/log.h"

#define FONT_FAMILY "DejaVu Sans"
#define PT_MM       (25.4 / 72.0) /* one typographic point in millimetres */

/* Badge layout, in millimetres unless named _PT. */
#define PAD_MM            5.0  /* blank margin inside the cut line */
#define HEADER_PT_MAX     10.0 /* event name */
#define HEADER_PT_MIN     7.0
#define RULE_GAP_MM       1.2 /* event name baseline area to the rule under it */
#define NAME_GAP_MM       2.5 /* rule to the top of the name */
#define NAME_PT_MAX       28.0
#define NAME_PT_MIN       11.0
#define ORG_GAP_MM        1.5
#define ORG_PT_MAX        12.0
#define ORG_PT_MIN        8.0
#define REF_PT            7.0
#define TEXT_QR_GAP_MM    2.0  /* text column to the QR quiet zone */
#define QR_BOX_MM         36.0 /* largest QR side including its quiet zone */
#define QR_MAX_MODULE     0.9  /* mm; bigger modules gain nothing and take the name's room */
#define QR_MIN_MODULE     0.5  /* mm; below this phones and scanners struggle on paper */
#define PT_STEP           0.5
#define HYPHEN_PREFERENCE 0.85 /* see fit_text() */

/* Sheet layout. */
#define CUT_GAP_MM     1.5 /* crop marks start this far from the badge corner */
#define CUT_LEN_MM     6.0
#define CUT_MIN_MM     2.0 /* shorter crop marks are not drawn (no room in the margin) */
#define FOOTER_PT      7.0
#define PNG_DEV_PER_MM ((double)BORNE_BADGE_PNG_DPI / 25.4)

/* ---- Input checks ---------------------------------------------------------------------- */

static borne_err check_field(const char *s, size_t max, bool required, const char *field)
{
    if (s == NULL || s[0] == '\0') {
        if (required) {
            LOG_WARN("badge without %s", field);
            return BORNE_ERR_INVALID;
        }
        return BORNE_OK;
    }
    size_t n = strnlen(s, max + 1);
    if (n > max) {
        LOG_WARN("badge %s is over %zu bytes", field, max);
        return BORNE_ERR_TOO_LARGE;
    }
    if (!borne_draw_text_is_clean(s, n)) {
        LOG_WARN("badge %s is not clean UTF-8 text", field);
        return BORNE_ERR_INVALID;
    }
    return BORNE_OK;
}

/* Module side in mm for a symbol of `size` modules: as large as the QR box allows, capped. */
static double qr_module_mm(int size)
{
    double m = QR_BOX_MM / (double)(size + 2 * BORNE_QR_QUIET_ZONE);
    return m > QR_MAX_MODULE ? QR_MAX_MODULE : m;
}

/* The module must stay >= QR_MIN_MODULE in print and >= 6 whole pixels in the 300 dpi PNG. */
static bool qr_fits_badge(const borne_qr *qr)
{
    double m = qr_module_mm(qr->size);
    return m >= QR_MIN_MODULE && (int)(m * PNG_DEV_PER_MM) >= 6;
}

static borne_err encode_token(const char *token, borne_qr *qr)
{
    borne_err err = borne_qr_encode(token, strlen(token), qr);
    if (err) {
        return err;
    }
    if (!qr_fits_badge(qr)) {
        LOG_WARN("token needs QR version %d, too dense for a badge", qr->version);
        borne_qr_clear(qr);
        return BORNE_ERR_TOO_LARGE;
    }
    return BORNE_OK;
}

borne_err borne_badge_check(const struct borne_badge_info *badge)
{
    if (badge == NULL) {
        return BORNE_ERR_INVALID;
    }
    borne_err err = check_field(badge->display_name, BORNE_BADGE_MAX_TEXT, true, "name");
    if (!err) {
        err = check_field(badge->organisation, BORNE_BADGE_MAX_TEXT, false, "organisation");
    }
    if (!err) {
        err = check_field(badge->event_name, BORNE_BADGE_MAX_TEXT, false, "event name");
    }
    if (!err) {
        err = check_field(badge->participant_ref, BORNE_BADGE_MAX_REF, false, "reference");
    }
    if (err) {
        return err;
    }
    if (strspn(badge->display_name, " ") == strlen(badge->display_name)) {
        LOG_WARN("badge name is blank");
        return BORNE_ERR_INVALID;
    }
    if (badge->token == NULL || badge->token[0] == '\0') {
        LOG_WARN("badge without token");
        return BORNE_ERR_INVALID;
    }
    if (strnlen(badge->token, BORNE_BADGE_MAX_TOKEN + 1) > BORNE_BADGE_MAX_TOKEN) {
        LOG_WARN("badge token is over %d bytes", BORNE_BADGE_MAX_TOKEN);
        return BORNE_ERR_TOO_LARGE;
    }
    borne_qr qr = {0};
    err = encode_token(badge->token, &qr);
    borne_qr_clear(&qr);
    return err;
}

/* ---- Text fitting ---------------------------------------------------------------------- */

#define LINE_CAP (BORNE_BADGE_MAX_TEXT + 8) /* room for the text plus an ellipsis */

struct text_block {
    bool bold;
    double size;   /* font size, mm */
    double ascent; /* mm */
    double line_h; /* mm, baseline to baseline */
    int nlines;    /* 0 to 3 */
    char line[3][LINE_CAP];
};

static void set_font(cairo_t *cr, bool bold, double size_mm)
{
    cairo_select_font_face(cr, FONT_FAMILY, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size_mm);
}

/* Width of the line as drawn by draw_block(): its advance, plus the ink that a glyph with a
 * negative left bearing ("J" in bold) would put left of the margin, which draw_block()
 * shifts back inside. */
static double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    double right = e.x_bearing + e.width > e.x_advance ? e.x_bearing + e.width : e.x_advance;
    return e.x_bearing < 0 ? right - e.x_bearing : right;
}

/* How far right of x a line must start so that no ink falls left of x. */
static double left_overhang(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_bearing < 0 ? -e.x_bearing : 0;
}

/* Copies s[0..n) into dst (LINE_CAP bytes) without leading or trailing spaces. */
static void copy_trimmed(char *dst, const char *s, size_t n)
{
    while (n > 0 && s[0] == ' ') {
        s++;
        n--;
    }
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    if (n >= LINE_CAP) {
        n = LINE_CAP - 1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Shortens `line` at a character boundary until it plus "…" fits in max_w. */
static void ellipsise(cairo_t *cr, char *line, double max_w)
{
    static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026 */
    char buf[LINE_CAP];
    size_t n = strlen(line);
    for (;;) {
        while (n > 0 && line[n - 1] == ' ') {
            n--;
        }
        memcpy(buf, line, n);
        memcpy(buf + n, ellipsis, sizeof ellipsis);
        if (n == 0 || text_width(cr, buf) <= max_w) {
            break;
        }
        n--;
        while (n > 0 && ((unsigned char)line[n] & 0xc0u) == 0x80u) {
            n--;
        }
    }
    memcpy(line, buf, strlen(buf) + 1);
}

/* Byte offsets where `s` may be split onto two lines: at a space (dropped) or, unless
 * spaces_only, also after a hyphen (kept on the first line). Returns how many were stored. */
static size_t break_points(const char *s, bool spaces_only, size_t *at, size_t cap)
{
    size_t k = 0;
    for (size_t i = 1; s[i] != '\0' && k < cap; i++) {
        if (s[i] == ' ' && s[i - 1] != ' ') {
            at[k++] = i;
        } else if (!spaces_only && s[i - 1] == '-' && s[i] != ' ' && i >= 2 && s[i - 2] != ' ') {
            at[k++] = i;
        }
    }
    return k;
}

/* Splits `s` at the break point that minimises the wider line; false if no break point. */
static bool best_split(cairo_t *cr, const char *s, const size_t *at, size_t nat, char *l1, char *l2,
                       double *wider)
{
    bool found = false;
    char a[LINE_CAP], b[LINE_CAP];
    for (size_t i = 0; i < nat; i++) {
        copy_trimmed(a, s, at[i]);
        copy_trimmed(b, s + at[i], strlen(s + at[i]));
        if (a[0] == '\0' || b[0] == '\0') {
            continue;
        }
        double w1 = text_width(cr, a);
        double w2 = text_width(cr, b);
        double w = w1 > w2 ? w1 : w2;
        if (!found || w < *wider) {
            found = true;
            *wider = w;
            memcpy(l1, a, sizeof a);
            memcpy(l2, b, sizeof b);
        }
    }
    return found;
}

/* Fills up to three lines greedily, breaking at spaces (and after hyphens when a word alone is
 * too wide): true when the whole text fits in three lines of at most max_w. */
static bool wrap_three(cairo_t *cr, const char *s, const size_t *at, size_t nat, double max_w,
                       struct text_block *tb)
{
    size_t start = 0;
    int n = 0;
    char a[LINE_CAP];
    while (s[start] != '\0' && n < 3) {
        /* The farthest break point whose line still fits; the rest of the text if it fits. */
        copy_trimmed(a, s + start, strlen(s + start));
        if (text_width(cr, a) <= max_w) {
            memcpy(tb->line[n++], a, sizeof a);
            start = strlen(s);
            break;
        }
        size_t best = 0;
        for (size_t i = 0; i < nat; i++) {
            if (at[i] <= start) {
                continue;
            }
            copy_trimmed(a, s + start, at[i] - start);
            if (text_width(cr, a) > max_w) {
                break;
            }
            best = at[i];
        }
        if (best == 0) {
            return false;
        }
        copy_trimmed(tb->line[n++], s + start, best - start);
        start = best;
    }
    if (s[start] != '\0') {
        return false;
    }
    tb->nlines = n;
    return true;
}

static void block_metrics(cairo_t *cr, struct text_block *tb, double size)
{
    set_font(cr, tb->bold, size);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    tb->size = size;
    tb->ascent = fe.ascent;
    tb->line_h = fe.ascent + fe.descent;
}

/* Lays `text` out in at most `max_lines` (1 to 3) lines of at most max_w, at most max_h high,
 * at the largest size between min_pt and max_pt that fits: at each size one line, else two,
 * else three, before a smaller size (a long organisation wraps rather than shrinks). Never
 * wider than max_w. */
static void fit_text(cairo_t *cr, const char *text, bool bold, double max_w, double max_h,
                     double max_pt, double min_pt, int max_lines, struct text_block *tb)
{
    memset(tb, 0, sizeof *tb);
    tb->bold = bold;
    if (text == NULL || text[0] == '\0') {
        return;
    }
    char s[LINE_CAP];
    copy_trimmed(s, text, strlen(text));
    if (s[0] == '\0') {
        return;
    }
    /* Breaking between words ("Hélène" / "Tremblay-Lévesque") reads better than inside a
     * hyphenated surname ("Hélène Tremblay-" / "Lévesque"): the hyphen break is only taken
     * when the word break would need type smaller than HYPHEN_PREFERENCE times its size. */
    size_t at_space[LINE_CAP], at_all[LINE_CAP];
    size_t n_space = max_lines > 1 ? break_points(s, true, at_space, LINE_CAP) : 0;
    size_t n_all = max_lines > 1 ? break_points(s, false, at_all, LINE_CAP) : 0;
    struct text_block hyphen = {0};

    for (double pt = max_pt; pt >= min_pt - 1e-9; pt -= PT_STEP) {
        if (hyphen.nlines > 0 && pt < hyphen.size / PT_MM * HYPHEN_PREFERENCE) {
            *tb = hyphen;
            return;
        }
        block_metrics(cr, tb, pt * PT_MM);
        if (tb->line_h <= max_h && text_width(cr, s) <= max_w) {
            tb->nlines = 1;
            memcpy(tb->line[0], s, sizeof s);
            return;
        }
        if (2 * tb->line_h > max_h) {
            continue;
        }
        double wider = 0;
        if (n_space > 0 && best_split(cr, s, at_space, n_space, tb->line[0], tb->line[1], &wider) &&
            wider <= max_w) {
            tb->nlines = 2;
            return;
        }
        if (hyphen.nlines == 0 && n_all > n_space &&
            best_split(cr, s, at_all, n_all, tb->line[0], tb->line[1], &wider) && wider <= max_w) {
            hyphen = *tb;
            hyphen.nlines = 2;
        }
        if (max_lines >= 3 && 3 * tb->line_h <= max_h && hyphen.nlines == 0 &&
            wrap_three(cr, s, at_all, n_all, max_w, tb)) {
            return;
        }
    }
    if (hyphen.nlines > 0) {
        *tb = hyphen;
        return;
    }

    /* Nothing fits at the smallest size: fill the first line as far as it goes, ellipsise. */
    block_metrics(cr, tb, min_pt * PT_MM);
    if (max_lines < 2 || 2 * tb->line_h > max_h) {
        tb->nlines = 1;
        memcpy(tb->line[0], s, sizeof s);
        ellipsise(cr, tb->line[0], max_w);
        return;
    }
    size_t cut = 0;
    char a[LINE_CAP];
    for (size_t i = 0; i < n_all; i++) {
        copy_trimmed(a, s, at_all[i]);
        if (text_width(cr, a) <= max_w) {
            cut = at_all[i];
        }
    }
    if (cut == 0) { /* one unbreakable word: cut it at the last character that fits */
        size_t n = strlen(s);
        for (size_t i = 1; i < n; i++) {
            if (((unsigned char)s[i] & 0xc0u) == 0x80u) {
                continue;
            }
            copy_trimmed(a, s, i);
            if (text_width(cr, a) > max_w) {
                break;
            }
            cut = i;
        }
        if (cut == 0) {
            cut = n;
        }
    }
    tb->nlines = 2;
    copy_trimmed(tb->line[0], s, cut);
    copy_trimmed(tb->line[1], s + cut, strlen(s + cut));
    if (text_width(cr, tb->line[0]) > max_w) {
        ellipsise(cr, tb->line[0], max_w);
    }
    if (tb->line[1][0] == '\0') {
        tb->nlines = 1;
    } else if (text_width(cr, tb->line[1]) > max_w) {
        ellipsise(cr, tb->line[1], max_w);
    }
}

static double block_height(const struct text_block *tb)
{
    return tb->nlines * tb->line_h;
}

/* Draws the block with its top at y; lines left-aligned at x. */
static void draw_block(cairo_t *cr, const struct text_block *tb, double x, double y, double grey)
{
    if (tb->nlines == 0) {
        return;
    }
    set_font(cr, tb->bold, tb->size);
    cairo_set_source_rgb(cr, grey, grey, grey);
    for (int i = 0; i < tb->nlines; i++) {
        cairo_move_to(cr, x + left_overhang(cr, tb->line[i]), y + tb->ascent + i * tb->line_h);
        cairo_show_text(cr, tb->line[i]);
    }
}

/* ---- Drawing --------------------------------------------------------------------------- */

/* Rounds v (mm) to the device pixel grid when dev_per_mm > 0. */
static double snap(double v, double dev_per_mm)
{
    if (dev_per_mm <= 0) {
        return v;
    }
    return (double)(long)(v * dev_per_mm + 0.5) / dev_per_mm;
}

/* Draws one badge with its top-left corner at the current origin, in millimetres.
 * dev_per_mm > 0 snaps the QR code to that device pixel grid (PNG); 0 leaves it exact (PDF). */
static void draw_badge(cairo_t *cr, const struct borne_badge_info *b, const borne_qr *qr,
                       double dev_per_mm)
{
    const double w = BORNE_BADGE_WIDTH_MM;
    const double h = BORNE_BADGE_HEIGHT_MM;
    struct text_block tb;

    /* QR code, bottom right; its quiet zone reaches into the blank margin. */
    double m = qr_module_mm(qr->size);
    if (dev_per_mm > 0) {
        m = (double)(int)(m * dev_per_mm) / dev_per_mm;
    }
    double side = qr->size * m;
    double quiet = BORNE_QR_QUIET_ZONE * m;
    double qx = snap(w - PAD_MM - side, dev_per_mm);
    double qy = snap(h - PAD_MM - side, dev_per_mm);
    borne_draw_qr(cr, qr, qx, qy, m);

    /* Event name and a rule under it. */
    double top = PAD_MM;
    if (b->event_name != NULL && b->event_name[0] != '\0') {
        fit_text(cr, b->event_name, true, w - 2 * PAD_MM, HEADER_PT_MAX * PT_MM * 1.3,
                 HEADER_PT_MAX, HEADER_PT_MIN, 1, &tb);
        draw_block(cr, &tb, PAD_MM, top, 0.25);
        top += block_height(&tb) + RULE_GAP_MM;
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
        cairo_set_line_width(cr, 0.3);
        cairo_move_to(cr, PAD_MM, top);
        cairo_line_to(cr, w - PAD_MM, top);
        cairo_stroke(cr);
        top += NAME_GAP_MM;
    }

    /* Name: full width above the QR code. */
    fit_text(cr, b->display_name, true, w - 2 * PAD_MM, qy - quiet - top - 1.0, NAME_PT_MAX,
             NAME_PT_MIN, 2, &tb);
    draw_block(cr, &tb, PAD_MM, top, 0.0);
    top += block_height(&tb) + ORG_GAP_MM;

    /* Participant reference at the bottom left, organisation between it and the name. */
    double col_w = qx - quiet - TEXT_QR_GAP_MM - PAD_MM;
    double bottom = h - PAD_MM;
    if (b->participant_ref != NULL && b->participant_ref[0] != '\0') {
        fit_text(cr, b->participant_ref, false, col_w, bottom, REF_PT, REF_PT, 1, &tb);
        bottom -= block_height(&tb);
        draw_block(cr, &tb, PAD_MM, bottom, 0.35);
        bottom -= ORG_GAP_MM;
    }
    if (b->organisation != NULL && b->organisation[0] != '\0') {
        fit_text(cr, b->organisation, false, col_w, bottom - top, ORG_PT_MAX, ORG_PT_MIN, 3, &tb);
        draw_block(cr, &tb, PAD_MM, top, 0.2);
    }
}

/* ---- Files ----------------------------------------------------------------------------- */

borne_err borne_badge_write_png(const struct borne_badge_info *badge, const char *path)
{
    if (path == NULL || path[0] == '\0') {
        return BORNE_ERR_INVALID;
    }
    borne_err err = borne_badge_check(badge);
    if (err) {
        return err;
    }
    borne_qr qr = {0};
    err = encode_token(badge->token, &qr);
    if (err) {
        return err;
    }

    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, BORNE_BADGE_PNG_WIDTH,
                                                          BORNE_BADGE_PNG_HEIGHT);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, PNG_DEV_PER_MM, PNG_DEV_PER_MM);
    draw_badge(cr, badge, &qr, PNG_DEV_PER_MM);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    borne_qr_clear(&qr);

    struct borne_outfile sink;
    if (st == CAIRO_STATUS_SUCCESS) {
        err = borne_outfile_begin(&sink, path);
        if (!err) {
            st = cairo_surface_write_to_png_stream(surface, borne_outfile_cairo_write, &sink);
            err = st == CAIRO_STATUS_SUCCESS ? borne_outfile_commit(&sink, path)
                                             : borne_outfile_cairo_err(st, &sink);
            borne_outfile_abort(&sink);
        }
    } else {
        err = st == CAIRO_STATUS_NO_MEMORY ? BORNE_ERR_NOMEM : BORNE_ERR_IO;
        LOG_ERR("cairo failed: %s", cairo_status_to_string(st));
    }
    cairo_surface_destroy(surface);
    return err;
}

size_t borne_badge_page_count(size_t count)
{
    return (count + BORNE_BADGE_PER_PAGE - 1) / BORNE_BADGE_PER_PAGE;
}

/* Light grey badge outlines plus crop marks in the page margins where there is room. */
static void draw_cut_marks(cairo_t *cr, double x0, double y0, int cols, int rows)
{
    const double w = BORNE_BADGE_WIDTH_MM;
    const double h = BORNE_BADGE_HEIGHT_MM;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(cr, 0.1);
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            cairo_rectangle(cr, x0 + c * w, y0 + r * h, w, h);
        }
    }
    cairo_stroke(cr);

    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    cairo_set_line_width(cr, 0.2);
    double x1 = x0 + cols * w;
    double y1 = y0 + rows * h;
    double len_v = y0 - CUT_GAP_MM - 1.0; /* room above the grid (same below) */
    double len_h = x0 - CUT_GAP_MM - 1.0;
    len_v = len_v > CUT_LEN_MM ? CUT_LEN_MM : len_v;
    len_h = len_h > CUT_LEN_MM ? CUT_LEN_MM : len_h;
    if (len_v >= CUT_MIN_MM) {
        for (int c = 0; c <= cols; c++) {
            double x = x0 + c * w;
            cairo_move_to(cr, x, y0 - CUT_GAP_MM);
            cairo_line_to(cr, x, y0 - CUT_GAP_MM - len_v);
            cairo_move_to(cr, x, y1 + CUT_GAP_MM);
            cairo_line_to(cr, x, y1 + CUT_GAP_MM + len_v);
        }
    }
    if (len_h >= CUT_MIN_MM) {
        for (int r = 0; r <= rows; r++) {
            double y = y0 + r * h;
            cairo_move_to(cr, x0 - CUT_GAP_MM, y);
            cairo_line_to(cr, x0 - CUT_GAP_MM - len_h, y);
            cairo_move_to(cr, x1 + CUT_GAP_MM, y);
            cairo_line_to(cr, x1 + CUT_GAP_MM + len_h, y);
        }
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* A reminder for whoever prints the sheet, centred in the bottom margin. */
static void draw_footer(cairo_t *cr, double page_w, double page_h, double y1, size_t page,
                        size_t pages)
{
    char text[160];
    snprintf(text, sizeof text,
             "Imprimer \xc3\xa0 100 %% (taille r\xc3\xa9"
             "elle) \xc2\xb7 Print at 100 %% (actual size) \xc2\xb7 %zu/%zu",
             page, pages);
    set_font(cr, false, FOOTER_PT * PT_MM);
    cairo_text_extents_t e;
    cairo_text_extents(cr, text, &e);
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    cairo_move_to(cr, (page_w - e.x_advance) / 2, y1 + (page_h - y1) / 2);
    cairo_show_text(cr, text);
}

/* Checks the badges and the paper; the page size in millimetres. */
static borne_err sheet_check(const struct borne_badge_info *badges, size_t count,
                             enum borne_paper paper, double *page_w, double *page_h)
{
    if (badges == NULL || count == 0) {
        return BORNE_ERR_INVALID;
    }
    if (count > BORNE_BADGE_MAX_COUNT) {
        LOG_WARN("%zu badges is over the %d-badge maximum", count, BORNE_BADGE_MAX_COUNT);
        return BORNE_ERR_TOO_LARGE;
    }
    if (paper == BORNE_PAPER_A4) {
        *page_w = 210.0;
        *page_h = 297.0;
    } else if (paper == BORNE_PAPER_LETTER) {
        *page_w = 215.9;
        *page_h = 279.4;
    } else {
        return BORNE_ERR_INVALID;
    }
    for (size_t i = 0; i < count; i++) {
        borne_err err = borne_badge_check(&badges[i]);
        if (err) {
            LOG_WARN("badge %zu of %zu refused: %s", i + 1, count, borne_strerror(err));
            return err;
        }
    }
    return BORNE_OK;
}

/* Draws the sheet (checked by sheet_check) to a cairo stream. Returns our own error (a QR code
 * that cannot be encoded) or BORNE_OK with cairo's status in *st. */
static borne_err sheet_draw(const struct borne_badge_info *badges, size_t count, double page_w,
                            double page_h, cairo_write_func_t write, void *closure,
                            cairo_status_t *st_out)
{
    borne_err err = BORNE_OK;
    cairo_surface_t *surface =
        cairo_pdf_surface_create_for_stream(write, closure, page_w / PT_MM, page_h / PT_MM);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "Badges");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Borne " BORNE_VERSION);
    cairo_t *cr = cairo_create(surface);
    cairo_scale(cr, 1.0 / PT_MM, 1.0 / PT_MM);

    const double grid_w = BORNE_BADGE_COLUMNS * BORNE_BADGE_WIDTH_MM;
    const double grid_h = BORNE_BADGE_ROWS * BORNE_BADGE_HEIGHT_MM;
    const double x0 = (page_w - grid_w) / 2;
    const double y0 = (page_h - grid_h) / 2;
    const size_t pages = borne_badge_page_count(count);
    cairo_status_t st = CAIRO_STATUS_SUCCESS;

    for (size_t p = 0; p < pages && !err && st == CAIRO_STATUS_SUCCESS; p++) {
        size_t first = p * BORNE_BADGE_PER_PAGE;
        size_t on_page =
            count - first < BORNE_BADGE_PER_PAGE ? count - first : BORNE_BADGE_PER_PAGE;
        int rows = (int)((on_page + BORNE_BADGE_COLUMNS - 1) / BORNE_BADGE_COLUMNS);
        int cols = on_page < BORNE_BADGE_COLUMNS ? (int)on_page : BORNE_BADGE_COLUMNS;
        draw_cut_marks(cr, x0, y0, cols, rows);
        draw_footer(cr, page_w, page_h, y0 + grid_h, p + 1, pages);
        for (size_t i = 0; i < on_page; i++) {
            borne_qr qr = {0};
            err = encode_token(badges[first + i].token, &qr);
            if (err) {
                break;
            }
            cairo_save(cr);
            cairo_translate(cr, x0 + (double)(i % BORNE_BADGE_COLUMNS) * BORNE_BADGE_WIDTH_MM,
                            y0 + (double)(i / BORNE_BADGE_COLUMNS) * BORNE_BADGE_HEIGHT_MM);
            draw_badge(cr, &badges[first + i], &qr, 0);
            cairo_restore(cr);
            borne_qr_clear(&qr);
        }
        cairo_show_page(cr);
        st = cairo_status(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (st == CAIRO_STATUS_SUCCESS) {
        st = cairo_surface_status(surface);
    }
    cairo_surface_destroy(surface);
    *st_out = st;
    if (!err && st == CAIRO_STATUS_SUCCESS) {
        LOG_INFO("wrote %zu badges on %zu pages", count, pages);
    }
    return err;
}

borne_err borne_badge_write_pdf(const struct borne_badge_info *badges, size_t count,
                                enum borne_paper paper, const char *path)
{
    if (path == NULL || path[0] == '\0') {
        return BORNE_ERR_INVALID;
    }
    double page_w, page_h;
    borne_err err = sheet_check(badges, count, paper, &page_w, &page_h);
    if (err) {
        return err;
    }
    struct borne_outfile sink;
    err = borne_outfile_begin(&sink, path);
    if (err) {
        return err;
    }
    cairo_status_t st;
    err = sheet_draw(badges, count, page_w, page_h, borne_outfile_cairo_write, &sink, &st);
    if (!err && st != CAIRO_STATUS_SUCCESS) {
        err = borne_outfile_cairo_err(st, &sink);
    }
    if (!err) {
        err = borne_outfile_commit(&sink, path);
    }
    borne_outfile_abort(&sink);
    return err;
}

borne_err borne_badge_pdf(const struct borne_badge_info *badges, size_t count,
                          enum borne_paper paper, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    double page_w, page_h;
    borne_err err = sheet_check(badges, count, paper, &page_w, &page_h);
    if (err) {
        return err;
    }
    struct borne_membuf m = {0};
    cairo_status_t st;
    err = sheet_draw(badges, count, page_w, page_h, borne_membuf_cairo_write, &m, &st);
    if (!err && (m.nomem || st != CAIRO_STATUS_SUCCESS)) {
        err = m.nomem || st == CAIRO_STATUS_NO_MEMORY ? BORNE_ERR_NOMEM : BORNE_ERR_IO;
        if (err == BORNE_ERR_IO) {
            LOG_ERR("cairo failed: %s", cairo_status_to_string(st));
        }
    }
    if (err) {
        free(m.data);
        return err;
    }
    *out = m.data;
    *len = m.len;
    return BORNE_OK;
}
