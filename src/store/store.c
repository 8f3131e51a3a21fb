/* The SQLite store: schema, migrations, and the small queries the kiosk needs.
 *
 * DESIGN: every check-in is its own transaction with synchronous=FULL in WAL mode, so that when
 * borne_store_add_checkin returns the row survives a crash or a power cut. Names are searched
 * through an FTS5 index (unicode61, remove_diacritics 2) kept in step by triggers. Scanned codes
 * are never stored raw: a 16-byte BLAKE2b fingerprint is enough to audit refusals and to match
 * revocations. */
#define LOG_MODULE "store"
#include "store/store.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/sqlutil.h"

/* Prepared statements are kept for the connection's life (an import runs the same few
 * statements 100,000 times), keyed by the address of their SQL text: every statement's text is
 * a string literal (sqlutil.h). */
#define STMT_CACHE_SIZE 48

struct borne_store {
    borne_sqldb sql;
    borne_sql_cached cache[STMT_CACHE_SIZE];
};

/* Migration i brings the schema from version i to i + 1. Append only. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE event ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  timezone TEXT NOT NULL DEFAULT 'America/Montreal',"
    "  starts INTEGER NOT NULL,"
    "  ends INTEGER NOT NULL"
    ");"
    "CREATE TABLE session ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
    "  code TEXT NOT NULL DEFAULT '',"
    "  title TEXT NOT NULL,"
    "  room TEXT NOT NULL DEFAULT '',"
    "  starts INTEGER NOT NULL,"
    "  ends INTEGER NOT NULL CHECK (ends > starts),"
    "  credit_minutes INTEGER NOT NULL DEFAULT 0,"
    "  credit_rule TEXT NOT NULL DEFAULT 'threshold:800',"
    "  open_before_s INTEGER NOT NULL DEFAULT 1800,"
    "  close_after_s INTEGER NOT NULL DEFAULT 1800,"
    "  requires_registration INTEGER NOT NULL DEFAULT 1"
    ");"
    "CREATE INDEX session_event ON session(event_id, starts);"
    "CREATE TABLE participant ("
    "  rowid INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
    "  participant_id INTEGER NOT NULL,"
    "  display_name TEXT NOT NULL,"
    "  organisation TEXT NOT NULL DEFAULT '',"
    "  member INTEGER NOT NULL DEFAULT 0,"
    "  status INTEGER NOT NULL DEFAULT 1,"
    "  code TEXT,"
    "  UNIQUE (event_id, participant_id)"
    ");"
    "CREATE UNIQUE INDEX participant_code ON participant(event_id, code) WHERE code IS NOT NULL;"
    "CREATE TABLE registration ("
    "  event_id INTEGER NOT NULL,"
    "  participant_id INTEGER NOT NULL,"
    "  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (event_id, participant_id, session_id)"
    ") WITHOUT ROWID;"
    "CREATE VIRTUAL TABLE participant_fts USING fts5("
    "  display_name, organisation, content='participant', content_rowid='rowid',"
    "  tokenize='unicode61 remove_diacritics 2');"
    "CREATE TRIGGER participant_ai AFTER INSERT ON participant BEGIN"
    "  INSERT INTO participant_fts(rowid, display_name, organisation)"
    "  VALUES (new.rowid, new.display_name, new.organisation);"
    "END;"
    "CREATE TRIGGER participant_ad AFTER DELETE ON participant BEGIN"
    "  INSERT INTO participant_fts(participant_fts, rowid, display_name, organisation)"
    "  VALUES ('delete', old.rowid, old.display_name, old.organisation);"
    "END;"
    "CREATE TRIGGER participant_au AFTER UPDATE ON participant BEGIN"
    "  INSERT INTO participant_fts(participant_fts, rowid, display_name, organisation)"
    "  VALUES ('delete', old.rowid, old.display_name, old.organisation);"
    "  INSERT INTO participant_fts(rowid, display_name, organisation)"
    "  VALUES (new.rowid, new.display_name, new.organisation);"
    "END;"
    "CREATE TABLE signing_key ("
    "  key_id INTEGER PRIMARY KEY CHECK (key_id BETWEEN 0 AND 65535),"
    "  public_key BLOB NOT NULL CHECK (length(public_key) = 32)"
    ");"
    "CREATE TABLE revoked_code ("
    "  event_id INTEGER NOT NULL,"
    "  code_hash BLOB NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (event_id, code_hash)"
    ") WITHOUT ROWID;"
    "CREATE TABLE checkin ("
    "  uuid TEXT PRIMARY KEY,"
    "  kiosk_id TEXT NOT NULL,"
    "  event_id INTEGER NOT NULL,"
    "  participant_id INTEGER,"
    "  session_id INTEGER,"
    "  direction INTEGER NOT NULL CHECK (direction IN (0, 1)),"
    "  method INTEGER NOT NULL,"
    "  staff_id TEXT,"
    "  outcome INTEGER NOT NULL,"
    "  code_hash BLOB,"
    "  wall_ms INTEGER NOT NULL,"
    "  wall_recorded_ms INTEGER NOT NULL,"
    "  mono_ms INTEGER NOT NULL,"
    "  boot_id TEXT NOT NULL,"
    "  clock_trusted INTEGER NOT NULL,"
    "  synced INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX checkin_who ON checkin(event_id, participant_id, session_id, wall_ms);"
    "CREATE INDEX checkin_unsynced ON checkin(event_id) WHERE synced = 0;"
    "CREATE INDEX checkin_untrusted ON checkin(boot_id) WHERE clock_trusted = 0;"
    "CREATE TABLE kiosk_state ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;",
    /* 1 -> 2: the participant's current badge code text (a signed token or an opaque code), as
     * the registry's roster pull carries it, so staff can show it to its owner on screen. */
    "ALTER TABLE participant ADD COLUMN badge_text TEXT;",
};

