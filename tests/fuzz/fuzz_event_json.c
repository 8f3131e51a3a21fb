/* libFuzzer target for store/import: bytes through borne_import_event_json on one in-memory store.
 * Checks all-or-nothing: a refused import leaves no event and no session and says why; an
 * accepted one stored the event and as many sessions as it reports. The store is emptied after
 * each accepted input so every input starts from the same state. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_store.h"
#include "registry/review.h"
#include "store/import.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct borne_store *store = fuzz_store(NULL);
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    msg[0] = '\0';
    borne_err err =
        borne_import_event_json(store, (const char *)data, size, &res, msg, sizeof(msg));
    CHECK(sqlite3_get_autocommit(borne_store_db(store)));
    /* The registry's own field, read apart: set only to one of the three policies. */
    bool set = true;
    borne_missing_exit policy = (borne_missing_exit)7;
    borne_err perr = borne_review_event_policy((const char *)data, size, &set, &policy);
    CHECK(perr == BORNE_OK || perr == BORNE_ERR_PARSE);
    CHECK(!set || (perr == BORNE_OK && borne_missing_exit_name(policy) != NULL));
    if (err) {
        CHECK(msg[0] != '\0');
        CHECK(res.sessions == 0);
        CHECK(fuzz_count(store, "SELECT count(*) FROM event") == 0);
        CHECK(fuzz_count(store, "SELECT count(*) FROM session") == 0);
        return 0;
    }
    CHECK(res.event_id != 0);
    borne_event ev;
    CHECK(borne_store_get_event(store, res.event_id, &ev) == BORNE_OK);
    CHECK(ev.ends > ev.starts);
    CHECK(fuzz_count(store, "SELECT count(*) FROM event") == 1);
    /* Sessions listed twice with the same id are updates: at most res.sessions rows. */
    int64_t sessions = fuzz_count(store, "SELECT count(*) FROM session");
    CHECK(sessions <= (int64_t)res.sessions);
    CHECK(fuzz_count(store, "SELECT count(*) FROM session WHERE ends <= starts") == 0);
    CHECK(sqlite3_exec(borne_store_db(store), "DELETE FROM session; DELETE FROM event", NULL, NULL,
                       NULL) == SQLITE_OK);
    return 0;
}
