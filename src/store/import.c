/* Event and roster imports (formats in docs/formats.md).
 *
 * DESIGN: each import runs inside one IMMEDIATE transaction and rolls back on the first bad
 * row, so a file is either wholly imported or not at all. Only the fields a door needs are
 * kept: extra columns (e-mail, phone, allergies...) are ignored, never stored. */
#define LOG_MODULE "import"
#include "store/import.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/csv.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "store/sqlutil.h"
#include "store/store.h"

#define MAX_SESSIONS_PER_PARTICIPANT 128

static borne_err fail(char *msg, size_t cap, borne_err err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static borne_err fail(char *msg, size_t cap, borne_err err, const char *fmt, ...)
{
    if (msg && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return err;
}

borne_err borne_read_file(const char *path, size_t cap, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        return errno == ENOENT ? BORNE_ERR_NOT_FOUND
                               : (errno == EACCES ? BORNE_ERR_PERM : BORNE_ERR_IO);
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return BORNE_ERR_IO;
    }
    if ((uint64_t)sb.st_size > cap) {
        fclose(f);
        return BORNE_ERR_TOO_LARGE;
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    if (!buf) {
        fclose(f);
        return BORNE_ERR_NOMEM;
    }
    size_t n = fread(buf, 1, (size_t)sb.st_size, f);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(buf);
        return BORNE_ERR_IO;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return BORNE_OK;
}

/* A text field: valid UTF-8, no control characters (but line breaks and tabs when
 * `breaks_ok`), within the cap. */
static bool clean_text(const char *s, size_t cap, bool breaks_ok)
{
    size_t len = strlen(s);
    if (len >= cap || !borne_utf8_valid(s, len, NULL)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        bool is_break = s[i] == '\n' || s[i] == '\r' || s[i] == '\t';
        if (((unsigned char)s[i] < 0x20 && !(breaks_ok && is_break)) || s[i] == 0x7f) {
            return false;
        }
    }
    return true;
}

/* ---- Event JSON ---- */

static const char *json_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool json_u32(json_t *obj, const char *key, uint32_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > (json_int_t)UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)json_integer_value(v);
    return true;
}

/* Reads an optional integer in [lo, hi]; absent keeps *out. */
static bool json_opt_int(json_t *obj, const char *key, long lo, long hi, int32_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        return true;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        return false;
    }
    *out = (int32_t)json_integer_value(v);
    return true;
}

static borne_err parse_time(const char *text, const char *tz, bool end_of_day, int64_t *out)
{
    borne_err err = borne_time_parse(text, tz, out);
    if (!err && end_of_day && strlen(text) == 10) {
        *out += 24 * 3600;
    }
    return err;
}

