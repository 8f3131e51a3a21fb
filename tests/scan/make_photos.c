/* Test helper: draws the still images of tests/data/photos (see the README there), which stand
 * for two kinds of photographs the decoder's still passes read: a code seen at a grazing angle
 * (sheared to a sliver, in perspective) and a small print of about 3 pixels a module whose ink
 * spreads, scanned to black and white.
 * Usage: make_photos DIR   (writes DIR/sheared.png and DIR/print-3px.png) */
#include <math.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/image.h"
#include "scan/photos.h"

#define SS 6 /* supersampling: SS x SS samples a pixel */

/* The homography that sends the module points (3.5, 3.5), (n - 3.5, 3.5), (3.5, n - 3.5),
 * (n - 3.5, n - 3.5) to dst, inverted: image point to module coordinates. */
static void inverse_homography(int n, const double dst[8], double inv[9])
{
    const double src[8] = {3.5, 3.5, n - 3.5, 3.5, 3.5, n - 3.5, n - 3.5, n - 3.5};
    double a[8][9];
    for (int i = 0; i < 4; i++) {
        double u = src[2 * i], v = src[2 * i + 1], x = dst[2 * i], y = dst[2 * i + 1];
        const double r1[9] = {u, v, 1, 0, 0, 0, -u * x, -v * x, x};
        const double r2[9] = {0, 0, 0, u, v, 1, -u * y, -v * y, y};
        memcpy(a[2 * i], r1, sizeof(r1));
        memcpy(a[2 * i + 1], r2, sizeof(r2));
    }
    for (int c = 0; c < 8; c++) {
        int piv = c;
        for (int r = c + 1; r < 8; r++) {
            piv = fabs(a[r][c]) > fabs(a[piv][c]) ? r : piv;
        }
        for (int k = 0; k < 9; k++) {
            double t = a[c][k];
            a[c][k] = a[piv][k];
            a[piv][k] = t;
        }
        for (int r = 0; r < 8; r++) {
            if (r != c) {
                double f = a[r][c] / a[c][c];
                for (int k = 0; k < 9; k++) {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
    }
    double m[9];
    for (int i = 0; i < 8; i++) {
        m[i] = a[i][8] / a[i][i];
    }
    m[8] = 1;
    double d = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
               m[2] * (m[3] * m[7] - m[4] * m[6]);
    inv[0] = (m[4] * m[8] - m[5] * m[7]) / d;
    inv[1] = (m[2] * m[7] - m[1] * m[8]) / d;
    inv[2] = (m[1] * m[5] - m[2] * m[4]) / d;
    inv[3] = (m[5] * m[6] - m[3] * m[8]) / d;
    inv[4] = (m[0] * m[8] - m[2] * m[6]) / d;
    inv[5] = (m[2] * m[3] - m[0] * m[5]) / d;
    inv[6] = (m[3] * m[7] - m[4] * m[6]) / d;
    inv[7] = (m[1] * m[6] - m[0] * m[7]) / d;
    inv[8] = (m[0] * m[4] - m[1] * m[3]) / d;
}

/* Reflectance at module coordinates (u, v): the code (dark modules grown by `ink` modules on
 * each side), a light card `quiet` modules around it, `bg` beyond. */
static double reflectance(const QRcode *qr, double u, double v, double ink, int quiet, double bg)
{
    int n = qr->width;
    if (u < -quiet || v < -quiet || u >= n + quiet || v >= n + quiet) {
        return bg;
    }
    for (int dv = -1; dv <= 1; dv++) {
        for (int du = -1; du <= 1; du++) {
            int mu = (int)floor(u) + du, mv = (int)floor(v) + dv;
            if (mu < 0 || mv < 0 || mu >= n || mv >= n || !(qr->data[mv * n + mu] & 1)) {
                continue;
            }
            double cx = u < mu ? mu - u : (u > mu + 1 ? u - mu - 1 : 0);
            double cy = v < mv ? mv - v : (v > mv + 1 ? v - mv - 1 : 0);
            if (cx <= ink && cy <= ink) {
                return 0.08;
            }
        }
    }
    return 0.92;
}

/* Draws the code of `text` into a w x h grey image: module coordinates map to the image through
 * the homography set by dst (see inverse_homography); noise of +-noise grey levels from a
 * generator seeded with `seed`. */
static uint8_t *draw(const char *text, QRecLevel level, int w, int h, const double dst[8],
                     double ink, int quiet, double bg, double noise, uint32_t seed)
{
    QRcode *qr = QRcode_encodeString(text, 0, level, QR_MODE_8, 1);
    uint8_t *pix = malloc((size_t)w * h);
    if (!qr || !pix) {
        fprintf(stderr, "make_photos: out of memory\n");
        exit(1);
    }
    double hi[9];
    inverse_homography(qr->width, dst, hi);
    uint32_t rng = seed;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double acc = 0;
            for (int j = 0; j < SS; j++) {
                for (int i = 0; i < SS; i++) {
                    double px = x + (i + 0.5) / SS, py = y + (j + 0.5) / SS;
                    double z = hi[6] * px + hi[7] * py + hi[8];
                    double u = (hi[0] * px + hi[1] * py + hi[2]) / z;
                    double v = (hi[3] * px + hi[4] * py + hi[5]) / z;
                    acc += reflectance(qr, u, v, ink, quiet, bg);
                }
            }
            rng = rng * 1103515245u + 12345u;
            double nz = ((int)((rng >> 16) % 2001) - 1000) / 1000.0 * noise;
            long g = lround(255 * acc / (SS * SS) + nz);
            pix[(size_t)y * w + x] = (uint8_t)(g < 0 ? 0 : (g > 255 ? 255 : g));
        }
    }
    QRcode_free(qr);
    return pix;
}

static int save(const char *dir, const char *name, const uint8_t *pix, int w, int h)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (borne_image_save_png(path, pix, w, h, w) != BORNE_OK) {
        fprintf(stderr, "make_photos: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_photos DIR\n");
        return 2;
    }
    int rc = 0;
    /* a card seen at a grazing angle: the code's sides meet at about 40 degrees, in perspective */
    const double sliver[8] = {155.1, 141.8, 249.1, 100.5, 105.0, 244.6, 193.2, 187.5};
    uint8_t *pix =
        draw(BORNE_PHOTO_SHEARED_TEXT, QR_ECLEVEL_M, 350, 350, sliver, 0, 4, 0.75, 1, 20261206);
    rc |= save(argv[1], "sheared.png", pix, 350, 350);
    free(pix);
    /* a small print scanned to black and white: 3 pixels a module, the ink spread by a sixth of
     * a module each side, ragged edges */
    QRcode *qr = QRcode_encodeString(BORNE_PHOTO_PRINT_TEXT, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
    int n = qr->width, side = (n + 6) * 3 + 10;
    QRcode_free(qr);
    const double flat[8] = {14 + 3 * 3.5,       14 + 3 * 3.5,      14 + 3 * (n - 3.5),
                            14 + 3 * 3.5,       14 + 3 * 3.5,      14 + 3 * (n - 3.5),
                            14 + 3 * (n - 3.5), 14 + 3 * (n - 3.5)};
    pix = draw(BORNE_PHOTO_PRINT_TEXT, QR_ECLEVEL_L, side, side, flat, 0.17, 2, 0.9, 40, 1);
    for (int i = 0; i < side * side; i++) {
        pix[i] = pix[i] < 128 ? 0 : 255;
    }
    rc |= save(argv[1], "print-3px.png", pix, side, side);
    free(pix);
    return rc;
}
