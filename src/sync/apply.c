/* Applying pulled roster pages to the kiosk store (see apply.h and docs/protocol.md).
 *
 * DESIGN: the FTS5 name index is kept by triggers on the participant table. Inside a
 * transaction, every statement that has a statement journal makes FTS5 flush its pending terms
 * (xSavepoint/xRelease), so a trigger-fed row costs a new index segment and its merging: with
 * badge texts (a second UPDATE per row) that was most of a first pull. So a participant is
 * written by one upsert that changes nothing when nothing changed, and a large page drops the
 * insert and update triggers inside its transaction, does by hand what they did for rows that
 * were already indexed, indexes all the page's new rows (rowids above the table's largest before
 * the page) with one INSERT ... SELECT, and creates the triggers again from their stored text
 * before the commit. A failure anywhere rolls the page back, triggers included. */
#define LOG_MODULE "sync"
#include "sync/apply.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/sync_store.h"

enum stmt_id {
    S_UPSERT,
    S_FIND,
    S_FTS_DELETE,
    S_FTS_ADD,
    S_FTS_NEW_ROWS,
    S_MAX_ROWID,
    S_REG_CLEAR,
    S_REG_ADD,
    S_TRIGGERS,
    S_COUNT
};

/* Each statement's text, prepared on first use and kept for the writer's life. */
static const char *const stmt_sql[S_COUNT] = {
    [S_UPSERT] =
        "INSERT INTO participant(event_id, participant_id, display_name, organisation, member,"
        " status, code, badge_text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " ON CONFLICT(event_id, participant_id) DO UPDATE SET"
        " display_name = excluded.display_name, organisation = excluded.organisation,"
        " member = excluded.member, status = excluded.status,"
        " code = CASE WHEN ?9 THEN excluded.code ELSE participant.code END,"
        " badge_text = excluded.badge_text"
        " WHERE participant.display_name IS NOT excluded.display_name"
        " OR participant.organisation IS NOT excluded.organisation"
        " OR participant.member IS NOT excluded.member OR participant.status IS NOT excluded.status"
        " OR (?9 AND participant.code IS NOT excluded.code)"
        " OR participant.badge_text IS NOT excluded.badge_text",
    [S_FIND] = "SELECT rowid, display_name, organisation FROM participant"
               " WHERE event_id = ?1 AND participant_id = ?2",
    [S_FTS_DELETE] = "INSERT INTO participant_fts(participant_fts, rowid, display_name,"
                     " organisation) VALUES ('delete', ?1, ?2, ?3)",
    [S_FTS_ADD] = "INSERT INTO participant_fts(rowid, display_name, organisation)"
                  " VALUES (?1, ?2, ?3)",
    [S_FTS_NEW_ROWS] = "INSERT INTO participant_fts(rowid, display_name, organisation)"
                       " SELECT rowid, display_name, organisation FROM participant"
                       " WHERE rowid > ?1",
    [S_MAX_ROWID] = "SELECT coalesce(max(rowid), 0) FROM participant",
    [S_REG_CLEAR] = "DELETE FROM registration WHERE event_id = ?1 AND participant_id = ?2",
    [S_REG_ADD] = "INSERT OR IGNORE INTO registration(event_id, participant_id, session_id)"
                  " VALUES (?1, ?2, ?3)",
    [S_TRIGGERS] = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                   " AND tbl_name = 'participant'",
};

/* The triggers a large page drops (they feed the index on insert and update); the delete
 * trigger stays: the page's deletions run after the triggers are back. */
static const char *const bulk_triggers[] = {"participant_ai", "participant_au"};
#define BULK_TRIGGERS (sizeof(bulk_triggers) / sizeof(bulk_triggers[0]))

/* A set of ids, sorted when searched. */
typedef struct idset {
    uint32_t *ids;
    size_t n, cap;
    bool sorted;
} idset;

struct borne_pull_writer {
    struct borne_store *store;
    sqlite3 *db;
    uint32_t event_id;
    sqlite3_stmt *st[S_COUNT];
    /* Reset (apply.h): */
    bool from_zero;    /* the store holds the reset note: pull from 0 */
    bool tracking;     /* the pages since a reset page, or since 0 with the note */
    bool reset_done;   /* the last page after a reset was applied */
    int64_t own_kiosk; /* walk-ins of this kiosk number are kept */
    idset seen_participants, seen_sessions;
};

