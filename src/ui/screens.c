/* The kiosk's screens; see screens.h. */
#define LOG_MODULE "ui"

#include "ui/screens.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/hours.h"
#include "core/log.h"
#include "scan/queue.h"
#include "ui/i18n.h"
#include "ui/look.h"

/* Palette. */
static const borne_rgb WHITE = {0xff, 0xff, 0xff};
static const borne_rgb PAPER = {0xf8, 0xfa, 0xfc};
static const borne_rgb INK = {0x11, 0x18, 0x27};
static const borne_rgb GREY = {0x4b, 0x55, 0x63};
static const borne_rgb LIGHT = {0xe5, 0xe7, 0xeb};
static const borne_rgb SLATE = {0x37, 0x41, 0x51};
static const borne_rgb NAVY = {0x0b, 0x2a, 0x4a};
static const borne_rgb RED = {0xb3, 0x26, 0x1e};
static const borne_rgb GREEN = {0x1b, 0x7a, 0x3a};
static const borne_rgb AMBER_DARK = {0x8a, 0x5a, 0x00};

/* Design sizes: the staff header (its buttons 48 tall), the smallest touch target, the
 * on-screen keyboard (five rows of 48 and their gaps). */
#define STAFF_HEAD 56
#define STAFF_TOP  62 /* first line under the staff header */
#define TOUCH_MIN  48
#define KEY_GAP    3
#define KB_H       (5 * TOUCH_MIN + 4 * KEY_GAP)

const char *borne_screen_name(borne_screen s)
{
    static const char *names[BORNE_SCREEN__COUNT] = {
        "waiting",  "result", "pin",    "menu",   "search", "person", "show-qr",    "walk-in",
        "sessions", "counts", "recent", "export", "about",  "power",  "not-set-up", "trouble"};
    return (int)s >= 0 && s < BORNE_SCREEN__COUNT ? names[s] : "?";
}

/* ---- formatting ---------------------------------------------------------------------------- */

void borne_format_hours(int32_t minutes, char *out, size_t cap)
{
    char sep = borne_i18n_lang() == BORNE_LANG_FR ? ',' : '.';
    /* Rounded like every other figure of hours (core/hours.h), then short: "1,5 h", "2 h". */
    int64_t h = borne_hours_hundredths(minutes);
    int32_t whole = (int32_t)(h / 100);
    int32_t hundredths = (int32_t)(h % 100);
    if (hundredths == 0) {
        snprintf(out, cap, "%" PRId32 "\u00a0h", whole);
    } else if (hundredths % 10 == 0) {
        snprintf(out, cap, "%" PRId32 "%c%" PRId32 "\u00a0h", whole, sep, hundredths / 10);
    } else {
        snprintf(out, cap, "%" PRId32 "%c%02" PRId32 "\u00a0h", whole, sep, hundredths);
    }
}

void borne_format_duration(int64_t seconds, char *out, size_t cap)
{
    int64_t m = seconds / 60;
    if (m < 60) {
        snprintf(out, cap, "%" PRId64 "\u00a0min", m);
    } else {
        snprintf(out, cap, "%" PRId64 "\u00a0h\u00a0%02" PRId64, m / 60, m % 60);
    }
}

/* « 14 h 02 » in French, "14:02" in English, local time. */
static void local_hhmm(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    if (borne_i18n_lang() == BORNE_LANG_FR) {
        snprintf(out, cap, "%d\u00a0h\u00a0%02d", tm.tm_hour, tm.tm_min);
    } else {
        snprintf(out, cap, "%02d:%02d", tm.tm_hour, tm.tm_min);
    }
}

const char *borne_sync_error_words(borne_err err)
{
    switch (err) {
    case BORNE_OK:
        return "";
    case BORNE_ERR_NET:
        return _("le registre est injoignable (réseau\u00a0?)");
    case BORNE_ERR_TIMEOUT:
        return _("le registre ne répond pas à temps");
    case BORNE_ERR_CRYPTO:
        return _("le certificat du registre n’est pas reconnu");
    case BORNE_ERR_PERM:
        return _("le registre refuse cette borne (jeton révoqué\u00a0?)");
    case BORNE_ERR_PARSE:
    case BORNE_ERR_TOO_LARGE:
        return _("la réponse du registre est illisible");
    case BORNE_ERR_INVALID:
        return _("le registre a refusé la demande");
    case BORNE_ERR_NOT_FOUND:
        return _("la borne n’est inscrite auprès d’aucun registre");
    case BORNE_ERR_DISK_FULL:
        return _("la carte mémoire est pleine");
    case BORNE_ERR_DB:
    case BORNE_ERR_CORRUPT:
    case BORNE_ERR_IO:
        return _("la base de données de la borne ne répond pas");
    default:
        return _("erreur inattendue");
    }
}

void borne_format_sync_line(const borne_view_sync *st, int64_t pending, char *out, size_t cap)
{
    char state[160], when[64], num[24];
    switch (st->state) {
    case BORNE_VIEW_SYNC_NONE:
        snprintf(state, sizeof(state), "%s%s%s", _("Synchro"), borne_i18n_colon(),
                 _("aucun registre"));
        break;
    case BORNE_VIEW_SYNC_WAITING:
        if (st->running) {
            snprintf(state, sizeof(state), "%s", _("Synchro en cours…"));
        } else {
            snprintf(state, sizeof(state), "%s%s%s", _("Synchro"), borne_i18n_colon(),
                     _("pas encore faite"));
        }
        break;
    case BORNE_VIEW_SYNC_OK:
        if (st->ago_s < 60) {
            snprintf(when, sizeof(when), "%s", _("à l’instant"));
        } else if (st->ago_s < 3600) {
            snprintf(num, sizeof(num), "%lld", (long long)(st->ago_s / 60));
            borne_i18n_fill(when, sizeof(when), _("il y a %s\u00a0min"), num, NULL);
        } else if (st->ago_s < 86400) {
            snprintf(num, sizeof(num), "%lld", (long long)(st->ago_s / 3600));
            borne_i18n_fill(when, sizeof(when), _("il y a %s\u00a0h"), num, NULL);
        } else {
            snprintf(num, sizeof(num), "%lld", (long long)(st->ago_s / 86400));
            borne_i18n_fill(when, sizeof(when), _("il y a %s\u00a0j"), num, NULL);
        }
        snprintf(state, sizeof(state), "%s%s%s", _("Synchro"), borne_i18n_colon(), when);
        break;
    case BORNE_VIEW_SYNC_OFFLINE:
        local_hhmm(st->since_s, when, sizeof(when));
        borne_i18n_fill(state, sizeof(state), _("Hors ligne depuis %s"), when, NULL);
        break;
    case BORNE_VIEW_SYNC_REFUSED:
        snprintf(state, sizeof(state), "%s", _("Synchro refusée par le registre"));
        break;
    }
    char count[64];
    snprintf(num, sizeof(num), "%lld", (long long)pending);
    borne_i18n_fill(count, sizeof(count), _("%s en attente"), num, NULL);
    snprintf(out, cap, "%s · %s", state, count);
}

/* ---- keyboard ------------------------------------------------------------------------------ */

struct key {
    const char *lower;
    const char *upper;
    int units; /* width in key units */
    int code;  /* 0 or a BORNE_KEY_ special */
};

#define K(l, u)                                                                                    \
    {                                                                                              \
        l, u, 2, 0                                                                                 \
    }
static const struct key keys[] = {
    /* row 0 */
    K("1", "1"),
    K("2", "2"),
    K("3", "3"),
    K("4", "4"),
    K("5", "5"),
    K("6", "6"),
    K("7", "7"),
    K("8", "8"),
    K("9", "9"),
    K("0", "0"),
    {NULL, NULL, 0, -1},
    /* row 1 */
    K("q", "Q"),
    K("w", "W"),
    K("e", "E"),
    K("r", "R"),
    K("t", "T"),
    K("y", "Y"),
    K("u", "U"),
    K("i", "I"),
    K("o", "O"),
    K("p", "P"),
    {NULL, NULL, 0, -1},
    /* row 2 */
    K("a", "A"),
    K("s", "S"),
    K("d", "D"),
    K("f", "F"),
    K("g", "G"),
    K("h", "H"),
    K("j", "J"),
    K("k", "K"),
    K("l", "L"),
    K("’", "’"),
    {NULL, NULL, 0, -1},
    /* row 3 */
    {NULL, NULL, 3, BORNE_KEY_SHIFT},
    K("z", "Z"),
    K("x", "X"),
    K("c", "C"),
    K("v", "V"),
    K("b", "B"),
    K("n", "N"),
    K("m", "M"),
    K("-", "-"),
    {NULL, NULL, 3, BORNE_KEY_ERASE},
    {NULL, NULL, 0, -1},
    /* row 4: accents */
    K("é", "É"),
    K("è", "È"),
    K("ê", "Ê"),
    K("à", "À"),
    K("ç", "Ç"),
    {NULL, NULL, 4, BORNE_KEY_SPACE},
    K("ô", "Ô"),
    K("î", "Î"),
    K("ë", "Ë"),
    {NULL, NULL, 0, -1},
};
#define NKEYS ((int)(sizeof(keys) / sizeof(keys[0])))

const char *borne_keyboard_text(int key, bool upper)
{
    if (key < 0 || key >= NKEYS || keys[key].code) {
        return NULL;
    }
    return upper ? keys[key].upper : keys[key].lower;
}

