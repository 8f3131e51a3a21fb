/* libFuzzer target for core/token: any bytes through borne_token_parse and borne_token_verify
 * against a fixed trusted key (seed 0x42..., key id 7, event 42, as in tests/support). Checks the
 * promises of token.h: parse and verify agree, "OK" only for a parsed token of the right event
 * whose signature libsodium accepts, and the fields of a verified token are the parsed ones. */
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "core/token.h"

static borne_pubkey keys[2];

static void init_keys(void)
{
    static bool done;
    if (done) {
        return;
    }
    CHECK(sodium_init() >= 0);
    uint8_t seed[32], sk[64];
    memset(seed, 0x42, sizeof(seed));
    keys[0].key_id = 7;
    crypto_sign_seed_keypair(keys[0].key, sk, seed);
    memset(seed, 0x43, sizeof(seed));
    keys[1].key_id = 8;
    crypto_sign_seed_keypair(keys[1].key, sk, seed);
    done = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_keys();
    borne_token parsed;
    uint8_t sig[BORNE_TOKEN_SIG_LEN];
    memset(&parsed, 0, sizeof(parsed));
    borne_token_status ps = borne_token_parse(data, size, &parsed, sig);
    CHECK(ps == BORNE_TOKEN_OK || ps == BORNE_TOKEN_NOT_SIGNED || ps == BORNE_TOKEN_BAD_ENCODING ||
          ps == BORNE_TOKEN_BAD_LENGTH || ps == BORNE_TOKEN_BAD_VERSION);
    CHECK((ps == BORNE_TOKEN_NOT_SIGNED) == !borne_token_looks_signed(data, size));
    CHECK(borne_token_status_name(ps) != NULL);
    if (ps == BORNE_TOKEN_OK) {
        CHECK(size == BORNE_TOKEN_TEXT_LEN);
        CHECK(parsed.version == BORNE_TOKEN_VERSION);
        CHECK((parsed.flags & ~BORNE_TOKEN_FLAGS_KNOWN) == 0);
    }

    int64_t now = 1779282000;
    for (int mode = 0; mode < 3; mode++) {
        borne_token tok;
        memset(&tok, 0, sizeof(tok));
        size_t nkeys = mode == 2 ? 0 : 2;
        borne_token_status vs =
            borne_token_verify(data, size, keys, nkeys, 42, now, mode == 0, &tok);
        CHECK(borne_token_status_name(vs) != NULL);
        if (ps != BORNE_TOKEN_OK) {
            /* A text that does not parse never verifies, and fails the same way. */
            CHECK(vs == ps);
            continue;
        }
        CHECK(vs != BORNE_TOKEN_NOT_SIGNED && vs != BORNE_TOKEN_BAD_ENCODING &&
              vs != BORNE_TOKEN_BAD_LENGTH && vs != BORNE_TOKEN_BAD_VERSION);
        CHECK(memcmp(&tok, &parsed, sizeof(tok)) == 0);
        if (nkeys == 0) {
            CHECK(vs == BORNE_TOKEN_UNKNOWN_KEY);
        }
        if (vs == BORNE_TOKEN_OK || vs == BORNE_TOKEN_WRONG_EVENT ||
            vs == BORNE_TOKEN_NOT_YET_VALID || vs == BORNE_TOKEN_EXPIRED) {
            /* Genuine: the key is one of ours and the event check ran. */
            CHECK(tok.key_id == 7 || tok.key_id == 8);
            CHECK((vs == BORNE_TOKEN_WRONG_EVENT) == (tok.event_id != 42));
        }
        if (vs == BORNE_TOKEN_OK) {
            CHECK(tok.event_id == 42);
            if (mode == 0) {
                CHECK(tok.valid_from == 0 || tok.valid_from <= now);
                CHECK(tok.valid_until == 0 || now <= tok.valid_until);
            }
        }
        if (vs == BORNE_TOKEN_NOT_YET_VALID || vs == BORNE_TOKEN_EXPIRED) {
            CHECK(mode == 0);
        }
    }
    return 0;
}
