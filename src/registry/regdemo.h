/* `borne-registry serve --demo`: the kiosk demo's event (src/demo) as a registry would hold it
 * at mid-morning, for a newcomer to see the console with something in it.
 *
 * The event and roster are imported by the registry's own import path (main.c); this fills the
 * rest: the demo's public key, a signed badge for everyone (as `token issue`), two kiosks
 * enrolled and pushing a scripted morning through the API's own handler (borne_api_handle:
 * POST /v1/enrol, /v1/status, /v1/checkins, exactly what a kiosk's sync sends), a correction
 * made at the desk (borne_console_manual_scan) and a registrar account "demo". */
#ifndef BORNE_REGISTRY_REGDEMO_H
#define BORNE_REGISTRY_REGDEMO_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct borne_regdb;

#define BORNE_REGDEMO_USER         "demo"
#define BORNE_REGDEMO_PASSWORD_LEN 16
/* The event file's `now`: an hour before the real one, so that the ateliers A1 and A2 (which
 * the kiosk demo starts 3 minutes after its `now`) started 57 minutes ago. */
#define BORNE_REGDEMO_SHIFT_S 3600

/* Fills the registry `db`, which holds the demo event and roster (imported with `now` -
 * BORNE_REGDEMO_SHIFT_S), at `now` (Unix seconds). The account's random password is written
 * into password[BORNE_REGDEMO_PASSWORD_LEN + 1]. */
borne_err borne_regdemo_fill(struct borne_regdb *db, int64_t now, char *password);

#endif
