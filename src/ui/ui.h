/* The kiosk's drawing context: layout scale, fonts and cached text, shapes and icons, buttons
 * that remember where they were drawn (for touch and mouse), QR codes, the camera preview, and
 * screenshots.
 *
 * DESIGN: immediate mode. Each frame the screens (screens.h) draw everything between
 * borne_ui_begin() and borne_ui_end(); buttons register their rectangle and action as they are
 * drawn, and borne_ui_hit() maps a press to the last frame's buttons. Sizes are given in
 * "design pixels" of an 800x480 screen and scaled (borne_ui_px) to the output, up to 1920x1080
 * and beyond. Text is rendered once with SDL2_ttf and kept as a texture in a small LRU cache,
 * so a frame of unchanged text costs only texture copies. A rotation (0, 90, 180, 270) is done
 * here, through a target texture, because KMSDRM does not rotate panels.
 *
 * One borne_ui per renderer, used by the UI thread only. */
#ifndef BORNE_UI_UI_H
#define BORNE_UI_UI_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

#include "badge/qr.h"
#include "core/error.h"
#include "ui/look.h"

struct borne_ui;

enum borne_align {
    BORNE_ALIGN_LEFT = 0,
    BORNE_ALIGN_CENTER = 1,
    BORNE_ALIGN_RIGHT = 2,
};

enum borne_button_style {
    BORNE_BUTTON_NORMAL = 0,
    BORNE_BUTTON_PRIMARY = 1,
    BORNE_BUTTON_DANGER = 2,
    BORNE_BUTTON_SELECTED = 3,
    BORNE_BUTTON_DISABLED = 4, /* drawn, not pressable */
};

/* Finds DejaVu Sans (regular and bold): $BORNE_FONT_DIR, else fontconfig, else the Debian
 * path. BORNE_ERR_NOT_FOUND when no font can be opened. `renderer` is borrowed. */
borne_err borne_ui_new(SDL_Renderer *renderer, int rotation, struct borne_ui **out);
void borne_ui_free(struct borne_ui *ui);

/* Starts a frame: reads the output size, rescales, forgets last frame's buttons. */
void borne_ui_begin(struct borne_ui *ui, borne_rgb background);
/* Ends a frame (applies the rotation). The caller presents. */
void borne_ui_end(struct borne_ui *ui);

/* Logical size (after rotation) and scale. */
int borne_ui_w(const struct borne_ui *ui);
int borne_ui_h(const struct borne_ui *ui);
/* Design pixels (800x480 screen) to output pixels. */
int borne_ui_px(const struct borne_ui *ui, int design);

void borne_ui_fill(struct borne_ui *ui, SDL_Rect r, borne_rgb c);
void borne_ui_frame(struct borne_ui *ui, SDL_Rect r, borne_rgb c, int thickness);
void borne_ui_circle(struct borne_ui *ui, int cx, int cy, int radius, borne_rgb c);

/* Text of `size` design pixels, on one line, shrunk to fit max_w (0: no limit). Returns the
 * rectangle drawn. x is the left, centre or right edge according to align; y is the top. */
SDL_Rect borne_ui_text(struct borne_ui *ui, const char *utf8, int size, bool bold, borne_rgb c,
                       int x, int y, enum borne_align align, int max_w);
/* Text wrapped to box.w, aligned, drawn from box.y (shrunk if taller than box.h). Returns the
 * rectangle drawn. */
SDL_Rect borne_ui_text_box(struct borne_ui *ui, const char *utf8, int size, bool bold, borne_rgb c,
                           SDL_Rect box, enum borne_align align);
/* Width in output pixels of text at a size, unwrapped. */
int borne_ui_text_width(struct borne_ui *ui, const char *utf8, int size, bool bold);

/* An icon in a disc: the disc in `disc`, the symbol in `symbol`. */
void borne_ui_icon(struct borne_ui *ui, borne_icon icon, int cx, int cy, int radius, borne_rgb disc,
                   borne_rgb symbol);

/* A button: registers (action, arg) for borne_ui_hit unless disabled. */
void borne_ui_button(struct borne_ui *ui, SDL_Rect r, const char *label, int size,
                     enum borne_button_style style, int action, int arg);
/* A pressable area with nothing drawn (a text field). */
void borne_ui_hotspot(struct borne_ui *ui, SDL_Rect r, int action, int arg);
/* The button under an output (window) point, last drawn first. False when none. */
bool borne_ui_hit(const struct borne_ui *ui, int x, int y, int *action, int *arg);
/* Maps an output (window) point to logical coordinates (undoes the rotation). */
void borne_ui_to_logical(const struct borne_ui *ui, int x, int y, int *lx, int *ly);

/* A QR code with its quiet zone, as large as fits in r (whole pixels per module), centred. */
void borne_ui_qr(struct borne_ui *ui, const borne_qr *qr, SDL_Rect r);

/* The camera preview: a grey frame shown in r (aspect kept, cropped to fill), mirrored when
 * asked. The pixels are uploaded at once; the caller may reuse them after the call. */
void borne_ui_preview(struct borne_ui *ui, const uint8_t *luma, int w, int h, int stride,
                      SDL_Rect r, bool mirror);

/* Saves the whole output as an RGB PNG. Call after borne_ui_end(), before presenting. */
borne_err borne_ui_screenshot(struct borne_ui *ui, const char *path);

/* Cached text textures right now (for tests and the benchmark). */
int borne_ui_cache_count(const struct borne_ui *ui);

/* What the last frame drew, for tests: every text and every button, in drawing order (up to
 * BORNE_UI_DRAWN_MAX). Texts longer than the record keep their beginning. */
#define BORNE_UI_DRAWN_MAX 400
typedef struct borne_ui_drawn {
    SDL_Rect r;     /* logical pixels: the text as drawn, or the button */
    char text[200]; /* the text, or the button's label ("" none) */
    int px;         /* the font's size in output pixels */
    int lines;      /* lines of a wrapped text (1 otherwise) */
    bool shrunk;    /* drawn smaller than its font size, to fit */
    bool button;    /* a button: pressable with (action, arg) unless disabled */
    bool disabled;
    int action, arg;
} borne_ui_drawn;
size_t borne_ui_drawn_count(const struct borne_ui *ui);
const borne_ui_drawn *borne_ui_drawn_get(const struct borne_ui *ui, size_t i);

#endif
