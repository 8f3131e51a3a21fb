/* libmicrohttpd glue for the registry (see server.h). */
#define _GNU_SOURCE /* pthread_setname_np */
#define LOG_MODULE  "server"
#include "registry/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <zlib.h>

#include "core/log.h"
#include "registry/api.h"
#include "registry/regdb.h"
#include "store/import.h"

#define POOL_MAX       16
#define REAPER_TICK_MS 200 /* how often the deadlines are checked */
#define FAIL_SLOTS     256 /* addresses whose authentication failures are remembered */

/* TLS 1.2 and 1.3 only, AEAD ciphers only, forward-secret key exchange only (ECDHE; TLS 1.3's
 * own groups), the server's order first. */
#define TLS_PRIORITIES                                                                             \
    "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:"   \
    "+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE"

/* One open connection, as the deadline reaper sees it. */
typedef struct conn_info {
    struct conn_info *prev, *next;
    int fd;
    int64_t since_ms; /* monotonic: the connection opened, or its previous answer was sent */
    bool in_request;  /* its headers are complete: the request deadline applies */
    bool cut;         /* shut down by the reaper; libmicrohttpd closes it */
} conn_info;

/* One address's authentication failures: a leaky bucket in milliseconds of "debt". */
typedef struct fail_slot {
    bool used;
    uint8_t addr[16]; /* IPv4 addresses as IPv4-mapped IPv6 */
    int64_t debt_ms, at_ms;
    bool over; /* over budget: logged once per episode */
} fail_slot;

struct borne_server {
    struct MHD_Daemon *daemon;
    char db_path[512];
    size_t page;
    char *cert, *key; /* PEM text, kept for the daemon's life */
    int64_t header_ms, request_ms;
    int64_t auth_failures; /* budget per address */
    borne_server_web web;
    /* Guarded by `lock`: idle database connections. */
    pthread_mutex_t lock;
    struct borne_regdb *idle[POOL_MAX];
    size_t nidle;
    /* Guarded by `conn_lock`: the open connections (each conn_info's fields included) and
     * `stopping`; `wake` wakes the reaper to stop. */
    pthread_mutex_t conn_lock;
    pthread_cond_t wake;
    conn_info *conns;
    bool stopping, reaper_started;
    pthread_t reaper;
    /* Guarded by `fail_lock`: authentication failures per address. */
    pthread_mutex_t fail_lock;
    fail_slot fails[FAIL_SLOTS];
};

typedef struct request_ctx {
    char *body;
    size_t len, cap, max;
    size_t dropped; /* bytes of an oversized body read and thrown away */
    bool too_large;
    bool answered; /* an answer was queued before the body was read */
    bool web;      /* outside /v1/: the web console's */
} request_ctx;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct borne_regdb *db_acquire(struct borne_server *s)
{
    struct borne_regdb *db = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->nidle) {
        db = s->idle[--s->nidle];
    }
    pthread_mutex_unlock(&s->lock);
    if (!db && borne_regdb_open(s->db_path, &db)) {
        return NULL;
    }
    return db;
}

static void db_release(struct borne_server *s, struct borne_regdb *db)
{
    pthread_mutex_lock(&s->lock);
    if (s->nidle < POOL_MAX) {
        s->idle[s->nidle++] = db;
        db = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    borne_regdb_close(db);
}

/* gzip of `in`, or NULL when it does not pay or fails (then the plain body is sent). */
static char *gzip(const char *in, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return NULL;
    }
    size_t cap = deflateBound(&z, len);
    char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END || *out_len >= len) {
        free(out);
        return NULL;
    }
    return out;
}

/* ---- authentication failures per address ---- */

/* The client's address as 16 bytes (IPv4 as IPv4-mapped IPv6); false when unknown. */
static bool client_address(struct MHD_Connection *conn, uint8_t out[16])
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return true;
    }
    if (sa && sa->sa_family == AF_INET6) {
        memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return true;
    }
    return false;
}

static void address_text(const uint8_t addr[16], char *out, size_t cap)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(addr, mapped, 12) == 0) {
        inet_ntop(AF_INET, addr + 12, out, (socklen_t)cap);
    } else {
        inet_ntop(AF_INET6, addr, out, (socklen_t)cap);
    }
}

