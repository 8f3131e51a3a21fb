/* The kiosk with its sync, against the real borne-registry on 127.0.0.1: the kiosk loop runs
 * in this process, headless (SDL's dummy video driver, software rendering), and is driven as
 * people drive it: codes presented as a scanner reads them, keys and typed text as SDL events,
 * buttons through borne_kiosk_act().
 *
 * - provisioning by a setup code presented to the not-set-up screen (progress, then waiting),
 *   and the words for a spent code and for something that is not a setup code;
 * - a scan, "sync now" in staff mode, the registry has it once, the status corner says synced;
 * - a walk-in registered at the door reaches the registry once, as a participant of its own;
 * - a participant's own QR code, pulled with the roster, shown on screen and decodable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <SDL.h>
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kiosk/kiosk.h"
#include "scan/decoder.h"
#include "store/store.h"
#include "support/fixture.h"
#include "support/kiosk_loop.h"
#include "sync/harness.h"
#include "sync/protocol.h"
#include "sync/sync_support.h"
#include "checkin/checkin.h"
#include "ui/screens.h"

typedef struct world {
    registry_proc reg;
    char setup[512];
    kiosk_loop kl; /* the kiosk, its data folder and store */
} world;

static const borne_view *view(world *w)
{
    return kiosk_loop_view(&w->kl);
}

static void world_open(world *w)
{
    memset(w, 0, sizeof(*w));
    registry_start_event(&w->reg, w->setup, sizeof(w->setup));
    kiosk_loop_open(&w->kl, "borne-test", 3600);
}

static void world_close(world *w)
{
    kiosk_loop_close(&w->kl);
    registry_stop(&w->reg);
}

static void type_text(const char *text)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_TEXTINPUT;
    snprintf(e.text.text, sizeof(e.text.text), "%s", text);
    assert_true(SDL_PushEvent(&e) >= 0);
}

static void sync_now(world *w)
{
    borne_kiosk_act(w->kl.k, BORNE_ACT_SYNC, 0);
    assert_non_null(strstr(view(w)->message, "Synchronisation en cours"));
    kiosk_loop_wait_message(&w->kl, "Synchronisé", 20000, "the answer to \"sync now\"");
}

/* Provisioning through the not-set-up screen, then the waiting screen. */
static void provision_at_kiosk(world *w)
{
    kiosk_loop_start(&w->kl);
    assert_int_equal(view(w)->screen, BORNE_SCREEN_NOT_SET_UP);
    assert_non_null(strstr(view(w)->sync, "aucun registre"));
    borne_kiosk_present(w->kl.k, w->setup, strlen(w->setup), BORNE_METHOD_SCANNER);
    assert_int_equal(view(w)->setup, BORNE_VIEW_SETUP_WORKING);
    assert_true(view(w)->setup_text[0] != '\0');
    kiosk_loop_wait_setup(&w->kl, 20000, "provisioning");
    assert_int_equal(view(w)->setup, BORNE_VIEW_SETUP_DONE);
    assert_non_null(strstr(view(w)->setup_text, "6 participants"));
    kiosk_loop_wait_screen(&w->kl, BORNE_SCREEN_WAITING, 10000, "the waiting screen");
}

/* ---- tests ---- */

static void test_provision_by_setup_code(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    provision_at_kiosk(&w);
    assert_int_equal(
        registry_int(&w.reg, "SELECT count(*) FROM kiosk WHERE token_hash IS NOT NULL"), 1);
    /* The credentials are next to the store, owner-only; the kiosk syncs by itself now. */
    char path[400];
    snprintf(path, sizeof(path), "%s/registry.json", w.kl.dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_non_null(strstr(view(&w)->sync, "Synchro"));
    assert_null(strstr(view(&w)->sync, "aucun registre"));
    kiosk_loop_stop(&w.kl);

    /* Another kiosk shown the same (spent) code, then something that is not a setup code. */
    char other[300];
    assert_int_equal(fixture_mkdtemp(other, sizeof(other)), 0);
    snprintf(w.kl.db, sizeof(w.kl.db), "%s/borne.db", other);
    kiosk_loop_start(&w.kl);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_NOT_SET_UP);
    borne_kiosk_present(w.kl.k, w.setup, strlen(w.setup), BORNE_METHOD_CAMERA);
    kiosk_loop_wait_setup(&w.kl, 20000, "a refused enrolment");
    assert_int_equal(view(&w)->setup, BORNE_VIEW_SETUP_FAILED);
    assert_non_null(strstr(view(&w)->setup_text, "déjà servi"));
    const char *junk = "BN1:PASUNCODE";
    borne_kiosk_present(w.kl.k, junk, strlen(junk), BORNE_METHOD_SCANNER);
    assert_int_equal(view(&w)->setup, BORNE_VIEW_SETUP_FAILED);
    assert_non_null(strstr(view(&w)->setup_text, "pas un code de configuration"));
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_NOT_SET_UP);
    kiosk_loop_stop(&w.kl);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", other);
    assert_int_equal(system(cmd), 0);
    world_close(&w);
}

