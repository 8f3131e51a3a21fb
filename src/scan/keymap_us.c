/* The fixed US key table and the keyboard-mode decoder state machine (see keymap_us.h). */
#include "scan/keymap_us.h"

#include <linux/input-event-codes.h>
#include <stddef.h>

/* One row per key code: the byte without and with Shift (0 = not a character key). */
struct us_key {
    char plain;
    char shifted;
};

static const struct us_key us_table[KEY_KPDOT + 1] = {
    [KEY_1] = {'1', '!'},          [KEY_2] = {'2', '@'},          [KEY_3] = {'3', '#'},
    [KEY_4] = {'4', '$'},          [KEY_5] = {'5', '%'},          [KEY_6] = {'6', '^'},
    [KEY_7] = {'7', '&'},          [KEY_8] = {'8', '*'},          [KEY_9] = {'9', '('},
    [KEY_0] = {'0', ')'},          [KEY_MINUS] = {'-', '_'},      [KEY_EQUAL] = {'=', '+'},
    [KEY_TAB] = {'\t', '\t'},      [KEY_Q] = {'q', 'Q'},          [KEY_W] = {'w', 'W'},
    [KEY_E] = {'e', 'E'},          [KEY_R] = {'r', 'R'},          [KEY_T] = {'t', 'T'},
    [KEY_Y] = {'y', 'Y'},          [KEY_U] = {'u', 'U'},          [KEY_I] = {'i', 'I'},
    [KEY_O] = {'o', 'O'},          [KEY_P] = {'p', 'P'},          [KEY_LEFTBRACE] = {'[', '{'},
    [KEY_RIGHTBRACE] = {']', '}'}, [KEY_A] = {'a', 'A'},          [KEY_S] = {'s', 'S'},
    [KEY_D] = {'d', 'D'},          [KEY_F] = {'f', 'F'},          [KEY_G] = {'g', 'G'},
    [KEY_H] = {'h', 'H'},          [KEY_J] = {'j', 'J'},          [KEY_K] = {'k', 'K'},
    [KEY_L] = {'l', 'L'},          [KEY_SEMICOLON] = {';', ':'},  [KEY_APOSTROPHE] = {'\'', '"'},
    [KEY_GRAVE] = {'`', '~'},      [KEY_BACKSLASH] = {'\\', '|'}, [KEY_Z] = {'z', 'Z'},
    [KEY_X] = {'x', 'X'},          [KEY_C] = {'c', 'C'},          [KEY_V] = {'v', 'V'},
    [KEY_B] = {'b', 'B'},          [KEY_N] = {'n', 'N'},          [KEY_M] = {'m', 'M'},
    [KEY_COMMA] = {',', '<'},      [KEY_DOT] = {'.', '>'},        [KEY_SLASH] = {'/', '?'},
    [KEY_KPASTERISK] = {'*', '*'}, [KEY_SPACE] = {' ', ' '},      [KEY_KP7] = {'7', '7'},
    [KEY_KP8] = {'8', '8'},        [KEY_KP9] = {'9', '9'},        [KEY_KPMINUS] = {'-', '-'},
    [KEY_KP4] = {'4', '4'},        [KEY_KP5] = {'5', '5'},        [KEY_KP6] = {'6', '6'},
    [KEY_KPPLUS] = {'+', '+'},     [KEY_KP1] = {'1', '1'},        [KEY_KP2] = {'2', '2'},
    [KEY_KP3] = {'3', '3'},        [KEY_KP0] = {'0', '0'},        [KEY_KPDOT] = {'.', '.'},
};

int borne_keymap_us(uint16_t code, bool shift)
{
    if (code == KEY_ENTER || code == KEY_KPENTER) {
        return BORNE_KEY_ENTER;
    }
    if (code == KEY_KPSLASH) {
        return '/';
    }
    if (code >= sizeof(us_table) / sizeof(us_table[0])) {
        return BORNE_KEY_NONE;
    }
    char c = shift ? us_table[code].shifted : us_table[code].plain;
    if (c == 0) {
        return BORNE_KEY_NONE;
    }
    return (unsigned char)c;
}

void borne_keydec_init(struct borne_keydec *kd)
{
    *kd = (struct borne_keydec){0};
}

/* The digit 0..9 of a keypad digit key, else -1. */
static int keypad_digit(uint16_t code)
{
    switch (code) {
    case KEY_KP0:
        return 0;
    case KEY_KP1:
        return 1;
    case KEY_KP2:
        return 2;
    case KEY_KP3:
        return 3;
    case KEY_KP4:
        return 4;
    case KEY_KP5:
        return 5;
    case KEY_KP6:
        return 6;
    case KEY_KP7:
        return 7;
    case KEY_KP8:
        return 8;
    case KEY_KP9:
        return 9;
    default:
        return -1;
    }
}

/* Alt released: emit the byte typed as decimal keypad digits, if any and if it fits. */
static int finish_alt_code(struct borne_keydec *kd)
{
    int out = BORNE_KEY_NONE;
    if (kd->alt_digits > 0 && kd->alt_value <= 255) {
        out = kd->alt_value;
    }
    kd->alt_value = 0;
    kd->alt_digits = 0;
    return out;
}

int borne_keydec_feed(struct borne_keydec *kd, uint16_t type, uint16_t code, int32_t value)
{
    if (type != EV_KEY || (value != 0 && value != 1)) {
        return BORNE_KEY_NONE;
    }
    bool down = value == 1;
    switch (code) {
    case KEY_LEFTSHIFT:
        kd->lshift = down;
        return BORNE_KEY_NONE;
    case KEY_RIGHTSHIFT:
        kd->rshift = down;
        return BORNE_KEY_NONE;
    case KEY_LEFTCTRL:
        kd->lctrl = down;
        return BORNE_KEY_NONE;
    case KEY_RIGHTCTRL:
        kd->rctrl = down;
        return BORNE_KEY_NONE;
    case KEY_LEFTALT:
    case KEY_RIGHTALT: {
        bool was_alt = kd->lalt || kd->ralt;
        if (code == KEY_LEFTALT) {
            kd->lalt = down;
        } else {
            kd->ralt = down;
        }
        if (was_alt && !kd->lalt && !kd->ralt) {
            return finish_alt_code(kd);
        }
        if (!was_alt && down) {
            kd->alt_value = 0;
            kd->alt_digits = 0;
        }
        return BORNE_KEY_NONE;
    }
    default:
        break;
    }
    if (!down) {
        return BORNE_KEY_NONE;
    }
    if (kd->lalt || kd->ralt) {
        int digit = keypad_digit(code);
        if (digit >= 0) {
            /* Three digits suffice for 0..255 (often written with a leading 0: Alt+0065);
             * clamp so an endless run of digits cannot overflow. */
            if (kd->alt_value <= 255) {
                kd->alt_value = kd->alt_value * 10 + digit;
            }
            kd->alt_digits++;
        }
        return BORNE_KEY_NONE;
    }
    int c = borne_keymap_us(code, kd->lshift || kd->rshift);
    if (c == BORNE_KEY_ENTER || c == BORNE_KEY_NONE) {
        return c;
    }
    if (kd->lctrl || kd->rctrl) {
        /* Ctrl+A..Z -> 0x01..0x1a, Ctrl+[ \ ] -> 0x1b..0x1d; other Ctrl combinations mean
         * nothing to a scanner. */
        int plain = borne_keymap_us(code, false);
        if ((plain >= 'a' && plain <= 'z') || plain == '[' || plain == '\\' || plain == ']') {
            return plain & 0x1f;
        }
        return BORNE_KEY_NONE;
    }
    return c;
}
