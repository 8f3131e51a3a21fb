/* A QR grid fitted to a bent or tilted code, and the code redrawn flat; see unwarp.h.
 *
 * DESIGN: the model maps module coordinates (u, v) first through the bow,
 *     v' = v + (b0 + b1 * sv) * qu,   u' = u + (b2 + b3 * su) * qv,
 * where qu is a parabola in u that is 0 at the finder centres' columns (3.5 and n - 3.5) and -1
 * half-way, and sv is -1 / +1 at the finder centres' rows (likewise qv, su), so the bow never
 * moves the finder centres; then through the homography that sends the flat square spanned by
 * (3.5, 3.5) .. (n - 3.5, n - 3.5) to the quadrilateral q[0..3]. Parameters are pixels (q) and
 * modules (bow): both well scaled for a coordinate search. The score of a grid is the mean, over
 * the modules known in every code, of how far the sampled grey lies on the expected side of 128
 * (clamped, so glare or a finger on a few modules cannot dominate). */
#include "scan/unwarp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 12 /* finders considered (most confirmations first) */
#define MAX_TRIPLES    64
#define MAX_KNOWN      640
#define CLAMP          64.0 /* a sample counts at most this far from 128 */
#define MIN_FIT        0.25 /* grids agreeing less than this are not worth zbar's time */
#define GOOD_FIT       0.5  /* a rough fit this good settles the version */

struct known {
    float u, v; /* module centre */
    int dark;
};

struct pt {
    double x, y;
    double m; /* module size estimate, pixels */
    int n;    /* confirmations */
};

static double sample(const uint8_t *img, int w, int h, double x, double y)
{
    x -= 0.5;
    y -= 0.5;
    if (!(x >= 0 && y >= 0 && x < w - 1 && y < h - 1)) {
        return 128.0; /* outside: says nothing either way */
    }
    int xi = (int)x, yi = (int)y;
    double fx = x - xi, fy = y - yi;
    const uint8_t *p = img + (size_t)yi * w + xi;
    double top = p[0] + (p[1] - p[0]) * fx;
    double bot = p[w] + (p[w + 1] - p[w]) * fx;
    return top + (bot - top) * fy;
}

/* Homography of the unit square (s, t) to the quadrilateral q: (0,0) q0, (1,0) q1, (0,1) q2,
 * (1,1) q3 (Heckbert's square-to-quad). h[9] row-major, h[8] = 1. Returns -1 if degenerate. */
static int square_to_quad(const double *q, double *h)
{
    double x0 = q[0], y0 = q[1], x1 = q[2], y1 = q[3], x3 = q[4], y3 = q[5], x2 = q[6], y2 = q[7];
    double sx = x0 - x1 + x2 - x3, sy = y0 - y1 + y2 - y3;
    double g = 0, k = 0;
    if (fabs(sx) > 1e-9 || fabs(sy) > 1e-9) {
        double dx1 = x1 - x2, dx2 = x3 - x2, dy1 = y1 - y2, dy2 = y3 - y2;
        double den = dx1 * dy2 - dx2 * dy1;
        if (fabs(den) < 1e-12) {
            return -1;
        }
        g = (sx * dy2 - dx2 * sy) / den;
        k = (dx1 * sy - sx * dy1) / den;
    }
    h[0] = x1 - x0 + g * x1;
    h[1] = x3 - x0 + k * x3;
    h[2] = x0;
    h[3] = y1 - y0 + g * y1;
    h[4] = y3 - y0 + k * y3;
    h[5] = y0;
    h[6] = g;
    h[7] = k;
    h[8] = 1;
    return 0;
}

/* The grid prepared for mapping many points. */
struct mapper {
    double h[9];
    double n, half, span, inv_span2, inv_half_span;
    const double *bow;
};

