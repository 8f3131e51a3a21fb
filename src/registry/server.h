/* The registry's HTTP(S) server: libmicrohttpd in front of the API (api.h).
 *
 * DESIGN: one thread per connection (a slow or silent client holds only its own thread, and
 * MHD's connection timeout ends it); each request borrows a database connection from a small
 * pool and returns it. Request bodies are capped (413 beyond BORNE_API_BODY_MAX, or
 * BORNE_API_SMALL_BODY_MAX for anything but a push): a declared length over the limit is
 * answered at once without reading the body, an undeclared one (chunked) is read and dropped
 * up to 1 MiB past the limit, then the connection is cut. A connection silent for timeout_s
 * is closed (slow or stalled clients). Answers over 1 KiB are gzip'ed when the
 * client accepts it. With a certificate and key, it serves HTTPS itself (GnuTLS inside
 * libmicrohttpd); otherwise plain HTTP, meant for 127.0.0.1 behind a TLS reverse proxy. */
#ifndef BORNE_REGISTRY_SERVER_H
#define BORNE_REGISTRY_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BORNE_SERVER_TIMEOUT_DEFAULT 30  /* seconds a connection may stay silent */
#define BORNE_SERVER_CONNECTIONS_MAX 128 /* connections at once (one thread each) */

struct borne_server;

typedef struct borne_server_options {
    const char *db_path;
    const char *address;  /* IPv4 address to bind, "127.0.0.1" by default */
    uint16_t port;        /* 0: any free port (see borne_server_port) */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    size_t page;        /* participants per roster page; 0: the default */
    unsigned timeout_s; /* idle connection timeout; 0: BORNE_SERVER_TIMEOUT_DEFAULT */
} borne_server_options;

borne_err borne_server_start(const borne_server_options *opts, struct borne_server **out);
uint16_t borne_server_port(const struct borne_server *server);
/* Stops accepting, finishes the running requests, frees everything. Accepts NULL. */
void borne_server_stop(struct borne_server *server);

#endif
