/* A really full disk under the check-in path: the store on a small tmpfs, a filler file taking
 * every free block, scans until the store cannot grow, then the filler removed.
 *
 * Checked: the scan that cannot be stored returns BORNE_ERR_DISK_FULL with a result neither
 * accepted nor recorded (the kiosk's trouble screen), every check-in reported before is still
 * there, the same connection stores check-ins again once space returns, and the reopened store
 * passes PRAGMA integrity_check.
 *
 * Mounting needs root (CI runs the tests as root); elsewhere the test is skipped with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "checkin/checkin.h"
#include "reliability/rel_support.h"
#include "support/fixture.h"

#define MAX_SCANS 5000

/* Writes to `path` until the file system says ENOSPC; returns the bytes written. */
static long fill(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    static char block[65536];
    long total = 0;
    for (size_t size = sizeof(block); size >= 512; size /= 2) {
        for (;;) {
            ssize_t n = write(fd, block, size);
            if (n <= 0) {
                assert_int_equal(errno, ENOSPC);
                break;
            }
            total += n;
        }
    }
    fsync(fd);
    close(fd);
    return total;
}

static borne_err scan_one(struct borne_checkin *ck, fixture *fx, int i, borne_scan_result *r)
{
    char text[32];
    snprintf(text, sizeof(text), "FULL-%05d", i); /* unknown codes: one refusal row each */
    fixture_set_time(fx, fx->fake.now.wall_ms / 1000 + 1, true);
    return borne_checkin_scan(ck, (const uint8_t *)text, strlen(text), BORNE_METHOD_CAMERA, r);
}

static void test_full_disk(void **state)
{
    char mnt[256];
    assert_int_equal(fixture_mkdtemp(mnt, sizeof(mnt)), 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=2m,mode=0700") != 0) {
        int e = errno;
        rmdir(mnt);
        printf("diskfull: skipped: cannot mount a small tmpfs (%s); run as root to test a full "
               "disk\n",
               strerror(e));
        skip();
    }
    setenv("TMPDIR", mnt, 1);
    fixture fx;
    assert_int_equal(fixture_open(&fx), 0);
    borne_checkin_options opts = {.kiosk_id = "full", .session_id = 0, .rescan_window_ms = -1};
    struct borne_checkin *ck;
    assert_int_equal(borne_checkin_new(&ck, fx.store, &fx.clock, &opts), BORNE_OK);

    char(*reported)[BORNE_UUID_LEN + 1] = calloc(MAX_SCANS, sizeof(*reported));
    assert_non_null(reported);
    size_t nrep = 0;
    int i = 0;
    borne_scan_result r;
    for (; i < 3; i++) {
        assert_int_equal(scan_one(ck, &fx, i, &r), BORNE_OK);
        memcpy(reported[nrep++], r.uuid, sizeof(r.uuid));
    }
    char filler[320];
    snprintf(filler, sizeof(filler), "%s/filler", mnt);
    long filled = fill(filler);

    borne_err err = BORNE_OK;
    for (; i < MAX_SCANS - 10; i++) {
        err = scan_one(ck, &fx, i, &r);
        if (err) {
            break;
        }
        assert_true(r.recorded);
        memcpy(reported[nrep++], r.uuid, sizeof(r.uuid));
    }
    size_t stored_on_full = nrep - 3;
    assert_int_equal(err, BORNE_ERR_DISK_FULL);
    assert_false(r.accepted);
    assert_false(r.recorded);
    /* Still full: every further scan fails the same way, none is shown as stored. */
    for (int k = 0; k < 3; k++, i++) {
        assert_int_equal(scan_one(ck, &fx, i, &r), BORNE_ERR_DISK_FULL);
        assert_false(r.accepted);
    }
    assert_int_equal(borne_store_check(fx.store), BORNE_OK);

    /* Space returns: the same connection stores again. */
    assert_int_equal(unlink(filler), 0);
    for (int k = 0; k < 5; k++, i++) {
        assert_int_equal(scan_one(ck, &fx, i, &r), BORNE_OK);
        assert_true(r.recorded);
        memcpy(reported[nrep++], r.uuid, sizeof(r.uuid));
    }
    borne_checkin_free(ck);
    assert_int_equal(fixture_reopen(&fx), 0);
    assert_true(rel_integrity_ok(fx.store));
    for (size_t k = 0; k < nrep; k++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM checkin WHERE uuid = '%s'", reported[k]);
        assert_int_equal(fixture_query_int(fx.store, sql), 1);
    }
    int64_t rows = fixture_query_int(fx.store, "SELECT count(*) FROM checkin");
    assert_int_equal(rows, (int64_t)nrep);
    printf("diskfull: 2 MB tmpfs, filler %ld KB; %zu scans stored in the last free pages, then "
           "BORNE_ERR_DISK_FULL (4 scans refused, none shown accepted); space freed: 5 stored; "
           "%zu reported check-ins all found after reopening, integrity ok\n",
           filled / 1024, stored_on_full, nrep);
    fflush(stdout);
    free(reported);
    fixture_close(&fx);
    umount2(mnt, MNT_DETACH);
    rmdir(mnt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
