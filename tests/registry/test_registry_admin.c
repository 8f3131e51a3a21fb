/* The registry's admin commands against the real borne-registry: roster import (unchanged,
 * changed and replaced rows, the change cursor kiosks pull by, one transaction) and the
 * retention purge (refused too early or before the credits export; anonymised or deleted; the
 * attendance counts kept; no name left in the database files; the event's kiosks revoked). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "registry/client.h"
#include "support/fixture.h"

#define JSON "application/json"

static void pull(test_registry *r, const char *token, int64_t since, json_t **page)
{
    char path[64];
    snprintf(path, sizeof(path), "/v1/roster?since=%lld", (long long)since);
    http_resp a;
    assert_int_equal(http_do(r->proc.port, "GET", path, token, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 200);
    *page = json_loadb(a.body, a.len, 0, NULL);
    assert_non_null(*page);
    http_resp_free(&a);
}

static int64_t counter(test_registry *r)
{
    return registry_query_int(r, "SELECT value FROM counter");
}

static void test_roster_import(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    json_t *page;
    pull(&r, token, 0, &page);
    int64_t cursor = json_integer_value(json_object_get(page, "cursor"));
    assert_int_equal(json_array_size(json_object_get(page, "participants")), 6);
    json_decref(page);

    /* The same file again: nothing changes, the counter does not move. */
    char path[400], out[512];
    int64_t before = counter(&r);
    harness_write(r.proc.dir, "same.csv", fixture_roster_csv, path, sizeof(path));
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "roster", "import", "42", path, NULL),
                     0);
    assert_non_null(strstr(out, "6 participants, 0 changed, 0 deleted"));
    assert_int_equal(counter(&r), before);

    /* One changed (organisation), one new, the rest unchanged; without --replace nobody goes. */
    harness_write(r.proc.dir, "two.csv",
                  "id,name,organisation,member,status,sessions\n"
                  "2,Jean Lévesque,Ville de Lévis,non,confirmed,101\n"
                  "7,Nadia Bergeron,Ville de Sherbrooke,oui,confirmé,A1\n"
                  "5,Sophie Roy,Ville de Gatineau,oui,confirmed,B2\n",
                  path, sizeof(path));
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "roster", "import", "42", path, NULL),
                     0);
    assert_non_null(strstr(out, "3 participants, 2 changed, 0 deleted"));
    assert_int_equal(counter(&r), before + 2);
    pull(&r, token, cursor, &page);
    json_t *ps = json_object_get(page, "participants");
    assert_int_equal(json_array_size(ps), 2);
    /* In change order, each with its own change number. */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ps, 0), "id")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ps, 1), "id")), 7);
    assert_int_equal(json_integer_value(json_object_get(page, "cursor")), before + 2);
    cursor = json_integer_value(json_object_get(page, "cursor"));
    json_decref(page);
    assert_int_equal(registry_query_int(&r, "SELECT count(DISTINCT changed) FROM participant"),
                     registry_query_int(&r, "SELECT count(*) FROM participant"));

    /* --replace: everyone not in the file is deleted (tombstones kiosks pull). */
    assert_int_equal(
        harness_admin(&r.proc, out, sizeof(out), "roster", "import", "42", path, "--replace", NULL),
        0);
    assert_non_null(strstr(out, "3 participants, 0 changed, 4 deleted"));
    pull(&r, token, cursor, &page);
    assert_int_equal(json_array_size(json_object_get(page, "participants")), 0);
    assert_int_equal(json_array_size(json_object_get(page, "deleted_participants")), 4);
    json_decref(page);
    assert_int_equal(
        registry_query_int(&r, "SELECT count(*) FROM participant WHERE deleted = 1 AND name = ''"),
        4);

    /* A bad row (an id in the walk-in range) refuses the whole file: nothing half-imported. */
    before = counter(&r);
    harness_write(r.proc.dir, "bad.csv",
                  "id,name,organisation,member,status,sessions\n"
                  "8,Olivier Paquette,Ville de Magog,oui,confirmé,A1\n"
                  "3221291009,Pierre Walk,Ville de Granby,oui,confirmé,A1\n",
                  path, sizeof(path));
    assert_int_not_equal(
        harness_admin(&r.proc, out, sizeof(out), "roster", "import", "42", path, NULL), 0);
    assert_int_equal(counter(&r), before);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM participant WHERE id = 8"), 0);
    registry_cleanup(&r);
}

/* ---- retention ---- */

/* The attendance report of an event (CSV text, malloc'ed). */
static char *attendance(test_registry *r, uint32_t event)
{
    char ev[16];
    snprintf(ev, sizeof(ev), "%u", event);
    char *out = malloc(8192);
    assert_int_equal(harness_admin(&r->proc, out, 8192, "report", "attendance", ev, NULL), 0);
    return out;
}