/* Counts one authentication failure (401 or 403) of `addr`. Returns the seconds the client
 * should wait (its answer becomes 429) when the address had no budget left, else 0. The
 * budget is a leaky bucket: each failure adds BORNE_SERVER_AUTH_FAIL_COST_S seconds of debt,
 * which drains in real time; a failure that would take the debt over the budget (that many
 * failures' worth) is over budget and leaves the debt full, so a client that keeps failing
 * stays over, and one that waits its Retry-After (one failure's drain) gets one more try. */
static unsigned fail_count(struct borne_server *s, const uint8_t addr[16])
{
    const int64_t cost = BORNE_SERVER_AUTH_FAIL_COST_S * 1000LL;
    const int64_t budget = s->auth_failures * cost;
    int64_t now = mono_ms();
    unsigned wait = 0;
    bool log_over = false;
    pthread_mutex_lock(&s->fail_lock);
    fail_slot *slot = NULL, *spare = NULL;
    int64_t spare_debt = INT64_MAX;
    for (size_t i = 0; i < FAIL_SLOTS && !slot; i++) {
        fail_slot *f = &s->fails[i];
        int64_t debt = f->used ? f->debt_ms - (now - f->at_ms) : -1;
        if (f->used && memcmp(f->addr, addr, 16) == 0) {
            slot = f;
        } else if (debt < spare_debt) {
            /* The least indebted slot is forgotten when all are used. */
            spare = f;
            spare_debt = debt;
        }
    }
    if (!slot) {
        slot = spare;
        *slot = (fail_slot){.used = true, .at_ms = now};
        memcpy(slot->addr, addr, 16);
    }
    int64_t debt = slot->debt_ms - (now - slot->at_ms);
    debt = debt > 0 ? debt : 0;
    if (debt + cost > budget) {
        /* The debt stays full while the client keeps failing; one more failure fits once
         * one has drained. */
        debt = budget;
        int64_t left = cost;
        wait = (unsigned)((left + 999) / 1000);
        log_over = !slot->over;
        slot->over = true;
    } else {
        slot->over = false;
        debt += cost;
    }
    slot->debt_ms = debt;
    slot->at_ms = now;
    pthread_mutex_unlock(&s->fail_lock);
    if (log_over) {
        char text[INET6_ADDRSTRLEN];
        address_text(addr, text, sizeof(text));
        LOG_WARN("%s: over %lld authentication failures: answered 429 until it slows down", text,
                 (long long)s->auth_failures);
    }
    return wait;
}

unsigned borne_server_auth_failure(struct borne_server *s, struct MHD_Connection *conn)
{
    uint8_t addr[16];
    return client_address(conn, addr) ? fail_count(s, addr) : 0;
}

bool borne_server_tls(const struct borne_server *s)
{
    return s->cert != NULL;
}