static int mapper_init(struct mapper *mp, const struct qr_grid *g)
{
    if (square_to_quad(g->q, mp->h)) {
        return -1;
    }
    mp->n = g->n;
    mp->half = g->n * 0.5;
    mp->span = g->n - 7.0;
    double hs = mp->half - 3.5;
    mp->inv_span2 = 1.0 / (hs * hs);
    mp->inv_half_span = 1.0 / hs;
    mp->bow = g->bow;
    return 0;
}

static void mapper_map(const struct mapper *mp, double u, double v, double *x, double *y)
{
    double qu = (u - 3.5) * (u - (mp->n - 3.5)) * mp->inv_span2;
    double qv = (v - 3.5) * (v - (mp->n - 3.5)) * mp->inv_span2;
    double su = (u - mp->half) * mp->inv_half_span, sv = (v - mp->half) * mp->inv_half_span;
    double uu = u + (mp->bow[2] + mp->bow[3] * su) * qv;
    double vv = v + (mp->bow[0] + mp->bow[1] * sv) * qu;
    double s = (uu - 3.5) / mp->span, t = (vv - 3.5) / mp->span;
    const double *h = mp->h;
    double z = h[6] * s + h[7] * t + 1.0;
    if (fabs(z) < 1e-9) {
        z = 1e-9;
    }
    *x = (h[0] * s + h[1] * t + h[2]) / z;
    *y = (h[3] * s + h[4] * t + h[5]) / z;
}

void qr_grid_map(const struct qr_grid *g, double u, double v, double *x, double *y)
{
    struct mapper mp;
    if (mapper_init(&mp, g)) {
        *x = *y = -1;
        return;
    }
    mapper_map(&mp, u, v, x, y);
}

/* ---- the modules every code of size n has ---- */

static void add_known(struct known *k, int *nk, double u, double v, int dark)
{
    if (*nk < MAX_KNOWN) {
        k[*nk].u = (float)u;
        k[*nk].v = (float)v;
        k[*nk].dark = dark;
        (*nk)++;
    }
}

/* The 25 modules of the alignment pattern nearest the bottom-right corner (centre n - 7). */
static void add_alignment(struct known *k, int *nk, int n)
{
    int a = n - 7;
    for (int dv = -2; dv <= 2; dv++) {
        for (int du = -2; du <= 2; du++) {
            int ring = abs(du) > abs(dv) ? abs(du) : abs(dv);
            add_known(k, nk, a + du + 0.5, a + dv + 0.5, ring != 1);
        }
    }
}

static int finder_module(int du, int dv)
{
    int ring = abs(du - 3) > abs(dv - 3) ? abs(du - 3) : abs(dv - 3);
    return ring != 2; /* 0..1 dark centre, 2 light ring, 3 dark ring */
}

static int known_modules(int n, struct known *k)
{
    int nk = 0;
    static const int corner[3][2] = {{0, 0}, {1, 0}, {0, 1}};
    for (int c = 0; c < 3; c++) {
        int ou = corner[c][0] ? n - 7 : 0, ov = corner[c][1] ? n - 7 : 0;
        /* the pattern, its separator (light) and the quiet zone beyond (light) */
        for (int dv = -2; dv < 9; dv++) {
            for (int du = -2; du < 9; du++) {
                int u = ou + du, v = ov + dv;
                if (u < -2 || v < -2 || u > n + 1 || v > n + 1) {
                    continue;
                }
                int inside = du >= 0 && du < 7 && dv >= 0 && dv < 7;
                int sep = !inside && u >= -1 && v >= -1 && u <= n && v <= n &&
                          ((du >= -1 && du <= 7 && dv >= -1 && dv <= 7) || u < 0 || v < 0 ||
                           u >= n || v >= n);
                if (inside) {
                    add_known(k, &nk, u + 0.5, v + 0.5, finder_module(du, dv));
                } else if (sep) {
                    add_known(k, &nk, u + 0.5, v + 0.5, 0);
                }
            }
        }
    }
    for (int i = 8; i < n - 8; i++) { /* timing patterns */
        add_known(k, &nk, i + 0.5, 6.5, !(i & 1));
        add_known(k, &nk, 6.5, i + 0.5, !(i & 1));
    }
    if (n > 21) {
        add_alignment(k, &nk, n);
    }
    add_known(k, &nk, 8.5, n - 7.5, 1); /* the dark module */
    /* quiet zone along the other edges, one module out */
    for (int i = 8; i < n - 8; i++) {
        add_known(k, &nk, i + 0.5, -0.5, 0);
        add_known(k, &nk, -0.5, i + 0.5, 0);
    }
    for (int i = 8; i <= n; i++) {
        add_known(k, &nk, i + 0.5, n + 0.5, 0);
        add_known(k, &nk, n + 0.5, i + 0.5, 0);
    }
    return nk;
}

