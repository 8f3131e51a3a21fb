/* Parsing of the kiosk configuration file (see config.h and docs/configuration.md).
 *
 * DESIGN: inih does the INI syntax; everything else is here. Text reaches inih through our own
 * line reader (ini_parse_stream), which lets us count lines exactly, refuse over-long lines
 * instead of letting inih split them, check UTF-8, check section headers (inih does not report
 * empty sections to the handler) and strip leading blanks so that inih's multi-line
 * continuation never applies. The handler parses each value against a table of known keys into
 * a private copy of the configuration; the caller's copy is replaced only on full success.
 * inih's process-wide settings (ini_allow_multiline, ...) are read-only for us. */
#include "core/config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LOG_MODULE "config"
#include "core/log.h"
#include "core/utf8.h"

enum kind {
    K_INT,         /* whole number in [min, max] */
    K_BOOL,        /* true/false and friends */
    K_ID,          /* kiosk id: letters, digits, '.', '_', '-' */
    K_ABS_PATH,    /* absolute path */
    K_OPT_PATH,    /* "" or absolute path */
    K_CAMERA_DEV,  /* auto | none | /dev/... */
    K_SCANNER_DEV, /* auto | none | absolute path */
    K_LANGUAGE,
    K_MODE,
    K_SESSION, /* "" or a positive id */
    K_ROTATION,
    K_RESOLUTION, /* sets camera.width and camera.height */
    K_BAUD,
    K_URL,
    K_PIN_HASH,
};

struct key_def {
    const char *section;
    const char *name;
    enum kind kind;
    size_t offset; /* of the field in struct borne_config */
    size_t size;   /* of a string field */
    long min, max; /* for K_INT */
};

#define FIELD(f) offsetof(struct borne_config, f), sizeof(((struct borne_config *)0)->f)
#define INT_KEY(s, n, f, lo, hi)                                                                   \
    {                                                                                              \
        s, n, K_INT, FIELD(f), lo, hi                                                              \
    }
#define KEY(s, n, k, f)                                                                            \
    {                                                                                              \
        s, n, k, FIELD(f), 0, 0                                                                    \
    }

