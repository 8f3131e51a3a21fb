/* Random (version 4) UUIDs from libsodium's generator, as the 36-character text form. */
#ifndef BORNE_CORE_UUID_H
#define BORNE_CORE_UUID_H

#define BORNE_UUID_LEN 36 /* without the terminating NUL */

/* Writes a new random UUID and a NUL into out[BORNE_UUID_LEN + 1]. */
void borne_uuid_new(char out[BORNE_UUID_LEN + 1]);

/* 1 when `text` is a well-formed lowercase UUID of any version, else 0. */
int borne_uuid_valid(const char *text);

#endif