static borne_err idset_add(idset *s, uint32_t id)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        uint32_t *grown = realloc(s->ids, cap * sizeof(*grown));
        if (!grown) {
            return BORNE_ERR_NOMEM;
        }
        s->ids = grown;
        s->cap = cap;
    }
    s->ids[s->n++] = id;
    s->sorted = false;
    return BORNE_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static bool idset_has(idset *s, uint32_t id)
{
    if (!s->n) {
        return false;
    }
    if (!s->sorted) {
        qsort(s->ids, s->n, sizeof(*s->ids), cmp_u32);
        s->sorted = true;
    }
    return bsearch(&id, s->ids, s->n, sizeof(*s->ids), cmp_u32) != NULL;
}

static void idset_clear(idset *s)
{
    s->n = 0;
    s->sorted = false;
}

borne_err borne_pull_writer_new(struct borne_store *store, uint32_t event_id,
                                borne_pull_writer **out)
{
    *out = NULL;
    borne_pull_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        return BORNE_ERR_NOMEM;
    }
    w->store = store;
    w->db = borne_store_db(store);
    w->event_id = event_id;
    char note[8] = "";
    borne_err err = borne_store_state_get(store, BORNE_SYNC_RESET_KEY, note, sizeof(note));
    if (err && err != BORNE_ERR_NOT_FOUND) {
        free(w);
        return err;
    }
    w->from_zero = strcmp(note, "1") == 0;
    w->tracking = w->from_zero;
    *out = w;
    return BORNE_OK;
}

bool borne_pull_writer_from_zero(borne_pull_writer *w)
{
    return w->from_zero;
}

void borne_pull_writer_own_walkins(borne_pull_writer *w, int64_t kiosk_number)
{
    w->own_kiosk = kiosk_number;
}

bool borne_pull_writer_reset_done(const borne_pull_writer *w)
{
    return w->reset_done;
}

void borne_pull_writer_free(borne_pull_writer *w)
{
    if (!w) {
        return;
    }
    for (size_t i = 0; i < S_COUNT; i++) {
        sqlite3_finalize(w->st[i]);
    }
    free(w->seen_participants.ids);
    free(w->seen_sessions.ids);
    free(w);
}

/* The statement `id`, reset and unbound, prepared on first use. */
static borne_err stmt(borne_pull_writer *w, enum stmt_id id, sqlite3_stmt **out)
{
    *out = NULL;
    if (!w->st[id]) {
        int rc = sqlite3_prepare_v3(w->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &w->st[id],
                                    NULL);
        if (rc != SQLITE_OK) {
            w->st[id] = NULL;
            return borne_store_error(w->store, rc, "prepare (pull)");
        }
    }
    *out = w->st[id];
    return BORNE_OK;
}

/* Steps a statement that returns no row, then resets it. */
static borne_err run(borne_pull_writer *w, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    borne_err err = rc == SQLITE_DONE ? BORNE_OK : borne_store_error(w->store, rc, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return err;
}

static void bind_text_or_null(sqlite3_stmt *st, int col, const char *text)
{
    if (text[0]) {
        sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, col);
    }
}

/* ---- large pages: the index triggers off for the page's participants ---- */

typedef struct bulk {
    bool on;
    int64_t max_rowid;        /* the participant table's largest rowid before the page */
    char *sql[BULK_TRIGGERS]; /* the dropped triggers' text (sqlite3_malloc'ed) */
} bulk;

static void bulk_free(bulk *b)
{
    for (size_t i = 0; i < BULK_TRIGGERS; i++) {
        sqlite3_free(b->sql[i]);
        b->sql[i] = NULL;
    }
}

/* Reads the participant table's triggers. Only when they are exactly the schema's three index
 * triggers (what this file knows how to do by hand) does the page go without them. */
