/* Event and roster imports (formats in docs/formats.md).
 *
 * DESIGN: each import runs inside one IMMEDIATE transaction and rolls back on the first bad
 * row, so a file is either wholly imported or not at all. Only the fields a door needs are
 * kept: extra columns (e-mail, phone, allergies...) are ignored, never stored. */
#define LOG_MODULE "import"
#include "store/import.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/csv.h"
#include "core/log.h"
#include "core/textenc.h"
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

static borne_err parse_time(const char *text, const char *tz, bool end_of_day, int64_t *out,
                            char *why, size_t why_cap)
{
    borne_err err = borne_time_parse_why(text, tz, out, why, why_cap);
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
    char why[160];
    if (!starts || !ends) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "sessions[%zu] (id %u): \"starts\" and \"ends\" are required (ISO 8601 times)",
                    index, s.id);
    }
    if (parse_time(starts, ev->timezone, false, &s.starts, why, sizeof(why))) {
        return fail(msg, cap, BORNE_ERR_PARSE, "sessions[%zu] (id %u, \"%.40s\"): \"starts\": %s",
                    index, s.id, s.code[0] ? s.code : s.title, why);
    }
    if (parse_time(ends, ev->timezone, false, &s.ends, why, sizeof(why))) {
        return fail(msg, cap, BORNE_ERR_PARSE, "sessions[%zu] (id %u, \"%.40s\"): \"ends\": %s",
                    index, s.id, s.code[0] ? s.code : s.title, why);
    }
    if (s.ends <= s.starts) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "sessions[%zu] (id %u, \"%.40s\"): \"ends\" (%.40s) must be after \"starts\" "
                    "(%.40s)",
                    index, s.id, s.code[0] ? s.code : s.title, ends, starts);
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
    char why[160];
    if (!starts || !ends) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "event: \"starts\" and \"ends\" are required (dates or ISO 8601 times)");
    }
    if (parse_time(starts, tz, false, &ev.starts, why, sizeof(why))) {
        return fail(msg, cap, BORNE_ERR_PARSE, "event: \"starts\": %s", why);
    }
    if (parse_time(ends, tz, true, &ev.ends, why, sizeof(why))) {
        return fail(msg, cap, BORNE_ERR_PARSE, "event: \"ends\": %s", why);
    }
    if (ev.ends <= ev.starts) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "event: \"ends\" (%.40s) must be after \"starts\" (%.40s)", ends, starts);
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

/* Turns the file's bytes into UTF-8 (textenc.h); *text is malloc'ed. */
static borne_err decode_input(const char *data, size_t len, borne_import_result *res, char **text,
                              size_t *text_len, char *msg, size_t cap)
{
    if (len > BORNE_IMPORT_MAX_BYTES) {
        *text = NULL;
        return fail(msg, cap, BORNE_ERR_TOO_LARGE, "file too large");
    }
    borne_text_encoding enc;
    borne_err err =
        borne_text_decode(data, len, BORNE_IMPORT_MAX_BYTES, text, text_len, &enc, msg, cap);
    if (!err) {
        res->encoding = enc;
    }
    return err;
}

static json_t *load_json(const char *text, size_t len, borne_err *err, char *msg, size_t cap)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        *err = fail(msg, cap, BORNE_ERR_PARSE, "JSON line %d, column %d: %s", jerr.line,
                    jerr.column, jerr.text);
    }
    return root;
}

