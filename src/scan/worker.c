/* The input worker threads (see worker.h).
 *
 * DESIGN: the threads share nothing but the queue (which has its own lock) and an atomic stop
 * flag; each owns its input and buffers. Every blocking call in a thread has a timeout of at most
 * WORKER_TICK_MS, so the stop flag is seen quickly. Codes are never logged (personal data). */
#define _GNU_SOURCE /* pthread_setname_np */
#define LOG_MODULE  "worker"
#include "scan/worker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "scan/decoder.h"

#define WORKER_TICK_MS      100
#define WORKER_REPEAT_MS    1500
#define WORKER_HOTPLUG_MS   2000
#define WORKER_DISCOVER_MAX 16
#define DEDUP_SLOTS         8

/* ---- repeat suppression --------------------------------------------------------------------- */

struct dedup_slot {
    bool used;
    uint64_t last_ns;
    size_t len;
    char text[BORNE_SCAN_TEXT_MAX];
};

struct borne_dedup {
    uint64_t window_ns;
    struct dedup_slot slots[DEDUP_SLOTS];
};

borne_err borne_dedup_new(int window_ms, struct borne_dedup **out)
{
    *out = NULL;
    if (window_ms <= 0) {
        return BORNE_ERR_INVALID;
    }
    struct borne_dedup *d = calloc(1, sizeof(*d));
    if (!d) {
        return BORNE_ERR_NOMEM;
    }
    d->window_ns = (uint64_t)window_ms * 1000000u;
    *out = d;
    return BORNE_OK;
}

void borne_dedup_free(struct borne_dedup *d)
{
    free(d);
}

bool borne_dedup_check(struct borne_dedup *d, const char *text, size_t len, uint64_t now_ns)
{
    if (len > BORNE_SCAN_TEXT_MAX) {
        return true; /* cannot be remembered; the queue refuses it anyway */
    }
    struct dedup_slot *victim = NULL; /* a free slot, else the one seen longest ago */
    for (size_t i = 0; i < DEDUP_SLOTS; i++) {
        struct dedup_slot *s = &d->slots[i];
        if (!s->used) {
            if (!victim || victim->used) {
                victim = s;
            }
            continue;
        }
        if (s->len == len && memcmp(s->text, text, len) == 0) {
            /* A frame stamped earlier than the last sighting counts as "just seen". */
            bool report = now_ns >= s->last_ns && now_ns - s->last_ns >= d->window_ns;
            s->last_ns = now_ns;
            return report;
        }
        if (!victim || (victim->used && s->last_ns < victim->last_ns)) {
            victim = s;
        }
    }
    victim->used = true;
    victim->last_ns = now_ns;
    victim->len = len;
    memcpy(victim->text, text, len);
    return true;
}

/* ---- the worker ----------------------------------------------------------------------------- */

struct scanner_slot {
    struct borne_worker *w;
    int index;
    const struct borne_scanner_driver *driver;
    char path[BORNE_SCANNER_PATH_MAX];         /* empty: discover */
    char discover_dir[BORNE_SCANNER_PATH_MAX]; /* empty: driver default */
    int timeout_ms;
    int baud;
    pthread_t thread;
    bool started;
};

struct borne_worker {
    struct borne_scanq *queue;
    atomic_bool stop;

    /* camera thread: owns source, dedup, decode_ctx use */
    struct borne_source *source;
    borne_decode_fn decode;
    void *decode_ctx;
    struct borne_dedup *dedup;
    pthread_t camera_thread;
    bool camera_started;

    uint64_t hotplug_ns;
    size_t n_scanners;
    struct scanner_slot scanners[BORNE_WORKER_SCANNERS_MAX];
};

int borne_worker_decode_qr(void *ctx, const borne_frame *frame, char *text, size_t cap, size_t *len)
{
    return borne_decoder_decode(ctx, frame, text, cap, len);
}

static bool stopping(struct borne_worker *w)
{
    return atomic_load_explicit(&w->stop, memory_order_acquire);
}

static void sleep_tick(void)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = WORKER_TICK_MS * 1000000L};
    nanosleep(&ts, NULL);
}

