/* Signed badge tokens: encoding, signing, parsing, verification.
 *
 * DESIGN: the binary record is fixed-size and big-endian so that any registry can produce it
 * without a serialisation library. The signature covers a domain string ("borne-token-v1") before
 * the payload, so an Ed25519 key shared with another purpose can never be tricked into signing
 * something that verifies as a badge. */
#include "core/token.h"

#include <sodium.h>
#include <string.h>

#include "core/base45.h"
#include "core/bytes.h"

static const char domain[] = "borne-token-v1";

const char *borne_token_status_name(borne_token_status status)
{
    switch (status) {
    case BORNE_TOKEN_OK:
        return "ok";
    case BORNE_TOKEN_NOT_SIGNED:
        return "not-signed";
    case BORNE_TOKEN_BAD_ENCODING:
        return "bad-encoding";
    case BORNE_TOKEN_BAD_LENGTH:
        return "bad-length";
    case BORNE_TOKEN_BAD_VERSION:
        return "bad-version";
    case BORNE_TOKEN_UNKNOWN_KEY:
        return "unknown-key";
    case BORNE_TOKEN_BAD_SIGNATURE:
        return "bad-signature";
    case BORNE_TOKEN_WRONG_EVENT:
        return "wrong-event";
    case BORNE_TOKEN_NOT_YET_VALID:
        return "not-yet-valid";
    case BORNE_TOKEN_EXPIRED:
        return "expired";
    }
    return "unknown";
}

static void pack_payload(const borne_token *tok, uint8_t p[BORNE_TOKEN_PAYLOAD_LEN])
{
    p[0] = BORNE_TOKEN_VERSION;
    p[1] = tok->flags;
    borne_put_u16(p + 2, tok->key_id);
    borne_put_u32(p + 4, tok->event_id);
    borne_put_u32(p + 8, tok->participant_id);
    borne_put_u32(p + 12, tok->valid_from);
    borne_put_u32(p + 16, tok->valid_until);
}

/* The signed message: domain string (without NUL) then payload. */
static void signed_message(const uint8_t payload[BORNE_TOKEN_PAYLOAD_LEN],
                           uint8_t msg[sizeof(domain) - 1 + BORNE_TOKEN_PAYLOAD_LEN])
{
    memcpy(msg, domain, sizeof(domain) - 1);
    memcpy(msg + sizeof(domain) - 1, payload, BORNE_TOKEN_PAYLOAD_LEN);
}

bool borne_token_looks_signed(const uint8_t *text, size_t len)
{
    return len >= BORNE_TOKEN_PREFIX_LEN &&
           memcmp(text, BORNE_TOKEN_PREFIX, BORNE_TOKEN_PREFIX_LEN) == 0;
}

static borne_token_status parse_raw(const uint8_t *text, size_t len,
                                    uint8_t raw[BORNE_TOKEN_RAW_LEN])
{
    if (!text || !borne_token_looks_signed(text, len)) {
        return BORNE_TOKEN_NOT_SIGNED;
    }
    const char *b45 = (const char *)text + BORNE_TOKEN_PREFIX_LEN;
    size_t b45_len = len - BORNE_TOKEN_PREFIX_LEN;
    /* Anything longer than one token is refused before decoding, whatever it holds. */
    if (b45_len > BORNE_TOKEN_TEXT_LEN - BORNE_TOKEN_PREFIX_LEN + 3) {
        return BORNE_TOKEN_BAD_LENGTH;
    }
    uint8_t buf[BORNE_TOKEN_RAW_LEN + 4];
    size_t n = 0;
    borne_err err = borne_base45_decode(b45, b45_len, buf, sizeof(buf), &n);
    if (err) {
        return err == BORNE_ERR_TOO_LARGE ? BORNE_TOKEN_BAD_LENGTH : BORNE_TOKEN_BAD_ENCODING;
    }
    if (n != BORNE_TOKEN_RAW_LEN) {
        return BORNE_TOKEN_BAD_LENGTH;
    }
    memcpy(raw, buf, BORNE_TOKEN_RAW_LEN);
    return BORNE_TOKEN_OK;
}

