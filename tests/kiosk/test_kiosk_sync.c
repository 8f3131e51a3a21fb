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
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/config.h"
#include "kiosk/kiosk.h"
#include "scan/decoder.h"
#include "store/store.h"
#include "support/fixture.h"
#include "sync/harness.h"
#include "sync/protocol.h"
#include "ui/pin.h"
#include "ui/screens.h"

typedef struct world {
    registry_proc reg;
    char setup[512];
    char dir[256]; /* the kiosk's data folder */
    char conf[400];
    char db[400];
    struct borne_kiosk *k;
} world;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const borne_view *view(world *w)
{
    return borne_kiosk_view(w->k);
}

/* Turns the kiosk's loop until `done` says so (or fails after timeout_ms). */
static void pump_until(world *w, bool (*done)(world *w, void *arg), void *arg, int timeout_ms,
                       const char *what)
{
    int64_t end = now_ms() + timeout_ms;
    while (!done(w, arg)) {
        if (now_ms() > end) {
            fail_msg("timed out waiting for %s (screen %s, sync \"%s\", message \"%s\", setup "
                     "\"%s\")",
                     what, borne_screen_name(view(w)->screen), view(w)->sync, view(w)->message,
                     view(w)->setup_text);
        }
        borne_kiosk_step(w->k, 50);
    }
}

static bool on_screen(world *w, void *arg)
{
    return view(w)->screen == (borne_screen)(intptr_t)arg;
}

static bool setup_settled(world *w, void *arg)
{
    (void)arg;
    return view(w)->setup == BORNE_VIEW_SETUP_FAILED || view(w)->setup == BORNE_VIEW_SETUP_DONE;
}

static bool message_has(world *w, void *arg)
{
    return strstr(view(w)->message, (const char *)arg) != NULL;
}

static void kiosk_start(world *w)
{
    struct borne_kiosk_options o = {.config_path = w->conf,
                                    .db_path = w->db,
                                    .windowed = true,
                                    .width = 800,
                                    .height = 480,
                                    .silent = true,
                                    .no_inputs = true};
    assert_int_equal(borne_kiosk_new(&o, &w->k), BORNE_OK);
}

static void kiosk_stop(world *w)
{
    borne_kiosk_free(w->k);
    w->k = NULL;
}

