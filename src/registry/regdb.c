/* The registry's storage (see regdb.h).
 *
 * DESIGN: the change counter (table `counter`) is read and advanced inside the writer's
 * transaction (BEGIN IMMEDIATE serialises writers), so every roster row has a unique `changed`
 * value and a kiosk's cursor never skips nor repeats a change. Check-ins are inserted with
 * ON CONFLICT(uuid) DO NOTHING: a retried batch answers "duplicate" for what it already holds. */
#define LOG_MODULE "regdb"
#include "registry/regdb.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "core/token.h"
#include "store/report.h"
#include "store/sqlutil.h"

struct borne_regdb {
    borne_sqldb sql;
};

static const char schema[] =
    "CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);"
    "INSERT INTO counter VALUES (1, 0);"
    "CREATE TABLE event ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, timezone TEXT NOT NULL,"
    "  starts INTEGER NOT NULL, ends INTEGER NOT NULL, changed INTEGER NOT NULL);"
    "CREATE TABLE session ("
    "  id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL REFERENCES event(id),"
    "  code TEXT NOT NULL, title TEXT NOT NULL, room TEXT NOT NULL,"
    "  starts INTEGER NOT NULL, ends INTEGER NOT NULL, credit_minutes INTEGER NOT NULL,"
    "  credit_rule TEXT NOT NULL, open_before_s INTEGER NOT NULL, close_after_s INTEGER NOT NULL,"
    "  requires_registration INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
    "  changed INTEGER NOT NULL);"
    "CREATE INDEX session_changed ON session(event_id, changed);"
    "CREATE TABLE participant ("
    "  event_id INTEGER NOT NULL REFERENCES event(id), id INTEGER NOT NULL,"
    "  name TEXT NOT NULL, organisation TEXT NOT NULL, member INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, code TEXT, sessions TEXT NOT NULL,"
    "  deleted INTEGER NOT NULL DEFAULT 0, seen INTEGER NOT NULL DEFAULT 1,"
    "  changed INTEGER NOT NULL, PRIMARY KEY (event_id, id)) WITHOUT ROWID;"
    "CREATE INDEX participant_changed ON participant(event_id, changed);"
    "CREATE TABLE signing_key ("
    "  key_id INTEGER PRIMARY KEY, public_key BLOB NOT NULL, changed INTEGER NOT NULL);"
    "CREATE TABLE revoked_code ("
    "  event_id INTEGER NOT NULL, code_hash BLOB NOT NULL, revoked INTEGER NOT NULL,"
    "  changed INTEGER NOT NULL, PRIMARY KEY (event_id, code_hash)) WITHOUT ROWID;"
    "CREATE TABLE kiosk ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, event_id INTEGER NOT NULL REFERENCES event(id),"
    "  enrol_hash BLOB UNIQUE, enrol_expires INTEGER, token_hash BLOB UNIQUE,"
    "  revoked INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL, enrolled_ms INTEGER,"
    "  last_seen_ms INTEGER, version TEXT, pending INTEGER, checkins INTEGER,"
    "  last_scan_ms INTEGER, clock TEXT, kiosk_wall_ms INTEGER);"
    "CREATE TABLE checkin ("
    "  uuid TEXT PRIMARY KEY, kiosk INTEGER NOT NULL, kiosk_name TEXT NOT NULL,"
    "  event_id INTEGER NOT NULL, participant_id INTEGER, session_id INTEGER,"
    "  direction INTEGER NOT NULL, method INTEGER NOT NULL, staff_id TEXT,"
    "  outcome INTEGER NOT NULL, code_hash BLOB, wall_ms INTEGER NOT NULL,"
    "  wall_recorded_ms INTEGER NOT NULL, mono_ms INTEGER NOT NULL, boot_id TEXT NOT NULL,"
    "  clock_trusted INTEGER NOT NULL, received_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX checkin_event ON checkin(event_id, participant_id, session_id, wall_ms);";

/* Migration i brings the schema from version i + 1 to i + 2 (the schema above is version 1).
 * Append only. */
static const char *const migrations[] = {
    /* 1 -> 2: the badge code text last issued (shown by kiosks to its owner), and the kiosk
     * that registered a walk-in at the door (NULL for the organiser's roster). */
    "ALTER TABLE participant ADD COLUMN badge TEXT;"
    "ALTER TABLE participant ADD COLUMN walkin_kiosk INTEGER;",
    /* 2 -> 3: retention (docs/privacy.md, "Registry"): when the credits report was last
     * exported, and when the event's personal data was purged. */
    "ALTER TABLE event ADD COLUMN credits_exported_ms INTEGER;"
    "ALTER TABLE event ADD COLUMN purged_ms INTEGER;",
    /* 3 -> 4: the label a kiosk gives itself at enrolment, shown for information only (the
     * organiser's name, given at `kiosk add`, stands). */
    "ALTER TABLE kiosk ADD COLUMN label TEXT;"
    /* ... and the history the change counter belongs to (docs/protocol.md, "Cursor ahead of the
     * registry"): random, new in every backup copy. */
    "ALTER TABLE counter ADD COLUMN epoch TEXT;"
    "UPDATE counter SET epoch = lower(hex(randomblob(8)));",
    /* 4 -> 5: the credits of the registrar's review (docs/credits.md): what an entry never
     * closed earns, and the registrar's decisions, each row kept (the latest for a participant
     * and session stands), with who, when, and the credit before and after. */
    "ALTER TABLE event ADD COLUMN missing_exit TEXT NOT NULL DEFAULT 'review';"
    "CREATE TABLE review_decision ("
    "  id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, participant_id INTEGER NOT NULL,"
    "  session_id INTEGER NOT NULL,"
    "  decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'edit')),"
    "  entry INTEGER, exit INTEGER, reason TEXT NOT NULL, decided_by TEXT NOT NULL,"
    "  decided_ms INTEGER NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL);"
    "CREATE INDEX review_decision_of ON review_decision(event_id, participant_id, session_id);",
    /* 5 -> 6: the body that issues the event's attestations (NULL: the default, the COMAQ). */
    "ALTER TABLE event ADD COLUMN issuer TEXT;",
    /* 6 -> 7: the event's check-ins index covers every column the credits read (review.c,
     * load_scans; the uuid, the table's key, is in every index): the credits page, the review
     * queue, the exports and the attestations read it alone, without a lookup into the table
     * per check-in (docs/console.md, "Performance"). Same leading columns as before, so every
     * query that used it still does. */
    "DROP INDEX checkin_event;"
    "CREATE INDEX checkin_event ON checkin(event_id, participant_id, session_id, wall_ms,"
    "  outcome, direction, clock_trusted, wall_recorded_ms, received_ms);",
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The registry's reading of SQLite's errors (sqlutil.h). BORNE_ERR_PERM is the registry's own
 * answer "this kiosk may not do that" (auth, enrolment, a refused walk-in, a purge not yet
 * allowed: HTTP 403 or a refused check-in), so no SQLite code may map to it: a read-only or
 * forbidden database is a storage failure, BORNE_ERR_DB (HTTP 503), said here explicitly. So
 * are, by the map's default, I/O errors, a file that is not a database, a constraint and
 * SQLite's out of memory. A busy database (the lock held past the busy timeout) is
 * BORNE_ERR_TIMEOUT. */
const borne_sql_errmap borne_regdb_errmap = {
    .module = LOG_MODULE,
    .busy = BORNE_ERR_TIMEOUT,
    .readonly = BORNE_ERR_DB,
};

/* Takes the schema from *version to the next one (0: creates it) inside a write transaction,
 * unless another process opening the same file did so meanwhile; *version becomes the version the
 * file now has. */
static borne_err upgrade_once(struct borne_regdb *db, int *version)
{
    borne_err err = borne_sql_begin(&db->sql);
    int now = -1;
    err = err ? err : borne_sql_user_version(&db->sql, &now);
    if (!err && now == *version) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", now + 1);
        err = borne_sql_exec(&db->sql, now == 0 ? schema : migrations[now - 1],
                             now == 0 ? "schema" : "migrate");
        err = err ? err : borne_sql_exec(&db->sql, sql, "schema version");
        now++;
    }
    err = borne_sql_finish(&db->sql, err);
    if (!err && now > 1) {
        LOG_INFO("registry schema at version %d", now);
    }
    *version = now;
    return err;
}

/* Makes `path` a file only its owner can read (creating it empty, mode 0600, when missing: an
 * empty file is a new database to SQLite); `create` false: only tightens an existing one. */
static borne_err owner_only(const char *path, bool create)
{
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | (create ? O_CREAT : 0), 0600);
    if (fd < 0) {
        if (!create && errno == ENOENT) {
            return BORNE_OK;
        }
        LOG_ERR("cannot open the registry database: %s", strerror(errno));
        return BORNE_ERR_DB; /* as SQLite's own failure to open would be */
    }
    struct stat st;
    borne_err err = BORNE_OK;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) {
        if (fchmod(fd, st.st_mode & 0700) == 0) {
            LOG_WARN("registry database file was readable by others (mode %03o): now %03o",
                     (unsigned)(st.st_mode & 0777), (unsigned)(st.st_mode & 0700));
        } else {
            LOG_ERR("cannot restrict the registry database file: %s", strerror(errno));
            err = BORNE_ERR_DB;
        }
    }
    close(fd);
    return err;
}

/* The database holds names: it and its -wal and -shm files are the owner's only (SQLite gives
 * the latter the database file's mode when it creates them; older ones are tightened). */
static borne_err private_files(const char *path)
{
    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0 || !path[0]) {
        return BORNE_OK;
    }
    borne_err err = owner_only(path, true);
    static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; !err && i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char side[4096];
        if ((size_t)snprintf(side, sizeof(side), "%s%s", path, suffixes[i]) < sizeof(side)) {
            err = owner_only(side, false);
        }
    }
    return err;
}

borne_err borne_regdb_open(const char *path, struct borne_regdb **out)
{
    *out = NULL;
    borne_err perm = private_files(path);
    if (perm) {
        return perm;
    }
    struct borne_regdb *db = calloc(1, sizeof(*db));
    if (!db) {
        return BORNE_ERR_NOMEM;
    }
    db->sql.map = &borne_regdb_errmap;
    int version = -1;
    borne_err err = borne_sql_open(&db->sql, path, 10000);
    /* Pages read through the system's cache in place, shared by the pool's connections, rather
     * than copied by a read() each (SQLite's own cache of 2 MB per connection holds little of
     * a big event and starts over after every kiosk push): a third of the time of a credits
     * page of 2,000 participants went into those copies. */
    err = err ? err : borne_sql_exec(&db->sql, "PRAGMA mmap_size = 268435456", "configure");
    err = err ? err : borne_sql_user_version(&db->sql, &version);
    while (!err && version >= 0 && version < BORNE_REGDB_SCHEMA_VERSION) {
        err = upgrade_once(db, &version);
    }
    if (!err && version != BORNE_REGDB_SCHEMA_VERSION) {
        LOG_ERR("registry database schema %d is not supported", version);
        err = BORNE_ERR_UNSUPPORTED;
    }
    if (err) {
        borne_regdb_close(db);
        return err;
    }
    *out = db;
    return BORNE_OK;
}

