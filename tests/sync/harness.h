/* Test harness for the sync tests and the benchmark: runs the real borne-registry program
 * (admin commands, and the server on 127.0.0.1 on a free port). */
#ifndef BORNE_TESTS_SYNC_HARNESS_H
#define BORNE_TESTS_SYNC_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct registry_proc {
    char dir[256];
    char db[320];
    pid_t pid;
    uint16_t port;
} registry_proc;

/* The borne-registry binary ($BORNE_BUILD_DIR/src/registry/borne-registry). */
const char *harness_registry_bin(void);

/* Runs a program (argv[0] a path, argv NULL-terminated), its stdout into out[cap] (may be
 * NULL; cut at cap - 1 bytes, the rest read and dropped). Returns the exit status; -1 when it
 * could not be started or did not exit. */
int harness_run(char *out, size_t cap, char *const argv[]);

/* Runs `borne-registry --db DB ARGS...` (NULL-terminated), its stdout into out[cap] (may be
 * NULL). Returns the exit status. */
int harness_admin(const registry_proc *r, char *out, size_t cap, ...);

/* Starts the server on 127.0.0.1 (port 0: a free one; else that port), extra args (NULL-
 * terminated, e.g. "--tls-cert", path). 0 on success. */
int harness_serve(registry_proc *r, unsigned port, ...);
/* SIGKILL (hard) or SIGTERM, and reap. */
void harness_kill(registry_proc *r, int sig);

/* Writes text to dir/name; returns the path in out. */
void harness_write(const char *dir, const char *name, const char *text, char *out, size_t cap);

/* Sets up the fixture's event (42) and roster on the registry, a signing key (key file
 * dir/sign.key), and a kiosk; writes its setup text (http://127.0.0.1:PORT) into setup. */
int harness_setup_event(registry_proc *r, uint16_t port, char *setup, size_t cap);
/* The same with another roster (CSV text) for the event. */
int harness_setup_event_roster(registry_proc *r, uint16_t port, const char *roster_csv, char *setup,
                               size_t cap);
/* The same with another event file (JSON text, event id 42) and roster. */
int harness_setup_event_files(registry_proc *r, uint16_t port, const char *event_json,
                              const char *roster_csv, char *setup, size_t cap);
/* Another setup code for the same event. */
int harness_add_kiosk(registry_proc *r, uint16_t port, char *setup, size_t cap);

#endif
