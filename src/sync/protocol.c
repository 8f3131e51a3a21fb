/* The kiosk's side of the sync protocol: setup codes, push bodies, answer parsing (applying a
 * roster page is in apply.c; see protocol.h and docs/protocol.md).
 *
 * DESIGN: answers are parsed completely into plain structs and validated before anything
 * touches the store, so a malformed page changes nothing; a page and its cursor are then applied
 * in one transaction, so a crash between the two cannot skip or repeat changes. */
#define LOG_MODULE "sync"
#include "sync/protocol.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/credits.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "core/utf8.h"

/* ---- setup codes ---- */

static bool token_chars_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.')) {
            return false;
        }
    }
    return len > 0;
}

bool borne_url_allowed(const char *url)
{
    if (strncmp(url, "https://", 8) == 0) {
        return url[8] != '\0' && url[8] != '/';
    }
    static const char *const loopback[] = {"http://127.0.0.1", "http://localhost", "http://[::1]"};
    for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
        size_t n = strlen(loopback[i]);
        if (strncmp(url, loopback[i], n) == 0 &&
            (url[n] == '\0' || url[n] == ':' || url[n] == '/')) {
            return true;
        }
    }
    return false;
}

static bool url_chars_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>') {
            return false;
        }
    }
    return true;
}

borne_err borne_setup_parse(const char *text, size_t len, borne_setup *out)
{
    memset(out, 0, sizeof(*out));
    if (!text || len == 0 || len > BORNE_SETUP_MAX) {
        return BORNE_ERR_PARSE;
    }
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r')) {
        len--;
    }
    const char *fields[4];
    size_t flen[4], nf = 0;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && text[j] != ' ') {
            j++;
        }
        if (j == i || nf == 4) {
            return BORNE_ERR_PARSE; /* empty field (two spaces) or too many */
        }
        fields[nf] = text + i;
        flen[nf++] = j - i;
        i = j + 1;
        if (j < len && i == len) {
            return BORNE_ERR_PARSE; /* trailing space */
        }
    }
    size_t plen = strlen(BORNE_SETUP_PREFIX);
    if (nf < 3 || flen[0] != plen || memcmp(fields[0], BORNE_SETUP_PREFIX, plen) != 0) {
        return BORNE_ERR_PARSE;
    }
    if (flen[1] >= sizeof(out->url) || !url_chars_ok(fields[1], flen[1]) ||
        flen[2] >= sizeof(out->token) || !token_chars_ok(fields[2], flen[2])) {
        return BORNE_ERR_PARSE;
    }
    memcpy(out->url, fields[1], flen[1]);
    memcpy(out->token, fields[2], flen[2]);
    /* No trailing slash: paths are appended. */
    size_t ulen = flen[1];
    while (ulen > 0 && out->url[ulen - 1] == '/') {
        out->url[--ulen] = '\0';
    }
    if (nf == 4) {
        if (flen[3] >= sizeof(out->pin) || flen[3] < 9 || memcmp(fields[3], "sha256//", 8) != 0 ||
            !url_chars_ok(fields[3], flen[3])) {
            return BORNE_ERR_PARSE;
        }
        memcpy(out->pin, fields[3], flen[3]);
    }
    if (!borne_url_allowed(out->url)) {
        return BORNE_ERR_INVALID;
    }
    return BORNE_OK;
}

/* ---- walk-in ids ---- */

uint32_t borne_walkin_id(int64_t kiosk_number, uint32_t seq)
{
    if (seq < 1 || seq > BORNE_WALKIN_SEQ_MAX || kiosk_number < 0) {
        return 0;
    }
    uint32_t bits = (uint32_t)(kiosk_number % BORNE_WALKIN_KIOSK_MOD);
    return BORNE_WALKIN_ID_BASE + (bits << 16) + seq;
}

bool borne_walkin_id_parse(uint32_t id, uint32_t *kiosk_bits)
{
    if (id < BORNE_WALKIN_ID_BASE || (id & 0xFFFFu) == 0) {
        return false;
    }
    if (kiosk_bits) {
        *kiosk_bits = (id - BORNE_WALKIN_ID_BASE) >> 16;
    }
    return true;
}

/* ---- JSON helpers ---- */

