/* libFuzzer target for core/attest_token: any bytes through borne_attest_token_parse and
 * borne_attest_token_verify against fixed trusted keys (seeds 0x42... key id 7 and 0x43... key
 * id 8). Checks the promises of attest_token.h: parse and verify agree; "OK" only for a parsed
 * token whose key is trusted and whose signature libsodium accepts; the verified fields are the
 * parsed ones; re-signing the parsed fields with the trusted key gives back a token that
 * verifies. */
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "core/attest_token.h"

static borne_pubkey keys[2];
static uint8_t secret7[64];

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
    crypto_sign_seed_keypair(keys[0].key, secret7, seed);
    memset(seed, 0x43, sizeof(seed));
    keys[1].key_id = 8;
    crypto_sign_seed_keypair(keys[1].key, sk, seed);
    done = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_keys();
    borne_attest_token parsed;
    uint8_t sig[BORNE_TOKEN_SIG_LEN];
    memset(&parsed, 0, sizeof(parsed));
    borne_token_status ps = borne_attest_token_parse(data, size, &parsed, sig);
    CHECK(ps == BORNE_TOKEN_OK || ps == BORNE_TOKEN_NOT_SIGNED || ps == BORNE_TOKEN_BAD_ENCODING ||
          ps == BORNE_TOKEN_BAD_LENGTH || ps == BORNE_TOKEN_BAD_VERSION);
    CHECK(borne_attest_token_explain(ps) != NULL);
    if (ps == BORNE_TOKEN_OK) {
        CHECK(size == BORNE_ATTEST_TOKEN_TEXT_LEN);
        CHECK(memcmp(data, BORNE_ATTEST_TOKEN_PREFIX, BORNE_ATTEST_TOKEN_PREFIX_LEN) == 0);
    }
    for (int mode = 0; mode < 2; mode++) {
        borne_attest_token tok;
        memset(&tok, 0, sizeof(tok));
        size_t nkeys = mode == 1 ? 0 : 2;
        borne_token_status vs = borne_attest_token_verify(data, size, keys, nkeys, &tok);
        if (ps != BORNE_TOKEN_OK) {
            CHECK(vs == ps); /* a text that does not parse fails the same way */
            continue;
        }
        CHECK(memcmp(&tok, &parsed, sizeof(tok)) == 0);
        CHECK(vs == BORNE_TOKEN_OK || vs == BORNE_TOKEN_UNKNOWN_KEY ||
              vs == BORNE_TOKEN_BAD_SIGNATURE);
        if (nkeys == 0) {
            CHECK(vs == BORNE_TOKEN_UNKNOWN_KEY);
        }
        if (vs == BORNE_TOKEN_OK) {
            CHECK(tok.key_id == 7 || tok.key_id == 8);
        }
    }
    /* The parsed fields signed with key 7 verify, and give the same fields back. */
    if (ps == BORNE_TOKEN_OK) {
        borne_attest_token mine = parsed;
        mine.key_id = 7;
        char text[BORNE_ATTEST_TOKEN_TEXT_LEN + 1];
        CHECK(borne_attest_token_sign(&mine, secret7, text, sizeof(text)) == BORNE_OK);
        borne_attest_token back;
        CHECK(borne_attest_token_verify((const uint8_t *)text, strlen(text), keys, 2, &back) ==
              BORNE_TOKEN_OK);
        CHECK(memcmp(&back, &mine, sizeof(back)) == 0);
    }
    return 0;
}
