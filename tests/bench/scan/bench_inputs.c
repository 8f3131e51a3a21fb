/* Benchmark of the scanning inputs: camera pixel conversion, the key decoder and line assembler,
 * the event queue, and the worker's frame-to-queue latency (with a decoder that costs nothing,
 * so the number is the inputs' own overhead). Prints numbers; never fails on timing. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/keymap_us.h"
#include "scan/pixfmt.h"
#include "scan/queue.h"
#include "scan/scanner.h"
#include "scan/worker.h"

#include <linux/input-event-codes.h>

static double ms_since(uint64_t t0)
{
    return (double)(borne_scan_mono_ns() - t0) / 1e6;
}

static void bench_yuyv(int w, int h)
{
    size_t n = (size_t)w * (size_t)h;
    uint8_t *src = malloc(n * 2);
    uint8_t *dst = malloc(n);
    if (!src || !dst) {
        exit(1);
    }
    for (size_t i = 0; i < n * 2; i++) {
        src[i] = (uint8_t)(i * 31);
    }
    const int rounds = 200;
    uint64_t t0 = borne_scan_mono_ns();
    for (int r = 0; r < rounds; r++) {
        borne_pixfmt_yuyv_to_luma(src, n * 2, w, h, 2 * w, dst, w);
    }
    printf("yuyv->luma %4dx%-4d  %.3f ms/frame\n", w, h, ms_since(t0) / rounds);
    free(src);
    free(dst);
}

static void bench_keys(void)
{
    struct borne_keydec kd;
    borne_keydec_init(&kd);
    struct borne_scanline *sl = malloc(sizeof(*sl));
    if (!sl) {
        exit(1);
    }
    borne_scanline_init(sl, 150000000u);
    const uint16_t keys[] = {KEY_B, KEY_R, KEY_N, KEY_1, KEY_SEMICOLON, KEY_Q, KEY_7};
    const int codes = 200000;
    uint64_t t0 = borne_scan_mono_ns();
    size_t done = 0;
    for (int c = 0; c < codes; c++) {
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            int ch = borne_keydec_feed(&kd, EV_KEY, keys[k], 1);
            borne_keydec_feed(&kd, EV_KEY, keys[k], 0);
            borne_scanline_byte(sl, (uint8_t)ch, 1);
        }
        borne_keydec_feed(&kd, EV_KEY, KEY_ENTER, 1);
        done += borne_scanline_end(sl) == BORNE_SCANLINE_DONE;
    }
    printf("key decoder + line   %.1f ns/key (%zu codes)\n",
           ms_since(t0) * 1e6 / ((double)codes * 8), done);
    free(sl);
}

static void bench_queue(void)
{
    struct borne_scanq *q = NULL;
    if (borne_scanq_new(64, &q)) {
        exit(1);
    }
    borne_scanq_event *ev = malloc(sizeof(*ev));
    if (!ev) {
        exit(1);
    }
    const int rounds = 200000;
    const char text[] = "BRN1:6JQ3A8ZK2-EXAMPLE-TOKEN-OF-SIXTY-BYTES-OR-SO-0123456789";
    uint64_t t0 = borne_scan_mono_ns();
    for (int i = 0; i < rounds; i++) {
        borne_scanq_push_code(q, BORNE_INPUT_CAMERA, 0, text, sizeof(text) - 1, 0);
        borne_scanq_pop(q, ev);
    }
    printf("queue push+pop       %.0f ns/event\n", ms_since(t0) * 1e6 / rounds);
    free(ev);
    borne_scanq_free(q);
}

/* A source that produces a frame every 33 ms (a 30 fps camera) with a code in every 10th. */
struct timed {
    int next;
    uint8_t px[640 * 480];
    uint64_t stamp[64];
};

static borne_err timed_open(const struct borne_source_config *cfg, void **priv)
{
    *priv = cfg->user;
    return BORNE_OK;
}

static borne_err timed_next(void *priv, int timeout_ms, borne_frame *out)
{
    struct timed *t = priv;
    if (t->next >= 60) {
        return BORNE_ERR_NOT_FOUND;
    }
    struct timespec ts = {0, 33 * 1000000L};
    nanosleep(&ts, NULL);
    t->px[0] = (uint8_t)(t->next % 10 == 5 ? 1 + t->next : 0);
    uint64_t now = borne_scan_mono_ns();
    t->stamp[t->next] = now;
    *out = (borne_frame){.luma = t->px, .width = 640, .height = 480, .stride = 640, .mono_ns = now};
    t->next++;
    return BORNE_OK;
}

static enum borne_input_state timed_state(void *priv)
{
    struct timed *t = priv;
    return t->next >= 60 ? BORNE_INPUT_ENDED : BORNE_INPUT_RUNNING;
}

static void timed_close(void *priv)
{
    (void)priv;
}

static int flag_decode(void *ctx, const borne_frame *f, char *text, size_t cap, size_t *len)
{
    (void)ctx;
    if (f->luma[0] == 0) {
        return 0;
    }
    *len = (size_t)snprintf(text, cap, "CODE%d", f->luma[0]);
    return 1;
}

static void bench_worker_latency(void)
{
    static const struct borne_source_driver drv = {.name = "timed",
                                                   .kind = BORNE_INPUT_CAMERA,
                                                   .open = timed_open,
                                                   .next_frame = timed_next,
                                                   .state = timed_state,
                                                   .close = timed_close};
    struct timed *t = calloc(1, sizeof(*t));
    struct borne_scanq *q = NULL;
    borne_scanq_event *ev = malloc(sizeof(*ev));
    if (!t || !ev || borne_scanq_new(64, &q)) {
        exit(1);
    }
    struct borne_worker_config cfg = {
        .queue = q, .source = &drv, .source_cfg = {.user = t}, .decode = flag_decode};
    struct borne_worker *w = NULL;
    if (borne_worker_start(&cfg, &w)) {
        exit(1);
    }
    double worst = 0, sum = 0;
    int n = 0;
    for (;;) {
        if (borne_scanq_pop_wait(q, 5000, ev)) {
            break;
        }
        uint64_t got = borne_scan_mono_ns();
        if (ev->type == BORNE_SCAN_EV_STATE && ev->state == BORNE_INPUT_ENDED) {
            break;
        }
        if (ev->type == BORNE_SCAN_EV_CODE) {
            double us = (double)(got - ev->mono_ns) / 1e3;
            sum += us;
            worst = us > worst ? us : worst;
            n++;
        }
    }
    borne_worker_free(w);
    printf("worker frame->queue  mean %.0f us, worst %.0f us over %d codes "
           "(frame interval 33000 us)\n",
           n ? sum / n : 0.0, worst, n);
    free(ev);
    free(t);
    borne_scanq_free(q);
}

int main(void)
{
    bench_yuyv(640, 480);
    bench_yuyv(1280, 720);
    bench_keys();
    bench_queue();
    bench_worker_latency();
    return 0;
}
