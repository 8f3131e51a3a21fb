/* The registrar's review and the official credits of an event (see review.h). */
#define LOG_MODULE "review"
#include "registry/review.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/collate.h"
#include "core/csv.h"
#include "core/hours.h"
#include "core/log.h"
#include "core/rules.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "registry/regdb.h"
#include "store/sqlutil.h"
#include "sync/protocol.h"

static borne_err prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        LOG_ERR("prepare: %s", sqlite3_errmsg(db));
        return BORNE_ERR_DB;
    }
    return BORNE_OK;
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

borne_err borne_review_get_policy(struct borne_regdb *db, uint32_t event_id,
                                  borne_missing_exit *out)
{
    sqlite3 *c = borne_regdb_sqlite(db);
    sqlite3_stmt *st;
    borne_err err = prepare(c, "SELECT missing_exit FROM event WHERE id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        err = borne_missing_exit_parse((const char *)sqlite3_column_text(st, 0), out)
                  ? BORNE_ERR_CORRUPT
                  : BORNE_OK;
    } else {
        err = rc == SQLITE_DONE ? BORNE_ERR_NOT_FOUND : BORNE_ERR_DB;
    }
    sqlite3_finalize(st);
    return err;
}

borne_err borne_review_set_policy(struct borne_regdb *db, uint32_t event_id,
                                  borne_missing_exit policy)
{
    sqlite3 *c = borne_regdb_sqlite(db);
    sqlite3_stmt *st;
    borne_err err = prepare(c, "UPDATE event SET missing_exit = ?2 WHERE id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_text(st, 2, borne_missing_exit_name(policy), -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        LOG_ERR("set missing_exit: %s", sqlite3_errmsg(c));
        return BORNE_ERR_DB;
    }
    return sqlite3_changes(c) ? BORNE_OK : BORNE_ERR_NOT_FOUND;
}

borne_err borne_review_event_policy(const char *json, size_t len, bool *set,
                                    borne_missing_exit *out)
{
    *set = false;
    json_t *root = json_loadb(json, len, 0, NULL);
    json_t *v = json_is_object(root) ? json_object_get(root, "missing_exit") : NULL;
    borne_err err = BORNE_OK;
    if (v) {
        err = json_is_string(v) ? borne_missing_exit_parse(json_string_value(v), out)
                                : BORNE_ERR_PARSE;
        *set = !err;
    }
    json_decref(root);
    return err;
}

/* An issuer is one line of text people read: UTF-8, no control or bidirectional character. */
static bool issuer_ok(const char *text)
{
    size_t len = strlen(text);
    if (len > BORNE_ISSUER_MAX || !borne_utf8_valid(text, len, NULL)) {
        return false;
    }
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += borne_utf8_decode(text + i, len - i, &cp);
        if (borne_utf8_is_unsafe(cp)) {
            return false;
        }
    }
    return true;
}

borne_err borne_review_get_issuer(struct borne_regdb *db, uint32_t event_id, char *out, size_t cap)
{
    sqlite3 *c = borne_regdb_sqlite(db);
    sqlite3_stmt *st;
    borne_err err = prepare(c, "SELECT issuer FROM event WHERE id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        copy_col(out, cap, st, 0);
    } else {
        err = rc == SQLITE_DONE ? BORNE_ERR_NOT_FOUND : BORNE_ERR_DB;
    }
    sqlite3_finalize(st);
    return err;
}

borne_err borne_review_set_issuer(struct borne_regdb *db, uint32_t event_id, const char *issuer)
{
    if (issuer && !issuer_ok(issuer)) {
        return BORNE_ERR_INVALID;
    }
    sqlite3 *c = borne_regdb_sqlite(db);
    sqlite3_stmt *st;
    borne_err err = prepare(c, "UPDATE event SET issuer = ?2 WHERE id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    if (issuer && issuer[0]) {
        sqlite3_bind_text(st, 2, issuer, -1, SQLITE_STATIC);
    }
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        LOG_ERR("set issuer: %s", sqlite3_errmsg(c));
        return BORNE_ERR_DB;
    }
    return sqlite3_changes(c) ? BORNE_OK : BORNE_ERR_NOT_FOUND;
}

borne_err borne_review_event_issuer(const char *json, size_t len, bool *set, char *out, size_t cap)
{
    *set = false;
    json_t *root = json_loadb(json, len, 0, NULL);
    json_t *v = json_is_object(root) ? json_object_get(root, "issuer") : NULL;
    borne_err err = BORNE_OK;
    if (v) {
        const char *text = json_string_value(v);
        err = text && issuer_ok(text) && strlen(text) < cap ? BORNE_OK : BORNE_ERR_PARSE;
        if (!err) {
            snprintf(out, cap, "%s", text);
            *set = true;
        }
    }
    json_decref(root);
    return err;
}

/* ---- computing the table ---- */

struct person {
    uint32_t id;
    char name[BORNE_NAME_MAX];
    char key[BORNE_NAME_MAX + 8]; /* the name's sort key (core/collate.h): never longer + 3 */
    bool walkin;
    borne_credit_scan *scans;
    size_t nscans, cap;
};

