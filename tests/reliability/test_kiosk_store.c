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

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiosk/kiosk.h"
#include "support/kiosk_loop.h"
#include "sync/sync_support.h"
#include "ui/screens.h"

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
    registry_proc reg;
    char setup[512];
    registry_start_event(&reg, setup, sizeof(setup));
    kiosk_loop kl;
    kiosk_loop_open(&kl, "borne-test", 3600);
    kiosk_loop_start(&kl);
    assert_string_equal(kiosk_loop_view(&kl)->notice, "");
    kiosk_loop_provision(&kl, setup);
    kiosk_loop_stop(&kl);

    damage(kl.db);
    kiosk_loop_start(&kl);
    /* Said at once, on the screen shown while the roster comes back. */
    assert_int_equal(kiosk_loop_view(&kl)->screen, BORNE_SCREEN_NOT_SET_UP);
    assert_non_null(
        strstr(kiosk_loop_view(&kl)->notice, "Base de données endommagée\u00a0: mise de côté"));
    assert_non_null(strstr(kiosk_loop_view(&kl)->notice, "la liste sera retéléchargée"));
    assert_int_equal(count_damaged(kl.dir), 1);
    char png[400];
    snprintf(png, sizeof(png), "%s/notice.png", kl.dir);
    assert_int_equal(borne_kiosk_screenshot(kl.k, png), BORNE_OK);
    /* The sync pulls the event and roster again by itself: the door reopens, the notice stays
     * for staff. */
    kiosk_loop_wait_screen(&kl, BORNE_SCREEN_WAITING, 20000, "the roster pulled again");
    assert_non_null(strstr(kiosk_loop_view(&kl)->notice, "endommagée"));
    assert_int_equal(borne_kiosk_screenshot(kl.k, png), BORNE_OK);
    /* Staff open their menu: told once more there, then the notice is gone. */
    kiosk_loop_open_staff(&kl);
    assert_non_null(strstr(kiosk_loop_view(&kl)->message, "endommagée"));
    assert_string_equal(kiosk_loop_view(&kl)->notice, "");
    kiosk_loop_stop(&kl);

    /* A sound store at the next start: no notice, nothing moved. */
    kiosk_loop_start(&kl);
    assert_string_equal(kiosk_loop_view(&kl)->notice, "");
    assert_int_equal(kiosk_loop_view(&kl)->screen, BORNE_SCREEN_WAITING);
    assert_int_equal(count_damaged(kl.dir), 1);
    kiosk_loop_close(&kl);
    registry_stop(&reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_store_at_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
