/* Tests of src/scan/keymap_us.c: the fixed US key table and the keyboard-mode decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "scan/keymap_us.h"
#include "scan/keytype.h"

/* Every printable ASCII character has exactly the key the independent table gives, and the
 * table maps back to it. */
static void test_table_matches_us_layout(void **state)
{
    (void)state;
    for (int c = 0x20; c < 0x7f; c++) {
        int code = 0;
        bool shift = false;
        assert_true(keytype_lookup((char)c, &code, &shift));
        assert_int_equal(borne_keymap_us((uint16_t)code, shift), c);
    }
    assert_int_equal(borne_keymap_us(KEY_TAB, false), '\t');
    assert_int_equal(borne_keymap_us(KEY_ENTER, false), BORNE_KEY_ENTER);
    assert_int_equal(borne_keymap_us(KEY_KPENTER, true), BORNE_KEY_ENTER);
}

/* Exhaustive over every key code and both Shift states: only known outputs, and each code that
 * gives a character on the main block gives what the independent table says. */
static void test_every_code(void **state)
{
    (void)state;
    int seen[128] = {0};
    for (int code = 0; code <= KEY_MAX; code++) {
        for (int shift = 0; shift < 2; shift++) {
            int c = borne_keymap_us((uint16_t)code, shift);
            if (c == BORNE_KEY_NONE) {
                continue;
            }
            if (c == BORNE_KEY_ENTER) {
                assert_true(code == KEY_ENTER || code == KEY_KPENTER);
                continue;
            }
            assert_true(c == '\t' || (c >= 0x20 && c < 0x7f));
            seen[c]++;
            int want_code = 0;
            bool want_shift = false;
            bool keypad = code == KEY_KPASTERISK || (code >= KEY_KP7 && code <= KEY_KPDOT) ||
                          code == KEY_KPSLASH;
            if (!keypad && c != '\t') {
                assert_true(keytype_lookup((char)c, &want_code, &want_shift));
                assert_int_equal(want_code, code);
                if (c != ' ') {
                    assert_int_equal(want_shift, shift);
                }
            }
        }
    }
    for (int c = 0x20; c < 0x7f; c++) {
        assert_true(seen[c] > 0);
    }
    /* Letters are reachable from exactly one key in each case. */
    for (int c = 'a'; c <= 'z'; c++) {
        assert_int_equal(seen[c], 1);
        assert_int_equal(seen[c - 32], 1);
    }
    /* Keypad: digits and operators whatever Shift says. */
    assert_int_equal(borne_keymap_us(KEY_KP0, true), '0');
    assert_int_equal(borne_keymap_us(KEY_KP9, false), '9');
    assert_int_equal(borne_keymap_us(KEY_KPSLASH, false), '/');
    assert_int_equal(borne_keymap_us(KEY_KPMINUS, false), '-');
    /* Keys a scanner never types give nothing. */
    assert_int_equal(borne_keymap_us(KEY_F1, false), BORNE_KEY_NONE);
    assert_int_equal(borne_keymap_us(KEY_CAPSLOCK, false), BORNE_KEY_NONE);
    assert_int_equal(borne_keymap_us(KEY_102ND, false), BORNE_KEY_NONE);
    assert_int_equal(borne_keymap_us(0xffff, false), BORNE_KEY_NONE);
}

/* Decode a stream of events into a string; returns its length, -1 if Enter never came. */
static int decode_events(const struct input_event *ev, size_t n, char *out, size_t cap)
{
    struct borne_keydec kd;
    borne_keydec_init(&kd);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        int c = borne_keydec_feed(&kd, ev[i].type, ev[i].code, ev[i].value);
        if (c == BORNE_KEY_ENTER) {
            out[len] = '\0';
            return (int)len;
        }
        if (c >= 0 && len + 1 < cap) {
            out[len++] = (char)c;
        }
    }
    return -1;
}

static void test_decoder_types_all_ascii(void **state)
{
    (void)state;
    char text[96];
    size_t k = 0;
    for (int c = 0x20; c < 0x7f; c++) {
        text[k++] = (char)c;
    }
    text[k] = '\0';
    struct input_event *ev = calloc(8 * (k + 1), sizeof(*ev));
    assert_non_null(ev);
    size_t n = keytype_text(text, true, ev);
    char out[128];
    assert_int_equal(decode_events(ev, n, out, sizeof(out)), (int)k);
    assert_string_equal(out, text);
    /* A signed Borne badge token alphabet (Base45-ish: upper case, digits, " $%*+-./:"). */
    n = keytype_text("BRN1:7Q*%$ +-./XYZ", true, ev);
    assert_int_equal(decode_events(ev, n, out, sizeof(out)), 18);
    assert_string_equal(out, "BRN1:7Q*%$ +-./XYZ");
    free(ev);
}