static void keyboard(struct borne_ui *ui, SDL_Rect area, bool shift)
{
    int rows = 5;
    int gap = borne_ui_px(ui, KEY_GAP);
    int rh = (area.h - gap * (rows - 1)) / rows;
    int row = 0, start = 0;
    for (int i = 0; i <= NKEYS - 1; i++) {
        if (keys[i].code != -1) {
            continue;
        }
        int units = 0;
        for (int k = start; k < i; k++) {
            units += keys[k].units;
        }
        int n = i - start;
        int uw = (area.w - gap * (n - 1)) / units;
        int x = area.x + (area.w - (uw * units + gap * (n - 1))) / 2;
        int y = area.y + row * (rh + gap);
        for (int k = start; k < i; k++) {
            SDL_Rect r = {x, y, uw * keys[k].units, rh};
            const char *label = shift ? keys[k].upper : keys[k].lower;
            enum borne_button_style st = BORNE_BUTTON_NORMAL;
            if (keys[k].code == BORNE_KEY_SHIFT) {
                label = _("Maj");
                st = shift ? BORNE_BUTTON_SELECTED : BORNE_BUTTON_NORMAL;
            } else if (keys[k].code == BORNE_KEY_ERASE) {
                label = _("Effacer");
            } else if (keys[k].code == BORNE_KEY_SPACE) {
                label = _("Espace");
            }
            borne_ui_button(ui, r, label, 18, st, BORNE_ACT_KEY, keys[k].code ? keys[k].code : k);
            x += r.w + gap;
        }
        row++;
        start = i + 1;
    }
}

/* ---- pieces -------------------------------------------------------------------------------- */

static int P(struct borne_ui *ui, int d)
{
    return borne_ui_px(ui, d);
}

static const char *mode_word(borne_direction d)
{
    return d == BORNE_EXIT ? N_("Sortie") : N_("Entrée");
}

static const char *input_word(int state)
{
    switch (state) {
    case BORNE_INPUT_RUNNING:
        return N_("prêt");
    case BORNE_INPUT_LOST:
        return N_("perdu");
    case BORNE_INPUT_ENDED:
        return N_("fin");
    case BORNE_INPUT_ABSENT:
        return N_("absent");
    default:
        return N_("aucun");
    }
}

/* The discreet status corner: inputs on one line; sync, records waiting to be sent and an
 * untrusted clock on the line below (`y` is the top of the lower line). */
static void status_corner(struct borne_ui *ui, const borne_view *v, borne_rgb ink, int y)
{
    char line[400];
    char cam[64], scan[64];
    snprintf(cam, sizeof(cam), "%s%s%s", _("Caméra"), borne_i18n_colon(), _(input_word(v->camera)));
    snprintf(scan, sizeof(scan), "%s%s%s", _("Lecteur"), borne_i18n_colon(),
             _(input_word(v->scanner)));
    int right = borne_ui_w(ui) - P(ui, 10), maxw = borne_ui_w(ui) / 2;
    snprintf(line, sizeof(line), "%s · %s", cam, scan);
    borne_ui_text(ui, line, 12, false, ink, right, y - P(ui, 16), BORNE_ALIGN_RIGHT, maxw);
    /* Formatted here, in the language of the screen drawn (v->sync is the staff's). */
    char sync[256];
    borne_format_sync_line(&v->sync_state, v->pending, sync, sizeof(sync));
    if (v->clock_trusted) {
        snprintf(line, sizeof(line), "%s", sync);
        borne_ui_text(ui, line, 12, false, ink, right, y, BORNE_ALIGN_RIGHT, maxw);
    } else {
        /* Said in words, and in the warning colour: check-ins are corrected at the next sync. */
        SDL_Rect t = borne_ui_text(ui, _("Heure non vérifiée"), 12, true, RED, right, y,
                                   BORNE_ALIGN_RIGHT, 0);
        snprintf(line, sizeof(line), "%s · ", sync);
        borne_ui_text(ui, line, 12, false, ink, t.x, y, BORNE_ALIGN_RIGHT, maxw - t.w);
    }
}

static void header(struct borne_ui *ui, const borne_view *v, const char *title, bool staff)
{
    int w = borne_ui_w(ui);
    /* Staff headers hold buttons: 48 design pixels tall at least, as every touch target. */
    int h = P(ui, staff ? STAFF_HEAD : 48);
    borne_ui_fill(ui, (SDL_Rect){0, 0, w, h}, staff ? SLATE : NAVY);
    int x = P(ui, 12);
    if (staff && v->screen != BORNE_SCREEN_MENU) {
        SDL_Rect b = {P(ui, 6), P(ui, 4), P(ui, 110), h - P(ui, 8)};
        borne_ui_button(ui, b, _("‹ Menu"), 16, BORNE_BUTTON_NORMAL, BORNE_ACT_BACK, 0);
        x = b.x + b.w + P(ui, 12);
    }
    int right = w - P(ui, 12);
    if (staff) {
        SDL_Rect b = {w - P(ui, 6) - P(ui, 230), P(ui, 4), P(ui, 230), h - P(ui, 8)};
        borne_ui_button(ui, b, _("Quitter le mode personnel"), 16, BORNE_BUTTON_PRIMARY,
                        BORNE_ACT_LEAVE_STAFF, 0);
        right = b.x - P(ui, 12);
    } else {
        SDL_Rect t =
            borne_ui_text(ui, v->clock, 28, true, WHITE, right, P(ui, 6), BORNE_ALIGN_RIGHT, 0);
        right = t.x - P(ui, 16);
    }
    borne_ui_text(ui, title, 20, true, WHITE, x, (h - P(ui, 24)) / 2, BORNE_ALIGN_LEFT, right - x);
}

static void session_line(const borne_view *v, char *out, size_t cap)
{
    if (v->has_session) {
        snprintf(out, cap, "%s · %s", v->session.code, v->session.title);
    } else {
        snprintf(out, cap, "%s", _("Tout l’évènement"));
    }
}

/* ---- participant screens ------------------------------------------------------------------- */

/* A stylised QR glyph, for the waiting screen without a camera. */
static void qr_glyph(struct borne_ui *ui, int cx, int cy, int side, borne_rgb c)
{
    int m = side / 7;
    SDL_Rect r = {cx - side / 2, cy - side / 2, m * 7, m * 7};
    int corners[3][2] = {{0, 0}, {4, 0}, {0, 4}};
    for (int i = 0; i < 3; i++) {
        SDL_Rect o = {r.x + corners[i][0] * m, r.y + corners[i][1] * m, 3 * m, 3 * m};
        borne_ui_frame(ui, o, c, m * 2 / 3 + 1);
        borne_ui_fill(ui, (SDL_Rect){o.x + m, o.y + m, m, m}, c);
    }
    borne_ui_fill(ui, (SDL_Rect){r.x + 4 * m, r.y + 4 * m, m, m}, c);
    borne_ui_fill(ui, (SDL_Rect){r.x + 6 * m, r.y + 5 * m, m, 2 * m}, c);
    borne_ui_fill(ui, (SDL_Rect){r.x + 5 * m, r.y + 6 * m, m, m}, c);
}

static void mode_pill(struct borne_ui *ui, borne_direction mode, int x, int y)
{
    const char *word = _(mode_word(mode));
    char label[64];
    snprintf(label, sizeof(label), "%s %s", mode == BORNE_EXIT ? "←" : "→", word);
    int tw = borne_ui_text_width(ui, label, 22, true);
    SDL_Rect r = {x, y, tw + P(ui, 28), P(ui, 38)};
    borne_ui_fill(ui, r, mode == BORNE_EXIT ? AMBER_DARK : GREEN);
    borne_ui_text(ui, label, 22, true, WHITE, r.x + P(ui, 14), r.y + P(ui, 5), BORNE_ALIGN_LEFT, 0);
}

/* The staff notice (view.notice) in red, above the bottom strip. */
static void notice_line(struct borne_ui *ui, const borne_view *v, int y)
{
    if (!v->notice[0]) {
        return;
    }
    borne_ui_text_box(ui, v->notice, 16, true, RED,
                      (SDL_Rect){P(ui, 16), y, borne_ui_w(ui) - P(ui, 32), P(ui, 44)},
                      BORNE_ALIGN_LEFT);
}

