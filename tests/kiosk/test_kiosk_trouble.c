/* The kiosk when its store cannot be opened, and the demo on a store that is not empty.
 *
 * The real `borne` binary, under SDL's offscreen driver, for each way a store can be out of
 * reach: --db naming a folder, a store whose folder does not exist, a data folder the kiosk's
 * user may not write in (the test drops to "nobody" when it runs as root, since root writes
 * anywhere). Each time the kiosk must not crash: it draws the trouble screen (its first frame,
 * --exit-after-first-frame) and logs the cause. In process, through the kiosk's test hooks: the
 * trouble screen names the cause and the folder, and "Réessayer" opens the store once the
 * folder exists. `borne --demo --db STORE` refuses a store that already holds an event (exit 2)
 * and leaves it untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiosk/kiosk.h"
#include "support/fixture.h"
#include "support/kiosk_loop.h"
#include "ui/screens.h"

typedef struct run {
    int status; /* exit code, or 128 + signal */
    char out[4096];
    char err[8192];
} run;

static void slurp(const char *path, char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) {
        return;
    }
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs borne with args (NULL-terminated) under the offscreen driver; as "nobody" when asked
 * and the test is root. Output goes to files in dir. */
static bool no_display; /* run_borne: no display and no SDL_VIDEODRIVER at all */

static void run_borne(const char *dir, bool as_nobody, run *r, const char *const *args)
{
    char exe[512], out[400], err[400];
    snprintf(exe, sizeof(exe), "%s/src/kiosk/borne", getenv("BORNE_BUILD_DIR"));
    snprintf(out, sizeof(out), "%s/stdout", dir);
    snprintf(err, sizeof(err), "%s/stderr", dir);
    char *argv[16];
    int n = 0;
    argv[n++] = exe;
    for (; args[n - 1] && n < 15; n++) {
        argv[n] = (char *)args[n - 1];
    }
    argv[n] = NULL;
    const char *driver = getenv("BORNE_TEST_VIDEODRIVER");
    if (no_display) {
        unsetenv("SDL_VIDEODRIVER");
        unsetenv("DISPLAY");
        unsetenv("WAYLAND_DISPLAY");
    } else {
        setenv("SDL_VIDEODRIVER", driver && driver[0] ? driver : "offscreen", 1);
    }
    setenv("SDL_RENDER_DRIVER", "software", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) {
            _exit(126);
        }
        if (as_nobody && geteuid() == 0) {
            struct passwd *pw = getpwnam("nobody");
            if (!pw || setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
                setuid(pw->pw_uid) != 0) {
                _exit(125);
            }
        }
        execv(exe, argv);
        _exit(127);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    slurp(out, r->out, sizeof(r->out));
    slurp(err, r->err, sizeof(r->err));
}

static void write_conf(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[camera]\ndevice = none\n[scanner]\ndevice = none\n", f);
    assert_int_equal(fclose(f), 0);
}

/* The kiosk starts on a store it cannot open: no crash, the trouble screen, the cause. */
static void expect_trouble(const char *dir, const char *db, bool as_nobody, const char *cause)
{
    char conf[400];
    snprintf(conf, sizeof(conf), "%s/borne.conf", dir);
    write_conf(conf);
    run r;
    const char *args[] = {"--config", conf,         "--db",
                          db,         "--windowed", "--silent",
                          "--size",   "800x480",    "--exit-after-first-frame",
                          NULL};
    run_borne(dir, as_nobody, &r, args);
    if (r.status != 0) {
        fail_msg("borne --db %s: exit %d (not the trouble screen)\n%s", db, r.status, r.err);
    }
    if (!strstr(r.out, "first-frame-screen trouble")) {
        fail_msg("borne --db %s: first frame is not the trouble screen:\n%s", db, r.out);
    }
    if (!strstr(r.err, cause)) {
        fail_msg("borne --db %s: the log does not say \"%s\":\n%s", db, cause, r.err);
    }
}

