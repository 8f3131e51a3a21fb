/* The registry's API against the real borne-registry on 127.0.0.1: authentication and
 * authorisation (missing, bad and revoked tokens; one event per kiosk; no admin operation over
 * HTTP), input validation (content type, malformed JSON, unknown fields, huge arrays, deep
 * nesting, invalid UUIDs, times out of range, NUL bytes, invalid UTF-8), duplicates and
 * conflicting UUIDs, and privacy (no participant oracle for an unauthenticated caller, no names
 * in answers, no names, codes or tokens in the registry's debug log). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry/client.h"
#include "support/fixture.h"

#define JSON "application/json"

static const char *const U1 = "0b1e2a3c-4d5e-4f60-8a7b-9c0d1e2f3a41";
static const char *const U2 = "0b1e2a3c-4d5e-4f60-8a7b-9c0d1e2f3a42";
static const char *const U3 = "0b1e2a3c-4d5e-4f60-8a7b-9c0d1e2f3a43";

/* The log holds no participant name, organisation or code, no token, no code fingerprint and no
 * staff id, and it is not empty (so the capture worked). */
static void assert_log_clean(const test_registry *r, const char *const *secrets)
{
    char *log = registry_log(r);
    assert_true(strlen(log) > 0);
    for (size_t i = 0; fixture_names[i]; i++) {
        if (strstr(log, fixture_names[i])) {
            fail_msg("the registry log names \"%s\"", fixture_names[i]);
        }
    }
    for (size_t i = 0; other_names[i]; i++) {
        assert_null(strstr(log, other_names[i]));
    }
    for (size_t i = 0; secrets && secrets[i]; i++) {
        if (secrets[i][0] && strstr(log, secrets[i])) {
            fail_msg("the registry log holds a secret (%zu chars)", strlen(secrets[i]));
        }
    }
    assert_null(strstr(log, "00112233445566778899aabbccddeeff"));
    assert_null(strstr(log, "staff-Hx"));
    free(log);
}

/* An answer body without its "server_time_ms" (for comparing two answers). */
static char *without_time(const http_resp *a)
{
    json_t *root = json_loadb(a->body, a->len, 0, NULL);
    assert_non_null(root);
    json_object_del(root, "server_time_ms");
    char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    return s;
}

static void push(test_registry *r, const char *token, const char *body, int expect_status,
                 json_t **results)
{
    http_resp a;
    assert_int_equal(
        http_do(r->proc.port, "POST", "/v1/checkins", token, JSON, body, strlen(body), &a), 0);
    if (a.status != expect_status) {
        fail_msg("push: %d %s", a.status, a.body);
    }
    if (results) {
        json_t *root = json_loadb(a.body, a.len, 0, NULL);
        assert_non_null(root);
        *results = json_incref(json_object_get(root, "results"));
        json_decref(root);
    }
    http_resp_free(&a);
}

static const char *status_of(json_t *results, size_t i)
{
    return json_string_value(json_object_get(json_array_get(results, i), "status"));
}

static const char *reason_of(json_t *results, size_t i)
{
    const char *s = json_string_value(json_object_get(json_array_get(results, i), "reason"));
    return s ? s : "";
}

/* ---- authentication and authorisation ---- */