static void draw_waiting(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    header(ui, v, v->event_name, false);
    int top = P(ui, 48);
    int text_x, text_w;
    if (v->has_preview) {
        /* The camera as a mirror: people see their code move the way they move it. */
        int pw = w * 9 / 20;
        SDL_Rect r = {P(ui, 12), top + P(ui, 12), pw, h - top - P(ui, 44)};
        borne_ui_fill(ui, r, INK);
        borne_ui_preview(ui, v->preview, v->preview_w, v->preview_h, v->preview_stride, r,
                         v->mirror);
        /* Aim marks in the middle of the preview. */
        int s = (r.w < r.h ? r.w : r.h) / 2;
        int cx = r.x + r.w / 2, cy = r.y + r.h / 2, t = P(ui, 4), l = s / 4;
        int xs[2] = {cx - s / 2, cx + s / 2 - t};
        int ys[2] = {cy - s / 2, cy + s / 2 - t};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                int lx = i ? xs[i] - l + t : xs[i];
                int ly = j ? ys[j] - l + t : ys[j];
                borne_ui_fill(ui, (SDL_Rect){lx, ys[j], l, t}, WHITE);
                borne_ui_fill(ui, (SDL_Rect){xs[i], ly, t, l}, WHITE);
            }
        }
        text_x = r.x + r.w + P(ui, 24);
        text_w = w - text_x - P(ui, 16);
    } else {
        qr_glyph(ui, P(ui, 100), top + (h - top) / 2 - P(ui, 20), P(ui, 140), NAVY);
        text_x = P(ui, 200);
        text_w = w - text_x - P(ui, 24);
    }
    const char *instr = N_("Présentez votre code QR");
    int y = top + P(ui, 28);
    SDL_Rect t = borne_ui_text_box(ui, _(instr), 40, true, INK,
                                   (SDL_Rect){text_x, y, text_w, P(ui, 110)}, BORNE_ALIGN_LEFT);
    y = t.y + t.h + P(ui, 4);
    t = borne_ui_text_box(ui, borne_i18n_other(instr), 22, false, GREY,
                          (SDL_Rect){text_x, y, text_w, P(ui, 60)}, BORNE_ALIGN_LEFT);
    y = t.y + t.h + P(ui, 24);
    char line[600];
    session_line(v, line, sizeof(line));
    t = borne_ui_text_box(ui, line, 20, true, INK, (SDL_Rect){text_x, y, text_w, P(ui, 56)},
                          BORNE_ALIGN_LEFT);
    y = t.y + t.h + P(ui, 4);
    if (v->has_session) {
        borne_ui_text(ui, v->session.room, 18, false, GREY, text_x, y, BORNE_ALIGN_LEFT, text_w);
        y += P(ui, 30);
    }
    mode_pill(ui, v->mode, text_x, y + P(ui, 4));
    /* Bottom strip: the status corner (it says when the clock is not trusted); the demo's
     * caption above it. */
    int by = h - P(ui, 24);
    if (v->demo) {
        char demo[BORNE_NAME_MAX + 64];
        snprintf(demo, sizeof(demo), "%s%s%s", _("Démo"), borne_i18n_colon(),
                 v->demo_caption[0] ? v->demo_caption
                                    : _("maintenez l’écran appuyé pour le mode personnel"));
        borne_ui_text_box(ui, demo, 18, true, AMBER_DARK,
                          (SDL_Rect){text_x, by - P(ui, 62), w - text_x - P(ui, 10), P(ui, 46)},
                          BORNE_ALIGN_LEFT);
    }
    notice_line(ui, v, by - P(ui, v->demo ? 108 : 46));
    status_corner(ui, v, GREY, by + P(ui, 2));
}

/* An exit recorded that earns no hours for a session that gives some: not a green "goodbye"
 * (the participant would leave believing the hours are theirs) but amber, with the reason. */
static bool exit_without_credit(const borne_view *v)
{
    const borne_scan_result *r = &v->result;
    return r->outcome == BORNE_OUTCOME_ACCEPTED_EXIT && r->has_attendance &&
           r->attendance.credit_minutes == 0 && v->has_session &&
           v->session.rule.credit_minutes > 0;
}

#define NO_CREDIT_TITLE N_("Sortie notée, sans heures de formation")
#define NO_CREDIT_HINT  N_("Présence trop courte pour les heures de cette séance.")

borne_look borne_view_result_look(const borne_view *v)
{
    if (exit_without_credit(v)) {
        borne_look l = borne_look_class_look(BORNE_LOOK_ATTENTION);
        l.title = NO_CREDIT_TITLE;
        l.hint = NULL; /* the reason is said under the hours */
        return l;
    }
    return borne_look_outcome(v->result.outcome, v->mode);
}

/* "Présence : 1 h 28 · Heures de formation : 1,5 h" in the current language, or the other. */
static void attendance_line(const borne_scan_result *r, bool other, char *out, size_t cap)
{
    /* The numbers' format follows the language too (1,5 h / 1.5 h): switch for the line. */
    borne_lang lang = borne_i18n_lang();
    if (other) {
        borne_i18n_set(lang == BORNE_LANG_FR ? BORNE_LANG_EN : BORNE_LANG_FR);
    }
    char dur[32], hrs[32];
    borne_format_duration(r->attendance.attended_s, dur, sizeof(dur));
    borne_format_hours(r->attendance.credit_minutes, hrs, sizeof(hrs));
    const char *colon = borne_i18n_colon();
    snprintf(out, cap, "%s%s%s · %s%s%s", _("Présence"), colon, dur, _("Heures de formation"),
             colon, hrs);
    if (other) {
        borne_i18n_set(lang);
    }
}

static void draw_result(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    const borne_scan_result *r = &v->result;
    borne_look look = borne_view_result_look(v);
    int band_h = h * 52 / 100;
    borne_ui_fill(ui, (SDL_Rect){0, 0, w, band_h}, look.band);
    int rad = band_h * 30 / 100;
    int cx = P(ui, 24) + rad, cy = band_h / 2;
    borne_ui_icon(ui, look.icon, cx, cy, rad, look.ink, look.band);
    int tx = cx + rad + P(ui, 28);
    int tw = w - tx - P(ui, 20);
    SDL_Rect t =
        borne_ui_text_box(ui, _(look.title), 50, true, look.ink,
                          (SDL_Rect){tx, P(ui, 30), tw, band_h * 55 / 100}, BORNE_ALIGN_LEFT);
    borne_ui_text_box(ui, borne_i18n_other(look.title), 24, false, look.ink,
                      (SDL_Rect){tx, t.y + t.h + P(ui, 6), tw, P(ui, 64)}, BORNE_ALIGN_LEFT);
    /* Lower part: who, and what it means for them. */
    int y = band_h + P(ui, 14);
    int x = P(ui, 28);
    int lw = w - 2 * x;
    if (v->result_name[0]) {
        SDL_Rect n = borne_ui_text(ui, v->result_name, 36, true, INK, x, y, BORNE_ALIGN_LEFT, lw);
        y = n.y + n.h;
        if (v->result_org[0]) {
            SDL_Rect o =
                borne_ui_text(ui, v->result_org, 18, false, GREY, x, y, BORNE_ALIGN_LEFT, lw);
            y = o.y + o.h;
        }
        y += P(ui, 8);
    }
    char line[256];
    if (r->has_attendance &&
        (r->outcome == BORNE_OUTCOME_ACCEPTED_EXIT || r->outcome == BORNE_OUTCOME_ALREADY_OUT ||
         r->outcome == BORNE_OUTCOME_EXIT_WITHOUT_ENTRY ||
         (r->outcome == BORNE_OUTCOME_REPEAT_SCAN && v->mode == BORNE_EXIT))) {
        /* The hours, then the same in the other language, smaller, as every other line. */
        attendance_line(r, false, line, sizeof(line));
        SDL_Rect l = borne_ui_text(ui, line, 24, true, INK, x, y, BORNE_ALIGN_LEFT, lw);
        y = l.y + l.h;
        attendance_line(r, true, line, sizeof(line));
        l = borne_ui_text(ui, line, 16, false, GREY, x, y, BORNE_ALIGN_LEFT, lw);
        y = l.y + l.h + P(ui, 6);
        if (r->attendance.credit_minutes == 0 && r->attendance.attended_s > 0) {
            snprintf(line, sizeof(line), "→ %s", _(NO_CREDIT_HINT));
            l = borne_ui_text(ui, line, 22, true, INK, x, y, BORNE_ALIGN_LEFT, lw);
            y = l.y + l.h;
            snprintf(line, sizeof(line), "→ %s", borne_i18n_other(NO_CREDIT_HINT));
            l = borne_ui_text(ui, line, 16, false, GREY, x, y, BORNE_ALIGN_LEFT, lw);
            y = l.y + l.h + P(ui, 6);
        }
    }
    if (look.hint) {
        snprintf(line, sizeof(line), "→ %s", _(look.hint));
        SDL_Rect l = borne_ui_text(ui, line, 26, true, look.cls == BORNE_LOOK_INFO ? GREY : INK, x,
                                   y, BORNE_ALIGN_LEFT, lw);
        y = l.y + l.h + P(ui, 2);
        snprintf(line, sizeof(line), "→ %s", borne_i18n_other(look.hint));
        borne_ui_text(ui, line, 17, false, GREY, x, y, BORNE_ALIGN_LEFT, lw);
    }
    /* How long before the screen returns to waiting. */
    int ph = P(ui, 6);
    int pw = (int)((int64_t)w * v->result_progress_permille / 1000);
    borne_ui_fill(ui, (SDL_Rect){0, h - ph, pw, ph},
                  look.cls == BORNE_LOOK_ATTENTION ? AMBER_DARK : look.band);
}

/* ---- staff screens ------------------------------------------------------------------------- */

static void message_line(struct borne_ui *ui, const borne_view *v, int y)
{
    if (!v->message[0]) {
        return;
    }
    borne_ui_text_box(ui, v->message, 18, true, v->message_error ? RED : GREEN,
                      (SDL_Rect){P(ui, 16), y, borne_ui_w(ui) - P(ui, 32), P(ui, 50)},
                      BORNE_ALIGN_LEFT);
}