void borne_regdb_close(struct borne_regdb *db)
{
    if (db) {
        borne_sql_close(&db->sql);
        free(db);
    }
}

struct sqlite3 *borne_regdb_sqlite(struct borne_regdb *db)
{
    return db->sql.db;
}

borne_err borne_regdb_begin(struct borne_regdb *db)
{
    return borne_sql_begin(&db->sql);
}

borne_err borne_regdb_commit(struct borne_regdb *db)
{
    return borne_sql_commit(&db->sql);
}

void borne_regdb_rollback(struct borne_regdb *db)
{
    borne_sql_rollback(&db->sql);
}

/* Runs `sql`, which returns the change counter's value in its one row (*out is 0 on error). */
static borne_err read_counter(struct borne_regdb *db, const char *sql, int64_t *out)
{
    *out = 0;
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&db->sql, sql, &st);
    err = err ? err : borne_sql_step_row(&db->sql, st, "change counter");
    if (!err) {
        *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    /* No row: the counter's row is gone, a damaged database. */
    return err == BORNE_ERR_NOT_FOUND ? BORNE_ERR_DB : err;
}

/* The next change number. Must run inside a write transaction. */
static borne_err next_change(struct borne_regdb *db, int64_t *out)
{
    return read_counter(db, "UPDATE counter SET value = value + 1 WHERE id = 1 RETURNING value",
                        out);
}

/* ---- events and sessions ---- */

static borne_err put_session(struct borne_regdb *db, const borne_session *s)
{
    int64_t change;
    borne_err err = next_change(db, &change);
    if (err) {
        return err;
    }
    char rule[64];
    borne_credit_rule_format(&s->rule, rule, sizeof(rule));
    sqlite3_stmt *st;
    err = borne_sql_prepare(
        &db->sql,
        "INSERT INTO session(id, event_id, code, title, room, starts, ends, credit_minutes,"
        " credit_rule, open_before_s, close_after_s, requires_registration, deleted,"
        " changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13)"
        " ON CONFLICT(id) DO UPDATE SET event_id = excluded.event_id,"
        " code = excluded.code, title = excluded.title, room = excluded.room,"
        " starts = excluded.starts, ends = excluded.ends,"
        " credit_minutes = excluded.credit_minutes, credit_rule = excluded.credit_rule,"
        " open_before_s = excluded.open_before_s, close_after_s = excluded.close_after_s,"
        " requires_registration = excluded.requires_registration, deleted = 0,"
        " changed = excluded.changed",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, s->id);
    sqlite3_bind_int64(st, 2, s->event_id);
    sqlite3_bind_text(st, 3, s->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, s->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, s->room, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, s->starts);
    sqlite3_bind_int64(st, 7, s->ends);
    sqlite3_bind_int(st, 8, s->rule.credit_minutes);
    sqlite3_bind_text(st, 9, rule, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 10, s->open_before_s);
    sqlite3_bind_int(st, 11, s->close_after_s);
    sqlite3_bind_int(st, 12, s->requires_registration);
    sqlite3_bind_int64(st, 13, change);
    return borne_sql_step_done(&db->sql, st, "put session");
}

borne_err borne_regdb_put_event(struct borne_regdb *db, const borne_event *ev,
                                const borne_session *sessions, size_t count)
{
    borne_err err = borne_sql_begin(&db->sql);
    if (err) {
        return err;
    }
    int64_t change;
    err = next_change(db, &change);
    sqlite3_stmt *st = NULL;
    if (!err) {
        err = borne_sql_prepare(
            &db->sql,
            "INSERT INTO event(id, name, timezone, starts, ends, changed)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
            " name = excluded.name, timezone = excluded.timezone,"
            " starts = excluded.starts, ends = excluded.ends, changed = excluded.changed",
            &st);
    }
    if (!err) {
        sqlite3_bind_int64(st, 1, ev->id);
        sqlite3_bind_text(st, 2, ev->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ev->timezone, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, ev->starts);
        sqlite3_bind_int64(st, 5, ev->ends);
        sqlite3_bind_int64(st, 6, change);
        err = borne_sql_step_done(&db->sql, st, "put event");
    }
    for (size_t i = 0; !err && i < count; i++) {
        borne_session s = sessions[i];
        s.event_id = ev->id;
        err = put_session(db, &s);
    }
    return borne_sql_finish(&db->sql, err);
}

borne_err borne_regdb_get_event(struct borne_regdb *db, uint32_t id, borne_event *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &db->sql, "SELECT id, name, timezone, starts, ends FROM event WHERE id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, id);
    err = borne_sql_step_row(&db->sql, st, "get event");
    if (!err) {
        out->id = (uint32_t)sqlite3_column_int64(st, 0);
        borne_sql_copy_text(out->name, sizeof(out->name), st, 1);
        borne_sql_copy_text(out->timezone, sizeof(out->timezone), st, 2);
        out->starts = sqlite3_column_int64(st, 3);
        out->ends = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    return err;
}

#define SESSION_COLS                                                                               \
    "id, event_id, code, title, room, starts, ends, credit_minutes, credit_rule, open_before_s,"   \
    " close_after_s, requires_registration, deleted, changed"

static void read_session(sqlite3_stmt *st, borne_session *s)
{
    memset(s, 0, sizeof(*s));
    s->id = (uint32_t)sqlite3_column_int64(st, 0);
    s->event_id = (uint32_t)sqlite3_column_int64(st, 1);
    borne_sql_copy_text(s->code, sizeof(s->code), st, 2);
    borne_sql_copy_text(s->title, sizeof(s->title), st, 3);
    borne_sql_copy_text(s->room, sizeof(s->room), st, 4);
    s->starts = sqlite3_column_int64(st, 5);
    s->ends = sqlite3_column_int64(st, 6);
    const unsigned char *rule = sqlite3_column_text(st, 8);
    if (borne_credit_rule_parse(rule ? (const char *)rule : "threshold:800",
                                sqlite3_column_int(st, 7), &s->rule)) {
        borne_credit_rule_parse("threshold:800", sqlite3_column_int(st, 7), &s->rule);
    }
    s->open_before_s = sqlite3_column_int(st, 9);
    s->close_after_s = sqlite3_column_int(st, 10);
    s->requires_registration = sqlite3_column_int(st, 11) != 0;
}

static bool read_session_row(sqlite3_stmt *st, void *elem)
{
    read_session(st, elem);
    return true;
}

borne_err borne_regdb_sessions(struct borne_regdb *db, uint32_t event_id, borne_session **out,
                               size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&db->sql,
                          "SELECT " SESSION_COLS " FROM session WHERE event_id = ?1 AND deleted = 0"
                          " ORDER BY starts, id",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    return borne_sql_collect(&db->sql, st, sizeof(**out), read_session_row, (void **)out, count,
                             "sessions");
}

borne_err borne_regdb_delete_session(struct borne_regdb *db, uint32_t session_id)
{
    int64_t change;
    borne_err err = borne_sql_begin(&db->sql);
    err = err ? err : next_change(db, &change);
    sqlite3_stmt *st = NULL;
    if (!err) {
        err = borne_sql_prepare(&db->sql,
                                "UPDATE session SET deleted = 1, changed = ?2 WHERE id = ?1", &st);
    }
    if (!err) {
        sqlite3_bind_int64(st, 1, session_id);
        sqlite3_bind_int64(st, 2, change);
        err = borne_sql_step_done(&db->sql, st, "delete session");
    }
    if (!err && sqlite3_changes(db->sql.db) == 0) {
        err = BORNE_ERR_NOT_FOUND;
    }
    return borne_sql_finish(&db->sql, err);
}

/* ---- participants ---- */

/* Inserts or updates a participant: ?1 event, ?2 id, ?3 name, ?4 organisation, ?5 member,
 * ?6 status, ?7 code, ?8 sessions, ?9 change number. */
static const char participant_upsert[] =
    "INSERT INTO participant(event_id, id, name, organisation, member, status,"
    " code, sessions, deleted, seen, changed)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 1, ?9)"
    " ON CONFLICT(event_id, id) DO UPDATE SET name = excluded.name,"
    " organisation = excluded.organisation, member = excluded.member,"
    " status = excluded.status, code = excluded.code,"
    " sessions = excluded.sessions, deleted = 0, seen = 1,"
    " changed = excluded.changed";

static void sessions_text(const uint32_t *ids, size_t n, char *out, size_t cap)
{
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && off < cap; i++) {
        int w = snprintf(out + off, cap - off, i ? ",%u" : "%u", ids[i]);
        if (w < 0) {
            break;
        }
        off += (size_t)w;
    }
}

#define SESSIONS_TEXT_MAX (BORNE_REGISTRATIONS_MAX * 11 + 1)

/* Checks a roster row (its id may not be in the walk-in range) and writes its sessions as the
 * text the participant table keeps (list: SESSIONS_TEXT_MAX bytes). */
static borne_err roster_row(const borne_participant *p, const uint32_t *sessions, size_t nsessions,
                            char *list)
{
    if (p->id >= BORNE_WALKIN_ID_BASE) {
        LOG_ERR("participant id %u is in the walk-in range: the roster may not use it", p->id);
        return BORNE_ERR_INVALID;
    }
    sessions_text(sessions,
                  nsessions < BORNE_REGISTRATIONS_MAX ? nsessions : BORNE_REGISTRATIONS_MAX, list,
                  SESSIONS_TEXT_MAX);
    return BORNE_OK;
}

/* Binds a roster row's columns ?3..?8 of the participant statements: name, organisation,
 * member, status, code (NULL when none or empty), sessions text. */
static void bind_roster_row(sqlite3_stmt *st, const borne_participant *p, const char *code,
                            const char *list)
{
    sqlite3_bind_text(st, 3, p->display_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->organisation, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, p->member);
    sqlite3_bind_int(st, 6, (int)p->status);
    if (code && code[0]) {
        sqlite3_bind_text(st, 7, code, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 7);
    }
    sqlite3_bind_text(st, 8, list, -1, SQLITE_STATIC);
}

borne_err borne_regdb_put_participant(struct borne_regdb *db, const borne_participant *p,
                                      const char *code, const uint32_t *sessions, size_t nsessions,
                                      bool *changed)
{
    if (changed) {
        *changed = false;
    }
    char list[SESSIONS_TEXT_MAX];
    borne_err rerr = roster_row(p, sessions, nsessions, list);
    if (rerr) {
        return rerr;
    }
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&db->sql,
                          "UPDATE participant SET seen = 1 WHERE event_id = ?1 AND id = ?2"
                          " AND deleted = 0 AND name = ?3 AND organisation = ?4 AND member = ?5"
                          " AND status = ?6 AND code IS ?7 AND sessions = ?8",
                          &st);
    if (err) {
        return err;
    }
    for (int pass = 0; pass < 2 && !err; pass++) {
        sqlite3_bind_int64(st, 1, p->event_id);
        sqlite3_bind_int64(st, 2, p->id);
        bind_roster_row(st, p, code, list);
        if (pass == 1) {
            int64_t change;
            err = next_change(db, &change);
            sqlite3_bind_int64(st, 9, change);
        }
        if (!err) {
            int rc = sqlite3_step(st);
            if (rc != SQLITE_DONE) {
                err = borne_sql_error(&db->sql, rc, "put participant");
            }
        }
        sqlite3_finalize(st);
        st = NULL;
        if (err || sqlite3_changes(db->sql.db) > 0) {
            break; /* unchanged (pass 0) or written (pass 1) */
        }
        if (pass == 0) {
            err = borne_sql_prepare(&db->sql, participant_upsert, &st);
            if (changed) {
                *changed = true;
            }
        }
    }
    sqlite3_finalize(st);
    return err;
}

