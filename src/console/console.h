/* The registrar's web console, served by `borne-registry serve` beside the kiosk API: every
 * path outside /v1/ comes here (registry/server.h, borne_server_web). Server-rendered HTML in
 * French (English on request), a stylesheet and a script embedded in the binary at build time
 * (assets.c, generated from console.css and console.js), no framework. See docs/console.md. */
#ifndef BORNE_CONSOLE_CONSOLE_H
#define BORNE_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "registry/server.h"

typedef struct borne_console_config {
    const char *attest_key; /* the badges' signing key file (attestations), or NULL */
    const char *issuer;     /* issuing body printed on attestations, or NULL: the default */
} borne_console_config;

/* The server hook for `cfg` (kept by the caller for the server's life). */
borne_server_web borne_console_web(const borne_console_config *cfg);

#endif