static void draw_pin(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    header(ui, v, _("Mode personnel"), false);
    SDL_Rect back = {P(ui, 12), P(ui, 60), P(ui, 120), P(ui, 48)};
    borne_ui_button(ui, back, _("Annuler"), 18, BORNE_BUTTON_NORMAL, BORNE_ACT_LEAVE_STAFF, 0);
    int left_w = w * 45 / 100;
    int y = P(ui, 130);
    borne_ui_text_box(ui, _("Entrez le NIP du personnel"), 26, true, INK,
                      (SDL_Rect){P(ui, 16), y, left_w - P(ui, 24), P(ui, 80)}, BORNE_ALIGN_LEFT);
    y += P(ui, 80);
    /* One dot per digit typed, never the digits. */
    for (int i = 0; i < v->pin_len && i < BORNE_VIEW_TEXT; i++) {
        borne_ui_circle(ui, P(ui, 30) + i * P(ui, 30), y + P(ui, 12), P(ui, 9), INK);
    }
    y += P(ui, 44);
    const char *msg = NULL;
    borne_rgb mc = RED;
    char buf[160];
    if (v->pin_unset) {
        msg = _("Aucun NIP n’est configuré sur cette borne. Présentez un code QR du personnel.");
    } else if (v->pin_locked_ms > 0) {
        int64_t s = (v->pin_locked_ms + 999) / 1000;
        snprintf(buf, sizeof(buf), "%s %" PRId64 "\u00a0s.", _("Trop d’essais. Réessayez dans"), s);
        msg = buf;
    } else if (v->pin_checking) {
        msg = _("Vérification…");
        mc = GREY;
    } else if (v->pin_wrong) {
        msg = _("NIP incorrect.");
    } else if (v->demo) {
        snprintf(buf, sizeof(buf), "%s %s.", _("Démo\u00a0: le NIP est"), v->demo_pin);
        msg = buf;
        mc = AMBER_DARK;
    }
    if (msg) {
        borne_ui_text_box(ui, msg, 18, true, mc,
                          (SDL_Rect){P(ui, 16), y, left_w - P(ui, 24), P(ui, 120)},
                          BORNE_ALIGN_LEFT);
    }
    /* Keypad. */
    int kx = left_w + P(ui, 10), ky = P(ui, 60);
    int gap = P(ui, 8);
    int kw = (w - kx - P(ui, 12) - 2 * gap) / 3;
    int kh = (h - ky - P(ui, 12) - 3 * gap) / 4;
    bool locked = v->pin_unset || v->pin_locked_ms > 0 || v->pin_checking;
    for (int i = 0; i < 12; i++) {
        SDL_Rect r = {kx + (i % 3) * (kw + gap), ky + (i / 3) * (kh + gap), kw, kh};
        char label[8];
        int action = BORNE_ACT_PIN_DIGIT, arg = 0;
        enum borne_button_style st = locked ? BORNE_BUTTON_DISABLED : BORNE_BUTTON_NORMAL;
        if (i < 9) {
            snprintf(label, sizeof(label), "%d", i + 1);
            arg = i + 1;
        } else if (i == 9) {
            borne_ui_button(ui, r, _("Effacer"), 20, st, BORNE_ACT_PIN_ERASE, 0);
            continue;
        } else if (i == 10) {
            snprintf(label, sizeof(label), "0");
        } else {
            borne_ui_button(ui, r, _("Valider"), 20,
                            locked ? BORNE_BUTTON_DISABLED : BORNE_BUTTON_PRIMARY, BORNE_ACT_PIN_OK,
                            0);
            continue;
        }
        borne_ui_button(ui, r, label, 30, st, action, arg);
    }
}

static void draw_menu(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    header(ui, v, _("Mode personnel"), true);
    char line[600], sess[512];
    session_line(v, sess, sizeof(sess));
    snprintf(line, sizeof(line), "%s — %s · %" PRId64 " %s", sess, _(mode_word(v->mode)),
             v->pending, _("en attente d’envoi"));
    borne_ui_text(ui, line, 16, true, INK, P(ui, 16), P(ui, STAFF_TOP), BORNE_ALIGN_LEFT,
                  w - P(ui, 32));
    struct {
        const char *label;
        int action, arg;
        enum borne_button_style st;
    } items[] = {
        /* Short words: on a narrow tile no word stays alone on its line. */
        {_("Rechercher un nom"), BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH, BORNE_BUTTON_PRIMARY},
        {_("Inscription sur place"), BORNE_ACT_GOTO, BORNE_SCREEN_WALKIN, BORNE_BUTTON_NORMAL},
        {_("Séance et entrée/sortie"), BORNE_ACT_GOTO, BORNE_SCREEN_SESSIONS, BORNE_BUTTON_NORMAL},
        {_("Présences par séance"), BORNE_ACT_GOTO, BORNE_SCREEN_COUNTS, BORNE_BUTTON_NORMAL},
        {_("Derniers passages"), BORNE_ACT_GOTO, BORNE_SCREEN_RECENT, BORNE_BUTTON_NORMAL},
        {_("Synchroniser maintenant"), BORNE_ACT_SYNC, 0, BORNE_BUTTON_NORMAL},
        {_("Exporter sur clé USB"), BORNE_ACT_GOTO, BORNE_SCREEN_EXPORT, BORNE_BUTTON_NORMAL},
        {borne_i18n_lang() == BORNE_LANG_FR ? "English" : "Français", BORNE_ACT_LANGUAGE, 0,
         BORNE_BUTTON_NORMAL},
        {_("À propos"), BORNE_ACT_GOTO, BORNE_SCREEN_ABOUT, BORNE_BUTTON_NORMAL},
        {_("Redémarrer ou éteindre"), BORNE_ACT_GOTO, BORNE_SCREEN_POWER, BORNE_BUTTON_NORMAL},
    };
    int n = (int)(sizeof(items) / sizeof(items[0]));
    int cols = 5, rows = 2;
    int gap = P(ui, 10);
    int top = P(ui, STAFF_TOP + 30), bottom = h - P(ui, 60);
    int bw = (w - 2 * P(ui, 12) - (cols - 1) * gap) / cols;
    int bh = (bottom - top - (rows - 1) * gap) / rows;
    for (int i = 0; i < n; i++) {
        SDL_Rect r = {P(ui, 12) + (i % cols) * (bw + gap), top + (i / cols) * (bh + gap), bw, bh};
        borne_ui_button(ui, r, items[i].label, 18, items[i].st, items[i].action, items[i].arg);
    }
    if (v->message[0]) {
        message_line(ui, v, h - P(ui, 52));
    } else {
        /* The sync state, with what went wrong in words. */
        char sync[600];
        const char *why = v->sync_state.state == BORNE_VIEW_SYNC_OFFLINE ||
                                  v->sync_state.state == BORNE_VIEW_SYNC_REFUSED
                              ? borne_sync_error_words(v->sync_state.err)
                              : "";
        snprintf(sync, sizeof(sync), "%s%s%s%s", v->sync, why[0] ? " — " : "", why,
                 v->clock_trusted ? "" : _(" · heure non vérifiée"));
        borne_ui_text_box(ui, sync, 16, false,
                          v->sync_state.state == BORNE_VIEW_SYNC_OFFLINE ||
                                  v->sync_state.state == BORNE_VIEW_SYNC_REFUSED
                              ? RED
                              : GREY,
                          (SDL_Rect){P(ui, 16), h - P(ui, 50), w - P(ui, 32), P(ui, 46)},
                          BORNE_ALIGN_LEFT);
    }
}

static void text_field(struct borne_ui *ui, SDL_Rect r, const char *label, const char *text,
                       bool focus)
{
    borne_ui_fill(ui, r, WHITE);
    borne_ui_frame(ui, r, focus ? (borne_rgb){0x1f, 0x5f, 0xad} : GREY, P(ui, focus ? 3 : 1));
    char buf[BORNE_VIEW_TEXT + 8];
    snprintf(buf, sizeof(buf), "%s%s", text, focus ? "|" : "");
    if (text[0] || focus) {
        borne_ui_text(ui, buf, 22, false, INK, r.x + P(ui, 10), r.y + (r.h - P(ui, 26)) / 2,
                      BORNE_ALIGN_LEFT, r.w - P(ui, 20));
    } else {
        borne_ui_text(ui, label, 20, false, GREY, r.x + P(ui, 10), r.y + (r.h - P(ui, 24)) / 2,
                      BORNE_ALIGN_LEFT, r.w - P(ui, 20));
    }
}

/* Two stacked buttons, ▲ and ▼, that scroll a list by a page (disabled at either end). */
static void scroll_buttons(struct borne_ui *ui, SDL_Rect area, bool up, bool down)
{
    int gap = P(ui, 4);
    int bh = (area.h - gap) / 2;
    borne_ui_button(ui, (SDL_Rect){area.x, area.y, area.w, bh}, "▲", 20,
                    up ? BORNE_BUTTON_NORMAL : BORNE_BUTTON_DISABLED, BORNE_ACT_SCROLL, -1);
    borne_ui_button(ui, (SDL_Rect){area.x, area.y + bh + gap, area.w, area.h - bh - gap}, "▼", 20,
                    down ? BORNE_BUTTON_NORMAL : BORNE_BUTTON_DISABLED, BORNE_ACT_SCROLL, 1);
}

/* The search screen's result list: where it is and how many rows of two fit. */
static SDL_Rect search_list_area(struct borne_ui *ui, int *rows)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    int top = P(ui, STAFF_TOP) + P(ui, TOUCH_MIN) + P(ui, 6);
    int bottom = h - P(ui, KB_H) - P(ui, 10);
    SDL_Rect a = {P(ui, 12), top, w - P(ui, 24) - P(ui, 72), bottom - top};
    *rows = (a.h + P(ui, 4)) / (P(ui, TOUCH_MIN) + P(ui, 4));
    if (*rows < 1) {
        *rows = 1;
    }
    return a;
}