static borne_err bulk_start(borne_pull_writer *w, bulk *b)
{
    memset(b, 0, sizeof(*b));
    sqlite3_stmt *st;
    borne_err err = stmt(w, S_TRIGGERS, &st);
    if (err) {
        return err;
    }
    size_t triggers = 0;
    bool known = true;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *sql = (const char *)sqlite3_column_text(st, 1);
        triggers++;
        if (!name || !sql || !strstr(sql, "participant_fts")) {
            known = false;
            continue;
        }
        for (size_t i = 0; i < BULK_TRIGGERS; i++) {
            if (strcmp(name, bulk_triggers[i]) == 0 && !b->sql[i]) {
                b->sql[i] = sqlite3_mprintf("%s", sql);
                if (!b->sql[i]) {
                    err = BORNE_ERR_NOMEM;
                }
            }
        }
        if (strcmp(name, "participant_ad") != 0 && strcmp(name, bulk_triggers[0]) != 0 &&
            strcmp(name, bulk_triggers[1]) != 0) {
            known = false;
        }
    }
    sqlite3_reset(st);
    if (!err && rc != SQLITE_DONE) {
        err = borne_store_error(w->store, rc, "triggers (pull)");
    }
    for (size_t i = 0; i < BULK_TRIGGERS; i++) {
        known = known && b->sql[i];
    }
    if (err || !known || triggers != 3) {
        bulk_free(b);
        if (!err) {
            LOG_DBG("participant triggers not as expected: page applied row by row");
        }
        return err;
    }
    err = stmt(w, S_MAX_ROWID, &st);
    if (err) {
        bulk_free(b);
        return err;
    }
    rc = sqlite3_step(st);
    b->max_rowid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        bulk_free(b);
        return borne_store_error(w->store, rc, "largest rowid (pull)");
    }
    for (size_t i = 0; i < BULK_TRIGGERS && !err; i++) {
        char *drop = sqlite3_mprintf("DROP TRIGGER \"%w\"", bulk_triggers[i]);
        rc = drop ? sqlite3_exec(w->db, drop, NULL, NULL, NULL) : SQLITE_NOMEM;
        sqlite3_free(drop);
        if (rc != SQLITE_OK) {
            err = borne_store_error(w->store, rc, "drop index trigger (pull)");
        }
    }
    if (err) {
        bulk_free(b); /* the caller rolls back: the triggers come back with it */
        return err;
    }
    b->on = true;
    return BORNE_OK;
}

/* Indexes the rows the page inserted and creates the triggers again. */
static borne_err bulk_finish(borne_pull_writer *w, bulk *b)
{
    sqlite3_stmt *st;
    borne_err err = stmt(w, S_FTS_NEW_ROWS, &st);
    if (!err) {
        sqlite3_bind_int64(st, 1, b->max_rowid);
        err = run(w, st, "index new participants (pull)");
    }
    for (size_t i = 0; i < BULK_TRIGGERS && !err; i++) {
        int rc = sqlite3_exec(w->db, b->sql[i], NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            err = borne_store_error(w->store, rc, "restore index trigger (pull)");
        }
    }
    return err;
}

/* ---- one participant ---- */

/* In a large page, a row that was already indexed and changes its name or organisation gets
 * from here what the update trigger would have done: its old words out, its new words in. */
