/* A damaged store at start (src/store/recover.c): detected by quick_check, kept aside with its WAL
 * under a timestamped name, replaced by a fresh store, and reported so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reliability/rel_support.h"
#include "store/recover.h"
#include "support/fixture.h"

#define NOW 1779300000 /* 2026-05-20T18:00:00Z */

typedef struct dir_ctx {
    char dir[256];
    char path[320];
} dir_ctx;

static int setup(void **state)
{
    dir_ctx *d = calloc(1, sizeof(*d));
    if (!d || fixture_mkdtemp(d->dir, sizeof(d->dir)) != 0) {
        free(d);
        return -1;
    }
    snprintf(d->path, sizeof(d->path), "%s/borne.db", d->dir);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    dir_ctx *d = *state;
    fixture_rmdir(d->dir);
    free(d);
    return 0;
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Overwrites `pages` pages of 4096 bytes from the middle of the file with garbage. */
static void damage_middle(const char *path, int pages)
{
    off_t size = file_size(path);
    assert_true(size > 8 * 4096);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    uint8_t junk[4096];
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(i * 37 + 11);
    }
    off_t page = size / 4096 / 2;
    for (int p = 0; p < pages; p++) {
        assert_int_equal(pwrite(fd, junk, sizeof(junk), (page + p) * 4096), sizeof(junk));
    }
    close(fd);
}

static void assert_fresh(struct borne_store *store)
{
    borne_event ev;
    assert_int_equal(borne_store_current_event(store, &ev), BORNE_ERR_NOT_FOUND);
    assert_int_equal(fixture_query_int(store, "SELECT count(*) FROM participant"), 0);
    assert_int_equal(fixture_query_int(store, "SELECT count(*) FROM checkin"), 0);
    assert_true(rel_integrity_ok(store));
}

static void test_healthy_store_is_kept(void **state)
{
    dir_ctx *d = *state;
    assert_int_equal(rel_setup_store(d->path, 50), 0);
    struct borne_store *store;
    borne_store_recovery rep;
    assert_int_equal(borne_store_open_checked(d->path, NOW, &store, &rep), BORNE_OK);
    assert_false(rep.recreated);
    assert_string_equal(rep.moved_to, "");
    assert_int_equal(fixture_query_int(store, "SELECT count(*) FROM participant"), 50);
    borne_store_close(store);
}

static void test_new_file_is_created(void **state)
{
    dir_ctx *d = *state;
    struct borne_store *store;
    borne_store_recovery rep;
    assert_int_equal(borne_store_open_checked(d->path, NOW, &store, &rep), BORNE_OK);
    assert_false(rep.recreated);
    assert_fresh(store);
    borne_store_close(store);
}

static void test_damaged_pages_are_moved_aside(void **state)
{
    dir_ctx *d = *state;
    assert_int_equal(rel_setup_store(d->path, 2000), 0);
    off_t size = file_size(d->path);
    damage_middle(d->path, 3);

    struct borne_store *store;
    borne_store_recovery rep;
    assert_int_equal(borne_store_open_checked(d->path, NOW, &store, &rep), BORNE_OK);
    assert_true(rep.recreated);
    char expect[400];
    snprintf(expect, sizeof(expect), "%s.damaged-20260520T180000Z", d->path);
    assert_string_equal(rep.moved_to, expect);
    assert_int_equal(file_size(expect), size); /* kept whole for inspection */
    assert_fresh(store);
    borne_store_close(store);

    /* Damaged again the same second: a second name, the first one untouched. */
    assert_int_equal(rel_setup_store(d->path, 2000), 0);
    damage_middle(d->path, 3);
    assert_int_equal(borne_store_open_checked(d->path, NOW, &store, &rep), BORNE_OK);
    assert_true(rep.recreated);
    strcat(expect, "-2");
    assert_string_equal(rep.moved_to, expect);
    assert_fresh(store);
    borne_store_close(store);
}

static void test_not_a_database_is_moved_aside(void **state)
{
    dir_ctx *d = *state;
    FILE *f = fopen(d->path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 20000; i++) {
        fputc(i * 7, f);
    }
    fclose(f);
    struct borne_store *store;
    borne_store_recovery rep;
    assert_int_equal(borne_store_open_checked(d->path, NOW, &store, &rep), BORNE_OK);
    assert_true(rep.recreated);
    assert_fresh(store);
    borne_store_close(store);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        assert_int_equal(fwrite(buf, 1, n, out), n);
    }
    fclose(in);
    fclose(out);
}

/* A damaged file whose WAL still holds check-ins (the kiosk died before a checkpoint): the WAL
 * goes aside with it and is never replayed into the fresh store. */
static void test_wal_goes_aside_too(void **state)
{
    dir_ctx *d = *state;
    assert_int_equal(rel_setup_store(d->path, 2000), 0);
    struct borne_store *live;
    assert_int_equal(borne_store_open(d->path, &live), BORNE_OK);
    assert_int_equal(
        sqlite3_exec(borne_store_db(live), "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL),
        SQLITE_OK);
    for (uint32_t id = 3001; id <= 3100; id++) {
        borne_participant p = {.id = id, .event_id = FIX_EVENT, .status = BORNE_REG_CONFIRMED};
        snprintf(p.display_name, sizeof(p.display_name), "Arrivée tardive %u", id);
        assert_int_equal(borne_store_put_participant(live, &p, NULL), BORNE_OK);
    }
    /* The files as a power cut would leave them: database plus a WAL full of commits. */
    char crash[320], from[1100], to[340];
    snprintf(crash, sizeof(crash), "%s/crash.db", d->dir);
    copy_file(d->path, crash);
    snprintf(from, sizeof(from), "%s-wal", d->path);
    snprintf(to, sizeof(to), "%s-wal", crash);
    copy_file(from, to);
    borne_store_close(live);
    off_t wal_size = file_size(to);
    assert_true(wal_size > 0);
    damage_middle(crash, 4);

    struct borne_store *store;
    borne_store_recovery rep;
    assert_int_equal(borne_store_open_checked(crash, NOW, &store, &rep), BORNE_OK);
    assert_true(rep.recreated);
    assert_fresh(store); /* no frame of the old WAL replayed into the new file */
    snprintf(from, sizeof(from), "%s-wal", rep.moved_to);
    assert_int_equal(file_size(from), wal_size);
    borne_store_close(store);
}

/* Errors that are not damage move nothing. */
static void test_other_errors_move_nothing(void **state)
{
    dir_ctx *d = *state;
    char path[400];
    snprintf(path, sizeof(path), "%s/no-such-folder/borne.db", d->dir);
    struct borne_store *store = NULL;
    borne_store_recovery rep;
    assert_int_equal(borne_store_open_checked(path, NOW, &store, &rep), BORNE_ERR_IO);
    assert_null(store);
    assert_false(rep.recreated);

    /* A schema newer than this program: refused as unsupported, kept in place. */
    assert_int_equal(rel_setup_store(d->path, 5), 0);
    assert_int_equal(borne_store_open(d->path, &store), BORNE_OK);
    assert_int_equal(
        sqlite3_exec(borne_store_db(store), "PRAGMA user_version = 99", NULL, NULL, NULL),
        SQLITE_OK);
    borne_store_close(store);
    assert_int_equal(borne_store_open_checked(d->path, NOW, &store, &rep), BORNE_ERR_UNSUPPORTED);
    assert_false(rep.recreated);
    assert_true(file_size(d->path) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_healthy_store_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_file_is_created, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_pages_are_moved_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database_is_moved_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wal_goes_aside_too, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_errors_move_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
