/* The web console's security, over plain HTTP against the real borne-registry: no page, export
 * or JSON without a session (redirect to sign-in, 401 for JSON); sign-in refused then accepted,
 * its cookie's flags, the token stored hashed; failed sign-ins spend the per-address budget
 * (429); CSRF-less, wrong-token and cross-origin POSTs refused (403); the desk role cannot read
 * the audit log nor export credits; audit rows written; names from the roster escaped on every
 * page; the live figures follow a kiosk's pushes; an attestation downloads as a PDF with the
 * participant's name; the search ignores accents; the API under /v1/ is untouched. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "registry/client.h"
#include "support/fixture.h"

#define PASSWORD   "correct horse battery"
#define XSS_SCRIPT "<script>alert(1)</script>"
#define XSS_IMG    "\"><img src=x onerror=alert(2)>"

static void expect_status_form(test_registry *r, const char *path, const char *cookie,
                               const char *form, int status)
{
    http_resp a;
    web_request(r, "POST", path, cookie, NULL, form, &a);
    if (a.status != status) {
        fail_msg("POST %s (%s): %d, expected %d", path, form, a.status, status);
    }
    http_resp_free(&a);
}

static void setup(test_registry *r, const char *extra1, const char *extra2)
{
    registry_up(r, extra1, extra2, NULL);
    registry_fixture_event(r);
    web_add_user(r, "alice", "registrar", PASSWORD);
    web_add_user(r, "dora", "desk", PASSWORD);
}

/* Runs one SQL statement on the registry's database (as an operator would, to age a row). */
static int db_rw_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static void test_nothing_without_session(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, NULL, NULL);
    static const char *const pages[] = {"/",
                                        "/events",
                                        "/events/42",
                                        "/audit",
                                        "/events/42/credits.csv",
                                        "/events/42/credits-excel.csv",
                                        "/events/42/review",
                                        "/events/42/participants?q=helene",
                                        "/events/42/participants/1",
                                        "/events/42/attestations/1.pdf",
                                        "/events/42/credits",
                                        "/events/42/attestations.zip",
                                        "/nowhere"};
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        http_resp a;
        web_request(&r, "GET", pages[i], NULL, NULL, NULL, &a);
        if (a.status != 303) {
            fail_msg("%s: %d without a session", pages[i], a.status);
        }
        char loc[200];
        web_head_value(&a, "Location", loc, sizeof(loc));
        assert_int_equal(strncmp(loc, "/signin", 7), 0);
        assert_null(strstr(a.body ? a.body : "", "Hélène"));
        http_resp_free(&a);
    }
    /* A forged or stale cookie is no session. */
    web_expect_status(&r, "GET", "/events",
                      "borne_session="
                      "0000000000000000000000000000000000000000000000000000000000000000",
                      303);
    /* The script's JSON: 401, not a redirect. */
    http_resp a;
    web_request(&r, "GET", "/events/42/live.json", NULL, NULL, NULL, &a);
    assert_int_equal(a.status, 401);
    assert_non_null(strstr(a.head, "application/json"));
    http_resp_free(&a);
    web_request(&r, "GET", "/events/42/credits.json", NULL, NULL, NULL, &a);
    assert_int_equal(a.status, 401);
    assert_null(strstr(a.body, "Hélène"));
    http_resp_free(&a);
    /* The sign-in page and the assets are public, with the security headers. */
    web_request(&r, "GET", "/signin", NULL, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    char v[400];
    web_head_value(&a, "Content-Security-Policy", v, sizeof(v));
    assert_non_null(strstr(v, "script-src 'self'"));
    assert_non_null(strstr(v, "frame-ancestors 'none'"));
    assert_null(strstr(v, "unsafe-inline"));
    web_head_value(&a, "X-Frame-Options", v, sizeof(v));
    assert_string_equal(v, "DENY");
    web_head_value(&a, "X-Content-Type-Options", v, sizeof(v));
    assert_string_equal(v, "nosniff");
    web_head_value(&a, "Referrer-Policy", v, sizeof(v));
    assert_string_equal(v, "same-origin");
    assert_null(strstr(a.body, "<script>")); /* no inline script */
    assert_non_null(strstr(a.body, "Mot de passe"));
    http_resp_free(&a);
    web_request(&r, "GET", "/assets/console.js", NULL, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "live.json"));
    http_resp_free(&a);
    /* The kiosk API is untouched: its own 401 JSON. */
    web_request(&r, "GET", "/v1/roster", NULL, NULL, NULL, &a);
    assert_int_equal(a.status, 401);
    assert_non_null(strstr(a.head, "WWW-Authenticate: Bearer"));
    http_resp_free(&a);
    registry_cleanup(&r);
}

static void test_sign_in_and_cookie(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, NULL, NULL);
    http_resp a;
    web_request(&r, "POST", "/signin", NULL, NULL, "name=alice&password=wrong+password", &a);
    assert_int_equal(a.status, 401);
    assert_null(strstr(a.head, "Set-Cookie"));
    assert_non_null(strstr(a.body, "incorrect"));
    http_resp_free(&a);
    /* Unknown user: the same answer. */
    web_request(&r, "POST", "/signin", NULL, NULL, "name=mallory&password=whatever123", &a);
    assert_int_equal(a.status, 401);
    http_resp_free(&a);

    web_request(&r, "POST", "/signin", NULL, NULL,
                "name=alice&password=correct+horse+battery&next=%2Fevents", &a);
    assert_int_equal(a.status, 303);
    char set[300];
    web_head_value(&a, "Set-Cookie", set, sizeof(set));
    assert_non_null(strstr(set, "; HttpOnly"));
    assert_non_null(strstr(set, "; SameSite=Strict"));
    assert_non_null(strstr(set, "; Path=/"));
    assert_null(strstr(set, "Secure")); /* plain HTTP here */
    http_resp_free(&a);
    char cookie[80];
    snprintf(cookie, sizeof(cookie), "%.78s", set);
    cookie[strcspn(cookie, ";")] = '\0';

    web_request(&r, "GET", "/events", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "Congrès 2026"));
    assert_non_null(strstr(a.body, "alice"));
    http_resp_free(&a);
    /* English on request, the same page. */
    char both[200];
    snprintf(both, sizeof(both), "%s; borne_lang=en", cookie);
    web_request(&r, "GET", "/events", both, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "Sign out"));
    http_resp_free(&a);

    /* Stored hashed: the cookie's token is nowhere in the database. */
    char sql[300];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM console_session WHERE hex(token_hash) = upper('%s')"
             " OR csrf = '%s'",
             cookie + 14, cookie + 14);
    assert_int_equal(registry_query_int(&r, sql), 0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_session"), 1);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_user WHERE hash LIKE "
                                            "'$argon2id$%'"),
                     2);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE who = "
                                            "'alice' AND action = 'signin'"),
                     1);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action = "
                                            "'user.add' AND after_json LIKE '%\"role\":\"desk\"%'"),
                     1);
    /* A name already taken is refused (exit 1) in words, and the account is unchanged. */
    char cmd[1400];
    snprintf(cmd, sizeof(cmd),
             "echo 'another password' | '%s' --db '%s' user add alice --role desk"
             " >/dev/null 2>'%s/err.txt'",
             harness_registry_bin(), r.proc.db, r.proc.dir);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1);
    char err_path[400], err_text[200] = "";
    snprintf(err_path, sizeof(err_path), "%s/err.txt", r.proc.dir);
    FILE *ef = fopen(err_path, "r");
    assert_non_null(ef);
    size_t en = fread(err_text, 1, sizeof(err_text) - 1, ef);
    err_text[en] = '\0';
    fclose(ef);
    assert_non_null(strstr(err_text, "user \"alice\" exists already"));
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_user WHERE name = "
                                            "'alice' AND role = 2"),
                     1);
    /* A disabled user's session ends at once. */
    char out[200];
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "user", "disable", "alice", NULL), 0);
    web_expect_status(&r, "GET", "/events", cookie, 303);
    web_request(&r, "POST", "/signin", NULL, NULL, "name=alice&password=correct+horse+battery", &a);
    assert_int_equal(a.status, 401);
    http_resp_free(&a);
    registry_cleanup(&r);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A budget of 3 failures, one more every 3 s: the 4th wrong password in a row is refused
 * with 429 unless the guesses were slow enough to earn more (each costs an argon2id check,
 * slow under the sanitizers on a loaded machine), so the count allowed follows the time spent. */