static borne_err put_participant(borne_pull_writer *w, const borne_pull_participant *pp,
                                 const bulk *b)
{
    sqlite3_stmt *st;
    borne_err err;
    int64_t rowid = 0;
    bool exists = true, reindex = false;
    if (b->on) {
        err = stmt(w, S_FIND, &st);
        if (err) {
            return err;
        }
        sqlite3_bind_int64(st, 1, w->event_id);
        sqlite3_bind_int64(st, 2, pp->p.id);
        int rc = sqlite3_step(st);
        exists = rc == SQLITE_ROW;
        if (exists) {
            rowid = sqlite3_column_int64(st, 0);
            const char *name = (const char *)sqlite3_column_text(st, 1);
            const char *org = (const char *)sqlite3_column_text(st, 2);
            reindex = rowid <= b->max_rowid && (strcmp(name ? name : "", pp->p.display_name) != 0 ||
                                                strcmp(org ? org : "", pp->p.organisation) != 0);
            if (reindex) {
                sqlite3_stmt *del;
                err = stmt(w, S_FTS_DELETE, &del);
                if (!err) {
                    sqlite3_bind_int64(del, 1, rowid);
                    sqlite3_bind_value(del, 2, sqlite3_column_value(st, 1));
                    sqlite3_bind_value(del, 3, sqlite3_column_value(st, 2));
                    err = run(w, del, "unindex participant (pull)");
                }
            }
        } else if (rc != SQLITE_DONE) {
            err = borne_store_error(w->store, rc, "find participant (pull)");
        } else {
            err = BORNE_OK;
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (err) {
            return err;
        }
    }

    err = stmt(w, S_UPSERT, &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, w->event_id);
    sqlite3_bind_int64(st, 2, pp->p.id);
    sqlite3_bind_text(st, 3, pp->p.display_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, pp->p.organisation, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, pp->p.member);
    sqlite3_bind_int(st, 6, (int)pp->p.status);
    bind_text_or_null(st, 7, pp->code);
    /* The whole record comes each time: no badge text means the registry has none. */
    bind_text_or_null(st, 8, pp->badge);
    /* No opaque code in the page keeps the one the kiosk has. */
    sqlite3_bind_int(st, 9, pp->code[0] != '\0');
    err = run(w, st, "put participant (pull)");
    if (!err && reindex) {
        err = stmt(w, S_FTS_ADD, &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, rowid);
            sqlite3_bind_text(st, 2, pp->p.display_name, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, pp->p.organisation, -1, SQLITE_STATIC);
            err = run(w, st, "index participant (pull)");
        }
    }
    if (err) {
        return err;
    }

    if (exists) {
        err = stmt(w, S_REG_CLEAR, &st);
        if (err) {
            return err;
        }
        sqlite3_bind_int64(st, 1, w->event_id);
        sqlite3_bind_int64(st, 2, pp->p.id);
        err = run(w, st, "clear registrations (pull)");
    }
    for (size_t i = 0; !err && i < pp->nsessions; i++) {
        err = stmt(w, S_REG_ADD, &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, w->event_id);
            sqlite3_bind_int64(st, 2, pp->p.id);
            sqlite3_bind_int64(st, 3, pp->sessions[i]);
            err = run(w, st, "registration (pull)");
        }
    }
    return err;
}

/* ---- a reset (apply.h) ---- */

/* Notes the reset and marks the event's synced check-ins to be sent again. */
static borne_err reset_start(borne_pull_writer *w)
{
    LOG_WARN("the registry's roster is behind this kiosk's (restored from a backup?): the roster "
             "is taken again from 0 and the check-ins are sent again");
    w->tracking = true;
    idset_clear(&w->seen_participants);
    idset_clear(&w->seen_sessions);
    borne_err err = borne_store_state_set(w->store, BORNE_SYNC_RESET_KEY, "1");
    if (err) {
        return err;
    }
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        w->db, "UPDATE checkin SET synced = 0 WHERE event_id = ?1 AND synced = 1", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        return borne_store_error(w->store, rc, "resend check-ins (pull)");
    }
    sqlite3_bind_int64(st, 1, w->event_id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? BORNE_OK
                             : borne_store_error(w->store, rc, "resend check-ins (pull)");
}

/* Ids of the first column of `sql` (?1 = the event), into *out. */
static borne_err read_ids(borne_pull_writer *w, const char *sql, idset *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(w->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        return borne_store_error(w->store, rc, "read ids (pull)");
    }
    sqlite3_bind_int64(st, 1, w->event_id);
    borne_err err = BORNE_OK;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        err = idset_add(out, (uint32_t)sqlite3_column_int64(st, 0));
    }
    sqlite3_finalize(st);
    if (!err && rc != SQLITE_DONE) {
        err = borne_store_error(w->store, rc, "read ids (pull)");
    }
    return err;
}

/* Deletes what the pages since the reset did not carry, and clears the note. */
static borne_err reset_finish(borne_pull_writer *w)
{
    idset have = {0};
    borne_err err =
        read_ids(w, "SELECT participant_id FROM participant WHERE event_id = ?1", &have);
    size_t people = 0, sessions = 0;
    for (size_t i = 0; !err && i < have.n; i++) {
        uint32_t id = have.ids[i], bits;
        bool own = w->own_kiosk > 0 && borne_walkin_id_parse(id, &bits) &&
                   bits == (uint32_t)(w->own_kiosk % BORNE_WALKIN_KIOSK_MOD);
        if (!own && !idset_has(&w->seen_participants, id)) {
            err = borne_sync_store_delete_participant(w->store, w->event_id, id);
            people++;
        }
    }
    idset_clear(&have);
    err = err ? err : read_ids(w, "SELECT id FROM session WHERE event_id = ?1", &have);
    for (size_t i = 0; !err && i < have.n; i++) {
        if (!idset_has(&w->seen_sessions, have.ids[i])) {
            err = borne_sync_store_delete_session(w->store, have.ids[i]);
            sessions++;
        }
    }
    free(have.ids);
    err = err ? err : borne_store_state_set(w->store, BORNE_SYNC_RESET_KEY, "0");
    if (!err) {
        LOG_INFO("roster taken again from 0: %zu participants and %zu sessions the registry no "
                 "longer has were dropped",
                 people, sessions);
    }
    return err;
}

