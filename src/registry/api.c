/* The registry's API handlers (see api.h). Every field of every request is checked for type,
 * range and length before it reaches SQL, and SQL is parameterised only. */
#define LOG_MODULE "api"
#include "registry/api.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "sync/protocol.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Words for a body that is not a JSON object, with the position (never the content: bodies may
 * hold personal data). */
static void load_error(const json_error_t *e, char *why, size_t cap)
{
    const char *what;
    switch (json_error_code(e)) {
    case json_error_invalid_utf8:
        what = "the body is not valid UTF-8";
        break;
    case json_error_null_character:
        what = "NUL byte in the body";
        break;
    case json_error_duplicate_key:
        what = "duplicate key";
        break;
    case json_error_stack_overflow:
        what = "JSON nested too deeply";
        break;
    case json_error_premature_end_of_input:
        what = "the JSON text ends too early";
        break;
    case json_error_end_of_input_expected:
        what = "text after the JSON value";
        break;
    case json_error_null_byte_in_key:
        what = "NUL byte in a key";
        break;
    case json_error_out_of_memory:
        what = "out of memory";
        break;
    default:
        what = "not valid JSON";
        break;
    }
    snprintf(why, cap, "%s (line %d, column %d)", what, e->line, e->column);
}

/* Length of the JSON number (RFC 8259 grammar) at p[0..end), or 0 when p does not start one. */
static size_t number_len(const char *p, const char *end, bool *integer)
{
    const char *q = p;
    *integer = true;
    if (q < end && *q == '-') {
        q++;
    }
    if (q >= end || *q < '0' || *q > '9') {
        return 0;
    }
    if (*q == '0') {
        q++;
    } else {
        while (q < end && *q >= '0' && *q <= '9') {
            q++;
        }
    }
    if (q < end && *q == '.') {
        *integer = false;
        q++;
        if (q >= end || *q < '0' || *q > '9') {
            return 0;
        }
        while (q < end && *q >= '0' && *q <= '9') {
            q++;
        }
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        *integer = false;
        q++;
        if (q < end && (*q == '+' || *q == '-')) {
            q++;
        }
        if (q >= end || *q < '0' || *q > '9') {
            return 0;
        }
        while (q < end && *q >= '0' && *q <= '9') {
            q++;
        }
    }
    return (size_t)(q - p);
}

/* True when the integer text (JSON grammar, optional '-') does not fit in an int64. */
static bool integer_overflows(const char *p, size_t n)
{
    bool negative = *p == '-';
    p += negative;
    n -= negative;
    static const char max[] = "9223372036854775807", min[] = "9223372036854775808";
    return n > 19 || (n == 19 && memcmp(p, negative ? min : max, 19) > 0);
}

/* jansson refuses a whole document holding one integer beyond int64 or one real beyond double
 * ("mono_ms": 9223372036854775808, "wall_ms": 1e400). Every number field here is an integer in
 * a range, so a real number is refused by its field anyway: each real number and each integer
 * beyond int64 outside strings is overwritten, in a copy, by an empty object padded with spaces
 * to the same length ({   }), which jansson reads and the field's check refuses ("invalid
 * mono_ms"): the record is refused by itself, the batch goes on. An object is valid JSON only
 * where a value is, so no document that was not JSON becomes JSON, and lines and columns of
 * error words stay the same. Returns a malloc'ed copy, or NULL when nothing had to change. */