static json_t *load(const char *json, size_t len)
{
    if (!json || len == 0 || len > BORNE_ANSWER_MAX) {
        return NULL;
    }
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    if (root && !json_is_object(root)) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static bool get_i64(json_t *obj, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

static bool get_u32(json_t *obj, const char *key, uint32_t *out)
{
    int64_t v;
    if (!get_i64(obj, key, 1, UINT32_MAX, &v)) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* A text field: valid UTF-8, no control characters, shorter than cap. */
static bool get_text(json_t *obj, const char *key, bool required, char *out, size_t cap)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        out[0] = '\0';
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

static bool get_bool(json_t *obj, const char *key, bool dflt, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = dflt;
        return true;
    }
    if (!json_is_boolean(v)) {
        return false;
    }
    *out = json_is_true(v);
    return true;
}

static bool server_time(json_t *root, int64_t *out)
{
    /* Between 2000 and 2200: a registry's clock is trusted, but not a nonsense value. */
    return get_i64(root, "server_time_ms", 946684800000LL, 7258118400000LL, out);
}

static bool hex16(const char *s, uint8_t out[BORNE_CODE_HASH_LEN])
{
    size_t bin_len = 0;
    if (!s || strlen(s) != 2 * BORNE_CODE_HASH_LEN) {
        return false;
    }
    return sodium_hex2bin(out, BORNE_CODE_HASH_LEN, s, 2 * BORNE_CODE_HASH_LEN, NULL, &bin_len,
                          NULL) == 0 &&
           bin_len == BORNE_CODE_HASH_LEN;
}

/* ---- answers ---- */

borne_err borne_proto_parse_time(const char *json, size_t len, int64_t *server_time_ms)
{
    json_t *root = load(json, len);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    bool ok = server_time(root, server_time_ms);
    json_decref(root);
    return ok ? BORNE_OK : BORNE_ERR_PARSE;
}

/* The optional "kiosk_number" of enrolment and status answers (registries before it: 0). */
static bool kiosk_number(json_t *root, int64_t *out)
{
    *out = 0;
    json_t *v = json_object_get(root, "kiosk_number");
    return !v || get_i64(root, "kiosk_number", 1, INT64_MAX / 2, out);
}

borne_err borne_proto_parse_enrol(const char *json, size_t len, borne_enrol_answer *out)
{
    memset(out, 0, sizeof(*out));
    json_t *root = load(json, len);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    bool ok = get_text(root, "api_token", true, out->api_token, sizeof(out->api_token)) &&
              token_chars_ok(out->api_token, strlen(out->api_token)) &&
              get_text(root, "kiosk", true, out->kiosk_name, sizeof(out->kiosk_name)) &&
              get_u32(root, "event_id", &out->event_id) && kiosk_number(root, &out->kiosk_number) &&
              server_time(root, &out->server_time_ms);
    json_decref(root);
    return ok ? BORNE_OK : BORNE_ERR_PARSE;
}

borne_err borne_proto_parse_status(const char *json, size_t len, int64_t *server_time_ms,
                                   int64_t *number)
{
    *number = 0;
    json_t *root = load(json, len);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    bool ok = server_time(root, server_time_ms) && kiosk_number(root, number);
    json_decref(root);
    return ok ? BORNE_OK : BORNE_ERR_PARSE;
}

borne_err borne_proto_parse_push(const char *json, size_t len, int64_t *server_time_ms,
                                 borne_push_result **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    json_t *root = load(json, len);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    json_t *results = json_object_get(root, "results");
    if (!server_time(root, server_time_ms) || !json_is_array(results) ||
        json_array_size(results) > BORNE_PUSH_BATCH_MAX) {
        json_decref(root);
        return BORNE_ERR_PARSE;
    }
    size_t n = json_array_size(results);
    borne_push_result *r = calloc(n ? n : 1, sizeof(*r));
    if (!r) {
        json_decref(root);
        return BORNE_ERR_NOMEM;
    }
    borne_err err = BORNE_OK;
    for (size_t i = 0; i < n && !err; i++) {
        json_t *o = json_array_get(results, i);
        char status[16];
        if (!json_is_object(o) || !get_text(o, "uuid", true, r[i].uuid, sizeof(r[i].uuid)) ||
            !borne_uuid_valid(r[i].uuid) || !get_text(o, "status", true, status, sizeof(status)) ||
            !get_text(o, "reason", false, r[i].reason, sizeof(r[i].reason))) {
            err = BORNE_ERR_PARSE;
        } else if (strcmp(status, "stored") == 0) {
            r[i].status = BORNE_PUSH_STORED;
        } else if (strcmp(status, "duplicate") == 0) {
            r[i].status = BORNE_PUSH_DUPLICATE;
        } else if (strcmp(status, "refused") == 0) {
            r[i].status = BORNE_PUSH_REFUSED;
        } else {
            err = BORNE_ERR_PARSE;
        }
    }
    json_decref(root);
    if (err) {
        free(r);
        return err;
    }
    *out = r;
    *count = n;
    return BORNE_OK;
}

borne_err borne_proto_push_body(const borne_checkin_row *rows, size_t count, char **out,
                                size_t *len)
{
    return borne_proto_push_body_walkins(rows, NULL, count, out, len);
}

borne_err borne_proto_push_body_walkins(const borne_checkin_row *rows,
                                        const borne_push_walkin *walkins, size_t count, char **out,
                                        size_t *len)
{
    *out = NULL;
    *len = 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        const borne_checkin_row *c = &rows[i];
        char hash[2 * BORNE_CODE_HASH_LEN + 1] = "";
        if (c->has_code_hash) {
            sodium_bin2hex(hash, sizeof(hash), c->code_hash, BORNE_CODE_HASH_LEN);
        }
        json_t *o =
            json_pack("{s:s, s:I, s:I, s:I, s:s, s:i, s:i, s:s, s:I, s:I, s:I, s:s, s:b}", "uuid",
                      c->uuid, "event_id", (json_int_t)c->event_id, "participant_id",
                      (json_int_t)c->participant_id, "session_id", (json_int_t)c->session_id,
                      "direction", c->direction == BORNE_EXIT ? "exit" : "entry", "method",
                      (int)c->method, "outcome", (int)c->outcome, "staff_id", c->staff_id,
                      "wall_ms", (json_int_t)c->time.wall_ms, "wall_recorded_ms",
                      (json_int_t)c->wall_recorded_ms, "mono_ms", (json_int_t)c->time.mono_ms,
                      "boot_id", c->time.boot_id, "clock_trusted", c->time.trusted);
        if (!o) {
            json_decref(arr);
            return BORNE_ERR_INVALID;
        }
        json_object_set_new(o, "code_hash", hash[0] ? json_string(hash) : json_null());
        if (walkins && walkins[i].present) {
            const borne_push_walkin *w = &walkins[i];
            json_t *sessions = json_array();
            if (w->session_id) {
                json_array_append_new(sessions, json_integer((json_int_t)w->session_id));
            }
            json_t *wo = json_pack("{s:s, s:s, s:o}", "name", w->name, "organisation",
                                   w->organisation, "sessions", sessions);
            if (!wo) {
                json_decref(o);
                json_decref(arr);
                return BORNE_ERR_INVALID; /* not UTF-8: the store holds sanitised text */
            }
            json_object_set_new(o, "walk_in", wo);
        }
        json_array_append_new(arr, o);
    }
    json_t *root = json_pack("{s:o}", "checkins", arr);
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!text) {
        return BORNE_ERR_NOMEM;
    }
    *out = text;
    *len = strlen(text);
    return BORNE_OK;
}

