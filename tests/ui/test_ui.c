/* Tests of src/ui that need no screen: outcome looks (never colour alone, readable contrast),
 * the PIN lockout, number formats, the on-screen keyboard, and the translations shipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/i18n.h"
#include "ui/look.h"
#include "ui/pin.h"
#include "ui/screens.h"

static void test_every_outcome_has_words_and_icon(void **state)
{
    (void)state;
    for (int o = 0; o < BORNE_OUTCOME__COUNT; o++) {
        for (int d = 0; d < 2; d++) {
            borne_look l = borne_look_outcome((borne_outcome)o, (borne_direction)d);
            assert_non_null(l.title);
            assert_true(strlen(l.title) > 3);
            /* Contrast of the words on the band: WCAG AA for large text and more. */
            assert_true(borne_look_contrast(l.band, l.ink) >= 450);
            /* Refusals and desk cases always say what to do. */
            if (l.cls == BORNE_LOOK_REFUSED) {
                assert_non_null(l.hint);
            }
            /* Positive outcomes (the person may go) are never drawn as refusals; an exit
             * without entry lets the person out but asks them to see the desk. */
            if (borne_outcome_is_positive((borne_outcome)o)) {
                assert_int_not_equal(l.cls, BORNE_LOOK_REFUSED);
            } else if (o != BORNE_OUTCOME_STAFF && o != BORNE_OUTCOME_REPEAT_SCAN) {
                assert_true(l.cls == BORNE_LOOK_REFUSED || l.cls == BORNE_LOOK_ATTENTION);
            }
        }
    }
}

static void test_classes_differ_by_icon_not_only_colour(void **state)
{
    (void)state;
    for (int a = 0; a < BORNE_LOOK__COUNT; a++) {
        for (int b = a + 1; b < BORNE_LOOK__COUNT; b++) {
            borne_look la = borne_look_class_look((borne_look_class)a);
            borne_look lb = borne_look_class_look((borne_look_class)b);
            assert_int_not_equal(la.icon, lb.icon);
        }
    }
    assert_string_equal(borne_look_outcome(BORNE_OUTCOME_ACCEPTED_ENTRY, BORNE_ENTRY).title,
                        "Bienvenue");
    assert_string_equal(borne_look_outcome(BORNE_OUTCOME_ACCEPTED_EXIT, BORNE_EXIT).title,
                        "Au revoir");
}

static void test_scale(void **state)
{
    (void)state;
    assert_int_equal(borne_look_scale_permille(800, 480), 1000);
    assert_int_equal(borne_look_scale_permille(1920, 1080), 2250);
    assert_int_equal(borne_look_scale_permille(480, 800), 600);
    assert_int_equal(borne_look_scale_permille(0, 0), 1000);
}

static void test_pin_lockout_grows_and_resets(void **state)
{
    (void)state;
    borne_pin_lock lock = {0};
    int64_t t = 1000000;
    for (int i = 0; i < BORNE_PIN_FREE_TRIES; i++) {
        borne_pin_lock_record(&lock, false, t);
        assert_int_equal(borne_pin_lock_remaining(&lock, t), 0);
    }
    borne_pin_lock_record(&lock, false, t);
    assert_int_equal(borne_pin_lock_remaining(&lock, t), BORNE_PIN_BASE_DELAY_MS);
    borne_pin_lock_record(&lock, false, t);
    assert_int_equal(borne_pin_lock_remaining(&lock, t), 2 * BORNE_PIN_BASE_DELAY_MS);
    borne_pin_lock_record(&lock, false, t);
    assert_int_equal(borne_pin_lock_remaining(&lock, t), 4 * BORNE_PIN_BASE_DELAY_MS);
    for (int i = 0; i < 50; i++) {
        borne_pin_lock_record(&lock, false, t);
    }
    assert_int_equal(borne_pin_lock_remaining(&lock, t), BORNE_PIN_MAX_DELAY_MS);
    assert_int_equal(borne_pin_lock_remaining(&lock, t + BORNE_PIN_MAX_DELAY_MS), 0);
    borne_pin_lock_record(&lock, true, t);
    assert_int_equal(lock.failures, 0);
    assert_int_equal(borne_pin_lock_remaining(&lock, t), 0);
}