static const struct key_def keys[] = {
    KEY("kiosk", "id", K_ID, kiosk.id),
    KEY("kiosk", "data_dir", K_ABS_PATH, kiosk.data_dir),
    KEY("kiosk", "language", K_LANGUAGE, kiosk.language),
    KEY("kiosk", "mode", K_MODE, kiosk.mode),
    KEY("kiosk", "session", K_SESSION, kiosk.session),
    INT_KEY("kiosk", "rescan_seconds", kiosk.rescan_seconds, 0, 3600),
    KEY("display", "rotation", K_ROTATION, display.rotation),
    KEY("display", "windowed", K_BOOL, display.windowed),
    INT_KEY("display", "width", display.width, 0, 7680),
    INT_KEY("display", "height", display.height, 0, 4320),
    KEY("camera", "device", K_CAMERA_DEV, camera.device),
    KEY("camera", "resolution", K_RESOLUTION, camera.width),
    KEY("camera", "mirror", K_BOOL, camera.mirror),
    KEY("scanner", "device", K_SCANNER_DEV, scanner.device),
    KEY("scanner", "serial_baud", K_BAUD, scanner.serial_baud),
    INT_KEY("scanner", "terminator_timeout_ms", scanner.terminator_timeout_ms, 10, 5000),
    KEY("registry", "url", K_URL, registry.url),
    KEY("registry", "ca_file", K_OPT_PATH, registry.ca_file),
    INT_KEY("registry", "sync_interval_seconds", registry.sync_interval_seconds, 5, 86400),
    KEY("staff", "pin_hash", K_PIN_HASH, staff.pin_hash),
    INT_KEY("staff", "idle_timeout_seconds", staff.idle_timeout_seconds, 10, 3600),
    INT_KEY("privacy", "retention_days", privacy.retention_days, 1, 3650),
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const sections[] = {"kiosk",    "display", "camera", "scanner",
                                       "registry", "staff",   "privacy"};

static const int bauds[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};

struct parse_state {
    struct borne_config cfg; /* the copy being filled */
    struct borne_config_error error;
    bool failed;
    const char *p; /* reader position */
    const char *end;
    int line;        /* line last handed to inih, 1-based */
    int seen[NKEYS]; /* line where each key was set, 0 if not yet */
};

__attribute__((format(printf, 5, 6))) static void set_error(struct borne_config_error *e,
                                                            borne_err err, int line,
                                                            const struct key_def *k,
                                                            const char *fmt, ...)
{
    memset(e, 0, sizeof(*e));
    e->err = err;
    e->line = line;
    if (k) {
        snprintf(e->section, sizeof(e->section), "%s", k->section);
        snprintf(e->key, sizeof(e->key), "%s", k->name);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
    va_end(ap);
}

/* ---- defaults ---- */

static void machine_id_default(char *id, size_t cap, const char *path)
{
    snprintf(id, cap, "borne-dev");
    if (!path) {
        return;
    }
    FILE *fp = fopen(path, "re");
    if (!fp) {
        return;
    }
    char buf[64];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    /* A machine id is 32 lower-case hex digits and a newline. */
    for (size_t i = 0; i < 32; i++) {
        if (!((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f'))) {
            return;
        }
    }
    if (buf[32] != '\n' && buf[32] != '\0') {
        return;
    }
    snprintf(id, cap, "borne-%.8s", buf);
}

void borne_config_defaults(struct borne_config *cfg, const char *machine_id_path)
{
    memset(cfg, 0, sizeof(*cfg));
    machine_id_default(cfg->kiosk.id, sizeof(cfg->kiosk.id), machine_id_path);
    snprintf(cfg->kiosk.data_dir, sizeof(cfg->kiosk.data_dir), "/var/lib/borne");
    cfg->kiosk.language = BORNE_CONFIG_LANG_FR;
    cfg->kiosk.mode = BORNE_CONFIG_MODE_ENTRY;
    cfg->kiosk.session = 0;
    cfg->kiosk.rescan_seconds = 5;
    cfg->display.rotation = 0;
    cfg->display.windowed = false;
    cfg->display.width = 0;
    cfg->display.height = 0;
    snprintf(cfg->camera.device, sizeof(cfg->camera.device), "auto");
    cfg->camera.width = 640;
    cfg->camera.height = 480;
    cfg->camera.mirror = true;
    snprintf(cfg->scanner.device, sizeof(cfg->scanner.device), "auto");
    cfg->scanner.serial_baud = 9600;
    cfg->scanner.terminator_timeout_ms = 300;
    cfg->registry.sync_interval_seconds = 60;
    cfg->staff.idle_timeout_seconds = 60;
    cfg->privacy.retention_days = 30;
}

/* ---- value parsers: return NULL on success, else the reason ---- */

static bool parse_long(const char *v, long min, long max, long *out)
{
    size_t n = strlen(v);
    if (n == 0 || n > 18) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return false;
        }
    }
    long long x = strtoll(v, NULL, 10);
    if (x < min || x > max) {
        return false;
    }
    *out = (long)x;
    return true;
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "oui", "1", "on"};
    static const char *const no[] = {"false", "no", "non", "0", "off"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* Printable text without spaces or control characters (UTF-8 allowed). */
static bool is_clean_text(const char *v, bool allow_space)
{
    size_t n = strlen(v);
    if (!borne_utf8_valid(v, n, NULL)) {
        return false;
    }
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += borne_utf8_decode(v + i, n - i, &cp);
        if (borne_utf8_is_unsafe(cp) || (cp == ' ' && !allow_space)) {
            return false;
        }
    }
    return true;
}

static const char *check_abs_path(const char *v, size_t cap)
{
    if (v[0] != '/') {
        return "expected an absolute path (starting with /)";
    }
    if (strlen(v) >= cap) {
        return "path too long";
    }
    if (!is_clean_text(v, true)) {
        return "path contains control characters";
    }
    return NULL;
}

static bool is_loopback_http(const char *v)
{
    static const char *const ok[] = {"http://localhost", "http://127.0.0.1", "http://[::1]"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        size_t n = strlen(ok[i]);
        if (strncasecmp(v, ok[i], n) == 0 && (v[n] == '\0' || v[n] == ':' || v[n] == '/')) {
            return true;
        }
    }
    return false;
}

static const char *check_url(const char *v, size_t cap)
{
    if (v[0] == '\0') {
        return NULL;
    }
    if (strlen(v) >= cap) {
        return "URL too long";
    }
    if (!is_clean_text(v, false)) {
        return "URL contains spaces or control characters";
    }
    if (strncasecmp(v, "https://", 8) == 0) {
        return v[8] != '\0' && v[8] != '/' ? NULL : "URL has no host";
    }
    if (is_loopback_http(v)) {
        return NULL;
    }
    return "expected an https:// URL (http:// only for localhost)";
}

static const char *check_pin_hash(const char *v, size_t cap)
{
    if (v[0] == '\0') {
        return NULL;
    }
    if (strncmp(v, "$argon2id$", 10) != 0) {
        return "expected an argon2id hash starting with $argon2id$ (make one with: borne "
               "--hash-pin)";
    }
    if (strlen(v) >= cap) {
        return "hash too long";
    }
    for (const char *c = v; *c; c++) {
        if (*c <= ' ' || *c > '~') {
            return "hash contains characters outside printable ASCII";
        }
    }
    return NULL;
}

static const char *check_id(const char *v, size_t cap)
{
    size_t n = strlen(v);
    if (n == 0 || n >= cap) {
        return "expected 1 to 63 characters";
    }
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok) {
            return "expected only letters, digits, '-', '_' and '.'";
        }
    }
    return NULL;
}