borne_token_status borne_token_parse(const uint8_t *text, size_t len, borne_token *out,
                                     uint8_t sig[BORNE_TOKEN_SIG_LEN])
{
    uint8_t raw[BORNE_TOKEN_RAW_LEN];
    borne_token_status st = parse_raw(text, len, raw);
    if (st) {
        return st;
    }
    borne_token tok = {
        .version = raw[0],
        .flags = raw[1],
        .key_id = borne_get_u16(raw + 2),
        .event_id = borne_get_u32(raw + 4),
        .participant_id = borne_get_u32(raw + 8),
        .valid_from = borne_get_u32(raw + 12),
        .valid_until = borne_get_u32(raw + 16),
    };
    if (tok.version != BORNE_TOKEN_VERSION || (tok.flags & ~BORNE_TOKEN_FLAGS_KNOWN)) {
        return BORNE_TOKEN_BAD_VERSION;
    }
    if (out) {
        *out = tok;
    }
    if (sig) {
        memcpy(sig, raw + BORNE_TOKEN_PAYLOAD_LEN, BORNE_TOKEN_SIG_LEN);
    }
    return BORNE_TOKEN_OK;
}

borne_token_status borne_token_verify(const uint8_t *text, size_t len, const borne_pubkey *keys,
                                      size_t nkeys, uint32_t event_id, int64_t now, bool check_time,
                                      borne_token *out)
{
    borne_token tok;
    uint8_t sig[BORNE_TOKEN_SIG_LEN];
    borne_token_status st = borne_token_parse(text, len, &tok, sig);
    if (st) {
        return st;
    }
    if (out) {
        *out = tok;
    }
    const borne_pubkey *key = NULL;
    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i].key_id == tok.key_id) {
            key = &keys[i];
            break;
        }
    }
    if (!key) {
        return BORNE_TOKEN_UNKNOWN_KEY;
    }
    uint8_t payload[BORNE_TOKEN_PAYLOAD_LEN];
    pack_payload(&tok, payload);
    uint8_t msg[sizeof(domain) - 1 + BORNE_TOKEN_PAYLOAD_LEN];
    signed_message(payload, msg);
    if (crypto_sign_verify_detached(sig, msg, sizeof(msg), key->key) != 0) {
        return BORNE_TOKEN_BAD_SIGNATURE;
    }
    if (tok.event_id != event_id) {
        return BORNE_TOKEN_WRONG_EVENT;
    }
    if (check_time) {
        if (tok.valid_from && now < (int64_t)tok.valid_from) {
            return BORNE_TOKEN_NOT_YET_VALID;
        }
        if (tok.valid_until && now > (int64_t)tok.valid_until) {
            return BORNE_TOKEN_EXPIRED;
        }
    }
    return BORNE_TOKEN_OK;
}

borne_err borne_token_sign(const borne_token *tok, const uint8_t secret_key[64], char *out,
                           size_t cap)
{
    if (!tok || !secret_key || !out || cap < BORNE_TOKEN_TEXT_LEN + 1) {
        return BORNE_ERR_INVALID;
    }
    if (tok->flags & ~BORNE_TOKEN_FLAGS_KNOWN) {
        return BORNE_ERR_INVALID;
    }
    uint8_t raw[BORNE_TOKEN_RAW_LEN];
    pack_payload(tok, raw);
    uint8_t msg[sizeof(domain) - 1 + BORNE_TOKEN_PAYLOAD_LEN];
    signed_message(raw, msg);
    if (crypto_sign_detached(raw + BORNE_TOKEN_PAYLOAD_LEN, NULL, msg, sizeof(msg), secret_key) !=
        0) {
        return BORNE_ERR_CRYPTO;
    }
    memcpy(out, BORNE_TOKEN_PREFIX, BORNE_TOKEN_PREFIX_LEN);
    return borne_base45_encode(raw, sizeof(raw), out + BORNE_TOKEN_PREFIX_LEN,
                               cap - BORNE_TOKEN_PREFIX_LEN);
}