static void test_tokens(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128], enrol[128];
    int kiosk = registry_kiosk(&r, 42, token, enrol);
    const char *status = "{\"version\":\"0.1.0\",\"pending\":0,\"checkins\":0,\"last_scan_ms\":0,"
                         "\"clock\":\"trusted\",\"wall_ms\":1779282000000}";
    static const char *const paths[][2] = {
        {"POST", "/v1/status"}, {"POST", "/v1/checkins"}, {"GET", "/v1/roster"}};
    const char *bad[] = {NULL,
                         "",
                         "short",
                         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                         "has space in it and more",
                         "AAAAAAAAAAAAAAAAAAAA\"}"};
    char *first = NULL;
    for (size_t p = 0; p < 3; p++) {
        for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
            http_resp a;
            bool post = paths[p][0][0] == 'P';
            assert_int_equal(http_do(r.proc.port, paths[p][0], paths[p][1], bad[b],
                                     post ? JSON : NULL, post ? status : NULL,
                                     post ? strlen(status) : 0, &a),
                             0);
            assert_int_equal(a.status, 401);
            assert_non_null(strstr(a.head, "WWW-Authenticate: Bearer"));
            /* One answer for every kind of bad token: nothing tells them apart. */
            char *body = without_time(&a);
            if (!first) {
                first = body;
            } else {
                assert_string_equal(body, first);
                free(body);
            }
            http_resp_free(&a);
        }
    }
    /* A "Basic" scheme or a token in the query string is not a bearer token. */
    http_resp a;
    static const char basic[] = "GET /v1/roster HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                "Authorization: Basic YWRtaW46YWRtaW4=\r\n\r\n";
    assert_int_equal(http_raw(r.proc.port, basic, sizeof(basic) - 1, &a), 0);
    assert_int_equal(a.status, 401);
    http_resp_free(&a);
    char path[300];
    snprintf(path, sizeof(path), "/v1/roster?token=%s", token);
    assert_int_equal(http_do(r.proc.port, "GET", path, NULL, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 401);
    http_resp_free(&a);

    /* The good token works... */
    assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster", token, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);
    /* ...the enrolment token was spent... */
    char body[256];
    snprintf(body, sizeof(body), "{\"enrolment_token\":\"%s\"}", enrol);
    assert_int_equal(http_do(r.proc.port, "POST", "/v1/enrol", NULL, JSON, body, strlen(body), &a),
                     0);
    assert_int_equal(a.status, 403);
    http_resp_free(&a);
    /* ...and is not an API token. */
    assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster", enrol, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 401);
    http_resp_free(&a);

    /* Revoked: 401 at once, the same answer as an unknown token (docs/protocol.md). */
    char id[16];
    snprintf(id, sizeof(id), "%d", kiosk);
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "kiosk", "revoke", id, NULL), 0);
    for (size_t p = 0; p < 3; p++) {
        bool post = paths[p][0][0] == 'P';
        assert_int_equal(http_do(r.proc.port, paths[p][0], paths[p][1], token, post ? JSON : NULL,
                                 post ? status : NULL, post ? strlen(status) : 0, &a),
                         0);
        assert_int_equal(a.status, 401);
        char *b = without_time(&a);
        assert_string_equal(b, first);
        free(b);
        http_resp_free(&a);
    }
    free(first);
    const char *secrets[] = {token, enrol, NULL};
    registry_down(&r);
    assert_log_clean(&r, secrets);
    registry_cleanup(&r);
}

