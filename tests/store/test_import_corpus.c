/* The organiser-file corpus (tests/data/imports, described in its README.md) through the
 * importer that bornectl and borne-registry share (store/import.h).
 *
 * expect.tsv says, for every file, how its import ends: a correct import (counts, names with
 * their accents, member flags, statuses and registrations checked) or an error whose message
 * holds the given pieces (line, column, value). Every file of the directory must be in the
 * table. Then each roster file is re-imported over a full roster without --replace: no
 * re-import may lose a person or a registration. tests/cli/test_imports.sh does the same
 * through the real bornectl and borne-registry binaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/import.h"
#include "store/store.h"
#include "support/fixture.h"

#define EVENT_ID 88
#define ROWS_MAX 128

struct row {
    char file[128];
    bool event;
    bool ok;
    long count;
    long regs;
    char checks[1024];
};

static struct row rows[ROWS_MAX];
static size_t nrows;
static char dir[512];

static void load_table(void)
{
    const char *data = getenv("BORNE_TEST_DATA");
    assert_non_null(data);
    snprintf(dir, sizeof(dir), "%s/imports", data);
    char path[600];
    snprintf(path, sizeof(path), "%s/expect.tsv", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048];
    nrows = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        assert_true(nrows < ROWS_MAX);
        struct row *r = &rows[nrows++];
        memset(r, 0, sizeof(*r));
        char *fields[6] = {0};
        char *p = line;
        for (int i = 0; i < 6; i++) {
            fields[i] = p;
            char *tab = p ? strchr(p, '\t') : NULL;
            if (tab) {
                *tab = '\0';
                p = tab + 1;
            } else {
                p = NULL;
            }
        }
        assert_non_null(fields[4]);
        snprintf(r->file, sizeof(r->file), "%s", fields[0]);
        r->event = strcmp(fields[1], "event") == 0;
        r->ok = strcmp(fields[2], "ok") == 0;
        r->count = strtol(fields[3], NULL, 10);
        r->regs = strtol(fields[4], NULL, 10);
        snprintf(r->checks, sizeof(r->checks), "%s", fields[5] ? fields[5] : "");
    }
    fclose(f);
}

static char *read_corpus(const char *name, size_t *len)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    char *buf = NULL;
    if (borne_read_file(path, BORNE_IMPORT_MAX_BYTES, &buf, len) != BORNE_OK) {
        fail_msg("cannot read %s", path);
    }
    return buf;
}

static struct borne_store *store_with_event(void)
{
    struct borne_store *s = NULL;
    assert_int_equal(borne_store_open(":memory:", &s), BORNE_OK);
    size_t len;
    char *json = read_corpus("event.json", &len);
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    assert_int_equal(borne_import_event_json(s, json, len, &res, msg, sizeof(msg)), BORNE_OK);
    free(json);
    return s;
}

static uint32_t session_id(const char *code)
{
    return strcmp(code, "A1") == 0 ? 881 : strcmp(code, "B2") == 0 ? 882 : 883;
}

static bool registered(struct borne_store *s, uint32_t id, uint32_t session)
{
    bool yes = false;
    assert_int_equal(borne_store_is_registered(s, EVENT_ID, id, session, &yes), BORNE_OK);
    return yes;
}

/* One check of an imported roster: "1=Name", "1+m" / "1-m" (member or not), "1!status",
 * "1@A1" (registered) or "1~A1" (not registered). */
static void check_one(struct borne_store *s, const char *file, const char *check)
{
    char *end;
    uint32_t id = (uint32_t)strtoul(check, &end, 10);
    borne_participant p;
    if (borne_store_get_participant(s, EVENT_ID, id, &p) != BORNE_OK) {
        fail_msg("%s: participant %u missing (check %s)", file, id, check);
    }
    static const char *const status[] = {"none", "confirmed", "cancelled", "attention"};
    bool ok;
    switch (*end) {
    case '=':
        ok = strcmp(p.display_name, end + 1) == 0;
        break;
    case '+':
        ok = p.member;
        break;
    case '-':
        ok = !p.member;
        break;
    case '!':
        ok = strcmp(status[p.status], end + 1) == 0;
        break;
    case '@':
        ok = registered(s, id, session_id(end + 1));
        break;
    case '~':
        ok = !registered(s, id, session_id(end + 1));
        break;
    default:
        ok = false;
    }
    if (!ok) {
        fail_msg("%s: check \"%s\" failed (name \"%s\", member %d, status %d)", file, check,
                 p.display_name, p.member, p.status);
    }
}

