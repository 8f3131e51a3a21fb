/* The registry harness (see harness.h). */
#include "sync/harness.h"

#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/fixture.h"

/* Servers still running when the test program ends (a failed assertion jumps over the
 * test's own cleanup) are killed at exit, so no registry outlives its test. */
static pid_t running[16];

static void kill_running(void)
{
    for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++) {
        if (running[i] > 0) {
            kill(running[i], SIGKILL);
            waitpid(running[i], NULL, 0);
        }
    }
}

static void track(pid_t pid, pid_t replace)
{
    static bool registered;
    if (!registered) {
        atexit(kill_running);
        registered = true;
    }
    for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++) {
        if (running[i] == replace) {
            running[i] = pid;
            return;
        }
    }
}

const char *harness_registry_bin(void)
{
    static char path[512];
    const char *build = getenv("BORNE_BUILD_DIR");
    snprintf(path, sizeof(path), "%s/src/registry/borne-registry", build ? build : ".");
    return path;
}

static int collect_args(const registry_proc *r, char **argv, size_t max, va_list ap)
{
    size_t n = 0;
    argv[n++] = (char *)harness_registry_bin();
    argv[n++] = "--db";
    argv[n++] = (char *)r->db;
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n + 1 < max) {
        argv[n++] = (char *)a;
    }
    argv[n] = NULL;
    return (int)n;
}

/* Runs argv[0] with its standard output into a pipe: the child's pid, and the pipe's reading
 * end in *out; -1 when the pipe or the fork fails. */
static pid_t spawn_piped(char *const argv[], int *out)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    *out = fds[0];
    return pid;
}

int harness_run(char *out, size_t cap, char *const argv[])
{
    int fd;
    pid_t pid = spawn_piped(argv, &fd);
    if (pid < 0) {
        return -1;
    }
    size_t n = 0;
    char sink[4096];
    for (;;) {
        char *dst = out && n + 1 < cap ? out + n : sink;
        size_t room = out && n + 1 < cap ? cap - n - 1 : sizeof(sink);
        ssize_t got = read(fd, dst, room);
        if (got <= 0) {
            break;
        }
        if (dst != sink) {
            n += (size_t)got;
        }
    }
    if (out && cap) {
        out[n] = '\0';
    }
    close(fd);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int harness_admin(const registry_proc *r, char *out, size_t cap, ...)
{
    char *argv[32];
    va_list ap;
    va_start(ap, cap);
    collect_args(r, argv, 32, ap);
    va_end(ap);
    return harness_run(out, cap, argv);
}

int harness_serve(registry_proc *r, unsigned port, ...)
{
    char listen_arg[64];
    snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%u", port);
    char *argv[32];
    size_t n = 0;
    argv[n++] = (char *)harness_registry_bin();
    argv[n++] = "--db";
    argv[n++] = r->db;
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = listen_arg;
    va_list ap;
    va_start(ap, port);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n + 1 < 32) {
        argv[n++] = (char *)a;
    }
    va_end(ap);
    argv[n] = NULL;
    int fd;
    pid_t pid = spawn_piped(argv, &fd);
    if (pid < 0) {
        return -1;
    }
    char line[128];
    size_t len = 0;
    while (len + 1 < sizeof(line)) {
        ssize_t got = read(fd, line + len, 1);
        if (got <= 0 || line[len] == '\n') {
            break;
        }
        len++;
    }
    line[len] = '\0';
    close(fd);
    unsigned p = 0;
    if (sscanf(line, "listening 127.0.0.1:%u", &p) != 1 || p == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    r->pid = pid;
    r->port = (uint16_t)p;
    track(pid, 0);
    return 0;
}

void harness_kill(registry_proc *r, int sig)
{
    if (r->pid > 0) {
        kill(r->pid, sig);
        waitpid(r->pid, NULL, 0);
        track(0, r->pid);
        r->pid = 0;
    }
}

void harness_write(const char *dir, const char *name, const char *text, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
    FILE *f = fopen(out, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

int harness_add_kiosk(registry_proc *r, uint16_t port, char *setup, size_t cap)
{
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)port);
    /* Unnamed: the registry numbers it (kiosk names are unique per event). */
    int rc = harness_admin(r, setup, cap, "kiosk", "add", "--event", "42", "--url", url, NULL);
    setup[strcspn(setup, "\n")] = '\0';
    return rc;
}

int harness_setup_event(registry_proc *r, uint16_t port, char *setup, size_t cap)
{
    return harness_setup_event_roster(r, port, fixture_roster_csv, setup, cap);
}

int harness_setup_event_roster(registry_proc *r, uint16_t port, const char *roster_csv, char *setup,
                               size_t cap)
{
    return harness_setup_event_files(r, port, fixture_event_json, roster_csv, setup, cap);
}

int harness_setup_event_files(registry_proc *r, uint16_t port, const char *event_json,
                              const char *roster_csv, char *setup, size_t cap)
{
    char ev[400], roster[400], key[400];
    harness_write(r->dir, "event.json", event_json, ev, sizeof(ev));
    harness_write(r->dir, "roster.csv", roster_csv, roster, sizeof(roster));
    snprintf(key, sizeof(key), "%s/sign.key", r->dir);
    if (harness_admin(r, NULL, 0, "event", "import", ev, NULL) ||
        harness_admin(r, NULL, 0, "roster", "import", "42", roster, NULL) ||
        harness_admin(r, NULL, 0, "keys", "generate", "--out", key, "--id", "7", NULL)) {
        return -1;
    }
    return harness_add_kiosk(r, port, setup, cap);
}
