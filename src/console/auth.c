/* Staff accounts, sessions and the audit log (auth.h). */
#include "console/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "registry/regdb.h"

static const char tables[] =
    "CREATE TABLE IF NOT EXISTS console_user ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role INTEGER NOT NULL,"
    "  hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS console_session ("
    "  token_hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES console_user(id),"
    "  csrf TEXT NOT NULL, created_ms INTEGER NOT NULL, used_ms INTEGER NOT NULL)"
    "  WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS console_audit ("
    "  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,"
    "  target TEXT NOT NULL, before_json TEXT, after_json TEXT);"
    /* A check-in entered by staff at the console (docs/console.md, "Corrections at the desk"):
     * the check-in itself is a row of checkin (kiosk 0, "console", method manual, its own
     * UUID); who and why are here. */
    "CREATE TABLE IF NOT EXISTS console_manual ("
    "  uuid TEXT PRIMARY KEY, by TEXT NOT NULL, reason TEXT NOT NULL, at_ms INTEGER NOT NULL)"
    "  WITHOUT ROWID;"
    /* The live view's figures read the event's check-ins from this index alone (no lookup
     * into the table per row): 20 sessions x 2,000 participants in milliseconds. */
    "CREATE INDEX IF NOT EXISTS console_checkin_live"
    "  ON checkin(event_id, session_id, participant_id, wall_ms, outcome);";

static sqlite3 *sq(struct borne_regdb *db)
{
    return borne_regdb_sqlite(db);
}

borne_err borne_console_tables(struct borne_regdb *db)
{
    return sqlite3_exec(sq(db), tables, NULL, NULL, NULL) == SQLITE_OK ? BORNE_OK : BORNE_ERR_DB;
}

bool borne_console_role_parse(const char *text, borne_console_role *out)
{
    if (text && strcmp(text, "registrar") == 0) {
        *out = BORNE_ROLE_REGISTRAR;
        return true;
    }
    if (text && strcmp(text, "desk") == 0) {
        *out = BORNE_ROLE_DESK;
        return true;
    }
    return false;
}

const char *borne_console_role_name(borne_console_role role)
{
    return role == BORNE_ROLE_REGISTRAR ? "registrar" : "desk";
}

bool borne_console_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (!n || n > BORNE_CONSOLE_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@')) {
            return false;
        }
    }
    return true;
}

static int64_t now_real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static borne_err step_done(sqlite3_stmt *st)
{
    /* The registry's connections have extended result codes on (SQLITE_CONSTRAINT_PRIMARYKEY,
     * SQLITE_BUSY_SNAPSHOT…): compare the primary code. */
    int rc = sqlite3_step(st) & 0xff;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE         ? BORNE_OK
           : rc == SQLITE_CONSTRAINT ? BORNE_ERR_EXISTS
           : rc == SQLITE_BUSY       ? BORNE_ERR_TIMEOUT
                                     : BORNE_ERR_DB;
}

static borne_err prepare(struct borne_regdb *db, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v2(sq(db), sql, -1, st, NULL) == SQLITE_OK ? BORNE_OK : BORNE_ERR_DB;
}

borne_err borne_console_audit(struct borne_regdb *db, int64_t now_ms, const char *who,
                              const char *action, const char *target, const char *before,
                              const char *after)
{
    sqlite3_stmt *st;
    if (prepare(db,
                "INSERT INTO console_audit (at_ms, who, action, target, before_json, after_json)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &st)) {
        return BORNE_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_text(st, 2, who, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, target ? target : "", -1, SQLITE_TRANSIENT);
    if (before) {
        sqlite3_bind_text(st, 5, before, -1, SQLITE_TRANSIENT);
    }
    if (after) {
        sqlite3_bind_text(st, 6, after, -1, SQLITE_TRANSIENT);
    }
    return step_done(st);
}

borne_err borne_console_user_add(struct borne_regdb *db, const char *actor, const char *name,
                                 borne_console_role role, const char *password)
{
    size_t plen = password ? strlen(password) : 0;
    if (!borne_console_name_valid(name) || plen < BORNE_CONSOLE_PASSWORD_MIN ||
        plen > BORNE_CONSOLE_PASSWORD_MAX) {
        return BORNE_ERR_INVALID;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        return BORNE_ERR_NOMEM;
    }
    borne_err err = borne_regdb_begin(db);
    sqlite3_stmt *st;
    err = err ? err
              : prepare(db,
                        "INSERT INTO console_user (name, role, hash, created_ms)"
                        " VALUES (?1, ?2, ?3, ?4)",
                        &st);
    if (!err) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, (int)role);
        sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, now_real_ms());
        err = step_done(st);
    }
    if (!err) {
        char after[160];
        snprintf(after, sizeof(after), "{\"name\":\"%s\",\"role\":\"%s\",\"disabled\":false}", name,
                 borne_console_role_name(role));
        err = borne_console_audit(db, now_real_ms(), actor, "user.add", name, NULL, after);
    }
    err = err ? err : borne_regdb_commit(db);
    if (err) {
        borne_regdb_rollback(db);
    }
    sodium_memzero(hash, sizeof(hash));
    return err;
}

