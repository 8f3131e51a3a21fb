/* The registry's API handlers (see api.h). Every field of every request is checked for type,
 * range and length before it reaches SQL, and SQL is parameterised only. */
#define LOG_MODULE "api"
#include "registry/api.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
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

static json_t *load(const char *body, size_t len, size_t max)
{
    if (!body || len == 0 || len > max) {
        return NULL;
    }
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (root && !json_is_object(root)) {
        json_decref(root);
        return NULL;
    }
    return root;
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

borne_err borne_api_parse_enrol(const char *body, size_t len, char token[BORNE_API_TOKEN_MAX],
                                char name[BORNE_KIOSK_ID_MAX], char version[32])
{
    json_t *root = load(body, len, BORNE_API_SMALL_BODY_MAX);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    bool ok = text(root, "enrolment_token", true, token, BORNE_API_TOKEN_MAX) && token_ok(token) &&
              text(root, "kiosk", false, name, BORNE_KIOSK_ID_MAX) &&
              text(root, "version", false, version, 32);
    json_decref(root);
    return ok ? BORNE_OK : BORNE_ERR_PARSE;
}

borne_err borne_api_parse_status(const char *body, size_t len, borne_kiosk_report *out)
{
    memset(out, 0, sizeof(*out));
    json_t *root = load(body, len, BORNE_API_SMALL_BODY_MAX);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    bool ok = text(root, "version", false, out->version, sizeof(out->version)) &&
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

static bool parse_record(json_t *o, borne_checkin_row *c)
{
    int64_t v, method, outcome, wall, recorded, mono, pid, sid;
    char dir[8], hash[2 * BORNE_CODE_HASH_LEN + 1];
    json_t *trusted = json_object_get(o, "clock_trusted");
    if (!integer(o, "event_id", 1, UINT32_MAX, &v) ||
        !integer(o, "participant_id", 0, UINT32_MAX, &pid) ||
        !integer(o, "session_id", 0, UINT32_MAX, &sid) ||
        !text(o, "direction", true, dir, sizeof(dir)) ||
        (strcmp(dir, "entry") != 0 && strcmp(dir, "exit") != 0) ||
        !integer(o, "method", BORNE_METHOD_CAMERA, BORNE_METHOD_CLI, &method) ||
        !integer(o, "outcome", 0, BORNE_OUTCOME__COUNT - 1, &outcome) ||
        !text(o, "staff_id", false, c->staff_id, sizeof(c->staff_id)) ||
        !integer(o, "wall_ms", 0, 7258118400000LL, &wall) ||
        !integer(o, "wall_recorded_ms", 0, 7258118400000LL, &recorded) ||
        !integer(o, "mono_ms", 0, INT64_MAX / 2, &mono) ||
        !text(o, "boot_id", false, c->time.boot_id, sizeof(c->time.boot_id)) ||
        !json_is_boolean(trusted) || !text(o, "code_hash", false, hash, sizeof(hash))) {
        return false;
    }
    if (hash[0]) {
        size_t bin = 0;
        if (strlen(hash) != 2 * BORNE_CODE_HASH_LEN ||
            sodium_hex2bin(c->code_hash, BORNE_CODE_HASH_LEN, hash, strlen(hash), NULL, &bin,
                           NULL) != 0 ||
            bin != BORNE_CODE_HASH_LEN) {
            return false;
        }
        c->has_code_hash = true;
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
    return true;
}

/* The optional "walk_in" record of a check-in: {name, organisation, sessions: [id]}. */
static bool parse_walkin(json_t *o, const borne_checkin_row *c, borne_push_walkin *w)
{
    json_t *v = json_object_get(o, "walk_in");
    if (!v || json_is_null(v)) {
        return true;
    }
    json_t *sessions = json_object_get(v, "sessions");
    if (!json_is_object(v) || !text(v, "name", true, w->name, sizeof(w->name)) ||
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

borne_err borne_api_parse_push(const char *body, size_t len, borne_checkin_row **rows, bool **valid,
                               size_t *count)
{
    borne_push_walkin *walkins = NULL;
    borne_err err = borne_api_parse_push_walkins(body, len, rows, valid, &walkins, count);
    free(walkins);
    return err;
}

borne_err borne_api_parse_push_walkins(const char *body, size_t len, borne_checkin_row **rows,
                                       bool **valid, borne_push_walkin **walkins, size_t *count)
{
    *rows = NULL;
    *valid = NULL;
    *walkins = NULL;
    *count = 0;
    json_t *root = load(body, len, BORNE_API_BODY_MAX);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    json_t *arr = json_object_get(root, "checkins");
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n > BORNE_PUSH_BATCH_MAX) {
        json_decref(root);
        return BORNE_ERR_PARSE;
    }
    borne_checkin_row *r = calloc(n ? n : 1, sizeof(*r));
    bool *ok = calloc(n ? n : 1, sizeof(*ok));
    borne_push_walkin *w = calloc(n ? n : 1, sizeof(*w));
    if (!r || !ok || !w) {
        free(r);
        free(ok);
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
            err = BORNE_ERR_PARSE;
            break;
        }
        ok[i] = parse_record(o, &r[i]) && parse_walkin(o, &r[i], &w[i]);
    }
    json_decref(root);
    if (err) {
        free(r);
        free(ok);
        free(w);
        return err;
    }
    *rows = r;
    *valid = ok;
    *walkins = w;
    *count = n;
    return BORNE_OK;
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

static borne_err handle_enrol(struct borne_regdb *db, const borne_api_request *req,
                              borne_api_answer *out)
{
    char token[BORNE_API_TOKEN_MAX], name[BORNE_KIOSK_ID_MAX], version[32];
    if (borne_api_parse_enrol(req->body, req->len, token, name, version)) {
        return error(out, 400, "malformed enrolment request");
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
        return error(out, 400, "malformed status");
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
    bool *valid;
    borne_push_walkin *walkins;
    size_t n;
    borne_err err = borne_api_parse_push_walkins(req->body, req->len, &rows, &valid, &walkins, &n);
    if (err == BORNE_ERR_NOMEM) {
        return err;
    }
    if (err) {
        return error(out, 400, "malformed check-in batch");
    }
    borne_push_result *res = calloc(n ? n : 1, sizeof(*res));
    if (!res) {
        free(rows);
        free(valid);
        free(walkins);
        return BORNE_ERR_NOMEM;
    }
    err = borne_regdb_store_checkins(db, k, rows, valid, walkins, n, res);
    free(rows);
    free(valid);
    free(walkins);
    if (err) {
        free(res);
        return error(out, 503, "registry storage unavailable");
    }
    static const char *const names[] = {"stored", "duplicate", "refused"};
    json_t *arr = json_array();
    size_t stored = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:s}", "uuid", res[i].uuid, "status", names[res[i].status]);
        if (res[i].reason[0]) {
            json_object_set_new(o, "reason", json_string(res[i].reason));
        }
        stored += res[i].status == BORNE_PUSH_STORED;
        json_array_append_new(arr, o);
    }
    free(res);
    LOG_INFO("kiosk %lld pushed %zu check-ins (%zu new)", (long long)k->id, n, stored);
    return answer(out, 200, json_pack("{s:o}", "results", arr));
}

static borne_err handle_roster(struct borne_regdb *db, const borne_reg_kiosk *k,
                               const borne_api_request *req, size_t page, borne_api_answer *out)
{
    int64_t since = 0;
    if (req->since) {
        char *end = NULL;
        long long v = strtoll(req->since, &end, 10);
        if (!req->since[0] || strlen(req->since) > 19 || *end || v < 0) {
            return error(out, 400, "\"since\" must be a cursor from a previous answer");
        }
        since = v;
    }
    char *text_body;
    size_t len;
    borne_err err = borne_regdb_pull_json(db, k->event_id, since, page, now_ms(), &text_body, &len);
    if (err == BORNE_ERR_NOMEM) {
        return err;
    }
    if (err) {
        return error(out, 503, "registry storage unavailable");
    }
    out->status = 200;
    out->body = text_body;
    out->len = len;
    return BORNE_OK;
}

borne_err borne_api_handle(struct borne_regdb *db, const borne_api_request *req, size_t page,
                           borne_api_answer *out)
{
    memset(out, 0, sizeof(*out));
    bool post = strcmp(req->method, "POST") == 0;
    bool get = strcmp(req->method, "GET") == 0;
    if (strcmp(req->path, "/v1/enrol") == 0) {
        return post ? handle_enrol(db, req, out) : error(out, 405, "use POST");
    }
    bool known = strcmp(req->path, "/v1/status") == 0 || strcmp(req->path, "/v1/checkins") == 0 ||
                 strcmp(req->path, "/v1/roster") == 0;
    if (!known) {
        return error(out, 404, "no such resource");
    }
    const char *auth = req->authorization;
    if (!auth || strncmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) >= BORNE_API_TOKEN_MAX ||
        !token_ok(auth + 7)) {
        return error(out, 401, "missing or malformed API token");
    }
    borne_reg_kiosk k;
    borne_err err = borne_regdb_auth(db, auth + 7, &k);
    if (err == BORNE_ERR_PERM) {
        return error(out, 401, "API token unknown or revoked");
    }
    if (err) {
        return error(out, 503, "registry storage unavailable");
    }
    if (strcmp(req->path, "/v1/status") == 0) {
        return post ? handle_status(db, &k, req, out) : error(out, 405, "use POST");
    }
    if (strcmp(req->path, "/v1/checkins") == 0) {
        return post ? handle_checkins(db, &k, req, out) : error(out, 405, "use POST");
    }
    return get ? handle_roster(db, &k, req, page ? page : BORNE_API_PAGE_DEFAULT, out)
               : error(out, 405, "use GET");
}
