/* Tests of the SQLite helpers shared by the store and the registry (src/store/sqlutil.h): the
 * mapping of SQLite's result codes to borne_err (the common part, the store's and the
 * registry's exceptions side by side, a map with none) and what each caller's map means through
 * its own functions, the log line, opening with the pragmas, the statement cache, the step
 * helpers, row collection, and transactions that roll back on error, on a failed commit, on a
 * busy database and on an interrupted BEGIN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/uuid.h"
#include "registry/regdb.h"
#include "store/import.h"
#include "store/sqlutil.h"
#include "store/store.h"
#include "support/fixture.h"
#include "sync/protocol.h"

/* No exception: every code the common mapping leaves is BORNE_ERR_DB. */
static const borne_sql_errmap bare_map = {.module = "test"};

#define EVENT 42u

typedef struct sql_fx {
    char dir[256];
    char path[320];
    borne_sql_cached cache[4];
    borne_sqldb c;           /* setup: a connection with the store's map and a small cache */
    struct borne_regdb *reg; /* setup_registry: a registry with an event and a kiosk */
    char enrol_token[BORNE_API_TOKEN_MAX];
    int64_t kiosk_id;
} sql_fx;

static int fx_free(sql_fx *fx)
{
    borne_sql_close(&fx->c);
    borne_regdb_close(fx->reg);
    fixture_rmdir(fx->dir);
    free(fx);
    return 0;
}

static sql_fx *fx_new(const char *file)
{
    sql_fx *fx = calloc(1, sizeof(*fx));
    if (!fx || fixture_mkdtemp(fx->dir, sizeof(fx->dir)) != 0) {
        free(fx);
        return NULL;
    }
    snprintf(fx->path, sizeof(fx->path), "%s/%s", fx->dir, file);
    return fx;
}