/* True when `needle` occurs in the file's bytes (a missing file holds nothing). */
static bool file_holds(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    size_t cap = 1 << 20, len = 0, n;
    char *buf = malloc(cap);
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    bool found = false;
    size_t nl = strlen(needle);
    for (size_t i = 0; !found && i + nl <= len; i++) {
        found = memcmp(buf + i, needle, nl) == 0;
    }
    free(buf);
    return found;
}

static void push_some(test_registry *r, const char *token, const char *prefix, int n)
{
    size_t cap = (size_t)n * 800 + 64, len = 0;
    char *body = malloc(cap);
    len += (size_t)snprintf(body + len, cap - len, "{\"checkins\":[");
    for (int i = 0; i < n; i++) {
        char u[40], rec[800];
        snprintf(u, sizeof(u), "%s-4d5e-4f60-8a7b-%012x", prefix, i);
        checkin_json(rec, sizeof(rec), u, 42, 1 + (uint32_t)(i % 5), 1779282000000 + i, true);
        /* A staff id on manual check-ins, as staff mode sends. */
        char *staff = strstr(rec, "\"staff_id\":\"\"");
        if (i % 2 && staff) {
            char fixed[800];
            snprintf(fixed, sizeof(fixed), "%.*s\"staff_id\":\"staff-Hx\"%s", (int)(staff - rec),
                     rec, staff + strlen("\"staff_id\":\"\""));
            snprintf(rec, sizeof(rec), "%s", fixed);
        }
        len += (size_t)snprintf(body + len, cap - len, "%s%s", i ? "," : "", rec);
    }
    snprintf(body + len, cap - len, "]}");
    http_resp a;
    assert_int_equal(
        http_do(r->proc.port, "POST", "/v1/checkins", token, JSON, body, strlen(body), &a), 0);
    assert_int_equal(a.status, 200);
    assert_null(strstr(a.body, "refused"));
    http_resp_free(&a);
    free(body);
}