static void world_open(world *w)
{
    memset(w, 0, sizeof(*w));
    const char *driver = getenv("BORNE_TEST_VIDEODRIVER");
    setenv("SDL_VIDEODRIVER", driver && driver[0] ? driver : "dummy", 1);
    setenv("SDL_RENDER_DRIVER", "software", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    assert_int_equal(fixture_mkdtemp(w->reg.dir, sizeof(w->reg.dir)), 0);
    snprintf(w->reg.db, sizeof(w->reg.db), "%s/registry.db", w->reg.dir);
    assert_int_equal(harness_serve(&w->reg, 0, NULL), 0);
    assert_int_equal(harness_setup_event(&w->reg, w->reg.port, w->setup, sizeof(w->setup)), 0);
    assert_int_equal(fixture_mkdtemp(w->dir, sizeof(w->dir)), 0);
    snprintf(w->db, sizeof(w->db), "%s/borne.db", w->dir);
    char hash[BORNE_CONFIG_HASH_CAP];
    assert_int_equal(borne_pin_hash("1234", true, hash, sizeof(hash)), BORNE_OK);
    char text[1024];
    snprintf(text, sizeof(text),
             "[kiosk]\nid = borne-test\ndata_dir = %s\n"
             "[camera]\ndevice = none\n[scanner]\ndevice = none\n"
             "[registry]\nsync_interval_seconds = 3600\n"
             "[staff]\npin_hash = %s\nidle_timeout_seconds = 600\n",
             w->dir, hash);
    harness_write(w->dir, "borne.conf", text, w->conf, sizeof(w->conf));
}

static void world_close(world *w)
{
    kiosk_stop(w);
    harness_kill(&w->reg, SIGTERM);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", w->reg.dir, w->dir);
    assert_int_equal(system(cmd), 0);
}

static int64_t registry_int(world *w, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(w->reg.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void token_for(world *w, uint32_t participant, char *out, size_t cap)
{
    char key[400], pid[16], line[512];
    snprintf(key, sizeof(key), "%s/sign.key", w->reg.dir);
    snprintf(pid, sizeof(pid), "%u", participant);
    assert_int_equal(harness_admin(&w->reg, line, sizeof(line), "token", "issue", "--key", key,
                                   "--event", "42", "--participant", pid, NULL),
                     0);
    char *tab = strchr(line, '\t');
    assert_non_null(tab);
    snprintf(out, cap, "%s", tab + 1);
    out[strcspn(out, "\n")] = '\0';
}

static void push_key(SDL_Keycode sym)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = sym;
    assert_true(SDL_PushEvent(&e) >= 0);
}

static void type_text(const char *text)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_TEXTINPUT;
    snprintf(e.text.text, sizeof(e.text.text), "%s", text);
    assert_true(SDL_PushEvent(&e) >= 0);
}

/* F2, the PIN typed on the keyboard, Enter: the real path (argon2id on its own thread). */
static void open_staff(world *w)
{
    push_key(SDLK_F2);
    const SDL_Keycode digits[] = {SDLK_1, SDLK_2, SDLK_3, SDLK_4, SDLK_RETURN};
    for (size_t i = 0; i < sizeof(digits) / sizeof(digits[0]); i++) {
        push_key(digits[i]);
    }
    pump_until(w, on_screen, (void *)(intptr_t)BORNE_SCREEN_MENU, 10000, "the staff menu");
}

static void sync_now(world *w)
{
    borne_kiosk_act(w->k, BORNE_ACT_SYNC, 0);
    assert_non_null(strstr(view(w)->message, "Synchronisation en cours"));
    pump_until(w, message_has, "Synchronisé", 20000, "the answer to \"sync now\"");
}

/* Provisioning through the not-set-up screen, then the waiting screen. */
static void provision_at_kiosk(world *w)
{
    kiosk_start(w);
    assert_int_equal(view(w)->screen, BORNE_SCREEN_NOT_SET_UP);
    assert_non_null(strstr(view(w)->sync, "aucun registre"));
    borne_kiosk_present(w->k, w->setup, strlen(w->setup), BORNE_METHOD_SCANNER);
    assert_int_equal(view(w)->setup, BORNE_VIEW_SETUP_WORKING);
    assert_true(view(w)->setup_text[0] != '\0');
    pump_until(w, setup_settled, NULL, 20000, "provisioning");
    assert_int_equal(view(w)->setup, BORNE_VIEW_SETUP_DONE);
    assert_non_null(strstr(view(w)->setup_text, "6 participants"));
    pump_until(w, on_screen, (void *)(intptr_t)BORNE_SCREEN_WAITING, 10000, "the waiting screen");
}

/* ---- tests ---- */

static void test_provision_by_setup_code(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    provision_at_kiosk(&w);
    assert_int_equal(registry_int(&w, "SELECT count(*) FROM kiosk WHERE token_hash IS NOT NULL"),
                     1);
    /* The credentials are next to the store, owner-only; the kiosk syncs by itself now. */
    char path[400];
    snprintf(path, sizeof(path), "%s/registry.json", w.dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_non_null(strstr(view(&w)->sync, "Synchro"));
    assert_null(strstr(view(&w)->sync, "aucun registre"));
    kiosk_stop(&w);

    /* Another kiosk shown the same (spent) code, then something that is not a setup code. */
    char other[300];
    assert_int_equal(fixture_mkdtemp(other, sizeof(other)), 0);
    snprintf(w.db, sizeof(w.db), "%s/borne.db", other);
    kiosk_start(&w);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_NOT_SET_UP);
    borne_kiosk_present(w.k, w.setup, strlen(w.setup), BORNE_METHOD_CAMERA);
    pump_until(&w, setup_settled, NULL, 20000, "a refused enrolment");
    assert_int_equal(view(&w)->setup, BORNE_VIEW_SETUP_FAILED);
    assert_non_null(strstr(view(&w)->setup_text, "déjà servi"));
    const char *junk = "BN1:PASUNCODE";
    borne_kiosk_present(w.k, junk, strlen(junk), BORNE_METHOD_SCANNER);
    assert_int_equal(view(&w)->setup, BORNE_VIEW_SETUP_FAILED);
    assert_non_null(strstr(view(&w)->setup_text, "pas un code de configuration"));
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_NOT_SET_UP);
    kiosk_stop(&w);
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
    token_for(&w, FIX_P_HELENE, tok, sizeof(tok));

    /* A scan at the door. */
    borne_kiosk_present(w.k, tok, strlen(tok), BORNE_METHOD_SCANNER);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_RESULT);
    assert_true(view(&w)->result.accepted);
    assert_true(view(&w)->pending >= 1);

    /* A walk-in registered by staff. */
    open_staff(&w);
    borne_kiosk_act(w.k, BORNE_ACT_GOTO, BORNE_SCREEN_WALKIN);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_WALKIN);
    type_text("Véronique Saint-Amand");
    borne_kiosk_step(w.k, 50);
    borne_kiosk_act(w.k, BORNE_ACT_WALKIN_FIELD, 1);
    type_text("Ville de Rimouski");
    borne_kiosk_step(w.k, 50);
    borne_kiosk_act(w.k, BORNE_ACT_WALKIN_SAVE, 0);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_RESULT);
    assert_true(view(&w)->result.accepted);
    uint32_t walkin = view(&w)->result.participant.id;
    uint32_t bits = 99;
    assert_true(borne_walkin_id_parse(walkin, &bits));
    assert_int_equal(bits, 1); /* the registry's number for this kiosk */
    pump_until(&w, on_screen, (void *)(intptr_t)BORNE_SCREEN_MENU, 10000, "back to the menu");

    /* Sync now: the registry has both, once; the corner says so. */
    sync_now(&w);
    assert_non_null(strstr(view(&w)->message, "2 passages envoyés, 0 en attente"));
    assert_int_equal(registry_int(&w, "SELECT count(*) FROM checkin"), 2);
    char sql[300];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM participant WHERE id = %u AND walkin_kiosk = 1"
             " AND name = 'Véronique Saint-Amand' AND organisation = 'Ville de Rimouski'",
             walkin);
    assert_int_equal(registry_int(&w, sql), 1);
    assert_int_equal(view(&w)->pending, 0);
    assert_non_null(strstr(view(&w)->sync, "Synchro\u00a0: à l’instant · 0 en attente"));
    assert_true(view(&w)->clock_trusted);

    /* Again: nothing doubles. */
    sync_now(&w);
    assert_int_equal(registry_int(&w, "SELECT count(*) FROM checkin"), 2);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM participant WHERE id = %u", walkin);
    assert_int_equal(registry_int(&w, sql), 1);

    /* The registry stops: the corner says offline, with the records waiting. */
    char jean[256];
    token_for(&w, FIX_P_JEAN, jean, sizeof(jean));
    harness_kill(&w.reg, SIGKILL);
    borne_kiosk_act(w.k, BORNE_ACT_LEAVE_STAFF, 0);
    borne_kiosk_present(w.k, jean, strlen(jean), BORNE_METHOD_SCANNER);
    assert_true(view(&w)->result.recorded);
    open_staff(&w);
    borne_kiosk_act(w.k, BORNE_ACT_SYNC, 0);
    pump_until(&w, message_has, "La synchronisation a échoué", 20000, "a failed sync");
    assert_non_null(strstr(view(&w)->message, "injoignable"));
    assert_non_null(strstr(view(&w)->sync, "Hors ligne depuis"));
    assert_non_null(strstr(view(&w)->sync, "1 en attente"));
    world_close(&w);
}

