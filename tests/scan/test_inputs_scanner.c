/* Tests of the hardware scanner inputs: the line assembler, the serial scanner through a
 * pseudo-terminal, the evdev scanner fed from a pipe, uinput when the machine has it, and
 * hot-plug discovery. */
#define _GNU_SOURCE /* posix_openpt, grantpt, unlockpt, ptsname */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/uinput.h>
#include <sys/ioctl.h>

#include "scan/keytype.h"
#include "scan/scanner.h"

#define MS 1000000ull

/* ---- line assembler ------------------------------------------------------------------------ */

static enum borne_scanline_result feed_serial(struct borne_scanline *sl, const char *s, size_t n,
                                              uint64_t now)
{
    enum borne_scanline_result r = BORNE_SCANLINE_NONE;
    for (size_t i = 0; i < n; i++) {
        r = borne_scanline_serial(sl, (uint8_t)s[i], now);
        assert_true(r == BORNE_SCANLINE_NONE || i == n - 1);
    }
    return r;
}

static void test_line_basic(void **state)
{
    (void)state;
    struct borne_scanline *sl = malloc(sizeof(*sl));
    assert_non_null(sl);
    borne_scanline_init(sl, 100 * MS);
    size_t len;
    assert_int_equal(feed_serial(sl, "ABC\r", 4, 1000 * MS), BORNE_SCANLINE_DONE);
    assert_string_equal(borne_scanline_text(sl, &len), "ABC");
    assert_int_equal(len, 3);
    /* CRLF: the LF after a completed code is an empty code, skipped. */
    assert_int_equal(borne_scanline_serial(sl, '\n', 1000 * MS), BORNE_SCANLINE_NONE);
    assert_int_equal(borne_scanline_deadline(sl), 0);
    /* NUL and high bytes are kept. */
    assert_int_equal(feed_serial(sl, "a\0\xff\n", 4, 1001 * MS), BORNE_SCANLINE_DONE);
    const char *t = borne_scanline_text(sl, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(t, "a\0\xff", 3);
    /* Lost terminator: nothing before the deadline, the code at it. */
    assert_int_equal(feed_serial(sl, "XY", 2, 2000 * MS), BORNE_SCANLINE_NONE);
    assert_int_equal(borne_scanline_deadline(sl), 2100 * MS);
    assert_int_equal(borne_scanline_expire(sl, 2099 * MS), BORNE_SCANLINE_NONE);
    assert_int_equal(borne_scanline_expire(sl, 2100 * MS), BORNE_SCANLINE_DONE);
    assert_string_equal(borne_scanline_text(sl, &len), "XY");
    assert_int_equal(borne_scanline_expire(sl, 5000 * MS), BORNE_SCANLINE_NONE);
    /* Bytes restart the window. */
    feed_serial(sl, "P", 1, 3000 * MS);
    feed_serial(sl, "Q", 1, 3090 * MS);
    assert_int_equal(borne_scanline_expire(sl, 3150 * MS), BORNE_SCANLINE_NONE);
    assert_int_equal(borne_scanline_expire(sl, 3190 * MS), BORNE_SCANLINE_DONE);
    assert_string_equal(borne_scanline_text(sl, &len), "PQ");
    /* Timeout 0: never expires. */
    borne_scanline_init(sl, 0);
    feed_serial(sl, "Z", 1, 1);
    assert_int_equal(borne_scanline_deadline(sl), 0);
    assert_int_equal(borne_scanline_expire(sl, UINT64_MAX), BORNE_SCANLINE_NONE);
    free(sl);
}

static void test_line_overlong(void **state)
{
    (void)state;
    struct borne_scanline *sl = malloc(sizeof(*sl));
    assert_non_null(sl);
    borne_scanline_init(sl, 100 * MS);
    size_t len;
    /* Exactly the maximum is accepted. */
    for (int i = 0; i < BORNE_SCAN_TEXT_MAX; i++) {
        assert_int_equal(borne_scanline_serial(sl, 'a', 1), BORNE_SCANLINE_NONE);
    }
    assert_int_equal(borne_scanline_end(sl), BORNE_SCANLINE_DONE);
    borne_scanline_text(sl, &len);
    assert_int_equal(len, BORNE_SCAN_TEXT_MAX);
    /* One more byte: dropped whole, at the terminator... */
    for (int i = 0; i < BORNE_SCAN_TEXT_MAX + 1; i++) {
        borne_scanline_serial(sl, 'b', 1);
    }
    assert_int_equal(borne_scanline_serial(sl, '\r', 1), BORNE_SCANLINE_DROPPED);
    assert_int_equal(feed_serial(sl, "ok\r", 3, 2), BORNE_SCANLINE_DONE);
    assert_string_equal(borne_scanline_text(sl, &len), "ok");
    /* ... or at the timeout. */
    for (int i = 0; i < 3 * BORNE_SCAN_TEXT_MAX; i++) {
        borne_scanline_serial(sl, 'c', 10 * MS);
    }
    assert_int_equal(borne_scanline_expire(sl, 200 * MS), BORNE_SCANLINE_DROPPED);
    assert_int_equal(feed_serial(sl, "next\n", 5, 300 * MS), BORNE_SCANLINE_DONE);
    assert_string_equal(borne_scanline_text(sl, &len), "next");
    free(sl);
}

/* ---- serial through a pseudo-terminal ------------------------------------------------------- */

struct pty {
    int master;
    char slave[128];
};

static void pty_open(struct pty *p)
{
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(p->master >= 0);
    assert_int_equal(grantpt(p->master), 0);
    assert_int_equal(unlockpt(p->master), 0);
    const char *name = ptsname(p->master);
    assert_non_null(name);
    snprintf(p->slave, sizeof(p->slave), "%s", name);
}

static void write_all(int fd, const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        assert_true(w > 0);
        p += w;
        n -= (size_t)w;
    }
}