static void test_one_event_per_kiosk(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    registry_other_event(&r);
    char a42[128], a43[128];
    registry_kiosk(&r, 42, a42, NULL);
    registry_kiosk(&r, 43, a43, NULL);

    /* Event 43's kiosk reads event 43 only, whatever it asks for. */
    const char *asks[] = {"/v1/roster", "/v1/roster?since=0", "/v1/roster?event=42",
                          "/v1/roster?event_id=42&since=0", "/v1/roster?since=0&since=0"};
    for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
        http_resp a;
        assert_int_equal(http_do(r.proc.port, "GET", asks[i], a43, NULL, NULL, 0, &a), 0);
        if (a.status == 200) {
            for (size_t n = 0; fixture_names[n]; n++) {
                assert_null(strstr(a.body, fixture_names[n]));
            }
            assert_non_null(strstr(a.body, "Zoé Nadeau-Pelletier"));
            assert_non_null(strstr(a.body, "\"id\":43"));
            assert_null(strstr(a.body, "\"id\":42"));
        } else {
            assert_int_equal(a.status, 400);
        }
        http_resp_free(&a);
    }
    /* Event 42's kiosk never sees event 43's people, even after a change there. */
    char ro[400];
    harness_write(r.proc.dir, "r43b.csv",
                  "id,name,organisation,member,status,sessions\n"
                  "503,Yannick Ouellet-Trois,Ville de Rimouski,oui,confirmé,S1\n",
                  ro, sizeof(ro));
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "roster", "import", "43", ro, NULL), 0);
    http_resp a;
    assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster", a42, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 200);
    assert_null(strstr(a.body, "Zoé"));
    assert_null(strstr(a.body, "Yannick"));
    assert_non_null(strstr(a.body, "Tremblay"));
    http_resp_free(&a);

    /* A push for another event is refused record by record; nothing of it is stored. */
    char rec1[700], rec2[700], body[1600];
    checkin_json(rec1, sizeof(rec1), U1, 42, 501, 1779282000000, true);
    checkin_json(rec2, sizeof(rec2), U2, 43, 501, 1779282000000, true);
    /* Event 43's own session. */
    char *sid = strstr(rec2, "\"session_id\":101");
    assert_non_null(sid);
    memcpy(sid + strlen("\"session_id\":"), "301", 3);
    snprintf(body, sizeof(body), "{\"checkins\":[%s,%s]}", rec1, rec2);
    json_t *res;
    push(&r, a43, body, 200, &res);
    assert_string_equal(status_of(res, 0), "refused");
    assert_string_equal(reason_of(res, 0), "another event");
    assert_string_equal(status_of(res, 1), "stored");
    json_decref(res);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin WHERE event_id = 42"), 0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin WHERE event_id = 43"), 1);
    /* Event 42's kiosk re-sending event 43's UUID: refused, the row stays event 43's. */
    checkin_json(rec1, sizeof(rec1), U2, 42, 1, 1779282000000, true);
    snprintf(body, sizeof(body), "{\"checkins\":[%s]}", rec1);
    push(&r, a42, body, 200, &res);
    assert_string_equal(status_of(res, 0), "refused");
    json_decref(res);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin WHERE event_id = 42"), 0);

    /* No other kiosk, no admin operation, no report is reachable with a kiosk token. */
    const char *admin[][2] = {{"GET", "/v1/kiosks"},
                              {"GET", "/v1/kiosk"},
                              {"POST", "/v1/kiosk/revoke"},
                              {"GET", "/v1/report"},
                              {"GET", "/v1/reports/43"},
                              {"POST", "/v1/roster"},
                              {"POST", "/v1/events"},
                              {"GET", "/v1/participants"},
                              {"GET", "/v1/participant/501"},
                              {"DELETE", "/v1/roster"},
                              {"PUT", "/v1/checkins"},
                              {"GET", "/v1/checkins"},
                              {"GET", "/v1/purge"},
                              {"GET", "/v1/../v1/kiosks"},
                              {"GET", "/v1/roster/../kiosks"},
                              {"GET", "/admin"},
                              {"GET", "/"},
                              {"GET", "/v2/roster"},
                              {"OPTIONS", "/v1/roster"},
                              {"HEAD", "/v1/roster"}};
    for (size_t i = 0; i < sizeof(admin) / sizeof(admin[0]); i++) {
        assert_int_equal(http_do(r.proc.port, admin[i][0], admin[i][1], a43,
                                 admin[i][0][0] == 'P' ? JSON : NULL,
                                 admin[i][0][0] == 'P' ? "{}" : NULL, 2, &a),
                         0);
        /* Outside /v1/ is the web console's: a kiosk token is no session there, the console
         * asks for sign-in (docs/console.md). */
        bool console = strncmp(admin[i][1], "/v1/", 4) != 0;
        if (a.status != 404 && a.status != 405 &&
            !(console && a.status == 303 && strstr(a.head, "\r\nLocation: /signin"))) {
            fail_msg("%s %s answered %d", admin[i][0], admin[i][1], a.status);
        }
        assert_null(strstr(a.body ? a.body : "", "porte-T"));
        http_resp_free(&a);
    }
    /* The status answer names this kiosk only. */
    const char *st = "{\"version\":\"0.1.0\",\"pending\":0,\"checkins\":0,\"last_scan_ms\":0,"
                     "\"clock\":\"trusted\",\"wall_ms\":1779282000000}";
    assert_int_equal(http_do(r.proc.port, "POST", "/v1/status", a43, JSON, st, strlen(st), &a), 0);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "\"event_id\":43"));
    http_resp_free(&a);
    const char *secrets[] = {a42, a43, NULL};
    registry_down(&r);
    assert_log_clean(&r, secrets);
    registry_cleanup(&r);
}

