/* What reaches the registry is checked, and its reports never break (issue "Registry
 * integrity"), against the real borne-registry on 127.0.0.1, black box over HTTP and through its
 * admin commands:
 *
 * - a hostile kiosk: an enrolled kiosk sends every kind of bad record mixed with good ones
 *   (another event's session, a session or a participant that does not exist, another event's
 *   participant, walk-in ids without their record, numbers beyond int64 and double, dates far in
 *   the future, outcomes against their direction, reused UUIDs, records of a revoked code or a
 *   deleted participant): each bad one is refused by itself with its reason, the good ones are
 *   stored, every report succeeds and is complete, nobody outside the roster earns credit, and
 *   the purge works;
 * - rows already in a database from before these checks: reports skip them, count them and say
 *   so on stderr, exit 0, never truncated;
 * - the trusted-time bound (24 h past the registry's time);
 * - a roster cursor ahead of the registry (restored from a backup): "reset" and the roster from 0;
 * - the organiser's kiosk name stands over the kiosk's own label; names are unique per event;
 * - `report ... -` writes to standard output (borne-registry and bornectl);
 * - `bornectl init` prints the schema version the store really has. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "registry/client.h"
#include "support/fixture.h"

#define JSON "application/json"

#define WALKIN_BASE 0xC0000000u

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t walkin_id(int kiosk_number, uint32_t seq)
{
    return WALKIN_BASE + (uint32_t)(kiosk_number % 16384) * 65536u + seq;
}

/* A check-in record; the numbers are given as JSON text so that a test can send any. */
typedef struct rec {
    const char *uuid;
    const char *event;       /* "42" */
    const char *participant; /* "1" */
    const char *session;     /* "101" */
    const char *direction;   /* "entry" */
    const char *outcome;     /* "0" */
    const char *wall;        /* wall_ms */
    const char *mono;        /* mono_ms */
    bool trusted;
    const char *extra; /* more fields, with a leading comma, or NULL */
} rec;

static void rec_json(char *out, size_t cap, const rec *r)
{
    snprintf(out, cap,
             "{\"uuid\":\"%s\",\"event_id\":%s,\"participant_id\":%s,\"session_id\":%s,"
             "\"direction\":\"%s\",\"method\":1,\"outcome\":%s,\"staff_id\":\"\","
             "\"code_hash\":\"00112233445566778899aabbccddeeff\",\"wall_ms\":%s,"
             "\"wall_recorded_ms\":%s,\"mono_ms\":%s,"
             "\"boot_id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"clock_trusted\":%s%s}",
             r->uuid, r->event ? r->event : "42", r->participant ? r->participant : "1",
             r->session ? r->session : "101", r->direction ? r->direction : "entry",
             r->outcome ? r->outcome : "0", r->wall ? r->wall : "1779282060000", "1779282060000",
             r->mono ? r->mono : "5000", r->trusted ? "true" : "false", r->extra ? r->extra : "");
}

/* POSTs a batch; answers 200 with one result per record, in *results. */
static void push(test_registry *r, const char *token, const char *body, json_t **results)
{
    http_resp a;
    assert_int_equal(
        http_do(r->proc.port, "POST", "/v1/checkins", token, JSON, body, strlen(body), &a), 0);
    if (a.status != 200) {
        fail_msg("push: %d %s", a.status, a.body);
    }
    json_t *root = json_loadb(a.body, a.len, 0, NULL);
    assert_non_null(root);
    assert_true(json_is_integer(json_object_get(root, "server_time_ms")));
    *results = json_incref(json_object_get(root, "results"));
    json_decref(root);
    http_resp_free(&a);
}

static const char *field(json_t *results, size_t i, const char *key)
{
    const char *s = json_string_value(json_object_get(json_array_get(results, i), key));
    return s ? s : "";
}

/* Runs `borne-registry --db DB ARGS` in the registry's folder through the shell, standard output
 * into dir/out.txt and standard error into dir/err.txt; returns its exit status. */
static int cli(test_registry *r, const char *args)
{
    char cmd[1600];
    snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' --db '%s' %s >out.txt 2>err.txt", r->proc.dir,
             harness_registry_bin(), r->proc.db, args);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* The text of dir/name (malloc'ed). */
static char *slurp(const test_registry *r, const char *name)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", r->proc.dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("cannot read %s", path);
    }
    char *text = calloc(1, 1 << 20);
    assert_non_null(text);
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static size_t lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        n += *p == '\n';
    }
    return n;
}

/* True when a CSV line of `csv` starts with "ID,". */
static bool has_row(const char *csv, uint32_t id)
{
    char start[24];
    snprintf(start, sizeof(start), "\n%u,", id);
    return strstr(csv, start) != NULL;
}

