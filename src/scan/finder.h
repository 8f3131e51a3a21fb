/* QR finder patterns (the three 7x7 squares in a code's corners) in a grey image, and the
 * geometry built on them: where the code lies (for the decoder's DENSE crop) and, in unwarp.h,
 * a fitted grid for codes zbar cannot read as they are.
 *
 * A finder pattern crosses its centre as runs of 1:1:3:1:1 modules in every direction. The image
 * (normalised: threshold 128) is searched row by row; a row pattern confirmed by a column pattern
 * through its centre is a candidate, and candidates close together merge into one finder. */
#ifndef BORNE_SCAN_FINDER_H
#define BORNE_SCAN_FINDER_H

#include <stdint.h>

#define QR_MAX_FINDERS 128

struct qr_finder {
    int sx, sy, st; /* sums of centre x, y and pattern width (7 modules) */
    int n;          /* confirmations merged into it */
    int dark;       /* centre dark in the image searched */
};

/* Collects up to max finders in img (w x h, packed, normalised). Returns their number. */
int qr_find_finders(const uint8_t *img, int w, int h, struct qr_finder *f, int max);

/* Picks the likeliest code among the finders (the one with most confirmations from itself and
 * the finders that could share a code with it: same polarity, similar module size, 10 to 60
 * modules apart) and returns its box in img coordinates, grown to hold the whole code. Returns
 * 0 when nothing looks like a code. *dark is 1 when the code's finder centres are dark. */
int qr_finder_box(const struct qr_finder *f, int nf, int w, int h, int *bx0, int *by0, int *bx1,
                  int *by1, int *dark);

#endif
