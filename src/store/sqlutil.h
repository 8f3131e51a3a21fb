/* SQLite helpers shared by the kiosk's store (src/store) and the registry's database
 * (src/registry/regdb.c): SQLite result codes mapped to borne_err, exec/prepare/step wrappers
 * with an optional cache of prepared statements, transactions, rows collected into an array,
 * and the one way both open a file (WAL, synchronous=FULL, foreign keys, secure_delete, a busy
 * timeout).
 *
 * A borne_sqldb is one connection and how its owner reads SQLite's errors. The mapping common to
 * every caller (borne_sql_map):
 *     SQLITE_OK, SQLITE_ROW, SQLITE_DONE   -> BORNE_OK
 *     SQLITE_FULL                          -> BORNE_ERR_DISK_FULL
 *     SQLITE_CORRUPT                       -> BORNE_ERR_CORRUPT
 *     anything else                        -> BORNE_ERR_DB
 * except where the caller's borne_sql_errmap names another answer for a family of codes. The two
 * callers differ on purpose (store.c and regdb.c hold their maps, tests/store/test_sqlutil.c
 * checks them):
 *   - the kiosk store answers BORNE_ERR_PERM for a read-only or forbidden database, IO for I/O,
 *     EXISTS for a constraint (a UUID or code already stored), CORRUPT for "not a database";
 *   - the registry keeps BORNE_ERR_PERM for its own answer "this kiosk may not do that" (HTTP
 *     403, a refused check-in): a read-only database there is a storage failure (BORNE_ERR_DB,
 *     HTTP 503), never a refusal; a busy database is BORNE_ERR_TIMEOUT.
 *
 * Errors are logged once, where they are mapped, with the caller's module tag: what was being
 * done and SQLite's message (it names tables and columns, never values; statements are
 * parameterised). Out of memory is not logged; an expected constraint answer (EXISTS) is logged
 * at debug level only.
 *
 * One connection, one thread at a time, like the objects that hold it. */
#ifndef BORNE_STORE_SQLUTIL_H
#define BORNE_STORE_SQLUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct sqlite3;
struct sqlite3_stmt;

/* How one caller reads the codes the common mapping leaves as BORNE_ERR_DB. A field left 0
 * (BORNE_OK) means "no exception": BORNE_ERR_DB. */
typedef struct borne_sql_errmap {
    const char *module;   /* log tag, the caller's LOG_MODULE */
    borne_err busy;       /* SQLITE_BUSY: another connection held the lock past the busy timeout */
    borne_err readonly;   /* SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH */
    borne_err io;         /* SQLITE_IOERR, SQLITE_CANTOPEN */
    borne_err notadb;     /* SQLITE_NOTADB */
    borne_err constraint; /* SQLITE_CONSTRAINT */
    borne_err nomem;      /* SQLITE_NOMEM */
} borne_sql_errmap;

/* A slot of a statement cache: the SQL text's address (every cached statement's text is a string
 * literal) and its prepared statement. */
typedef struct borne_sql_cached {
    const char *sql;
    struct sqlite3_stmt *st;
} borne_sql_cached;

typedef struct borne_sqldb {
    struct sqlite3 *db;
    const borne_sql_errmap *map; /* never NULL */
    /* Optional: statements prepared through borne_sql_prepare are kept here for the
     * connection's life (reset by borne_sql_release, finalized by borne_sql_close). NULL: each
     * statement is finalized when released. */
    borne_sql_cached *cache;
    size_t cache_size;
} borne_sqldb;

/* The mapping, without logging. */
borne_err borne_sql_map(int rc, const borne_sql_errmap *map);
/* Maps `rc` and logs it once ("what: SQLite's message"); BORNE_OK for OK, ROW and DONE. */
borne_err borne_sql_error(const borne_sqldb *c, int rc, const char *what);

