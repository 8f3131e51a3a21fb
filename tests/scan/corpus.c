/* Test-only generator of realistic camera frames with Borne QR codes; see corpus.h.
 *
 * DESIGN: a scene is an object plane (a paper badge or a phone, in QR-module units, with the code
 * at [0,n)x[0,n)) posed in 3-D in front of a pinhole camera, over a cluttered background. Each
 * frame pixel is mapped back to the object plane through the inverse homography (2x2 supersampled)
 * to get a reflectance; then the optics and sensor are applied in order: optical or motion blur,
 * lighting (gain, offset, gradient), glare, screen moiré, Gaussian sensor noise, 8-bit
 * quantisation. Every random choice comes from a small seeded PRNG (splitmix64). */
#include "scan/corpus.h"

#include <math.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_range(struct rng *r, double a, double b)
{
    return a + (b - a) * rng_unit(r);
}

static double rng_gauss(struct rng *r)
{
    double u1 = rng_unit(r), u2 = rng_unit(r);
    if (u1 < 1e-300) {
        u1 = 1e-300;
    }
    return sqrt(-2.0 * log(u1)) * cos(2.0 * PI * u2);
}

static const char *const kind_names[CORPUS__COUNT] = {
    "clean",        "small", "rotated", "perspective", "curled",   "blur",     "motion",  "noise",
    "low-contrast", "dim",   "glare",   "moire",       "inverted", "occluded", "no-code",
};

const char *corpus_kind_name(enum corpus_kind kind)
{
    return (unsigned)kind < CORPUS__COUNT ? kind_names[kind] : "?";
}

#define MAX_GLYPHS  48
#define MAX_CLUTTER 8

struct glyph {
    double u, v, size; /* top-left and cell size, in module units */
    uint16_t bits;     /* 3x5 cells */
};

struct rect {
    double x0, y0, x1, y1, level;
};

struct scene {
    int n;                   /* QR modules per side (0: no code) */
    const unsigned char *qr; /* n*n, bit 0 = dark */
    int phone, inverted;
    double ink, paper; /* reflectance of dark modules and of the code background */
    double body, body_x0, body_y0, body_x1, body_y1; /* card or phone body */
    double scr_x0, scr_y0, scr_x1, scr_y1;           /* phone screen (phone only) */
    double curl;                                     /* bow of the rows, in modules */
    struct glyph glyphs[MAX_GLYPHS];
    int nglyphs;
    double glyph_level;
    double hi[9]; /* image -> plane */
    /* background */
    double bg0, bgx, bgy;
    struct rect clutter[MAX_CLUTTER];
    int nclutter;
    int tiles; /* 1: floor tiles (checker) in the lower part */
    double tile_px, tile_lo, tile_hi;
};

static void mat3_mul(const double *a, const double *b, double *out)
{
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
        }
    }
}

static void mat3_inv(const double *m, double *out)
{
    double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
    double A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
    double det = a * A + b * B + c * C;
    double k = 1.0 / det;
    out[0] = A * k;
    out[1] = -(b * i - c * h) * k;
    out[2] = (b * f - c * e) * k;
    out[3] = B * k;
    out[4] = (a * i - c * g) * k;
    out[5] = -(a * f - c * d) * k;
    out[6] = C * k;
    out[7] = -(a * h - b * g) * k;
    out[8] = (a * e - b * d) * k;
}

/* Reflectance of the object plane at (u, v), or -1 outside the object. */
static double object_at(const struct scene *sc, double u, double v)
{
    if (sc->curl != 0.0) {
        double t = (u - sc->n * 0.5) / (sc->n * 0.5 + 6);
        v -= sc->curl * t * t;
    }
    if (u < sc->body_x0 || u >= sc->body_x1 || v < sc->body_y0 || v >= sc->body_y1) {
        return -1.0;
    }
    if (sc->phone) {
        /* rounded corners of the body */
        double r = 4.0, cx = u, cy = v;
        cx = cx < sc->body_x0 + r ? sc->body_x0 + r : (cx > sc->body_x1 - r ? sc->body_x1 - r : cx);
        cy = cy < sc->body_y0 + r ? sc->body_y0 + r : (cy > sc->body_y1 - r ? sc->body_y1 - r : cy);
        if ((u - cx) * (u - cx) + (v - cy) * (v - cy) > r * r) {
            return -1.0;
        }
        if (u < sc->scr_x0 || u >= sc->scr_x1 || v < sc->scr_y0 || v >= sc->scr_y1) {
            return sc->body;
        }
    }
    if (sc->n > 0 && u >= 0 && v >= 0 && u < sc->n && v < sc->n) {
        int mu = (int)u, mv = (int)v;
        return (sc->qr[mv * sc->n + mu] & 1) ? sc->ink : sc->paper;
    }
    for (int i = 0; i < sc->nglyphs; i++) {
        const struct glyph *g = &sc->glyphs[i];
        double gu = (u - g->u) / g->size, gv = (v - g->v) / g->size;
        if (gu >= 0 && gv >= 0 && gu < 3 && gv < 5) {
            int bit = (int)gv * 3 + (int)gu;
            return (g->bits >> bit) & 1 ? sc->glyph_level : sc->paper;
        }
    }
    return sc->paper;
}

