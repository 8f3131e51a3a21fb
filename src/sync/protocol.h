/* The sync protocol as the kiosk speaks it: setup codes, request bodies, and the parsing of the
 * registry's answers (docs/protocol.md, docs/openapi.yaml).
 *
 * Pure: no network, no store writes except borne_pull_apply. Every parser takes any bytes (the
 * network is outside input), enforces the protocol's limits and never crashes; they are fuzzed
 * (tests/fuzz/fuzz_sync_answer.c). */
#ifndef BORNE_SYNC_PROTOCOL_H
#define BORNE_SYNC_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define BORNE_PROTO_VERSION     1
#define BORNE_SETUP_PREFIX      "BORNE-SETUP/1"
#define BORNE_SETUP_MAX         600 /* bytes of setup text */
#define BORNE_URL_MAX           256
#define BORNE_API_TOKEN_MAX     128
#define BORNE_PIN_MAX           128
#define BORNE_PUSH_BATCH_MAX    1000                /* check-ins per push request */
#define BORNE_PULL_PAGE_MAX     20000               /* rows of each kind per pull page */
#define BORNE_ANSWER_MAX        (32u * 1024 * 1024) /* bytes of an answer, decompressed */
#define BORNE_REGISTRATIONS_MAX 128                 /* sessions per participant */
#define BORNE_PULL_BADGE_MAX    256                 /* bytes of a participant's badge text */
#define BORNE_PULL_EPOCH_MAX    32                  /* lowercase hex digits of a roster epoch */

/* Walk-in participant ids. A kiosk registers walk-ins at the door under ids the registry never
 * issues to its own roster (it refuses to import ids at or above BORNE_WALKIN_ID_BASE), and that
 * no two kiosks share: base + (kiosk number modulo 2^14) * 2^16 + sequence (1 .. 65535), where the
 * kiosk number is the one the registry gave the kiosk at enrolment. Kiosk number 0 is for a
 * kiosk that was never enrolled (its walk-ins stay local). */
#define BORNE_WALKIN_ID_BASE   0xC0000000u
#define BORNE_WALKIN_KIOSK_MOD (1u << 14)
#define BORNE_WALKIN_SEQ_MAX   0xFFFFu

/* The walk-in id for a kiosk number and a sequence number (1 .. BORNE_WALKIN_SEQ_MAX); 0 when
 * the sequence is out of range. */
uint32_t borne_walkin_id(int64_t kiosk_number, uint32_t seq);
/* True when `id` is in the walk-in range; *kiosk_bits (may be NULL) receives the kiosk number
 * modulo BORNE_WALKIN_KIOSK_MOD it was made under. */
bool borne_walkin_id_parse(uint32_t id, uint32_t *kiosk_bits);

/* A setup code: "BORNE-SETUP/1 URL ENROLMENT-TOKEN [PIN]", fields separated by one space. The
 * pin, when present, is "sha256//" + base64 of the SHA-256 of the server's public key (curl's
 * CURLOPT_PINNEDPUBLICKEY form). */
typedef struct borne_setup {
    char url[BORNE_URL_MAX];
    char token[BORNE_API_TOKEN_MAX];
    char pin[BORNE_PIN_MAX]; /* "" = verify with the CA store */
} borne_setup;

/* Parses setup text. BORNE_ERR_PARSE for anything malformed, BORNE_ERR_INVALID for a URL that is
 * neither https:// nor plain http:// to 127.0.0.1 / localhost / [::1]. */
borne_err borne_setup_parse(const char *text, size_t len, borne_setup *out);

/* True when the URL is https://, or http:// to the loopback host (development only). */
bool borne_url_allowed(const char *url);

/* An enrolment answer. */
typedef struct borne_enrol_answer {
    char api_token[BORNE_API_TOKEN_MAX];
    char kiosk_name[BORNE_KIOSK_ID_MAX];
    uint32_t event_id;
    int64_t kiosk_number; /* the registry's number for this kiosk; 0 when not sent */
    int64_t server_time_ms;
} borne_enrol_answer;

borne_err borne_proto_parse_enrol(const char *json, size_t len, borne_enrol_answer *out);

/* Any answer's "server_time_ms" (status answers carry nothing else we need). */
borne_err borne_proto_parse_time(const char *json, size_t len, int64_t *server_time_ms);
/* A status answer: its time and the kiosk's number (*kiosk_number 0 when absent). */
borne_err borne_proto_parse_status(const char *json, size_t len, int64_t *server_time_ms,
                                   int64_t *kiosk_number);

