/* Hardware 2D scanners: one small interface over keyboard-mode (evdev) and serial scanners.
 *
 * A scanner produces complete code strings. Each backend is a table of functions
 * (struct borne_scanner_driver, like mpv's struct vo_driver) that opens a device and turns the raw
 * bytes read from its file descriptor into code bytes and terminators; the common part here
 * reads the descriptor, assembles lines with a hard cap and a lost-terminator timeout, and
 * reports a lost device.
 *
 *   evdev   /dev/input/eventN of a scanner in USB keyboard mode, grabbed exclusively
 *           (EVIOCGRAB) so its key presses never reach the console or the UI, decoded with the
 *           fixed US table of keymap_us.h. Enter ends a code.
 *   serial  /dev/ttyACM* (USB CDC) or /dev/ttyUSB*, raw mode; CR, LF or CRLF ends a code.
 *
 * Line rules (borne_scanline): a terminator ends a code; empty codes are skipped (so CRLF gives
 * one code); a code longer than BORNE_SCAN_TEXT_MAX is dropped whole with a log and the state
 * resets at the next terminator; if no terminator arrives within the timeout after the last
 * byte (a scanner programmed without suffix, or a lost byte) the bytes so far are reported as a
 * code.
 *
 * Threads: a struct borne_scanner is used by one thread at a time (worker.c gives each scanner
 * slot its own thread). */
#ifndef BORNE_SCAN_SCANNER_H
#define BORNE_SCAN_SCANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "scan/queue.h"

/* ---- line assembler: pure, no I/O -------------------------------------------------------- */

enum borne_scanline_result {
    BORNE_SCANLINE_NONE = 0,    /* nothing complete yet */
    BORNE_SCANLINE_DONE = 1,    /* a code is complete: see borne_scanline_text() */
    BORNE_SCANLINE_DROPPED = 2, /* an overlong code ended and was dropped */
};

struct borne_scanline {
    uint64_t timeout_ns; /* lost-terminator timeout; 0 disables it */
    uint64_t last_ns;    /* time of the last byte */
    size_t len;
    bool overflow; /* dropping bytes until the next terminator */
    bool done;     /* buf holds a complete code until the next call */
    char buf[BORNE_SCAN_TEXT_MAX + 1];
};

void borne_scanline_init(struct borne_scanline *sl, uint64_t timeout_ns);

/* One code byte received at now_ns. Never completes a code. */
enum borne_scanline_result borne_scanline_byte(struct borne_scanline *sl, uint8_t b,
                                               uint64_t now_ns);
/* A terminator (Enter, CR, LF). */
enum borne_scanline_result borne_scanline_end(struct borne_scanline *sl);
/* A serial byte: CR and LF are terminators, anything else a code byte. */
enum borne_scanline_result borne_scanline_serial(struct borne_scanline *sl, uint8_t b,
                                                 uint64_t now_ns);
/* The code being received is damaged (e.g. the kernel dropped events): drop it at its end. */
void borne_scanline_discard(struct borne_scanline *sl);
/* Call before feeding bytes that arrived at now_ns, and when a wait times out: completes the
 * pending bytes as a code if the timeout has passed since the last byte. */
enum borne_scanline_result borne_scanline_expire(struct borne_scanline *sl, uint64_t now_ns);
/* Monotonic time at which borne_scanline_expire() would complete a code, 0 if never. */
uint64_t borne_scanline_deadline(const struct borne_scanline *sl);
/* After BORNE_SCANLINE_DONE: the code (NUL-terminated, may contain NUL bytes) until the next
 * call on sl. */
const char *borne_scanline_text(const struct borne_scanline *sl, size_t *len);

/* ---- drivers ------------------------------------------------------------------------------ */

struct borne_scanner_config {
    const char *path;   /* device path */
    int timeout_ms;     /* lost-terminator timeout; <= 0 means the default, 150 ms */
    bool grab_optional; /* evdev: accept an fd that cannot be grabbed (tests feed a pipe) */
    int baud;           /* serial: 9600 (default), 19200, 38400, 57600 or 115200; USB CDC
                           (ttyACM) scanners ignore it */
    int fd;             /* >= 0: use this already open descriptor instead of opening path;
                           the scanner takes ownership and closes it (also on failure) */
};

#define BORNE_SCANNER_PATH_MAX 256

/* A scanner backend. */
struct borne_scanner_driver {
    const char *name; /* "evdev", "serial" */
    /* Open the device (or adopt cfg->fd), set it up (grab / raw mode). On success *fd is a
     * non-blocking descriptor owned by the driver state *priv. */
    borne_err (*open)(const struct borne_scanner_config *cfg, void **priv, int *fd);
    /* Feed bytes read from the descriptor into sl, stopping right after a code completes or
     * an overlong code is dropped. Sets *used to the bytes consumed; returns the last result. */
    enum borne_scanline_result (*consume)(void *priv, const uint8_t *in, size_t n, size_t *used,
                                          struct borne_scanline *sl, uint64_t now_ns);
    void (*close)(void *priv); /* closes the descriptor; accepts NULL */
    /* Hot-plug: see borne_scanner_discover(). */
    size_t (*discover)(const char *dir, char (*paths)[BORNE_SCANNER_PATH_MAX], size_t max);
};

extern const struct borne_scanner_driver borne_scanner_evdev;
extern const struct borne_scanner_driver borne_scanner_serial;

/* "evdev" or "serial", else NULL. */
const struct borne_scanner_driver *borne_scanner_driver_find(const char *name);

/* ---- an open scanner ---------------------------------------------------------------------- */

struct borne_scanner;

/* Open through `driver`. BORNE_ERR_NOT_FOUND / BORNE_ERR_PERM / BORNE_ERR_DEVICE when the
 * device is missing, forbidden or unusable (busy, not a scanner). */
borne_err borne_scanner_open(const struct borne_scanner_driver *driver,
                             const struct borne_scanner_config *cfg, struct borne_scanner **out);
void borne_scanner_free(struct borne_scanner *sc);

/* The descriptor to poll, for callers with their own loop. */
int borne_scanner_fd(const struct borne_scanner *sc);

/* Wait up to timeout_ms for the next complete code and copy it into text (cap bytes, always
 * NUL-terminated; cap must be > BORNE_SCAN_TEXT_MAX). *mono_ns is when the code completed.
 * BORNE_OK with a code, BORNE_ERR_TIMEOUT, or BORNE_ERR_DEVICE when the device is gone
 * (unplugged): free the scanner and reopen later. */
borne_err borne_scanner_next(struct borne_scanner *sc, int timeout_ms, char *text, size_t cap,
                             size_t *len, uint64_t *mono_ns);

/* ---- hot-plug discovery ------------------------------------------------------------------- */

/* List candidate devices for `driver`, most likely first, into paths (up to max entries);
 * returns how many. evdev: entries of `dir` (NULL means /dev/input/by-id) ending in
 * "-event-kbd" whose name looks like a barcode scanner (see scanner_evdev.c); serial: entries of
 * `dir` (NULL means /dev) named ttyACM* . Returned paths are full paths, sorted by name. */
size_t borne_scanner_discover(const struct borne_scanner_driver *driver, const char *dir,
                              char (*paths)[BORNE_SCANNER_PATH_MAX], size_t max);

/* For backends: full paths of the entries of dir for which match(name) is true, sorted by name,
 * at most max; returns how many. Names too long for BORNE_SCANNER_PATH_MAX are skipped. */
size_t borne_scanner_list_dir(const char *dir, bool (*match)(const char *name),
                              char (*paths)[BORNE_SCANNER_PATH_MAX], size_t max);

#endif
