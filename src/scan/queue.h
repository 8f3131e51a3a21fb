/* Scan events and the bounded queue that carries them from the input threads to the UI.
 *
 * Every input (camera, hardware scanner, image files) runs on its own thread (see worker.h) and
 * hands news upward only through this queue: a decoded code, or a change of an input's state
 * (camera lost, scanner connected...). The consumer (the UI thread) sets a wake-up hook that is
 * called after every push, from the pushing thread; the kiosk wires it to SDL_PushEvent so the
 * main loop wakes up and drains the queue with borne_scanq_pop().
 *
 * Events are copied by value (the text is inline, at most BORNE_SCAN_TEXT_MAX bytes), so the
 * queue never allocates after borne_scanq_new() and nobody has to free a payload. When the queue
 * is full a push is refused (BORNE_ERR_TOO_LARGE) and the event is dropped: a full queue means
 * the UI is stalled, and a participant simply scans again. */
#ifndef BORNE_SCAN_QUEUE_H
#define BORNE_SCAN_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h"

/* Longest code text accepted from any input, in bytes (a QR code holds at most 2953 bytes). */
#define BORNE_SCAN_TEXT_MAX 4096

/* Where an event comes from. */
enum borne_input_kind {
    BORNE_INPUT_CAMERA = 0,  /* a live camera (V4L2, later libcamera) */
    BORNE_INPUT_SCANNER = 1, /* a hardware 2D scanner (keyboard mode or serial) */
    BORNE_INPUT_FILE = 2,    /* image files (tests, demo, bornectl decode) */
};

/* The state of one input, as the UI shows it. */
enum borne_input_state {
    BORNE_INPUT_ABSENT = 0,  /* no camera / no scanner found */
    BORNE_INPUT_RUNNING = 1, /* delivering frames / scanner connected */
    BORNE_INPUT_LOST = 2,    /* was running, then unplugged or failed; reconnecting */
    BORNE_INPUT_ENDED = 3,   /* a finite source (files, not looping) has no more frames */
};

enum borne_scanq_event_type {
    BORNE_SCAN_EV_CODE = 0,  /* `text`/`len` hold a decoded code */
    BORNE_SCAN_EV_STATE = 1, /* `state` holds the input's new state */
};

typedef struct borne_scanq_event {
    enum borne_scanq_event_type type;
    enum borne_input_kind kind;
    int slot;                     /* which input of that kind (scanner slot index), else 0 */
    enum borne_input_state state; /* for BORNE_SCAN_EV_STATE */
    uint64_t mono_ns; /* CLOCK_MONOTONIC: capture time of the frame, or time the scanner's
                         terminator arrived, or time of the state change */
    size_t len;       /* bytes in text (codes may contain NUL bytes) */
    char text[BORNE_SCAN_TEXT_MAX + 1]; /* NUL-terminated after len for convenience */
} borne_scanq_event;

/* Called after each successful push, on the pushing thread, with no lock held. */
typedef void (*borne_scanq_wake_fn)(void *ctx);

struct borne_scanq;

/* A queue holding at most `capacity` events (1..1024). */
borne_err borne_scanq_new(size_t capacity, struct borne_scanq **out);
void borne_scanq_free(struct borne_scanq *q);

/* Set (or clear with NULL) the wake-up hook. Set it before starting the producers. */
void borne_scanq_set_wake(struct borne_scanq *q, borne_scanq_wake_fn fn, void *ctx);

/* Copy *ev into the queue. BORNE_ERR_TOO_LARGE when full (the event is dropped and counted),
 * BORNE_ERR_INVALID when ev->len > BORNE_SCAN_TEXT_MAX. */
borne_err borne_scanq_push(struct borne_scanq *q, const borne_scanq_event *ev);

/* Convenience pushes used by the input threads. */
borne_err borne_scanq_push_code(struct borne_scanq *q, enum borne_input_kind kind, int slot,
                                const char *text, size_t len, uint64_t mono_ns);
borne_err borne_scanq_push_state(struct borne_scanq *q, enum borne_input_kind kind, int slot,
                                 enum borne_input_state state);

/* Take the oldest event without waiting: BORNE_OK, or BORNE_ERR_NOT_FOUND when empty. */
borne_err borne_scanq_pop(struct borne_scanq *q, borne_scanq_event *out);

/* Like borne_scanq_pop() but waits up to timeout_ms (BORNE_ERR_TIMEOUT if nothing came). */
borne_err borne_scanq_pop_wait(struct borne_scanq *q, int timeout_ms, borne_scanq_event *out);

/* Events currently queued, and events dropped because the queue was full. */
size_t borne_scanq_count(struct borne_scanq *q);
uint64_t borne_scanq_dropped(struct borne_scanq *q);

/* CLOCK_MONOTONIC now, in nanoseconds. */
static inline uint64_t borne_scan_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Short English names for logs and the CLI; never NULL. */
const char *borne_input_kind_name(enum borne_input_kind kind);
const char *borne_input_state_name(enum borne_input_state state);

#endif
