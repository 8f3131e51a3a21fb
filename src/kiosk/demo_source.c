/* The demo's simulated camera; see demo_source.h. */
#define LOG_MODULE "kiosk"

#include "kiosk/demo_source.h"
#include "scan/queue.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "demo/demo.h"

struct borne_demo_feed {
    pthread_mutex_t lock; /* guards code, len, generation */
    char code[BORNE_SCAN_TEXT_MAX + 1];
    size_t len;
    unsigned generation; /* bumped on each change */
};

struct demo_cam {
    struct borne_demo_feed *feed;
    uint8_t *room;  /* the empty room */
    uint8_t *frame; /* the frame handed out */
    unsigned drawn; /* generation drawn into frame */
    uint64_t next_ns;
    int period_ms;
};

borne_err borne_demo_feed_new(struct borne_demo_feed **out)
{
    struct borne_demo_feed *f = calloc(1, sizeof(*f));
    if (!f) {
        abort();
    }
    pthread_mutex_init(&f->lock, NULL);
    *out = f;
    return BORNE_OK;
}

void borne_demo_feed_free(struct borne_demo_feed *feed)
{
    if (!feed) {
        return;
    }
    pthread_mutex_destroy(&feed->lock);
    free(feed);
}

void borne_demo_feed_show(struct borne_demo_feed *feed, const char *code, size_t len)
{
    pthread_mutex_lock(&feed->lock);
    if (!code || len > BORNE_SCAN_TEXT_MAX) {
        len = 0;
    }
    if (len) {
        memcpy(feed->code, code, len);
    }
    feed->code[len] = '\0';
    feed->len = len;
    feed->generation++;
    pthread_mutex_unlock(&feed->lock);
}

static borne_err cam_open(const struct borne_source_config *cfg, void **priv)
{
    if (!cfg->user) {
        return BORNE_ERR_INVALID;
    }
    struct demo_cam *c = calloc(1, sizeof(*c));
    if (!c) {
        abort();
    }
    c->feed = cfg->user;
    c->period_ms = cfg->fps > 0 ? 1000 / cfg->fps : 33;
    size_t n = (size_t)BORNE_DEMO_FRAME_W * BORNE_DEMO_FRAME_H;
    c->room = malloc(n);
    c->frame = malloc(n);
    if (!c->room || !c->frame) {
        abort();
    }
    /* A dim room with a soft gradient, so the preview does not look like a broken camera. */
    for (int y = 0; y < BORNE_DEMO_FRAME_H; y++) {
        for (int x = 0; x < BORNE_DEMO_FRAME_W; x++) {
            c->room[(size_t)y * BORNE_DEMO_FRAME_W + (size_t)x] = (uint8_t)(70 + y / 8 + x / 32);
        }
    }
    memcpy(c->frame, c->room, n);
    c->drawn = 0;
    *priv = c;
    return BORNE_OK;
}

static borne_err cam_next(void *priv, int timeout_ms, borne_frame *out)
{
    struct demo_cam *c = priv;
    uint64_t now = borne_scan_mono_ns();
    if (c->next_ns > now) {
        uint64_t wait = c->next_ns - now;
        if (wait > (uint64_t)timeout_ms * 1000000u) {
            struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            return BORNE_ERR_TIMEOUT;
        }
        struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
        nanosleep(&ts, NULL);
    }
    c->next_ns = borne_scan_mono_ns() + (uint64_t)c->period_ms * 1000000u;
    char code[BORNE_SCAN_TEXT_MAX + 1];
    size_t len = 0;
    unsigned gen;
    pthread_mutex_lock(&c->feed->lock);
    gen = c->feed->generation;
    if (gen != c->drawn) {
        len = c->feed->len;
        memcpy(code, c->feed->code, len + 1);
    }
    pthread_mutex_unlock(&c->feed->lock);
    if (gen != c->drawn) {
        size_t n = (size_t)BORNE_DEMO_FRAME_W * BORNE_DEMO_FRAME_H;
        if (len == 0 || borne_demo_render(code, len, c->frame, BORNE_DEMO_FRAME_W,
                                          BORNE_DEMO_FRAME_H) != BORNE_OK) {
            memcpy(c->frame, c->room, n);
        }
        c->drawn = gen;
    }
    *out = (borne_frame){c->frame, BORNE_DEMO_FRAME_W, BORNE_DEMO_FRAME_H, BORNE_DEMO_FRAME_W,
                         borne_scan_mono_ns()};
    return BORNE_OK;
}

static enum borne_input_state cam_state(void *priv)
{
    (void)priv;
    return BORNE_INPUT_RUNNING;
}

static void cam_close(void *priv)
{
    struct demo_cam *c = priv;
    if (!c) {
        return;
    }
    free(c->room);
    free(c->frame);
    free(c);
}

const struct borne_source_driver borne_demo_source = {
    .name = "demo",
    .kind = BORNE_INPUT_CAMERA,
    .open = cam_open,
    .next_frame = cam_next,
    .state = cam_state,
    .close = cam_close,
};