/* ---- answers ---- */

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned status, char *body, size_t len,
                             bool gz, unsigned retry_after)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (gz) {
        MHD_add_response_header(r, "Content-Encoding", "gzip");
    }
    if (status == 401) {
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    }
    if (status == 413) {
        /* The rest of an oversized body is not read: the connection cannot carry another. */
        MHD_add_response_header(r, "Connection", "close");
    }
    if (retry_after) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%u", retry_after);
        MHD_add_response_header(r, "Retry-After", secs);
    }
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Queues an error answer {"error", "server_time_ms"}. */
static enum MHD_Result error_answer(struct MHD_Connection *conn, unsigned status, const char *words,
                                    unsigned retry_after)
{
    borne_api_answer a;
    if (borne_api_error(&a, (int)status, words)) {
        /* No memory for the answer: a fixed one, without the time. */
        static const char oom[] = "{\"error\":\"out of memory\"}";
        struct MHD_Response *r =
            MHD_create_response_from_buffer(sizeof(oom) - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
        if (!r) {
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", "application/json");
        enum MHD_Result ret = MHD_queue_response(conn, 500, r);
        MHD_destroy_response(r);
        return ret;
    }
    return queue(conn, status, a.body, a.len, false, retry_after);
}

/* Sends the API's answer (taking a->body), gzip'ed when it pays and the client accepts it. A
 * 401 or 403 counts against the client address's failure budget, and becomes 429 when it has
 * none left. */
static enum MHD_Result send_answer(struct borne_server *s, struct MHD_Connection *conn,
                                   borne_api_answer *a)
{
    uint8_t addr[16];
    if ((a->status == 401 || a->status == 403) && client_address(conn, addr)) {
        unsigned wait = fail_count(s, addr);
        if (wait) {
            free(a->body);
            a->body = NULL;
            return error_answer(conn, 429,
                                "too many authentication failures from this address: retry "
                                "after the number of seconds in Retry-After",
                                wait);
        }
    }
    const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding");
    char *body = a->body;
    size_t len = a->len;
    bool gz = false;
    if (accept && strstr(accept, "gzip") && len > 1024) {
        size_t zlen;
        char *z = gzip(body, len, &zlen);
        if (z) {
            free(body);
            body = z;
            len = zlen;
            gz = true;
        }
    }
    a->body = NULL;
    return queue(conn, (unsigned)a->status, body, len, gz, 0);
}

/* Bytes of an oversized body read (and dropped) past its limit before the connection is cut: a
 * client that did not say how long its body is gets a 413 when it stops in time, and nobody
 * can keep a connection busy with an endless body. */
#define BODY_DRAIN_MAX (1u << 20)

static enum MHD_Result too_large(struct MHD_Connection *conn, size_t max)
{
    char words[96];
    snprintf(words, sizeof(words), "request body too large (at most %zu bytes)", max);
    return error_answer(conn, 413, words, 0);
}

/* ---- connections and their deadlines ---- */

static conn_info *info_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    struct borne_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn_info *ci = calloc(1, sizeof(*ci));
        if (!ci || !info) {
            free(ci);
            return; /* not watched: the idle timeout still applies */
        }
        ci->fd = info->connect_fd;
        ci->since_ms = mono_ms();
        pthread_mutex_lock(&s->conn_lock);
        ci->next = s->conns;
        if (s->conns) {
            s->conns->prev = ci;
        }
        s->conns = ci;
        pthread_mutex_unlock(&s->conn_lock);
        *socket_ctx = ci;
        return;
    }
    /* Closed: libmicrohttpd closes the socket only after this returns, so the reaper (which
     * holds conn_lock while it shuts sockets down) never touches a reused descriptor. */
    conn_info *ci = *socket_ctx;
    if (!ci) {
        return;
    }
    pthread_mutex_lock(&s->conn_lock);
    if (ci->prev) {
        ci->prev->next = ci->next;
    } else {
        s->conns = ci->next;
    }
    if (ci->next) {
        ci->next->prev = ci->prev;
    }
    pthread_mutex_unlock(&s->conn_lock);
    free(ci);
    *socket_ctx = NULL;
}

static void set_in_request(struct borne_server *s, struct MHD_Connection *conn, bool in)
{
    conn_info *ci = info_of(conn);
    if (ci) {
        pthread_mutex_lock(&s->conn_lock);
        ci->in_request = in;
        if (!in) {
            ci->since_ms = mono_ms(); /* the next request's headers are due from now */
        }
        pthread_mutex_unlock(&s->conn_lock);
    }
}

/* Shuts down (both ways) the connections past their deadline; libmicrohttpd then sees the
 * socket end and closes the connection as if the client had left. */
static void *reaper_main(void *arg)
{
    struct borne_server *s = arg;
    pthread_setname_np(pthread_self(), "registry-reaper");
    pthread_mutex_lock(&s->conn_lock);
    while (!s->stopping) {
        int64_t now = mono_ms();
        unsigned headers = 0, requests = 0;
        for (conn_info *ci = s->conns; ci; ci = ci->next) {
            int64_t limit = ci->in_request ? s->request_ms : s->header_ms;
            if (!ci->cut && now - ci->since_ms > limit) {
                shutdown(ci->fd, SHUT_RDWR);
                ci->cut = true;
                headers += !ci->in_request;
                requests += ci->in_request;
            }
        }
        if (headers || requests) {
            LOG_INFO("closed %u connection(s) still without complete headers after %lld s and %u "
                     "with a request unfinished after %lld s",
                     headers, (long long)(s->header_ms / 1000), requests,
                     (long long)(s->request_ms / 1000));
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += REAPER_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->wake, &s->conn_lock, &until);
    }
    pthread_mutex_unlock(&s->conn_lock);
    return NULL;
}

