/* Raw HTTP client and registry helpers for the registry's API tests (see client.h). */
#include "registry/client.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "support/db_ro.h"
#include "support/fixture.h"

const char *const fixture_names[] = {"Hélène",   "Tremblay",    "Lévesque",        "Marie Côté",
                                     "Gagnon",   "Sophie Roy",  "Bouchard",        "Lévis",
                                     "Gatineau", "Bellechasse", FIX_OPAQUE_HELENE, NULL};
const char *const other_names[] = {"Zoé Nadeau-Pelletier", "Xavier Quintal", "Trois-Pistoles",
                                   NULL};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void http_resp_free(http_resp *r)
{
    free(r->body);
    r->body = NULL;
}

int http_connect(uint16_t port, int timeout_s)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    struct timeval tv = {.tv_sec = timeout_s};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads until the server closes; splits head and body. */
static int read_answer(int fd, http_resp *out, double t0)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 4096 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    out->seconds = now_s() - t0;
    char *end = strstr(buf, "\r\n\r\n");
    if (!end || sscanf(buf, "HTTP/1.%*d %d", &out->status) != 1) {
        free(buf);
        out->status = 0;
        return -1;
    }
    size_t hl = (size_t)(end - buf);
    snprintf(out->head, sizeof(out->head), "%.*s", (int)hl, buf);
    out->len = len - hl - 4;
    out->body = malloc(out->len + 1);
    memcpy(out->body, end + 4, out->len);
    out->body[out->len] = '\0';
    free(buf);
    return 0;
}

int http_raw(uint16_t port, const void *raw, size_t len, http_resp *out)
{
    memset(out, 0, sizeof(*out));
    double t0 = now_s();
    int fd = http_connect(port, 20);
    if (fd < 0) {
        return -1;
    }
    /* A server may answer (413) and close before all is sent: that is not an error here. */
    send_all(fd, raw, len);
    int rc = read_answer(fd, out, t0);
    close(fd);
    return rc;
}

int http_do(uint16_t port, const char *method, const char *path, const char *token,
            const char *ctype, const char *body, size_t len, http_resp *out)
{
    size_t cap = len + 1024;
    char *req = malloc(cap);
    int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method,
                     path);
    if (token) {
        n += snprintf(req + n, cap - (size_t)n, "Authorization: Bearer %s\r\n", token);
    }
    if (ctype) {
        n += snprintf(req + n, cap - (size_t)n, "Content-Type: %s\r\n", ctype);
    }
    if (body) {
        n += snprintf(req + n, cap - (size_t)n, "Content-Length: %zu\r\n", len);
    }
    n += snprintf(req + n, cap - (size_t)n, "\r\n");
    if (body) {
        memcpy(req + n, body, len);
        n += (int)len;
    }
    int rc = http_raw(port, req, (size_t)n, out);
    free(req);
    return rc;
}

const char *http_error_text(const http_resp *r)
{
    static char text[512];
    text[0] = '\0';
    json_t *root = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
    const char *e = json_string_value(json_object_get(root, "error"));
    snprintf(text, sizeof(text), "%s", e ? e : "");
    json_decref(root);
    return text;
}

void registry_up(test_registry *r, ...)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(fixture_mkdtemp(r->proc.dir, sizeof(r->proc.dir)), 0);
    snprintf(r->proc.db, sizeof(r->proc.db), "%s/registry.db", r->proc.dir);
    snprintf(r->log, sizeof(r->log), "%s/registry.log", r->proc.dir);
    const char *extra[8] = {NULL};
    va_list ap;
    va_start(ap, r);
    for (size_t i = 0; i < 7; i++) {
        extra[i] = va_arg(ap, const char *);
        if (!extra[i]) {
            break;
        }
    }
    va_end(ap);
    /* The child inherits fd 2 and the environment at fork: point them at the log for that. */
    fflush(stderr);
    int saved = dup(2);
    int logfd = open(r->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(saved >= 0 && logfd >= 0);
    dup2(logfd, 2);
    close(logfd);
    setenv("BORNE_LOG", "debug", 1);
    /* The tests that send many bad tokens on purpose would otherwise meet the per-address
     * failure budget (429); a test of the budget passes its own --auth-failures (the last
     * one given counts). */
    int rc = harness_serve(&r->proc, 0, "--auth-failures", "1000000", extra[0], extra[1], extra[2],
                           extra[3], extra[4], extra[5], extra[6], NULL);
    unsetenv("BORNE_LOG");
    dup2(saved, 2);
    close(saved);
    assert_int_equal(rc, 0);
}

