/* Tests of core/config: defaults, every key, each kind of bad value with its line number,
 * all-or-nothing loading, files, error descriptions and the BORNE_DATA override. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

#define HASH "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"

/* Writes text to a new temporary file; returns its path (free() it). */
static char *temp_file(const void *text, size_t len)
{
    char *path = strdup("/tmp/borne-test-config-XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static void defaults(struct borne_config *cfg)
{
    borne_config_defaults(cfg, NULL);
}

static void test_defaults(void **state)
{
    (void)state;
    struct borne_config c;
    memset(&c, 0x5A, sizeof(c));
    defaults(&c);
    assert_string_equal(c.kiosk.id, "borne-dev");
    assert_string_equal(c.kiosk.data_dir, "/var/lib/borne");
    assert_int_equal(c.kiosk.language, BORNE_CONFIG_LANG_FR);
    assert_int_equal(c.kiosk.mode, BORNE_CONFIG_MODE_ENTRY);
    assert_int_equal(c.kiosk.session, 0);
    assert_int_equal(c.kiosk.rescan_seconds, 5);
    assert_int_equal(c.display.rotation, 0);
    assert_false(c.display.windowed);
    assert_int_equal(c.display.width, 0);
    assert_int_equal(c.display.height, 0);
    assert_string_equal(c.camera.device, "auto");
    assert_int_equal(c.camera.width, 640);
    assert_int_equal(c.camera.height, 480);
    assert_true(c.camera.mirror);
    assert_string_equal(c.scanner.device, "auto");
    assert_int_equal(c.scanner.serial_baud, 9600);
    assert_int_equal(c.scanner.terminator_timeout_ms, 300);
    assert_string_equal(c.registry.url, "");
    assert_string_equal(c.registry.ca_file, "");
    assert_int_equal(c.registry.sync_interval_seconds, 60);
    assert_string_equal(c.staff.pin_hash, "");
    assert_int_equal(c.staff.idle_timeout_seconds, 60);
    assert_int_equal(c.privacy.retention_days, 30);

    /* An empty file changes nothing. */
    struct borne_config before = c;
    assert_int_equal(borne_config_load_string(&c, "", NULL), BORNE_OK);
    assert_memory_equal(&c, &before, sizeof(c));
}

static void test_machine_id(void **state)
{
    (void)state;
    struct borne_config c;
    char *good = temp_file("0123abcd89ef0123456789abcdef0123\n", 33);
    borne_config_defaults(&c, good);
    assert_string_equal(c.kiosk.id, "borne-0123abcd");
    char *bad = temp_file("not-a-machine-id\n", 17);
    borne_config_defaults(&c, bad);
    assert_string_equal(c.kiosk.id, "borne-dev");
    char *upper = temp_file("0123ABCD89ef0123456789abcdef0123\n", 33);
    borne_config_defaults(&c, upper);
    assert_string_equal(c.kiosk.id, "borne-dev");
    borne_config_defaults(&c, "/nonexistent/machine-id");
    assert_string_equal(c.kiosk.id, "borne-dev");
    unlink(good);
    unlink(bad);
    unlink(upper);
    free(good);
    free(bad);
    free(upper);
}

static const char full[] = "; Borne test configuration\n"
                           "[kiosk]\n"
                           "id = salle-201.B_2\n"
                           "data_dir = /srv/borne data\n"
                           "language = en\n"
                           "mode = exit\n"
                           "session = 42\n"
                           "rescan_seconds = 0\n"
                           "\n"
                           "[display]\n"
                           "rotation = 270\n"
                           "windowed = oui\n"
                           "width = 1024\n"
                           "height = 600\n"
                           "[camera]\n"
                           "device = /dev/video2\n"
                           "resolution = 1280x720\n"
                           "mirror = off\n"
                           "[scanner]\n"
                           "device = /dev/ttyACM0\n"
                           "serial_baud = 115200\n"
                           "terminator_timeout_ms = 50\n"
                           "[registry]\n"
                           "url = https://registre.example.org/api\n"
                           "ca_file = /etc/borne/ca.pem\n"
                           "sync_interval_seconds = 30\n"
                           "[staff]\n"
                           "pin_hash = " HASH "\n"
                           "idle_timeout_seconds = 120\n"
                           "[privacy]\n"
                           "retention_days = 90\n";

static void test_every_key(void **state)
{
    (void)state;
    struct borne_config c;
    defaults(&c);
    struct borne_config_error e;
    assert_int_equal(borne_config_load_string(&c, full, &e), BORNE_OK);
    assert_int_equal(e.err, BORNE_OK);
    assert_string_equal(c.kiosk.id, "salle-201.B_2");
    assert_string_equal(c.kiosk.data_dir, "/srv/borne data");
    assert_int_equal(c.kiosk.language, BORNE_CONFIG_LANG_EN);
    assert_int_equal(c.kiosk.mode, BORNE_CONFIG_MODE_EXIT);
    assert_int_equal(c.kiosk.session, 42);
    assert_int_equal(c.kiosk.rescan_seconds, 0);
    assert_int_equal(c.display.rotation, 270);
    assert_true(c.display.windowed);
    assert_int_equal(c.display.width, 1024);
    assert_int_equal(c.display.height, 600);
    assert_string_equal(c.camera.device, "/dev/video2");
    assert_int_equal(c.camera.width, 1280);
    assert_int_equal(c.camera.height, 720);
    assert_false(c.camera.mirror);
    assert_string_equal(c.scanner.device, "/dev/ttyACM0");
    assert_int_equal(c.scanner.serial_baud, 115200);
    assert_int_equal(c.scanner.terminator_timeout_ms, 50);
    assert_string_equal(c.registry.url, "https://registre.example.org/api");
    assert_string_equal(c.registry.ca_file, "/etc/borne/ca.pem");
    assert_int_equal(c.registry.sync_interval_seconds, 30);
    assert_string_equal(c.staff.pin_hash, HASH);
    assert_int_equal(c.staff.idle_timeout_seconds, 120);
    assert_int_equal(c.privacy.retention_days, 90);

    /* The struct is a plain value. */
    struct borne_config copy = c;
    assert_memory_equal(&copy, &c, sizeof(c));
}

static void test_booleans(void **state)
{
    (void)state;
    static const char *const yes[] = {"true", "yes", "oui", "1", "on", "TRUE", "Oui"};
    static const char *const no[] = {"false", "no", "non", "0", "off", "Off", "NON"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        struct borne_config c;
        defaults(&c);
        char text[128];
        snprintf(text, sizeof(text), "[display]\nwindowed = %s\n[camera]\nmirror = %s\n", yes[i],
                 no[i]);
        assert_int_equal(borne_config_load_string(&c, text, NULL), BORNE_OK);
        assert_true(c.display.windowed);
        assert_false(c.camera.mirror);
    }
}

static void test_syntax_variants(void **state)
{
    (void)state;
    struct borne_config c;
    defaults(&c);
    /* BOM, CRLF, '#' and ';' comments, inline comment, quotes, indentation, ':' separator,
     * case-insensitive names, empty session, the other values of each choice. */
    const char *text = "\xEF\xBB\xBF# comment\r\n"
                       "[Kiosk] ; a comment after the header\r\n"
                       "  ID = \"b1\"\r\n"
                       "\tlanguage=fr ; inline comment\r\n"
                       "mode: entry\r\n"
                       "session =\r\n"
                       "[camera]\r\n"
                       "device = none\r\n"
                       "   mirror = yes\r\n"
                       "resolution = 640x480\r\n"
                       "[scanner]\r\n"
                       "device = none\r\n"
                       "[registry]\r\n"
                       "url = http://localhost:8080/api\r\n"
                       "ca_file =\r\n"
                       "[staff]\r\n"
                       "pin_hash =\r\n";
    c.kiosk.session = 7;
    struct borne_config_error e;
    assert_int_equal(borne_config_load_string(&c, text, &e), BORNE_OK);
    assert_string_equal(c.kiosk.id, "b1");
    assert_int_equal(c.kiosk.language, BORNE_CONFIG_LANG_FR);
    assert_int_equal(c.kiosk.mode, BORNE_CONFIG_MODE_ENTRY);
    assert_int_equal(c.kiosk.session, 0);
    assert_string_equal(c.camera.device, "none");
    assert_true(c.camera.mirror);
    assert_string_equal(c.scanner.device, "none");
    assert_string_equal(c.registry.url, "http://localhost:8080/api");
    assert_string_equal(c.registry.ca_file, "");
}

/* Loads text over defaults and expects an error; checks nothing was applied. */
static void expect_bad(const char *text, borne_err want, int line, const char *key,
                       const char *reason)
{
    struct borne_config c, before;
    defaults(&c);
    before = c;
    struct borne_config_error e;
    assert_int_equal(borne_config_load_string(&c, text, &e), want);
    assert_int_equal(e.err, want);
    assert_memory_equal(&c, &before, sizeof(c));
    if (e.line != line) {
        fail_msg("line %d, expected %d (%s)", e.line, line, e.reason);
    }
    assert_string_equal(e.key, key);
    if (reason && !strstr(e.reason, reason)) {
        fail_msg("reason \"%s\" lacks \"%s\"", e.reason, reason);
    }
}

static void test_bad_values(void **state)
{
    (void)state;
    expect_bad("[kiosk]\nrescan_seconds = 5s\n", BORNE_ERR_INVALID, 2, "rescan_seconds",
               "expected a whole number from 0 to 3600 (got \"5s\")");
    expect_bad("[kiosk]\nrescan_seconds = -1\n", BORNE_ERR_INVALID, 2, "rescan_seconds", NULL);
    expect_bad("[kiosk]\nrescan_seconds = 3601\n", BORNE_ERR_INVALID, 2, "rescan_seconds", NULL);
    expect_bad("[kiosk]\nrescan_seconds =\n", BORNE_ERR_INVALID, 2, "rescan_seconds", NULL);
    expect_bad("[kiosk]\nrescan_seconds = 99999999999999999999\n", BORNE_ERR_INVALID, 2,
               "rescan_seconds", NULL);
    expect_bad("[kiosk]\nid = borne 1\n", BORNE_ERR_INVALID, 2, "id", "letters, digits");
    expect_bad("[kiosk]\nid =\n", BORNE_ERR_INVALID, 2, "id", NULL);
    expect_bad("[kiosk]\nid = "
               "a234567890123456789012345678901234567890123456789012345678901234\n",
               BORNE_ERR_INVALID, 2, "id", "1 to 63");
    expect_bad("[kiosk]\ndata_dir = var/lib/borne\n", BORNE_ERR_INVALID, 2, "data_dir",
               "absolute path");
    expect_bad("[kiosk]\nlanguage = de\n", BORNE_ERR_INVALID, 2, "language", "fr or en");
    expect_bad("[kiosk]\nlanguage = FR\n", BORNE_ERR_INVALID, 2, "language", NULL);
    expect_bad("[kiosk]\nmode = both\n", BORNE_ERR_INVALID, 2, "mode", "entry or exit");
    expect_bad("[kiosk]\nsession = 0\n", BORNE_ERR_INVALID, 2, "session", NULL);
    expect_bad("[kiosk]\nsession = abc\n", BORNE_ERR_INVALID, 2, "session", NULL);
    expect_bad("[display]\nrotation = 45\n", BORNE_ERR_INVALID, 2, "rotation", "0, 90, 180");
    expect_bad("[display]\nrotation = 360\n", BORNE_ERR_INVALID, 2, "rotation", NULL);
    expect_bad("[display]\nwindowed = maybe\n", BORNE_ERR_INVALID, 2, "windowed", "oui/non");
    expect_bad("[display]\nwidth = 10000\n", BORNE_ERR_INVALID, 2, "width", NULL);
    /* Below the floor a screen cannot be laid out: the floor is stated (0 keeps the screen's). */
    expect_bad("[display]\nwidth = 100\n", BORNE_ERR_INVALID, 2, "width",
               "the smallest screen is 320x240 (got \"100\")");
    expect_bad("[display]\nheight = 239\n", BORNE_ERR_INVALID, 2, "height", "at least 240");
    expect_bad("[camera]\ndevice = /tmp/video0\n", BORNE_ERR_INVALID, 2, "device", "/dev/");
    expect_bad("[camera]\ndevice = video0\n", BORNE_ERR_INVALID, 2, "device", NULL);
    expect_bad("[camera]\nresolution = 800x600\n", BORNE_ERR_INVALID, 2, "resolution",
               "expected 640x480 or 1280x720 (got \"800x600\")");
    expect_bad("[camera]\nmirror = 2\n", BORNE_ERR_INVALID, 2, "mirror", NULL);
    expect_bad("[scanner]\ndevice = ttyUSB0\n", BORNE_ERR_INVALID, 2, "device", NULL);
    expect_bad("[scanner]\nserial_baud = 9601\n", BORNE_ERR_INVALID, 2, "serial_baud", "9600");
    expect_bad("[scanner]\nterminator_timeout_ms = 5\n", BORNE_ERR_INVALID, 2,
               "terminator_timeout_ms", "from 10 to 5000");
    expect_bad("[registry]\nurl = http://registre.example.org\n", BORNE_ERR_INVALID, 2, "url",
               "https://");
    expect_bad("[registry]\nurl = ftp://x\n", BORNE_ERR_INVALID, 2, "url", NULL);
    expect_bad("[registry]\nurl = https://\n", BORNE_ERR_INVALID, 2, "url", "no host");
    expect_bad("[registry]\nurl = http://localhost.evil.com\n", BORNE_ERR_INVALID, 2, "url", NULL);
    expect_bad("[registry]\nca_file = ca.pem\n", BORNE_ERR_INVALID, 2, "ca_file", NULL);
    expect_bad("[registry]\nsync_interval_seconds = 1\n", BORNE_ERR_INVALID, 2,
               "sync_interval_seconds", NULL);
    expect_bad("[staff]\nidle_timeout_seconds = 0\n", BORNE_ERR_INVALID, 2, "idle_timeout_seconds",
               NULL);
    expect_bad("[privacy]\nretention_days = 0\n", BORNE_ERR_INVALID, 2, "retention_days", NULL);
}

static void test_pin_hash(void **state)
{
    (void)state;
    /* A bcrypt or argon2i hash, or a clear PIN, is refused, and the value is never echoed. */
    expect_bad("[staff]\npin_hash = 1234\n", BORNE_ERR_INVALID, 2, "pin_hash", "$argon2id$");
    /* It says which command makes one. */
    expect_bad("[staff]\npin_hash = 1234\n", BORNE_ERR_INVALID, 2, "pin_hash", "borne --hash-pin");
    expect_bad("[staff]\npin_hash = $argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA\n",
               BORNE_ERR_INVALID, 2, "pin_hash", NULL);
    struct borne_config c;
    defaults(&c);
    struct borne_config_error e;
    assert_int_equal(borne_config_load_string(&c, "[staff]\npin_hash = 4321\n", &e),
                     BORNE_ERR_INVALID);
    assert_null(strstr(e.reason, "4321"));
    expect_bad("[staff]\npin_hash = $argon2id$v=19 x\n", BORNE_ERR_INVALID, 2, "pin_hash", NULL);
}

static void test_structure_errors(void **state)
{
    (void)state;
    expect_bad("[kiosk]\nid = a\n\n[camera]\nzoom = 2\n", BORNE_ERR_NOT_FOUND, 5, "zoom",
               "unknown key");
    /* A misspelled section is caught even when it has no keys. */
    expect_bad("[kiosk]\nid = a\n[displya]\n", BORNE_ERR_NOT_FOUND, 3, "",
               "unknown section [displya] (known: [kiosk], [display]");
    expect_bad("id = a\n", BORNE_ERR_PARSE, 1, "id", "before any [section]");
    expect_bad("[kiosk\nid = a\n", BORNE_ERR_PARSE, 1, "", "without ']'");
    expect_bad("[kiosk] x\n", BORNE_ERR_PARSE, 1, "", "after the section header");
    expect_bad("[kiosk]\nid = a\nlanguage en\n", BORNE_ERR_PARSE, 3, "", "key = value");
    expect_bad("[kiosk]\nid = a\n[display]\n[kiosk]\nid = b\n", BORNE_ERR_INVALID, 5, "id",
               "given twice (first on line 2)");
    /* Indented lines are keys of their own, never continuations of the previous value. */
    expect_bad("[kiosk]\nid = a\n    extra\n", BORNE_ERR_PARSE, 3, "", NULL);
    /* Invalid UTF-8, even in a comment. */
    expect_bad("[kiosk]\n; H\xE9l\xE8ne\n", BORNE_ERR_PARSE, 2, "", "invalid UTF-8");
    /* The first error wins when a syntax error comes before a bad value. */
    expect_bad("[kiosk]\nnonsense\nid = !\n", BORNE_ERR_PARSE, 2, "", NULL);
}

static void test_line_too_long(void **state)
{
    (void)state;
    char text[400];
    /* 197 characters fit on a line; 198 do not. */
    int n = snprintf(text, sizeof(text), "[kiosk]\ndata_dir = /");
    memset(text + n, 'd', 197 - 12);
    text[n + 197 - 12] = '\0';
    struct borne_config c;
    defaults(&c);
    assert_int_equal(borne_config_load_string(&c, text, NULL), BORNE_OK);
    assert_int_equal(strlen(c.kiosk.data_dir), 197 - 11);
    strcat(text, "d\n");
    expect_bad(text, BORNE_ERR_TOO_LARGE, 2, "", "line longer than 197");
}

static void test_nothing_half_applied(void **state)
{
    (void)state;
    struct borne_config c;
    defaults(&c);
    assert_int_equal(borne_config_load_string(&c, "[kiosk]\nid = first\n", NULL), BORNE_OK);
    struct borne_config before = c;
    /* Many good keys, then one bad one at the end. */
    char text[sizeof(full) + 64];
    snprintf(text, sizeof(text), "%s[nope]\n", full);
    struct borne_config_error e;
    assert_int_equal(borne_config_load_string(&c, text, &e), BORNE_ERR_NOT_FOUND);
    assert_int_equal(e.line, 32);
    assert_string_equal(e.key, "");
    assert_memory_equal(&c, &before, sizeof(c));
    assert_string_equal(c.kiosk.id, "first");
    /* Keys absent from a later file keep the values of the earlier one. */
    assert_int_equal(borne_config_load_string(&c, "[camera]\nmirror = false\n", NULL), BORNE_OK);
    assert_string_equal(c.kiosk.id, "first");
    assert_false(c.camera.mirror);
}

static void test_buffer_with_nul(void **state)
{
    (void)state;
    struct borne_config c, before;
    defaults(&c);
    before = c;
    struct borne_config_error e;
    static const char text[] = "[kiosk]\nid = a\0b\n";
    assert_int_equal(borne_config_load_buffer(&c, text, sizeof(text) - 1, &e), BORNE_ERR_PARSE);
    assert_int_equal(e.line, 2);
    assert_memory_equal(&c, &before, sizeof(c));
    /* Without NUL termination. */
    static const char part[] = {'[', 'k', 'i', 'o', 's', 'k', ']', '\n', 'i', 'd', '=', 'z'};
    assert_int_equal(borne_config_load_buffer(&c, part, sizeof(part), NULL), BORNE_OK);
    assert_string_equal(c.kiosk.id, "z");
}

static void test_files(void **state)
{
    (void)state;
    struct borne_config c;
    defaults(&c);
    char *path = temp_file(full, sizeof(full) - 1);
    assert_int_equal(borne_config_load_file(&c, path, NULL), BORNE_OK);
    assert_int_equal(c.privacy.retention_days, 90);
    unlink(path);
    free(path);

    struct borne_config_error e;
    assert_int_equal(borne_config_load_file(&c, "/nonexistent/borne.conf", &e),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(e.err, BORNE_ERR_NOT_FOUND);

    /* Over 64 KiB of comments: refused as a whole. */
    size_t big = BORNE_CONFIG_FILE_MAX + 1;
    char *text = malloc(big);
    assert_non_null(text);
    for (size_t i = 0; i < big; i += 64) {
        size_t n = big - i < 64 ? big - i : 64;
        memset(text + i, '#', n);
        text[i + n - 1] = '\n';
    }
    path = temp_file(text, big);
    struct borne_config before = c;
    assert_int_equal(borne_config_load_file(&c, path, &e), BORNE_ERR_TOO_LARGE);
    assert_memory_equal(&c, &before, sizeof(c));
    unlink(path);
    free(path);
    /* Exactly 64 KiB is fine. */
    path = temp_file(text, big - 1);
    assert_int_equal(borne_config_load_file(&c, path, &e), BORNE_OK);
    unlink(path);
    free(path);
    free(text);
}

static void test_describe(void **state)
{
    (void)state;
    struct borne_config c;
    defaults(&c);
    struct borne_config_error e;
    char buf[256];
    assert_int_equal(borne_config_load_string(&c, "[camera]\n\nresolution = 800x600\n", &e),
                     BORNE_ERR_INVALID);
    borne_config_describe_error(&e, "borne.conf", buf, sizeof(buf));
    assert_string_equal(buf, "borne.conf line 3: [camera] resolution: expected 640x480 or "
                             "1280x720 (got \"800x600\")");
    assert_int_equal(borne_config_load_string(&c, "[camera\n", &e), BORNE_ERR_PARSE);
    borne_config_describe_error(&e, NULL, buf, sizeof(buf));
    assert_string_equal(buf, "configuration line 1: section header without ']'");
    /* Control characters in a bad value are not echoed raw. */
    assert_int_equal(borne_config_load_string(&c, "[kiosk]\nmode = \x1b[2J\n", &e),
                     BORNE_ERR_INVALID);
    assert_null(strchr(e.reason, '\x1b'));
    char small[12];
    borne_config_describe_error(&e, "borne.conf", small, sizeof(small));
    assert_string_equal(small, "borne.conf ");
}

static void test_env_override(void **state)
{
    (void)state;
    struct borne_config c;
    defaults(&c);
    unsetenv("BORNE_DATA");
    assert_int_equal(borne_config_apply_env(&c), BORNE_OK);
    assert_string_equal(c.kiosk.data_dir, "/var/lib/borne");
    setenv("BORNE_DATA", "relative/dir", 1);
    assert_int_equal(borne_config_apply_env(&c), BORNE_ERR_INVALID);
    assert_string_equal(c.kiosk.data_dir, "/var/lib/borne");
    setenv("BORNE_DATA", "/tmp/borne-data", 1);
    assert_int_equal(borne_config_apply_env(&c), BORNE_OK);
    assert_string_equal(c.kiosk.data_dir, "/tmp/borne-data");
    unsetenv("BORNE_DATA");
}

/* The shipped example must load, both as it is and with every example line uncommented. */
static void test_example_file(void **state)
{
    (void)state;
    const char *dir = getenv("BORNE_TEST_DATA");
    if (!dir) {
        skip();
    }
    /* BORNE_TEST_DATA is <source>/tests/data, which need not exist: strip the suffix. */
    char path[1024];
    size_t dlen = strlen(dir);
    size_t suffix = strlen("/tests/data");
    assert_true(dlen > suffix && strcmp(dir + dlen - suffix, "/tests/data") == 0);
    snprintf(path, sizeof(path), "%.*s/firmware-config/borne.conf.example", (int)(dlen - suffix),
             dir);
    struct borne_config c, d;
    defaults(&c);
    d = c;
    struct borne_config_error e;
    borne_err err = borne_config_load_file(&c, path, &e);
    if (err) {
        char msg[300];
        borne_config_describe_error(&e, path, msg, sizeof(msg));
        fail_msg("%s", msg);
    }
    assert_memory_equal(&c, &d, sizeof(c)); /* everything is commented out */

    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char text[BORNE_CONFIG_FILE_MAX];
    size_t n = fread(text, 1, sizeof(text) - 1, fp);
    fclose(fp);
    text[n] = '\0';
    /* "#key = value" becomes "key = value"; prose comments have a space after '#'. */
    for (char *line = text; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z') {
            line[0] = ' ';
        }
    }
    err = borne_config_load_string(&c, text, &e);
    if (err) {
        char msg[300];
        borne_config_describe_error(&e, "uncommented example", msg, sizeof(msg));
        fail_msg("%s", msg);
    }
    /* The example shows the defaults, apart from the illustrative id and URL. */
    assert_string_equal(c.kiosk.id, "borne-salle-201");
    assert_string_equal(c.registry.url, "https://registre.example.org/api");
    memcpy(c.kiosk.id, d.kiosk.id, sizeof(c.kiosk.id));
    memcpy(c.registry.url, d.registry.url, sizeof(c.registry.url));
    assert_memory_equal(&c, &d, sizeof(c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),        cmocka_unit_test(test_machine_id),
        cmocka_unit_test(test_every_key),       cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_syntax_variants), cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_pin_hash),        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_line_too_long),   cmocka_unit_test(test_nothing_half_applied),
        cmocka_unit_test(test_buffer_with_nul), cmocka_unit_test(test_files),
        cmocka_unit_test(test_describe),        cmocka_unit_test(test_env_override),
        cmocka_unit_test(test_example_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
