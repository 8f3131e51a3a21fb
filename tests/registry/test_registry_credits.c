/* The credits of the registrar's review, black box: a real borne-registry, check-ins pushed by a
 * kiosk over HTTP, then `review`, `review decide`, `event set` and `report credits` in every
 * format, read back as bytes (docs/credits.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/client.h"
#include "sync/harness.h"
#include "support/fixture.h"

#define JSON "application/json"
/* 2026-05-20 09:00 in Montréal (13:00 UTC), in ms. */
#define AT(h, m) (1779282000000LL + (((h)-9) * 60LL + (m)) * 60000LL)

static int seq;
static bool trusted_clock = true;

static void rec(char *out, size_t cap, uint32_t participant, uint32_t session, bool entry,
                int outcome, int64_t wall_ms)
{
    snprintf(out, cap,
             "{\"uuid\":\"7c1e2a3c-4d5e-4f60-8a7b-%012x\",\"event_id\":42,\"participant_id\":%u,"
             "\"session_id\":%u,\"direction\":\"%s\",\"method\":1,\"outcome\":%d,"
             "\"staff_id\":\"\",\"code_hash\":\"00112233445566778899aabbccddeeff\","
             "\"wall_ms\":%lld,\"wall_recorded_ms\":%lld,\"mono_ms\":5000,"
             "\"boot_id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"clock_trusted\":%s}",
             ++seq, participant, session, entry ? "entry" : "exit", outcome, (long long)wall_ms,
             (long long)wall_ms, trusted_clock ? "true" : "false");
}

static void push(test_registry *r, const char *token, const char *records)
{
    char body[8192];
    snprintf(body, sizeof(body), "{\"checkins\":[%s]}", records);
    http_resp a;
    assert_int_equal(
        http_do(r->proc.port, "POST", "/v1/checkins", token, JSON, body, strlen(body), &a), 0);
    assert_int_equal(a.status, 200);
    assert_null(strstr(a.body, "refused"));
    http_resp_free(&a);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

static char *report(test_registry *r, const char *format, const char *now, size_t *len)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/credits.%s", r->proc.dir, format);
    if (now) {
        assert_int_equal(harness_admin(&r->proc, NULL, 0, "report", "credits", "42", path,
                                       "--format", format, "--now", now, NULL),
                         0);
    } else {
        assert_int_equal(harness_admin(&r->proc, NULL, 0, "report", "credits", "42", path,
                                       "--format", format, NULL),
                         0);
    }
    return slurp(path, len);
}

