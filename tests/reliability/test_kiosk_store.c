/* The kiosk's own store at start and during scans (issue 7, "I/O faults"), with the real kiosk
 * loop headless (SDL's dummy driver) and the real borne-registry on 127.0.0.1:
 * - a store damaged while the kiosk was off: at start it is kept aside, a fresh store is
 *   created, staff read so on the waiting or not-set-up screen, and the sync pulls the event and
 *   roster again by itself (the credentials live next to the store and survive). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <SDL.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "kiosk/kiosk.h"
#include "support/fixture.h"
#include "sync/harness.h"
#include "ui/pin.h"
#include "ui/screens.h"

typedef struct world {
    registry_proc reg;
    char setup[512];
    char dir[256];
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

static void pump_until(world *w, bool (*done)(world *w), int timeout_ms, const char *what)
{
    int64_t end = now_ms() + timeout_ms;
    while (!done(w)) {
        if (now_ms() > end) {
            fail_msg("timed out waiting for %s (screen %s)", what,
                     borne_screen_name(view(w)->screen));
        }
        borne_kiosk_step(w->k, 50);
    }
}

static bool settled(world *w)
{
    return view(w)->setup == BORNE_VIEW_SETUP_FAILED || view(w)->setup == BORNE_VIEW_SETUP_DONE;
}

static bool waiting(world *w)
{
    return view(w)->screen == BORNE_SCREEN_WAITING;
}

static bool menu(world *w)
{
    return view(w)->screen == BORNE_SCREEN_MENU;
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
    borne_kiosk_free(w->k);
    w->k = NULL;
    harness_kill(&w->reg, SIGTERM);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", w->reg.dir, w->dir);
    assert_int_equal(system(cmd), 0);
}

/* Overwrites pages 2.. of the file with garbage (the schema and the rows). */
static void damage(const char *path)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    char junk[4096];
    memset(junk, 0xA5, sizeof(junk));
    struct stat sb;
    assert_int_equal(fstat(fd, &sb), 0);
    for (off_t off = 4096; off < sb.st_size; off += 4096) {
        assert_int_equal(pwrite(fd, junk, sizeof(junk), off), (ssize_t)sizeof(junk));
    }
    close(fd);
}

static int count_damaged(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strstr(e->d_name, "borne.db.damaged-") && !strstr(e->d_name, "-wal") &&
            !strstr(e->d_name, "-shm")) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static void test_damaged_store_at_start(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    kiosk_start(&w);
    assert_string_equal(view(&w)->notice, "");
    borne_kiosk_present(w.k, w.setup, strlen(w.setup), BORNE_METHOD_SCANNER);
    pump_until(&w, settled, 20000, "provisioning");
    assert_int_equal(view(&w)->setup, BORNE_VIEW_SETUP_DONE);
    pump_until(&w, waiting, 10000, "the waiting screen");
    borne_kiosk_free(w.k);
    w.k = NULL;

    damage(w.db);
    kiosk_start(&w);
    /* Said at once, on the screen shown while the roster comes back. */
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_NOT_SET_UP);
    assert_non_null(strstr(view(&w)->notice, "Base de données endommagée\u00a0: mise de côté"));
    assert_non_null(strstr(view(&w)->notice, "la liste sera retéléchargée"));
    assert_int_equal(count_damaged(w.dir), 1);
    char png[400];
    snprintf(png, sizeof(png), "%s/notice.png", w.dir);
    assert_int_equal(borne_kiosk_screenshot(w.k, png), BORNE_OK);
    /* The sync pulls the event and roster again by itself: the door reopens, the notice stays
     * for staff. */
    pump_until(&w, waiting, 20000, "the roster pulled again");
    assert_non_null(strstr(view(&w)->notice, "endommagée"));
    assert_int_equal(borne_kiosk_screenshot(w.k, png), BORNE_OK);
    /* Staff open their menu: told once more there, then the notice is gone. */
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    const SDL_Keycode keys[] = {SDLK_F2, SDLK_1, SDLK_2, SDLK_3, SDLK_4, SDLK_RETURN};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        e.key.keysym.sym = keys[i];
        assert_true(SDL_PushEvent(&e) >= 0);
    }
    pump_until(&w, menu, 10000, "the staff menu");
    assert_non_null(strstr(view(&w)->message, "endommagée"));
    assert_string_equal(view(&w)->notice, "");
    borne_kiosk_free(w.k);
    w.k = NULL;

    /* A sound store at the next start: no notice, nothing moved. */
    kiosk_start(&w);
    assert_string_equal(view(&w)->notice, "");
    assert_int_equal(view(&w)->screen, BORNE_SCREEN_WAITING);
    assert_int_equal(count_damaged(w.dir), 1);
    world_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_store_at_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