static void test_decoder_modifiers(void **state)
{
    (void)state;
    struct borne_keydec kd;
    borne_keydec_init(&kd);
    /* Right Shift works as well as left. */
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_RIGHTSHIFT, 1), BORNE_KEY_NONE);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_A, 1), 'A');
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_A, 0), BORNE_KEY_NONE);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_RIGHTSHIFT, 0), BORNE_KEY_NONE);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_A, 1), 'a');
    /* Both shifts: releasing one keeps upper case. */
    borne_keydec_feed(&kd, EV_KEY, KEY_LEFTSHIFT, 1);
    borne_keydec_feed(&kd, EV_KEY, KEY_RIGHTSHIFT, 1);
    borne_keydec_feed(&kd, EV_KEY, KEY_LEFTSHIFT, 0);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_2, 1), '@');
    borne_keydec_feed(&kd, EV_KEY, KEY_RIGHTSHIFT, 0);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_2, 1), '2');
    /* Key repeats are ignored, releases give nothing, other event types are ignored. */
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_B, 2), BORNE_KEY_NONE);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_B, 0), BORNE_KEY_NONE);
    assert_int_equal(borne_keydec_feed(&kd, EV_MSC, KEY_B, 1), BORNE_KEY_NONE);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_B, 7), BORNE_KEY_NONE);
    /* Caps Lock does not change anything. */
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_CAPSLOCK, 1), BORNE_KEY_NONE);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_CAPSLOCK, 0), BORNE_KEY_NONE);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_Q, 1), 'q');
    /* Ctrl: GS1's group separator is Ctrl+], Ctrl+A is 0x01; Ctrl+digit gives nothing. */
    borne_keydec_feed(&kd, EV_KEY, KEY_LEFTCTRL, 1);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_RIGHTBRACE, 1), 0x1d);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_A, 1), 0x01);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_Z, 1), 0x1a);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_LEFTBRACE, 1), 0x1b);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_BACKSLASH, 1), 0x1c);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_5, 1), BORNE_KEY_NONE);
    borne_keydec_feed(&kd, EV_KEY, KEY_LEFTCTRL, 0);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_A, 1), 'a');
    /* Enter and keypad Enter end a code, with or without modifiers. */
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_ENTER, 1), BORNE_KEY_ENTER);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_KPENTER, 1), BORNE_KEY_ENTER);
}

/* Alt + keypad digits: the byte on releasing Alt. */
static int alt_code(struct borne_keydec *kd, uint16_t alt, const int *digits, size_t n)
{
    static const uint16_t kp[10] = {KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4,
                                    KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9};
    assert_int_equal(borne_keydec_feed(kd, EV_KEY, alt, 1), BORNE_KEY_NONE);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(borne_keydec_feed(kd, EV_KEY, kp[digits[i]], 1), BORNE_KEY_NONE);
        assert_int_equal(borne_keydec_feed(kd, EV_KEY, kp[digits[i]], 0), BORNE_KEY_NONE);
    }
    return borne_keydec_feed(kd, EV_KEY, alt, 0);
}

static void test_decoder_alt_codes(void **state)
{
    (void)state;
    struct borne_keydec kd;
    borne_keydec_init(&kd);
    /* Every byte value, with and without a leading zero, on both Alt keys. */
    for (int v = 0; v <= 255; v++) {
        int d3[4] = {0, v / 100, (v / 10) % 10, v % 10};
        assert_int_equal(alt_code(&kd, KEY_LEFTALT, d3, 4), v);
        assert_int_equal(alt_code(&kd, KEY_RIGHTALT, d3 + 1, 3), v);
    }
    /* Too large, or no digits: nothing. */
    int big[3] = {2, 5, 6};
    assert_int_equal(alt_code(&kd, KEY_LEFTALT, big, 3), BORNE_KEY_NONE);
    int endless[12] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    assert_int_equal(alt_code(&kd, KEY_LEFTALT, endless, 12), BORNE_KEY_NONE);
    assert_int_equal(alt_code(&kd, KEY_LEFTALT, NULL, 0), BORNE_KEY_NONE);
    /* Non-keypad keys under Alt give nothing; after Alt, normal typing again. */
    borne_keydec_feed(&kd, EV_KEY, KEY_LEFTALT, 1);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_X, 1), BORNE_KEY_NONE);
    borne_keydec_feed(&kd, EV_KEY, KEY_LEFTALT, 0);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_X, 1), 'x');
    /* Both Alt keys: the code completes when the last one is released. */
    borne_keydec_feed(&kd, EV_KEY, KEY_LEFTALT, 1);
    borne_keydec_feed(&kd, EV_KEY, KEY_RIGHTALT, 1);
    borne_keydec_feed(&kd, EV_KEY, KEY_KP6, 1);
    borne_keydec_feed(&kd, EV_KEY, KEY_KP5, 1);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_RIGHTALT, 0), BORNE_KEY_NONE);
    assert_int_equal(borne_keydec_feed(&kd, EV_KEY, KEY_LEFTALT, 0), 'A');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_matches_us_layout), cmocka_unit_test(test_every_code),
        cmocka_unit_test(test_decoder_types_all_ascii), cmocka_unit_test(test_decoder_modifiers),
        cmocka_unit_test(test_decoder_alt_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
