/* The registry's HTTP(S) server: libmicrohttpd in front of the API (api.h).
 *
 * DESIGN: libmicrohttpd's event loop (epoll) on a small pool of threads, so that an open
 * connection costs a socket and a 32 KiB buffer, not a thread: thousands fit, where one thread
 * per connection stopped at 128 and 140 trickling connections took them all. Each request
 * borrows a database connection from a small pool and returns it. The price: a request that
 * waits for the database (SQLite's write lock, up to its 10 s busy timeout, e.g. behind a large
 * roster import) holds its event thread, and the other connections of that thread wait with
 * it; the benchmark (bench_sync) and the 50-client load test show no loss against the thread
 * per connection.
 *
 * Slow clients. Three clocks, none of which a trickle of bytes can extend past its bound:
 * a connection silent for timeout_s is closed (libmicrohttpd's idle timeout); a request's line
 * and headers (TLS handshake included) must all arrive within header_timeout_s of the
 * connection opening or of its previous answer; the whole request (headers, body, answer sent)
 * within request_timeout_s. A reaper thread checks the two deadlines every 200 ms and shuts
 * the late sockets down; libmicrohttpd then closes them. Connections are capped in all and per
 * client address (a client over its cap is closed at once). The caps cannot tell apart clients
 * that share an address (kiosks behind a venue's NAT, or everything behind a reverse proxy):
 * the per-address cap is set well above a venue's kiosks, and what keeps them syncing beside a
 * hostile neighbour on their address is the total room plus the deadlines (docs/protocol.md,
 * "Limits").
 *
 * Order of checks: everything the headers decide is answered before any of the body is read —
 * unknown path 404, token 401, method 405, Content-Type 415, declared length 413 — so that a
 * caller without a valid token gets 401 whatever it sends. Bodies are capped (BORNE_API_BODY_MAX
 * for a push, BORNE_API_SMALL_BODY_MAX otherwise): an undeclared length (chunked) is read and
 * dropped up to 1 MiB past the limit, then the connection is cut. Every answer is
 * {"error", "server_time_ms"} JSON; libmicrohttpd's own answers to requests it cannot parse
 * (malformed request line, header or Content-Length; headers over 32 KiB) are its own HTML.
 *
 * Authentication failures (401, and 403 on enrolment) are counted per client address, a leaky
 * bucket of BORNE_SERVER_AUTH_FAILS failures draining one per BORNE_SERVER_AUTH_FAIL_COST_S
 * seconds; over it, a failure is answered 429 with Retry-After. Valid tokens are always
 * accepted, so kiosks sharing an address with a misbehaving client keep syncing.
 *
 * With a certificate and key, it serves HTTPS itself (GnuTLS inside libmicrohttpd, TLS 1.2 and
 * 1.3 with AEAD ciphers only); otherwise plain HTTP, meant for 127.0.0.1 behind a TLS reverse
 * proxy. Answers over 1 KiB are gzip'ed when the client accepts it. */
#ifndef BORNE_REGISTRY_SERVER_H
#define BORNE_REGISTRY_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BORNE_SERVER_TIMEOUT_DEFAULT         30   /* seconds a connection may stay silent */
#define BORNE_SERVER_HEADER_TIMEOUT_DEFAULT  10   /* seconds to send a request's headers */
#define BORNE_SERVER_REQUEST_TIMEOUT_DEFAULT 120  /* seconds for a whole request and answer */
#define BORNE_SERVER_CONNECTIONS_MAX         1000 /* connections at once */
#define BORNE_SERVER_PER_ADDRESS_MAX         200  /* connections at once from one address */
#define BORNE_SERVER_THREADS                 4    /* event-loop threads */
#define BORNE_SERVER_AUTH_FAILS              20   /* authentication failures before 429 */
#define BORNE_SERVER_AUTH_FAIL_COST_S        3    /* seconds for one failure to drain */

struct borne_server;
struct borne_regdb;
struct MHD_Connection;

/* What serves every path outside /v1/ (the web console, src/console): called once the request
 * and its body (at most BORNE_API_SMALL_BODY_MAX bytes) are in, with a database connection;
 * queues its own answer on `conn` and returns an enum MHD_Result. NULL handle: 404. */
typedef struct borne_server_web {
    int (*handle)(void *ctx, struct borne_server *server, struct MHD_Connection *conn,
                  struct borne_regdb *db, const char *url, const char *method, const char *body,
                  size_t len);
    void *ctx;
} borne_server_web;

typedef struct borne_server_options {
    const char *db_path;
    const char *address;  /* IPv4 or IPv6 literal (no brackets), or "localhost"; "127.0.0.1"
                           * by default */
    uint16_t port;        /* 0: any free port (see borne_server_port) */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    size_t page;                /* participants per roster page; 0: the default */
    unsigned timeout_s;         /* idle connection timeout; 0: BORNE_SERVER_TIMEOUT_DEFAULT */
    unsigned header_timeout_s;  /* 0: BORNE_SERVER_HEADER_TIMEOUT_DEFAULT */
    unsigned request_timeout_s; /* 0: BORNE_SERVER_REQUEST_TIMEOUT_DEFAULT */
    unsigned max_connections;   /* 0: BORNE_SERVER_CONNECTIONS_MAX */
    unsigned per_address;       /* 0: BORNE_SERVER_PER_ADDRESS_MAX */
    unsigned auth_failures;     /* failure budget per address; 0: BORNE_SERVER_AUTH_FAILS */
    borne_server_web web;       /* paths outside /v1/ */
} borne_server_options;

borne_err borne_server_start(const borne_server_options *opts, struct borne_server **out);
uint16_t borne_server_port(const struct borne_server *server);
/* The bound address as "127.0.0.1:8080" or "[::1]:8080", into out[cap]. */
void borne_server_address(const struct borne_server *server, char *out, size_t cap);
/* Counts an authentication failure of the connection's address into its budget (the failed
 * sign-ins of the web console); returns the seconds to answer in Retry-After with a 429 when the
 * address is over budget, else 0. */
unsigned borne_server_auth_failure(struct borne_server *server, struct MHD_Connection *conn);
/* True when the server speaks TLS itself (cookies are then marked Secure). */
bool borne_server_tls(const struct borne_server *server);
/* Stops accepting, finishes the running requests, frees everything. Accepts NULL. */
void borne_server_stop(struct borne_server *server);

#endif