static borne_err tombstone(struct borne_regdb *db, uint32_t event_id, uint32_t id)
{
    int64_t change;
    borne_err err = next_change(db, &change);
    sqlite3_stmt *st;
    err = err ? err
              : borne_sql_prepare(
                    &db->sql,
                    "UPDATE participant SET deleted = 1, code = NULL, name = '', organisation = '',"
                    " sessions = '', changed = ?3 WHERE event_id = ?1 AND id = ?2 AND deleted = 0",
                    &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, change);
    err = borne_sql_step_done(&db->sql, st, "delete participant");
    if (!err && sqlite3_changes(db->sql.db) == 0) {
        err = BORNE_ERR_NOT_FOUND;
    }
    return err;
}

borne_err borne_regdb_delete_participant(struct borne_regdb *db, uint32_t event_id, uint32_t id)
{
    borne_err err = borne_sql_begin(&db->sql);
    err = err ? err : tombstone(db, event_id, id);
    return borne_sql_finish(&db->sql, err);
}

borne_err borne_regdb_mark_unseen(struct borne_regdb *db, uint32_t event_id)
{
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&db->sql, "UPDATE participant SET seen = 0 WHERE event_id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    return borne_sql_step_done(&db->sql, st, "mark unseen");
}

static bool read_id_row(sqlite3_stmt *st, void *elem)
{
    *(uint32_t *)elem = (uint32_t)sqlite3_column_int64(st, 0);
    return true;
}

borne_err borne_regdb_delete_unseen(struct borne_regdb *db, uint32_t event_id, int64_t *deleted)
{
    *deleted = 0;
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &db->sql,
        "SELECT id FROM participant WHERE event_id = ?1 AND seen = 0 AND deleted = 0"
        " AND walkin_kiosk IS NULL",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    uint32_t *ids = NULL;
    size_t n = 0;
    err = borne_sql_collect(&db->sql, st, sizeof(*ids), read_id_row, (void **)&ids, &n,
                            "unseen participants");
    for (size_t i = 0; !err && i < n; i++) {
        err = tombstone(db, event_id, ids[i]);
    }
    free(ids);
    if (!err) {
        *deleted = (int64_t)n;
    }
    return err;
}

borne_err borne_regdb_each_participant(struct borne_regdb *db, uint32_t event_id,
                                       void (*each)(void *ctx, const borne_participant *p),
                                       void *ctx)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &db->sql,
        "SELECT id, name, organisation, member, status FROM participant"
        " WHERE event_id = ?1 AND deleted = 0 ORDER BY name COLLATE BORNE_NAME, id",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        borne_participant p;
        memset(&p, 0, sizeof(p));
        p.event_id = event_id;
        p.id = (uint32_t)sqlite3_column_int64(st, 0);
        borne_sql_copy_text(p.display_name, sizeof(p.display_name), st, 1);
        borne_sql_copy_text(p.organisation, sizeof(p.organisation), st, 2);
        p.member = sqlite3_column_int(st, 3) != 0;
        p.status = (borne_reg_status)sqlite3_column_int(st, 4);
        each(ctx, &p);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? BORNE_OK : borne_sql_error(&db->sql, rc, "participants");
}

/* ---- roster import ---- */

struct borne_regdb_import {
    struct borne_regdb *db;
    uint32_t event_id;
    bool replace;
    int64_t change; /* the last change number taken; written back at the end */
    sqlite3_stmt *get, *put, *seen;
    size_t changed;
};

borne_err borne_regdb_import_begin(struct borne_regdb *db, uint32_t event_id, bool replace,
                                   struct borne_regdb_import **out)
{
    *out = NULL;
    struct borne_regdb_import *im = calloc(1, sizeof(*im));
    if (!im) {
        return BORNE_ERR_NOMEM;
    }
    im->db = db;
    im->event_id = event_id;
    im->replace = replace;
    borne_err err = borne_sql_begin(&db->sql);
    if (err) {
        free(im);
        return err;
    }
    err = read_counter(db, "SELECT value FROM counter WHERE id = 1", &im->change);
    err =
        err ? err
            : borne_sql_prepare(&db->sql,
                                "SELECT name, organisation, member, status, code, sessions, deleted"
                                " FROM participant WHERE event_id = ?1 AND id = ?2",
                                &im->get);
    err = err ? err : borne_sql_prepare(&db->sql, participant_upsert, &im->put);
    err = err ? err
              : borne_sql_prepare(&db->sql,
                                  "UPDATE participant SET seen = 1 WHERE event_id = ?1 AND id = ?2",
                                  &im->seen);
    if (!err && replace) {
        err = borne_regdb_mark_unseen(db, event_id);
    }
    if (err) {
        borne_regdb_import_end(im, false, NULL);
        return err;
    }
    *out = im;
    return BORNE_OK;
}

static bool same_text(sqlite3_stmt *st, int col, const char *s)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return strcmp(t ? (const char *)t : "", s ? s : "") == 0;
}

borne_err borne_regdb_import_put(struct borne_regdb_import *im, const borne_participant *p,
                                 const char *code, const uint32_t *sessions, size_t nsessions,
                                 bool *changed)
{
    if (changed) {
        *changed = false;
    }
    struct borne_regdb *db = im->db;
    char list[SESSIONS_TEXT_MAX];
    borne_err rerr = roster_row(p, sessions, nsessions, list);
    if (rerr) {
        return rerr;
    }
    if (code && !code[0]) {
        code = NULL;
    }
    sqlite3_bind_int64(im->get, 1, im->event_id);
    sqlite3_bind_int64(im->get, 2, p->id);
    int rc = sqlite3_step(im->get);
    bool same = rc == SQLITE_ROW && sqlite3_column_int(im->get, 6) == 0 &&
                same_text(im->get, 0, p->display_name) && same_text(im->get, 1, p->organisation) &&
                sqlite3_column_int(im->get, 2) == (int)p->member &&
                sqlite3_column_int(im->get, 3) == (int)p->status &&
                (sqlite3_column_type(im->get, 4) == SQLITE_NULL) == (code == NULL) &&
                same_text(im->get, 4, code) && same_text(im->get, 5, list);
    sqlite3_reset(im->get);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return borne_sql_error(&db->sql, rc, "import participant");
    }
    sqlite3_stmt *st = im->seen;
    if (!same) {
        st = im->put;
        bind_roster_row(st, p, code, list);
        sqlite3_bind_int64(st, 9, im->change + 1);
    } else if (!im->replace) {
        return BORNE_OK; /* unchanged; "seen" only matters to --replace */
    }
    sqlite3_bind_int64(st, 1, im->event_id);
    sqlite3_bind_int64(st, 2, p->id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return borne_sql_error(&db->sql, rc, "import participant");
    }
    if (!same) {
        im->change++;
        im->changed++;
        if (changed) {
            *changed = true;
        }
    }
    return BORNE_OK;
}

borne_err borne_regdb_import_end(struct borne_regdb_import *im, bool commit, int64_t *deleted)
{
    if (deleted) {
        *deleted = 0;
    }
    if (!im) {
        return BORNE_OK;
    }
    struct borne_regdb *db = im->db;
    sqlite3_finalize(im->get);
    sqlite3_finalize(im->put);
    sqlite3_finalize(im->seen);
    borne_err err = BORNE_OK;
    if (commit) {
        sqlite3_stmt *st = NULL;
        err = borne_sql_prepare(&db->sql, "UPDATE counter SET value = ?1 WHERE id = 1", &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, im->change);
            err = borne_sql_step_done(&db->sql, st, "change counter");
        }
        int64_t gone = 0;
        if (!err && im->replace) {
            err = borne_regdb_delete_unseen(db, im->event_id, &gone);
        }
        err = borne_sql_finish(&db->sql, err);
        if (!err && deleted) {
            *deleted = gone;
        }
    } else {
        borne_sql_rollback(&db->sql);
    }
    free(im);
    return err;
}

borne_err borne_regdb_set_badge(struct borne_regdb *db, uint32_t event_id, uint32_t id,
                                const char *text, bool *changed)
{
    if (changed) {
        *changed = false;
    }
    if (!text || !text[0] || strlen(text) > BORNE_PULL_BADGE_MAX) {
        return BORNE_ERR_INVALID;
    }
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &db->sql,
        "SELECT 1 FROM participant WHERE event_id = ?1 AND id = ?2 AND deleted = 0"
        " AND badge IS ?3",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) {
        return BORNE_OK; /* already the current one: no change for kiosks to pull */
    }
    int64_t change;
    err = next_change(db, &change);
    err = err ? err
              : borne_sql_prepare(&db->sql,
                                  "UPDATE participant SET badge = ?3, changed = ?4"
                                  " WHERE event_id = ?1 AND id = ?2 AND deleted = 0",
                                  &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, change);
    err = borne_sql_step_done(&db->sql, st, "set badge");
    if (!err && sqlite3_changes(db->sql.db) == 0) {
        err = BORNE_ERR_NOT_FOUND;
    }
    if (!err && changed) {
        *changed = true;
    }
    return err;
}

/* ---- keys, revocations ---- */

borne_err borne_regdb_put_key(struct borne_regdb *db, uint16_t key_id, const uint8_t pk[32])
{
    borne_err err = borne_sql_begin(&db->sql);
    int64_t change;
    err = err ? err : next_change(db, &change);
    sqlite3_stmt *st = NULL;
    if (!err) {
        err = borne_sql_prepare(
            &db->sql,
            "INSERT INTO signing_key(key_id, public_key, changed) VALUES (?1, ?2, ?3)"
            " ON CONFLICT(key_id) DO UPDATE SET public_key = excluded.public_key,"
            " changed = excluded.changed",
            &st);
    }
    if (!err) {
        sqlite3_bind_int(st, 1, key_id);
        sqlite3_bind_blob(st, 2, pk, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, change);
        err = borne_sql_step_done(&db->sql, st, "put key");
    }
    return borne_sql_finish(&db->sql, err);
}