borne_err borne_console_user_disable(struct borne_regdb *db, const char *actor, const char *name)
{
    borne_err err = borne_regdb_begin(db);
    sqlite3_stmt *st;
    err = err ? err : prepare(db, "UPDATE console_user SET disabled = 1 WHERE name = ?1", &st);
    if (!err) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        err = step_done(st);
        if (!err && sqlite3_changes(sq(db)) == 0) {
            err = BORNE_ERR_NOT_FOUND;
        }
    }
    err = err ? err
              : prepare(db,
                        "DELETE FROM console_session WHERE user_id IN"
                        " (SELECT id FROM console_user WHERE name = ?1)",
                        &st);
    if (!err) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        err = step_done(st);
    }
    err = err ? err
              : borne_console_audit(db, now_real_ms(), actor, "user.disable", name,
                                    "{\"disabled\":false}", "{\"disabled\":true}");
    err = err ? err : borne_regdb_commit(db);
    if (err) {
        borne_regdb_rollback(db);
    }
    return err;
}

borne_err borne_console_user_list(struct borne_regdb *db, FILE *out)
{
    sqlite3_stmt *st;
    if (prepare(db, "SELECT name, role, disabled FROM console_user ORDER BY name", &st)) {
        return BORNE_ERR_DB;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        fprintf(out, "%s\t%s\t%s\n", (const char *)sqlite3_column_text(st, 0),
                borne_console_role_name((borne_console_role)sqlite3_column_int(st, 1)),
                sqlite3_column_int(st, 2) ? "disabled" : "active");
    }
    sqlite3_finalize(st);
    return BORNE_OK;
}

static void random_hex(char out[BORNE_CONSOLE_TOKEN_HEX + 1])
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(out, BORNE_CONSOLE_TOKEN_HEX + 1, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
}

static void token_hash(const char *token, uint8_t out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

bool borne_console_token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la == lb && la > 0 && sodium_memcmp(a, b, la) == 0;
}

/* A hash of a password nobody has, checked for unknown names so that they cost the same time
 * as a wrong password (made once per process). */