/* ---- input validation ---- */

static void test_request_shape(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    char rec[700], body[1600];
    checkin_json(rec, sizeof(rec), U1, 42, 1, 1779282000000, true);
    snprintf(body, sizeof(body), "{\"checkins\":[%s]}", rec);
    http_resp a;

    /* Content type: JSON only (with or without a charset). */
    const char *types[] = {NULL, "text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "application/jsonx"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        assert_int_equal(
            http_do(r.proc.port, "POST", "/v1/checkins", token, types[i], body, strlen(body), &a),
            0);
        assert_int_equal(a.status, 415);
        assert_non_null(strstr(http_error_text(&a), "application/json"));
        http_resp_free(&a);
    }
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin"), 0);
    assert_int_equal(http_do(r.proc.port, "POST", "/v1/checkins", token,
                             "Application/JSON; charset=utf-8", body, strlen(body), &a),
                     0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);

    /* Not JSON, not an object, not UTF-8: 400 with words that say so; nothing stored. */
    const char *broken[] = {"",
                            "{",
                            "nope",
                            "[]",
                            "{\"checkins\": [}",
                            "{\"checkins\": 5}",
                            "{\"checkins\": [1, 2]}",
                            "{\"checkins\": []}   trailing",
                            "{\"checkins\": [], \"checkins\": []}",
                            "\xff\xfe{}",
                            "{\"checkins\": [{\"uuid\": \"\xc3\x28\"}]}",
                            "{\"checkins\": [{\"uuid\": \"\\ud800\"}]}"};
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        assert_int_equal(http_do(r.proc.port, "POST", "/v1/checkins", token, JSON, broken[i],
                                 strlen(broken[i]), &a),
                         0);
        if (a.status != 400) {
            fail_msg("\"%s\": %d %s", broken[i], a.status, a.body);
        }
        assert_true(strlen(http_error_text(&a)) > 10);
        http_resp_free(&a);
    }
    /* A raw NUL byte in the body. */
    static const char nul[] = "{\"checkins\": [\0]}";
    assert_int_equal(
        http_do(r.proc.port, "POST", "/v1/checkins", token, JSON, nul, sizeof(nul) - 1, &a), 0);
    assert_int_equal(a.status, 400);
    http_resp_free(&a);
    /* Malformed JSON: the error says where. */
    assert_int_equal(
        http_do(r.proc.port, "POST", "/v1/checkins", token, JSON, "{\"checkins\": [x]}", 17, &a),
        0);
    assert_int_equal(a.status, 400);
    assert_non_null(strstr(http_error_text(&a), "column"));
    http_resp_free(&a);

    /* Records without a readable UUID: the batch is refused whole (400), naming the record. */
    const char *uuids[] = {"",
                           "0B1E2A3C-4D5E-4F60-8A7B-9C0D1E2F3A4B",
                           "0b1e2a3c4d5e4f608a7b9c0d1e2f3a4b",
                           "0b1e2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4",
                           "'; DROP TABLE checkin; --",
                           "0b1e2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b\\u0000x"};
    for (size_t i = 0; i < sizeof(uuids) / sizeof(uuids[0]); i++) {
        char one[700];
        checkin_json(one, sizeof(one), uuids[i], 42, 1, 1779282000000, true);
        snprintf(body, sizeof(body), "{\"checkins\":[%s,%s]}", rec, one);
        assert_int_equal(
            http_do(r.proc.port, "POST", "/v1/checkins", token, JSON, body, strlen(body), &a), 0);
        assert_int_equal(a.status, 400);
        assert_non_null(strstr(http_error_text(&a), "record 2"));
        http_resp_free(&a);
    }
    /* Unknown top-level field. */
    snprintf(body, sizeof(body), "{\"checkins\":[%s], \"sneaky\": 1}", rec);
    assert_int_equal(
        http_do(r.proc.port, "POST", "/v1/checkins", token, JSON, body, strlen(body), &a), 0);
    assert_int_equal(a.status, 400);
    assert_non_null(strstr(http_error_text(&a), "sneaky"));
    http_resp_free(&a);

    /* More than 1000 records: 400, nothing stored. */
    size_t cap = 1100 * 720 + 64, len = 0;
    char *big = malloc(cap);
    len += (size_t)snprintf(big + len, cap - len, "{\"checkins\":[");
    for (int i = 0; i < 1001; i++) {
        char u[40], one[700];
        snprintf(u, sizeof(u), "0b1e2a3c-4d5e-4f60-8a7b-%012x", i);
        checkin_json(one, sizeof(one), u, 42, 1, 1779282000000, true);
        len += (size_t)snprintf(big + len, cap - len, "%s%s", i ? "," : "", one);
    }
    len += (size_t)snprintf(big + len, cap - len, "]}");
    assert_int_equal(http_do(r.proc.port, "POST", "/v1/checkins", token, JSON, big, len, &a), 0);
    assert_int_equal(a.status, 400);
    assert_non_null(strstr(http_error_text(&a), "1000"));
    http_resp_free(&a);
    /* Deep nesting: 400 (or refused), never a crash. */
    len = 0;
    len += (size_t)snprintf(big + len, cap - len, "{\"checkins\":");
    for (int i = 0; i < 200000; i++) {
        big[len++] = '[';
    }
    for (int i = 0; i < 200000; i++) {
        big[len++] = ']';
    }
    big[len++] = '}';
    assert_int_equal(http_do(r.proc.port, "POST", "/v1/checkins", token, JSON, big, len, &a), 0);
    assert_int_equal(a.status, 400);
    http_resp_free(&a);
    free(big);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin"), 1);

    /* Status and enrolment bodies: the same strictness. */
    const char *st_bad[] = {"{\"pending\":0}", "{}", "[]",
                            "{\"version\":\"0.1.0\",\"pending\":-1,\"checkins\":0,"
                            "\"last_scan_ms\":0,\"clock\":\"trusted\",\"wall_ms\":0}",
                            "{\"version\":\"0.1.0\",\"pending\":0,\"checkins\":0,"
                            "\"last_scan_ms\":0,\"clock\":\"trusted\",\"wall_ms\":0,\"x\":1}"};
    for (size_t i = 0; i < sizeof(st_bad) / sizeof(st_bad[0]); i++) {
        assert_int_equal(http_do(r.proc.port, "POST", "/v1/status", token, JSON, st_bad[i],
                                 strlen(st_bad[i]), &a),
                         0);
        assert_int_equal(a.status, 400);
        http_resp_free(&a);
    }
    const char *since_bad[] = {"/v1/roster?since=-1", "/v1/roster?since=abc",
                               "/v1/roster?since=99999999999999999999",
                               "/v1/roster?since=", "/v1/roster?since=1%00"};
    for (size_t i = 0; i < sizeof(since_bad) / sizeof(since_bad[0]); i++) {
        assert_int_equal(http_do(r.proc.port, "GET", since_bad[i], token, NULL, NULL, 0, &a), 0);
        assert_int_equal(a.status, 400);
        http_resp_free(&a);
    }
    const char *secrets[] = {token, NULL};
    registry_down(&r);
    assert_log_clean(&r, secrets);
    registry_cleanup(&r);
}