static int person_by_id(const void *a, const void *b)
{
    const struct person *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* French name order (core/collate.h, as the kiosk's report and badges), then the exact
 * spelling, then the participant number: a total order, the same at every export. */
static int person_by_name(const void *a, const void *b)
{
    const struct person *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    c = c ? c : strcmp(x->name, y->name);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

static struct person *find_person(struct person *v, size_t n, uint32_t id)
{
    struct person key = {.id = id};
    return bsearch(&key, v, n, sizeof(*v), person_by_id);
}

static long session_index(const borne_session *s, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i].id == id) {
            return (long)i;
        }
    }
    return -1;
}

static int session_by_start(const void *a, const void *b)
{
    const borne_session *x = a, *y = b;
    if (x->starts != y->starts) {
        return x->starts < y->starts ? -1 : 1;
    }
    return (x->id > y->id) - (x->id < y->id);
}

struct decision {
    uint32_t participant, session;
    borne_review_decision kind;
    int64_t id, entry, exit, when_ms;
    char by[128], reason[512];
};

static borne_review_decision decision_kind(const char *t)
{
    return !t                         ? BORNE_REVIEW_NONE
           : strcmp(t, "accept") == 0 ? BORNE_REVIEW_ACCEPT
           : strcmp(t, "reject") == 0 ? BORNE_REVIEW_REJECT
           : strcmp(t, "edit") == 0   ? BORNE_REVIEW_EDIT
                                      : BORNE_REVIEW_NONE;
}

static borne_err load_people(sqlite3 *c, uint32_t event_id, int64_t only, struct person **out,
                             size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    /* Two texts rather than "(?2 < 0 OR id = ?2)", which no index can serve: one participant
     * (an attestation, a decision) reads her rows only. */
    borne_err err = prepare(c,
                            only < 0 ? "SELECT id, name, walkin_kiosk IS NOT NULL FROM participant"
                                       " WHERE event_id = ?1 AND deleted = 0 ORDER BY id"
                                     : "SELECT id, name, walkin_kiosk IS NOT NULL FROM participant"
                                       " WHERE event_id = ?1 AND deleted = 0 AND id = ?2",
                            &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    if (only >= 0) {
        sqlite3_bind_int64(st, 2, only);
    }
    size_t cap = 0;
    int rc;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            struct person *grown = realloc(*out, cap * sizeof(**out));
            if (!grown) {
                err = BORNE_ERR_NOMEM;
                break;
            }
            *out = grown;
        }
        struct person *p = &(*out)[(*n)++];
        memset(p, 0, sizeof(*p));
        p->id = (uint32_t)sqlite3_column_int64(st, 0);
        copy_col(p->name, sizeof(p->name), st, 1);
        borne_name_sort_key(p->name, strlen(p->name), p->key, sizeof(p->key));
        p->walkin = sqlite3_column_int(st, 2) != 0;
    }
    if (!err && rc != SQLITE_DONE) {
        err = BORNE_ERR_DB;
    }
    sqlite3_finalize(st);
    return err;
}

static borne_err add_scan(struct person *p, const borne_credit_scan *s)
{
    if (p->nscans == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        borne_credit_scan *grown = realloc(p->scans, cap * sizeof(*grown));
        if (!grown) {
            return BORNE_ERR_NOMEM;
        }
        p->scans = grown;
        p->cap = cap;
    }
    p->scans[p->nscans++] = *s;
    return BORNE_OK;
}

static borne_err load_scans(sqlite3 *c, uint32_t event_id, int64_t only,
                            const borne_session *sessions, size_t nsessions, struct person *people,
                            size_t npeople, borne_report_skips *skips)
{
    sqlite3_stmt *st;
#define SCAN_COLUMNS                                                                               \
    "SELECT participant_id, session_id, wall_ms, direction, outcome, clock_trusted,"               \
    " wall_ms <> wall_recorded_ms, wall_ms > received_ms + ?2,"                                    \
    " direction IN (0, 1) AND length(uuid) = 36"
    /* One participant: through the index on (event, participant). */
    borne_err err = prepare(c,
                            only < 0 ? SCAN_COLUMNS " FROM checkin WHERE event_id = ?1"
                                                    " AND outcome IN (0, 1, 2, 17)"
                                     : SCAN_COLUMNS " FROM checkin WHERE event_id = ?1"
                                                    " AND participant_id = ?3"
                                                    " AND outcome IN (0, 1, 2, 17)",
                            &st);
#undef SCAN_COLUMNS
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, BORNE_PUSH_FUTURE_SKEW_MS);
    if (only >= 0) {
        sqlite3_bind_int64(st, 3, only);
    }
    int rc;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!sqlite3_column_int(st, 8)) {
            skips->unreadable++;
            continue;
        }
        struct person *p =
            sqlite3_column_type(st, 0) == SQLITE_NULL
                ? NULL
                : find_person(people, npeople, (uint32_t)sqlite3_column_int64(st, 0));
        if (!p) {
            skips->unknown_participant++;
            continue;
        }
        if (sqlite3_column_int(st, 7)) {
            skips->future++;
            continue;
        }
        if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
            continue; /* an event-wide scan: no session to credit */
        }
        long si = session_index(sessions, nsessions, (uint32_t)sqlite3_column_int64(st, 1));
        if (si < 0) {
            skips->unknown_session++;
            continue;
        }
        borne_credit_scan s = {
            .session = (size_t)si,
            .time = sqlite3_column_int64(st, 2) / 1000,
            .direction = (borne_direction)sqlite3_column_int(st, 3),
            .clock_doubt = !sqlite3_column_int(st, 5) || sqlite3_column_int(st, 6),
            .kiosk_saw_no_in = sqlite3_column_int(st, 4) == BORNE_OUTCOME_EXIT_WITHOUT_ENTRY,
        };
        err = add_scan(p, &s);
    }
    if (!err && rc != SQLITE_DONE) {
        err = BORNE_ERR_DB;
    }
    sqlite3_finalize(st);
    return err;
}