static char dummy[crypto_pwhash_STRBYTES];
static bool have_dummy;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    char pw[BORNE_CONSOLE_TOKEN_HEX + 1];
    random_hex(pw);
    have_dummy = crypto_pwhash_str(dummy, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

borne_err borne_console_sign_in(struct borne_regdb *db, const char *name, const char *password,
                                int64_t now_ms, char token[BORNE_CONSOLE_TOKEN_HEX + 1],
                                borne_console_session *out)
{
    memset(out, 0, sizeof(*out));
    token[0] = '\0';
    size_t plen = password ? strlen(password) : 0;
    sqlite3_stmt *st;
    if (prepare(db, "SELECT id, name, role, hash, disabled FROM console_user WHERE name = ?1",
                &st)) {
        return BORNE_ERR_DB;
    }
    sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_TRANSIENT);
    char hash[crypto_pwhash_STRBYTES] = "";
    bool found = false, disabled = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        found = true;
        out->user.id = sqlite3_column_int64(st, 0);
        snprintf(out->user.name, sizeof(out->user.name), "%s",
                 (const char *)sqlite3_column_text(st, 1));
        out->user.role = (borne_console_role)sqlite3_column_int(st, 2);
        snprintf(hash, sizeof(hash), "%s", (const char *)sqlite3_column_text(st, 3));
        disabled = sqlite3_column_int(st, 4) != 0;
    }
    sqlite3_finalize(st);
    bool ok;
    if (found && plen <= BORNE_CONSOLE_PASSWORD_MAX) {
        ok = crypto_pwhash_str_verify(hash, password, plen) == 0;
    } else {
        pthread_once(&dummy_once, make_dummy);
        if (have_dummy && crypto_pwhash_str_verify(dummy, password ? password : "", plen) == 0) {
            ok = false; /* cannot happen: nobody knows its password */
        }
        ok = false;
    }
    if (!ok || disabled) {
        memset(out, 0, sizeof(*out));
        return BORNE_ERR_PERM;
    }
    random_hex(token);
    random_hex(out->csrf);
    uint8_t th[32];
    token_hash(token, th);
    borne_err err = prepare(db,
                            "INSERT INTO console_session (token_hash, user_id, csrf, created_ms,"
                            " used_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
                            &st);
    if (!err) {
        sqlite3_bind_blob(st, 1, th, 32, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, out->user.id);
        sqlite3_bind_text(st, 3, out->csrf, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, now_ms);
        err = step_done(st);
    }
    /* Ended sessions are swept at each sign-in. */
    if (!err &&
        !prepare(db, "DELETE FROM console_session WHERE used_ms < ?1 OR created_ms < ?2", &st)) {
        sqlite3_bind_int64(st, 1, now_ms - BORNE_CONSOLE_IDLE_S * 1000LL);
        sqlite3_bind_int64(st, 2, now_ms - BORNE_CONSOLE_LIFETIME_S * 1000LL);
        (void)step_done(st);
    }
    if (err) {
        token[0] = '\0';
    }
    return err;
}

borne_err borne_console_session_get(struct borne_regdb *db, const char *token, int64_t now_ms,
                                    borne_console_session *out)
{
    memset(out, 0, sizeof(*out));
    if (!token || strlen(token) != BORNE_CONSOLE_TOKEN_HEX) {
        return BORNE_ERR_PERM;
    }
    uint8_t th[32];
    token_hash(token, th);
    sqlite3_stmt *st;
    if (prepare(db,
                "SELECT u.id, u.name, u.role, s.csrf FROM console_session s"
                " JOIN console_user u ON u.id = s.user_id"
                " WHERE s.token_hash = ?1 AND u.disabled = 0 AND s.used_ms >= ?2"
                " AND s.created_ms >= ?3",
                &st)) {
        return BORNE_ERR_DB;
    }
    sqlite3_bind_blob(st, 1, th, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now_ms - BORNE_CONSOLE_IDLE_S * 1000LL);
    sqlite3_bind_int64(st, 3, now_ms - BORNE_CONSOLE_LIFETIME_S * 1000LL);
    borne_err err = BORNE_ERR_PERM;
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->user.id = sqlite3_column_int64(st, 0);
        snprintf(out->user.name, sizeof(out->user.name), "%s",
                 (const char *)sqlite3_column_text(st, 1));
        out->user.role = (borne_console_role)sqlite3_column_int(st, 2);
        snprintf(out->csrf, sizeof(out->csrf), "%s", (const char *)sqlite3_column_text(st, 3));
        err = BORNE_OK;
    }
    sqlite3_finalize(st);
    /* The idle clock moves at most once a minute: the live view's poll every 3 s does not take
     * the database's write lock each time (the kiosks' pushes need it). */
    if (!err && !prepare(db,
                         "UPDATE console_session SET used_ms = ?2 WHERE token_hash = ?1"
                         " AND used_ms < ?2 - 60000",
                         &st)) {
        sqlite3_bind_blob(st, 1, th, 32, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, now_ms);
        (void)step_done(st); /* busy: the idle clock is not restarted this time */
    }
    return err;
}

borne_err borne_console_sign_out(struct borne_regdb *db, const char *token)
{
    if (!token) {
        return BORNE_OK;
    }
    uint8_t th[32];
    token_hash(token, th);
    sqlite3_stmt *st;
    if (prepare(db, "DELETE FROM console_session WHERE token_hash = ?1", &st)) {
        return BORNE_ERR_DB;
    }
    sqlite3_bind_blob(st, 1, th, 32, SQLITE_TRANSIENT);
    return step_done(st);
}