static borne_err import_session(struct borne_store *store, const borne_event *ev, json_t *js,
                                size_t index, char *msg, size_t cap)
{
    borne_session s = {.event_id = ev->id,
                       .open_before_s = 1800,
                       .close_after_s = 1800,
                       .requires_registration = true};
    if (!json_is_object(js) || !json_u32(js, "id", &s.id)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "sessions[%zu]: \"id\" must be a positive integer",
                    index);
    }
    const char *title = json_str(js, "title");
    const char *code = json_str(js, "code");
    const char *room = json_str(js, "room");
    if (!title || !title[0] || !clean_text(title, sizeof(s.title), false) ||
        (code && !clean_text(code, sizeof(s.code), false)) ||
        (room && !clean_text(room, sizeof(s.room), false))) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "sessions[%zu]: \"title\" is required; title, code and room must be short "
                    "UTF-8 text",
                    index);
    }
    snprintf(s.title, sizeof(s.title), "%s", title);
    snprintf(s.code, sizeof(s.code), "%s", code ? code : "");
    snprintf(s.room, sizeof(s.room), "%s", room ? room : "");
    const char *starts = json_str(js, "starts");
    const char *ends = json_str(js, "ends");
    if (!starts || !ends || parse_time(starts, ev->timezone, false, &s.starts) ||
        parse_time(ends, ev->timezone, false, &s.ends) || s.ends <= s.starts) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "sessions[%zu]: \"starts\" and \"ends\" must be ISO 8601 times, ends after "
                    "starts",
                    index);
    }
    json_t *hours = json_object_get(js, "credit_hours");
    int32_t credit_minutes = 0;
    if (hours) {
        if (!json_is_number(hours) || json_number_value(hours) < 0 ||
            json_number_value(hours) > 100) {
            return fail(msg, cap, BORNE_ERR_PARSE,
                        "sessions[%zu]: \"credit_hours\" must be a number from 0 to 100", index);
        }
        credit_minutes = (int32_t)(json_number_value(hours) * 60 + 0.5);
    }
    const char *rule = json_str(js, "credit_rule");
    if (borne_credit_rule_parse(rule ? rule : "threshold:800", credit_minutes, &s.rule)) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "sessions[%zu]: \"credit_rule\" must be \"threshold:PERMILLE\" or "
                    "\"proportional:STEP[:PERMILLE]\"",
                    index);
    }
    int32_t before = 30, after = 30;
    if (!json_opt_int(js, "open_before_minutes", 0, 24 * 60, &before) ||
        !json_opt_int(js, "close_after_minutes", 0, 24 * 60, &after)) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "sessions[%zu]: open_before_minutes and close_after_minutes must be 0 to 1440",
                    index);
    }
    s.open_before_s = before * 60;
    s.close_after_s = after * 60;
    json_t *req = json_object_get(js, "requires_registration");
    if (req) {
        if (!json_is_boolean(req)) {
            return fail(msg, cap, BORNE_ERR_PARSE,
                        "sessions[%zu]: \"requires_registration\" must be true or false", index);
        }
        s.requires_registration = json_is_true(req);
    }
    borne_err err = borne_store_put_session(store, &s);
    if (err) {
        return fail(msg, cap, err, "sessions[%zu]: cannot store session %u: %s", index, s.id,
                    borne_strerror(err));
    }
    return BORNE_OK;
}

static borne_err import_event(struct borne_store *store, json_t *root, borne_import_result *res,
                              char *msg, size_t cap)
{
    borne_event ev;
    memset(&ev, 0, sizeof(ev));
    if (!json_is_object(root) || !json_u32(root, "id", &ev.id)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "event: \"id\" must be a positive integer");
    }
    const char *name = json_str(root, "name");
    if (!name || !name[0] || !clean_text(name, sizeof(ev.name), false)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "event: \"name\" is required (short UTF-8 text)");
    }
    snprintf(ev.name, sizeof(ev.name), "%s", name);
    const char *tz = json_str(root, "timezone");
    if (!tz) {
        tz = BORNE_DEFAULT_TIMEZONE;
    }
    if (!borne_timezone_valid(tz) || strlen(tz) >= sizeof(ev.timezone)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "event: unknown time zone");
    }
    snprintf(ev.timezone, sizeof(ev.timezone), "%s", tz);
    const char *starts = json_str(root, "starts");
    const char *ends = json_str(root, "ends");
    if (!starts || !ends || parse_time(starts, tz, false, &ev.starts) ||
        parse_time(ends, tz, true, &ev.ends) || ev.ends <= ev.starts) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "event: \"starts\" and \"ends\" must be dates or ISO 8601 times, ends after "
                    "starts");
    }
    borne_err err = borne_store_put_event(store, &ev);
    if (err) {
        return fail(msg, cap, err, "event: cannot store: %s", borne_strerror(err));
    }
    json_t *sessions = json_object_get(root, "sessions");
    if (sessions && !json_is_array(sessions)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "event: \"sessions\" must be a list");
    }
    size_t i;
    json_t *js;
    json_array_foreach(sessions, i, js)
    {
        err = import_session(store, &ev, js, i, msg, cap);
        if (err) {
            return err;
        }
        res->sessions++;
    }
    res->event_id = ev.id;
    return BORNE_OK;
}

