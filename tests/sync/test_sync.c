/* The sync end to end, against the real borne-registry on 127.0.0.1: provisioning, roster pull,
 * scans, push, credits; faults (HTTP 500, cut answers, lost answers, silence, slowness, a
 * registry killed mid-batch); two kiosks; a kiosk whose clock started in 1970; TLS refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkin/checkin.h"
#include "core/uuid.h"
#include "store/sync_store.h"
#include "support/fixture.h"
#include "sync/apply.h"
#include "sync/faultproxy.h"
#include "sync/harness.h"
#include "sync/protocol.h"
#include "sync/sync_support.h"
#include "sync/sync.h"

static void scan(kiosk *k, uint32_t session, borne_direction mode, const char *text,
                 borne_outcome expect)
{
    borne_checkin_options o = {.kiosk_id = "borne-test", .session_id = session, .mode = mode};
    struct borne_checkin *ck;
    assert_int_equal(borne_checkin_new(&ck, k->fx.store, &k->fx.clock, &o), BORNE_OK);
    borne_scan_result res;
    assert_int_equal(
        borne_checkin_scan(ck, (const uint8_t *)text, strlen(text), BORNE_METHOD_SCANNER, &res),
        BORNE_OK);
    assert_int_equal(res.outcome, expect);
    borne_checkin_free(ck);
}

static void on_found(void *ctx, const borne_participant *p)
{
    uint32_t *found = ctx;
    if (found[0] == 0) {
        found[1] = p->id;
    }
    found[0]++;
}

/* How many participants the kiosk's name search finds for `query`, and the first one's id. */
static uint32_t search_kiosk(struct borne_store *store, const char *query, uint32_t *first)
{
    uint32_t found[2] = {0, 0};
    assert_int_equal(borne_store_search(store, FIX_EVENT, query, 1000, on_found, found), BORNE_OK);
    *first = found[1];
    return found[0];
}

static uint32_t count_found(kiosk *k, const char *query)
{
    uint32_t first;
    return search_kiosk(k->fx.store, query, &first);
}

static uint32_t first_found(kiosk *k, const char *query)
{
    uint32_t first = 0;
    search_kiosk(k->fx.store, query, &first);
    return first;
}

/* The name index holds exactly the participant table's names, and its triggers are there. */
static bool fts_ok(struct borne_store *store)
{
    sqlite3 *db = borne_store_db(store);
    return sqlite3_exec(db,
                        "INSERT INTO participant_fts(participant_fts, rank)"
                        " VALUES ('integrity-check', 1)",
                        NULL, NULL, NULL) == SQLITE_OK &&
           fixture_query_int(store, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                                    " AND tbl_name = 'participant'") == 3 &&
           fixture_integrity_ok(store);
}

/* ---- tests ---- */

static void test_end_to_end(void **state)
{
    registry_proc r;
    char setup[512];
    registry_start_event(&r, setup, sizeof(setup));
    assert_true(strncmp(setup, "BORNE-SETUP/1 http://127.0.0.1:", 31) == 0);

    kiosk k;
    kiosk_open(&k, 5000, 0);
    provision(&k, setup);
    /* Credentials are owner-only and the enrolment token is spent. */
    char path[400];
    snprintf(path, sizeof(path), "%s/%s", k.fx.dir, BORNE_SYNC_CREDENTIALS_FILE);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    char msg[256];
    kiosk k2;
    kiosk_open(&k2, 5000, 0);
    assert_int_equal(borne_sync_provision(k2.sync, setup, msg, sizeof(msg)), BORNE_ERR_PERM);
    kiosk_close(&k2);

    /* The roster, sessions and key arrived. */
    int64_t people = 0;
    assert_int_equal(borne_store_count_participants(k.fx.store, FIX_EVENT, &people), BORNE_OK);
    assert_int_equal(people, 6);
    assert_int_equal(fixture_query_int(k.fx.store, "SELECT count(*) FROM session"), 2);
    assert_int_equal(fixture_query_int(k.fx.store, "SELECT count(*) FROM signing_key"), 1);
    /* The name search finds a pulled participant (accents and case ignored). */
    assert_int_equal(count_found(&k, "helene trem"), 1);
    assert_int_equal(first_found(&k, "TREMBLAY"), FIX_P_HELENE);

    /* Scan Hélène in at 09:01 and out at 10:25 (84 of 90 minutes: full 1.5 h credit). */
    char tok[256];
    registry_token(&r, FIX_P_HELENE, tok, sizeof(tok));
    fixture_set_time(&k.fx, FIX_A_START + 60, true);
    scan(&k, FIX_SESSION_A, BORNE_ENTRY, tok, BORNE_OUTCOME_ACCEPTED_ENTRY);
    fixture_set_time(&k.fx, FIX_A_END - 300, true);
    scan(&k, FIX_SESSION_A, BORNE_EXIT, tok, BORNE_OUTCOME_ACCEPTED_EXIT);
    /* The opaque code from the roster works too. */
    fixture_set_time(&k.fx, FIX_B_START + 60, true);
    scan(&k, FIX_SESSION_B, BORNE_ENTRY, FIX_OPAQUE_HELENE, BORNE_OUTCOME_ACCEPTED_ENTRY);

    assert_int_equal(borne_sync_run_once(k.sync), BORNE_OK);
    borne_sync_status st;
    borne_sync_get_status(k.sync, &st);
    assert_int_equal(st.pending, 0);
    assert_int_equal(st.pushed, 3);
    assert_string_equal(st.last_error, "");
    assert_exactly_once(&r, &k, 3);

    char report[4096];
    assert_int_equal(harness_admin(&r, report, sizeof(report), "report", "credits", "42", NULL), 0);
    assert_non_null(strstr(report, "1,Hélène Tremblay,101,A1,Gestion documentaire,84,1.50,"));
    assert_int_equal(harness_admin(&r, report, sizeof(report), "report", "attendance", "42", NULL),
                     0);
    assert_non_null(strstr(report, "101,A1,Gestion documentaire"));

    /* An incremental pull brings a change and a deletion. */
    char roster[400];
    harness_write(r.dir, "more.csv",
                  "id,name,organisation,member,status,sessions\n7,Zoé Nadeau,Ville de Lévis,oui,"
                  "confirmé,A1\n",
                  roster, sizeof(roster));
    assert_int_equal(harness_admin(&r, NULL, 0, "roster", "import", "42", roster, NULL), 0);
    assert_int_equal(harness_admin(&r, NULL, 0, "participant", "delete", "42", "6", NULL), 0);
    assert_int_equal(borne_sync_run_once(k.sync), BORNE_OK);
    assert_int_equal(borne_store_count_participants(k.fx.store, FIX_EVENT, &people), BORNE_OK);
    assert_int_equal(people, 6);
    assert_int_equal(
        fixture_query_int(k.fx.store, "SELECT count(*) FROM participant WHERE participant_id = 7"),
        1);
    assert_int_equal(
        fixture_query_int(k.fx.store, "SELECT count(*) FROM participant WHERE participant_id = 6"),
        0);
    assert_int_equal(first_found(&k, "zoe nad"), 7);
    assert_true(fts_ok(k.fx.store));

    /* A revoked kiosk is refused at once, with words for the staff screen. */
    assert_int_equal(harness_admin(&r, NULL, 0, "kiosk", "revoke", "1", NULL), 0);
    assert_int_equal(borne_sync_run_once(k.sync), BORNE_ERR_PERM);
    borne_sync_get_status(k.sync, &st);
    assert_non_null(strstr(st.last_error, "token was refused"));
    kiosk_close(&k);
    registry_stop(&r);
}