static uint64_t now_ns(void)
{
    return borne_scan_mono_ns();
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

struct code {
    char text[BORNE_SCAN_TEXT_MAX + 1];
    size_t len;
    uint64_t mono;
};

static borne_err next_code(struct borne_scanner *sc, int timeout_ms, struct code *c)
{
    return borne_scanner_next(sc, timeout_ms, c->text, sizeof(c->text), &c->len, &c->mono);
}

static struct borne_scanner *open_serial(const struct pty *p, int timeout_ms)
{
    struct borne_scanner_config cfg = {.path = p->slave, .timeout_ms = timeout_ms, .fd = -1};
    struct borne_scanner *sc = NULL;
    assert_int_equal(borne_scanner_open(&borne_scanner_serial, &cfg, &sc), BORNE_OK);
    assert_non_null(sc);
    return sc;
}

static void test_serial_codes(void **state)
{
    (void)state;
    struct pty p;
    pty_open(&p);
    struct borne_scanner *sc = open_serial(&p, 1000);
    struct code *c = malloc(sizeof(*c));
    assert_non_null(c);

    /* Nothing sent: a timeout, after about the time asked. */
    uint64_t t0 = now_ns();
    assert_int_equal(next_code(sc, 30, c), BORNE_ERR_TIMEOUT);
    assert_true(now_ns() - t0 >= 25 * MS);

    /* CRLF, CR and LF terminators; several codes in one write come one by one. */
    write_all(p.master, "ONE\r\nTWO\rTHREE\n", 15);
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "ONE");
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "TWO");
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "THREE");
    assert_int_equal(c->len, 5);
    assert_true(c->mono > t0 && c->mono <= now_ns());
    assert_int_equal(next_code(sc, 20, c), BORNE_ERR_TIMEOUT);

    /* Split writes make one code. */
    write_all(p.master, "BRN1:AB", 7);
    assert_int_equal(next_code(sc, 30, c), BORNE_ERR_TIMEOUT);
    write_all(p.master, "CD", 2);
    sleep_ms(20);
    write_all(p.master, "EF\r\n", 4);
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "BRN1:ABCDEF");

    /* Binary bytes pass unchanged (raw mode: no CR/NL mapping, no ^C, no echo). */
    write_all(p.master, "\x03\x00\x7f\x80\xff\x1d|\r", 8);
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_int_equal(c->len, 7);
    assert_memory_equal(c->text, "\x03\x00\x7f\x80\xff\x1d|", 7);

    free(c);
    borne_scanner_free(sc);
    close(p.master);
}

