/* Shared helpers of the reliability tests (tests/reliability): a store with a larger roster than
 * the unit-test fixture, badge tokens for it, child processes, and a display-safety assertion.
 *
 * The store built by rel_setup_store() holds the fixture's event (FIX_EVENT, sessions A1 and B2,
 * tests/support/fixture.h) and `participants` participants with ids 1..participants:
 *   - every one registered for A1, with the opaque code "OPQ-<id, 5 digits>";
 *   - every tenth (id % 10 == 0) cancelled, every other confirmed;
 *   - the badge code of the last one revoked.
 * Badges are signed with the fixture's key (FIX_KEY_ID, the fixed seed of fixture.c). */
#ifndef BORNE_TESTS_RELIABILITY_REL_SUPPORT_H
#define BORNE_TESTS_RELIABILITY_REL_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/token.h"
#include "store/store.h"

/* Creates (or fills) the store at `path` as described above. 0 on success. */
int rel_setup_store(const char *path, uint32_t participants);

/* The fixture's signing key pair (fixed seed). */
void rel_keypair(uint8_t pk[32], uint8_t sk[64]);

/* Signs a badge token for `pid` of `event_id` with the fixture key, valid between `from` and
 * `until` (Unix seconds, 0 = unbounded). */
void rel_sign(uint32_t event_id, uint32_t pid, uint8_t flags, uint32_t from, uint32_t until,
              char out[BORNE_TOKEN_TEXT_LEN + 1]);

/* Runs `argv` (argv[0] a path) to completion with stdout and stderr sent to `out_path` (NULL:
 * inherited). Returns its exit status, or -1 if it did not exit normally. */
int rel_run(char *const argv[], const char *out_path);

/* An integer from the environment, `fallback` when unset or not a positive whole number. */
long rel_env_long(const char *name, long fallback);

/* True when `s` is fit for the screen: well-formed UTF-8, NUL-terminated within `cap`, and no
 * character borne_utf8_is_unsafe() rejects (controls, bidirectional overrides, separators).
 * On failure, *why (if not NULL) says what broke. */
bool rel_display_safe(const char *s, size_t cap, const char **why);

/* cmocka assertion form of rel_display_safe (a macro so the failure names the caller's line). */
#define assert_display_safe(s)                                                                     \
    do {                                                                                           \
        const char *why_ = NULL;                                                                   \
        if (!rel_display_safe((s), sizeof(s), &why_)) {                                            \
            fail_msg("not safe for display (%s): %s", #s, why_);                                   \
        }                                                                                          \
    } while (0)

/* PRAGMA integrity_check of the store says "ok". */
bool rel_integrity_ok(struct borne_store *store);

#endif