static void test_scan_sync_now_walkin(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    provision_at_kiosk(&w);
    char tok[256];
    registry_token(&w.reg, FIX_P_HELENE, tok, sizeof(tok));

    /* A scan at the door. */
    borne_kiosk_present(w.kl.k, tok, strlen(tok), BORNE_METHOD_SCANNER);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_RESULT);
    assert_true(view(&w)->result.accepted);
    assert_true(view(&w)->pending >= 1);

    /* A walk-in registered by staff. */
    kiosk_loop_open_staff(&w.kl);
    borne_kiosk_act(w.kl.k, BORNE_ACT_GOTO, BORNE_SCREEN_WALKIN);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_WALKIN);
    type_text("Véronique Saint-Amand");
    borne_kiosk_step(w.kl.k, 50);
    borne_kiosk_act(w.kl.k, BORNE_ACT_WALKIN_FIELD, 1);
    type_text("Ville de Rimouski");
    borne_kiosk_step(w.kl.k, 50);
    borne_kiosk_act(w.kl.k, BORNE_ACT_WALKIN_SAVE, 0);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_RESULT);
    assert_true(view(&w)->result.accepted);
    uint32_t walkin = view(&w)->result.participant.id;
    uint32_t bits = 99;
    assert_true(borne_walkin_id_parse(walkin, &bits));
    assert_int_equal(bits, 1); /* the registry's number for this kiosk */
    /* After a check-in by hand the desk is back on an empty search, for the next person. */
    kiosk_loop_wait_screen(&w.kl, BORNE_SCREEN_SEARCH, 10000, "back to the search");

    /* Marie's registration is cancelled: staff admit her anyway, for a reason. */
    type_text("marie cote");
    borne_kiosk_step(w.kl.k, 50);
    assert_int_equal(view(&w)->nfound, 1);
    borne_kiosk_act(w.kl.k, BORNE_ACT_PICK, 0);
    borne_kiosk_act(w.kl.k, BORNE_ACT_ADMIT, BORNE_ADMIT_ASK);
    borne_kiosk_act(w.kl.k, BORNE_ACT_ADMIT, BORNE_ADMIT_LIST_ERROR);
    assert_int_equal(view(&w)->result.outcome, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    kiosk_loop_wait_screen(&w.kl, BORNE_SCREEN_SEARCH, 10000, "back to the search");
    borne_kiosk_act(w.kl.k, BORNE_ACT_BACK, 0);

    /* Sync now: the registry has all three, once, the override with its outcome, method and
     * reason; the corner says so. */
    sync_now(&w);
    assert_non_null(strstr(view(&w)->message, "3 passages envoyés, 0 en attente"));
    assert_int_equal(registry_int(&w.reg, "SELECT count(*) FROM checkin"), 3);
    assert_int_equal(registry_int(&w.reg, "SELECT count(*) FROM checkin WHERE outcome = 17 AND"
                                          " method = 2 AND participant_id = 3 AND"
                                          " staff_id = 'staff override:list-error'"),
                     1);
    char sql[300];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM participant WHERE id = %u AND walkin_kiosk = 1"
             " AND name = 'Véronique Saint-Amand' AND organisation = 'Ville de Rimouski'",
             walkin);
    assert_int_equal(registry_int(&w.reg, sql), 1);
    assert_int_equal(view(&w)->pending, 0);
    assert_non_null(strstr(view(&w)->sync, "Synchro\u00a0: à l’instant · 0 en attente"));
    assert_true(view(&w)->clock_trusted);

    /* Again: nothing doubles. */
    sync_now(&w);
    assert_int_equal(registry_int(&w.reg, "SELECT count(*) FROM checkin"), 3);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM participant WHERE id = %u", walkin);
    assert_int_equal(registry_int(&w.reg, sql), 1);

    /* The registry stops: the corner says offline, with the records waiting. */
    char jean[256];
    registry_token(&w.reg, FIX_P_JEAN, jean, sizeof(jean));
    harness_kill(&w.reg, SIGKILL);
    borne_kiosk_act(w.kl.k, BORNE_ACT_LEAVE_STAFF, 0);
    borne_kiosk_present(w.kl.k, jean, strlen(jean), BORNE_METHOD_SCANNER);
    assert_true(view(&w)->result.recorded);
    kiosk_loop_open_staff(&w.kl);
    borne_kiosk_act(w.kl.k, BORNE_ACT_SYNC, 0);
    kiosk_loop_wait_message(&w.kl, "La synchronisation a échoué", 20000, "a failed sync");
    assert_non_null(strstr(view(&w)->message, "injoignable"));
    assert_non_null(strstr(view(&w)->sync, "Hors ligne depuis"));
    assert_non_null(strstr(view(&w)->sync, "1 en attente"));
    world_close(&w);
}

