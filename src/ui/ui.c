/* The drawing context; see ui.h. */
#define LOG_MODULE "ui"

#include "ui/ui.h"

#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

#define FONTS_MAX   24
#define CACHE_MAX   192
#define BUTTONS_MAX 160
#define FONT_PATH   512

struct font_slot {
    bool bold;
    int px;
    TTF_Font *font;
};

struct text_entry {
    uint64_t hash;
    char *text;
    int px;
    bool bold;
    int wrap; /* 0: one line */
    int align;
    uint32_t rgb;
    SDL_Texture *tex;
    int w, h;
    uint64_t used; /* frame number */
};

struct button {
    SDL_Rect r;
    int action;
    int arg;
};

struct borne_ui {
    SDL_Renderer *ren;
    int rotation;
    SDL_Texture *target; /* rotated output only */
    int out_w, out_h;    /* output (window) size */
    int w, h;            /* logical size */
    int scale;           /* permille */
    uint64_t frame;
    char font_path[2][FONT_PATH]; /* regular, bold */
    struct font_slot fonts[FONTS_MAX];
    int nfonts;
    struct text_entry cache[CACHE_MAX];
    struct button buttons[BUTTONS_MAX];
    int nbuttons;
    SDL_Texture *preview;
    int preview_w, preview_h;
    borne_ui_drawn drawn[BORNE_UI_DRAWN_MAX]; /* this frame's texts and buttons (tests) */
    size_t ndrawn;
};

static void record(struct borne_ui *ui, SDL_Rect r, const char *text, int px, int lines,
                   bool shrunk, bool button, bool disabled, int action, int arg)
{
    if (ui->ndrawn == BORNE_UI_DRAWN_MAX) {
        return;
    }
    borne_ui_drawn *d = &ui->drawn[ui->ndrawn++];
    *d = (borne_ui_drawn){.r = r,
                          .px = px,
                          .lines = lines,
                          .shrunk = shrunk,
                          .button = button,
                          .disabled = disabled,
                          .action = action,
                          .arg = arg};
    snprintf(d->text, sizeof(d->text), "%s", text ? text : "");
}

size_t borne_ui_drawn_count(const struct borne_ui *ui)
{
    return ui->ndrawn;
}

const borne_ui_drawn *borne_ui_drawn_get(const struct borne_ui *ui, size_t i)
{
    return i < ui->ndrawn ? &ui->drawn[i] : NULL;
}

/* Lines of a rendered text of `h` pixels at font size px. */
static int line_count(struct borne_ui *ui, int px, bool bold, int h);

static bool readable(const char *p)
{
    return p && access(p, R_OK) == 0;
}

static void find_font(bool bold, char *out, size_t cap)
{
    const char *file = bold ? "DejaVuSans-Bold.ttf" : "DejaVuSans.ttf";
    const char *dir = getenv("BORNE_FONT_DIR");
    out[0] = '\0';
    if (dir && dir[0]) {
        snprintf(out, cap, "%s/%s", dir, file);
        if (readable(out)) {
            return;
        }
    }
    if (FcInit()) {
        FcPattern *pat = FcNameParse((const FcChar8 *)(bold ? "DejaVu Sans:bold" : "DejaVu Sans"));
        if (pat) {
            FcConfigSubstitute(NULL, pat, FcMatchPattern);
            FcDefaultSubstitute(pat);
            FcResult res;
            FcPattern *match = FcFontMatch(NULL, pat, &res);
            FcChar8 *path = NULL;
            if (match && FcPatternGetString(match, FC_FILE, 0, &path) == FcResultMatch &&
                strstr((const char *)path, "DejaVuSans") && readable((const char *)path)) {
                snprintf(out, cap, "%s", (const char *)path);
            }
            if (match) {
                FcPatternDestroy(match);
            }
            FcPatternDestroy(pat);
        }
        if (out[0]) {
            return;
        }
    }
    snprintf(out, cap, "/usr/share/fonts/truetype/dejavu/%s", file);
}

