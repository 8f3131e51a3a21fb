/* For the fuzz targets that import into an in-memory store. */
#ifndef BORNE_TESTS_FUZZ_FUZZ_STORE_H
#define BORNE_TESTS_FUZZ_FUZZ_STORE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "core/log.h"
#include "fuzz_check.h"
#include "store/store.h"

/* The target's one in-memory store, opened at the first call (logging only errors, so the
 * refusals do not flood the output); *opened (when not NULL) says whether this call opened it. */
static inline struct borne_store *fuzz_store(bool *opened)
{
    static struct borne_store *store;
    bool first = store == NULL;
    if (first) {
        borne_log_set_level(BORNE_LOG_ERROR);
        CHECK(borne_store_open(":memory:", &store) == BORNE_OK);
    }
    if (opened) {
        *opened = first;
    }
    return store;
}

/* The single integer `sql` returns on the store (e.g. "SELECT count(*) FROM event"); a query
 * that fails or returns no row is a broken promise. */
static inline int64_t fuzz_count(struct borne_store *s, const char *sql)
{
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(borne_store_db(s), sql, -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

#endif