static int setup(void **state)
{
    sql_fx *fx = fx_new("t.db");
    if (!fx) {
        return -1;
    }
    fx->c = (borne_sqldb){.map = &borne_store_errmap, .cache = fx->cache, .cache_size = 4};
    if (borne_sql_open(&fx->c, fx->path, 5000) != BORNE_OK ||
        borne_sql_exec(&fx->c,
                       "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
                       "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                       "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER"
                       "  REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);",
                       "schema") != BORNE_OK) {
        fx_free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int setup_registry(void **state)
{
    sql_fx *fx = fx_new("registry.db");
    if (!fx) {
        return -1;
    }
    borne_event ev = {.id = EVENT, .starts = 1779282000, .ends = 1779282000 + 86400};
    snprintf(ev.name, sizeof(ev.name), "Congrès");
    snprintf(ev.timezone, sizeof(ev.timezone), "America/Montreal");
    if (borne_regdb_open(fx->path, &fx->reg) != BORNE_OK ||
        borne_regdb_put_event(fx->reg, &ev, NULL, 0) != BORNE_OK ||
        borne_regdb_add_kiosk(fx->reg, EVENT, "porte-1", 3600, &fx->kiosk_id, fx->enrol_token) !=
            BORNE_OK) {
        fx_free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    return fx_free(*state);
}

static int64_t query_int(const borne_sqldb *c, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    assert_int_equal(borne_sql_prepare_once(c, sql, &st), BORNE_OK);
    assert_int_equal(borne_sql_step_int64(c, st, &v, "query"), BORNE_OK);
    return v;
}

static int64_t rows_in_t(const borne_sqldb *c)
{
    return query_int(c, "SELECT count(*) FROM t");
}

/* ---- the mapping ---- */

typedef struct map_case {
    int rc;
    borne_err store;    /* borne_store_errmap */
    borne_err registry; /* borne_regdb_errmap */
    borne_err bare;     /* a map with no exception */
} map_case;

static const map_case map_cases[] = {
    {SQLITE_OK, BORNE_OK, BORNE_OK, BORNE_OK},
    {SQLITE_ROW, BORNE_OK, BORNE_OK, BORNE_OK},
    {SQLITE_DONE, BORNE_OK, BORNE_OK, BORNE_OK},
    /* Common to every caller. */
    {SQLITE_FULL, BORNE_ERR_DISK_FULL, BORNE_ERR_DISK_FULL, BORNE_ERR_DISK_FULL},
    {SQLITE_CORRUPT, BORNE_ERR_CORRUPT, BORNE_ERR_CORRUPT, BORNE_ERR_CORRUPT},
    {SQLITE_CORRUPT_VTAB, BORNE_ERR_CORRUPT, BORNE_ERR_CORRUPT, BORNE_ERR_CORRUPT},
    {SQLITE_ERROR, BORNE_ERR_DB, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_INTERRUPT, BORNE_ERR_DB, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_MISUSE, BORNE_ERR_DB, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_RANGE, BORNE_ERR_DB, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_LOCKED, BORNE_ERR_DB, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_SCHEMA, BORNE_ERR_DB, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_MISMATCH, BORNE_ERR_DB, BORNE_ERR_DB, BORNE_ERR_DB},
    /* Where the callers differ, on purpose (extended codes follow their primary code). The
     * registry keeps BORNE_ERR_PERM for "this kiosk may not do that". */
    {SQLITE_READONLY, BORNE_ERR_PERM, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_READONLY_DBMOVED, BORNE_ERR_PERM, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_PERM, BORNE_ERR_PERM, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_AUTH, BORNE_ERR_PERM, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_BUSY, BORNE_ERR_DB, BORNE_ERR_TIMEOUT, BORNE_ERR_DB},
    {SQLITE_BUSY_SNAPSHOT, BORNE_ERR_DB, BORNE_ERR_TIMEOUT, BORNE_ERR_DB},
    {SQLITE_IOERR, BORNE_ERR_IO, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_IOERR_WRITE, BORNE_ERR_IO, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_IOERR_FSYNC, BORNE_ERR_IO, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_CANTOPEN, BORNE_ERR_IO, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_NOTADB, BORNE_ERR_CORRUPT, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_CONSTRAINT, BORNE_ERR_EXISTS, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_CONSTRAINT_UNIQUE, BORNE_ERR_EXISTS, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_CONSTRAINT_FOREIGNKEY, BORNE_ERR_EXISTS, BORNE_ERR_DB, BORNE_ERR_DB},
    {SQLITE_NOMEM, BORNE_ERR_NOMEM, BORNE_ERR_DB, BORNE_ERR_DB},
};

static void test_map_each_caller(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
        const map_case *m = &map_cases[i];
        borne_err store = borne_sql_map(m->rc, &borne_store_errmap);
        borne_err registry = borne_sql_map(m->rc, &borne_regdb_errmap);
        borne_err bare = borne_sql_map(m->rc, &bare_map);
        if (store != m->store || registry != m->registry || bare != m->bare) {
            fail_msg("SQLite code %d (%s): store %d (want %d), registry %d (want %d), bare %d "
                     "(want %d)",
                     m->rc, sqlite3_errstr(m->rc), store, m->store, registry, m->registry, bare,
                     m->bare);
        }
    }
    assert_string_equal(borne_store_errmap.module, "store");
    assert_string_equal(borne_regdb_errmap.module, "regdb");
}

/* Every result code SQLite has (primary and extended fit in 16 bits): none is BORNE_ERR_PERM
 * for the registry, and for the store only the read-only, permission and authorisation ones. */
static void test_map_perm_only_where_meant(void **state)
{
    (void)state;
    for (int rc = 0; rc <= 0xffff; rc++) {
        if (borne_sql_map(rc, &borne_regdb_errmap) == BORNE_ERR_PERM) {
            fail_msg("SQLite code %d maps to BORNE_ERR_PERM in the registry", rc);
        }
        int primary = rc & 0xff;
        bool perm = primary == SQLITE_READONLY || primary == SQLITE_PERM || primary == SQLITE_AUTH;
        if ((borne_sql_map(rc, &borne_store_errmap) == BORNE_ERR_PERM) != perm) {
            fail_msg("SQLite code %d: BORNE_ERR_PERM for the store is %s", rc,
                     perm ? "missing" : "unexpected");
        }
    }
}

/* Whatever a map says, the common part stays: a caller cannot make a full disk or damage look
 * like anything else. */
static void test_map_common_part_is_fixed(void **state)
{
    (void)state;
    const borne_sql_errmap odd = {.module = "test",
                                  .busy = BORNE_ERR_TIMEOUT,
                                  .readonly = BORNE_ERR_IO,
                                  .io = BORNE_ERR_NET,
                                  .notadb = BORNE_ERR_PARSE,
                                  .constraint = BORNE_ERR_INVALID,
                                  .nomem = BORNE_ERR_TOO_LARGE};
    assert_int_equal(borne_sql_map(SQLITE_FULL, &odd), BORNE_ERR_DISK_FULL);
    assert_int_equal(borne_sql_map(SQLITE_CORRUPT, &odd), BORNE_ERR_CORRUPT);
    assert_int_equal(borne_sql_map(SQLITE_DONE, &odd), BORNE_OK);
    assert_int_equal(borne_sql_map(SQLITE_ERROR, &odd), BORNE_ERR_DB);
    assert_int_equal(borne_sql_map(SQLITE_BUSY, &odd), BORNE_ERR_TIMEOUT);
    assert_int_equal(borne_sql_map(SQLITE_AUTH, &odd), BORNE_ERR_IO);
    assert_int_equal(borne_sql_map(SQLITE_IOERR_READ, &odd), BORNE_ERR_NET);
    assert_int_equal(borne_sql_map(SQLITE_NOTADB, &odd), BORNE_ERR_PARSE);
    assert_int_equal(borne_sql_map(SQLITE_CONSTRAINT_CHECK, &odd), BORNE_ERR_INVALID);
    assert_int_equal(borne_sql_map(SQLITE_NOMEM, &odd), BORNE_ERR_TOO_LARGE);
}

/* The store reports a read-only database as BORNE_ERR_PERM through its public functions. */
static void test_store_readonly_is_perm(void **state)
{
    (void)state;
    fixture fx;
    assert_int_equal(fixture_open_empty(&fx), 0);
    assert_int_equal(borne_store_state_set(fx.store, "mode", "entry"), BORNE_OK);
    assert_int_equal(
        sqlite3_exec(borne_store_db(fx.store), "PRAGMA query_only = 1", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(borne_store_state_set(fx.store, "mode", "exit"), BORNE_ERR_PERM);
    char mode[16];
    assert_int_equal(borne_store_state_get(fx.store, "mode", mode, sizeof(mode)), BORNE_OK);
    assert_string_equal(mode, "entry");
    fixture_close(&fx);
}

/* Errors are logged once with the caller's module tag and SQLite's message, which names columns,
 * never the values: a constraint (an expected answer for the store) only at debug level. */
static void test_error_log_line(void **state)
{
    sql_fx *fx = *state;
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    char logpath[400];
    snprintf(logpath, sizeof(logpath), "%s/log.txt", fx->dir);
    FILE *capture = fopen(logpath, "w");
    assert_non_null(capture);
    dup2(fileno(capture), STDERR_FILENO);
    enum borne_log_level saved_level = borne_log_get_level();
    borne_log_set_level(BORNE_LOG_DEBUG);

    assert_int_equal(
        borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('Hélène Tremblay')", "first"),
        BORNE_OK);
    assert_int_equal(
        borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('Hélène Tremblay')", "add name"),
        BORNE_ERR_EXISTS);
    borne_sqldb bare = fx->c;
    bare.map = &bare_map;
    assert_int_equal(
        borne_sql_exec(&bare, "INSERT INTO t(name) VALUES ('Hélène Tremblay')", "add again"),
        BORNE_ERR_DB);
    assert_int_equal(borne_sql_map(SQLITE_NOMEM, &borne_store_errmap), BORNE_ERR_NOMEM);

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    borne_log_set_level(saved_level);
    char *log = NULL;
    size_t len = 0;
    assert_int_equal(borne_read_file(logpath, 1 << 20, &log, &len), BORNE_OK);
    fclose(capture);
    assert_non_null(strstr(log, "borne[store] debug: add name: UNIQUE constraint failed: t.name"));
    assert_non_null(strstr(log, "borne[test] error: add again: UNIQUE constraint failed: t.name"));
    assert_null(strstr(log, "Hélène"));
    assert_null(strstr(log, "Tremblay"));
    free(log);
}

/* ---- opening ---- */

/* A file of 4 KiB that is not a database. */
static void write_junk(const char *path)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    char junk[4096];
    memset(junk, 'x', sizeof(junk));
    assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
    fclose(f);
}

static void test_open_pragmas(void **state)
{
    sql_fx *fx = *state;
    sqlite3_stmt *st;
    assert_int_equal(borne_sql_prepare_once(&fx->c, "PRAGMA journal_mode", &st), BORNE_OK);
    assert_int_equal(borne_sql_step_row(&fx->c, st, "journal mode"), BORNE_OK);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    borne_sql_release(&fx->c, st);
    assert_int_equal(query_int(&fx->c, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(query_int(&fx->c, "PRAGMA foreign_keys"), 1);
    assert_int_equal(query_int(&fx->c, "PRAGMA secure_delete"), 1);
    assert_int_equal(query_int(&fx->c, "PRAGMA busy_timeout"), 5000);
    /* Extended result codes are on. */
    assert_int_equal(sqlite3_exec(fx->c.db, "INSERT INTO t(id) VALUES (1), (1)", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT_PRIMARYKEY);
}

static void test_open_failures(void **state)
{
    sql_fx *fx = *state;
    char path[400];
    snprintf(path, sizeof(path), "%s/no/such/folder/t.db", fx->dir);
    borne_sqldb c = {.map = &borne_store_errmap};
    assert_int_equal(borne_sql_open(&c, path, 100), BORNE_ERR_IO); /* SQLITE_CANTOPEN */
    assert_null(c.db);
    c.map = &bare_map;
    assert_int_equal(borne_sql_open(&c, path, 100), BORNE_ERR_DB);
    assert_null(c.db);

    /* A file that is not a database: damage for the store, a storage failure without map. */
    snprintf(path, sizeof(path), "%s/junk.db", fx->dir);
    write_junk(path);
    c.map = &borne_store_errmap;
    assert_int_equal(borne_sql_open(&c, path, 100), BORNE_ERR_CORRUPT);
    assert_null(c.db);
    c.map = &bare_map;
    assert_int_equal(borne_sql_open(&c, path, 100), BORNE_ERR_DB);
    assert_null(c.db);
    borne_sql_close(&c); /* closing what failed to open is harmless */
}

/* ---- statements ---- */

static const char sql_count[] = "SELECT count(*) FROM t";
static const char sql_insert[] = "INSERT INTO t(name) VALUES (?1)";
static const char sql_one[] = "SELECT 1";
static const char sql_two[] = "SELECT 2";
static const char sql_three[] = "SELECT 3";

static void test_cache(void **state)
{
    sql_fx *fx = *state;
    sqlite3_stmt *a, *b;
    assert_int_equal(borne_sql_prepare(&fx->c, sql_insert, &a), BORNE_OK);
    sqlite3_bind_text(a, 1, "one", -1, SQLITE_STATIC);
    assert_int_equal(borne_sql_step_done(&fx->c, a, "insert"), BORNE_OK);
    /* The same text at the same address: the same statement, reset and unbound. */
    assert_int_equal(borne_sql_prepare(&fx->c, sql_insert, &b), BORNE_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(sqlite3_stmt_busy(b), 0);
    assert_int_equal(borne_sql_step_done(&fx->c, b, "insert NULL"), BORNE_OK);
    assert_int_equal(query_int(&fx->c, "SELECT count(*) FROM t WHERE name IS NULL"), 1);
    assert_ptr_equal(fx->cache[0].sql, sql_insert);

    /* prepare_once never takes a slot. */
    assert_int_equal(borne_sql_prepare_once(&fx->c, sql_count, &a), BORNE_OK);
    assert_ptr_not_equal(fx->cache[1].sql, sql_count);
    borne_sql_release(&fx->c, a);

    /* Four slots: the fifth statement is prepared each time and finalized when released. */
    sqlite3_stmt *s[4];
    assert_int_equal(borne_sql_prepare(&fx->c, sql_count, &s[0]), BORNE_OK);
    assert_int_equal(borne_sql_prepare(&fx->c, sql_one, &s[1]), BORNE_OK);
    assert_int_equal(borne_sql_prepare(&fx->c, sql_two, &s[2]), BORNE_OK);
    assert_int_equal(borne_sql_prepare(&fx->c, sql_three, &s[3]), BORNE_OK);
    for (size_t i = 0; i < 4; i++) {
        assert_ptr_equal(fx->cache[i].st, i == 0 ? b : s[i - 1]);
        borne_sql_release(&fx->c, s[i]);
    }
    borne_sql_release(&fx->c, NULL);
    /* Finalized at close (LeakSanitizer and sqlite3_close_v2 would tell otherwise). */
}

static void test_prepare_error(void **state)
{
    sql_fx *fx = *state;
    sqlite3_stmt *st = (sqlite3_stmt *)fx; /* anything non-NULL */
    assert_int_equal(borne_sql_prepare(&fx->c, "SELEKT nothing", &st), BORNE_ERR_DB);
    assert_null(st);
    for (size_t i = 0; i < 4; i++) {
        assert_null(fx->cache[i].sql);
    }
    st = (sqlite3_stmt *)fx;
    assert_int_equal(borne_sql_prepare_once(&fx->c, "SELECT * FROM nowhere", &st), BORNE_ERR_DB);
    assert_null(st);
}

static void test_steps(void **state)
{
    sql_fx *fx = *state;
    sqlite3_stmt *st;
    /* step_done takes a row as success too. */
    assert_int_equal(borne_sql_prepare(&fx->c, sql_one, &st), BORNE_OK);
    assert_int_equal(borne_sql_step_done(&fx->c, st, "one"), BORNE_OK);
    /* step_row: a row, or BORNE_ERR_NOT_FOUND. */
    assert_int_equal(borne_sql_exec(&fx->c, "INSERT INTO t(id, name) VALUES (5, 'five')", "five"),
                     BORNE_OK);
    assert_int_equal(borne_sql_prepare(&fx->c, "SELECT name FROM t WHERE id = ?1", &st), BORNE_OK);
    sqlite3_bind_int(st, 1, 5);
    assert_int_equal(borne_sql_step_row(&fx->c, st, "five"), BORNE_OK);
    char name[3];
    borne_sql_copy_text(name, sizeof(name), st, 0);
    assert_string_equal(name, "fi"); /* truncated, terminated */
    borne_sql_release(&fx->c, st);
    assert_int_equal(borne_sql_prepare(&fx->c, "SELECT name FROM t WHERE id = ?1", &st), BORNE_OK);
    sqlite3_bind_int(st, 1, 6);
    assert_int_equal(borne_sql_step_row(&fx->c, st, "six"), BORNE_ERR_NOT_FOUND);
    borne_sql_release(&fx->c, st);
    /* copy_text of NULL is "". */
    assert_int_equal(borne_sql_prepare_once(&fx->c, "SELECT NULL", &st), BORNE_OK);
    assert_int_equal(borne_sql_step_row(&fx->c, st, "null"), BORNE_OK);
    strcpy(name, "x");
    borne_sql_copy_text(name, sizeof(name), st, 0);
    assert_string_equal(name, "");
    borne_sql_release(&fx->c, st);
    /* step_int64: column 0, 0 without a row. */
    int64_t v = -1;
    assert_int_equal(borne_sql_prepare_once(&fx->c, "SELECT id FROM t WHERE id = 5", &st),
                     BORNE_OK);
    assert_int_equal(borne_sql_step_int64(&fx->c, st, &v, "id"), BORNE_OK);
    assert_int_equal(v, 5);
    assert_int_equal(borne_sql_prepare_once(&fx->c, "SELECT id FROM t WHERE id = 6", &st),
                     BORNE_OK);
    assert_int_equal(borne_sql_step_int64(&fx->c, st, &v, "id"), BORNE_OK);
    assert_int_equal(v, 0);
    /* A failing step is mapped (a constraint: EXISTS for the store). */
    assert_int_equal(borne_sql_prepare(&fx->c, sql_insert, &st), BORNE_OK);
    sqlite3_bind_text(st, 1, "five", -1, SQLITE_STATIC);
    assert_int_equal(borne_sql_step_done(&fx->c, st, "dup"), BORNE_ERR_EXISTS);
    /* user_version. */
    int version = -1;
    assert_int_equal(borne_sql_user_version(&fx->c, &version), BORNE_OK);
    assert_int_equal(version, 0);
    assert_int_equal(borne_sql_exec(&fx->c, "PRAGMA user_version = 7", "version"), BORNE_OK);
    assert_int_equal(borne_sql_user_version(&fx->c, &version), BORNE_OK);
    assert_int_equal(version, 7);
}

static void test_run_id(void **state)
{
    sql_fx *fx = *state;
    assert_int_equal(
        borne_sql_exec(&fx->c, "INSERT INTO t(id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')", "t"),
        BORNE_OK);
    int64_t changed = 10;
    assert_int_equal(
        borne_sql_run_id(&fx->c, "DELETE FROM t WHERE id >= ?1", 2, &changed, "delete"), BORNE_OK);
    assert_int_equal(changed, 12);
    assert_int_equal(rows_in_t(&fx->c), 1);
    /* Without a parameter, the id is not bound; NULL count. */
    assert_int_equal(borne_sql_run_id(&fx->c, "DELETE FROM t", 99, NULL, "delete all"), BORNE_OK);
    assert_int_equal(rows_in_t(&fx->c), 0);
    assert_int_equal(borne_sql_run_id(&fx->c, "DELETE FROM nowhere", 1, &changed, "bad"),
                     BORNE_ERR_DB);
    assert_int_equal(changed, 12);
    for (size_t i = 0; i < 4; i++) {
        assert_null(fx->cache[i].sql);
    }
}

/* ---- collecting rows ---- */

static bool read_even(sqlite3_stmt *st, void *elem)
{
    int64_t v = sqlite3_column_int64(st, 0);
    *(int64_t *)elem = v;
    return v % 2 == 0;
}

static void test_collect(void **state)
{
    sql_fx *fx = *state;
    static const char sql_series[] =
        "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s"
        " WHERE x < ?1) SELECT x FROM s";
    sqlite3_stmt *st;
    int64_t *v = NULL;
    size_t n = 99;
    assert_int_equal(borne_sql_prepare(&fx->c, sql_series, &st), BORNE_OK);
    sqlite3_bind_int(st, 1, 41);
    assert_int_equal(borne_sql_collect(&fx->c, st, sizeof(*v), read_even, (void **)&v, &n, "even"),
                     BORNE_OK);
    assert_int_equal(n, 20);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i], (int64_t)(2 * (i + 1)));
    }
    free(v);
    /* No row: NULL and 0. The cached statement was reset and unbound. */
    assert_int_equal(borne_sql_prepare(&fx->c, sql_series, &st), BORNE_OK);
    sqlite3_bind_int(st, 1, 1);
    assert_int_equal(borne_sql_collect(&fx->c, st, sizeof(*v), read_even, (void **)&v, &n, "none"),
                     BORNE_OK);
    assert_null(v);
    assert_int_equal(n, 0);
    /* An error after some rows: nothing is returned. */
    assert_int_equal(borne_sql_prepare_once(&fx->c,
                                            "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x"
                                            " + 1 FROM s WHERE x < 40) SELECT CASE WHEN x < 30"
                                            " THEN x ELSE abs(x - 9223372036854775807 - 31) END"
                                            " FROM s",
                                            &st),
                     BORNE_OK);
    assert_int_equal(
        borne_sql_collect(&fx->c, st, sizeof(*v), read_even, (void **)&v, &n, "overflow"),
        BORNE_ERR_DB);
    assert_null(v);
    assert_int_equal(n, 0);
}

/* ---- transactions ---- */

static void test_finish_commits_on_success(void **state)
{
    sql_fx *fx = *state;
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_OK);
    assert_int_equal(sqlite3_get_autocommit(fx->c.db), 0);
    assert_int_equal(borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('a')", "a"), BORNE_OK);
    assert_int_equal(borne_sql_finish(&fx->c, BORNE_OK), BORNE_OK);
    assert_int_equal(sqlite3_get_autocommit(fx->c.db), 1);
    assert_int_equal(rows_in_t(&fx->c), 1);
    /* commit and rollback on their own. */
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_OK);
    assert_int_equal(borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('b')", "b"), BORNE_OK);
    assert_int_equal(borne_sql_commit(&fx->c), BORNE_OK);
    assert_int_equal(rows_in_t(&fx->c), 2);
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_OK);
    assert_int_equal(borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('c')", "c"), BORNE_OK);
    borne_sql_rollback(&fx->c);
    assert_int_equal(rows_in_t(&fx->c), 2);
    borne_sql_rollback(&fx->c);                               /* outside a transaction: nothing */
    assert_int_equal(borne_sql_commit(&fx->c), BORNE_ERR_DB); /* no transaction to commit */
}

static void test_finish_rolls_back_on_error(void **state)
{
    sql_fx *fx = *state;
    /* The caller's own error. */
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_OK);
    assert_int_equal(borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('a')", "a"), BORNE_OK);
    assert_int_equal(borne_sql_finish(&fx->c, BORNE_ERR_INVALID), BORNE_ERR_INVALID);
    assert_int_equal(sqlite3_get_autocommit(fx->c.db), 1);
    assert_int_equal(rows_in_t(&fx->c), 0);
    /* A statement that failed inside: the rows before it go too. */
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_OK);
    borne_err err = borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('a'), ('b')", "ab");
    err = err ? err : borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('a')", "a again");
    assert_int_equal(err, BORNE_ERR_EXISTS);
    assert_int_equal(borne_sql_finish(&fx->c, err), BORNE_ERR_EXISTS);
    assert_int_equal(rows_in_t(&fx->c), 0);
    /* BEGIN inside a transaction is an error; the outer one still rolls back. */
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_OK);
    assert_int_equal(borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('a')", "a"), BORNE_OK);
    err = borne_sql_begin(&fx->c);
    assert_int_equal(err, BORNE_ERR_DB);
    assert_int_equal(borne_sql_finish(&fx->c, err), BORNE_ERR_DB);
    assert_int_equal(rows_in_t(&fx->c), 0);
}

/* COMMIT itself fails (a deferred foreign key): the transaction is left open by SQLite; finish
 * rolls it back and returns the commit's error. */
static void test_finish_rolls_back_a_failed_commit(void **state)
{
    sql_fx *fx = *state;
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_OK);
    assert_int_equal(borne_sql_exec(&fx->c, "INSERT INTO t(name) VALUES ('kept?')", "t"), BORNE_OK);
    assert_int_equal(
        borne_sql_exec(&fx->c, "INSERT INTO child(id, parent) VALUES (1, 77)", "orphan"), BORNE_OK);
    assert_int_equal(borne_sql_finish(&fx->c, BORNE_OK), BORNE_ERR_EXISTS);
    assert_int_equal(sqlite3_get_autocommit(fx->c.db), 1);
    assert_int_equal(rows_in_t(&fx->c), 0);
    assert_int_equal(query_int(&fx->c, "SELECT count(*) FROM child"), 0);
    /* The connection works on. */
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_OK);
    assert_int_equal(borne_sql_exec(&fx->c, "INSERT INTO parent(id) VALUES (77)", "parent"),
                     BORNE_OK);
    assert_int_equal(
        borne_sql_exec(&fx->c, "INSERT INTO child(id, parent) VALUES (1, 77)", "child"), BORNE_OK);
    assert_int_equal(borne_sql_finish(&fx->c, BORNE_OK), BORNE_OK);
    assert_int_equal(query_int(&fx->c, "SELECT count(*) FROM child"), 1);
}

/* Another connection holds the write lock past the busy timeout: BEGIN IMMEDIATE fails, as
 * BORNE_ERR_DB with the store's map and BORNE_ERR_TIMEOUT with the registry's, and nothing is
 * left open. */
static void test_busy(void **state)
{
    sql_fx *fx = *state;
    borne_sqldb other = {.map = &borne_store_errmap};
    assert_int_equal(borne_sql_open(&other, fx->path, 50), BORNE_OK);
    assert_int_equal(borne_sql_begin(&other), BORNE_OK);
    assert_int_equal(borne_sql_exec(&other, "INSERT INTO t(name) VALUES ('other')", "other"),
                     BORNE_OK);
    sqlite3_busy_timeout(fx->c.db, 50);
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_ERR_DB);
    assert_int_equal(sqlite3_get_autocommit(fx->c.db), 1);
    borne_sqldb as_registry = fx->c;
    as_registry.map = &borne_regdb_errmap;
    assert_int_equal(borne_sql_begin(&as_registry), BORNE_ERR_TIMEOUT);
    assert_int_equal(borne_sql_finish(&other, BORNE_OK), BORNE_OK);
    assert_int_equal(borne_sql_begin(&fx->c), BORNE_OK);
    assert_int_equal(borne_sql_finish(&fx->c, BORNE_OK), BORNE_OK);
    assert_int_equal(rows_in_t(&fx->c), 1);
    borne_sql_close(&other);
}