static SDL_Rect recent_list_area(struct borne_ui *ui, int *rows)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    int top = P(ui, STAFF_TOP + 32);
    SDL_Rect a = {P(ui, 8), top, w - P(ui, 16) - P(ui, 72), h - top - P(ui, 8)};
    *rows = a.h / P(ui, 30);
    if (*rows < 1) {
        *rows = 1;
    }
    return a;
}

size_t borne_screens_page(struct borne_ui *ui, borne_screen screen)
{
    int rows = 1;
    if (screen == BORNE_SCREEN_SEARCH) {
        search_list_area(ui, &rows);
        return (size_t)rows * 2;
    }
    if (screen == BORNE_SCREEN_RECENT) {
        recent_list_area(ui, &rows);
        return (size_t)rows;
    }
    return 1;
}

static void draw_search(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    header(ui, v, _("Rechercher un participant"), true);
    SDL_Rect field = {P(ui, 12), P(ui, STAFF_TOP), w - P(ui, 24), P(ui, TOUCH_MIN)};
    text_field(ui, field, _("Tapez un nom (les accents sont facultatifs)"), v->query, true);
    if (v->query[0] && v->nfound > 0) {
        /* How many answered; when capped, the way to narrow it. */
        char count[160], num[24];
        snprintf(num, sizeof(num), "%zu", v->nfound);
        if (v->found_more) {
            borne_i18n_fill(count, sizeof(count), _("plus de %s réponses\u00a0: continuez à taper"),
                            num, NULL);
        } else {
            borne_i18n_fill(count, sizeof(count),
                            v->nfound == 1 ? _("%s réponse") : _("%s réponses"), num, NULL);
        }
        borne_ui_text(ui, count, 16, v->found_more, v->found_more ? AMBER_DARK : GREY,
                      field.x + field.w - P(ui, 10), field.y + (field.h - P(ui, 19)) / 2,
                      BORNE_ALIGN_RIGHT, field.w / 2);
    }
    int rows = 1;
    SDL_Rect list = search_list_area(ui, &rows);
    if (v->nfound == 0 && v->query[0]) {
        borne_ui_text(ui, _("Personne ne correspond. Essayez le nom de famille seul."), 18, false,
                      GREY, P(ui, 16), list.y + P(ui, 8), BORNE_ALIGN_LEFT, w - P(ui, 32));
    }
    int cols = 2;
    int gap = P(ui, 4);
    int cw = (list.w - gap) / cols;
    int rowh = P(ui, TOUCH_MIN);
    size_t page = (size_t)rows * (size_t)cols;
    size_t first = v->scroll < v->nfound ? v->scroll : 0;
    for (size_t i = first; i < v->nfound && i < first + page; i++) {
        size_t k = i - first;
        SDL_Rect r = {list.x + (int)(k % (size_t)cols) * (cw + gap),
                      list.y + (int)(k / (size_t)cols) * (rowh + gap), cw, rowh};
        /* Name, and the organisation under it: two people of the same name are told apart. */
        borne_ui_button(ui, r, NULL, 17, BORNE_BUTTON_NORMAL, BORNE_ACT_PICK, (int)i);
        const borne_participant *p = &v->found[i];
        int tx = r.x + P(ui, 10), tw = r.w - P(ui, 20);
        if (p->organisation[0]) {
            borne_ui_text(ui, p->display_name, 17, true, INK, tx, r.y + P(ui, 3), BORNE_ALIGN_LEFT,
                          tw);
            borne_ui_text(ui, p->organisation, 14, false, GREY, tx, r.y + P(ui, 25),
                          BORNE_ALIGN_LEFT, tw);
        } else {
            borne_ui_text(ui, p->display_name, 17, true, INK, tx, r.y + (rowh - P(ui, 21)) / 2,
                          BORNE_ALIGN_LEFT, tw);
        }
    }
    if (v->nfound > page) {
        scroll_buttons(
            ui,
            (SDL_Rect){list.x + list.w + P(ui, 8), list.y, P(ui, 64), rows * (rowh + gap) - gap},
            first > 0, first + page < v->nfound);
    }
    keyboard(ui, (SDL_Rect){P(ui, 8), h - P(ui, KB_H) - P(ui, 4), w - P(ui, 16), P(ui, KB_H)},
             v->shift);
}

static const char *status_word(borne_reg_status s)
{
    switch (s) {
    case BORNE_REG_CONFIRMED:
        return N_("inscription confirmée");
    case BORNE_REG_CANCELLED:
        return N_("inscription annulée");
    case BORNE_REG_NEEDS_ATTENTION:
        return N_("inscription à vérifier");
    default:
        return N_("non inscrit à l’évènement");
    }
}

static void draw_person(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    header(ui, v, _("Participant"), true);
    const borne_participant *p = &v->person;
    int x = P(ui, 20), lw = w - 2 * x;
    int y = P(ui, STAFF_TOP + 4);
    SDL_Rect t = borne_ui_text(ui, p->display_name, 34, true, INK, x, y, BORNE_ALIGN_LEFT, lw);
    y = t.y + t.h + P(ui, 2);
    if (p->organisation[0]) {
        t = borne_ui_text(ui, p->organisation, 18, false, GREY, x, y, BORNE_ALIGN_LEFT, lw);
        y = t.y + t.h;
    }
    y += P(ui, 10);
    char line[512];
    snprintf(line, sizeof(line), "%s%s · %s", _(status_word(p->status)),
             p->member ? _(" · membre") : "",
             v->person_registered ? _("inscrit à cette séance") : _("pas inscrit à cette séance"));
    t = borne_ui_text(ui, line, 18, false, INK, x, y, BORNE_ALIGN_LEFT, lw);
    y = t.y + t.h + P(ui, 6);
    t = borne_ui_text(ui, v->person_in_room ? _("Dans la salle") : _("Pas dans la salle"), 22, true,
                      v->person_in_room ? GREEN : GREY, x, y, BORNE_ALIGN_LEFT, lw);
    message_line(ui, v, t.y + t.h + P(ui, 8));
    int gap = P(ui, 10);
    int bw = (w - 2 * P(ui, 12) - 2 * gap) / 3;
    int bh = P(ui, 90);
    int by = h - bh - P(ui, 14);
    /* Someone the rules would turn away for a reason the desk settles: an explicit, recorded
     * override with its reason, never a walk-in as a workaround. */
    bool refused = !v->person_registered || p->status == BORNE_REG_CANCELLED ||
                   p->status == BORNE_REG_NEEDS_ATTENTION;
    if (v->admit_open) {
        static const char *const reasons[BORNE_ADMIT__COUNT] = {
            [BORNE_ADMIT_SPEAKER] = N_("Conférencier, invité ou organisateur"),
            [BORNE_ADMIT_PAID_AT_DESK] = N_("Inscrit ou payé à l’accueil aujourd’hui"),
            [BORNE_ADMIT_LIST_ERROR] = N_("Erreur sur la liste d’inscription"),
            [BORNE_ADMIT_OTHER] = N_("Autre raison"),
        };
        int cancel_y = h - P(ui, 14) - P(ui, TOUCH_MIN);
        int py = cancel_y - gap - 2 * (P(ui, 56) + gap) - P(ui, 28);
        borne_ui_text(ui, _("Admettre quand même — pour quelle raison\u00a0?"), 18, true, INK,
                      P(ui, 12), py, BORNE_ALIGN_LEFT, w - P(ui, 24));
        int rw = (w - 2 * P(ui, 12) - gap) / 2;
        for (int i = 0; i < BORNE_ADMIT__COUNT; i++) {
            SDL_Rect r = {P(ui, 12) + (i % 2) * (rw + gap),
                          py + P(ui, 28) + (i / 2) * (P(ui, 56) + gap), rw, P(ui, 56)};
            borne_ui_button(ui, r, _(reasons[i]), 17, BORNE_BUTTON_PRIMARY, BORNE_ACT_ADMIT, i);
        }
        borne_ui_button(ui, (SDL_Rect){P(ui, 12), cancel_y, P(ui, 200), P(ui, TOUCH_MIN)},
                        _("Annuler"), 18, BORNE_BUTTON_NORMAL, BORNE_ACT_ADMIT, -1);
        return;
    }
    if (refused) {
        borne_ui_button(ui, (SDL_Rect){P(ui, 12), by, bw, bh}, _("Admettre quand même…"), 20,
                        BORNE_BUTTON_DANGER, BORNE_ACT_ADMIT, BORNE_ADMIT_ASK);
    } else {
        borne_ui_button(ui, (SDL_Rect){P(ui, 12), by, bw, bh}, _("Enregistrer l’entrée"), 20,
                        BORNE_BUTTON_PRIMARY, BORNE_ACT_CHECK_IN, 0);
    }
    borne_ui_button(ui, (SDL_Rect){P(ui, 12) + bw + gap, by, bw, bh}, _("Enregistrer la sortie"),
                    20, BORNE_BUTTON_NORMAL, BORNE_ACT_CHECK_OUT, 0);
    borne_ui_button(ui, (SDL_Rect){P(ui, 12) + 2 * (bw + gap), by, bw, bh},
                    _("Montrer son code QR"), 20, BORNE_BUTTON_NORMAL, BORNE_ACT_SHOW_QR, 0);
}