/* ---- the hostile kiosk ---- */

static void test_hostile_kiosk(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    registry_other_event(&r);
    char token[128];
    int kn = registry_kiosk(&r, 42, token, NULL);
    /* Sophie (5) is deleted from the roster after her scan (the record arrives later). */
    assert_int_equal(cli(&r, "participant delete 42 5"), 0);

    char own1[16], own2[16], other[16], future[24], soon[24];
    snprintf(own1, sizeof(own1), "%u", walkin_id(kn, 1));
    snprintf(own2, sizeof(own2), "%u", walkin_id(kn, 2));
    snprintf(other, sizeof(other), "%u", walkin_id(kn + 1, 1));
    snprintf(future, sizeof(future), "%lld", 7226553600000LL); /* 2199-01-01 */
    snprintf(soon, sizeof(soon), "%lld", (long long)(now_ms() + 3600 * 1000));
    const char *walkin = ",\"walk_in\":{\"name\":\"Inscrite sur place\",\"organisation\":\"\","
                         "\"sessions\":[101]}";
    /* Each record, and what the registry must answer. */
    struct {
        rec r;
        const char *status, *reason;
    } cases[] = {
        /* Good: Hélène's entry and exit in A1 (full credit). */
        {{.uuid = "10000000-0000-4000-8000-000000000001", .wall = "1779282060000", .trusted = true},
         "stored",
         ""},
        {{.uuid = "10000000-0000-4000-8000-000000000002",
          .direction = "exit",
          .outcome = "1",
          .wall = "1779287100000",
          .trusted = true},
         "stored",
         ""},
        /* Sessions that are not the event's. */
        {{.uuid = "10000000-0000-4000-8000-000000000003",
          .participant = "2",
          .session = "301",
          .trusted = true},
         "refused",
         "unknown session"},
        {{.uuid = "10000000-0000-4000-8000-000000000004",
          .participant = "2",
          .session = "999",
          .trusted = true},
         "refused",
         "unknown session"},
        /* Participants that are not the event's. */
        {{.uuid = "10000000-0000-4000-8000-000000000005", .participant = "99", .trusted = true},
         "refused",
         "unknown participant"},
        {{.uuid = "10000000-0000-4000-8000-000000000006", .participant = "501", .trusted = true},
         "refused",
         "unknown participant"},
        /* Walk-in ids without their record: this kiosk's range and another's. */
        {{.uuid = "10000000-0000-4000-8000-000000000007", .participant = own1, .trusted = true},
         "refused",
         "unknown participant"},
        {{.uuid = "10000000-0000-4000-8000-000000000008", .participant = other, .trusted = true},
         "refused",
         "unknown participant"},
        /* A walk-in with their record: created, stored. */
        {{.uuid = "10000000-0000-4000-8000-000000000009",
          .participant = own2,
          .trusted = true,
          .extra = walkin},
         "stored",
         ""},
        /* Numbers beyond int64 and double: that record only. */
        {{.uuid = "10000000-0000-4000-8000-00000000000a",
          .mono = "9223372036854775808",
          .trusted = true},
         "refused",
         "invalid mono_ms"},
        {{.uuid = "10000000-0000-4000-8000-00000000000b", .mono = "1e400", .trusted = true},
         "refused",
         "invalid mono_ms"},
        {{.uuid = "10000000-0000-4000-8000-00000000000c", .wall = "1e400", .trusted = true},
         "refused",
         "invalid wall_ms"},
        {{.uuid = "10000000-0000-4000-8000-00000000000d",
          .mono = "-99999999999999999999999",
          .trusted = true},
         "refused",
         "invalid mono_ms"},
        {{.uuid = "10000000-0000-4000-8000-00000000000e",
          .participant = "18446744073709551617",
          .trusted = true},
         "refused",
         "invalid participant_id"},
        /* Year 2199: refused with a trusted clock; kept with an untrusted one, but no credit. */
        {{.uuid = "10000000-0000-4000-8000-00000000000f",
          .participant = "2",
          .wall = future,
          .trusted = true},
         "refused",
         "wall_ms in the future"},
        {{.uuid = "10000000-0000-4000-8000-000000000010",
          .participant = "2",
          .wall = future,
          .trusted = false},
         "stored",
         ""},
        /* An hour ahead is within the skew. */
        {{.uuid = "10000000-0000-4000-8000-000000000011",
          .participant = "4",
          .outcome = "14",
          .wall = soon,
          .trusted = true},
         "stored",
         ""},
        /* Outcomes against their direction; outcomes out of range; a bad direction. */
        {{.uuid = "10000000-0000-4000-8000-000000000012",
          .participant = "2",
          .direction = "exit",
          .outcome = "0",
          .trusted = true},
         "refused",
         "outcome does not match direction"},
        {{.uuid = "10000000-0000-4000-8000-000000000013",
          .participant = "2",
          .outcome = "1",
          .trusted = true},
         "refused",
         "outcome does not match direction"},
        {{.uuid = "10000000-0000-4000-8000-000000000014",
          .participant = "2",
          .outcome = "99",
          .trusted = true},
         "refused",
         "invalid outcome"},
        {{.uuid = "10000000-0000-4000-8000-000000000015",
          .participant = "2",
          .outcome = "-1",
          .trusted = true},
         "refused",
         "invalid outcome"},
        {{.uuid = "10000000-0000-4000-8000-000000000016",
          .participant = "2",
          .direction = "Entry",
          .trusted = true},
         "refused",
         "invalid direction"},
        /* A staff outcome (never recorded by a kiosk): kept, earns nothing. */
        {{.uuid = "10000000-0000-4000-8000-000000000017",
          .participant = "2",
          .outcome = "16",
          .trusted = true},
         "stored",
         ""},
        /* The first UUID again with other content, then the second again unchanged. */
        {{.uuid = "10000000-0000-4000-8000-000000000001", .participant = "2", .trusted = true},
         "refused",
         "uuid already used with different content"},
        {{.uuid = "10000000-0000-4000-8000-000000000002",
          .direction = "exit",
          .outcome = "1",
          .wall = "1779287100000",
          .trusted = true},
         "duplicate",
         ""},
        /* A revoked code's refusal, an unknown code: kept, earn nothing. */
        {{.uuid = "10000000-0000-4000-8000-000000000018",
          .participant = "1",
          .outcome = "8",
          .trusted = true},
         "stored",
         ""},
        {{.uuid = "10000000-0000-4000-8000-000000000019",
          .participant = "0",
          .outcome = "10",
          .trusted = true},
         "stored",
         ""},
        /* Sophie, deleted since her scan: kept (a re-import brings her back), no credit now. */
        {{.uuid = "10000000-0000-4000-8000-00000000001a",
          .participant = "5",
          .session = "102",
          .wall = "1779296460000",
          .trusted = true},
         "stored",
         ""},
        /* Another event. */
        {{.uuid = "10000000-0000-4000-8000-00000000001b",
          .event = "43",
          .participant = "501",
          .session = "301",
          .trusted = true},
         "refused",
         "another event"},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);
    size_t cap = n * 800 + 64, off = 0;
    char *body = malloc(cap);
    off += (size_t)snprintf(body, cap, "{\"checkins\":[");
    for (size_t i = 0; i < n; i++) {
        char one[800];
        rec_json(one, sizeof(one), &cases[i].r);
        off += (size_t)snprintf(body + off, cap - off, "%s%s", i ? "," : "", one);
    }
    snprintf(body + off, cap - off, "]}");
    json_t *res;
    push(&r, token, body, &res);
    free(body);
    assert_int_equal(json_array_size(res), n);
    int64_t stored = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(field(res, i, "uuid"), cases[i].r.uuid) != 0 ||
            strcmp(field(res, i, "status"), cases[i].status) != 0 ||
            strcmp(field(res, i, "reason"), cases[i].reason) != 0) {
            fail_msg("record %zu: %s \"%s\", expected %s \"%s\"", i + 1, field(res, i, "status"),
                     field(res, i, "reason"), cases[i].status, cases[i].reason);
        }
        stored += strcmp(cases[i].status, "stored") == 0;
    }
    json_decref(res);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin"), stored);
    /* Every check-in names a participant the event has (or had), and a session it has. */
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin c WHERE"
                                            " c.participant_id IS NOT NULL AND NOT EXISTS (SELECT 1"
                                            " FROM participant p WHERE p.event_id = c.event_id"
                                            " AND p.id = c.participant_id)"),
                     0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin c WHERE"
                                            " c.session_id IS NOT NULL AND NOT EXISTS (SELECT 1"
                                            " FROM session s WHERE s.event_id = c.event_id"
                                            " AND s.id = c.session_id)"),
                     0);
    /* The walk-in was created once; the refused walk-in ids were not. */
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM participant WHERE id >= %u", WALKIN_BASE);
    assert_int_equal(registry_query_int(&r, sql), 1);

    /* Every report succeeds and is complete. */
    assert_int_equal(cli(&r, "report credits 42 credits.csv"), 0);
    char *csv = slurp(&r, "credits.csv");
    char *err = slurp(&r, "err.txt");
    /* Hélène (1) and the walk-in earn credit; nobody else does: not Jean (2, only a 2199
     * untrusted time, a staff outcome), not Luc (4, a refusal), not Sophie (5, deleted), nobody
     * outside the roster. */
    assert_true(has_row(csv, 1));
    assert_true(has_row(csv, walkin_id(kn, 2)));
    assert_non_null(strstr(csv, "1,Hélène Tremblay,101,A1,Gestion documentaire,84,1.50,"));
    assert_int_equal(lines(csv), 3);
    static const uint32_t none[] = {2, 3, 4, 5, 6, 99, 501, 502};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        assert_false(has_row(csv, none[i]));
    }
    /* What was left out is said, in numbers. */
    assert_non_null(strstr(err, "warning: 2 accepted check-ins left out"));
    assert_non_null(strstr(err, "1 of a participant not in the roster, 1 dated after"));
    free(csv);
    free(err);

    assert_int_equal(cli(&r, "report attendance 42 attendance.csv"), 0);
    csv = slurp(&r, "attendance.csv");
    /* A1: registered 4 (Hélène, Jean, Marie, Luc) and the walk-in; present Hélène and the
     * walk-in (not Jean: 2199, not Sophie: deleted); entries 2, exits 1; refusals 4 (Luc's
     * "see the desk", Jean's staff outcome, the revoked code, the unknown code); one kiosk. */
    assert_non_null(strstr(csv, "\n101,A1,Gestion documentaire,2026-05-20T13:00:00Z,5,2,2,1,4,1"));
    free(csv);
    assert_int_equal(cli(&r, "report checkins 42 checkins.csv"), 0);
    csv = slurp(&r, "checkins.csv");
    assert_int_equal((int64_t)lines(csv), stored + 1);
    free(csv);

    /* Sophie's record was kept: re-imported, she has her credit back. */
    assert_int_equal(cli(&r, "roster import 42 roster.csv"), 0);
    assert_int_equal(cli(&r, "report credits 42 credits.csv"), 0);
    csv = slurp(&r, "credits.csv");
    assert_true(has_row(csv, 5));
    assert_int_equal(lines(csv), 4);
    free(csv);

    /* The purge is not blocked: the credits report was made after the last check-in arrived. */
    assert_int_equal(cli(&r, "purge 42 --days 1"), 0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM participant WHERE event_id = 42"
                                            " AND name <> ''"),
                     0);
    registry_cleanup(&r);
}

