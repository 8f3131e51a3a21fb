/* Tests of the SQLite store: schema and migrations, event and roster imports (all or nothing),
 * name search, opaque codes, revocations, check-ins, history and time correction, and fault
 * loops and crash tests that check the database stays whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/import.h"
#include "store/report.h"
#include "store/store.h"
#include "support/fixture.h"

static int64_t count_rows(struct borne_store *s, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    return fixture_query_int(s, sql);
}

static borne_err import_event(struct borne_store *s, const char *json, char *msg)
{
    borne_import_result res;
    return borne_import_event_json(s, json, strlen(json), &res, msg, BORNE_IMPORT_MSG_MAX);
}

static borne_err import_csv(struct borne_store *s, const char *csv, borne_import_result *res,
                            char *msg)
{
    borne_import_result local;
    return borne_import_roster_csv(s, FIX_EVENT, csv, strlen(csv), res ? res : &local, msg,
                                   BORNE_IMPORT_MSG_MAX);
}

static borne_err import_json(struct borne_store *s, const char *json, borne_import_result *res,
                             char *msg)
{
    borne_import_result local;
    return borne_import_roster_json(s, FIX_EVENT, json, strlen(json), res ? res : &local, msg,
                                    BORNE_IMPORT_MSG_MAX);
}

static bool registered(struct borne_store *s, uint32_t pid, uint32_t sid)
{
    bool r = false;
    assert_int_equal(borne_store_is_registered(s, FIX_EVENT, pid, sid, &r), BORNE_OK);
    return r;
}

/* ---- schema ---- */

static void test_open_creates_schema(void **state)
{
    fixture *fx = *state;
    char mode[32];
    assert_int_equal(fixture_query_int(fx->store, "PRAGMA user_version"),
                     BORNE_STORE_SCHEMA_VERSION);
    assert_int_equal(fixture_query_text(fx->store, "PRAGMA journal_mode", mode, sizeof(mode)), 0);
    assert_string_equal(mode, "wal");
    assert_int_equal(fixture_query_int(fx->store, "PRAGMA synchronous"), 2);
    assert_int_equal(fixture_query_int(fx->store, "PRAGMA foreign_keys"), 1);
    int64_t objects = count_rows(fx->store, "sqlite_master");
    assert_true(objects > 10);
    assert_int_equal(count_rows(fx->store, "participant"), 0);

    borne_event ev = {.id = 5, .starts = 1000, .ends = 2000};
    snprintf(ev.name, sizeof(ev.name), "Séminaire");
    snprintf(ev.timezone, sizeof(ev.timezone), "America/Montreal");
    assert_int_equal(borne_store_put_event(fx->store, &ev), BORNE_OK);

    /* Reopening migrates nothing and keeps the data and the settings. */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fixture_reopen(fx), 0);
        assert_int_equal(fixture_query_int(fx->store, "PRAGMA user_version"),
                         BORNE_STORE_SCHEMA_VERSION);
        assert_int_equal(count_rows(fx->store, "sqlite_master"), objects);
        assert_int_equal(fixture_query_int(fx->store, "PRAGMA synchronous"), 2);
        assert_int_equal(fixture_query_int(fx->store, "PRAGMA foreign_keys"), 1);
        borne_event back;
        assert_int_equal(borne_store_get_event(fx->store, 5, &back), BORNE_OK);
        assert_string_equal(back.name, "Séminaire");
    }
    assert_int_equal(borne_store_check(fx->store), BORNE_OK);
}

static void test_newer_schema_refused(void **state)
{
    fixture *fx = *state;
    char newer[64];
    snprintf(newer, sizeof(newer), "PRAGMA user_version = %d", BORNE_STORE_SCHEMA_VERSION + 1);
    assert_int_equal(sqlite3_exec(borne_store_db(fx->store), newer, NULL, NULL, NULL), SQLITE_OK);
    borne_store_close(fx->store);
    fx->store = (struct borne_store *)1;
    assert_int_equal(borne_store_open(fx->path, &fx->store), BORNE_ERR_UNSUPPORTED);
    assert_null(fx->store);
}

