/* libFuzzer target for the web console's parsers (src/console/parse.h): the input, split at its
 * first NUL into a header and a body, goes through the Cookie header reader, the form-body
 * reader and the next= check. Promises checked: outputs bounded and NUL-terminated, cookie values
 * printable ASCII without ';', form values clean UTF-8 without NUL or other control characters
 * (tab, CR and LF allowed), a refused form value left empty, a "safe" next= starts with a single
 * '/'. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "console/parse.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy) {
        return 0;
    }
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *header = copy;
    size_t hlen = strlen(copy);
    const char *body = hlen < size ? copy + hlen + 1 : "";
    size_t blen = hlen < size ? size - hlen - 1 : 0;

    static const char *const names[] = {"borne_session", "borne_lang", "a",    "csrf",
                                        "name",          "password",   "next", ""};
    size_t caps[] = {1, 2, 8, 65, 300};
    for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
        for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
            char out[300];
            memset(out, 'x', sizeof(out));
            if (borne_console_cookie(header, names[n], out, caps[c])) {
                size_t len = strlen(out);
                CHECK(len > 0 && len < caps[c]);
                for (size_t i = 0; i < len; i++) {
                    CHECK(out[i] > 0x20 && out[i] < 0x7f && out[i] != ';');
                }
            }
            memset(out, 'x', sizeof(out));
            if (borne_console_form(body, blen, names[n], out, caps[c])) {
                size_t len = strlen(out);
                CHECK(len < caps[c]);
                CHECK(borne_utf8_valid(out, len, NULL));
                for (size_t i = 0; i < len; i++) {
                    unsigned char ch = (unsigned char)out[i];
                    CHECK(ch >= 0x20 || ch == '\t' || ch == '\r' || ch == '\n');
                    CHECK(ch != 0x7f);
                }
                if (borne_console_safe_next(out)) {
                    CHECK(out[0] == '/' && out[1] != '/' && out[1] != '\\');
                }
            } else {
                CHECK(out[0] == '\0'); /* refused: nothing half-decoded left behind */
            }
        }
    }
    if (borne_console_safe_next(header)) {
        CHECK(header[0] == '/' && header[1] != '/');
        CHECK(strncmp(header, "/v1/", 4) != 0);
    }
    free(copy);
    return 0;
}