#define MIGRATION_COUNT (sizeof(migrations) / sizeof(migrations[0]))
_Static_assert(MIGRATION_COUNT == BORNE_STORE_SCHEMA_VERSION,
               "BORNE_STORE_SCHEMA_VERSION must be the number of migrations");

/* The store's reading of SQLite's errors (sqlutil.h): a read-only or forbidden database is
 * BORNE_ERR_PERM (the kiosk's data folder or file has the wrong owner or mode), a constraint is
 * BORNE_ERR_EXISTS (a UUID or code already stored), a file that is not a database is damage. */
const borne_sql_errmap borne_store_errmap = {
    .module = LOG_MODULE,
    .busy = BORNE_ERR_DB,
    .readonly = BORNE_ERR_PERM,
    .io = BORNE_ERR_IO,
    .notadb = BORNE_ERR_CORRUPT,
    .constraint = BORNE_ERR_EXISTS,
    .nomem = BORNE_ERR_NOMEM,
};

borne_err borne_store_error(struct borne_store *store, int rc, const char *what)
{
    return borne_sql_error(&store->sql, rc, what);
}

sqlite3 *borne_store_db(struct borne_store *store)
{
    return store->sql.db;
}

borne_sqldb *borne_store_sql(struct borne_store *store)
{
    return &store->sql;
}

static borne_err migrate(struct borne_store *store)
{
    int version;
    borne_err err = borne_sql_user_version(&store->sql, &version);
    if (err) {
        return err;
    }
    if (version > (int)MIGRATION_COUNT) {
        LOG_ERR("database schema %d is newer than this program (%d)", version,
                (int)MIGRATION_COUNT);
        return BORNE_ERR_UNSUPPORTED;
    }
    for (int v = version; v < (int)MIGRATION_COUNT; v++) {
        err = borne_sql_exec(&store->sql, "BEGIN IMMEDIATE", "migrate");
        if (err) {
            return err;
        }
        err = borne_sql_exec(&store->sql, migrations[v], "migrate");
        if (!err) {
            char sql[64];
            snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
            err = borne_sql_exec(&store->sql, sql, "migrate");
        }
        if (!err) {
            err = borne_sql_exec(&store->sql, "COMMIT", "migrate");
        }
        if (err) {
            borne_sql_exec(&store->sql, "ROLLBACK", "migrate");
            return err;
        }
        LOG_INFO("schema migrated to version %d", v + 1);
    }
    return BORNE_OK;
}

borne_err borne_store_open(const char *path, struct borne_store **out)
{
    *out = NULL;
    if (sodium_init() < 0) {
        return BORNE_ERR_CRYPTO;
    }
    struct borne_store *store = calloc(1, sizeof(*store));
    if (!store) {
        return BORNE_ERR_NOMEM;
    }
    store->sql = (borne_sqldb){
        .map = &borne_store_errmap, .cache = store->cache, .cache_size = STMT_CACHE_SIZE};
    borne_err err = borne_sql_open(&store->sql, path, 5000);
    if (err) {
        goto fail;
    }
    err = migrate(store);
    if (err) {
        goto fail;
    }
    *out = store;
    return BORNE_OK;
fail:
    borne_store_close(store);
    return err;
}

void borne_store_close(struct borne_store *store)
{
    if (!store) {
        return;
    }
    borne_sql_close(&store->sql);
    free(store);
}

