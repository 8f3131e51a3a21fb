/* The kiosk loop in the test program, headless (see kiosk_loop.h). */
#include "support/kiosk_loop.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "kiosk/kiosk.h"
#include "support/fixture.h"
#include "ui/pin.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kiosk_loop_open(kiosk_loop *l, const char *kiosk_id, int sync_interval_s)
{
    memset(l, 0, sizeof(*l));
    l->step_ms = 50;
    const char *driver = getenv("BORNE_TEST_VIDEODRIVER");
    setenv("SDL_VIDEODRIVER", driver && driver[0] ? driver : "dummy", 1);
    setenv("SDL_RENDER_DRIVER", "software", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    assert_int_equal(fixture_mkdtemp(l->dir, sizeof(l->dir)), 0);
    snprintf(l->db, sizeof(l->db), "%s/borne.db", l->dir);
    char hash[BORNE_CONFIG_HASH_CAP];
    assert_int_equal(borne_pin_hash("1234", true, hash, sizeof(hash)), BORNE_OK);
    char text[1024];
    snprintf(text, sizeof(text),
             "[kiosk]\nid = %s\ndata_dir = %s\n"
             "[camera]\ndevice = none\n[scanner]\ndevice = none\n"
             "[registry]\nsync_interval_seconds = %d\n"
             "[staff]\npin_hash = %s\nidle_timeout_seconds = 600\n",
             kiosk_id, l->dir, sync_interval_s, hash);
    snprintf(l->conf, sizeof(l->conf), "%s/borne.conf", l->dir);
    FILE *f = fopen(l->conf, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

void kiosk_loop_close(kiosk_loop *l)
{
    kiosk_loop_stop(l);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", l->dir);
    assert_int_equal(system(cmd), 0);
}

void kiosk_loop_start(kiosk_loop *l)
{
    struct borne_kiosk_options o = {.config_path = l->conf,
                                    .db_path = l->db,
                                    .windowed = true,
                                    .width = 800,
                                    .height = 480,
                                    .silent = true,
                                    .no_inputs = true};
    assert_int_equal(borne_kiosk_new(&o, &l->k), BORNE_OK);
}

void kiosk_loop_stop(kiosk_loop *l)
{
    borne_kiosk_free(l->k);
    l->k = NULL;
}

const borne_view *kiosk_loop_view(const kiosk_loop *l)
{
    return borne_kiosk_view(l->k);
}

void kiosk_loop_until(kiosk_loop *l, bool (*done)(kiosk_loop *l, const void *arg), const void *arg,
                      int timeout_ms, const char *what)
{
    int64_t end = now_ms() + timeout_ms;
    while (!done(l, arg)) {
        if (now_ms() > end) {
            const borne_view *v = kiosk_loop_view(l);
            fail_msg("timed out waiting for %s (screen %s, sync \"%s\", message \"%s\", setup "
                     "\"%s\")",
                     what, borne_screen_name(v->screen), v->sync, v->message, v->setup_text);
        }
        borne_kiosk_step(l->k, l->step_ms);
    }
}

static bool on_screen(kiosk_loop *l, const void *arg)
{
    return kiosk_loop_view(l)->screen == *(const borne_screen *)arg;
}

static bool message_has(kiosk_loop *l, const void *arg)
{
    return strstr(kiosk_loop_view(l)->message, (const char *)arg) != NULL;
}

static bool setup_settled(kiosk_loop *l, const void *arg)
{
    (void)arg;
    const borne_view *v = kiosk_loop_view(l);
    return v->setup == BORNE_VIEW_SETUP_FAILED || v->setup == BORNE_VIEW_SETUP_DONE;
}

void kiosk_loop_wait_screen(kiosk_loop *l, borne_screen screen, int timeout_ms, const char *what)
{
    kiosk_loop_until(l, on_screen, &screen, timeout_ms, what);
}

void kiosk_loop_wait_message(kiosk_loop *l, const char *text, int timeout_ms, const char *what)
{
    kiosk_loop_until(l, message_has, text, timeout_ms, what);
}

void kiosk_loop_wait_setup(kiosk_loop *l, int timeout_ms, const char *what)
{
    kiosk_loop_until(l, setup_settled, NULL, timeout_ms, what);
}

void kiosk_loop_open_staff(kiosk_loop *l)
{
    const SDL_Keycode keys[] = {SDLK_F2, SDLK_1, SDLK_2, SDLK_3, SDLK_4, SDLK_RETURN};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        SDL_Event e;
        SDL_zero(e);
        e.type = SDL_KEYDOWN;
        e.key.keysym.sym = keys[i];
        assert_true(SDL_PushEvent(&e) >= 0);
    }
    kiosk_loop_wait_screen(l, BORNE_SCREEN_MENU, 10000, "the staff menu");
}

void kiosk_loop_provision(kiosk_loop *l, const char *setup)
{
    borne_kiosk_present(l->k, setup, strlen(setup), BORNE_METHOD_SCANNER);
    kiosk_loop_wait_setup(l, 20000, "provisioning");
    assert_int_equal(kiosk_loop_view(l)->setup, BORNE_VIEW_SETUP_DONE);
    kiosk_loop_wait_screen(l, BORNE_SCREEN_WAITING, 10000, "the waiting screen");
}
