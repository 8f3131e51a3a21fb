/* Test helpers: decode QR codes with zbar (QR only) from a matrix, a grey buffer or a PNG,
 * and build realistic Borne tokens. */
#ifndef BORNE_TESTS_BADGE_DECODE_H
#define BORNE_TESTS_BADGE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "badge/qr.h"

/* Decodes the one QR code in a grey image into out (cap bytes, NUL-terminated).
 * Returns the decoded length, or -1 if zbar found no QR code or it did not fit. */
long test_decode_luma(const uint8_t *luma, int width, int height, char *out, size_t cap);

/* Renders the matrix with its quiet zone at `px` pixels per module, then decodes it. */
long test_decode_qr(const borne_qr *qr, int px, char *out, size_t cap);

/* Loads a PNG with cairo and decodes it; also returns its size through w and h. */
long test_decode_png(const char *path, int *w, int *h, char *out, size_t cap);

/* Writes "BN1:" + `n` deterministic Base45 characters (all of its alphabet appears). */
void test_make_token(char *out, size_t n, unsigned seed);

#endif
