/* The fault-injecting proxy (see faultproxy.h). One connection at a time: the kiosk has one
 * CURL handle, so it never opens two at once. */
#define _GNU_SOURCE /* strcasestr, accept4 */
#include "sync/faultproxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX (40u * 1024 * 1024)

struct faultproxy {
    int listen_fd;
    uint16_t port, upstream;
    fault *plan;
    size_t nplan;
    pthread_t thread;
    pthread_mutex_t lock;
    size_t requests; /* guarded by lock */
    int wake[2];     /* stop pipe */
};

static int connect_upstream(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Waits for fd to be readable or the stop pipe; false on stop. */
static bool wait_read(struct faultproxy *p, int fd)
{
    struct pollfd pf[2] = {{.fd = fd, .events = POLLIN}, {.fd = p->wake[0], .events = POLLIN}};
    for (;;) {
        int n = poll(pf, 2, -1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n > 0 && !(pf[1].revents & POLLIN);
    }
}

/* Reads one HTTP message (headers + Content-Length body) into a malloc'ed buffer. */
static char *read_message(struct faultproxy *p, int fd, size_t *len)
{
    size_t cap = 65536, n = 0, need = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (need && n >= need) {
            *len = need;
            return buf;
        }
        if (!wait_read(p, fd)) {
            break;
        }
        if (n + 65536 > cap) {
            cap *= 2;
            if (cap > MSG_MAX) {
                break;
            }
            buf = realloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
        buf[n] = '\0';
        char *end = need ? NULL : strstr(buf, "\r\n\r\n");
        if (end) {
            size_t body = 0;
            char *cl = strcasestr(buf, "\r\nContent-Length:");
            if (cl && cl < end) {
                body = strtoul(cl + 17, NULL, 10);
            }
            need = (size_t)(end + 4 - buf) + body;
        }
    }
    free(buf);
    return NULL;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t w = send(fd, data, len, MSG_NOSIGNAL);
        if (w <= 0) {
            return false;
        }
        data += w;
        len -= (size_t)w;
    }
    return true;
}

static void serve(struct faultproxy *p, int client)
{
    int up = -1;
    for (;;) {
        size_t len;
        char *req = read_message(p, client, &len);
        if (!req) {
            break;
        }
        pthread_mutex_lock(&p->lock);
        size_t index = p->requests++;
        pthread_mutex_unlock(&p->lock);
        fault f = index < p->nplan ? p->plan[index] : FAULT_PASS;
        if (f == FAULT_500) {
            static const char e500[] = "HTTP/1.1 500 Internal Server Error\r\n"
                                       "Content-Length: 0\r\n\r\n";
            free(req);
            if (!write_all(client, e500, sizeof(e500) - 1)) {
                break;
            }
            continue;
        }
        if (f == FAULT_BLACKHOLE) {
            free(req);
            while (wait_read(p, client)) {
                char sink[4096];
                if (read(client, sink, sizeof(sink)) <= 0) {
                    break;
                }
            }
            break;
        }
        if (up < 0) {
            up = connect_upstream(p->upstream);
        }
        bool sent = up >= 0 && write_all(up, req, len);
        free(req);
        size_t alen = 0;
        char *ans = sent ? read_message(p, up, &alen) : NULL;
        if (!ans) {
            break; /* the registry is gone: the client sees the connection close */
        }
        bool ok = true;
        if (f == FAULT_LOST_ANSWER) {
            free(ans);
            while (wait_read(p, client)) {
                char sink[4096];
                if (read(client, sink, sizeof(sink)) <= 0) {
                    break;
                }
            }
            break;
        } else if (f == FAULT_CUT) {
            write_all(client, ans, alen / 2);
            ok = false;
        } else if (f == FAULT_SLOW) {
            for (size_t off = 0; ok && off < alen; off += 256) {
                ok = write_all(client, ans + off, alen - off < 256 ? alen - off : 256);
                struct timespec ts = {0, 20 * 1000000};
                nanosleep(&ts, NULL);
            }
        } else {
            ok = write_all(client, ans, alen);
        }
        free(ans);
        if (!ok) {
            break;
        }
    }
    if (up >= 0) {
        close(up);
    }
}

static void *run(void *arg)
{
    struct faultproxy *p = arg;
    while (wait_read(p, p->listen_fd)) {
        int c = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            continue;
        }
        serve(p, c);
        close(c);
    }
    return NULL;
}

struct faultproxy *faultproxy_start(uint16_t upstream_port, const fault *plan, size_t n)
{
    struct faultproxy *p = calloc(1, sizeof(*p));
    p->upstream = upstream_port;
    p->plan = calloc(n ? n : 1, sizeof(*plan));
    if (n) {
        memcpy(p->plan, plan, n * sizeof(*plan));
    }
    p->nplan = n;
    pthread_mutex_init(&p->lock, NULL);
    if (pipe(p->wake) != 0) {
        abort();
    }
    p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    socklen_t sl = sizeof(sa);
    if (bind(p->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(p->listen_fd, 8) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&sa, &sl) != 0) {
        abort();
    }
    p->port = ntohs(sa.sin_port);
    pthread_create(&p->thread, NULL, run, p);
    return p;
}

uint16_t faultproxy_port(const struct faultproxy *p)
{
    return p->port;
}

size_t faultproxy_requests(struct faultproxy *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->requests;
    pthread_mutex_unlock(&p->lock);
    return n;
}

void faultproxy_stop(struct faultproxy *p)
{
    if (!p) {
        return;
    }
    if (write(p->wake[1], "x", 1) != 1) {
        abort();
    }
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    close(p->wake[0]);
    close(p->wake[1]);
    pthread_mutex_destroy(&p->lock);
    free(p->plan);
    free(p);
}