static void test_faults(void **state)
{
    registry_proc r;
    char setup[512];
    registry_start_event(&r, setup, sizeof(setup));
    const fault plan[] = {
        FAULT_PASS,        /* enrol */
        FAULT_PASS,        /* status */
        FAULT_PASS,        /* pull */
        FAULT_PASS,        /* status */
        FAULT_500,         /* push 1: 500 */
        FAULT_PASS,        /* status */
        FAULT_PASS,        /* push 1 */
        FAULT_CUT,         /* push 2: answer cut in the middle (stored, not acknowledged) */
        FAULT_PASS,        /* status */
        FAULT_PASS,        /* push 2 again: duplicates */
        FAULT_LOST_ANSWER, /* push 3: stored, answer never comes */
        FAULT_PASS,        /* status */
        FAULT_BLACKHOLE,   /* push: never forwarded nor answered */
        FAULT_PASS,        /* status */
        FAULT_SLOW,        /* push: slow but complete */
        FAULT_500,         /* push: 500 */
    };
    struct faultproxy *proxy = NULL;
    proxy = faultproxy_start(r.port, plan, sizeof(plan) / sizeof(plan[0]));
    assert_int_equal(harness_add_kiosk(&r, faultproxy_port(proxy), setup, sizeof(setup)), 0);

    kiosk k;
    kiosk_open(&k, 1500, 200);
    provision(&k, setup);
    add_checkins(&k, 1500);
    int failures = 0;
    borne_err err = BORNE_ERR_NET;
    for (int i = 0; i < 30 && err; i++) {
        err = borne_sync_run_once(k.sync);
        failures += err != BORNE_OK;
    }
    assert_int_equal(err, BORNE_OK);
    assert_true(failures >= 5);
    assert_true(faultproxy_requests(proxy) >= sizeof(plan) / sizeof(plan[0]));
    assert_exactly_once(&r, &k, 1500);
    faultproxy_stop(proxy);
    kiosk_close(&k);
    registry_stop(&r);
}

static void test_registry_killed_mid_batch(void **state)
{
    registry_proc r;
    kiosk k;
    registry_start_with_kiosk(&r, &k, 2000, 100);
    const int64_t total = 6000;
    add_checkins(&k, (size_t)total);

    struct bg_sync b = {.k = &k};
    pthread_t t;
    pthread_create(&t, NULL, bg_run, &b);
    /* Kill -9 as soon as the registry holds part of the check-ins. */
    int64_t seen = 0;
    for (int i = 0; i < 20000 && seen == 0; i++) {
        char *u = registry_uuids(&r, &seen);
        free(u);
        if (!seen) {
            usleep(500);
        }
    }
    uint16_t port = r.port;
    harness_kill(&r, SIGKILL);
    pthread_join(t, NULL);
    int64_t at_kill;
    free(registry_uuids(&r, &at_kill));
    fprintf(stderr, "registry killed holding %lld of %lld check-ins (sync: %s)\n",
            (long long)at_kill, (long long)total, borne_strerror(b.err));
    assert_true(at_kill > 0);
    assert_int_equal(harness_serve(&r, port, NULL), 0);
    assert_int_equal(sync_until_ok(&k, 5), BORNE_OK);
    assert_exactly_once(&r, &k, total);
    kiosk_close(&k);
    registry_stop(&r);
}