borne_err borne_store_check(struct borne_store *store)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&store->sql, "PRAGMA quick_check", &st);
    if (err) {
        return err;
    }
    int rc = sqlite3_step(st);
    bool ok = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    borne_sql_release(&store->sql, st);
    if (rc != SQLITE_ROW) {
        return borne_sql_error(&store->sql, rc, "quick_check");
    }
    if (!ok) {
        LOG_ERR("quick_check found damage");
        return BORNE_ERR_CORRUPT;
    }
    return BORNE_OK;
}

borne_err borne_store_begin(struct borne_store *store)
{
    return borne_sql_begin(&store->sql);
}

borne_err borne_store_commit(struct borne_store *store)
{
    return borne_sql_commit(&store->sql);
}

void borne_store_rollback(struct borne_store *store)
{
    borne_sql_rollback(&store->sql);
}

borne_err borne_store_state_set(struct borne_store *store, const char *key, const char *value)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&store->sql,
                                      "INSERT INTO kiosk_state(key, value) VALUES (?1, ?2)"
                                      " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                      &st);
    if (err) {
        return err;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return borne_sql_step_done(&store->sql, st, "state set");
}

borne_err borne_store_state_get(struct borne_store *store, const char *key, char *out, size_t cap)
{
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&store->sql, "SELECT value FROM kiosk_state WHERE key = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    err = borne_sql_step_row(&store->sql, st, "state get");
    if (!err) {
        borne_sql_copy_text(out, cap, st, 0);
    }
    borne_sql_release(&store->sql, st);
    return err;
}

borne_err borne_store_put_event(struct borne_store *store, const borne_event *e)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&store->sql,
                                      "INSERT INTO event(id, name, timezone, starts, ends)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET"
                                      " name = excluded.name, timezone = excluded.timezone,"
                                      " starts = excluded.starts, ends = excluded.ends",
                                      &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, e->id);
    sqlite3_bind_text(st, 2, e->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->timezone, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, e->starts);
    sqlite3_bind_int64(st, 5, e->ends);
    return borne_sql_step_done(&store->sql, st, "put event");
}

static void read_event(sqlite3_stmt *st, borne_event *out)
{
    memset(out, 0, sizeof(*out));
    out->id = (uint32_t)sqlite3_column_int64(st, 0);
    borne_sql_copy_text(out->name, sizeof(out->name), st, 1);
    borne_sql_copy_text(out->timezone, sizeof(out->timezone), st, 2);
    out->starts = sqlite3_column_int64(st, 3);
    out->ends = sqlite3_column_int64(st, 4);
}

borne_err borne_store_get_event(struct borne_store *store, uint32_t id, borne_event *out)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql, "SELECT id, name, timezone, starts, ends FROM event WHERE id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, id);
    err = borne_sql_step_row(&store->sql, st, "event");
    if (!err) {
        read_event(st, out);
    }
    borne_sql_release(&store->sql, st);
    return err;
}

borne_err borne_store_current_event(struct borne_store *store, borne_event *out)
{
    char value[32];
    borne_err err = borne_store_state_get(store, "event_id", value, sizeof(value));
    if (!err) {
        return borne_store_get_event(store, (uint32_t)strtoul(value, NULL, 10), out);
    }
    if (err != BORNE_ERR_NOT_FOUND) {
        return err;
    }
    sqlite3_stmt *st;
    err = borne_sql_prepare(&store->sql,
                            "SELECT id, name, timezone, starts, ends FROM event"
                            " WHERE (SELECT count(*) FROM event) = 1",
                            &st);
    if (err) {
        return err;
    }
    err = borne_sql_step_row(&store->sql, st, "event");
    if (!err) {
        read_event(st, out);
    }
    borne_sql_release(&store->sql, st);
    return err;
}

borne_err borne_store_put_session(struct borne_store *store, const borne_session *s)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql,
        "INSERT INTO session(id, event_id, code, title, room, starts, ends, credit_minutes,"
        " credit_rule, open_before_s, close_after_s, requires_registration)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        " ON CONFLICT(id) DO UPDATE SET event_id = excluded.event_id, code = excluded.code,"
        " title = excluded.title, room = excluded.room, starts = excluded.starts,"
        " ends = excluded.ends, credit_minutes = excluded.credit_minutes,"
        " credit_rule = excluded.credit_rule, open_before_s = excluded.open_before_s,"
        " close_after_s = excluded.close_after_s,"
        " requires_registration = excluded.requires_registration",
        &st);
    if (err) {
        return err;
    }
    char rule[48];
    borne_credit_rule_format(&s->rule, rule, sizeof(rule));
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
    return borne_sql_step_done(&store->sql, st, "put session");
}