/* One record with `field` replaced by `value` (raw JSON text), or added when absent. */
static void record_with(char *out, size_t cap, const char *uuid, const char *field,
                        const char *value)
{
    char rec[700];
    checkin_json(rec, sizeof(rec), uuid, 42, 1, 1779282000000, true);
    json_t *o = json_loads(rec, 0, NULL);
    char *base = json_dumps(o, JSON_COMPACT);
    json_object_del(o, field);
    char *rest = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    /* rest is "{...}": put the field first, raw. */
    snprintf(out, cap, "{\"%s\":%s,%s", field, value, rest + 1);
    free(base);
    free(rest);
}

static void test_records_refused_with_reason(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    static const struct {
        const char *field, *value, *reason;
    } cases[] = {
        {"wall_ms", "-1", "wall_ms"},
        {"wall_ms", "7258118400001", "wall_ms"},
        {"wall_ms", "1.5e12", "wall_ms"},
        {"wall_ms", "\"1779282000000\"", "wall_ms"},
        {"wall_recorded_ms", "99999999999999999", "wall_recorded_ms"},
        {"mono_ms", "-5", "mono_ms"},
        {"event_id", "0", "event_id"},
        {"event_id", "4294967296", "event_id"},
        {"participant_id", "-1", "participant_id"},
        {"session_id", "null", "session_id"},
        {"direction", "\"sideways\"", "direction"},
        {"method", "99", "method"},
        {"outcome", "-1", "outcome"},
        {"clock_trusted", "1", "clock_trusted"},
        {"staff_id", "\"ab\\u0000cd\"", "staff_id"},
        {"staff_id", "\"tab\\there\"", "staff_id"},
        {"staff_id", "\"\\u202eevil\"", NULL}, /* a printable mark: allowed */
        {"staff_id", "\"staff-Hx\"", NULL},
        {"staff_id", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
         "staff_id"},
        {"boot_id", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
         "boot_id"},
        {"boot_id", "{\"a\":{\"b\":{\"c\":1}}}", "boot_id"},
        {"code_hash", "\"0011\"", "code_hash"},
        {"code_hash", "\"zz112233445566778899aabbccddeeff\"", "code_hash"},
        {"code_hash", "null", NULL},
        {"surname", "\"Tremblay\"", "unknown field"},
        {"walk_in_nom", "\"x\"", "unknown field"},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);
    size_t cap = n * 800 + 64, len = 0;
    char *body = malloc(cap);
    len += (size_t)snprintf(body + len, cap - len, "{\"checkins\":[");
    for (size_t i = 0; i < n; i++) {
        char u[40], one[800];
        snprintf(u, sizeof(u), "1b1e2a3c-4d5e-4f60-8a7b-%012zx", i);
        record_with(one, sizeof(one), u, cases[i].field, cases[i].value);
        len += (size_t)snprintf(body + len, cap - len, "%s%s", i ? "," : "", one);
    }
    snprintf(body + len, cap - len, "]}");
    json_t *res;
    push(&r, token, body, 200, &res);
    free(body);
    assert_int_equal(json_array_size(res), n);
    int64_t stored = 0;
    for (size_t i = 0; i < n; i++) {
        if (!cases[i].reason) {
            assert_string_equal(status_of(res, i), "stored");
            stored++;
            continue;
        }
        if (strcmp(status_of(res, i), "refused") != 0 ||
            !strstr(reason_of(res, i), cases[i].reason)) {
            fail_msg("case %zu (%s = %s): %s \"%s\"", i, cases[i].field, cases[i].value,
                     status_of(res, i), reason_of(res, i));
        }
        /* The reason never echoes the value. */
        assert_null(strstr(reason_of(res, i), "Tremblay"));
    }
    json_decref(res);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin"), stored);
    const char *secrets[] = {token, NULL};
    registry_down(&r);
    assert_log_clean(&r, secrets);
    registry_cleanup(&r);
}

