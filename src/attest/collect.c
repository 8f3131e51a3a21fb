/* Attendance of one participant at one event, read from the registry database (see attest.h).
 *
 * Read-only queries of our own on the registry's tables (event, session, participant, checkin),
 * kept out of regdb.c. The pairing of scans into presence and credit is core/credits.h, the
 * same as the credits report's, per session. */
#define LOG_MODULE "attest"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/attest.h"
#include "core/credits.h"
#include "core/log.h"
#include "core/rules.h"
#include "registry/regdb.h"
#include "store/sqlutil.h"

void borne_attest_clear(borne_attest *a)
{
    if (!a) {
        return;
    }
    free(a->sessions);
    memset(a, 0, sizeof(*a));
}

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

static borne_err get_participant(sqlite3 *db, uint32_t event_id, uint32_t id, borne_participant *p)
{
    sqlite3_stmt *st;
    borne_err err = prepare(db,
                            "SELECT name, organisation, member, status FROM participant"
                            " WHERE event_id = ?1 AND id = ?2 AND deleted = 0",
                            &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(p, 0, sizeof(*p));
        p->id = id;
        p->event_id = event_id;
        copy_col(p->display_name, sizeof(p->display_name), st, 0);
        copy_col(p->organisation, sizeof(p->organisation), st, 1);
        p->member = sqlite3_column_int(st, 2) != 0;
        p->status = (borne_reg_status)sqlite3_column_int(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? BORNE_OK : rc == SQLITE_DONE ? BORNE_ERR_NOT_FOUND : BORNE_ERR_DB;
}

/* Scans of one session, in time order. */
struct scans {
    borne_scan_event *v;
    size_t n, cap;
};

static borne_err add_scan(struct scans *s, int64_t t, borne_direction d)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        borne_scan_event *grown = realloc(s->v, cap * sizeof(*grown));
        if (!grown) {
            return BORNE_ERR_NOMEM;
        }
        s->v = grown;
        s->cap = cap;
    }
    s->v[s->n].time = t;
    s->v[s->n].direction = d;
    s->n++;
    return BORNE_OK;
}

/* Fills the attendance of `sess` from its scans; false when nothing was attended. */
static borne_err session_attendance(const borne_session *sess, const struct scans *s, int64_t now,
                                    borne_attest_session *out, bool *attended)
{
    *attended = false;
    if (s->n == 0 || now <= sess->starts) {
        return BORNE_OK;
    }
    borne_attendance a;
    borne_err err =
        borne_credits_compute(sess->starts, sess->ends, &sess->rule, s->v, s->n, now, &a);
    if (err) {
        return err;
    }
    if (a.intervals == 0 || a.attended_s <= 0) {
        return BORNE_OK;
    }
    memset(out, 0, sizeof(*out));
    out->id = sess->id;
    snprintf(out->code, sizeof(out->code), "%s", sess->code);
    snprintf(out->title, sizeof(out->title), "%s", sess->title);
    snprintf(out->room, sizeof(out->room), "%s", sess->room);
    out->starts = sess->starts;
    out->ends = sess->ends;
    out->attended_s = a.attended_s;
    out->credit_minutes = a.credit_minutes;
    out->intervals = a.intervals;
    bool open = false;
    for (size_t i = 0; i < s->n; i++) { /* sorted by time */
        if (s->v[i].direction == BORNE_ENTRY) {
            open = true;
            if (!out->first_entry) {
                out->first_entry = s->v[i].time;
            }
        } else {
            open = false;
            if (out->first_entry) {
                out->last_exit = s->v[i].time;
            }
        }
    }
    /* Still in at the end (closed by the schedule) or at `now` (the session was running). */
    if (open) {
        out->exit_missing = true;
        out->last_exit = 0;
        out->open_until = now < sess->ends ? now : sess->ends;
    }
    *attended = true;
    return BORNE_OK;
}

