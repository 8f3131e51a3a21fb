/* Corrections at the desk (docs/console.md), over HTTP against the real borne-registry: a manual
 * exit closes a missing exit and the credits report counts it; it is audited, shown in words in
 * the timeline, with a hostile reason inert on every page that shows it; the desk role may do
 * it; no CSRF token, no session, a future time, a time outside the event, an exit before any
 * entry, an unknown session and an empty reason are refused with nothing stored; the badge
 * downloads as a PDF whose QR code (pdftoppm, zbarimg) is the participant's current code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry/client.h"
#include "store/store.h"
#include "support/fixture.h"

#define PASSWORD   "correct horse battery"
#define PASS_FORM  "correct+horse+battery"
#define XSS_SCRIPT "%3Cscript%3Ealert(1)%3C%2Fscript%3E"
#define XSS_IMG    "%22%3E%3Cimg+src%3Dx+onerror%3Dalert(2)%3E"

static int64_t manual_rows(const test_registry *r)
{
    return registry_query_int(r, "SELECT count(*) FROM checkin WHERE kiosk = 0");
}

/* POSTs the manual scan form from the console's origin; the answer's status. */
static int scan(test_registry *r, const char *cookie, const char *csrf, const char *fields)
{
    char origin[80], form[1024];
    snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%u\r\n", (unsigned)r->proc.port);
    snprintf(form, sizeof(form), "%s%s%s", csrf ? "csrf=" : "", csrf ? csrf : "", fields);
    http_resp a;
    web_request(r, "POST", "/events/42/participants/1/scan", cookie, origin, form, &a);
    int status = a.status;
    http_resp_free(&a);
    return status;
}