struct fit_ctx {
    const uint8_t *img;
    int w, h;
    const struct known *k;
    int nk;
};

static double agreement(const struct fit_ctx *c, const struct known *k, int nk,
                        const struct qr_grid *g)
{
    struct mapper mp;
    if (mapper_init(&mp, g)) {
        return -2.0;
    }
    double sum = 0;
    for (int i = 0; i < nk; i++) {
        double x, y;
        mapper_map(&mp, k[i].u, k[i].v, &x, &y);
        double d = sample(c->img, c->w, c->h, x, y) - 128.0;
        if (k[i].dark) {
            d = -d;
        }
        sum += d > CLAMP ? CLAMP : (d < -CLAMP ? -CLAMP : d);
    }
    return sum / (nk * CLAMP);
}

/* Coordinate search: the parameters from `first` on (0..7: q, 8..11: the bow) moved by +-step
 * while the agreement improves, for `levels` levels of halving steps (qstep in pixels for q,
 * bstep in modules for the bow). */
static void jiggle(const struct fit_ctx *c, struct qr_grid *g, int first, double qstep,
                   double bstep, int levels)
{
    double best = agreement(c, c->k, c->nk, g);
    for (int level = 0; level < levels; level++) {
        for (int sweep = 0; sweep < 3; sweep++) {
            int improved = 0;
            for (int p = first; p < 12; p++) {
                double *v = p < 8 ? &g->q[p] : &g->bow[p - 8];
                double step = p < 8 ? qstep : bstep;
                double orig = *v;
                double best_v = orig;
                for (int dir = -1; dir <= 1; dir += 2) {
                    *v = orig + dir * step;
                    double a = agreement(c, c->k, c->nk, g);
                    if (a > best) {
                        best = a;
                        best_v = *v;
                    }
                }
                *v = best_v;
                improved |= best_v != orig;
            }
            if (!improved) {
                break;
            }
        }
        qstep *= 0.5;
        bstep *= 0.5;
    }
    g->fit = best;
}

/* Distance from a finder's centre (x, y) along the unit direction (dx, dy) to the outer edge of
 * its dark ring: 3.5 modules. 0 when the pattern is not seen along that line. */
static double ring_edge(const uint8_t *img, int w, int h, double x, double y, double dx, double dy,
                        double max)
{
    int dark = 1, changes = 0;
    for (double d = 0.5; d < max; d += 0.5) {
        int now = sample(img, w, h, x + dx * d, y + dy * d) < 128.0;
        if (now != dark) {
            dark = now;
            if (++changes == 3) {
                return d - 0.25;
            }
        }
    }
    return 0;
}

/* Modules between the centres of finders a and b, from the module size measured along a->b on
 * both (falls back on the finders' widths). Under perspective the module size changes along the
 * line, its square root linearly, so the count is the distance over the geometric mean. Also
 * returns the module sizes measured at a and at b. */
static double modules_between(const struct fit_ctx *c, const struct pt *a, const struct pt *b,
                              double *m_at_a, double *m_at_b)
{
    double dx = b->x - a->x, dy = b->y - a->y, d = sqrt(dx * dx + dy * dy);
    double ea = ring_edge(c->img, c->w, c->h, a->x, a->y, dx / d, dy / d, 6 * a->m);
    double eb = ring_edge(c->img, c->w, c->h, b->x, b->y, -dx / d, -dy / d, 6 * b->m);
    double ma = ea > 0 ? ea / 3.5 : a->m, mb = eb > 0 ? eb / 3.5 : b->m;
    *m_at_a = ma;
    *m_at_b = mb;
    return d / sqrt(ma * mb);
}