void registry_down(test_registry *r)
{
    harness_kill(&r->proc, SIGTERM);
}

void registry_cleanup(test_registry *r)
{
    registry_down(r);
    /* Under sanitizers, the registry's own reports (errors, leaks at exit) land in its log. */
    char *log = registry_log(r);
    static const char *const reports[] = {"AddressSanitizer", "LeakSanitizer", "runtime error",
                                          NULL};
    for (size_t i = 0; reports[i]; i++) {
        if (strstr(log, reports[i])) {
            fprintf(stderr, "%s\n", log);
            fail_msg("the registry reported: %s (log above)", reports[i]);
        }
    }
    free(log);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->proc.dir);
    assert_int_equal(system(cmd), 0);
}

char *registry_log(const test_registry *r)
{
    FILE *f = fopen(r->log, "rb");
    assert_non_null(f);
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    size_t n;
    while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            cap *= 2;
            text = realloc(text, cap);
        }
    }
    text[len] = '\0';
    fclose(f);
    return text;
}

void registry_fixture_event(test_registry *r)
{
    char ev[400], roster[400], key[400];
    harness_write(r->proc.dir, "event.json", fixture_event_json, ev, sizeof(ev));
    harness_write(r->proc.dir, "roster.csv", fixture_roster_csv, roster, sizeof(roster));
    snprintf(key, sizeof(key), "%s/sign.key", r->proc.dir);
    assert_int_equal(harness_admin(&r->proc, NULL, 0, "event", "import", ev, NULL), 0);
    assert_int_equal(harness_admin(&r->proc, NULL, 0, "roster", "import", "42", roster, NULL), 0);
    assert_int_equal(
        harness_admin(&r->proc, NULL, 0, "keys", "generate", "--out", key, "--id", "7", NULL), 0);
}

void registry_other_event(test_registry *r)
{
    static const char event[] =
        "{\"id\": 43, \"name\": \"Séminaire 2026\", \"timezone\": \"America/Montreal\","
        " \"starts\": \"2026-06-10\", \"ends\": \"2026-06-10\", \"sessions\": ["
        "  {\"id\": 301, \"code\": \"S1\", \"title\": \"Urbanisme\", \"room\": \"Salle C\","
        "   \"starts\": \"2026-06-10T09:00:00-04:00\", \"ends\": \"2026-06-10T12:00:00-04:00\","
        "   \"credit_hours\": 3, \"credit_rule\": \"threshold:800\"}]}";
    static const char roster[] = "id,name,organisation,member,status,sessions,code\n"
                                 "501,Zoé Nadeau-Pelletier,Ville de Trois-Pistoles,oui,confirmé,"
                                 "S1,OPQ-ZNP-501\n"
                                 "502,Xavier Quintal,MRC de Kamouraska,non,confirmé,S1,\n";
    char ev[400], ro[400];
    harness_write(r->proc.dir, "event43.json", event, ev, sizeof(ev));
    harness_write(r->proc.dir, "roster43.csv", roster, ro, sizeof(ro));
    assert_int_equal(harness_admin(&r->proc, NULL, 0, "event", "import", ev, NULL), 0);
    assert_int_equal(harness_admin(&r->proc, NULL, 0, "roster", "import", "43", ro, NULL), 0);
}

int registry_kiosk(test_registry *r, uint32_t event, char *token, char *enrol)
{
    char url[64], ev[16], setup[600], name[32];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)r->proc.port);
    snprintf(ev, sizeof(ev), "%u", event);
    /* Kiosk names are unique per event. */
    static int made;
    snprintf(name, sizeof(name), "porte-T%d", ++made);
    assert_int_equal(harness_admin(&r->proc, setup, sizeof(setup), "kiosk", "add", "--event", ev,
                                   "--url", url, "--name", name, NULL),
                     0);
    char prefix[32], u[256], t[128];
    assert_int_equal(sscanf(setup, "%31s %255s %127s", prefix, u, t), 3);
    if (enrol) {
        snprintf(enrol, 128, "%s", t);
    }
    char body[256];
    snprintf(body, sizeof(body), "{\"enrolment_token\":\"%s\",\"kiosk\":\"porte-T\"}", t);
    http_resp a;
    assert_int_equal(http_do(r->proc.port, "POST", "/v1/enrol", NULL, "application/json", body,
                             strlen(body), &a),
                     0);
    assert_int_equal(a.status, 200);
    json_t *root = json_loads(a.body, 0, NULL);
    assert_non_null(root);
    snprintf(token, 128, "%s", json_string_value(json_object_get(root, "api_token")));
    json_decref(root);
    http_resp_free(&a);
    return (int)registry_query_int(r, "SELECT max(id) FROM kiosk");
}

