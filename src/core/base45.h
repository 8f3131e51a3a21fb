/* Base45 (RFC 9285): bytes to text in the QR code alphanumeric alphabet.
 *
 * Two bytes become three characters, a last single byte two characters, so a QR code in
 * alphanumeric mode (5.5 bits per character) carries Base45 text almost as compactly as raw
 * bytes in byte mode, and scanners never mangle it. */
#ifndef BORNE_CORE_BASE45_H
#define BORNE_CORE_BASE45_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Characters needed to encode `len` bytes (without a terminating NUL). */
size_t borne_base45_encoded_len(size_t len);

/* Encodes `len` bytes into `out` (NUL-terminated). BORNE_ERR_TOO_LARGE when `cap` is too small. */
borne_err borne_base45_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/* Decodes `len` characters into `out`, setting *out_len. BORNE_ERR_PARSE on a character outside
 * the alphabet, a bad length (3k+1) or a triple over 65535; BORNE_ERR_TOO_LARGE when `cap` is too
 * small. Accepts any bytes as input. */
borne_err borne_base45_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                              size_t *out_len);

#endif
