/* libFuzzer target for core/textenc: any bytes through borne_text_decode() with a small cap.
 * Checks its promises: on success the output is well-formed UTF-8 of at most the cap, NUL-
 * terminated, and valid UTF-8 input without a byte order mark or zero bytes comes back as it
 * was (less a trailing Ctrl-Z); on failure there is no output and a message. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "core/textenc.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = 4096;
    char *out = NULL;
    size_t out_len = 0;
    borne_text_encoding enc;
    char msg[256];
    msg[0] = '\0';
    borne_err err =
        borne_text_decode((const char *)data, size, cap, &out, &out_len, &enc, msg, sizeof(msg));
    if (err) {
        CHECK(out == NULL);
        CHECK(err == BORNE_ERR_PARSE || err == BORNE_ERR_TOO_LARGE || err == BORNE_ERR_UNSUPPORTED);
        CHECK(msg[0] != '\0');
        return 0;
    }
    CHECK(out != NULL);
    CHECK(out_len <= cap && out[out_len] == '\0');
    CHECK(borne_utf8_valid(out, out_len, NULL));
    CHECK(borne_text_encoding_name(enc) != NULL);
    bool plain = size < 2 ||
                 !((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF) ||
                   (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF));
    if (plain && !memchr(data, 0, size) && borne_utf8_valid((const char *)data, size, NULL)) {
        CHECK(enc == BORNE_TEXT_UTF8);
        CHECK(out_len <= size && memcmp(out, data, out_len) == 0);
    }
    free(out);
    return 0;
}
