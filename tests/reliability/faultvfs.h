/* A fault-injecting SQLite VFS for tests, in the manner of SQLite's own test_vfs: it wraps the
 * default (unix) VFS and makes the N-th write, sync or truncate from the moment it is armed fail,
 * once or from then on.
 *
 * faultvfs_register() installs it as the default VFS, so every connection opened afterwards —
 * borne_store_open included — goes through it with no hook in the store. Disarmed, it only
 * counts. Test-only: its state is process-wide, as SQLite's VFS list is. */
#ifndef BORNE_TESTS_RELIABILITY_FAULTVFS_H
#define BORNE_TESTS_RELIABILITY_FAULTVFS_H

#include <stdbool.h>

enum {
    FAULT_WRITE = 1u << 0,    /* xWrite */
    FAULT_SYNC = 1u << 1,     /* xSync */
    FAULT_TRUNCATE = 1u << 2, /* xTruncate */
    FAULT_ALL = FAULT_WRITE | FAULT_SYNC | FAULT_TRUNCATE,
};

/* Registers the VFS "borne-fault" as the default. 0 on success; idempotent. */
int faultvfs_register(void);

/* From now on, the `n`-th call (1-based) among the operations in `ops` fails; with `sticky`, every
 * later one too. `sqlite_err` is the result code to return (e.g. SQLITE_IOERR_WRITE, SQLITE_FULL);
 * 0 picks the matching SQLITE_IOERR_* code for each operation. */
void faultvfs_arm(long n, unsigned ops, bool sticky, int sqlite_err);

/* Stops failing. */
void faultvfs_disarm(void);

/* Calls counted since the last arm, and failures injected since then. */
long faultvfs_calls(void);
long faultvfs_injected(void);

#endif