static void test_two_kiosks(void **state)
{
    registry_proc r;
    char s1[512], s2[512];
    registry_start_event(&r, s1, sizeof(s1));
    assert_int_equal(harness_add_kiosk(&r, r.port, s2, sizeof(s2)), 0);
    kiosk a, b;
    kiosk_open(&a, 5000, 0);
    kiosk_open(&b, 5000, 0);
    provision(&a, s1);
    provision(&b, s2);
    char helene[256], jean[256];
    registry_token(&r, FIX_P_HELENE, helene, sizeof(helene));
    registry_token(&r, FIX_P_JEAN, jean, sizeof(jean));

    /* Offline: Hélène enters at door A 09:00, leaves by door B 10:25 (85/90 min: credit).
     * Jean enters at both doors (09:02 at A, 09:05 at B) and leaves by A at 09:50 (48/90 min:
     * under 80 %, no credit). */
    fixture_set_time(&a.fx, FIX_A_START, true);
    scan(&a, FIX_SESSION_A, BORNE_ENTRY, helene, BORNE_OUTCOME_ACCEPTED_ENTRY);
    fixture_set_time(&a.fx, FIX_A_START + 120, true);
    scan(&a, FIX_SESSION_A, BORNE_ENTRY, jean, BORNE_OUTCOME_ACCEPTED_ENTRY);
    fixture_set_time(&b.fx, FIX_A_START + 300, true);
    scan(&b, FIX_SESSION_A, BORNE_ENTRY, jean, BORNE_OUTCOME_ACCEPTED_ENTRY);
    fixture_set_time(&a.fx, FIX_A_START + 50 * 60, true);
    scan(&a, FIX_SESSION_A, BORNE_EXIT, jean, BORNE_OUTCOME_ACCEPTED_EXIT);
    fixture_set_time(&b.fx, FIX_A_END - 300, true);
    scan(&b, FIX_SESSION_A, BORNE_EXIT, helene, BORNE_OUTCOME_EXIT_WITHOUT_ENTRY);

    /* Sync both, twice each, interleaved. */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(borne_sync_run_once(a.sync), BORNE_OK);
        assert_int_equal(borne_sync_run_once(b.sync), BORNE_OK);
    }
    int64_t n;
    char *u = registry_uuids(&r, &n);
    free(u);
    assert_int_equal(n, 5);
    char report[4096];
    assert_int_equal(harness_admin(&r, report, sizeof(report), "report", "credits", "42", NULL), 0);
    assert_non_null(strstr(report, "1,Hélène Tremblay,101,A1,Gestion documentaire,85,1.50,"));
    assert_non_null(strstr(report, "2,Jean Lévesque,101,A1,Gestion documentaire,48,0.00,"));
    kiosk_close(&a);
    kiosk_close(&b);
    registry_stop(&r);
}

static void test_walkin_ids(void **state)
{
    (void)state;
    uint32_t bits = 0;
    assert_int_equal(borne_walkin_id(1, 1), BORNE_WALKIN_ID_BASE + 65536u + 1u);
    assert_int_equal(borne_walkin_id(3, 0), 0);
    assert_int_equal(borne_walkin_id(3, 65536), 0);
    assert_true(borne_walkin_id_parse(borne_walkin_id(5, 9), &bits));
    assert_int_equal(bits, 5);
    /* Distinct kiosks, distinct ranges; numbers wrap only after 16384 kiosks. */
    assert_true(borne_walkin_id(1, 65535) < borne_walkin_id(2, 1));
    assert_int_equal(borne_walkin_id(16384 + 7, 1), borne_walkin_id(7, 1));
    assert_false(borne_walkin_id_parse(900000001u, NULL));
    assert_false(borne_walkin_id_parse(BORNE_WALKIN_ID_BASE, NULL));
}

