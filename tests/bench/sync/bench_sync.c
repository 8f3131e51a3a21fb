/* Sync benchmark against the real borne-registry on 127.0.0.1: push of 10,000 check-ins, first
 * pull of a 100,000-participant roster, incremental pull of 10 changes. Prints numbers; never
 * fails on timing (targets: < 5 s, < 5 s, < 100 ms). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/fixture.h"
#include "sync/harness.h"
#include "sync/sync.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_kiosk(fixture *fx, struct borne_sync **sync)
{
    if (fixture_open_empty(fx)) {
        return -1;
    }
    fixture_set_time(fx, FIX_A_START, true);
    borne_sync_options o = {.db_path = fx->path,
                            .data_dir = fx->dir,
                            .kiosk_id = "bench",
                            .clock = &fx->clock,
                            .timeout_ms = 60000};
    return borne_sync_new(&o, sync) ? -1 : 0;
}

static void close_kiosk(fixture *fx, struct borne_sync *sync)
{
    borne_sync_free(sync);
    char path[400];
    snprintf(path, sizeof(path), "%s/%s", fx->dir, BORNE_SYNC_CREDENTIALS_FILE);
    unlink(path);
    fixture_close(fx);
}

int main(int argc, char **argv)
{
    long people = argc > 1 ? atol(argv[1]) : 100000;
    long pushes = argc > 2 ? atol(argv[2]) : 10000;
    registry_proc r;
    memset(&r, 0, sizeof(r));
    if (fixture_mkdtemp(r.dir, sizeof(r.dir))) {
        return 1;
    }
    snprintf(r.db, sizeof(r.db), "%s/registry.db", r.dir);
    char setup[512], msg[256];
    if (harness_serve(&r, 0, NULL) || harness_setup_event(&r, r.port, setup, sizeof(setup))) {
        fprintf(stderr, "bench_sync: cannot start the registry\n");
        return 1;
    }

    /* Push. */
    fixture a;
    struct borne_sync *sa;
    if (open_kiosk(&a, &sa) || borne_sync_provision(sa, setup, msg, sizeof(msg))) {
        fprintf(stderr, "bench_sync: provision: %s\n", msg);
        return 1;
    }
    if (fixture_add_checkins(&a, "bench", (size_t)pushes)) {
        fprintf(stderr, "bench_sync: cannot store the check-ins\n");
        return 1;
    }
    double t0 = now_s();
    borne_err err = borne_sync_run_once(sa);
    double t1 = now_s();
    borne_sync_status st;
    borne_sync_get_status(sa, &st);
    printf("push %ld check-ins (batches of 500): %.3f s (%s, pending %lld)  target < 5 s\n", pushes,
           t1 - t0, borne_strerror(err), (long long)st.pending);
    close_kiosk(&a, sa);

    /* A large roster on the registry. */
    char csv_path[400];
    snprintf(csv_path, sizeof(csv_path), "%s/big.csv", r.dir);
    FILE *f = fopen(csv_path, "w");
    fprintf(f, "id,name,organisation,member,status,sessions\n");
    for (long i = 0; i < people; i++) {
        fprintf(f, "%ld,Participant%ld Nom%ld,Municipalité %ld,oui,confirmé,A1 B2\n", 100 + i, i,
                i % 977, i % 1103);
    }
    fclose(f);
    double ti = now_s();
    if (harness_admin(&r, NULL, 0, "roster", "import", "42", csv_path, NULL)) {
        fprintf(stderr, "bench_sync: roster import failed\n");
        return 1;
    }
    printf("(registry roster import of %ld participants: %.3f s)\n", people, now_s() - ti);
    ti = now_s();
    if (harness_admin(&r, NULL, 0, "roster", "import", "42", csv_path, NULL)) {
        fprintf(stderr, "bench_sync: roster re-import failed\n");
        return 1;
    }
    printf("(registry re-import of the same %ld participants, nothing changed: %.3f s)\n", people,
           now_s() - ti);

    fixture b;
    struct borne_sync *sb;
    if (harness_add_kiosk(&r, r.port, setup, sizeof(setup)) || open_kiosk(&b, &sb)) {
        return 1;
    }
    t0 = now_s();
    err = borne_sync_provision(sb, setup, msg, sizeof(msg));
    t1 = now_s();
    int64_t n = 0;
    borne_store_count_participants(b.store, FIX_EVENT, &n);
    printf("first pull of %lld participants (enrol + status + pull, gzip): %.3f s (%s)  "
           "target < 5 s\n",
           (long long)n, t1 - t0, borne_strerror(err));

    /* Ten changes. */
    f = fopen(csv_path, "w");
    fprintf(f, "id,name,organisation,member,status,sessions\n");
    for (long i = 0; i < 10; i++) {
        fprintf(f, "%ld,Changé%ld Nom,Ville %ld,non,confirmé,A1\n", 100 + i * 1000, i, i);
    }
    fclose(f);
    harness_admin(&r, NULL, 0, "roster", "import", "42", csv_path, NULL);
    t0 = now_s();
    err = borne_sync_run_once(sb);
    t1 = now_s();
    borne_sync_get_status(sb, &st);
    printf("incremental sync with 10 changes (status + push + pull): %.1f ms (%s, %lld rows "
           "pulled in all)  target < 100 ms\n",
           (t1 - t0) * 1000, borne_strerror(err), (long long)st.pulled);
    close_kiosk(&b, sb);
    harness_kill(&r, SIGTERM);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r.dir);
    return system(cmd) == 0 ? 0 : 1;
}