static int decision_by_participant(const void *a, const void *b)
{
    const struct decision *x = a, *y = b;
    return (x->participant > y->participant) - (x->participant < y->participant);
}

/* The decisions of the event (only >= 0: of that participant), by participant. */
static borne_err load_decisions(sqlite3 *c, uint32_t event_id, int64_t only, struct decision **out,
                                size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    /* The latest row of each participant and session stands. */
#define LATEST                                                                                     \
    "SELECT participant_id, session_id, decision, entry, exit, reason,"                            \
    " decided_by, decided_ms, id FROM review_decision d"                                           \
    " WHERE event_id = ?1 AND id = (SELECT max(id) FROM review_decision e"                         \
    "  WHERE e.event_id = d.event_id"                                                              \
    "  AND e.participant_id = d.participant_id"                                                    \
    "  AND e.session_id = d.session_id)"
    borne_err err = prepare(c, only < 0 ? LATEST : LATEST " AND participant_id = ?2", &st);
#undef LATEST
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    if (only >= 0) {
        sqlite3_bind_int64(st, 2, only);
    }
    size_t cap = 0;
    int rc;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            struct decision *grown = realloc(*out, cap * sizeof(**out));
            if (!grown) {
                err = BORNE_ERR_NOMEM;
                break;
            }
            *out = grown;
        }
        struct decision *d = &(*out)[(*n)++];
        memset(d, 0, sizeof(*d));
        d->participant = (uint32_t)sqlite3_column_int64(st, 0);
        d->session = (uint32_t)sqlite3_column_int64(st, 1);
        d->kind = decision_kind((const char *)sqlite3_column_text(st, 2));
        d->entry = sqlite3_column_int64(st, 3);
        d->exit = sqlite3_column_int64(st, 4);
        copy_col(d->reason, sizeof(d->reason), st, 5);
        copy_col(d->by, sizeof(d->by), st, 6);
        d->when_ms = sqlite3_column_int64(st, 7);
        d->id = sqlite3_column_int64(st, 8);
    }
    if (!err && rc != SQLITE_DONE) {
        err = BORNE_ERR_DB;
    }
    sqlite3_finalize(st);
    if (!err && *n > 1) {
        qsort(*out, *n, sizeof(**out), decision_by_participant);
    }
    return err;
}

void borne_credits_table_free(borne_credits_table *t)
{
    if (!t) {
        return;
    }
    free(t->sessions);
    free(t->rows);
    free(t->people);
    free(t->decisions);
    free(t->totals);
    memset(t, 0, sizeof(*t));
}

static borne_err compute_person(borne_credits_table *t, const struct person *p,
                                const struct decision *dec, size_t ndec, borne_credit_session *cs,
                                borne_session_credit *res, const struct decision **applied,
                                size_t *rows_cap)
{
    for (size_t i = 0; i < t->nsessions; i++) {
        const borne_session *s = &t->sessions[i];
        cs[i] = (borne_credit_session){.start = s->starts,
                                       .end = s->ends,
                                       .open_before_s = s->open_before_s,
                                       .close_after_s = s->close_after_s,
                                       .rule = s->rule};
        applied[i] = NULL;
    }
    /* Her decisions: consecutive in dec (by participant). */
    struct decision key = {.participant = p->id};
    const struct decision *hit =
        ndec ? bsearch(&key, dec, ndec, sizeof(*dec), decision_by_participant) : NULL;
    size_t from = hit ? (size_t)(hit - dec) : ndec;
    while (from > 0 && dec[from - 1].participant == p->id) {
        from--;
    }
    for (size_t k = from; k < ndec && dec[k].participant == p->id; k++) {
        long si = session_index(t->sessions, t->nsessions, dec[k].session);
        if (si >= 0) {
            cs[si].decision = dec[k].kind;
            cs[si].edit_entry = dec[k].entry;
            cs[si].edit_exit = dec[k].exit;
            applied[si] = &dec[k];
        }
    }
    borne_err err = borne_credits_participant(cs, t->nsessions, p->scans, p->nscans, t->policy,
                                              p->walkin, t->now, res);
    if (err) {
        return err;
    }
    size_t first = t->count;
    borne_credit_total tot = {.participant_id = p->id, .first_row = first};
    for (size_t i = 0; i < t->nsessions; i++) {
        if (!res[i].scanned) {
            continue;
        }
        if (t->count == *rows_cap) {
            size_t cap = *rows_cap ? *rows_cap * 2 : 64;
            borne_credit_row *grown = realloc(t->rows, cap * sizeof(*grown));
            if (!grown) {
                return BORNE_ERR_NOMEM;
            }
            t->rows = grown;
            *rows_cap = cap;
        }
        borne_credit_row *r = &t->rows[t->count++];
        memset(r, 0, sizeof(*r));
        r->participant_id = p->id;
        r->name = p->name;
        r->decided_by = "";
        r->reason = "";
        r->walkin = p->walkin;
        r->session = &t->sessions[i];
        r->credit = res[i];
        if (applied[i]) {
            r->decision = applied[i]->kind;
            r->decision_id = applied[i]->id;
            r->decided_ms = applied[i]->when_ms;
            r->edit_entry = applied[i]->entry;
            r->edit_exit = applied[i]->exit;
            r->decided_by = applied[i]->by;
            r->reason = applied[i]->reason;
        }
        tot.credit_minutes += res[i].credit_minutes;
        tot.attended_s += res[i].attended_s;
        tot.pending += borne_credit_row_in_review(r) && r->decision == BORNE_REVIEW_NONE;
    }
    tot.rows = t->count - first;
    if (tot.rows) {
        t->totals[t->ntotals++] = tot;
        t->credit_minutes += tot.credit_minutes;
    }
    return BORNE_OK;
}

