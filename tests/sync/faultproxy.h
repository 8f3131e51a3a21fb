/* A fault-injecting HTTP proxy for the sync tests, on 127.0.0.1 only.
 *
 * It forwards each HTTP/1.1 request (Content-Length bodies, as curl and libmicrohttpd send
 * them) to the registry and relays the answer, except that request number i (from 0) meets
 * the fault plan[i]: an HTTP 500 without forwarding, an answer cut in the middle, a request
 * forwarded (so the registry commits it) whose answer is never sent, a request never
 * forwarded nor answered, or an answer dribbled out slowly. Runs in a thread of its own. */
#ifndef BORNE_TESTS_SYNC_FAULTPROXY_H
#define BORNE_TESTS_SYNC_FAULTPROXY_H

#include <stddef.h>
#include <stdint.h>

typedef enum fault {
    FAULT_PASS = 0,
    FAULT_500,         /* answer 500 at once, registry never sees it */
    FAULT_CUT,         /* forward, relay half of the answer, close */
    FAULT_LOST_ANSWER, /* forward (registry commits), never answer */
    FAULT_BLACKHOLE,   /* accept, read, never forward nor answer */
    FAULT_SLOW,        /* forward, relay the answer 256 bytes every 20 ms */
} fault;

struct faultproxy;

/* Starts a proxy to 127.0.0.1:upstream_port; plan[0..n) (copied) then FAULT_PASS. */
struct faultproxy *faultproxy_start(uint16_t upstream_port, const fault *plan, size_t n);
uint16_t faultproxy_port(const struct faultproxy *p);
/* Requests seen so far. */
size_t faultproxy_requests(struct faultproxy *p);
void faultproxy_stop(struct faultproxy *p);

#endif