borne_err borne_import_event_json(struct borne_store *store, const char *json, size_t len,
                                  borne_import_result *res, char *msg, size_t msg_cap)
{
    memset(res, 0, sizeof(*res));
    char *text;
    size_t text_len;
    borne_err err = decode_input(json, len, res, &text, &text_len, msg, msg_cap);
    if (err) {
        return err;
    }
    json_t *root = load_json(text, text_len, &err, msg, msg_cap);
    free(text);
    if (!root) {
        memset(res, 0, sizeof(*res));
        return err;
    }
    err = borne_store_begin(store);
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

/* The fields of a roster row, for messages and for "the file does not have this column". */
enum roster_field {
    F_ID,
    F_NAME,
    F_FIRST,
    F_LAST,
    F_ORG,
    F_MEMBER,
    F_STATUS,
    F_SESSIONS,
    F_CODE,
    F_COUNT
};

/* Column name aliases, French and English, as people write them in spreadsheets; compared by
 * their folded keys (case, accents, spaces and '_' do not matter). */
static const char *const col_id[] = {"id", "participant_id", "numéro", "no", "n°", NULL};
static const char *const col_name[] = {"display_name", "name", "nom complet", "nom", NULL};
static const char *const col_first[] = {"first_name", "prénom", NULL};
static const char *const col_last[] = {"last_name", "nom de famille", "nom", NULL};
static const char *const col_org[] = {"organisation", "organization", "municipalité",
                                      "organisme",    "employeur",    NULL};
static const char *const col_member[] = {"member", "membre", NULL};
static const char *const col_status[] = {"status", "statut", NULL};
static const char *const col_sessions[] = {"sessions", "séances", "ateliers", NULL};
static const char *const col_code[] = {"code", NULL};
static const char *const *const col_aliases[F_COUNT] = {
    col_id, col_name, col_first, col_last, col_org, col_member, col_status, col_sessions, col_code};
/* The keys a JSON roster uses, by field. */
static const char *const json_keys[F_COUNT] = {"id",        "name",         "first_name",
                                               "last_name", "organisation", "member",
                                               "status",    "sessions",     "code"};

#define EXPECTED_COLUMNS                                                                           \
    "id (or numéro, no), nom (or name, nom complet) or prénom and nom de famille, organisation " \
    "(or municipalité, organisme, employeur), membre (member), statut (status), séances "        \
    "(sessions, ateliers), code"

/* What one roster row says, before it is stored. A field the file does not have (no such column,
 * or no such key) keeps its stored value for a participant already known. */
struct roster_row {
    borne_participant p;
    bool has[F_COUNT];
    char code[128];
    uint32_t sessions[MAX_SESSIONS_PER_PARTICIPANT];
    size_t nsessions;
};

struct roster_ctx {
    struct borne_store *store;
    uint32_t event_id;
    borne_import_options opts;
    borne_session *sessions; /* the event's sessions, to resolve ids and codes */
    char (*session_keys)[64];
    size_t nsessions;
    borne_import_result *res;
    sqlite3_stmt *seen;        /* INSERT INTO import_seen */
    char colname[F_COUNT][64]; /* how the file names each column ("column \"Séances\"") */
};

/* A value shown in a message: sanitised, cut to about 40 bytes. */
static const char *shown(const char *v, char *out, size_t cap)
{
    size_t len = strlen(v);
    size_t n = 0;
    borne_err err = borne_utf8_sanitize(out, cap > 44 ? 44 : cap, v, len, 0, &n);
    if (err == BORNE_ERR_TOO_LARGE && n + 4 <= cap) {
        memcpy(out + n, "\xE2\x80\xA6", 4); /* "…" */
    }
    return out;
}

/* "line 12, column \"Membre\"" or "participants[3], \"member\"". */
static const char *where_col(const struct roster_ctx *ctx, const char *where, enum roster_field f,
                             char *out, size_t cap)
{
    snprintf(out, cap, "%s, column \"%s\"", where, ctx->colname[f]);
    return out;
}

static bool key_in(const char *key, const char *const *words)
{
    for (size_t i = 0; words[i]; i++) {
        if (strcmp(key, words[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Yes/no cells, compared by folded key (case, accents and spaces around do not matter). */
/* The folded key of a cell value (as headers: case, accents, spaces around ignored); false if
 * the value is not foldable (too long), which no accepted word is. */
static bool value_key(const char *s, char *key, size_t cap)
{
    char tmp[64];
    size_t len = strlen(s);
    if (len >= sizeof(tmp)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        tmp[i] = s[i] == '_' ? ' ' : s[i];
    }
    return borne_utf8_fold(tmp, len, BORNE_FOLD_ACCENTS, key, cap) == BORNE_OK;
}

static bool parse_bool_word(const char *s, bool *out)
{
    static const char *const yes[] = {"1",    "true", "yes",    "oui",    "o", "y", "x",
                                      "vrai", "v",    "membre", "member", "✓", "✔", NULL};
    static const char *const no[] = {"", "0", "false", "no", "non", "n", "-", "faux", "f", NULL};
    char key[64];
    if (!value_key(s, key, sizeof(key))) {
        return false;
    }
    if (key_in(key, yes)) {
        *out = true;
        return true;
    }
    if (key_in(key, no)) {
        *out = false;
        return true;
    }
    return false;
}

static bool parse_status_word(const char *s, borne_reg_status *out)
{
    static const struct {
        const char *key;
        borne_reg_status status;
    } words[] = {
        {"", BORNE_REG_CONFIRMED},
        {"confirmed", BORNE_REG_CONFIRMED},
        {"confirme", BORNE_REG_CONFIRMED},
        {"confirmee", BORNE_REG_CONFIRMED},
        {"inscrit", BORNE_REG_CONFIRMED},
        {"inscrite", BORNE_REG_CONFIRMED},
        {"cancelled", BORNE_REG_CANCELLED},
        {"canceled", BORNE_REG_CANCELLED},
        {"annule", BORNE_REG_CANCELLED},
        {"annulee", BORNE_REG_CANCELLED},
        {"attention", BORNE_REG_NEEDS_ATTENTION},
        {"needs attention", BORNE_REG_NEEDS_ATTENTION},
        {"accueil", BORNE_REG_NEEDS_ATTENTION},
        {"a verifier", BORNE_REG_NEEDS_ATTENTION},
        {"none", BORNE_REG_NONE},
        {"non inscrit", BORNE_REG_NONE},
        {"non inscrite", BORNE_REG_NONE},
    };
    char key[64];
    if (!value_key(s, key, sizeof(key))) {
        return false;
    }
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(key, words[i].key) == 0) {
            *out = words[i].status;
            return true;
        }
    }
    return false;
}

/* A positive whole number; spaces around it (of any kind) are allowed. */
static bool parse_id(const char *s, uint32_t *out)
{
    char key[32];
    borne_utf8_fold(s, strlen(s), 0, key, sizeof(key));
    if (!key[0] || strlen(key) > 10) {
        return false;
    }
    uint64_t v = 0;
    for (const char *p = key; *p; p++) {
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

/* A session named by id or by its programme code ("A1"); codes compare by folded key, so case
 * and accents do not matter, as for headers. */
static bool resolve_session(const struct roster_ctx *ctx, const char *ref, uint32_t *out)
{
    uint32_t id;
    bool numeric = parse_id(ref, &id);
    char key[64];
    borne_csv_header_key(ref, strlen(ref), key, sizeof(key));
    for (size_t i = 0; i < ctx->nsessions; i++) {
        const borne_session *s = &ctx->sessions[i];
        if ((numeric && s->id == id) || (key[0] && strcmp(ctx->session_keys[i], key) == 0)) {
            *out = s->id;
            return true;
        }
    }
    return false;
}

/* The event's session codes (or ids), for a message. */
static void session_list(const struct roster_ctx *ctx, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ctx->nsessions && o + 1 < cap; i++) {
        int n = ctx->sessions[i].code[0]
                    ? snprintf(out + o, cap - o, "%s%s", i ? ", " : "", ctx->sessions[i].code)
                    : snprintf(out + o, cap - o, "%s%u", i ? ", " : "", ctx->sessions[i].id);
        if (n < 0 || (size_t)n >= cap - o) {
            out[o] = '\0';
            break;
        }
        o += (size_t)n;
    }
}

static borne_err add_session_ref(const struct roster_ctx *ctx, struct roster_row *row,
                                 const char *ref, const char *where, char *msg, size_t cap)
{
    uint32_t id;
    char wc[128], v[48];
    if (!resolve_session(ctx, ref, &id)) {
        char list[160];
        session_list(ctx, list, sizeof(list));
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: no session \"%s\" in this event (sessions: %s)",
                    where_col(ctx, where, F_SESSIONS, wc, sizeof(wc)), shown(ref, v, sizeof(v)),
                    list[0] ? list : "none");
    }
    for (size_t i = 0; i < row->nsessions; i++) {
        if (row->sessions[i] == id) {
            return BORNE_OK; /* "A1 a1": one registration */
        }
    }
    if (row->nsessions == MAX_SESSIONS_PER_PARTICIPANT) {
        return fail(msg, cap, BORNE_ERR_TOO_LARGE, "%s: more than %d sessions",
                    where_col(ctx, where, F_SESSIONS, wc, sizeof(wc)),
                    MAX_SESSIONS_PER_PARTICIPANT);
    }
    row->sessions[row->nsessions++] = id;
    return BORNE_OK;
}

/* Splits a sessions cell on spaces (of any kind), line breaks, '|', ',' or ';'. */
static borne_err parse_session_list(const struct roster_ctx *ctx, struct roster_row *row,
                                    const char *cell, const char *where, char *msg, size_t cap)
{
    char ref[64];
    size_t n = 0;
    const char *p = cell;
    for (;;) {
        size_t skip = 0;
        if (*p == '\0' || *p == ' ' || *p == '|' || *p == ',' || *p == ';' || *p == '\t' ||
            *p == '\r' || *p == '\n') {
            skip = 1;
        } else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
            skip = 2; /* no-break space */
        } else if (memcmp(p, "\xE2\x80\xAF", 3) == 0) {
            skip = 3; /* narrow no-break space */
        }
        if (!skip) {
            if (n + 1 >= sizeof(ref)) {
                char wc[128];
                return fail(msg, cap, BORNE_ERR_PARSE, "%s: session reference too long",
                            where_col(ctx, where, F_SESSIONS, wc, sizeof(wc)));
            }
            ref[n++] = *p++;
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
        p += skip;
    }
}

static borne_err store_row(struct roster_ctx *ctx, struct roster_row *row, const char *where,
                           char *msg, size_t cap)
{
    /* The same id twice in one file is a mistake in the file, not an update. */
    sqlite3_bind_int64(ctx->seen, 1, row->p.id);
    int rc = sqlite3_step(ctx->seen);
    sqlite3_reset(ctx->seen);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        char wc[128];
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: id %u appears twice in the file",
                    where_col(ctx, where, F_ID, wc, sizeof(wc)), row->p.id);
    }
    if (rc != SQLITE_DONE) {
        return fail(msg, cap, BORNE_ERR_DB, "%s: cannot store: %s", where,
                    sqlite3_errmsg(borne_store_db(ctx->store)));
    }
    borne_participant old;
    borne_err err = borne_store_get_participant(ctx->store, ctx->event_id, row->p.id, &old);
    if (err && err != BORNE_ERR_NOT_FOUND) {
        return fail(msg, cap, err, "%s: cannot read the store: %s", where, borne_strerror(err));
    }
    if (!err) {
        /* A column the file does not have leaves the field as it is. */
        if (!row->has[F_ORG]) {
            snprintf(row->p.organisation, sizeof(row->p.organisation), "%s", old.organisation);
        }
        if (!row->has[F_MEMBER]) {
            row->p.member = old.member;
        }
        if (!row->has[F_STATUS]) {
            row->p.status = old.status;
        }
    }
    err = borne_store_put_participant(ctx->store, &row->p, row->has[F_CODE] ? row->code : NULL);
    if (err == BORNE_ERR_EXISTS) {
        char wc[128], v[48];
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "%s: code \"%s\" is already another participant's code",
                    where_col(ctx, where, F_CODE, wc, sizeof(wc)), shown(row->code, v, sizeof(v)));
    }
    if (!err && row->has[F_SESSIONS]) {
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

/* Checks one text cell and copies it, flattened, into out[out_cap]. */
static borne_err take_text(const struct roster_ctx *ctx, enum roster_field f, const char *value,
                           bool breaks_ok, char *out, size_t out_cap, const char *where, char *msg,
                           size_t cap)
{
    char wc[128], v[48];
    if (!clean_text(value, out_cap, breaks_ok)) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "%s: \"%s\" is too long (%zu bytes at most) or holds control characters",
                    where_col(ctx, where, f, wc, sizeof(wc)), shown(value, v, sizeof(v)),
                    out_cap - 1);
    }
    snprintf(out, out_cap, "%s", value);
    if (breaks_ok) {
        flatten_spaces(out);
        /* One spelling for the same name (search, badges, reports): NFC, as typed on a PC. */
        borne_utf8_nfc(out, out_cap);
    }
    return BORNE_OK;
}

/* The values of one row, by field ("" for a field the file does not have), checked and kept. */
static borne_err fill_row(const struct roster_ctx *ctx, struct roster_row *row,
                          const char *const values[F_COUNT], const char *where, char *msg,
                          size_t cap)
{
    char wc[128], v[48];
    row->p.event_id = ctx->event_id;
    row->p.status = BORNE_REG_CONFIRMED;
    if (!parse_id(values[F_ID], &row->p.id)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: \"%s\" is not a positive whole number",
                    where_col(ctx, where, F_ID, wc, sizeof(wc)), shown(values[F_ID], v, sizeof(v)));
    }
    enum roster_field name_field = F_NAME;
    char name[BORNE_NAME_MAX * 2 + 2];
    if (row->has[F_FIRST] && row->has[F_LAST]) {
        snprintf(name, sizeof(name), "%s %s", values[F_FIRST], values[F_LAST]);
        name_field = values[F_FIRST][0] ? F_LAST : F_FIRST;
    } else {
        snprintf(name, sizeof(name), "%s", values[F_NAME]);
    }
    borne_err err = take_text(ctx, name_field, name, true, row->p.display_name,
                              sizeof(row->p.display_name), where, msg, cap);
    if (err) {
        return err;
    }
    if (!row->p.display_name[0]) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: the name is empty",
                    where_col(ctx, where, name_field, wc, sizeof(wc)));
    }
    err = take_text(ctx, F_ORG, values[F_ORG], true, row->p.organisation,
                    sizeof(row->p.organisation), where, msg, cap);
    if (!err) {
        char code[sizeof(row->code)];
        err = take_text(ctx, F_CODE, values[F_CODE], false, code, sizeof(code), where, msg, cap);
        /* Spaces around a code are the spreadsheet's, not the code's. */
        const char *b = code;
        while (*b == ' ') {
            b++;
        }
        size_t n = strlen(b);
        while (n > 0 && b[n - 1] == ' ') {
            n--;
        }
        snprintf(row->code, sizeof(row->code), "%.*s", (int)n, b);
    }
    if (err) {
        return err;
    }
    if (!parse_bool_word(values[F_MEMBER], &row->p.member)) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "%s: \"%s\" is not a yes/no value (accepted: oui/non, vrai/faux, yes/no, "
                    "true/false, 1/0, x or empty; any case, with or without accents)",
                    where_col(ctx, where, F_MEMBER, wc, sizeof(wc)),
                    shown(values[F_MEMBER], v, sizeof(v)));
    }
    if (!parse_status_word(values[F_STATUS], &row->p.status)) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "%s: \"%s\" is not a registration status (accepted: confirmé/inscrit/"
                    "confirmed or empty, annulé/cancelled, à vérifier/accueil/attention, non "
                    "inscrit/none; any case, with or without accents)",
                    where_col(ctx, where, F_STATUS, wc, sizeof(wc)),
                    shown(values[F_STATUS], v, sizeof(v)));
    }
    return parse_session_list(ctx, row, values[F_SESSIONS], where, msg, cap);
}