static void test_failed_sign_ins_throttled(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, "--auth-failures", "3");
    http_resp a;
    int refused_after = -1;
    double t0 = seconds_now();
    for (int i = 0; i < 12 && refused_after < 0; i++) {
        web_request(&r, "POST", "/signin", NULL, NULL, "name=alice&password=guess-number-x", &a);
        if (a.status == 429) {
            char v[40];
            web_head_value(&a, "Retry-After", v, sizeof(v));
            assert_string_equal(v, "3");
            refused_after = i;
        } else {
            assert_int_equal(a.status, 401);
        }
        http_resp_free(&a);
    }
    double spent = seconds_now() - t0;
    assert_true(refused_after >= 3); /* the first three are answered */
    if (refused_after > 3 + (int)(spent / 3.0) + 1) {
        fail_msg("429 only after %d failures in %.1f s", refused_after, spent);
    }
    /* Refused again at once: the budget is spent. */
    web_request(&r, "POST", "/signin", NULL, NULL, "name=alice&password=guess-number-x", &a);
    assert_int_equal(a.status, 429);
    http_resp_free(&a);
    registry_cleanup(&r);
}

static void test_csrf(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, NULL, NULL);
    char cookie[80], csrf[65], form[200];
    web_sign_in(&r, "alice", "correct+horse+battery", cookie);
    web_page_csrf(&r, cookie, csrf);
    http_resp a;
    /* No token, a wrong token, another site's Origin with the right token: 403, still in. */
    web_request(&r, "POST", "/signout", cookie, NULL, "x=1", &a);
    assert_int_equal(a.status, 403);
    http_resp_free(&a);
    web_request(&r, "POST", "/signout", cookie, NULL,
                "csrf=1111111111111111111111111111111111111111111111111111111111111111", &a);
    assert_int_equal(a.status, 403);
    http_resp_free(&a);
    snprintf(form, sizeof(form), "csrf=%s", csrf);
    web_request(&r, "POST", "/signout", cookie, "Origin: http://evil.example\r\n", form, &a);
    assert_int_equal(a.status, 403);
    http_resp_free(&a);
    web_request(&r, "POST", "/signout", cookie, "Sec-Fetch-Site: cross-site\r\n", form, &a);
    assert_int_equal(a.status, 403);
    http_resp_free(&a);
    /* Another session's token does not do either. */
    char cookie2[80], csrf2[65], form2[200];
    web_sign_in(&r, "dora", "correct+horse+battery", cookie2);
    web_page_csrf(&r, cookie2, csrf2);
    snprintf(form2, sizeof(form2), "csrf=%s", csrf2);
    web_request(&r, "POST", "/signout", cookie, NULL, form2, &a);
    assert_int_equal(a.status, 403);
    http_resp_free(&a);
    web_expect_status(&r, "GET", "/events", cookie, 200);
    /* A cross-site sign-in form is refused too. */
    web_request(&r, "POST", "/signin", NULL, "Origin: http://evil.example\r\n",
                "name=alice&password=correct+horse+battery", &a);
    assert_int_equal(a.status, 403);
    http_resp_free(&a);
    /* The right token from this origin: signed out, the session gone. */
    char origin[80];
    snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%u\r\n", (unsigned)r.proc.port);
    web_request(&r, "POST", "/signout", cookie, origin, form, &a);
    assert_int_equal(a.status, 303);
    char set[200];
    web_head_value(&a, "Set-Cookie", set, sizeof(set));
    assert_non_null(strstr(set, "Max-Age=0"));
    http_resp_free(&a);
    web_expect_status(&r, "GET", "/events", cookie, 303);
    web_expect_status(&r, "GET", "/events", cookie2, 200);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE who = "
                                            "'alice' AND action = 'signout'"),
                     1);
    registry_cleanup(&r);
}

static void test_roles(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, NULL, NULL);
    char desk[80], reg[80];
    web_sign_in(&r, "dora", "correct+horse+battery", desk);
    web_sign_in(&r, "alice", "correct+horse+battery", reg);
    web_expect_status(&r, "GET", "/audit", desk, 403);
    web_expect_status(&r, "GET", "/events/42/credits.csv", desk, 403);
    web_expect_status(&r, "GET", "/events/42", desk, 200);
    web_expect_status(&r, "GET", "/events/42/participants?q=tremblay", desk, 200);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action = "
                                            "'export.credits'"),
                     0);
    http_resp a;
    web_request(&r, "GET", "/events/42/credits.csv", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.head, "text/csv"));
    assert_non_null(strstr(a.head, "attachment; filename=\"credits-42.csv\""));
    http_resp_free(&a);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action = "
                                            "'export.credits' AND who = 'alice'"),
                     1);
    web_request(&r, "GET", "/audit", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    /* The action in words, the event it concerns a link. */
    assert_non_null(strstr(a.body, "<td data-action=\"export.credits\">export des crédits</td>"
                                   "<td><a href=\"/events/42\">événement 42</a></td>"));
    assert_non_null(strstr(a.body, "data-action=\"signin\">connexion</td><td>dora</td>"));
    assert_non_null(strstr(a.body, "dora"));
    http_resp_free(&a);
    registry_cleanup(&r);
}

/* One check-in of event 42 pushed by the kiosk: an entry (outcome 0) unless `exit` (outcome 1),
 * or another outcome number (e.g. 17 staff admission, 15 registration cancelled) when
 * outcome > 1, kept an entry. */
static void push_outcome(test_registry *r, const char *token, const char *uuid,
                         uint32_t participant, int64_t wall_ms, bool exit, int outcome)
{
    char rec[1024], body[1200];
    checkin_json(rec, sizeof(rec), uuid, 42, participant, wall_ms, true);
    char *o = strstr(rec, "\"outcome\":0");
    assert_non_null(o);
    if (exit) {
        char *d = strstr(rec, "\"entry\"");
        memcpy(d, "\"exit\" ", 7);
        o[10] = '1';
    } else if (outcome > 9) {
        memmove(o + 12, o + 11, strlen(o + 11) + 1);
        o[10] = (char)('0' + outcome / 10);
        o[11] = (char)('0' + outcome % 10);
    }
    snprintf(body, sizeof(body), "{\"checkins\":[%s]}", rec);
    http_resp a;
    assert_int_equal(http_do(r->proc.port, "POST", "/v1/checkins", token, "application/json", body,
                             strlen(body), &a),
                     0);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "\"stored\""));
    http_resp_free(&a);
}

static void push(test_registry *r, const char *token, const char *uuid, uint32_t participant,
                 int64_t wall_ms, bool exit)
{
    push_outcome(r, token, uuid, participant, wall_ms, exit, exit ? 1 : 0);
}