/* ---- roster pull ---- */

void borne_pull_free(borne_pull *pull)
{
    if (!pull) {
        return;
    }
    free(pull->sessions);
    free(pull->deleted_sessions);
    free(pull->participants);
    free(pull->deleted_participants);
    free(pull->keys);
    free(pull->revoked);
    free(pull->unrevoked);
    free(pull);
}

static json_t *array_of(json_t *root, const char *key, size_t max, bool *ok)
{
    json_t *v = json_object_get(root, key);
    if (!v) {
        return NULL;
    }
    if (!json_is_array(v) || json_array_size(v) > max) {
        *ok = false;
        return NULL;
    }
    return v;
}

static bool parse_event(json_t *o, uint32_t event_id, borne_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    int64_t starts, ends;
    if (!json_is_object(o) || !get_u32(o, "id", &ev->id) || ev->id != event_id ||
        !get_text(o, "name", true, ev->name, sizeof(ev->name)) ||
        !get_text(o, "timezone", true, ev->timezone, sizeof(ev->timezone)) ||
        !borne_timezone_valid(ev->timezone) || !get_i64(o, "starts", 0, INT32_MAX * 4LL, &starts) ||
        !get_i64(o, "ends", 0, INT32_MAX * 4LL, &ends) || ends <= starts) {
        return false;
    }
    ev->starts = starts;
    ev->ends = ends;
    return true;
}