/* A store made by schema 1 (before badge texts) is migrated on open and keeps its data. */
static void test_migrates_version_1(void **state)
{
    fixture *fx = *state;
    sqlite3 *db = borne_store_db(fx->store);
    int64_t before = fixture_query_int(fx->store, "SELECT count(*) FROM participant");
    assert_true(before > 0);
    assert_int_equal(sqlite3_exec(db,
                                  "ALTER TABLE participant DROP COLUMN badge_text;"
                                  "PRAGMA user_version = 1;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    borne_store_close(fx->store);
    fx->store = NULL;
    assert_int_equal(borne_store_open(fx->path, &fx->store), BORNE_OK);
    assert_int_equal(fixture_query_int(fx->store, "PRAGMA user_version"),
                     BORNE_STORE_SCHEMA_VERSION);
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM participant"), before);
    assert_int_equal(fixture_query_int(fx->store,
                                       "SELECT count(*) FROM pragma_table_info('participant')"
                                       " WHERE name = 'badge_text'"),
                     1);
    assert_int_equal(borne_store_check(fx->store), BORNE_OK);
}

static void test_open_garbage_file(void **state)
{
    fixture *fx = *state;
    char path[400];
    snprintf(path, sizeof(path), "%s/garbage.db", fx->dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 4096; i++) {
        fputc((i * 37) & 0xff, f);
    }
    fclose(f);
    struct borne_store *s = (struct borne_store *)1;
    borne_err err = borne_store_open(path, &s);
    assert_int_not_equal(err, BORNE_OK);
    assert_null(s);
}

/* ---- event JSON ---- */

static void test_event_import_good(void **state)
{
    fixture *fx = *state;
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    assert_int_equal(borne_import_event_json(fx->store, fixture_event_json,
                                             strlen(fixture_event_json), &res, msg, sizeof(msg)),
                     BORNE_OK);
    assert_int_equal(res.event_id, FIX_EVENT);
    assert_int_equal(res.sessions, 2);

    borne_event ev;
    assert_int_equal(borne_store_get_event(fx->store, FIX_EVENT, &ev), BORNE_OK);
    assert_string_equal(ev.name, "Congrès 2026");
    assert_string_equal(ev.timezone, "America/Montreal");
    assert_int_equal(ev.starts, FIX_A_START - 9 * 3600); /* local midnight */
    assert_int_equal(ev.ends, FIX_A_START + 15 * 3600);  /* the end of that day */
    borne_event cur;
    assert_int_equal(borne_store_current_event(fx->store, &cur), BORNE_OK);
    assert_int_equal(cur.id, FIX_EVENT);

    borne_session a, b;
    assert_int_equal(borne_store_get_session(fx->store, FIX_SESSION_A, &a), BORNE_OK);
    assert_string_equal(a.code, "A1");
    assert_string_equal(a.room, "Salle A");
    assert_int_equal(a.event_id, FIX_EVENT);
    assert_int_equal(a.starts, FIX_A_START);
    assert_int_equal(a.ends, FIX_A_END);
    assert_int_equal(a.rule.kind, BORNE_CREDIT_THRESHOLD);
    assert_int_equal(a.rule.credit_minutes, 90);
    assert_int_equal(a.rule.min_share_permille, 800);
    assert_int_equal(a.open_before_s, 1800);
    assert_int_equal(a.close_after_s, 1800);
    assert_true(a.requires_registration);
    assert_int_equal(borne_store_get_session(fx->store, FIX_SESSION_B, &b), BORNE_OK);
    assert_string_equal(b.title, "Éthique municipale");
    assert_int_equal(b.rule.kind, BORNE_CREDIT_PROPORTIONAL);
    assert_int_equal(b.rule.step_minutes, 15);
    assert_int_equal(b.rule.credit_minutes, 120);

    /* Importing the same file again updates in place. */
    assert_int_equal(borne_import_event_json(fx->store, fixture_event_json,
                                             strlen(fixture_event_json), &res, msg, sizeof(msg)),
                     BORNE_OK);
    assert_int_equal(count_rows(fx->store, "event"), 1);
    assert_int_equal(count_rows(fx->store, "session"), 2);
    borne_session *list = NULL;
    size_t n = 0;
    assert_int_equal(borne_store_list_sessions(fx->store, FIX_EVENT, &list, &n), BORNE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, FIX_SESSION_A);
    assert_int_equal(list[1].id, FIX_SESSION_B);
    free(list);
}

#define GOOD_SESSION                                                                               \
    "{\"id\": 701, \"code\": \"X1\", \"title\": \"Bon\", \"starts\": \"2026-06-01T09:00\","        \
    " \"ends\": \"2026-06-01T10:00\"}"

static void test_event_import_bad_sessions(void **state)
{
    fixture *fx = *state;
    /* The second session is wrong in one field each time. */
    static const char *const bad[] = {
        "{\"code\": \"X2\", \"title\": \"T\", \"starts\": \"2026-06-01T11:00\","
        " \"ends\": \"2026-06-01T12:00\"}",
        "{\"id\": -3, \"title\": \"T\", \"starts\": \"2026-06-01T11:00\","
        " \"ends\": \"2026-06-01T12:00\"}",
        "{\"id\": 702, \"starts\": \"2026-06-01T11:00\", \"ends\": \"2026-06-01T12:00\"}",
        "{\"id\": 702, \"title\": \"T\\u0007\", \"starts\": \"2026-06-01T11:00\","
        " \"ends\": \"2026-06-01T12:00\"}",
        "{\"id\": 702, \"title\": \"T\", \"starts\": \"2026-06-31T11:00\","
        " \"ends\": \"2026-07-01T12:00\"}",
        "{\"id\": 702, \"title\": \"T\", \"starts\": \"2026-06-01T11:00\","
        " \"ends\": \"2026-06-01T10:00\"}",
        "{\"id\": 702, \"title\": \"T\", \"starts\": \"2026-06-01T11:00\"}",
        "{\"id\": 702, \"title\": \"T\", \"starts\": \"2026-06-01T11:00\","
        " \"ends\": \"2026-06-01T12:00\", \"credit_hours\": -1}",
        "{\"id\": 702, \"title\": \"T\", \"starts\": \"2026-06-01T11:00\","
        " \"ends\": \"2026-06-01T12:00\", \"credit_hours\": \"2\"}",
        "{\"id\": 702, \"title\": \"T\", \"starts\": \"2026-06-01T11:00\","
        " \"ends\": \"2026-06-01T12:00\", \"credit_rule\": \"most:9\"}",
        "{\"id\": 702, \"title\": \"T\", \"starts\": \"2026-06-01T11:00\","
        " \"ends\": \"2026-06-01T12:00\", \"open_before_minutes\": 5000}",
        "{\"id\": 702, \"title\": \"T\", \"starts\": \"2026-06-01T11:00\","
        " \"ends\": \"2026-06-01T12:00\", \"requires_registration\": \"oui\"}",
        "[1, 2]",
        "{\"id\": 702, \"title\": \"T\", \"code\": \"0123456789012345678901234567890123456789\","
        " \"starts\": \"2026-06-01T11:00\", \"ends\": \"2026-06-01T12:00\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char json[2048];
        snprintf(json, sizeof(json),
                 "{\"id\": 77, \"name\": \"Séminaire\", \"starts\": \"2026-06-01\","
                 " \"ends\": \"2026-06-02\", \"sessions\": [" GOOD_SESSION ", %s]}",
                 bad[i]);
        char msg[BORNE_IMPORT_MSG_MAX] = "";
        borne_err err = import_event(fx->store, json, msg);
        if (err == BORNE_OK || strstr(msg, "sessions[1]") == NULL) {
            fail_msg("bad session %zu: err %d, message \"%s\"", i, err, msg);
        }
        assert_int_equal(count_rows(fx->store, "event"), 0);
        assert_int_equal(count_rows(fx->store, "session"), 0);
    }
}

static void test_event_import_bad_event(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *json;
        const char *msg;
    } bad[] = {
        {"{\"name\": \"E\", \"starts\": \"2026-06-01\", \"ends\": \"2026-06-02\"}", "event"},
        {"{\"id\": 77, \"starts\": \"2026-06-01\", \"ends\": \"2026-06-02\"}", "name"},
        {"{\"id\": 77, \"name\": \"E\", \"timezone\": \"../../etc/passwd\","
         " \"starts\": \"2026-06-01\", \"ends\": \"2026-06-02\"}",
         "time zone"},
        {"{\"id\": 77, \"name\": \"E\", \"starts\": \"2026-06-03\", \"ends\": \"2026-06-01\"}",
         "ends"},
        {"{\"id\": 77, \"name\": \"E\", \"starts\": \"2026-06-01\", \"ends\": \"2026-06-02\","
         " \"sessions\": {}}",
         "sessions"},
        {"{\"id\": 77, \"name\": \"E\", \"id\": 78, \"starts\": \"2026-06-01\","
         " \"ends\": \"2026-06-02\"}",
         "JSON"},
        {"{\"id\": 77, \"name\": \"E\"", "JSON"},
        {"", "JSON"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char msg[BORNE_IMPORT_MSG_MAX] = "";
        borne_err err = import_event(fx->store, bad[i].json, msg);
        if (err == BORNE_OK || strstr(msg, bad[i].msg) == NULL) {
            fail_msg("bad event %zu: err %d, message \"%s\"", i, err, msg);
        }
        assert_int_equal(count_rows(fx->store, "event"), 0);
    }
}

/* A failed re-import of an existing event changes nothing, not even the event row. */
static void test_event_reimport_bad_keeps_old(void **state)
{
    fixture *fx = *state;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    const char *json =
        "{\"id\": 42, \"name\": \"Renamed\", \"starts\": \"2026-05-20\", \"ends\": \"2026-05-20\","
        " \"sessions\": [{\"id\": 101, \"code\": \"A1\", \"title\": \"New title\","
        " \"starts\": \"2026-05-20T09:00\", \"ends\": \"2026-05-20T10:30\"},"
        " {\"id\": 103, \"title\": \"\", \"starts\": \"2026-05-20T09:00\","
        " \"ends\": \"2026-05-20T10:30\"}]}";
    assert_int_not_equal(import_event(fx->store, json, msg), BORNE_OK);
    assert_non_null(strstr(msg, "sessions[1]"));
    borne_event ev;
    assert_int_equal(borne_store_get_event(fx->store, FIX_EVENT, &ev), BORNE_OK);
    assert_string_equal(ev.name, "Congrès 2026");
    borne_session a;
    assert_int_equal(borne_store_get_session(fx->store, FIX_SESSION_A, &a), BORNE_OK);
    assert_string_equal(a.title, "Gestion documentaire");
    assert_int_equal(count_rows(fx->store, "session"), 2);
}

/* ---- roster CSV ---- */

static void test_roster_csv_fixture(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    assert_int_equal(count_rows(s, "participant"), 6);
    borne_participant p;
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, FIX_P_HELENE, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Hélène Tremblay");
    assert_string_equal(p.organisation, "Ville de Lévis, service du greffe");
    assert_true(p.member);
    assert_int_equal(p.status, BORNE_REG_CONFIRMED);
    assert_true(registered(s, FIX_P_HELENE, FIX_SESSION_A));
    assert_true(registered(s, FIX_P_HELENE, FIX_SESSION_B));
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, FIX_P_JEAN, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Jean Lévesque");
    assert_false(p.member);
    assert_true(registered(s, FIX_P_JEAN, FIX_SESSION_A)); /* by id "101" */
    assert_false(registered(s, FIX_P_JEAN, FIX_SESSION_B));
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, FIX_P_MARIE, &p), BORNE_OK);
    assert_int_equal(p.status, BORNE_REG_CANCELLED);
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, FIX_P_LUC, &p), BORNE_OK);
    assert_int_equal(p.status, BORNE_REG_NEEDS_ATTENTION);
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, FIX_P_NONE, &p), BORNE_OK);
    assert_int_equal(p.status, BORNE_REG_NONE);
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, FIX_P_ABSENT, &p),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(count_rows(s, "registration"), 6);
    int64_t n = 0;
    assert_int_equal(borne_store_count_participants(s, FIX_EVENT, &n), BORNE_OK);
    assert_int_equal(n, 6);

    /* Extra columns are not stored anywhere: neither the e-mails nor the allergies. The names
     * are, which shows the search through the file's bytes works. */
    assert_true(fixture_file_contains(fx, "Tremblay"));
    assert_false(fixture_file_contains(fx, "helene.tremblay@levis.example"));
    assert_false(fixture_file_contains(fx, "@levis.example"));
    assert_false(fixture_file_contains(fx, "arachides"));
    assert_false(fixture_file_contains(fx, "courriel"));
    /* Still true after a checkpoint moved the WAL into the main file. */
    assert_int_equal(
        sqlite3_wal_checkpoint_v2(borne_store_db(s), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL),
        SQLITE_OK);
    assert_true(fixture_file_contains(fx, "Tremblay"));
    assert_false(fixture_file_contains(fx, "@levis.example"));
}

