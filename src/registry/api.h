/* The registry's API, independent of the HTTP server: one request in, one JSON answer out.
 *
 * Routes (docs/protocol.md, docs/openapi.yaml):
 *   POST /v1/enrol     {enrolment_token, kiosk, version}  -> {api_token, kiosk, event_id,
 *                                                             kiosk_number}
 *   POST /v1/status    {version, pending, checkins, ...}  -> {kiosk, event_id, kiosk_number}
 *   POST /v1/checkins  {checkins: [...]}                      -> {results: [...]}
 *   GET  /v1/roster?since=N                                   -> a roster page
 * Every answer carries "server_time_ms". All but enrol need "Authorization: Bearer TOKEN"; a
 * kiosk sees and writes only its own event. POST bodies must be Content-Type application/json
 * (415 otherwise); unknown fields are refused (400 for a request, "refused" for a record). The
 * request parsers are exposed for fuzzing. */
#ifndef BORNE_REGISTRY_API_H
#define BORNE_REGISTRY_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "registry/regdb.h"
#include "store/store.h"

#define BORNE_API_BODY_MAX       (4u * 1024 * 1024) /* POST /v1/checkins */
#define BORNE_API_SMALL_BODY_MAX (16u * 1024)       /* every other request */
#define BORNE_API_PAGE_DEFAULT   10000              /* participants per roster page */
#define BORNE_API_REASON_MAX     64                 /* bytes of a refusal reason, with its NUL */

typedef struct borne_api_answer {
    int status; /* HTTP status */
    char *body; /* malloc'ed JSON, NUL-terminated; the caller frees it */
    size_t len;
} borne_api_answer;

typedef struct borne_api_request {
    const char *method;        /* "GET", "POST" */
    const char *path;          /* "/v1/roster" */
    const char *since;         /* the "since" query argument, or NULL */
    size_t since_len;          /* its length as received (a decoded %00 makes it differ) */
    const char *content_type;  /* the Content-Type header, or NULL */
    const char *authorization; /* the header, or NULL */
    const char *body;
    size_t len;
} borne_api_request;

/* Handles one request. Always fills `out` (errors are JSON answers with a 4xx/5xx status);
 * returns BORNE_ERR_NOMEM only when no answer could be built. */
borne_err borne_api_handle(struct borne_regdb *db, const borne_api_request *req, size_t page,
                           borne_api_answer *out);

/* The checks that need only the request's headers (body and body length unused), made before
 * its body is read so that a caller without a valid token gets 401 whatever it sends: unknown
 * path 404, token 401 (enrolment: none, its token is in the body), method 405, Content-Type
 * 415 — the same answers, in the same order, as borne_api_handle. *answered says whether `out`
 * holds the answer to send now; BORNE_ERR_NOMEM when it could not be built. */
borne_err borne_api_precheck(struct borne_regdb *db, const borne_api_request *req, bool *answered,
                             borne_api_answer *out);

/* An error answer {"error": words, "server_time_ms": now}, as every other answer of the API
 * (for the HTTP layer's own: 413, 429, 500, 503). BORNE_ERR_NOMEM when it could not be built. */
borne_err borne_api_error(borne_api_answer *out, int status, const char *words);

/* Parses a push body. rows[i] is usable when reasons[i] is "" ; otherwise the record is refused
 * by itself, reasons[i] saying why in words that name the field, never its value (a bad or
 * unknown field, a number out of range, a control character or "\u0000" in a text). The whole
 * body is BORNE_ERR_PARSE, with words in why[why_cap], when it is not a UTF-8 JSON object
 * {"checkins": [...]} with at most BORNE_PUSH_BATCH_MAX objects each holding a valid "uuid".
 * (*walkins)[i] is record i's optional "walk_in" (a participant registered at the door); a
 * malformed one refuses its record. *rows, *reasons and *walkins are malloc'ed (the caller
 * frees them). */
borne_err borne_api_parse_push_detail(const char *body, size_t len, borne_checkin_row **rows,
                                      char (**reasons)[BORNE_API_REASON_MAX],
                                      borne_push_walkin **walkins, size_t *count, char *why,
                                      size_t why_cap);

/* The same, with valid[i] true when reasons[i] would be "" (the fuzzer's form). *rows and *valid
 * are malloc'ed. */
borne_err borne_api_parse_push(const char *body, size_t len, borne_checkin_row **rows, bool **valid,
                               size_t *count);

/* Same, with each record's optional "walk_in" (a participant registered at the door) in
 * (*walkins)[i]; a malformed walk-in record makes its record invalid. *walkins is malloc'ed. */
borne_err borne_api_parse_push_walkins(const char *body, size_t len, borne_checkin_row **rows,
                                       bool **valid, borne_push_walkin **walkins, size_t *count);

/* The roster request's "since" argument as received (`len` bytes; a NUL among them is refused):
 * a cursor "N" (1 to 18 digits) or "N.EPOCH" (EPOCH: 1 to BORNE_PULL_EPOCH_MAX lowercase hex
 * digits, written NUL-terminated into epoch; "" without). BORNE_ERR_PARSE for anything else. */
borne_err borne_api_parse_since(const char *text, size_t len, int64_t *since,
                                char epoch[BORNE_PULL_EPOCH_MAX + 1]);

borne_err borne_api_parse_enrol(const char *body, size_t len, char token[BORNE_API_TOKEN_MAX],
                                char name[BORNE_KIOSK_ID_MAX], char version[32]);

borne_err borne_api_parse_status(const char *body, size_t len, borne_kiosk_report *out);

#endif