static void test_walkin_reaches_registry_once(void **state)
{
    (void)state;
    registry_proc r;
    char s1[512], s2[512];
    registry_start_event(&r, s1, sizeof(s1));
    assert_int_equal(harness_add_kiosk(&r, r.port, s2, sizeof(s2)), 0);
    kiosk a, b;
    kiosk_open(&a, 5000, 0);
    kiosk_open(&b, 5000, 0);
    provision(&a, s1);
    provision(&b, s2);
    /* Each kiosk learnt its own number at enrolment, kept in the store for the UI thread. */
    borne_sync_status sa, sb;
    borne_sync_get_status(a.sync, &sa);
    borne_sync_get_status(b.sync, &sb);
    assert_int_equal(sa.kiosk_number, 1);
    assert_int_equal(sb.kiosk_number, 2);
    char num[24];
    assert_int_equal(
        borne_store_state_get(a.fx.store, BORNE_SYNC_KIOSK_NUMBER_KEY, num, sizeof(num)), BORNE_OK);
    assert_string_equal(num, "1");

    /* The same sequence number on both kiosks gives two participants, not one. */
    fixture_set_time(&a.fx, FIX_A_START + 120, true);
    fixture_set_time(&b.fx, FIX_A_START + 180, true);
    uint32_t va = kiosk_add_walkin(&a, sa.kiosk_number, 1, FIX_SESSION_A, "Véronique Saint-Amand",
                                   "Ville de Rimouski");
    uint32_t vb = kiosk_add_walkin(&b, sb.kiosk_number, 1, FIX_SESSION_A, "Émile Bérubé", "");
    assert_true(va != vb);
    assert_int_equal(borne_sync_run_once(a.sync), BORNE_OK);
    assert_int_equal(borne_sync_run_once(b.sync), BORNE_OK);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM participant WHERE event_id = 42 AND id = %u AND walkin_kiosk = 1"
             " AND name = 'Véronique Saint-Amand' AND organisation = 'Ville de Rimouski'"
             " AND sessions = '101' AND deleted = 0",
             va);
    assert_int_equal(registry_int(&r, sql), 1);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM participant WHERE id = %u AND walkin_kiosk = 2", vb);
    assert_int_equal(registry_int(&r, sql), 1);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM checkin WHERE participant_id = %u", va);
    assert_int_equal(registry_int(&r, sql), 1);

    /* A lost answer: the kiosk sends the same batch again; nothing is doubled. */
    assert_int_equal(
        sqlite3_exec(borne_store_db(a.fx.store), "UPDATE checkin SET synced = 0", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(borne_sync_run_once(a.sync), BORNE_OK);
    assert_int_equal(registry_int(&r, sql), 1);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM participant WHERE id = %u", va);
    assert_int_equal(registry_int(&r, sql), 1);

    /* Each kiosk pulls the other's walk-in (and may check them in: no record re-creates them). */
    assert_int_equal(borne_sync_run_once(a.sync), BORNE_OK);
    borne_participant got;
    assert_int_equal(borne_store_get_participant(a.fx.store, FIX_EVENT, vb, &got), BORNE_OK);
    assert_string_equal(got.display_name, "Émile Bérubé");
    fixture_set_time(&a.fx, FIX_A_START + 240, true);
    borne_checkin_options o = {.kiosk_id = "borne-test", .session_id = FIX_SESSION_A};
    struct borne_checkin *ck;
    assert_int_equal(borne_checkin_new(&ck, a.fx.store, &a.fx.clock, &o), BORNE_OK);
    borne_scan_result res;
    assert_int_equal(borne_checkin_manual(ck, vb, BORNE_ENTRY, BORNE_METHOD_MANUAL, "staff", &res),
                     BORNE_OK);
    borne_checkin_free(ck);
    assert_int_equal(borne_sync_run_once(a.sync), BORNE_OK);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM checkin WHERE participant_id = %u", vb);
    assert_int_equal(registry_int(&r, sql), 2);

    /* A kiosk may not create a participant in another kiosk's range. */
    uint32_t forged = kiosk_add_walkin(&b, sa.kiosk_number, 2, FIX_SESSION_A, "Quelqu’un", "");
    assert_int_equal(borne_sync_run_once(b.sync), BORNE_OK);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM participant WHERE id = %u", forged);
    assert_int_equal(registry_int(&r, sql), 0);
    borne_sync_get_status(b.sync, &sb);
    assert_int_equal(sb.refused, 1);

    /* The organiser's roster may not use walk-in ids, and replacing it keeps the walk-ins. */
    char roster[400];
    harness_write(r.dir, "bad.csv",
                  "id,name,organisation,member,status,sessions\n3221291009,Faux,X,non,confirmé,"
                  "A1\n",
                  roster, sizeof(roster));
    assert_int_equal(harness_admin(&r, NULL, 0, "roster", "import", "42", roster, NULL), 3);
    harness_write(r.dir, "roster2.csv", fixture_roster_csv, roster, sizeof(roster));
    assert_int_equal(
        harness_admin(&r, NULL, 0, "roster", "import", "42", roster, "--replace", NULL), 0);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM participant WHERE id = %u AND deleted = 0",
             va);
    assert_int_equal(registry_int(&r, sql), 1);

    /* The official report counts the walk-in. */
    char report[4096];
    assert_int_equal(harness_admin(&r, report, sizeof(report), "report", "credits", "42", NULL), 0);
    assert_non_null(strstr(report, "Véronique Saint-Amand"));
    kiosk_close(&a);
    kiosk_close(&b);
    registry_stop(&r);
}

static void test_badge_text_pulled(void **state)
{
    (void)state;
    registry_proc r;
    kiosk k;
    registry_start_with_kiosk(&r, &k, 5000, 0);
    /* Before any token is issued: Hélène's opaque code is her badge; Jean has none. */
    char text[BORNE_BADGE_TEXT_MAX + 1];
    assert_int_equal(
        borne_store_get_badge_text(k.fx.store, FIX_EVENT, FIX_P_HELENE, text, sizeof(text)),
        BORNE_OK);
    assert_string_equal(text, FIX_OPAQUE_HELENE);
    assert_int_equal(
        borne_store_get_badge_text(k.fx.store, FIX_EVENT, FIX_P_JEAN, text, sizeof(text)),
        BORNE_ERR_NOT_FOUND);
    /* Issuing signed codes records them; the next pull brings them (only what changed). */
    char tok[256];
    registry_token(&r, FIX_P_JEAN, tok, sizeof(tok));
    assert_int_equal(borne_sync_run_once(k.sync), BORNE_OK);
    assert_int_equal(
        borne_store_get_badge_text(k.fx.store, FIX_EVENT, FIX_P_JEAN, text, sizeof(text)),
        BORNE_OK);
    assert_string_equal(text, tok);
    int64_t cursor = registry_int(&r, "SELECT value FROM counter");
    registry_token(&r, FIX_P_JEAN, tok, sizeof(tok));
    assert_int_equal(registry_int(&r, "SELECT value FROM counter"), cursor);
    /* The code shown is one the kiosk accepts. */
    scan(&k, FIX_SESSION_A, BORNE_ENTRY, text, BORNE_OUTCOME_ACCEPTED_ENTRY);
    kiosk_close(&k);
    registry_stop(&r);
}