#define SESSION_COLUMNS                                                                            \
    "id, event_id, code, title, room, starts, ends, credit_minutes, credit_rule, open_before_s,"   \
    " close_after_s, requires_registration"

static void read_session(sqlite3_stmt *st, borne_session *out)
{
    memset(out, 0, sizeof(*out));
    out->id = (uint32_t)sqlite3_column_int64(st, 0);
    out->event_id = (uint32_t)sqlite3_column_int64(st, 1);
    borne_sql_copy_text(out->code, sizeof(out->code), st, 2);
    borne_sql_copy_text(out->title, sizeof(out->title), st, 3);
    borne_sql_copy_text(out->room, sizeof(out->room), st, 4);
    out->starts = sqlite3_column_int64(st, 5);
    out->ends = sqlite3_column_int64(st, 6);
    const char *rule = (const char *)sqlite3_column_text(st, 8);
    if (borne_credit_rule_parse(rule ? rule : "", sqlite3_column_int(st, 7), &out->rule)) {
        /* Rows are written through borne_store_put_session; keep a safe default anyway. */
        out->rule = (borne_credit_rule){.kind = BORNE_CREDIT_THRESHOLD,
                                        .credit_minutes = sqlite3_column_int(st, 7),
                                        .min_share_permille = BORNE_CREDIT_DEFAULT_PERMILLE};
    }
    out->open_before_s = sqlite3_column_int(st, 9);
    out->close_after_s = sqlite3_column_int(st, 10);
    out->requires_registration = sqlite3_column_int(st, 11) != 0;
}

borne_err borne_store_get_session(struct borne_store *store, uint32_t id, borne_session *out)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&store->sql,
                                      "SELECT " SESSION_COLUMNS " FROM session WHERE id = ?1", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, id);
    err = borne_sql_step_row(&store->sql, st, "session");
    if (!err) {
        read_session(st, out);
    }
    borne_sql_release(&store->sql, st);
    return err;
}

static bool read_session_row(sqlite3_stmt *st, void *elem)
{
    read_session(st, elem);
    return true;
}

borne_err borne_store_list_sessions(struct borne_store *store, uint32_t event_id,
                                    borne_session **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql,
        "SELECT " SESSION_COLUMNS " FROM session WHERE event_id = ?1 ORDER BY starts, id", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    return borne_sql_collect(&store->sql, st, sizeof(**out), read_session_row, (void **)out, count,
                             "list sessions");
}

borne_err borne_store_put_participant(struct borne_store *store, const borne_participant *p,
                                      const char *opaque_code)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql,
        "INSERT INTO participant(event_id, participant_id, display_name, organisation, member,"
        " status, code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT(event_id, participant_id) DO UPDATE SET"
        " display_name = excluded.display_name, organisation = excluded.organisation,"
        " member = excluded.member, status = excluded.status,"
        " code = CASE WHEN ?8 THEN excluded.code ELSE participant.code END",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, p->event_id);
    sqlite3_bind_int64(st, 2, p->id);
    sqlite3_bind_text(st, 3, p->display_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->organisation, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, p->member);
    sqlite3_bind_int(st, 6, (int)p->status);
    if (opaque_code && opaque_code[0]) {
        sqlite3_bind_text(st, 7, opaque_code, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 7);
    }
    sqlite3_bind_int(st, 8, opaque_code != NULL);
    return borne_sql_step_done(&store->sql, st, "put participant");
}

#define PARTICIPANT_COLUMNS "participant_id, event_id, display_name, organisation, member, status"

static void read_participant(sqlite3_stmt *st, borne_participant *out)
{
    memset(out, 0, sizeof(*out));
    out->id = (uint32_t)sqlite3_column_int64(st, 0);
    out->event_id = (uint32_t)sqlite3_column_int64(st, 1);
    borne_sql_copy_text(out->display_name, sizeof(out->display_name), st, 2);
    borne_sql_copy_text(out->organisation, sizeof(out->organisation), st, 3);
    out->member = sqlite3_column_int(st, 4) != 0;
    int status = sqlite3_column_int(st, 5);
    out->status = status >= BORNE_REG_NONE && status <= BORNE_REG_NEEDS_ATTENTION
                      ? (borne_reg_status)status
                      : BORNE_REG_NEEDS_ATTENTION;
}

static borne_err one_participant(struct borne_store *store, sqlite3_stmt *st,
                                 borne_participant *out)
{
    borne_err err = borne_sql_step_row(&store->sql, st, "participant");
    if (!err) {
        read_participant(st, out);
    }
    borne_sql_release(&store->sql, st);
    return err;
}