static json_t *live(test_registry *r, const char *cookie, json_int_t session, const char *field)
{
    http_resp a;
    web_request(r, "GET", "/events/42/live.json", cookie, "Accept: application/json\r\n", NULL, &a);
    assert_int_equal(a.status, 200);
    json_t *root = json_loadb(a.body, a.len, 0, NULL);
    assert_non_null(root);
    http_resp_free(&a);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(root, "sessions"), i, s)
    {
        if (json_integer_value(json_object_get(s, "id")) == session) {
            json_t *v = json_incref(json_object_get(s, field));
            json_decref(root);
            return v;
        }
    }
    json_decref(root);
    fail_msg("session %lld not in live.json", (long long)session);
    return NULL;
}

static json_int_t live_int(test_registry *r, const char *cookie, json_int_t session,
                           const char *field)
{
    json_t *v = live(r, cookie, session, field);
    json_int_t n = json_integer_value(v);
    json_decref(v);
    return n;
}

/* The three credits downloads: Excel-FR (BOM, ';', CRLF), the machine CSV (',' and LF), the
 * portal's JSON; each named and typed, each recorded with its format; the desk gets none. */
static void test_credits_formats(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, NULL, NULL);
    char desk[80], reg[80];
    web_sign_in(&r, "dora", "correct+horse+battery", desk);
    web_sign_in(&r, "alice", "correct+horse+battery", reg);
    web_expect_status(&r, "GET", "/events/42/credits-excel.csv", desk, 403);
    web_expect_status(&r, "GET", "/events/42/credits.json", desk, 403);
    web_expect_status(&r, "GET", "/events/42/credits.xlsx", reg, 404);
    web_expect_status(&r, "GET", "/events/99/credits-excel.csv", reg, 404);
    http_resp a;
    char v[200];
    /* The credits page offers Excel first. */
    web_request(&r, "GET", "/events/42/credits", reg, NULL, NULL, &a);
    const char *excel = strstr(a.body, "/events/42/credits-excel.csv");
    const char *csv = strstr(a.body, "/events/42/credits.csv");
    assert_non_null(excel);
    assert_non_null(csv);
    assert_true(excel < csv);
    assert_non_null(strstr(a.body, "/events/42/credits.json"));
    http_resp_free(&a);
    /* The desk reads the totals but has no export, no zip and no settings. */
    web_request(&r, "GET", "/events/42/credits", desk, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "id=\"credits\""));
    assert_null(strstr(a.body, "credits-excel.csv"));
    assert_null(strstr(a.body, "attestations.zip"));
    assert_null(strstr(a.body, "name=\"missing_exit\""));
    http_resp_free(&a);

    web_request(&r, "GET", "/events/42/credits-excel.csv", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    web_head_value(&a, "Content-Type", v, sizeof(v));
    assert_string_equal(v, "text/csv; charset=utf-8");
    web_head_value(&a, "Content-Disposition", v, sizeof(v));
    assert_string_equal(v, "attachment; filename=\"credits-42-excel.csv\"");
    assert_true(a.len > 3);
    assert_memory_equal(a.body, "\xef\xbb\xbfN° participant;Nom;", 22);
    assert_non_null(strstr(a.body, "\r\n"));
    assert_non_null(strstr(a.body, "Total de l’événement"));
    http_resp_free(&a);

    web_request(&r, "GET", "/events/42/credits.csv", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    web_head_value(&a, "Content-Disposition", v, sizeof(v));
    assert_string_equal(v, "attachment; filename=\"credits-42.csv\"");
    assert_int_equal((unsigned char)a.body[0] == 0xef, 0); /* no BOM */
    assert_true(strchr(a.body, ',') < strchr(a.body, '\n'));
    assert_null(memchr(a.body, ';', (size_t)(strchr(a.body, '\n') - a.body)));
    http_resp_free(&a);

    web_request(&r, "GET", "/events/42/credits.json", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    web_head_value(&a, "Content-Type", v, sizeof(v));
    assert_string_equal(v, "application/json; charset=utf-8");
    web_head_value(&a, "Content-Disposition", v, sizeof(v));
    assert_string_equal(v, "attachment; filename=\"credits-42.json\"");
    json_t *j = json_loadb(a.body, a.len, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "event"), "id")), 42);
    assert_non_null(json_object_get(j, "participants"));
    json_decref(j);
    http_resp_free(&a);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action ="
                                            " 'export.credits' AND who = 'alice' AND after_json"
                                            " IN ('{\"format\":\"excel\"}', '{\"format\":\"csv\"}',"
                                            " '{\"format\":\"json\"}')"),
                     3);
    registry_cleanup(&r);
}