static bool roster_has_badge(world *w, void *arg)
{
    (void)arg;
    struct borne_store *s = NULL;
    if (borne_store_open(w->db, &s) != BORNE_OK) {
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
    token_for(&w, FIX_P_JEAN, tok, sizeof(tok));
    provision_at_kiosk(&w);
    pump_until(&w, roster_has_badge, NULL, 10000, "Jean's badge in the roster");

    open_staff(&w);
    borne_kiosk_act(w.k, BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH);
    type_text("jean lev");
    borne_kiosk_step(w.k, 50);
    assert_true(view(&w)->nfound >= 1);
    borne_kiosk_act(w.k, BORNE_ACT_PICK, 0);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_PERSON);
    assert_int_equal(view(&w)->person.id, FIX_P_JEAN);
    borne_kiosk_act(w.k, BORNE_ACT_SHOW_QR, 0);
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_SHOW_QR);
    assert_false(view(&w)->qr_missing);

    /* What is on screen decodes to the code the registry issued. */
    char png[400];
    snprintf(png, sizeof(png), "%s/show-qr.png", w.dir);
    assert_int_equal(borne_kiosk_screenshot(w.k, png), BORNE_OK);
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
    borne_kiosk_act(w.k, BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH);
    type_text("sophie");
    borne_kiosk_step(w.k, 50);
    assert_true(view(&w)->nfound >= 1);
    borne_kiosk_act(w.k, BORNE_ACT_PICK, 0);
    borne_kiosk_act(w.k, BORNE_ACT_SHOW_QR, 0);
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