static void draw_show_qr(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    header(ui, v, _("Code QR du participant"), true);
    int top = P(ui, STAFF_HEAD);
    int side = h - top - P(ui, 10);
    if (v->qr_missing) {
        borne_ui_text_box(ui,
                          _("Le code de cette personne n’est pas disponible sur cette borne. "
                            "Faites-la entrer à la main, puis demandez-lui de récupérer son "
                            "code dans «\u00a0Mon dossier\u00a0»."),
                          22, true, INK, (SDL_Rect){P(ui, 24), top + P(ui, 30), w - P(ui, 48), h},
                          BORNE_ALIGN_LEFT);
        return;
    }
    borne_ui_fill(ui, (SDL_Rect){0, top, side + P(ui, 20), h - top}, WHITE);
    borne_ui_qr(ui, &v->qr, (SDL_Rect){P(ui, 10), top + P(ui, 5), side, side});
    int x = side + P(ui, 36);
    SDL_Rect t = borne_ui_text_box(ui, v->person.display_name, 28, true, INK,
                                   (SDL_Rect){x, top + P(ui, 20), w - x - P(ui, 16), P(ui, 100)},
                                   BORNE_ALIGN_LEFT);
    borne_ui_text_box(
        ui, _("Photographiez ce code avec votre téléphone et présentez-le à la borne."), 20, false,
        INK, (SDL_Rect){x, t.y + t.h + P(ui, 16), w - x - P(ui, 16), P(ui, 160)}, BORNE_ALIGN_LEFT);
}

static void draw_walkin(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    header(ui, v, _("Inscription sur place"), true);
    int y = P(ui, STAFF_TOP + 18);
    int fw = (w - P(ui, 24) - P(ui, 170)) / 2 - P(ui, 6);
    const char *labels[2] = {_("Nom et prénom (obligatoire)"), _("Organisation (facultatif)")};
    for (int i = 0; i < 2; i++) {
        SDL_Rect r = {P(ui, 12) + i * (fw + P(ui, 8)), y, fw, P(ui, TOUCH_MIN)};
        /* The label stays above the field once something is typed in it. */
        borne_ui_text(ui, labels[i], 14, true, GREY, r.x, y - P(ui, 18), BORNE_ALIGN_LEFT, fw);
        text_field(ui, r, labels[i], v->walkin[i], v->walkin_field == i);
        borne_ui_hotspot(ui, r, BORNE_ACT_WALKIN_FIELD, i);
    }
    borne_ui_button(ui, (SDL_Rect){w - P(ui, 12) - P(ui, 170), y, P(ui, 170), P(ui, TOUCH_MIN)},
                    v->nlikely > 0 ? _("Créer quand même") : _("Enregistrer l’entrée"), 16,
                    v->walkin[0][0] ? BORNE_BUTTON_PRIMARY : BORNE_BUTTON_DISABLED,
                    BORNE_ACT_WALKIN_SAVE, 0);
    y += P(ui, TOUCH_MIN + 6);
    int kb_top = h - P(ui, KB_H) - P(ui, 4);
    if (v->nlikely > 0) {
        /* People already on the list with a name like this one: pick them rather than create
         * a second record. */
        char line[200], num[24];
        snprintf(num, sizeof(num), "%zu", v->nlikely);
        borne_i18n_fill(line, sizeof(line),
                        _("Déjà sur la liste\u00a0? Touchez la personne plutôt que d’en créer une "
                          "nouvelle (%s)\u00a0:"),
                        num, NULL);
        SDL_Rect t = borne_ui_text(ui, line, 16, true, AMBER_DARK, P(ui, 14), y, BORNE_ALIGN_LEFT,
                                   w - P(ui, 28));
        int by = t.y + t.h + P(ui, 4);
        int n = v->nlikely < 3 ? (int)v->nlikely : 3;
        int gap = P(ui, 6);
        int bw = (w - P(ui, 24) - (n - 1) * gap) / n;
        int bh = kb_top - P(ui, 6) - by;
        if (bh > P(ui, 56)) {
            bh = P(ui, 56);
        }
        for (int i = 0; i < n; i++) {
            const borne_participant *p = &v->likely[i];
            char label[BORNE_NAME_MAX * 2 + 40];
            snprintf(label, sizeof(label), "%s%s%s%s", p->display_name,
                     v->likely_in[i] ? " ✓ " : "", v->likely_in[i] ? _("déjà entré") : "", "");
            SDL_Rect r = {P(ui, 12) + i * (bw + gap), by, bw, bh};
            borne_ui_button(ui, r, NULL, 16, BORNE_BUTTON_NORMAL, BORNE_ACT_WALKIN_PICK, i);
            borne_ui_text(ui, label, 16, true, INK, r.x + P(ui, 8), r.y + P(ui, 4),
                          BORNE_ALIGN_LEFT, r.w - P(ui, 16));
            if (p->organisation[0]) {
                borne_ui_text(ui, p->organisation, 14, false, GREY, r.x + P(ui, 8), r.y + P(ui, 26),
                              BORNE_ALIGN_LEFT, r.w - P(ui, 16));
            }
        }
    } else {
        message_line(ui, v, y);
    }
    keyboard(ui, (SDL_Rect){P(ui, 8), kb_top, w - P(ui, 16), P(ui, KB_H)}, v->shift);
}

static void hhmm(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, cap, "%H:%M", &tm);
}

static void draw_sessions(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    header(ui, v, _("Séance et entrée/sortie"), true);
    int y = P(ui, STAFF_TOP);
    int gap = P(ui, 6);
    int listw = w * 66 / 100;
    size_t n = v->nsessions + 1;
    int rh = (h - y - P(ui, 10) - (int)(n - 1) * gap) / (int)n;
    if (rh > P(ui, 64)) {
        rh = P(ui, 64);
    }
    for (size_t i = 0; i < n; i++) {
        char label[BORNE_NAME_MAX + 96];
        bool sel;
        int arg;
        if (i == 0) {
            snprintf(label, sizeof(label), "%s", _("Tout l’évènement"));
            sel = !v->has_session;
            arg = -1;
        } else {
            const borne_session *s = &v->sessions[i - 1];
            char a[16], b[16];
            hhmm(s->starts, a, sizeof(a));
            hhmm(s->ends, b, sizeof(b));
            snprintf(label, sizeof(label), "%s · %s–%s · %s", s->code, a, b, s->title);
            sel = v->has_session && v->session.id == s->id;
            arg = (int)(i - 1);
        }
        borne_ui_button(ui, (SDL_Rect){P(ui, 12), y + (int)i * (rh + gap), listw, rh}, label, 16,
                        sel ? BORNE_BUTTON_SELECTED : BORNE_BUTTON_NORMAL, BORNE_ACT_SESSION, arg);
    }
    int x = P(ui, 12) + listw + P(ui, 16);
    int bw = w - x - P(ui, 12);
    borne_ui_text(ui, _("Cette borne enregistre"), 18, true, INK, x, y, BORNE_ALIGN_LEFT, bw);
    int bh = P(ui, 90);
    borne_ui_button(ui, (SDL_Rect){x, y + P(ui, 34), bw, bh}, _("→ les entrées"), 22,
                    v->mode == BORNE_ENTRY ? BORNE_BUTTON_SELECTED : BORNE_BUTTON_NORMAL,
                    BORNE_ACT_MODE, BORNE_ENTRY);
    borne_ui_button(ui, (SDL_Rect){x, y + P(ui, 34) + bh + gap * 2, bw, bh}, _("← les sorties"), 22,
                    v->mode == BORNE_EXIT ? BORNE_BUTTON_SELECTED : BORNE_BUTTON_NORMAL,
                    BORNE_ACT_MODE, BORNE_EXIT);
    message_line(ui, v, h - P(ui, 56));
}

static void table_row(struct borne_ui *ui, const int *xs, const char *const *cells, int n, int y,
                      int size, bool bold, borne_rgb c)
{
    for (int i = 0; i < n; i++) {
        int maxw = xs[i + 1] - xs[i] - borne_ui_px(ui, 8);
        borne_ui_text(ui, cells[i], size, bold, c, xs[i], y, BORNE_ALIGN_LEFT, maxw);
    }
}

static void draw_counts(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    header(ui, v, _("Présences par séance"), true);
    int xs[6] = {P(ui, 16), P(ui, 80), w * 52 / 100, w * 68 / 100, w * 84 / 100, w};
    const char *head[5] = {_("Code"), _("Séance"), _("Inscrits"), _("Dans la salle"), _("Entrés")};
    int y = P(ui, STAFF_TOP + 2);
    table_row(ui, xs, head, 5, y, 16, true, GREY);
    y += P(ui, 28);
    for (size_t i = 0; i < v->ncounts && y < h - P(ui, 30); i++) {
        const borne_view_count *c = &v->counts[i];
        char reg[24], in[24], ck[24];
        if (c->registered < 0) {
            snprintf(reg, sizeof(reg), "%s", _("ouvert à tous"));
        } else {
            snprintf(reg, sizeof(reg), "%" PRId64, c->registered);
        }
        snprintf(in, sizeof(in), "%" PRId64, c->in_room);
        snprintf(ck, sizeof(ck), "%" PRId64, c->checked_in);
        /* A long title wraps to two lines (shrunk only beyond that) rather than shrinking. */
        int tw = xs[2] - xs[1] - P(ui, 8);
        int rowh = borne_ui_text_width(ui, c->title, 17, false) > tw ? P(ui, 48) : P(ui, 30);
        if (i % 2 == 0) {
            borne_ui_fill(ui, (SDL_Rect){P(ui, 8), y - P(ui, 4), w - P(ui, 16), rowh + P(ui, 4)},
                          LIGHT);
        }
        bool current = v->has_session && v->session.id == c->session_id;
        if (current) {
            /* The kiosk's own session: a bar in the margin, not a squeezed bold title. */
            borne_ui_fill(ui, (SDL_Rect){P(ui, 8), y - P(ui, 4), P(ui, 5), rowh + P(ui, 4)}, NAVY);
        }
        const char *cells[5] = {c->code, "", reg, in, ck};
        table_row(ui, xs, cells, 5, y, 17, false, INK);
        borne_ui_text_box(ui, c->title, 17, false, INK, (SDL_Rect){xs[1], y, tw, P(ui, 46)},
                          BORNE_ALIGN_LEFT);
        y += rowh + P(ui, 6);
    }
}

