/* zbar-based QR decoding for the badge tests (see decode.h). */
#include "decode.h"

#include <cairo.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

long test_decode_luma(const uint8_t *luma, int width, int height, char *out, size_t cap)
{
    zbar_image_scanner_t *scanner = zbar_image_scanner_create();
    zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)width, (unsigned)height);
    zbar_image_set_data(img, luma, (unsigned long)width * (unsigned long)height, NULL);
    long result = -1;
    if (zbar_scan_image(scanner, img) > 0) {
        const zbar_symbol_t *sym = zbar_image_first_symbol(img);
        if (sym != NULL && zbar_symbol_get_type(sym) == ZBAR_QRCODE) {
            unsigned len = zbar_symbol_get_data_length(sym);
            if (len < cap) {
                memcpy(out, zbar_symbol_get_data(sym), len);
                out[len] = '\0';
                result = (long)len;
            }
        }
    }
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(scanner);
    return result;
}

long test_decode_qr(const borne_qr *qr, int px, char *out, size_t cap)
{
    int side = (qr->size + 2 * BORNE_QR_QUIET_ZONE) * px;
    uint8_t *luma = malloc((size_t)side * (size_t)side);
    if (luma == NULL) {
        return -1;
    }
    for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
            int mx = x / px - BORNE_QR_QUIET_ZONE;
            int my = y / px - BORNE_QR_QUIET_ZONE;
            luma[(size_t)y * (size_t)side + (size_t)x] = borne_qr_dark(qr, mx, my) ? 0 : 255;
        }
    }
    long n = test_decode_luma(luma, side, side, out, cap);
    free(luma);
    return n;
}

long test_decode_png(const char *path, int *w, int *h, char *out, size_t cap)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return -1;
    }
    cairo_surface_flush(s);
    int width = cairo_image_surface_get_width(s);
    int height = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    uint8_t *luma = malloc((size_t)width * (size_t)height);
    long n = -1;
    if (luma != NULL) {
        for (int y = 0; y < height; y++) {
            const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * stride);
            for (int x = 0; x < width; x++) {
                uint32_t p = row[x];
                unsigned r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
                luma[(size_t)y * (size_t)width + (size_t)x] =
                    (uint8_t)((r * 299 + g * 587 + b * 114) / 1000);
            }
        }
        n = test_decode_luma(luma, width, height, out, cap);
        free(luma);
    }
    *w = width;
    *h = height;
    cairo_surface_destroy(s);
    return n;
}

void test_make_token(char *out, size_t n, unsigned seed)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    memcpy(out, "BN1:", 4);
    unsigned x = seed * 2654435761u + 1u;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        size_t k = i < sizeof alphabet - 1 ? i : (x >> 16) % (sizeof alphabet - 1);
        out[4 + i] = alphabet[k];
    }
    out[4 + n] = '\0';
}