static bool parse_session(json_t *o, uint32_t event_id, borne_session *s)
{
    memset(s, 0, sizeof(*s));
    s->event_id = event_id;
    int64_t starts, ends, minutes, before, after;
    char rule[64];
    if (!json_is_object(o) || !get_u32(o, "id", &s->id) ||
        !get_text(o, "code", false, s->code, sizeof(s->code)) ||
        !get_text(o, "title", true, s->title, sizeof(s->title)) ||
        !get_text(o, "room", false, s->room, sizeof(s->room)) ||
        !get_i64(o, "starts", 0, INT32_MAX * 4LL, &starts) ||
        !get_i64(o, "ends", 0, INT32_MAX * 4LL, &ends) || ends <= starts ||
        !get_i64(o, "credit_minutes", 0, 6000, &minutes) ||
        !get_text(o, "credit_rule", true, rule, sizeof(rule)) ||
        borne_credit_rule_parse(rule, (int32_t)minutes, &s->rule) ||
        !get_i64(o, "open_before_s", 0, 86400, &before) ||
        !get_i64(o, "close_after_s", 0, 86400, &after) ||
        !get_bool(o, "requires_registration", true, &s->requires_registration)) {
        return false;
    }
    s->starts = starts;
    s->ends = ends;
    s->open_before_s = (int32_t)before;
    s->close_after_s = (int32_t)after;
    return true;
}

static bool parse_participant(json_t *o, uint32_t event_id, borne_pull_participant *pp)
{
    memset(pp, 0, sizeof(*pp));
    pp->p.event_id = event_id;
    int64_t status;
    json_t *sessions = json_object_get(o, "sessions");
    if (!json_is_object(o) || !get_u32(o, "id", &pp->p.id) ||
        !get_text(o, "name", true, pp->p.display_name, sizeof(pp->p.display_name)) ||
        !get_text(o, "organisation", false, pp->p.organisation, sizeof(pp->p.organisation)) ||
        !get_bool(o, "member", false, &pp->p.member) ||
        !get_i64(o, "status", BORNE_REG_NONE, BORNE_REG_NEEDS_ATTENTION, &status) ||
        !get_text(o, "code", false, pp->code, sizeof(pp->code)) ||
        !get_text(o, "badge", false, pp->badge, sizeof(pp->badge)) ||
        (sessions &&
         (!json_is_array(sessions) || json_array_size(sessions) > BORNE_REGISTRATIONS_MAX))) {
        return false;
    }
    pp->p.status = (borne_reg_status)status;
    size_t i;
    json_t *v;
    json_array_foreach(sessions, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > UINT32_MAX) {
            return false;
        }
        pp->sessions[pp->nsessions++] = (uint32_t)json_integer_value(v);
    }
    return true;
}

static bool parse_ids(json_t *arr, uint32_t **out, size_t *count)
{
    size_t n = json_array_size(arr);
    if (n == 0) {
        return true;
    }
    *out = calloc(n, sizeof(**out));
    if (!*out) {
        return false;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > UINT32_MAX) {
            return false;
        }
        (*out)[i] = (uint32_t)json_integer_value(v);
    }
    *count = n;
    return true;
}

static bool parse_hashes(json_t *arr, uint8_t (**out)[BORNE_CODE_HASH_LEN], size_t *count)
{
    size_t n = json_array_size(arr);
    if (n == 0) {
        return true;
    }
    *out = calloc(n, sizeof(**out));
    if (!*out) {
        return false;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || !hex16(json_string_value(v), (*out)[i])) {
            return false;
        }
    }
    *count = n;
    return true;
}

