/* Reading QR codes zbar cannot read as they are: a grid fitted to a bent or steeply tilted code,
 * then the code redrawn flat, module by module, for zbar to decode.
 *
 * zbar finds a code's grid from its finder patterns and one alignment pattern, assuming a flat
 * code under perspective, and gives up when a badge curls on its lanyard (the rows bow by a
 * module or more) or when a steep tilt leaves modules of 2-3 pixels. Here the grid is a model:
 * a homography (set by where four module points land in the image) plus a bow of the rows and
 * of the columns (each: even and growing towards the edges, i.e. barrel), fitted to the parts of
 * every QR code that are known in advance: the three finder patterns and their separators, the
 * two timing patterns, the alignment pattern, the dark module and the quiet zone next to the
 * code. The fit starts from the finder centres and a search for the alignment pattern, then
 * moves each parameter while the agreement with the known modules improves, at shrinking steps.
 * The grid then gives each module's centre; the module is sampled there and drawn black or white
 * with a quiet zone, and zbar decodes that clean picture (its Reed-Solomon decoding corrects the
 * modules sampled wrong, and rejects a wrong grid). See docs/decoder.md. */
#ifndef BORNE_SCAN_UNWARP_H
#define BORNE_SCAN_UNWARP_H

#include <stdint.h>

#include "scan/finder.h"

#define QR_UNWARP_MAX_VERSION 10 /* 57 modules: larger codes are left to zbar */
#define QR_UNWARP_SCALE       3  /* pixels per module in the redrawn code */
#define QR_UNWARP_QUIET       4  /* modules of quiet zone around it */
#define QR_UNWARP_MAX_SIDE                                                                         \
    ((17 + 4 * QR_UNWARP_MAX_VERSION + 2 * QR_UNWARP_QUIET) * QR_UNWARP_SCALE)

/* A fitted grid: module coordinates (u right, v down, [0, n) over the code) to image pixels. */
struct qr_grid {
    int n;         /* modules per side (17 + 4 * version) */
    double q[8];   /* image x, y of the flat-plane points (3.5, 3.5), (n - 3.5, 3.5),
                      (3.5, n - 3.5), (n - 3.5, n - 3.5): the three finder centres and a fourth */
    double bow[4]; /* rows: even, barrel; columns: even, barrel (in modules) */
    double fit;    /* agreement with the known modules: 1 perfect, 0 none, < 0 opposite */
};

/* Three finder centres that could be one code's corners: top left, top right, bottom left
 * (image pixels), with the module size seen at each, the mean module size along the code's
 * sides and the version their distances suggest. */
struct qr_corners {
    double x[3], y[3], m[3];
    double side_m[4]; /* module size at top left towards top right, at top right towards top
                         left, at top left towards bottom left, at bottom left towards top left */
    double module;
    int version;
};

/* The likeliest corner triples among the dark-centred finders f found in img (w x h, packed,
 * normalised, code dark on light): up to max into out, likeliest first; returns their number.
 * The finders must make an angle of 53-127 degrees at the top left one; `sheared` widens that to
 * 32-148 (still images: a code shot at a grazing angle, or sheared by an image editor). */
int qr_unwarp_corners(const uint8_t *img, int w, int h, const struct qr_finder *f, int nf,
                      int sheared, struct qr_corners *out, int max);

/* Fits a grid on a corner triple in the same image. 0 on success; -1 when nothing there fits a
 * QR code. */
int qr_unwarp_fit(const uint8_t *img, int w, int h, const struct qr_corners *corners,
                  struct qr_grid *out);

/* Image position of module point (u, v) under the grid. */
void qr_grid_map(const struct qr_grid *g, double u, double v, double *x, double *y);

/* Draws the code seen through the grid as black and white modules of QR_UNWARP_SCALE pixels with
 * a quiet zone, into out (at least QR_UNWARP_MAX_SIDE squared bytes). Returns the side. */
int qr_unwarp_render(const uint8_t *img, int w, int h, const struct qr_grid *g, uint8_t *out);

#endif