static borne_err sql_exec(struct borne_store *store, const char *fmt, uint32_t event_id)
{
    char *sql = sqlite3_mprintf(fmt, event_id, event_id, event_id, event_id);
    if (!sql) {
        return BORNE_ERR_NOMEM;
    }
    int rc = sqlite3_exec(borne_store_db(store), sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    return rc == SQLITE_OK ? BORNE_OK : BORNE_ERR_DB;
}

static borne_err sql_count(struct borne_store *store, const char *fmt, uint32_t event_id,
                           size_t *out)
{
    char *sql = sqlite3_mprintf(fmt, event_id, event_id, event_id, event_id);
    if (!sql) {
        return BORNE_ERR_NOMEM;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(borne_store_db(store), sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW) {
        *out = (size_t)sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? BORNE_OK : BORNE_ERR_DB;
}

static void drop_snapshot(struct borne_store *store)
{
    sqlite3_exec(borne_store_db(store),
                 "DROP TABLE IF EXISTS temp.import_old_p; DROP TABLE IF EXISTS temp.import_old_r;"
                 " DROP TABLE IF EXISTS temp.import_seen",
                 NULL, NULL, NULL);
}

static borne_err begin_roster(struct borne_store *store, uint32_t event_id,
                              const borne_import_options *opts, struct roster_ctx *ctx,
                              borne_import_result *res, char *msg, size_t cap)
{
    borne_text_encoding enc = res->encoding;
    memset(res, 0, sizeof(*res));
    res->encoding = enc;
    *ctx = (struct roster_ctx){.store = store, .event_id = event_id, .res = res};
    if (opts) {
        ctx->opts = *opts;
    }
    for (int f = 0; f < F_COUNT; f++) {
        snprintf(ctx->colname[f], sizeof(ctx->colname[f]), "%s", json_keys[f]);
    }
    borne_event ev;
    borne_err err = borne_store_get_event(store, event_id, &ev);
    if (err) {
        return fail(msg, cap, err, "event %u is not in the store: import the event first",
                    event_id);
    }
    err = borne_store_list_sessions(store, event_id, &ctx->sessions, &ctx->nsessions);
    if (!err && ctx->nsessions) {
        ctx->session_keys = calloc(ctx->nsessions, sizeof(*ctx->session_keys));
        err = ctx->session_keys ? BORNE_OK : BORNE_ERR_NOMEM;
    }
    for (size_t i = 0; !err && i < ctx->nsessions; i++) {
        const char *c = ctx->sessions[i].code;
        borne_csv_header_key(c, strlen(c), ctx->session_keys[i], sizeof(ctx->session_keys[i]));
    }
    /* The roster as it was, to count what the file changes (temporary tables, this connection
     * only, dropped at the end). */
    if (!err) {
        drop_snapshot(store);
        err = borne_store_begin(store);
    }
    if (!err) {
        err = sql_exec(store,
                       "CREATE TEMP TABLE import_old_p(id INTEGER PRIMARY KEY, display_name,"
                       " organisation, member, status, code);"
                       "INSERT INTO import_old_p SELECT participant_id, display_name,"
                       " organisation, member, status, code FROM participant WHERE event_id = %u;"
                       "CREATE TEMP TABLE import_old_r(id INTEGER, session_id INTEGER,"
                       " PRIMARY KEY (id, session_id)) WITHOUT ROWID;"
                       "INSERT INTO import_old_r SELECT participant_id, session_id"
                       " FROM registration WHERE event_id = %u;"
                       "CREATE TEMP TABLE import_seen(id INTEGER PRIMARY KEY);",
                       event_id);
        if (!err &&
            sqlite3_prepare_v2(borne_store_db(store), "INSERT INTO import_seen(id) VALUES (?1)", -1,
                               &ctx->seen, NULL) != SQLITE_OK) {
            err = BORNE_ERR_DB;
        }
        if (err) {
            borne_store_rollback(store);
        }
    }
    if (err) {
        free(ctx->sessions);
        free(ctx->session_keys);
        sqlite3_finalize(ctx->seen);
        drop_snapshot(store);
        return fail(msg, cap, err, "cannot start the import: %s", borne_strerror(err));
    }
    res->event_id = event_id;
    return BORNE_OK;
}

/* Counts what the import changed against the snapshot (and, with replace, removes the people
 * the file does not have). */
static borne_err roster_diff(struct roster_ctx *ctx)
{
    struct borne_store *st = ctx->store;
    uint32_t e = ctx->event_id;
    borne_import_diff *d = &ctx->res->diff;
    borne_err err = sql_count(st, "SELECT count(*) FROM import_old_p WHERE id NOT IN import_seen",
                              e, &d->people_absent);
    if (!err && ctx->opts.replace && d->people_absent) {
        err = sql_exec(st,
                       "DELETE FROM registration WHERE event_id = %u AND participant_id IN"
                       " (SELECT id FROM import_old_p WHERE id NOT IN import_seen);"
                       "DELETE FROM participant WHERE event_id = %u AND participant_id IN"
                       " (SELECT id FROM import_old_p WHERE id NOT IN import_seen);",
                       e);
        d->people_removed = d->people_absent;
    }
    err = err ? err
              : sql_count(st,
                          "SELECT count(*) FROM import_seen WHERE id NOT IN"
                          " (SELECT id FROM import_old_p)",
                          e, &d->people_added);
    err = err ? err
              : sql_count(st,
                          "SELECT count(*) FROM import_old_p o JOIN participant p"
                          " ON p.event_id = %u AND p.participant_id = o.id"
                          " WHERE p.display_name IS NOT o.display_name"
                          " OR p.organisation IS NOT o.organisation OR p.member IS NOT o.member"
                          " OR p.status IS NOT o.status OR p.code IS NOT o.code"
                          " OR EXISTS (SELECT 1 FROM registration r WHERE r.event_id = %u"
                          "  AND r.participant_id = o.id AND NOT EXISTS (SELECT 1 FROM"
                          "  import_old_r x WHERE x.id = o.id AND x.session_id = r.session_id))"
                          " OR EXISTS (SELECT 1 FROM import_old_r x WHERE x.id = o.id"
                          "  AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.event_id = %u"
                          "  AND r.participant_id = o.id AND r.session_id = x.session_id))",
                          e, &d->people_changed);
    err = err ? err
              : sql_count(st,
                          "SELECT count(*) FROM registration r WHERE r.event_id = %u AND NOT"
                          " EXISTS (SELECT 1 FROM import_old_r x WHERE x.id = r.participant_id"
                          " AND x.session_id = r.session_id)",
                          e, &d->regs_added);
    err = err ? err
              : sql_count(st,
                          "SELECT count(*) FROM import_old_r x WHERE NOT EXISTS (SELECT 1 FROM"
                          " registration r WHERE r.event_id = %u AND r.participant_id = x.id"
                          " AND r.session_id = x.session_id)",
                          e, &d->regs_removed); /* removed people's included */
    return err;
}

static borne_err end_roster(struct roster_ctx *ctx, borne_err err, char *msg, size_t cap)
{
    sqlite3_finalize(ctx->seen);
    ctx->seen = NULL;
    if (!err) {
        err = roster_diff(ctx);
        if (err) {
            fail(msg, cap, err, "cannot compare with the stored roster: %s",
                 sqlite3_errmsg(borne_store_db(ctx->store)));
        }
    }
    if (!err) {
        err = borne_import_check_removals(&ctx->res->diff, &ctx->opts, msg, cap);
    }
    if (!err && ctx->opts.dry_run) {
        borne_store_rollback(ctx->store);
    } else {
        err = borne_sql_finish(borne_store_sql(ctx->store), err);
    }
    drop_snapshot(ctx->store);
    if (err) {
        uint32_t event_id = ctx->res->event_id;
        borne_import_diff diff = ctx->res->diff;
        borne_text_encoding enc = ctx->res->encoding;
        memset(ctx->res, 0, sizeof(*ctx->res));
        ctx->res->event_id = event_id;
        ctx->res->encoding = enc;
        if (err == BORNE_ERR_PERM) {
            ctx->res->diff = diff; /* what it would have done */
        }
    }
    free(ctx->sessions);
    free(ctx->session_keys);
    return err;
}

bool borne_import_parse_args(int argc, char **argv, int first, borne_import_options *opts,
                             const char **path)
{
    memset(opts, 0, sizeof(*opts));
    *path = NULL;
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--replace") == 0) {
            opts->replace = true;
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            opts->dry_run = true;
        } else if (strcmp(argv[i], "--ignore-columns") == 0) {
            opts->ignore_columns = true;
        } else if (!*path && argv[i][0] != '-') {
            *path = argv[i];
        } else {
            return false;
        }
    }
    return *path != NULL;
}

void borne_import_diff_format(const borne_import_diff *d, char *out, size_t cap)
{
    snprintf(out, cap,
             "people: %zu added, %zu changed, %zu removed; session registrations: %zu added, %zu "
             "removed",
             d->people_added, d->people_changed, d->people_removed, d->regs_added, d->regs_removed);
}

borne_err borne_import_check_removals(const borne_import_diff *d, const borne_import_options *o,
                                      char *msg, size_t cap)
{
    if ((o && o->replace) || (d->regs_removed == 0 && d->people_removed == 0)) {
        return BORNE_OK;
    }
    return fail(msg, cap, BORNE_ERR_PERM,
                "this import would remove %zu session registration%s and %zu participant%s: "
                "nothing was changed; import again with --replace to apply it (--dry-run lists "
                "the changes)",
                d->regs_removed, d->regs_removed == 1 ? "" : "s", d->people_removed,
                d->people_removed == 1 ? "" : "s");
}

/* Levenshtein distance between two short keys, stopping at 3. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) {
        return 3;
    }
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof(size_t));
    }
    return prev[lb];
}

/* Whether a folded header key names a field (*field), or else is within one or two letters of
 * an alias (*near: the closest; aliases under five letters are too short to guess from). */
static bool classify_key(const char *key, int *field, const char **near)
{
    size_t best = 3;
    *near = NULL;
    *field = -1;
    for (int f = 0; f < F_COUNT; f++) {
        for (size_t a = 0; col_aliases[f][a]; a++) {
            char ak[64];
            const char *alias = col_aliases[f][a];
            borne_csv_header_key(alias, strlen(alias), ak, sizeof(ak));
            if (strcmp(ak, key) == 0) {
                *field = f;
                return true;
            }
            size_t len = strlen(ak);
            size_t d = len >= 5 ? distance(ak, key) : 3;
            if (d <= (len <= 7 ? 1u : 2u) && d < best) {
                best = d;
                *near = alias;
                *field = f;
            }
        }
    }
    return false;
}

/* Reads the header: which column holds which field, and refuses a header cell that is nearly a
 * known name ("Séance" for "Séances", "Statu"): a misspelled sessions column would otherwise
 * be read as "no sessions". Other unknown columns are ignored and listed in res->ignored. */
static borne_err read_header(struct roster_ctx *ctx, const struct borne_csv_record *rec,
                             int col[F_COUNT], char *msg, size_t cap)
{
    char keys[BORNE_CSV_FIELDS_MAX + 1][64];
    for (size_t i = 0; i < rec->count; i++) {
        borne_csv_header_key(rec->fields[i], rec->lengths[i], keys[i], sizeof(keys[i]));
    }
    for (int f = 0; f < F_COUNT; f++) {
        col[f] = borne_csv_find_column(rec, col_aliases[f]);
    }
    char v[48], w[48];
    for (size_t i = 0; i < rec->count; i++) {
        if (!keys[i][0]) {
            continue;
        }
        int field;
        const char *near = NULL;
        bool known = classify_key(keys[i], &field, &near);
        for (size_t j = 0; known && j < i; j++) {
            if (strcmp(keys[j], keys[i]) == 0) {
                return fail(msg, cap, BORNE_ERR_PARSE,
                            "line %lu: two columns are named \"%s\" (columns %zu and %zu)",
                            rec->line, shown(rec->fields[i], v, sizeof(v)), j + 1, i + 1);
            }
        }
        if (known) {
            continue;
        }
        if (near) {
            return fail(msg, cap, BORNE_ERR_PARSE,
                        "line %lu, column %zu: unknown column \"%s\" (did you mean \"%s\"?); the "
                        "columns read are " EXPECTED_COLUMNS,
                        rec->line, i + 1, shown(rec->fields[i], v, sizeof(v)),
                        shown(near, w, sizeof(w)));
        }
        size_t used = strlen(ctx->res->ignored);
        snprintf(ctx->res->ignored + used, sizeof(ctx->res->ignored) - used, "%s\"%s\"",
                 used ? ", " : "", shown(rec->fields[i], v, sizeof(v)));
    }
    /* No sessions column, but columns not read: the registrations may be under a name Borne
     * does not know ("Sessions choisies"), and a first import would register nobody. */
    if (col[F_SESSIONS] < 0 && ctx->res->ignored[0] && ctx->nsessions &&
        !ctx->opts.ignore_columns) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "line %lu: no sessions column, and columns not read: %s; if one of them "
                    "holds the sessions, name it \"séances\" (or sessions, ateliers); the columns "
                    "read are " EXPECTED_COLUMNS "; to import without sessions anyway, add "
                    "--ignore-columns",
                    rec->line, ctx->res->ignored);
    }
    bool split_name = col[F_FIRST] >= 0 && col[F_LAST] >= 0;
    if (col[F_ID] < 0 || (col[F_NAME] < 0 && !split_name)) {
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "line %lu: the header needs an id column and a name column (or first and "
                    "last names); the columns read are " EXPECTED_COLUMNS,
                    rec->line);
    }
    if (split_name) {
        col[F_NAME] = -1;
    } else {
        col[F_FIRST] = col[F_LAST] = -1;
    }
    for (int f = 0; f < F_COUNT; f++) {
        if (col[f] >= 0) {
            snprintf(ctx->colname[f], sizeof(ctx->colname[f]), "%s",
                     shown(rec->fields[col[f]], v, sizeof(v)));
        }
    }
    return BORNE_OK;
}

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
    int col[F_COUNT];
    err = read_header(ctx, &rec, col, msg, cap);
    if (err) {
        return err;
    }
    size_t header_count = rec.count;
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
        if (rec.raw_count < header_count) {
            return fail(msg, cap, BORNE_ERR_PARSE,
                        "%s: %zu field%s where the header has %zu (a missing separator, or a "
                        "cell with a line break not in quotes?)",
                        where, rec.raw_count, rec.raw_count == 1 ? "" : "s", header_count);
        }
        for (size_t i = header_count; i < rec.count; i++) {
            if (rec.lengths[i] > 0) {
                char v[48];
                return fail(msg, cap, BORNE_ERR_PARSE,
                            "%s: %zu fields where the header has %zu (\"%s\" is past the last "
                            "column: a separator inside a value that is not in quotes?)",
                            where, rec.count, header_count, shown(rec.fields[i], v, sizeof(v)));
            }
        }
        struct roster_row row;
        memset(&row, 0, sizeof(row));
        const char *values[F_COUNT];
        for (int f = 0; f < F_COUNT; f++) {
            row.has[f] = col[f] >= 0;
            values[f] = borne_csv_field(&rec, col[f]);
        }
        err = fill_row(ctx, &row, values, where, msg, cap);
        err = err ? err : store_row(ctx, &row, where, msg, cap);
        if (err) {
            return err;
        }
    }
}

