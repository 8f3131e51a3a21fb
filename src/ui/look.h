/* How each check-in outcome looks and sounds to the participant: a class (colour + icon +
 * sound, never colour alone), a title, an optional line saying what to do.
 *
 * Pure: no SDL, no I/O. Texts are message ids for i18n.h (French; translate with _()). */
#ifndef BORNE_UI_LOOK_H
#define BORNE_UI_LOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/rules.h"

typedef enum borne_look_class {
    BORNE_LOOK_ACCEPTED = 0,  /* green, check mark, rising two-tone chime */
    BORNE_LOOK_INFO = 1,      /* blue, "i": already in / out, same scan: you may go */
    BORNE_LOOK_ATTENTION = 2, /* amber, "!": recorded or not, but see the desk */
    BORNE_LOOK_REFUSED = 3,   /* red, cross: not let through */
    BORNE_LOOK_STAFF = 4,     /* slate, key: staff mode */
    BORNE_LOOK__COUNT
} borne_look_class;

typedef enum borne_icon {
    BORNE_ICON_CHECK = 0,
    BORNE_ICON_INFO = 1,
    BORNE_ICON_EXCLAIM = 2,
    BORNE_ICON_CROSS = 3,
    BORNE_ICON_KEY = 4,
} borne_icon;

typedef struct borne_rgb {
    uint8_t r, g, b;
} borne_rgb;

typedef struct borne_look {
    borne_look_class cls;
    borne_icon icon;
    borne_rgb band;    /* background of the result band */
    borne_rgb ink;     /* text on the band: contrast >= 4.5:1 */
    const char *title; /* msgid, e.g. "Bienvenue" */
    const char *hint;  /* msgid of what to do, or NULL */
} borne_look;

/* The look of an outcome; `direction` distinguishes "Bienvenue" from "Au revoir" where the
 * outcome alone does not. Every outcome has a title and an icon. */
borne_look borne_look_outcome(borne_outcome outcome, borne_direction direction);

/* The look of a class (colours and icon only). */
borne_look borne_look_class_look(borne_look_class cls);

/* WCAG relative-luminance contrast ratio between two colours, times 100 (450 = 4.5:1). */
int borne_look_contrast(borne_rgb a, borne_rgb b);

/* Layout: the scale from the 800x480 design size to a w x h output (min of both ratios),
 * in thousandths (1000 at 800x480, 2250 at 1920x1080). */
int borne_look_scale_permille(int w, int h);

#endif