static void test_live_and_attestation(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    /* The entry pushed below is never closed: under the default policy (review) it earns
     * nothing until a registrar decides; this test is about the download, so "full". */
    assert_int_equal(
        harness_admin(&r.proc, NULL, 0, "event", "set", "42", "missing-exit", "full", NULL), 0);
    registry_down(&r);
    char key[400];
    snprintf(key, sizeof(key), "%s/sign.key", r.proc.dir);
    /* Again with the attestation key (the same database). */
    char log[400];
    snprintf(log, sizeof(log), "%s", r.log);
    assert_int_equal(harness_serve(&r.proc, 0, "--attest-key", key, NULL), 0);
    web_add_user(&r, "alice", "registrar", PASSWORD);
    char cookie[80], token[128];
    web_sign_in(&r, "alice", "correct+horse+battery", cookie);
    registry_kiosk(&r, 42, token, NULL);

    /* Session 101 (A1): Hélène (1), Jean (2), Marie (3) and Luc (4) registered. */
    assert_int_equal(live_int(&r, cookie, 101, "registered"), 4);
    assert_int_equal(live_int(&r, cookie, 101, "checked_in"), 0);
    const int64_t t0 = 1779282000000; /* 2026-05-20 09:00 in Montréal */
    push(&r, token, "6f1c3b9e-0000-4000-8000-000000000001", 1, t0, false);
    push(&r, token, "6f1c3b9e-0000-4000-8000-000000000002", 2, t0 + 60000, false);
    assert_int_equal(live_int(&r, cookie, 101, "checked_in"), 2);
    assert_int_equal(live_int(&r, cookie, 101, "in_room"), 2);
    push(&r, token, "6f1c3b9e-0000-4000-8000-000000000003", 2, t0 + 3600000, true);
    assert_int_equal(live_int(&r, cookie, 101, "checked_in"), 2);
    assert_int_equal(live_int(&r, cookie, 101, "in_room"), 1);
    /* Luc (4) admitted by staff at the desk (outcome 17, an entry): checked in and in the room. */
    push_outcome(&r, token, "6f1c3b9e-0000-4000-8000-000000000004", 4, t0 + 120000, false, 17);
    assert_int_equal(live_int(&r, cookie, 101, "checked_in"), 3);
    assert_int_equal(live_int(&r, cookie, 101, "in_room"), 2);
    /* Marie (3) refused at the door, her registration cancelled (outcome 15): not counted. */
    push_outcome(&r, token, "6f1c3b9e-0000-4000-8000-000000000005", 3, t0 + 180000, false, 15);
    assert_int_equal(live_int(&r, cookie, 101, "checked_in"), 3);

    /* The kiosk is listed with its last status report and its warnings: an untrusted clock;
     * not silent (it just spoke). */
    http_resp a;
    const char *st = "{\"version\":\"0.1.0\",\"pending\":12,\"checkins\":3,"
                     "\"last_scan_ms\":1779282060000,\"clock\":\"untrusted\","
                     "\"wall_ms\":1779282061000}";
    assert_int_equal(
        http_do(r.proc.port, "POST", "/v1/status", token, "application/json", st, strlen(st), &a),
        0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);
    web_request(&r, "GET", "/events/42/live.json", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    json_t *root = json_loadb(a.body, a.len, 0, NULL);
    json_t *kiosks = json_object_get(root, "kiosks");
    assert_int_equal(json_array_size(kiosks), 1);
    json_t *k = json_array_get(kiosks, 0);
    assert_int_equal(json_integer_value(json_object_get(k, "pending")), 12);
    assert_string_equal(json_string_value(json_object_get(k, "clock")), "untrusted");
    json_t *warn = json_object_get(k, "warnings");
    assert_int_equal(json_array_size(warn), 1);
    assert_string_equal(json_string_value(json_array_get(warn, 0)), "clock_untrusted");
    json_decref(root);
    http_resp_free(&a);
    /* Silent for more than 10 minutes: flagged. */
    char sql[200];
    snprintf(sql, sizeof(sql), "UPDATE kiosk SET last_seen_ms = last_seen_ms - 601000");
    assert_int_equal(db_rw_exec(r.proc.db, sql), 0);
    web_request(&r, "GET", "/events/42/live.json", cookie, NULL, NULL, &a);
    root = json_loadb(a.body, a.len, 0, NULL);
    warn = json_object_get(json_array_get(json_object_get(root, "kiosks"), 0), "warnings");
    assert_int_equal(json_array_size(warn), 2);
    assert_string_equal(json_string_value(json_array_get(warn, 0)), "silent");
    json_decref(root);
    http_resp_free(&a);
    web_request(&r, "GET", "/events/42", cookie, NULL, NULL, &a);
    assert_non_null(strstr(a.body, "silencieuse depuis 10\xc2\xa0min"));
    assert_non_null(strstr(a.body, "horloge non fiable"));
    http_resp_free(&a);
    web_request(&r, "GET", "/events/42", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "Gestion documentaire"));
    assert_non_null(strstr(a.body, "data-session=\"101\""));
    http_resp_free(&a);

    /* Search without accents finds Hélène; her page lists her entry. */
    web_request(&r, "GET", "/events/42/participants?q=HELENE", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "/events/42/participants/1\">Hélène Tremblay"));
    assert_null(strstr(a.body, "Jean Lévesque"));
    http_resp_free(&a);
    web_request(&r, "GET", "/events/42/participants?q=levesque", cookie, NULL, NULL, &a);
    assert_non_null(strstr(a.body, "Jean Lévesque"));
    http_resp_free(&a);
    web_request(&r, "GET", "/events/42/participants/1", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "2026-05-20 09:00"));
    assert_non_null(strstr(a.body, "entrée"));
    http_resp_free(&a);
    /* A refusal says why, as the kiosk did: the desk's first question. */
    web_request(&r, "GET", "/events/42/participants/3", cookie, NULL, NULL, &a);
    assert_non_null(strstr(a.body, "<td>refusé\xc2\xa0: inscription annulée</td>"));
    http_resp_free(&a);

    /* The event's settings from the credits page: the issuer of its attestations and the
     * missing-exit policy, in words; a bad issuer is refused and changes nothing; audited. */
    char csrf[65], form[600];
    web_page_csrf(&r, cookie, csrf);
    web_request(&r, "GET", "/events/42/credits", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "<option value=\"full\" selected>créditée jusqu’à la fin"));
    assert_non_null(strstr(a.body, "Total de l’événement"));
    http_resp_free(&a);
    snprintf(
        form, sizeof(form),
        "csrf=%s&missing_exit=review&issuer=Ordre+des+%%C3%%A9valuateurs%%0Aagr%%C3%%A9%%C3%%A9s",
        csrf);
    expect_status_form(&r, "/events/42/settings", cookie, form, 400); /* a line break */
    snprintf(form, sizeof(form), "missing_exit=none&issuer=X");
    expect_status_form(&r, "/events/42/settings", cookie, form, 403); /* no CSRF token */
    snprintf(form, sizeof(form), "csrf=%s&missing_exit=sometimes&issuer=X", csrf);
    expect_status_form(&r, "/events/42/settings", cookie, form, 400);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM event WHERE id = 42 AND "
                                            "missing_exit = 'full' AND issuer IS NULL"),
                     1);
    snprintf(form, sizeof(form),
             "csrf=%s&missing_exit=full&issuer=Association+des+greffiers+%%C2%%AB+%%3Cscript%%3E+%%"
             "C2%%BB",
             csrf);
    expect_status_form(&r, "/events/42/settings", cookie, form, 303);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action = "
                                            "'event.settings' AND who = 'alice'"),
                     1);
    web_request(&r, "GET", "/events/42/credits", cookie, NULL, NULL, &a);
    assert_non_null(strstr(a.body, "value=\"Association des greffiers « &lt;script&gt; »\""));
    assert_null(strstr(a.body, "<script>"));
    http_resp_free(&a);

    /* Her attestation: a PDF with her name and the event's issuer. */
    web_request(&r, "GET", "/events/42/attestations/1.pdf", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.head, "application/pdf"));
    assert_true(a.len > 1000 && memcmp(a.body, "%PDF-", 5) == 0);
    if (access("/usr/bin/pdftotext", X_OK) == 0) {
        char pdf[500], cmd[1200], text[8192];
        snprintf(pdf, sizeof(pdf), "%s/attest.pdf", r.proc.dir);
        FILE *f = fopen(pdf, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(a.body, 1, a.len, f), a.len);
        fclose(f);
        snprintf(cmd, sizeof(cmd), "pdftotext '%s' -", pdf);
        FILE *p = popen(cmd, "r");
        size_t n = fread(text, 1, sizeof(text) - 1, p);
        text[n] = '\0';
        pclose(p);
        assert_non_null(strstr(text, "Hélène Tremblay"));
        assert_non_null(strstr(text, "Association des greffiers"));
    }
    http_resp_free(&a);
    /* All of the event's attestations, zipped: one PDF (only Hélène attended). */
    web_request(&r, "GET", "/events/42/attestations.zip", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.head, "application/zip"));
    assert_non_null(strstr(a.head, "attestations-42.zip"));
    assert_true(a.len > 1000 && memcmp(a.body, "PK\x03\x04", 4) == 0);
    assert_non_null(memmem(a.body, a.len, "Helene-Tremblay", 15)); /* her file's name */
    http_resp_free(&a);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action = "
                                            "'attestation.zip'"),
                     1);
    /* Somebody who attended nothing: no attestation. */
    web_expect_status(&r, "GET", "/events/42/attestations/5.pdf", cookie, 404);
    web_expect_status(&r, "GET", "/events/42/attestations/999.pdf", cookie, 404);
    web_expect_status(&r, "GET", "/events/99", cookie, 404);
    registry_cleanup(&r);
}

/* The credit of participant `pid` in session 101 from the console's JSON export: credit and
 * attended minutes, and the row's review status. */