static void run_row(const struct row *r)
{
    struct borne_store *s = store_with_event();
    size_t len;
    char *data = read_corpus(r->file, &len);
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    borne_err err;
    if (r->event) {
        borne_store_close(s);
        assert_int_equal(borne_store_open(":memory:", &s), BORNE_OK);
        err = borne_import_event_json(s, data, len, &res, msg, sizeof(msg));
    } else {
        err = borne_import_roster(s, EVENT_ID, data, len, NULL, &res, msg, sizeof(msg));
    }
    free(data);
    if (r->ok) {
        if (err) {
            fail_msg("%s: expected a correct import, got %d: %s", r->file, err, msg);
        }
        if (r->event) {
            assert_int_equal(res.sessions, r->count);
        } else {
            if ((long)res.participants != r->count || (long)res.registrations != r->regs) {
                fail_msg("%s: %zu participants, %zu registrations; expected %ld and %ld", r->file,
                         res.participants, res.registrations, r->count, r->regs);
            }
            assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM registration"), r->regs);
            assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM participant"), r->count);
        }
    } else {
        /* Bad data (bornectl and borne-registry exit 3), nothing kept. */
        if (err != BORNE_ERR_PARSE) {
            fail_msg("%s: expected a parse error, got %d: %s", r->file, err, msg);
        }
        assert_int_equal(res.participants, 0);
        assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM participant"), 0);
    }
    char checks[sizeof(r->checks)];
    snprintf(checks, sizeof(checks), "%s", r->checks);
    char *save = NULL;
    for (char *c = strtok_r(checks, "|", &save); c; c = strtok_r(NULL, "|", &save)) {
        if (!r->ok) {
            if (!strstr(msg, c)) {
                fail_msg("%s: the message lacks \"%s\": %s", r->file, c, msg);
            }
        } else {
            check_one(s, r->file, c);
        }
    }
    borne_store_close(s);
}

static void test_every_file_is_expected(void **state)
{
    (void)state;
    load_table();
    assert_true(nrows >= 30);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    size_t files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "expect.tsv") == 0 ||
            strcmp(e->d_name, "README.md") == 0) {
            continue;
        }
        files++;
        bool found = false;
        for (size_t i = 0; i < nrows && !found; i++) {
            found = strcmp(rows[i].file, e->d_name) == 0;
        }
        if (!found) {
            fail_msg("%s is not in expect.tsv", e->d_name);
        }
    }
    closedir(d);
    assert_int_equal(files, nrows);
}

static void test_corpus(void **state)
{
    (void)state;
    load_table();
    for (size_t i = 0; i < nrows; i++) {
        run_row(&rows[i]);
    }
}

/* The full roster of the corpus (baseline-utf8-comma.csv): 6 people, 9 registrations. */
static const struct {
    uint32_t id;
    const char *sessions;
} baseline[] = {{1, "A1 B2"}, {2, "B2"}, {3, "A1 C3"}, {4, "C3"}, {5, "A1"}, {6, "B2 C3"}};