static char *neutralise_numbers(const char *body, size_t len)
{
    char *copy = NULL;
    size_t i = 0;
    while (i < len) {
        char c = body[i];
        if (c == '"') {
            for (i++; i < len && body[i] != '"'; i++) {
                i += body[i] == '\\' && i + 1 < len;
            }
            i++;
            continue;
        }
        bool integer = true;
        size_t n =
            (c == '-' || (c >= '0' && c <= '9')) ? number_len(body + i, body + len, &integer) : 0;
        char before = i ? body[i - 1] : ' ';
        bool glued = (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
                     (before >= '0' && before <= '9') || before == '.' || before == '-' ||
                     before == '+';
        if (n == 0 || glued) {
            i += n ? n : 1;
            continue;
        }
        if (!integer || integer_overflows(body + i, n)) {
            if (!copy) {
                copy = malloc(len);
                if (!copy) {
                    return NULL;
                }
                memcpy(copy, body, len);
            }
            memset(copy + i, ' ', n);
            copy[i] = '{';
            copy[i + n - 1] = '}';
        }
        i += n;
    }
    return copy;
}

/* The body as a JSON object, or NULL with words in why[cap]. "\u0000" inside strings is let
 * through here so that a record holding one is refused by itself (text() checks). */
static json_t *load(const char *body, size_t len, size_t max, char *why, size_t cap)
{
    if (!body || len == 0) {
        snprintf(why, cap, "empty body: a JSON object is expected");
        return NULL;
    }
    if (len > max) {
        snprintf(why, cap, "request body too large (at most %zu bytes)", max);
        return NULL;
    }
    json_error_t e;
    char *plain = neutralise_numbers(body, len);
    json_t *root =
        json_loadb(plain ? plain : body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
    free(plain);
    if (!root) {
        load_error(&e, why, cap);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        snprintf(why, cap, "a JSON object is expected");
        return NULL;
    }
    return root;
}

/* The first key of `o` not in `allowed` (NULL-terminated), or NULL. */
static const char *unknown_key(json_t *o, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0) {
            i++;
        }
        if (!allowed[i]) {
            return key;
        }
    }
    return NULL;
}

/* "unknown field "KEY"" with the key shown only when short and plain ASCII. */
static void unknown_words(const char *key, char *out, size_t cap)
{
    bool plain = strlen(key) <= 32;
    for (const char *c = key; plain && *c; c++) {
        plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                *c == '_' || *c == '-';
    }
    if (plain) {
        snprintf(out, cap, "unknown field \"%s\"", key);
    } else {
        snprintf(out, cap, "unknown field");
    }
}

static bool text(json_t *o, const char *key, bool required, char *out, size_t cap)
{
    json_t *v = json_object_get(o, key);
    out[0] = '\0';
    if (!v || json_is_null(v)) {
        return !required;
    }
    if (!json_is_string(v)) {
        return false;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len >= cap || strlen(s) != len || !borne_utf8_valid(s, len, NULL)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            return false;
        }
    }
    memcpy(out, s, len + 1);
    return !required || len > 0;
}

static bool integer(json_t *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

static bool token_ok(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_')) {
            return false;
        }
    }
    return n >= 16;
}

static const char *const enrol_keys[] = {"enrolment_token", "kiosk", "version", NULL};
static const char *const status_keys[] = {"version", "pending", "checkins", "last_scan_ms",
                                          "clock",   "wall_ms", NULL};
static const char *const record_keys[] = {
    "uuid",    "event_id",      "participant_id", "session_id", "direction",        "method",
    "outcome", "staff_id",      "code_hash",      "wall_ms",    "wall_recorded_ms", "mono_ms",
    "boot_id", "clock_trusted", "walk_in",        NULL};

borne_err borne_api_parse_enrol(const char *body, size_t len, char token[BORNE_API_TOKEN_MAX],
                                char name[BORNE_KIOSK_ID_MAX], char version[32])
{
    char why[128];
    json_t *root = load(body, len, BORNE_API_SMALL_BODY_MAX, why, sizeof(why));
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    bool ok = !unknown_key(root, enrol_keys) &&
              text(root, "enrolment_token", true, token, BORNE_API_TOKEN_MAX) && token_ok(token) &&
              text(root, "kiosk", false, name, BORNE_KIOSK_ID_MAX) &&
              text(root, "version", false, version, 32);
    json_decref(root);
    return ok ? BORNE_OK : BORNE_ERR_PARSE;
}

borne_err borne_api_parse_status(const char *body, size_t len, borne_kiosk_report *out)
{
    memset(out, 0, sizeof(*out));
    char why[128];
    json_t *root = load(body, len, BORNE_API_SMALL_BODY_MAX, why, sizeof(why));
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    bool ok = !unknown_key(root, status_keys) &&
              text(root, "version", false, out->version, sizeof(out->version)) &&
              integer(root, "pending", 0, INT64_MAX / 2, &out->pending) &&
              integer(root, "checkins", 0, INT64_MAX / 2, &out->checkins) &&
              integer(root, "last_scan_ms", 0, INT64_MAX / 2, &out->last_scan_ms) &&
              integer(root, "wall_ms", INT64_MIN / 2, INT64_MAX / 2, &out->wall_ms) &&
              text(root, "clock", true, out->clock, sizeof(out->clock)) &&
              (strcmp(out->clock, "untrusted") == 0 || strcmp(out->clock, "trusted") == 0 ||
               strcmp(out->clock, "corrected") == 0);
    json_decref(root);
    return ok ? BORNE_OK : BORNE_ERR_PARSE;
}