static void test_credits_review_and_exports(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    char a[900], b[900], c[900], d[900], e[900], all[8192];
    /* Hélène (1): in A1 at 09:00, exit never scanned; a stray exit at another kiosk at 08:58
     * (before her entry). Jean (2): A1 09:00-10:30. Sophie (5): B2 13:00-15:00. */
    rec(a, sizeof(a), 1, 101, true, 0, AT(9, 0));
    rec(b, sizeof(b), 1, 101, false, 2, AT(8, 58));
    rec(c, sizeof(c), 2, 101, true, 0, AT(9, 0));
    rec(d, sizeof(d), 2, 101, false, 1, AT(10, 30));
    rec(e, sizeof(e), 5, 102, true, 0, AT(13, 0));
    snprintf(all, sizeof(all), "%s,%s,%s,%s,%s", a, b, c, d, e);
    push(&r, token, all);
    rec(a, sizeof(a), 5, 102, false, 1, AT(15, 0));
    push(&r, token, a);

    /* Excel: BOM (an empty last field is written "" by the CSV writer, as before), ';', decimal
     * comma, CRLF, totals rounded once. */
    size_t len;
    char *x = report(&r, "excel", NULL, &len);
    assert_memory_equal(x, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(x, "N° participant;Nom;"));
    assert_non_null(strstr(x, "\r\n"));
    assert_null(strstr(x + 3, ",Jean"));
    assert_non_null(strstr(x, "2;Jean Lévesque;101;A1;Gestion documentaire;90;1,50;;\"\"\r\n"));
    assert_non_null(strstr(x, "sortie non scannée, sortie sans entrée"));
    assert_non_null(strstr(x, "en attente (aucun crédit avant décision)"));
    assert_non_null(strstr(x, "5;Sophie Roy;102;B2;Éthique municipale;120;2,00;;\"\"\r\n"));
    assert_non_null(strstr(x, ";Total de l’événement;;;Congrès 2026;;3,50;;\"\"\r\n"));
    free(x);

    /* The review queue lists Hélène's missing exit with her timeline. */
    char out[8192];
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "review", "42", NULL), 0);
    assert_non_null(
        strstr(out, "101-1  Hélène Tremblay (1), A1: missing-exit, exit-without-entry"));
    assert_non_null(strstr(out, "withheld"));
    assert_non_null(strstr(out, "1 to review, 1 pending (missing exit: review)"));
    /* A decision needs a name; accepted, the missing exit counts until 10:30. */
    assert_int_equal(
        harness_admin(&r.proc, out, sizeof(out), "review", "decide", "101-1", "accept", NULL), 3);
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "review", "decide", "101-1", "accept",
                                   "--reason", "vue en salle", "--by", "Nadia", NULL),
                     0);
    x = report(&r, "excel", NULL, &len);
    assert_non_null(strstr(x, "1;Hélène Tremblay;101;A1;Gestion documentaire;90;1,50;"));
    assert_non_null(strstr(x, ";acceptée\r\n"));
    assert_non_null(strstr(x, ";Total de l’événement;;;Congrès 2026;;5,00;;\"\"\r\n"));
    free(x);
    /* Edited to 09:00-10:00: 60 min, under 80 %: no credit; before/after kept. */
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "review", "decide", "101-1", "edit",
                                   "--entry", "2026-05-20T09:00", "--exit", "2026-05-20T10:00",
                                   "--reason", "partie à 10 h", "--by", "Nadia", NULL),
                     0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM review_decision"), 2);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM review_decision WHERE"
                                            " decision = 'edit' AND before LIKE"
                                            " '%\"credit_minutes\":90%' AND after LIKE"
                                            " '%\"minutes_attended\":60,\"credit_minutes\":0%'"),
                     1);
    x = report(&r, "csv", NULL, &len);
    assert_non_null(strstr(x, "participant_id,name,session_id,session_code,session,"
                              "minutes_attended,credit_hours,note,credit_minutes,anomalies,"
                              "review\r\n"));
    assert_non_null(strstr(x, "1,Hélène Tremblay,101,A1,Gestion documentaire,60,0.00,"
                              "exit not scanned; exit without entry,0,"
                              "missing-exit exit-without-entry,edit\r\n"));
    for (const char *nl = strchr(x, '\n'); nl; nl = strchr(nl + 1, '\n')) {
        assert_true(nl > x && nl[-1] == '\r'); /* every line ends CRLF */
    }
    free(x);
    /* Rejected: nothing. */
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "review", "decide", "101-1", "reject",
                                   "--reason", "absente", "--by", "Nadia", NULL),
                     0);

    /* At 13:45 nothing after 13:45 is credited: Sophie has 45 minutes of B2 (0.75 h). */
    x = report(&r, "csv", "2026-05-20T13:45:00-04:00", &len);
    assert_non_null(strstr(x, "5,Sophie Roy,102,B2,Éthique municipale,45,0.75,,45,,\"\"\r\n"));
    free(x);
    /* The same time typed without its offset is the event's (Montréal), not UTC's 09:45. */
    x = report(&r, "csv", "2026-05-20T13:45", &len);
    assert_non_null(strstr(x, "5,Sophie Roy,102,B2,Éthique municipale,45,0.75,,45,,\"\"\r\n"));
    free(x);
    assert_int_not_equal(harness_admin(&r.proc, out, sizeof(out), "report", "credits", "42", "-",
                                       "--now", "yesterday", NULL),
                         0);

    /* JSON: totals from minutes. */
    x = report(&r, "json", NULL, &len);
    json_error_t jerr;
    json_t *j = json_loads(x, 0, &jerr);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "credit_minutes")), 210);
    assert_string_equal(json_string_value(json_object_get(j, "credit_hours")), "3.50");
    assert_string_equal(json_string_value(json_object_get(j, "missing_exit")), "review");
    json_decref(j);
    free(x);

    /* The policy: a bad value refused, "full" counts Hélène's open entry without a decision
     * (a fresh participant: Luc, 4). */
    assert_int_equal(
        harness_admin(&r.proc, out, sizeof(out), "event", "set", "42", "missing-exit", "all", NULL),
        2);
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "event", "set", "42", "missing-exit",
                                   "full", NULL),
                     0);
    rec(a, sizeof(a), 4, 101, true, 0, AT(9, 10));
    push(&r, token, a);
    x = report(&r, "csv", NULL, &len);
    assert_non_null(strstr(x, "4,Luc Gagnon,101,A1,Gestion documentaire,80,1.50,"
                              "exit not scanned,90,missing-exit,pending\r\n"));
    free(x);

    /* A kiosk whose clock rebooted to 1970 before syncing: flagged, not a silent 0.00 h. */
    trusted_clock = false;
    rec(a, sizeof(a), 5, 101, true, 0, 60000);
    rec(b, sizeof(b), 5, 101, false, 1, 5460000);
    trusted_clock = true;
    snprintf(all, sizeof(all), "%s,%s", a, b);
    push(&r, token, all);
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "review", "42", "--json", NULL), 0);
    json_t *q = json_loads(out, 0, &jerr);
    assert_non_null(q);
    bool found = false;
    json_t *item;
    size_t i;
    json_array_foreach(json_object_get(q, "items"), i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "id")), "101-5") == 0) {
            found = true;
            char *flags = json_dumps(json_object_get(item, "anomalies"), JSON_COMPACT);
            assert_string_equal(flags, "[\"clock\",\"outside-window\"]");
            free(flags);
            assert_int_equal(json_array_size(json_object_get(item, "timeline")), 4);
        }
    }
    assert_true(found);
    json_decref(q);

    /* The event file's missing_exit: a bad value refused with nothing changed, a good one set. */
    char path[400], text[2048];
    snprintf(text, sizeof(text), "%.*s, \"missing_exit\": \"tout\"}",
             (int)strlen(fixture_event_json) - 1, fixture_event_json);
    harness_write(r.proc.dir, "bad.json", text, path, sizeof(path));
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "event", "import", path, NULL), 3);
    assert_int_equal(
        registry_query_int(&r, "SELECT count(*) FROM event WHERE missing_exit = 'full'"), 1);
    snprintf(text, sizeof(text), "%.*s, \"missing_exit\": \"none\"}",
             (int)strlen(fixture_event_json) - 1, fixture_event_json);
    harness_write(r.proc.dir, "none.json", text, path, sizeof(path));
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "event", "import", path, NULL), 0);
    assert_int_equal(
        registry_query_int(&r, "SELECT count(*) FROM event WHERE missing_exit = 'none'"), 1);
    /* Re-imported without the field, the setting stays. */
    harness_write(r.proc.dir, "plain.json", fixture_event_json, path, sizeof(path));
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "event", "import", path, NULL), 0);
    assert_int_equal(
        registry_query_int(&r, "SELECT count(*) FROM event WHERE missing_exit = 'none'"), 1);
    x = report(&r, "csv", NULL, &len);
    assert_non_null(strstr(x, "4,Luc Gagnon,101,A1,Gestion documentaire,0,0.00,"
                              "exit not scanned,0,missing-exit,pending\r\n"));
    free(x);

    /* The retention purge (after this complete export) deletes the decisions: they name a
     * participant and give a reason in words. */
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM review_decision"), 3);
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "purge", "42", "--days", "30", NULL),
                     0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM review_decision"), 0);
    registry_cleanup(&r);
}

