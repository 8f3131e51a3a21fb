/* libFuzzer target for the registry's request parsing (registry/api.h): any bytes as a push
 * batch, an enrolment and a status body. Checks the promises: a parsed batch holds at most
 * BORNE_PUSH_BATCH_MAX records, each with a valid UUID, and valid records have fields in range
 * and an outcome that matches their direction. The body goes through the number pre-pass
 * (numbers beyond int64 or double refused by their record) inside the parser. The same bytes are
 * also a roster request's "since" argument (cursor and epoch). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/uuid.h"
#include "registry/api.h"
#include "sync/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    borne_checkin_row *rows = NULL;
    bool *valid = NULL;
    size_t n = 0;
    if (borne_api_parse_push(body, size, &rows, &valid, &n) == BORNE_OK) {
        if (n > BORNE_PUSH_BATCH_MAX) {
            abort();
        }
        for (size_t i = 0; i < n; i++) {
            if (!borne_uuid_valid(rows[i].uuid)) {
                abort();
            }
            if (valid[i] &&
                (rows[i].event_id == 0 || rows[i].outcome >= BORNE_OUTCOME__COUNT ||
                 (rows[i].direction != BORNE_ENTRY && rows[i].direction != BORNE_EXIT) ||
                 memchr(rows[i].staff_id, 0, sizeof(rows[i].staff_id)) == NULL)) {
                abort();
            }
            /* An accepted entry is an entry, an accepted exit an exit. */
            if (valid[i] && ((rows[i].outcome == BORNE_OUTCOME_ACCEPTED_ENTRY &&
                              rows[i].direction != BORNE_ENTRY) ||
                             (rows[i].outcome == BORNE_OUTCOME_ACCEPTED_EXIT &&
                              rows[i].direction != BORNE_EXIT))) {
                abort();
            }
        }
        free(rows);
        free(valid);
    }
    char token[BORNE_API_TOKEN_MAX], name[BORNE_KIOSK_ID_MAX], version[32];
    if (borne_api_parse_enrol(body, size, token, name, version) == BORNE_OK && strlen(token) < 16) {
        abort();
    }
    borne_kiosk_report st;
    borne_api_parse_status(body, size, &st);
    /* The roster's "since" argument: a cursor within 18 digits, an epoch of lowercase hex. */
    int64_t since;
    char epoch[BORNE_PULL_EPOCH_MAX + 1];
    if (borne_api_parse_since(body, size, &since, epoch) == BORNE_OK &&
        (since < 0 || since > 999999999999999999LL || strlen(epoch) > BORNE_PULL_EPOCH_MAX ||
         strspn(epoch, "0123456789abcdef") != strlen(epoch))) {
        abort();
    }
    return 0;
}
