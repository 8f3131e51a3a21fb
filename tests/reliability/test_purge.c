/* The purge of an event's personal information (src/store/purge.c, docs/privacy.md): refused
 * while check-ins are unsynced, kept within the retention period, and afterwards gone from the
 * tables, the name index, the file and its WAL; other events untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "checkin/checkin.h"
#include "reliability/rel_support.h"
#include "store/import.h"
#include "store/purge.h"
#include "support/fixture.h"

#define DAY 86400

static int setup(void **state)
{
    if (fixture_setup(state) != 0) {
        return -1;
    }
    fixture *fx = *state;
    /* Three check-ins (two accepted, one refused; the opaque code finds Hélène already in and
     * records nothing), and a revoked code. */
    borne_checkin_options opts = {.kiosk_id = "purge", .session_id = FIX_SESSION_A};
    struct borne_checkin *ck;
    if (borne_checkin_new(&ck, fx->store, &fx->clock, &opts) != BORNE_OK) {
        return -1;
    }
    const uint32_t who[] = {FIX_P_HELENE, FIX_P_JEAN, FIX_P_MARIE};
    for (size_t i = 0; i < 3; i++) {
        char tok[BORNE_TOKEN_TEXT_LEN + 1];
        fixture_sign(fx, NULL, FIX_KEY_ID, FIX_EVENT, who[i], 0, tok);
        borne_scan_result r;
        if (borne_checkin_scan(ck, (const uint8_t *)tok, strlen(tok), BORNE_METHOD_CAMERA, &r)) {
            return -1;
        }
    }
    borne_scan_result r;
    borne_checkin_scan(ck, (const uint8_t *)FIX_OPAQUE_HELENE, strlen(FIX_OPAQUE_HELENE),
                       BORNE_METHOD_SCANNER, &r);
    borne_checkin_free(ck);
    if (borne_store_revoke(fx->store, FIX_EVENT, (const uint8_t *)"LOST-BADGE", 10, "perdu")) {
        return -1;
    }
    return 0;
}

static int64_t event_end(fixture *fx)
{
    borne_event ev;
    assert_int_equal(borne_store_get_event(fx->store, FIX_EVENT, &ev), BORNE_OK);
    return ev.ends;
}

static void test_unsynced_event_is_kept(void **state)
{
    fixture *fx = *state;
    borne_purge_report rep;
    int64_t now = event_end(fx) + 400 * DAY;
    assert_int_equal(borne_store_purge(fx->store, FIX_EVENT, 30, now, &rep), BORNE_OK);
    assert_int_equal(rep.events_purged, 0);
    assert_int_equal(rep.events_unsynced, 1);
    assert_int_equal(rep.unsynced, 3);
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM participant"), 6);
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM checkin"), 3);
    /* One check-in still unsynced is enough to keep everything. */
    assert_int_equal(fixture_query_int(fx->store, "UPDATE checkin SET synced = 1 WHERE rowid > 1"
                                                  " RETURNING 0"),
                     0);
    assert_int_equal(borne_store_purge(fx->store, 0, 30, now, &rep), BORNE_OK);
    assert_int_equal(rep.events_unsynced, 1);
    assert_int_equal(rep.unsynced, 1);
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM participant"), 6);
}

static void test_recent_event_is_kept(void **state)
{
    fixture *fx = *state;
    fixture_query_int(fx->store, "UPDATE checkin SET synced = 1 RETURNING 0");
    borne_purge_report rep;
    int64_t end = event_end(fx);
    assert_int_equal(borne_store_purge(fx->store, 0, 30, end + 29 * DAY, &rep), BORNE_OK);
    assert_int_equal(rep.events_purged, 0);
    assert_int_equal(rep.events_recent, 1);
    assert_int_equal(borne_store_purge(fx->store, 0, 30, end - DAY, &rep), BORNE_OK);
    assert_int_equal(rep.events_recent, 1);
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM checkin"), 3);
}

static void test_synced_old_event_is_gone(void **state)
{
    fixture *fx = *state;
    /* Another event, later, stays. */
    static const char other[] = "{\"id\": 77, \"name\": \"Séminaire\", \"starts\": \"2026-09-10\","
                                " \"ends\": \"2026-09-11\", \"sessions\": []}";
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    assert_int_equal(
        borne_import_event_json(fx->store, other, strlen(other), &res, msg, sizeof(msg)), BORNE_OK);
    static const char roster[] = "id,name,organisation,status\n9,Gaston Lagaffe,Spirou,confirmed\n";
    assert_int_equal(
        borne_import_roster_csv(fx->store, 77, roster, strlen(roster), &res, msg, sizeof(msg)),
        BORNE_OK);
    assert_true(fixture_file_contains(fx, "Tremblay") || fixture_file_contains(fx, "tremblay"));

    fixture_query_int(fx->store, "UPDATE checkin SET synced = 1 RETURNING 0");
    borne_purge_report rep;
    int64_t now = event_end(fx) + 31 * DAY;
    assert_int_equal(borne_store_purge(fx->store, 0, 30, now, &rep), BORNE_OK);
    assert_int_equal(rep.events_purged, 1);
    assert_int_equal(rep.events_recent, 1);
    assert_int_equal(rep.participants, 6);
    assert_int_equal(rep.checkins, 3);
    assert_int_equal(rep.sessions, 2);
    assert_int_equal(rep.revocations, 1);
    assert_true(rep.registrations >= 5);
    assert_true(rel_integrity_ok(fx->store));
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM event WHERE id = 42"), 0);
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM checkin"), 0);
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM registration"), 0);
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM revoked_code"), 0);
    assert_int_equal(
        fixture_query_int(fx->store, "SELECT count(*) FROM kiosk_state WHERE key = 'event_id'"), 0);
    assert_int_equal(fixture_query_int(fx->store, "SELECT count(*) FROM participant"), 1);
    assert_int_equal(
        fixture_query_int(
            fx->store, "SELECT count(*) FROM participant_fts WHERE participant_fts MATCH 'gaston'"),
        1);
    assert_int_equal(
        fixture_query_int(
            fx->store, "SELECT count(*) FROM participant_fts WHERE participant_fts MATCH 'helene'"),
        0);
    /* Nothing left in the file or its WAL: names, index words, organisations, codes. */
    static const char *const gone[] = {"Tremblay",    "tremblay", "Lévesque",       "levesque",
                                       "Bellechasse", "Gatineau", FIX_OPAQUE_HELENE};
    for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
        if (fixture_file_contains(fx, gone[i])) {
            fail_msg("\"%s\" is still in the store file", gone[i]);
        }
    }
    assert_true(fixture_file_contains(fx, "Gaston"));
    /* The store still works: the kiosk can be set up for the next event. */
    assert_int_equal(fixture_reopen(fx), 0);
    assert_true(rel_integrity_ok(fx->store));
}

static void test_bad_arguments(void **state)
{
    fixture *fx = *state;
    borne_purge_report rep;
    assert_int_equal(borne_store_purge(fx->store, 999, 30, 0, &rep), BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_store_purge(fx->store, 0, -1, 0, &rep), BORNE_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unsynced_event_is_kept, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_recent_event_is_kept, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_synced_old_event_is_gone, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