static bool parse_keys(json_t *arr, borne_pull *pull)
{
    size_t n = json_array_size(arr);
    if (n == 0) {
        return true;
    }
    pull->keys = calloc(n, sizeof(*pull->keys));
    if (!pull->keys) {
        return false;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        int64_t id;
        char b64[64];
        size_t bin_len = 0;
        if (!json_is_object(v) || !get_i64(v, "key_id", 0, 65535, &id) ||
            !get_text(v, "public_key", true, b64, sizeof(b64)) ||
            sodium_base642bin(pull->keys[i].key, 32, b64, strlen(b64), NULL, &bin_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            bin_len != 32) {
            return false;
        }
        pull->keys[i].key_id = (uint16_t)id;
    }
    pull->nkeys = n;
    return true;
}

/* A roster epoch: "" or 1 to BORNE_PULL_EPOCH_MAX lowercase hex digits (it goes back into a
 * URL). */
static bool epoch_ok(const char *e)
{
    for (const char *c = e; *c; c++) {
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))) {
            return false;
        }
    }
    return true;
}

borne_err borne_proto_parse_pull(const char *json, size_t len, uint32_t event_id, borne_pull **out)
{
    *out = NULL;
    json_t *root = load(json, len);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    borne_pull *pull = calloc(1, sizeof(*pull));
    if (!pull) {
        json_decref(root);
        return BORNE_ERR_NOMEM;
    }
    bool ok = server_time(root, &pull->server_time_ms) &&
              get_i64(root, "cursor", 0, INT64_MAX, &pull->cursor) &&
              get_bool(root, "more", false, &pull->more) &&
              get_bool(root, "reset", false, &pull->reset) &&
              get_text(root, "epoch", false, pull->epoch, sizeof(pull->epoch)) &&
              epoch_ok(pull->epoch);
    json_t *ev = json_object_get(root, "event");
    if (ok && ev && !json_is_null(ev)) {
        ok = parse_event(ev, event_id, &pull->event);
        pull->has_event = ok;
    }
    json_t *sessions = array_of(root, "sessions", BORNE_PULL_PAGE_MAX, &ok);
    json_t *participants = array_of(root, "participants", BORNE_PULL_PAGE_MAX, &ok);
    json_t *dsess = array_of(root, "deleted_sessions", BORNE_PULL_PAGE_MAX, &ok);
    json_t *dpart = array_of(root, "deleted_participants", BORNE_PULL_PAGE_MAX, &ok);
    json_t *keys = array_of(root, "keys", 1024, &ok);
    json_t *revoked = array_of(root, "revoked", BORNE_PULL_PAGE_MAX, &ok);
    json_t *unrevoked = array_of(root, "unrevoked", BORNE_PULL_PAGE_MAX, &ok);
    if (ok && json_array_size(sessions)) {
        pull->sessions = calloc(json_array_size(sessions), sizeof(*pull->sessions));
        ok = pull->sessions != NULL;
        for (size_t i = 0; ok && i < json_array_size(sessions); i++) {
            ok = parse_session(json_array_get(sessions, i), event_id, &pull->sessions[i]);
            pull->nsessions = i + 1;
        }
    }
    if (ok && json_array_size(participants)) {
        pull->participants = calloc(json_array_size(participants), sizeof(*pull->participants));
        ok = pull->participants != NULL;
        for (size_t i = 0; ok && i < json_array_size(participants); i++) {
            ok = parse_participant(json_array_get(participants, i), event_id,
                                   &pull->participants[i]);
            pull->nparticipants = i + 1;
        }
    }
    ok = ok && parse_ids(dsess, &pull->deleted_sessions, &pull->ndeleted_sessions) &&
         parse_ids(dpart, &pull->deleted_participants, &pull->ndeleted_participants) &&
         parse_keys(keys, pull) && parse_hashes(revoked, &pull->revoked, &pull->nrevoked) &&
         parse_hashes(unrevoked, &pull->unrevoked, &pull->nunrevoked);
    json_decref(root);
    if (!ok) {
        borne_pull_free(pull);
        return BORNE_ERR_PARSE;
    }
    *out = pull;
    return BORNE_OK;
}

bool borne_pull_changes_roster(const borne_pull *pull)
{
    return pull->reset || pull->has_event || pull->nsessions || pull->ndeleted_sessions ||
           pull->nparticipants || pull->ndeleted_participants || pull->nkeys || pull->nrevoked ||
           pull->nunrevoked;
}