static void test_serial_lost_terminator(void **state)
{
    (void)state;
    struct pty p;
    pty_open(&p);
    struct borne_scanner *sc = open_serial(&p, 60);
    struct code *c = malloc(sizeof(*c));
    assert_non_null(c);
    uint64_t t0 = now_ns();
    write_all(p.master, "NOSUFFIX", 8);
    assert_int_equal(next_code(sc, 2000, c), BORNE_OK);
    uint64_t took = now_ns() - t0;
    assert_string_equal(c->text, "NOSUFFIX");
    assert_true(took >= 55 * MS);
    assert_true(took < 1500 * MS); /* it came at the line timeout, not our 2 s wait */
    /* The next code is separate. */
    write_all(p.master, "AFTER\r", 6);
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "AFTER");
    free(c);
    borne_scanner_free(sc);
    close(p.master);
}

static void test_serial_overlong(void **state)
{
    (void)state;
    struct pty p;
    pty_open(&p);
    struct borne_scanner *sc = open_serial(&p, 5000);
    struct code *c = malloc(sizeof(*c));
    assert_non_null(c);
    char chunk[1000];
    memset(chunk, 'Z', sizeof(chunk));
    /* 6000 bytes without a terminator, read as they come (a pty holds only about 4 KiB). */
    for (int i = 0; i < 6; i++) {
        write_all(p.master, chunk, sizeof(chunk));
        assert_int_equal(next_code(sc, 20, c), BORNE_ERR_TIMEOUT);
    }
    write_all(p.master, "\rSHORT\r", 7);
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "SHORT");
    free(c);
    borne_scanner_free(sc);
    close(p.master);
}

static void test_serial_unplugged(void **state)
{
    (void)state;
    struct pty p;
    pty_open(&p);
    struct borne_scanner *sc = open_serial(&p, 1000);
    struct code *c = malloc(sizeof(*c));
    assert_non_null(c);
    write_all(p.master, "LAST\rHALF", 9);
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "LAST");
    /* Unplugged with half a code read: the half code is dropped, the loss reported. */
    assert_int_equal(next_code(sc, 20, c), BORNE_ERR_TIMEOUT);
    close(p.master);
    assert_int_equal(next_code(sc, 1000, c), BORNE_ERR_DEVICE);
    assert_int_equal(next_code(sc, 1000, c), BORNE_ERR_DEVICE);
    free(c);
    borne_scanner_free(sc);
}

static void test_serial_open_errors(void **state)
{
    (void)state;
    struct borne_scanner *sc = NULL;
    struct borne_scanner_config cfg = {.path = "/nonexistent/ttyACM9", .fd = -1};
    assert_int_equal(borne_scanner_open(&borne_scanner_serial, &cfg, &sc), BORNE_ERR_NOT_FOUND);
    assert_null(sc);
    /* Not a terminal. */
    cfg.path = "/dev/null";
    assert_int_equal(borne_scanner_open(&borne_scanner_serial, &cfg, &sc), BORNE_ERR_DEVICE);
    /* The same port twice: the second open is refused (flock). */
    struct pty p;
    pty_open(&p);
    struct borne_scanner *first = open_serial(&p, 100);
    cfg.path = p.slave;
    assert_int_equal(borne_scanner_open(&borne_scanner_serial, &cfg, &sc), BORNE_ERR_DEVICE);
    borne_scanner_free(first);
    assert_int_equal(borne_scanner_open(&borne_scanner_serial, &cfg, &sc), BORNE_OK);
    borne_scanner_free(sc);
    close(p.master);
    borne_scanner_free(NULL);
}

/* ---- evdev from a pipe ---------------------------------------------------------------------- */

static struct borne_scanner *open_evdev_pipe(int *write_end, int timeout_ms)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct borne_scanner_config cfg = {
        .path = "pipe", .timeout_ms = timeout_ms, .grab_optional = true, .fd = fds[0]};
    struct borne_scanner *sc = NULL;
    assert_int_equal(borne_scanner_open(&borne_scanner_evdev, &cfg, &sc), BORNE_OK);
    *write_end = fds[1];
    return sc;
}