/* Latest wall time a record may carry: 2200-01-01 (a kiosk's clock may be far off, but not
 * that far; 0 is allowed: a Pi that booted in 1970 and was never corrected). */
#define WALL_MS_MAX 7258118400000LL

/* Parses one record into *c; on a bad field, writes why into reason[64] (naming the field,
 * never echoing its value). */
static void parse_record(json_t *o, borne_checkin_row *c, char reason[BORNE_API_REASON_MAX])
{
    int64_t v, method, outcome, wall, recorded, mono, pid, sid;
    char dir[8], hash[2 * BORNE_CODE_HASH_LEN + 1];
    const char *bad = NULL;
    reason[0] = '\0';
    const char *unknown = unknown_key(o, record_keys);
    if (unknown) {
        unknown_words(unknown, reason, BORNE_API_REASON_MAX);
        return;
    }
    json_t *trusted = json_object_get(o, "clock_trusted");
    if (!integer(o, "event_id", 1, UINT32_MAX, &v)) {
        bad = "event_id";
    } else if (!integer(o, "participant_id", 0, UINT32_MAX, &pid)) {
        bad = "participant_id";
    } else if (!integer(o, "session_id", 0, UINT32_MAX, &sid)) {
        bad = "session_id";
    } else if (!text(o, "direction", true, dir, sizeof(dir)) ||
               (strcmp(dir, "entry") != 0 && strcmp(dir, "exit") != 0)) {
        bad = "direction";
    } else if (!integer(o, "method", BORNE_METHOD_CAMERA, BORNE_METHOD_CLI, &method)) {
        bad = "method";
    } else if (!integer(o, "outcome", 0, BORNE_OUTCOME__COUNT - 1, &outcome)) {
        bad = "outcome";
    } else if (!text(o, "staff_id", false, c->staff_id, sizeof(c->staff_id))) {
        bad = "staff_id";
    } else if (!integer(o, "wall_ms", 0, WALL_MS_MAX, &wall)) {
        bad = "wall_ms";
    } else if (!integer(o, "wall_recorded_ms", 0, WALL_MS_MAX, &recorded)) {
        bad = "wall_recorded_ms";
    } else if (!integer(o, "mono_ms", 0, INT64_MAX / 2, &mono)) {
        bad = "mono_ms";
    } else if (!text(o, "boot_id", false, c->time.boot_id, sizeof(c->time.boot_id))) {
        bad = "boot_id";
    } else if (!json_is_boolean(trusted)) {
        bad = "clock_trusted";
    } else if (!text(o, "code_hash", false, hash, sizeof(hash))) {
        bad = "code_hash";
    }
    if (!bad && hash[0]) {
        size_t bin = 0;
        if (strlen(hash) != 2 * BORNE_CODE_HASH_LEN ||
            sodium_hex2bin(c->code_hash, BORNE_CODE_HASH_LEN, hash, strlen(hash), NULL, &bin,
                           NULL) != 0 ||
            bin != BORNE_CODE_HASH_LEN) {
            bad = "code_hash";
        }
        c->has_code_hash = true;
    }
    if (bad) {
        snprintf(reason, BORNE_API_REASON_MAX, "invalid %s", bad);
        return;
    }
    /* An accepted entry is an entry, an accepted exit an exit: the credits pair them by
     * direction, so a record saying otherwise would count wrongly. */
    bool exit = dir[1] == 'x';
    bool entry_outcome = outcome == BORNE_OUTCOME_ACCEPTED_ENTRY ||
                         outcome == BORNE_OUTCOME_ALREADY_IN ||
                         outcome == BORNE_OUTCOME_ADMITTED_BY_STAFF;
    bool exit_outcome = outcome == BORNE_OUTCOME_ACCEPTED_EXIT ||
                        outcome == BORNE_OUTCOME_EXIT_WITHOUT_ENTRY ||
                        outcome == BORNE_OUTCOME_ALREADY_OUT;
    if ((entry_outcome && exit) || (exit_outcome && !exit)) {
        snprintf(reason, BORNE_API_REASON_MAX, "%s", BORNE_REASON_DIRECTION);
        return;
    }
    c->event_id = (uint32_t)v;
    c->participant_id = (uint32_t)pid;
    c->session_id = (uint32_t)sid;
    c->direction = dir[1] == 'x' ? BORNE_EXIT : BORNE_ENTRY;
    c->method = (borne_method)method;
    c->outcome = (borne_outcome)outcome;
    c->time.wall_ms = wall;
    c->wall_recorded_ms = recorded;
    c->time.mono_ms = mono;
    c->time.trusted = json_is_true(trusted);
}

