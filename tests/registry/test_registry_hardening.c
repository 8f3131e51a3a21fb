/* The registry's network hardening, against the real borne-registry on the loopback: slow-loris
 * connections that trickle bytes are cut at an absolute deadline while kiosks on the same
 * address keep pushing; the per-address connection cap; TLS 1.2 minimum with AEAD ciphers only
 * (real handshakes with openssl s_client); the token checked before the body's size, and every
 * answer carrying "error" and "server_time_ms"; the authentication failure budget (429); the
 * database and its backups private to their owner; --listen localhost:P and [::1]:P. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "registry/client.h"

#define JSON "application/json"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The answer is a JSON object with an "error" text and an integer "server_time_ms". */
static void assert_error_shape(const http_resp *a)
{
    json_t *root = a->body ? json_loadb(a->body, a->len, 0, NULL) : NULL;
    if (!root || !json_is_string(json_object_get(root, "error")) ||
        !json_is_integer(json_object_get(root, "server_time_ms"))) {
        fail_msg("status %d: not {error, server_time_ms}: %s", a->status,
                 a->body ? a->body : "(no body)");
    }
    json_decref(root);
}

/* A check-in push of one record with a fresh UUID; true when answered 200 "stored". */
static bool push_one(uint16_t port, const char *token, unsigned kiosk, unsigned n)
{
    char uuid[40], rec[700], body[800];
    snprintf(uuid, sizeof(uuid), "7c1e2a3c-4d5e-4f60-8a7b-%06x%06x", kiosk, n);
    checkin_json(rec, sizeof(rec), uuid, 42, 1 + (n % 5), 1779282000000, true);
    snprintf(body, sizeof(body), "{\"checkins\":[%s]}", rec);
    http_resp a;
    int rc = http_do(port, "POST", "/v1/checkins", token, JSON, body, strlen(body), &a);
    bool ok = rc == 0 && a.status == 200 && strstr(a.body, "\"stored\"") != NULL;
    http_resp_free(&a);
    return ok;
}

/* ---- slow loris ---- */

enum { TRICKLE = 160, BODY_TRICKLE = 20, KIOSKS = 4, PUSHES = 5 };

typedef struct trickler {
    int fds[TRICKLE];
    double closed_at[TRICKLE]; /* seconds after t0 the server closed it; 0: still open */
    int bytes[TRICKLE];        /* bytes trickled after the first send */
    double t0;
    volatile int stop;
    pthread_mutex_t lock; /* guards closed_at */
} trickler;

/* One byte every 250 ms on every connection the server has not closed: the idle timeout never
 * fires, only the deadlines can end them. */
static void *trickle_main(void *arg)
{
    trickler *t = arg;
    while (!t->stop) {
        for (int i = 0; i < TRICKLE; i++) {
            pthread_mutex_lock(&t->lock);
            bool open = t->closed_at[i] == 0;
            pthread_mutex_unlock(&t->lock);
            if (!open) {
                continue;
            }
            struct pollfd p = {.fd = t->fds[i], .events = POLLIN};
            char c[256];
            bool closed = poll(&p, 1, 0) > 0 && recv(t->fds[i], c, sizeof(c), MSG_DONTWAIT) <= 0;
            if (!closed) {
                /* A header value that grows, or JSON whitespace in a body. */
                char byte = i < BODY_TRICKLE ? ' ' : 'a';
                closed = send(t->fds[i], &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
                         errno != EAGAIN && errno != EWOULDBLOCK;
                t->bytes[i] += !closed;
            }
            if (closed) {
                pthread_mutex_lock(&t->lock);
                t->closed_at[i] = now_s() - t->t0;
                pthread_mutex_unlock(&t->lock);
            }
        }
        usleep(250 * 1000);
    }
    return NULL;
}

static int still_open(trickler *t)
{
    int n = 0;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < TRICKLE; i++) {
        n += t->closed_at[i] == 0;
    }
    pthread_mutex_unlock(&t->lock);
    return n;
}

typedef struct kiosk_job {
    uint16_t port;
    const char *token;
    unsigned index;
    int served;
} kiosk_job;

static void *kiosk_main(void *arg)
{
    kiosk_job *k = arg;
    for (unsigned n = 0; n < PUSHES; n++) {
        k->served += push_one(k->port, k->token, k->index, n);
    }
    return NULL;
}

