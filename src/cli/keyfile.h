/* The organiser's signing key file: the Ed25519 secret key that signs badges.
 *
 * Text, owner-only (0600): "borne-signing-key 1", "key_id=N", "secret=<base64>". Never on a
 * kiosk: kiosks hold public keys only. */
#ifndef BORNE_CLI_KEYFILE_H
#define BORNE_CLI_KEYFILE_H

#include <stdint.h>

#include "core/error.h"

typedef struct borne_keyfile {
    uint16_t key_id;
    uint8_t secret[64]; /* libsodium Ed25519 secret key (seed + public key) */
} borne_keyfile;

/* Writes a new key file; refuses to overwrite (BORNE_ERR_EXISTS). */
borne_err borne_keyfile_write(const char *path, const borne_keyfile *key);
/* Reads a key file; BORNE_ERR_PERM when group or others can read it. */
borne_err borne_keyfile_read(const char *path, borne_keyfile *out);

#endif