borne_err borne_store_get_participant(struct borne_store *store, uint32_t event_id, uint32_t id,
                                      borne_participant *out)
{
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&store->sql,
                          "SELECT " PARTICIPANT_COLUMNS
                          " FROM participant WHERE event_id = ?1 AND participant_id = ?2",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, id);
    return one_participant(store, st, out);
}

borne_err borne_store_find_code(struct borne_store *store, uint32_t event_id, const uint8_t *text,
                                size_t len, borne_participant *out)
{
    if (len == 0 || len > 512) {
        return BORNE_ERR_NOT_FOUND;
    }
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql,
        "SELECT " PARTICIPANT_COLUMNS " FROM participant WHERE event_id = ?1 AND code = ?2", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_text(st, 2, (const char *)text, (int)len, SQLITE_STATIC);
    return one_participant(store, st, out);
}

borne_err borne_store_set_registrations(struct borne_store *store, uint32_t event_id,
                                        uint32_t participant_id, const uint32_t *session_ids,
                                        size_t count)
{
    sqlite3_stmt *del;
    borne_err err = borne_sql_prepare(
        &store->sql, "DELETE FROM registration WHERE event_id = ?1 AND participant_id = ?2", &del);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(del, 1, event_id);
    sqlite3_bind_int64(del, 2, participant_id);
    err = borne_sql_step_done(&store->sql, del, "clear registrations");
    if (err || count == 0) {
        return err;
    }
    sqlite3_stmt *ins;
    err =
        borne_sql_prepare(&store->sql,
                          "INSERT OR IGNORE INTO registration(event_id, participant_id, session_id)"
                          " VALUES (?1, ?2, ?3)",
                          &ins);
    if (err) {
        return err;
    }
    for (size_t i = 0; i < count && !err; i++) {
        sqlite3_bind_int64(ins, 1, event_id);
        sqlite3_bind_int64(ins, 2, participant_id);
        sqlite3_bind_int64(ins, 3, session_ids[i]);
        int rc = sqlite3_step(ins);
        if (rc != SQLITE_DONE) {
            err = borne_sql_error(&store->sql, rc, "registration");
        }
        sqlite3_reset(ins);
    }
    borne_sql_release(&store->sql, ins);
    return err;
}

borne_err borne_store_is_registered(struct borne_store *store, uint32_t event_id,
                                    uint32_t participant_id, uint32_t session_id, bool *out)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&store->sql,
                                      "SELECT 1 FROM registration WHERE event_id = ?1 AND"
                                      " participant_id = ?2 AND session_id = ?3",
                                      &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, participant_id);
    sqlite3_bind_int64(st, 3, session_id);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW;
    borne_sql_release(&store->sql, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BORNE_OK
                                                 : borne_sql_error(&store->sql, rc, "registered");
}

/* Turns free text into an FTS5 query of quoted word prefixes: `helene trem` becomes
 * `"helene"* "trem"*`. Anything but letters and digits separates words, so the user cannot
 * write FTS syntax. Returns false when there is no word. */
static bool fts_query(const char *text, char *out, size_t cap)
{
    size_t o = 0;
    bool in_word = false;
    bool any = false;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        bool word_char = *p >= 0x80 || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                         (*p >= 'A' && *p <= 'Z');
        if (word_char && !in_word) {
            if (o + 4 >= cap) {
                break;
            }
            if (any) {
                out[o++] = ' ';
            }
            out[o++] = '"';
            in_word = true;
            any = true;
        } else if (!word_char && in_word) {
            out[o++] = '"';
            out[o++] = '*';
            in_word = false;
        }
        if (word_char) {
            if (o + 3 >= cap) {
                break;
            }
            out[o++] = (char)*p;
        }
    }
    if (in_word) {
        out[o++] = '"';
        out[o++] = '*';
    }
    out[o] = '\0';
    return any;
}

borne_err borne_store_search(struct borne_store *store, uint32_t event_id, const char *query,
                             size_t limit, void (*found)(void *ctx, const borne_participant *p),
                             void *ctx)
{
    char match[512];
    if (!query || !fts_query(query, match, sizeof(match))) {
        return BORNE_OK;
    }
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&store->sql,
                          "SELECT p.participant_id, p.event_id, p.display_name, p.organisation,"
                          " p.member, p.status FROM participant_fts f"
                          " JOIN participant p ON p.rowid = f.rowid"
                          " WHERE participant_fts MATCH ?1 AND p.event_id = ?2"
                          " ORDER BY f.rank LIMIT ?3",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, event_id);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        borne_participant p;
        read_participant(st, &p);
        found(ctx, &p);
    }
    borne_sql_release(&store->sql, st);
    return rc == SQLITE_DONE ? BORNE_OK : borne_sql_error(&store->sql, rc, "search");
}