static const char *method_word(borne_method m)
{
    switch (m) {
    case BORNE_METHOD_CAMERA:
        return N_("caméra");
    case BORNE_METHOD_SCANNER:
        return N_("lecteur");
    case BORNE_METHOD_MANUAL:
        return N_("à la main");
    case BORNE_METHOD_WALK_IN:
        return N_("sur place");
    case BORNE_METHOD_CLI:
        return N_("bornectl");
    }
    return N_("à la main");
}

static void draw_recent(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui);
    header(ui, v, _("Derniers passages"), true);
    int rows = 1;
    SDL_Rect list = recent_list_area(ui, &rows);
    int right = list.x + list.w;
    int xs[6] = {P(ui, 16), P(ui, 96), right * 40 / 100, right * 52 / 100, right * 70 / 100, right};
    const char *head[5] = {_("Heure"), _("Nom"), _("Sens"), _("Comment"), _("Résultat")};
    int y = P(ui, STAFF_TOP + 2);
    table_row(ui, xs, head, 5, y, 16, true, GREY);
    size_t first = v->scroll < v->nrecent ? v->scroll : 0;
    y = list.y;
    for (size_t i = first; i < v->nrecent && i < first + (size_t)rows; i++) {
        const borne_view_recent *r = &v->recent[i];
        borne_look look = borne_look_outcome(r->outcome, r->direction);
        const char *cells[5] = {r->time, r->name[0] ? r->name : _("(code inconnu)"),
                                _(mode_word(r->direction)), _(method_word(r->method)),
                                _(look.title)};
        if (i % 2 == 0) {
            borne_ui_fill(ui, (SDL_Rect){list.x, y - P(ui, 3), list.w, P(ui, 28)}, LIGHT);
        }
        table_row(ui, xs, cells, 5, y, 16, false, look.cls == BORNE_LOOK_REFUSED ? RED : INK);
        y += P(ui, 30);
    }
    if (v->nrecent == 0) {
        borne_ui_text(ui, _("Aucun passage pour l’instant."), 18, false, GREY, P(ui, 16), y,
                      BORNE_ALIGN_LEFT, 0);
    }
    if (v->nrecent > (size_t)rows) {
        int bh = list.h < P(ui, 2 * TOUCH_MIN + 60) ? list.h : P(ui, 2 * TOUCH_MIN + 60);
        scroll_buttons(ui, (SDL_Rect){w - P(ui, 72), list.y, P(ui, 64), bh}, first > 0,
                       first + (size_t)rows < v->nrecent);
    }
}

static void draw_export(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui);
    header(ui, v, _("Exporter sur clé USB"), true);
    int y = P(ui, STAFF_TOP + 12);
    SDL_Rect t = borne_ui_text_box(
        ui,
        _("Branchez une clé USB, puis touchez «\u00a0Exporter\u00a0». La borne y écrit tous les "
          "passages "
          "(CSV), les heures de formation (CSV) et un manifeste avec leurs empreintes SHA-256."),
        20, false, INK, (SDL_Rect){P(ui, 20), y, w - P(ui, 40), P(ui, 120)}, BORNE_ALIGN_LEFT);
    y = t.y + t.h + P(ui, 20);
    borne_ui_button(ui, (SDL_Rect){P(ui, 20), y, P(ui, 260), P(ui, 70)},
                    v->busy ? _("Export en cours…") : _("Exporter"), 22,
                    v->busy ? BORNE_BUTTON_DISABLED : BORNE_BUTTON_PRIMARY, BORNE_ACT_EXPORT, 0);
    message_line(ui, v, y + P(ui, 86));
}

static void draw_about(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui);
    header(ui, v, _("À propos"), true);
    char vals[7][520];
    snprintf(vals[0], sizeof(vals[0]), "Borne %s", v->version);
    snprintf(vals[1], sizeof(vals[1]), "%s", v->kiosk_id);
    snprintf(vals[2], sizeof(vals[2]), "%s", v->ip[0] ? v->ip : _("aucune"));
    snprintf(vals[3], sizeof(vals[3]), "%s", v->event_name);
    snprintf(vals[4], sizeof(vals[4]), "%" PRId64 " (%" PRId64 " %s)", v->total_checkins,
             v->pending, _("en attente d’envoi"));
    snprintf(vals[5], sizeof(vals[5]), "%s", v->sync);
    snprintf(vals[6], sizeof(vals[6]), "%s", v->db_path);
    const char *labels[7] = {
        _("Version"),        _("Identifiant de la borne"), _("Adresse IP"),
        _("Évènement"),      _("Passages enregistrés"),    _("Synchronisation"),
        _("Base de données")};
    int y = P(ui, STAFF_TOP + 6);
    for (int i = 0; i < 7; i++) {
        borne_ui_text(ui, labels[i], 18, true, GREY, P(ui, 20), y, BORNE_ALIGN_LEFT, w * 35 / 100);
        borne_ui_text(ui, vals[i], 18, false, INK, w * 38 / 100, y, BORNE_ALIGN_LEFT, w * 60 / 100);
        y += P(ui, 38);
    }
}

static void draw_power(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui);
    header(ui, v, _("Redémarrer ou éteindre"), true);
    int y = P(ui, 80);
    int bw = (w - P(ui, 24) - 2 * P(ui, 12)) / 3;
    int bh = P(ui, 120);
    if (v->demo) {
        borne_ui_button(ui, (SDL_Rect){P(ui, 12), y, bw, bh}, _("Quitter la démo"), 22,
                        BORNE_BUTTON_PRIMARY, BORNE_ACT_QUIT, 0);
    } else {
        borne_ui_button(ui, (SDL_Rect){P(ui, 12), y, bw, bh}, _("Redémarrer la borne"), 22,
                        BORNE_BUTTON_NORMAL, BORNE_ACT_RESTART, 0);
        borne_ui_button(ui, (SDL_Rect){P(ui, 12) + bw + P(ui, 12), y, bw, bh},
                        _("Éteindre la borne"), 22, BORNE_BUTTON_DANGER, BORNE_ACT_POWEROFF, 0);
    }
    /* Say where the records go only as far as it is true: without a registry they stay on the
     * kiosk until exported. */
    borne_ui_text_box(
        ui,
        v->sync_state.state == BORNE_VIEW_SYNC_NONE
            ? _("Les passages sont déjà enregistrés sur la borne\u00a0: rien n’est perdu en "
                "l’éteignant. Aucun registre n’est configuré\u00a0: exportez-les sur clé USB "
                "pour les remettre à l’organisateur.")
            : _("Les passages sont déjà enregistrés sur la borne\u00a0: rien n’est perdu en "
                "l’éteignant. Ils seront envoyés au registre à la prochaine connexion."),
        18, false, GREY, (SDL_Rect){P(ui, 16), y + bh + P(ui, 30), w - P(ui, 32), P(ui, 100)},
        BORNE_ALIGN_LEFT);
    message_line(ui, v, y + bh + P(ui, 140));
}