/* Per-record status of a push. */
typedef enum borne_push_status {
    BORNE_PUSH_STORED = 0,
    BORNE_PUSH_DUPLICATE = 1,
    BORNE_PUSH_REFUSED = 2,
} borne_push_status;

/* Reasons of a per-record refusal (the "reason" of a "refused" result) that a kiosk may act on;
 * the full list is in docs/protocol.md. A refused record is kept on the kiosk (synced = 2),
 * never sent again. */
#define BORNE_REASON_ANOTHER_EVENT       "another event"
#define BORNE_REASON_UNKNOWN_SESSION     "unknown session"
#define BORNE_REASON_UNKNOWN_PARTICIPANT "unknown participant"
#define BORNE_REASON_FUTURE              "wall_ms in the future"
#define BORNE_REASON_DIRECTION           "outcome does not match direction"

/* How far past the registry's own time a check-in's trusted wall_ms may be (24 h): more is
 * refused (BORNE_REASON_FUTURE). An untrusted time is stored whatever it says, but earns nothing
 * in the registry's reports when it is later than this past the record's arrival. */
#define BORNE_PUSH_FUTURE_SKEW_MS (24LL * 3600 * 1000)

typedef struct borne_push_result {
    char uuid[BORNE_UUID_LEN + 1];
    borne_push_status status;
    char reason[64];
} borne_push_result;

/* Parses a push answer. *out is malloc'ed (the caller frees it). */
borne_err borne_proto_parse_push(const char *json, size_t len, int64_t *server_time_ms,
                                 borne_push_result **out, size_t *count);

/* The minimal record of a participant registered at the door, sent with their check-ins so
 * that the registry creates them (once) before storing the check-in. */
typedef struct borne_push_walkin {
    bool present;
    char name[BORNE_NAME_MAX];
    char organisation[BORNE_NAME_MAX];
    uint32_t session_id; /* the session they were registered for at the door; 0: none */
} borne_push_walkin;

/* Builds the push body for `rows`; *out is malloc'ed, NUL-terminated. */
borne_err borne_proto_push_body(const borne_checkin_row *rows, size_t count, char **out,
                                size_t *len);
/* Same, with walkins[i] (when present) sent as rows[i]'s "walk_in" record. `walkins` may be
 * NULL. */
borne_err borne_proto_push_body_walkins(const borne_checkin_row *rows,
                                        const borne_push_walkin *walkins, size_t count, char **out,
                                        size_t *len);

/* A roster page as pulled. */
typedef struct borne_pull_participant {
    borne_participant p;
    char code[128];                       /* opaque code, "" when none */
    char badge[BORNE_PULL_BADGE_MAX + 1]; /* the badge's code text to show, "" when unknown */
    uint32_t sessions[BORNE_REGISTRATIONS_MAX];
    size_t nsessions;
} borne_pull_participant;

typedef struct borne_pull {
    int64_t server_time_ms;
    int64_t cursor;
    bool more;
    bool reset; /* the kiosk's cursor was ahead of the registry's: this page starts from 0 */
    char epoch[BORNE_PULL_EPOCH_MAX + 1]; /* the registry's history; "" when not sent */
    bool has_event;
    borne_event event;
    borne_session *sessions;
    size_t nsessions;
    uint32_t *deleted_sessions;
    size_t ndeleted_sessions;
    borne_pull_participant *participants;
    size_t nparticipants;
    uint32_t *deleted_participants;
    size_t ndeleted_participants;
    borne_pubkey *keys;
    size_t nkeys;
    uint8_t (*revoked)[BORNE_CODE_HASH_LEN];
    size_t nrevoked;
    uint8_t (*unrevoked)[BORNE_CODE_HASH_LEN];
    size_t nunrevoked;
} borne_pull;

/* Parses a roster page for `event_id` (rows of another event are an error). *out is owned by
 * the caller: borne_pull_free. */
borne_err borne_proto_parse_pull(const char *json, size_t len, uint32_t event_id, borne_pull **out);
void borne_pull_free(borne_pull *pull);

/* True when applying the page changes what the check-in path reads (event, sessions, roster,
 * keys, revocations), so the kiosk must reload it. */
bool borne_pull_changes_roster(const borne_pull *pull);

/* Applies a page and its cursor (kiosk_state BORNE_SYNC_CURSOR_KEY) in one transaction. */
borne_err borne_pull_apply(struct borne_store *store, uint32_t event_id, const borne_pull *pull);

#endif