static void test_manual_exit(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    registry_down(&r);
    char key[400];
    snprintf(key, sizeof(key), "%s/sign.key", r.proc.dir);
    assert_int_equal(harness_serve(&r.proc, 0, "--attest-key", key, NULL), 0);
    web_add_user(&r, "nadia", "desk", PASSWORD);
    web_add_user(&r, "alice", "registrar", PASSWORD);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    /* Hélène (1) enters A1 (101) at 09:00 and never scans out. */
    char rec[1024], body[1200];
    checkin_json(rec, sizeof(rec), "6f1c3b9e-0000-4000-8000-0000000000a1", 42, 1, 1779282000000,
                 true);
    snprintf(body, sizeof(body), "{\"checkins\":[%s]}", rec);
    http_resp a;
    assert_int_equal(http_do(r.proc.port, "POST", "/v1/checkins", token, "application/json", body,
                             strlen(body), &a),
                     0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);

    char desk[80], csrf[65];
    web_sign_in(&r, "nadia", PASS_FORM, desk);
    web_page_csrf(&r, desk, csrf);
    /* The page has the forms for the desk. */
    web_request(&r, "GET", "/events/42/participants/1", desk, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "action=\"/events/42/participants/1/scan\""));
    assert_non_null(strstr(a.body, "/events/42/participants/1/badge.pdf"));
    http_resp_free(&a);

    /* Refusals: nothing stored. */
    const char *good = "&session=101&direction=exit&time=2026-05-20T10%3A15&reason=oubli";
    assert_int_equal(scan(&r, desk, NULL, good + 1), 403);                /* no CSRF token */
    assert_int_equal(scan(&r, NULL, csrf, good), 403);                    /* no session */
    web_expect_status(&r, "GET", "/events/42/participants/1", NULL, 303); /* sign in */
    assert_int_equal(
        scan(&r, desk, csrf, "&session=101&direction=exit&time=2027-05-20T10%3A15&reason=x"), 400);
    assert_int_equal(
        scan(&r, desk, csrf, "&session=101&direction=exit&time=2026-05-19T10%3A15&reason=x"), 400);
    assert_int_equal(
        scan(&r, desk, csrf, "&session=101&direction=exit&time=2026-05-20T08%3A30&reason=x"), 400);
    assert_int_equal(
        scan(&r, desk, csrf, "&session=999&direction=entry&time=2026-05-20T10%3A15&reason=x"), 400);
    assert_int_equal(
        scan(&r, desk, csrf, "&session=101&direction=exit&time=2026-05-20T10%3A15&reason=+"), 400);
    assert_int_equal(scan(&r, desk, csrf, "&session=101&direction=exit&time=2026-05-20T10%3A15"),
                     400);
    assert_int_equal(manual_rows(&r), 0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_manual"), 0);

    /* The manual exit at 10:15, by the desk, with a hostile reason. */
    assert_int_equal(scan(&r, desk, csrf,
                          "&session=101&direction=exit&time=2026-05-20T10%3A15&reason=badge+"
                          "oubli%C3%A9+" XSS_SCRIPT "+" XSS_IMG),
                     303);
    assert_int_equal(manual_rows(&r), 1);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin WHERE kiosk = 0 AND"
                                            " kiosk_name = 'console' AND method = 2 AND staff_id ="
                                            " 'nadia' AND outcome = 1 AND direction = 1 AND"
                                            " length(uuid) = 36 AND wall_ms = 1779286500000"),
                     1);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action ="
                                            " 'desk.scan' AND who = 'nadia' AND target ="
                                            " 'event 42 participant 1' AND after_json LIKE"
                                            " '%\"direction\":\"exit\"%'"),
                     1);
    /* Shown in words, the reason escaped; and in the audit log. */
    char reg[80];
    web_sign_in(&r, "alice", PASS_FORM, reg);
    static const char *const pages[] = {"/events/42/participants/1", "/audit"};
    for (size_t i = 0; i < 2; i++) {
        web_request(&r, "GET", pages[i], reg, NULL, NULL, &a);
        assert_int_equal(a.status, 200);
        if (strstr(a.body, "<script>alert") || strstr(a.body, "<img src=x")) {
            fail_msg("%s: the reason reached the page unescaped", pages[i]);
        }
        assert_non_null(strstr(a.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
        if (i == 0) {
            assert_non_null(strstr(a.body, "sortie saisie par nadia à la console\xc2\xa0: badge "
                                           "oublié &lt;script&gt;"));
        }
        http_resp_free(&a);
    }

    /* The credits: 09:00 to 10:15 is 75 minutes of 90, over the 80 % threshold: 1.5 h. */
    char out[8192];
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "report", "credits", "42", NULL), 0);
    if (!strstr(out, "\n1,Hélène Tremblay,101,A1,Gestion documentaire,75,1.50,,90,,")) {
        fail_msg("the manual exit is not credited:\n%s", out);
    }

    /* The badge, with her current code (the roster's) in its QR code. */
    web_request(&r, "GET", "/events/42/participants/1/badge.pdf", desk, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.head, "application/pdf"));
    assert_true(a.len > 4 && memcmp(a.body, "%PDF", 4) == 0);
    char pdf[500], prefix[500], png[520], cmd[1600];
    snprintf(pdf, sizeof(pdf), "%s/badge.pdf", r.proc.dir);
    FILE *f = fopen(pdf, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(a.body, 1, a.len, f), a.len);
    fclose(f);
    http_resp_free(&a);
    if (access("/usr/bin/pdftoppm", X_OK) == 0 && access("/usr/bin/zbarimg", X_OK) == 0) {
        snprintf(prefix, sizeof(prefix), "%s/badge", r.proc.dir);
        snprintf(png, sizeof(png), "%s.png", prefix);
        snprintf(
            cmd, sizeof(cmd),
            "pdftoppm -r 200 -png -gray -singlefile '%s' '%s' && zbarimg -q --raw '%s' 2>/dev/null",
            pdf, prefix, png);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char qr[600] = "";
        size_t n = fread(qr, 1, sizeof(qr) - 1, p);
        qr[n] = '\0';
        assert_int_equal(pclose(p), 0);
        qr[strcspn(qr, "\n")] = '\0';
        assert_string_equal(qr, FIX_OPAQUE_HELENE);
    } else {
        fprintf(stderr, "pdftoppm or zbarimg missing: the badge's QR code not read back\n");
    }
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action ="
                                            " 'desk.badge.print' AND who = 'nadia'"),
                     1);

    /* Lost: revoked and replaced, by the desk, with a reason. */
    char origin[80], form[200];
    snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%u\r\n", (unsigned)r.proc.port);
    web_request(&r, "POST", "/events/42/participants/1/badge", desk, origin, "reason=perdu", &a);
    assert_int_equal(a.status, 403); /* no CSRF token */
    http_resp_free(&a);
    snprintf(form, sizeof(form), "csrf=%s&reason=+", csrf);
    web_request(&r, "POST", "/events/42/participants/1/badge", desk, origin, form, &a);
    assert_int_equal(a.status, 400); /* no reason */
    http_resp_free(&a);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM revoked_code"), 0);
    snprintf(form, sizeof(form), "csrf=%s&reason=badge+perdu", csrf);
    web_request(&r, "POST", "/events/42/participants/1/badge", desk, origin, form, &a);
    assert_int_equal(a.status, 303);
    http_resp_free(&a);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM revoked_code WHERE revoked = 1"),
                     1);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM participant WHERE id = 1 AND"
                                            " badge LIKE 'BN1:%'"),
                     1);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action ="
                                            " 'desk.badge.replace' AND who = 'nadia' AND"
                                            " after_json LIKE '%badge perdu%'"),
                     1);
    /* The kiosk's pull has the old code's fingerprint revoked and the new code. */
    assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster?since=0", token, NULL, NULL, 0, &a),
                     0);
    assert_int_equal(a.status, 200);
    json_t *roster = json_loadb(a.body, a.len, 0, NULL);
    assert_non_null(roster);
    http_resp_free(&a);
    uint8_t hash[BORNE_CODE_HASH_LEN];
    char hex[2 * BORNE_CODE_HASH_LEN + 1];
    borne_store_code_hash((const uint8_t *)FIX_OPAQUE_HELENE, strlen(FIX_OPAQUE_HELENE), hash);
    for (size_t i = 0; i < sizeof(hash); i++) {
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
    }
    bool listed = false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(roster, "revoked"), i, v)
    {
        listed = listed || strcmp(json_string_value(v), hex) == 0;
    }
    assert_true(listed);
    const char *badge = NULL;
    json_array_foreach(json_object_get(roster, "participants"), i, v)
    {
        if (json_integer_value(json_object_get(v, "id")) == 1) {
            badge = json_string_value(json_object_get(v, "badge"));
        }
    }
    assert_non_null(badge);
    assert_int_equal(strncmp(badge, "BN1:", 4), 0);
    /* The printed replacement carries it. */
    web_request(&r, "GET", "/events/42/participants/1/badge.pdf", desk, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    f = fopen(pdf, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(a.body, 1, a.len, f), a.len);
    fclose(f);
    http_resp_free(&a);
    if (access("/usr/bin/pdftoppm", X_OK) == 0 && access("/usr/bin/zbarimg", X_OK) == 0) {
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char qr[600] = "";
        size_t n = fread(qr, 1, sizeof(qr) - 1, p);
        qr[n] = '\0';
        assert_int_equal(pclose(p), 0);
        qr[strcspn(qr, "\n")] = '\0';
        assert_string_equal(qr, badge);
    }
    json_decref(roster);
    registry_cleanup(&r);
}

