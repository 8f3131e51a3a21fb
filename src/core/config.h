/* The kiosk's configuration file (/etc/borne/borne.conf, INI syntax, parsed with inih).
 *
 * Every key, its default and its allowed values are listed in docs/configuration.md.
 * The struct holds only values and fixed-size strings (no heap), so it can be copied with `=`.
 * Loading is all-or-nothing: the file is parsed into a copy, and the caller's struct changes
 * only if the whole file is valid. An unknown section or key, a key given twice, a bad value or
 * a number out of range is an error that names the line and the key. */
#ifndef BORNE_CORE_CONFIG_H
#define BORNE_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BORNE_CONFIG_DEFAULT_PATH "/etc/borne/borne.conf"
#define BORNE_CONFIG_MACHINE_ID   "/etc/machine-id"
#define BORNE_CONFIG_FILE_MAX     (64 * 1024) /* larger files are refused */

/* String capacities, NUL included. */
#define BORNE_CONFIG_ID_CAP   64
#define BORNE_CONFIG_PATH_CAP 192 /* values are bounded anyway: lines hold 197 characters */
#define BORNE_CONFIG_URL_CAP  192
#define BORNE_CONFIG_HASH_CAP 128 /* crypto_pwhash_STRBYTES */
/* The smallest screen the kiosk lays out (display.width/height, borne --size). */
#define BORNE_CONFIG_MIN_WIDTH  320
#define BORNE_CONFIG_MIN_HEIGHT 240

enum borne_config_language {
    BORNE_CONFIG_LANG_FR = 0,
    BORNE_CONFIG_LANG_EN = 1,
};

enum borne_config_mode {
    BORNE_CONFIG_MODE_ENTRY = 0,
    BORNE_CONFIG_MODE_EXIT = 1,
};

struct borne_config {
    struct {
        char id[BORNE_CONFIG_ID_CAP];
        char data_dir[BORNE_CONFIG_PATH_CAP];
        enum borne_config_language language;
        enum borne_config_mode mode;
        int64_t session; /* session id; 0 = a whole-event door */
        int rescan_seconds;
    } kiosk;
    struct {
        int rotation; /* 0, 90, 180 or 270 degrees */
        bool windowed;
        int width; /* 0 = native */
        int height;
    } display;
    struct {
        char device[BORNE_CONFIG_PATH_CAP]; /* "auto", "none" or a /dev path */
        int width;                          /* 640x480 or 1280x720 */
        int height;
        bool mirror;
    } camera;
    struct {
        char device[BORNE_CONFIG_PATH_CAP]; /* "auto", "none" or an absolute path */
        int serial_baud;
        int terminator_timeout_ms;
    } scanner;
    struct {
        char url[BORNE_CONFIG_URL_CAP];      /* "" = no registry configured */
        char ca_file[BORNE_CONFIG_PATH_CAP]; /* "" = the system's CA store */
        int sync_interval_seconds;
    } registry;
    struct {
        char pin_hash[BORNE_CONFIG_HASH_CAP]; /* "$argon2id$..."; "" = no PIN set yet */
        int idle_timeout_seconds;
    } staff;
    struct {
        int retention_days;
    } privacy;
};

/* What went wrong, for the technician: line 0 means the error is not tied to a line. */
struct borne_config_error {
    borne_err err;
    int line;
    char section[32];
    char key[32];
    char reason[160];
};

/* Fills cfg with the defaults. The kiosk id is "borne-" followed by the first 8 hex digits of
 * the machine id read from machine_id_path (normally BORNE_CONFIG_MACHINE_ID), or "borne-dev"
 * if machine_id_path is NULL or the file is missing or malformed. */
void borne_config_defaults(struct borne_config *cfg, const char *machine_id_path);

/* Parses the NUL-terminated INI text over a copy of *cfg (so keys absent from the text keep
 * their current values; call borne_config_defaults first). On success *cfg is replaced; on
 * failure it is untouched and *error (may be NULL) says why. Returns BORNE_OK, BORNE_ERR_PARSE
 * (syntax), BORNE_ERR_NOT_FOUND (unknown section or key), BORNE_ERR_INVALID (bad value, key
 * given twice) or BORNE_ERR_TOO_LARGE (a line or the text is too long). */
borne_err borne_config_load_string(struct borne_config *cfg, const char *text,
                                   struct borne_config_error *error);

/* Same, for len bytes that need not be NUL-terminated (NUL bytes inside are an error). */
borne_err borne_config_load_buffer(struct borne_config *cfg, const char *data, size_t len,
                                   struct borne_config_error *error);

/* Same, for a file of at most BORNE_CONFIG_FILE_MAX bytes. Also returns BORNE_ERR_IO (or
 * BORNE_ERR_NOT_FOUND, BORNE_ERR_PERM) if the file cannot be read. */
borne_err borne_config_load_file(struct borne_config *cfg, const char *path,
                                 struct borne_config_error *error);

/* Nothing here logs: callers show or log the description (it holds no personal data; the
 * value of staff.pin_hash is never quoted in it).
 *
 * Writes a one-line English description of the error into buf, for example
 * "borne.conf line 7: [camera] resolution: expected 640x480 or 1280x720 (got "800x600")".
 * path names the file (may be NULL). Always NUL-terminates when cap > 0. */
void borne_config_describe_error(const struct borne_config_error *error, const char *path,
                                 char *buf, size_t cap);

/* Applies the environment override BORNE_DATA (an absolute path) to kiosk.data_dir, if set.
 * Returns BORNE_ERR_INVALID, leaving cfg untouched, if the value is not acceptable. */
borne_err borne_config_apply_env(struct borne_config *cfg);

#endif
