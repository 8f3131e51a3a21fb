/* Test helper: "types" ASCII text as a US-keyboard scanner would, as evdev events.
 *
 * The table here is written independently of src/scan/keymap_us.c, from the physical rows of a
 * US keyboard, so the tests compare two separate descriptions of the layout. */
#ifndef BORNE_TESTS_SCAN_KEYTYPE_H
#define BORNE_TESTS_SCAN_KEYTYPE_H

#include <linux/input.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Key rows of a US keyboard: first key code of the row, unshifted and shifted characters. */
static const struct keytype_row {
    int first_code;
    const char *plain;
    const char *shifted;
} keytype_rows[] = {
    {KEY_1, "1234567890-=", "!@#$%^&*()_+"},
    {KEY_Q, "qwertyuiop[]", "QWERTYUIOP{}"},
    {KEY_A, "asdfghjkl;'`", "ASDFGHJKL:\"~"},
    {KEY_BACKSLASH, "\\zxcvbnm,./", "|ZXCVBNM<>?"},
    {KEY_SPACE, " ", " "},
};

/* Key code and shift for c; false if a US keyboard has no key for it. */
static inline bool keytype_lookup(char c, int *code, bool *shift)
{
    for (size_t r = 0; r < sizeof(keytype_rows) / sizeof(keytype_rows[0]); r++) {
        const char *p = strchr(keytype_rows[r].plain, c);
        if (p && c) {
            *code = keytype_rows[r].first_code + (int)(p - keytype_rows[r].plain);
            *shift = false;
            return true;
        }
        p = strchr(keytype_rows[r].shifted, c);
        if (p && c) {
            *code = keytype_rows[r].first_code + (int)(p - keytype_rows[r].shifted);
            *shift = true;
            return true;
        }
    }
    return false;
}

static inline size_t keytype_put(struct input_event *ev, size_t n, int type, int code, int value)
{
    memset(&ev[n], 0, sizeof(ev[n]));
    ev[n].type = (unsigned short)type;
    ev[n].code = (unsigned short)code;
    ev[n].value = value;
    return n + 1;
}

/* Events for text followed by Enter (if enter), with SYN_REPORTs as a real keyboard sends.
 * ev must hold 8 * (strlen(text) + 1) events. Returns how many were written. */
static inline size_t keytype_text(const char *text, bool enter, struct input_event *ev)
{
    size_t n = 0;
    for (const char *c = text; *c; c++) {
        int code = 0;
        bool shift = false;
        if (!keytype_lookup(*c, &code, &shift)) {
            continue;
        }
        if (shift) {
            n = keytype_put(ev, n, EV_KEY, KEY_LEFTSHIFT, 1);
        }
        n = keytype_put(ev, n, EV_MSC, MSC_SCAN, 0x70000);
        n = keytype_put(ev, n, EV_KEY, code, 1);
        n = keytype_put(ev, n, EV_SYN, SYN_REPORT, 0);
        n = keytype_put(ev, n, EV_KEY, code, 0);
        if (shift) {
            n = keytype_put(ev, n, EV_KEY, KEY_LEFTSHIFT, 0);
        }
        n = keytype_put(ev, n, EV_SYN, SYN_REPORT, 0);
    }
    if (enter) {
        n = keytype_put(ev, n, EV_KEY, KEY_ENTER, 1);
        n = keytype_put(ev, n, EV_KEY, KEY_ENTER, 0);
        n = keytype_put(ev, n, EV_SYN, SYN_REPORT, 0);
    }
    return n;
}

#endif