static borne_err roster_json_row(struct roster_ctx *ctx, json_t *jp, size_t i, char *msg,
                                 size_t cap)
{
    char where[40];
    snprintf(where, sizeof(where), "participants[%zu]", i);
    struct roster_row row;
    memset(&row, 0, sizeof(row));
    if (!json_is_object(jp)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s: not an object", where);
    }
    /* A key that is nearly one read ("sesions"), or a CSV spelling ("membre"), would be
     * silently ignored: refuse it. */
    const char *key;
    json_t *kv;
    json_object_foreach(jp, key, kv)
    {
        bool json_key = false;
        for (int f = 0; f < F_COUNT && !json_key; f++) {
            json_key = strcmp(key, json_keys[f]) == 0;
        }
        char k[64], v[48];
        borne_csv_header_key(key, strlen(key), k, sizeof(k));
        int field;
        const char *near;
        bool alias = classify_key(k, &field, &near);
        if (!json_key && (alias || near) && field >= 0) {
            return fail(msg, cap, BORNE_ERR_PARSE, "%s: unknown key \"%s\" (did you mean \"%s\"?)",
                        where, shown(key, v, sizeof(v)), json_keys[field]);
        }
    }
    /* Every value as text, so that JSON and CSV share one check. */
    char buf[F_COUNT][BORNE_NAME_MAX * 2];
    const char *values[F_COUNT];
    for (int f = 0; f < F_COUNT; f++) {
        json_t *v = json_object_get(jp, json_keys[f]);
        row.has[f] = v != NULL;
        buf[f][0] = '\0';
        values[f] = buf[f];
        if (!v || json_is_null(v) || f == F_SESSIONS) {
            continue;
        }
        if (json_is_string(v)) {
            if (json_string_length(v) >= sizeof(buf[f]) ||
                strlen(json_string_value(v)) != json_string_length(v)) {
                return fail(msg, cap, BORNE_ERR_PARSE,
                            "%s, \"%s\": too long or holds a NUL character", where, json_keys[f]);
            }
            snprintf(buf[f], sizeof(buf[f]), "%s", json_string_value(v));
        } else if (json_is_boolean(v) && f == F_MEMBER) {
            snprintf(buf[f], sizeof(buf[f]), "%s", json_is_true(v) ? "true" : "false");
        } else if (json_is_integer(v) && (f == F_ID || f == F_MEMBER)) {
            snprintf(buf[f], sizeof(buf[f]), "%lld", (long long)json_integer_value(v));
        } else {
            return fail(msg, cap, BORNE_ERR_PARSE, "%s, \"%s\": wrong type", where, json_keys[f]);
        }
    }
    if (!(row.has[F_FIRST] && row.has[F_LAST])) {
        row.has[F_FIRST] = row.has[F_LAST] = false;
    }
    json_t *id = json_object_get(jp, "id");
    if (!json_is_integer(id)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s, \"id\": must be a positive integer", where);
    }
    borne_err err = fill_row(ctx, &row, values, where, msg, cap);
    if (err) {
        return err;
    }
    json_t *sessions = json_object_get(jp, "sessions");
    if (sessions && !json_is_array(sessions) && !json_is_string(sessions)) {
        return fail(msg, cap, BORNE_ERR_PARSE, "%s, \"sessions\": must be a list", where);
    }
    if (json_is_string(sessions)) {
        err = parse_session_list(ctx, &row, json_string_value(sessions), where, msg, cap);
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
            return fail(msg, cap, BORNE_ERR_PARSE,
                        "%s, \"sessions\"[%zu]: not a session id or code", where, k);
        }
        err = add_session_ref(ctx, &row, ref, where, msg, cap);
        if (err) {
            return err;
        }
    }
    return err ? err : store_row(ctx, &row, where, msg, cap);
}

