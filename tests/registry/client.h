/* Helpers for the registry's API tests: a raw HTTP/1.1 client on 127.0.0.1 (so a test can send
 * exactly the bytes it means: broken JSON, wrong headers, huge or slow bodies), and a registry
 * started with its stderr captured in a file (BORNE_LOG=debug) so the logs can be checked.
 * The registry itself is the real program, run by tests/sync/harness.c. */
#ifndef BORNE_TESTS_REGISTRY_CLIENT_H
#define BORNE_TESTS_REGISTRY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sync/harness.h"

typedef struct http_resp {
    int status;      /* 0: no answer (connection closed or timed out) */
    char head[4096]; /* status line and headers */
    char *body;      /* malloc'ed, NUL-terminated (NULL when no answer) */
    size_t len;
    double seconds; /* from connect to the end of the answer */
} http_resp;

void http_resp_free(http_resp *r);

/* One request with "Connection: close". token: the bearer token or NULL; ctype: the
 * Content-Type or NULL (none sent). Returns 0 when an answer was read. */
int http_do(uint16_t port, const char *method, const char *path, const char *token,
            const char *ctype, const char *body, size_t len, http_resp *out);
/* Sends raw bytes and reads the answer until the server closes. */
int http_raw(uint16_t port, const void *raw, size_t len, http_resp *out);

/* A connected socket to 127.0.0.1:port (receive timeout `timeout_s`), or -1. */
int http_connect(uint16_t port, int timeout_s);

/* The "error" text of an error answer, or "" (static buffer). */
const char *http_error_text(const http_resp *r);

/* A registry in a fresh temporary directory, its stderr in dir/registry.log. */
typedef struct test_registry {
    registry_proc proc;
    char log[400];
} test_registry;

/* Starts `borne-registry serve` on 127.0.0.1 (a free port) at BORNE_LOG=debug with the extra
 * arguments (NULL-terminated). */
void registry_up(test_registry *r, ...);
/* SIGTERM, reap; the directory stays until registry_cleanup. */
void registry_down(test_registry *r);
/* Stops the registry, fails when its log holds a sanitizer report, removes the directory. */
void registry_cleanup(test_registry *r);
/* The log text so far (malloc'ed). */
char *registry_log(const test_registry *r);

/* Imports the fixture's event 42 with its roster and key (dir/sign.key). */
void registry_fixture_event(test_registry *r);
/* A second event 43 ("Séminaire 2026") with its own roster (names in other_names[]). */
void registry_other_event(test_registry *r);
extern const char *const fixture_names[];
extern const char *const other_names[];

/* Adds a kiosk for `event` and enrols it over HTTP; its API token into token[128]. Returns
 * the kiosk's id. The enrolment token is kept in enrol[128] when not NULL. */
int registry_kiosk(test_registry *r, uint32_t event, char *token, char *enrol);

/* A check-in record as JSON (fields as a kiosk sends them), into out[cap]. */
void checkin_json(char *out, size_t cap, const char *uuid, uint32_t event, uint32_t participant,
                  int64_t wall_ms, bool trusted);

/* Rows in the registry's database (read-only connection): the first column of the first row of
 * `sql` as an integer. */
int64_t registry_query_int(const test_registry *r, const char *sql);

/* ---- the web console (docs/console.md) ---- */

/* One request with "Connection: close" and our own headers (each ending in "\r\n", or NULL);
 * cookie: "borne_session=..." or NULL; form: an urlencoded body (POST) or NULL. */
void web_request(const test_registry *r, const char *method, const char *path, const char *cookie,
                 const char *headers, const char *form, http_resp *out);
/* `borne-registry user add NAME --role ROLE`, the password on standard input. */
void web_add_user(test_registry *r, const char *name, const char *role, const char *password);
/* The header's value (after "Name: ") into out[cap], "" when absent. */
void web_head_value(const http_resp *a, const char *name, char *out, size_t cap);
/* Signs in (303 to /events expected); the "borne_session=HEX" cookie into cookie[80]. */
void web_sign_in(test_registry *r, const char *name, const char *password, char *cookie);
/* The CSRF token of the session's pages into csrf[65]. */
void web_page_csrf(test_registry *r, const char *cookie, char *csrf);
/* Fails unless METHOD PATH answers `status`. */
void web_expect_status(test_registry *r, const char *method, const char *path, const char *cookie,
                       int status);

#endif
