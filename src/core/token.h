/* Signed badge tokens: what a participant's QR code holds.
 *
 * A token is "BN1:" followed by the Base45 text of an 84-byte binary record: a 20-byte payload
 * (format version, flags, key id, event id, participant id, validity window) and an Ed25519
 * signature over a domain-separation string plus the payload. 130 characters in all: a QR code of
 * version 6 at error correction M in alphanumeric mode. The exact format is in docs/tokens.md.
 *
 * Parsing and verification are pure: they take any bytes (a QR code can hold anything), never
 * crash, and return one distinct status for each way a token can be wrong. Revocation is a
 * roster fact and is checked by the check-in rules, not here. */
#ifndef BORNE_CORE_TOKEN_H
#define BORNE_CORE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BORNE_TOKEN_PREFIX      "BN1:"
#define BORNE_TOKEN_PREFIX_LEN  4
#define BORNE_TOKEN_VERSION     1
#define BORNE_TOKEN_PAYLOAD_LEN 20
#define BORNE_TOKEN_SIG_LEN     64
#define BORNE_TOKEN_RAW_LEN     (BORNE_TOKEN_PAYLOAD_LEN + BORNE_TOKEN_SIG_LEN)
#define BORNE_TOKEN_TEXT_LEN    (BORNE_TOKEN_PREFIX_LEN + 126) /* without NUL */

/* Flags (payload byte 1). Unknown bits make a token BORNE_TOKEN_BAD_VERSION. */
#define BORNE_TOKEN_FLAG_STAFF  0x01u /* opens staff mode instead of checking in */
#define BORNE_TOKEN_FLAG_MEMBER 0x02u /* participant is a COMAQ member */
#define BORNE_TOKEN_FLAGS_KNOWN (BORNE_TOKEN_FLAG_STAFF | BORNE_TOKEN_FLAG_MEMBER)

typedef struct borne_token {
    uint8_t version;
    uint8_t flags;
    uint16_t key_id;
    uint32_t event_id;
    uint32_t participant_id;
    uint32_t valid_from;  /* Unix seconds, 0 = no lower bound */
    uint32_t valid_until; /* Unix seconds, 0 = no upper bound */
} borne_token;

/* A public key a kiosk trusts, as pulled from the registry. */
typedef struct borne_pubkey {
    uint16_t key_id;
    uint8_t key[32];
} borne_pubkey;

typedef enum borne_token_status {
    BORNE_TOKEN_OK = 0,
    BORNE_TOKEN_NOT_SIGNED,    /* no "BN1:" prefix: maybe an opaque roster code */
    BORNE_TOKEN_BAD_ENCODING,  /* prefix present, but not valid Base45 */
    BORNE_TOKEN_BAD_LENGTH,    /* decodes to the wrong number of bytes */
    BORNE_TOKEN_BAD_VERSION,   /* unknown format version or flags */
    BORNE_TOKEN_UNKNOWN_KEY,   /* key id not among the trusted keys */
    BORNE_TOKEN_BAD_SIGNATURE, /* signature does not match: forged or altered */
    BORNE_TOKEN_WRONG_EVENT,   /* genuine, but for another event */
    BORNE_TOKEN_NOT_YET_VALID, /* genuine, before its validity window */
    BORNE_TOKEN_EXPIRED,       /* genuine, after its validity window */
} borne_token_status;

/* A short English name for a status ("bad-signature"); never NULL. */
const char *borne_token_status_name(borne_token_status status);

/* Decodes the text into `out` and the signature without checking it. Returns BORNE_TOKEN_OK,
 * NOT_SIGNED, BAD_ENCODING, BAD_LENGTH or BAD_VERSION. */
borne_token_status borne_token_parse(const uint8_t *text, size_t len, borne_token *out,
                                     uint8_t sig[BORNE_TOKEN_SIG_LEN]);

/* Parses and verifies against `keys`: the signature, then the event, then the validity window at
 * `now` (Unix seconds) unless `check_time` is false (the kiosk's clock is not trusted). `out` is
 * filled whenever the text parses, so callers can name the participant of an expired token. */
borne_token_status borne_token_verify(const uint8_t *text, size_t len, const borne_pubkey *keys,
                                      size_t nkeys, uint32_t event_id, int64_t now, bool check_time,
                                      borne_token *out);

/* Signs `tok` (its version is forced to BORNE_TOKEN_VERSION) with a libsodium Ed25519 secret key
 * and writes the NUL-terminated text into `out` (at least BORNE_TOKEN_TEXT_LEN + 1 bytes). */
borne_err borne_token_sign(const borne_token *tok, const uint8_t secret_key[64], char *out,
                           size_t cap);

/* True when the bytes start like a signed token (the prefix), whatever follows. */
bool borne_token_looks_signed(const uint8_t *text, size_t len);

#endif