static const char *check_device(const char *v, size_t cap, bool dev_only)
{
    if (strcmp(v, "auto") == 0 || strcmp(v, "none") == 0) {
        return NULL;
    }
    if (dev_only && strncmp(v, "/dev/", 5) != 0) {
        return "expected auto, none or a /dev/videoN path";
    }
    if (v[0] != '/') {
        return "expected auto, none or an absolute device path";
    }
    return check_abs_path(v, cap);
}

/* Marker reason, expanded by on_pair() with the key's range. */
static const char int_range_reason[] = "expected a whole number";

/* Parses value for key k into cfg; returns NULL or the reason it was refused. */
static const char *apply(struct borne_config *cfg, const struct key_def *k, const char *v)
{
    char *field = (char *)cfg + k->offset;
    const char *why = NULL;
    long x = 0;
    bool b = false;
    switch (k->kind) {
    case K_INT:
        if (!parse_long(v, k->min, k->max, &x)) {
            return int_range_reason;
        }
        *(int *)(void *)field = (int)x;
        return NULL;
    case K_BOOL:
        if (!parse_bool(v, &b)) {
            return "expected true or false (or yes/no, oui/non, on/off, 1/0)";
        }
        *(bool *)(void *)field = b;
        return NULL;
    case K_ID:
        why = check_id(v, k->size);
        break;
    case K_ABS_PATH:
        why = check_abs_path(v, k->size);
        break;
    case K_OPT_PATH:
        why = v[0] ? check_abs_path(v, k->size) : NULL;
        break;
    case K_CAMERA_DEV:
        why = check_device(v, k->size, true);
        break;
    case K_SCANNER_DEV:
        why = check_device(v, k->size, false);
        break;
    case K_URL:
        why = check_url(v, k->size);
        break;
    case K_PIN_HASH:
        why = check_pin_hash(v, k->size);
        break;
    case K_LANGUAGE:
        if (strcmp(v, "fr") != 0 && strcmp(v, "en") != 0) {
            return "expected fr or en";
        }
        cfg->kiosk.language = v[0] == 'f' ? BORNE_CONFIG_LANG_FR : BORNE_CONFIG_LANG_EN;
        return NULL;
    case K_MODE:
        if (strcmp(v, "entry") != 0 && strcmp(v, "exit") != 0) {
            return "expected entry or exit";
        }
        cfg->kiosk.mode = v[1] == 'n' ? BORNE_CONFIG_MODE_ENTRY : BORNE_CONFIG_MODE_EXIT;
        return NULL;
    case K_SESSION:
        if (v[0] == '\0') {
            cfg->kiosk.session = 0;
            return NULL;
        }
        if (!parse_long(v, 1, 2147483647L, &x)) {
            return "expected a session id (a positive whole number), or nothing";
        }
        cfg->kiosk.session = x;
        return NULL;
    case K_ROTATION:
        if (!parse_long(v, 0, 270, &x) || x % 90 != 0) {
            return "expected 0, 90, 180 or 270";
        }
        cfg->display.rotation = (int)x;
        return NULL;
    case K_RESOLUTION:
        if (strcmp(v, "640x480") == 0) {
            cfg->camera.width = 640;
            cfg->camera.height = 480;
        } else if (strcmp(v, "1280x720") == 0) {
            cfg->camera.width = 1280;
            cfg->camera.height = 720;
        } else {
            return "expected 640x480 or 1280x720";
        }
        return NULL;
    case K_BAUD:
        if (parse_long(v, 1, 115200, &x)) {
            for (size_t i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++) {
                if (bauds[i] == x) {
                    cfg->scanner.serial_baud = (int)x;
                    return NULL;
                }
            }
        }
        return "expected one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200";
    }
    if (why) {
        return why;
    }
    /* A string kind that passed its check (each check bounds the length). */
    snprintf(field, k->size, "%s", v);
    return NULL;
}