static double background_at(const struct scene *sc, double x, double y, int w, int h)
{
    for (int i = sc->nclutter - 1; i >= 0; i--) {
        const struct rect *r = &sc->clutter[i];
        if (x >= r->x0 && x < r->x1 && y >= r->y0 && y < r->y1) {
            return r->level;
        }
    }
    if (sc->tiles && y > h * 0.55) {
        int tx = (int)floor(x / sc->tile_px), ty = (int)floor(y / (sc->tile_px * 0.6));
        return ((tx + ty) & 1) ? sc->tile_hi : sc->tile_lo;
    }
    return sc->bg0 + sc->bgx * (x / w - 0.5) + sc->bgy * (y / h - 0.5);
}

static void add_text_line(struct scene *sc, struct rng *r, double u0, double v0, double u1,
                          double cell)
{
    double u = u0;
    while (sc->nglyphs < MAX_GLYPHS && u + 3 * cell < u1) {
        struct glyph *g = &sc->glyphs[sc->nglyphs++];
        g->u = u;
        g->v = v0;
        g->size = cell;
        g->bits = (uint16_t)(rng_next(r) & 0x7fff);
        u += 4 * cell;
        if (rng_unit(r) < 0.15) {
            u += 3 * cell; /* word gap */
        }
    }
}

static void gaussian_blur(float *img, float *tmp, int w, int h, double sigma)
{
    if (sigma < 0.2) {
        return;
    }
    int rad = (int)ceil(sigma * 3);
    if (rad > 31) {
        rad = 31;
    }
    float k[63];
    double sum = 0;
    for (int i = -rad; i <= rad; i++) {
        k[i + rad] = (float)exp(-(double)(i * i) / (2 * sigma * sigma));
        sum += k[i + rad];
    }
    for (int i = 0; i <= 2 * rad; i++) {
        k[i] = (float)(k[i] / sum);
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            float acc = 0;
            for (int i = -rad; i <= rad; i++) {
                int xx = x + i < 0 ? 0 : (x + i >= w ? w - 1 : x + i);
                acc += k[i + rad] * img[y * w + xx];
            }
            tmp[y * w + x] = acc;
        }
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            float acc = 0;
            for (int i = -rad; i <= rad; i++) {
                int yy = y + i < 0 ? 0 : (y + i >= h ? h - 1 : y + i);
                acc += k[i + rad] * tmp[yy * w + x];
            }
            img[y * w + x] = acc;
        }
    }
}

static void motion_blur(float *img, float *tmp, int w, int h, double len, double angle)
{
    int steps = (int)ceil(len * 2) + 1;
    double dx = cos(angle), dy = sin(angle);
    memcpy(tmp, img, sizeof(float) * (size_t)w * h);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            float acc = 0;
            for (int s = 0; s < steps; s++) {
                double t = len * ((double)s / (steps - 1) - 0.5);
                int xx = (int)lround(x + t * dx), yy = (int)lround(y + t * dy);
                xx = xx < 0 ? 0 : (xx >= w ? w - 1 : xx);
                yy = yy < 0 ? 0 : (yy >= h ? h - 1 : yy);
                acc += tmp[yy * w + xx];
            }
            img[y * w + x] = acc / (float)steps;
        }
    }
}