static void test_slow_loris_trickle(void **state)
{
    /* The deadlines shortened from 10 s and 120 s to keep the test short; the mechanism is the
     * same. The per-address cap (200 by default) leaves room for the 160 trickling
     * connections and the kiosks, all from 127.0.0.1. */
    test_registry r;
    registry_up(&r, "--header-timeout", "6", "--request-timeout", "8", NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    trickler *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    pthread_mutex_init(&t->lock, NULL);
    t->t0 = now_s();
    for (int i = 0; i < TRICKLE; i++) {
        t->fds[i] = http_connect(r.proc.port, 10);
        assert_true(t->fds[i] >= 0);
        char head[512];
        int n;
        if (i < BODY_TRICKLE) {
            /* Headers complete, with a valid token: the body is what trickles. */
            n = snprintf(head, sizeof(head),
                         "POST /v1/checkins HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                         "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
                         token);
        } else {
            n = snprintf(head, sizeof(head), "POST /v1/checkins HTTP/1.1\r\nHost: x\r\nX-Pad: ");
        }
        assert_int_equal(send(t->fds[i], head, (size_t)n, MSG_NOSIGNAL), n);
    }
    pthread_t trick;
    assert_int_equal(pthread_create(&trick, NULL, trickle_main, t), 0);

    /* Legitimate kiosks, from the same address, push meanwhile. */
    pthread_t th[KIOSKS];
    kiosk_job jobs[KIOSKS];
    for (unsigned i = 0; i < KIOSKS; i++) {
        jobs[i] = (kiosk_job){.port = r.proc.port, .token = token, .index = i};
        assert_int_equal(pthread_create(&th[i], NULL, kiosk_main, &jobs[i]), 0);
    }
    int served = 0;
    for (unsigned i = 0; i < KIOSKS; i++) {
        pthread_join(th[i], NULL);
        served += jobs[i].served;
    }
    double pushed_at = now_s() - t->t0;
    int open_then = still_open(t);
    printf("# %d trickling connections: %d of %d pushes served in %.2f s, %d trickling "
           "connections still open then\n",
           TRICKLE, served, KIOSKS * PUSHES, pushed_at, open_then);
    assert_int_equal(served, KIOSKS * PUSHES);
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin"), KIOSKS * PUSHES);
    /* Served while the trickles were held (none is cut before its 6 s deadline). */
    assert_int_equal(open_then, TRICKLE);

    /* And every trickling connection is cut, though it never stopped sending: headers at
     * their deadline, bodies at the request's. Generous bound: 30 s. */
    while (still_open(t) > 0 && now_s() - t->t0 < 30.0) {
        usleep(100 * 1000);
    }
    t->stop = 1;
    pthread_join(trick, NULL);
    double head_max = 0, body_max = 0, head_min = 1e9;
    int min_bytes = 1 << 30;
    for (int i = 0; i < TRICKLE; i++) {
        double *m = i < BODY_TRICKLE ? &body_max : &head_max;
        *m = t->closed_at[i] > *m ? t->closed_at[i] : *m;
        if (i >= BODY_TRICKLE && t->closed_at[i] > 0 && t->closed_at[i] < head_min) {
            head_min = t->closed_at[i];
        }
        min_bytes = t->bytes[i] < min_bytes ? t->bytes[i] : min_bytes;
        close(t->fds[i]);
    }
    printf("# trickling headers cut after %.1f to %.1f s (deadline 6 s), trickling bodies by "
           "%.1f s (deadline 8 s); each had trickled at least %d bytes\n",
           head_min, head_max, body_max, min_bytes);
    assert_int_equal(still_open(t), 0);
    assert_true(min_bytes > 0);
    char *log = registry_log(&r);
    assert_non_null(strstr(log, "still without complete headers"));
    free(log);
    /* Still serving. */
    assert_true(push_one(r.proc.port, token, 99, 0));
    pthread_mutex_destroy(&t->lock);
    free(t);
    registry_cleanup(&r);
}

/* More connections from one address than its cap: the extra one is closed unanswered, and a
 * connection freed makes room again. */
static void test_per_address_cap(void **state)
{
    test_registry r;
    registry_up(&r, "--per-address", "8", NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    int held[8];
    for (int i = 0; i < 8; i++) {
        held[i] = http_connect(r.proc.port, 10);
        assert_true(held[i] >= 0);
    }
    usleep(300 * 1000);
    http_resp a;
    http_do(r.proc.port, "GET", "/v1/roster", token, NULL, NULL, 0, &a);
    assert_int_equal(a.status, 0); /* closed without an answer */
    http_resp_free(&a);
    close(held[0]);
    usleep(300 * 1000);
    assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster", token, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);
    for (int i = 1; i < 8; i++) {
        close(held[i]);
    }
    registry_cleanup(&r);
}

/* A client that holds every connection its (shared) address may open: kiosks on that address
 * are refused until the header deadline frees places, then served on their next try. */
static void test_cap_held_by_neighbour(void **state)
{
    enum { CAP = 30, HELD = 40 };
    test_registry r;
    registry_up(&r, "--per-address", "30", "--header-timeout", "3", NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    int fds[HELD];
    for (int i = 0; i < HELD; i++) {
        fds[i] = http_connect(r.proc.port, 10);
        assert_true(fds[i] >= 0);
        send(fds[i], "GET /v1/ro", 10, MSG_NOSIGNAL);
    }
    double t0 = now_s();
    int tries = 0;
    bool served = false;
    while (!served && now_s() - t0 < 20.0) {
        tries++;
        served = push_one(r.proc.port, token, 7, (unsigned)tries);
        if (!served) {
            usleep(500 * 1000); /* a kiosk's retry, shortened */
        }
    }
    printf("# per-address cap %d held by a neighbour: a kiosk on the same address served after "
           "%d tries, %.1f s (header deadline 3 s)\n",
           CAP, tries, now_s() - t0);
    assert_true(served);
    assert_true(tries > 1); /* refused while the places were held */
    for (int i = 0; i < HELD; i++) {
        close(fds[i]);
    }
    registry_cleanup(&r);
}

/* ---- TLS ---- */

/* openssl s_client's handshake with the registry: 0 when it succeeded. The client's own
 * security level is lowered (SECLEVEL=0) so that it offers TLS 1.0/1.1 and weak ciphers when
 * asked: what is refused is refused by the server. */
static int handshake(uint16_t port, const char *dir, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "openssl s_client -connect 127.0.0.1:%u %s </dev/null >'%s/s_client.out' 2>&1",
             (unsigned)port, args, dir);
    return run(cmd);
}

static void test_tls_versions(void **state)
{
    if (run("command -v openssl >/dev/null 2>&1") != 0) {
        skip();
    }
    test_registry r;
    registry_up(&r, NULL); /* only for its directory */
    registry_down(&r);
    char cmd[1200], cert[400], key[400];
    snprintf(cert, sizeof(cert), "%s/cert.pem", r.proc.dir);
    snprintf(key, sizeof(key), "%s/key.pem", r.proc.dir);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
             " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s'"
             " >/dev/null 2>&1",
             key, cert);
    assert_int_equal(run(cmd), 0);
    registry_proc *p = &r.proc;
    assert_int_equal(
        harness_serve(p, 0, "--tls-cert", cert, "--tls-key", key, "--header-timeout", "2", NULL),
        0);
    struct {
        const char *args;
        bool ok;
    } cases[] = {
        {"-tls1 -cipher DEFAULT@SECLEVEL=0", false},
        {"-tls1_1 -cipher DEFAULT@SECLEVEL=0", false},
        {"-tls1_2 -cipher DEFAULT@SECLEVEL=0", true},
        {"-tls1_3", true},
        /* TLS 1.2 with CBC ciphers (no AEAD) only, or without forward secrecy: refused. */
        {"-tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384@SECLEVEL=0'", false},
        {"-tls1_2 -cipher 'AES128-GCM-SHA256:AES256-GCM-SHA384@SECLEVEL=0'", false},
        {"-tls1_2 -cipher 'ECDHE-ECDSA-AES128-GCM-SHA256'", true},
        {"-tls1_2 -cipher 'ECDHE-ECDSA-CHACHA20-POLY1305'", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = handshake(p->port, p->dir, cases[i].args);
        printf("# openssl s_client %s: %s\n", cases[i].args, rc == 0 ? "connected" : "refused");
        if ((rc == 0) != cases[i].ok) {
            snprintf(cmd, sizeof(cmd), "cat '%s/s_client.out' >&2", p->dir);
            run(cmd);
            fail_msg("handshake with %s: expected %s", cases[i].args,
                     cases[i].ok ? "success" : "refusal");
        }
    }
    /* A handshake trickled a byte at a time is cut at the header deadline (2 s here). */
    int fd = http_connect(p->port, 10);
    assert_true(fd >= 0);
    static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc,
                                          0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    double t0 = now_s();
    bool cut = false;
    for (size_t i = 0; !cut && now_s() - t0 < 20.0; i = (i + 1) % sizeof(hello)) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        char c[64];
        cut = (poll(&pf, 1, 250) > 0 && recv(fd, c, sizeof(c), MSG_DONTWAIT) <= 0) ||
              send(fd, &hello[i], 1, MSG_NOSIGNAL) < 0;
    }
    printf("# TLS handshake trickled a byte every 250 ms: cut after %.1f s (deadline 2 s)\n",
           now_s() - t0);
    assert_true(cut);
    close(fd);
    harness_kill(p, SIGTERM);
    registry_cleanup(&r);
}

/* ---- order of checks, and the shape of every answer ---- */

static int raw_status(uint16_t port, const char *head, http_resp *a)
{
    return http_raw(port, head, strlen(head), a);
}

static void test_token_before_size(void **state)
{
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    char head[1024];
    http_resp a;
    /* Without a token, or with a wrong one: 401 whatever the declared size. */
    const char *auths[] = {"", "Authorization: Bearer WrongTokenWrongTokenWrongToken\r\n"};
    const char *lengths[] = {"100", "4194305", "1073741824", "18446744073709551615"};
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < sizeof(lengths) / sizeof(lengths[0]); j++) {
            snprintf(head, sizeof(head),
                     "POST /v1/checkins HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\n"
                     "Content-Length: %s\r\n\r\n",
                     auths[i], lengths[j]);
            assert_int_equal(raw_status(r.proc.port, head, &a), 0);
            assert_int_equal(a.status, 401);
            assert_non_null(strstr(a.head, "WWW-Authenticate: Bearer"));
            assert_error_shape(&a);
            http_resp_free(&a);
        }
    }
    /* With the token: 413, with the documented fields. */
    snprintf(head, sizeof(head),
             "POST /v1/checkins HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n",
             token);
    assert_int_equal(raw_status(r.proc.port, head, &a), 0);
    assert_int_equal(a.status, 413);
    assert_error_shape(&a);
    http_resp_free(&a);
    /* A chunked body over the limit, with the token: 413 once read past it. */
    snprintf(head, sizeof(head),
             "POST /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
             "8000\r\n",
             token);
    size_t hl = strlen(head);
    char *big = malloc(hl + 0x8000 + 16);
    memcpy(big, head, hl);
    memset(big + hl, ' ', 0x8000);
    memcpy(big + hl + 0x8000, "\r\n0\r\n\r\n", 7);
    assert_int_equal(http_raw(r.proc.port, big, hl + 0x8000 + 7, &a), 0);
    free(big);
    assert_int_equal(a.status, 413);
    assert_error_shape(&a);
    http_resp_free(&a);
    /* Every other error answer: 404, 405, 415, 400, 401 on enrolment paths, 403. */
    struct {
        const char *method, *path, *ctype, *body;
        bool auth;
        int status;
    } cases[] = {
        {"GET", "/v1/nowhere", NULL, NULL, false, 404}, /* outside /v1/: the console's */
        {"POST", "/v1/nowhere", JSON, "{}", true, 404},
        {"POST", "/v1/roster", JSON, "{}", true, 405},
        {"GET", "/v1/enrol", NULL, NULL, false, 405},
        {"POST", "/v1/status", "text/plain", "{}", true, 415},
        {"POST", "/v1/enrol", "text/plain", "{}", false, 415},
        {"POST", "/v1/status", JSON, "{", true, 400},
        {"POST", "/v1/enrol", JSON, "{\"enrolment_token\":\"AAAAAAAAAAAAAAAAAAAAAAAA\"}", false,
         403},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(http_do(r.proc.port, cases[i].method, cases[i].path,
                                 cases[i].auth ? token : NULL, cases[i].ctype, cases[i].body,
                                 cases[i].body ? strlen(cases[i].body) : 0, &a),
                         0);
        assert_int_equal(a.status, cases[i].status);
        assert_error_shape(&a);
        http_resp_free(&a);
    }
    /* A malformed Content-Length is answered 400 by libmicrohttpd itself, before the registry
     * sees the request; libmicrohttpd before 1.0 writes that answer's status line twice
     * (docs/protocol.md, "Limits"), 1.0 and later once. */
    const char *bad[] = {"-1", "abc", "1 2", "+5", "0x10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(head, sizeof(head),
                 "POST /v1/checkins HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                 "Content-Type: application/json\r\nContent-Length: %s\r\n\r\n{}",
                 token, bad[i]);
        assert_int_equal(raw_status(r.proc.port, head, &a), 0);
        assert_int_equal(a.status, 400);
        if (strtoul(MHD_get_version(), NULL, 10) >= 1) {
            assert_null(strstr(a.body, "HTTP/1.1"));
        }
        http_resp_free(&a);
    }
    assert_int_equal(registry_query_int(&r, "SELECT count(*) FROM checkin"), 0);
    registry_cleanup(&r);
}

