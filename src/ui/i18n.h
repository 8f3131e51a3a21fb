/* Translations for the kiosk: gettext with the "borne" domain, French by default, English
 * selectable at run time from staff mode.
 *
 * Message ids are the French texts (so a kiosk whose catalogues are missing still speaks
 * correct French); po/fr.po and po/en.po hold the catalogues. French typography is written
 * into the ids: « guillemets » with no-break spaces inside, and a no-break space (U+00A0)
 * before : ; ? !.
 *
 * Switching language: gettext reads the LANGUAGE variable (honoured in any locale but "C", so
 * the kiosk runs in C.UTF-8 when the system locale is missing) and its cache is invalidated.
 * Call from the UI thread only. */
#ifndef BORNE_UI_I18N_H
#define BORNE_UI_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef enum borne_lang {
    BORNE_LANG_FR = 0,
    BORNE_LANG_EN = 1,
} borne_lang;

/* Sets up the locale and binds the catalogues: $BORNE_LOCALEDIR, else the build tree's
 * catalogues (when run from the build tree), else the installed ones. */
void borne_i18n_init(borne_lang lang);
void borne_i18n_set(borne_lang lang);
borne_lang borne_i18n_lang(void);

/* The translation of msgid in the current language. */
const char *borne_i18n_get(const char *msgid);
/* The translation of msgid in the other language (for the smaller second line of the
 * participant's screens). */
const char *borne_i18n_other(const char *msgid);
/* True when the English catalogue was found (a test checks the build ships it). */
bool borne_i18n_has_catalogue(borne_lang lang);

/* The separator before a value: "\u00a0: " in French, ": " in English. */
const char *borne_i18n_colon(void);

/* A translated template with "%s" placeholders filled, in order, by the strings that follow
 * (NULL-terminated list). Translators may move the placeholders within a sentence; nothing else
 * in the template is interpreted (templates are not printf formats). */
void borne_i18n_fill(char *out, size_t cap, const char *tmpl, ...);

/* "fr" or "en". */
const char *borne_lang_code(borne_lang lang);

#define _(s)  borne_i18n_get(s)
#define N_(s) (s)

#endif