static void credit_101(test_registry *r, const char *cookie, json_int_t pid, json_int_t *credit,
                       json_int_t *attended, char *status, size_t cap)
{
    http_resp a;
    web_request(r, "GET", "/events/42/credits.json", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    json_t *root = json_loadb(a.body, a.len, 0, NULL);
    assert_non_null(root);
    http_resp_free(&a);
    size_t i, k;
    json_t *person, *row;
    json_array_foreach(json_object_get(root, "participants"), i, person)
    {
        if (json_integer_value(json_object_get(person, "participant_id")) != pid) {
            continue;
        }
        json_array_foreach(json_object_get(person, "sessions"), k, row)
        {
            if (json_integer_value(json_object_get(row, "session_id")) == 101) {
                *credit = json_integer_value(json_object_get(row, "credit_minutes"));
                *attended = json_integer_value(json_object_get(row, "minutes_attended"));
                snprintf(status, cap, "%s", json_string_value(json_object_get(row, "review")));
                json_decref(root);
                return;
            }
        }
    }
    json_decref(root);
    fail_msg("participant %lld has no row in session 101", (long long)pid);
}

/* POSTs a decision form from the console's origin; the answer's status. */
static int decide(test_registry *r, const char *cookie, const char *form)
{
    char origin[80];
    snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%u\r\n", (unsigned)r->proc.port);
    http_resp a;
    web_request(r, "POST", "/events/42/review", cookie, origin, form, &a);
    int status = a.status;
    if (status == 303) {
        char loc[200];
        web_head_value(&a, "Location", loc, sizeof(loc));
        assert_int_equal(strncmp(loc, "/events/42/review#case-101-", 27), 0);
    }
    http_resp_free(&a);
    return status;
}

/* The review queue over HTTP: a missing exit and an untrusted clock listed with their words and
 * timelines; accept, edit and reject each change the credits export; a reason is required; the
 * CSRF token is required; the desk reads but may not decide; each decision is in the audit log
 * with the credit before and after. */
static void test_review_queue(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, NULL, NULL);
    char token[128], reg[80], desk[80], csrf[65], dcsrf[65], form[600];
    registry_kiosk(&r, 42, token, NULL);
    const int64_t t0 = 1779282000000; /* 2026-05-20 09:00 in Montréal, session A1 (101) */
    /* Hélène and Jean: an entry never closed. Luc: in and out, by an untrusted clock. */
    push(&r, token, "6f1c3b9e-0000-4000-8000-000000000011", 1, t0, false);
    push(&r, token, "6f1c3b9e-0000-4000-8000-000000000012", 2, t0, false);
    char rec[1024], body[2400];
    char rec2[1024];
    checkin_json(rec, sizeof(rec), "6f1c3b9e-0000-4000-8000-000000000013", 42, 4, t0, false);
    checkin_json(rec2, sizeof(rec2), "6f1c3b9e-0000-4000-8000-000000000014", 42, 4, t0 + 90 * 60000,
                 false);
    char *d = strstr(rec2, "\"entry\"");
    memcpy(d, "\"exit\" ", 7);
    strstr(rec2, "\"outcome\":0")[10] = '1';
    snprintf(body, sizeof(body), "{\"checkins\":[%s,%s]}", rec, rec2);
    http_resp a;
    assert_int_equal(http_do(r.proc.port, "POST", "/v1/checkins", token, "application/json", body,
                             strlen(body), &a),
                     0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);

    web_sign_in(&r, "alice", "correct+horse+battery", reg);
    web_sign_in(&r, "dora", "correct+horse+battery", desk);
    web_page_csrf(&r, reg, csrf);
    web_page_csrf(&r, desk, dcsrf);
    web_expect_status(&r, "GET", "/events/99/review", reg, 404);
    web_expect_status(&r, "GET", "/events/42/review", NULL, 303);

    /* The queue: French words first, the timeline, three forms with the token. */
    web_request(&r, "GET", "/events/42/review", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    const char *helene = strstr(a.body, "id=\"case-101-1\"");
    assert_non_null(helene);
    assert_non_null(strstr(a.body, "id=\"case-101-2\""));
    assert_non_null(strstr(a.body, "id=\"case-101-4\""));
    assert_null(strstr(a.body, "id=\"case-101-3\""));
    assert_non_null(strstr(helene, "Hélène Tremblay"));
    assert_non_null(strstr(helene, "sortie non scannée"));
    assert_non_null(strstr(helene, "aucun crédit avant décision"));
    assert_non_null(strstr(helene, "2026-05-20 09:00")); /* her entry in the timeline */
    assert_non_null(strstr(a.body, "horloge non fiable"));
    assert_non_null(strstr(a.body, "name=\"decision\" value=\"accept\""));
    assert_non_null(strstr(a.body, "name=\"decision\" value=\"reject\""));
    assert_non_null(strstr(a.body, "name=\"decision\" value=\"edit\""));
    /* Each reason field says whose it is: the rejection's or the edit's. */
    assert_non_null(strstr(helene, "placeholder=\"Motif du refus\"><button type=\"submit\" "
                                   "class=\"reject\">Refuser</button>"));
    assert_non_null(strstr(helene, "placeholder=\"Motif de la correction\"><button "
                                   "type=\"submit\" class=\"edit\">Corriger les heures</button>"));
    char field[100];
    snprintf(field, sizeof(field), "name=\"csrf\" value=\"%s\"", csrf);
    assert_non_null(strstr(helene, field));
    http_resp_free(&a);
    /* From the credits page, her row leads to her open cases, and only hers. */
    web_request(&r, "GET", "/events/42/credits", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "<a href=\"/events/42/review\">3 cas à décider dans la file "
                                   "de révision</a>"));
    assert_non_null(strstr(a.body, "Hélène Tremblay</a> <a class=\"warn to-review\" "
                                   "href=\"/events/42/review?participant=1\">1 cas à réviser</a>"));
    http_resp_free(&a);
    web_request(&r, "GET", "/events/42/review?participant=1", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "id=\"case-101-1\""));
    assert_null(strstr(a.body, "id=\"case-101-2\""));
    assert_non_null(strstr(a.body, "Cas de <a href=\"/events/42/participants/1\">Hélène "
                                   "Tremblay</a> · <a href=\"/events/42/review\">tous les cas"));
    assert_non_null(strstr(a.body, "<input type=\"hidden\" name=\"participant\" value=\"1\">"));
    assert_true(strstr(a.body, "id=\"review-who\"") < strstr(a.body, "id=\"review-kinds\""));
    assert_non_null(strstr(a.body, "action=\"/events/42/review?participant=1\">"));
    http_resp_free(&a);
    /* Her page too: her hours, and her case to review. */
    web_request(&r, "GET", "/events/42/participants/1", reg, NULL, NULL, &a);
    assert_non_null(strstr(a.body, "Heures créditées\xc2\xa0: <strong>0,00\xc2\xa0h</strong> <a "
                                   "class=\"warn to-review\" href=\"/events/42/review?"
                                   "participant=1\">1 cas à réviser</a>"));
    http_resp_free(&a);
    web_request(&r, "GET", "/events/42/review?participant=99", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 400);
    assert_non_null(strstr(a.body, "Participant inconnu"));
    http_resp_free(&a);
    /* The desk reads it without the forms. */
    web_request(&r, "GET", "/events/42/review", desk, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "id=\"case-101-1\""));
    assert_null(strstr(a.body, "name=\"decision\""));
    http_resp_free(&a);

    json_int_t credit, attended;
    char status[40];
    credit_101(&r, reg, 1, &credit, &attended, status, sizeof(status));
    assert_int_equal(credit, 0);
    assert_string_equal(status, "withheld");

    /* Refused: no token, the desk, a reject without reason, an edit without times, a case of
     * another event or nobody's. Nothing decided, nothing in the log. */
    assert_int_equal(decide(&r, reg, "case=101-1&decision=accept"), 403);
    snprintf(form, sizeof(form), "csrf=%s&case=101-1&decision=accept", dcsrf);
    assert_int_equal(decide(&r, desk, form), 403);
    snprintf(form, sizeof(form), "csrf=%s&case=101-4&decision=reject&reason=++", csrf);
    assert_int_equal(decide(&r, reg, form), 400);
    snprintf(form, sizeof(form), "csrf=%s&case=101-2&decision=edit&reason=x", csrf);
    assert_int_equal(decide(&r, reg, form), 400);
    snprintf(form, sizeof(form), "csrf=%s&case=101-3&decision=accept", csrf);
    assert_int_equal(decide(&r, reg, form), 404);
    snprintf(form, sizeof(form), "csrf=%s&case=101-1&decision=maybe", csrf);
    assert_int_equal(decide(&r, reg, form), 400);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM review_decision"), 0);
    assert_int_equal(
        registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action LIKE 'review%'"),
        0);

    /* Accept: Hélène's open entry counts to the end, 90 minutes, 1.5 h. */
    snprintf(form, sizeof(form), "csrf=%s&case=101-1&decision=accept", csrf);
    assert_int_equal(decide(&r, reg, form), 303);
    credit_101(&r, reg, 1, &credit, &attended, status, sizeof(status));
    assert_int_equal(credit, 90);
    assert_int_equal(attended, 90);
    assert_string_equal(status, "accept");
    /* Edit: Jean was there 09:05 to 10:20 (75 min, 83 % >= 80 %: the full 1.5 h). */
    snprintf(form, sizeof(form),
             "csrf=%s&case=101-2&decision=edit&entry=2026-05-20T09%%3A05&exit=2026-05-20T10%%3A20"
             "&reason=Vu+%%C3%%A0+la+pause+%%3Cb%%3E",
             csrf);
    assert_int_equal(decide(&r, reg, form), 303);
    credit_101(&r, reg, 2, &credit, &attended, status, sizeof(status));
    assert_int_equal(attended, 75);
    assert_int_equal(credit, 90);
    assert_string_equal(status, "edit");
    /* Reject: Luc's 1.5 h by an untrusted clock become nothing. */
    credit_101(&r, reg, 4, &credit, &attended, status, sizeof(status));
    assert_int_equal(credit, 90);
    snprintf(form, sizeof(form), "csrf=%s&case=101-4&decision=reject&reason=Horloge+douteuse",
             csrf);
    assert_int_equal(decide(&r, reg, form), 303);
    credit_101(&r, reg, 4, &credit, &attended, status, sizeof(status));
    assert_int_equal(credit, 0);
    assert_string_equal(status, "reject");

    /* The page shows them decided, the reason escaped. */
    web_request(&r, "GET", "/events/42/review", reg, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    const char *jean = strstr(a.body, "id=\"case-101-2\"");
    assert_non_null(jean);
    assert_non_null(strstr(strstr(a.body, "id=\"case-101-1\""), "acceptée</strong> par alice"));
    assert_non_null(strstr(jean, "corrigée</strong> par alice (2026-05-20 09:05–10:20)"));
    assert_non_null(strstr(jean, "Vu à la pause &lt;b&gt;"));
    assert_null(strstr(a.body, "pause <b>"));
    assert_non_null(strstr(strstr(a.body, "id=\"case-101-4\""), "refusée</strong> par alice"));
    http_resp_free(&a);

    /* The registry's own records: three decisions by alice; three audit rows with before and
     * after. */
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM review_decision"), 3);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action ="
                                            " 'review.decide' AND who = 'alice'"),
                     3);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE target ="
                                            " 'event 42 review 101-1' AND before_json LIKE"
                                            " '%\"credit_minutes\":0%' AND after_json LIKE"
                                            " '%\"credit_minutes\":90%' AND after_json LIKE"
                                            " '%\"decision\":\"accept\"%'"),
                     1);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE target ="
                                            " 'event 42 review 101-4' AND before_json LIKE"
                                            " '%\"credit_minutes\":90%' AND after_json LIKE"
                                            " '%\"reason\":\"Horloge douteuse\"%'"),
                     1);
    /* In the journal: the decision in words, a link to the case among her cases. */
    web_request(&r, "GET", "/audit", reg, NULL, NULL, &a);
    assert_non_null(strstr(a.body, "data-action=\"review.decide\">décision de révision</td><td>"
                                   "événement 42, <a href=\"/events/42/review?participant=4#case-"
                                   "101-4\">cas 101-4</a></td>"));
    http_resp_free(&a);
    registry_cleanup(&r);
}