/* ---- requests ---- */

static void request_of(struct MHD_Connection *conn, const char *url, const char *method,
                       const request_ctx *ctx, borne_api_request *req)
{
    const char *since = NULL;
    size_t since_len = 0;
    if (MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, "since", 5, &since,
                                      &since_len) != MHD_YES) {
        since = NULL;
        since_len = 0;
    }
    *req = (borne_api_request){
        .method = method,
        .path = url,
        .since = since,
        .since_len = since_len,
        .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"),
        .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"),
        .body = ctx ? ctx->body : NULL,
        .len = ctx ? ctx->len : 0,
    };
}

/* The first call, headers complete: everything the headers decide is answered now, before any
 * of the body is read — path, token, method, Content-Type (api.h: borne_api_precheck), then a
 * declared length over the limit (413). */
static enum MHD_Result on_headers(struct borne_server *s, struct MHD_Connection *conn,
                                  const char *url, const char *method, request_ctx *ctx)
{
    set_in_request(s, conn, true);
    if (ctx->web) {
        const char *declared =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (declared && strtoull(declared, NULL, 10) > ctx->max) {
            ctx->too_large = true;
            ctx->answered = true;
            return too_large(conn, ctx->max);
        }
        return MHD_YES;
    }
    borne_api_request req;
    request_of(conn, url, method, NULL, &req);
    struct borne_regdb *db = db_acquire(s);
    if (!db) {
        ctx->answered = true;
        return error_answer(conn, 503, "registry storage unavailable", 0);
    }
    borne_api_answer a;
    bool answered = false;
    borne_err err = borne_api_precheck(db, &req, &answered, &a);
    db_release(s, db);
    if (err) {
        free(a.body);
        ctx->answered = true;
        return error_answer(conn, 500, "out of memory", 0);
    }
    if (answered) {
        ctx->answered = true;
        return send_answer(s, conn, &a);
    }
    /* libmicrohttpd has checked the header's syntax (digits only; else it answers 400 itself
     * and never calls here). */
    const char *length =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length) {
        unsigned long long declared = strtoull(length, NULL, 10);
        if (declared > ctx->max) {
            ctx->too_large = true;
            ctx->answered = true;
            LOG_INFO("request body of %llu bytes refused (limit %zu)", declared, ctx->max);
            return too_large(conn, ctx->max);
        }
    }
    return MHD_YES;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The percent-decoding of the path and of the query's names and values, in place: libmicrohttpd's
 * own, except for %00. Decoded as a NUL it would end the string early, so that
 * "/events/42/credits.csv%00.html" was served (and audited) as the credits export and
 * "/audit%00x" as the audit log. It becomes U+FFFD (three bytes, as "%00"), which no route, id or
 * value takes. A '%' not followed by two hex digits stays as it is. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *w = s;
    for (const char *r = s; *r;) {
        int hi = r[0] == '%' ? hex_digit(r[1]) : -1;
        int lo = hi >= 0 ? hex_digit(r[2]) : -1;
        if (lo < 0) {
            *w++ = *r++;
        } else if (hi == 0 && lo == 0) {
            memcpy(w, "\xEF\xBF\xBD", 3);
            w += 3;
            r += 3;
        } else {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct borne_server *s = cls;
    request_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx) {
            return MHD_NO;
        }
        ctx->max = strcmp(url, "/v1/checkins") == 0 ? BORNE_API_BODY_MAX : BORNE_API_SMALL_BODY_MAX;
        ctx->web = s->web.handle && strncmp(url, "/v1/", 4) != 0 && strcmp(url, "/v1") != 0;
        *con_cls = ctx;
        return on_headers(s, conn, url, method, ctx);
    }
    if (ctx->answered && !ctx->too_large) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!ctx->too_large && ctx->len + *upload_size > ctx->max) {
            ctx->too_large = true;
            LOG_INFO("request body over the limit (%zu bytes) refused", ctx->max);
        }
        if (ctx->too_large) {
            /* Dropped, not kept; past a bound the connection is cut. */
            ctx->dropped += *upload_size;
            *upload_size = 0;
            return ctx->dropped > BODY_DRAIN_MAX ? MHD_NO : MHD_YES;
        }
        if (ctx->len + *upload_size + 1 > ctx->cap) {
            size_t cap = ctx->cap ? ctx->cap : 4096;
            while (cap < ctx->len + *upload_size + 1) {
                cap *= 2;
            }
            char *g = realloc(ctx->body, cap);
            if (!g) {
                return MHD_NO;
            }
            ctx->body = g;
            ctx->cap = cap;
        }
        memcpy(ctx->body + ctx->len, upload_data, *upload_size);
        ctx->len += *upload_size;
        ctx->body[ctx->len] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    if (ctx->answered) {
        return MHD_YES;
    }
    ctx->answered = true;
    if (ctx->too_large) {
        return too_large(conn, ctx->max);
    }
    struct borne_regdb *db = db_acquire(s);
    if (!db) {
        return error_answer(conn, 503, "registry storage unavailable", 0);
    }
    if (ctx->web) {
        enum MHD_Result ret = (enum MHD_Result)s->web.handle(s->web.ctx, s, conn, db, url, method,
                                                             ctx->body, ctx->len);
        db_release(s, db);
        return ret;
    }
    borne_api_request req;
    request_of(conn, url, method, ctx, &req);
    borne_api_answer a;
    borne_err err = borne_api_handle(db, &req, s->page, &a);
    db_release(s, db);
    if (err) {
        free(a.body);
        return error_answer(conn, 500, "out of memory", 0);
    }
    return send_answer(s, conn, &a);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    set_in_request(cls, conn, false);
    request_ctx *ctx = *con_cls;
    if (ctx) {
        free(ctx->body);
        free(ctx);
        *con_cls = NULL;
    }
}