/* Bodies that are not a batch stay refused whole, even through the number pre-pass; numbers in
 * strings are text. */
static void test_numbers_outside_records(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    static const char *const whole[] = {
        "{\"checkins\":1e400}",
        "{\"checkins\":[1e400]}",
        "{\"checkins\":[9223372036854775808]}",
        "1e400",
        "{1e400:[]}",
        "{\"checkins\":[],\"x\":1e400}",
        "{\"checkins\":[{\"uuid\":\"10000000-0000-4000-8000-000000000001\",\"mono_ms\":1.2.3}]}",
        "{\"checkins\":[{\"uuid\":\"10000000-0000-4000-8000-000000000001\",\"mono_ms\":-}]}",
        "{\"checkins\":[{\"uuid\":\"10000000-0000-4000-8000-000000000001\",\"mono_ms\":01}]}",
    };
    for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
        http_resp a;
        assert_int_equal(http_do(r.proc.port, "POST", "/v1/checkins", token, JSON, whole[i],
                                 strlen(whole[i]), &a),
                         0);
        if (a.status != 400) {
            fail_msg("%s: %d %s", whole[i], a.status, a.body);
        }
        http_resp_free(&a);
    }
    /* A number in a string is text: the staff id "1e400" is stored as it is. */
    char one[800];
    rec x = {.uuid = "10000000-0000-4000-8000-000000000001",
             .trusted = true,
             .extra = ",\"walk_in\":null"};
    rec_json(one, sizeof(one), &x);
    char *staff = strstr(one, "\"staff_id\":\"\"");
    assert_non_null(staff);
    char body[1200];
    snprintf(body, sizeof(body), "{\"checkins\":[%.*s\"staff_id\":\"9223372036854775808e400\"%s]}",
             (int)(staff - one), one, staff + strlen("\"staff_id\":\"\""));
    json_t *res;
    push(&r, token, body, &res);
    assert_string_equal(field(res, 0, "status"), "stored");
    json_decref(res);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin"
                                            " WHERE staff_id = '9223372036854775808e400'"),
                     1);
    registry_cleanup(&r);
}