static void test_duplicates_and_conflicts(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char ta[128], tb[128];
    registry_kiosk(&r, 42, ta, NULL);
    registry_kiosk(&r, 42, tb, NULL);
    char r1[700], r1same[700], r1other[700], r2[700], body[4000];
    checkin_json(r1, sizeof(r1), U1, 42, 1, 1779282000000, false);
    checkin_json(r1same, sizeof(r1same), U1, 42, 1, 1779282000000, false);
    checkin_json(r1other, sizeof(r1other), U1, 42, 2, 1779282000000, false);
    checkin_json(r2, sizeof(r2), U2, 42, 3, 1779282000000, true);
    /* One batch: the same UUID twice with the same content, then with other content. */
    snprintf(body, sizeof(body), "{\"checkins\":[%s,%s,%s,%s]}", r1, r1same, r1other, r2);
    json_t *res;
    push(&r, ta, body, 200, &res);
    assert_int_equal(json_array_size(res), 4);
    assert_string_equal(status_of(res, 0), "stored");
    assert_string_equal(status_of(res, 1), "duplicate");
    assert_string_equal(status_of(res, 2), "refused");
    assert_non_null(strstr(reason_of(res, 2), "different content"));
    assert_string_equal(status_of(res, 3), "stored");
    json_decref(res);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin"), 2);
    /* The first content stays. */
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT participant_id FROM checkin WHERE uuid = '%s'", U1);
    assert_int_equal(registry_query_int(&r, sql), 1);

    /* A retry after the kiosk corrected its clock (same record, trusted time now): duplicate,
     * and the registry takes the corrected time. */
    char corrected[700];
    checkin_json(corrected, sizeof(corrected), U1, 42, 1, 1779282123000, true);
    snprintf(body, sizeof(body), "{\"checkins\":[%s]}", corrected);
    push(&r, ta, body, 200, &res);
    assert_string_equal(status_of(res, 0), "duplicate");
    json_decref(res);
    snprintf(sql, sizeof(sql), "SELECT wall_ms FROM checkin WHERE uuid = '%s'", U1);
    assert_int_equal(registry_query_int(&r, sql), 1779282123000);
    snprintf(sql, sizeof(sql), "SELECT clock_trusted FROM checkin WHERE uuid = '%s'", U1);
    assert_int_equal(registry_query_int(&r, sql), 1);
    /* A trusted time is never replaced by another one. */
    checkin_json(corrected, sizeof(corrected), U2, 42, 3, 1779282999000, true);
    snprintf(body, sizeof(body), "{\"checkins\":[%s]}", corrected);
    push(&r, ta, body, 200, &res);
    assert_string_equal(status_of(res, 0), "refused");
    assert_non_null(strstr(reason_of(res, 0), "different content"));
    json_decref(res);
    snprintf(sql, sizeof(sql), "SELECT wall_ms FROM checkin WHERE uuid = '%s'", U2);
    assert_int_equal(registry_query_int(&r, sql), 1779282000000);

    /* Another kiosk re-using a UUID: refused, the row stays the first kiosk's. */
    snprintf(body, sizeof(body), "{\"checkins\":[%s,%s]}", r2, r1);
    push(&r, tb, body, 200, &res);
    assert_string_equal(status_of(res, 0), "refused");
    assert_string_equal(reason_of(res, 0), "uuid already used by another kiosk");
    assert_string_equal(status_of(res, 1), "refused");
    json_decref(res);
    /* A plain retry of the whole first batch: no new rows. */
    snprintf(body, sizeof(body), "{\"checkins\":[%s,%s]}", r1, r2);
    push(&r, ta, body, 200, &res);
    assert_string_equal(status_of(res, 1), "duplicate");
    json_decref(res);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin"), 2);
    checkin_json(r1, sizeof(r1), U3, 42, 1, 1779282000000, true);
    const char *secrets[] = {ta, tb, NULL};
    registry_down(&r);
    assert_log_clean(&r, secrets);
    registry_cleanup(&r);
}