/* ---- one page ---- */

static borne_err apply_page(borne_pull_writer *w, const borne_pull *pull)
{
    borne_err err = BORNE_OK;
    if (pull->reset) {
        err = reset_start(w);
    }
    for (size_t i = 0; !err && w->tracking && i < pull->nparticipants; i++) {
        err = idset_add(&w->seen_participants, pull->participants[i].p.id);
    }
    for (size_t i = 0; !err && w->tracking && i < pull->nsessions; i++) {
        err = idset_add(&w->seen_sessions, pull->sessions[i].id);
    }
    if (!err && pull->has_event) {
        err = borne_store_put_event(w->store, &pull->event);
    }
    for (size_t i = 0; !err && i < pull->nsessions; i++) {
        err = borne_store_put_session(w->store, &pull->sessions[i]);
    }
    bulk b;
    memset(&b, 0, sizeof(b));
    if (!err && pull->nparticipants >= BORNE_PULL_BULK_MIN) {
        err = bulk_start(w, &b);
    }
    for (size_t i = 0; !err && i < pull->nparticipants; i++) {
        err = put_participant(w, &pull->participants[i], &b);
    }
    if (!err && b.on) {
        err = bulk_finish(w, &b);
    }
    bulk_free(&b);
    for (size_t i = 0; !err && i < pull->ndeleted_participants; i++) {
        err = borne_sync_store_delete_participant(w->store, w->event_id,
                                                  pull->deleted_participants[i]);
    }
    for (size_t i = 0; !err && i < pull->ndeleted_sessions; i++) {
        err = borne_sync_store_delete_session(w->store, pull->deleted_sessions[i]);
    }
    for (size_t i = 0; !err && i < pull->nkeys; i++) {
        err = borne_store_put_key(w->store, pull->keys[i].key_id, pull->keys[i].key);
    }
    for (size_t i = 0; !err && i < pull->nrevoked; i++) {
        err = borne_sync_store_revoke_hash(w->store, w->event_id, pull->revoked[i]);
    }
    for (size_t i = 0; !err && i < pull->nunrevoked; i++) {
        err = borne_sync_store_unrevoke_hash(w->store, w->event_id, pull->unrevoked[i]);
    }
    if (!err && w->tracking && !pull->more) {
        err = reset_finish(w);
    }
    if (!err) {
        char cursor[24];
        snprintf(cursor, sizeof(cursor), "%lld", (long long)pull->cursor);
        err = borne_store_state_set(w->store, BORNE_SYNC_CURSOR_KEY, cursor);
    }
    if (!err && pull->epoch[0]) {
        err = borne_store_state_set(w->store, BORNE_SYNC_EPOCH_KEY, pull->epoch);
    }
    return err;
}

borne_err borne_pull_writer_apply(borne_pull_writer *w, const borne_pull *pull)
{
    borne_err err = borne_store_begin(w->store);
    if (err) {
        return err;
    }
    err = apply_page(w, pull);
    if (!err) {
        err = borne_store_commit(w->store);
    }
    if (err) {
        borne_store_rollback(w->store);
        /* The note may have been rolled back with the page: pull from 0 again next time. */
        w->tracking = false;
        return err;
    }
    if (w->tracking && !pull->more) {
        w->tracking = false;
        w->from_zero = false;
        w->reset_done = true;
    }
    return err;
}

borne_err borne_pull_apply(struct borne_store *store, uint32_t event_id, const borne_pull *pull)
{
    borne_pull_writer *w;
    borne_err err = borne_pull_writer_new(store, event_id, &w);
    if (err) {
        return err;
    }
    err = borne_pull_writer_apply(w, pull);
    borne_pull_writer_free(w);
    return err;
}
