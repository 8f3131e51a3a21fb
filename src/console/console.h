/* The registrar's web console, served by `borne-registry serve` beside the kiosk API: every
 * path outside /v1/ comes here (registry/server.h, borne_server_web). Server-rendered HTML in
 * French (English on request), a stylesheet and a script embedded in the binary at build time
 * (assets.c, generated from console.css and console.js), no framework. See docs/console.md. */
#ifndef BORNE_CONSOLE_CONSOLE_H
#define BORNE_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/uuid.h"
#include "registry/server.h"

struct borne_regdb;

typedef struct borne_console_config {
    const char *attest_key; /* the badges' signing key file (attestations), or NULL */
    const char *issuer;     /* issuing body printed on attestations, or NULL: the default */
} borne_console_config;

/* The server hook for `cfg` (kept by the caller for the server's life). */
borne_server_web borne_console_web(const borne_console_config *cfg);

/* Stores a manual entry or exit made at the desk (docs/console.md, "Corrections at the desk"),
 * inside the caller's transaction, the checks already made: a check-in of the registry's own
 * (kiosk 0 "console", method manual, staff id `by`, outcome accepted entry or exit, clock
 * trusted, time `t` in Unix seconds) with a fresh UUID written into uuid, and who and why in
 * console_manual. */
borne_err borne_console_manual_scan(struct borne_regdb *db, uint32_t event_id, uint32_t pid,
                                    uint32_t session_id, bool exit, int64_t t, const char *by,
                                    const char *reason, int64_t now_ms,
                                    char uuid[BORNE_UUID_LEN + 1]);

#endif
