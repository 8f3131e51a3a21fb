/* The backend-independent part of hardware scanners (see scanner.h): the line assembler, the
 * read loop with its lost-terminator timeout, and directory listing for hot-plug discovery.
 *
 * DESIGN: borne_scanner_next() first hands out codes already in the bytes it has read, then
 * checks the pending bytes' timeout, then reads (non-blocking) and only then sleeps in poll(),
 * never longer than the line's deadline. Bytes read but not yet consumed stay in `raw`, so a
 * single read holding several codes yields them one by one. */
#define LOG_MODULE "scanner"
#include "scan/scanner.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

#define SCANNER_DEFAULT_TIMEOUT_MS 150
#define SCANNER_RAW_MAX            4096

/* ---- line assembler ------------------------------------------------------------------------ */

void borne_scanline_init(struct borne_scanline *sl, uint64_t timeout_ns)
{
    sl->timeout_ns = timeout_ns;
    sl->last_ns = 0;
    sl->len = 0;
    sl->overflow = false;
    sl->done = false;
    sl->buf[0] = '\0';
}

static void scanline_reset(struct borne_scanline *sl)
{
    sl->len = 0;
    sl->overflow = false;
    sl->done = false;
}

enum borne_scanline_result borne_scanline_byte(struct borne_scanline *sl, uint8_t b,
                                               uint64_t now_ns)
{
    if (sl->done) {
        scanline_reset(sl);
    }
    sl->last_ns = now_ns;
    if (sl->overflow) {
        return BORNE_SCANLINE_NONE;
    }
    if (sl->len >= BORNE_SCAN_TEXT_MAX) {
        sl->overflow = true;
        return BORNE_SCANLINE_NONE;
    }
    sl->buf[sl->len++] = (char)b;
    return BORNE_SCANLINE_NONE;
}

void borne_scanline_discard(struct borne_scanline *sl)
{
    if (sl->done) {
        scanline_reset(sl);
    }
    sl->overflow = true;
}

static enum borne_scanline_result scanline_complete(struct borne_scanline *sl)
{
    if (sl->overflow) {
        LOG_WARN("scanned code dropped (longer than %d bytes, or damaged)", BORNE_SCAN_TEXT_MAX);
        scanline_reset(sl);
        return BORNE_SCANLINE_DROPPED;
    }
    if (sl->len == 0) {
        return BORNE_SCANLINE_NONE;
    }
    sl->buf[sl->len] = '\0';
    sl->done = true;
    return BORNE_SCANLINE_DONE;
}

enum borne_scanline_result borne_scanline_end(struct borne_scanline *sl)
{
    if (sl->done) {
        scanline_reset(sl);
    }
    return scanline_complete(sl);
}

enum borne_scanline_result borne_scanline_serial(struct borne_scanline *sl, uint8_t b,
                                                 uint64_t now_ns)
{
    if (b == '\r' || b == '\n') {
        return borne_scanline_end(sl);
    }
    return borne_scanline_byte(sl, b, now_ns);
}

uint64_t borne_scanline_deadline(const struct borne_scanline *sl)
{
    if (sl->done || sl->timeout_ns == 0 || (sl->len == 0 && !sl->overflow)) {
        return 0;
    }
    return sl->last_ns + sl->timeout_ns;
}

enum borne_scanline_result borne_scanline_expire(struct borne_scanline *sl, uint64_t now_ns)
{
    if (sl->done) {
        scanline_reset(sl);
    }
    uint64_t deadline = borne_scanline_deadline(sl);
    if (deadline == 0 || now_ns < deadline) {
        return BORNE_SCANLINE_NONE;
    }
    LOG_DBG("no terminator after %llu ms: taking the bytes so far as a code",
            (unsigned long long)(sl->timeout_ns / 1000000u));
    return scanline_complete(sl);
}

const char *borne_scanline_text(const struct borne_scanline *sl, size_t *len)
{
    *len = sl->done ? sl->len : 0;
    return sl->buf;
}

/* ---- an open scanner ----------------------------------------------------------------------- */

struct borne_scanner {
    const struct borne_scanner_driver *driver;
    void *priv;
    int fd;
    bool lost;
    uint64_t raw_ns; /* when the bytes in raw were read */
    size_t raw_pos, raw_len;
    uint8_t raw[SCANNER_RAW_MAX];
    struct borne_scanline line;
};

borne_err borne_scanner_open(const struct borne_scanner_driver *driver,
                             const struct borne_scanner_config *cfg, struct borne_scanner **out)
{
    *out = NULL;
    struct borne_scanner *sc = calloc(1, sizeof(*sc));
    if (!sc) {
        if (cfg->fd >= 0) {
            close(cfg->fd);
        }
        return BORNE_ERR_NOMEM;
    }
    int fd = -1;
    borne_err err = driver->open(cfg, &sc->priv, &fd);
    if (err) {
        free(sc);
        return err;
    }
    sc->driver = driver;
    sc->fd = fd;
    int timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : SCANNER_DEFAULT_TIMEOUT_MS;
    borne_scanline_init(&sc->line, (uint64_t)timeout_ms * 1000000u);
    *out = sc;
    return BORNE_OK;
}