/* Where the alignment pattern is: the fourth point q[6..7] moved over a grid around its guess,
 * keeping the position where the 5x5 pattern agrees best. */
static void find_alignment(const struct fit_ctx *c, struct qr_grid *g, double module_px,
                           double radius)
{
    struct known al[25];
    int na = 0;
    add_alignment(al, &na, g->n);
    double gx = g->q[6], gy = g->q[7], step = module_px * 0.5;
    double best = -2, bx = gx, by = gy;
    for (double oy = -radius; oy <= radius; oy += step) {
        for (double ox = -radius; ox <= radius; ox += step) {
            g->q[6] = gx + ox;
            g->q[7] = gy + oy;
            double s = agreement(c, al, na, g);
            if (s > best) {
                best = s;
                bx = g->q[6];
                by = g->q[7];
            }
        }
    }
    g->q[6] = bx;
    g->q[7] = by;
}

/* Fits a grid of n modules on finders a (top left), b (top right), c (bottom left). */
static void fit_version(const struct fit_ctx *c, int n, const struct pt *a, const struct pt *b,
                        const struct pt *cc, const double *sm, double module_px, struct qr_grid *g,
                        int levels)
{
    memset(g, 0, sizeof(*g));
    g->n = n;
    g->q[0] = a->x;
    g->q[1] = a->y;
    g->q[2] = b->x;
    g->q[3] = b->y;
    g->q[4] = cc->x;
    g->q[5] = cc->y;
    /* The fourth point from the perspective the module sizes show: along a->b the module goes
     * from side_m[0] to side_m[1], so (1D projective map) x(s) = a + P s / (1 + g s) with
     * P = side_m[0] along a->b and 1 + g L = sqrt(side_m[0] / side_m[1]); likewise along a->c.
     * Then (L, L) lands at a + (P + Q) L / (1 + (g + h) L). */
    double L = n - 7.0, dab = hypot(b->x - a->x, b->y - a->y),
           dac = hypot(cc->x - a->x, cc->y - a->y);
    double gb = (sqrt(sm[0] / sm[1]) - 1) / L, gc = (sqrt(sm[2] / sm[3]) - 1) / L;
    double den = 1 + (gb + gc) * L;
    if (den > 0.3 && dab > 0 && dac > 0) {
        double px = sm[0] * (b->x - a->x) / dab, py = sm[0] * (b->y - a->y) / dab;
        double qx = sm[2] * (cc->x - a->x) / dac, qy = sm[2] * (cc->y - a->y) / dac;
        g->q[6] = a->x + (px + qx) * L / den;
        g->q[7] = a->y + (py + qy) * L / den;
    } else {
        g->q[6] = b->x + cc->x - a->x;
        g->q[7] = b->y + cc->y - a->y;
    }
    if (n > 21) {
        double side = (hypot(b->x - a->x, b->y - a->y) + hypot(cc->x - a->x, cc->y - a->y)) / 2;
        find_alignment(c, g, module_px, side * 0.2);
    }
    jiggle(c, g, 6, module_px * 0.5, 0.5, levels); /* the finder centres are already close */
}

struct triple {
    int a, b, c;
    double cost;
};

static int cmp_pt(const void *x, const void *y)
{
    return ((const struct pt *)y)->n - ((const struct pt *)x)->n;
}

static int cmp_triple(const void *x, const void *y)
{
    double a = ((const struct triple *)x)->cost, b = ((const struct triple *)y)->cost;
    return a < b ? -1 : (a > b ? 1 : 0);
}

/* Triples of finders that could be one code's corners, most square first. The angle at the
 * corner must be within 53-127 degrees, or 32-148 when `sheared`. */
