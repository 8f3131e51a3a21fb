/* Base45 encoding and decoding (RFC 9285). */
#include "core/base45.h"

static const char alphabet[45] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

static int char_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A' + 10;
    }
    switch (c) {
    case ' ':
        return 36;
    case '$':
        return 37;
    case '%':
        return 38;
    case '*':
        return 39;
    case '+':
        return 40;
    case '-':
        return 41;
    case '.':
        return 42;
    case '/':
        return 43;
    case ':':
        return 44;
    default:
        return -1;
    }
}

size_t borne_base45_encoded_len(size_t len)
{
    return (len / 2) * 3 + (len % 2) * 2;
}

borne_err borne_base45_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    size_t need = borne_base45_encoded_len(len);
    if (cap < need + 1) {
        return BORNE_ERR_TOO_LARGE;
    }
    size_t o = 0;
    size_t i = 0;
    for (; i + 1 < len; i += 2) {
        unsigned n = (unsigned)in[i] * 256u + in[i + 1];
        out[o++] = alphabet[n % 45];
        out[o++] = alphabet[(n / 45) % 45];
        out[o++] = alphabet[n / (45 * 45)];
    }
    if (i < len) {
        unsigned n = in[i];
        out[o++] = alphabet[n % 45];
        out[o++] = alphabet[n / 45];
    }
    out[o] = '\0';
    return BORNE_OK;
}

borne_err borne_base45_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (len % 3 == 1) {
        return BORNE_ERR_PARSE;
    }
    size_t need = (len / 3) * 2 + (len % 3 == 2 ? 1 : 0);
    if (cap < need) {
        return BORNE_ERR_TOO_LARGE;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        size_t chunk = len - i >= 3 ? 3 : 2;
        unsigned n = 0;
        unsigned weight = 1;
        for (size_t k = 0; k < chunk; k++) {
            int v = char_value((unsigned char)in[i + k]);
            if (v < 0) {
                return BORNE_ERR_PARSE;
            }
            n += (unsigned)v * weight;
            weight *= 45;
        }
        if (chunk == 3) {
            if (n > 0xffff) {
                return BORNE_ERR_PARSE;
            }
            out[o++] = (uint8_t)(n >> 8);
            out[o++] = (uint8_t)(n & 0xff);
        } else {
            if (n > 0xff) {
                return BORNE_ERR_PARSE;
            }
            out[o++] = (uint8_t)n;
        }
    }
    *out_len = o;
    return BORNE_OK;
}
