/* A corpus of hostile QR payloads (see hostile.h). */
#include "reliability/hostile.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/base45.h"
#include "core/token.h"
#include "reliability/rel_support.h"
#include "support/fixture.h"

typedef struct builder {
    hostile_payload *v;
    size_t n, cap;
} builder;

static void add(builder *b, const char *name, const void *bytes, size_t len, borne_outcome expect)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->v = realloc(b->v, b->cap * sizeof(*b->v));
        if (!b->v) {
            abort();
        }
    }
    hostile_payload *p = &b->v[b->n++];
    p->name = name;
    p->bytes = malloc(len + 1);
    if (!p->bytes) {
        abort();
    }
    memcpy(p->bytes, bytes, len);
    p->bytes[len] = 0;
    p->len = len;
    p->expect = expect;
    p->revoke = false;
}

static void add_str(builder *b, const char *name, const char *text, borne_outcome expect)
{
    add(b, name, text, strlen(text), expect);
}

/* A token signed by another key pair, announcing `key_id`. */
static void sign_other(uint16_t key_id, char out[BORNE_TOKEN_TEXT_LEN + 1])
{
    uint8_t pk[32], sk[64], seed[32];
    memset(seed, 0x17, sizeof(seed));
    crypto_sign_seed_keypair(pk, sk, seed);
    borne_token tok = {.key_id = key_id, .event_id = FIX_EVENT, .participant_id = FIX_P_JEAN};
    if (borne_token_sign(&tok, sk, out, BORNE_TOKEN_TEXT_LEN + 1) != BORNE_OK) {
        out[0] = '\0';
    }
}