static void test_evdev_pipe(void **state)
{
    (void)state;
    int w;
    struct borne_scanner *sc = open_evdev_pipe(&w, 1000);
    struct code *c = malloc(sizeof(*c));
    struct input_event *ev = calloc(1024, sizeof(*ev));
    assert_non_null(c);
    assert_non_null(ev);

    /* A code typed as key events, Enter-terminated. */
    const char *token = "BRN1:Q7-XZ$%*+./ :lower!@#";
    size_t n = keytype_text(token, true, ev);
    write_all(w, ev, n * sizeof(*ev));
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, token);

    /* Records split at awkward places across writes; two codes in the stream. */
    n = keytype_text("first", true, ev);
    n += keytype_text("Second", true, ev + n);
    const uint8_t *bytes = (const uint8_t *)ev;
    size_t total = n * sizeof(*ev), off = 0, step = 7;
    while (off < total) {
        size_t k = total - off < step ? total - off : step;
        write_all(w, bytes + off, k);
        off += k;
        step = step * 3 % 61 + 1;
    }
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "first");
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "Second");

    /* The kernel dropped events in the middle of a code: that code is discarded. */
    n = keytype_text("dam", false, ev);
    n = keytype_put(ev, n, EV_SYN, SYN_DROPPED, 0);
    n += keytype_text("aged", true, ev + n);
    n += keytype_text("good", true, ev + n);
    write_all(w, ev, n * sizeof(*ev));
    assert_int_equal(next_code(sc, 1000, c), BORNE_OK);
    assert_string_equal(c->text, "good");

    /* No Enter: the lost-terminator timeout gives the code anyway. */
    borne_scanner_free(sc);
    sc = open_evdev_pipe(&w, 50);
    n = keytype_text("noenter", false, ev);
    write_all(w, ev, n * sizeof(*ev));
    assert_int_equal(next_code(sc, 2000, c), BORNE_OK);
    assert_string_equal(c->text, "noenter");

    /* The writer goes away: device lost. */
    close(w);
    assert_int_equal(next_code(sc, 1000, c), BORNE_ERR_DEVICE);
    borne_scanner_free(sc);
    free(ev);
    free(c);
}

static void test_evdev_requires_grab(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct borne_scanner_config cfg = {.path = "pipe", .fd = fds[0]};
    struct borne_scanner *sc = NULL;
    /* Without grab_optional a descriptor that cannot be grabbed is refused (and closed). */
    assert_int_equal(borne_scanner_open(&borne_scanner_evdev, &cfg, &sc), BORNE_ERR_DEVICE);
    assert_null(sc);
    assert_int_equal(fcntl(fds[0], F_GETFD), -1);
    close(fds[1]);
    cfg.fd = -1;
    cfg.path = "/nonexistent/event99";
    assert_int_equal(borne_scanner_open(&borne_scanner_evdev, &cfg, &sc), BORNE_ERR_NOT_FOUND);
}

/* ---- a real evdev device through uinput, when the machine has it ------------------------- */

static void test_evdev_uinput(void **state)
{
    (void)state;
    int ui = open("/dev/uinput", O_WRONLY | O_NONBLOCK);
    if (ui < 0) {
        skip();
    }
    assert_int_equal(ioctl(ui, UI_SET_EVBIT, EV_KEY), 0);
    for (int k = 1; k < 128; k++) {
        ioctl(ui, UI_SET_KEYBIT, k);
    }
    struct uinput_setup us;
    memset(&us, 0, sizeof(us));
    us.id.bustype = BUS_USB;
    us.id.vendor = 0x1234;
    us.id.product = 0x5678;
    snprintf(us.name, sizeof(us.name), "Borne test barcode scanner");
    assert_int_equal(ioctl(ui, UI_DEV_SETUP, &us), 0);
    assert_int_equal(ioctl(ui, UI_DEV_CREATE), 0);
    char sysname[64] = {0};
    char path[128];
    int have = ioctl(ui, UI_GET_SYSNAME(sizeof(sysname)), sysname) >= 0;
    struct borne_scanner *sc = NULL;
    if (have) {
        /* The eventN node under /sys/devices/virtual/input/<sysname>/. */
        char dir[160];
        snprintf(dir, sizeof(dir), "/sys/devices/virtual/input/%s", sysname);
        for (int tries = 0; tries < 50 && !sc; tries++) {
            for (int n = 0; n < 64 && !sc; n++) {
                char probe[200];
                snprintf(probe, sizeof(probe), "%s/event%d", dir, n);
                struct stat st;
                if (stat(probe, &st) == 0) {
                    snprintf(path, sizeof(path), "/dev/input/event%d", n);
                    struct borne_scanner_config cfg = {.path = path, .timeout_ms = 500, .fd = -1};
                    borne_scanner_open(&borne_scanner_evdev, &cfg, &sc);
                }
            }
            if (!sc) {
                sleep_ms(20);
            }
        }
    }
    if (!sc) {
        ioctl(ui, UI_DEV_DESTROY);
        close(ui);
        skip();
    }
    struct input_event ev[256];
    size_t n = keytype_text("Uinput-42", true, ev);
    write_all(ui, ev, n * sizeof(ev[0]));
    struct code *c = malloc(sizeof(*c));
    assert_non_null(c);
    assert_int_equal(next_code(sc, 2000, c), BORNE_OK);
    assert_string_equal(c->text, "Uinput-42");
    ioctl(ui, UI_DEV_DESTROY);
    close(ui);
    assert_int_equal(next_code(sc, 2000, c), BORNE_ERR_DEVICE);
    free(c);
    borne_scanner_free(sc);
}