/* POSTs a decision form to `path` from the console's origin; the status and the Location. */
static int decide_at(test_registry *r, const char *cookie, const char *path, const char *form,
                     char *loc, size_t cap)
{
    char origin[80];
    snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%u\r\n", (unsigned)r->proc.port);
    http_resp a;
    web_request(r, "POST", path, cookie, origin, form, &a);
    int status = a.status;
    web_head_value(&a, "Location", loc, cap);
    http_resp_free(&a);
    return status;
}

/* How many times `needle` occurs in `hay`. */
static size_t occurrences(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *at = hay; (at = strstr(at, needle)) != NULL; at += strlen(needle)) {
        n++;
    }
    return n;
}

/* GET path as the registrar: the status, and the body into *body (caller frees) when asked. */
static int review_get(test_registry *r, const char *cookie, const char *path, char **body)
{
    http_resp a;
    web_request(r, "GET", path, cookie, NULL, NULL, &a);
    int status = a.status;
    if (body) {
        *body = a.body;
        a.body = NULL;
    }
    http_resp_free(&a);
    return status;
}

/* The review queue of a bigger event, by pages of 50: open cases first, the counts per kind, the
 * filters by kind and session, hostile parameters refused or clamped (never echoed), and a
 * decision sending the registrar to the page that now holds the case. */