/* Revokes (or lifts) one code fingerprint. Inside a write transaction. */
static borne_err revoke_hash(struct borne_regdb *db, uint32_t event_id,
                             const uint8_t hash[BORNE_CODE_HASH_LEN], bool revoked)
{
    int64_t change;
    borne_err err = next_change(db, &change);
    sqlite3_stmt *st = NULL;
    if (!err) {
        err = borne_sql_prepare(
            &db->sql,
            "INSERT INTO revoked_code(event_id, code_hash, revoked, changed)"
            " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(event_id, code_hash) DO UPDATE SET"
            " revoked = excluded.revoked, changed = excluded.changed",
            &st);
    }
    if (!err) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_blob(st, 2, hash, BORNE_CODE_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, revoked);
        sqlite3_bind_int64(st, 4, change);
        err = borne_sql_step_done(&db->sql, st, "revoke");
    }
    return err;
}

borne_err borne_regdb_revoke(struct borne_regdb *db, uint32_t event_id,
                             const uint8_t hash[BORNE_CODE_HASH_LEN], bool revoked)
{
    borne_err err = borne_sql_begin(&db->sql);
    err = err ? err : revoke_hash(db, event_id, hash, revoked);
    return borne_sql_finish(&db->sql, err);
}

borne_err borne_regdb_badge_token(uint32_t event_id, uint32_t id, bool member, uint16_t key_id,
                                  const uint8_t secret[64], uint32_t valid_from, char *out,
                                  size_t cap)
{
    borne_token tok = {.flags = member ? BORNE_TOKEN_FLAG_MEMBER : 0,
                       .key_id = key_id,
                       .event_id = event_id,
                       .participant_id = id,
                       .valid_from = valid_from};
    return borne_token_sign(&tok, secret, out, cap);
}

/* Whether a code fingerprint is revoked for the event. */
static bool hash_revoked(struct borne_regdb *db, uint32_t event_id,
                         const uint8_t hash[BORNE_CODE_HASH_LEN])
{
    sqlite3_stmt *st;
    if (borne_sql_prepare(&db->sql,
                          "SELECT 1 FROM revoked_code WHERE event_id = ?1 AND code_hash = ?2"
                          " AND revoked = 1",
                          &st)) {
        return true; /* never hand out a code not known to be clear */
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_blob(st, 2, hash, BORNE_CODE_HASH_LEN, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

borne_err borne_regdb_replace_badge(struct borne_regdb *db, uint32_t event_id, uint32_t id,
                                    uint16_t key_id, const uint8_t secret[64], int64_t now,
                                    char *out, size_t cap, int *revoked)
{
    *revoked = 0;
    borne_err err = borne_sql_begin(&db->sql);
    sqlite3_stmt *st = NULL;
    err = err ? err
              : borne_sql_prepare(&db->sql,
                                  "SELECT badge, code, member FROM participant WHERE event_id = ?1"
                                  " AND id = ?2 AND deleted = 0",
                                  &st);
    char old[2][BORNE_PULL_BADGE_MAX + 1] = {"", ""};
    bool member = false;
    if (!err) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_int64(st, 2, id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < 2; c++) {
                const char *t = (const char *)sqlite3_column_text(st, c);
                snprintf(old[c], sizeof(old[c]), "%s", t ? t : "");
            }
            member = sqlite3_column_int(st, 2) != 0;
        } else {
            err = BORNE_ERR_NOT_FOUND;
        }
        sqlite3_finalize(st);
    }
    if (!err && !old[0][0] && !old[1][0]) {
        err = borne_regdb_badge_token(event_id, id, member, key_id, secret, 0, old[0],
                                      sizeof(old[0]));
    }
    for (int c = 0; !err && c < 2; c++) {
        if (old[c][0] && (c == 0 || strcmp(old[0], old[1]) != 0)) {
            uint8_t hash[BORNE_CODE_HASH_LEN];
            borne_store_code_hash((const uint8_t *)old[c], strlen(old[c]), hash);
            err = revoke_hash(db, event_id, hash, true);
            *revoked += !err;
        }
    }
    /* Signatures are deterministic: a code differs by its payload, here its lower bound (an
     * hour back, for kiosks whose clock runs behind), moved back until the code is clear. */
    uint32_t from = now > 3600 && now - 3600 < UINT32_MAX ? (uint32_t)(now - 3600) : 1;
    for (int tries = 0; !err; tries++, from--) {
        uint8_t hash[BORNE_CODE_HASH_LEN];
        err = borne_regdb_badge_token(event_id, id, member, key_id, secret, from, out, cap);
        if (!err) {
            borne_store_code_hash((const uint8_t *)out, strlen(out), hash);
            if (!hash_revoked(db, event_id, hash) && strcmp(out, old[0]) != 0 &&
                strcmp(out, old[1]) != 0) {
                break;
            }
        }
        if (tries == 1000) {
            err = BORNE_ERR_EXISTS;
        }
    }
    err = err ? err : borne_regdb_set_badge(db, event_id, id, out, NULL);
    sodium_memzero(old, sizeof(old));
    return borne_sql_finish(&db->sql, err);
}

/* ---- kiosks and tokens ---- */

static void token_hash(const char *token, uint8_t out[BORNE_REG_TOKEN_HASH_LEN])
{
    /* Tokens are 256-bit random values: a plain hash is enough (nothing to brute-force). */
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

static void new_token(char *out, size_t bytes)
{
    uint8_t raw[32];
    randombytes_buf(raw, bytes);
    sodium_bin2base64(out, BORNE_API_TOKEN_MAX, raw, bytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

borne_err borne_regdb_add_kiosk(struct borne_regdb *db, uint32_t event_id, const char *name,
                                int64_t valid_s, int64_t *kiosk_id, char *token)
{
    borne_event ev;
    borne_err err = borne_regdb_get_event(db, event_id, &ev);
    if (err) {
        return err;
    }
    /* Names are unique among the event's kiosks in service (a revoked kiosk's name may go to
     * its replacement): reports and the fleet list tell kiosks apart by them. */
    sqlite3_stmt *st;
    err = borne_sql_prepare(
        &db->sql, "SELECT 1 FROM kiosk WHERE event_id = ?1 AND name = ?2 AND revoked = 0", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) {
        return BORNE_ERR_EXISTS;
    }
    if (rc != SQLITE_DONE) {
        return borne_sql_error(&db->sql, rc, "add kiosk");
    }
    new_token(token, 24);
    uint8_t h[BORNE_REG_TOKEN_HASH_LEN];
    token_hash(token, h);
    err =
        borne_sql_prepare(&db->sql,
                          "INSERT INTO kiosk(name, event_id, enrol_hash, enrol_expires, created_ms)"
                          " VALUES (?1, ?2, ?3, ?4, ?5)",
                          &st);
    if (err) {
        return err;
    }
    int64_t now = now_ms();
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, event_id);
    sqlite3_bind_blob(st, 3, h, sizeof(h), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, now + valid_s * 1000);
    sqlite3_bind_int64(st, 5, now);
    err = borne_sql_step_done(&db->sql, st, "add kiosk");
    if (!err) {
        *kiosk_id = sqlite3_last_insert_rowid(db->sql.db);
    }
    return err;
}

borne_err borne_regdb_revoke_kiosk(struct borne_regdb *db, int64_t kiosk_id)
{
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&db->sql,
                          "UPDATE kiosk SET revoked = 1, enrol_hash = NULL, token_hash = NULL"
                          " WHERE id = ?1",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, kiosk_id);
    err = borne_sql_step_done(&db->sql, st, "revoke kiosk");
    if (!err && sqlite3_changes(db->sql.db) == 0) {
        err = BORNE_ERR_NOT_FOUND;
    }
    return err;
}

borne_err borne_regdb_list_kiosks(struct borne_regdb *db, FILE *out)
{
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&db->sql,
                          "SELECT id, name, event_id, CASE WHEN revoked THEN 'revoked'"
                          " WHEN token_hash IS NOT NULL THEN 'enrolled' ELSE 'waiting' END,"
                          " coalesce(last_seen_ms, 0), coalesce(version, ''), coalesce(pending, 0),"
                          " coalesce(checkins, 0), coalesce(last_scan_ms, 0), coalesce(clock, ''),"
                          " coalesce(label, '') FROM kiosk ORDER BY id",
                          &st);
    if (err) {
        return err;
    }
    struct borne_csv_writer *w = NULL;
    err = borne_csv_writer_new_file(&w, out, ',', 0);
    static const char *const header[] = {"id",        "name",    "event_id", "state",
                                         "last_seen", "version", "pending",  "checkins",
                                         "last_scan", "clock",   "label"};
    for (size_t i = 0; !err && i < sizeof(header) / sizeof(header[0]); i++) {
        err = borne_csv_write_str(w, header[i]);
    }
    err = err ? err : borne_csv_end_record(w);
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int col = 0; col < 11 && !err; col++) {
            char buf[64];
            const char *text = (const char *)sqlite3_column_text(st, col);
            if (col == 4 || col == 8) {
                int64_t ms = sqlite3_column_int64(st, col);
                if (ms) {
                    borne_time_format_utc(ms / 1000, buf, sizeof(buf));
                } else {
                    buf[0] = '\0';
                }
                text = buf;
            }
            err = borne_csv_write_str(w, text ? text : "");
        }
        err = err ? err : borne_csv_end_record(w);
    }
    sqlite3_finalize(st);
    borne_csv_writer_free(w);
    if (!err && rc != SQLITE_DONE) {
        err = borne_sql_error(&db->sql, rc, "list kiosks");
    }
    return err;
}

borne_err borne_regdb_enrol(struct borne_regdb *db, const char *enrol_token, const char *name,
                            const char *version, borne_reg_kiosk *kiosk, char *api_token)
{
    uint8_t h[BORNE_REG_TOKEN_HASH_LEN];
    token_hash(enrol_token, h);
    borne_err err = borne_sql_begin(&db->sql);
    if (err) {
        return err;
    }
    sqlite3_stmt *st;
    err = borne_sql_prepare(
        &db->sql,
        "SELECT id, name, event_id FROM kiosk WHERE enrol_hash = ?1 AND revoked = 0"
        " AND enrol_expires > ?2",
        &st);
    if (!err) {
        sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, now_ms());
        err = borne_sql_step_row(&db->sql, st, "enrol");
        if (!err) {
            kiosk->id = sqlite3_column_int64(st, 0);
            borne_sql_copy_text(kiosk->name, sizeof(kiosk->name), st, 1);
            kiosk->event_id = (uint32_t)sqlite3_column_int64(st, 2);
        }
        err = err == BORNE_ERR_NOT_FOUND ? BORNE_ERR_PERM : err; /* no such enrolment token */
        sqlite3_finalize(st);
    }
    if (!err) {
        new_token(api_token, 32);
        uint8_t th[BORNE_REG_TOKEN_HASH_LEN];
        token_hash(api_token, th);
        err = borne_sql_prepare(
            &db->sql,
            "UPDATE kiosk SET enrol_hash = NULL, token_hash = ?2, enrolled_ms = ?3,"
            " last_seen_ms = ?3, version = ?4,"
            " label = CASE WHEN ?5 = '' THEN NULL ELSE ?5 END WHERE id = ?1",
            &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, kiosk->id);
            sqlite3_bind_blob(st, 2, th, sizeof(th), SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 3, now_ms());
            sqlite3_bind_text(st, 4, version, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
            err = borne_sql_step_done(&db->sql, st, "enrol");
        }
    }
    err = borne_sql_finish(&db->sql, err);
    if (err) {
        api_token[0] = '\0';
    }
    return err;
}

