/* The staff PIN (« NIP » in Québec): argon2id verification with libsodium, and a lockout that
 * grows after failed tries.
 *
 * The lockout is pure (times passed in), so it is tested without waiting: the first
 * BORNE_PIN_FREE_TRIES failures cost nothing, then each further failure locks the keypad for
 * 30 s, 60 s, 120 s ... up to 15 minutes. A success resets it. Verification is slow on purpose
 * (argon2id): the kiosk runs it off the UI thread. */
#ifndef BORNE_UI_PIN_H
#define BORNE_UI_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BORNE_PIN_FREE_TRIES    3
#define BORNE_PIN_BASE_DELAY_MS 30000
#define BORNE_PIN_MAX_DELAY_MS  (15 * 60 * 1000)
#define BORNE_PIN_MAX_DIGITS    12

typedef struct borne_pin_lock {
    int failures;
    int64_t locked_until_ms; /* monotonic */
} borne_pin_lock;

/* Milliseconds left before another try is allowed (0: now). */
int64_t borne_pin_lock_remaining(const borne_pin_lock *lock, int64_t now_ms);
/* Records the result of a try made at now_ms. */
void borne_pin_lock_record(borne_pin_lock *lock, bool success, int64_t now_ms);

/* True when `pin` matches the "$argon2id$..." hash. False for an empty hash. */
bool borne_pin_verify(const char *hash, const char *pin);

/* Hashes a PIN for borne.conf. `fast` uses libsodium's minimum cost (the demo's throw-away
 * PIN only); otherwise the interactive cost. */
borne_err borne_pin_hash(const char *pin, bool fast, char *out, size_t cap);

#endif
