/* libFuzzer target: camera frames through the QR decoder (src/scan/decoder.c, finder.c,
 * unwarp.c) must never crash, hang, leak or read out of bounds, whatever the pixels.
 *
 * Input: the first byte picks the frame:
 *   even: a raw frame: bytes 1-2 width, 3-4 height (each folded into 21..240), then pixels,
 *         repeated to fill the frame;
 *   odd:  a QR code drawn by this file (so that the finder search, the grid fit and the
 *         redrawing get real structure to work on), turned, bowed, keystoned and scaled by
 *         bytes 1-5, with the remaining bytes added to the pixels as noise.
 * Each frame goes through the full strategy and through WARP alone (which has no time gate);
 * when bit 1 of the first byte is set, the full strategy runs in still-image mode (the passes of
 * bornectl decode: quiet zone, upscaling, binarisation, the camera's passes rerun). */
#include <math.h>
#include <qrencode.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "scan/decoder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fold(unsigned v)
{
    return 21 + (int)(v % 220);
}

static uint8_t *raw_frame(const uint8_t *data, size_t size, int *w, int *h)
{
    if (size < 6) {
        return NULL;
    }
    *w = fold(data[1] | (unsigned)data[2] << 8);
    *h = fold(data[3] | (unsigned)data[4] << 8);
    size_t n = (size_t)*w * *h;
    uint8_t *pix = malloc(n);
    if (!pix) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        pix[i] = data[5 + i % (size - 5)];
    }
    return pix;
}

static uint8_t *code_frame(const uint8_t *data, size_t size, int *w, int *h)
{
    if (size < 6) {
        return NULL;
    }
    static QRcode *qr;
    if (!qr) {
        qr = QRcode_encodeString("BN1:FUZZ-FRAME-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789ABCDEFGHIJKLMNOPQRSTUV",
                                 0, QR_ECLEVEL_M, QR_MODE_8, 1);
        if (!qr) {
            return NULL;
        }
    }
    *w = 200;
    *h = 160;
    double angle = data[1] * (6.283185307179586 / 256);
    double bow = (data[2] - 128) / 32.0;       /* -4 .. 4 modules */
    double keystone = (data[3] - 128) / 256.0; /* -0.5 .. 0.5 */
    double mod = 1.5 + data[4] / 80.0;         /* 1.5 .. 4.7 pixels a module */
    int inverted = data[5] & 1;
    int n = qr->width;
    uint8_t *pix = malloc((size_t)*w * *h);
    if (!pix) {
        return NULL;
    }
    double ca = cos(angle), sa = sin(angle);
    for (int y = 0; y < *h; y++) {
        for (int x = 0; x < *w; x++) {
            double px = x + 0.5 - *w / 2.0, py = y + 0.5 - *h / 2.0;
            px *= 1 + keystone * py / *h;
            double u = (ca * px + sa * py) / mod + n / 2.0,
                   v = (-sa * px + ca * py) / mod + n / 2.0;
            double t = (u - n / 2.0) / (n / 2.0);
            v -= bow * t * t;
            int dark = u >= 0 && v >= 0 && u < n && v < n && (qr->data[(int)v * n + (int)u] & 1);
            int level = dark ? 30 : 220;
            size_t i = (size_t)y * *w + x;
            if (size > 6) {
                level += (int)data[6 + i % (size - 6)] - 128;
            }
            level = level < 0 ? 0 : (level > 255 ? 255 : level);
            pix[i] = (uint8_t)(inverted ? 255 - level : level);
        }
    }
    return pix;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    borne_log_set_level(BORNE_LOG_ERROR);
    if (size < 1) {
        return 0;
    }
    int w = 0, h = 0;
    uint8_t *pix = data[0] & 1 ? code_frame(data, size, &w, &h) : raw_frame(data, size, &w, &h);
    if (!pix) {
        return 0;
    }
    borne_frame f = {.luma = pix, .width = w, .height = h, .stride = w};
    char text[256];
    size_t len = 0;
    for (int alone = 0; alone < 2; alone++) {
        struct borne_decoder *dec = NULL;
        if (borne_decoder_new(&dec) != BORNE_OK) {
            break;
        }
        if (!alone && (data[0] & 2)) {
            borne_decoder_set_still(dec, 1);
            borne_decoder_set_budget(dec, 0);
        }
        if (alone) {
            unsigned all = (1u << BORNE_PASS__COUNT) - 1;
            borne_decoder_set_disabled(dec, all & ~(1u << BORNE_PASS_WARP));
        }
        for (int i = 0; i < 2; i++) { /* a second frame uses the region of interest */
            if (borne_decoder_decode(dec, &f, text, sizeof(text), &len) && len >= sizeof(text)) {
                abort(); /* the decoder promised len < cap */
            }
        }
        borne_decoder_free(dec);
    }
    free(pix);
    return 0;
}
