/* Translations through gettext; see i18n.h. */
#define LOG_MODULE "ui"

#include "ui/i18n.h"

#include <stdarg.h>

#include <libintl.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

#define DOMAIN "borne"

/* GNU gettext's documented way to drop its cache of looked-up messages after LANGUAGE changed
 * (gettext manual, "Being a gettext grok"). */
extern int _nl_msg_cat_cntr;

/* The UI thread's language state; only the UI thread calls these functions. */
static borne_lang current = BORNE_LANG_FR;
static char localedir[512];

/* Translations in the other language, by msgid address (msgids are string literals). */
#define OTHER_CACHE 128
static struct {
    const char *msgid;
    borne_lang lang;
    const char *text;
} other_cache[OTHER_CACHE];

const char *borne_lang_code(borne_lang lang)
{
    return lang == BORNE_LANG_EN ? "en" : "fr";
}

static void apply(borne_lang lang)
{
    setenv("LANGUAGE", borne_lang_code(lang), 1);
    ++_nl_msg_cat_cntr;
}

static bool dir_has_catalogue(const char *dir, borne_lang lang)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/" DOMAIN ".mo", dir, borne_lang_code(lang));
    return access(path, R_OK) == 0;
}

void borne_i18n_init(borne_lang lang)
{
    /* LANGUAGE is ignored in the "C" locale: fall back to C.UTF-8 when the system's locale is
     * not installed (common on an appliance). Numbers are formatted by hand, so LC_NUMERIC
     * stays "C". */
    const char *loc = setlocale(LC_ALL, "");
    if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0) {
        if (!setlocale(LC_ALL, "C.UTF-8")) {
            LOG_WARN("no UTF-8 locale: translations may not load");
        }
    }
    setlocale(LC_NUMERIC, "C");
    const char *env = getenv("BORNE_LOCALEDIR");
    if (env && env[0]) {
        snprintf(localedir, sizeof(localedir), "%s", env);
    } else if (dir_has_catalogue(BORNE_BUILD_LOCALEDIR, BORNE_LANG_EN)) {
        snprintf(localedir, sizeof(localedir), "%s", BORNE_BUILD_LOCALEDIR);
    } else {
        snprintf(localedir, sizeof(localedir), "%s", BORNE_LOCALEDIR);
    }
    bindtextdomain(DOMAIN, localedir);
    bind_textdomain_codeset(DOMAIN, "UTF-8");
    textdomain(DOMAIN);
    if (!dir_has_catalogue(localedir, BORNE_LANG_EN)) {
        LOG_WARN("no English catalogue under the locale directory: French only");
    }
    borne_i18n_set(lang);
}

void borne_i18n_fill(char *out, size_t cap, const char *tmpl, ...)
{
    if (cap == 0) {
        return;
    }
    va_list ap;
    va_start(ap, tmpl);
    size_t n = 0;
    const char *arg = NULL;
    bool args_done = false;
    for (const char *p = tmpl; *p && n + 1 < cap; p++) {
        if (p[0] == '%' && p[1] == 's') {
            if (!args_done) {
                arg = va_arg(ap, const char *);
                args_done = arg == NULL;
            }
            for (const char *a = args_done ? "" : arg; *a && n + 1 < cap; a++) {
                out[n++] = *a;
            }
            p++;
            continue;
        }
        out[n++] = *p;
    }
    out[n] = '\0';
    va_end(ap);
}

const char *borne_i18n_colon(void)
{
    return current == BORNE_LANG_FR ? "\u00a0: " : ": ";
}

void borne_i18n_set(borne_lang lang)
{
    current = lang == BORNE_LANG_EN ? BORNE_LANG_EN : BORNE_LANG_FR;
    apply(current);
}

borne_lang borne_i18n_lang(void)
{
    return current;
}

const char *borne_i18n_get(const char *msgid)
{
    return dgettext(DOMAIN, msgid);
}

const char *borne_i18n_other(const char *msgid)
{
    borne_lang other = current == BORNE_LANG_FR ? BORNE_LANG_EN : BORNE_LANG_FR;
    size_t slot = ((size_t)(uintptr_t)msgid >> 3) % OTHER_CACHE;
    if (other_cache[slot].msgid == msgid && other_cache[slot].lang == other) {
        return other_cache[slot].text;
    }
    apply(other);
    const char *text = dgettext(DOMAIN, msgid);
    apply(current);
    other_cache[slot].msgid = msgid;
    other_cache[slot].lang = other;
    other_cache[slot].text = text;
    return text;
}

bool borne_i18n_has_catalogue(borne_lang lang)
{
    return localedir[0] && dir_has_catalogue(localedir, lang);
}
