/* Signed attestation tokens: what the verification QR code of a "confirmation de présence" holds.
 *
 * A sibling of the badge token (core/token.h), made for a different question: not "may this
 * person come in?" but "did the registry really credit this person with these hours?". A token
 * is "BA1:" followed by the Base45 text of a 78-byte record: a 14-byte payload (key id, event id,
 * participant id, total credited minutes, date of issue) and an Ed25519 signature over the
 * domain string "borne-attestation-v1" plus the payload. 121 characters in all, every one in the
 * QR alphanumeric alphabet: a QR code of version 5 at error correction M (37 modules).
 * The exact format is in docs/attestations.md.
 *
 * The format version is the digit of the prefix ("BA1:"); there is no version byte. The domain
 * string differs from the badge's, so no badge signature ever verifies as an attestation, and
 * the prefix differs, so a kiosk reads an attestation as an unknown opaque code.
 *
 * Parsing and verification are pure: any bytes in, one status out (the badge token's statuses,
 * core/token.h), never a crash. */
#ifndef BORNE_CORE_ATTEST_TOKEN_H
#define BORNE_CORE_ATTEST_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/token.h"

#define BORNE_ATTEST_TOKEN_PREFIX      "BA1:"
#define BORNE_ATTEST_TOKEN_PREFIX_LEN  4
#define BORNE_ATTEST_TOKEN_PAYLOAD_LEN 14
#define BORNE_ATTEST_TOKEN_RAW_LEN     (BORNE_ATTEST_TOKEN_PAYLOAD_LEN + BORNE_TOKEN_SIG_LEN)
#define BORNE_ATTEST_TOKEN_TEXT_LEN    (BORNE_ATTEST_TOKEN_PREFIX_LEN + 117) /* without NUL */

/* Most minutes one attestation can carry (the field is 16 bits): 1092 h. */
#define BORNE_ATTEST_MAX_MINUTES 65535

typedef struct borne_attest_token {
    uint16_t key_id;
    uint32_t event_id;
    uint32_t participant_id;
    uint16_t total_minutes; /* credited minutes, the sum over the sessions (not rounded) */
    uint16_t issued_day;    /* date of issue: days since 1970-01-01 (the civil date printed) */
} borne_attest_token;

/* Decodes the text into `out` and the signature without checking it. Returns BORNE_TOKEN_OK,
 * NOT_SIGNED (no "BA" prefix), BAD_VERSION ("BA" and another digit: a format this program does
 * not know), BAD_ENCODING or BAD_LENGTH. */
borne_token_status borne_attest_token_parse(const uint8_t *text, size_t len,
                                            borne_attest_token *out,
                                            uint8_t sig[BORNE_TOKEN_SIG_LEN]);

/* Parses, then checks the key id among `keys` (UNKNOWN_KEY) and the signature (BAD_SIGNATURE).
 * `out` is filled whenever the text parses. No event or date check: the caller shows them. */
borne_token_status borne_attest_token_verify(const uint8_t *text, size_t len,
                                             const borne_pubkey *keys, size_t nkeys,
                                             borne_attest_token *out);

/* Signs `tok` with a libsodium Ed25519 secret key and writes the NUL-terminated text into `out`
 * (at least BORNE_ATTEST_TOKEN_TEXT_LEN + 1 bytes). */
borne_err borne_attest_token_sign(const borne_attest_token *tok, const uint8_t secret_key[64],
                                  char *out, size_t cap);

/* What a verification status means, for people, in English ("forged or altered: ..."); never
 * NULL. */
const char *borne_attest_token_explain(borne_token_status status);

/* What `bornectl verify` and `borne-registry verify` both do with a code: verifies it against
 * keys[n] (text[len]); on a refusal, writes "PROG: verify: REFUSED (NAME): WORDS" to standard
 * error. True when the code is genuine (*out filled). */
bool borne_attest_token_check(const char *prog, const char *text, size_t len,
                              const borne_pubkey *keys, size_t n, borne_attest_token *out);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), and back. */
int64_t borne_days_from_civil(int year, int month, int day);
void borne_civil_from_days(int64_t days, int *year, int *month, int *day);

#endif