borne_err borne_ui_new(SDL_Renderer *renderer, int rotation, struct borne_ui **out)
{
    *out = NULL;
    if (!TTF_WasInit() && TTF_Init() != 0) {
        LOG_ERR("SDL_ttf: %s", TTF_GetError());
        return BORNE_ERR_UNSUPPORTED;
    }
    struct borne_ui *ui = calloc(1, sizeof(*ui));
    if (!ui) {
        abort();
    }
    ui->ren = renderer;
    ui->rotation = (rotation == 90 || rotation == 180 || rotation == 270) ? rotation : 0;
    find_font(false, ui->font_path[0], FONT_PATH);
    find_font(true, ui->font_path[1], FONT_PATH);
    for (int i = 0; i < 2; i++) {
        if (!readable(ui->font_path[i])) {
            LOG_ERR("no DejaVu Sans font found (install fonts-dejavu-core or set BORNE_FONT_DIR)");
            free(ui);
            return BORNE_ERR_NOT_FOUND;
        }
    }
    SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_BLEND);
    *out = ui;
    return BORNE_OK;
}

static void drop_cache(struct borne_ui *ui)
{
    for (int i = 0; i < CACHE_MAX; i++) {
        if (ui->cache[i].tex) {
            SDL_DestroyTexture(ui->cache[i].tex);
        }
        free(ui->cache[i].text);
        memset(&ui->cache[i], 0, sizeof(ui->cache[i]));
    }
}

void borne_ui_free(struct borne_ui *ui)
{
    if (!ui) {
        return;
    }
    drop_cache(ui);
    for (int i = 0; i < ui->nfonts; i++) {
        TTF_CloseFont(ui->fonts[i].font);
    }
    if (ui->preview) {
        SDL_DestroyTexture(ui->preview);
    }
    if (ui->target) {
        SDL_DestroyTexture(ui->target);
    }
    free(ui);
}

int borne_ui_cache_count(const struct borne_ui *ui)
{
    int n = 0;
    for (int i = 0; i < CACHE_MAX; i++) {
        n += ui->cache[i].tex != NULL;
    }
    return n;
}

