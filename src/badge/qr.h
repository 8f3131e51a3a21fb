/* QR code matrices for Borne: the badge renderer draws them on paper, the kiosk shows a
 * participant their own code on screen, bornectl may print setup codes.
 *
 * A borne_qr is a plain value the caller owns: fill it with borne_qr_encode(), read `size`
 * and `modules` directly, and release it with borne_qr_clear(). The matrix holds the symbol
 * only; whoever draws it must add the quiet zone (BORNE_QR_QUIET_ZONE light modules on every
 * side) around it.
 *
 * Encoding: error correction level M, smallest version that fits. Text without NUL bytes is
 * handed to libqrencode's mode optimiser (numeric, alphanumeric and 8-bit segments, case
 * preserved), so a Borne token ("BN1:" + Base45) comes out in alphanumeric mode and stays a
 * small symbol (version 6 or lower for a 130-character token). Bytes containing NUL are
 * encoded in 8-bit mode. */
#ifndef BORNE_BADGE_QR_H
#define BORNE_BADGE_QR_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Hard maximum of input bytes. Larger inputs return BORNE_ERR_TOO_LARGE: beyond this the
 * symbol (about version 30) is too dense to scan from a badge or a kiosk screen anyway. */
#define BORNE_QR_MAX_INPUT 1024

/* Light modules a reader needs around the symbol (ISO/IEC 18004). */
#define BORNE_QR_QUIET_ZONE 4

typedef struct borne_qr {
    int size;         /* modules per side (21 for version 1 ... 177 for version 40); 0 if empty */
    int version;      /* QR version 1..40; 0 if empty */
    uint8_t *modules; /* size*size bytes, row-major, 1 = dark, 0 = light; owned by the value */
} borne_qr;

/* Encodes `len` bytes of `text` (need not be NUL-terminated) into `out`, which is overwritten
 * (clear it first if it held a matrix). On error `out` is left empty ({0, 0, NULL}).
 * Errors: BORNE_ERR_INVALID (NULL arguments or len 0), BORNE_ERR_TOO_LARGE (over
 * BORNE_QR_MAX_INPUT or over a version-40 symbol), BORNE_ERR_NOMEM. */
borne_err borne_qr_encode(const char *text, size_t len, borne_qr *out);

/* Frees the matrix and leaves `qr` empty. Accepts NULL and an empty value. */
void borne_qr_clear(borne_qr *qr);

/* QR version (1..40) of an encoded matrix, 0 for NULL or an empty value. */
int borne_qr_version(const borne_qr *qr);

/* 1 if the module at column x, row y is dark; 0 if light or outside the symbol (so callers
 * may read the quiet zone with negative or too-large coordinates). */
int borne_qr_dark(const borne_qr *qr, int x, int y);

#endif