enum roster_format { FORMAT_SNIFF, FORMAT_CSV, FORMAT_JSON };

static borne_err roster_json(struct roster_ctx *ctx, const char *text, size_t len, char *msg,
                             size_t cap)
{
    borne_err err = BORNE_OK;
    json_t *root = load_json(text, len, &err, msg, cap);
    if (!root) {
        return err;
    }
    json_t *list = json_is_array(root) ? root : json_object_get(root, "participants");
    if (!json_is_array(list)) {
        json_decref(root);
        return fail(msg, cap, BORNE_ERR_PARSE,
                    "expected a list of participants or {\"participants\": [...]}");
    }
    size_t i;
    json_t *jp;
    json_array_foreach(list, i, jp)
    {
        err = roster_json_row(ctx, jp, i, msg, cap);
        if (err) {
            break;
        }
    }
    json_decref(root);
    return err;
}

static borne_err roster_import(struct borne_store *store, uint32_t event_id, const char *data,
                               size_t len, enum roster_format format,
                               const borne_import_options *opts, borne_import_result *res,
                               char *msg, size_t cap)
{
    memset(res, 0, sizeof(*res));
    if (msg && cap) {
        msg[0] = '\0';
    }
    char *text;
    size_t text_len;
    borne_err err = decode_input(data, len, res, &text, &text_len, msg, cap);
    if (err) {
        return err;
    }
    if (format == FORMAT_SNIFF) {
        size_t i = strspn(text, " \t\r\n");
        format = text[i] == '{' || text[i] == '[' ? FORMAT_JSON : FORMAT_CSV;
    }
    struct roster_ctx ctx;
    err = begin_roster(store, event_id, opts, &ctx, res, msg, cap);
    if (err) {
        free(text);
        return err;
    }
    if (format == FORMAT_JSON) {
        err = roster_json(&ctx, text, text_len, msg, cap);
    } else {
        struct borne_csv_reader *r = NULL;
        err = borne_csv_reader_new(&r, text, text_len, BORNE_CSV_SEP_AUTO);
        if (!err) {
            err = roster_csv_rows(&ctx, r, msg, cap);
        }
        borne_csv_reader_free(r);
    }
    err = end_roster(&ctx, err, msg, cap);
    free(text);
    return err;
}

borne_err borne_import_roster(struct borne_store *store, uint32_t event_id, const char *data,
                              size_t len, const borne_import_options *opts,
                              borne_import_result *res, char *msg, size_t msg_cap)
{
    return roster_import(store, event_id, data, len, FORMAT_SNIFF, opts, res, msg, msg_cap);
}

borne_err borne_import_roster_csv(struct borne_store *store, uint32_t event_id, const char *csv,
                                  size_t len, borne_import_result *res, char *msg, size_t msg_cap)
{
    return roster_import(store, event_id, csv, len, FORMAT_CSV, NULL, res, msg, msg_cap);
}

borne_err borne_import_roster_json(struct borne_store *store, uint32_t event_id, const char *json,
                                   size_t len, borne_import_result *res, char *msg, size_t msg_cap)
{
    return roster_import(store, event_id, json, len, FORMAT_JSON, NULL, res, msg, msg_cap);
}