borne_err borne_regdb_auth(struct borne_regdb *db, const char *api_token, borne_reg_kiosk *out)
{
    memset(out, 0, sizeof(*out));
    uint8_t h[BORNE_REG_TOKEN_HASH_LEN];
    token_hash(api_token, h);
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &db->sql, "SELECT id, name, event_id FROM kiosk WHERE token_hash = ?1 AND revoked = 0",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    err = borne_sql_step_row(&db->sql, st, "auth");
    if (!err) {
        out->id = sqlite3_column_int64(st, 0);
        borne_sql_copy_text(out->name, sizeof(out->name), st, 1);
        out->event_id = (uint32_t)sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return err == BORNE_ERR_NOT_FOUND ? BORNE_ERR_PERM : err; /* no such token: refused */
}

borne_err borne_regdb_set_status(struct borne_regdb *db, const borne_reg_kiosk *k,
                                 const borne_kiosk_report *s)
{
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&db->sql,
                          "UPDATE kiosk SET last_seen_ms = ?2, version = ?3, pending = ?4,"
                          " checkins = ?5, last_scan_ms = ?6, clock = ?7, kiosk_wall_ms = ?8"
                          " WHERE id = ?1",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, k->id);
    sqlite3_bind_int64(st, 2, now_ms());
    sqlite3_bind_text(st, 3, s->version, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, s->pending);
    sqlite3_bind_int64(st, 5, s->checkins);
    sqlite3_bind_int64(st, 6, s->last_scan_ms);
    sqlite3_bind_text(st, 7, s->clock, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, s->wall_ms);
    return borne_sql_step_done(&db->sql, st, "kiosk status");
}

/* ---- check-ins ---- */

static void result(borne_push_result *r, const char *uuid, borne_push_status status,
                   const char *reason)
{
    snprintf(r->uuid, sizeof(r->uuid), "%s", uuid);
    r->status = status;
    snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

/* A walk-in's check-in: creates the participant once, from the record the kiosk sent with it.
 * Returns BORNE_OK to store the check-in, BORNE_ERR_PERM (with *why) to refuse it. A participant
 * that exists already (a retried batch, a later check-in, another kiosk's walk-in pulled by
 * this one) is left as it is. */
static borne_err create_walkin(struct borne_regdb *db, const borne_reg_kiosk *k,
                               const borne_checkin_row *c, const borne_push_walkin *w,
                               const char **why)
{
    uint32_t bits;
    if (!borne_walkin_id_parse(c->participant_id, &bits)) {
        *why = "walk-in record for an id outside the walk-in range";
        return BORNE_ERR_PERM;
    }
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &db->sql, "SELECT deleted FROM participant WHERE event_id = ?1 AND id = ?2", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, c->event_id);
    sqlite3_bind_int64(st, 2, c->participant_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) {
        return BORNE_OK;
    }
    if (rc != SQLITE_DONE) {
        return borne_sql_error(&db->sql, rc, "walk-in");
    }
    if (bits != (uint32_t)(k->id % BORNE_WALKIN_KIOSK_MOD)) {
        *why = "walk-in id outside this kiosk's range";
        return BORNE_ERR_PERM;
    }
    /* Only a session of this event is kept as the walk-in's registration. */
    char list[16] = "";
    if (w->session_id) {
        err = borne_sql_prepare(
            &db->sql, "SELECT 1 FROM session WHERE id = ?1 AND event_id = ?2 AND deleted = 0", &st);
        if (err) {
            return err;
        }
        sqlite3_bind_int64(st, 1, w->session_id);
        sqlite3_bind_int64(st, 2, c->event_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(list, sizeof(list), "%u", w->session_id);
        }
        sqlite3_finalize(st);
    }
    int64_t change;
    err = next_change(db, &change);
    err = err ? err
              : borne_sql_prepare(
                    &db->sql,
                    "INSERT INTO participant(event_id, id, name, organisation, member, status,"
                    " code, sessions, deleted, seen, changed, walkin_kiosk)"
                    " VALUES (?1, ?2, ?3, ?4, 0, ?5, NULL, ?6, 0, 1, ?7, ?8)",
                    &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, c->event_id);
    sqlite3_bind_int64(st, 2, c->participant_id);
    sqlite3_bind_text(st, 3, w->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, w->organisation, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, BORNE_REG_CONFIRMED);
    sqlite3_bind_text(st, 6, list, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, change);
    sqlite3_bind_int64(st, 8, k->id);
    err = borne_sql_step_done(&db->sql, st, "create walk-in");
    if (!err) {
        LOG_INFO("kiosk %lld registered walk-in %u", (long long)k->id, c->participant_id);
    }
    return err;
}

/* What a UUID already stored holds, compared with a record sent again. */
typedef enum stored_match {
    MATCH_SAME,        /* the same record: a retry */
    MATCH_CORRECTED,   /* the same record whose untrusted time the kiosk has since corrected */
    MATCH_DIFFERENT,   /* the same UUID with other content */
    MATCH_OTHER_KIOSK, /* another kiosk's UUID */
} stored_match;

/* Reads the stored row (statement `who`, bound and stepped to a row) against record c. */
static stored_match compare_stored(sqlite3_stmt *who, const borne_reg_kiosk *k,
                                   const borne_checkin_row *c)
{
    if (sqlite3_column_int64(who, 0) != k->id) {
        return MATCH_OTHER_KIOSK;
    }
    const unsigned char *staff = sqlite3_column_text(who, 7);
    const void *hash = sqlite3_column_blob(who, 8);
    int hash_len = sqlite3_column_bytes(who, 8);
    const unsigned char *boot = sqlite3_column_text(who, 11);
    bool same_hash = c->has_code_hash ? hash_len == BORNE_CODE_HASH_LEN &&
                                            memcmp(hash, c->code_hash, BORNE_CODE_HASH_LEN) == 0
                                      : hash_len == 0;
    bool same = sqlite3_column_int64(who, 1) == c->event_id &&
                sqlite3_column_int64(who, 2) == c->participant_id &&
                sqlite3_column_int64(who, 3) == c->session_id &&
                sqlite3_column_int(who, 4) == (int)c->direction &&
                sqlite3_column_int(who, 5) == (int)c->method &&
                sqlite3_column_int(who, 6) == (int)c->outcome &&
                strcmp(staff ? (const char *)staff : "", c->staff_id) == 0 && same_hash &&
                sqlite3_column_int64(who, 10) == c->wall_recorded_ms &&
                strcmp(boot ? (const char *)boot : "", c->time.boot_id) == 0 &&
                sqlite3_column_int64(who, 12) == c->time.mono_ms;
    if (!same) {
        return MATCH_DIFFERENT;
    }
    int64_t wall = sqlite3_column_int64(who, 9);
    bool trusted = sqlite3_column_int(who, 13) != 0;
    if (wall == c->time.wall_ms && trusted == c->time.trusted) {
        return MATCH_SAME;
    }
    return !trusted && c->time.trusted ? MATCH_CORRECTED : MATCH_DIFFERENT;
}