static int find_triples(const struct pt *p, int np, struct triple *t, int max, int sheared)
{
    double max_cos = sheared ? 0.85 : 0.6;
    int nt = 0;
    for (int i = 0; i < np; i++) {
        for (int j = i + 1; j < np; j++) {
            for (int k = j + 1; k < np; k++) {
                const int idx[3] = {i, j, k};
                for (int corner = 0; corner < 3; corner++) {
                    const struct pt *a = &p[idx[corner]], *b = &p[idx[(corner + 1) % 3]],
                                    *c = &p[idx[(corner + 2) % 3]];
                    double m = (a->m + b->m + c->m) / 3;
                    if (b->m > 2 * a->m || a->m > 2 * b->m || c->m > 2 * a->m || a->m > 2 * c->m) {
                        continue;
                    }
                    double ux = b->x - a->x, uy = b->y - a->y, vx = c->x - a->x, vy = c->y - a->y;
                    double du = hypot(ux, uy), dv = hypot(vx, vy);
                    if (du < 10 * m * 0.5 || dv < 10 * m * 0.5 || du > 70 * m || dv > 70 * m) {
                        continue;
                    }
                    double ratio = du > dv ? du / dv : dv / du;
                    double cosang = fabs(ux * vx + uy * vy) / (du * dv);
                    if (ratio > 2.2 || cosang > max_cos) {
                        continue;
                    }
                    if (nt < max) {
                        t[nt].a = idx[corner];
                        /* b is the top right one: turning from a->b to a->c is clockwise on
                         * screen (y down) */
                        int cw = ux * vy - uy * vx > 0;
                        t[nt].b = cw ? idx[(corner + 1) % 3] : idx[(corner + 2) % 3];
                        t[nt].c = cw ? idx[(corner + 2) % 3] : idx[(corner + 1) % 3];
                        t[nt].cost = cosang + log(ratio);
                        nt++;
                    }
                }
            }
        }
    }
    qsort(t, (size_t)nt, sizeof(*t), cmp_triple);
    return nt;
}

int qr_unwarp_corners(const uint8_t *img, int w, int h, const struct qr_finder *f, int nf,
                      int sheared, struct qr_corners *out, int max)
{
    struct pt all[QR_MAX_FINDERS];
    int na = 0;
    for (int i = 0; i < nf && na < QR_MAX_FINDERS; i++) {
        if (!f[i].dark || f[i].n <= 0) {
            continue;
        }
        all[na].x = (double)f[i].sx / f[i].n + 0.5;
        all[na].y = (double)f[i].sy / f[i].n + 0.5;
        all[na].m = (double)f[i].st / f[i].n / 7.0;
        all[na].n = f[i].n;
        na++;
    }
    qsort(all, (size_t)na, sizeof(all[0]), cmp_pt);
    int np = na < MAX_CANDIDATES ? na : MAX_CANDIDATES;
    struct triple t[MAX_TRIPLES];
    int nt = find_triples(all, np, t, MAX_TRIPLES, sheared);
    /* The two sides must count the same modules, a whole version's worth: a triple with a stray
     * finder (a blob of data modules, text) fails that. Cost: disagreement, then shape. */
    struct fit_ctx c = {.img = img, .w = w, .h = h};
    struct qr_corners cand[MAX_TRIPLES];
    double cost[MAX_TRIPLES];
    int ncand = 0;
    for (int i = 0; i < nt; i++) {
        const struct pt *p[3] = {&all[t[i].a], &all[t[i].b], &all[t[i].c]};
        double sm[4];
        double nb = modules_between(&c, p[0], p[1], &sm[0], &sm[1]) + 7;
        double nc = modules_between(&c, p[0], p[2], &sm[2], &sm[3]) + 7;
        double n = (nb + nc) / 2, vf = (n - 17) / 4;
        int v = (int)lround(vf);
        double disagree = fabs(nb - nc) / n;
        if (v < 1 || v > QR_UNWARP_MAX_VERSION || disagree > 0.2) {
            continue;
        }
        struct qr_corners *q = &cand[ncand];
        for (int j = 0; j < 3; j++) {
            q->x[j] = p[j]->x;
            q->y[j] = p[j]->y;
            q->m[j] = p[j]->m;
        }
        memcpy(q->side_m, sm, sizeof(sm));
        q->module = (sm[0] + sm[1] + sm[2] + sm[3]) / 4;
        q->version = v;
        cost[ncand] = 4 * disagree + fabs(vf - v) + t[i].cost;
        ncand++;
    }
    int n = 0;
    for (; n < max && n < ncand; n++) { /* selection of the cheapest */
        int best = -1;
        for (int i = 0; i < ncand; i++) {
            if (cost[i] >= 0 && (best < 0 || cost[i] < cost[best])) {
                best = i;
            }
        }
        out[n] = cand[best];
        cost[best] = -1;
    }
    return n;
}