/* ---- the daemon ---- */

/* The socket address for `address`: an IPv4 literal, an IPv6 literal (without brackets),
 * "localhost" (127.0.0.1), "0.0.0.0" or "::" (every address; "::" takes IPv4 too). */
static bool parse_address(const char *address, uint16_t port, struct sockaddr_storage *out,
                          unsigned *flags)
{
    memset(out, 0, sizeof(*out));
    if (!address || strcmp(address, "localhost") == 0) {
        address = "127.0.0.1";
    }
    struct sockaddr_in *in4 = (struct sockaddr_in *)out;
    if (inet_pton(AF_INET, address, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        return true;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        *flags |= IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr) ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
        return true;
    }
    return false;
}

/* Room for `want` connections in the descriptor limit (the soft limit is raised up to the hard
 * one when needed); returns how many fit. */
static unsigned fit_descriptors(unsigned want)
{
    const rlim_t spare = 128; /* database files, listening socket, epoll, logs */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return want;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + spare) {
        rlim_t raised =
            rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want + spare ? want + spare : rl.rlim_max;
        struct rlimit up = {.rlim_cur = raised, .rlim_max = rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0) {
            rl.rlim_cur = raised;
        }
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + spare) {
        unsigned fit = rl.rlim_cur > spare + 16 ? (unsigned)(rl.rlim_cur - spare) : 16;
        LOG_WARN("only %u connections fit in the open-file limit (%llu)", fit,
                 (unsigned long long)rl.rlim_cur);
        return fit;
    }
    return want;
}