static void bind_checkin(sqlite3_stmt *ins, const borne_reg_kiosk *k, const borne_checkin_row *c,
                         int64_t received)
{
    sqlite3_bind_text(ins, 1, c->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, k->id);
    sqlite3_bind_text(ins, 3, k->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 4, c->event_id);
    if (c->participant_id) {
        sqlite3_bind_int64(ins, 5, c->participant_id);
    } else {
        sqlite3_bind_null(ins, 5);
    }
    if (c->session_id) {
        sqlite3_bind_int64(ins, 6, c->session_id);
    } else {
        sqlite3_bind_null(ins, 6);
    }
    sqlite3_bind_int(ins, 7, (int)c->direction);
    sqlite3_bind_int(ins, 8, (int)c->method);
    if (c->staff_id[0]) {
        sqlite3_bind_text(ins, 9, c->staff_id, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(ins, 9);
    }
    sqlite3_bind_int(ins, 10, (int)c->outcome);
    if (c->has_code_hash) {
        sqlite3_bind_blob(ins, 11, c->code_hash, BORNE_CODE_HASH_LEN, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(ins, 11);
    }
    sqlite3_bind_int64(ins, 12, c->time.wall_ms);
    sqlite3_bind_int64(ins, 13, c->wall_recorded_ms);
    sqlite3_bind_int64(ins, 14, c->time.mono_ms);
    sqlite3_bind_text(ins, 15, c->time.boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 16, c->time.trusted);
    sqlite3_bind_int64(ins, 17, received);
}

/* Steps `st` (reset first) bound with ?1 = a, ?2 = b: *found says whether it gave a row. */
static borne_err exists(struct borne_regdb *db, sqlite3_stmt *st, int64_t a, int64_t b, bool *found)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    *found = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BORNE_OK
                                                 : borne_sql_error(&db->sql, rc, "check-in lookup");
}

borne_err borne_regdb_store_checkins(struct borne_regdb *db, const borne_reg_kiosk *k,
                                     const borne_checkin_row *rows, const char *const *refused,
                                     const borne_push_walkin *walkins, size_t count,
                                     borne_push_result *results)
{
    borne_err err = borne_sql_begin(&db->sql);
    if (err) {
        return err;
    }
    sqlite3_stmt *ins = NULL, *who = NULL, *fix = NULL, *known_session = NULL,
                 *known_participant = NULL;
    err = borne_sql_prepare(
        &db->sql,
        "INSERT INTO checkin(uuid, kiosk, kiosk_name, event_id, participant_id, session_id,"
        " direction, method, staff_id, outcome, code_hash, wall_ms, wall_recorded_ms,"
        " mono_ms, boot_id, clock_trusted, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        " ON CONFLICT(uuid) DO NOTHING",
        &ins);
    /* The columns compare_stored reads; NULL ids are 0 on the kiosk. */
    err = err ? err
              : borne_sql_prepare(
                    &db->sql,
                    "SELECT kiosk, event_id, coalesce(participant_id, 0),"
                    " coalesce(session_id, 0), direction, method, outcome, staff_id, code_hash,"
                    " wall_ms, wall_recorded_ms, boot_id, mono_ms, clock_trusted"
                    " FROM checkin WHERE uuid = ?1",
                    &who);
    err = err ? err
              : borne_sql_prepare(
                    &db->sql, "UPDATE checkin SET wall_ms = ?2, clock_trusted = 1 WHERE uuid = ?1",
                    &fix);
    err = err ? err
              : borne_sql_prepare(&db->sql, "SELECT 1 FROM session WHERE id = ?1 AND event_id = ?2",
                                  &known_session);
    err = err ? err
              : borne_sql_prepare(&db->sql,
                                  "SELECT 1 FROM participant WHERE event_id = ?1 AND id = ?2",
                                  &known_participant);
    int64_t received = now_ms();
    size_t conflicts = 0, unknown = 0;
    for (size_t i = 0; !err && i < count; i++) {
        const borne_checkin_row *c = &rows[i];
        if (refused && refused[i]) {
            result(&results[i], c->uuid, BORNE_PUSH_REFUSED, refused[i]);
            continue;
        }
        if (c->event_id != k->event_id) {
            result(&results[i], c->uuid, BORNE_PUSH_REFUSED, BORNE_REASON_ANOTHER_EVENT);
            continue;
        }
        /* A trusted clock is not believed beyond the registry's own time and the skew. */
        if (c->time.trusted && c->time.wall_ms > received + BORNE_PUSH_FUTURE_SKEW_MS) {
            result(&results[i], c->uuid, BORNE_PUSH_REFUSED, BORNE_REASON_FUTURE);
            continue;
        }
        bool found = true;
        if (c->session_id) {
            err = exists(db, known_session, c->session_id, k->event_id, &found);
            if (!err && !found) {
                unknown++;
                result(&results[i], c->uuid, BORNE_PUSH_REFUSED, BORNE_REASON_UNKNOWN_SESSION);
                continue;
            }
        }
        if (!err && walkins && walkins[i].present) {
            const char *why = "";
            err = create_walkin(db, k, c, &walkins[i], &why);
            if (err == BORNE_ERR_PERM) {
                err = BORNE_OK;
                result(&results[i], c->uuid, BORNE_PUSH_REFUSED, why);
                continue;
            }
        } else if (!err && c->participant_id) {
            /* Someone the registry has (or had: a participant deleted after the scan is kept
             * as a tombstone, and their check-ins are stored but earn nothing in reports). */
            err = exists(db, known_participant, k->event_id, c->participant_id, &found);
            if (!err && !found) {
                unknown++;
                result(&results[i], c->uuid, BORNE_PUSH_REFUSED, BORNE_REASON_UNKNOWN_PARTICIPANT);
                continue;
            }
        }
        if (err) {
            break;
        }
        bind_checkin(ins, k, c, received);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc != SQLITE_DONE) {
            err = borne_sql_error(&db->sql, rc, "store check-in");
            break;
        }
        if (sqlite3_changes(db->sql.db) > 0) {
            result(&results[i], c->uuid, BORNE_PUSH_STORED, "");
            continue;
        }
        sqlite3_bind_text(who, 1, c->uuid, -1, SQLITE_STATIC);
        rc = sqlite3_step(who);
        stored_match m = rc == SQLITE_ROW ? compare_stored(who, k, c) : MATCH_DIFFERENT;
        sqlite3_reset(who);
        if (rc != SQLITE_ROW) {
            /* No row: the insert found the UUID a moment ago, so the database misbehaves. */
            err =
                rc == SQLITE_DONE ? BORNE_ERR_DB : borne_sql_error(&db->sql, rc, "check-in lookup");
            break;
        }
        if (m == MATCH_CORRECTED) {
            sqlite3_bind_text(fix, 1, c->uuid, -1, SQLITE_STATIC);
            sqlite3_bind_int64(fix, 2, c->time.wall_ms);
            rc = sqlite3_step(fix);
            sqlite3_reset(fix);
            if (rc != SQLITE_DONE) {
                err = borne_sql_error(&db->sql, rc, "correct check-in time");
                break;
            }
        }
        conflicts += m == MATCH_DIFFERENT || m == MATCH_OTHER_KIOSK;
        result(&results[i], c->uuid,
               m == MATCH_SAME || m == MATCH_CORRECTED ? BORNE_PUSH_DUPLICATE : BORNE_PUSH_REFUSED,
               m == MATCH_OTHER_KIOSK ? "uuid already used by another kiosk"
               : m == MATCH_DIFFERENT ? "uuid already used with different content"
                                      : "");
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(who);
    sqlite3_finalize(fix);
    sqlite3_finalize(known_session);
    sqlite3_finalize(known_participant);
    err = borne_sql_finish(&db->sql, err);
    if (!err && conflicts) {
        LOG_WARN("kiosk %lld sent %zu check-in UUIDs already used with other content",
                 (long long)k->id, conflicts);
    }
    if (!err && unknown) {
        LOG_WARN("kiosk %lld sent %zu check-ins naming a session or participant the event does "
                 "not have (refused)",
                 (long long)k->id, unknown);
    }
    return err;
}

/* ---- roster pull ---- */

static json_t *session_json(const borne_session *s)
{
    char rule[64];
    borne_credit_rule_format(&s->rule, rule, sizeof(rule));
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:i, s:s, s:i, s:i, s:b}", "id",
                     (json_int_t)s->id, "code", s->code, "title", s->title, "room", s->room,
                     "starts", (json_int_t)s->starts, "ends", (json_int_t)s->ends, "credit_minutes",
                     (int)s->rule.credit_minutes, "credit_rule", rule, "open_before_s",
                     (int)s->open_before_s, "close_after_s", (int)s->close_after_s,
                     "requires_registration", s->requires_registration);
}

static json_t *ids_json(const char *list)
{
    json_t *arr = json_array();
    const char *p = list;
    while (p && *p) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p) {
            break;
        }
        json_array_append_new(arr, json_integer((json_int_t)v));
        p = *end == ',' ? end + 1 : end;
    }
    return arr;
}

borne_err borne_regdb_pull_json(struct borne_regdb *db, uint32_t event_id, int64_t since,
                                const char *epoch, size_t limit, int64_t server_time_ms, char **out,
                                size_t *len)
{
    *out = NULL;
    *len = 0;
    /* A read transaction: one consistent snapshot for the whole page. */
    borne_err err = borne_sql_exec(&db->sql, "BEGIN", "begin read");
    if (err) {
        return err;
    }
    json_t *root = json_object();
    json_t *participants = json_array(), *deleted = json_array();
    int64_t upper = 0;
    bool more = false;
    sqlite3_stmt *st = NULL;
    char mine[BORNE_PULL_EPOCH_MAX + 1] = "";
    err = borne_sql_prepare(&db->sql, "SELECT value, coalesce(epoch, '') FROM counter WHERE id = 1",
                            &st);
    if (!err && sqlite3_step(st) == SQLITE_ROW) {
        upper = sqlite3_column_int64(st, 0);
        borne_sql_copy_text(mine, sizeof(mine), st, 1);
    }
    sqlite3_finalize(st);
    /* A cursor ahead of the counter, or of another epoch, was given by another history of this
     * registry (restored from a backup, or replaced): what the kiosk holds cannot be trusted, so
     * the answer starts again from 0 and says so (docs/protocol.md, "Cursor ahead of the
     * registry"). */
    bool reset = since > upper || (since > 0 && epoch && epoch[0] && strcmp(epoch, mine) != 0);
    if (reset) {
        LOG_WARN("roster cursor %lld (of %s) is not of the registry's history (%lld, %s): restored "
                 "from a backup? The kiosk starts again from 0",
                 (long long)since,
                 !epoch || !epoch[0]        ? "no epoch given"
                 : strcmp(epoch, mine) == 0 ? "this epoch, ahead of the counter"
                                            : "another epoch",
                 (long long)upper, mine);
        since = 0;
    }
    if (!err) {
        err = borne_sql_prepare(
            &db->sql,
            "SELECT id, name, organisation, member, status, code, sessions, deleted,"
            " changed, coalesce(badge, code) FROM participant WHERE event_id = ?1"
            " AND changed > ?2 ORDER BY changed LIMIT ?3",
            &st);
    }
    if (!err) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_int64(st, 2, since);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
        size_t n = 0;
        int64_t last = since;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            n++;
            last = sqlite3_column_int64(st, 8);
            json_int_t id = sqlite3_column_int64(st, 0);
            if (sqlite3_column_int(st, 7)) {
                json_array_append_new(deleted, json_integer(id));
                continue;
            }
            json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:i}", "id", id, "name",
                                  (const char *)sqlite3_column_text(st, 1), "organisation",
                                  (const char *)sqlite3_column_text(st, 2), "member",
                                  sqlite3_column_int(st, 3), "status", sqlite3_column_int(st, 4));
            if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
                json_object_set_new(o, "code",
                                    json_string((const char *)sqlite3_column_text(st, 5)));
            }
            if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
                json_object_set_new(o, "badge",
                                    json_string((const char *)sqlite3_column_text(st, 9)));
            }
            json_object_set_new(o, "sessions", ids_json((const char *)sqlite3_column_text(st, 6)));
            json_array_append_new(participants, o);
        }
        if (rc != SQLITE_DONE) {
            err = borne_sql_error(&db->sql, rc, "pull participants");
        }
        sqlite3_finalize(st);
        if (n == limit) {
            more = last < upper;
            upper = last;
        }
    }
    /* Everything else changed in (since, upper]. */
    json_t *sessions = json_array(), *dsessions = json_array(), *keys = json_array(),
           *revoked = json_array(), *unrevoked = json_array();
    if (!err) {
        err = borne_sql_prepare(&db->sql,
                                "SELECT " SESSION_COLS
                                " FROM session WHERE event_id = ?1 AND changed > ?2"
                                " AND changed <= ?3 ORDER BY changed",
                                &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, event_id);
            sqlite3_bind_int64(st, 2, since);
            sqlite3_bind_int64(st, 3, upper);
            while (sqlite3_step(st) == SQLITE_ROW) {
                borne_session s;
                read_session(st, &s);
                if (sqlite3_column_int(st, 12)) {
                    json_array_append_new(dsessions, json_integer(s.id));
                } else {
                    json_array_append_new(sessions, session_json(&s));
                }
            }
            sqlite3_finalize(st);
        }
    }
    if (!err) {
        err = borne_sql_prepare(&db->sql,
                                "SELECT key_id, public_key FROM signing_key WHERE changed > ?1"
                                " AND changed <= ?2",
                                &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, since);
            sqlite3_bind_int64(st, 2, upper);
            while (sqlite3_step(st) == SQLITE_ROW) {
                char b64[64];
                if (sqlite3_column_bytes(st, 1) != 32) {
                    continue;
                }
                sodium_bin2base64(b64, sizeof(b64), sqlite3_column_blob(st, 1), 32,
                                  sodium_base64_VARIANT_ORIGINAL);
                json_array_append_new(keys,
                                      json_pack("{s:i, s:s}", "key_id", sqlite3_column_int(st, 0),
                                                "public_key", b64));
            }
            sqlite3_finalize(st);
        }
    }
    if (!err) {
        err = borne_sql_prepare(&db->sql,
                                "SELECT code_hash, revoked FROM revoked_code WHERE event_id = ?1"
                                " AND changed > ?2 AND changed <= ?3",
                                &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, event_id);
            sqlite3_bind_int64(st, 2, since);
            sqlite3_bind_int64(st, 3, upper);
            while (sqlite3_step(st) == SQLITE_ROW) {
                char hex[2 * BORNE_CODE_HASH_LEN + 1];
                if (sqlite3_column_bytes(st, 0) != BORNE_CODE_HASH_LEN) {
                    continue;
                }
                sodium_bin2hex(hex, sizeof(hex), sqlite3_column_blob(st, 0), BORNE_CODE_HASH_LEN);
                json_array_append_new(sqlite3_column_int(st, 1) ? revoked : unrevoked,
                                      json_string(hex));
            }
            sqlite3_finalize(st);
        }
    }
    if (!err) {
        err = borne_sql_prepare(
            &db->sql, "SELECT id, name, timezone, starts, ends, changed FROM event WHERE id = ?1",
            &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, event_id);
            if (sqlite3_step(st) == SQLITE_ROW &&
                (since == 0 ||
                 (sqlite3_column_int64(st, 5) > since && sqlite3_column_int64(st, 5) <= upper))) {
                json_object_set_new(
                    root, "event",
                    json_pack("{s:I, s:s, s:s, s:I, s:I}", "id", sqlite3_column_int64(st, 0),
                              "name", (const char *)sqlite3_column_text(st, 1), "timezone",
                              (const char *)sqlite3_column_text(st, 2), "starts",
                              sqlite3_column_int64(st, 3), "ends", sqlite3_column_int64(st, 4)));
            }
            sqlite3_finalize(st);
        }
    }
    sqlite3_exec(db->sql.db, "COMMIT", NULL, NULL, NULL);
    json_object_set_new(root, "server_time_ms", json_integer(server_time_ms));
    json_object_set_new(root, "cursor", json_integer(upper > since ? upper : since));
    json_object_set_new(root, "more", json_boolean(more));
    if (reset) {
        json_object_set_new(root, "reset", json_true());
    }
    if (mine[0]) {
        json_object_set_new(root, "epoch", json_string(mine));
    }
    json_object_set_new(root, "sessions", sessions);
    json_object_set_new(root, "deleted_sessions", dsessions);
    json_object_set_new(root, "participants", participants);
    json_object_set_new(root, "deleted_participants", deleted);
    json_object_set_new(root, "keys", keys);
    json_object_set_new(root, "revoked", revoked);
    json_object_set_new(root, "unrevoked", unrevoked);
    char *text = err ? NULL : json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (err) {
        return err;
    }
    if (!text) {
        return BORNE_ERR_NOMEM;
    }
    *out = text;
    *len = strlen(text);
    return BORNE_OK;
}

