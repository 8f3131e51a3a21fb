/* Attestation tokens: encoding, signing, parsing, verification (see attest_token.h).
 *
 * DESIGN: the same shape as the badge token (fixed big-endian record, Base45, Ed25519 over a
 * domain string and the payload), made 6 bytes shorter so that it fits a version-5 QR code:
 * the version lives in the prefix, the date is a day number and the minutes 16 bits. */
#include "core/attest_token.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/base45.h"
#include "core/bytes.h"

static const char domain[] = "borne-attestation-v1";

static void pack_payload(const borne_attest_token *tok, uint8_t p[BORNE_ATTEST_TOKEN_PAYLOAD_LEN])
{
    borne_put_u16(p, tok->key_id);
    borne_put_u32(p + 2, tok->event_id);
    borne_put_u32(p + 6, tok->participant_id);
    borne_put_u16(p + 10, tok->total_minutes);
    borne_put_u16(p + 12, tok->issued_day);
}

#define MSG_LEN (sizeof(domain) - 1 + BORNE_ATTEST_TOKEN_PAYLOAD_LEN)

static void signed_message(const uint8_t payload[BORNE_ATTEST_TOKEN_PAYLOAD_LEN],
                           uint8_t msg[MSG_LEN])
{
    memcpy(msg, domain, sizeof(domain) - 1);
    memcpy(msg + sizeof(domain) - 1, payload, BORNE_ATTEST_TOKEN_PAYLOAD_LEN);
}

borne_token_status borne_attest_token_parse(const uint8_t *text, size_t len,
                                            borne_attest_token *out,
                                            uint8_t sig[BORNE_TOKEN_SIG_LEN])
{
    if (!text || len < BORNE_ATTEST_TOKEN_PREFIX_LEN || text[0] != 'B' || text[1] != 'A') {
        return BORNE_TOKEN_NOT_SIGNED;
    }
    if (memcmp(text, BORNE_ATTEST_TOKEN_PREFIX, BORNE_ATTEST_TOKEN_PREFIX_LEN) != 0) {
        /* "BA2:" and later: a format this program does not know. Anything else starting with
         * "BA" is not an attestation at all. */
        bool other_version = text[2] >= '0' && text[2] <= '9' && text[3] == ':';
        return other_version ? BORNE_TOKEN_BAD_VERSION : BORNE_TOKEN_NOT_SIGNED;
    }
    const char *b45 = (const char *)text + BORNE_ATTEST_TOKEN_PREFIX_LEN;
    size_t b45_len = len - BORNE_ATTEST_TOKEN_PREFIX_LEN;
    if (b45_len > BORNE_ATTEST_TOKEN_TEXT_LEN - BORNE_ATTEST_TOKEN_PREFIX_LEN + 3) {
        return BORNE_TOKEN_BAD_LENGTH;
    }
    uint8_t raw[BORNE_ATTEST_TOKEN_RAW_LEN + 4];
    size_t n = 0;
    borne_err err = borne_base45_decode(b45, b45_len, raw, sizeof(raw), &n);
    if (err) {
        return err == BORNE_ERR_TOO_LARGE ? BORNE_TOKEN_BAD_LENGTH : BORNE_TOKEN_BAD_ENCODING;
    }
    if (n != BORNE_ATTEST_TOKEN_RAW_LEN) {
        return BORNE_TOKEN_BAD_LENGTH;
    }
    if (out) {
        out->key_id = borne_get_u16(raw);
        out->event_id = borne_get_u32(raw + 2);
        out->participant_id = borne_get_u32(raw + 6);
        out->total_minutes = borne_get_u16(raw + 10);
        out->issued_day = borne_get_u16(raw + 12);
    }
    if (sig) {
        memcpy(sig, raw + BORNE_ATTEST_TOKEN_PAYLOAD_LEN, BORNE_TOKEN_SIG_LEN);
    }
    return BORNE_TOKEN_OK;
}

