/* The QR decoder: zbar plus Borne's strategy for hard frames; see decoder.h and docs/decoder.md.
 *
 * DESIGN: passes run in order until one reads a code; each hands zbar (QR only, binary mode) an
 * 8-bit image prepared here:
 *   1. ROI: after a read, a normalised full-resolution crop around it (cheap while the code stays
 *      in view); dropped after a frame where it reads nothing.
 *   2. FULL: the raw frame, every other line; the line phase alternates between frames.
 *   3. HALF: a 2x2-averaged copy, normalised (tile min/max spread to the neighbouring tiles and
 *      interpolated, so dim, washed-out and glared parts reach full range; averaging smooths
 *      noise and screen moiré). The same image is searched for finder patterns (finder.c),
 *      which tell where a code lies and its polarity.
 *   4. HALF_INV: the same, inverted, for dark-mode phones, unless the finders show a code of
 *      normal polarity. When the half image shows no finders, the full-resolution frame is
 *      normalised and searched (small codes lose their finders at half resolution).
 *   5. DENSE: a normalised full-resolution crop around the finders, every line.
 *   6. WARP: a grid fitted to the code around the finders and the code redrawn flat
 *      (unwarp.c), for curled and steeply tilted codes.
 *   7. STILL (still-image mode only, borne_decoder_set_still: bornectl decode): the photo with
 *      a quiet zone and upscaled, Sauvola-binarised (also after a blur), the passes above rerun
 *      on the binarised photo and on a 2x upscale of a small one, and a small one upscaled 2x
 *      (bilinear) and thresholded at global levels. In still mode WARP also accepts sheared
 *      corner triples (a code shot at a grazing angle).
 * The full-resolution finder search, DENSE and WARP run only while the frame's expected cost
 * stays within a budget counted in FULL passes (running means), which bounds the cost tail.
 * Buffers are sized once for the largest frame seen (capped by BORNE_DECODER_MAX_SIDE). */
#define LOG_MODULE "decoder"

#include "scan/decoder.h"

#include <stdbool.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zbar.h>

#include "core/log.h"
#include "scan/finder.h"
#include "scan/unwarp.h"

#define TILE         16   /* normalisation tile side, in pixels of the scanned image */
#define MIN_RANGE    24   /* tiles with less contrast than this are left nearly flat */
#define ROI_MARGIN   0.6  /* ROI grows the last code's box by this share of its size each side */
#define ROI_MAX_AREA 0.25 /* the ROI pass scans at most this share of the frame */
/* The full-resolution finder search, DENSE and WARP run only if the frame, them included, is
 * expected to cost at most this many FULL passes (about two plain zbar scans). */
#define LAST_BUDGET    3.6
#define DENSE_MAX_AREA 0.25 /* DENSE scans at most this share of the frame */
#define WARP_MAX_AREA  0.6  /* WARP searches at most this share of the frame */
#define FULL_DENSITY   2    /* FULL scans every other line: half the cost of a plain scan */
#define WARP_TRIES     2    /* corner triples WARP fits at most per frame */

struct roi {
    int x0, y0, x1, y1; /* full-resolution box, exclusive end; empty when x1 <= x0 */
    int inverted;       /* polarity of the last read */
    int active;         /* set by a read; a frame where the ROI reads nothing clears it */
};

struct borne_decoder {
    zbar_image_scanner_t *zs;      /* QR only, binary: ROI and HALF passes */
    zbar_image_scanner_t *zs_full; /* same, with reduced line density: FULL passes */
    zbar_image_scanner_t *plain;   /* the benchmark baseline */
    uint8_t *buf;                  /* scratch image handed to zbar */
    uint8_t *half;                 /* half-resolution copy */
    uint8_t warp[QR_UNWARP_MAX_SIDE * QR_UNWARP_MAX_SIDE]; /* a code redrawn flat (WARP) */
    int *tile_lo, *tile_hi;                                /* per-tile minimum / maximum */
    size_t buf_cap, tile_cap;
    struct roi roi;
    unsigned frame_no;
    uint64_t full_ema_ns; /* running mean cost of the FULL pass: the unit of the time budget */
    uint64_t last_ema_ns; /* running mean cost of DENSE and WARP together, when they run */
    uint64_t fine_ema_ns; /* running mean cost of the full-resolution finder search */
    unsigned disabled;
    double budget;  /* in FULL passes; <= 0: no budget (borne_decoder_set_budget) */
    int still;      /* still-image mode (borne_decoder_set_still); off while the STILL passes
                       rerun the camera's passes */
    int photo;      /* still-image mode, kept through those reruns: WARP accepts sheared codes */
    unsigned reads; /* codes read since the scanners were made (see renew_scanners) */
    struct borne_decoder_stats stats;
};

/* zbar 0.23.92's image scanner keeps about 180 bytes of every QR code it reads until it is
 * destroyed (measured: heap in use grows linearly with reads, and valgrind attributes the blocks
 * to the scanner). A kiosk reads thousands of codes a day, so the scanners are made anew after
 * this many reads: memory stays flat, and making one costs microseconds. */
#define RENEW_AFTER_READS 256

/* What one zbar scan found. */
struct hit {
    int found;
    int x0, y0, x1, y1; /* bounding box in the scanned image */
};