static void test_review_pages(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, NULL, NULL);
    /* 60 more participants in A1 (sorted after the fixture's names: Vachon-201…), each with an
     * entry never closed; Hélène's entry too, by an untrusted clock: 61 cases, 2 pages. */
    size_t cap = strlen(fixture_roster_csv) + 60 * 80;
    char *roster = malloc(cap), path[400];
    size_t len = (size_t)snprintf(roster, cap, "%s", fixture_roster_csv);
    for (int i = 201; i <= 260; i++) {
        len += (size_t)snprintf(roster + len, cap - len,
                                "%d,Zoé Vachon-%d,Ville de Rimouski,oui,confirmé,A1,,,\n", i, i);
    }
    harness_write(r.proc.dir, "roster-big.csv", roster, path, sizeof(path));
    free(roster);
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "roster", "import", "42", path, NULL), 0);
    char token[128], reg[80], csrf[65], uuid[40], form[300], loc[200];
    registry_kiosk(&r, 42, token, NULL);
    const int64_t t0 = 1779282000000; /* 2026-05-20 09:00 in Montréal, session A1 (101) */
    size_t bcap = 61 * 1024;
    char *body = malloc(bcap), rec[1024];
    len = (size_t)snprintf(body, bcap, "{\"checkins\":[");
    for (int i = 200; i <= 260; i++) {
        snprintf(uuid, sizeof(uuid), "6f1c3b9e-0000-4000-8000-000000000%03d", i);
        checkin_json(rec, sizeof(rec), uuid, 42, i == 200 ? 1 : (uint32_t)i, t0, i != 200);
        len += (size_t)snprintf(body + len, bcap - len, "%s%s", i > 200 ? "," : "", rec);
    }
    len += (size_t)snprintf(body + len, bcap - len, "]}");
    http_resp a;
    assert_int_equal(
        http_do(r.proc.port, "POST", "/v1/checkins", token, "application/json", body, len, &a), 0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);
    free(body);
    web_sign_in(&r, "alice", "correct+horse+battery", reg);
    web_page_csrf(&r, reg, csrf);

    /* Page 1: 50 cases, Hélène first, the way to page 2, the counts per kind. */
    char *page;
    assert_int_equal(review_get(&r, reg, "/events/42/review", &page), 200);
    assert_int_equal(occurrences(page, "<section class=\"case\""), 50);
    assert_non_null(strstr(page, "id=\"case-101-1\""));
    assert_non_null(strstr(page, "id=\"case-101-249\""));
    assert_null(strstr(page, "id=\"case-101-250\""));
    assert_non_null(strstr(page, "Page 1 sur 2"));
    assert_non_null(strstr(page, "rel=\"next\" href=\"/events/42/review?page=2\">Suivant"));
    assert_null(strstr(page, "rel=\"prev\""));
    assert_non_null(strstr(page, "<tr id=\"kind-missing-exit\"><td><a href=\"/events/42/review?"
                                 "kind=missing-exit\">sortie non scannée</a></td><td class=\"num "
                                 "open\">61</td><td class=\"num decided\">0</td></tr>"));
    assert_non_null(strstr(page, "<td class=\"num open\">1</td>")); /* the clock */
    /* The forms as before the pages. */
    snprintf(form, sizeof(form),
             "<form method=\"post\" action=\"/events/42/review\"><input type=\"hidden\" "
             "name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"case\" value=\"101-1\">",
             csrf);
    assert_non_null(strstr(page, form));
    free(page);
    /* Page 2: the other 11, the way back. Out of range: clamped. */
    assert_int_equal(review_get(&r, reg, "/events/42/review?page=2", &page), 200);
    assert_int_equal(occurrences(page, "<section class=\"case\""), 11);
    assert_non_null(strstr(page, "id=\"case-101-260\""));
    assert_non_null(strstr(page, "rel=\"prev\" href=\"/events/42/review\">«\xc2\xa0Précédent"));
    assert_null(strstr(page, "rel=\"next\""));
    free(page);
    static const struct {
        const char *path;
        int status;
        const char *has;
    } hostile[] = {
        {"/events/42/review?page=-1", 200, "Page 1 sur 2"},
        {"/events/42/review?page=0", 200, "Page 1 sur 2"},
        {"/events/42/review?page=99999999999", 200, "Page 2 sur 2"},
        {"/events/42/review?page=999999999999999999999999999", 200, "Page 2 sur 2"},
        {"/events/42/review?page=", 200, "Page 1 sur 2"},
        {"/events/42/review?page=abc", 400, "nombre entier"},
        {"/events/42/review?page=1e3", 400, "nombre entier"},
        {"/events/42/review?page=--1", 400, "nombre entier"},
        {"/events/42/review?kind=%3Cscript%3Ealert(1)%3C%2Fscript%3E", 400, "Type de cas inconnu"},
        {"/events/42/review?kind=clock%3B", 400, "Type de cas inconnu"},
        {"/events/42/review?session=abc", 400, "Séance inconnue"},
        {"/events/42/review?session=999", 400, "Séance inconnue"},
        {"/events/42/review?session=301", 400, "Séance inconnue"},        /* another event's */
        {"/events/42/review?session=4294967397", 400, "Séance inconnue"}, /* 101 + 2^32 */
        {"/events/42/review?session=102", 200, "Aucun cas pour ce filtre"},
    };
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        int status = review_get(&r, reg, hostile[i].path, &page);
        if (status != hostile[i].status || !strstr(page, hostile[i].has)) {
            fail_msg("%s: %d, expected %d with \"%s\"", hostile[i].path, status, hostile[i].status,
                     hostile[i].has);
        }
        assert_null(strstr(page, "<script>"));
        assert_null(strstr(page, "alert("));
        free(page);
    }
    /* By kind: Hélène's untrusted clock alone; the forms keep the filter. */
    assert_int_equal(review_get(&r, reg, "/events/42/review?kind=clock&session=101", &page), 200);
    assert_int_equal(occurrences(page, "<section class=\"case\""), 1);
    assert_non_null(strstr(page, "id=\"case-101-1\""));
    assert_non_null(strstr(page, "<option value=\"clock\" selected>"));
    assert_non_null(strstr(page, "action=\"/events/42/review?kind=clock&amp;session=101\">"));
    /* The language switch keeps the filter (and the page): back to the same cases, in English. */
    assert_non_null(strstr(page, "href=\"/lang/en?next=%2Fevents%2F42%2Freview%3Fkind%3Dclock%"
                                 "26session%3D101\""));
    free(page);
    web_request(&r, "GET", "/lang/en?next=%2Fevents%2F42%2Freview%3Fpage%3D2%26kind%3Dclock", reg,
                NULL, NULL, &a);
    assert_int_equal(a.status, 303);
    web_head_value(&a, "Location", loc, sizeof(loc));
    assert_string_equal(loc, "/events/42/review?page=2&kind=clock");
    http_resp_free(&a);
    /* In English, the kinds in words, not their machine names. */
    char en[200];
    snprintf(en, sizeof(en), "%s; borne_lang=en", reg);
    assert_int_equal(review_get(&r, en, "/events/42/review?kind=clock", &page), 200);
    assert_non_null(strstr(page, "review?kind=missing-exit\">exit not scanned</a>"));
    assert_non_null(strstr(page, "<option value=\"clock\" selected>clock untrusted</option>"));
    assert_non_null(strstr(page, "\"warn anomalies\">exit not scanned, clock untrusted</span>"));
    assert_null(strstr(page, ">missing-exit"));
    free(page);
    assert_int_equal(review_get(&r, reg, "/events/42/participants?q=H%C3%A9l%C3%A8ne", &page), 200);
    assert_non_null(strstr(page, "href=\"/lang/en?next=%2Fevents%2F42%2Fparticipants%3Fq%3DH%"
                                 "25C3%25A9l%25C3%25A8ne\""));
    free(page);

    /* Decided, Zoé 201 goes after the open cases: to page 2, where the redirect lands. */
    snprintf(form, sizeof(form), "csrf=%s&case=101-201&decision=accept", csrf);
    assert_int_equal(decide_at(&r, reg, "/events/42/review", form, loc, sizeof(loc)), 303);
    assert_string_equal(loc, "/events/42/review?page=2#case-101-201");
    assert_int_equal(review_get(&r, reg, "/events/42/review?page=2", &page), 200);
    assert_non_null(strstr(strstr(page, "id=\"case-101-201\""), "acceptée</strong> par alice"));
    assert_non_null(strstr(page, "open\">60</td><td class=\"num decided\">1</td>"));
    free(page);
    assert_int_equal(review_get(&r, reg, "/events/42/review", &page), 200);
    assert_null(strstr(page, "id=\"case-101-201\""));
    assert_non_null(strstr(page, "id=\"case-101-250\"")); /* moved up to page 1 */
    free(page);
    /* From the filtered queue: back to it. */
    snprintf(form, sizeof(form), "csrf=%s&case=101-1&decision=accept", csrf);
    assert_int_equal(
        decide_at(&r, reg, "/events/42/review?kind=clock&session=101", form, loc, sizeof(loc)),
        303);
    assert_string_equal(loc, "/events/42/review?kind=clock&session=101#case-101-1");
    registry_cleanup(&r);
}

