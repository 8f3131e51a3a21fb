/* A fault-injecting SQLite VFS for tests (see faultvfs.h).
 *
 * DESIGN: a faultvfs file is a small header followed by the real (unix) file object in the same
 * allocation (szOsFile is the sum). Every method forwards to the real one; xWrite, xSync and
 * xTruncate first ask should_fail(). Shared-memory methods are forwarded too, so WAL works. */
#include "reliability/faultvfs.h"

#include <sqlite3.h>
#include <string.h>

/* Test-only process-wide state: SQLite's VFS list is process-wide too. */
static struct {
    sqlite3_vfs vfs;
    sqlite3_vfs *real;
    bool registered;
    bool armed;
    long n;
    unsigned ops;
    bool sticky;
    int err;
    long calls;
    long injected;
} g;

typedef struct fault_file {
    sqlite3_file base;
    sqlite3_file *real;
} fault_file;

static int should_fail(unsigned op, int default_err)
{
    if (!g.armed || !(g.ops & op)) {
        return SQLITE_OK;
    }
    g.calls++;
    if (g.calls == g.n || (g.sticky && g.calls > g.n)) {
        g.injected++;
        return g.err ? g.err : default_err;
    }
    return SQLITE_OK;
}

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((fault_file *)f)->real;
}

static int f_close(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
    f->pMethods = NULL;
    return rc;
}

static int f_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
    return real_of(f)->pMethods->xRead(real_of(f), buf, amt, off);
}

static int f_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    int rc = should_fail(FAULT_WRITE, SQLITE_IOERR_WRITE);
    return rc ? rc : real_of(f)->pMethods->xWrite(real_of(f), buf, amt, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = should_fail(FAULT_TRUNCATE, SQLITE_IOERR_TRUNCATE);
    return rc ? rc : real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
    int rc = should_fail(FAULT_SYNC, SQLITE_IOERR_FSYNC);
    return rc ? rc : real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int f_check_lock(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int f_control(sqlite3_file *f, int op, void *arg)
{
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int f_sector(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int f_devchar(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int f_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
    return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
    real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int f_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **out)
{
    return real_of(f)->pMethods->xFetch(real_of(f), off, amt, out);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

static const sqlite3_io_methods fault_methods = {
    .iVersion = 3,
    .xClose = f_close,
    .xRead = f_read,
    .xWrite = f_write,
    .xTruncate = f_truncate,
    .xSync = f_sync,
    .xFileSize = f_size,
    .xLock = f_lock,
    .xUnlock = f_unlock,
    .xCheckReservedLock = f_check_lock,
    .xFileControl = f_control,
    .xSectorSize = f_sector,
    .xDeviceCharacteristics = f_devchar,
    .xShmMap = f_shm_map,
    .xShmLock = f_shm_lock,
    .xShmBarrier = f_shm_barrier,
    .xShmUnmap = f_shm_unmap,
    .xFetch = f_fetch,
    .xUnfetch = f_unfetch,
};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    fault_file *ff = (fault_file *)f;
    ff->real = (sqlite3_file *)(ff + 1);
    memset(ff->real, 0, (size_t)g.real->szOsFile);
    int rc = g.real->xOpen(g.real, name, ff->real, flags, out_flags);
    f->pMethods = ff->real->pMethods ? &fault_methods : NULL;
    return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    return g.real->xDelete(g.real, name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    return g.real->xAccess(g.real, name, flags, out);
}

static int v_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    return g.real->xFullPathname(g.real, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *vfs, const char *name)
{
    return g.real->xDlOpen(g.real, name);
}

static void v_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
    g.real->xDlError(g.real, n, out);
}

static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    return g.real->xDlSym(g.real, h, sym);
}

static void v_dlclose(sqlite3_vfs *vfs, void *h)
{
    g.real->xDlClose(g.real, h);
}

static int v_random(sqlite3_vfs *vfs, int n, char *out)
{
    return g.real->xRandomness(g.real, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
    return g.real->xSleep(g.real, us);
}

static int v_time(sqlite3_vfs *vfs, double *out)
{
    return g.real->xCurrentTime(g.real, out);
}

static int v_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    return g.real->xGetLastError ? g.real->xGetLastError(g.real, n, out) : 0;
}

static int v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    return g.real->xCurrentTimeInt64(g.real, out);
}

int faultvfs_register(void)
{
    if (g.registered) {
        return 0;
    }
    g.real = sqlite3_vfs_find(NULL);
    if (!g.real || g.real->iVersion < 2) {
        return -1;
    }
    g.vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(fault_file) + g.real->szOsFile,
        .mxPathname = g.real->mxPathname,
        .zName = "borne-fault",
        .xOpen = v_open,
        .xDelete = v_delete,
        .xAccess = v_access,
        .xFullPathname = v_fullpath,
        .xDlOpen = v_dlopen,
        .xDlError = v_dlerror,
        .xDlSym = v_dlsym,
        .xDlClose = v_dlclose,
        .xRandomness = v_random,
        .xSleep = v_sleep,
        .xCurrentTime = v_time,
        .xGetLastError = v_last_error,
        .xCurrentTimeInt64 = v_time64,
    };
    if (sqlite3_vfs_register(&g.vfs, 1) != SQLITE_OK) {
        return -1;
    }
    g.registered = true;
    return 0;
}

void faultvfs_arm(long n, unsigned ops, bool sticky, int sqlite_err)
{
    g.n = n;
    g.ops = ops;
    g.sticky = sticky;
    g.err = sqlite_err;
    g.calls = 0;
    g.injected = 0;
    g.armed = true;
}

void faultvfs_disarm(void)
{
    g.armed = false;
}

long faultvfs_calls(void)
{
    return g.calls;
}

long faultvfs_injected(void)
{
    return g.injected;
}