static zbar_image_scanner_t *make_scanner(void)
{
    zbar_image_scanner_t *zs = zbar_image_scanner_create();
    if (!zs) {
        return NULL;
    }
    zbar_image_scanner_set_config(zs, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(zs, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(zs, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
    return zs;
}

static void destroy_scanners(zbar_image_scanner_t *zs[3])
{
    for (int i = 0; i < 3; i++) {
        if (zs[i]) {
            zbar_image_scanner_destroy(zs[i]);
        }
    }
}

/* Makes the three scanners with their settings; on failure none is kept. */
static bool make_scanners(zbar_image_scanner_t *zs[3])
{
    for (int i = 0; i < 3; i++) {
        zs[i] = make_scanner();
    }
    if (!zs[0] || !zs[1] || !zs[2]) {
        destroy_scanners(zs);
        zs[0] = zs[1] = zs[2] = NULL;
        return false;
    }
    zbar_image_scanner_set_config(zs[1], ZBAR_NONE, ZBAR_CFG_X_DENSITY, FULL_DENSITY);
    zbar_image_scanner_set_config(zs[1], ZBAR_NONE, ZBAR_CFG_Y_DENSITY, FULL_DENSITY);
    return true;
}

/* Replaces the scanners by fresh ones, releasing what zbar kept of earlier reads. If new ones
 * cannot be made the old ones stay: the decoder keeps working. */
static void renew_scanners(struct borne_decoder *dec)
{
    zbar_image_scanner_t *fresh[3];
    if (!make_scanners(fresh)) {
        return;
    }
    zbar_image_scanner_t *old[3] = {dec->zs, dec->zs_full, dec->plain};
    destroy_scanners(old);
    dec->zs = fresh[0];
    dec->zs_full = fresh[1];
    dec->plain = fresh[2];
    dec->reads = 0;
}

borne_err borne_decoder_new(struct borne_decoder **out)
{
    if (!out) {
        return BORNE_ERR_INVALID;
    }
    *out = NULL;
    struct borne_decoder *dec = calloc(1, sizeof(*dec));
    if (!dec) {
        return BORNE_ERR_NOMEM;
    }
    zbar_image_scanner_t *zs[3];
    if (!make_scanners(zs)) {
        LOG_ERR("zbar scanner could not be created");
        borne_decoder_free(dec);
        return BORNE_ERR_NOMEM;
    }
    dec->zs = zs[0];
    dec->zs_full = zs[1];
    dec->plain = zs[2];
    dec->budget = LAST_BUDGET;
    *out = dec;
    return BORNE_OK;
}

void borne_decoder_free(struct borne_decoder *dec)
{
    if (!dec) {
        return;
    }
    zbar_image_scanner_t *zs[3] = {dec->zs, dec->zs_full, dec->plain};
    destroy_scanners(zs);
    free(dec->buf);
    free(dec->half);
    free(dec->tile_lo);
    free(dec->tile_hi);
    free(dec);
}

void borne_decoder_reset(struct borne_decoder *dec)
{
    if (!dec) {
        return;
    }
    memset(&dec->roi, 0, sizeof(dec->roi));
    dec->frame_no = 0;
}

void borne_decoder_get_stats(const struct borne_decoder *dec, struct borne_decoder_stats *out)
{
    if (dec && out) {
        *out = dec->stats;
    }
}

void borne_decoder_set_disabled(struct borne_decoder *dec, unsigned pass_mask)
{
    if (dec) {
        dec->disabled = pass_mask;
    }
}

void borne_decoder_set_budget(struct borne_decoder *dec, double full_passes)
{
    if (dec) {
        dec->budget = full_passes;
    }
}

void borne_decoder_set_still(struct borne_decoder *dec, int on)
{
    if (dec) {
        dec->still = on != 0;
        dec->photo = on != 0;
    }
}

static int frame_ok(const borne_frame *f)
{
    if (!f || !f->luma || f->width < 21 || f->height < 21 || f->stride < f->width) {
        return 0;
    }
    if (f->width > BORNE_DECODER_MAX_SIDE || f->height > BORNE_DECODER_MAX_SIDE) {
        LOG_WARN("frame %dx%d over the %d-pixel cap", f->width, f->height, BORNE_DECODER_MAX_SIDE);
        return 0;
    }
    return 1;
}

static int ensure_buffers(struct borne_decoder *dec, int w, int h)
{
    size_t n = (size_t)w * h;
    if (n > dec->buf_cap) {
        uint8_t *b = realloc(dec->buf, n);
        if (!b) {
            return -1;
        }
        dec->buf = b;
        uint8_t *hb = realloc(dec->half, n / 4 + 1);
        if (!hb) {
            return -1;
        }
        dec->half = hb;
        dec->buf_cap = n;
    }
    size_t tiles = (size_t)(w / TILE + 2) * (h / TILE + 2);
    if (tiles > dec->tile_cap) {
        int *lo = realloc(dec->tile_lo, tiles * sizeof(int));
        if (!lo) {
            return -1;
        }
        dec->tile_lo = lo;
        int *hi = realloc(dec->tile_hi, tiles * sizeof(int));
        if (!hi) {
            return -1;
        }
        dec->tile_hi = hi;
        dec->tile_cap = tiles;
    }
    return 0;
}

/* Runs zbar on a packed w x h grey image. Copies the first QR code into text when it fits. */
static struct hit scan(struct borne_decoder *dec, zbar_image_scanner_t *zs, const uint8_t *pix,
                       int w, int h, char *text, size_t cap, size_t *len)
{
    struct hit hit = {0};
    zbar_image_t *img = zbar_image_create();
    if (!img) {
        return hit;
    }
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(img, pix, (unsigned long)w * h, NULL);
    if (zbar_scan_image(zs, img) > 0) {
        const zbar_symbol_t *sym = zbar_image_first_symbol(img);
        for (; sym; sym = zbar_symbol_next(sym)) {
            if (zbar_symbol_get_type(sym) != ZBAR_QRCODE) {
                continue;
            }
            size_t n = zbar_symbol_get_data_length(sym);
            if (n + 1 > cap) {
                LOG_WARN("QR payload of %zu bytes over the caller's cap of %zu", n, cap);
                dec->stats.too_long++;
                break;
            }
            memcpy(text, zbar_symbol_get_data(sym), n);
            text[n] = '\0';
            if (len) {
                *len = n;
            }
            hit.found = 1;
            dec->reads++;
            hit.x0 = w;
            hit.y0 = h;
            unsigned pts = zbar_symbol_get_loc_size(sym);
            for (unsigned i = 0; i < pts; i++) {
                int x = zbar_symbol_get_loc_x(sym, i), y = zbar_symbol_get_loc_y(sym, i);
                hit.x0 = x < hit.x0 ? x : hit.x0;
                hit.y0 = y < hit.y0 ? y : hit.y0;
                hit.x1 = x + 1 > hit.x1 ? x + 1 : hit.x1;
                hit.y1 = y + 1 > hit.y1 ? y + 1 : hit.y1;
            }
            break;
        }
    }
    zbar_image_destroy(img);
    return hit;
}

/* Stretches contrast locally: src (w x h, rows `stride` apart) into dst (packed). The tile
 * minimum and maximum are spread to the 8 neighbouring tiles so a code never sits on a tile edge
 * with a different stretch, then interpolated between tile centres. Output is inverted when
 * `invert` is set. */
static void normalise(struct borne_decoder *dec, const uint8_t *src, int stride, int w, int h,
                      uint8_t *dst, int invert)
{
    int tw = (w + TILE - 1) / TILE, th = (h + TILE - 1) / TILE;
    int *lo = dec->tile_lo, *hi = dec->tile_hi;
    for (int ty = 0; ty < th; ty++) {
        for (int tx = 0; tx < tw; tx++) {
            int mn = 255, mx = 0;
            int y1 = (ty + 1) * TILE < h ? (ty + 1) * TILE : h;
            int x1 = (tx + 1) * TILE < w ? (tx + 1) * TILE : w;
            for (int y = ty * TILE; y < y1; y += 2) {
                const uint8_t *row = src + (size_t)y * stride;
                for (int x = tx * TILE; x < x1; x++) {
                    mn = row[x] < mn ? row[x] : mn;
                    mx = row[x] > mx ? row[x] : mx;
                }
            }
            lo[ty * tw + tx] = mn;
            hi[ty * tw + tx] = mx;
        }
    }
    /* spread: 3x3 minimum of lo and maximum of hi (separable, in place with a row buffer) */
    for (int pass = 0; pass < 2; pass++) {
        for (int ty = 0; ty < th; ty++) {
            int prev_lo = 255, prev_hi = 0;
            for (int tx = 0; tx < tw; tx++) {
                int i = ty * tw + tx;
                int cl = lo[i], ch = hi[i];
                int nl = cl, nh = ch;
                if (tx > 0) {
                    nl = prev_lo < nl ? prev_lo : nl;
                    nh = prev_hi > nh ? prev_hi : nh;
                }
                if (tx + 1 < tw) {
                    nl = lo[i + 1] < nl ? lo[i + 1] : nl;
                    nh = hi[i + 1] > nh ? hi[i + 1] : nh;
                }
                prev_lo = cl;
                prev_hi = ch;
                lo[i] = nl;
                hi[i] = nh;
            }
        }
        /* transpose the direction: second pass works on columns */
        if (pass == 0) {
            for (int tx = 0; tx < tw; tx++) {
                int prev_lo = 255, prev_hi = 0;
                for (int ty = 0; ty < th; ty++) {
                    int i = ty * tw + tx;
                    int cl = lo[i], ch = hi[i];
                    int nl = cl, nh = ch;
                    if (ty > 0) {
                        nl = prev_lo < nl ? prev_lo : nl;
                        nh = prev_hi > nh ? prev_hi : nh;
                    }
                    if (ty + 1 < th) {
                        nl = lo[i + tw] < nl ? lo[i + tw] : nl;
                        nh = hi[i + tw] > nh ? hi[i + tw] : nh;
                    }
                    prev_lo = cl;
                    prev_hi = ch;
                    lo[i] = nl;
                    hi[i] = nh;
                }
            }
            break;
        }
    }
    /* Interpolate between tile centres in 16.16 fixed point, row by row. */
    for (int y = 0; y < h; y++) {
        int fy = (y - TILE / 2) * 65536 / TILE;
        int ty0 = fy < 0 ? 0 : fy >> 16;
        int wy = fy < 0 ? 0 : fy & 0xffff;
        int ty1 = ty0 + 1 < th ? ty0 + 1 : th - 1;
        if (ty0 >= th) {
            ty0 = ty1 = th - 1;
        }
        const uint8_t *s = src + (size_t)y * stride;
        uint8_t *d = dst + (size_t)y * w;
        for (int tx = 0; tx < tw; tx++) {
            /* lo/hi at this tile centre row, then linear in x towards the next tile */
            int a0 = tx, a1 = tx + 1 < tw ? tx + 1 : tx;
            int l0 = (lo[ty0 * tw + a0] * (65536 - wy) + lo[ty1 * tw + a0] * wy) >> 16;
            int h0 = (hi[ty0 * tw + a0] * (65536 - wy) + hi[ty1 * tw + a0] * wy) >> 16;
            int l1 = (lo[ty0 * tw + a1] * (65536 - wy) + lo[ty1 * tw + a1] * wy) >> 16;
            int h1 = (hi[ty0 * tw + a1] * (65536 - wy) + hi[ty1 * tw + a1] * wy) >> 16;
            int xs = tx * TILE + TILE / 2, xe = xs + TILE;
            if (tx == 0) {
                xs = 0;
            }
            if (xe > w || tx + 1 == tw) {
                xe = w;
            }
            for (int x = xs; x < xe; x++) {
                int t = x - (tx * TILE + TILE / 2);
                t = t < 0 ? 0 : (t > TILE ? TILE : t);
                int l = l0 + (l1 - l0) * t / TILE;
                int hh = h0 + (h1 - h0) * t / TILE;
                int range = hh - l;
                int v;
                if (range < MIN_RANGE) {
                    /* flat area: keep it flat instead of amplifying noise into edges */
                    v = 128 + (s[x] - (l + hh) / 2);
                } else {
                    v = (s[x] - l) * 255 / range;
                }
                v = v < 0 ? 0 : (v > 255 ? 255 : v);
                d[x] = (uint8_t)(invert ? 255 - v : v);
            }
        }
    }
}

/* 2x2 box average of src into dst (packed, (w/2) x (h/2)). */
static void downsample(const uint8_t *src, int stride, int w, int h, uint8_t *dst)
{
    int hw = w / 2, hh = h / 2;
    for (int y = 0; y < hh; y++) {
        const uint8_t *a = src + (size_t)(2 * y) * stride, *b = a + stride;
        uint8_t *d = dst + (size_t)y * hw;
        for (int x = 0; x < hw; x++) {
            d[x] = (uint8_t)((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) >> 2);
        }
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int enabled(const struct borne_decoder *dec, enum borne_decoder_pass p)
{
    return !(dec->disabled & (1u << p));
}

static void remember(struct borne_decoder *dec, const struct hit *hit, int scale, int ox, int oy,
                     int w, int h, int inverted)
{
    int x0 = hit->x0 * scale + ox, y0 = hit->y0 * scale + oy;
    int x1 = hit->x1 * scale + ox, y1 = hit->y1 * scale + oy;
    int mx = (int)((x1 - x0) * ROI_MARGIN) + 8, my = (int)((y1 - y0) * ROI_MARGIN) + 8;
    dec->roi.x0 = x0 - mx < 0 ? 0 : x0 - mx;
    dec->roi.y0 = y0 - my < 0 ? 0 : y0 - my;
    dec->roi.x1 = x1 + mx > w ? w : x1 + mx;
    dec->roi.y1 = y1 + my > h ? h : y1 + my;
    dec->roi.inverted = inverted;
    dec->roi.active = 1;
}

/* Shrinks a box around its centre, 10 % a side at a time, to at most max pixels. */
static void shrink_to(int *x0, int *y0, int *x1, int *y1, long max)
{
    while ((long)(*x1 - *x0) * (*y1 - *y0) > max) {
        int dx = (*x1 - *x0) / 20 + 1, dy = (*y1 - *y0) / 20 + 1;
        *x0 += dx;
        *x1 -= dx;
        *y0 += dy;
        *y1 -= dy;
    }
}

/* ---- still images (borne_decoder_set_still): passes for photographs ----
 *
 * A photograph has no next frame and no time budget, and it may hold what the camera never sees:
 * a code without its quiet zone, at one pixel a module, lit unevenly, on a screen. Each variant
 * below is drawn into a padded canvas (a light border of STILL_PAD_MODULES-ish pixels: zbar
 * needs a quiet zone), at a scale that gives small images a few pixels a module, and scanned in
 * both polarities. */
#define STILL_MAX_PIXELS  (12L * 1024 * 1024) /* canvas cap: larger images are not upscaled */
#define STILL_SMOOTH_SIDE 400 /* still_smooth: photos up to this side (3 px modules) */

/* Sauvola threshold of src (w x h packed) into dst (0 or 255): a pixel is dark when below
 * mean * (1 + k * (sd / 128 - 1)) over a (2r+1)^2 window, from integral images of the sum and
 * the sum of squares. Returns -1 when out of memory. */
static int sauvola(const uint8_t *src, int w, int h, int r, double k, uint8_t *dst)
{
    size_t iw = (size_t)w + 1;
    uint64_t *s1 = calloc(iw * (size_t)(h + 1), sizeof(uint64_t));
    uint64_t *s2 = calloc(iw * (size_t)(h + 1), sizeof(uint64_t));
    if (!s1 || !s2) {
        free(s1);
        free(s2);
        return -1;
    }
    for (int y = 0; y < h; y++) {
        uint64_t a = 0, b = 0;
        for (int x = 0; x < w; x++) {
            uint64_t v = src[(size_t)y * w + x];
            a += v;
            b += v * v;
            s1[(size_t)(y + 1) * iw + x + 1] = s1[(size_t)y * iw + x + 1] + a;
            s2[(size_t)(y + 1) * iw + x + 1] = s2[(size_t)y * iw + x + 1] + b;
        }
    }
    for (int y = 0; y < h; y++) {
        int y0 = y - r < 0 ? 0 : y - r, y1 = y + r + 1 > h ? h : y + r + 1;
        for (int x = 0; x < w; x++) {
            int x0 = x - r < 0 ? 0 : x - r, x1 = x + r + 1 > w ? w : x + r + 1;
            double n = (double)(x1 - x0) * (y1 - y0);
            double a = (double)(s1[(size_t)y1 * iw + x1] - s1[(size_t)y0 * iw + x1] -
                                s1[(size_t)y1 * iw + x0] + s1[(size_t)y0 * iw + x0]);
            double b = (double)(s2[(size_t)y1 * iw + x1] - s2[(size_t)y0 * iw + x1] -
                                s2[(size_t)y1 * iw + x0] + s2[(size_t)y0 * iw + x0]);
            double m = a / n, var = b / n - m * m;
            double sd = var > 0 ? sqrt(var) : 0;
            double t = m * (1 + k * (sd / 128 - 1));
            dst[(size_t)y * w + x] = src[(size_t)y * w + x] < t ? 0 : 255;
        }
    }
    free(s1);
    free(s2);
    return 0;
}

/* 3x3 box blur of src into dst (w x h packed; the border copied). */
static void blur3(const uint8_t *src, int w, int h, uint8_t *dst)
{
    memcpy(dst, src, (size_t)w * h);
    for (int y = 1; y < h - 1; y++) {
        for (int x = 1; x < w - 1; x++) {
            const uint8_t *p = src + (size_t)y * w + x;
            int s =
                p[-w - 1] + p[-w] + p[-w + 1] + p[-1] + p[0] + p[1] + p[w - 1] + p[w] + p[w + 1];
            dst[(size_t)y * w + x] = (uint8_t)((s + 4) / 9);
        }
    }
}

/* Draws src (w x h packed) scaled by `scale` (nearest pixel) into canvas with a light border of
 * `pad` pixels, inverted if asked; scans it. */
static int still_scan(struct borne_decoder *dec, const uint8_t *src, int w, int h, int scale,
                      int pad, int inv, uint8_t *canvas, char *text, size_t cap, size_t *len)
{
    int cw = w * scale + 2 * pad, ch = h * scale + 2 * pad;
    memset(canvas, 255, (size_t)cw * ch);
    for (int y = 0; y < h * scale; y++) {
        const uint8_t *s = src + (size_t)(y / scale) * w;
        uint8_t *d = canvas + (size_t)(y + pad) * cw + pad;
        for (int x = 0; x < w * scale; x++) {
            uint8_t v = s[x / scale];
            d[x] = inv ? (uint8_t)(255 - v) : v;
        }
    }
    dec->stats.runs[BORNE_PASS_STILL]++;
    struct hit hit = scan(dec, dec->zs, canvas, cw, ch, text, cap, len);
    if (hit.found) {
        dec->stats.hits[BORNE_PASS_STILL]++;
    }
    return hit.found;
}

/* Bilinear upscale of src (w x h packed) by `scale` into dst (rows `stride` apart). */
static void upscale_bilinear(const uint8_t *src, int w, int h, int scale, uint8_t *dst, int stride)
{
    for (int y = 0; y < h * scale; y++) {
        double fy = (y + 0.5) / scale - 0.5;
        int y0 = fy < 0 ? 0 : (int)fy, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
        double ay = fy - y0 < 0 ? 0 : fy - y0;
        for (int x = 0; x < w * scale; x++) {
            double fx = (x + 0.5) / scale - 0.5;
            int x0 = fx < 0 ? 0 : (int)fx, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
            double ax = fx - x0 < 0 ? 0 : fx - x0;
            double v =
                (src[(size_t)y0 * w + x0] * (1 - ax) + src[(size_t)y0 * w + x1] * ax) * (1 - ay) +
                (src[(size_t)y1 * w + x0] * (1 - ax) + src[(size_t)y1 * w + x1] * ax) * ay;
            dst[(size_t)y * stride + x] = (uint8_t)(v + 0.5);
        }
    }
}

/* Runs the camera's passes (still mode off, no budget, no ROI) on src scaled by `scale`
 * (bilinear) with a light border (finders on the image's edge need one); the pass statistics
 * count in STILL. */
static int still_rerun(struct borne_decoder *dec, const uint8_t *src, int w, int h, int scale,
                       char *text, size_t cap, size_t *len)
{
    int pad = ((w > h ? w : h) * scale) / 10 + 8;
    int sw = w * scale + 2 * pad, sh = h * scale + 2 * pad;
    if (sw > BORNE_DECODER_MAX_SIDE || sh > BORNE_DECODER_MAX_SIDE) {
        return 0;
    }
    uint8_t *canvas = malloc((size_t)sw * sh);
    if (!canvas) {
        return 0;
    }
    memset(canvas, 255, (size_t)sw * sh);
    upscale_bilinear(src, w, h, scale, canvas + (size_t)pad * sw + pad, sw);
    borne_frame f = {.luma = canvas, .width = sw, .height = sh, .stride = sw};
    double budget = dec->budget;
    dec->still = 0;
    dec->budget = 0;
    dec->roi.active = 0;
    dec->stats.runs[BORNE_PASS_STILL]++;
    int found = borne_decoder_decode(dec, &f, text, cap, len);
    if (found) {
        dec->stats.found--; /* counted once, by the outer call */
        dec->stats.hits[BORNE_PASS_STILL]++;
    }
    dec->stats.frames--;
    dec->still = 1;
    dec->budget = budget;
    dec->roi.active = 0;
    free(canvas);
    return found;
}

/* A small photo upscaled 2x (bilinear), thresholded at 3/8 of the way from its darkest to its
 * lightest grey, with a quiet zone: a pixel of the upscale is dark only where its original
 * neighbourhood is mostly dark (at least 10/16 for a black and white photo), so the one-pixel
 * spurs and ragged corners of a small print scanned to black and white (about 3 pixels a module,
 * the ink spreading the dark modules) are trimmed. Then the same for a light-on-dark code
 * (threshold at 5/8, inverted). */
static int still_smooth(struct borne_decoder *dec, const uint8_t *grey, int w, int h, char *text,
                        size_t cap, size_t *len)
{
    int uw = 2 * w, uh = 2 * h, side = uw > uh ? uw : uh, pad = side / 10 + 8;
    uint8_t *up = malloc((size_t)uw * uh), *bin = malloc((size_t)uw * uh);
    uint8_t *canvas = malloc((size_t)(uw + 2 * pad) * (uh + 2 * pad));
    int found = 0;
    if (up && bin && canvas) {
        upscale_bilinear(grey, w, h, 2, up, uw);
        int lo = 255, hi = 0;
        for (size_t i = 0; i < (size_t)uw * uh; i++) {
            lo = up[i] < lo ? up[i] : lo;
            hi = up[i] > hi ? up[i] : hi;
        }
        for (int inv = 0; inv < 2 && !found && hi - lo >= MIN_RANGE; inv++) {
            int t = lo + (hi - lo) * (inv ? 5 : 3) / 8;
            for (size_t i = 0; i < (size_t)uw * uh; i++) {
                bin[i] = up[i] < t ? 0 : 255;
            }
            found = still_scan(dec, bin, uw, uh, 1, pad, inv, canvas, text, cap, len);
        }
    }
    free(up);
    free(bin);
    free(canvas);
    return found;
}

/* The still-image passes, after the camera's passes read nothing. */
static int still_passes(struct borne_decoder *dec, const borne_frame *frame, char *text, size_t cap,
                        size_t *len)
{
    uint64_t t0 = now_ns();
    int w = frame->width, h = frame->height, side = w > h ? w : h;
    int scale = side <= 300 ? 3 : (side <= 800 ? 2 : 1);
    int pad = (side * scale) / 10 + 8;
    while (scale > 1 && (long)(w * scale + 2 * pad) * (h * scale + 2 * pad) > STILL_MAX_PIXELS) {
        scale--;
        pad = (side * scale) / 10 + 8;
    }
    size_t n = (size_t)w * h;
    uint8_t *grey = malloc(n), *work = malloc(n), *bin = malloc(n);
    uint8_t *canvas = malloc((size_t)(w * scale + 2 * pad) * (h * scale + 2 * pad));
    int found = 0;
    if (!grey || !work || !bin || !canvas) {
        goto out;
    }
    for (int y = 0; y < h; y++) {
        memcpy(grey + (size_t)y * w, frame->luma + (size_t)y * frame->stride, (size_t)w);
    }
    /* 1. as it is, with a quiet zone and a few pixels a module; both polarities */
    for (int inv = 0; inv < 2 && !found; inv++) {
        found = still_scan(dec, grey, w, h, scale, pad, inv, canvas, text, cap, len);
    }
    /* 2. adaptive binarisation (uneven light, glare, shadows), then the same after a light blur
     *    (screen moiré, sensor noise), at two window sizes */
    int radii[2] = {side / 16 + 4, side / 6 + 4};
    for (int b = 0; b < 2 && !found; b++) {
        const uint8_t *src = grey;
        if (b) {
            blur3(grey, w, h, work);
            src = work;
        }
        for (int ri = 0; ri < 2 && !found; ri++) {
            if (sauvola(src, w, h, radii[ri], 0.2, bin)) {
                goto out;
            }
            for (int inv = 0; inv < 2 && !found; inv++) {
                found = still_scan(dec, bin, w, h, scale, pad, inv, canvas, text, cap, len);
            }
        }
    }
    /* 3. the camera's passes (finders, DENSE, WARP) again on the binarised image, and on a
     *    small image upscaled 2x (bilinear): the finder search and the grid fit then have
     *    enough pixels a module */
    if (!found) {
        found = still_rerun(dec, bin, w, h, 1, text, cap, len);
    }
    if (!found && side <= 600) {
        found = still_rerun(dec, grey, w, h, 2, text, cap, len);
    }
    if (!found && side <= STILL_SMOOTH_SIDE) {
        found = still_smooth(dec, grey, w, h, text, cap, len);
    }
out:
    free(grey);
    free(work);
    free(bin);
    free(canvas);
    dec->stats.ns[BORNE_PASS_STILL] += now_ns() - t0;
    return found;
}

/* WARP: the normalised crop in dec->buf (w x h, code dark on light, at ox, oy in the frame) is
 * searched for finder patterns at full resolution; grids fitted on them redraw the code flat
 * for zbar (unwarp.h). */
static int warp_pass(struct borne_decoder *dec, int w, int h, int ox, int oy, int inv,
                     const borne_frame *frame, char *text, size_t cap, size_t *len)
{
    uint64_t t0 = now_ns();
    dec->stats.runs[BORNE_PASS_WARP]++;
    struct qr_finder f[QR_MAX_FINDERS];
    int nf = qr_find_finders(dec->buf, w, h, f, QR_MAX_FINDERS);
    struct qr_corners corners[WARP_TRIES];
    int nc = qr_unwarp_corners(dec->buf, w, h, f, nf, dec->photo, corners, WARP_TRIES);
    int found = 0;
    /* the next triple only when this one fits no code: a fitted grid that zbar cannot decode
     * means the code is too damaged, not that the corners were wrong */
    int fitted = 0;
    for (int i = 0; i < nc && !found && !fitted; i++) {
        struct qr_grid g;
        int fr = qr_unwarp_fit(dec->buf, w, h, &corners[i], &g);
        if (fr) {
            continue;
        }
        fitted = 1;
        int side = qr_unwarp_render(dec->buf, w, h, &g, dec->warp);
        struct hit hit = scan(dec, dec->zs, dec->warp, side, side, text, cap, len);
        if (hit.found) {
            /* the ROI: the code's corners in the frame */
            hit.x0 = w;
            hit.y0 = h;
            hit.x1 = hit.y1 = 0;
            for (int c = 0; c < 4; c++) {
                double x, y;
                qr_grid_map(&g, (c & 1) ? g.n : 0, (c & 2) ? g.n : 0, &x, &y);
                int xi = x < 0 ? 0 : (x > w ? w : (int)x), yi = y < 0 ? 0 : (y > h ? h : (int)y);
                hit.x0 = xi < hit.x0 ? xi : hit.x0;
                hit.y0 = yi < hit.y0 ? yi : hit.y0;
                hit.x1 = xi + 1 > hit.x1 ? xi + 1 : hit.x1;
                hit.y1 = yi + 1 > hit.y1 ? yi + 1 : hit.y1;
            }
            dec->stats.hits[BORNE_PASS_WARP]++;
            remember(dec, &hit, 1, ox, oy, frame->width, frame->height, inv);
            found = 1;
        }
    }
    dec->stats.ns[BORNE_PASS_WARP] += now_ns() - t0;
    return found;
}

/* One pass: normalise src (w x h, rows `stride` apart) into the scratch buffer and scan it.
 * `scale`, `ox`, `oy` map the scanned image back to the frame for the ROI. */
static int run_pass(struct borne_decoder *dec, zbar_image_scanner_t *zs, enum borne_decoder_pass p,
                    const uint8_t *src, int stride, int w, int h, int scale, int ox, int oy,
                    int inv, const borne_frame *frame, char *text, size_t cap, size_t *len)
{
    uint64_t t0 = now_ns();
    normalise(dec, src, stride, w, h, dec->buf, inv);
    struct hit hit = scan(dec, zs, dec->buf, w, h, text, cap, len);
    dec->stats.ns[p] += now_ns() - t0;
    if (hit.found) {
        dec->stats.hits[p]++;
        remember(dec, &hit, scale, ox, oy, frame->width, frame->height, inv);
    }
    return hit.found;
}

/* A still image over BORNE_DECODER_MAX_SIDE (a photo of 50 megapixels) is read at a reduced
 * size: k x k box averages, k the smallest factor that brings it under the cap. */
static int decode_reduced(struct borne_decoder *dec, const borne_frame *frame, char *text,
                          size_t cap, size_t *len)
{
    int k = 2;
    while (frame->width / k > BORNE_DECODER_MAX_SIDE ||
           frame->height / k > BORNE_DECODER_MAX_SIDE) {
        k++;
    }
    int w = frame->width / k, h = frame->height / k;
    uint8_t *img = malloc((size_t)w * h);
    if (!img) {
        return 0;
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            unsigned sum = 0;
            for (int j = 0; j < k; j++) {
                const uint8_t *row = frame->luma + (size_t)(y * k + j) * frame->stride + x * k;
                for (int i = 0; i < k; i++) {
                    sum += row[i];
                }
            }
            img[(size_t)y * w + x] = (uint8_t)(sum / (unsigned)(k * k));
        }
    }
    borne_frame f = {.luma = img, .width = w, .height = h, .stride = w};
    int found = borne_decoder_decode(dec, &f, text, cap, len);
    free(img);
    return found;
}

int borne_decoder_decode(struct borne_decoder *dec, const borne_frame *frame, char *text,
                         size_t cap, size_t *len)
{
    if (dec && dec->still && text && cap && frame && frame->luma && frame->stride >= frame->width &&
        (frame->width > BORNE_DECODER_MAX_SIDE || frame->height > BORNE_DECODER_MAX_SIDE) &&
        frame->width <= 4 * BORNE_DECODER_MAX_SIDE && frame->height <= 4 * BORNE_DECODER_MAX_SIDE) {
        return decode_reduced(dec, frame, text, cap, len);
    }
    if (!dec || !text || cap == 0 || !frame_ok(frame)) {
        return 0;
    }
    int w = frame->width, h = frame->height;
    if (ensure_buffers(dec, w, h)) {
        LOG_ERR("out of memory for a %dx%d frame", w, h);
        return 0;
    }
    if (dec->reads >= RENEW_AFTER_READS) {
        renew_scanners(dec);
    }
    dec->stats.frames++;
    unsigned fno = dec->frame_no++;
    uint64_t frame_t0 = now_ns();

    /* 1. region of interest around the last finding, full resolution, last polarity */
    if (dec->roi.active && enabled(dec, BORNE_PASS_ROI)) {
        struct roi r = dec->roi;
        r.x1 = r.x1 > w ? w : r.x1;
        r.y1 = r.y1 > h ? h : r.y1;
        shrink_to(&r.x0, &r.y0, &r.x1, &r.y1, (long)(ROI_MAX_AREA * w * h));
        int rw = r.x1 - r.x0, rh = r.y1 - r.y0;
        if (rw >= 21 && rh >= 21) {
            dec->stats.runs[BORNE_PASS_ROI]++;
            if (run_pass(dec, dec->zs, BORNE_PASS_ROI,
                         frame->luma + (size_t)r.y0 * frame->stride + r.x0, frame->stride, rw, rh,
                         1, r.x0, r.y0, r.inverted, frame, text, cap, len)) {
                goto found;
            }
        }
        dec->roi.active = 0; /* the code moved or left: the next read sets a new one */
    }

    /* 2. full resolution at half line density, raw: small, blurred and clean codes at half a
     *    plain scan's cost. Successive frames scan the other half of the lines (the image is
     *    shifted by one row and column), so two frames together cover every line. */
    if (enabled(dec, BORNE_PASS_FULL)) {
        int ph = dec->still ? 0 : (int)(fno & 1);
        dec->stats.runs[BORNE_PASS_FULL]++;
        uint64_t t0 = now_ns();
        for (int y = 0; y < h - ph; y++) {
            memcpy(dec->buf + (size_t)y * (w - ph),
                   frame->luma + (size_t)(y + ph) * frame->stride + ph, (size_t)(w - ph));
        }
        /* a still image has no next frame: every line at once */
        struct hit hit = scan(dec, dec->still ? dec->zs : dec->zs_full, dec->buf, w - ph, h - ph,
                              text, cap, len);
        uint64_t dt = now_ns() - t0;
        dec->stats.ns[BORNE_PASS_FULL] += dt;
        dec->full_ema_ns = dec->full_ema_ns ? (dec->full_ema_ns * 7 + dt) / 8 : dt;
        if (hit.found) {
            dec->stats.hits[BORNE_PASS_FULL]++;
            remember(dec, &hit, 1, ph, ph, w, h, 0);
            goto found;
        }
    }

    /* 3. half resolution, normalised (HALF); the same image searched for finder patterns,
     *    which tell where a code lies and its polarity; then the inverted image (HALF_INV, for
     *    dark-mode phones) unless the finders show a code of normal polarity. */
    int hw = w / 2, hh = h / 2;
    uint64_t t0 = now_ns();
    downsample(frame->luma, frame->stride, w, h, dec->half);
    normalise(dec, dec->half, hw, hw, hh, dec->buf, 0);
    dec->stats.ns[BORNE_PASS_HALF] += now_ns() - t0;
    if (enabled(dec, BORNE_PASS_HALF)) {
        dec->stats.runs[BORNE_PASS_HALF]++;
        t0 = now_ns();
        struct hit hit = scan(dec, dec->zs, dec->buf, hw, hh, text, cap, len);
        dec->stats.ns[BORNE_PASS_HALF] += now_ns() - t0;
        if (hit.found) {
            dec->stats.hits[BORNE_PASS_HALF]++;
            remember(dec, &hit, 2, 0, 0, w, h, 0);
            goto found;
        }
    }
    int last_resort = enabled(dec, BORNE_PASS_DENSE) || enabled(dec, BORNE_PASS_WARP);
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0, dark = 1, box = 0;
    if (last_resort) {
        t0 = now_ns();
        struct qr_finder f[QR_MAX_FINDERS];
        int nf = qr_find_finders(dec->buf, hw, hh, f, QR_MAX_FINDERS);
        box = qr_finder_box(f, nf, hw, hh, &x0, &y0, &x1, &y1, &dark);
        dec->stats.ns[BORNE_PASS_DENSE] += now_ns() - t0;
    }
    if (enabled(dec, BORNE_PASS_HALF_INV) && !(box && dark)) {
        dec->stats.runs[BORNE_PASS_HALF_INV]++;
        if (run_pass(dec, dec->zs, BORNE_PASS_HALF_INV, dec->half, hw, hw, hh, 2, 0, 0, 1, frame,
                     text, cap, len)) {
            goto found;
        }
    }

    /* Finder boxes at full resolution from here on. When the half image shows none, small codes
     * (2-3 pixels a module: their finders vanish at half resolution) are looked for in the whole
     * frame at full resolution, normalised, if that and the last resort fit the budget. */
    uint64_t budget = (uint64_t)(dec->budget * (double)dec->full_ema_ns);
    int no_budget = dec->budget <= 0 || dec->full_ema_ns == 0;
    if (box) {
        x0 *= 2;
        y0 *= 2;
        x1 = 2 * x1 > w ? w : 2 * x1;
        y1 = 2 * y1 > h ? h : 2 * y1;
    } else if (last_resort &&
               (no_budget || now_ns() - frame_t0 + dec->fine_ema_ns + dec->last_ema_ns <= budget)) {
        t0 = now_ns();
        normalise(dec, frame->luma, frame->stride, w, h, dec->buf, 0);
        struct qr_finder f[QR_MAX_FINDERS];
        int nf = qr_find_finders(dec->buf, w, h, f, QR_MAX_FINDERS);
        box = qr_finder_box(f, nf, w, h, &x0, &y0, &x1, &y1, &dark);
        uint64_t dt = now_ns() - t0;
        dec->stats.ns[BORNE_PASS_DENSE] += dt;
        dec->fine_ema_ns = dec->fine_ema_ns ? (dec->fine_ema_ns * 7 + dt) / 8 : dt;
    } else if (last_resort) {
        dec->fine_ema_ns -= dec->fine_ema_ns / 8; /* skipped: let the estimate fade */
    }

    /* 4. last resort, where the finders are: a crop at full resolution, normalised in the
     *    code's polarity, scanned every line (DENSE: small, noisy, low-contrast and blurred
     *    codes), then a grid fitted to it and the code redrawn flat (WARP: curled and steeply
     *    tilted codes). The crop is at most DENSE_MAX_AREA of the frame; both run only when
     *    their expected cost still fits the frame's budget (LAST_BUDGET FULL passes). */
    if (box && (no_budget || now_ns() - frame_t0 + dec->last_ema_ns <= budget)) {
        uint64_t t_last = now_ns();
        int code_inv = !dark, got = 0;
        /* DENSE: the box shrunk around its centre to the area bound */
        int dx0 = x0, dy0 = y0, dx1 = x1, dy1 = y1;
        shrink_to(&dx0, &dy0, &dx1, &dy1, (long)(DENSE_MAX_AREA * w * h));
        if (enabled(dec, BORNE_PASS_DENSE) && dx1 - dx0 >= 21 && dy1 - dy0 >= 21) {
            dec->stats.runs[BORNE_PASS_DENSE]++;
            t0 = now_ns();
            normalise(dec, frame->luma + (size_t)dy0 * frame->stride + dx0, frame->stride,
                      dx1 - dx0, dy1 - dy0, dec->buf, code_inv);
            struct hit hit = scan(dec, dec->zs, dec->buf, dx1 - dx0, dy1 - dy0, text, cap, len);
            dec->stats.ns[BORNE_PASS_DENSE] += now_ns() - t0;
            if (hit.found) {
                dec->stats.hits[BORNE_PASS_DENSE]++;
                remember(dec, &hit, 1, dx0, dy0, w, h, code_inv);
                got = 1;
            }
        }
        /* WARP: the box grown by a quarter each side, since a steep tilt or a curl takes the
         * code's far corner beyond the finders' box (bounded too) */
        if (!got && enabled(dec, BORNE_PASS_WARP)) {
            int gx = (x1 - x0) / 4, gy = (y1 - y0) / 4;
            int wx0 = x0 - gx < 0 ? 0 : x0 - gx, wy0 = y0 - gy < 0 ? 0 : y0 - gy;
            int wx1 = x1 + gx > w ? w : x1 + gx, wy1 = y1 + gy > h ? h : y1 + gy;
            shrink_to(&wx0, &wy0, &wx1, &wy1, (long)(WARP_MAX_AREA * w * h));
            if (wx1 - wx0 >= 21 && wy1 - wy0 >= 21) {
                if (wx0 != dx0 || wy0 != dy0 || wx1 != dx1 || wy1 != dy1 ||
                    !enabled(dec, BORNE_PASS_DENSE)) {
                    t0 = now_ns();
                    normalise(dec, frame->luma + (size_t)wy0 * frame->stride + wx0, frame->stride,
                              wx1 - wx0, wy1 - wy0, dec->buf, code_inv);
                    dec->stats.ns[BORNE_PASS_WARP] += now_ns() - t0;
                }
                got =
                    warp_pass(dec, wx1 - wx0, wy1 - wy0, wx0, wy0, code_inv, frame, text, cap, len);
            }
        }
        uint64_t dt = now_ns() - t_last;
        dec->last_ema_ns = dec->last_ema_ns ? (dec->last_ema_ns * 7 + dt) / 8 : dt;
        if (got) {
            goto found;
        }
    } else if (box) {
        /* skipped for the budget: let the estimate fade so that a few costly runs do not keep
         * the pass off for good */
        dec->last_ema_ns -= dec->last_ema_ns / 8;
    }
    if (dec->still && enabled(dec, BORNE_PASS_STILL) && still_passes(dec, frame, text, cap, len)) {
        goto found;
    }
    return 0;

found:
    dec->stats.found++;
    return 1;
}

int borne_decoder_plain(struct borne_decoder *dec, const borne_frame *frame, char *text, size_t cap,
                        size_t *len)
{
    if (!dec || !text || cap == 0 || !frame_ok(frame)) {
        return 0;
    }
    if (dec->reads >= RENEW_AFTER_READS) {
        renew_scanners(dec);
    }
    const uint8_t *pix = frame->luma;
    if (frame->stride != frame->width) {
        if (ensure_buffers(dec, frame->width, frame->height)) {
            return 0;
        }
        for (int y = 0; y < frame->height; y++) {
            memcpy(dec->buf + (size_t)y * frame->width, frame->luma + (size_t)y * frame->stride,
                   (size_t)frame->width);
        }
        pix = dec->buf;
    }
    struct hit hit = scan(dec, dec->plain, pix, frame->width, frame->height, text, cap, len);
    return hit.found;
}