static json_t *load_json(const char *json, size_t len, char *msg, size_t cap)
{
    if (len > BORNE_IMPORT_MAX_BYTES) {
        fail(msg, cap, BORNE_ERR_TOO_LARGE, "file too large");
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        fail(msg, cap, BORNE_ERR_PARSE, "JSON line %d, column %d: %s", jerr.line, jerr.column,
             jerr.text);
    }
    return root;
}

borne_err borne_import_event_json(struct borne_store *store, const char *json, size_t len,
                                  borne_import_result *res, char *msg, size_t msg_cap)
{
    memset(res, 0, sizeof(*res));
    json_t *root = load_json(json, len, msg, msg_cap);
    if (!root) {
        return len > BORNE_IMPORT_MAX_BYTES ? BORNE_ERR_TOO_LARGE : BORNE_ERR_PARSE;
    }
    borne_err err = borne_store_begin(store);
    if (!err) {
        err = import_event(store, root, res, msg, msg_cap);
        err = borne_sql_finish(borne_store_sql(store), err);
    }
    if (err) {
        memset(res, 0, sizeof(*res));
    }
    json_decref(root);
    return err;
}

/* ---- Roster ---- */

/* What one roster row says, before it is stored. */
struct roster_row {
    borne_participant p;
    bool has_code; /* the file has a code column: an empty cell removes the code */
    char code[128];
    uint32_t sessions[MAX_SESSIONS_PER_PARTICIPANT];
    size_t nsessions;
};

struct roster_ctx {
    struct borne_store *store;
    uint32_t event_id;
    borne_session *sessions; /* the event's sessions, to resolve ids and codes */
    size_t nsessions;
    borne_import_result *res;
    uint32_t *seen; /* open-addressing set of ids in this file (0 = empty slot) */
    size_t seen_cap;
    size_t seen_count;
};

/* Adds `id` to the set of ids seen in this file; false if it was already there. */
static borne_err seen_add(struct roster_ctx *ctx, uint32_t id, bool *fresh)
{
    if ((ctx->seen_count + 1) * 2 > ctx->seen_cap) {
        size_t cap = ctx->seen_cap ? ctx->seen_cap * 2 : 1024;
        uint32_t *grown = calloc(cap, sizeof(*grown));
        if (!grown) {
            return BORNE_ERR_NOMEM;
        }
        for (size_t i = 0; i < ctx->seen_cap; i++) {
            uint32_t v = ctx->seen[i];
            if (v) {
                size_t h = (v * 2654435761u) & (cap - 1);
                while (grown[h]) {
                    h = (h + 1) & (cap - 1);
                }
                grown[h] = v;
            }
        }
        free(ctx->seen);
        ctx->seen = grown;
        ctx->seen_cap = cap;
    }
    size_t h = (id * 2654435761u) & (ctx->seen_cap - 1);
    while (ctx->seen[h]) {
        if (ctx->seen[h] == id) {
            *fresh = false;
            return BORNE_OK;
        }
        h = (h + 1) & (ctx->seen_cap - 1);
    }
    ctx->seen[h] = id;
    ctx->seen_count++;
    *fresh = true;
    return BORNE_OK;
}