static void make_payload(struct rng *r, char *text, size_t *len)
{
    static const char b45[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t n = 0;
    if (rng_unit(r) < 0.75) {
        memcpy(text, "BN1:", 4);
        n = 4;
        int count = 120 + (int)(rng_next(r) % 9); /* about 126 */
        for (int i = 0; i < count; i++) {
            text[n++] = b45[rng_next(r) % 45];
        }
    } else {
        memcpy(text, "BO:", 3);
        n = 3;
        for (int i = 0; i < 16; i++) {
            text[n++] = b32[rng_next(r) % 32];
        }
    }
    text[n] = '\0';
    *len = n;
}

void corpus_frame_clear(struct corpus_frame *f)
{
    if (f) {
        free(f->luma);
        f->luma = NULL;
    }
}

int corpus_render(uint64_t seed, enum corpus_kind kind, int index, int frame_no, int w, int h,
                  struct corpus_frame *out)
{
    memset(out, 0, sizeof(*out));
    struct rng r = {seed ^ ((uint64_t)kind * 0x100000001b3ull) ^ ((uint64_t)index << 20) ^
                    ((uint64_t)w << 44)};
    for (int i = 0; i < 4; i++) {
        rng_next(&r);
    }
    /* frame-dependent randomness (noise, shake) comes from its own stream */
    struct rng fr = {r.s ^ (0xabcdef12345ull * (uint64_t)(frame_no + 1))};
    rng_next(&fr);

    struct scene sc;
    memset(&sc, 0, sizeof(sc));
    QRcode *qr = NULL;
    out->kind = kind;
    out->w = w;
    out->h = h;
    out->has_code = kind != CORPUS_NONE;
    if (out->has_code) {
        make_payload(&r, out->text, &out->len);
        qr = QRcode_encodeString(out->text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
        if (!qr) {
            return -1;
        }
        sc.n = qr->width;
        sc.qr = qr->data;
    } else {
        (void)rng_next(&r);
    }
    int n = sc.n > 0 ? sc.n : 41;

    /* carrier */
    if (kind == CORPUS_MOIRE || kind == CORPUS_INVERTED) {
        sc.phone = 1;
    } else if (kind == CORPUS_CURLED) {
        sc.phone = 0;
    } else {
        sc.phone = rng_unit(&r) < 0.4;
    }
    out->phone = sc.phone;
    sc.inverted = kind == CORPUS_INVERTED;
    if (sc.phone) {
        double bright = rng_range(&r, 0.85, 1.0);
        sc.paper = sc.inverted ? rng_range(&r, 0.04, 0.12) : bright;
        sc.ink = sc.inverted ? bright * rng_range(&r, 0.8, 0.95) : rng_range(&r, 0.02, 0.08);
        sc.glyph_level = sc.inverted ? 0.7 : 0.15;
        sc.body = rng_range(&r, 0.02, 0.06);
        double m = 4.0;
        sc.scr_x0 = -m;
        sc.scr_x1 = n + m;
        sc.scr_y0 = -m - n * 0.55;
        sc.scr_y1 = n + m + n * 0.7;
        sc.body_x0 = sc.scr_x0 - 1.5;
        sc.body_x1 = sc.scr_x1 + 1.5;
        sc.body_y0 = sc.scr_y0 - 4;
        sc.body_y1 = sc.scr_y1 + 5;
        add_text_line(&sc, &r, 0, -n * 0.45, n * 0.8, 0.9);
        add_text_line(&sc, &r, 0, n + 3, n, 0.7);
    } else {
        sc.paper = rng_range(&r, 0.82, 0.95);
        sc.ink = rng_range(&r, 0.03, 0.10);
        sc.glyph_level = 0.08;
        sc.body_x0 = -6;
        sc.body_x1 = n + 6;
        sc.body_y0 = -n * 0.95;
        sc.body_y1 = n + 6;
        add_text_line(&sc, &r, 0, -n * 0.80, n, 1.6);       /* name */
        add_text_line(&sc, &r, 0, -n * 0.45, n * 0.7, 1.0); /* organisation */
    }
    if (!out->has_code) {
        /* the code area shows more text instead (e.g. a badge printed without code) */
        add_text_line(&sc, &r, 0, n * 0.1, n, 1.2);
        add_text_line(&sc, &r, 0, n * 0.4, n, 1.2);
    }

    /* pose */
    double mpx_lo = w >= 1000 ? 3.2 : 2.6, mpx_hi = w >= 1000 ? 6.0 : 4.5;
    double module_px = rng_range(&r, mpx_lo, mpx_hi);
    double roll = rng_range(&r, -12, 12) * PI / 180;
    double tilt = rng_range(&r, 0, 12) * PI / 180, tilt_axis = rng_range(&r, 0, 2 * PI);
    double blur = rng_range(&r, 0.3, 0.6), motion = 0, motion_angle = 0;
    double noise = rng_range(&r, 1.5, 4.0);
    double gain = rng_range(&r, 170, 230), offset = rng_range(&r, 8, 25);
    double grad_x = rng_range(&r, -0.25, 0.25), grad_y = rng_range(&r, -0.25, 0.25);
    double glare = 0, glare_sigma = 0, glare_u = 0, glare_v = 0;
    double moire = 0, moire_fx = 0, moire_fy = 0;
    int finger = 0;
    switch (kind) {
    case CORPUS_SMALL:
        module_px = rng_range(&r, 2.0, 2.6);
        blur = rng_range(&r, 0.3, 0.5);
        break;
    case CORPUS_ROTATED:
        roll = rng_range(&r, 0, 2 * PI);
        break;
    case CORPUS_PERSPECTIVE:
        tilt = rng_range(&r, 35, 55) * PI / 180;
        module_px = rng_range(&r, 4.0, 6.5);
        break;
    case CORPUS_CURLED:
        sc.curl = rng_range(&r, 0.8, 2.0) * (rng_unit(&r) < 0.5 ? -1 : 1);
        break;
    case CORPUS_BLUR:
        blur = module_px * rng_range(&r, 0.3, 0.45);
        break;
    case CORPUS_MOTION:
        motion = module_px * rng_range(&r, 0.8, 1.5);
        motion_angle = rng_range(&r, 0, PI);
        break;
    case CORPUS_NOISE:
        noise = rng_range(&r, 14, 24);
        break;
    case CORPUS_LOW_CONTRAST:
        gain = rng_range(&r, 28, 45);
        offset = rng_range(&r, 90, 150);
        break;
    case CORPUS_DIM:
        gain = rng_range(&r, 22, 40);
        offset = rng_range(&r, 2, 6);
        noise = rng_range(&r, 2.0, 4.0);
        break;
    case CORPUS_GLARE:
        glare = rng_range(&r, 160, 260);
        glare_sigma = n * rng_range(&r, 0.10, 0.18);
        glare_u = n * rng_range(&r, 0.3, 0.7);
        glare_v = n * rng_range(&r, 0.3, 0.7);
        break;
    case CORPUS_MOIRE: {
        moire = rng_range(&r, 0.18, 0.35);
        double period = rng_range(&r, 2.2, 4.0), ang = rng_range(&r, 0, PI);
        moire_fx = cos(ang) / period;
        moire_fy = sin(ang) / period;
        break;
    }
    case CORPUS_OCCLUDED:
        finger = 1;
        break;
    default:
        break;
    }

    /* camera: pinhole, focal f, object at distance D so that a module is module_px at centre */
    double f = w * 0.9, D = f / module_px;
    double cx = w * 0.5 + rng_range(&r, -0.2, 0.2) * w,
           cy = h * 0.5 + rng_range(&r, -0.15, 0.15) * h;
    double shake = frame_no > 0 ? 1.5 : 0;
    cx += rng_gauss(&fr) * shake;
    cy += rng_gauss(&fr) * shake;
    /* rotation: tilt about an in-plane axis, then roll about the optical axis */
    double ax = cos(tilt_axis), ay = sin(tilt_axis), ct = cos(tilt), st = sin(tilt);
    double Rt[9] = {ct + ax * ax * (1 - ct),
                    ax * ay * (1 - ct),
                    ay * st,
                    ax * ay * (1 - ct),
                    ct + ay * ay * (1 - ct),
                    -ax * st,
                    -ay * st,
                    ax * st,
                    ct};
    double cr = cos(roll), sr = sin(roll);
    double Rr[9] = {cr, -sr, 0, sr, cr, 0, 0, 0, 1};
    double R[9];
    mat3_mul(Rr, Rt, R);
    double tx = (cx - w * 0.5) * D / f, ty = (cy - h * 0.5) * D / f;
    double M[9] = {R[0], R[1], tx, R[3], R[4], ty, R[6], R[7], D};
    double K[9] = {f, 0, w * 0.5, 0, f, h * 0.5, 0, 0, 1};
    double T[9] = {1, 0, -n * 0.5, 0, 1, -n * 0.5, 0, 0, 1};
    double KM[9], H[9];
    mat3_mul(K, M, KM);
    mat3_mul(KM, T, H);
    mat3_inv(H, sc.hi);

    /* background */
    sc.bg0 = rng_range(&r, 0.25, 0.6);
    sc.bgx = rng_range(&r, -0.2, 0.2);
    sc.bgy = rng_range(&r, -0.2, 0.2);
    sc.nclutter = 2 + (int)(rng_next(&r) % 4);
    for (int i = 0; i < sc.nclutter; i++) {
        struct rect *c = &sc.clutter[i];
        c->x0 = rng_range(&r, -0.2, 0.9) * w;
        c->y0 = rng_range(&r, -0.2, 0.9) * h;
        c->x1 = c->x0 + rng_range(&r, 0.05, 0.4) * w;
        c->y1 = c->y0 + rng_range(&r, 0.05, 0.5) * h;
        c->level = rng_range(&r, 0.1, 0.9);
    }
    sc.tiles = !out->has_code || rng_unit(&r) < 0.3;
    sc.tile_px = rng_range(&r, 12, 40);
    sc.tile_lo = rng_range(&r, 0.2, 0.4);
    sc.tile_hi = rng_range(&r, 0.5, 0.8);
    if (!out->has_code && rng_unit(&r) < 0.5) {
        /* no object at all: only background, with the object pushed out of view */
        sc.body_x0 = sc.body_x1 = 0;
    }

    size_t npx = (size_t)w * h;
    float *img = malloc(sizeof(float) * npx);
    float *tmp = malloc(sizeof(float) * npx);
    uint8_t *screen = calloc(npx, 1);
    out->luma = malloc(npx);
    if (!img || !tmp || !screen || !out->luma) {
        free(img);
        free(tmp);
        free(screen);
        QRcode_free(qr);
        corpus_frame_clear(out);
        return -1;
    }
    static const double sub[2] = {0.25, 0.75};
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double acc = 0;
            int on_obj = 0;
            for (int sy = 0; sy < 2; sy++) {
                for (int sx = 0; sx < 2; sx++) {
                    double px = x + sub[sx], py = y + sub[sy];
                    double zz = sc.hi[6] * px + sc.hi[7] * py + sc.hi[8];
                    double v = -1;
                    if (zz > 1e-9 || zz < -1e-9) {
                        double u = (sc.hi[0] * px + sc.hi[1] * py + sc.hi[2]) / zz;
                        double vv = (sc.hi[3] * px + sc.hi[4] * py + sc.hi[5]) / zz;
                        v = object_at(&sc, u, vv);
                        if (finger && v >= 0) {
                            /* a finger entering from the bottom edge, right of centre */
                            double du = (u - n * 0.72) / (n * 0.10),
                                   dv = (vv - (n + 2)) / (n * 0.30);
                            if (du * du + dv * dv < 1) {
                                v = 0.45 + 0.1 * dv;
                            }
                        }
                    }
                    if (v < 0) {
                        v = background_at(&sc, px, py, w, h);
                    } else {
                        on_obj++;
                    }
                    acc += v;
                }
            }
            img[(size_t)y * w + x] = (float)(acc * 0.25);
            screen[(size_t)y * w + x] = sc.phone && on_obj == 4;
        }
    }
    gaussian_blur(img, tmp, w, h, blur);
    if (motion > 0) {
        motion_blur(img, tmp, w, h, motion, motion_angle);
    }
    /* glare centre in the image */
    double gx = 0, gy = 0, gs = 0;
    if (glare > 0) {
        double px = glare_u, py = glare_v, z = H[6] * px + H[7] * py + H[8];
        gx = (H[0] * px + H[1] * py + H[2]) / z;
        gy = (H[3] * px + H[4] * py + H[5]) / z;
        gs = glare_sigma * module_px;
    }
    double phase = rng_range(&fr, 0, 2 * PI);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            double light = 1 + grad_x * ((double)x / w - 0.5) + grad_y * ((double)y / h - 0.5);
            double v = offset + gain * img[i] * light;
            if (moire > 0 && screen[i]) {
                /* beating between the screen's pixel grid and the sensor grid */
                v *= 1 + moire * sin(2 * PI * (moire_fx * x + moire_fy * y) + phase) *
                             (0.6 + 0.4 * sin(2 * PI * y / (h * 0.21)));
            }
            if (glare > 0) {
                double d2 = (x - gx) * (x - gx) + (y - gy) * (y - gy);
                v += glare * exp(-d2 / (2 * gs * gs));
            }
            v += rng_gauss(&fr) * noise;
            v = v < 0 ? 0 : (v > 255 ? 255 : v);
            out->luma[i] = (uint8_t)lround(v);
        }
    }
    out->module_px = module_px;
    free(img);
    free(tmp);
    free(screen);
    QRcode_free(qr);
    return 0;
}