static void assert_baseline_kept(struct borne_store *s, const char *after)
{
    for (size_t i = 0; i < sizeof(baseline) / sizeof(baseline[0]); i++) {
        borne_participant p;
        if (borne_store_get_participant(s, EVENT_ID, baseline[i].id, &p) != BORNE_OK) {
            fail_msg("after %s: participant %u lost", after, baseline[i].id);
        }
        char codes[16];
        snprintf(codes, sizeof(codes), "%s", baseline[i].sessions);
        char *save = NULL;
        for (char *c = strtok_r(codes, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
            if (!registered(s, baseline[i].id, session_id(c))) {
                fail_msg("after %s: participant %u lost session %s", after, baseline[i].id, c);
            }
        }
    }
}

static borne_err import_file(struct borne_store *s, const char *file, const borne_import_options *o,
                             borne_import_result *res, char *msg)
{
    size_t len;
    char *data = read_corpus(file, &len);
    borne_err err = borne_import_roster(s, EVENT_ID, data, len, o, res, msg, BORNE_IMPORT_MSG_MAX);
    free(data);
    return err;
}

static void test_reimport_never_loses(void **state)
{
    (void)state;
    load_table();
    struct borne_store *s = store_with_event();
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    assert_int_equal(import_file(s, "baseline-utf8-comma.csv", NULL, &res, msg), BORNE_OK);
    size_t refused = 0, applied = 0;
    for (size_t i = 0; i < nrows; i++) {
        if (rows[i].event) {
            continue;
        }
        borne_err err = import_file(s, rows[i].file, NULL, &res, msg);
        assert_baseline_kept(s, rows[i].file);
        if (err == BORNE_ERR_PERM) {
            refused++;
            /* Refused because it would remove something: it says how much. */
            assert_true(res.diff.regs_removed > 0 || res.diff.people_removed > 0);
            assert_non_null(strstr(msg, "--replace"));
        } else if (!err) {
            applied++;
        }
        /* Back to the baseline (the file may have renamed or added people). */
        borne_import_options replace = {.replace = true};
        assert_int_equal(import_file(s, "baseline-utf8-comma.csv", &replace, &res, msg), BORNE_OK);
        assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM participant"), 6);
        assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM registration"), 9);
    }
    /* Both kinds occur in the corpus: the test is not vacuous. */
    assert_true(refused >= 3);
    assert_true(applied >= 10);
    borne_store_close(s);
}

static void test_dry_run_and_replace(void **state)
{
    (void)state;
    load_table();
    struct borne_store *s = store_with_event();
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    assert_int_equal(import_file(s, "baseline-utf8-comma.csv", NULL, &res, msg), BORNE_OK);
    assert_int_equal(res.diff.people_added, 6);
    assert_int_equal(res.diff.regs_added, 9);
    /* Same file again: no change at all. */
    assert_int_equal(import_file(s, "baseline-utf8-comma.csv", NULL, &res, msg), BORNE_OK);
    assert_int_equal(res.diff.people_added + res.diff.people_changed + res.diff.regs_added +
                         res.diff.regs_removed,
                     0);
    /* "A1 A1 a1" for Hélène (had A1 B2): the dry run counts, changes nothing. */
    borne_import_options dry = {.replace = true, .dry_run = true};
    assert_int_equal(import_file(s, "duplicate-session-codes.csv", &dry, &res, msg), BORNE_OK);
    assert_int_equal(res.diff.people_removed, 3); /* 4, 5 and 6 are not in that file */
    assert_int_equal(res.diff.people_absent, 3);
    assert_int_equal(res.diff.people_changed, 3);
    assert_true(res.diff.regs_removed > 0);
    assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM participant"), 6);
    assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM registration"), 9);
    assert_true(registered(s, 1, 882));
    /* A dry run without --replace tells that the real run would be refused. */
    dry.replace = false;
    assert_int_equal(import_file(s, "duplicate-session-codes.csv", &dry, &res, msg),
                     BORNE_ERR_PERM);
    assert_int_equal(res.diff.people_removed, 0);
    assert_int_equal(res.diff.people_absent, 3);
    /* A header-only file with --replace empties the roster, and says so. */
    borne_import_options replace = {.replace = true};
    assert_int_equal(import_file(s, "header-only.csv", NULL, &res, msg), BORNE_OK);
    assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM participant"), 6);
    assert_int_equal(import_file(s, "header-only.csv", &replace, &res, msg), BORNE_OK);
    assert_int_equal(res.diff.people_removed, 6);
    assert_int_equal(res.diff.regs_removed, 9);
    assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM participant"), 0);
    /* A misspelled sessions header is an error before anything is compared. */
    assert_int_equal(import_file(s, "baseline-utf8-comma.csv", NULL, &res, msg), BORNE_OK);
    assert_int_equal(import_file(s, "typo-header-seance.csv", &replace, &res, msg),
                     BORNE_ERR_PARSE);
    assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM registration"), 9);
    /* Columns the door does not use are listed, not stored. */
    assert_int_equal(import_file(s, "platform-export-extra-columns.csv", NULL, &res, msg),
                     BORNE_OK);
    assert_non_null(strstr(res.ignored, "\"Courriel\""));
    assert_non_null(strstr(res.ignored, "\"Montant payé\""));
    assert_int_equal(res.encoding, BORNE_TEXT_UTF8_BOM);
    assert_int_equal(import_file(s, "excel-fr-cp1252-semicolon-crlf.csv", NULL, &res, msg),
                     BORNE_OK);
    assert_int_equal(res.encoding, BORNE_TEXT_CP1252);
    borne_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_file_is_expected),
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_reimport_never_loses),
        cmocka_unit_test(test_dry_run_and_replace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