/* The retention purge leaves nothing personal of the desk's manual scans: their who and why
 * (console_manual) go, and the audit rows about the participant keep only who, when and what.
 * The check-in itself stays in the anonymised event (counted, under a new id) or goes with it. */
static void test_purge_clears_manual_scans(void **state)
{
    (void)state;
    for (int del = 0; del < 2; del++) {
        test_registry r;
        registry_up(&r, NULL);
        registry_fixture_event(&r);
        web_add_user(&r, "nadia", "desk", PASSWORD);
        char desk[80], csrf[65], out[8192], csv[400];
        web_sign_in(&r, "nadia", PASS_FORM, desk);
        web_page_csrf(&r, desk, csrf);
        assert_int_equal(scan(&r, desk, csrf,
                              "&session=101&direction=entry&time=2026-05-20T09%3A05&reason="
                              "badge+oubli%C3%A9+chez+Quenneville"),
                         303);
        assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_manual"), 1);
        assert_int_equal(
            registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE after_json LIKE"
                                   " '%Quenneville%' AND target = 'event 42 participant 1'"),
            1);
        snprintf(csv, sizeof(csv), "%s/credits.csv", r.proc.dir);
        assert_int_equal(harness_admin(&r.proc, NULL, 0, "report", "credits", "42", csv, NULL), 0);
        assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "purge", "42", "--days", "30",
                                       del ? "--delete" : NULL, NULL),
                         0);
        assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_manual"), 0);
        assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin WHERE kiosk = 0"),
                         del ? 0 : 1);
        /* Who did what, and when, stays; about whom and why does not. */
        assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE action ="
                                                " 'desk.scan' AND who = 'nadia' AND target ="
                                                " 'event 42' AND after_json IS NULL"),
                         1);
        assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM console_audit WHERE target"
                                                " LIKE '%participant%'"),
                         0);
        char wal[400];
        snprintf(wal, sizeof(wal), "%s-wal", r.proc.db);
        assert_false(fixture_path_contains(r.proc.db, "Quenneville"));
        assert_false(fixture_path_contains(wal, "Quenneville"));
        registry_cleanup(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manual_exit),
        cmocka_unit_test(test_purge_clears_manual_scans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