static void *camera_main(void *arg)
{
    struct borne_worker *w = arg;
    pthread_setname_np(pthread_self(), "borne-cam");
    enum borne_input_kind kind = borne_source_driver(w->source)->kind;
    enum borne_input_state last = borne_source_state(w->source);
    borne_scanq_push_state(w->queue, kind, 0, last);
    char *text = malloc(BORNE_SCAN_TEXT_MAX + 1);
    if (!text) {
        LOG_ERR("out of memory: camera thread not running");
        return NULL;
    }
    bool ended = false;
    while (!stopping(w)) {
        if (ended) {
            sleep_tick();
            continue;
        }
        borne_frame frame;
        borne_err err = borne_source_next(w->source, WORKER_TICK_MS, &frame);
        enum borne_input_state now_state = borne_source_state(w->source);
        if (now_state != last) {
            last = now_state;
            borne_scanq_push_state(w->queue, kind, 0, now_state);
        }
        if (err == BORNE_ERR_NOT_FOUND) {
            ended = true;
            continue;
        }
        if (err) {
            continue;
        }
        size_t len = 0;
        if (w->decode(w->decode_ctx, &frame, text, BORNE_SCAN_TEXT_MAX + 1, &len) != 1) {
            continue;
        }
        if (len > BORNE_SCAN_TEXT_MAX) {
            continue;
        }
        uint64_t when = frame.mono_ns ? frame.mono_ns : borne_scan_mono_ns();
        if (borne_dedup_check(w->dedup, text, len, when)) {
            LOG_DBG("%s: code of %zu bytes", borne_input_kind_name(kind), len);
            borne_scanq_push_code(w->queue, kind, 0, text, len, when);
        }
    }
    free(text);
    return NULL;
}

/* Open the slot's scanner: the fixed path, or the first discovered device that opens. */
static struct borne_scanner *scanner_find(struct scanner_slot *slot)
{
    struct borne_scanner_config cfg = {
        .path = NULL,
        .timeout_ms = slot->timeout_ms,
        .grab_optional = false,
        .baud = slot->baud,
        .fd = -1,
    };
    struct borne_scanner *sc = NULL;
    if (slot->path[0]) {
        cfg.path = slot->path;
        borne_scanner_open(slot->driver, &cfg, &sc);
        return sc;
    }
    char(*paths)[BORNE_SCANNER_PATH_MAX] = malloc(WORKER_DISCOVER_MAX * sizeof(*paths));
    if (!paths) {
        return NULL;
    }
    size_t n =
        borne_scanner_discover(slot->driver, slot->discover_dir[0] ? slot->discover_dir : NULL,
                               paths, WORKER_DISCOVER_MAX);
    for (size_t i = 0; i < n && !sc; i++) {
        cfg.path = paths[i];
        borne_scanner_open(slot->driver, &cfg, &sc);
    }
    free(paths);
    return sc;
}

static void *scanner_main(void *arg)
{
    struct scanner_slot *slot = arg;
    struct borne_worker *w = slot->w;
    char name[16];
    snprintf(name, sizeof(name), "borne-scan%d", slot->index);
    pthread_setname_np(pthread_self(), name);
    char *text = malloc(BORNE_SCAN_TEXT_MAX + 1);
    if (!text) {
        LOG_ERR("out of memory: scanner thread not running");
        return NULL;
    }
    struct borne_scanner *sc = NULL;
    enum borne_input_state state = BORNE_INPUT_ABSENT;
    borne_scanq_push_state(w->queue, BORNE_INPUT_SCANNER, slot->index, state);
    uint64_t next_try = 0;
    while (!stopping(w)) {
        if (!sc) {
            uint64_t now = borne_scan_mono_ns();
            if (now < next_try) {
                sleep_tick();
                continue;
            }
            sc = scanner_find(slot);
            if (!sc) {
                next_try = now + w->hotplug_ns;
                continue;
            }
            LOG_INFO("%s scanner %d connected", slot->driver->name, slot->index);
            state = BORNE_INPUT_RUNNING;
            borne_scanq_push_state(w->queue, BORNE_INPUT_SCANNER, slot->index, state);
        }
        size_t len = 0;
        uint64_t when = 0;
        borne_err err =
            borne_scanner_next(sc, WORKER_TICK_MS, text, BORNE_SCAN_TEXT_MAX + 1, &len, &when);
        if (err == BORNE_OK) {
            borne_scanq_push_code(w->queue, BORNE_INPUT_SCANNER, slot->index, text, len, when);
        } else if (err == BORNE_ERR_DEVICE) {
            borne_scanner_free(sc);
            sc = NULL;
            state = BORNE_INPUT_LOST;
            borne_scanq_push_state(w->queue, BORNE_INPUT_SCANNER, slot->index, state);
            /* Look again soon: a replugged scanner comes back within a second or two. */
            next_try = borne_scan_mono_ns() + w->hotplug_ns / 4;
        }
    }
    borne_scanner_free(sc);
    free(text);
    return NULL;
}

