/* A corpus of hostile QR payloads for the whole scan path (test_hostile.c): huge, binary, NUL
 * bytes, invalid UTF-8, control characters, SQL and shell metacharacters, bidirectional marks,
 * format strings, a genuine badge with one bit flipped, badges of another event, expired, not yet
 * valid, revoked, signed by an unknown key — each with the outcome the kiosk must show.
 *
 * Tokens are signed with the fixture's key for the fixture's event (tests/support/fixture.h). */
#ifndef BORNE_TESTS_RELIABILITY_HOSTILE_H
#define BORNE_TESTS_RELIABILITY_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rules.h"

typedef struct hostile_payload {
    const char *name;
    uint8_t *bytes; /* owned */
    size_t len;
    borne_outcome expect;
    bool revoke; /* the test revokes this code before scanning it */
} hostile_payload;

/* Builds the corpus into a malloc'ed array; *count receives its size. */
hostile_payload *hostile_corpus(size_t *count);
void hostile_free(hostile_payload *corpus, size_t count);

#endif