/* Each text's `marks`, in order: fails naming the first one missing or out of order. */
static void assert_in_order(const char *what, const char *text, const char *const *marks)
{
    const char *at = text;
    for (size_t i = 0; marks[i]; i++) {
        const char *next = strstr(at, marks[i]);
        if (!next) {
            fail_msg("%s: \"%s\" missing or out of order in:\n%s", what, marks[i], text);
        }
        at = next + strlen(marks[i]);
    }
}

/* Names in the order a French reader expects (core/collate.h), accents and case ignored, then
 * the participant's number: Élise (15), Élise (16), émile, Émilie, Eric, Zoé; before, by bytes
 * (strcasecmp), Eric came first and every name with an accented capital after Zoé. In every
 * export, the console's credits page and search, and the attestations zip. */
static void test_credits_name_order(void **state)
{
    (void)state;
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char path[400], token[128], out[8192];
    harness_write(r.proc.dir, "more.csv",
                  "id,name,organisation,member,status,sessions\n"
                  "11,Zoé,Ville,oui,confirmé,A1\n12,Émilie,Ville,oui,confirmé,A1\n"
                  "13,Eric,Ville,oui,confirmé,A1\n14,émile,Ville,oui,confirmé,A1\n"
                  "16,Élise,Ville,oui,confirmé,A1\n15,Élise,Ville,oui,confirmé,A1\n",
                  path, sizeof(path));
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "roster", "import", "42", path, NULL),
                     0);
    registry_kiosk(&r, 42, token, NULL);
    char all[8192] = "";
    for (uint32_t p = 11; p <= 16; p++) {
        char in[900], ex[900];
        rec(in, sizeof(in), p, 101, true, 0, AT(9, 0));
        rec(ex, sizeof(ex), p, 101, false, 1, AT(10, 30));
        snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s,%s", p > 11 ? "," : "", in,
                 ex);
    }
    push(&r, token, all);

    size_t len;
    char *t = report(&r, "csv", NULL, &len);
    static const char *const csv[] = {"\n15,Élise,", "\n16,Élise,", "\n14,émile,", "\n12,Émilie,",
                                      "\n13,Eric,",  "\n11,Zoé,",   NULL};
    assert_in_order("csv", t, csv);
    free(t);
    t = report(&r, "excel", NULL, &len);
    static const char *const excel[] = {"\n15;Élise;", "\n16;Élise;", "\n14;émile;", "\n12;Émilie;",
                                        "\n13;Eric;",  "\n11;Zoé;",   NULL};
    assert_in_order("excel", t, excel);
    free(t);
    t = report(&r, "json", NULL, &len);
    static const char *const json[] = {"\"participant_id\": 15",
                                       "\"participant_id\": 16",
                                       "\"participant_id\": 14",
                                       "\"participant_id\": 12",
                                       "\"participant_id\": 13",
                                       "\"participant_id\": 11",
                                       NULL};
    json_t *j = json_loadb(t, len, 0, NULL);
    assert_non_null(j);
    char *flat = json_dumps(json_object_get(j, "participants"), JSON_PRESERVE_ORDER);
    assert_in_order("json", flat, json);
    free(flat);
    json_decref(j);
    free(t);

    /* The attestations zip: its PDFs in the same order (file names in the zip's headers). */
    char key[400], zip[400];
    snprintf(key, sizeof(key), "%s/sign.key", r.proc.dir);
    snprintf(zip, sizeof(zip), "%s/all.zip", r.proc.dir);
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "attest", "42", "--key", key, "--zip", zip,
                                   "--issued", "2026-05-21T12:00:00Z", NULL),
                     0);
    FILE *f = fopen(zip, "rb");
    assert_non_null(f);
    char *bytes = calloc(1, 1 << 22);
    assert_non_null(bytes);
    size_t n = fread(bytes, 1, (1 << 22) - 1, f);
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        bytes[i] = bytes[i] ? bytes[i] : '.'; /* one string to search */
    }
    static const char *const pdfs[] = {"Elise-15.pdf",
                                       "Elise-16.pdf",
                                       "emile-14.pdf",
                                       "Emilie-12.pdf",
                                       "Eric-13.pdf",
                                       "Zoe-11.pdf",
                                       NULL};
    assert_in_order("zip", bytes, pdfs);
    free(bytes);

    /* The console: the credits page and a search. */
    web_add_user(&r, "alice", "registrar", "correct horse battery");
    char cookie[80];
    web_sign_in(&r, "alice", "correct+horse+battery", cookie);
    static const char *const rows[] = {"participants/15\"",
                                       "participants/16\"",
                                       "participants/14\"",
                                       "participants/12\"",
                                       "participants/13\"",
                                       "participants/11\"",
                                       NULL};
    http_resp a;
    web_request(&r, "GET", "/events/42/credits", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_in_order("credits page", a.body, rows);
    http_resp_free(&a);
    web_request(&r, "GET", "/events/42/participants?q=e", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    static const char *const found[] = {"participants/15\"", "participants/16\"",
                                        "participants/14\"", "participants/12\"",
                                        "participants/13\"", NULL}; /* Zoé: no word in e */
    assert_in_order("search", a.body, found);
    assert_null(strstr(a.body, "participants/11\""));
    http_resp_free(&a);
    registry_cleanup(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credits_review_and_exports),
        cmocka_unit_test(test_credits_name_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