static void test_purge_anonymises(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    registry_other_event(&r);
    char token[128], key[400], out[1024];
    int kiosk = registry_kiosk(&r, 42, token, NULL);
    /* Badge codes issued (the registry keeps their text) and a revoked code. */
    snprintf(key, sizeof(key), "%s/sign.key", r.proc.dir);
    assert_int_equal(
        harness_admin(&r.proc, NULL, 0, "token", "issue", "--key", key, "--event", "42", NULL), 0);
    assert_int_equal(
        harness_admin(&r.proc, NULL, 0, "revoke", "--event", "42", FIX_OPAQUE_HELENE, NULL), 0);
    push_some(&r, token, "3b1e2a3c", 12);
    /* A walk-in registered at this kiosk's door: name and organisation come with the push. */
    char rec[800], walkin[1200];
    uint32_t walkin_id = 0xC0000000u + ((uint32_t)kiosk % 16384u) * 65536u + 1u;
    checkin_json(rec, sizeof(rec), "6b1e2a3c-4d5e-4f60-8a7b-000000000001", 42, walkin_id,
                 1779282000000, true);
    snprintf(walkin, sizeof(walkin),
             "{\"checkins\":[%.*s,\"walk_in\":{\"name\":\"Inès Quenneville\","
             "\"organisation\":\"Ville de Beloeil\",\"sessions\":[101]}}]}",
             (int)strlen(rec) - 1, rec);
    http_resp a;
    assert_int_equal(
        http_do(r.proc.port, "POST", "/v1/checkins", token, JSON, walkin, strlen(walkin), &a), 0);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "\"stored\""));
    http_resp_free(&a);
    assert_int_equal(
        registry_query_int(&r, "SELECT count(*) FROM participant WHERE name = 'Inès Quenneville'"),
        1);
    char *before = attendance(&r, 42);

    /* Not yet: the credits were never exported. */
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "purge", "42", "--days", "30", NULL),
                     1);
    char csv[400];
    snprintf(csv, sizeof(csv), "%s/credits.csv", r.proc.dir);
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "report", "credits", "42", csv, NULL), 0);
    struct stat sb;
    assert_int_equal(stat(csv, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600); /* names: for its owner only */
    /* A kiosk's setup image holds its one-time enrolment token: owner only too, also when a
     * readable file of that name was there. */
    char png[400];
    snprintf(png, sizeof(png), "%s/setup.png", r.proc.dir);
    FILE *old_png = fopen(png, "w");
    assert_non_null(old_png);
    fclose(old_png);
    assert_int_equal(chmod(png, 0644), 0);
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "kiosk", "add", "--event", "43",
                                   "--url", "https://registre.example.org", "--png", png, NULL),
                     0);
    assert_int_equal(stat(png, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_true(sb.st_size > 100);
    /* Not yet: check-ins arrived after the export. */
    push_some(&r, token, "4b1e2a3c", 2);
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "purge", "42", "--days", "30", NULL),
                     1);
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "report", "credits", "42", csv, NULL), 0);
    free(before);
    before = attendance(&r, 42);
    /* Not yet: the event (2026-05-20) ended less than 100,000 days ago. */
    assert_int_equal(
        harness_admin(&r.proc, out, sizeof(out), "purge", "42", "--days", "36500", NULL), 1);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM participant WHERE name <> ''"),
                     9);
    /* Event 43 ends in the future of its retention too. */
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "report", "credits", "43", csv, NULL), 0);

    /* Now. */
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "purge", "42", "--days", "30", NULL),
                     0);
    assert_non_null(strstr(out, "event 42 anonymised: 7 participants, 15 check-ins, 1 kiosks"));
    /* The counts are the same. */
    char *after = attendance(&r, 42);
    assert_string_equal(after, before);
    free(after);
    free(before);
    /* Nothing personal left for event 42; event 43 untouched. */
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM participant WHERE event_id = 42"
                                            " AND (name <> '' OR organisation <> ''"
                                            " OR code IS NOT NULL OR badge IS NOT NULL)"),
                     0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin WHERE event_id = 42"
                                            " AND (code_hash IS NOT NULL OR staff_id IS NOT NULL)"),
                     0);
    assert_int_equal(
        registry_query_int(&r, "SELECT count(*) FROM revoked_code WHERE event_id = 42"), 0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM participant WHERE event_id = 43"
                                            " AND name <> ''"),
                     2);
    /* New ids: none of the old ones is left in the check-ins, and each old person is one new id. */
    assert_int_equal(registry_query_int(&r, "SELECT count(DISTINCT participant_id) FROM checkin"
                                            " WHERE event_id = 42"),
                     6);
    assert_int_equal(registry_query_int(&r, "SELECT max(id) FROM participant WHERE event_id = 42"),
                     7);
    /* And not in the files either (secure_delete, checkpointed WAL). */
    char wal[400];
    snprintf(wal, sizeof(wal), "%s-wal", r.proc.db);
    for (size_t i = 0; fixture_names[i]; i++) {
        if (file_holds(r.proc.db, fixture_names[i]) || file_holds(wal, fixture_names[i])) {
            fail_msg("\"%s\" is still in the registry's files", fixture_names[i]);
        }
    }
    assert_false(file_holds(r.proc.db, "staff-Hx"));
    assert_false(file_holds(r.proc.db, "Quenneville"));
    assert_false(file_holds(r.proc.db, "Beloeil"));
    assert_true(file_holds(r.proc.db, "Zoé Nadeau-Pelletier"));
    /* The event's kiosk is revoked. */
    assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster", token, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 401);
    http_resp_free(&a);
    (void)kiosk;
    /* Reports still run; running the purge again changes nothing that matters. */
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "report", "credits", "42", csv, NULL), 0);
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "purge", "42", "--days", "30", NULL),
                     0);
    /* The walk-in's name never reached the registry's log (debug level). */
    registry_down(&r);
    char *log = registry_log(&r);
    assert_non_null(strstr(log, "walk-in"));
    assert_null(strstr(log, "Quenneville"));
    assert_null(strstr(log, "Beloeil"));
    free(log);
    registry_cleanup(&r);
}

static void test_purge_deletes(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    registry_other_event(&r);
    char token[128], out[512], csv[400];
    registry_kiosk(&r, 42, token, NULL);
    push_some(&r, token, "5b1e2a3c", 4);
    snprintf(csv, sizeof(csv), "%s/credits.csv", r.proc.dir);
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "report", "credits", "42", csv, NULL), 0);
    assert_int_equal(
        harness_admin(&r.proc, out, sizeof(out), "purge", "42", "--days", "30", "--delete", NULL),
        0);
    assert_non_null(strstr(out, "event 42 deleted: 6 participants, 4 check-ins, 1 kiosks"));
    static const char *const tables[] = {"participant", "checkin", "session", "kiosk",
                                         "revoked_code"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE event_id = 42", tables[i]);
        assert_int_equal(registry_query_int(&r, sql), 0);
    }
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM event WHERE id = 42"), 0);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM participant WHERE event_id = 43"),
                     2);
    for (size_t i = 0; fixture_names[i]; i++) {
        assert_false(file_holds(r.proc.db, fixture_names[i]));
    }
    /* Unknown event; bad usage. */
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "purge", "42", "--days", "30", NULL), 1);
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "purge", "43", NULL), 2);
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "purge", "43", "--days", "-1", NULL), 2);
    registry_cleanup(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roster_import),
        cmocka_unit_test(test_purge_anonymises),
        cmocka_unit_test(test_purge_deletes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
