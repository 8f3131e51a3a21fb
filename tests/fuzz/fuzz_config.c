/* libFuzzer target for core/config: the input is parsed as a configuration file over the
 * defaults. On success every value must be within its documented range and every string
 * terminated inside its array; on failure the configuration must be untouched and the error
 * describable. The NUL-terminated and length-based entry points must agree. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "core/config.h"

#define TERMINATED(arr) (memchr((arr), '\0', sizeof(arr)) != NULL)

static void check_valid(const struct borne_config *c)
{
    CHECK(TERMINATED(c->kiosk.id) && c->kiosk.id[0] != '\0');
    CHECK(TERMINATED(c->kiosk.data_dir) && c->kiosk.data_dir[0] == '/');
    CHECK(c->kiosk.language == BORNE_CONFIG_LANG_FR || c->kiosk.language == BORNE_CONFIG_LANG_EN);
    CHECK(c->kiosk.mode == BORNE_CONFIG_MODE_ENTRY || c->kiosk.mode == BORNE_CONFIG_MODE_EXIT);
    CHECK(c->kiosk.session >= 0);
    CHECK(c->kiosk.rescan_seconds >= 0 && c->kiosk.rescan_seconds <= 3600);
    CHECK(c->display.rotation % 90 == 0 && c->display.rotation >= 0 && c->display.rotation <= 270);
    CHECK(c->display.width >= 0 && c->display.width <= 7680);
    CHECK(c->display.height >= 0 && c->display.height <= 4320);
    CHECK(TERMINATED(c->camera.device));
    CHECK((c->camera.width == 640 && c->camera.height == 480) ||
          (c->camera.width == 1280 && c->camera.height == 720));
    CHECK(TERMINATED(c->scanner.device));
    CHECK(c->scanner.serial_baud >= 1200 && c->scanner.serial_baud <= 115200);
    CHECK(c->scanner.terminator_timeout_ms >= 10 && c->scanner.terminator_timeout_ms <= 5000);
    CHECK(TERMINATED(c->registry.url) && TERMINATED(c->registry.ca_file));
    CHECK(c->registry.sync_interval_seconds >= 5 && c->registry.sync_interval_seconds <= 86400);
    CHECK(TERMINATED(c->staff.pin_hash));
    CHECK(c->staff.pin_hash[0] == '\0' || strncmp(c->staff.pin_hash, "$argon2id$", 10) == 0);
    CHECK(c->staff.idle_timeout_seconds >= 10 && c->staff.idle_timeout_seconds <= 3600);
    CHECK(c->privacy.retention_days >= 1 && c->privacy.retention_days <= 3650);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct borne_config cfg, before;
    borne_config_defaults(&cfg, NULL);
    before = cfg;
    struct borne_config_error e;
    borne_err err = borne_config_load_buffer(&cfg, (const char *)data, size, &e);
    CHECK(err == e.err);
    if (err) {
        CHECK(memcmp(&cfg, &before, sizeof(cfg)) == 0);
        CHECK(TERMINATED(e.reason) && TERMINATED(e.key) && TERMINATED(e.section));
        char msg[300];
        borne_config_describe_error(&e, "borne.conf", msg, sizeof(msg));
        CHECK(strlen(msg) < sizeof(msg));
    } else {
        check_valid(&cfg);
    }
    /* Same answer through the NUL-terminated entry point when the input has no NUL. */
    if (!memchr(data, '\0', size)) {
        char *text = malloc(size + 1);
        CHECK(text != NULL);
        memcpy(text, data, size);
        text[size] = '\0';
        struct borne_config again;
        borne_config_defaults(&again, NULL);
        struct borne_config_error e2;
        CHECK(borne_config_load_string(&again, text, &e2) == err);
        CHECK(e2.line == e.line);
        CHECK(memcmp(&again, &cfg, sizeof(cfg)) == 0);
        free(text);
    }
    return 0;
}
