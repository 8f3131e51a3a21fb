/* Serial scanners: USB CDC-ACM (/dev/ttyACM*) or RS-232 adapters, raw mode, CR/LF-terminated
 * (see scanner.h). The port is locked with flock() so two scanner slots never share one. */
#define LOG_MODULE "scanner"
#include "scan/scanner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include "core/log.h"

struct serial_scanner {
    int fd;
};

static speed_t baud_to_speed(int baud)
{
    switch (baud) {
    case 19200:
        return B19200;
    case 38400:
        return B38400;
    case 57600:
        return B57600;
    case 115200:
        return B115200;
    default:
        return B9600;
    }
}

static void serial_close(void *priv)
{
    struct serial_scanner *s = priv;
    if (!s) {
        return;
    }
    close(s->fd);
    free(s);
}

static borne_err serial_open(const struct borne_scanner_config *cfg, void **priv, int *fd_out)
{
    int fd = cfg->fd;
    if (fd < 0) {
        fd = open(cfg->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            LOG_DBG("serial scanner: cannot open port: %s", strerror(e));
            if (e == ENOENT || e == ENXIO || e == ENODEV) {
                return BORNE_ERR_NOT_FOUND;
            }
            return (e == EACCES || e == EPERM) ? BORNE_ERR_PERM : BORNE_ERR_DEVICE;
        }
    } else {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            close(fd);
            return BORNE_ERR_DEVICE;
        }
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        LOG_DBG("serial scanner: port busy");
        close(fd);
        return BORNE_ERR_DEVICE;
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0) {
        LOG_WARN("serial scanner: not a terminal device: %s", strerror(errno));
        close(fd);
        return BORNE_ERR_DEVICE;
    }
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    speed_t speed = baud_to_speed(cfg->baud);
    cfsetispeed(&tio, speed);
    cfsetospeed(&tio, speed);
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        LOG_WARN("serial scanner: cannot set raw mode: %s", strerror(errno));
        close(fd);
        return BORNE_ERR_DEVICE;
    }
    struct serial_scanner *s = calloc(1, sizeof(*s));
    if (!s) {
        close(fd);
        return BORNE_ERR_NOMEM;
    }
    s->fd = fd;
    *priv = s;
    *fd_out = fd;
    return BORNE_OK;
}

static enum borne_scanline_result serial_consume(void *priv, const uint8_t *in, size_t n,
                                                 size_t *used, struct borne_scanline *sl,
                                                 uint64_t now_ns)
{
    size_t i = 0;
    enum borne_scanline_result r = BORNE_SCANLINE_NONE;
    while (i < n && r == BORNE_SCANLINE_NONE) {
        r = borne_scanline_serial(sl, in[i], now_ns);
        i++;
    }
    *used = i;
    return r;
}

static bool looks_like_acm(const char *name)
{
    return strncmp(name, "ttyACM", 6) == 0;
}

static size_t serial_discover(const char *dir, char (*paths)[BORNE_SCANNER_PATH_MAX], size_t max)
{
    return borne_scanner_list_dir(dir ? dir : "/dev", looks_like_acm, paths, max);
}

const struct borne_scanner_driver borne_scanner_serial = {
    .name = "serial",
    .open = serial_open,
    .consume = serial_consume,
    .close = serial_close,
    .discover = serial_discover,
};