borne_token_status borne_attest_token_verify(const uint8_t *text, size_t len,
                                             const borne_pubkey *keys, size_t nkeys,
                                             borne_attest_token *out)
{
    borne_attest_token tok;
    uint8_t sig[BORNE_TOKEN_SIG_LEN];
    borne_token_status st = borne_attest_token_parse(text, len, &tok, sig);
    if (st) {
        return st;
    }
    if (out) {
        *out = tok;
    }
    const borne_pubkey *key = NULL;
    for (size_t i = 0; keys && i < nkeys; i++) {
        if (keys[i].key_id == tok.key_id) {
            key = &keys[i];
            break;
        }
    }
    if (!key) {
        return BORNE_TOKEN_UNKNOWN_KEY;
    }
    uint8_t payload[BORNE_ATTEST_TOKEN_PAYLOAD_LEN];
    pack_payload(&tok, payload);
    uint8_t msg[MSG_LEN];
    signed_message(payload, msg);
    if (crypto_sign_verify_detached(sig, msg, sizeof(msg), key->key) != 0) {
        return BORNE_TOKEN_BAD_SIGNATURE;
    }
    return BORNE_TOKEN_OK;
}

borne_err borne_attest_token_sign(const borne_attest_token *tok, const uint8_t secret_key[64],
                                  char *out, size_t cap)
{
    if (!tok || !secret_key || !out || cap < BORNE_ATTEST_TOKEN_TEXT_LEN + 1) {
        return BORNE_ERR_INVALID;
    }
    uint8_t raw[BORNE_ATTEST_TOKEN_RAW_LEN];
    pack_payload(tok, raw);
    uint8_t msg[MSG_LEN];
    signed_message(raw, msg);
    if (crypto_sign_detached(raw + BORNE_ATTEST_TOKEN_PAYLOAD_LEN, NULL, msg, sizeof(msg),
                             secret_key) != 0) {
        return BORNE_ERR_CRYPTO;
    }
    memcpy(out, BORNE_ATTEST_TOKEN_PREFIX, BORNE_ATTEST_TOKEN_PREFIX_LEN);
    return borne_base45_encode(raw, sizeof(raw), out + BORNE_ATTEST_TOKEN_PREFIX_LEN,
                               cap - BORNE_ATTEST_TOKEN_PREFIX_LEN);
}

const char *borne_attest_token_explain(borne_token_status status)
{
    switch (status) {
    case BORNE_TOKEN_OK:
        return "genuine: signed by the registry's key, contents unchanged";
    case BORNE_TOKEN_NOT_SIGNED:
        return "not an attestation code (they start with " BORNE_ATTEST_TOKEN_PREFIX ")";
    case BORNE_TOKEN_BAD_VERSION:
        return "an attestation format this program does not know (a newer version?)";
    case BORNE_TOKEN_BAD_ENCODING:
        return "damaged or mistyped: a character outside the code's alphabet";
    case BORNE_TOKEN_BAD_LENGTH:
        return "damaged or cut: the code does not have the right length";
    case BORNE_TOKEN_UNKNOWN_KEY:
        return "signed with a key that is not known here: it cannot be verified";
    case BORNE_TOKEN_BAD_SIGNATURE:
        return "FORGED OR ALTERED: the signature does not match the contents";
    default:
        return "not an attestation code";
    }
}

/* Civil dates and day numbers: years counted from March (so the leap day ends a year), in eras
 * of 400 years (146097 days), the proleptic Gregorian calendar. */
int64_t borne_days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void borne_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

bool borne_attest_token_check(const char *prog, const char *text, size_t len,
                              const borne_pubkey *keys, size_t n, borne_attest_token *out)
{
    borne_token_status st = borne_attest_token_verify((const uint8_t *)text, len, keys, n, out);
    if (st != BORNE_TOKEN_OK) {
        fprintf(stderr, "%s: verify: REFUSED (%s): %s\n", prog, borne_token_status_name(st),
                borne_attest_token_explain(st));
        return false;
    }
    return true;
}
