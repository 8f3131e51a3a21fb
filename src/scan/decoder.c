/* The QR decoder: zbar plus Borne's strategy for hard frames; see decoder.h and docs/decoder.md.
 *
 * DESIGN: every pass hands zbar (QR only, binary mode) an 8-bit image prepared by this file:
 *   - normalisation stretches contrast locally: min and max are taken over tiles, spread to the
 *     neighbouring tiles and interpolated, so dim, washed-out and glared parts all reach full
 * range;
 *   - HALF runs on a 2x2-averaged copy (a quarter of the pixels; averaging also smooths noise and
 *     screen moiré), normal polarity then inverted for dark-mode phones;
 *   - FULL and FULL_INV run at full resolution for small codes; they cost about one plain scan, so
 *     they take turns with each other over successive frames instead of both running every frame;
 *   - ROI scans a full-resolution crop around the last finding first; when it reads the code,
 *     the frame costs a fraction of a full scan;
 *   - DENSE, the last resort, scans every line of a full-resolution normalised crop around the
 *     finder patterns (1:1:3:1:1 runs) seen in the half-resolution image, bounded in area.
 * Buffers are sized once for the largest frame seen (capped by BORNE_DECODER_MAX_SIDE). */
#define LOG_MODULE "decoder"

#include "scan/decoder.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zbar.h>

#include "core/log.h"

#define TILE           16   /* normalisation tile side, in pixels of the scanned image */
#define MIN_RANGE      24   /* tiles with less contrast than this are left nearly flat */
#define ROI_MARGIN     0.6  /* ROI grows the last code's box by this share of its size each side */
#define ROI_TTL        8    /* frames the ROI survives without a read */
#define DENSE_GATE     3    /* DENSE runs only if the frame so far cost <= this many FULL passes */
#define DENSE_MAX_AREA 0.25 /* DENSE scans at most this share of the frame */
#define FULL_DENSITY   2    /* FULL scans every other line: half the cost of a plain scan */

struct roi {
    int x0, y0, x1, y1; /* full-resolution box, exclusive end; empty when x1 <= x0 */
    int inverted;       /* polarity of the last read */
    int ttl;
};