void checkin_json(char *out, size_t cap, const char *uuid, uint32_t event, uint32_t participant,
                  int64_t wall_ms, bool trusted)
{
    snprintf(out, cap,
             "{\"uuid\":\"%s\",\"event_id\":%u,\"participant_id\":%u,\"session_id\":101,"
             "\"direction\":\"entry\",\"method\":1,\"outcome\":0,\"staff_id\":\"\","
             "\"code_hash\":\"00112233445566778899aabbccddeeff\",\"wall_ms\":%lld,"
             "\"wall_recorded_ms\":1779282000000,\"mono_ms\":5000,"
             "\"boot_id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"clock_trusted\":%s}",
             uuid, event, participant, (long long)wall_ms, trusted ? "true" : "false");
}

int64_t registry_query_int(const test_registry *r, const char *sql)
{
    return db_ro_int(r->proc.db, sql);
}

/* ---- the web console ---- */

void web_request(const test_registry *r, const char *method, const char *path, const char *cookie,
                 const char *headers, const char *form, http_resp *out)
{
    char req[8192];
    int n = snprintf(req, sizeof(req),
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n%s%s%s%s",
                     method, path, (unsigned)r->proc.port, cookie ? "Cookie: " : "",
                     cookie ? cookie : "", cookie ? "\r\n" : "", headers ? headers : "");
    if (form) {
        n += snprintf(req + n, sizeof(req) - (size_t)n,
                      "Content-Type: application/x-www-form-urlencoded\r\n"
                      "Content-Length: %zu\r\n\r\n%s",
                      strlen(form), form);
    } else {
        n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
    }
    assert_true(n > 0 && (size_t)n < sizeof(req));
    assert_int_equal(http_raw(r->proc.port, req, (size_t)n, out), 0);
}

void web_add_user(test_registry *r, const char *name, const char *role, const char *password)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "'%s' --db '%s' user add %s --role %s >/dev/null",
             harness_registry_bin(), r->proc.db, name, role);
    FILE *p = popen(cmd, "w");
    assert_non_null(p);
    fprintf(p, "%s\n", password);
    assert_int_equal(pclose(p), 0);
}

void web_head_value(const http_resp *a, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *line = a->head; line && *line; line = strstr(line, "\r\n")) {
        if (line[0] == '\r') {
            line += 2;
        }
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ') {
                v++;
            }
            size_t len = strcspn(v, "\r\n");
            snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), v);
            return;
        }
        if (!strstr(line, "\r\n")) {
            break;
        }
    }
}

void web_sign_in(test_registry *r, const char *name, const char *password, char *cookie)
{
    char form[256];
    snprintf(form, sizeof(form), "name=%s&password=%s&next=%%2Fevents", name, password);
    for (char *c = strchr(form, '&') + 1; *c; c++) {
        if (*c == ' ') {
            *c = '+';
        }
    }
    http_resp a;
    web_request(r, "POST", "/signin", NULL, NULL, form, &a);
    assert_int_equal(a.status, 303);
    char set[300], loc[100];
    web_head_value(&a, "Set-Cookie", set, sizeof(set));
    web_head_value(&a, "Location", loc, sizeof(loc));
    assert_string_equal(loc, "/events");
    assert_int_equal(strncmp(set, "borne_session=", 14), 0);
    snprintf(cookie, 80, "%.78s", set);
    cookie[strcspn(cookie, ";")] = '\0';
    assert_int_equal(strlen(cookie), 14 + 64);
    http_resp_free(&a);
}

/* The page's CSRF token (hidden field) into csrf[65]. */
void web_page_csrf(test_registry *r, const char *cookie, char *csrf)
{
    http_resp a;
    web_request(r, "GET", "/events", cookie, NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    const char *at = strstr(a.body, "name=\"csrf\" value=\"");
    assert_non_null(at);
    snprintf(csrf, 65, "%.64s", at + 19);
    http_resp_free(&a);
}

void web_expect_status(test_registry *r, const char *method, const char *path, const char *cookie,
                       int status)
{
    http_resp a;
    web_request(r, method, path, cookie, NULL, NULL, &a);
    if (a.status != status) {
        fail_msg("%s %s: %d, expected %d", method, path, a.status, status);
    }
    http_resp_free(&a);
}
