/* Opening the store at start with a damage check: a damaged file is kept aside, a fresh store
 * takes its place, and the caller is told so.
 *
 * An SD card that lost power at the wrong moment, or wore out, can leave a database SQLite no
 * longer trusts. The kiosk must neither refuse to start nor keep writing into damage: it keeps the
 * damaged file (with its -wal and -shm) under a timestamped name for inspection — its check-ins
 * may still be read back by hand — starts on a fresh store, says so on screen, and pulls the
 * event, roster and keys from the registry again. */
#ifndef BORNE_STORE_RECOVER_H
#define BORNE_STORE_RECOVER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct borne_store;

typedef struct borne_store_recovery {
    bool recreated;      /* the file was damaged: it was moved aside and a fresh store created */
    char moved_to[1024]; /* where the damaged file now is ("" when not recreated) */
} borne_store_recovery;

/* Runs PRAGMA quick_check on the file at `path` (if there is one), then opens it like
 * borne_store_open. When SQLite finds damage (in the check or at open), moves `path` and its -wal
 * and -shm to
 * "<path>.damaged-YYYYMMDDTHHMMSSZ" (+ "-wal", "-shm"; "-2", "-3"... if taken) using `now_s`
 * (Unix seconds; 0: the system clock), syncs the folder, and opens a fresh, empty store at
 * `path`: the caller must then pull the event and roster again. `report` (may be NULL) says
 * what happened. Any other failure (I/O, permissions, a newer schema) is returned as is and
 * nothing is moved: those are not damage. */
borne_err borne_store_open_checked(const char *path, int64_t now_s, struct borne_store **out,
                                   borne_store_recovery *report);

#endif
