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

#include "core/log.h"
#include "store/import.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static int64_t count(struct borne_store *s, const char *sql)
{
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(borne_store_db(s), sql, -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct borne_store *store;
    if (!store) {
        borne_log_set_level(BORNE_LOG_ERROR);
        CHECK(borne_store_open(":memory:", &store) == BORNE_OK);
    }
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    msg[0] = '\0';
    borne_err err =
        borne_import_event_json(store, (const char *)data, size, &res, msg, sizeof(msg));
    CHECK(sqlite3_get_autocommit(borne_store_db(store)));
    if (err) {
        CHECK(msg[0] != '\0');
        CHECK(res.sessions == 0);
        CHECK(count(store, "SELECT count(*) FROM event") == 0);
        CHECK(count(store, "SELECT count(*) FROM session") == 0);
        return 0;
    }
    CHECK(res.event_id != 0);
    borne_event ev;
    CHECK(borne_store_get_event(store, res.event_id, &ev) == BORNE_OK);
    CHECK(ev.ends > ev.starts);
    CHECK(count(store, "SELECT count(*) FROM event") == 1);
    /* Sessions listed twice with the same id are updates: at most res.sessions rows. */
    int64_t sessions = count(store, "SELECT count(*) FROM session");
    CHECK(sessions <= (int64_t)res.sessions);
    CHECK(count(store, "SELECT count(*) FROM session WHERE ends <= starts") == 0);
    CHECK(sqlite3_exec(borne_store_db(store), "DELETE FROM session; DELETE FROM event", NULL, NULL,
                       NULL) == SQLITE_OK);
    return 0;
}