static void test_store_is_a_folder(void **state)
{
    (void)state;
    char dir[256];
    assert_int_equal(fixture_mkdtemp(dir, sizeof(dir)), 0);
    expect_trouble(dir, dir, false, "is a folder");
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_store_folder_missing(void **state)
{
    (void)state;
    char dir[256], db[400];
    assert_int_equal(fixture_mkdtemp(dir, sizeof(dir)), 0);
    snprintf(db, sizeof(db), "%s/not-mounted/borne.db", dir);
    expect_trouble(dir, db, false, "folder does not exist");
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_store_folder_not_writable(void **state)
{
    (void)state;
    char dir[256], data[320], db[400];
    assert_int_equal(fixture_mkdtemp(dir, sizeof(dir)), 0);
    /* The kiosk's user ("nobody" when the test is root) reads the config, not the data. */
    assert_int_equal(chmod(dir, 0777), 0);
    snprintf(data, sizeof(data), "%s/data", dir);
    assert_int_equal(mkdir(data, 0555), 0);
    assert_int_equal(chmod(data, 0555), 0);
    snprintf(db, sizeof(db), "%s/borne.db", data);
    expect_trouble(dir, db, true, "folder not writable");
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "chmod 755 '%s' && rm -rf '%s'", data, dir);
    assert_int_equal(system(cmd), 0);
}

/* In process: the cause and the folder on the trouble screen; "Réessayer" once it exists. */
static void test_trouble_names_cause_then_retry(void **state)
{
    (void)state;
    kiosk_loop l;
    kiosk_loop_open(&l, "borne-test", 3600);
    char folder[300];
    snprintf(folder, sizeof(folder), "%s/not-mounted", l.dir);
    snprintf(l.db, sizeof(l.db), "%s/borne.db", folder);
    kiosk_loop_start(&l);
    for (int i = 0; i < 3; i++) {
        borne_kiosk_step(l.k, 0); /* retries never crash */
    }
    const borne_view *v = kiosk_loop_view(&l);
    assert_int_equal(v->screen, BORNE_SCREEN_TROUBLE);
    assert_int_equal(v->trouble_cause, BORNE_VIEW_TROUBLE_NO_FOLDER);
    assert_string_equal(v->trouble_path, folder);
    /* Scans are refused, staff actions do nothing harmful. */
    borne_kiosk_present(l.k, "BN1:whatever", 12, BORNE_METHOD_SCANNER);
    assert_int_equal(v->screen, BORNE_SCREEN_TROUBLE);
    borne_kiosk_act(l.k, BORNE_ACT_RETRY, 0);
    assert_int_equal(v->screen, BORNE_SCREEN_TROUBLE);
    /* The data partition comes back: the next try opens the store. */
    assert_int_equal(mkdir(folder, 0755), 0);
    borne_kiosk_act(l.k, BORNE_ACT_RETRY, 0);
    assert_int_equal(v->screen, BORNE_SCREEN_NOT_SET_UP);
    assert_string_equal(v->trouble_path, "");
    kiosk_loop_close(&l);
}

/* The demo refuses a store that already holds an event, and leaves it as it was. */
static void test_demo_refuses_store_with_event(void **state)
{
    (void)state;
    fixture fx;
    assert_int_equal(fixture_open(&fx), 0);
    int64_t before = fixture_query_int(fx.store, "SELECT count(*) FROM checkin");
    borne_store_close(fx.store);
    fx.store = NULL;
    run r;
    const char *args[] = {"--demo", "--db", fx.path, "--windowed", "--silent", NULL};
    run_borne(fx.dir, false, &r, args);
    assert_int_equal(r.status, 2);
    if (!strstr(r.err, "the demo needs a new or empty store") || !strstr(r.err, fx.path)) {
        fail_msg("unclear refusal:\n%s", r.err);
    }
    assert_int_equal(fixture_reopen(&fx), 0);
    borne_event ev;
    assert_int_equal(borne_store_current_event(fx.store, &ev), BORNE_OK);
    assert_int_equal(ev.id, FIX_EVENT);
    assert_int_equal(fixture_query_int(fx.store, "SELECT count(*) FROM checkin"), before);
    fixture_close(&fx);
}

/* No display and no SDL_VIDEODRIVER: SDL would draw into memory. Said, and exit 1. (Skipped
 * where a KMS/DRM device exists: there SDL finds a real screen.) */
static void test_no_display_said(void **state)
{
    (void)state;
    struct stat st;
    if (stat("/dev/dri", &st) == 0) {
        skip();
    }
    char dir[256];
    assert_int_equal(fixture_mkdtemp(dir, sizeof(dir)), 0);
    no_display = true;
    run r;
    const char *args[] = {"--demo", "--silent", "--exit-after-first-frame", NULL};
    run_borne(dir, false, &r, args);
    no_display = false;
    assert_int_equal(r.status, 1);
    if (!strstr(r.err, "no display found") || !strstr(r.err, "SDL_VIDEODRIVER=offscreen")) {
        fail_msg("not said:\n%s", r.err);
    }
    assert_null(strstr(r.out, "first-frame"));
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_is_a_folder),
        cmocka_unit_test(test_store_folder_missing),
        cmocka_unit_test(test_store_folder_not_writable),
        cmocka_unit_test(test_trouble_names_cause_then_retry),
        cmocka_unit_test(test_demo_refuses_store_with_event),
        cmocka_unit_test(test_no_display_said),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