/* ---- authentication failure budget ---- */

static unsigned retry_after(const http_resp *a)
{
    const char *h = strstr(a->head, "Retry-After: ");
    return h ? (unsigned)strtoul(h + 13, NULL, 10) : 0;
}

static void test_auth_failure_budget(void **state)
{
    test_registry r;
    registry_up(&r, "--auth-failures", "5", NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    const char *wrong = "WrongTokenWrongTokenWrongToken";
    http_resp a;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster", wrong, NULL, NULL, 0, &a), 0);
        assert_int_equal(a.status, 401);
        http_resp_free(&a);
    }
    /* Over budget: 429, Retry-After, the documented fields. */
    assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster", wrong, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 429);
    assert_error_shape(&a);
    unsigned wait = retry_after(&a);
    printf("# over budget: 429, Retry-After %u s\n", wait);
    assert_int_equal(wait, 3); /* one failure's drain */
    http_resp_free(&a);
    /* The kiosk with a valid token, on the same address, is not locked out. */
    assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster", token, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);
    assert_true(push_one(r.proc.port, token, 1, 1));
    /* A client that waits as told gets a try again... */
    sleep(wait);
    assert_int_equal(http_do(r.proc.port, "GET", "/v1/roster", wrong, NULL, NULL, 0, &a), 0);
    assert_int_equal(a.status, 401);
    http_resp_free(&a);
    /* ...one: then missing tokens and refused enrolments are 429 alike. */
    assert_int_equal(http_do(r.proc.port, "POST", "/v1/status", NULL, JSON, "{}", 2, &a), 0);
    assert_int_equal(a.status, 429);
    http_resp_free(&a);
    static const char enrol[] = "{\"enrolment_token\":\"AAAAAAAAAAAAAAAAAAAAAAAA\"}";
    assert_int_equal(
        http_do(r.proc.port, "POST", "/v1/enrol", NULL, JSON, enrol, strlen(enrol), &a), 0);
    assert_int_equal(a.status, 429);
    assert_error_shape(&a);
    assert_true(retry_after(&a) >= 1);
    http_resp_free(&a);
    char *log = registry_log(&r);
    assert_non_null(strstr(log, "127.0.0.1: over 5 authentication failures"));
    free(log);
    registry_cleanup(&r);
}