static borne_err load(struct borne_regdb *db, uint32_t event_id, int64_t only, int64_t now,
                      borne_credits_table *out)
{
    memset(out, 0, sizeof(*out));
    out->now = now;
    sqlite3 *c = borne_regdb_sqlite(db);
    borne_err err = borne_regdb_get_event(db, event_id, &out->event);
    err = err ? err : borne_review_get_policy(db, event_id, &out->policy);
    err = err ? err : borne_regdb_sessions(db, event_id, &out->sessions, &out->nsessions);
    if (err) {
        borne_credits_table_free(out);
        return err;
    }
    if (out->nsessions) {
        qsort(out->sessions, out->nsessions, sizeof(*out->sessions), session_by_start);
    }
    struct person *people = NULL;
    size_t npeople = 0;
    struct decision *dec = NULL;
    size_t ndec = 0;
    /* One read transaction: the scans and the decisions agree. */
    bool own = sqlite3_get_autocommit(c) != 0; /* not inside a caller's transaction */
    if (own) {
        sqlite3_exec(c, "BEGIN", NULL, NULL, NULL);
    }
    err = load_people(c, event_id, only, &people, &npeople);
    err = err ? err
              : load_scans(c, event_id, only, out->sessions, out->nsessions, people, npeople,
                           &out->skips);
    err = err ? err : load_decisions(c, event_id, only, &dec, &ndec);
    if (own) {
        sqlite3_exec(c, "COMMIT", NULL, NULL, NULL);
    }
    borne_credit_session *cs = calloc(out->nsessions + 1, sizeof(*cs));
    borne_session_credit *res = calloc(out->nsessions + 1, sizeof(*res));
    const struct decision **applied = calloc(out->nsessions + 1, sizeof(*applied));
    out->totals = calloc(npeople + 1, sizeof(*out->totals));
    if (!err && (!cs || !res || !applied || !out->totals)) {
        err = BORNE_ERR_NOMEM;
    }
    if (!err && npeople) {
        qsort(people, npeople, sizeof(*people), person_by_name);
    }
    size_t rows_cap = 0;
    for (size_t i = 0; !err && i < npeople; i++) {
        err = compute_person(out, &people[i], dec, ndec, cs, res, applied, &rows_cap);
    }
    for (size_t i = 0; i < npeople; i++) {
        free(people[i].scans);
        people[i].scans = NULL;
    }
    out->people = people;
    out->decisions = dec;
    free(cs);
    free(res);
    free(applied);
    if (err) {
        borne_credits_table_free(out);
    }
    return err;
}

borne_err borne_credits_load(struct borne_regdb *db, uint32_t event_id, int64_t now,
                             borne_credits_table *out)
{
    return load(db, event_id, -1, now, out);
}

borne_err borne_credits_load_participant(struct borne_regdb *db, uint32_t event_id,
                                         uint32_t participant_id, int64_t now,
                                         borne_credits_table *out)
{
    return load(db, event_id, participant_id, now, out);
}

const borne_credit_row *borne_credits_find(const borne_credits_table *t, uint32_t participant_id,
                                           uint32_t session_id)
{
    for (size_t i = 0; i < t->count; i++) {
        if (t->rows[i].participant_id == participant_id && t->rows[i].session->id == session_id) {
            return &t->rows[i];
        }
    }
    return NULL;
}

bool borne_credit_row_in_review(const borne_credit_row *r)
{
    return r->credit.anomalies != 0 || r->decision != BORNE_REVIEW_NONE;
}

/* ---- exports ---- */

