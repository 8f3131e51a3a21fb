/* The embedded demo: a congrès with several ateliers, a roster with accented names, signed
 * badges, and a script of simulated participants, so a newcomer sees the whole flow — accepted,
 * already in, wrong session, refused, exit with credits — with no camera, scanner or server.
 *
 * The demo goes through the real paths: the event and roster are imported from JSON and CSV
 * texts, badges are signed tokens, and each simulated code is rendered as a QR image for the
 * real decoder. Times are relative to `now`, so a session is always in progress. */
#ifndef BORNE_DEMO_DEMO_H
#define BORNE_DEMO_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "core/rules.h"
#include "core/token.h"
#include "store/store.h"

#define BORNE_DEMO_EVENT_ID   2026
#define BORNE_DEMO_SESSION_A1 101 /* the atelier the demo kiosk stands at */

/* One simulated presentation of a code to the kiosk. */
typedef struct borne_demo_step {
    const char *who; /* what a person watching should expect, in French */
    char code[BORNE_TOKEN_TEXT_LEN + 64];
    borne_direction mode; /* the kiosk's mode for this step */
    int64_t advance_ms;   /* time passing before this step */
} borne_demo_step;

typedef struct borne_demo {
    borne_demo_step *steps; /* owned: borne_demo_clear */
    size_t nsteps;
    uint8_t secret_key[64]; /* the demo's signing key (fixed seed: not a secret) */
} borne_demo;

/* The demo event and its sessions as an event file (docs/formats.md), times around `now` (Unix
 * seconds: the atelier A1 starts 3 minutes after it), into out[cap]; its length, 0 when cap is
 * too small. The kiosk demo imports it into a kiosk store, `borne-registry serve --demo` into
 * the registry (with `now` an hour back, so that A1 is under way). */
size_t borne_demo_event_json(int64_t now, char *out, size_t cap);
/* The demo roster (CSV, docs/formats.md), static text of *len bytes. */
const char *borne_demo_roster_csv(size_t *len);
/* The demo's signing key pair, key id 1 (from a fixed seed: not a secret). */
void borne_demo_keypair(uint8_t pk[32], uint8_t sk[64]);

/* Imports the demo event, roster, key and revocations into `store` (times around `now`, Unix
 * seconds), and builds the script. */
borne_err borne_demo_populate(struct borne_store *store, int64_t now, borne_demo *out);
void borne_demo_clear(borne_demo *demo);

/* Draws `text` as a QR code on a light background into a grey frame (w x h, stride w), the way a
 * phone or badge held at the door would look, for the real decoder. */
borne_err borne_demo_render(const char *text, size_t len, uint8_t *luma, int w, int h);

#endif