static bool parse_bool_word(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "oui", "o", "y", "x", "membre", "member"};
    static const char *const no[] = {"", "0", "false", "no", "non", "n", "-"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_status_word(const char *s, borne_reg_status *out)
{
    static const struct {
        const char *word;
        borne_reg_status status;
    } words[] = {
        {"", BORNE_REG_CONFIRMED},
        {"confirmed", BORNE_REG_CONFIRMED},
        {"confirmé", BORNE_REG_CONFIRMED},
        {"confirmée", BORNE_REG_CONFIRMED},
        {"confirme", BORNE_REG_CONFIRMED},
        {"inscrit", BORNE_REG_CONFIRMED},
        {"inscrite", BORNE_REG_CONFIRMED},
        {"cancelled", BORNE_REG_CANCELLED},
        {"canceled", BORNE_REG_CANCELLED},
        {"annulé", BORNE_REG_CANCELLED},
        {"annulée", BORNE_REG_CANCELLED},
        {"annule", BORNE_REG_CANCELLED},
        {"attention", BORNE_REG_NEEDS_ATTENTION},
        {"needs_attention", BORNE_REG_NEEDS_ATTENTION},
        {"accueil", BORNE_REG_NEEDS_ATTENTION},
        {"à vérifier", BORNE_REG_NEEDS_ATTENTION},
        {"a verifier", BORNE_REG_NEEDS_ATTENTION},
        {"none", BORNE_REG_NONE},
        {"non inscrit", BORNE_REG_NONE},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcasecmp(s, words[i].word) == 0) {
            *out = words[i].status;
            return true;
        }
    }
    return false;
}

static bool parse_id(const char *s, uint32_t *out)
{
    if (!s[0] || strlen(s) > 10) {
        return false;
    }
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v == 0 || v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* A session named by id or by its programme code ("A1"), case-insensitive. */
static bool resolve_session(const struct roster_ctx *ctx, const char *ref, uint32_t *out)
{
    uint32_t id;
    bool numeric = parse_id(ref, &id);
    for (size_t i = 0; i < ctx->nsessions; i++) {
        const borne_session *s = &ctx->sessions[i];
        if ((numeric && s->id == id) || (s->code[0] && strcasecmp(s->code, ref) == 0)) {
            *out = s->id;
            return true;
        }
    }
    return false;
}

static borne_err add_session_ref(const struct roster_ctx *ctx, struct roster_row *row,
                                 const char *ref, const char *where, char *msg, size_t cap)
{
    uint32_t id;
    if (!resolve_session(ctx, ref, &id)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: no session \"%.40s\" in this event", where,
                    ref);
    }
    if (row->nsessions == MAX_SESSIONS_PER_PARTICIPANT) {
        return fail(msg, cap, BORNE_ERR_TOO_LARGE, "%s: too many sessions", where);
    }
    row->sessions[row->nsessions++] = id;
    return BORNE_OK;
}

/* Splits a sessions cell on spaces, '|', ',' or ';'. */
static borne_err parse_session_list(const struct roster_ctx *ctx, struct roster_row *row,
                                    const char *cell, const char *where, char *msg, size_t cap)
{
    char ref[64];
    size_t n = 0;
    for (const char *p = cell;; p++) {
        bool sep = *p == '\0' || *p == ' ' || *p == '|' || *p == ',' || *p == ';';
        if (!sep) {
            if (n + 1 >= sizeof(ref)) {
                return fail(msg, cap, BORNE_ERR_PARSE, "%s: session reference too long", where);
            }
            ref[n++] = *p;
            continue;
        }
        if (n) {
            ref[n] = '\0';
            borne_err err = add_session_ref(ctx, row, ref, where, msg, cap);
            if (err) {
                return err;
            }
            n = 0;
        }
        if (*p == '\0') {
            return BORNE_OK;
        }
    }
}

static borne_err store_row(struct roster_ctx *ctx, const struct roster_row *row, const char *where,
                           char *msg, size_t cap)
{
    /* The same id twice in one file is a mistake in the file, not an update. */
    bool fresh;
    borne_err err = seen_add(ctx, row->p.id, &fresh);
    if (err) {
        return err;
    }
    if (!fresh) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: id %u appears twice in the file", where,
                    row->p.id);
    }
    err = borne_store_put_participant(ctx->store, &row->p, row->has_code ? row->code : NULL);
    if (err == BORNE_ERR_EXISTS) {
        return fail(msg, cap, err, "%s: code already used by another participant", where);
    }
    if (!err) {
        err = borne_store_set_registrations(ctx->store, ctx->event_id, row->p.id, row->sessions,
                                            row->nsessions);
    }
    if (err) {
        return fail(msg, cap, err, "%s: cannot store: %s", where, borne_strerror(err));
    }
    ctx->res->participants++;
    ctx->res->registrations += row->nsessions;
    return BORNE_OK;
}