struct borne_decoder {
    zbar_image_scanner_t *zs;      /* QR only, binary: ROI and HALF passes */
    zbar_image_scanner_t *zs_full; /* same, with reduced line density: FULL passes */
    zbar_image_scanner_t *plain;   /* the benchmark baseline */
    uint8_t *buf;                  /* scratch image handed to zbar */
    uint8_t *half;                 /* half-resolution copy */
    int *tile_lo, *tile_hi;        /* per-tile minimum / maximum */
    size_t buf_cap, tile_cap;
    struct roi roi;
    unsigned frame_no;
    uint64_t full_ema_ns; /* running mean cost of the FULL pass: the unit of the time budget */
    unsigned disabled;
    int dense;      /* DENSE pass opted in (borne_decoder_set_dense) */
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
    dec->dense = 1;
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

void borne_decoder_set_dense(struct borne_decoder *dec, int on)
{
    if (dec) {
        dec->dense = on != 0;
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
    dec->roi.ttl = ROI_TTL;
}

/* ---- Finder-like structure, to crop the DENSE pass ----
 * QR finder patterns are runs of 1:1:3:1:1 modules across their centre in every direction. The
 * normalised half image is searched row by row; a row pattern confirmed by a column pattern
 * through its centre is a candidate, and candidates close together merge into one finder. */
#define MAX_FINDERS 128
#define STRONG_DARK 96 /* a dark run must reach this low, a light one 255 minus it */

struct finder {
    int sx, sy, st; /* sums of centre x, y and pattern width (7 modules) */
    int n;          /* confirmations merged into it */
    int dark;       /* centre dark in the image searched */
};

/* 1:1:3:1:1 with some tolerance (blur, perspective, 1-pixel modules): side runs within 0.4-1.6
 * modules, the centre 2-4.5 modules and at least as long as either inner run. */
static int finder_ratio(const int r[5])
{
    int total = r[0] + r[1] + r[2] + r[3] + r[4];
    if (total < 7) {
        return 0;
    }
    for (int i = 0; i < 5; i++) {
        int u = r[i] * 70; /* in tenths of a module (a module is total / 7) */
        if (i == 2 ? (u < 20 * total || u > 45 * total) : (u < 4 * total || u > 16 * total)) {
            return 0;
        }
    }
    return r[2] >= r[1] && r[2] >= r[3];
}

/* Column x through row y, whose pixel has colour c (1 = light): returns the centre row of a
 * 1:1:3:1:1 pattern there (and its height in *total), or -1. Runs longer than max stop it. */
static int finder_cross(const uint8_t *img, int w, int h, int x, int y, int c, int max, int *total)
{
    int r[5] = {0}, ext[5] = {255, 0, 255, 0, 255}; /* darkest / lightest pixel of each run */
    if (c) {
        for (int i = 0; i < 5; i++) {
            ext[i] = 255 - ext[i];
        }
    }
    int yy = y;
    for (int i = 2; i >= 0; i--) {
        int want = i == 1 ? !c : c;
        for (; yy >= 0 && r[i] <= max; yy--) {
            int v = img[(size_t)yy * w + x];
            if ((v >= 128) != want) {
                break;
            }
            r[i]++;
            ext[i] = want ? (v > ext[i] ? v : ext[i]) : (v < ext[i] ? v : ext[i]);
        }
    }
    int top = yy + 1 + r[0] + r[1];
    yy = y + 1;
    for (int i = 2; i < 5; i++) {
        int want = i == 3 ? !c : c;
        for (; yy < h && r[i] <= max; yy++) {
            int v = img[(size_t)yy * w + x];
            if ((v >= 128) != want) {
                break;
            }
            r[i]++;
            ext[i] = want ? (v > ext[i] ? v : ext[i]) : (v < ext[i] ? v : ext[i]);
        }
    }
    for (int i = 0; i < 5; i++) {
        int want = i == 1 || i == 3 ? !c : c;
        if (want ? ext[i] < 255 - STRONG_DARK : ext[i] > STRONG_DARK) {
            return -1;
        }
    }
    if (!finder_ratio(r)) {
        return -1;
    }
    *total = r[0] + r[1] + r[2] + r[3] + r[4];
    return top + r[2] / 2;
}

/* Collects finders in img (w x h, packed, normalised: threshold 128). Returns their number. */
static int find_finders(const uint8_t *img, int w, int h, struct finder *f)
{
    int nf = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = img + (size_t)y * w;
        int r[5] = {0}, end[5] = {0}, strong[5] = {0}, nr = 0;
        int c = row[0] >= 128, run = 0, ext = row[0];
        for (int x = 0; x <= w; x++) {
            int cur = x < w ? row[x] >= 128 : !c;
            if (cur == c) {
                run++;
                ext = c ? (row[x] > ext ? row[x] : ext) : (row[x] < ext ? row[x] : ext);
                continue;
            }
            /* a run of colour c ended at x */
            memmove(r, r + 1, 4 * sizeof(int));
            memmove(end, end + 1, 4 * sizeof(int));
            memmove(strong, strong + 1, 4 * sizeof(int));
            r[4] = run;
            end[4] = x;
            strong[4] = c ? ext >= 255 - STRONG_DARK : ext <= STRONG_DARK;
            nr++;
            /* runs 0, 2, 4 share the colour of the run just ended */
            if (nr >= 5 && strong[0] && strong[1] && strong[2] && strong[3] && strong[4] &&
                finder_ratio(r)) {
                int total = r[0] + r[1] + r[2] + r[3] + r[4];
                int cx = end[2] - (r[2] + 1) / 2;
                int vt = 0;
                int cy = finder_cross(img, w, h, cx, y, c, total, &vt);
                if (cy >= 0 && vt * 2 >= total && vt <= total * 2) {
                    int i = 0;
                    for (; i < nf; i++) {
                        int fx = f[i].sx / f[i].n, fy = f[i].sy / f[i].n, ft = f[i].st / f[i].n;
                        if (f[i].dark == !c && abs(fx - cx) * 7 <= 2 * ft &&
                            abs(fy - cy) * 7 <= 2 * ft) {
                            break;
                        }
                    }
                    if (i == nf && nf < MAX_FINDERS) {
                        memset(&f[nf], 0, sizeof(f[nf]));
                        f[nf].dark = !c;
                        nf++;
                    }
                    if (i < nf) {
                        f[i].sx += cx;
                        f[i].sy += cy;
                        f[i].st += (total + vt) / 2;
                        f[i].n++;
                    }
                }
            }
            c = cur;
            run = 1;
            ext = x < w ? row[x] : 0;
        }
    }
    return nf;
}

/* Picks the likeliest code among the finders (the one with most confirmations from itself and
 * the finders that could share a code with it: same polarity, similar module size, 10 to 60
 * modules apart) and returns its box in img coordinates, grown to hold the whole code. Returns
 * 0 when nothing looks like a code. *dark is 1 when the code's finder centres are dark. */
static int finder_box(const struct finder *f, int nf, int w, int h, int *bx0, int *by0, int *bx1,
                      int *by1, int *dark)
{
    int best = -1, best_score = 0;
    for (int i = 0; i < nf; i++) {
        int xi = f[i].sx / f[i].n, yi = f[i].sy / f[i].n, ti = f[i].st / f[i].n;
        int score = f[i].n;
        for (int j = 0; j < nf; j++) {
            if (j == i || f[j].dark != f[i].dark) {
                continue;
            }
            int xj = f[j].sx / f[j].n, yj = f[j].sy / f[j].n, tj = f[j].st / f[j].n;
            if (tj * 2 < ti || tj > 2 * ti) {
                continue;
            }
            /* distance in modules (a module is (ti + tj) / 14) */
            long d2 = (long)(xi - xj) * (xi - xj) + (long)(yi - yj) * (yi - yj);
            long mm = (ti + tj) * (ti + tj) / 196 + 1;
            if (d2 >= 100 * mm && d2 <= 3600 * mm) {
                score += f[j].n;
            }
        }
        if (score > best_score) {
            best_score = score;
            best = i;
        }
    }
    if (best < 0 || best_score < 3) {
        return 0;
    }
    int xi = f[best].sx / f[best].n, yi = f[best].sy / f[best].n, ti = f[best].st / f[best].n;
    int x0 = xi, y0 = yi, x1 = xi, y1 = yi, group = 1;
    for (int j = 0; j < nf; j++) {
        int xj = f[j].sx / f[j].n, yj = f[j].sy / f[j].n, tj = f[j].st / f[j].n;
        if (j == best || f[j].dark != f[best].dark || tj * 2 < ti || tj > 2 * ti) {
            continue;
        }
        long d2 = (long)(xi - xj) * (xi - xj) + (long)(yi - yj) * (yi - yj);
        long mm = (ti + tj) * (ti + tj) / 196 + 1;
        if (d2 >= 100 * mm && d2 <= 3600 * mm) {
            x0 = xj < x0 ? xj : x0;
            y0 = yj < y0 ? yj : y0;
            x1 = xj > x1 ? xj : x1;
            y1 = yj > y1 ? yj : y1;
            group++;
        }
    }
    /* three finders span the code; with fewer the rest of the code may lie on any side */
    int m = ti / 7 + 1, extent = (x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0);
    int margin = group >= 3 ? 8 * m : (group == 2 ? extent + 8 * m : 40 * m);
    *bx0 = x0 - margin < 0 ? 0 : x0 - margin;
    *by0 = y0 - margin < 0 ? 0 : y0 - margin;
    *bx1 = x1 + margin > w ? w : x1 + margin;
    *by1 = y1 + margin > h ? h : y1 + margin;
    *dark = f[best].dark;
    return 1;
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

int borne_decoder_decode(struct borne_decoder *dec, const borne_frame *frame, char *text,
                         size_t cap, size_t *len)
{
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
    if (dec->roi.ttl > 0 && enabled(dec, BORNE_PASS_ROI)) {
        struct roi r = dec->roi;
        r.x1 = r.x1 > w ? w : r.x1;
        r.y1 = r.y1 > h ? h : r.y1;
        int rw = r.x1 - r.x0, rh = r.y1 - r.y0;
        if (rw >= 21 && rh >= 21) {
            dec->stats.runs[BORNE_PASS_ROI]++;
            if (run_pass(dec, dec->zs, BORNE_PASS_ROI,
                         frame->luma + (size_t)r.y0 * frame->stride + r.x0, frame->stride, rw, rh,
                         1, r.x0, r.y0, r.inverted, frame, text, cap, len)) {
                goto found;
            }
        }
        dec->roi.ttl--;
    }

    /* 2. full resolution at half line density, raw: small, blurred and clean codes at half a
     *    plain scan's cost. Successive frames scan the other half of the lines (the image is
     *    shifted by one row and column), so two frames together cover every line. */
    if (enabled(dec, BORNE_PASS_FULL)) {
        int ph = (int)(fno & 1);
        dec->stats.runs[BORNE_PASS_FULL]++;
        uint64_t t0 = now_ns();
        for (int y = 0; y < h - ph; y++) {
            memcpy(dec->buf + (size_t)y * (w - ph),
                   frame->luma + (size_t)(y + ph) * frame->stride + ph, (size_t)(w - ph));
        }
        struct hit hit = scan(dec, dec->zs_full, dec->buf, w - ph, h - ph, text, cap, len);
        uint64_t dt = now_ns() - t0;
        dec->stats.ns[BORNE_PASS_FULL] += dt;
        dec->full_ema_ns = dec->full_ema_ns ? (dec->full_ema_ns * 7 + dt) / 8 : dt;
        if (hit.found) {
            dec->stats.hits[BORNE_PASS_FULL]++;
            remember(dec, &hit, 1, ph, ph, w, h, 0);
            goto found;
        }
    }

    /* 3. half resolution, normalised, normal then inverted polarity (dark-mode phones) */
    int hw = w / 2, hh = h / 2;
    int half_inv = -1; /* polarity of the normalised half image left in dec->buf, -1: none */
    if (enabled(dec, BORNE_PASS_HALF) || enabled(dec, BORNE_PASS_HALF_INV)) {
        uint64_t t0 = now_ns();
        downsample(frame->luma, frame->stride, w, h, dec->half);
        dec->stats.ns[BORNE_PASS_HALF] += now_ns() - t0;
        for (int inv = 0; inv < 2; inv++) {
            enum borne_decoder_pass p = inv ? BORNE_PASS_HALF_INV : BORNE_PASS_HALF;
            if (!enabled(dec, p)) {
                continue;
            }
            dec->stats.runs[p]++;
            half_inv = inv;
            if (run_pass(dec, dec->zs, p, dec->half, hw, hw, hh, 2, 0, 0, inv, frame, text, cap,
                         len)) {
                goto found;
            }
        }
    }

    /* 4. last resort: full resolution, every line, normalised, cropped to where the half image
     *    shows finder-like structure (runs of 1:1:3:1:1), in the polarity the finders show; for
     *    small, noisy, low-contrast and blurred codes the cheaper passes missed. The crop is at
     *    most DENSE_MAX_AREA of the frame and runs only while the frame so far cost at most
     *    DENSE_GATE FULL passes, which bounds the cost tail. */
    if (dec->dense && enabled(dec, BORNE_PASS_DENSE) &&
        (dec->full_ema_ns == 0 || now_ns() - frame_t0 <= DENSE_GATE * dec->full_ema_ns)) {
        uint64_t t0 = now_ns();
        if (half_inv < 0) {
            downsample(frame->luma, frame->stride, w, h, dec->half);
            normalise(dec, dec->half, hw, hw, hh, dec->buf, 0);
            half_inv = 0;
        }
        struct finder f[MAX_FINDERS];
        int nf = find_finders(dec->buf, hw, hh, f);
        int x0, y0, x1, y1, dark;
        int ok = finder_box(f, nf, hw, hh, &x0, &y0, &x1, &y1, &dark);
        dec->stats.ns[BORNE_PASS_DENSE] += now_ns() - t0;
        if (ok) {
            /* to full resolution, then shrink around the centre to the area bound */
            x0 *= 2;
            y0 *= 2;
            x1 = 2 * x1 > w ? w : 2 * x1;
            y1 = 2 * y1 > h ? h : 2 * y1;
            long max = (long)(DENSE_MAX_AREA * w * h);
            while ((long)(x1 - x0) * (y1 - y0) > max) {
                int dx = (x1 - x0) / 20 + 1, dy = (y1 - y0) / 20 + 1; /* 10 % smaller a side */
                x0 += dx;
                x1 -= dx;
                y0 += dy;
                y1 -= dy;
            }
            int code_inv = dark ? half_inv : !half_inv;
            if (x1 - x0 >= 21 && y1 - y0 >= 21) {
                dec->stats.runs[BORNE_PASS_DENSE]++;
                if (run_pass(dec, dec->zs, BORNE_PASS_DENSE,
                             frame->luma + (size_t)y0 * frame->stride + x0, frame->stride, x1 - x0,
                             y1 - y0, 1, x0, y0, code_inv, frame, text, cap, len)) {
                    goto found;
                }
            }
        }
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