/* ---- file modes ---- */

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 0777);
}

static void test_database_private(void **state)
{
    mode_t old = umask(022);
    test_registry r;
    registry_up(&r, NULL);
    registry_fixture_event(&r);
    char token[128];
    registry_kiosk(&r, 42, token, NULL);
    assert_true(push_one(r.proc.port, token, 1, 1));
    /* While serving: the database, its WAL and shared memory. */
    char path[420];
    assert_int_equal(mode_of(r.proc.db), 0600);
    snprintf(path, sizeof(path), "%s-wal", r.proc.db);
    assert_int_equal(mode_of(path), 0600);
    snprintf(path, sizeof(path), "%s-shm", r.proc.db);
    assert_int_equal(mode_of(path), 0600);
    /* A backup, while serving: consistent and private. */
    registry_proc copy = r.proc;
    char *backup = copy.db, out[256];
    snprintf(copy.db, sizeof(copy.db), "%s/backup.db", r.proc.dir);
    assert_int_equal(harness_admin(&r.proc, out, sizeof(out), "backup", backup, NULL), 0);
    assert_int_equal(mode_of(backup), 0600);
    assert_int_equal(harness_admin(&copy, out, sizeof(out), "status", NULL), 0);
    assert_non_null(strstr(out, "check-ins\t1"));
    /* It never replaces a file. */
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "backup", backup, NULL), 1);
    registry_down(&r);
    /* A database left readable by others (an older registry) is tightened when opened. */
    assert_int_equal(chmod(r.proc.db, 0644), 0);
    assert_int_equal(harness_admin(&r.proc, NULL, 0, "status", NULL), 0);
    assert_int_equal(mode_of(r.proc.db), 0600);
    umask(old);
    registry_cleanup(&r);
}

