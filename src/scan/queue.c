/* The bounded, thread-safe scan event queue (see queue.h).
 *
 * DESIGN: a fixed ring of events allocated once; one mutex, one condition variable for
 * borne_scanq_pop_wait(). Producers never block: a full ring refuses the push. The wake-up hook
 * is called after the lock is released so it may itself take locks (SDL_PushEvent does). */
#define LOG_MODULE "scanq"
#include "scan/queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define SCANQ_CAPACITY_MAX 1024

struct borne_scanq {
    pthread_mutex_t lock; /* guards every field below */
    pthread_cond_t nonempty;
    borne_scanq_event *ring;
    size_t capacity;
    size_t head; /* index of the oldest event */
    size_t count;
    uint64_t dropped;
    borne_scanq_wake_fn wake;
    void *wake_ctx;
};

borne_err borne_scanq_new(size_t capacity, struct borne_scanq **out)
{
    *out = NULL;
    if (capacity == 0 || capacity > SCANQ_CAPACITY_MAX) {
        return BORNE_ERR_INVALID;
    }
    struct borne_scanq *q = calloc(1, sizeof(*q));
    if (!q) {
        return BORNE_ERR_NOMEM;
    }
    q->ring = calloc(capacity, sizeof(*q->ring));
    if (!q->ring) {
        free(q);
        return BORNE_ERR_NOMEM;
    }
    q->capacity = capacity;
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&q->nonempty, &attr);
    pthread_condattr_destroy(&attr);
    *out = q;
    return BORNE_OK;
}

void borne_scanq_free(struct borne_scanq *q)
{
    if (!q) {
        return;
    }
    pthread_cond_destroy(&q->nonempty);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}

void borne_scanq_set_wake(struct borne_scanq *q, borne_scanq_wake_fn fn, void *ctx)
{
    pthread_mutex_lock(&q->lock);
    q->wake = fn;
    q->wake_ctx = ctx;
    pthread_mutex_unlock(&q->lock);
}

borne_err borne_scanq_push(struct borne_scanq *q, const borne_scanq_event *ev)
{
    if (ev->len > BORNE_SCAN_TEXT_MAX) {
        return BORNE_ERR_INVALID;
    }
    pthread_mutex_lock(&q->lock);
    if (q->count == q->capacity) {
        q->dropped++;
        uint64_t dropped = q->dropped;
        pthread_mutex_unlock(&q->lock);
        LOG_WARN("queue full (%zu events): event dropped (%llu so far)", q->capacity,
                 (unsigned long long)dropped);
        return BORNE_ERR_TOO_LARGE;
    }
    borne_scanq_event *slot = &q->ring[(q->head + q->count) % q->capacity];
    /* Copy only the used part of the text. */
    size_t head_size = offsetof(borne_scanq_event, text);
    memcpy(slot, ev, head_size);
    memcpy(slot->text, ev->text, ev->len);
    slot->text[ev->len] = '\0';
    q->count++;
    borne_scanq_wake_fn wake = q->wake;
    void *wake_ctx = q->wake_ctx;
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
    if (wake) {
        wake(wake_ctx);
    }
    return BORNE_OK;
}

borne_err borne_scanq_push_code(struct borne_scanq *q, enum borne_input_kind kind, int slot,
                                const char *text, size_t len, uint64_t mono_ns)
{
    if (len > BORNE_SCAN_TEXT_MAX) {
        return BORNE_ERR_INVALID;
    }
    /* The event is large; keep it off the (possibly small) thread stack. */
    borne_scanq_event *ev = malloc(sizeof(*ev));
    if (!ev) {
        return BORNE_ERR_NOMEM;
    }
    ev->type = BORNE_SCAN_EV_CODE;
    ev->kind = kind;
    ev->slot = slot;
    ev->state = BORNE_INPUT_RUNNING;
    ev->mono_ns = mono_ns;
    ev->len = len;
    memcpy(ev->text, text, len);
    ev->text[len] = '\0';
    borne_err err = borne_scanq_push(q, ev);
    free(ev);
    return err;
}

borne_err borne_scanq_push_state(struct borne_scanq *q, enum borne_input_kind kind, int slot,
                                 enum borne_input_state state)
{
    borne_scanq_event ev;
    memset(&ev, 0, offsetof(borne_scanq_event, text));
    ev.type = BORNE_SCAN_EV_STATE;
    ev.kind = kind;
    ev.slot = slot;
    ev.state = state;
    ev.mono_ns = borne_scan_mono_ns();
    ev.len = 0;
    ev.text[0] = '\0';
    return borne_scanq_push(q, &ev);
}

/* Called with the lock held and count > 0. */
static void take_locked(struct borne_scanq *q, borne_scanq_event *out)
{
    const borne_scanq_event *slot = &q->ring[q->head];
    memcpy(out, slot, offsetof(borne_scanq_event, text));
    memcpy(out->text, slot->text, slot->len + 1);
    q->head = (q->head + 1) % q->capacity;
    q->count--;
}

borne_err borne_scanq_pop(struct borne_scanq *q, borne_scanq_event *out)
{
    pthread_mutex_lock(&q->lock);
    if (q->count == 0) {
        pthread_mutex_unlock(&q->lock);
        return BORNE_ERR_NOT_FOUND;
    }
    take_locked(q, out);
    pthread_mutex_unlock(&q->lock);
    return BORNE_OK;
}

borne_err borne_scanq_pop_wait(struct borne_scanq *q, int timeout_ms, borne_scanq_event *out)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ms < 0) {
        timeout_ms = 0;
    }
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&q->lock);
    while (q->count == 0) {
        int rc = pthread_cond_timedwait(&q->nonempty, &q->lock, &deadline);
        if (rc == ETIMEDOUT && q->count == 0) {
            pthread_mutex_unlock(&q->lock);
            return BORNE_ERR_TIMEOUT;
        }
    }
    take_locked(q, out);
    pthread_mutex_unlock(&q->lock);
    return BORNE_OK;
}

size_t borne_scanq_count(struct borne_scanq *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}

uint64_t borne_scanq_dropped(struct borne_scanq *q)
{
    pthread_mutex_lock(&q->lock);
    uint64_t n = q->dropped;
    pthread_mutex_unlock(&q->lock);
    return n;
}

const char *borne_input_kind_name(enum borne_input_kind kind)
{
    switch (kind) {
    case BORNE_INPUT_CAMERA:
        return "camera";
    case BORNE_INPUT_SCANNER:
        return "scanner";
    case BORNE_INPUT_FILE:
        return "file";
    }
    return "unknown";
}

const char *borne_input_state_name(enum borne_input_state state)
{
    switch (state) {
    case BORNE_INPUT_ABSENT:
        return "absent";
    case BORNE_INPUT_RUNNING:
        return "running";
    case BORNE_INPUT_LOST:
        return "lost";
    case BORNE_INPUT_ENDED:
        return "ended";
    }
    return "unknown";
}