/* Start a thread with every signal blocked (the mask is inherited). */
static borne_err start_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(thread, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        LOG_ERR("cannot start a thread: %s", strerror(rc));
        return BORNE_ERR_NOMEM;
    }
    return BORNE_OK;
}

static borne_err copy_path(char *dst, const char *src)
{
    if (!src) {
        dst[0] = '\0';
        return BORNE_OK;
    }
    size_t n = strlen(src);
    if (n >= BORNE_SCANNER_PATH_MAX) {
        return BORNE_ERR_INVALID;
    }
    memcpy(dst, src, n + 1);
    return BORNE_OK;
}

borne_err borne_worker_start(const struct borne_worker_config *cfg, struct borne_worker **out)
{
    *out = NULL;
    if (!cfg->queue || cfg->n_scanners > BORNE_WORKER_SCANNERS_MAX ||
        (cfg->source && !cfg->decode)) {
        return BORNE_ERR_INVALID;
    }
    struct borne_worker *w = calloc(1, sizeof(*w));
    if (!w) {
        return BORNE_ERR_NOMEM;
    }
    atomic_init(&w->stop, false);
    w->queue = cfg->queue;
    w->decode = cfg->decode;
    w->decode_ctx = cfg->decode_ctx;
    w->hotplug_ns =
        (uint64_t)(cfg->hotplug_ms > 0 ? cfg->hotplug_ms : WORKER_HOTPLUG_MS) * 1000000u;
    borne_err err = BORNE_OK;
    for (size_t i = 0; i < cfg->n_scanners && !err; i++) {
        struct scanner_slot *slot = &w->scanners[i];
        const struct borne_worker_scanner *sc = &cfg->scanners[i];
        slot->w = w;
        slot->index = (int)i;
        slot->driver = sc->driver;
        slot->timeout_ms = sc->timeout_ms;
        slot->baud = sc->baud;
        if (!sc->driver) {
            err = BORNE_ERR_INVALID;
            break;
        }
        err = copy_path(slot->path, sc->path);
        if (!err) {
            err = copy_path(slot->discover_dir, sc->discover_dir);
        }
    }
    w->n_scanners = cfg->n_scanners;
    if (!err && cfg->source) {
        int repeat_ms = cfg->repeat_ms > 0 ? cfg->repeat_ms : WORKER_REPEAT_MS;
        err = borne_dedup_new(repeat_ms, &w->dedup);
        if (!err) {
            err = borne_source_open(cfg->source, &cfg->source_cfg, &w->source);
        }
        if (!err) {
            err = start_thread(&w->camera_thread, camera_main, w);
            w->camera_started = !err;
        }
    }
    for (size_t i = 0; i < w->n_scanners && !err; i++) {
        err = start_thread(&w->scanners[i].thread, scanner_main, &w->scanners[i]);
        w->scanners[i].started = !err;
    }
    if (err) {
        borne_worker_free(w);
        return err;
    }
    *out = w;
    return BORNE_OK;
}

void borne_worker_free(struct borne_worker *w)
{
    if (!w) {
        return;
    }
    atomic_store_explicit(&w->stop, true, memory_order_release);
    if (w->camera_started) {
        pthread_join(w->camera_thread, NULL);
    }
    for (size_t i = 0; i < w->n_scanners; i++) {
        if (w->scanners[i].started) {
            pthread_join(w->scanners[i].thread, NULL);
        }
    }
    borne_source_free(w->source);
    borne_dedup_free(w->dedup);
    free(w);
}
