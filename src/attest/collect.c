/* Attendance of one participant at one event, read from the registry database (see attest.h).
 *
 * Read-only queries of our own on the registry's tables (event, session, participant, checkin),
 * kept out of regdb.c. Presence and credit come from the registry's official table
 * (registry/review.h, borne_credits_load_participant), the same as the credits export's. */
#define LOG_MODULE "attest"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "core/collate.h"
#include "core/credits.h"
#include "core/log.h"
#include "core/rules.h"
#include "registry/regdb.h"
#include "registry/review.h"
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

/* One session of the official table (registry/review.h) as the attestation shows it; false
 * when nothing was attended. */
static bool session_attendance(const borne_credit_row *r, int64_t now, borne_attest_session *out)
{
    const borne_session *sess = r->session;
    if (r->credit.attended_s <= 0) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    out->id = sess->id;
    snprintf(out->code, sizeof(out->code), "%s", sess->code);
    snprintf(out->title, sizeof(out->title), "%s", sess->title);
    snprintf(out->room, sizeof(out->room), "%s", sess->room);
    out->starts = sess->starts;
    out->ends = sess->ends;
    out->attended_s = r->credit.attended_s;
    out->credit_minutes = r->credit.credit_minutes;
    out->intervals = r->credit.intervals;
    out->first_entry = r->credit.first_entry;
    out->last_exit = r->credit.last_exit;
    if (r->decision == BORNE_REVIEW_EDIT) {
        /* The registrar's times stand for the scans. */
        out->first_entry = r->edit_entry;
        out->last_exit = r->edit_exit;
        out->intervals = 1;
    } else if ((r->credit.anomalies & BORNE_ANOMALY_MISSING_EXIT) || r->credit.in_room) {
        /* Still in at the end (counted by the policy or a decision) or at `now`. */
        out->exit_missing = true;
        out->last_exit = 0;
        out->open_until = now < sess->ends ? now : sess->ends;
    }
    return true;
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
    /* The credits of the event's official table: the same computation as the credits export
     * and the review queue (missing-exit policy, decisions, overlapping sessions, now). */
    borne_credits_table t;
    err = borne_credits_load_participant(rdb, event_id, participant_id, now, &t);
    if (err) {
        return err;
    }
    out->sessions = calloc(t.count + 1, sizeof(*out->sessions));
    if (!out->sessions) {
        borne_credits_table_free(&t);
        return BORNE_ERR_NOMEM;
    }
    for (size_t i = 0; i < t.count; i++) { /* by session start */
        if (session_attendance(&t.rows[i], now, &out->sessions[out->count])) {
            out->count++;
        }
    }
    /* Rows with no time attended credit nothing: the total is the table's. */
    out->total_minutes = t.credit_minutes;
    borne_credits_table_free(&t);
    return BORNE_OK;
}

struct named {
    uint32_t id;
    char name[BORNE_NAME_MAX];
    char key[BORNE_NAME_MAX + 8]; /* core/collate.h */
};

/* The credits exports' order (registry/review.c): French name order, spelling, number. */
static int by_key(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    c = c ? c : strcmp(x->name, y->name);
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
                            "  AND c.session_id IS NOT NULL AND c.outcome IN (?2, ?3))",
                            &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int(st, 2, BORNE_OUTCOME_ACCEPTED_ENTRY);
    sqlite3_bind_int(st, 3, BORNE_OUTCOME_ACCEPTED_EXIT);
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
        snprintf(v[n].name, sizeof(v[n].name), "%s", name ? (const char *)name : "");
        borne_name_sort_key(v[n].name, strlen(v[n].name), v[n].key, sizeof(v[n].key));
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