hostile_payload *hostile_corpus(size_t *count)
{
    builder b = {0};
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    uint8_t buf[10240];

    /* Size. */
    memset(buf, 'A', sizeof(buf));
    add(&b, "huge 10 KB text", buf, sizeof(buf), BORNE_OUTCOME_INVALID_CODE);
    memcpy(buf, "BN1:", 4);
    add(&b, "huge 10 KB with the token prefix", buf, sizeof(buf), BORNE_OUTCOME_INVALID_CODE);
    memset(buf, '9', 1000);
    add(&b, "1000 digits (a large QR)", buf, 1000, BORNE_OUTCOME_UNKNOWN_CODE);
    add(&b, "empty", "", 0, BORNE_OUTCOME_UNKNOWN_CODE);

    /* Bytes. */
    for (size_t i = 0; i < 256; i++) {
        buf[i] = (uint8_t)(255 - i);
    }
    add(&b, "every byte value", buf, 256, BORNE_OUTCOME_UNKNOWN_CODE);
    add(&b, "NUL bytes only", "\0\0\0\0", 4, BORNE_OUTCOME_UNKNOWN_CODE);
    add(&b, "opaque code then NUL", FIX_OPAQUE_HELENE "\0", sizeof(FIX_OPAQUE_HELENE),
        BORNE_OUTCOME_UNKNOWN_CODE);
    add(&b, "NUL then opaque code", "\0" FIX_OPAQUE_HELENE, sizeof(FIX_OPAQUE_HELENE),
        BORNE_OUTCOME_UNKNOWN_CODE);
    rel_sign(FIX_EVENT, FIX_P_JEAN, 0, 0, 0, tok);
    memcpy(buf, tok, BORNE_TOKEN_TEXT_LEN);
    memcpy(buf + BORNE_TOKEN_TEXT_LEN, "\0junk", 5);
    add(&b, "genuine badge, NUL, junk", buf, BORNE_TOKEN_TEXT_LEN + 5, BORNE_OUTCOME_INVALID_CODE);
    add_str(&b, "invalid UTF-8", "\xff\xfe\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80",
            BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "overlong slash", "\xc0\xaf\xe0\x80\xaf..\xc0\xaf", BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "terminal escapes and bell", "\x1b[2J\x1b]0;pwned\x07\r\n\t\b\x7f",
            BORNE_OUTCOME_UNKNOWN_CODE);

    /* Injection. */
    add_str(&b, "SQL drop", "'; DROP TABLE checkin; --", BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "SQL or-true on a code", FIX_OPAQUE_HELENE "' OR '1'='1",
            BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "SQL like wildcard", "%", BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "SQL like on a code", "OPQ-%", BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "SQL union", "x' UNION SELECT display_name FROM participant --",
            BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "shell substitution", "$(reboot)`id`;|&>/tmp/x", BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "path traversal", "../../../../etc/shadow", BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "format string", "%s%s%s%n%x%p", BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "CSV formula", "=cmd|' /C calc'!A0", BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "FTS syntax", "\"hel*\" OR NEAR(a b)", BORNE_OUTCOME_UNKNOWN_CODE);

    /* Bidirectional and invisible characters. */
    add_str(&b, "RLO before an opaque code", "\xe2\x80\xae" FIX_OPAQUE_HELENE,
            BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "RLM after an opaque code", FIX_OPAQUE_HELENE "\xe2\x80\x8f",
            BORNE_OUTCOME_UNKNOWN_CODE);
    add_str(&b, "zero-width space in an opaque code", "OPQ-7KX2\xe2\x80\x8b-HT",
            BORNE_OUTCOME_UNKNOWN_CODE);
    snprintf((char *)buf, sizeof(buf), "BN1:\xe2\x80\xae%s", tok + 4);
    add_str(&b, "RLO inside a badge", (const char *)buf, BORNE_OUTCOME_INVALID_CODE);

    /* Badges. */
    rel_sign(FIX_EVENT, FIX_P_JEAN, 0, 0, 0, tok);
    tok[70] ^= 0x01;
    add_str(&b, "genuine badge, one bit flipped", tok, BORNE_OUTCOME_INVALID_CODE);
    rel_sign(FIX_EVENT + 1, FIX_P_JEAN, 0, 0, 0, tok);
    add_str(&b, "badge of another event", tok, BORNE_OUTCOME_WRONG_EVENT);
    rel_sign(FIX_EVENT, FIX_P_JEAN, 0, 0, (uint32_t)(FIX_A_START - 86400), tok);
    add_str(&b, "expired badge", tok, BORNE_OUTCOME_EXPIRED);
    rel_sign(FIX_EVENT, FIX_P_JEAN, 0, (uint32_t)(FIX_A_START + 86400), 0, tok);
    add_str(&b, "badge not yet valid", tok, BORNE_OUTCOME_EXPIRED);
    sign_other(FIX_KEY_ID + 1, tok);
    add_str(&b, "badge of an unknown key", tok, BORNE_OUTCOME_INVALID_CODE);
    sign_other(FIX_KEY_ID, tok);
    add_str(&b, "badge forged with another key under the right id", tok,
            BORNE_OUTCOME_INVALID_CODE);
    rel_sign(FIX_EVENT, FIX_P_JEAN, 0, 0, 0, tok);
    uint8_t raw[BORNE_TOKEN_RAW_LEN];
    size_t raw_len = 0;
    if (borne_base45_decode(tok + BORNE_TOKEN_PREFIX_LEN,
                            BORNE_TOKEN_TEXT_LEN - BORNE_TOKEN_PREFIX_LEN, raw, sizeof(raw),
                            &raw_len) != BORNE_OK) {
        abort();
    }
    raw[1] |= 0x80; /* flags: a bit no version knows */
    if (borne_base45_encode(raw, raw_len, tok + BORNE_TOKEN_PREFIX_LEN,
                            sizeof(tok) - BORNE_TOKEN_PREFIX_LEN) != BORNE_OK) {
        abort();
    }
    add_str(&b, "badge with unknown flags", tok, BORNE_OUTCOME_INVALID_CODE);
    add_str(&b, "prefix alone", "BN1:", BORNE_OUTCOME_INVALID_CODE);
    rel_sign(FIX_EVENT, FIX_P_JEAN, 0, 0, 0, tok);
    tok[0] = 'b';
    tok[1] = 'n';
    add_str(&b, "lower-case prefix", tok, BORNE_OUTCOME_UNKNOWN_CODE);
    rel_sign(FIX_EVENT, FIX_P_LUC, 0, 0, 0, tok);
    add_str(&b, "revoked badge", tok, BORNE_OUTCOME_REVOKED);
    b.v[b.n - 1].revoke = true;
    rel_sign(FIX_EVENT, FIX_P_MARIE, 0, 0, 0, tok);
    add_str(&b, "badge of a cancelled registration", tok, BORNE_OUTCOME_CANCELLED);
    rel_sign(FIX_EVENT, FIX_P_SOPHIE, 0, 0, 0, tok);
    add_str(&b, "badge not registered for this session", tok, BORNE_OUTCOME_NOT_REGISTERED);

    /* Controls: the path still lets the right people in. */
    rel_sign(FIX_EVENT, FIX_P_JEAN, 0, 0, 0, tok);
    add_str(&b, "genuine badge", tok, BORNE_OUTCOME_ACCEPTED_ENTRY);
    add_str(&b, "genuine opaque code", FIX_OPAQUE_HELENE, BORNE_OUTCOME_ACCEPTED_ENTRY);
    *count = b.n;
    return b.v;
}

void hostile_free(hostile_payload *corpus, size_t count)
{
    for (size_t i = 0; corpus && i < count; i++) {
        free(corpus[i].bytes);
    }
    free(corpus);
}
