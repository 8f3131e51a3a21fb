/* `borne-registry serve --demo` (docs/console.md, "Demo"): the real program started on
 * 127.0.0.1 on a free port, with TMPDIR a folder of the test's own. Its printed address and
 * password sign in over HTTP; the event page, the live figures, the review queue, the credits
 * and a participant's timeline show the demo's morning; after SIGTERM its folder is gone. And
 * --db naming a file that exists is refused (a real registry is never written into). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry/client.h"

#define EVENT "2026"

static pid_t running; /* stopped by the teardown when a test fails with it running */

typedef struct demo_proc {
    pid_t pid;
    char tmpdir[256];  /* the test's TMPDIR */
    char datadir[512]; /* the demo's folder, as printed */
    char password[64];
    test_registry reg; /* port only: for the web_* helpers */
} demo_proc;

/* Starts `borne-registry serve --demo --port 0` with TMPDIR=tmpdir and reads what it prints up
 * to "Ctrl-C to stop.". */
static void demo_start(demo_proc *d)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->tmpdir, sizeof(d->tmpdir), "/tmp/borne-test-demo-XXXXXX");
    assert_non_null(mkdtemp(d->tmpdir));
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    d->pid = fork();
    assert_true(d->pid >= 0);
    if (d->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        setenv("TMPDIR", d->tmpdir, 1);
        unsetenv("BORNE_REGISTRY_DB");
        execl(harness_registry_bin(), harness_registry_bin(), "serve", "--demo", "--port", "0",
              (char *)NULL);
        _exit(127);
    }
    running = d->pid;
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    assert_non_null(f);
    char line[1024];
    unsigned port = 0;
    bool end = false;
    while (!end && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        unsigned p;
        if (sscanf(line, "Borne demo registry: http://127.0.0.1:%u/", &p) == 1) {
            port = p;
        } else if (strncmp(line, "  password: ", 12) == 0) {
            snprintf(d->password, sizeof(d->password), "%.60s", line + 12);
        } else if (strncmp(line, "  temporary data: ", 18) == 0) {
            snprintf(d->datadir, sizeof(d->datadir), "%.500s", line + 18);
            d->datadir[strcspn(d->datadir, " ")] = '\0';
        } else if (strcmp(line, "  Ctrl-C to stop.") == 0) {
            end = port != 0;
        }
    }
    fclose(f); /* the registry writes nothing more */
    assert_true(end);
    assert_true(port > 0 && port < 65536);
    assert_int_equal(strlen(d->password), 16);
    /* Its folder is under our TMPDIR, and holds the database. */
    assert_int_equal(strncmp(d->datadir, d->tmpdir, strlen(d->tmpdir)), 0);
    char db[600];
    struct stat sb;
    snprintf(db, sizeof(db), "%s/registry.db", d->datadir);
    assert_int_equal(stat(db, &sb), 0);
    d->reg.proc.port = (uint16_t)port;
}

static char *page(demo_proc *d, const char *cookie, const char *path)
{
    http_resp a;
    web_request(&d->reg, "GET", path, cookie, NULL, NULL, &a);
    if (a.status != 200) {
        fail_msg("GET %s: %d", path, a.status);
    }
    return a.body;
}

static void expect_in(const char *body, const char *what, const char *path)
{
    if (!strstr(body, what)) {
        fail_msg("%s does not show \"%s\"", path, what);
    }
}

