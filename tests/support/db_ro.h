/* Reads from an SQLite database file that another program or thread may be writing (the
 * registry's, a running kiosk's), through a read-only connection of the test's own. The helpers
 * fail the calling cmocka test when the file cannot be opened or the query is wrong. */
#ifndef BORNE_TESTS_SUPPORT_DB_RO_H
#define BORNE_TESTS_SUPPORT_DB_RO_H

#include <stdint.h>

struct sqlite3;

/* A read-only connection to the file at `path` (busy timeout 5 s); sqlite3_close it. */
struct sqlite3 *db_ro_open(const char *path);
/* The first column of the first row of `sql` as an integer; -1 when there is no row. */
int64_t db_ro_int(const char *path, const char *sql);

#endif