void borne_ui_begin(struct borne_ui *ui, borne_rgb bg)
{
    ui->frame++;
    ui->nbuttons = 0;
    ui->ndrawn = 0;
    int ow = 0, oh = 0;
    SDL_GetRendererOutputSize(ui->ren, &ow, &oh);
    bool quarter = ui->rotation == 90 || ui->rotation == 270;
    int lw = quarter ? oh : ow;
    int lh = quarter ? ow : oh;
    if (ow != ui->out_w || oh != ui->out_h) {
        ui->out_w = ow;
        ui->out_h = oh;
        int scale = borne_look_scale_permille(lw, lh);
        if (scale != ui->scale) {
            /* New sizes: fonts and cached text of the old size are useless. */
            drop_cache(ui);
            for (int i = 0; i < ui->nfonts; i++) {
                TTF_CloseFont(ui->fonts[i].font);
            }
            ui->nfonts = 0;
        }
        ui->scale = scale;
        if (ui->target) {
            SDL_DestroyTexture(ui->target);
            ui->target = NULL;
        }
        if (ui->rotation) {
            ui->target = SDL_CreateTexture(ui->ren, SDL_PIXELFORMAT_ARGB8888,
                                           SDL_TEXTUREACCESS_TARGET, lw, lh);
            if (!ui->target) {
                LOG_WARN("rotation unavailable: %s", SDL_GetError());
            }
        }
    }
    if (ui->target) {
        ui->w = lw;
        ui->h = lh;
        SDL_SetRenderTarget(ui->ren, ui->target);
    } else {
        ui->w = ow;
        ui->h = oh;
    }
    SDL_SetRenderDrawColor(ui->ren, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(ui->ren);
}

void borne_ui_end(struct borne_ui *ui)
{
    if (!ui->target) {
        return;
    }
    SDL_SetRenderTarget(ui->ren, NULL);
    SDL_SetRenderDrawColor(ui->ren, 0, 0, 0, 255);
    SDL_RenderClear(ui->ren);
    SDL_Rect dst = {(ui->out_w - ui->w) / 2, (ui->out_h - ui->h) / 2, ui->w, ui->h};
    SDL_RenderCopyEx(ui->ren, ui->target, NULL, &dst, ui->rotation, NULL, SDL_FLIP_NONE);
}

int borne_ui_w(const struct borne_ui *ui)
{
    return ui->w;
}

int borne_ui_h(const struct borne_ui *ui)
{
    return ui->h;
}

int borne_ui_px(const struct borne_ui *ui, int design)
{
    return (int)(((int64_t)design * ui->scale + 500) / 1000);
}

static void color(struct borne_ui *ui, borne_rgb c)
{
    SDL_SetRenderDrawColor(ui->ren, c.r, c.g, c.b, 255);
}

void borne_ui_fill(struct borne_ui *ui, SDL_Rect r, borne_rgb c)
{
    color(ui, c);
    SDL_RenderFillRect(ui->ren, &r);
}

void borne_ui_frame(struct borne_ui *ui, SDL_Rect r, borne_rgb c, int t)
{
    color(ui, c);
    SDL_Rect sides[4] = {{r.x, r.y, r.w, t},
                         {r.x, r.y + r.h - t, r.w, t},
                         {r.x, r.y, t, r.h},
                         {r.x + r.w - t, r.y, t, r.h}};
    SDL_RenderFillRects(ui->ren, sides, 4);
}

static SDL_Vertex vtx(float x, float y, borne_rgb c)
{
    SDL_Vertex v = {{x, y}, {c.r, c.g, c.b, 255}, {0, 0}};
    return v;
}

void borne_ui_circle(struct borne_ui *ui, int cx, int cy, int radius, borne_rgb c)
{
    enum { SEG = 64 };
    SDL_Vertex v[SEG + 1];
    int idx[SEG * 3];
    v[0] = vtx((float)cx, (float)cy, c);
    for (int i = 0; i < SEG; i++) {
        double a = 2.0 * M_PI * i / SEG;
        v[i + 1] = vtx((float)(cx + radius * cos(a)), (float)(cy + radius * sin(a)), c);
        idx[i * 3] = 0;
        idx[i * 3 + 1] = i + 1;
        idx[i * 3 + 2] = (i + 1) % SEG + 1;
    }
    SDL_RenderGeometry(ui->ren, NULL, v, SEG + 1, idx, SEG * 3);
}

/* A thick segment from (x0, y0) to (x1, y1), in units of radius around (cx, cy). */
static void stroke(struct borne_ui *ui, int cx, int cy, int r, double x0, double y0, double x1,
                   double y1, double thick, borne_rgb c)
{
    double dx = x1 - x0, dy = y1 - y0;
    double len = sqrt(dx * dx + dy * dy);
    double nx = -dy / len * thick / 2, ny = dx / len * thick / 2;
    /* Extend the ends by half the thickness so joints look square. */
    double ex = dx / len * thick / 2, ey = dy / len * thick / 2;
    double p[4][2] = {{x0 - ex + nx, y0 - ey + ny},
                      {x1 + ex + nx, y1 + ey + ny},
                      {x1 + ex - nx, y1 + ey - ny},
                      {x0 - ex - nx, y0 - ey - ny}};
    SDL_Vertex v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = vtx((float)(cx + p[i][0] * r), (float)(cy + p[i][1] * r), c);
    }
    int idx[6] = {0, 1, 2, 0, 2, 3};
    SDL_RenderGeometry(ui->ren, NULL, v, 4, idx, 6);
}