borne_err borne_server_start(const borne_server_options *o, struct borne_server **out)
{
    *out = NULL;
    if (!o->db_path || strlen(o->db_path) >= 512 || (!o->tls_cert != !o->tls_key)) {
        return BORNE_ERR_INVALID;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    struct sockaddr_storage sa;
    if (!parse_address(o->address, o->port, &sa, &flags)) {
        return BORNE_ERR_INVALID;
    }
    struct borne_server *s = calloc(1, sizeof(*s));
    if (!s) {
        return BORNE_ERR_NOMEM;
    }
    snprintf(s->db_path, sizeof(s->db_path), "%s", o->db_path);
    s->page = o->page;
    s->web = o->web;
    s->header_ms =
        1000LL * (o->header_timeout_s ? o->header_timeout_s : BORNE_SERVER_HEADER_TIMEOUT_DEFAULT);
    s->request_ms = 1000LL * (o->request_timeout_s ? o->request_timeout_s
                                                   : BORNE_SERVER_REQUEST_TIMEOUT_DEFAULT);
    s->auth_failures = o->auth_failures ? o->auth_failures : BORNE_SERVER_AUTH_FAILS;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->conn_lock, NULL);
    pthread_mutex_init(&s->fail_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    /* Open once now: creates the schema, and fails early on a bad path. */
    struct borne_regdb *db = NULL;
    borne_err err = borne_regdb_open(s->db_path, &db);
    if (err) {
        borne_server_stop(s);
        return err;
    }
    db_release(s, db);
    if (o->tls_cert) {
        size_t len;
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            LOG_ERR("this libmicrohttpd has no TLS: serve behind a reverse proxy");
            err = BORNE_ERR_UNSUPPORTED;
        }
        err = err ? err : borne_read_file(o->tls_cert, 1 << 20, &s->cert, &len);
        err = err ? err : borne_read_file(o->tls_key, 1 << 20, &s->key, &len);
        if (err) {
            LOG_ERR("cannot read the TLS certificate or key: %s", borne_strerror(err));
            borne_server_stop(s);
            return err;
        }
        flags |= MHD_USE_TLS;
    }
    unsigned timeout = o->timeout_s ? o->timeout_s : BORNE_SERVER_TIMEOUT_DEFAULT;
    unsigned limit =
        fit_descriptors(o->max_connections ? o->max_connections : BORNE_SERVER_CONNECTIONS_MAX);
    unsigned per_address = o->per_address ? o->per_address : BORNE_SERVER_PER_ADDRESS_MAX;
    per_address = per_address < limit ? per_address : limit;
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, s->key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
        {MHD_OPTION_END, 0, NULL},
    };
    /* Signals stay with the main thread: the daemon's and the reaper's threads inherit this. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, s, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)BORNE_SERVER_THREADS, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address, MHD_OPTION_CONNECTION_TIMEOUT, timeout,
        MHD_OPTION_ARRAY, o->tls_cert ? tls : tls + 3, MHD_OPTION_END);
    if (s->daemon && pthread_create(&s->reaper, NULL, reaper_main, s) == 0) {
        s->reaper_started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!s->daemon || !s->reaper_started) {
        LOG_ERR("cannot start the HTTP server (address in use? TLS key and certificate unusable?)");
        borne_server_stop(s);
        return BORNE_ERR_NET;
    }
    LOG_INFO("serving: at most %u connections, %u per address; headers within %lld s, a "
             "request within %lld s, idle %u s",
             limit, per_address, (long long)(s->header_ms / 1000),
             (long long)(s->request_ms / 1000), timeout);
    *out = s;
    return BORNE_OK;
}

uint16_t borne_server_port(const struct borne_server *s)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void borne_server_address(const struct borne_server *s, char *out, size_t cap)
{
    out[0] = '\0';
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    if (!info || getsockname(info->listen_fd, (struct sockaddr *)&sa, &len) != 0) {
        return;
    }
    char text[INET6_ADDRSTRLEN] = "";
    if (sa.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
        snprintf(out, cap, "[%s]:%u", text, (unsigned)ntohs(in6->sin6_port));
    } else {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)&sa;
        inet_ntop(AF_INET, &in4->sin_addr, text, sizeof(text));
        snprintf(out, cap, "%s:%u", text, (unsigned)ntohs(in4->sin_port));
    }
}

void borne_server_stop(struct borne_server *s)
{
    if (!s) {
        return;
    }
    if (s->reaper_started) {
        pthread_mutex_lock(&s->conn_lock);
        s->stopping = true;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->conn_lock);
        pthread_join(s->reaper, NULL);
    }
    if (s->daemon) {
        MHD_stop_daemon(s->daemon);
    }
    for (size_t i = 0; i < s->nidle; i++) {
        borne_regdb_close(s->idle[i]);
    }
    free(s->cert);
    if (s->key) {
        memset(s->key, 0, strlen(s->key));
        free(s->key);
    }
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->fail_lock);
    pthread_mutex_destroy(&s->conn_lock);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