/* ---- rows already in a database ---- */

static void test_reports_skip_rows_already_held(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    registry_other_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    /* Good records through the API. */
    char one[800], two[800], body[1700];
    rec a = {.uuid = "20000000-0000-4000-8000-000000000001", .trusted = true};
    rec b = {.uuid = "20000000-0000-4000-8000-000000000002",
             .direction = "exit",
             .outcome = "1",
             .wall = "1779287100000",
             .trusted = true};
    rec_json(one, sizeof(one), &a);
    rec_json(two, sizeof(two), &b);
    snprintf(body, sizeof(body), "{\"checkins\":[%s,%s]}", one, two);
    json_t *res;
    push(&r, token, body, &res);
    json_decref(res);
    /* Rows a registry from before these checks stored, written straight into its database: an
     * unknown session, another event's session, an unknown participant, no participant with an
     * accepted outcome, a trusted time in 2199, a session deleted since; and a row that is no
     * check-in at all (no UUID, direction 7). */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(r.proc.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    const char *rows =
        "INSERT INTO session(id, event_id, code, title, room, starts, ends, credit_minutes,"
        " credit_rule, open_before_s, close_after_s, requires_registration, deleted, changed)"
        " VALUES (777, 42, 'Z9', 'Annulée', '', 1779282000, 1779285600, 60, 'threshold:800',"
        " 1800, 1800, 1, 1, 1000);"
        "INSERT INTO checkin(uuid, kiosk, kiosk_name, event_id, participant_id, session_id,"
        " direction, method, outcome, wall_ms, wall_recorded_ms, mono_ms, boot_id,"
        " clock_trusted, received_ms) VALUES"
        " ('20000000-0000-4000-8000-000000000003', 1, 'k', 42, 2, 999, 0, 1, 0,"
        "  1779282060000, 1779282060000, 1, 'b', 1, 1779282070000),"
        " ('20000000-0000-4000-8000-000000000004', 1, 'k', 42, 2, 301, 0, 1, 0,"
        "  1779282060000, 1779282060000, 1, 'b', 1, 1779282070000),"
        " ('20000000-0000-4000-8000-000000000005', 1, 'k', 42, 99, 101, 0, 1, 0,"
        "  1779282060000, 1779282060000, 1, 'b', 1, 1779282070000),"
        " ('20000000-0000-4000-8000-000000000006', 1, 'k', 42, NULL, 101, 0, 1, 0,"
        "  1779282060000, 1779282060000, 1, 'b', 1, 1779282070000),"
        " ('20000000-0000-4000-8000-000000000007', 1, 'k', 42, 4, 101, 0, 1, 0,"
        "  7226553600000, 7226553600000, 1, 'b', 1, 1779282070000),"
        " ('20000000-0000-4000-8000-000000000008', 1, 'k', 42, 2, 777, 0, 1, 0,"
        "  1779282060000, 1779282060000, 1, 'b', 1, 1779282070000),"
        " ('not a uuid', 1, 'k', 42, 1, 101, 7, 1, 0,"
        "  1779282060000, 1779282060000, 1, 'b', 1, 1779282070000);";
    char *msg = NULL;
    if (sqlite3_exec(db, rows, NULL, NULL, &msg) != SQLITE_OK) {
        fail_msg("%s", msg);
    }
    sqlite3_close(db);

    assert_int_equal(cli(&r, "report credits 42 credits.csv"), 0);
    char *csv = slurp(&r, "credits.csv");
    char *err = slurp(&r, "err.txt");
    /* Complete: the header and Hélène's line, whole (a truncated file would stop earlier). */
    assert_non_null(strstr(csv, "1,Hélène Tremblay,101,A1,Gestion documentaire,84,1.50,"));
    assert_int_equal(lines(csv), 2);
    assert_false(has_row(csv, 2));
    assert_false(has_row(csv, 4));
    assert_false(has_row(csv, 99));
    assert_non_null(strstr(err, "6 accepted check-ins left out, earning no credit (3 of a session "
                                "the event does not have, 2 of a participant not in the roster, "
                                "1 dated after their arrival)"));
    free(csv);
    free(err);
    assert_int_equal(cli(&r, "report attendance 42 attendance.csv"), 0);
    err = slurp(&r, "err.txt");
    assert_non_null(strstr(err, "6 accepted check-ins left out"));
    free(err);
    csv = slurp(&r, "attendance.csv");
    assert_non_null(strstr(csv, "\n101,A1,Gestion documentaire,2026-05-20T13:00:00Z,4,1,1,1,0,1"));
    free(csv);
    assert_int_equal(cli(&r, "report checkins 42 checkins.csv"), 0);
    csv = slurp(&r, "checkins.csv");
    assert_int_equal(lines(csv), 9); /* every check-in held; the row that is none left out */
    free(csv);
    err = slurp(&r, "err.txt");
    assert_non_null(strstr(err, "warning: 1 rows that are not check-ins left out"));
    free(err);
    /* The purge goes through. */
    assert_int_equal(cli(&r, "purge 42 --days 1"), 0);
    registry_cleanup(&r);
}

/* ---- the trusted-time bound ---- */

static void test_future_bound(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    char in23[24], in25[24], recs[3][800], body[2600];
    int64_t now = now_ms();
    snprintf(in23, sizeof(in23), "%lld", (long long)(now + 23LL * 3600 * 1000));
    snprintf(in25, sizeof(in25), "%lld", (long long)(now + 25LL * 3600 * 1000));
    rec a = {.uuid = "30000000-0000-4000-8000-000000000001", .wall = in23, .trusted = true};
    rec b = {.uuid = "30000000-0000-4000-8000-000000000002", .wall = in25, .trusted = true};
    rec c = {.uuid = "30000000-0000-4000-8000-000000000003", .wall = in25, .trusted = false};
    rec_json(recs[0], sizeof(recs[0]), &a);
    rec_json(recs[1], sizeof(recs[1]), &b);
    rec_json(recs[2], sizeof(recs[2]), &c);
    snprintf(body, sizeof(body), "{\"checkins\":[%s,%s,%s]}", recs[0], recs[1], recs[2]);
    json_t *res;
    push(&r, token, body, &res);
    assert_string_equal(field(res, 0, "status"), "stored");
    assert_string_equal(field(res, 1, "status"), "refused");
    assert_string_equal(field(res, 1, "reason"), "wall_ms in the future");
    assert_string_equal(field(res, 2, "status"), "stored");
    json_decref(res);
    /* The untrusted one earns nothing: left out of the credits, and said. */
    assert_int_equal(cli(&r, "report credits 42 credits.csv"), 0);
    char *err = slurp(&r, "err.txt");
    assert_non_null(strstr(err, "1 dated after their arrival"));
    free(err);
    registry_cleanup(&r);
}

/* ---- a cursor ahead of the registry ---- */

static json_t *roster(test_registry *r, const char *token, int64_t since)
{
    char path[64];
    snprintf(path, sizeof(path), "/v1/roster?since=%lld", (long long)since);
    http_resp a;
    assert_int_equal(http_do(r->proc.port, "GET", path, token, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 200);
    json_t *root = json_loadb(a.body, a.len, 0, NULL);
    assert_non_null(root);
    http_resp_free(&a);
    return root;
}

static void test_cursor_ahead(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    int64_t counter = registry_query_int(&r, "SELECT value FROM counter");
    assert_true(counter > 0);
    /* At the registry's cursor: nothing new, no reset. */
    json_t *root = roster(&r, token, counter);
    assert_null(json_object_get(root, "reset"));
    assert_int_equal(json_integer_value(json_object_get(root, "cursor")), counter);
    assert_int_equal(json_array_size(json_object_get(root, "participants")), 0);
    json_decref(root);
    /* Ahead of it (a registry restored from a backup): reset, and the roster from 0. */
    root = roster(&r, token, counter + 500);
    assert_true(json_is_true(json_object_get(root, "reset")));
    assert_int_equal(json_integer_value(json_object_get(root, "cursor")), counter);
    assert_int_equal(json_array_size(json_object_get(root, "participants")), 6);
    assert_int_equal(json_array_size(json_object_get(root, "sessions")), 2);
    assert_non_null(json_object_get(root, "event"));
    json_decref(root);
    /* A change made after the restore, with the kiosk still ahead: the reset carries it. */
    assert_int_equal(cli(&r, "revoke --event 42 " FIX_OPAQUE_HELENE), 0);
    root = roster(&r, token, counter + 500);
    assert_true(json_is_true(json_object_get(root, "reset")));
    assert_int_equal(json_array_size(json_object_get(root, "revoked")), 1);
    assert_int_equal(json_integer_value(json_object_get(root, "cursor")), counter + 1);
    char epoch[40];
    snprintf(epoch, sizeof(epoch), "%s", json_string_value(json_object_get(root, "epoch")));
    assert_int_equal(strlen(epoch), 16);
    json_decref(root);

    /* The cursor with its epoch: nothing new, no reset. With another epoch (a registry restored
     * from a backup copy, which has an epoch of its own), even behind the counter: reset. */
    char path[128];
    static const struct {
        const char *tail; /* after "since=N.": NULL for the answer's epoch */
        int status;
        bool reset;
    } asks[] = {
        {NULL, 200, false},   {"0123456789abcdef", 200, true},
        {"", 400, false},     {"ABCDEF", 400, false},
        {"12g4", 400, false},
    };
    for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
        snprintf(path, sizeof(path), "/v1/roster?since=%lld.%s", (long long)counter - 1,
                 asks[i].tail ? asks[i].tail : epoch);
        http_resp a;
        assert_int_equal(http_do(r.proc.port, "GET", path, token, NULL, NULL, 0, &a), 0);
        if (a.status != asks[i].status) {
            fail_msg("%s: %d %s", path, a.status, a.body);
        }
        if (a.status == 200) {
            root = json_loadb(a.body, a.len, 0, NULL);
            assert_int_equal(json_is_true(json_object_get(root, "reset")), asks[i].reset);
            assert_int_equal(json_array_size(json_object_get(root, "participants")),
                             asks[i].reset ? 6 : 0);
            json_decref(root);
        }
        http_resp_free(&a);
    }

    /* `backup` writes a copy with an epoch of its own, owner-only; never over a file. */
    assert_int_equal(cli(&r, "backup copy.db"), 0);
    assert_int_equal(cli(&r, "backup copy.db"), 1);
    char copy[600];
    snprintf(copy, sizeof(copy), "%s/copy.db", r.proc.dir);
    struct stat sb;
    assert_int_equal(stat(copy, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(copy, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT value, epoch FROM counter", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), counter + 1);
    assert_string_not_equal((const char *)sqlite3_column_text(st, 1), epoch);
    assert_int_equal(strlen((const char *)sqlite3_column_text(st, 1)), 16);
    sqlite3_finalize(st);
    sqlite3_close(db);
    registry_cleanup(&r);
}

/* ---- kiosk names ---- */

static void test_kiosk_names(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    registry_other_event(&r);
    char url[64], args[300];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)r.proc.port);
    snprintf(args, sizeof(args), "kiosk add --event 42 --url %s --name porte-A", url);
    assert_int_equal(cli(&r, args), 0);
    char *out = slurp(&r, "out.txt");
    char prefix[32], u[256], enrol[128];
    assert_int_equal(sscanf(out, "%31s %255s %127s", prefix, u, enrol), 3);
    free(out);
    /* The same name again for the event: refused, with words. */
    assert_int_equal(cli(&r, args), 1);
    char *err = slurp(&r, "err.txt");
    assert_non_null(strstr(err, "already has a kiosk named \"porte-A\""));
    free(err);
    /* Another event may use it; unnamed kiosks are numbered, so never clash. */
    snprintf(args, sizeof(args), "kiosk add --event 43 --url %s --name porte-A", url);
    assert_int_equal(cli(&r, args), 0);
    snprintf(args, sizeof(args), "kiosk add --event 42 --url %s", url);
    assert_int_equal(cli(&r, args), 0);
    assert_int_equal(cli(&r, args), 0);
    assert_int_equal(registry_query_int(&r, "SELECT count(DISTINCT name) FROM kiosk"
                                            " WHERE event_id = 42"),
                     3);

    /* The kiosk calls itself "porte-B" at enrolment: the organiser's name stands. */
    char body[300];
    snprintf(body, sizeof(body), "{\"enrolment_token\":\"%s\",\"kiosk\":\"porte-B\"}", enrol);
    http_resp a;
    assert_int_equal(http_do(r.proc.port, "POST", "/v1/enrol", NULL, JSON, body, strlen(body), &a),
                     0);
    assert_int_equal(a.status, 200);
    json_t *root = json_loadb(a.body, a.len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(root, "kiosk")), "porte-A");
    json_decref(root);
    http_resp_free(&a);
    assert_int_equal(cli(&r, "kiosk list"), 0);
    out = slurp(&r, "out.txt");
    assert_non_null(strstr(out, ",label\r\n") ? out : strstr(out, ",label\n"));
    assert_non_null(strstr(out, "1,porte-A,42,enrolled,"));
    assert_non_null(strstr(out, ",porte-B\r\n") ? out : strstr(out, ",porte-B\n"));
    free(out);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM kiosk WHERE name = 'porte-B'"),
                     0);
    /* A revoked kiosk's name goes to its replacement. */
    assert_int_equal(cli(&r, "kiosk revoke 1"), 0);
    /* A kiosk that does not exist, or an id that is not one, is said in words. */
    assert_int_equal(cli(&r, "kiosk revoke 99"), 1);
    out = slurp(&r, "err.txt");
    assert_non_null(strstr(out, "no kiosk 99"));
    free(out);
    assert_int_equal(cli(&r, "kiosk revoke porte-A"), 2);
    out = slurp(&r, "err.txt");
    assert_non_null(strstr(out, "usage: borne-registry kiosk revoke ID"));
    free(out);
    snprintf(args, sizeof(args), "kiosk add --event 42 --url %s --name porte-A", url);
    assert_int_equal(cli(&r, args), 0);
    registry_cleanup(&r);
}