static void test_names_escaped(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, NULL, NULL);
    char roster[400], out[300];
    harness_write(r.proc.dir, "xss.csv",
                  "id,name,organisation,member,status,sessions\n"
                  "11,Eve " XSS_SCRIPT ",Org " XSS_IMG ",oui,confirmé,A1\n"
                  "12,\"Mal \"\"\"\"><img src=x onerror=alert(2)>\",Ville,non,confirmé,A1\n",
                  roster, sizeof(roster));
    assert_int_equal(
        harness_admin(&r.proc, out, sizeof(out), "roster", "import", "42", roster, NULL), 0);
    /* Both came in and never left: cases of the review queue, credited under `full`. */
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "event", "set", "42", "missing-exit",
                                   "full", NULL),
                     0);
    char cookie[80], token[128];
    registry_kiosk(&r, 42, token, NULL);
    push(&r, token, "6f1c3b9e-0000-4000-8000-000000000111", 11, 1779282000000, false);
    push(&r, token, "6f1c3b9e-0000-4000-8000-000000000112", 12, 1779282060000, false);
    web_sign_in(&r, "alice", "correct+horse+battery", cookie);
    static const char *const pages[] = {"/events/42/participants?q=eve",
                                        "/events/42/participants?q=mal",
                                        "/events",
                                        "/events/42",
                                        "/events/42/review",
                                        "/events/42/credits",
                                        "/audit",
                                        "/events/42/participants/11",
                                        "/events/42/participants/12",
                                        "/events/42/participants?q=%3Cscript%3E",
                                        "/events/42/participants?q=%22%3E%3Cimg"};
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        http_resp a;
        web_request(&r, "GET", pages[i], cookie, NULL, NULL, &a);
        assert_int_equal(a.status, 200);
        if (strstr(a.body, "<script>alert") || strstr(a.body, "<img src=x")) {
            fail_msg("%s: a name reached the page unescaped", pages[i]);
        }
        http_resp_free(&a);
    }
    http_resp a;
    static const char *const listing[] = {"/events/42/participants/11", "/events/42/review",
                                          "/events/42/credits"};
    for (size_t i = 0; i < sizeof(listing) / sizeof(listing[0]); i++) {
        web_request(&r, "GET", listing[i], cookie, NULL, NULL, &a);
        if (!strstr(a.body, "Eve &lt;script&gt;alert(1)&lt;/script&gt;")) {
            fail_msg("%s: the name is not shown escaped", listing[i]);
        }
        http_resp_free(&a);
    }
    web_request(&r, "GET", "/events/42/participants/11", cookie, NULL, NULL, &a);
    assert_non_null(strstr(a.body, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    http_resp_free(&a);
    /* A next= pointing away is not followed. */
    web_request(&r, "POST", "/signin", NULL, NULL,
                "name=alice&password=correct+horse+battery&next=%2F%2Fevil.example%2F", &a);
    char loc[200];
    web_head_value(&a, "Location", loc, sizeof(loc));
    assert_string_equal(loc, "/events");
    http_resp_free(&a);
    registry_cleanup(&r);
}

/* Served over TLS by the registry itself: the session cookie is also Secure. */
static void test_secure_cookie_under_tls(void **state)
{
    (void)state;
    if (system("command -v openssl >/dev/null 2>&1 && command -v curl >/dev/null 2>&1") != 0) {
        skip();
    }
    test_registry r;
    registry_up(&r, NULL); /* for its directory and database */
    registry_down(&r);
    char cmd[1600], cert[400], key[400];
    snprintf(cert, sizeof(cert), "%s/cert.pem", r.proc.dir);
    snprintf(key, sizeof(key), "%s/key.pem", r.proc.dir);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
             " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s'"
             " >/dev/null 2>&1",
             key, cert);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(harness_serve(&r.proc, 0, "--tls-cert", cert, "--tls-key", key, NULL), 0);
    web_add_user(&r, "alice", "registrar", PASSWORD);
    snprintf(cmd, sizeof(cmd),
             "curl -s -i --noproxy '*' --cacert '%s' -d 'name=alice&password=correct+horse+battery'"
             " https://127.0.0.1:%u/signin",
             cert, (unsigned)r.proc.port);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char out[4096];
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    pclose(p);
    const char *set = strstr(out, "Set-Cookie: borne_session=");
    if (!set) {
        fail_msg("no session cookie over TLS:\n%s", out);
    }
    char line[300];
    snprintf(line, sizeof(line), "%.*s", (int)strcspn(set, "\r\n"), set);
    assert_non_null(strstr(line, "; Secure"));
    assert_non_null(strstr(line, "; HttpOnly"));
    assert_non_null(strstr(line, "; SameSite=Strict"));
    registry_cleanup(&r);
}

/* Requests of the hostile client (tests/registry/console_hostile.py) that the console got wrong,
 * each as it answers now. */
static void test_hostile_requests(void **state)
{
    (void)state;
    test_registry r;
    setup(&r, NULL, NULL);
    char cookie[80], csrf[65], form[400];
    web_sign_in(&r, "alice", "correct+horse+battery", cookie);
    web_page_csrf(&r, cookie, csrf);
    /* A field given twice, a bad %-escape, a NUL, bytes that are not UTF-8: refused (the
     * reason used to be stored as sent, or cut at the NUL), nothing stored. */
    static const char *const bad[] = {
        "&session=101&session=102",   "&session=101&reason=%ff%fe",     "&session=101&reason=a%00b",
        "&session=101&reason=oubli%", "&session=101&reason=a&reason=b", "&session"};
    const char *path = "/events/42/participants/1/scan";
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(form, sizeof(form), "csrf=%s&direction=entry&time=2026-05-20T09%%3A10%s%s", csrf,
                 bad[i], strstr(bad[i], "reason") ? "" : "&reason=oubli");
        expect_status_form(&r, path, cookie, form, 400);
    }
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin WHERE kiosk = 0"), 0);
    snprintf(form, sizeof(form),
             "csrf=%s&direction=entry&time=2026-05-20T09%%3A10&session=101&reason=oubli", csrf);
    expect_status_form(&r, path, cookie, form, 303);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin WHERE kiosk = 0"), 1);
    /* "%00" decoded to a NUL cut the path: "credits.csv%00.html" was the export (recorded and
     * audited), "/audit%00x" the audit log. No such page now. */
    web_expect_status(&r, "GET", "/events/42/credits.csv%00.html", cookie, 404);
    web_expect_status(&r, "GET", "/audit%00x", cookie, 404);
    web_expect_status(&r, "GET", "/assets/console.css%00", cookie, 404);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit"
                                            " WHERE action = 'export.credits'"),
                     0);
    /* HEAD is GET without the body: no file left, so no export recorded (the retention purge
     * waits for one) and no audit row. */
    web_expect_status(&r, "HEAD", "/events/42/credits.csv", cookie, 200);
    web_expect_status(&r, "HEAD", "/events/42/participants/1/badge.pdf", cookie, 200);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action IN"
                                            " ('export.credits', 'desk.badge.print')"),
                     0);
    assert_int_equal(
        registry_query_int(&r, "SELECT count(*) FROM event WHERE credits_exported_ms > 0"), 0);
    web_expect_status(&r, "GET", "/events/42/credits.csv", cookie, 200);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit"
                                            " WHERE action = 'export.credits'"),
                     1);
    /* A 405 names the methods the console takes (RFC 9110, 15.5.6). */
    http_resp a;
    web_request(&r, "OPTIONS", "/events", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 405);
    char allow[64];
    web_head_value(&a, "Allow", allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, POST");
    http_resp_free(&a);
    /* One path per page: ids without leading zeros. */
    web_expect_status(&r, "GET", "/events/042", cookie, 404);
    web_expect_status(&r, "GET", "/events/42/participants/01", cookie, 404);
    web_expect_status(&r, "GET", "/events/42/participants/1", cookie, 200);
    registry_cleanup(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_without_session),
        cmocka_unit_test(test_sign_in_and_cookie),
        cmocka_unit_test(test_failed_sign_ins_throttled),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_credits_formats),
        cmocka_unit_test(test_live_and_attestation),
        cmocka_unit_test(test_review_queue),
        cmocka_unit_test(test_review_pages),
        cmocka_unit_test(test_names_escaped),
        cmocka_unit_test(test_secure_cookie_under_tls),
        cmocka_unit_test(test_hostile_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
