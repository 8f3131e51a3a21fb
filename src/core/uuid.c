/* Version 4 UUIDs. libsodium must be initialised (sodium_init) before first use; every program
 * entry point does that. */
#include "core/uuid.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void borne_uuid_new(char out[BORNE_UUID_LEN + 1])
{
    uint8_t b[16];
    randombytes_buf(b, sizeof(b));
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, BORNE_UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

int borne_uuid_valid(const char *text)
{
    if (!text || strlen(text) != BORNE_UUID_LEN) {
        return 0;
    }
    for (int i = 0; i < BORNE_UUID_LEN; i++) {
        char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return 0;
            }
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}