/* The optional "walk_in" record of a check-in: {name, organisation, sessions: [id]}. */
static bool parse_walkin(json_t *o, const borne_checkin_row *c, borne_push_walkin *w)
{
    json_t *v = json_object_get(o, "walk_in");
    if (!v || json_is_null(v)) {
        return true;
    }
    static const char *const keys[] = {"name", "organisation", "sessions", NULL};
    json_t *sessions = json_object_get(v, "sessions");
    if (!json_is_object(v) || unknown_key(v, keys) ||
        !text(v, "name", true, w->name, sizeof(w->name)) ||
        !text(v, "organisation", false, w->organisation, sizeof(w->organisation)) ||
        (sessions && (!json_is_array(sessions) || json_array_size(sessions) > 1)) ||
        !borne_walkin_id_parse(c->participant_id, NULL)) {
        return false;
    }
    if (json_array_size(sessions) == 1) {
        json_t *id = json_array_get(sessions, 0);
        if (!json_is_integer(id) || json_integer_value(id) < 1 ||
            json_integer_value(id) > UINT32_MAX) {
            return false;
        }
        w->session_id = (uint32_t)json_integer_value(id);
    }
    w->present = true;
    return true;
}

borne_err borne_api_parse_push_detail(const char *body, size_t len, borne_checkin_row **rows,
                                      char (**reasons)[BORNE_API_REASON_MAX],
                                      borne_push_walkin **walkins, size_t *count, char *why,
                                      size_t why_cap)
{
    *rows = NULL;
    *reasons = NULL;
    *walkins = NULL;
    *count = 0;
    json_t *root = load(body, len, BORNE_API_BODY_MAX, why, why_cap);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    static const char *const top[] = {"checkins", NULL};
    const char *unknown = unknown_key(root, top);
    json_t *arr = json_object_get(root, "checkins");
    size_t n = json_array_size(arr);
    if (unknown || !json_is_array(arr) || n > BORNE_PUSH_BATCH_MAX) {
        if (unknown) {
            unknown_words(unknown, why, why_cap);
        } else if (!json_is_array(arr)) {
            snprintf(why, why_cap, "\"checkins\" must be an array of records");
        } else {
            snprintf(why, why_cap, "%zu records: at most %d per batch", n, BORNE_PUSH_BATCH_MAX);
        }
        json_decref(root);
        return BORNE_ERR_PARSE;
    }
    borne_checkin_row *r = calloc(n ? n : 1, sizeof(*r));
    char(*rs)[BORNE_API_REASON_MAX] = calloc(n ? n : 1, sizeof(*rs));
    borne_push_walkin *w = calloc(n ? n : 1, sizeof(*w));
    if (!r || !rs || !w) {
        free(r);
        free(rs);
        free(w);
        json_decref(root);
        return BORNE_ERR_NOMEM;
    }
    borne_err err = BORNE_OK;
    for (size_t i = 0; i < n && !err; i++) {
        json_t *o = json_array_get(arr, i);
        /* Without a readable UUID a record cannot even be answered: the batch is bad. */
        if (!json_is_object(o) || !text(o, "uuid", true, r[i].uuid, sizeof(r[i].uuid)) ||
            !borne_uuid_valid(r[i].uuid)) {
            snprintf(why, why_cap,
                     "record %zu: \"uuid\" missing or not a lowercase UUID (the batch is refused "
                     "whole)",
                     i + 1);
            err = BORNE_ERR_PARSE;
            break;
        }
        parse_record(o, &r[i], rs[i]);
        if (!rs[i][0] && !parse_walkin(o, &r[i], &w[i])) {
            snprintf(rs[i], BORNE_API_REASON_MAX, "invalid walk_in");
            memset(&w[i], 0, sizeof(w[i]));
        }
    }
    json_decref(root);
    if (err) {
        free(r);
        free(rs);
        free(w);
        return err;
    }
    *rows = r;
    *reasons = rs;
    *walkins = w;
    *count = n;
    return BORNE_OK;
}