/* Line breaks and tabs inside a cell (multi-line spreadsheet cells) become single spaces. */
static void flatten_spaces(char *s)
{
    char *o = s;
    bool space = false;
    for (const char *p = s; *p; p++) {
        bool ws = *p == '\n' || *p == '\r' || *p == '\t' || *p == ' ';
        if (ws) {
            space = o != s;
            continue;
        }
        if (space) {
            *o++ = ' ';
            space = false;
        }
        *o++ = *p;
    }
    *o = '\0';
}

static borne_err check_row_text(struct roster_row *row, const char *name, const char *org,
                                const char *code, const char *where, char *msg, size_t cap)
{
    if (!name[0]) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: the name is empty", where);
    }
    if (!clean_text(name, sizeof(row->p.display_name), true) ||
        !clean_text(org, sizeof(row->p.organisation), true) ||
        !clean_text(code, sizeof(row->code), false)) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "%s: name, organisation or code is too long or holds control characters",
                    where);
    }
    snprintf(row->p.display_name, sizeof(row->p.display_name), "%s", name);
    snprintf(row->p.organisation, sizeof(row->p.organisation), "%s", org);
    snprintf(row->code, sizeof(row->code), "%s", code);
    flatten_spaces(row->p.display_name);
    flatten_spaces(row->p.organisation);
    if (!row->p.display_name[0]) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: the name is empty", where);
    }
    return BORNE_OK;
}

static borne_err begin_roster(struct borne_store *store, uint32_t event_id, struct roster_ctx *ctx,
                              borne_import_result *res, char *msg, size_t cap)
{
    memset(res, 0, sizeof(*res));
    *ctx = (struct roster_ctx){.store = store, .event_id = event_id, .res = res};
    borne_event ev;
    borne_err err = borne_store_get_event(store, event_id, &ev);
    if (err) {
        return fail(msg, cap, err, "event %u is not in the store: import the event first",
                    event_id);
    }
    err = borne_store_list_sessions(store, event_id, &ctx->sessions, &ctx->nsessions);
    if (!err) {
        err = borne_store_begin(store);
    }
    if (err) {
        free(ctx->sessions);
        return fail(msg, cap, err, "cannot start the import: %s", borne_strerror(err));
    }
    res->event_id = event_id;
    return BORNE_OK;
}

static borne_err end_roster(struct roster_ctx *ctx, borne_err err)
{
    err = borne_sql_finish(borne_store_sql(ctx->store), err);
    if (err) {
        uint32_t event_id = ctx->res->event_id;
        memset(ctx->res, 0, sizeof(*ctx->res));
        ctx->res->event_id = event_id;
    }
    free(ctx->sessions);
    free(ctx->seen);
    return err;
}

/* Column name aliases, French and English, as people write them in spreadsheets. */
static const char *const col_id[] = {"id", "participant_id", "numéro", "numero", "no", NULL};
static const char *const col_name[] = {"display_name", "name", "nom complet", "nom", NULL};
static const char *const col_first[] = {"first_name", "prénom", "prenom", NULL};
static const char *const col_last[] = {"last_name", "nom de famille", "nom", NULL};
static const char *const col_org[] = {
    "organisation", "organization", "municipalité", "municipalite", "organisme", "employeur", NULL};
static const char *const col_member[] = {"member", "membre", NULL};
static const char *const col_status[] = {"status", "statut", NULL};
static const char *const col_sessions[] = {"sessions", "séances", "seances", "ateliers", NULL};
static const char *const col_code[] = {"code", NULL};

