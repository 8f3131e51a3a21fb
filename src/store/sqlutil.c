/* SQLite helpers shared by the store and the registry (see sqlutil.h). */
#include "store/sqlutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/collate.h"
#include "core/log.h"

static borne_err exception(borne_err mapped)
{
    return mapped ? mapped : BORNE_ERR_DB;
}

borne_err borne_sql_map(int rc, const borne_sql_errmap *map)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return BORNE_OK;
    case SQLITE_FULL:
        return BORNE_ERR_DISK_FULL;
    case SQLITE_CORRUPT:
        return BORNE_ERR_CORRUPT;
    case SQLITE_BUSY:
        return exception(map->busy);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return exception(map->readonly);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        return exception(map->io);
    case SQLITE_NOTADB:
        return exception(map->notadb);
    case SQLITE_CONSTRAINT:
        return exception(map->constraint);
    case SQLITE_NOMEM:
        return exception(map->nomem);
    default:
        return BORNE_ERR_DB;
    }
}

borne_err borne_sql_error(const borne_sqldb *c, int rc, const char *what)
{
    borne_err err = borne_sql_map(rc, c->map);
    if (err == BORNE_OK || err == BORNE_ERR_NOMEM) {
        return err;
    }
    const char *msg = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    borne_log_write(err == BORNE_ERR_EXISTS ? BORNE_LOG_DEBUG : BORNE_LOG_ERROR, c->map->module,
                    "%s: %s", what, msg);
    return err;
}

static int name_collation(void *ctx, int alen, const void *a, int blen, const void *b)
{
    (void)ctx;
    return borne_name_compare(a, (size_t)alen, b, (size_t)blen);
}

borne_err borne_sql_open(borne_sqldb *c, const char *path, int busy_timeout_ms)
{
    c->db = NULL;
    int rc = sqlite3_open_v2(
        path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    borne_err err = BORNE_OK;
    if (rc != SQLITE_OK) {
        err = borne_sql_error(c, rc, "open");
    } else {
        sqlite3_extended_result_codes(c->db, 1);
        sqlite3_busy_timeout(c->db, busy_timeout_ms);
        err = borne_sql_exec(c,
                             "PRAGMA journal_mode = WAL;"
                             "PRAGMA synchronous = FULL;"
                             "PRAGMA foreign_keys = ON;"
                             "PRAGMA secure_delete = ON;",
                             "configure");
        /* People in name order (core/collate.h): badges, reports, lists, on both sides. */
        rc = err ? SQLITE_OK
                 : sqlite3_create_collation_v2(c->db, "BORNE_NAME", SQLITE_UTF8, NULL,
                                               name_collation, NULL);
        err = rc == SQLITE_OK ? err : borne_sql_error(c, rc, "collation");
    }
    if (err) {
        sqlite3_close_v2(c->db);
        c->db = NULL;
    }
    return err;
}

void borne_sql_close(borne_sqldb *c)
{
    for (size_t i = 0; c->cache && i < c->cache_size; i++) {
        sqlite3_finalize(c->cache[i].st);
        c->cache[i] = (borne_sql_cached){0};
    }
    sqlite3_close_v2(c->db);
    c->db = NULL;
}

borne_err borne_sql_exec(const borne_sqldb *c, const char *sql, const char *what)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? BORNE_OK : borne_sql_error(c, rc, what);
}

static borne_err prepare(const borne_sqldb *c, const char *sql, bool cached, sqlite3_stmt **st)
{
    borne_sql_cached *free_slot = NULL;
    for (size_t i = 0; cached && c->cache && i < c->cache_size; i++) {
        borne_sql_cached *slot = &c->cache[i];
        if (slot->sql == sql) {
            *st = slot->st;
            return BORNE_OK;
        }
        if (!slot->sql && !free_slot) {
            free_slot = slot;
        }
    }
    int rc =
        sqlite3_prepare_v3(c->db, sql, -1, free_slot ? SQLITE_PREPARE_PERSISTENT : 0, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        return borne_sql_error(c, rc, "prepare");
    }
    if (free_slot) {
        free_slot->sql = sql;
        free_slot->st = *st;
    }
    return BORNE_OK;
}