borne_err borne_api_parse_push_walkins(const char *body, size_t len, borne_checkin_row **rows,
                                       bool **valid, borne_push_walkin **walkins, size_t *count)
{
    char(*reasons)[BORNE_API_REASON_MAX] = NULL;
    char why[160];
    *valid = NULL;
    borne_err err =
        borne_api_parse_push_detail(body, len, rows, &reasons, walkins, count, why, sizeof(why));
    if (err) {
        return err;
    }
    bool *ok = calloc(*count ? *count : 1, sizeof(*ok));
    if (!ok) {
        free(*rows);
        free(*walkins);
        free(reasons);
        *rows = NULL;
        *walkins = NULL;
        *count = 0;
        return BORNE_ERR_NOMEM;
    }
    for (size_t i = 0; i < *count; i++) {
        ok[i] = reasons[i][0] == '\0';
    }
    free(reasons);
    *valid = ok;
    return BORNE_OK;
}

borne_err borne_api_parse_push(const char *body, size_t len, borne_checkin_row **rows, bool **valid,
                               size_t *count)
{
    borne_push_walkin *walkins = NULL;
    borne_err err = borne_api_parse_push_walkins(body, len, rows, valid, &walkins, count);
    free(walkins);
    return err;
}

/* ---- answers ---- */

static borne_err answer(borne_api_answer *out, int status, json_t *root)
{
    json_object_set_new(root, "server_time_ms", json_integer(now_ms()));
    out->status = status;
    out->body = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!out->body) {
        return BORNE_ERR_NOMEM;
    }
    out->len = strlen(out->body);
    return BORNE_OK;
}

static borne_err error(borne_api_answer *out, int status, const char *words)
{
    return answer(out, status, json_pack("{s:s}", "error", words));
}

/* 400 with the words of load(), or of `fallback` when the body is JSON but not as expected. */
static borne_err malformed(borne_api_answer *out, const borne_api_request *req, size_t max,
                           const char *fallback)
{
    char why[160];
    json_t *root = load(req->body, req->len, max, why, sizeof(why));
    if (root) {
        json_decref(root);
        snprintf(why, sizeof(why), "%s", fallback);
    }
    return error(out, 400, why);
}

static borne_err handle_enrol(struct borne_regdb *db, const borne_api_request *req,
                              borne_api_answer *out)
{
    char token[BORNE_API_TOKEN_MAX], name[BORNE_KIOSK_ID_MAX], version[32];
    if (borne_api_parse_enrol(req->body, req->len, token, name, version)) {
        return malformed(out, req, BORNE_API_SMALL_BODY_MAX,
                         "enrolment: \"enrolment_token\" required; \"kiosk\", \"version\" "
                         "optional; nothing else");
    }
    borne_reg_kiosk k;
    char api[BORNE_API_TOKEN_MAX];
    borne_err err = borne_regdb_enrol(db, token, name, version, &k, api);
    sodium_memzero(token, sizeof(token));
    if (err == BORNE_ERR_PERM) {
        LOG_WARN("enrolment refused (unknown, spent, expired or revoked token)");
        return error(out, 403, "enrolment token unknown, already used, expired or revoked");
    }
    if (err) {
        return error(out, 503, "registry storage unavailable");
    }
    LOG_INFO("kiosk %lld enrolled for event %u", (long long)k.id, k.event_id);
    err = answer(out, 200,
                 json_pack("{s:s, s:s, s:I, s:I}", "api_token", api, "kiosk", k.name, "event_id",
                           (json_int_t)k.event_id, "kiosk_number", (json_int_t)k.id));
    sodium_memzero(api, sizeof(api));
    return err;
}