/* ---- a session id another event holds ---- */

static void test_session_of_another_event(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    registry_other_event(&r);
    /* Event 43 again, now also listing session 102 (event 42's B2): refused, nothing kept. */
    static const char event[] =
        "{\"id\": 43, \"name\": \"Séminaire 2026 (modifié)\", \"timezone\": \"America/Montreal\","
        " \"starts\": \"2026-06-10\", \"ends\": \"2026-06-10\", \"sessions\": ["
        "  {\"id\": 301, \"code\": \"S1\", \"title\": \"Urbanisme\", \"room\": \"Salle C\","
        "   \"starts\": \"2026-06-10T09:00:00-04:00\", \"ends\": \"2026-06-10T12:00:00-04:00\","
        "   \"credit_hours\": 3},"
        "  {\"id\": 102, \"code\": \"S2\", \"title\": \"Voirie\", \"room\": \"Salle D\","
        "   \"starts\": \"2026-06-10T13:00:00-04:00\", \"ends\": \"2026-06-10T15:00:00-04:00\","
        "   \"credit_hours\": 2}]}";
    char path[600];
    harness_write(r.proc.dir, "event43b.json", event, path, sizeof(path));
    char args[700];
    snprintf(args, sizeof(args), "event import %s", path);
    assert_int_equal(cli(&r, args), 3);
    char *err = slurp(&r, "err.txt");
    assert_non_null(strstr(err, "session 102"));
    assert_non_null(strstr(err, "event 42"));
    free(err);
    assert_int_equal(registry_query_int(&r, "SELECT event_id FROM session WHERE id = 102"), 42);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM event WHERE name LIKE "
                                            "'%modifié%'"),
                     0);
    registry_cleanup(&r);
}