borne_err borne_attest_collect(struct borne_regdb *rdb, uint32_t event_id, uint32_t participant_id,
                               int64_t now, borne_attest *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3 *db = borne_regdb_sqlite(rdb);
    borne_err err = borne_regdb_get_event(rdb, event_id, &out->event);
    err = err ? err : get_participant(db, event_id, participant_id, &out->participant);
    if (err) {
        return err;
    }
    borne_session *sessions = NULL;
    size_t nsessions = 0;
    err = borne_regdb_sessions(rdb, event_id, &sessions, &nsessions);
    if (err) {
        return err;
    }
    sqlite3_stmt *st = NULL;
    err = prepare(db,
                  "SELECT session_id, wall_ms, direction FROM checkin"
                  " WHERE event_id = ?1 AND participant_id = ?2 AND session_id = ?3"
                  " AND outcome IN (?4, ?5, ?6, ?7) ORDER BY wall_ms, direction",
                  &st);
    if (!err && nsessions) {
        out->sessions = calloc(nsessions, sizeof(*out->sessions));
        err = out->sessions ? BORNE_OK : BORNE_ERR_NOMEM;
    }
    struct scans s = {0};
    for (size_t i = 0; !err && i < nsessions; i++) {
        s.n = 0;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_int64(st, 2, participant_id);
        sqlite3_bind_int64(st, 3, sessions[i].id);
        sqlite3_bind_int(st, 4, BORNE_OUTCOME_ACCEPTED_ENTRY);
        sqlite3_bind_int(st, 5, BORNE_OUTCOME_ACCEPTED_EXIT);
        sqlite3_bind_int(st, 6, BORNE_OUTCOME_EXIT_WITHOUT_ENTRY);
        sqlite3_bind_int(st, 7, BORNE_OUTCOME_ADMITTED_BY_STAFF);
        int rc;
        while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t t = sqlite3_column_int64(st, 1) / 1000;
            if (t > now) {
                continue; /* a scan dated in the future of the issue time: not yet */
            }
            err = add_scan(&s, t, (borne_direction)sqlite3_column_int(st, 2));
        }
        if (!err && rc != SQLITE_DONE) {
            LOG_ERR("attendance query: %s", sqlite3_errmsg(db));
            err = BORNE_ERR_DB;
        }
        bool attended = false;
        err =
            err ? err
                : session_attendance(&sessions[i], &s, now, &out->sessions[out->count], &attended);
        if (!err && attended) {
            out->total_minutes += out->sessions[out->count].credit_minutes;
            out->count++;
        }
    }
    free(s.v);
    sqlite3_finalize(st);
    free(sessions);
    if (err) {
        borne_attest_clear(out);
    }
    return err;
}

struct named {
    uint32_t id;
    char key[96];
};

static int by_key(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int c = strcasecmp(x->key, y->key);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

borne_err borne_attest_participants(struct borne_regdb *rdb, uint32_t event_id, uint32_t **ids,
                                    size_t *count)
{
    *ids = NULL;
    *count = 0;
    sqlite3 *db = borne_regdb_sqlite(rdb);
    sqlite3_stmt *st;
    borne_err err = prepare(db,
                            "SELECT p.id, p.name FROM participant p WHERE p.event_id = ?1"
                            " AND p.deleted = 0 AND EXISTS (SELECT 1 FROM checkin c"
                            "  WHERE c.event_id = p.event_id AND c.participant_id = p.id"
                            "  AND c.session_id IS NOT NULL AND c.outcome IN (?2, ?3, ?4))",
                            &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int(st, 2, BORNE_OUTCOME_ACCEPTED_ENTRY);
    sqlite3_bind_int(st, 3, BORNE_OUTCOME_ACCEPTED_EXIT);
    sqlite3_bind_int(st, 4, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    struct named *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct named *grown = realloc(v, cap * sizeof(*grown));
            if (!grown) {
                err = BORNE_ERR_NOMEM;
                break;
            }
            v = grown;
        }
        v[n].id = (uint32_t)sqlite3_column_int64(st, 0);
        const unsigned char *name = sqlite3_column_text(st, 1);
        borne_attest_ascii_name(name ? (const char *)name : "", v[n].key, sizeof(v[n].key));
        n++;
    }
    if (!err && rc != SQLITE_DONE) {
        LOG_ERR("participants query: %s", sqlite3_errmsg(db));
        err = BORNE_ERR_DB;
    }
    sqlite3_finalize(st);
    if (!err && n) {
        qsort(v, n, sizeof(*v), by_key);
        *ids = malloc(n * sizeof(**ids));
        err = *ids ? BORNE_OK : BORNE_ERR_NOMEM;
        for (size_t i = 0; !err && i < n; i++) {
            (*ids)[i] = v[i].id;
        }
        *count = err ? 0 : n;
    }
    free(v);
    return err;
}

borne_err borne_attest_registry_keys(struct borne_regdb *rdb, borne_pubkey **keys, size_t *count)
{
    *keys = NULL;
    *count = 0;
    sqlite3 *db = borne_regdb_sqlite(rdb);
    sqlite3_stmt *st;
    borne_err err = prepare(db, "SELECT key_id, public_key FROM signing_key ORDER BY key_id", &st);
    if (err) {
        return err;
    }
    size_t cap = 0;
    int rc;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 1) != 32) {
            continue;
        }
        if (*count == cap) {
            cap = cap ? cap * 2 : 4;
            borne_pubkey *grown = realloc(*keys, cap * sizeof(*grown));
            if (!grown) {
                err = BORNE_ERR_NOMEM;
                break;
            }
            *keys = grown;
        }
        (*keys)[*count].key_id = (uint16_t)sqlite3_column_int(st, 0);
        memcpy((*keys)[*count].key, sqlite3_column_blob(st, 1), 32);
        (*count)++;
    }
    if (!err && rc != SQLITE_DONE) {
        err = BORNE_ERR_DB;
    }
    sqlite3_finalize(st);
    if (err) {
        free(*keys);
        *keys = NULL;
        *count = 0;
    }
    return err;
}