static borne_err handle_status(struct borne_regdb *db, const borne_reg_kiosk *k,
                               const borne_api_request *req, borne_api_answer *out)
{
    borne_kiosk_report st;
    if (borne_api_parse_status(req->body, req->len, &st)) {
        return malformed(out, req, BORNE_API_SMALL_BODY_MAX,
                         "status: a field is missing, unknown or out of range (docs/protocol.md)");
    }
    if (borne_regdb_set_status(db, k, &st)) {
        return error(out, 503, "registry storage unavailable");
    }
    return answer(out, 200,
                  json_pack("{s:s, s:I, s:I}", "kiosk", k->name, "event_id",
                            (json_int_t)k->event_id, "kiosk_number", (json_int_t)k->id));
}

static borne_err handle_checkins(struct borne_regdb *db, const borne_reg_kiosk *k,
                                 const borne_api_request *req, borne_api_answer *out)
{
    borne_checkin_row *rows;
    char(*reasons)[BORNE_API_REASON_MAX];
    borne_push_walkin *walkins;
    size_t n;
    char why[160];
    borne_err err = borne_api_parse_push_detail(req->body, req->len, &rows, &reasons, &walkins, &n,
                                                why, sizeof(why));
    if (err == BORNE_ERR_NOMEM) {
        return err;
    }
    if (err) {
        LOG_INFO("kiosk %lld: check-in batch refused whole (malformed)", (long long)k->id);
        return error(out, 400, why);
    }
    borne_push_result *res = calloc(n ? n : 1, sizeof(*res));
    const char **refused = calloc(n ? n : 1, sizeof(*refused));
    if (!res || !refused) {
        free(res);
        free(refused);
        free(rows);
        free(reasons);
        free(walkins);
        return BORNE_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        refused[i] = reasons[i][0] ? reasons[i] : NULL;
    }
    err = borne_regdb_store_checkins(db, k, rows, refused, walkins, n, res);
    free(rows);
    free(refused);
    free(reasons);
    free(walkins);
    if (err) {
        free(res);
        return error(out, 503, "registry storage unavailable");
    }
    static const char *const names[] = {"stored", "duplicate", "refused"};
    json_t *arr = json_array();
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:s}", "uuid", res[i].uuid, "status", names[res[i].status]);
        if (res[i].reason[0]) {
            json_object_set_new(o, "reason", json_string(res[i].reason));
        }
        count[res[i].status]++;
        json_array_append_new(arr, o);
    }
    free(res);
    LOG_INFO("kiosk %lld pushed %zu check-ins (%zu new, %zu duplicate, %zu refused)",
             (long long)k->id, n, count[0], count[1], count[2]);
    return answer(out, 200, json_pack("{s:o}", "results", arr));
}

borne_err borne_api_parse_since(const char *text, size_t len, int64_t *since,
                                char epoch[BORNE_PULL_EPOCH_MAX + 1])
{
    *since = 0;
    epoch[0] = '\0';
    /* Digits (at most 18: no overflow), then optionally '.' and 1 to 32 lowercase hex digits;
     * nothing else, and no NUL inside (a decoded %00 makes the lengths differ). */
    size_t digits = 0;
    while (digits < len && text[digits] >= '0' && text[digits] <= '9') {
        digits++;
    }
    if (digits == 0 || digits > 18 || strnlen(text, len) != len) {
        return BORNE_ERR_PARSE;
    }
    size_t hex = 0;
    if (digits < len) {
        if (text[digits] != '.') {
            return BORNE_ERR_PARSE;
        }
        hex = len - digits - 1;
        if (hex < 1 || hex > BORNE_PULL_EPOCH_MAX) {
            return BORNE_ERR_PARSE;
        }
        for (size_t i = digits + 1; i < len; i++) {
            if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'))) {
                return BORNE_ERR_PARSE;
            }
        }
        memcpy(epoch, text + digits + 1, hex);
        epoch[hex] = '\0';
    }
    int64_t v = 0;
    for (size_t i = 0; i < digits; i++) {
        v = v * 10 + (text[i] - '0');
    }
    *since = v;
    return BORNE_OK;
}