/* ---- discovery ------------------------------------------------------------------------------ */

static void touch(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
}

static void remove_tree(const char *dir, const char *const *names, size_t n)
{
    char path[512];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void test_discovery(void **state)
{
    (void)state;
    char dir[] = "/tmp/borne-discover-XXXXXX";
    assert_non_null(mkdtemp(dir));
    static const char *const names[] = {
        "usb-Honeywell_Imaging___Mobility_1900-event-kbd",
        "usb-Logitech_USB_Keyboard-event-kbd",
        "usb-SM_SM-2D_PRODUCT_Barcode_Scanner-event-kbd",
        "usb-Zebra_Technologies_DS2208-event-mouse",
        "usb-Zebra_Technologies_DS2208-if01-event-kbd",
        "ttyACM1",
        "ttyACM0",
        "ttyS0",
        "ttyUSB0",
    };
    size_t n_names = sizeof(names) / sizeof(names[0]);
    for (size_t i = 0; i < n_names; i++) {
        touch(dir, names[i]);
    }
    char(*paths)[BORNE_SCANNER_PATH_MAX] = calloc(8, sizeof(*paths));
    assert_non_null(paths);
    size_t n = borne_scanner_discover(&borne_scanner_evdev, dir, paths, 8);
    assert_int_equal(n, 3);
    char want[512];
    snprintf(want, sizeof(want), "%s/%s", dir, names[0]);
    assert_string_equal(paths[0], want);
    snprintf(want, sizeof(want), "%s/%s", dir, names[2]);
    assert_string_equal(paths[1], want);
    snprintf(want, sizeof(want), "%s/%s", dir, names[4]);
    assert_string_equal(paths[2], want);
    /* At most max. */
    assert_int_equal(borne_scanner_discover(&borne_scanner_evdev, dir, paths, 1), 1);

    n = borne_scanner_discover(&borne_scanner_serial, dir, paths, 8);
    assert_int_equal(n, 2);
    snprintf(want, sizeof(want), "%s/ttyACM0", dir);
    assert_string_equal(paths[0], want);
    snprintf(want, sizeof(want), "%s/ttyACM1", dir);
    assert_string_equal(paths[1], want);

    assert_int_equal(borne_scanner_discover(&borne_scanner_serial, "/nonexistent", paths, 8), 0);
    assert_ptr_equal(borne_scanner_driver_find("evdev"), &borne_scanner_evdev);
    assert_ptr_equal(borne_scanner_driver_find("serial"), &borne_scanner_serial);
    assert_null(borne_scanner_driver_find("hid"));
    free(paths);
    remove_tree(dir, names, n_names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_basic),          cmocka_unit_test(test_line_overlong),
        cmocka_unit_test(test_serial_codes),        cmocka_unit_test(test_serial_lost_terminator),
        cmocka_unit_test(test_serial_overlong),     cmocka_unit_test(test_serial_unplugged),
        cmocka_unit_test(test_serial_open_errors),  cmocka_unit_test(test_evdev_pipe),
        cmocka_unit_test(test_evdev_requires_grab), cmocka_unit_test(test_evdev_uinput),
        cmocka_unit_test(test_discovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