borne_err borne_credits_format_parse(const char *text, borne_credits_format *out)
{
    static const char *const names[] = {"csv", "excel", "json"};
    for (int i = 0; i < 3; i++) {
        if (text && strcmp(text, names[i]) == 0) {
            *out = (borne_credits_format)i;
            return BORNE_OK;
        }
    }
    return BORNE_ERR_PARSE;
}

/* The state of a row in words: "" (nothing to review), "pending", "withheld" (pending, and
 * no credit until decided), or the decision's name. */
static const char *row_status(const borne_credit_row *r)
{
    if (r->decision != BORNE_REVIEW_NONE) {
        return borne_review_decision_name(r->decision);
    }
    if (r->credit.withheld) {
        return "withheld";
    }
    return r->credit.anomalies ? "pending" : "";
}

static const char *row_status_fr(const borne_credit_row *r)
{
    switch (r->decision) {
    case BORNE_REVIEW_ACCEPT:
        return "acceptée";
    case BORNE_REVIEW_REJECT:
        return "refusée";
    case BORNE_REVIEW_EDIT:
        return "corrigée";
    case BORNE_REVIEW_NONE:
        break;
    }
    if (r->credit.withheld) {
        return "en attente (aucun crédit avant décision)";
    }
    return r->credit.anomalies ? "à vérifier" : "";
}

struct out {
    struct borne_csv_writer *w;
    borne_err err;
};

static void put(struct out *o, const char *s)
{
    if (!o->err) {
        o->err = borne_csv_write_str(o->w, s);
    }
}

static void put_i(struct out *o, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    put(o, buf);
}

static void put_hours(struct out *o, int64_t minutes, char mark)
{
    char buf[32];
    borne_hours_format(minutes, mark, buf, sizeof(buf));
    put(o, buf);
}

static void end_row(struct out *o)
{
    if (!o->err) {
        o->err = borne_csv_end_record(o->w);
    }
}

/* The machine CSV: the columns of the format before v5, then credit_minutes, anomalies,
 * review (docs/formats.md). */
static borne_err write_csv(const borne_credits_table *t, FILE *f)
{
    struct out o = {0};
    borne_err err = borne_csv_writer_new_file(&o.w, f, ',', 0);
    if (err) {
        return err;
    }
    static const char *const header[] = {
        "participant_id", "name", "session_id",     "session_code", "session", "minutes_attended",
        "credit_hours",   "note", "credit_minutes", "anomalies",    "review"};
    for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++) {
        put(&o, header[i]);
    }
    end_row(&o);
    for (size_t i = 0; i < t->count; i++) {
        const borne_credit_row *r = &t->rows[i];
        char note[160], words[160];
        const char *missing =
            r->credit.anomalies & BORNE_ANOMALY_MISSING_EXIT ? "exit not scanned" : "";
        const char *unmatched =
            r->credit.anomalies & BORNE_ANOMALY_EXIT_WITHOUT_ENTRY ? "exit without entry" : "";
        snprintf(note, sizeof(note), "%s%s%s", missing, *missing && *unmatched ? "; " : "",
                 unmatched);
        borne_anomaly_words(r->credit.anomalies, false, " ", words, sizeof(words));
        put_i(&o, r->participant_id);
        put(&o, r->name);
        put_i(&o, r->session->id);
        put(&o, r->session->code);
        put(&o, r->session->title);
        put_i(&o, r->credit.attended_s / 60);
        put_hours(&o, r->credit.credit_minutes, '.');
        put(&o, note);
        put_i(&o, r->credit.credit_minutes);
        put(&o, words);
        put(&o, row_status(r));
        end_row(&o);
    }
    borne_csv_writer_free(o.w);
    return o.err;
}

/* French Excel: BOM, ';', decimal comma, CRLF; a total after each participant and one for the
 * event; formulas neutralised (the writer's default). */
static borne_err write_excel(const borne_credits_table *t, FILE *f)
{
    struct out o = {0};
    borne_err err = borne_csv_writer_new_file(&o.w, f, ';', BORNE_CSV_WRITE_BOM);
    if (err) {
        return err;
    }
    static const char *const header[] = {
        "N° participant",   "Nom",       "N° séance", "Code", "Séance", "Minutes de présence",
        "Heures créditées", "Remarques", "Révision"};
    for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++) {
        put(&o, header[i]);
    }
    end_row(&o);
    for (size_t k = 0; k < t->ntotals; k++) {
        const borne_credit_total *tot = &t->totals[k];
        for (size_t i = tot->first_row; i < tot->first_row + tot->rows; i++) {
            const borne_credit_row *r = &t->rows[i];
            char words[256];
            borne_anomaly_words(r->credit.anomalies, true, ", ", words, sizeof(words));
            put_i(&o, r->participant_id);
            put(&o, r->name);
            put_i(&o, r->session->id);
            put(&o, r->session->code);
            put(&o, r->session->title);
            put_i(&o, r->credit.attended_s / 60);
            put_hours(&o, r->credit.credit_minutes, ',');
            put(&o, words);
            put(&o, row_status_fr(r));
            end_row(&o);
        }
        char label[BORNE_NAME_MAX + 16];
        snprintf(label, sizeof(label), "Total — %s", t->rows[tot->first_row].name);
        put_i(&o, tot->participant_id);
        put(&o, label);
        put(&o, "");
        put(&o, "");
        put(&o, "");
        put_i(&o, tot->attended_s / 60);
        put_hours(&o, tot->credit_minutes, ',');
        put(&o, "");
        put(&o, tot->pending ? "à vérifier" : "");
        end_row(&o);
    }
    put(&o, "");
    put(&o, "Total de l’événement");
    put(&o, "");
    put(&o, "");
    put(&o, t->event.name);
    put(&o, "");
    put_hours(&o, t->credit_minutes, ',');
    put(&o, "");
    put(&o, "");
    end_row(&o);
    borne_csv_writer_free(o.w);
    return o.err;
}