static void test_clock_from_1970(void **state)
{
    registry_proc r;
    kiosk k;
    registry_start_with_kiosk(&r, &k, 5000, 0);
    char tok[256];
    registry_token(&r, FIX_P_HELENE, tok, sizeof(tok));

    /* Power cut; the Pi boots without network: a new boot, its clock in 1970, untrusted. */
    kiosk_reboot(&k, "b0070000-0000-4000-8000-000000000002", 42000);
    scan(&k, FIX_SESSION_A, BORNE_ENTRY, tok, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_int_equal(
        fixture_query_int(k.fx.store, "SELECT count(*) FROM checkin WHERE clock_trusted = 0"), 1);
    borne_fake_clock_advance(&k.fx.fake, 10 * 60 * 1000);

    assert_int_equal(borne_sync_run_once(k.sync), BORNE_OK);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t expect = (int64_t)ts.tv_sec * 1000 - 10 * 60 * 1000;
    int64_t wall = fixture_query_int(k.fx.store, "SELECT wall_ms FROM checkin");
    assert_true(wall > expect - 5000 && wall < expect + 5000);
    assert_int_equal(
        fixture_query_int(k.fx.store, "SELECT count(*) FROM checkin WHERE clock_trusted = 0"), 0);
    /* The registry received the corrected time, and the first wall time as recorded. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(r.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT wall_ms, wall_recorded_ms, clock_trusted FROM"
                                        " checkin",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(sqlite3_column_int64(st, 0) == wall);
    assert_int_equal(sqlite3_column_int64(st, 1), 42000);
    assert_int_equal(sqlite3_column_int(st, 2), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* The kiosk's clock can take the reference: new samples of this boot are trusted. */
    borne_clock_sample ref;
    assert_true(borne_sync_take_reference(k.sync, &ref));
    assert_int_equal(borne_clock_set_reference(&k.fx.clock, &ref), BORNE_OK);
    borne_clock_sample now;
    borne_clock_now(&k.fx.clock, &now);
    assert_true(now.trusted);
    assert_false(borne_sync_take_reference(k.sync, &ref));
    kiosk_close(&k);
    registry_stop(&r);
}

/* A page of `n` participants from `base` (see test_bulk_page). */
static void bulk_people(borne_pull_participant *pp, size_t n)
{
    memset(pp, 0, n * sizeof(*pp));
    for (size_t i = 0; i < n; i++) {
        borne_participant *p = &pp[i].p;
        p->event_id = FIX_EVENT;
        p->status = BORNE_REG_CONFIRMED;
        if (i < 6) { /* the fixture's six, as the registry has them now */
            p->id = (uint32_t)i + 1;
            snprintf(p->display_name, sizeof(p->display_name), "Personne%zu Existante", i + 1);
        } else {
            p->id = 1000 + (uint32_t)i;
            snprintf(p->display_name, sizeof(p->display_name), "Nouvelle%zu Arrivée", i);
            snprintf(pp[i].code, sizeof(pp[i].code), "OPQ-BULK-%zu", i);
        }
        snprintf(p->organisation, sizeof(p->organisation), "Ville %zu", i % 7);
        snprintf(pp[i].badge, sizeof(pp[i].badge), "BADGE-%zu", i);
        pp[i].sessions[0] = i % 2 ? FIX_SESSION_A : FIX_SESSION_B;
        pp[i].nsessions = 1;
    }
}

static char *participants_text(struct borne_store *store)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(borne_store_db(store),
                           "SELECT participant_id, display_name, organisation, member, status,"
                           " code, badge_text, (SELECT group_concat(session_id) FROM registration r"
                           " WHERE r.event_id = p.event_id AND r.participant_id = p.participant_id)"
                           " FROM participant p ORDER BY participant_id",
                           -1, &st, NULL),
        SQLITE_OK);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (len + 1024 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        len += (size_t)snprintf(out + len, cap - len, "%lld|%s|%s|%d|%d|%s|%s|%s\n",
                                sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
                                sqlite3_column_text(st, 2), sqlite3_column_int(st, 3),
                                sqlite3_column_int(st, 4), sqlite3_column_text(st, 5),
                                sqlite3_column_text(st, 6), sqlite3_column_text(st, 7));
    }
    sqlite3_finalize(st);
    return out;
}

/* A large page (a first pull's) goes without the index triggers, row by row a small one: both
 * leave the same store, a whole name index and the triggers in place; a failed large page leaves
 * nothing, triggers included. */
/* Records the registry refuses (a session or a participant it does not have): kept on the kiosk
 * (synced = 2) and in its exports, no longer pending, never sent again; the rest goes through. */
