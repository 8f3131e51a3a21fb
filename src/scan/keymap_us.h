/* Keyboard-mode scanners: Linux key codes to bytes with a fixed US keyboard table.
 *
 * A USB 2D scanner in keyboard mode "types" the code as key presses, programmed as a US keyboard.
 * Reading the evdev device directly and decoding with this fixed table means the system layout
 * (e.g. Canadian French on a Québec kiosk) can never garble the text: the same key codes always
 * give the same bytes. Pure functions and a plain-value decoder state: no I/O.
 *
 * Besides printable ASCII the decoder understands what scanners actually send:
 *   - Shift (left or right) for upper case and symbols; Caps Lock is ignored (scanners send
 *     Shift explicitly);
 *   - Enter and keypad Enter as the end of a code;
 *   - keypad digits, '/', '*', '-', '+', '.' as their characters (whatever Num Lock says);
 *   - Ctrl + letter / [ \ ] as control bytes 0x01..0x1d (GS1 codes send GS as Ctrl+]);
 *   - Alt + keypad decimal digits, on releasing Alt, as that byte value 0..255 ("Alt mode",
 *     used by scanners to send bytes that have no key).
 * Key repeats (value 2) are ignored: a scanner always releases its keys. */
#ifndef BORNE_SCAN_KEYMAP_US_H
#define BORNE_SCAN_KEYMAP_US_H

#include <stdbool.h>
#include <stdint.h>

#define BORNE_KEY_NONE  (-1) /* nothing to emit */
#define BORNE_KEY_ENTER (-2) /* end of code */

/* The byte a US keyboard gives for key `code` (linux/input-event-codes.h) with or without Shift:
 * 0x09 or 0x20..0x7e, BORNE_KEY_ENTER for Enter / keypad Enter, else BORNE_KEY_NONE. */
int borne_keymap_us(uint16_t code, bool shift);

/* Decoder state for one keyboard device; zero it with borne_keydec_init(). */
struct borne_keydec {
    bool lshift, rshift, lctrl, rctrl, lalt, ralt;
    int alt_value;  /* Alt + keypad digits typed so far */
    int alt_digits; /* how many, 0 when none */
};

void borne_keydec_init(struct borne_keydec *kd);

/* Feed one evdev event (type, code, value as in struct input_event). Returns a byte 0..255,
 * BORNE_KEY_ENTER, or BORNE_KEY_NONE. Events other than EV_KEY are ignored. */
int borne_keydec_feed(struct borne_keydec *kd, uint16_t type, uint16_t code, int32_t value);

#endif