/* ---- backup ---- */

borne_err borne_regdb_backup(struct borne_regdb *db, const char *path)
{
    FILE *probe = fopen(path, "rb");
    if (probe) {
        fclose(probe);
        return BORNE_ERR_EXISTS;
    }
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&db->sql, "VACUUM INTO ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    err = borne_sql_step_done(&db->sql, st, "backup");
    if (err) {
        return err;
    }
    /* The copy starts a history of its own: once restored, kiosks that synced with this
     * database after the copy was made see another epoch and start again from 0, however many
     * changes the restored registry makes before they come. */
    sqlite3 *copy = NULL;
    int rc = sqlite3_open_v2(path, &copy, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(copy, "UPDATE counter SET epoch = lower(hex(randomblob(8)))", NULL, NULL,
                          NULL);
    }
    if (rc != SQLITE_OK) {
        LOG_ERR("backup: cannot give the copy its own epoch (%s)", sqlite3_errstr(rc));
        err = BORNE_ERR_DB;
    }
    sqlite3_close(copy);
    return err;
}

/* ---- retention ---- */

borne_err borne_regdb_mark_exported(struct borne_regdb *db, uint32_t event_id, int64_t when_ms)
{
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&db->sql, "UPDATE event SET credits_exported_ms = ?2 WHERE id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, when_ms);
    err = borne_sql_step_done(&db->sql, st, "mark exported");
    if (!err && sqlite3_changes(db->sql.db) == 0) {
        err = BORNE_ERR_NOT_FOUND;
    }
    return err;
}

/* Runs `sql` with ?1 = event_id; adds the rows it changed to *count (may be NULL). */
static borne_err purge_step(struct borne_regdb *db, const char *sql, uint32_t event_id,
                            int64_t *count)
{
    return borne_sql_run_id(&db->sql, sql, event_id, count, "purge");
}

/* Whether the database has a table `name` (*out). */
static borne_err table_exists(struct borne_regdb *db, const char *name, bool *out)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &db->sql, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW;
    err = rc == SQLITE_ROW || rc == SQLITE_DONE ? BORNE_OK : borne_sql_error(&db->sql, rc, "purge");
    borne_sql_release(&db->sql, st);
    return err;
}

/* May the event be purged now? BORNE_ERR_PERM with *why when not. */
static borne_err purge_allowed(struct borne_regdb *db, uint32_t event_id, int64_t min_age_s,
                               int64_t now, const char **why)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&db->sql,
                                      "SELECT ends, credits_exported_ms,"
                                      " (SELECT max(received_ms) FROM checkin WHERE event_id = ?1)"
                                      " FROM event WHERE id = ?1",
                                      &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int64_t ends = sqlite3_column_int64(st, 0);
        bool exported = sqlite3_column_type(st, 1) != SQLITE_NULL;
        int64_t exported_ms = sqlite3_column_int64(st, 1);
        int64_t last_ms = sqlite3_column_int64(st, 2);
        if ((ends + min_age_s) * 1000 > now) {
            *why = "the event ended less than the retention period ago";
            err = BORNE_ERR_PERM;
        } else if (!exported) {
            *why = "the credits report of the event was never exported";
            err = BORNE_ERR_PERM;
        } else if (exported_ms < last_ms) {
            *why = "check-ins arrived after the last credits export: export it again";
            err = BORNE_ERR_PERM;
        }
    } else {
        err = rc == SQLITE_DONE ? BORNE_ERR_NOT_FOUND : borne_sql_error(&db->sql, rc, "purge");
    }
    sqlite3_finalize(st);
    return err;
}

borne_err borne_regdb_purge(struct borne_regdb *db, uint32_t event_id, int64_t min_age_s,
                            bool delete_event, int64_t now, borne_purge_report *out,
                            const char **why)
{
    memset(out, 0, sizeof(*out));
    *why = "";
    borne_err err = borne_sql_begin(&db->sql);
    if (err) {
        return err;
    }
    err = purge_allowed(db, event_id, min_age_s, now, why);
    err = err ? err
              : purge_step(db,
                           "UPDATE kiosk SET revoked = 1, enrol_hash = NULL, token_hash = NULL"
                           " WHERE event_id = ?1 AND revoked = 0",
                           event_id, &out->kiosks);
    err =
        err ? err : purge_step(db, "DELETE FROM revoked_code WHERE event_id = ?1", event_id, NULL);
    /* The registrar's decisions name a participant and carry a reason in words. */
    err = err ? err
              : purge_step(db, "DELETE FROM review_decision WHERE event_id = ?1", event_id, NULL);
    /* So do the desk's manual scans: who entered them and why (console_manual, made by the web
     * console; a registry never served through it has none). The check-ins stay, anonymised.
     * The console's audit log keeps who did what and when, but its rows about one participant
     * of the event (a desk scan, a badge, an attestation, a decision) lose the participant's
     * number and their before/after, which hold the reason in words. */
    bool console = false;
    err = err ? err : table_exists(db, "console_manual", &console);
    err = err || !console ? err
                          : purge_step(db,
                                       "DELETE FROM console_manual WHERE uuid IN"
                                       " (SELECT uuid FROM checkin WHERE event_id = ?1)",
                                       event_id, NULL);
    console = false;
    err = err ? err : table_exists(db, "console_audit", &console);
    err = err || !console ? err
                          : purge_step(db,
                                       "UPDATE console_audit SET target = 'event ' || ?1,"
                                       " before_json = NULL, after_json = NULL"
                                       " WHERE target LIKE 'event ' || ?1 || ' participant %'"
                                       " OR target LIKE 'event ' || ?1 || ' review %'",
                                       event_id, NULL);
    if (!err && delete_event) {
        err = purge_step(db, "DELETE FROM checkin WHERE event_id = ?1", event_id, &out->checkins);
        err = err ? err
                  : purge_step(db, "DELETE FROM participant WHERE event_id = ?1", event_id,
                               &out->participants);
        err = err ? err : purge_step(db, "DELETE FROM session WHERE event_id = ?1", event_id, NULL);
        err = err ? err : purge_step(db, "DELETE FROM kiosk WHERE event_id = ?1", event_id, NULL);
        err = err ? err : purge_step(db, "DELETE FROM event WHERE id = ?1", event_id, NULL);
    } else if (!err) {
        /* Participants get new ids, numbered in a random order, in the roster and in the
         * check-ins alike: attendance still counts who came how often, but nothing leads back to
         * a person (ids may be member numbers). Names, organisations, codes, badge texts, code
         * fingerprints and staff ids are cleared. Negative ids in between keep the primary key
         * free of collisions. */
        err = purge_step(db, "CREATE TEMP TABLE purge_map(old INTEGER PRIMARY KEY, new INTEGER)",
                         event_id, NULL);
        err = err ? err
                  : purge_step(db,
                               "INSERT INTO temp.purge_map(old, new)"
                               " SELECT id, row_number() OVER (ORDER BY random()) FROM"
                               " (SELECT id FROM participant WHERE event_id = ?1 UNION"
                               "  SELECT participant_id FROM checkin WHERE event_id = ?1"
                               "  AND participant_id IS NOT NULL)",
                               event_id, NULL);
        err = err ? err
                  : purge_step(db,
                               "UPDATE participant SET name = '', organisation = '', code = NULL,"
                               " badge = NULL, id = -(SELECT new FROM temp.purge_map"
                               " WHERE old = participant.id) WHERE event_id = ?1",
                               event_id, &out->participants);
        err = err ? err
                  : purge_step(db, "UPDATE participant SET id = -id WHERE event_id = ?1 AND id < 0",
                               event_id, NULL);
        err = err ? err
                  : purge_step(db,
                               "UPDATE checkin SET code_hash = NULL, staff_id = NULL,"
                               " participant_id = (SELECT new FROM temp.purge_map"
                               " WHERE old = checkin.participant_id) WHERE event_id = ?1",
                               event_id, &out->checkins);
        err = err ? err : purge_step(db, "DROP TABLE temp.purge_map", event_id, NULL);
        sqlite3_stmt *st = NULL;
        err =
            err ? err
                : borne_sql_prepare(&db->sql, "UPDATE event SET purged_ms = ?2 WHERE id = ?1", &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, event_id);
            sqlite3_bind_int64(st, 2, now);
            err = borne_sql_step_done(&db->sql, st, "purge");
        }
    }
    err = borne_sql_finish(&db->sql, err);
    if (err) {
        sqlite3_exec(db->sql.db, "DROP TABLE IF EXISTS temp.purge_map", NULL, NULL, NULL);
        return err;
    }
    /* secure_delete zeroes what the purge freed in the database file; the old pages still in
     * the WAL go with a truncating checkpoint. */
    int rc = sqlite3_wal_checkpoint_v2(db->sql.db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    if (rc != SQLITE_OK) {
        LOG_WARN("purge: checkpoint not complete (%s); it finishes with the next one",
                 sqlite3_errstr(rc));
    }
    LOG_INFO("event %u purged (%s): %lld participants, %lld check-ins, %lld kiosks revoked",
             event_id, delete_event ? "deleted" : "anonymised", (long long)out->participants,
             (long long)out->checkins, (long long)out->kiosks);
    return BORNE_OK;
}