static void test_refused_records_kept(void **state)
{
    (void)state;
    registry_proc r;
    kiosk k;
    registry_start_with_kiosk(&r, &k, 5000, 0);
    struct {
        uint32_t participant, session;
    } rows[] = {{FIX_P_HELENE, FIX_SESSION_A}, {FIX_P_JEAN, 999}, {FIX_P_ABSENT, FIX_SESSION_A}};
    for (size_t i = 0; i < 3; i++) {
        borne_checkin_row c;
        fixture_checkin_row(&c, "borne-test", FIX_EVENT, rows[i].participant, rows[i].session);
        c.time.wall_ms = (FIX_A_START + 60) * 1000;
        c.wall_recorded_ms = c.time.wall_ms;
        c.time.trusted = true;
        snprintf(c.time.boot_id, sizeof(c.time.boot_id), "boot-refused");
        assert_int_equal(borne_store_add_checkin(k.fx.store, &c), BORNE_OK);
    }
    for (int cycle = 0; cycle < 2; cycle++) {
        assert_int_equal(borne_sync_run_once(k.sync), BORNE_OK);
        borne_sync_status st;
        borne_sync_get_status(k.sync, &st);
        assert_int_equal(st.pending, 0);
        assert_int_equal(st.pushed, 1);
        assert_int_equal(st.refused, 2); /* the second cycle sent nothing again */
    }
    assert_int_equal(registry_int(&r, "SELECT count(*) FROM checkin"), 1);
    assert_int_equal(fixture_query_int(k.fx.store, "SELECT count(*) FROM checkin WHERE synced = 2"),
                     2);
    assert_int_equal(fixture_query_int(k.fx.store, "SELECT count(*) FROM checkin"), 3);
    kiosk_close(&k);
    registry_stop(&r);
}

/* The registry restored from a backup: the kiosk, which synced changes the backup does not
 * have, is told to start again (another epoch), drops what the registry no longer has, sees what
 * was done after the restore (a revocation included), and sends its check-ins again so that the
 * registry gets back those it lost. The restored registry makes more changes than it lost before
 * the kiosk comes back: its counter passes the kiosk's cursor, and only the epoch tells. */
static void test_restore_from_backup(void **state)
{
    (void)state;
    registry_proc r;
    kiosk k;
    registry_start_with_kiosk(&r, &k, 5000, 0);
    add_checkins(&k, 10);
    assert_int_equal(borne_sync_run_once(k.sync), BORNE_OK);
    assert_exactly_once(&r, &k, 10);
    char backup[400];
    snprintf(backup, sizeof(backup), "%s/backup.db", r.dir);
    assert_int_equal(harness_admin(&r, NULL, 0, "backup", backup, NULL), 0);

    /* After the backup: a participant added, Hélène's opaque code revoked, 5 more check-ins;
     * the kiosk syncs them all. */
    char roster[2048], path[400];
    snprintf(roster, sizeof(roster), "%s7,Ajout Après,Ville de Rimouski,non,confirmé,A1,,,\n",
             fixture_roster_csv);
    harness_write(r.dir, "roster2.csv", roster, path, sizeof(path));
    assert_int_equal(harness_admin(&r, NULL, 0, "roster", "import", "42", path, NULL), 0);
    assert_int_equal(harness_admin(&r, NULL, 0, "revoke", "--event", "42", FIX_OPAQUE_HELENE, NULL),
                     0);
    add_checkins(&k, 5);
    assert_int_equal(borne_sync_run_once(k.sync), BORNE_OK);
    assert_exactly_once(&r, &k, 15);
    borne_participant p;
    assert_int_equal(borne_store_get_participant(k.fx.store, FIX_EVENT, 7, &p), BORNE_OK);
    int64_t kiosk_cursor = fixture_query_int(
        k.fx.store, "SELECT CAST(value AS INTEGER) FROM kiosk_state WHERE key = 'sync_cursor'");

    /* The registry is restored from the backup and restarted on its address. */
    uint16_t port = r.port;
    harness_kill(&r, SIGTERM);
    char wal[420], shm[420];
    snprintf(wal, sizeof(wal), "%s-wal", r.db);
    snprintf(shm, sizeof(shm), "%s-shm", r.db);
    unlink(wal);
    unlink(shm);
    assert_int_equal(rename(backup, r.db), 0);
    assert_int_equal(harness_serve(&r, port, NULL), 0);
    assert_int_equal(registry_int(&r, "SELECT count(*) FROM checkin"), 10);

    /* After the restore: Jean's badge issued and revoked, Luc and Paul deleted; the counter
     * passes the kiosk's cursor. */
    char tok[256];
    registry_token(&r, FIX_P_JEAN, tok, sizeof(tok));
    assert_int_equal(harness_admin(&r, NULL, 0, "revoke", "--event", "42", tok, NULL), 0);
    assert_int_equal(harness_admin(&r, NULL, 0, "participant", "delete", "42", "4", NULL), 0);
    assert_int_equal(harness_admin(&r, NULL, 0, "participant", "delete", "42", "6", NULL), 0);
    int64_t counter = registry_int(&r, "SELECT value FROM counter");
    assert_true(counter >= kiosk_cursor);

    assert_int_equal(borne_sync_run_once(k.sync), BORNE_OK);
    /* The registry has every check-in again (10 answered duplicate, 5 stored again). */
    assert_exactly_once(&r, &k, 15);
    /* The kiosk holds the registry's roster: participant 7 (lost with the restore), Luc and Paul
     * (deleted after it) are gone; its cursor and epoch are the registry's; the reset is over. */
    int64_t people = 0;
    assert_int_equal(borne_store_count_participants(k.fx.store, FIX_EVENT, &people), BORNE_OK);
    assert_int_equal(people, 4);
    assert_int_equal(borne_store_get_participant(k.fx.store, FIX_EVENT, 7, &p),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_store_get_participant(k.fx.store, FIX_EVENT, 4, &p),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(
        fixture_query_int(
            k.fx.store, "SELECT CAST(value AS INTEGER) FROM kiosk_state WHERE key = 'sync_cursor'"),
        counter);
    assert_int_equal(fixture_query_int(k.fx.store, "SELECT count(*) FROM kiosk_state WHERE"
                                                   " key = 'sync_reset' AND value = '0'"),
                     1);
    char epoch[64] = "";
    assert_int_equal(borne_store_state_get(k.fx.store, BORNE_SYNC_EPOCH_KEY, epoch, sizeof(epoch)),
                     BORNE_OK);
    sqlite3 *ro = registry_open_ro(&r);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(ro, "SELECT epoch FROM counter", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), epoch);
    sqlite3_finalize(st);
    sqlite3_close(ro);
    /* The revocation made after the restore holds at the door; the one the restore lost stays
     * too (a reset never lifts a revocation: `revoke --lift` does). */
    scan(&k, FIX_SESSION_A, BORNE_ENTRY, tok, BORNE_OUTCOME_REVOKED);
    scan(&k, FIX_SESSION_A, BORNE_ENTRY, FIX_OPAQUE_HELENE, BORNE_OUTCOME_REVOKED);
    /* A next cycle is an ordinary one. */
    assert_int_equal(borne_sync_run_once(k.sync), BORNE_OK);
    assert_exactly_once(&r, &k, 17);
    kiosk_close(&k);
    registry_stop(&r);
}

