/* QR matrices from bytes, through libqrencode (see qr.h for the contract). */
#define LOG_MODULE "qr"

#include "badge/qr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "core/log.h"

static borne_err err_from_errno(int e)
{
    if (e == ENOMEM) {
        return BORNE_ERR_NOMEM;
    }
    if (e == ERANGE) {
        return BORNE_ERR_TOO_LARGE;
    }
    return BORNE_ERR_INVALID;
}

borne_err borne_qr_encode(const char *text, size_t len, borne_qr *out)
{
    if (out == NULL) {
        return BORNE_ERR_INVALID;
    }
    *out = (borne_qr){0};
    if (text == NULL || len == 0) {
        return BORNE_ERR_INVALID;
    }
    if (len > BORNE_QR_MAX_INPUT) {
        LOG_WARN("input of %zu bytes is over the %d-byte maximum", len, BORNE_QR_MAX_INPUT);
        return BORNE_ERR_TOO_LARGE;
    }

    QRcode *code = NULL;
    errno = 0;
    if (memchr(text, '\0', len) == NULL) {
        /* libqrencode wants a C string for its mode optimiser. */
        char *copy = malloc(len + 1);
        if (copy == NULL) {
            return BORNE_ERR_NOMEM;
        }
        memcpy(copy, text, len);
        copy[len] = '\0';
        /* hint QR_MODE_8: no Kanji guessing; casesensitive 1: never upper-case the input. */
        code = QRcode_encodeString(copy, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
        free(copy);
    } else {
        code = QRcode_encodeData((int)len, (const unsigned char *)text, 0, QR_ECLEVEL_M);
    }
    if (code == NULL) {
        borne_err err = err_from_errno(errno);
        LOG_WARN("libqrencode failed on %zu bytes: %s", len, borne_strerror(err));
        return err;
    }

    size_t n = (size_t)code->width * (size_t)code->width;
    uint8_t *modules = malloc(n);
    if (modules == NULL) {
        QRcode_free(code);
        return BORNE_ERR_NOMEM;
    }
    /* libqrencode packs flags in each byte; bit 0 is "dark". */
    for (size_t i = 0; i < n; i++) {
        modules[i] = (uint8_t)(code->data[i] & 1u);
    }
    out->size = code->width;
    out->version = code->version;
    out->modules = modules;
    QRcode_free(code);
    return BORNE_OK;
}

void borne_qr_clear(borne_qr *qr)
{
    if (qr == NULL) {
        return;
    }
    free(qr->modules);
    *qr = (borne_qr){0};
}

int borne_qr_version(const borne_qr *qr)
{
    if (qr == NULL || qr->modules == NULL) {
        return 0;
    }
    return qr->version;
}

int borne_qr_dark(const borne_qr *qr, int x, int y)
{
    if (qr == NULL || qr->modules == NULL || x < 0 || y < 0 || x >= qr->size || y >= qr->size) {
        return 0;
    }
    return qr->modules[(size_t)y * (size_t)qr->size + (size_t)x];
}