static json_t *hours_json(int64_t minutes)
{
    char buf[32];
    borne_hours_format(minutes, '.', buf, sizeof(buf));
    return json_string(buf);
}

static json_t *anomalies_json(uint32_t a)
{
    json_t *arr = json_array();
    for (int i = 0; i < BORNE_ANOMALY_KINDS; i++) {
        if (a & (1u << i)) {
            json_array_append_new(arr, json_string(borne_anomaly_name(i)));
        }
    }
    return arr;
}

static json_t *time_json(int64_t t)
{
    char buf[40];
    if (!t) {
        return json_null();
    }
    borne_time_format_utc(t, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *row_json(const borne_credit_row *r)
{
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:o, s:s, s:b}", "session_id",
        (json_int_t)r->session->id, "session_code", r->session->code, "session", r->session->title,
        "starts", time_json(r->session->starts), "ends", time_json(r->session->ends),
        "minutes_attended", (json_int_t)(r->credit.attended_s / 60), "credit_minutes",
        (json_int_t)r->credit.credit_minutes, "credit_hours", hours_json(r->credit.credit_minutes),
        "anomalies", anomalies_json(r->credit.anomalies), "review", row_status(r), "final",
        !r->credit.running);
    return j;
}

static json_t *table_json(const borne_credits_table *t)
{
    char now[40];
    borne_time_format_utc(t->now, now, sizeof(now));
    json_t *people = json_array();
    for (size_t k = 0; k < t->ntotals; k++) {
        const borne_credit_total *tot = &t->totals[k];
        json_t *sessions = json_array();
        for (size_t i = tot->first_row; i < tot->first_row + tot->rows; i++) {
            json_array_append_new(sessions, row_json(&t->rows[i]));
        }
        json_array_append_new(people, json_pack("{s:I, s:s, s:I, s:o, s:i, s:o}", "participant_id",
                                                (json_int_t)tot->participant_id, "name",
                                                t->rows[tot->first_row].name, "credit_minutes",
                                                (json_int_t)tot->credit_minutes, "credit_hours",
                                                hours_json(tot->credit_minutes), "pending",
                                                (int)tot->pending, "sessions", sessions));
    }
    return json_pack("{s:i, s:{s:I, s:s, s:s}, s:s, s:s, s:I, s:o, s:o}", "format", 1, "event",
                     "id", (json_int_t)t->event.id, "name", t->event.name, "timezone",
                     t->event.timezone, "computed", now, "missing_exit",
                     borne_missing_exit_name(t->policy), "credit_minutes",
                     (json_int_t)t->credit_minutes, "credit_hours", hours_json(t->credit_minutes),
                     "participants", people);
}

borne_err borne_credits_write(const borne_credits_table *t, borne_credits_format format, FILE *out)
{
    if (format == BORNE_CREDITS_CSV) {
        return write_csv(t, out);
    }
    if (format == BORNE_CREDITS_EXCEL) {
        return write_excel(t, out);
    }
    json_t *j = table_json(t);
    if (!j) {
        return BORNE_ERR_NOMEM;
    }
    /* Dumped to memory, then written at once: json_dumpf writes each token with its own fwrite
     * (a locked call per brace, key and value: a fifth of the export's time for 2,000 people). */
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!text) {
        return BORNE_ERR_NOMEM;
    }
    size_t len = strlen(text);
    bool ok = fwrite(text, 1, len, out) == len && fputc('\n', out) != EOF;
    free(text);
    return ok ? BORNE_OK : BORNE_ERR_IO;
}

/* ---- the review queue ---- */