void borne_ui_icon(struct borne_ui *ui, borne_icon icon, int cx, int cy, int r, borne_rgb disc,
                   borne_rgb sym)
{
    borne_ui_circle(ui, cx, cy, r, disc);
    switch (icon) {
    case BORNE_ICON_CHECK:
        stroke(ui, cx, cy, r, -0.42, 0.02, -0.12, 0.32, 0.2, sym);
        stroke(ui, cx, cy, r, -0.12, 0.32, 0.44, -0.3, 0.2, sym);
        break;
    case BORNE_ICON_CROSS:
        stroke(ui, cx, cy, r, -0.33, -0.33, 0.33, 0.33, 0.2, sym);
        stroke(ui, cx, cy, r, -0.33, 0.33, 0.33, -0.33, 0.2, sym);
        break;
    case BORNE_ICON_EXCLAIM:
        stroke(ui, cx, cy, r, 0, -0.5, 0, 0.12, 0.2, sym);
        borne_ui_circle(ui, cx, cy + (int)(0.42 * r), (int)(0.12 * r), sym);
        break;
    case BORNE_ICON_INFO:
        borne_ui_circle(ui, cx, cy - (int)(0.42 * r), (int)(0.12 * r), sym);
        stroke(ui, cx, cy, r, 0, -0.12, 0, 0.5, 0.2, sym);
        break;
    case BORNE_ICON_KEY:
        borne_ui_circle(ui, cx - (int)(0.3 * r), cy, (int)(0.28 * r), sym);
        borne_ui_circle(ui, cx - (int)(0.3 * r), cy, (int)(0.12 * r), disc);
        stroke(ui, cx, cy, r, -0.05, 0, 0.55, 0, 0.14, sym);
        stroke(ui, cx, cy, r, 0.45, 0, 0.45, 0.2, 0.12, sym);
        stroke(ui, cx, cy, r, 0.28, 0, 0.28, 0.16, 0.12, sym);
        break;
    }
}

/* ---- text ---------------------------------------------------------------------------------- */

static TTF_Font *font(struct borne_ui *ui, int px, bool bold)
{
    if (px < 6) {
        px = 6;
    }
    for (int i = 0; i < ui->nfonts; i++) {
        if (ui->fonts[i].px == px && ui->fonts[i].bold == bold) {
            return ui->fonts[i].font;
        }
    }
    if (ui->nfonts == FONTS_MAX) {
        /* Too many sizes (e.g. shrink-to-fit): start over, cached text keeps its textures. */
        for (int i = 0; i < ui->nfonts; i++) {
            TTF_CloseFont(ui->fonts[i].font);
        }
        ui->nfonts = 0;
    }
    TTF_Font *f = TTF_OpenFont(ui->font_path[bold], px);
    if (!f) {
        LOG_ERR("font: %s", TTF_GetError());
        return NULL;
    }
    TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
    ui->fonts[ui->nfonts++] = (struct font_slot){bold, px, f};
    return f;
}

