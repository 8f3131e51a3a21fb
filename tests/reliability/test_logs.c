/* No personal data in the logs of the check-in path: with BORNE_LOG=debug, the hostile corpus,
 * badges of named participants, a staff code, a manual check-in, a damaged store recovered and a
 * purge all run with standard error captured; the capture must hold no participant name,
 * organisation, opaque code, badge text or scanned text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkin/checkin.h"
#include "core/log.h"
#include "reliability/hostile.h"
#include "reliability/rel_support.h"
#include "store/import.h"
#include "store/purge.h"
#include "store/recover.h"
#include "support/fixture.h"

static void test_checkin_path_logs_no_personal_data(void **state)
{
    borne_log_set_level(BORNE_LOG_DEBUG);
    char logpath[] = "/tmp/borne-logs-XXXXXX";
    int logfd = mkstemp(logpath);
    assert_true(logfd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(logfd, STDERR_FILENO);

    fixture fx;
    assert_int_equal(fixture_open(&fx), 0);
    borne_checkin_options opts = {
        .kiosk_id = "logs", .session_id = FIX_SESSION_A, .rescan_window_ms = -1};
    struct borne_checkin *ck;
    assert_int_equal(borne_checkin_new(&ck, fx.store, &fx.clock, &opts), BORNE_OK);
    size_t n;
    hostile_payload *corpus = hostile_corpus(&n);
    char tokens[8][BORNE_TOKEN_TEXT_LEN + 1];
    for (size_t i = 0; i < n; i++) {
        borne_scan_result r;
        if (corpus[i].revoke) {
            borne_store_revoke(fx.store, FIX_EVENT, corpus[i].bytes, corpus[i].len, "perdu");
        }
        fixture_set_time(&fx, fx.fake.now.wall_ms / 1000 + 1, true);
        borne_checkin_scan(ck, corpus[i].bytes, corpus[i].len, BORNE_METHOD_SCANNER, &r);
    }
    for (uint32_t pid = 1; pid <= 6; pid++) {
        fixture_sign(&fx, NULL, FIX_KEY_ID, FIX_EVENT, pid, pid == 6 ? BORNE_TOKEN_FLAG_STAFF : 0,
                     tokens[pid]);
        borne_scan_result r;
        borne_checkin_scan(ck, (const uint8_t *)tokens[pid], strlen(tokens[pid]),
                           BORNE_METHOD_CAMERA, &r);
    }
    borne_scan_result r;
    borne_checkin_manual(ck, FIX_P_SOPHIE, BORNE_ENTRY, BORNE_METHOD_MANUAL, "staff-1", &r);
    borne_checkin_free(ck);
    borne_purge_report rep;
    borne_store_purge(fx.store, 0, 0, FIX_B_END + 86400, &rep); /* refused: unsynced */
    fixture_query_int(fx.store, "UPDATE checkin SET synced = 1 RETURNING 0");
    borne_store_purge(fx.store, 0, 0, FIX_B_END + 86400, &rep);
    assert_int_equal(rep.events_purged, 1);
    borne_store_close(fx.store);
    fx.store = NULL;
    /* A damaged store, recovered. */
    assert_int_equal(rel_setup_store(fx.path, 300), 0);
    int fd = open(fx.path, O_WRONLY);
    char junk[8192];
    memset(junk, 0x5a, sizeof(junk));
    assert_int_equal(pwrite(fd, junk, sizeof(junk), 16 * 4096), sizeof(junk));
    close(fd);
    borne_store_recovery rec;
    assert_int_equal(borne_store_open_checked(fx.path, 0, &fx.store, &rec), BORNE_OK);
    assert_true(rec.recreated);
    hostile_free(corpus, n);

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char *log = NULL;
    size_t len = 0;
    assert_int_equal(borne_read_file(logpath, 1 << 24, &log, &len), BORNE_OK);
    unlink(logpath);
    assert_true(len > 0);
    static const char *const secrets[] = {
        "Hélène",    "Tremblay",   "Lévesque",        "Côté",         "Gagnon",
        "Sophie",    "Bouchard",   "Lévis",           "Bellechasse",  "Gatineau",
        "arachides", "example",    FIX_OPAQUE_HELENE, "Participante", "DROP TABLE",
        "reboot",    "etc/shadow", "pwned",           "calc",         "OPQ-",
    };
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        if (strstr(log, secrets[i])) {
            fail_msg("the log holds \"%s\"", secrets[i]);
        }
    }
    for (uint32_t pid = 1; pid <= 6; pid++) {
        char part[21];
        memcpy(part, tokens[pid] + BORNE_TOKEN_PREFIX_LEN, 20);
        part[20] = '\0';
        assert_null(strstr(log, part));
    }
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) {
        lines += log[i] == '\n';
    }
    printf("logs: %zu debug log lines from the check-in path, store, purge and recovery: no name, "
           "organisation, code or scanned text\n",
           lines);
    fflush(stdout);
    free(log);
    fixture_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkin_path_logs_no_personal_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