/* Opens (creating if needed) the file at `path` into c->db (c->map, and c->cache if any, set by
 * the caller): read-write, no SQLite mutex, extended result codes, busy timeout
 * `busy_timeout_ms`, then journal_mode=WAL, synchronous=FULL, foreign_keys=ON,
 * secure_delete=ON, and the collation BORNE_NAME (people's names in French order,
 * core/collate.h: `ORDER BY name COLLATE BORNE_NAME`). On error c->db is closed and NULL. */
borne_err borne_sql_open(borne_sqldb *c, const char *path, int busy_timeout_ms);
/* Finalizes the cached statements and closes the connection; c->db becomes NULL. */
void borne_sql_close(borne_sqldb *c);

/* sqlite3_exec without callback. */
borne_err borne_sql_exec(const borne_sqldb *c, const char *sql, const char *what);
/* Prepares `sql` (from the cache when there is one: `sql` must then be a string literal or
 * otherwise live as long as the connection). *st is NULL on error. */
borne_err borne_sql_prepare(const borne_sqldb *c, const char *sql, struct sqlite3_stmt **st);
/* Prepares `sql` outside the cache: for statements run rarely (a purge, a report) whose slots the
 * frequent ones need. Given back with borne_sql_release (finalized) like any other. */
borne_err borne_sql_prepare_once(const borne_sqldb *c, const char *sql, struct sqlite3_stmt **st);
/* Gives a statement back: a cached one is reset and unbound, another finalized. NULL is fine. */
void borne_sql_release(const borne_sqldb *c, struct sqlite3_stmt *st);

/* Steps once, for a statement that returns no row (SQLITE_ROW is taken as success too), and
 * releases it. */
borne_err borne_sql_step_done(const borne_sqldb *c, struct sqlite3_stmt *st, const char *what);
/* Steps once: BORNE_OK on a row (read it, then release the statement), BORNE_ERR_NOT_FOUND when
 * there is none, the mapped error otherwise. Does not release. */
borne_err borne_sql_step_row(const borne_sqldb *c, struct sqlite3_stmt *st, const char *what);
/* Runs `sql` (no row expected) once, outside the cache, with ?1 = `id` when it has a parameter;
 * adds the rows it changed to *changes (may be NULL). */
borne_err borne_sql_run_id(const borne_sqldb *c, const char *sql, int64_t id, int64_t *changes,
                           const char *what);
/* Steps once and reads column 0 of the row into *out (0 when there is no row), then releases. */
borne_err borne_sql_step_int64(const borne_sqldb *c, struct sqlite3_stmt *st, int64_t *out,
                               const char *what);
/* Steps `st` to the end, appending one element per row to a malloc'ed array (*out, *count):
 * `read_row` fills it and may skip the row by returning false. Releases `st`. *out is NULL when
 * no element was kept, and on error (then *count is 0 too). */
borne_err borne_sql_collect(const borne_sqldb *c, struct sqlite3_stmt *st, size_t elem_size,
                            bool (*read_row)(struct sqlite3_stmt *st, void *elem), void **out,
                            size_t *count, const char *what);
/* Copies a text column into dst[cap] (truncated, NUL-terminated; "" for NULL). */
void borne_sql_copy_text(char *dst, size_t cap, struct sqlite3_stmt *st, int col);

/* PRAGMA user_version. */
borne_err borne_sql_user_version(const borne_sqldb *c, int *out);

/* Transactions: BEGIN IMMEDIATE (the write lock at once; when it fails, no transaction is left
 * open but one that was open before), COMMIT, and a ROLLBACK that does nothing outside a
 * transaction. */
borne_err borne_sql_begin(const borne_sqldb *c);
borne_err borne_sql_commit(const borne_sqldb *c);
void borne_sql_rollback(const borne_sqldb *c);
/* Ends the transaction begun by borne_sql_begin: commits when `err` is BORNE_OK, rolls back when
 * it is not or when the commit fails. Returns `err`, or the commit's error. */
borne_err borne_sql_finish(const borne_sqldb *c, borne_err err);

#endif