static borne_err roster_csv_rows(struct roster_ctx *ctx, struct borne_csv_reader *r, char *msg,
                                 size_t cap)
{
    struct borne_csv_record rec;
    char cmsg[BORNE_CSV_MSG_MAX];
    borne_err err = borne_csv_read(r, &rec, cmsg, sizeof(cmsg));
    if (err) {
        return fail(msg, cap, err, "%s", cmsg);
    }
    if (rec.count == 0) {
        return fail(msg, cap, BORNE_ERR_PARSE, "the file is empty");
    }
    int c_id = borne_csv_find_column(&rec, col_id);
    int c_name = borne_csv_find_column(&rec, col_name);
    int c_first = borne_csv_find_column(&rec, col_first);
    int c_last = borne_csv_find_column(&rec, col_last);
    int c_org = borne_csv_find_column(&rec, col_org);
    int c_member = borne_csv_find_column(&rec, col_member);
    int c_status = borne_csv_find_column(&rec, col_status);
    int c_sessions = borne_csv_find_column(&rec, col_sessions);
    int c_code = borne_csv_find_column(&rec, col_code);
    bool split_name = c_first >= 0 && c_last >= 0;
    if (c_id < 0 || (c_name < 0 && !split_name)) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "line %lu: the header needs an \"id\" column and a \"name\" column (or "
                    "\"first_name\" and \"last_name\")",
                    rec.line);
    }
    if (split_name) {
        c_name = -1;
    }
    for (;;) {
        err = borne_csv_read(r, &rec, cmsg, sizeof(cmsg));
        if (err) {
            return fail(msg, cap, err, "%s", cmsg);
        }
        if (rec.count == 0) {
            return BORNE_OK;
        }
        char where[32];
        snprintf(where, sizeof(where), "line %lu", rec.line);
        struct roster_row row;
        memset(&row, 0, sizeof(row));
        row.p.event_id = ctx->event_id;
        if (!parse_id(borne_csv_field(&rec, c_id), &row.p.id)) {
            return fail(msg, cap, BORNE_ERR_PARSE, "%s: id \"%.20s\" is not a positive integer",
                        where, borne_csv_field(&rec, c_id));
        }
        char name[BORNE_NAME_MAX * 2];
        if (split_name) {
            snprintf(name, sizeof(name), "%s %s", borne_csv_field(&rec, c_first),
                     borne_csv_field(&rec, c_last));
        } else {
            snprintf(name, sizeof(name), "%s", borne_csv_field(&rec, c_name));
        }
        row.has_code = c_code >= 0;
        err = check_row_text(&row, name, borne_csv_field(&rec, c_org),
                             borne_csv_field(&rec, c_code), where, msg, cap);
        if (err) {
            return err;
        }
        if (!parse_bool_word(borne_csv_field(&rec, c_member), &row.p.member)) {
            return fail(msg, cap, BORNE_ERR_PARSE, "%s: member must be oui/non (yes/no)", where);
        }
        row.p.status = BORNE_REG_CONFIRMED;
        if (!parse_status_word(borne_csv_field(&rec, c_status), &row.p.status)) {
            return fail(msg, cap, BORNE_ERR_PARSE,
                        "%s: status must be confirmed, cancelled, attention or none", where);
        }
        err = parse_session_list(ctx, &row, borne_csv_field(&rec, c_sessions), where, msg, cap);
        if (!err) {
            err = store_row(ctx, &row, where, msg, cap);
        }
        if (err) {
            return err;
        }
    }
}

borne_err borne_import_roster_csv(struct borne_store *store, uint32_t event_id, const char *csv,
                                  size_t len, borne_import_result *res, char *msg, size_t msg_cap)
{
    if (len > BORNE_IMPORT_MAX_BYTES) {
        memset(res, 0, sizeof(*res));
        return fail(msg, msg_cap, BORNE_ERR_TOO_LARGE, "file too large");
    }
    struct roster_ctx ctx;
    borne_err err = begin_roster(store, event_id, &ctx, res, msg, msg_cap);
    if (err) {
        return err;
    }
    struct borne_csv_reader *r = NULL;
    err = borne_csv_reader_new(&r, csv, len, BORNE_CSV_SEP_AUTO);
    if (!err) {
        err = roster_csv_rows(&ctx, r, msg, msg_cap);
    }
    borne_csv_reader_free(r);
    return end_roster(&ctx, err);
}