/* ---- reports ---- */

borne_err borne_regdb_count_checkins(struct borne_regdb *db, uint32_t event_id, int64_t *out)
{
    *out = -1;
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &db->sql, "SELECT count(*) FROM checkin WHERE ?1 = 0 OR event_id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return BORNE_OK;
}

/* A check-in that cannot earn credit though its outcome says accepted: its participant is not a
 * live participant of the event (deleted since the scan, or stored before the registry checked
 * participants), or its time is more than the skew after its arrival (an untrusted clock far
 * ahead). SQL over the checkin table (alias c): 1 for such a row, with the reason in
 * BAD_PARTICIPANT alone. */
#define BAD_PARTICIPANT                                                                            \
    "(c.outcome IN (0, 1, 2, 17) AND (c.participant_id IS NULL OR NOT EXISTS (SELECT 1 FROM"       \
    " participant p WHERE p.event_id = c.event_id AND p.id = c.participant_id"                     \
    " AND p.deleted = 0)))"
#define FUTURE_ROW "(c.outcome IN (0, 1, 2, 17) AND c.wall_ms > c.received_ms + ?2)"
/* A row that is a check-in at all (not one written by hand with no UUID or direction). */
#define READABLE "(c.direction IN (0, 1) AND length(c.uuid) = 36)"
/* What a report counts: readable, of a live participant, not dated far after its arrival. */
#define COUNTED "(" READABLE " AND NOT " BAD_PARTICIPANT " AND NOT " FUTURE_ROW ")"

/* The registry's data for one event, copied into an in-memory kiosk store, so that the kiosk's
 * own report code (store/report.h, core/credits.h) computes the official numbers. For the
 * credits report, accepted check-ins that cannot earn credit are left out and counted in
 * *skips; rows that are not check-ins at all are left out of every report and counted. */
static borne_err as_kiosk_store(struct borne_regdb *db, uint32_t event_id, borne_event *ev,
                                struct borne_store **out, bool for_credits,
                                borne_report_skips *skips)
{
    *out = NULL;
    borne_err err = borne_regdb_get_event(db, event_id, ev);
    if (err) {
        return err;
    }
    struct borne_store *mem = NULL;
    err = borne_store_open(":memory:", &mem);
    if (err) {
        return err;
    }
    borne_session *sessions = NULL;
    size_t nsessions = 0;
    err = borne_store_begin(mem);
    err = err ? err : borne_store_put_event(mem, ev);
    err = err ? err : borne_regdb_sessions(db, event_id, &sessions, &nsessions);
    for (size_t i = 0; !err && i < nsessions; i++) {
        err = borne_store_put_session(mem, &sessions[i]);
    }
    free(sessions);
    sqlite3_stmt *st = NULL;
    if (!err) {
        err = borne_sql_prepare(&db->sql,
                                "SELECT id, name, organisation, member, status FROM participant"
                                " WHERE event_id = ?1 AND deleted = 0",
                                &st);
    }
    if (!err) {
        sqlite3_bind_int64(st, 1, event_id);
        while (!err && sqlite3_step(st) == SQLITE_ROW) {
            borne_participant p;
            memset(&p, 0, sizeof(p));
            p.event_id = event_id;
            p.id = (uint32_t)sqlite3_column_int64(st, 0);
            borne_sql_copy_text(p.display_name, sizeof(p.display_name), st, 1);
            borne_sql_copy_text(p.organisation, sizeof(p.organisation), st, 2);
            p.member = sqlite3_column_int(st, 3) != 0;
            p.status = (borne_reg_status)sqlite3_column_int(st, 4);
            err = borne_store_put_participant(mem, &p, NULL);
        }
        sqlite3_finalize(st);
    }
    if (!err) {
        err = borne_sql_prepare(
            &db->sql,
            "SELECT uuid, kiosk_name, participant_id, session_id, direction, method,"
            " outcome, wall_ms, wall_recorded_ms, mono_ms, boot_id, clock_trusted,"
            " " BAD_PARTICIPANT ", " FUTURE_ROW ", " READABLE " FROM checkin c WHERE event_id = ?1",
            &st);
    }
    if (!err) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_int64(st, 2, BORNE_PUSH_FUTURE_SKEW_MS);
        while (!err && sqlite3_step(st) == SQLITE_ROW) {
            if (!sqlite3_column_int(st, 14)) {
                skips->unreadable++;
                continue;
            }
            if (for_credits && sqlite3_column_int(st, 12)) {
                skips->unknown_participant++;
                continue;
            }
            if (for_credits && sqlite3_column_int(st, 13)) {
                skips->future++;
                continue;
            }
            borne_checkin_row c;
            memset(&c, 0, sizeof(c));
            borne_sql_copy_text(c.uuid, sizeof(c.uuid), st, 0);
            borne_sql_copy_text(c.kiosk_id, sizeof(c.kiosk_id), st, 1);
            c.event_id = event_id;
            c.participant_id = (uint32_t)sqlite3_column_int64(st, 2);
            c.session_id = (uint32_t)sqlite3_column_int64(st, 3);
            c.direction = (borne_direction)sqlite3_column_int(st, 4);
            c.method = (borne_method)sqlite3_column_int(st, 5);
            c.outcome = (borne_outcome)sqlite3_column_int(st, 6);
            c.time.wall_ms = sqlite3_column_int64(st, 7);
            c.wall_recorded_ms = sqlite3_column_int64(st, 8);
            c.time.mono_ms = sqlite3_column_int64(st, 9);
            borne_sql_copy_text(c.time.boot_id, sizeof(c.time.boot_id), st, 10);
            c.time.trusted = sqlite3_column_int(st, 11) != 0;
            c.synced = true;
            err = borne_store_add_checkin(mem, &c);
        }
        sqlite3_finalize(st);
    }
    err = err ? err : borne_store_commit(mem);
    if (err) {
        borne_store_close(mem);
        return err;
    }
    *out = mem;
    return BORNE_OK;
}

borne_err borne_regdb_credits_csv(struct borne_regdb *db, uint32_t event_id, FILE *out,
                                  borne_report_skips *skips)
{
    memset(skips, 0, sizeof(*skips));
    borne_event ev;
    struct borne_store *mem;
    borne_err err = as_kiosk_store(db, event_id, &ev, &mem, true, skips);
    if (err) {
        return err;
    }
    err = borne_report_credits_csv_skips(mem, &ev, INT64_MAX, out, skips);
    borne_store_close(mem);
    return err;
}

borne_err borne_regdb_checkins_csv(struct borne_regdb *db, uint32_t event_id, FILE *out,
                                   borne_report_skips *skips)
{
    memset(skips, 0, sizeof(*skips));
    borne_event ev;
    struct borne_store *mem;
    borne_err err = as_kiosk_store(db, event_id, &ev, &mem, false, skips);
    if (err) {
        return err;
    }
    err = borne_report_checkins_csv(mem, &ev, out);
    borne_store_close(mem);
    return err;
}

borne_err borne_regdb_attendance_csv(struct borne_regdb *db, uint32_t event_id, FILE *out,
                                     borne_report_skips *skips)
{
    memset(skips, 0, sizeof(*skips));
    sqlite3_stmt *st;
    /* What the credits report leaves out is not counted as present either. */
    borne_err err = borne_sql_prepare(
        &db->sql,
        "SELECT count(*) FILTER (WHERE " READABLE " AND " BAD_PARTICIPANT "),"
        " count(*) FILTER (WHERE " READABLE " AND NOT " BAD_PARTICIPANT " AND " FUTURE_ROW "),"
        " count(*) FILTER (WHERE " COUNTED " AND c.outcome IN (0, 1, 2, 17)"
        " AND c.session_id IS NOT NULL AND NOT EXISTS (SELECT 1"
        " FROM session s WHERE s.id = c.session_id"
        " AND s.event_id = c.event_id AND s.deleted = 0)),"
        " count(*) FILTER (WHERE NOT " READABLE ")"
        " FROM checkin c WHERE c.event_id = ?1",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, BORNE_PUSH_FUTURE_SKEW_MS);
    err = borne_sql_step_row(&db->sql, st, "attendance report");
    if (!err) {
        skips->unknown_participant = sqlite3_column_int64(st, 0);
        skips->future = sqlite3_column_int64(st, 1);
        skips->unknown_session = sqlite3_column_int64(st, 2);
        skips->unreadable = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (err) {
        return err;
    }
    err = borne_sql_prepare(
        &db->sql,
        "SELECT s.id, s.code, s.title, s.starts,"
        " (SELECT count(*) FROM participant p WHERE p.event_id = s.event_id AND p.deleted = 0"
        "   AND (',' || p.sessions || ',') LIKE ('%,' || s.id || ',%')),"
        " (SELECT count(DISTINCT c.participant_id) FROM checkin c WHERE c.event_id = s.event_id"
        "   AND c.session_id = s.id AND c.outcome IN (0, 1, 2, 17) AND " COUNTED "),"
        " (SELECT count(*) FROM checkin c WHERE c.event_id = s.event_id AND c.session_id = s.id"
        "   AND c.outcome IN (0, 17) AND " COUNTED "),"
        " (SELECT count(*) FROM checkin c WHERE c.event_id = s.event_id AND c.session_id = s.id"
        "   AND c.outcome IN (1, 2) AND " COUNTED "),"
        " (SELECT count(*) FROM checkin c WHERE c.event_id = s.event_id AND c.session_id = s.id"
        "   AND c.outcome NOT IN (0, 1, 2, 17) AND " READABLE "),"
        " (SELECT count(DISTINCT c.kiosk) FROM checkin c WHERE c.event_id = s.event_id"
        "   AND c.session_id = s.id)"
        " FROM session s WHERE s.event_id = ?1 AND s.deleted = 0 ORDER BY s.starts, s.id",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, BORNE_PUSH_FUTURE_SKEW_MS);
    struct borne_csv_writer *w = NULL;
    err = borne_csv_writer_new_file(&w, out, ',', 0);
    static const char *const header[] = {"session_id", "session_code", "session", "starts_utc",
                                         "registered", "present",      "entries", "exits",
                                         "refused",    "kiosks"};
    for (size_t i = 0; !err && i < sizeof(header) / sizeof(header[0]); i++) {
        err = borne_csv_write_str(w, header[i]);
    }
    err = err ? err : borne_csv_end_record(w);
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int col = 0; col < 10 && !err; col++) {
            char buf[40];
            const char *text = (const char *)sqlite3_column_text(st, col);
            if (col == 3) {
                borne_time_format_utc(sqlite3_column_int64(st, 3), buf, sizeof(buf));
                text = buf;
            }
            err = borne_csv_write_str(w, text ? text : "");
        }
        err = err ? err : borne_csv_end_record(w);
    }
    sqlite3_finalize(st);
    borne_csv_writer_free(w);
    if (!err && rc != SQLITE_DONE) {
        err = borne_sql_error(&db->sql, rc, "attendance report");
    }
    return err;
}
