/* Staff PIN verification and lockout; see pin.h. */
#define LOG_MODULE "ui"

#include "ui/pin.h"

#include <sodium.h>
#include <string.h>

#include "core/log.h"

int64_t borne_pin_lock_remaining(const borne_pin_lock *lock, int64_t now_ms)
{
    if (lock->locked_until_ms > now_ms) {
        return lock->locked_until_ms - now_ms;
    }
    return 0;
}

void borne_pin_lock_record(borne_pin_lock *lock, bool success, int64_t now_ms)
{
    if (success) {
        lock->failures = 0;
        lock->locked_until_ms = 0;
        return;
    }
    if (lock->failures < 1000) {
        lock->failures++;
    }
    int over = lock->failures - BORNE_PIN_FREE_TRIES;
    if (over <= 0) {
        return;
    }
    int64_t delay = BORNE_PIN_BASE_DELAY_MS;
    for (int i = 1; i < over && delay < BORNE_PIN_MAX_DELAY_MS; i++) {
        delay *= 2;
    }
    if (delay > BORNE_PIN_MAX_DELAY_MS) {
        delay = BORNE_PIN_MAX_DELAY_MS;
    }
    lock->locked_until_ms = now_ms + delay;
}

bool borne_pin_verify(const char *hash, const char *pin)
{
    if (!hash || !hash[0] || !pin) {
        return false;
    }
    if (sodium_init() < 0) {
        return false;
    }
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}

borne_err borne_pin_hash(const char *pin, bool fast, char *out, size_t cap)
{
    if (!pin || !out || cap < crypto_pwhash_STRBYTES) {
        return BORNE_ERR_INVALID;
    }
    if (sodium_init() < 0) {
        return BORNE_ERR_CRYPTO;
    }
    unsigned long long ops = fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    if (crypto_pwhash_str_alg(out, pin, strlen(pin), ops, mem, crypto_pwhash_ALG_ARGON2ID13)) {
        LOG_ERR("PIN hash: out of memory");
        return BORNE_ERR_NOMEM;
    }
    return BORNE_OK;
}