borne_err borne_store_each_participant(struct borne_store *store, uint32_t event_id,
                                       void (*found)(void *ctx, const borne_participant *p),
                                       void *ctx)
{
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&store->sql,
                          "SELECT " PARTICIPANT_COLUMNS " FROM participant WHERE event_id = ?1"
                          " ORDER BY display_name COLLATE BORNE_NAME, participant_id",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        borne_participant p;
        read_participant(st, &p);
        found(ctx, &p);
    }
    borne_sql_release(&store->sql, st);
    return rc == SQLITE_DONE ? BORNE_OK : borne_sql_error(&store->sql, rc, "participants");
}

static borne_err count_query(struct borne_store *store, const char *sql, uint32_t event_id,
                             int64_t *out)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&store->sql, sql, &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    return borne_sql_step_int64(&store->sql, st, out, "count");
}

borne_err borne_store_count_participants(struct borne_store *store, uint32_t event_id, int64_t *out)
{
    return count_query(store, "SELECT count(*) FROM participant WHERE event_id = ?1", event_id,
                       out);
}

borne_err borne_store_count_checkins(struct borne_store *store, uint32_t event_id, int64_t *total,
                                     int64_t *unsynced)
{
    borne_err err =
        count_query(store, "SELECT count(*) FROM checkin WHERE event_id = ?1", event_id, total);
    if (err) {
        return err;
    }
    return count_query(store, "SELECT count(*) FROM checkin WHERE event_id = ?1 AND synced = 0",
                       event_id, unsynced);
}

borne_err borne_store_put_key(struct borne_store *store, uint16_t key_id,
                              const uint8_t public_key[32])
{
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&store->sql,
                          "INSERT INTO signing_key(key_id, public_key) VALUES (?1, ?2)"
                          " ON CONFLICT(key_id) DO UPDATE SET public_key = excluded.public_key",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int(st, 1, key_id);
    sqlite3_bind_blob(st, 2, public_key, 32, SQLITE_STATIC);
    return borne_sql_step_done(&store->sql, st, "put key");
}

static bool read_key_row(sqlite3_stmt *st, void *elem)
{
    borne_pubkey *k = elem;
    if (sqlite3_column_bytes(st, 1) != 32) {
        return false;
    }
    k->key_id = (uint16_t)sqlite3_column_int(st, 0);
    memcpy(k->key, sqlite3_column_blob(st, 1), 32);
    return true;
}

borne_err borne_store_load_keys(struct borne_store *store, borne_pubkey **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql, "SELECT key_id, public_key FROM signing_key ORDER BY key_id", &st);
    if (err) {
        return err;
    }
    return borne_sql_collect(&store->sql, st, sizeof(**out), read_key_row, (void **)out, count,
                             "load keys");
}

void borne_store_code_hash(const uint8_t *text, size_t len, uint8_t out[BORNE_CODE_HASH_LEN])
{
    static const uint8_t key[] = "borne-code-fingerprint";
    crypto_generichash(out, BORNE_CODE_HASH_LEN, text, len, key, sizeof(key) - 1);
}

borne_err borne_store_revoke(struct borne_store *store, uint32_t event_id, const uint8_t *text,
                             size_t len, const char *reason)
{
    uint8_t hash[BORNE_CODE_HASH_LEN];
    borne_store_code_hash(text, len, hash);
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&store->sql,
                          "INSERT OR REPLACE INTO revoked_code(event_id, code_hash, reason)"
                          " VALUES (?1, ?2, ?3)",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, reason ? reason : "", -1, SQLITE_STATIC);
    return borne_sql_step_done(&store->sql, st, "revoke");
}