static const struct key_def *find_key(const char *section, const char *name, size_t *index)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcasecmp(keys[i].section, section) == 0 && strcasecmp(keys[i].name, name) == 0) {
            *index = i;
            return &keys[i];
        }
    }
    return NULL;
}

static bool known_section(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        if (strlen(sections[i]) == len && strncasecmp(sections[i], name, len) == 0) {
            return true;
        }
    }
    return false;
}

/* inih handler: one key = value pair. Returns nonzero to go on. */
static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    struct parse_state *st = user;
    if (st->failed) {
        return 0;
    }
    size_t idx = 0;
    const struct key_def *k = find_key(section, name, &idx);
    if (!k) {
        char sec[32], key[32];
        borne_utf8_sanitize(sec, sizeof(sec), section, strlen(section), BORNE_UTF8_REPLACE_ASCII,
                            NULL);
        borne_utf8_sanitize(key, sizeof(key), name, strlen(name), BORNE_UTF8_REPLACE_ASCII, NULL);
        struct key_def unknown = {sec, key, K_INT, 0, 0, 0, 0};
        if (section[0] == '\0') {
            set_error(&st->error, BORNE_ERR_PARSE, st->line, &unknown, "key before any [section]");
        } else {
            set_error(&st->error, BORNE_ERR_NOT_FOUND, st->line, &unknown, "unknown key");
        }
        st->failed = true;
        return 0;
    }
    if (st->seen[idx]) {
        set_error(&st->error, BORNE_ERR_INVALID, st->line, k, "given twice (first on line %d)",
                  st->seen[idx]);
        st->failed = true;
        return 0;
    }
    /* Values may be written in double quotes. */
    char v[256];
    size_t n = strlen(value);
    if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
        value++;
        n -= 2;
    }
    if (n >= sizeof(v)) {
        n = sizeof(v) - 1; /* cannot happen: inih lines are shorter */
    }
    memcpy(v, value, n);
    v[n] = '\0';
    const char *why = apply(&st->cfg, k, v);
    bool is_w = k->offset == offsetof(struct borne_config, display.width);
    bool is_h = k->offset == offsetof(struct borne_config, display.height);
    int dim = is_w ? st->cfg.display.width : is_h ? st->cfg.display.height : 0;
    int floor_px = is_w ? BORNE_CONFIG_MIN_WIDTH : BORNE_CONFIG_MIN_HEIGHT;
    if (!why && dim > 0 && dim < floor_px) {
        /* 0 is "the screen's own size"; below the floor no screen can be laid out. */
        char shown[48];
        borne_utf8_sanitize(shown, sizeof(shown), v, n, BORNE_UTF8_REPLACE_ASCII, NULL);
        set_error(&st->error, BORNE_ERR_INVALID, st->line, k,
                  "expected 0 (the screen's own size) or at least %d: the smallest screen is "
                  "%dx%d (got \"%s\")",
                  floor_px, BORNE_CONFIG_MIN_WIDTH, BORNE_CONFIG_MIN_HEIGHT, shown);
        st->failed = true;
        return 0;
    }
    if (why) {
        if (k->kind == K_PIN_HASH) {
            set_error(&st->error, BORNE_ERR_INVALID, st->line, k, "%s", why);
        } else if (why == int_range_reason) {
            char shown[48];
            borne_utf8_sanitize(shown, sizeof(shown), v, n, BORNE_UTF8_REPLACE_ASCII, NULL);
            set_error(&st->error, BORNE_ERR_INVALID, st->line, k,
                      "expected a whole number from %ld to %ld (got \"%s\")", k->min, k->max,
                      shown);
        } else {
            char shown[48];
            borne_utf8_sanitize(shown, sizeof(shown), v, n, BORNE_UTF8_REPLACE_ASCII, NULL);
            set_error(&st->error, BORNE_ERR_INVALID, st->line, k, "%s (got \"%s\")", why, shown);
        }
        st->failed = true;
        return 0;
    }
    st->seen[idx] = st->line;
    return 1;
}

