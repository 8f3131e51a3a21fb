/* The bench's optional third reader: zxing-cpp (C++), behind a C interface so that the C bench
 * links it only when pkg-config finds it (BENCH_ZXING). */
#ifndef BORNE_BENCH_ZXING_READ_H
#define BORNE_BENCH_ZXING_READ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reads one QR code in a grey image (w x h, rows packed) with zxing-cpp's defaults (QR only).
 * Returns 1 and the text as UTF-8 in out (NUL-terminated, *len bytes), or 0. */
int bench_zxing_read(const uint8_t *grey, int w, int h, char *out, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
