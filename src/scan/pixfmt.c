/* Camera pixel formats to luma (see pixfmt.h). */
#include "scan/pixfmt.h"

#include <string.h>

/* Checks shared by both conversions; bpp is bytes per pixel in the source. */
static borne_err check_geometry(size_t src_len, int width, int height, int src_stride,
                                int dst_stride, int bpp)
{
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384) {
        return BORNE_ERR_INVALID;
    }
    if (src_stride < width * bpp || dst_stride < width) {
        return BORNE_ERR_INVALID;
    }
    size_t need = (size_t)src_stride * (size_t)(height - 1) + (size_t)width * (size_t)bpp;
    if (src_len < need) {
        return BORNE_ERR_PARSE;
    }
    return BORNE_OK;
}

borne_err borne_pixfmt_yuyv_to_luma(const uint8_t *src, size_t src_len, int width, int height,
                                    int src_stride, uint8_t *dst, int dst_stride)
{
    borne_err err = check_geometry(src_len, width, height, src_stride, dst_stride, 2);
    if (err) {
        return err;
    }
    for (int y = 0; y < height; y++) {
        const uint8_t *s = src + (size_t)y * (size_t)src_stride;
        uint8_t *d = dst + (size_t)y * (size_t)dst_stride;
        for (int x = 0; x < width; x++) {
            d[x] = s[2 * x];
        }
    }
    return BORNE_OK;
}

borne_err borne_pixfmt_grey_copy(const uint8_t *src, size_t src_len, int width, int height,
                                 int src_stride, uint8_t *dst, int dst_stride)
{
    borne_err err = check_geometry(src_len, width, height, src_stride, dst_stride, 1);
    if (err) {
        return err;
    }
    for (int y = 0; y < height; y++) {
        memcpy(dst + (size_t)y * (size_t)dst_stride, src + (size_t)y * (size_t)src_stride,
               (size_t)width);
    }
    return BORNE_OK;
}
