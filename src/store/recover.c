/* Opening the store with a damage check (see recover.h).
 *
 * DESIGN: the -wal file is moved first, then the -shm, then the database. A stale WAL left next
 * to a fresh database would be a hazard (SQLite would try to replay it), so it must never stay
 * behind the main file; if the kiosk dies between two renames, the next start finds the damaged
 * file again without its WAL, sees the damage again and finishes the move. Nothing is deleted:
 * the damaged files are kept for inspection, owner-readable as they were. The check runs on a
 * connection of its own that never checkpoints on close, so the WAL goes aside untouched. */
#define LOG_MODULE "store"
#include "store/recover.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "store/sqlutil.h"
#include "store/store.h"

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Picks "<path>.damaged-<stamp>", then "-2", "-3"... until neither it nor its -wal is taken. */
static borne_err aside_name(const char *path, int64_t now_s, char *out, size_t cap)
{
    time_t t = (time_t)(now_s > 0 ? now_s : time(NULL));
    struct tm tm;
    char stamp[32];
    if (!gmtime_r(&t, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0) {
        return BORNE_ERR_INVALID;
    }
    for (int n = 1; n < 100; n++) {
        int len = n == 1 ? snprintf(out, cap, "%s.damaged-%s", path, stamp)
                         : snprintf(out, cap, "%s.damaged-%s-%d", path, stamp, n);
        if (len < 0 || (size_t)len + 5 >= cap) {
            return BORNE_ERR_TOO_LARGE;
        }
        char wal[PATH_MAX + 16];
        snprintf(wal, sizeof(wal), "%s-wal", out);
        if (!exists(out) && !exists(wal)) {
            return BORNE_OK;
        }
    }
    return BORNE_ERR_EXISTS;
}

/* Renames `from` + suffix to `to` + suffix; a missing source is fine. */
static borne_err move_one(const char *from, const char *to, const char *suffix)
{
    char a[PATH_MAX + 16], b[PATH_MAX + 16];
    snprintf(a, sizeof(a), "%s%s", from, suffix);
    snprintf(b, sizeof(b), "%s%s", to, suffix);
    if (rename(a, b) != 0 && errno != ENOENT) {
        LOG_ERR("cannot move the damaged store%s aside: %s", suffix, strerror(errno));
        return errno == EACCES || errno == EPERM ? BORNE_ERR_PERM : BORNE_ERR_IO;
    }
    return BORNE_OK;
}

static void sync_folder(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) {
        snprintf(dir, sizeof(dir), ".");
    } else if (slash == dir) {
        dir[1] = '\0';
    } else {
        *slash = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) != 0) {
            LOG_WARN("cannot sync the store's folder: %s", strerror(errno));
        }
        close(fd);
    }
}

/* Runs PRAGMA quick_check on its own connection, which must not checkpoint when it closes: a
 * checkpoint would copy the WAL into a damaged file and change the evidence. BORNE_OK when whole,
 * BORNE_ERR_CORRUPT when damaged, another error when the file could not be checked. */
static borne_err quick_check(const char *path)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, 5000);
        rc = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    }
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK) {
        rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL);
    }
    borne_err err = BORNE_OK;
    long problems = 0;
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *msg = (const char *)sqlite3_column_text(st, 0);
            if (!msg || strcmp(msg, "ok") != 0) {
                problems++;
            }
        }
    }
    int primary = rc & 0xff;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || problems > 0) {
        /* The messages name pages and rowids, never contents; the count is enough here. */
        LOG_ERR("quick_check found damage (%ld problems, SQLite code %d)", problems, rc);
        err = BORNE_ERR_CORRUPT;
    } else if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        LOG_ERR("quick_check could not run: %s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        err = borne_sql_map(rc, &borne_store_errmap);
    }
    sqlite3_finalize(st);
    sqlite3_close_v2(db);
    return err;
}

borne_err borne_store_open_checked(const char *path, int64_t now_s, struct borne_store **out,
                                   borne_store_recovery *report)
{
    *out = NULL;
    borne_store_recovery dummy;
    if (!report) {
        report = &dummy;
    }
    memset(report, 0, sizeof(*report));
    if (strlen(path) >= PATH_MAX - 64) {
        return BORNE_ERR_TOO_LARGE;
    }
    struct borne_store *store = NULL;
    borne_err err = exists(path) ? quick_check(path) : BORNE_OK;
    if (!err) {
        err = borne_store_open(path, &store);
        if (!err) {
            *out = store;
            return BORNE_OK;
        }
    }
    if (err != BORNE_ERR_CORRUPT) {
        return err;
    }
    err = aside_name(path, now_s, report->moved_to, sizeof(report->moved_to));
    if (!err) {
        err = move_one(path, report->moved_to, "-wal");
    }
    if (!err) {
        err = move_one(path, report->moved_to, "-shm");
    }
    if (!err) {
        err = move_one(path, report->moved_to, "");
    }
    if (err) {
        report->moved_to[0] = '\0';
        return err;
    }
    sync_folder(path);
    LOG_WARN("the store was damaged: kept aside as %s; starting a fresh store", report->moved_to);
    err = borne_store_open(path, &store);
    if (err) {
        return err;
    }
    report->recreated = true;
    *out = store;
    return BORNE_OK;
}