void borne_scanner_free(struct borne_scanner *sc)
{
    if (!sc) {
        return;
    }
    sc->driver->close(sc->priv);
    free(sc);
}

int borne_scanner_fd(const struct borne_scanner *sc)
{
    return sc->fd;
}

static borne_err copy_code(struct borne_scanner *sc, char *text, size_t cap, size_t *len,
                           uint64_t *mono_ns, uint64_t when)
{
    size_t n;
    const char *code = borne_scanline_text(&sc->line, &n);
    if (n + 1 > cap) {
        /* cap is documented to exceed BORNE_SCAN_TEXT_MAX; be safe anyway. */
        LOG_WARN("code buffer too small (%zu bytes): code dropped", cap);
        return BORNE_ERR_TOO_LARGE;
    }
    memcpy(text, code, n);
    text[n] = '\0';
    *len = n;
    *mono_ns = when;
    return BORNE_OK;
}

borne_err borne_scanner_next(struct borne_scanner *sc, int timeout_ms, char *text, size_t cap,
                             size_t *len, uint64_t *mono_ns)
{
    *len = 0;
    uint64_t end = borne_scan_mono_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;
    for (;;) {
        /* 1. Codes in bytes already read. */
        while (sc->raw_pos < sc->raw_len) {
            size_t used = 0;
            enum borne_scanline_result r =
                sc->driver->consume(sc->priv, sc->raw + sc->raw_pos, sc->raw_len - sc->raw_pos,
                                    &used, &sc->line, sc->raw_ns);
            sc->raw_pos += used;
            if (r == BORNE_SCANLINE_DONE) {
                return copy_code(sc, text, cap, len, mono_ns, sc->raw_ns);
            }
            if (used == 0) {
                sc->raw_pos = sc->raw_len; /* a driver that makes no progress: discard */
            }
        }
        /* 2. A pending code whose terminator never came. */
        uint64_t now = borne_scan_mono_ns();
        if (borne_scanline_expire(&sc->line, now) == BORNE_SCANLINE_DONE) {
            return copy_code(sc, text, cap, len, mono_ns, sc->line.last_ns);
        }
        if (sc->lost) {
            return BORNE_ERR_DEVICE;
        }
        /* 3. New bytes. */
        ssize_t n = read(sc->fd, sc->raw, sizeof(sc->raw));
        if (n > 0) {
            sc->raw_pos = 0;
            sc->raw_len = (size_t)n;
            sc->raw_ns = now;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            LOG_INFO("%s scanner: device gone (%s)", sc->driver->name,
                     n == 0 ? "end of file" : strerror(errno));
            sc->lost = true;
            borne_scanline_init(&sc->line, sc->line.timeout_ns); /* drop a half code */
            continue;
        }
        /* 4. Sleep until bytes arrive, the line times out or our own timeout ends. */
        if (now >= end) {
            return BORNE_ERR_TIMEOUT;
        }
        uint64_t wake = end;
        uint64_t deadline = borne_scanline_deadline(&sc->line);
        if (deadline != 0 && deadline < wake) {
            wake = deadline;
        }
        int wait_ms = (int)((wake - now + 999999u) / 1000000u);
        struct pollfd pfd = {.fd = sc->fd, .events = POLLIN};
        int rc = poll(&pfd, 1, wait_ms);
        if (rc < 0 && errno != EINTR) {
            LOG_WARN("%s scanner: poll failed: %s", sc->driver->name, strerror(errno));
            sc->lost = true;
        }
        /* POLLHUP / POLLERR: the read in the next round reports what happened. */
    }
}

/* ---- discovery ----------------------------------------------------------------------------- */

static int compare_paths(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

size_t borne_scanner_list_dir(const char *dir, bool (*match)(const char *name),
                              char (*paths)[BORNE_SCANNER_PATH_MAX], size_t max)
{
    DIR *d = opendir(dir);
    if (!d) {
        return 0;
    }
    size_t n = 0;
    while (n < max) {
        struct dirent *de = readdir(d);
        if (!de) {
            break;
        }
        if (de->d_name[0] == '.' || !match(de->d_name)) {
            continue;
        }
        size_t dir_len = strlen(dir);
        size_t name_len = strlen(de->d_name);
        if (dir_len + 1 + name_len + 1 > BORNE_SCANNER_PATH_MAX) {
            continue;
        }
        memcpy(paths[n], dir, dir_len);
        paths[n][dir_len] = '/';
        memcpy(paths[n] + dir_len + 1, de->d_name, name_len + 1);
        n++;
    }
    closedir(d);
    qsort(paths, n, sizeof(paths[0]), compare_paths);
    return n;
}

size_t borne_scanner_discover(const struct borne_scanner_driver *driver, const char *dir,
                              char (*paths)[BORNE_SCANNER_PATH_MAX], size_t max)
{
    return driver->discover(dir, paths, max);
}

const struct borne_scanner_driver *borne_scanner_driver_find(const char *name)
{
    if (strcmp(name, borne_scanner_evdev.name) == 0) {
        return &borne_scanner_evdev;
    }
    if (strcmp(name, borne_scanner_serial.name) == 0) {
        return &borne_scanner_serial;
    }
    return NULL;
}