borne_err borne_store_is_revoked(struct borne_store *store, uint32_t event_id, const uint8_t *text,
                                 size_t len, bool *out)
{
    uint8_t hash[BORNE_CODE_HASH_LEN];
    borne_store_code_hash(text, len, hash);
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql, "SELECT 1 FROM revoked_code WHERE event_id = ?1 AND code_hash = ?2", &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW;
    borne_sql_release(&store->sql, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BORNE_OK
                                                 : borne_sql_error(&store->sql, rc, "revoked");
}

static void bind_optional_id(sqlite3_stmt *st, int col, uint32_t id)
{
    if (id) {
        sqlite3_bind_int64(st, col, id);
    } else {
        sqlite3_bind_null(st, col);
    }
}

borne_err borne_store_add_checkin(struct borne_store *store, const borne_checkin_row *c)
{
    if (!borne_uuid_valid(c->uuid) || (c->direction != BORNE_ENTRY && c->direction != BORNE_EXIT)) {
        return BORNE_ERR_INVALID;
    }
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql,
        "INSERT INTO checkin(uuid, kiosk_id, event_id, participant_id, session_id, direction,"
        " method, staff_id, outcome, code_hash, wall_ms, wall_recorded_ms, mono_ms, boot_id,"
        " clock_trusted, synced)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13, ?14, ?15)",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_text(st, 1, c->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->event_id);
    bind_optional_id(st, 4, c->participant_id);
    bind_optional_id(st, 5, c->session_id);
    sqlite3_bind_int(st, 6, (int)c->direction);
    sqlite3_bind_int(st, 7, (int)c->method);
    if (c->staff_id[0]) {
        sqlite3_bind_text(st, 8, c->staff_id, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 8);
    }
    sqlite3_bind_int(st, 9, (int)c->outcome);
    if (c->has_code_hash) {
        sqlite3_bind_blob(st, 10, c->code_hash, BORNE_CODE_HASH_LEN, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 10);
    }
    sqlite3_bind_int64(st, 11, c->time.wall_ms);
    sqlite3_bind_int64(st, 12, c->time.mono_ms);
    sqlite3_bind_text(st, 13, c->time.boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 14, c->time.trusted);
    sqlite3_bind_int(st, 15, c->synced);
    return borne_sql_step_done(&store->sql, st, "add check-in");
}

/* Check-ins that count for presence: accepted entry, accepted exit, exit without entry, entry
 * admitted by staff. */
#define ACCEPTED_SQL "outcome IN (0, 1, 2, 17)"
_Static_assert(BORNE_OUTCOME_ACCEPTED_ENTRY == 0 && BORNE_OUTCOME_ACCEPTED_EXIT == 1 &&
                   BORNE_OUTCOME_EXIT_WITHOUT_ENTRY == 2 && BORNE_OUTCOME_ADMITTED_BY_STAFF == 17,
               "ACCEPTED_SQL lists these outcome numbers");

borne_err borne_store_history(struct borne_store *store, uint32_t event_id, uint32_t participant_id,
                              uint32_t session_id, bool *in_room, bool *has_exit, int64_t *last_ms)
{
    *in_room = false;
    *has_exit = false;
    if (last_ms) {
        *last_ms = 0;
    }
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&store->sql,
                          "SELECT direction, wall_ms FROM checkin WHERE event_id = ?1 AND"
                          " participant_id = ?2 AND session_id IS ?3 AND " ACCEPTED_SQL
                          " ORDER BY wall_ms DESC, rowid DESC LIMIT 1",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, participant_id);
    bind_optional_id(st, 3, session_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        borne_direction d = (borne_direction)sqlite3_column_int(st, 0);
        *in_room = d == BORNE_ENTRY;
        *has_exit = d == BORNE_EXIT;
        if (last_ms) {
            *last_ms = sqlite3_column_int64(st, 1);
        }
    }
    borne_sql_release(&store->sql, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BORNE_OK
                                                 : borne_sql_error(&store->sql, rc, "history");
}

borne_err borne_store_was_admitted(struct borne_store *store, uint32_t event_id,
                                   uint32_t participant_id, uint32_t session_id, bool *out)
{
    *out = false;
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&store->sql,
                                      "SELECT 1 FROM checkin WHERE event_id = ?1 AND"
                                      " participant_id = ?2 AND session_id IS ?3 AND outcome = ?4"
                                      " LIMIT 1",
                                      &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, participant_id);
    bind_optional_id(st, 3, session_id);
    sqlite3_bind_int(st, 4, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW;
    borne_sql_release(&store->sql, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BORNE_OK
                                                 : borne_sql_error(&store->sql, rc, "admitted");
}

static bool read_scan_row(sqlite3_stmt *st, void *elem)
{
    borne_scan_event *e = elem;
    e->time = sqlite3_column_int64(st, 0) / 1000;
    e->direction = (borne_direction)sqlite3_column_int(st, 1);
    return true;
}

borne_err borne_store_scans(struct borne_store *store, uint32_t event_id, uint32_t participant_id,
                            uint32_t session_id, borne_scan_event **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql,
        "SELECT wall_ms, direction FROM checkin WHERE event_id = ?1 AND"
        " participant_id = ?2 AND session_id IS ?3 AND " ACCEPTED_SQL " ORDER BY wall_ms",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, participant_id);
    bind_optional_id(st, 3, session_id);
    return borne_sql_collect(&store->sql, st, sizeof(**out), read_scan_row, (void **)out, count,
                             "scans");
}

borne_err borne_store_correct_times(struct borne_store *store, const borne_clock_sample *ref,
                                    int64_t *rows)
{
    *rows = 0;
    if (ref->wall_ms < BORNE_CLOCK_FLOOR_MS) {
        return BORNE_ERR_INVALID;
    }
    sqlite3_stmt *st;
    borne_err err =
        borne_sql_prepare(&store->sql,
                          "UPDATE checkin SET wall_ms = ?1 + (mono_ms - ?2), clock_trusted = 1"
                          " WHERE clock_trusted = 0 AND boot_id = ?3",
                          &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, ref->wall_ms);
    sqlite3_bind_int64(st, 2, ref->mono_ms);
    sqlite3_bind_text(st, 3, ref->boot_id, -1, SQLITE_STATIC);
    err = borne_sql_step_done(&store->sql, st, "correct times");
    if (!err) {
        *rows = sqlite3_changes(store->sql.db);
    }
    return err;
}

borne_err borne_store_each_checkin(struct borne_store *store, uint32_t event_id,
                                   void (*each)(void *ctx, const borne_checkin_row *c), void *ctx)
{
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(
        &store->sql,
        "SELECT uuid, kiosk_id, event_id, participant_id, session_id, direction, method,"
        " staff_id, outcome, code_hash, wall_ms, wall_recorded_ms, mono_ms, boot_id,"
        " clock_trusted, synced FROM checkin WHERE event_id = ?1 ORDER BY wall_ms, rowid",
        &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        borne_checkin_row c;
        memset(&c, 0, sizeof(c));
        borne_sql_copy_text(c.uuid, sizeof(c.uuid), st, 0);
        borne_sql_copy_text(c.kiosk_id, sizeof(c.kiosk_id), st, 1);
        c.event_id = (uint32_t)sqlite3_column_int64(st, 2);
        c.participant_id = (uint32_t)sqlite3_column_int64(st, 3);
        c.session_id = (uint32_t)sqlite3_column_int64(st, 4);
        c.direction = (borne_direction)sqlite3_column_int(st, 5);
        c.method = (borne_method)sqlite3_column_int(st, 6);
        borne_sql_copy_text(c.staff_id, sizeof(c.staff_id), st, 7);
        c.outcome = (borne_outcome)sqlite3_column_int(st, 8);
        if (sqlite3_column_bytes(st, 9) == BORNE_CODE_HASH_LEN) {
            c.has_code_hash = true;
            memcpy(c.code_hash, sqlite3_column_blob(st, 9), BORNE_CODE_HASH_LEN);
        }
        c.time.wall_ms = sqlite3_column_int64(st, 10);
        c.wall_recorded_ms = sqlite3_column_int64(st, 11);
        c.time.mono_ms = sqlite3_column_int64(st, 12);
        borne_sql_copy_text(c.time.boot_id, sizeof(c.time.boot_id), st, 13);
        c.time.trusted = sqlite3_column_int(st, 14) != 0;
        c.synced = sqlite3_column_int(st, 15) != 0;
        each(ctx, &c);
    }
    borne_sql_release(&store->sql, st);
    return rc == SQLITE_DONE ? BORNE_OK : borne_sql_error(&store->sql, rc, "check-ins");
}

borne_err borne_store_set_badge_text(struct borne_store *store, uint32_t event_id,
                                     uint32_t participant_id, const char *text)
{
    if (text && strlen(text) > BORNE_BADGE_TEXT_MAX) {
        return BORNE_ERR_TOO_LARGE;
    }
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&store->sql,
                                      "UPDATE participant SET badge_text = ?3"
                                      " WHERE event_id = ?1 AND participant_id = ?2",
                                      &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, participant_id);
    if (text && text[0]) {
        sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 3);
    }
    err = borne_sql_step_done(&store->sql, st, "set badge text");
    if (!err && sqlite3_changes(store->sql.db) == 0) {
        err = BORNE_ERR_NOT_FOUND;
    }
    return err;
}

borne_err borne_store_get_badge_text(struct borne_store *store, uint32_t event_id,
                                     uint32_t participant_id, char *out, size_t cap)
{
    if (cap) {
        out[0] = '\0';
    }
    sqlite3_stmt *st;
    borne_err err = borne_sql_prepare(&store->sql,
                                      "SELECT badge_text FROM participant"
                                      " WHERE event_id = ?1 AND participant_id = ?2",
                                      &st);
    if (err) {
        return err;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, participant_id);
    err = borne_sql_step_row(&store->sql, st, "badge text");
    if (!err) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        size_t n = t ? (size_t)sqlite3_column_bytes(st, 0) : 0;
        if (!t || n == 0) {
            err = BORNE_ERR_NOT_FOUND;
        } else if (n >= cap) {
            err = BORNE_ERR_TOO_LARGE;
        } else {
            memcpy(out, t, n + 1);
        }
    }
    borne_sql_release(&store->sql, st);
    return err;
}