static void test_bulk_page(void **state)
{
    (void)state;
    enum { N = BORNE_PULL_BULK_MIN + 50 };
    static borne_pull_participant pp[N + 1];
    bulk_people(pp, N);
    /* An existing participant renamed, and one new id twice in the page (the last one wins). */
    snprintf(pp[0].p.display_name, sizeof(pp[0].p.display_name), "Hélène Côté-Tremblay");
    pp[N] = pp[N - 1];
    snprintf(pp[N].p.display_name, sizeof(pp[N].p.display_name), "Dédoublé Final");
    uint32_t deleted[] = {FIX_P_SOPHIE, pp[10].p.id};

    fixture bulk_fx, rows_fx;
    assert_int_equal(fixture_open(&bulk_fx), 0);
    assert_int_equal(fixture_open(&rows_fx), 0);
    borne_pull page = {.cursor = 77,
                       .participants = pp,
                       .nparticipants = N + 1,
                       .deleted_participants = deleted,
                       .ndeleted_participants = 2};
    assert_int_equal(borne_pull_apply(bulk_fx.store, FIX_EVENT, &page), BORNE_OK);
    /* The same changes in pages under the threshold (the deletions with the last one). */
    for (size_t from = 0; from < N + 1; from += BORNE_PULL_BULK_MIN / 2) {
        size_t n = N + 1 - from < BORNE_PULL_BULK_MIN / 2 ? N + 1 - from : BORNE_PULL_BULK_MIN / 2;
        bool last = from + n == N + 1;
        borne_pull small = {.cursor = 77,
                            .participants = pp + from,
                            .nparticipants = n,
                            .deleted_participants = last ? deleted : NULL,
                            .ndeleted_participants = last ? 2 : 0};
        assert_int_equal(borne_pull_apply(rows_fx.store, FIX_EVENT, &small), BORNE_OK);
    }
    char *a = participants_text(bulk_fx.store);
    char *b = participants_text(rows_fx.store);
    assert_string_equal(a, b);
    free(a);
    free(b);
    kiosk k = {.fx = bulk_fx};
    for (int i = 0; i < 2; i++) {
        assert_true(fts_ok(k.fx.store));
        assert_int_equal(first_found(&k, "cote trem"), FIX_P_HELENE);
        assert_int_equal(count_found(&k, "Tremblay"), 1);
        assert_int_equal(count_found(&k, "Sophie"), 0); /* the fixture's names are gone */
        assert_int_equal(count_found(&k, "Existante"), 4);
        assert_int_equal(first_found(&k, "nouvelle42 arrivee"), 1042);
        assert_int_equal(first_found(&k, "dedouble"), pp[N].p.id);
        assert_int_equal(count_found(&k, "Arrivée"), N - 6 - 2); /* one renamed, one deleted */
        /* Prefixes: Nouvelle100 to Nouvelle109, not the deleted Nouvelle10. */
        assert_int_equal(count_found(&k, "Nouvelle10"), 10);
        k.fx = rows_fx;
    }
    char cursor[24];
    assert_int_equal(
        borne_store_state_get(bulk_fx.store, BORNE_SYNC_CURSOR_KEY, cursor, sizeof(cursor)),
        BORNE_OK);
    assert_string_equal(cursor, "77");

    /* After the page, the triggers keep the index again (a walk-in added at the door). */
    borne_participant w = {.id = 4242, .event_id = FIX_EVENT, .status = BORNE_REG_CONFIRMED};
    snprintf(w.display_name, sizeof(w.display_name), "Éloïse Walkin");
    assert_int_equal(borne_store_put_participant(bulk_fx.store, &w, NULL), BORNE_OK);
    k.fx = bulk_fx;
    assert_int_equal(first_found(&k, "eloise"), 4242);
    assert_true(fts_ok(bulk_fx.store));

    /* A large page that fails (a code another participant holds) changes nothing. */
    a = participants_text(bulk_fx.store);
    bulk_people(pp, N);
    snprintf(pp[N - 1].code, sizeof(pp[N - 1].code), "%s", pp[N - 2].code);
    page.cursor = 78;
    page.nparticipants = N;
    assert_int_not_equal(borne_pull_apply(bulk_fx.store, FIX_EVENT, &page), BORNE_OK);
    b = participants_text(bulk_fx.store);
    assert_string_equal(a, b);
    free(a);
    free(b);
    assert_true(fts_ok(bulk_fx.store));
    assert_int_equal(first_found(&k, "cote trem"), FIX_P_HELENE);
    assert_int_equal(
        borne_store_state_get(bulk_fx.store, BORNE_SYNC_CURSOR_KEY, cursor, sizeof(cursor)),
        BORNE_OK);
    assert_string_equal(cursor, "77");
    fixture_close(&bulk_fx);
    fixture_close(&rows_fx);
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_tls_verification(void **state)
{
    if (run("command -v openssl >/dev/null 2>&1") != 0) {
        skip();
    }
    registry_proc r;
    memset(&r, 0, sizeof(r));
    assert_int_equal(fixture_mkdtemp(r.dir, sizeof(r.dir)), 0);
    snprintf(r.db, sizeof(r.db), "%s/registry.db", r.dir);
    char cmd[2048], cert[400], key[400], pinfile[400];
    snprintf(cert, sizeof(cert), "%s/cert.pem", r.dir);
    snprintf(key, sizeof(key), "%s/key.pem", r.dir);
    snprintf(pinfile, sizeof(pinfile), "%s/pin", r.dir);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
             " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s'"
             " >/dev/null 2>&1 && openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin"
             " -outform der | openssl dgst -sha256 -binary | base64 > '%s'",
             key, cert, cert, pinfile);
    assert_int_equal(run(cmd), 0);
    assert_int_equal(harness_serve(&r, 0, "--tls-cert", cert, "--tls-key", key, NULL), 0);
    char setup[512], url[64], pin[128] = "sha256//", line[128] = "";
    assert_int_equal(harness_setup_event(&r, r.port, setup, sizeof(setup)), 0);
    FILE *f = fopen(pinfile, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    strncat(pin, line, sizeof(pin) - strlen(pin) - 1);
    snprintf(url, sizeof(url), "https://127.0.0.1:%u", (unsigned)r.port);

    /* Self-signed, no pin: refused. */
    kiosk k;
    kiosk_open(&k, 5000, 0);
    assert_int_equal(harness_admin(&r, setup, sizeof(setup), "kiosk", "add", "--event", "42",
                                   "--url", url, NULL),
                     0);
    setup[strcspn(setup, "\n")] = '\0';
    char msg[256];
    assert_int_equal(borne_sync_provision(k.sync, setup, msg, sizeof(msg)), BORNE_ERR_CRYPTO);
    assert_non_null(strstr(msg, "not trusted"));
    /* A wrong pin: refused. */
    assert_int_equal(harness_admin(&r, setup, sizeof(setup), "kiosk", "add", "--event", "42",
                                   "--url", url, "--pin",
                                   "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL),
                     0);
    setup[strcspn(setup, "\n")] = '\0';
    assert_int_equal(borne_sync_provision(k.sync, setup, msg, sizeof(msg)), BORNE_ERR_CRYPTO);
    /* The right pin: the same server is trusted. */
    assert_int_equal(harness_admin(&r, setup, sizeof(setup), "kiosk", "add", "--event", "42",
                                   "--url", url, "--pin", pin, NULL),
                     0);
    setup[strcspn(setup, "\n")] = '\0';
    provision(&k, setup);
    kiosk_close(&k);
    registry_stop(&r);
}

static void test_setup_parse(void **state)
{
    borne_setup s;
    const char *ok = "BORNE-SETUP/1 https://registre.example.org/ abcDEF_123-xyz";
    assert_int_equal(borne_setup_parse(ok, strlen(ok), &s), BORNE_OK);
    assert_string_equal(s.url, "https://registre.example.org");
    assert_string_equal(s.token, "abcDEF_123-xyz");
    assert_string_equal(s.pin, "");
    const char *plain = "BORNE-SETUP/1 http://registre.example.org abc";
    assert_int_equal(borne_setup_parse(plain, strlen(plain), &s), BORNE_ERR_INVALID);
    const char *lo = "BORNE-SETUP/1 http://localhost:8080 abc sha256//x+y/z=";
    assert_int_equal(borne_setup_parse(lo, strlen(lo), &s), BORNE_OK);
    assert_string_equal(s.pin, "sha256//x+y/z=");
    const char *bad[] = {"",
                         "BORNE-SETUP/1",
                         "BORNE-SETUP/2 https://a b",
                         "BORNE-SETUP/1  https://a b",
                         "BORNE-SETUP/1 https://a b c",
                         "BORNE-SETUP/1 https://a b\"c",
                         "BORNE-SETUP/1 http://127.0.0.1.evil.example b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_not_equal(borne_setup_parse(bad[i], strlen(bad[i]), &s), BORNE_OK);
    }
    /* Backoff: doubles, capped, jittered within 50-100 %. */
    for (int f = 1; f < 12; f++) {
        int64_t d = borne_sync_backoff_ms(f, 1000, 60000);
        int64_t full = 1000LL << (f - 1) > 60000 ? 60000 : 1000LL << (f - 1);
        assert_true(d >= full / 2 && d <= full);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_parse),
        cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_registry_killed_mid_batch),
        cmocka_unit_test(test_two_kiosks),
        cmocka_unit_test(test_clock_from_1970),
        cmocka_unit_test(test_tls_verification),
        cmocka_unit_test(test_walkin_ids),
        cmocka_unit_test(test_walkin_reaches_registry_once),
        cmocka_unit_test(test_badge_text_pulled),
        cmocka_unit_test(test_bulk_page),
        cmocka_unit_test(test_restore_from_backup),
        cmocka_unit_test(test_refused_records_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