static borne_err roster_json_row(struct roster_ctx *ctx, json_t *jp, size_t i, char *msg,
                                 size_t cap)
{
    char where[40];
    snprintf(where, sizeof(where), "participants[%zu]", i);
    struct roster_row row;
    memset(&row, 0, sizeof(row));
    row.p.event_id = ctx->event_id;
    row.p.status = BORNE_REG_CONFIRMED;
    if (!json_is_object(jp) || !json_u32(jp, "id", &row.p.id)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: \"id\" must be a positive integer", where);
    }
    const char *name = json_str(jp, "name");
    const char *org = json_str(jp, "organisation");
    const char *code = json_str(jp, "code");
    row.has_code = json_object_get(jp, "code") != NULL;
    borne_err err =
        check_row_text(&row, name ? name : "", org ? org : "", code ? code : "", where, msg, cap);
    if (err) {
        return err;
    }
    json_t *member = json_object_get(jp, "member");
    if (member && !json_is_boolean(member)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: \"member\" must be true or false", where);
    }
    row.p.member = json_is_true(member);
    json_t *status = json_object_get(jp, "status");
    if (status &&
        (!json_is_string(status) || !parse_status_word(json_string_value(status), &row.p.status))) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "%s: \"status\" must be confirmed, cancelled, attention or none", where);
    }
    json_t *sessions = json_object_get(jp, "sessions");
    if (sessions && !json_is_array(sessions)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: \"sessions\" must be a list", where);
    }
    size_t k;
    json_t *js;
    json_array_foreach(sessions, k, js)
    {
        char ref[32];
        if (json_is_integer(js) && json_integer_value(js) > 0 &&
            json_integer_value(js) <= (json_int_t)UINT32_MAX) {
            snprintf(ref, sizeof(ref), "%lld", (long long)json_integer_value(js));
        } else if (json_is_string(js) && strlen(json_string_value(js)) < sizeof(ref)) {
            snprintf(ref, sizeof(ref), "%s", json_string_value(js));
        } else {
            return fail(msg, cap, BORNE_ERR_PARSE, "%s: sessions hold ids or codes", where);
        }
        err = add_session_ref(ctx, &row, ref, where, msg, cap);
        if (err) {
            return err;
        }
    }
    return store_row(ctx, &row, where, msg, cap);
}

borne_err borne_import_roster_json(struct borne_store *store, uint32_t event_id, const char *json,
                                   size_t len, borne_import_result *res, char *msg, size_t msg_cap)
{
    memset(res, 0, sizeof(*res));
    json_t *root = load_json(json, len, msg, msg_cap);
    if (!root) {
        return len > BORNE_IMPORT_MAX_BYTES ? BORNE_ERR_TOO_LARGE : BORNE_ERR_PARSE;
    }
    json_t *list = json_is_array(root) ? root : json_object_get(root, "participants");
    if (!json_is_array(list)) {
        json_decref(root);
        return fail(msg, msg_cap, BORNE_ERR_PARSE,
                    "expected a list of participants or {\"participants\": [...]}");
    }
    struct roster_ctx ctx;
    borne_err err = begin_roster(store, event_id, &ctx, res, msg, msg_cap);
    if (err) {
        json_decref(root);
        return err;
    }
    size_t i;
    json_t *jp;
    json_array_foreach(list, i, jp)
    {
        err = roster_json_row(&ctx, jp, i, msg, msg_cap);
        if (err) {
            break;
        }
    }
    err = end_roster(&ctx, err);
    json_decref(root);
    return err;
}