static bool roster_has_badge(kiosk_loop *l, const void *arg)
{
    (void)arg;
    struct borne_store *s = NULL;
    if (borne_store_open(l->db, &s) != BORNE_OK) {
        return false;
    }
    char text[BORNE_BADGE_TEXT_MAX + 1];
    bool ok = borne_store_get_badge_text(s, FIX_EVENT, FIX_P_JEAN, text, sizeof(text)) == BORNE_OK;
    borne_store_close(s);
    return ok;
}

static void test_own_qr_code(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    char tok[256];
    registry_token(&w.reg, FIX_P_JEAN, tok, sizeof(tok));
    provision_at_kiosk(&w);
    kiosk_loop_until(&w.kl, roster_has_badge, NULL, 10000, "Jean's badge in the roster");

    kiosk_loop_open_staff(&w.kl);
    borne_kiosk_act(w.kl.k, BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH);
    type_text("jean lev");
    borne_kiosk_step(w.kl.k, 50);
    assert_true(view(&w)->nfound >= 1);
    borne_kiosk_act(w.kl.k, BORNE_ACT_PICK, 0);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_PERSON);
    assert_int_equal(view(&w)->person.id, FIX_P_JEAN);
    borne_kiosk_act(w.kl.k, BORNE_ACT_SHOW_QR, 0);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_SHOW_QR);
    assert_false(view(&w)->qr_missing);

    /* What is on screen decodes to the code the registry issued. */
    char png[400];
    snprintf(png, sizeof(png), "%s/show-qr.png", w.kl.dir);
    assert_int_equal(borne_kiosk_screenshot(w.kl.k, png), BORNE_OK);
    png_image img;
    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, png));
    img.format = PNG_FORMAT_GRAY;
    uint8_t *grey = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(grey);
    assert_true(png_image_finish_read(&img, NULL, grey, 0, NULL));
    struct borne_decoder *dec = NULL;
    assert_int_equal(borne_decoder_new(&dec), BORNE_OK);
    borne_frame f = {grey, (int)img.width, (int)img.height, (int)img.width, 0};
    char text[512];
    size_t len = 0;
    bool found = false;
    for (int pass = 0; pass < 4 && !found; pass++) {
        found = borne_decoder_decode(dec, &f, text, sizeof(text), &len);
    }
    assert_true(found);
    assert_string_equal(text, tok);
    borne_decoder_free(dec);
    free(grey);

    /* Someone without a code on the kiosk: the screen says so instead. */
    borne_kiosk_act(w.kl.k, BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH);
    type_text("sophie");
    borne_kiosk_step(w.kl.k, 50);
    assert_true(view(&w)->nfound >= 1);
    borne_kiosk_act(w.kl.k, BORNE_ACT_PICK, 0);
    borne_kiosk_act(w.kl.k, BORNE_ACT_SHOW_QR, 0);
    assert_true(view(&w)->qr_missing);
    world_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_provision_by_setup_code),
        cmocka_unit_test(test_scan_sync_now_walkin),
        cmocka_unit_test(test_own_qr_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