static void draw_not_set_up(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    bool done = v->setup == BORNE_VIEW_SETUP_DONE;
    header(ui, v, done ? _("Borne configurée") : _("Borne non configurée"), false);
    int x = P(ui, 140), lw = w - x - P(ui, 24);
    SDL_Rect t = {x, P(ui, 48), lw, 0};
    if (!done) {
        borne_ui_icon(ui, BORNE_ICON_INFO, P(ui, 70), P(ui, 130), P(ui, 44), NAVY, WHITE);
        t = borne_ui_text_box(ui, _("Cette borne ne connaît encore aucun évènement."), 30, true,
                              INK, (SDL_Rect){x, P(ui, 80), lw, P(ui, 90)}, BORNE_ALIGN_LEFT);
        t = borne_ui_text_box(
            ui,
            _("Pour la préparer\u00a0: présentez le code QR de configuration fourni par "
              "l’organisateur, ou importez l’évènement avec «\u00a0bornectl event import\u00a0» "
              "puis «\u00a0bornectl roster import\u00a0»."),
            20, false, INK, (SDL_Rect){x, t.y + t.h + P(ui, 16), lw, P(ui, 120)}, BORNE_ALIGN_LEFT);
    }
    if (v->setup != BORNE_VIEW_SETUP_NONE) {
        /* Provisioning by a setup code: where it stands, in words, with an icon and a colour. */
        borne_rgb c = v->setup == BORNE_VIEW_SETUP_FAILED ? RED
                      : v->setup == BORNE_VIEW_SETUP_DONE ? GREEN
                                                          : NAVY;
        borne_icon icon = v->setup == BORNE_VIEW_SETUP_FAILED ? BORNE_ICON_EXCLAIM
                          : v->setup == BORNE_VIEW_SETUP_DONE ? BORNE_ICON_CHECK
                                                              : BORNE_ICON_INFO;
        const char *title = v->setup == BORNE_VIEW_SETUP_FAILED ? _("Configuration impossible")
                            : done                              ? _("Borne configurée")
                                                                : _("Configuration en cours…");
        int py = done ? P(ui, 80) : t.y + t.h + P(ui, 14);
        int ph = done ? P(ui, 200) : P(ui, 150);
        if (py + ph > h - P(ui, 60)) {
            ph = h - P(ui, 60) - py;
        }
        SDL_Rect panel = {P(ui, 16), py, w - P(ui, 32), ph};
        borne_ui_fill(ui, panel, WHITE);
        borne_ui_fill(ui, (SDL_Rect){panel.x, panel.y, P(ui, 8), panel.h}, c);
        int r = P(ui, done ? 36 : 22);
        borne_ui_icon(ui, icon, panel.x + P(ui, 20) + r, panel.y + P(ui, 12) + r, r, c, WHITE);
        int tx = panel.x + P(ui, 28) + 2 * r, tw = panel.x + panel.w - tx - P(ui, 12);
        SDL_Rect tt = borne_ui_text(ui, title, done ? 32 : 24, true, c, tx, panel.y + P(ui, 10),
                                    BORNE_ALIGN_LEFT, tw);
        borne_ui_text_box(
            ui, v->setup_text, done ? 24 : 18, false, INK,
            (SDL_Rect){tx, tt.y + tt.h + P(ui, 4), tw, panel.y + panel.h - tt.y - tt.h - P(ui, 8)},
            BORNE_ALIGN_LEFT);
    } else {
        message_line(ui, v, t.y + t.h + P(ui, 12));
    }
    notice_line(ui, v, h - P(ui, 76));
    char line[200];
    snprintf(line, sizeof(line), "%s%s%s", _("Identifiant de la borne"), borne_i18n_colon(),
             v->kiosk_id);
    borne_ui_text(ui, line, 16, false, GREY, P(ui, 16), h - P(ui, 30), BORNE_ALIGN_LEFT,
                  w / 2 - P(ui, 24));
    status_corner(ui, v, GREY, h - P(ui, 24));
}

/* "For staff: the data folder /x does not exist" in the current language (or the other). */
static void trouble_words(const borne_view *v, bool other, char *out, size_t cap)
{
    const char *(*tr)(const char *) = other ? borne_i18n_other : borne_i18n_get;
    char why[900];
    switch (v->trouble_cause) {
    case BORNE_VIEW_TROUBLE_NO_FOLDER:
        borne_i18n_fill(why, sizeof(why), tr(N_("le dossier «\u00a0%s\u00a0» n’existe pas")),
                        v->trouble_path, NULL);
        break;
    case BORNE_VIEW_TROUBLE_IS_FOLDER:
        borne_i18n_fill(why, sizeof(why),
                        tr(N_("«\u00a0%s\u00a0» est un dossier, pas une base de données")),
                        v->trouble_path, NULL);
        break;
    case BORNE_VIEW_TROUBLE_NOT_WRITABLE:
        borne_i18n_fill(why, sizeof(why),
                        tr(N_("la borne n’a pas le droit d’écrire dans le dossier "
                              "«\u00a0%s\u00a0»")),
                        v->trouble_path, NULL);
        break;
    case BORNE_VIEW_TROUBLE_STORE:
    default:
        snprintf(why, sizeof(why), "%s (%s)",
                 tr(v->trouble == BORNE_ERR_DISK_FULL ? N_("la carte mémoire est pleine")
                    : v->trouble == BORNE_ERR_CORRUPT ? N_("la base de données est endommagée")
                                                      : N_("la base de données ne répond pas")),
                 borne_strerror(v->trouble));
        break;
    }
    const char *colon = other == (borne_i18n_lang() == BORNE_LANG_FR) ? ": " : "\u00a0: ";
    snprintf(out, cap, "%s%s%s", tr(N_("Pour le personnel")), colon, why);
}

static void draw_trouble(struct borne_ui *ui, const borne_view *v)
{
    int w = borne_ui_w(ui), h = borne_ui_h(ui);
    borne_look look = borne_look_class_look(BORNE_LOOK_REFUSED);
    int band_h = h * 45 / 100;
    borne_ui_fill(ui, (SDL_Rect){0, 0, w, band_h}, look.band);
    int rad = band_h * 30 / 100;
    borne_ui_icon(ui, BORNE_ICON_EXCLAIM, P(ui, 24) + rad, band_h / 2, rad, WHITE, look.band);
    int tx = P(ui, 48) + 2 * rad;
    const char *title = N_("Borne hors service");
    SDL_Rect t = borne_ui_text_box(ui, _(title), 46, true, WHITE,
                                   (SDL_Rect){tx, P(ui, 40), w - tx - P(ui, 20), band_h / 2},
                                   BORNE_ALIGN_LEFT);
    borne_ui_text(ui, borne_i18n_other(title), 24, false, WHITE, tx, t.y + t.h + P(ui, 4),
                  BORNE_ALIGN_LEFT, w - tx - P(ui, 20));
    int y = band_h + P(ui, 20);
    const char *what = N_("Les passages ne sont pas enregistrés. Présentez-vous à l’accueil.");
    t = borne_ui_text_box(ui, _(what), 26, true, INK,
                          (SDL_Rect){P(ui, 28), y, w - P(ui, 56), P(ui, 80)}, BORNE_ALIGN_LEFT);
    t = borne_ui_text_box(ui, borne_i18n_other(what), 18, false, GREY,
                          (SDL_Rect){P(ui, 28), t.y + t.h + P(ui, 4), w - P(ui, 56), P(ui, 50)},
                          BORNE_ALIGN_LEFT);
    /* For staff: the cause, in both languages, naming the folder when it is the problem. */
    char line[1200], other[1200];
    trouble_words(v, false, line, sizeof(line));
    trouble_words(v, true, other, sizeof(other));
    SDL_Rect box = {P(ui, 28), h - P(ui, 92), w - P(ui, 268), P(ui, 46)};
    t = borne_ui_text_box(ui, line, 16, true, INK, box, BORNE_ALIGN_LEFT);
    box.y = t.y + t.h + P(ui, 2);
    box.h = h - box.y - P(ui, 4);
    borne_ui_text_box(ui, other, 14, false, GREY, box, BORNE_ALIGN_LEFT);
    borne_ui_button(ui, (SDL_Rect){w - P(ui, 220), h - P(ui, 84), P(ui, 200), P(ui, 64)},
                    _("Réessayer"), 20, BORNE_BUTTON_NORMAL, BORNE_ACT_RETRY, 0);
}

void borne_screens_draw(struct borne_ui *ui, const borne_view *v)
{
    /* Participants' screens in the public language first, whatever staff chose. */
    borne_lang staff_lang = borne_i18n_lang();
    bool public_screen = v->screen == BORNE_SCREEN_WAITING || v->screen == BORNE_SCREEN_RESULT ||
                         v->screen == BORNE_SCREEN_NOT_SET_UP || v->screen == BORNE_SCREEN_TROUBLE;
    if (public_screen && v->public_lang != staff_lang) {
        borne_i18n_set(v->public_lang);
    }
    borne_ui_begin(
        ui, v->screen == BORNE_SCREEN_RESULT || v->screen == BORNE_SCREEN_TROUBLE ? WHITE : PAPER);
    switch (v->screen) {
    case BORNE_SCREEN_WAITING:
        draw_waiting(ui, v);
        break;
    case BORNE_SCREEN_RESULT:
        draw_result(ui, v);
        break;
    case BORNE_SCREEN_PIN:
        draw_pin(ui, v);
        break;
    case BORNE_SCREEN_MENU:
        draw_menu(ui, v);
        break;
    case BORNE_SCREEN_SEARCH:
        draw_search(ui, v);
        break;
    case BORNE_SCREEN_PERSON:
        draw_person(ui, v);
        break;
    case BORNE_SCREEN_SHOW_QR:
        draw_show_qr(ui, v);
        break;
    case BORNE_SCREEN_WALKIN:
        draw_walkin(ui, v);
        break;
    case BORNE_SCREEN_SESSIONS:
        draw_sessions(ui, v);
        break;
    case BORNE_SCREEN_COUNTS:
        draw_counts(ui, v);
        break;
    case BORNE_SCREEN_RECENT:
        draw_recent(ui, v);
        break;
    case BORNE_SCREEN_EXPORT:
        draw_export(ui, v);
        break;
    case BORNE_SCREEN_ABOUT:
        draw_about(ui, v);
        break;
    case BORNE_SCREEN_POWER:
        draw_power(ui, v);
        break;
    case BORNE_SCREEN_NOT_SET_UP:
        draw_not_set_up(ui, v);
        break;
    case BORNE_SCREEN_TROUBLE:
    case BORNE_SCREEN__COUNT:
        draw_trouble(ui, v);
        break;
    }
    borne_ui_end(ui);
    if (borne_i18n_lang() != staff_lang) {
        borne_i18n_set(staff_lang);
    }
}