static void test_roster_csv_result_counts(void **state)
{
    fixture *fx = *state;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    assert_int_equal(import_event(fx->store, fixture_event_json, msg), BORNE_OK);
    borne_import_result res;
    assert_int_equal(import_csv(fx->store, fixture_roster_csv, &res, msg), BORNE_OK);
    assert_int_equal(res.event_id, FIX_EVENT);
    assert_int_equal(res.participants, 6);
    assert_int_equal(res.registrations, 6);
}

static void test_roster_csv_semicolon_bom_crlf_french(void **state)
{
    fixture *fx = *state;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    assert_int_equal(import_event(fx->store, fixture_event_json, msg), BORNE_OK);
    const char *csv = "\xEF\xBB\xBFNuméro;Nom;Municipalité;Membre;Statut;Séances;Courriel\r\n"
                      "12;Hélène Tremblay;Ville de Lévis, service du greffe;oui;confirmée;"
                      "A1|b2;h@levis.example\r\n"
                      "13;\"Jean \"\"Johnny\"\" Lévesque\";Ville de Québec;NON;;101;\r\n"
                      "\r\n"
                      "14; Réjean Côté ;\"MRC; Bellechasse\";membre;annulée;;\r\n";
    borne_import_result res;
    borne_err err = import_csv(fx->store, csv, &res, msg);
    assert_int_equal(err, BORNE_OK);
    assert_int_equal(res.participants, 3);
    borne_participant p;
    assert_int_equal(borne_store_get_participant(fx->store, FIX_EVENT, 12, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Hélène Tremblay");
    assert_string_equal(p.organisation, "Ville de Lévis, service du greffe");
    assert_true(p.member);
    assert_true(registered(fx->store, 12, FIX_SESSION_A));
    assert_true(registered(fx->store, 12, FIX_SESSION_B)); /* code, any case */
    assert_int_equal(borne_store_get_participant(fx->store, FIX_EVENT, 13, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Jean \"Johnny\" Lévesque");
    assert_false(p.member);
    assert_int_equal(p.status, BORNE_REG_CONFIRMED);
    assert_true(registered(fx->store, 13, FIX_SESSION_A));
    assert_int_equal(borne_store_get_participant(fx->store, FIX_EVENT, 14, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Réjean Côté"); /* spaces trimmed */
    assert_string_equal(p.organisation, "MRC; Bellechasse");
    assert_int_equal(p.status, BORNE_REG_CANCELLED);
    assert_false(fixture_file_contains(fx, "h@levis.example"));
}

static void test_roster_csv_split_names(void **state)
{
    fixture *fx = *state;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    assert_int_equal(import_event(fx->store, fixture_event_json, msg), BORNE_OK);
    assert_int_equal(import_csv(fx->store,
                                "id,first_name,last_name,organization\n"
                                "21,Hélène,Tremblay,Lévis\n",
                                NULL, msg),
                     BORNE_OK);
    assert_int_equal(import_csv(fx->store,
                                "No;Prénom;Nom;Organisme\n"
                                "22;Réjean;Côté;MRC\n",
                                NULL, msg),
                     BORNE_OK);
    borne_participant p;
    assert_int_equal(borne_store_get_participant(fx->store, FIX_EVENT, 21, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Hélène Tremblay");
    assert_string_equal(p.organisation, "Lévis");
    assert_int_equal(borne_store_get_participant(fx->store, FIX_EVENT, 22, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Réjean Côté");
    /* A header without an id column is refused. */
    assert_int_equal(import_csv(fx->store, "name,organisation\nA B,C\n", NULL, msg),
                     BORNE_ERR_PARSE);
    assert_non_null(strstr(msg, "line 1"));
    assert_int_equal(count_rows(fx->store, "participant"), 2);
}

static void test_roster_csv_bad_row_imports_nothing(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    /* Each bad row comes at line 6 (the first row spans two lines), after new rows and an update of
     * an existing participant. */
    static const struct {
        const char *row;
        const char *msg;
    } bad[] = {
        {"x7,Bad Id,Org,oui,,A1", "line 6"},
        {"0,Zero Id,Org,oui,,A1", "line 6"},
        {"4294967296,Big Id,Org,oui,,A1", "line 6"},
        {"52,,Org,oui,,A1", "line 6"},
        {"52,   ,Org,oui,,A1", "line 6"},
        {"52,Name,Org,peut-être,,A1", "line 6"},
        {"52,Name,Org,oui,bizarre,A1", "line 6"},
        {"52,Name,Org,oui,,Z9", "Z9"},
        {"52,Name,Org,oui,,A1 999", "line 6"},
        {"50,Duplicate,Org,oui,,A1", "twice"},
        {"52,\"Name,Org,oui,,A1", "line 6"},
        {"52,Na\xff me,Org,oui,,A1", "line 6"},
        {"52,Na\x01me,Org,oui,,A1", "line 6"},
        {"52,Name,Org,oui,,A1,NEW-CODE", "already another participant's code"}, /* Bruno's */
        {"52,Name,Org,oui", "4 fields where the header has 8"},
        {"52,Name,Org,oui,,A1,,,Extra", "\"Extra\" is past the last column"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        /* Every row has the header's 8 fields (short rows are errors), but the ragged ones. */
        char row[128];
        size_t commas = 0;
        for (const char *c = bad[i].row; *c; c++) {
            commas += *c == ',';
        }
        static const char pad[] = ",,,,,,,";
        bool ragged = strstr(bad[i].msg, "header") != NULL || commas >= 7;
        snprintf(row, sizeof(row), "%s%s", bad[i].row, ragged ? "" : &pad[commas]);
        char csv[1024];
        snprintf(csv, sizeof(csv),
                 "id,name,organisation,member,status,sessions,code,adresse\n"
                 "50,Anne \"Nouvelle\",\"Ville de Lévis\",oui,,A1,,\"1 rue X,\nLévis\"\n"
                 "1,Hélène Renamed,Ailleurs,non,,A1,,\n"
                 "51,Bruno Nouveau,Org,oui,,B2,NEW-CODE,\n"
                 "%s\n"
                 "53,After Bad,Org,oui,,A1,,\n",
                 row);
        char msg[BORNE_IMPORT_MSG_MAX] = "";
        borne_import_result res;
        borne_err err = import_csv(s, csv, &res, msg);
        if (err == BORNE_OK || strstr(msg, bad[i].msg) == NULL ||
            (strcmp(bad[i].msg, "line 6") != 0 && strstr(msg, "line 6") == NULL)) {
            fail_msg("bad row %zu: err %d, message \"%s\"", i, err, msg);
        }
        assert_int_equal(res.participants, 0);
        assert_int_equal(count_rows(s, "participant"), 6);
        assert_int_equal(count_rows(s, "registration"), 6);
        borne_participant p;
        assert_int_equal(borne_store_get_participant(s, FIX_EVENT, 50, &p), BORNE_ERR_NOT_FOUND);
        assert_int_equal(borne_store_get_participant(s, FIX_EVENT, FIX_P_HELENE, &p), BORNE_OK);
        assert_string_equal(p.display_name, "Hélène Tremblay");
        assert_true(registered(s, FIX_P_HELENE, FIX_SESSION_B));
        assert_true(fixture_integrity_ok(s));
    }
    /* The same file without the bad row would drop Hélène's session B: refused (nothing
     * changes) without replace, imported with it. */
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    borne_import_result res;
    const char *good = "id,name,organisation,member,status,sessions,adresse\n"
                       "50,Anne,\"Ville de Lévis, greffe\",oui,,A1,\"1 rue X,\nLévis\"\n"
                       "1,Hélène Renamed,Ailleurs,non,,A1,\n";
    assert_int_equal(import_csv(s, good, &res, msg), BORNE_ERR_PERM);
    assert_non_null(strstr(msg, "remove 1 session registration and 0 participants"));
    assert_int_equal(res.participants, 0);
    assert_int_equal(res.diff.regs_removed, 1);
    assert_int_equal(res.diff.people_added, 1);
    assert_int_equal(count_rows(s, "participant"), 6);
    assert_true(registered(s, FIX_P_HELENE, FIX_SESSION_B));
    borne_import_options replace = {.replace = true};
    assert_int_equal(
        borne_import_roster(s, FIX_EVENT, good, strlen(good), &replace, &res, msg, sizeof(msg)),
        BORNE_OK);
    assert_int_equal(res.participants, 2);
    /* The file is the whole roster: the five people it does not list are removed. */
    assert_int_equal(res.diff.people_removed, 5);
    assert_int_equal(res.diff.people_added, 1);
    assert_int_equal(res.diff.regs_removed, 1 + 4); /* Hélène's B2, and the others' four */
    assert_int_equal(count_rows(s, "participant"), 2);
    borne_participant p;
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, FIX_P_HELENE, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Hélène Renamed");
    assert_false(registered(s, FIX_P_HELENE, FIX_SESSION_B));
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, 50, &p), BORNE_OK);
    assert_string_equal(p.organisation, "Ville de Lévis, greffe");
    assert_false(fixture_file_contains(fx, "1 rue X"));
}

static void test_roster_unknown_event(void **state)
{
    fixture *fx = *state;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    borne_import_result res;
    const char *csv = "id,name\n1,A B\n";
    assert_int_equal(
        borne_import_roster_csv(fx->store, 999, csv, strlen(csv), &res, msg, sizeof(msg)),
        BORNE_ERR_NOT_FOUND);
    assert_non_null(strstr(msg, "999"));
    assert_int_equal(count_rows(fx->store, "participant"), 6);
}

/* ---- roster JSON ---- */

static void test_roster_json(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    borne_import_result res;
    const char *good =
        "{\"participants\": ["
        " {\"id\": 60, \"name\": \"Édith Bélanger\", \"organisation\": \"Ville de Lévis, greffe\","
        "  \"member\": true, \"status\": \"annulé\", \"sessions\": [101, \"b2\"],"
        "  \"email\": \"edith@levis.example\", \"allergies\": \"gluten\"},"
        " {\"id\": 61, \"name\": \"Guy Pelletier\", \"code\": \"OPQ-GUY\"}"
        "]}";
    assert_int_equal(import_json(s, good, &res, msg), BORNE_OK);
    assert_int_equal(res.participants, 2);
    assert_int_equal(res.registrations, 2);
    borne_participant p;
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, 60, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Édith Bélanger");
    assert_string_equal(p.organisation, "Ville de Lévis, greffe");
    assert_true(p.member);
    assert_int_equal(p.status, BORNE_REG_CANCELLED);
    assert_true(registered(s, 60, FIX_SESSION_A));
    assert_true(registered(s, 60, FIX_SESSION_B));
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, 61, &p), BORNE_OK);
    assert_false(p.member);
    assert_int_equal(p.status, BORNE_REG_CONFIRMED);
    assert_int_equal(borne_store_find_code(s, FIX_EVENT, (const uint8_t *)"OPQ-GUY", 7, &p),
                     BORNE_OK);
    assert_int_equal(p.id, 61);
    assert_false(fixture_file_contains(fx, "edith@levis.example"));
    assert_false(fixture_file_contains(fx, "gluten"));
    /* Multi-line or tabbed spreadsheet cells become one line; other controls are refused. */
    assert_int_equal(
        import_json(s, "[{\"id\": 61, \"name\": \" Line\\nbreak\\tand tab \"}]", &res, msg),
        BORNE_OK);
    assert_int_equal(borne_store_get_participant(s, FIX_EVENT, 61, &p), BORNE_OK);
    assert_string_equal(p.display_name, "Line break and tab");
    /* A file without codes keeps the codes participants already have. */
    assert_int_equal(import_json(s, "[{\"id\": 61, \"name\": \"Guy Pelletier\"}]", &res, msg),
                     BORNE_OK);
    assert_int_equal(borne_store_find_code(s, FIX_EVENT, (const uint8_t *)"OPQ-GUY", 7, &p),
                     BORNE_OK);
    assert_int_equal(p.id, 61);
    /* A bare list is accepted too. */
    assert_int_equal(import_json(s, "[{\"id\": 62, \"name\": \"Zoé\"}]", &res, msg), BORNE_OK);
    assert_int_equal(count_rows(s, "participant"), 9);

    static const char *const bad[] = {
        "{\"id\": \"63\", \"name\": \"X\"}",
        "{\"id\": 63}",
        "{\"id\": 63, \"name\": \"X\", \"member\": \"peut-être\"}",
        "{\"id\": 63, \"name\": \"X\", \"status\": \"perdu\"}",
        "{\"id\": 63, \"name\": \"X\", \"sessions\": [\"Z9\"]}",
        "{\"id\": 63, \"name\": \"X\", \"sessions\": [101.5]}",
        "{\"id\": 63, \"name\": \"X\", \"sessions\": {\"A1\": 1}}",
        "{\"id\": 70, \"name\": \"Duplicate\"}",
        "{\"id\": 63, \"name\": \"X\", \"code\": \"OPQ-GUY\"}",
        "{\"id\": 63, \"name\": \"Bell\\u0007here\"}",
        "17",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char json[1024];
        snprintf(json, sizeof(json),
                 "{\"participants\": [{\"id\": 70, \"name\": \"Avant\"},"
                 " {\"id\": 60, \"name\": \"Édith Renamed\"}, %s,"
                 " {\"id\": 71, \"name\": \"Après\"}]}",
                 bad[i]);
        borne_err err = import_json(s, json, &res, msg);
        if (err == BORNE_OK || strstr(msg, "participants[2]") == NULL) {
            fail_msg("bad participant %zu: err %d, message \"%s\"", i, err, msg);
        }
        assert_int_equal(res.participants, 0);
        assert_int_equal(count_rows(s, "participant"), 9);
        assert_int_equal(borne_store_get_participant(s, FIX_EVENT, 70, &p), BORNE_ERR_NOT_FOUND);
        assert_int_equal(borne_store_get_participant(s, FIX_EVENT, 60, &p), BORNE_OK);
        assert_string_equal(p.display_name, "Édith Bélanger");
    }
    assert_int_equal(import_json(s, "{\"people\": []}", &res, msg), BORNE_ERR_PARSE);
    assert_int_equal(import_json(s, "{\"participants\": [", &res, msg), BORNE_ERR_PARSE);
    assert_non_null(strstr(msg, "JSON"));
    assert_int_equal(count_rows(s, "participant"), 9);
}

/* ---- search ---- */

struct hits {
    size_t n;
    uint32_t ids[64];
};

static void on_hit(void *ctx, const borne_participant *p)
{
    struct hits *h = ctx;
    if (h->n < 64) {
        h->ids[h->n++] = p->id;
    }
}

static struct hits search(struct borne_store *s, const char *q, size_t limit)
{
    struct hits h = {0};
    borne_err err = borne_store_search(s, FIX_EVENT, q, limit, on_hit, &h);
    if (err != BORNE_OK) {
        fail_msg("search \"%s\" failed: %d", q, err);
    }
    return h;
}

static bool has_hit(const struct hits *h, uint32_t id)
{
    for (size_t i = 0; i < h->n; i++) {
        if (h->ids[i] == id) {
            return true;
        }
    }
    return false;
}

static void test_search(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    struct hits h = search(s, "helene trem", 10);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.ids[0], FIX_P_HELENE);
    h = search(s, "HÉLÈNE", 10);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.ids[0], FIX_P_HELENE);
    h = search(s, "Tremblay, Hélène", 10);
    assert_int_equal(h.n, 1);
    h = search(s, "lev", 10);
    assert_true(has_hit(&h, FIX_P_JEAN));
    h = search(s, "levesque", 10);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.ids[0], FIX_P_JEAN);
    h = search(s, "cote", 10);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.ids[0], FIX_P_MARIE);
    h = search(s, "helene levesque", 10); /* both words must match */
    assert_int_equal(h.n, 0);
    h = search(s, "xyzzy", 10);
    assert_int_equal(h.n, 0);

    /* The limit. "ville" matches four organisations. */
    h = search(s, "ville", 10);
    assert_int_equal(h.n, 4);
    h = search(s, "ville", 2);
    assert_int_equal(h.n, 2);
    h = search(s, "ville", 1);
    assert_int_equal(h.n, 1);

    /* Another event sees nobody. */
    struct hits other = {0};
    assert_int_equal(borne_store_search(s, 43, "helene", 10, on_hit, &other), BORNE_OK);
    assert_int_equal(other.n, 0);

    /* No FTS syntax gets through, whatever is typed. */
    static const char *const hostile[] = {
        "\"",
        "*",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        ")",
        "(",
        "helene\" OR \"x",
        "^tremblay",
        "display_name:helene",
        "-",
        "+",
        "{a b}",
        "'; DROP TABLE participant; --",
        "\\",
        "",
        "   ",
        "NEAR(helene tremblay, 2)",
        "a AND",
        "\xff\xfe",
        "hél\xc3",
    };
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        h = search(s, hostile[i], 10);
        assert_true(h.n <= 6);
    }
    /* Operators are plain words: all three must match, so nobody is found. */
    h = search(s, "helene\" OR \"jean", 10);
    assert_int_equal(h.n, 0);
    h = search(s, "helene OR jean", 10);
    assert_int_equal(h.n, 0);
    h = search(s, "NEAR(helene tremblay)", 10);
    assert_int_equal(h.n, 0);
    char long_query[3000];
    memset(long_query, 'a', sizeof(long_query) - 1);
    long_query[sizeof(long_query) - 1] = '\0';
    h = search(s, long_query, 10);
    assert_int_equal(h.n, 0);
    for (size_t i = 0; i + 2 < sizeof(long_query); i += 2) {
        long_query[i] = 'z';
        long_query[i + 1] = ' ';
    }
    h = search(s, long_query, 10);
    assert_int_equal(h.n, 0);
    assert_int_equal(count_rows(s, "participant"), 6);
}

/* ---- codes and revocations ---- */

static void test_opaque_code(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    borne_participant p;
    const char *code = FIX_OPAQUE_HELENE;
    assert_int_equal(borne_store_find_code(s, FIX_EVENT, (const uint8_t *)code, strlen(code), &p),
                     BORNE_OK);
    assert_int_equal(p.id, FIX_P_HELENE);
    assert_string_equal(p.display_name, "Hélène Tremblay");
    assert_int_equal(
        borne_store_find_code(s, FIX_EVENT, (const uint8_t *)code, strlen(code) - 1, &p),
        BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_store_find_code(s, FIX_EVENT, (const uint8_t *)"OPQ-7KX2-HT ", 12, &p),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_store_find_code(s, 43, (const uint8_t *)code, strlen(code), &p),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_store_find_code(s, FIX_EVENT, (const uint8_t *)"", 0, &p),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_store_find_code(s, FIX_EVENT, (const uint8_t *)"' OR 1=1 --", 11, &p),
                     BORNE_ERR_NOT_FOUND);
    /* Bytes after a NUL are part of the code, not ignored. */
    char with_nul[32];
    memcpy(with_nul, code, strlen(code));
    with_nul[strlen(code)] = '\0';
    with_nul[strlen(code) + 1] = 'X';
    assert_int_equal(
        borne_store_find_code(s, FIX_EVENT, (const uint8_t *)with_nul, strlen(code) + 2, &p),
        BORNE_ERR_NOT_FOUND);
}

static void test_revocation(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    const uint8_t *code = (const uint8_t *)"BN1:LOST-BADGE";
    bool r = true;
    assert_int_equal(borne_store_is_revoked(s, FIX_EVENT, code, 14, &r), BORNE_OK);
    assert_false(r);
    assert_int_equal(borne_store_revoke(s, FIX_EVENT, code, 14, "badge perdu"), BORNE_OK);
    assert_int_equal(borne_store_revoke(s, FIX_EVENT, code, 14, "again"), BORNE_OK);
    assert_int_equal(count_rows(s, "revoked_code"), 1);
    assert_int_equal(borne_store_is_revoked(s, FIX_EVENT, code, 14, &r), BORNE_OK);
    assert_true(r);
    assert_int_equal(borne_store_is_revoked(s, FIX_EVENT, code, 13, &r), BORNE_OK);
    assert_false(r);
    assert_int_equal(
        borne_store_is_revoked(s, FIX_EVENT, (const uint8_t *)"bn1:lost-badge", 14, &r), BORNE_OK);
    assert_false(r);
    assert_int_equal(borne_store_is_revoked(s, 43, code, 14, &r), BORNE_OK);
    assert_false(r);
    /* Only the fingerprint is kept. */
    assert_false(fixture_file_contains(fx, "LOST-BADGE"));
    assert_int_equal(fixture_query_int(s, "SELECT length(code_hash) FROM revoked_code"),
                     BORNE_CODE_HASH_LEN);
}

/* ---- check-ins ---- */

static borne_checkin_row make_row(uint32_t pid, uint32_t sid, borne_direction dir,
                                  borne_outcome outcome, int64_t wall_ms, int64_t mono_ms,
                                  const char *boot, bool trusted)
{
    borne_checkin_row c;
    fixture_checkin_row(&c, "kiosk-1", FIX_EVENT, pid, sid);
    c.direction = dir;
    c.method = BORNE_METHOD_SCANNER;
    c.outcome = outcome;
    c.time.wall_ms = wall_ms;
    c.time.mono_ms = mono_ms;
    snprintf(c.time.boot_id, sizeof(c.time.boot_id), "%s", boot);
    c.time.trusted = trusted;
    return c;
}

#define BOOT_A "aaaaaaaa-0000-4000-8000-000000000001"
#define BOOT_B "bbbbbbbb-0000-4000-8000-000000000002"

struct collected {
    size_t n;
    borne_checkin_row rows[16];
};

static void collect(void *ctx, const borne_checkin_row *c)
{
    struct collected *col = ctx;
    if (col->n < 16) {
        col->rows[col->n++] = *c;
    }
}

static void test_add_checkin_once(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    borne_checkin_row c =
        make_row(FIX_P_HELENE, FIX_SESSION_A, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY,
                 FIX_A_START * 1000, 5000, BOOT_A, true);
    c.has_code_hash = true;
    borne_store_code_hash((const uint8_t *)"X", 1, c.code_hash);
    assert_int_equal(borne_store_add_checkin(s, &c), BORNE_OK);
    c.direction = BORNE_EXIT; /* different content, same UUID: still refused */
    assert_int_equal(borne_store_add_checkin(s, &c), BORNE_ERR_EXISTS);
    assert_int_equal(count_rows(s, "checkin"), 1);
    int64_t total = 0, unsynced = 0;
    assert_int_equal(borne_store_count_checkins(s, FIX_EVENT, &total, &unsynced), BORNE_OK);
    assert_int_equal(total, 1);
    assert_int_equal(unsynced, 1);

    struct collected col = {0};
    assert_int_equal(borne_store_each_checkin(s, FIX_EVENT, collect, &col), BORNE_OK);
    assert_int_equal(col.n, 1);
    assert_string_equal(col.rows[0].uuid, c.uuid);
    assert_string_equal(col.rows[0].kiosk_id, "kiosk-1");
    assert_int_equal(col.rows[0].direction, BORNE_ENTRY);
    assert_int_equal(col.rows[0].participant_id, FIX_P_HELENE);
    assert_int_equal(col.rows[0].session_id, FIX_SESSION_A);
    assert_true(col.rows[0].has_code_hash);
    assert_memory_equal(col.rows[0].code_hash, c.code_hash, BORNE_CODE_HASH_LEN);
    assert_int_equal(col.rows[0].time.wall_ms, FIX_A_START * 1000);
    assert_int_equal(col.rows[0].wall_recorded_ms, FIX_A_START * 1000);
    assert_string_equal(col.rows[0].time.boot_id, BOOT_A);
    assert_true(col.rows[0].time.trusted);

    /* Bad rows are refused before SQLite. */
    borne_checkin_row bad = c;
    snprintf(bad.uuid, sizeof(bad.uuid), "not-a-uuid");
    assert_int_equal(borne_store_add_checkin(s, &bad), BORNE_ERR_INVALID);
    bad = make_row(1, 0, (borne_direction)7, BORNE_OUTCOME_ACCEPTED_ENTRY, 0, 0, BOOT_A, true);
    assert_int_equal(borne_store_add_checkin(s, &bad), BORNE_ERR_INVALID);
    assert_int_equal(count_rows(s, "checkin"), 1);
}

static void test_history(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    bool in_room = true, has_exit = true;
    int64_t last = -1;
    assert_int_equal(
        borne_store_history(s, FIX_EVENT, FIX_P_HELENE, FIX_SESSION_A, &in_room, &has_exit, &last),
        BORNE_OK);
    assert_false(in_room);
    assert_false(has_exit);
    assert_int_equal(last, 0);

    int64_t t = FIX_A_START * 1000;
    borne_checkin_row c = make_row(FIX_P_HELENE, FIX_SESSION_A, BORNE_ENTRY,
                                   BORNE_OUTCOME_ACCEPTED_ENTRY, t, 1000, BOOT_A, true);
    assert_int_equal(borne_store_add_checkin(s, &c), BORNE_OK);
    assert_int_equal(
        borne_store_history(s, FIX_EVENT, FIX_P_HELENE, FIX_SESSION_A, &in_room, &has_exit, &last),
        BORNE_OK);
    assert_true(in_room);
    assert_false(has_exit);
    assert_int_equal(last, t);

    /* Refusals do not count as presence. */
    c = make_row(FIX_P_HELENE, FIX_SESSION_A, BORNE_EXIT, BORNE_OUTCOME_SESSION_OVER, t + 60000,
                 61000, BOOT_A, true);
    assert_int_equal(borne_store_add_checkin(s, &c), BORNE_OK);
    assert_int_equal(
        borne_store_history(s, FIX_EVENT, FIX_P_HELENE, FIX_SESSION_A, &in_room, &has_exit, NULL),
        BORNE_OK);
    assert_true(in_room);

    c = make_row(FIX_P_HELENE, FIX_SESSION_A, BORNE_EXIT, BORNE_OUTCOME_ACCEPTED_EXIT, t + 3600000,
                 3601000, BOOT_A, true);
    assert_int_equal(borne_store_add_checkin(s, &c), BORNE_OK);
    assert_int_equal(
        borne_store_history(s, FIX_EVENT, FIX_P_HELENE, FIX_SESSION_A, &in_room, &has_exit, &last),
        BORNE_OK);
    assert_false(in_room);
    assert_true(has_exit);
    assert_int_equal(last, t + 3600000);

    /* Other sessions, the whole event and other people are apart. */
    assert_int_equal(
        borne_store_history(s, FIX_EVENT, FIX_P_HELENE, FIX_SESSION_B, &in_room, &has_exit, NULL),
        BORNE_OK);
    assert_false(in_room || has_exit);
    assert_int_equal(borne_store_history(s, FIX_EVENT, FIX_P_HELENE, 0, &in_room, &has_exit, NULL),
                     BORNE_OK);
    assert_false(in_room || has_exit);
    assert_int_equal(
        borne_store_history(s, FIX_EVENT, FIX_P_JEAN, FIX_SESSION_A, &in_room, &has_exit, NULL),
        BORNE_OK);
    assert_false(in_room || has_exit);

    borne_scan_event *scans = NULL;
    size_t n = 0;
    assert_int_equal(borne_store_scans(s, FIX_EVENT, FIX_P_HELENE, FIX_SESSION_A, &scans, &n),
                     BORNE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(scans[0].time, FIX_A_START);
    assert_int_equal(scans[0].direction, BORNE_ENTRY);
    assert_int_equal(scans[1].time, FIX_A_START + 3600);
    assert_int_equal(scans[1].direction, BORNE_EXIT);
    free(scans);
}

static void test_correct_times(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    /* Boot A started in 1970: the clock said 5 s + mono. */
    borne_checkin_row r1 = make_row(1, FIX_SESSION_A, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY,
                                    5000 + 10000, 10000, BOOT_A, false);
    borne_checkin_row r2 = make_row(2, FIX_SESSION_A, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY,
                                    5000 + 20000, 20000, BOOT_A, false);
    /* Another boot, untrusted too. */
    borne_checkin_row r3 = make_row(3, FIX_SESSION_A, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY,
                                    5000 + 15000, 15000, BOOT_B, false);
    /* Boot A, but already trusted (NTP came up): keep its time. */
    int64_t trusted_wall = FIX_A_START * 1000 + 123;
    borne_checkin_row r4 = make_row(4, FIX_SESSION_A, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY,
                                    trusted_wall, 30000, BOOT_A, true);
    assert_int_equal(borne_store_add_checkin(s, &r1), BORNE_OK);
    assert_int_equal(borne_store_add_checkin(s, &r2), BORNE_OK);
    assert_int_equal(borne_store_add_checkin(s, &r3), BORNE_OK);
    assert_int_equal(borne_store_add_checkin(s, &r4), BORNE_OK);

    /* The registry's time two hours after the first row, on boot A. */
    borne_clock_sample ref = {
        .wall_ms = (FIX_A_START + 7200) * 1000, .mono_ms = 10000 + 7200 * 1000, .trusted = true};
    snprintf(ref.boot_id, sizeof(ref.boot_id), BOOT_A);
    borne_clock_sample stale = ref;
    stale.wall_ms = 5000;
    int64_t rows = -1;
    assert_int_equal(borne_store_correct_times(s, &stale, &rows), BORNE_ERR_INVALID);
    assert_int_equal(rows, 0);
    assert_int_equal(borne_store_correct_times(s, &ref, &rows), BORNE_OK);
    assert_int_equal(rows, 2);

    struct collected col = {0};
    assert_int_equal(borne_store_each_checkin(s, FIX_EVENT, collect, &col), BORNE_OK);
    assert_int_equal(col.n, 4);
    for (size_t i = 0; i < col.n; i++) {
        const borne_checkin_row *c = &col.rows[i];
        if (strcmp(c->uuid, r1.uuid) == 0) {
            assert_int_equal(c->time.wall_ms, FIX_A_START * 1000);
            assert_int_equal(c->wall_recorded_ms, 15000);
            assert_true(c->time.trusted);
        } else if (strcmp(c->uuid, r2.uuid) == 0) {
            assert_int_equal(c->time.wall_ms, FIX_A_START * 1000 + 10000);
            assert_int_equal(c->wall_recorded_ms, 25000);
            assert_true(c->time.trusted);
        } else if (strcmp(c->uuid, r3.uuid) == 0) {
            assert_int_equal(c->time.wall_ms, 20000);
            assert_false(c->time.trusted);
        } else {
            assert_string_equal(c->uuid, r4.uuid);
            assert_int_equal(c->time.wall_ms, trusted_wall);
            assert_true(c->time.trusted);
        }
    }
    /* Corrected rows are trusted now: a second reference changes nothing. */
    ref.wall_ms += 999000;
    assert_int_equal(borne_store_correct_times(s, &ref, &rows), BORNE_OK);
    assert_int_equal(rows, 0);
    assert_int_equal(borne_store_check(s), BORNE_OK);
}

static void test_state(void **state)
{
    fixture *fx = *state;
    char v[64];
    assert_int_equal(borne_store_state_get(fx->store, "mode", v, sizeof(v)), BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_store_state_set(fx->store, "mode", "exit"), BORNE_OK);
    assert_int_equal(borne_store_state_set(fx->store, "mode", "entry"), BORNE_OK);
    assert_int_equal(borne_store_state_get(fx->store, "mode", v, sizeof(v)), BORNE_OK);
    assert_string_equal(v, "entry");
    assert_int_equal(borne_store_state_get(fx->store, "event_id", v, sizeof(v)), BORNE_OK);
    assert_string_equal(v, "42");
    borne_pubkey *keys = NULL;
    size_t n = 0;
    assert_int_equal(borne_store_load_keys(fx->store, &keys, &n), BORNE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(keys[0].key_id, FIX_KEY_ID);
    assert_memory_equal(keys[0].key, fx->pk, 32);
    free(keys);
    assert_int_equal(borne_store_check(fx->store), BORNE_OK);
}

/* ---- fault loops ---- */

/* Interrupts SQLite once, at the Nth progress callback: a failure at step N of an import. */
struct fault {
    int calls;
    int fail_at;
    bool fired;
};

static int fault_progress(void *ctx)
{
    struct fault *f = ctx;
    if (++f->calls == f->fail_at) {
        f->fired = true;
        return 1;
    }
    return 0;
}

static char *big_roster(void)
{
    size_t cap = 64 * 1024;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t o = (size_t)snprintf(csv, cap,
                                "id,name,organisation,member,sessions\n"
                                "1,Hélène Changée,Ailleurs,non,A1 B2\n");
    for (int i = 0; i < 40; i++) {
        o +=
            (size_t)snprintf(csv + o, cap - o, "%d,Élève %d Bélanger,\"Ville %d, greffe\",oui,%s\n",
                             200 + i, i, i, i % 2 ? "A1 B2" : "101");
    }
    return csv;
}

/* The FTS index agrees with the participant table. */
static bool fts_ok(struct borne_store *s)
{
    return sqlite3_exec(borne_store_db(s),
                        "INSERT INTO participant_fts(participant_fts) VALUES ('integrity-check')",
                        NULL, NULL, NULL) == SQLITE_OK;
}

static void test_fault_loop_roster(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    char *csv = big_roster();
    int failures = 0, absorbed = 0;
    bool done = false;
    for (int n = 1; n < 100000 && !done; n++) {
        struct fault f = {.fail_at = n};
        sqlite3_progress_handler(borne_store_db(s), 10, fault_progress, &f);
        char msg[BORNE_IMPORT_MSG_MAX] = "";
        borne_import_result res;
        borne_err err = import_csv(s, csv, &res, msg);
        sqlite3_progress_handler(borne_store_db(s), 0, NULL, NULL);
        if (err) {
            if (!f.fired) {
                fail_msg("step %d: import failed without a fault: %s", n, msg);
            }
            failures++;
            assert_int_equal(res.participants, 0);
            assert_true(sqlite3_get_autocommit(borne_store_db(s)));
            assert_int_equal(count_rows(s, "participant"), 6);
            assert_int_equal(count_rows(s, "registration"), 6);
            struct hits h = search(s, "eleve", 50);
            assert_int_equal(h.n, 0);
            borne_participant p;
            assert_int_equal(borne_store_get_participant(s, FIX_EVENT, FIX_P_HELENE, &p), BORNE_OK);
            assert_string_equal(p.display_name, "Hélène Tremblay");
            assert_true(fts_ok(s));
            if (n % 25 == 0) {
                assert_true(fixture_integrity_ok(s));
            }
            continue;
        }
        /* Whole. */
        assert_int_equal(count_rows(s, "participant"), 46);
        assert_int_equal(search(s, "eleve", 50).n, 40);
        assert_true(fts_ok(s));
        assert_true(fixture_integrity_ok(s));
        if (!f.fired) {
            done = true;
            continue;
        }
        /* Some interruptions hit statements SQLite runs for itself (FTS5 reading its
         * configuration) and are absorbed there: the import is then whole. Undo it and go on. */
        absorbed++;
        assert_int_equal(sqlite3_exec(borne_store_db(s),
                                      "DELETE FROM participant WHERE participant_id >= 200;"
                                      "DELETE FROM registration WHERE participant_id >= 200",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(import_csv(s, fixture_roster_csv, NULL, msg), BORNE_OK);
    }
    assert_true(done);
    assert_true(failures > 20);
    assert_true(absorbed < failures);
    free(csv);
}

static void test_fault_loop_event(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    int failures = 0;
    borne_err err = BORNE_ERR_DB;
    for (int n = 1; n < 100000 && err; n++) {
        struct fault f = {.fail_at = n};
        sqlite3_progress_handler(borne_store_db(s), 5, fault_progress, &f);
        char msg[BORNE_IMPORT_MSG_MAX] = "";
        err = import_event(s, fixture_event_json, msg);
        sqlite3_progress_handler(borne_store_db(s), 0, NULL, NULL);
        if (err) {
            failures++;
            assert_true(sqlite3_get_autocommit(borne_store_db(s)));
            assert_int_equal(count_rows(s, "event"), 0);
            assert_int_equal(count_rows(s, "session"), 0);
            assert_true(fixture_integrity_ok(s));
        }
    }
    assert_int_equal(err, BORNE_OK);
    assert_true(failures > 3);
    assert_int_equal(count_rows(s, "session"), 2);
}

/* A store that refuses writes mid-way (read-only from step N on) keeps whole too. */
static void test_fault_read_only_mid_import(void **state)
{
    fixture *fx = *state;
    struct borne_store *s = fx->store;
    char *csv = big_roster();
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    assert_int_equal(sqlite3_exec(borne_store_db(s), "PRAGMA query_only = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_not_equal(import_csv(s, csv, NULL, msg), BORNE_OK);
    assert_int_not_equal(import_event(s, fixture_event_json, msg), BORNE_OK);
    assert_int_equal(sqlite3_exec(borne_store_db(s), "PRAGMA query_only = 0", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_true(sqlite3_get_autocommit(borne_store_db(s)));
    assert_int_equal(count_rows(s, "participant"), 6);
    assert_true(fixture_integrity_ok(s));
    assert_int_equal(import_csv(s, csv, NULL, msg), BORNE_OK);
    assert_int_equal(count_rows(s, "participant"), 46);
    free(csv);
}

/* Crash test: a child imports rosters in a loop and is killed at a random moment; the parent
 * reopens the file and finds either the old roster or a whole new one, never a part. */
static void test_crash_mid_import(void **state)
{
    fixture *fx = *state;
    char *csv = big_roster();
    borne_store_close(fx->store);
    fx->store = NULL;
    srand((unsigned)time(NULL));
    for (int round = 0; round < 6; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct borne_store *s = NULL;
            if (borne_store_open(fx->path, &s) != BORNE_OK) {
                _exit(2);
            }
            for (int i = 0;; i++) {
                /* Alternate the roster so every commit changes the file. */
                const char *one = "id,name\n1,Hélène Tremblay\n";
                borne_import_result res;
                char msg[BORNE_IMPORT_MSG_MAX];
                const char *text = i % 2 ? one : csv;
                if (borne_import_roster_csv(s, FIX_EVENT, text, strlen(text), &res, msg,
                                            sizeof(msg)) != BORNE_OK) {
                    _exit(3);
                }
            }
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (20 + rand() % 80) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(fixture_reopen(fx), 0);
        assert_true(fixture_integrity_ok(fx->store));
        int64_t n = count_rows(fx->store, "participant");
        assert_true(n == 6 || n == 46);
        int64_t fts = search(fx->store, "eleve", 50).n;
        assert_int_equal(fts, n == 46 ? 40 : 0);
        borne_store_close(fx->store);
        fx->store = NULL;
    }
    free(csv);
}

/* A check-in of a session the store no longer has (deleted by a pull since the scan) earns
 * nothing: the credits report leaves it out, counts it, and is complete for the rest (it used to
 * stop there, with a truncated file). */
static void test_credits_skip_unknown_session(void **state)
{
    fixture *fx = *state;
    static const struct {
        uint32_t participant, session;
        borne_direction dir;
        int64_t at;
    } rows[] = {
        {FIX_P_HELENE, 999, BORNE_ENTRY, FIX_A_START + 60},
        {FIX_P_HELENE, FIX_SESSION_A, BORNE_ENTRY, FIX_A_START + 60},
        {FIX_P_HELENE, FIX_SESSION_A, BORNE_EXIT, FIX_A_END - 300},
        {FIX_P_JEAN, 999, BORNE_EXIT, FIX_A_END - 300},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        borne_checkin_row c;
        fixture_checkin_row(&c, "k", FIX_EVENT, rows[i].participant, rows[i].session);
        c.direction = rows[i].dir;
        c.outcome =
            rows[i].dir == BORNE_ENTRY ? BORNE_OUTCOME_ACCEPTED_ENTRY : BORNE_OUTCOME_ACCEPTED_EXIT;
        c.time.wall_ms = rows[i].at * 1000;
        c.wall_recorded_ms = c.time.wall_ms;
        c.time.trusted = true;
        assert_int_equal(borne_store_add_checkin(fx->store, &c), BORNE_OK);
    }
    borne_event ev;
    assert_int_equal(borne_store_get_event(fx->store, FIX_EVENT, &ev), BORNE_OK);
    FILE *f = tmpfile();
    assert_non_null(f);
    borne_report_skips skips = {0};
    assert_int_equal(borne_report_credits_csv_skips(fx->store, &ev, INT64_MAX, f, &skips),
                     BORNE_OK);
    assert_int_equal(skips.unknown_session, 2);
    char text[2048] = "";
    rewind(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "\n1,Hélène Tremblay,101,A1,Gestion documentaire,84,1.50,"));
    assert_null(strstr(text, ",999,"));
    char words[256];
    borne_report_skips_words(&skips, words, sizeof(words));
    assert_string_equal(words, "2 accepted check-ins left out, earning no credit (2 of a session "
                               "the event does not have, 0 of a participant not in the roster, "
                               "0 dated after their arrival)");
}

/* The report's totals (docs/credits.md, "Totals"): a participant's minutes are summed and
 * rounded once. Three 50-minute credits read 0.83 each and 2.50 in total (adding the rows gives
 * 2.49); three 10-minute credits read 0.17 each and 0.50 in total (adding the rows gives 0.51).
 * Rows are rounded half up like the registry's: 100 min is 1.67 (it was truncated to 1.66). */
static void test_credits_totals_rounded_once(void **state)
{
    fixture *fx = *state;
    for (uint32_t i = 0; i < 4; i++) {
        borne_session s = {.id = 201 + i,
                           .event_id = FIX_EVENT,
                           .starts = FIX_B_END + i * 3600,
                           .ends = FIX_B_END + i * 3600 + (i == 3 ? 100 : 60) * 60,
                           .rule = {.kind = BORNE_CREDIT_PROPORTIONAL,
                                    .credit_minutes = i == 3 ? 100 : 50,
                                    .step_minutes = 1},
                           .close_after_s = 1800};
        snprintf(s.code, sizeof(s.code), "C%u", (unsigned)i + 1);
        snprintf(s.title, sizeof(s.title), "Séance %u", (unsigned)i + 1);
        assert_int_equal(borne_store_put_session(fx->store, &s), BORNE_OK);
    }
    /* Hélène: the whole of 201-203 (50 min of credit each); Sophie: the whole of 204 (100 min);
     * Jean: 12 of the 60 minutes of 201-203 (10 min of credit each). */
    static const struct {
        uint32_t participant, session;
        int64_t in, out;
    } stays[] = {
        {FIX_P_HELENE, 201, 0, 3600},
        {FIX_P_HELENE, 202, 3600, 7200},
        {FIX_P_HELENE, 203, 7200, 10800},
        {FIX_P_SOPHIE, 204, 10800, 16800},
        {FIX_P_JEAN, 201, 0, 12 * 60},
        {FIX_P_JEAN, 202, 3600, 3600 + 12 * 60},
        {FIX_P_JEAN, 203, 7200, 7200 + 12 * 60},
    };
    for (size_t i = 0; i < sizeof(stays) / sizeof(stays[0]); i++) {
        for (int exit = 0; exit < 2; exit++) {
            borne_checkin_row c;
            fixture_checkin_row(&c, "k", FIX_EVENT, stays[i].participant, stays[i].session);
            c.direction = exit ? BORNE_EXIT : BORNE_ENTRY;
            c.outcome = exit ? BORNE_OUTCOME_ACCEPTED_EXIT : BORNE_OUTCOME_ACCEPTED_ENTRY;
            c.time.wall_ms = (FIX_B_END + (exit ? stays[i].out : stays[i].in)) * 1000;
            c.wall_recorded_ms = c.time.wall_ms;
            c.time.trusted = true;
            assert_int_equal(borne_store_add_checkin(fx->store, &c), BORNE_OK);
        }
    }
    borne_event ev;
    assert_int_equal(borne_store_get_event(fx->store, FIX_EVENT, &ev), BORNE_OK);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(borne_report_credits_csv(fx->store, &ev, INT64_MAX, f), BORNE_OK);
    char text[4096] = "";
    rewind(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    /* In name order (Lévesque, Roy, Tremblay), each participant's rows then her total. */
    assert_string_equal(text,
                        "participant_id,name,session_id,session_code,session,minutes_attended,"
                        "credit_hours,note,credit_minutes\r\n"
                        "2,Jean Lévesque,201,C1,Séance 1,12,0.17,,10\r\n"
                        "2,Jean Lévesque,202,C2,Séance 2,12,0.17,,10\r\n"
                        "2,Jean Lévesque,203,C3,Séance 3,12,0.17,,10\r\n"
                        "2,Total — Jean Lévesque,,,,36,0.50,,30\r\n"
                        "5,Sophie Roy,204,C4,Séance 4,100,1.67,,100\r\n"
                        "5,Total — Sophie Roy,,,,100,1.67,,100\r\n"
                        "1,Hélène Tremblay,201,C1,Séance 1,60,0.83,,50\r\n"
                        "1,Hélène Tremblay,202,C2,Séance 2,60,0.83,,50\r\n"
                        "1,Hélène Tremblay,203,C3,Séance 3,60,0.83,,50\r\n"
                        "1,Total — Hélène Tremblay,,,,180,2.50,,150\r\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates_schema, fixture_setup_empty,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, fixture_setup_empty,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_migrates_version_1, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_open_garbage_file, fixture_setup_empty,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_event_import_good, fixture_setup_empty,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_event_import_bad_sessions, fixture_setup_empty,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_event_import_bad_event, fixture_setup_empty,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_event_reimport_bad_keeps_old, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_roster_csv_fixture, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_roster_csv_result_counts, fixture_setup_empty,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_roster_csv_semicolon_bom_crlf_french,
                                        fixture_setup_empty, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_roster_csv_split_names, fixture_setup_empty,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_roster_csv_bad_row_imports_nothing, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_roster_unknown_event, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_roster_json, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_search, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_opaque_code, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_revocation, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_add_checkin_once, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_history, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_correct_times, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_state, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fault_loop_roster, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fault_loop_event, fixture_setup_empty,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fault_read_only_mid_import, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_crash_mid_import, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_credits_skip_unknown_session, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_credits_totals_rounded_once, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