int qr_unwarp_fit(const uint8_t *img, int w, int h, const struct qr_corners *corners,
                  struct qr_grid *out)
{
    struct pt p[3];
    for (int j = 0; j < 3; j++) {
        p[j].x = corners->x[j];
        p[j].y = corners->y[j];
        p[j].m = corners->m[j];
        p[j].n = 1;
    }
    const struct pt *a = &p[0], *b = &p[1], *cc = &p[2];
    struct known known[MAX_KNOWN];
    struct fit_ctx c = {.img = img, .w = w, .h = h, .k = known};
    double module_px = corners->module;
    int v0 = corners->version;
    /* the estimated version roughly fitted; its neighbours too when that fits, but poorly (a
     * triple that fits nothing is not a code's corners: no use trying other sizes) */
    static const int tries[3] = {0, -1, 1};
    struct qr_grid best = {0};
    best.fit = -2;
    for (int i = 0; i < 3 && best.fit < GOOD_FIT && (i == 0 || best.fit >= MIN_FIT); i++) {
        int v = v0 + tries[i];
        if (v < 1 || v > QR_UNWARP_MAX_VERSION) {
            continue;
        }
        int n = 17 + 4 * v;
        c.nk = known_modules(n, known);
        struct qr_grid g;
        fit_version(&c, n, a, b, cc, corners->side_m, module_px, &g, 2);
        if (g.fit > best.fit) {
            best = g;
        }
    }
    if (best.fit < MIN_FIT) {
        return -1;
    }
    c.nk = known_modules(best.n, known);
    jiggle(&c, &best, 0, module_px * 0.125, 0.125,
           2); /* all, on from where the rough fit stopped */
    *out = best;
    return 0;
}

int qr_unwarp_render(const uint8_t *img, int w, int h, const struct qr_grid *g, uint8_t *out)
{
    int n = g->n, s = QR_UNWARP_SCALE, side = (n + 2 * QR_UNWARP_QUIET) * s;
    memset(out, 255, (size_t)side * side);
    struct mapper mp;
    if (mapper_init(&mp, g)) {
        return side;
    }
    static const double off[5][2] = {{0, 0}, {-0.2, -0.2}, {0.2, -0.2}, {-0.2, 0.2}, {0.2, 0.2}};
    for (int v = 0; v < n; v++) {
        for (int u = 0; u < n; u++) {
            double sum = 0;
            for (int i = 0; i < 5; i++) {
                double x, y;
                mapper_map(&mp, u + 0.5 + off[i][0], v + 0.5 + off[i][1], &x, &y);
                sum += sample(img, w, h, x, y) * (i == 0 ? 2 : 1);
            }
            if (sum / 6 < 128.0) {
                uint8_t *row = out + (size_t)((v + QR_UNWARP_QUIET) * s) * side +
                               (size_t)(u + QR_UNWARP_QUIET) * s;
                for (int y = 0; y < s; y++) {
                    memset(row + (size_t)y * side, 0, (size_t)s);
                }
            }
        }
    }
    return side;
}