/* ---- standard output, schema version ---- */

static void test_report_to_stdout(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    static const char *const kinds[] = {"credits", "attendance", "checkins"};
    for (size_t i = 0; i < 3; i++) {
        char args[64];
        snprintf(args, sizeof(args), "report %s 42 -", kinds[i]);
        assert_int_equal(cli(&r, args), 0);
        char *out = slurp(&r, "out.txt");
        assert_true(strlen(out) > 10); /* the header at least */
        free(out);
        char dash[600];
        snprintf(dash, sizeof(dash), "%s/-", r.proc.dir);
        struct stat sb;
        assert_int_not_equal(stat(dash, &sb), 0);
    }
    /* bornectl: the same, and init prints the store's schema version (2 today). */
    char cmd[4000], path[600];
    harness_write(r.proc.dir, "event.json", fixture_event_json, path, sizeof(path));
    char bornectl[512];
    snprintf(bornectl, sizeof(bornectl), "%s/src/cli/bornectl",
             getenv("BORNE_BUILD_DIR") ? getenv("BORNE_BUILD_DIR") : ".");
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && '%s' --db kiosk.db init >init.txt && '%s' --db kiosk.db event import "
             "event.json >/dev/null && '%s' --db kiosk.db report credits - >out.txt && "
             "'%s' --db kiosk.db export checkins - >>out.txt",
             r.proc.dir, bornectl, bornectl, bornectl, bornectl);
    assert_int_equal(system(cmd), 0);
    char *init = slurp(&r, "init.txt");
    assert_string_equal(init, "store ready (schema 2)\n");
    free(init);
    char *out = slurp(&r, "out.txt");
    assert_non_null(strstr(out, "participant_id,name,session_id"));
    assert_non_null(strstr(out, "uuid,kiosk,participant_id"));
    free(out);
    char dash[600];
    snprintf(dash, sizeof(dash), "%s/-", r.proc.dir);
    struct stat sb;
    assert_int_not_equal(stat(dash, &sb), 0);
    registry_cleanup(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_kiosk),
        cmocka_unit_test(test_numbers_outside_records),
        cmocka_unit_test(test_reports_skip_rows_already_held),
        cmocka_unit_test(test_future_bound),
        cmocka_unit_test(test_cursor_ahead),
        cmocka_unit_test(test_kiosk_names),
        cmocka_unit_test(test_report_to_stdout),
        cmocka_unit_test(test_session_of_another_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
