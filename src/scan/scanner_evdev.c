/* Keyboard-mode USB scanners read straight from evdev (see scanner.h, keymap_us.h).
 *
 * The device is grabbed (EVIOCGRAB) so the scanner's "typing" reaches neither the console nor
 * the UI, and decoded with the fixed US table whatever the system keyboard layout is. Records
 * are reassembled byte by byte, so the reader also works on a pipe (the tests feed one). */
#define LOG_MODULE "scanner"
#include "scan/scanner.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/log.h"
#include "scan/keymap_us.h"

struct evdev_scanner {
    int fd;
    bool grabbed;
    struct borne_keydec keys;
    size_t rec_len; /* bytes of a partial struct input_event in rec */
    uint8_t rec[sizeof(struct input_event)];
};

static borne_err errno_to_err(int e)
{
    switch (e) {
    case ENOENT:
    case ENXIO:
        return BORNE_ERR_NOT_FOUND;
    case EACCES:
    case EPERM:
        return BORNE_ERR_PERM;
    default:
        return BORNE_ERR_DEVICE;
    }
}

static void evdev_close(void *priv)
{
    struct evdev_scanner *ev = priv;
    if (!ev) {
        return;
    }
    if (ev->grabbed) {
        ioctl(ev->fd, EVIOCGRAB, (void *)0);
    }
    close(ev->fd);
    free(ev);
}

static borne_err evdev_open(const struct borne_scanner_config *cfg, void **priv, int *fd_out)
{
    int fd = cfg->fd;
    if (fd < 0) {
        fd = open(cfg->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            LOG_DBG("evdev scanner: cannot open device: %s", strerror(e));
            return errno_to_err(e);
        }
    } else {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            close(fd);
            return BORNE_ERR_DEVICE;
        }
    }
    struct evdev_scanner *ev = calloc(1, sizeof(*ev));
    if (!ev) {
        close(fd);
        return BORNE_ERR_NOMEM;
    }
    ev->fd = fd;
    borne_keydec_init(&ev->keys);
    if (ioctl(fd, EVIOCGRAB, (void *)1) == 0) {
        ev->grabbed = true;
    } else {
        int e = errno;
        if (!(cfg->grab_optional && (e == ENOTTY || e == EINVAL))) {
            if (e == EBUSY) {
                LOG_WARN("evdev scanner: device already grabbed by another program");
            } else {
                LOG_WARN("evdev scanner: cannot grab device: %s", strerror(e));
            }
            close(fd);
            free(ev);
            return BORNE_ERR_DEVICE;
        }
        LOG_DBG("evdev scanner: not an evdev device, reading it ungrabbed");
    }
    *priv = ev;
    *fd_out = fd;
    return BORNE_OK;
}

static enum borne_scanline_result evdev_consume(void *priv, const uint8_t *in, size_t n,
                                                size_t *used, struct borne_scanline *sl,
                                                uint64_t now_ns)
{
    struct evdev_scanner *ev = priv;
    size_t i = 0;
    enum borne_scanline_result r = BORNE_SCANLINE_NONE;
    while (i < n && r == BORNE_SCANLINE_NONE) {
        size_t take = sizeof(ev->rec) - ev->rec_len;
        if (take > n - i) {
            take = n - i;
        }
        memcpy(ev->rec + ev->rec_len, in + i, take);
        ev->rec_len += take;
        i += take;
        if (ev->rec_len < sizeof(ev->rec)) {
            break;
        }
        ev->rec_len = 0;
        struct input_event ie;
        memcpy(&ie, ev->rec, sizeof(ie));
        if (ie.type == EV_SYN && ie.code == SYN_DROPPED) {
            /* The kernel's buffer overflowed: key presses (maybe a Shift release) are missing. */
            LOG_WARN("evdev scanner: events lost; the code being read is discarded");
            borne_keydec_init(&ev->keys);
            borne_scanline_discard(sl);
            continue;
        }
        int c = borne_keydec_feed(&ev->keys, ie.type, ie.code, ie.value);
        if (c == BORNE_KEY_ENTER) {
            r = borne_scanline_end(sl);
        } else if (c >= 0) {
            r = borne_scanline_byte(sl, (uint8_t)c, now_ns);
        }
    }
    *used = i;
    return r;
}

/* by-id names of keyboards that are scanners, e.g.
 * "usb-Honeywell_Imaging___Mobility_Barcode_Scanner-event-kbd". Scanners that present
 * themselves as a generic keyboard must be configured by path. */
static bool looks_like_scanner(const char *name)
{
    static const char suffix[] = "-event-kbd";
    size_t len = strlen(name);
    if (len < sizeof(suffix) - 1 || strcmp(name + len - (sizeof(suffix) - 1), suffix) != 0) {
        return false;
    }
    static const char *const words[] = {
        "scanner", "barcode",   "bar_code", "honeywell", "metrologic", "zebra",
        "symbol",  "datalogic", "newland",  "netum",     "inateck",    "eyoyo",
        "opticon", "zebex",     "tera",     "code_corp", "hand_held",
    };
    char lower[BORNE_SCANNER_PATH_MAX];
    size_t n = 0;
    for (; n + 1 < sizeof(lower) && name[n]; n++) {
        lower[n] = (char)tolower((unsigned char)name[n]);
    }
    lower[n] = '\0';
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strstr(lower, words[i])) {
            return true;
        }
    }
    return false;
}

static size_t evdev_discover(const char *dir, char (*paths)[BORNE_SCANNER_PATH_MAX], size_t max)
{
    return borne_scanner_list_dir(dir ? dir : "/dev/input/by-id", looks_like_scanner, paths, max);
}

const struct borne_scanner_driver borne_scanner_evdev = {
    .name = "evdev",
    .open = evdev_open,
    .consume = evdev_consume,
    .close = evdev_close,
    .discover = evdev_discover,
};