borne_err borne_review_timeline(struct borne_regdb *db, uint32_t event_id, uint32_t participant_id,
                                json_t **out)
{
    *out = NULL;
    sqlite3 *c = borne_regdb_sqlite(db);
    sqlite3_stmt *st;
    borne_err err = prepare(c,
                            "SELECT c.wall_ms, c.session_id, coalesce(s.code, ''), c.direction,"
                            " c.outcome, c.kiosk_name, c.clock_trusted,"
                            " c.wall_ms <> c.wall_recorded_ms, c.wall_recorded_ms"
                            " FROM checkin c LEFT JOIN session s ON s.id = c.session_id"
                            " WHERE c.event_id = ?1 AND c.participant_id = ?2"
                            " AND c.outcome IN (0, 1, 2, 17) ORDER BY c.wall_ms, c.direction",
                            &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, participant_id);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int outcome = sqlite3_column_int(st, 4);
        json_t *e =
            json_pack("{s:o, s:I, s:s, s:s, s:s, s:s, s:b, s:b}", "time",
                      time_json(sqlite3_column_int64(st, 0) / 1000), "session_id",
                      (json_int_t)sqlite3_column_int64(st, 1), "session_code",
                      (const char *)sqlite3_column_text(st, 2), "direction",
                      sqlite3_column_int(st, 3) == BORNE_ENTRY ? "entry" : "exit", "outcome",
                      borne_outcome_name((borne_outcome)outcome), "kiosk",
                      sqlite3_column_text(st, 5) ? (const char *)sqlite3_column_text(st, 5) : "",
                      "clock_trusted", sqlite3_column_int(st, 6) != 0, "corrected",
                      sqlite3_column_int(st, 7) != 0);
        if (e && sqlite3_column_int(st, 7)) {
            json_object_set_new(e, "time_recorded", time_json(sqlite3_column_int64(st, 8) / 1000));
        }
        json_array_append_new(arr, e);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return BORNE_ERR_DB;
    }
    *out = arr;
    return BORNE_OK;
}

borne_err borne_review_write(struct borne_regdb *db, uint32_t event_id, int64_t now, bool json,
                             FILE *out)
{
    borne_credits_table t;
    borne_err err = borne_credits_load(db, event_id, now, &t);
    if (err) {
        return err;
    }
    json_t *items = json_array();
    size_t listed = 0, pending = 0;
    for (size_t i = 0; !err && i < t.count; i++) {
        const borne_credit_row *r = &t.rows[i];
        if (!borne_credit_row_in_review(r)) {
            continue;
        }
        listed++;
        pending += r->decision == BORNE_REVIEW_NONE;
        json_t *timeline = NULL;
        err = borne_review_timeline(db, event_id, r->participant_id, &timeline);
        if (err) {
            break;
        }
        char id[32];
        snprintf(id, sizeof(id), "%u-%u", (unsigned)r->session->id, (unsigned)r->participant_id);
        if (json) {
            json_t *item = row_json(r);
            json_object_set_new(item, "id", json_string(id));
            json_object_set_new(item, "participant_id", json_integer(r->participant_id));
            json_object_set_new(item, "name", json_string(r->name));
            if (r->decision != BORNE_REVIEW_NONE) {
                json_t *d = json_pack("{s:s, s:s, s:s, s:I}", "decision",
                                      borne_review_decision_name(r->decision), "by", r->decided_by,
                                      "reason", r->reason, "decided_ms", (json_int_t)r->decided_ms);
                if (r->decision == BORNE_REVIEW_EDIT) {
                    json_object_set_new(d, "entry", time_json(r->edit_entry));
                    json_object_set_new(d, "exit", time_json(r->edit_exit));
                }
                json_object_set_new(item, "decision", d);
            }
            json_object_set_new(item, "timeline", timeline);
            json_array_append_new(items, item);
            continue;
        }
        char words[256], hours[32];
        borne_anomaly_words(r->credit.anomalies, false, ", ", words, sizeof(words));
        borne_hours_format(r->credit.credit_minutes, '.', hours, sizeof(hours));
        fprintf(out, "%s  %s (%u), %s: %s; %lld min, %s h; %s", id, r->name,
                (unsigned)r->participant_id, r->session->code, words,
                (long long)(r->credit.attended_s / 60), hours,
                *row_status(r) ? row_status(r) : "-");
        if (r->decision != BORNE_REVIEW_NONE) {
            fprintf(out, " by %s (%s)", r->decided_by, r->reason);
        }
        fputc('\n', out);
        size_t n = json_array_size(timeline);
        for (size_t k = 0; k < n; k++) {
            json_t *e = json_array_get(timeline, k);
            json_t *tm = json_object_get(e, "time");
            fprintf(out, "    %s  %-4s %-5s %-18s %s%s\n",
                    json_is_string(tm) ? json_string_value(tm) : "?",
                    json_string_value(json_object_get(e, "session_code")),
                    json_string_value(json_object_get(e, "direction")),
                    json_string_value(json_object_get(e, "outcome")),
                    json_string_value(json_object_get(e, "kiosk")),
                    json_is_true(json_object_get(e, "clock_trusted")) ? "" : " (clock untrusted)");
        }
        json_decref(timeline);
    }
    if (!err && json) {
        char nowtxt[40];
        borne_time_format_utc(now, nowtxt, sizeof(nowtxt));
        json_t *root = json_pack("{s:I, s:s, s:s, s:I, s:I, s:o}", "event_id", (json_int_t)event_id,
                                 "missing_exit", borne_missing_exit_name(t.policy), "computed",
                                 nowtxt, "listed", (json_int_t)listed, "pending",
                                 (json_int_t)pending, "items", json_incref(items));
        if (!root || json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ||
            fputc('\n', out) == EOF) {
            err = BORNE_ERR_IO;
        }
        json_decref(root);
    } else if (!err) {
        fprintf(out, "%zu to review, %zu pending (missing exit: %s)\n", listed, pending,
                borne_missing_exit_name(t.policy));
    }
    json_decref(items);
    borne_credits_table_free(&t);
    return err;
}