borne_err borne_sql_prepare(const borne_sqldb *c, const char *sql, sqlite3_stmt **st)
{
    return prepare(c, sql, true, st);
}

borne_err borne_sql_prepare_once(const borne_sqldb *c, const char *sql, sqlite3_stmt **st)
{
    return prepare(c, sql, false, st);
}

void borne_sql_release(const borne_sqldb *c, sqlite3_stmt *st)
{
    for (size_t i = 0; st && c->cache && i < c->cache_size; i++) {
        if (c->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return;
        }
    }
    sqlite3_finalize(st);
}

borne_err borne_sql_step_done(const borne_sqldb *c, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    borne_err err = rc == SQLITE_DONE || rc == SQLITE_ROW ? BORNE_OK : borne_sql_error(c, rc, what);
    borne_sql_release(c, st);
    return err;
}

borne_err borne_sql_run_id(const borne_sqldb *c, const char *sql, int64_t id, int64_t *changes,
                           const char *what)
{
    sqlite3_stmt *st;
    borne_err err = prepare(c, sql, false, &st);
    if (err) {
        return err;
    }
    if (sqlite3_bind_parameter_count(st) >= 1) {
        sqlite3_bind_int64(st, 1, id);
    }
    err = borne_sql_step_done(c, st, what);
    if (!err && changes) {
        *changes += sqlite3_changes(c->db);
    }
    return err;
}

borne_err borne_sql_step_row(const borne_sqldb *c, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    return rc == SQLITE_ROW    ? BORNE_OK
           : rc == SQLITE_DONE ? BORNE_ERR_NOT_FOUND
                               : borne_sql_error(c, rc, what);
}

borne_err borne_sql_step_int64(const borne_sqldb *c, sqlite3_stmt *st, int64_t *out,
                               const char *what)
{
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    borne_err err = rc == SQLITE_ROW || rc == SQLITE_DONE ? BORNE_OK : borne_sql_error(c, rc, what);
    borne_sql_release(c, st);
    return err;
}

borne_err borne_sql_collect(const borne_sqldb *c, sqlite3_stmt *st, size_t elem_size,
                            bool (*read_row)(sqlite3_stmt *st, void *elem), void **out,
                            size_t *count, const char *what)
{
    *out = NULL;
    *count = 0;
    size_t cap = 0;
    borne_err err = BORNE_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 8;
            void *grown = realloc(*out, cap * elem_size);
            if (!grown) {
                err = BORNE_ERR_NOMEM;
                break;
            }
            *out = grown;
        }
        if (read_row(st, (char *)*out + *count * elem_size)) {
            (*count)++;
        }
    }
    if (!err && rc != SQLITE_DONE) {
        err = borne_sql_error(c, rc, what);
    }
    borne_sql_release(c, st);
    if (err || *count == 0) {
        free(*out);
        *out = NULL;
        *count = 0;
    }
    return err;
}

void borne_sql_copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

borne_err borne_sql_user_version(const borne_sqldb *c, int *out)
{
    *out = 0;
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(c, "PRAGMA user_version", &st);
    int64_t v = 0;
    err = err ? err : borne_sql_step_int64(c, st, &v, "schema version");
    *out = (int)v;
    return err;
}

borne_err borne_sql_begin(const borne_sqldb *c)
{
    bool outside = sqlite3_get_autocommit(c->db) != 0;
    borne_err err = borne_sql_exec(c, "BEGIN IMMEDIATE", "begin");
    if (err && outside) {
        /* An interrupted BEGIN can leave its transaction open: close it. */
        borne_sql_rollback(c);
    }
    return err;
}

borne_err borne_sql_commit(const borne_sqldb *c)
{
    return borne_sql_exec(c, "COMMIT", "commit");
}

void borne_sql_rollback(const borne_sqldb *c)
{
    if (!sqlite3_get_autocommit(c->db)) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

borne_err borne_sql_finish(const borne_sqldb *c, borne_err err)
{
    err = err ? err : borne_sql_commit(c);
    if (err) {
        borne_sql_rollback(c);
    }
    return err;
}