static uint64_t fnv(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* The cached texture of a text, rendering it on a miss. NULL for empty text or failure. */
static struct text_entry *text_tex(struct borne_ui *ui, const char *s, int px, bool bold,
                                   borne_rgb c, int wrap, int align)
{
    if (!s || !s[0]) {
        return NULL;
    }
    uint32_t rgb = (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
    uint64_t h = fnv(s, 1469598103934665603ull) ^ ((uint64_t)px << 40) ^ ((uint64_t)bold << 39) ^
                 ((uint64_t)rgb << 8) ^ ((uint64_t)wrap << 20) ^ (uint64_t)align;
    int victim = 0;
    for (int i = 0; i < CACHE_MAX; i++) {
        struct text_entry *e = &ui->cache[i];
        if (e->tex && e->hash == h && e->px == px && e->bold == bold && e->rgb == rgb &&
            e->wrap == wrap && e->align == align && strcmp(e->text, s) == 0) {
            e->used = ui->frame;
            return e;
        }
        if (!e->tex) {
            if (ui->cache[victim].tex) {
                victim = i;
            }
        } else if (ui->cache[victim].tex && e->used < ui->cache[victim].used) {
            victim = i;
        }
    }
    TTF_Font *f = font(ui, px, bold);
    if (!f) {
        return NULL;
    }
    SDL_Color col = {c.r, c.g, c.b, 255};
    SDL_Surface *surf;
    if (wrap > 0) {
        TTF_SetFontWrappedAlign(f, align == BORNE_ALIGN_CENTER  ? TTF_WRAPPED_ALIGN_CENTER
                                   : align == BORNE_ALIGN_RIGHT ? TTF_WRAPPED_ALIGN_RIGHT
                                                                : TTF_WRAPPED_ALIGN_LEFT);
        surf = TTF_RenderUTF8_Blended_Wrapped(f, s, col, (Uint32)wrap);
    } else {
        surf = TTF_RenderUTF8_Blended(f, s, col);
    }
    if (!surf) {
        LOG_WARN("text: %s", TTF_GetError());
        return NULL;
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(ui->ren, surf);
    struct text_entry *e = &ui->cache[victim];
    if (e->tex) {
        SDL_DestroyTexture(e->tex);
    }
    free(e->text);
    *e = (struct text_entry){h,   strdup(s), px,      bold,    wrap,     align,
                             rgb, tex,       surf->w, surf->h, ui->frame};
    SDL_FreeSurface(surf);
    if (!tex || !e->text) {
        LOG_WARN("text texture: %s", SDL_GetError());
        if (tex) {
            SDL_DestroyTexture(tex);
        }
        free(e->text);
        memset(e, 0, sizeof(*e));
        return NULL;
    }
    return e;
}

static int line_count(struct borne_ui *ui, int px, bool bold, int h)
{
    TTF_Font *f = font(ui, px, bold);
    int skip = f ? TTF_FontLineSkip(f) : 0;
    return skip > 0 ? (h + skip / 2) / skip : 1;
}

int borne_ui_text_width(struct borne_ui *ui, const char *s, int size, bool bold)
{
    TTF_Font *f = font(ui, borne_ui_px(ui, size), bold);
    int w = 0, h = 0;
    if (!f || !s || TTF_SizeUTF8(f, s, &w, &h) != 0) {
        return 0;
    }
    return w;
}

SDL_Rect borne_ui_text(struct borne_ui *ui, const char *s, int size, bool bold, borne_rgb c, int x,
                       int y, enum borne_align align, int max_w)
{
    SDL_Rect r = {x, y, 0, 0};
    struct text_entry *e = text_tex(ui, s, borne_ui_px(ui, size), bold, c, 0, 0);
    if (!e) {
        return r;
    }
    r.w = e->w;
    r.h = e->h;
    if (max_w > 0 && r.w > max_w) {
        /* Too long (a long name): scale the line down rather than overflow the screen. */
        r.h = (int)((int64_t)r.h * max_w / r.w);
        r.w = max_w;
        r.y += (e->h - r.h) / 2;
    }
    if (align == BORNE_ALIGN_CENTER) {
        r.x = x - r.w / 2;
    } else if (align == BORNE_ALIGN_RIGHT) {
        r.x = x - r.w;
    }
    SDL_RenderCopy(ui->ren, e->tex, NULL, &r);
    record(ui, r, s, e->px, 1, r.h < e->h, false, false, 0, 0);
    return r;
}

SDL_Rect borne_ui_text_box(struct borne_ui *ui, const char *s, int size, bool bold, borne_rgb c,
                           SDL_Rect box, enum borne_align align)
{
    SDL_Rect r = {box.x, box.y, 0, 0};
    struct text_entry *e = text_tex(ui, s, borne_ui_px(ui, size), bold, c, box.w, (int)align);
    if (!e) {
        return r;
    }
    r.w = e->w;
    r.h = e->h;
    if (box.h > 0 && r.h > box.h) {
        r.w = (int)((int64_t)r.w * box.h / r.h);
        r.h = box.h;
    }
    if (align == BORNE_ALIGN_CENTER) {
        r.x = box.x + (box.w - r.w) / 2;
    } else if (align == BORNE_ALIGN_RIGHT) {
        r.x = box.x + box.w - r.w;
    }
    SDL_RenderCopy(ui->ren, e->tex, NULL, &r);
    record(ui, r, s, e->px, line_count(ui, e->px, bold, e->h), r.h < e->h, false, false, 0, 0);
    return r;
}

/* ---- buttons ------------------------------------------------------------------------------- */

void borne_ui_button(struct borne_ui *ui, SDL_Rect r, const char *label, int size,
                     enum borne_button_style style, int action, int arg)
{
    static const borne_rgb bg[] = {{0xe5, 0xe7, 0xeb},
                                   {0x1f, 0x5f, 0xad},
                                   {0xb3, 0x26, 0x1e},
                                   {0x37, 0x41, 0x51},
                                   {0xf3, 0xf4, 0xf6}};
    static const borne_rgb fg[] = {{0x11, 0x18, 0x27},
                                   {0xff, 0xff, 0xff},
                                   {0xff, 0xff, 0xff},
                                   {0xff, 0xff, 0xff},
                                   {0x9c, 0xa3, 0xaf}};
    borne_ui_fill(ui, r, bg[style]);
    borne_ui_frame(ui, r, (borne_rgb){0x9c, 0xa3, 0xaf},
                   borne_ui_px(ui, 1) ? borne_ui_px(ui, 1) : 1);
    if (label) {
        int pad = borne_ui_px(ui, 6);
        SDL_Rect box = {r.x + pad, r.y, r.w - 2 * pad, 0};
        struct text_entry *e =
            text_tex(ui, label, borne_ui_px(ui, size), true, fg[style], box.w, 1);
        if (e) {
            SDL_Rect t = {0, 0, e->w, e->h};
            if (t.h > r.h - pad) {
                t.w = (int)((int64_t)t.w * (r.h - pad) / t.h);
                t.h = r.h - pad;
            }
            t.x = r.x + (r.w - t.w) / 2;
            t.y = r.y + (r.h - t.h) / 2;
            SDL_RenderCopy(ui->ren, e->tex, NULL, &t);
            record(ui, t, label, e->px, line_count(ui, e->px, true, e->h), t.h < e->h, false, false,
                   0, 0);
        }
    }
    record(ui, r, label, 0, 0, false, true, style == BORNE_BUTTON_DISABLED, action, arg);
    if (style != BORNE_BUTTON_DISABLED && ui->nbuttons < BUTTONS_MAX) {
        ui->buttons[ui->nbuttons++] = (struct button){r, action, arg};
    }
}

void borne_ui_hotspot(struct borne_ui *ui, SDL_Rect r, int action, int arg)
{
    record(ui, r, NULL, 0, 0, false, true, false, action, arg);
    if (ui->nbuttons < BUTTONS_MAX) {
        ui->buttons[ui->nbuttons++] = (struct button){r, action, arg};
    }
}

void borne_ui_to_logical(const struct borne_ui *ui, int x, int y, int *lx, int *ly)
{
    if (!ui->target) {
        *lx = x;
        *ly = y;
        return;
    }
    int ox = x - ui->out_w / 2, oy = y - ui->out_h / 2;
    int dx = ox, dy = oy;
    if (ui->rotation == 90) {
        dx = oy;
        dy = -ox;
    } else if (ui->rotation == 180) {
        dx = -ox;
        dy = -oy;
    } else if (ui->rotation == 270) {
        dx = -oy;
        dy = ox;
    }
    *lx = dx + ui->w / 2;
    *ly = dy + ui->h / 2;
}

bool borne_ui_hit(const struct borne_ui *ui, int x, int y, int *action, int *arg)
{
    int lx, ly;
    borne_ui_to_logical(ui, x, y, &lx, &ly);
    SDL_Point p = {lx, ly};
    for (int i = ui->nbuttons - 1; i >= 0; i--) {
        if (SDL_PointInRect(&p, &ui->buttons[i].r)) {
            *action = ui->buttons[i].action;
            *arg = ui->buttons[i].arg;
            return true;
        }
    }
    return false;
}

/* ---- QR, preview, screenshots -------------------------------------------------------------- */

void borne_ui_qr(struct borne_ui *ui, const borne_qr *qr, SDL_Rect r)
{
    if (!qr || qr->size <= 0) {
        return;
    }
    int side = qr->size + 2 * BORNE_QR_QUIET_ZONE;
    int m = (r.w < r.h ? r.w : r.h) / side;
    if (m < 1) {
        m = 1;
    }
    int x0 = r.x + (r.w - side * m) / 2;
    int y0 = r.y + (r.h - side * m) / 2;
    borne_ui_fill(ui, (SDL_Rect){x0, y0, side * m, side * m}, (borne_rgb){255, 255, 255});
    color(ui, (borne_rgb){0, 0, 0});
    for (int y = 0; y < qr->size; y++) {
        for (int x = 0; x < qr->size; x++) {
            if (borne_qr_dark(qr, x, y)) {
                SDL_Rect c = {x0 + (x + BORNE_QR_QUIET_ZONE) * m,
                              y0 + (y + BORNE_QR_QUIET_ZONE) * m, m, m};
                SDL_RenderFillRect(ui->ren, &c);
            }
        }
    }
}

void borne_ui_preview(struct borne_ui *ui, const uint8_t *luma, int w, int h, int stride,
                      SDL_Rect r, bool mirror)
{
    if (!luma || w <= 0 || h <= 0) {
        return;
    }
    if (!ui->preview || ui->preview_w != w || ui->preview_h != h) {
        if (ui->preview) {
            SDL_DestroyTexture(ui->preview);
        }
        ui->preview =
            SDL_CreateTexture(ui->ren, SDL_PIXELFORMAT_XRGB8888, SDL_TEXTUREACCESS_STREAMING, w, h);
        if (!ui->preview) {
            LOG_WARN("preview texture: %s", SDL_GetError());
            return;
        }
        /* A camera picture needs no smoothing, and nearest scaling is the cheapest. */
        SDL_SetTextureScaleMode(ui->preview, SDL_ScaleModeNearest);
        ui->preview_w = w;
        ui->preview_h = h;
    }
    /* Grey to XRGB, mirrored here (flipping in the renderer is slow on the software path). */
    void *pixels;
    int pitch;
    if (SDL_LockTexture(ui->preview, NULL, &pixels, &pitch) != 0) {
        return;
    }
    for (int y = 0; y < h; y++) {
        const uint8_t *src = luma + (size_t)y * (size_t)stride;
        uint32_t *dst = (uint32_t *)(void *)((uint8_t *)pixels + (size_t)y * (size_t)pitch);
        if (mirror) {
            for (int x = 0; x < w; x++) {
                uint32_t g = src[w - 1 - x];
                dst[x] = 0xff000000u | g << 16 | g << 8 | g;
            }
        } else {
            for (int x = 0; x < w; x++) {
                uint32_t g = src[x];
                dst[x] = 0xff000000u | g << 16 | g << 8 | g;
            }
        }
    }
    SDL_UnlockTexture(ui->preview);
    /* Crop the frame to the rectangle's aspect, then fill it. */
    SDL_Rect src = {0, 0, w, h};
    if ((int64_t)w * r.h > (int64_t)h * r.w) {
        src.w = (int)((int64_t)h * r.w / r.h);
        src.x = (w - src.w) / 2;
    } else {
        src.h = (int)((int64_t)w * r.h / r.w);
        src.y = (h - src.h) / 2;
    }
    SDL_RenderCopy(ui->ren, ui->preview, &src, &r);
}

borne_err borne_ui_screenshot(struct borne_ui *ui, const char *path)
{
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(ui->ren, &w, &h);
    if (w <= 0 || h <= 0) {
        return BORNE_ERR_INVALID;
    }
    uint8_t *px = malloc((size_t)w * (size_t)h * 3);
    if (!px) {
        return BORNE_ERR_NOMEM;
    }
    borne_err err = BORNE_OK;
    FILE *f = NULL;
    png_structp png = NULL;
    png_infop info = NULL;
    if (SDL_RenderReadPixels(ui->ren, NULL, SDL_PIXELFORMAT_RGB24, px, w * 3) != 0) {
        LOG_ERR("screenshot: %s", SDL_GetError());
        err = BORNE_ERR_IO;
        goto out;
    }
    f = fopen(path, "wb");
    if (!f) {
        err = BORNE_ERR_IO;
        goto out;
    }
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        err = BORNE_ERR_NOMEM;
        goto out;
    }
    if (setjmp(png_jmpbuf(png))) {
        err = BORNE_ERR_IO;
        goto out;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        png_write_row(png, px + (size_t)y * (size_t)w * 3);
    }
    png_write_end(png, NULL);
out:
    if (png) {
        png_destroy_write_struct(&png, info ? &info : NULL);
    }
    if (f && fclose(f) != 0 && !err) {
        err = BORNE_ERR_IO;
    }
    free(px);
    return err;
}
