/* libFuzzer target for the kiosk's parsing of registry answers (sync/protocol.h): any bytes as
 * a roster page, a push answer, an enrolment answer, and as setup-code text. A parsed page is
 * then applied to an in-memory kiosk store, which must stay whole. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "sync/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct borne_store *store;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    if (!store && borne_store_open(":memory:", &store)) {
        abort();
    }
    borne_pull *pull = NULL;
    if (borne_proto_parse_pull(text, size, 42, &pull) == BORNE_OK) {
        if (pull->nparticipants > BORNE_PULL_PAGE_MAX || pull->cursor < 0) {
            abort();
        }
        for (size_t i = 0; i < pull->nparticipants; i++) {
            if (pull->participants[i].nsessions > BORNE_REGISTRATIONS_MAX ||
                pull->participants[i].p.event_id != 42) {
                abort();
            }
        }
        borne_pull_apply(store, 42, pull);
        borne_pull_free(pull);
        if (borne_store_check(store) != BORNE_OK) {
            abort();
        }
    }
    int64_t t;
    borne_push_result *res = NULL;
    size_t n = 0;
    if (borne_proto_parse_push(text, size, &t, &res, &n) == BORNE_OK) {
        if (n > BORNE_PUSH_BATCH_MAX) {
            abort();
        }
        free(res);
    }
    borne_enrol_answer ans;
    borne_proto_parse_enrol(text, size, &ans);
    borne_proto_parse_time(text, size, &t);
    borne_setup setup;
    if (borne_setup_parse(text, size, &setup) == BORNE_OK && !borne_url_allowed(setup.url)) {
        abort();
    }
    return 0;
}
