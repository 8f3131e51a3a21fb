/* libmicrohttpd glue for the registry (see server.h). */
#define LOG_MODULE "server"
#include "registry/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/log.h"
#include "registry/api.h"
#include "registry/regdb.h"
#include "store/import.h"

#define POOL_MAX 16

struct borne_server {
    struct MHD_Daemon *daemon;
    char db_path[512];
    size_t page;
    char *cert, *key; /* PEM text, kept for the daemon's life */
    /* Guarded by `lock`: idle database connections. */
    pthread_mutex_t lock;
    struct borne_regdb *idle[POOL_MAX];
    size_t nidle;
};

typedef struct request_ctx {
    char *body;
    size_t len, cap, max;
    size_t dropped; /* bytes of an oversized body read and thrown away */
    bool too_large;
} request_ctx;

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

static enum MHD_Result send_answer(struct MHD_Connection *conn, borne_api_answer *a)
{
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
    if (a->status == 401) {
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)a->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result plain_error(struct MHD_Connection *conn, unsigned status, const char *json)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_PERSISTENT);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Bytes of an oversized body read (and dropped) past its limit before the connection is cut: a
 * client that did not say how long its body is gets a 413 when it stops in time, and nobody
 * can keep a connection busy with an endless body. */
#define BODY_DRAIN_MAX (1u << 20)

static enum MHD_Result too_large(struct MHD_Connection *conn, size_t max)
{
    char json[128];
    snprintf(json, sizeof(json), "{\"error\":\"request body too large (at most %zu bytes)\"}", max);
    char *copy = strdup(json);
    if (!copy) {
        return MHD_NO;
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(copy), copy, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(copy);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(conn, 413, r);
    MHD_destroy_response(r);
    return ret;
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
        *con_cls = ctx;
        /* A declared length over the limit: answer now, before reading any of the body (MHD
         * then closes the connection instead of reading the rest). */
        const char *length =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length) {
            char *end = NULL;
            unsigned long long declared = strtoull(length, &end, 10);
            if (end != length && declared > ctx->max) {
                ctx->too_large = true;
                LOG_INFO("request body of %llu bytes refused (limit %zu)", declared, ctx->max);
                return too_large(conn, ctx->max);
            }
        }
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
    if (ctx->too_large) {
        return too_large(conn, ctx->max);
    }
    struct borne_regdb *db = db_acquire(s);
    if (!db) {
        return plain_error(conn, 503, "{\"error\":\"registry storage unavailable\"}");
    }
    const char *since = NULL;
    size_t since_len = 0;
    if (MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, "since", 5, &since,
                                      &since_len) != MHD_YES) {
        since = NULL;
        since_len = 0;
    }
    borne_api_request req = {
        .method = method,
        .path = url,
        .since = since,
        .since_len = since_len,
        .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"),
        .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"),
        .body = ctx->body,
        .len = ctx->len,
    };
    borne_api_answer a;
    borne_err err = borne_api_handle(db, &req, s->page, &a);
    db_release(s, db);
    if (err) {
        free(a.body);
        return plain_error(conn, 500, "{\"error\":\"out of memory\"}");
    }
    return send_answer(conn, &a);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    request_ctx *ctx = *con_cls;
    if (ctx) {
        free(ctx->body);
        free(ctx);
        *con_cls = NULL;
    }
}

borne_err borne_server_start(const borne_server_options *o, struct borne_server **out)
{
    *out = NULL;
    if (!o->db_path || strlen(o->db_path) >= 512 || (!o->tls_cert != !o->tls_key)) {
        return BORNE_ERR_INVALID;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->address ? o->address : "127.0.0.1", &sa.sin_addr) != 1) {
        return BORNE_ERR_INVALID;
    }
    struct borne_server *s = calloc(1, sizeof(*s));
    if (!s) {
        return BORNE_ERR_NOMEM;
    }
    snprintf(s->db_path, sizeof(s->db_path), "%s", o->db_path);
    s->page = o->page;
    pthread_mutex_init(&s->lock, NULL);
    /* Open once now: creates the schema, and fails early on a bad path. */
    struct borne_regdb *db = NULL;
    borne_err err = borne_regdb_open(s->db_path, &db);
    if (err) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return err;
    }
    db_release(s, db);
    unsigned flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
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
    if (o->tls_cert) {
        s->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned)BORNE_SERVER_CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT, timeout,
            MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_END);
    } else {
        s->daemon =
            MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                             (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)BORNE_SERVER_CONNECTIONS_MAX,
                             MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_END);
    }
    if (!s->daemon) {
        LOG_ERR("cannot start the HTTP server (address in use?)");
        borne_server_stop(s);
        return BORNE_ERR_NET;
    }
    *out = s;
    return BORNE_OK;
}

uint16_t borne_server_port(const struct borne_server *s)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void borne_server_stop(struct borne_server *s)
{
    if (!s) {
        return;
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
    pthread_mutex_destroy(&s->lock);
    free(s);
}