/* ---- listen forms ---- */

/* Starts `borne-registry serve --listen LISTEN` and reads its "listening ADDRESS:PORT" line
 * into line[cap]; returns the pid, or -1. */
static pid_t serve_at(const char *db, const char *listen, char *line, size_t cap)
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
        execl(harness_registry_bin(), harness_registry_bin(), "--db", db, "serve", "--listen",
              listen, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    while (len + 1 < cap && read(fds[0], line + len, 1) == 1 && line[len] != '\n') {
        len++;
    }
    line[len] = '\0';
    close(fds[0]);
    return pid;
}

static void stop(pid_t pid)
{
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* GET /v1/roster without a token over `fd`: the status of the answer. */
static int unauthenticated_get(int fd)
{
    static const char req[] = "GET /v1/roster HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(req) - 1)) {
        return 0;
    }
    char buf[1024];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    int status = 0;
    if (n > 0) {
        buf[n] = '\0';
        sscanf(buf, "HTTP/1.%*d %d", &status);
    }
    return status;
}

static void test_listen_forms(void **state)
{
    test_registry r;
    registry_up(&r, NULL); /* only for its directory and database */
    registry_down(&r);
    char line[128];
    unsigned port = 0;
    pid_t pid = serve_at(r.proc.db, "localhost:0", line, sizeof(line));
    assert_true(pid > 0);
    assert_int_equal(sscanf(line, "listening 127.0.0.1:%u http", &port), 1);
    int fd = http_connect((uint16_t)port, 5);
    assert_true(fd >= 0);
    assert_int_equal(unauthenticated_get(fd), 401);
    close(fd);
    stop(pid);

    /* IPv6 loopback, when the machine has it. */
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    bool v6 = probe >= 0 && bind(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (probe >= 0) {
        close(probe);
    }
    if (v6) {
        pid = serve_at(r.proc.db, "[::1]:0", line, sizeof(line));
        assert_true(pid > 0);
        assert_int_equal(sscanf(line, "listening [::1]:%u http", &port), 1);
        fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct timeval tv = {.tv_sec = 5};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        sa.sin6_port = htons((uint16_t)port);
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        assert_int_equal(unauthenticated_get(fd), 401);
        close(fd);
        stop(pid);
    } else {
        printf("# no IPv6 loopback here: [::1] not tried\n");
    }
    /* Forms that are not addresses: refused as usage errors. */
    const char *bad[] = {"::1:8080", "[::1]8080", "[]:80", "localhost", "[127.0.0.1]:80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char cmd[700];
        snprintf(cmd, sizeof(cmd), "'%s' --db '%s' serve --listen '%s' 2>/dev/null",
                 harness_registry_bin(), r.proc.db, bad[i]);
        assert_int_equal(run(cmd), 2);
    }
    registry_cleanup(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_loris_trickle),  cmocka_unit_test(test_per_address_cap),
        cmocka_unit_test(test_tls_versions),        cmocka_unit_test(test_token_before_size),
        cmocka_unit_test(test_auth_failure_budget), cmocka_unit_test(test_database_private),
        cmocka_unit_test(test_listen_forms),        cmocka_unit_test(test_cap_held_by_neighbour),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