/* Checks a "[section]" line (leading blanks already stripped). Returns false on error. */
static bool check_section_line(struct parse_state *st, const char *s, size_t len)
{
    const char *close = memchr(s, ']', len);
    if (!close) {
        set_error(&st->error, BORNE_ERR_PARSE, st->line, NULL, "section header without ']'");
        return false;
    }
    size_t name_len = (size_t)(close - s - 1);
    if (!known_section(s + 1, name_len)) {
        char shown[40];
        borne_utf8_sanitize(shown, sizeof(shown), s + 1, name_len, BORNE_UTF8_REPLACE_ASCII, NULL);
        set_error(&st->error, BORNE_ERR_NOT_FOUND, st->line, NULL,
                  "unknown section [%s] (known: [kiosk], [display], [camera], [scanner], "
                  "[registry], [staff], [privacy])",
                  shown);
        return false;
    }
    for (const char *c = close + 1; c < s + len; c++) {
        if (*c == ';' || *c == '#') {
            break;
        }
        if (*c != ' ' && *c != '\t') {
            set_error(&st->error, BORNE_ERR_PARSE, st->line, NULL,
                      "unexpected text after the section header");
            return false;
        }
    }
    return true;
}

/* inih reader: hands over one line at a time (see DESIGN above). */
static char *read_line(char *str, int num, void *stream)
{
    struct parse_state *st = stream;
    if (st->failed || st->p >= st->end) {
        return NULL;
    }
    const char *s = st->p;
    const char *nl = memchr(s, '\n', (size_t)(st->end - s));
    const char *eol = nl ? nl : st->end;
    st->p = nl ? nl + 1 : st->end;
    st->line++;
    size_t len = (size_t)(eol - s);
    if (len > 0 && s[len - 1] == '\r') {
        len--;
    }
    if (memchr(s, '\0', len)) {
        set_error(&st->error, BORNE_ERR_PARSE, st->line, NULL, "NUL byte in the text");
        st->failed = true;
        return NULL;
    }
    size_t bad = 0;
    /* The BOM on line 1 is valid UTF-8 and inih skips it. */
    if (!borne_utf8_valid(s, len, &bad)) {
        set_error(&st->error, BORNE_ERR_PARSE, st->line, NULL, "invalid UTF-8");
        st->failed = true;
        return NULL;
    }
    if (st->line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        len -= 3;
    }
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    /* inih needs room for the line end and the NUL. */
    if (num < 4 || len > (size_t)num - 3) {
        set_error(&st->error, BORNE_ERR_TOO_LARGE, st->line, NULL, "line longer than %d characters",
                  num < 4 ? 0 : num - 3);
        st->failed = true;
        return NULL;
    }
    if (len > 0 && s[0] == '[' && !check_section_line(st, s, len)) {
        st->failed = true;
        return NULL;
    }
    memcpy(str, s, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    return str;
}

borne_err borne_config_load_buffer(struct borne_config *cfg, const char *data, size_t len,
                                   struct borne_config_error *error)
{
    struct borne_config_error local;
    if (!error) {
        error = &local;
    }
    memset(error, 0, sizeof(*error));
    if (!cfg || (!data && len > 0)) {
        error->err = BORNE_ERR_INVALID;
        return BORNE_ERR_INVALID;
    }
    if (len > BORNE_CONFIG_FILE_MAX) {
        set_error(error, BORNE_ERR_TOO_LARGE, 0, NULL, "file larger than %d bytes",
                  BORNE_CONFIG_FILE_MAX);
        return BORNE_ERR_TOO_LARGE;
    }
    struct parse_state *st = calloc(1, sizeof(*st));
    if (!st) {
        error->err = BORNE_ERR_NOMEM;
        return BORNE_ERR_NOMEM;
    }
    st->cfg = *cfg;
    st->p = data;
    st->end = data + len;
    int rc = ini_parse_stream(read_line, st, on_pair, st);
    borne_err err = BORNE_OK;
    if (st->failed && (rc <= 0 || rc >= st->error.line)) {
        *error = st->error;
        err = st->error.err;
    } else if (rc > 0) {
        set_error(error, BORNE_ERR_PARSE, rc, NULL,
                  "expected \"key = value\", \"[section]\" or a comment");
        err = BORNE_ERR_PARSE;
    } else if (rc < 0) {
        error->err = BORNE_ERR_NOMEM;
        err = BORNE_ERR_NOMEM;
    } else {
        *cfg = st->cfg;
    }
    free(st);
    return err;
}

borne_err borne_config_load_string(struct borne_config *cfg, const char *text,
                                   struct borne_config_error *error)
{
    return borne_config_load_buffer(cfg, text, text ? strlen(text) : 0, error);
}

borne_err borne_config_load_file(struct borne_config *cfg, const char *path,
                                 struct borne_config_error *error)
{
    struct borne_config_error local;
    if (!error) {
        error = &local;
    }
    memset(error, 0, sizeof(*error));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        borne_err err = e == ENOENT   ? BORNE_ERR_NOT_FOUND
                        : e == EACCES ? BORNE_ERR_PERM
                                      : BORNE_ERR_IO;
        LOG_ERR("cannot open the configuration file: %s", strerror(e));
        set_error(error, err, 0, NULL, "cannot open: %s", strerror(e));
        return err;
    }
    char *buf = malloc(BORNE_CONFIG_FILE_MAX + 1);
    if (!buf) {
        close(fd);
        error->err = BORNE_ERR_NOMEM;
        return BORNE_ERR_NOMEM;
    }
    size_t len = 0;
    borne_err err = BORNE_OK;
    while (len < BORNE_CONFIG_FILE_MAX + 1) {
        ssize_t n = read(fd, buf + len, BORNE_CONFIG_FILE_MAX + 1 - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            LOG_ERR("cannot read the configuration file: %s", strerror(errno));
            set_error(error, BORNE_ERR_IO, 0, NULL, "cannot read: %s", strerror(errno));
            err = BORNE_ERR_IO;
            break;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    if (!err) {
        err = borne_config_load_buffer(cfg, buf, len, error);
    }
    free(buf);
    return err;
}

void borne_config_describe_error(const struct borne_config_error *error, const char *path,
                                 char *buf, size_t cap)
{
    if (!buf || cap == 0) {
        return;
    }
    const char *name = path ? path : "configuration";
    const char *reason = error->reason[0] ? error->reason : borne_strerror(error->err);
    char where[64] = "";
    if (error->line > 0) {
        snprintf(where, sizeof(where), " line %d", error->line);
    }
    if (error->key[0]) {
        snprintf(buf, cap, "%s%s: [%s] %s: %s", name, where, error->section, error->key, reason);
    } else {
        snprintf(buf, cap, "%s%s: %s", name, where, reason);
    }
}

borne_err borne_config_apply_env(struct borne_config *cfg)
{
    const char *v = getenv("BORNE_DATA");
    if (!v || v[0] == '\0') {
        return BORNE_OK;
    }
    if (check_abs_path(v, sizeof(cfg->kiosk.data_dir))) {
        LOG_ERR("BORNE_DATA must be an absolute path shorter than %zu bytes",
                sizeof(cfg->kiosk.data_dir));
        return BORNE_ERR_INVALID;
    }
    snprintf(cfg->kiosk.data_dir, sizeof(cfg->kiosk.data_dir), "%s", v);
    return BORNE_OK;
}
