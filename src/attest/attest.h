/* Attestations: the participant's "Confirmation de présence" for one event, as a PDF with a
 * signed verification QR code (core/attest_token.h), and a zip of all of an event's.
 *
 * Three steps, each usable alone (the CLI uses all three; the web console will too):
 *  1. borne_attest_collect() reads one participant's attendance from the registry database
 *     (read-only): each session attended, with its schedule, the participant's first entry
 *     and last exit, the minutes attended and credited (core/credits.h, the same pairing as the
 *     credits report), and the total of credited minutes;
 *  2. borne_attest_pdf() / borne_attest_write_pdf() draw it (cairo, French or English, US
 *     Letter or A4) and sign the token its QR code carries;
 *  3. borne_attest_write_event() does both for every participant who attended something, into a
 *     folder of PDFs and/or one zip file.
 *
 * Who gets one: participants (not deleted) with attended time in at least one session, credited
 * or not. A session with only an exit scan (no presence) is not listed.
 * Time: `now` bounds the attendance like the kiosk's tally: minutes after `now` are never
 * counted, so an attestation issued while a session runs does not credit its end in advance.
 *
 * Local times go through core/timefmt (it sets TZ under a mutex): call from one thread, or
 * while no other thread uses localtime(). Nothing here logs names. */
#ifndef BORNE_ATTEST_ATTEST_H
#define BORNE_ATTEST_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "badge/badge.h"
#include "core/attest_token.h"
#include "core/error.h"
#include "store/store.h"

struct borne_regdb;

/* The issuing body printed when none is given. */
#define BORNE_ATTEST_DEFAULT_ISSUER                                                                \
    "Corporation des officiers municipaux agr\xc3\xa9\xc3\xa9s du Qu\xc3\xa9"                      \
    "bec (COMAQ)"
/* Hard maxima of the options' texts, in bytes. */
#define BORNE_ATTEST_MAX_TEXT 256

enum borne_attest_lang {
    BORNE_ATTEST_FR = 0, /* French, with the English title under it */
    BORNE_ATTEST_EN = 1, /* English, with the French title under it */
};

typedef struct borne_attest_session {
    uint32_t id;
    char code[32];
    char title[BORNE_NAME_MAX];
    char room[128];
    int64_t starts, ends;   /* scheduled, Unix seconds */
    int64_t first_entry;    /* the participant's first accepted entry (Unix s); 0 if none */
    int64_t last_exit;      /* last accepted exit (Unix s); 0 if none */
    int64_t attended_s;     /* inside the schedule (core/credits.h) */
    int32_t credit_minutes; /* credited under the session's rule */
    int32_t intervals;      /* presence intervals (several: left and came back) */
    bool exit_missing;      /* the last entry was never closed by an exit, so it counts */
    int64_t open_until;     /* until here: the scheduled end, or `now` if earlier */
} borne_attest_session;

typedef struct borne_attest {
    borne_event event;
    borne_participant participant;
    borne_attest_session *sessions; /* by start time; owned, see borne_attest_clear() */
    size_t count;
    int64_t total_minutes; /* sum of credit_minutes: rounded only when printed (core/hours.h) */
} borne_attest;

/* Frees the sessions and zeroes `a`. Accepts NULL. */
void borne_attest_clear(borne_attest *a);

/* Fills `out` (overwritten; clear it after) with the participant's attendance at the event.
 * out->count is 0 when nothing was attended. BORNE_ERR_NOT_FOUND: no such event or participant
 * (or deleted); BORNE_ERR_DB; BORNE_ERR_NOMEM. */
borne_err borne_attest_collect(struct borne_regdb *db, uint32_t event_id, uint32_t participant_id,
                               int64_t now, borne_attest *out);

/* Ids of the event's participants (not deleted) with at least one accepted scan, in the
 * credits exports' order: French name order (core/collate.h: surname, then given names, accents
 * and case ignored: Émilie Côté before Jean Lévesque), then spelling, then number.
 * *ids is malloc'ed (NULL when *count is 0); the caller frees it. */
borne_err borne_attest_participants(struct borne_regdb *db, uint32_t event_id, uint32_t **ids,
                                    size_t *count);

/* The registry's public signing keys (to verify attestation codes). *keys malloc'ed. */
borne_err borne_attest_registry_keys(struct borne_regdb *db, borne_pubkey **keys, size_t *count);

typedef struct borne_attest_options {
    enum borne_attest_lang lang;
    enum borne_paper paper;
    const char *issuer;    /* NULL or "": BORNE_ATTEST_DEFAULT_ISSUER */
    const char *place;     /* the event's place; NULL or "": not printed */
    int64_t issued_at;     /* Unix seconds: the date of issue, printed and signed */
    uint16_t key_id;       /* the signing key's id (the registry's signing_key) */
    const uint8_t *secret; /* 64-byte libsodium Ed25519 secret key; borrowed */
} borne_attest_options;

/* Draws the attestation as a PDF in memory: *pdf malloc'ed (the caller frees it), *len bytes.
 * `token` (may be NULL) receives the signed text of its QR code.
 * BORNE_ERR_INVALID: bad options (no key, bad paper or language, text not clean UTF-8, nothing
 * attended); BORNE_ERR_TOO_LARGE: a text over its maximum or a total over
 * BORNE_ATTEST_MAX_MINUTES; BORNE_ERR_CRYPTO; BORNE_ERR_NOMEM; BORNE_ERR_IO (cairo). */
borne_err borne_attest_pdf(const borne_attest *a, const borne_attest_options *o,
                           unsigned char **pdf, size_t *len,
                           char token[BORNE_ATTEST_TOKEN_TEXT_LEN + 1]);

/* The same written to `path` (mode 0600, through a temporary file and a rename). */
borne_err borne_attest_write_pdf(const borne_attest *a, const borne_attest_options *o,
                                 const char *path, char token[BORNE_ATTEST_TOKEN_TEXT_LEN + 1]);

/* A readable, portable file name: the name folded to ASCII letters, digits and hyphens, then
 * the participant id: "Helene-Tremblay-Levesque-1042.pdf". Never empty, never a path. */
void borne_attest_file_name(const borne_attest *a, char *out, size_t cap);

/* The name folded to ASCII letters and digits, words joined by single hyphens ("Hélène
 * Tremblay-Lévesque" -> "Helene-Tremblay-Levesque"); "" when nothing is left. */
void borne_attest_ascii_name(const char *name, char *out, size_t cap);

/* Writes the attestations of the event: one PDF per participant who attended something (or
 * only `participant_id` when non-zero), into folder `dir` (may be NULL) and into the zip file
 * `zip_path` (may be NULL; written whole or not at all; without a folder the PDFs wait in a
 * temporary folder next to it, removed after: memory stays small for any size of event). `each`
 * (may be NULL) is told each file name and token as it is made. *written counts the attestations.
 * BORNE_ERR_NOT_FOUND: no such event, or the given participant attended nothing. */
borne_err borne_attest_write_event(
    struct borne_regdb *db, uint32_t event_id, uint32_t participant_id, int64_t now,
    const borne_attest_options *o, const char *dir, const char *zip_path,
    void (*each)(void *ctx, const borne_attest *a, const char *file, const char *token), void *ctx,
    size_t *written);

#endif
