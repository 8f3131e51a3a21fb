/* Fuzz target: arbitrary bytes through the scanner line assembler (as a serial scanner sends
 * them) and, read as key events, through the US keyboard decoder feeding the same assembler.
 * Checks the invariants a caller relies on: codes are 1..BORNE_SCAN_TEXT_MAX bytes,
 * NUL-terminated, and a serial code never contains its terminator. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/keymap_us.h"
#include "scan/scanner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_done(const struct borne_scanline *sl, int serial)
{
    size_t len = 0;
    const char *text = borne_scanline_text(sl, &len);
    if (len == 0 || len > BORNE_SCAN_TEXT_MAX || text[len] != '\0') {
        abort();
    }
    if (serial && (memchr(text, '\r', len) || memchr(text, '\n', len))) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct borne_scanline sl; /* large; reinitialised on every input */

    /* 1. Serial bytes. Time advances by 1 ms per byte, 200 ms after each 0xfe byte, and the
     *    timeout is checked before each byte, as borne_scanner_next() does. */
    borne_scanline_init(&sl, 150u * 1000000u);
    uint64_t now = 1;
    for (size_t i = 0; i < size; i++) {
        now += data[i] == 0xfe ? 200u * 1000000u : 1000000u;
        if (borne_scanline_expire(&sl, now) == BORNE_SCANLINE_DONE) {
            check_done(&sl, 1);
        }
        /* A 0xff byte stands for 5000 x bytes, so small inputs reach the length cap. */
        int repeat = (data[i] == 0xff) ? 5000 : 1;
        for (int r = 0; r < repeat; r++) {
            if (borne_scanline_serial(&sl, data[i] == 0xff ? 'x' : data[i], now) ==
                BORNE_SCANLINE_DONE) {
                check_done(&sl, 1);
            }
        }
    }
    if (borne_scanline_expire(&sl, UINT64_MAX) == BORNE_SCANLINE_DONE) {
        check_done(&sl, 1);
    }

    /* 2. The same bytes as key events of 4 bytes: type, code (2 bytes), value. */
    struct borne_keydec kd;
    borne_keydec_init(&kd);
    borne_scanline_init(&sl, 150u * 1000000u);
    now = 1;
    for (size_t i = 0; i + 4 <= size; i += 4) {
        uint16_t type = (uint16_t)(data[i] % 5); /* EV_SYN, EV_KEY, EV_REL, EV_ABS, EV_MSC */
        uint16_t code = (uint16_t)(data[i + 1] | (data[i + 2] << 8));
        if (data[i + 2] & 0x80) {
            code &= 0xff; /* favour the keys a scanner uses */
        }
        int32_t value = (int32_t)(data[i + 3] % 4) - 1;
        int c = borne_keydec_feed(&kd, type, code, value);
        if (c < BORNE_KEY_ENTER || c > 255) {
            abort();
        }
        now += 1000000u;
        enum borne_scanline_result r = BORNE_SCANLINE_NONE;
        if (c == BORNE_KEY_ENTER) {
            r = borne_scanline_end(&sl);
        } else if (c >= 0) {
            r = borne_scanline_byte(&sl, (uint8_t)c, now);
        }
        if (r == BORNE_SCANLINE_DONE) {
            check_done(&sl, 0);
        }
        int plain = borne_keymap_us(code, value & 1);
        if (plain != BORNE_KEY_NONE && plain != BORNE_KEY_ENTER && (plain < 9 || plain > 126)) {
            abort();
        }
    }
    return 0;
}