/* Interrupts once, at the n-th call. */
static int interrupt_at(void *ctx)
{
    int *left = ctx;
    return --*left == 0;
}

/* BEGIN interrupted at each of its steps: when it fails, no transaction is left open (SQLite can
 * leave one open when the interruption comes after the transaction started). */
static void test_interrupted_begin_leaves_nothing_open(void **state)
{
    sql_fx *fx = *state;
    int failures = 0;
    borne_err err = BORNE_ERR_DB;
    for (int n = 1; n < 1000 && err; n++) {
        int left = n;
        sqlite3_progress_handler(fx->c.db, 1, interrupt_at, &left);
        err = borne_sql_begin(&fx->c);
        sqlite3_progress_handler(fx->c.db, 0, NULL, NULL);
        if (err) {
            failures++;
            assert_int_equal(err, BORNE_ERR_DB); /* SQLITE_INTERRUPT */
            assert_int_equal(sqlite3_get_autocommit(fx->c.db), 1);
        }
    }
    assert_int_equal(err, BORNE_OK);
    assert_true(failures >= 1);
    assert_int_equal(borne_sql_finish(&fx->c, BORNE_OK), BORNE_OK);
}

/* The store's imports keep their all-or-nothing promise through the shared finish. */
static void test_store_import_rolls_back(void **state)
{
    (void)state;
    fixture fx;
    assert_int_equal(fixture_open(&fx), 0);
    int64_t before = fixture_query_int(fx.store, "SELECT count(*) FROM participant");
    static const char csv[] = "id,name,organisation,member,status,sessions\n"
                              "500,Nouvelle Personne,,non,confirmed,\n"
                              "501,Autre Personne,,non,confirmed,A1\n"
                              "pas-un-nombre,Troisième Personne,,non,confirmed,\n";
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    assert_int_not_equal(
        borne_import_roster_csv(fx.store, FIX_EVENT, csv, strlen(csv), &res, msg, sizeof(msg)),
        BORNE_OK);
    assert_int_equal(fixture_query_int(fx.store, "SELECT count(*) FROM participant"), before);
    assert_int_equal(sqlite3_get_autocommit(borne_store_db(fx.store)), 1);
    fixture_close(&fx);
}