static void test_demo_console(void **state)
{
    (void)state;
    demo_proc d;
    demo_start(&d);
    char cookie[80];
    web_sign_in(&d.reg, "demo", d.password, cookie);

    /* The event, its sessions, the two kiosks. */
    char *body = page(&d, cookie, "/events/" EVENT);
    expect_in(body, "Congrès annuel de la COMAQ", "the event page");
    expect_in(body, "Loi 25", "the event page");
    expect_in(body, "Porte Richelieu", "the event page");
    expect_in(body, "Porte Chaudière", "the event page");
    free(body);

    /* Live: people in the ateliers now; kiosk 2's clock untrusted. */
    body = page(&d, cookie, "/events/" EVENT "/live.json");
    json_t *live = json_loads(body, 0, NULL);
    assert_non_null(live);
    size_t i;
    json_t *s;
    int64_t in_a1 = -1, in_a2 = -1, checked_p = -1;
    json_array_foreach(json_object_get(live, "sessions"), i, s)
    {
        int64_t id = json_integer_value(json_object_get(s, "id"));
        int64_t in_room = json_integer_value(json_object_get(s, "in_room"));
        if (id == 101) {
            in_a1 = in_room;
        } else if (id == 102) {
            in_a2 = in_room;
        } else if (id == 100) {
            checked_p = json_integer_value(json_object_get(s, "checked_in"));
            assert_int_equal(in_room, 1); /* Réjean, who never scanned out */
        }
    }
    /* A1: ten in the room (Stéphane left); A2: four and a walk-in. */
    assert_int_equal(in_a1, 10);
    assert_int_equal(in_a2, 5);
    assert_int_equal(checked_p, 14);
    json_t *k;
    size_t untrusted = 0, kiosks = 0;
    json_array_foreach(json_object_get(live, "kiosks"), i, k)
    {
        kiosks++;
        size_t j;
        json_t *w;
        json_array_foreach(json_object_get(k, "warnings"), j, w)
        {
            untrusted += strcmp(json_string_value(w), "clock_untrusted") == 0;
        }
    }
    assert_int_equal(kiosks, 2);
    assert_int_equal(untrusted, 1);
    json_decref(live);
    free(body);

    /* The review queue: the missing exit, the stray exit, the overlap, the clock, the walk-in. */
    body = page(&d, cookie, "/events/" EVENT "/review");
    expect_in(body, "Réjean Thériault", "the review queue");
    expect_in(body, "sortie non scannée", "the review queue");
    expect_in(body, "sortie sans entrée", "the review queue");
    expect_in(body, "sessions simultanées", "the review queue");
    expect_in(body, "Ludovic Mercier-Gauthier", "the review queue");
    expect_in(body, "Marie-Ève Fortin", "the review queue");
    free(body);

    /* The credits page: the plenary's credits. */
    body = page(&d, cookie, "/events/" EVENT "/credits");
    expect_in(body, "Hélène Tremblay", "the credits page");
    expect_in(body, "Anaïs Gosselin", "the credits page");
    expect_in(body, "attestations.zip", "the credits page"); /* the demo's key is there */
    free(body);

    /* Anaïs's exit, entered at the desk; Geneviève, admitted by staff. */
    body = page(&d, cookie, "/events/" EVENT "/participants/13");
    expect_in(body, "badge oublié à la sortie", "Anaïs's timeline");
    free(body);
    body = page(&d, cookie, "/events/" EVENT "/participants/5");
    expect_in(body, "admise par le personnel", "Geneviève's timeline");
    free(body);

    /* SIGTERM: it stops, exits 0, and its folder is gone. */
    assert_int_equal(kill(d.pid, SIGTERM), 0);
    int status = 0;
    assert_int_equal(waitpid(d.pid, &status, 0), d.pid);
    running = 0;
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    struct stat sb;
    assert_int_equal(stat(d.datadir, &sb), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(rmdir(d.tmpdir), 0); /* empty: nothing left behind */
}

/* --db naming a file that exists: refused, the file untouched. */
static void test_demo_existing_db(void **state)
{
    (void)state;
    char dir[] = "/tmp/borne-test-demo-XXXXXX", path[64], out[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/registry.db", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a registry", f);
    fclose(f);
    char *argv[] = {
        (char *)harness_registry_bin(), "--db", path, "serve", "--demo", "--port", "0", NULL};
    assert_int_equal(harness_run(out, sizeof(out), argv), 1);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, strlen("not a registry"));
    /* --listen does not go with --demo (127.0.0.1 only). */
    char *bad[] = {(char *)harness_registry_bin(), "serve", "--demo", "--listen", "[::1]:0", NULL};
    assert_int_equal(harness_run(out, sizeof(out), bad), 2);
    unlink(path);
    assert_int_equal(rmdir(dir), 0);
}

static int stop_running(void **state)
{
    (void)state;
    if (running > 0) {
        kill(running, SIGTERM);
        waitpid(running, NULL, 0);
        running = 0;
    }
    return 0;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_demo_console, stop_running),
        cmocka_unit_test(test_demo_existing_db),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
