/* Pixel-format conversions from camera buffers to the grey (luma) plane the decoder reads.
 *
 * Pure functions: no I/O, no allocation. Every length coming from a driver (bytesused) is checked
 * against the geometry before a byte is read. */
#ifndef BORNE_SCAN_PIXFMT_H
#define BORNE_SCAN_PIXFMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Packed YUYV 4:2:2 (Y0 U Y1 V ...) to 8-bit luma: keeps every Y byte.
 * src holds src_len bytes, rows src_stride apart (src_stride >= 2 * width); dst rows are
 * dst_stride apart (dst_stride >= width). BORNE_ERR_INVALID on bad geometry
 * (sizes <= 0 or > 16384, strides too small), BORNE_ERR_PARSE when src_len is too short for the
 * geometry (a truncated buffer). */
borne_err borne_pixfmt_yuyv_to_luma(const uint8_t *src, size_t src_len, int width, int height,
                                    int src_stride, uint8_t *dst, int dst_stride);

/* 8-bit grey (V4L2 GREY) copy with the same checks (src_stride >= width). */
borne_err borne_pixfmt_grey_copy(const uint8_t *src, size_t src_len, int width, int height,
                                 int src_stride, uint8_t *dst, int dst_stride);

#endif