/* ---- the registry's map through regdb's functions ----
 *
 * In the registry BORNE_ERR_PERM means "this kiosk may not do that" (HTTP 403, an unknown token,
 * a refused walk-in): a database that cannot be written must come back as a storage failure
 * (BORNE_ERR_DB, HTTP 503), where the store says BORNE_ERR_PERM, and a busy one as
 * BORNE_ERR_TIMEOUT. The database is made read-only (PRAGMA query_only), its writes denied by an
 * authorizer (SQLITE_AUTH), or locked by another connection. */

static void query_only(sql_fx *fx, bool on)
{
    assert_int_equal(sqlite3_exec(borne_regdb_sqlite(fx->reg),
                                  on ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
}

/* Denies inserts and updates of one table: preparing such a statement fails with SQLITE_AUTH
 * while everything else (BEGIN, reads) works. NULL allows everything again. */
static int deny_writes(void *table, int action, const char *a, const char *b, const char *dbname,
                       const char *trigger)
{
    (void)b;
    (void)dbname;
    (void)trigger;
    bool write = action == SQLITE_INSERT || action == SQLITE_UPDATE;
    return write && a && strcmp(a, table) == 0 ? SQLITE_DENY : SQLITE_OK;
}

static void deny_writes_to(sql_fx *fx, const char *table)
{
    assert_int_equal(sqlite3_set_authorizer(borne_regdb_sqlite(fx->reg), table ? deny_writes : NULL,
                                            (void *)table),
                     SQLITE_OK);
}

static bool in_transaction(sql_fx *fx)
{
    return sqlite3_get_autocommit(borne_regdb_sqlite(fx->reg)) == 0;
}

/* ---- through regdb's functions ---- */

/* A valid enrolment token on a database that cannot be written is not "refused" (403) but a
 * storage failure (503); an unknown one is still refused (reads are enough to say so). */
static void test_unwritable_enrol_is_storage_failure(void **state)
{
    sql_fx *fx = *state;
    borne_reg_kiosk k;
    char api[BORNE_API_TOKEN_MAX];
    /* SQLITE_AUTH on the kiosk's update, after its row was found. */
    deny_writes_to(fx, "kiosk");
    assert_int_equal(borne_regdb_enrol(fx->reg, fx->enrol_token, "", "1.0", &k, api), BORNE_ERR_DB);
    assert_string_equal(api, "");
    assert_false(in_transaction(fx));
    assert_int_equal(borne_regdb_enrol(fx->reg, "no-such-enrolment-token", "", "1.0", &k, api),
                     BORNE_ERR_PERM);
    assert_false(in_transaction(fx));
    deny_writes_to(fx, NULL);

    /* SQLITE_READONLY (query_only): writes fail, reads answer. */
    query_only(fx, true);
    assert_int_equal(borne_regdb_enrol(fx->reg, fx->enrol_token, "", "1.0", &k, api), BORNE_ERR_DB);
    assert_false(in_transaction(fx));
    assert_int_equal(borne_regdb_auth(fx->reg, "no-such-api-token", &k), BORNE_ERR_PERM);
    uint8_t pk[32] = {1};
    assert_int_equal(borne_regdb_put_key(fx->reg, 3, pk), BORNE_ERR_DB);
    assert_false(in_transaction(fx));
    query_only(fx, false);

    /* Writable again: the same token enrols, the API token authenticates. */
    assert_int_equal(borne_regdb_enrol(fx->reg, fx->enrol_token, "", "1.0", &k, api), BORNE_OK);
    assert_int_equal(k.id, fx->kiosk_id);
    borne_reg_kiosk again;
    assert_int_equal(borne_regdb_auth(fx->reg, api, &again), BORNE_OK);
    assert_int_equal(again.id, k.id);
    assert_int_equal(borne_regdb_put_key(fx->reg, 3, pk), BORNE_OK);
}

/* A walk-in's check-in when the registry cannot write the participant (SQLITE_AUTH on the change
 * counter, inside the batch's transaction, or a read-only database): the batch fails (503, the
 * kiosk sends it again) instead of the walk-in being "refused" for good. A walk-in outside the
 * kiosk's range is still refused. */
static void test_unwritable_walkin_is_storage_failure(void **state)
{
    sql_fx *fx = *state;
    borne_reg_kiosk k;
    char api[BORNE_API_TOKEN_MAX];
    assert_int_equal(borne_regdb_enrol(fx->reg, fx->enrol_token, "", "1.0", &k, api), BORNE_OK);

    borne_checkin_row rows[2];
    borne_push_walkin walkins[2];
    memset(rows, 0, sizeof(rows));
    memset(walkins, 0, sizeof(walkins));
    for (size_t i = 0; i < 2; i++) {
        borne_uuid_new(rows[i].uuid);
        snprintf(rows[i].kiosk_id, sizeof(rows[i].kiosk_id), "porte-1");
        rows[i].event_id = EVENT;
        rows[i].direction = BORNE_ENTRY;
        rows[i].method = BORNE_METHOD_WALK_IN;
        rows[i].outcome = BORNE_OUTCOME_ACCEPTED_ENTRY;
        rows[i].time.wall_ms = 1779282000000LL + (int64_t)i;
        rows[i].wall_recorded_ms = rows[i].time.wall_ms;
        rows[i].time.mono_ms = 1000 + (int64_t)i;
        snprintf(rows[i].time.boot_id, sizeof(rows[i].time.boot_id), "boot");
        rows[i].time.trusted = true;
        walkins[i].present = true;
        snprintf(walkins[i].name, sizeof(walkins[i].name), "Nouvelle Personne");
    }
    rows[0].participant_id = borne_walkin_id(k.id, 1);
    rows[1].participant_id = borne_walkin_id(k.id + 1, 1); /* another kiosk's range */
    assert_int_not_equal(rows[0].participant_id, 0);
    assert_int_not_equal(rows[1].participant_id, 0);
    borne_push_result res[2];

    deny_writes_to(fx, "counter");
    assert_int_equal(borne_regdb_store_checkins(fx->reg, &k, rows, NULL, walkins, 1, res),
                     BORNE_ERR_DB);
    assert_false(in_transaction(fx));
    deny_writes_to(fx, NULL);
    query_only(fx, true);
    assert_int_equal(borne_regdb_store_checkins(fx->reg, &k, rows, NULL, walkins, 1, res),
                     BORNE_ERR_DB);
    assert_false(in_transaction(fx));
    query_only(fx, false);

    memset(res, 0, sizeof(res));
    assert_int_equal(borne_regdb_store_checkins(fx->reg, &k, rows, NULL, walkins, 2, res),
                     BORNE_OK);
    assert_int_equal(res[0].status, BORNE_PUSH_STORED);
    assert_int_equal(res[1].status, BORNE_PUSH_REFUSED);
    assert_string_equal(res[1].reason, "walk-in id outside this kiosk's range");
}

/* Another connection holds the write lock: BORNE_ERR_TIMEOUT (the store would say
 * BORNE_ERR_DB), nothing left open, and the write goes through once the lock is gone. */
static void test_busy_is_timeout(void **state)
{
    sql_fx *fx = *state;
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(fx->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(borne_regdb_sqlite(fx->reg), 50);
    uint8_t pk[32] = {2};
    assert_int_equal(borne_regdb_put_key(fx->reg, 4, pk), BORNE_ERR_TIMEOUT);
    assert_false(in_transaction(fx));
    assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    assert_int_equal(borne_regdb_put_key(fx->reg, 4, pk), BORNE_OK);
}

static int pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Opening: a folder that does not exist or a file that is not a database is a storage failure
 * (the store would say BORNE_ERR_IO and BORNE_ERR_CORRUPT). */
static void test_registry_open(void **state)
{
    sql_fx *fx = *state;
    char path[400];
    struct borne_regdb *db = NULL;
    snprintf(path, sizeof(path), "%s/no/such/folder/registry.db", fx->dir);
    assert_int_equal(borne_regdb_open(path, &db), BORNE_ERR_DB);
    assert_null(db);
    snprintf(path, sizeof(path), "%s/junk.db", fx->dir);
    write_junk(path);
    assert_int_equal(borne_regdb_open(path, &db), BORNE_ERR_DB);
    assert_null(db);
    /* The registry's file itself opens again, at the current schema, with the pragmas. */
    assert_int_equal(borne_regdb_open(fx->path, &db), BORNE_OK);
    sqlite3 *raw = borne_regdb_sqlite(db);
    assert_int_equal(pragma_int(raw, "PRAGMA user_version"), BORNE_REGDB_SCHEMA_VERSION);
    assert_int_equal(pragma_int(raw, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(pragma_int(raw, "PRAGMA foreign_keys"), 1);
    assert_int_equal(pragma_int(raw, "PRAGMA secure_delete"), 1);
    assert_int_equal(pragma_int(raw, "PRAGMA busy_timeout"), 10000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    borne_regdb_close(db);
}

/* A new file takes the schema, then each migration, up to the current version. */
static void test_registry_schema_from_old_version(void **state)
{
    sql_fx *fx = *state;
    /* Back to version 1 by hand: drop what migrations 2 to 7 add (7: the check-ins index back
     * to its first four columns). */
    borne_regdb_close(fx->reg);
    fx->reg = NULL;
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open(fx->path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "ALTER TABLE participant DROP COLUMN badge;"
                                  "ALTER TABLE participant DROP COLUMN walkin_kiosk;"
                                  "ALTER TABLE event DROP COLUMN credits_exported_ms;"
                                  "ALTER TABLE event DROP COLUMN purged_ms;"
                                  "ALTER TABLE kiosk DROP COLUMN label;"
                                  "ALTER TABLE counter DROP COLUMN epoch;"
                                  "ALTER TABLE event DROP COLUMN missing_exit;"
                                  "DROP TABLE review_decision;"
                                  "ALTER TABLE event DROP COLUMN issuer;"
                                  "DROP INDEX checkin_event;"
                                  "CREATE INDEX checkin_event"
                                  "  ON checkin(event_id, participant_id, session_id, wall_ms);"
                                  "PRAGMA user_version = 1;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(borne_regdb_open(fx->path, &fx->reg), BORNE_OK);
    borne_event ev;
    assert_int_equal(borne_regdb_get_event(fx->reg, EVENT, &ev), BORNE_OK);
    assert_string_equal(ev.name, "Congrès");
    assert_int_equal(borne_regdb_mark_exported(fx->reg, EVENT, 1), BORNE_OK); /* a v3 column */
    assert_int_equal(borne_regdb_get_event(fx->reg, EVENT + 1, &ev), BORNE_ERR_NOT_FOUND);
    /* Version 4: the kiosk's label, and a roster epoch (16 hex digits) for the counter. */
    sqlite3 *db = borne_regdb_sqlite(fx->reg);
    assert_int_equal(pragma_int(db, "SELECT length(epoch) FROM counter"), 16);
    assert_int_equal(pragma_int(db, "SELECT count(*) FROM pragma_table_info('kiosk')"
                                    " WHERE name = 'label'"),
                     1);
    /* Version 5: the missing-exit policy (review for an event made before) and the decisions. */
    assert_int_equal(pragma_int(db, "SELECT count(*) FROM event WHERE missing_exit = 'review'"), 1);
    assert_int_equal(pragma_int(db, "SELECT count(*) FROM review_decision"), 0);
    /* Version 6: the event's issuer of attestations, none (the default) for an event made before.
     */
    assert_int_equal(pragma_int(db, "SELECT count(*) FROM event WHERE issuer IS NULL"), 1);
    /* Version 7: the check-ins index covers the credits' columns, and the credits' scan of an
     * event reads it alone. */
    assert_int_equal(pragma_int(db, "SELECT count(*) FROM pragma_index_info('checkin_event')"), 9);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "EXPLAIN QUERY PLAN SELECT participant_id, session_id,"
                                        " wall_ms, direction, outcome, clock_trusted,"
                                        " wall_recorded_ms, received_ms, length(uuid)"
                                        " FROM checkin WHERE event_id = 1"
                                        " AND outcome IN (0, 1, 2, 17)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_non_null(
        strstr((const char *)sqlite3_column_text(st, 3), "COVERING INDEX checkin_event"));
    sqlite3_finalize(st);
}

/* A test on a fresh database (setup) or a fresh registry (setup_registry). */
#define WITH_DB(test)       cmocka_unit_test_setup_teardown(test, setup, teardown)
#define WITH_REGISTRY(test) cmocka_unit_test_setup_teardown(test, setup_registry, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* The maps. */
        cmocka_unit_test(test_map_each_caller),
        cmocka_unit_test(test_map_perm_only_where_meant),
        cmocka_unit_test(test_map_common_part_is_fixed),
        cmocka_unit_test(test_store_readonly_is_perm),
        WITH_DB(test_error_log_line),
        /* Opening, statements, rows. */
        WITH_DB(test_open_pragmas),
        WITH_DB(test_open_failures),
        WITH_DB(test_cache),
        WITH_DB(test_prepare_error),
        WITH_DB(test_steps),
        WITH_DB(test_run_id),
        WITH_DB(test_collect),
        /* Transactions. */
        WITH_DB(test_finish_commits_on_success),
        WITH_DB(test_finish_rolls_back_on_error),
        WITH_DB(test_finish_rolls_back_a_failed_commit),
        WITH_DB(test_busy),
        WITH_DB(test_interrupted_begin_leaves_nothing_open),
        cmocka_unit_test(test_store_import_rolls_back),
        /* The registry's map through regdb. */
        WITH_REGISTRY(test_unwritable_enrol_is_storage_failure),
        WITH_REGISTRY(test_unwritable_walkin_is_storage_failure),
        WITH_REGISTRY(test_busy_is_timeout),
        WITH_REGISTRY(test_registry_open),
        WITH_REGISTRY(test_registry_schema_from_old_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