borne_err borne_review_id_parse(const char *text, uint32_t *session_id, uint32_t *participant_id)
{
    unsigned long a, b;
    char *end;
    if (!text || *text < '0' || *text > '9') {
        return BORNE_ERR_PARSE;
    }
    a = strtoul(text, &end, 10);
    if (*end != '-' || end[1] < '0' || end[1] > '9' || a > UINT32_MAX) {
        return BORNE_ERR_PARSE;
    }
    b = strtoul(end + 1, &end, 10);
    if (*end || b > UINT32_MAX) {
        return BORNE_ERR_PARSE;
    }
    *session_id = (uint32_t)a;
    *participant_id = (uint32_t)b;
    return BORNE_OK;
}

static char *credit_text(const borne_credit_row *r)
{
    json_t *j = r ? json_pack("{s:I, s:I, s:o, s:s}", "minutes_attended",
                              (json_int_t)(r->credit.attended_s / 60), "credit_minutes",
                              (json_int_t)r->credit.credit_minutes, "anomalies",
                              anomalies_json(r->credit.anomalies), "review", row_status(r))
                  : json_object();
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return s;
}

borne_err borne_review_decide(struct borne_regdb *db, const borne_review_request *req, int64_t now,
                              int64_t *decision_id, const char **why)
{
    *why = "";
    *decision_id = 0;
    if (!req->by || !*req->by) {
        *why = "the registrar's name is required (--by)";
        return BORNE_ERR_INVALID;
    }
    if (req->decision != BORNE_REVIEW_ACCEPT && (!req->reason || !*req->reason)) {
        *why = "a reason is required to edit or reject (--reason)";
        return BORNE_ERR_INVALID;
    }
    if (req->decision == BORNE_REVIEW_EDIT && req->exit <= req->entry) {
        *why = "the exit must come after the entry";
        return BORNE_ERR_INVALID;
    }
    if (req->decision == BORNE_REVIEW_NONE) {
        *why = "the decision is accept, reject or edit";
        return BORNE_ERR_INVALID;
    }
    sqlite3 *c = borne_regdb_sqlite(db);
    sqlite3_stmt *st;
    borne_err err = prepare(c,
                            "SELECT s.event_id FROM session s JOIN participant p"
                            " ON p.event_id = s.event_id AND p.id = ?2 AND p.deleted = 0"
                            " WHERE s.id = ?1 AND s.deleted = 0",
                            &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, req->session_id);
    sqlite3_bind_int64(st, 2, req->participant_id);
    int rc = sqlite3_step(st);
    uint32_t event_id = rc == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        *why = "no such session, or the participant is not in its event";
        return rc == SQLITE_DONE ? BORNE_ERR_NOT_FOUND : BORNE_ERR_DB;
    }
    if (sqlite3_exec(c, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        return BORNE_ERR_DB;
    }
    borne_credits_table t;
    err = borne_credits_load(db, event_id, now, &t);
    char *before =
        err ? NULL : credit_text(borne_credits_find(&t, req->participant_id, req->session_id));
    borne_credits_table_free(&t);
    if (!err) {
        err = prepare(c,
                      "INSERT INTO review_decision(event_id, participant_id, session_id,"
                      " decision, entry, exit, reason, decided_by, decided_ms, before, after)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '{}')",
                      &st);
    }
    if (!err) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_int64(st, 2, req->participant_id);
        sqlite3_bind_int64(st, 3, req->session_id);
        sqlite3_bind_text(st, 4, borne_review_decision_name(req->decision), -1, SQLITE_STATIC);
        if (req->decision == BORNE_REVIEW_EDIT) {
            sqlite3_bind_int64(st, 5, req->entry);
            sqlite3_bind_int64(st, 6, req->exit);
        }
        sqlite3_bind_text(st, 7, req->reason ? req->reason : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, req->by, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, now * 1000);
        sqlite3_bind_text(st, 10, before ? before : "{}", -1, SQLITE_STATIC);
        err = sqlite3_step(st) == SQLITE_DONE ? BORNE_OK : BORNE_ERR_DB;
        sqlite3_finalize(st);
        *decision_id = sqlite3_last_insert_rowid(c);
    }
    char *after = NULL;
    if (!err) {
        err = borne_credits_load(db, event_id, now, &t);
        after =
            err ? NULL : credit_text(borne_credits_find(&t, req->participant_id, req->session_id));
        borne_credits_table_free(&t);
    }
    if (!err) {
        err = prepare(c, "UPDATE review_decision SET after = ?2 WHERE id = ?1", &st);
    }
    if (!err) {
        sqlite3_bind_int64(st, 1, *decision_id);
        sqlite3_bind_text(st, 2, after ? after : "{}", -1, SQLITE_STATIC);
        err = sqlite3_step(st) == SQLITE_DONE ? BORNE_OK : BORNE_ERR_DB;
        sqlite3_finalize(st);
    }
    free(before);
    free(after);
    if (err) {
        LOG_ERR("review decision: %s", sqlite3_errmsg(c));
        sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
        return err;
    }
    return sqlite3_exec(c, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? BORNE_OK : BORNE_ERR_DB;
}