/* ---- privacy ---- */

static double median(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
    return v[n / 2];
}

static void test_no_participant_oracle(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    /* Whatever an unauthenticated caller names (a participant in the roster, or not; an opaque
     * code that exists, or not), the answer is the same and takes about as long. */
    static const char known_code[] = "/v1/roster?code=" FIX_OPAQUE_HELENE;
    const char *known[] = {"/v1/roster?participant=1", known_code, "/v1/participants/1",
                           "/v1/enrol"};
    const char *unknown[] = {"/v1/roster?participant=99", "/v1/roster?code=OPQ-0000-XX",
                             "/v1/participants/99", "/v1/enrol"};
    enum { ROUNDS = 25 };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        double tk[ROUNDS], tu[ROUNDS];
        char *first = NULL;
        bool post = strcmp(known[i], "/v1/enrol") == 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int which = 0; which < 2; which++) {
                http_resp a;
                char body[300];
                snprintf(body, sizeof(body), "{\"enrolment_token\":\"%s\",\"kiosk\":\"x\"}",
                         which ? "UNKNOWNunknownUNKNOWNunknown" : FIX_OPAQUE_HELENE "xxxxxxxxxx");
                const char *path = which ? unknown[i] : known[i];
                assert_int_equal(http_do(r.proc.port, post ? "POST" : "GET", path,
                                         post ? NULL : "WrongTokenWrongTokenWrongToken",
                                         post ? JSON : NULL, post ? body : NULL,
                                         post ? strlen(body) : 0, &a),
                                 0);
                (which ? tu : tk)[round] = a.seconds;
                assert_true(a.status == 401 || a.status == 403 || a.status == 404 ||
                            a.status == 400);
                for (size_t n = 0; fixture_names[n]; n++) {
                    assert_null(strstr(a.body, fixture_names[n]));
                }
                char *b = without_time(&a);
                if (!first) {
                    first = b;
                } else {
                    assert_string_equal(b, first);
                    free(b);
                }
                http_resp_free(&a);
            }
        }
        free(first);
        double mk = median(tk, ROUNDS), mu = median(tu, ROUNDS);
        /* Loopback answers take about a millisecond; a lookup would not hide in 5 ms either
         * way, but a table scan or a name search would show. */
        if (mk - mu > 0.005 || mu - mk > 0.005) {
            fail_msg("%s: %.2f ms vs %.2f ms", known[i], mk * 1e3, mu * 1e3);
        }
    }
    /* An authenticated kiosk pushing check-ins for a known or an unknown participant: the
     * unknown one is refused by itself. This tells the kiosk nothing it does not hold already:
     * it pulls its event's whole roster. */
    char rk[700], ru[700], body[1600];
    checkin_json(rk, sizeof(rk), U1, 42, 1, 1779282000000, true);
    checkin_json(ru, sizeof(ru), U2, 42, 999999, 1779282000000, true);
    snprintf(body, sizeof(body), "{\"checkins\":[%s,%s]}", rk, ru);
    json_t *res;
    push(&r, token, body, 200, &res);
    assert_string_equal(status_of(res, 0), "stored");
    assert_string_equal(status_of(res, 1), "refused");
    assert_string_equal(reason_of(res, 1), "unknown participant");
    json_decref(res);
    const char *secrets[] = {token, NULL};
    registry_down(&r);
    assert_log_clean(&r, secrets);
    registry_cleanup(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_one_event_per_kiosk),
        cmocka_unit_test(test_request_shape),
        cmocka_unit_test(test_records_refused_with_reason),
        cmocka_unit_test(test_duplicates_and_conflicts),
        cmocka_unit_test(test_no_participant_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