static void test_pin_hash_and_verify(void **state)
{
    (void)state;
    char hash[128];
    assert_int_equal(borne_pin_hash("2468", true, hash, sizeof(hash)), BORNE_OK);
    assert_true(strncmp(hash, "$argon2id$", 10) == 0);
    assert_true(borne_pin_verify(hash, "2468"));
    assert_false(borne_pin_verify(hash, "2469"));
    assert_false(borne_pin_verify(hash, ""));
    assert_false(borne_pin_verify("", "2468"));
    assert_false(borne_pin_verify("$argon2id$garbage", "2468"));
}

static void test_formats(void **state)
{
    (void)state;
    char buf[32];
    borne_i18n_set(BORNE_LANG_FR);
    borne_format_hours(90, buf, sizeof(buf));
    assert_string_equal(buf, "1,5\u00a0h");
    borne_format_hours(60, buf, sizeof(buf));
    assert_string_equal(buf, "1\u00a0h");
    borne_format_hours(75, buf, sizeof(buf));
    assert_string_equal(buf, "1,25\u00a0h");
    /* Rounded half up like every figure of hours (core/hours.h): 100 min is 1.666… h. */
    borne_format_hours(100, buf, sizeof(buf));
    assert_string_equal(buf, "1,67\u00a0h");
    borne_format_hours(50, buf, sizeof(buf));
    assert_string_equal(buf, "0,83\u00a0h");
    borne_i18n_set(BORNE_LANG_EN);
    borne_format_hours(90, buf, sizeof(buf));
    assert_string_equal(buf, "1.5\u00a0h");
    borne_i18n_set(BORNE_LANG_FR);
    borne_format_duration(88 * 60 + 30, buf, sizeof(buf));
    assert_string_equal(buf, "1\u00a0h\u00a028");
    borne_format_duration(45 * 60, buf, sizeof(buf));
    assert_string_equal(buf, "45\u00a0min");
}

static void test_keyboard_has_accents(void **state)
{
    (void)state;
    const char *want[] = {"é", "è", "ê", "à", "ç", "ô", "î", "ë"};
    for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
        bool found = false;
        for (int k = 0; k < BORNE_KEYS_MAX && !found; k++) {
            const char *t = borne_keyboard_text(k, false);
            found = t && strcmp(t, want[w]) == 0;
        }
        assert_true(found);
    }
    /* Shift gives capitals, accented ones too. */
    for (int k = 0; k < BORNE_KEYS_MAX; k++) {
        const char *t = borne_keyboard_text(k, false);
        if (t && strcmp(t, "é") == 0) {
            assert_string_equal(borne_keyboard_text(k, true), "É");
        }
    }
    assert_null(borne_keyboard_text(BORNE_KEY_SPACE, false));
    assert_null(borne_keyboard_text(-1, false));
}

static void test_translations(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/po/locale", getenv("BORNE_BUILD_DIR"));
    setenv("BORNE_LOCALEDIR", dir, 1);
    borne_i18n_init(BORNE_LANG_FR);
    assert_true(borne_i18n_has_catalogue(BORNE_LANG_EN));
    assert_true(borne_i18n_has_catalogue(BORNE_LANG_FR));
    assert_string_equal(_("Présentez votre code QR"), "Présentez votre code QR");
    assert_string_equal(borne_i18n_other("Présentez votre code QR"), "Show your QR code");
    /* French typography: a no-break space before the colon. */
    assert_string_equal(borne_i18n_colon(), "\u00a0: ");
    borne_i18n_set(BORNE_LANG_EN);
    assert_string_equal(_("Bienvenue"), "Welcome");
    assert_string_equal(_("Présentez-vous à l’accueil."), "Please go to the registration desk.");
    assert_string_equal(borne_i18n_other("Bienvenue"), "Bienvenue");
    assert_string_equal(borne_i18n_colon(), ": ");
    borne_i18n_set(BORNE_LANG_FR);
    assert_string_equal(_("Bienvenue"), "Bienvenue");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_outcome_has_words_and_icon),
        cmocka_unit_test(test_classes_differ_by_icon_not_only_colour),
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_pin_lockout_grows_and_resets),
        cmocka_unit_test(test_pin_hash_and_verify),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_keyboard_has_accents),
        cmocka_unit_test(test_translations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
