/* libFuzzer target for store/import: bytes through borne_import_roster_csv (first byte even) or
 * borne_import_roster_json (odd) on one in-memory store holding a small event (sessions 101 "A1"
 * and 102 "B2"). Checks all-or-nothing: a refused import leaves the roster empty and says why;
 * an accepted one stored what it reports. The roster is emptied after each accepted input. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_store.h"
#include "store/import.h"
#include "store/store.h"

static const char event_json[] =
    "{\"id\": 42, \"name\": \"Congrès\", \"starts\": \"2026-05-20\", \"ends\": \"2026-05-20\","
    " \"sessions\": ["
    "{\"id\": 101, \"code\": \"A1\", \"title\": \"A\", \"starts\": \"2026-05-20T09:00\","
    " \"ends\": \"2026-05-20T10:30\"},"
    "{\"id\": 102, \"code\": \"B2\", \"title\": \"B\", \"starts\": \"2026-05-20T13:00\","
    " \"ends\": \"2026-05-20T15:00\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool opened;
    struct borne_store *store = fuzz_store(&opened);
    if (opened) {
        borne_import_result res;
        char msg[BORNE_IMPORT_MSG_MAX];
        CHECK(borne_import_event_json(store, event_json, strlen(event_json), &res, msg,
                                      sizeof(msg)) == BORNE_OK);
    }
    if (size == 0) {
        return 0;
    }
    bool json = data[0] & 1;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    msg[0] = '\0';
    borne_err err = json ? borne_import_roster_json(store, 42, text, len, &res, msg, sizeof(msg))
                         : borne_import_roster_csv(store, 42, text, len, &res, msg, sizeof(msg));
    CHECK(sqlite3_get_autocommit(borne_store_db(store)));
    if (err) {
        CHECK(msg[0] != '\0');
        CHECK(res.participants == 0 && res.registrations == 0);
        CHECK(fuzz_count(store, "SELECT count(*) FROM participant") == 0);
        CHECK(fuzz_count(store, "SELECT count(*) FROM registration") == 0);
        return 0;
    }
    CHECK(res.event_id == 42);
    CHECK(fuzz_count(store, "SELECT count(*) FROM participant") == (int64_t)res.participants);
    /* Registrations are counted once each ("A1 a1" is one). */
    CHECK(fuzz_count(store, "SELECT count(*) FROM registration") == (int64_t)res.registrations);
    CHECK(fuzz_count(store, "SELECT count(*) FROM participant WHERE display_name = ''") == 0);
    CHECK(fuzz_count(store,
                     "SELECT count(*) FROM registration WHERE session_id NOT IN (101, 102)") == 0);
    CHECK(sqlite3_exec(borne_store_db(store), "DELETE FROM registration; DELETE FROM participant",
                       NULL, NULL, NULL) == SQLITE_OK);
    return 0;
}