static borne_err handle_roster(struct borne_regdb *db, const borne_reg_kiosk *k,
                               const borne_api_request *req, size_t page, borne_api_answer *out)
{
    int64_t since = 0;
    char epoch[BORNE_PULL_EPOCH_MAX + 1] = "";
    if (req->since && borne_api_parse_since(req->since, req->since_len, &since, epoch)) {
        return error(out, 400, "\"since\" must be a cursor from a previous answer");
    }
    char *text_body;
    size_t len;
    borne_err err =
        borne_regdb_pull_json(db, k->event_id, since, epoch, page, now_ms(), &text_body, &len);
    if (err == BORNE_ERR_NOMEM) {
        return err;
    }
    if (err) {
        return error(out, 503, "registry storage unavailable");
    }
    LOG_DBG("kiosk %lld pulled the roster after cursor %lld", (long long)k->id, (long long)since);
    out->status = 200;
    out->body = text_body;
    out->len = len;
    return BORNE_OK;
}

/* Content-Type "application/json", with parameters (charset) or not, any case. */
static bool content_is_json(const char *ctype)
{
    static const char want[] = "application/json";
    size_t n = sizeof(want) - 1;
    if (!ctype || strncasecmp(ctype, want, n) != 0) {
        return false;
    }
    return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ' || ctype[n] == '\t';
}

/* The checks a request's headers alone decide, in the documented order (docs/protocol.md): 404,
 * then the token (401), then 405 and 415. Answers into *out and returns true when one fails;
 * otherwise false, with the request's kiosk in *k (enrolment has none: its token is in the
 * body). */
static bool gate(struct borne_regdb *db, const borne_api_request *req, borne_reg_kiosk *k,
                 borne_err *err, borne_api_answer *out)
{
    *err = BORNE_OK;
    bool post = strcmp(req->method, "POST") == 0;
    bool get = strcmp(req->method, "GET") == 0;
    if (strcmp(req->path, "/v1/enrol") == 0) {
        if (!post) {
            *err = error(out, 405, "use POST");
        } else if (!content_is_json(req->content_type)) {
            *err = error(out, 415, "Content-Type must be application/json");
        } else {
            return false;
        }
        return true;
    }
    bool known = strcmp(req->path, "/v1/status") == 0 || strcmp(req->path, "/v1/checkins") == 0 ||
                 strcmp(req->path, "/v1/roster") == 0;
    if (!known) {
        *err = error(out, 404, "no such resource");
        return true;
    }
    /* One answer for a missing, malformed, unknown or revoked token: nothing tells them
     * apart (docs/protocol.md). */
    const char *auth = req->authorization;
    if (!auth || strncmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) >= BORNE_API_TOKEN_MAX ||
        !token_ok(auth + 7)) {
        *err = error(out, 401, "API token missing, unknown or revoked");
        return true;
    }
    borne_err found = borne_regdb_auth(db, auth + 7, k);
    if (found == BORNE_ERR_PERM) {
        *err = error(out, 401, "API token missing, unknown or revoked");
        return true;
    }
    if (found) {
        *err = error(out, 503, "registry storage unavailable");
        return true;
    }
    bool roster = strcmp(req->path, "/v1/roster") == 0;
    if (roster ? !get : !post) {
        *err = error(out, 405, roster ? "use GET" : "use POST");
        return true;
    }
    if (post && !content_is_json(req->content_type)) {
        *err = error(out, 415, "Content-Type must be application/json");
        return true;
    }
    return false;
}

borne_err borne_api_precheck(struct borne_regdb *db, const borne_api_request *req, bool *answered,
                             borne_api_answer *out)
{
    memset(out, 0, sizeof(*out));
    borne_reg_kiosk k;
    borne_err err;
    *answered = gate(db, req, &k, &err, out);
    return err;
}

borne_err borne_api_error(borne_api_answer *out, int status, const char *words)
{
    memset(out, 0, sizeof(*out));
    return error(out, status, words);
}

borne_err borne_api_handle(struct borne_regdb *db, const borne_api_request *req, size_t page,
                           borne_api_answer *out)
{
    memset(out, 0, sizeof(*out));
    borne_reg_kiosk k;
    borne_err err;
    if (gate(db, req, &k, &err, out)) {
        return err;
    }
    if (strcmp(req->path, "/v1/enrol") == 0) {
        return handle_enrol(db, req, out);
    }
    if (strcmp(req->path, "/v1/status") == 0) {
        return handle_status(db, &k, req, out);
    }
    if (strcmp(req->path, "/v1/checkins") == 0) {
        return handle_checkins(db, &k, req, out);
    }
    return handle_roster(db, &k, req, page ? page : BORNE_API_PAGE_DEFAULT, out);
}
