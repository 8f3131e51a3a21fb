/* QR finder patterns; see finder.h. */
#include "scan/finder.h"

#include <stdlib.h>
#include <string.h>

#define STRONG_DARK 96 /* a dark run must reach this low, a light one 255 minus it */

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

int qr_find_finders(const uint8_t *img, int w, int h, struct qr_finder *f, int max)
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
                    if (i == nf && nf < max) {
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

int qr_finder_box(const struct qr_finder *f, int nf, int w, int h, int *bx0, int *by0, int *bx1,
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
