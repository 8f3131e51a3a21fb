/* Benchmark of the kiosk: numbers for the targets, printed, never failing on timing.
 *
 *   start to first frame      `borne --demo --exit-after-first-frame`, spawn to the line on
 *                             its stdout (median of 5)
 *   code to result presented  a 30 fps synthetic camera shows a code for 5 frames, then an
 *                             empty room for 5; from the capture time of the frame carrying the
 *                             code to the return of SDL_RenderPresent of its result screen
 *                             (median, p99), at 800x480 and at 1920x1080
 *   UI frame time             drawing + present of every frame during the same runs (the
 *                             preview redraws at 30 fps while the camera thread decodes)
 *   RSS                       after 100 and after 10,000 scans, frames as fast as they decode,
 *                             every scan a different signed code (so none is suppressed as a
 *                             repeat) and recorded in the store
 *
 * Runs under SDL's offscreen driver with the software renderer unless SDL_VIDEODRIVER is set. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/kiosk.h"
#include "scan/queue.h"
#include "scan/source.h"

#include "core/token.h"
#include "demo/demo.h"
#include "store/store.h"
#include "support/measure.h"

extern char **environ;

#define FW 640
#define FH 480

/* ---- a synthetic camera -------------------------------------------------------------------- */

struct bench_cam_cfg {
    int on_frames, off_frames; /* frames with the code, frames without */
    uint8_t sk[64];
    uint32_t first_id; /* participant ids first_id, first_id + 1, ... : all different codes */
};

struct bench_cam {
    struct bench_cam_cfg cfg;
    int fps;
    uint8_t room[FW * FH];
    uint8_t code[FW * FH];
    int phase; /* frame index within on + off */
    uint32_t next_id;
    uint64_t next_ns;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static borne_err cam_open(const struct borne_source_config *cfg, void **priv)
{
    struct bench_cam *c = calloc(1, sizeof(*c));
    if (!c) {
        abort();
    }
    c->cfg = *(const struct bench_cam_cfg *)cfg->user;
    c->fps = cfg->fps;
    c->next_id = c->cfg.first_id;
    memset(c->room, 90, sizeof(c->room));
    *priv = c;
    return BORNE_OK;
}

static borne_err cam_next(void *priv, int timeout_ms, borne_frame *out)
{
    (void)timeout_ms;
    struct bench_cam *c = priv;
    if (c->fps > 0) {
        uint64_t now = mono_ns();
        if (c->next_ns > now) {
            uint64_t d = c->next_ns - now;
            struct timespec ts = {(time_t)(d / 1000000000u), (long)(d % 1000000000u)};
            nanosleep(&ts, NULL);
        }
        c->next_ns = (c->next_ns ? c->next_ns : mono_ns()) + 1000000000u / (uint64_t)c->fps;
    }
    if (c->phase == 0) {
        borne_token tok = {
            .key_id = 1, .event_id = BORNE_DEMO_EVENT_ID, .participant_id = c->next_id++};
        char text[BORNE_TOKEN_TEXT_LEN + 1];
        borne_token_sign(&tok, c->cfg.sk, text, sizeof(text));
        borne_demo_render(text, strlen(text), c->code, FW, FH);
    }
    const uint8_t *px = c->phase < c->cfg.on_frames ? c->code : c->room;
    c->phase = (c->phase + 1) % (c->cfg.on_frames + c->cfg.off_frames);
    *out = (borne_frame){px, FW, FH, FW, mono_ns()};
    return BORNE_OK;
}

static enum borne_input_state cam_state(void *priv)
{
    (void)priv;
    return BORNE_INPUT_RUNNING;
}

static void cam_close(void *priv)
{
    free(priv);
}

static const struct borne_source_driver bench_cam = {
    .name = "bench",
    .kind = BORNE_INPUT_CAMERA,
    .open = cam_open,
    .next_frame = cam_next,
    .state = cam_state,
    .close = cam_close,
};

/* ---- observations -------------------------------------------------------------------------- */

struct obs {
    samples frame, latency;
    uint64_t results;
};

static void observe(void *ctx, const struct borne_kiosk_frame_info *info)
{
    struct obs *o = ctx;
    samples_add(&o->frame, info->draw_ns);
    if (info->result && info->latency_ns) {
        samples_add(&o->latency, info->latency_ns);
    }
    o->results = info->results_total;
}

/* ---- runs ---------------------------------------------------------------------------------- */

static struct borne_kiosk *start(int w, int h, struct bench_cam_cfg *cam, int fps, struct obs *o)
{
    struct borne_kiosk_options opts = {.demo = true,
                                       .windowed = true,
                                       .width = w,
                                       .height = h,
                                       .silent = true,
                                       .demo_autoplay_off = true,
                                       .source = &bench_cam};
    opts.source_cfg.fps = fps;
    opts.source_cfg.user = cam;
    struct borne_kiosk *k = NULL;
    if (borne_kiosk_new(&opts, &k) != BORNE_OK) {
        fprintf(stderr, "bench_ui: kiosk did not start\n");
        exit(1);
    }
    borne_kiosk_set_observer(k, observe, o);
    return k;
}

static void latency_run(int w, int h, struct bench_cam_cfg *cam, int results)
{
    struct obs o = {0};
    struct borne_kiosk *k = start(w, h, cam, 30, &o);
    while (o.results < (uint64_t)results) {
        borne_kiosk_step(k, 20);
    }
    borne_kiosk_free(k);
    printf("%4dx%-4d  code to result presented: median %.1f ms, p99 %.1f ms (%zu results)\n", w, h,
           samples_pct_ms(&o.latency, 0.5), samples_pct_ms(&o.latency, 0.99), o.latency.n);
    printf("%4dx%-4d  UI frame (draw + present) while decoding at 30 fps: median %.2f ms, "
           "p99 %.2f ms, max %.2f ms (%zu frames)\n",
           w, h, samples_pct_ms(&o.frame, 0.5), samples_pct_ms(&o.frame, 0.99),
           samples_pct_ms(&o.frame, 1.0), o.frame.n);
    free(o.frame.v);
    free(o.latency.v);
}

static void rss_run(struct bench_cam_cfg *cam, int total)
{
    struct obs o = {0};
    cam->on_frames = 1;
    cam->off_frames = 1;
    struct borne_kiosk *k = start(800, 480, cam, 0, &o);
    /* RSS at checkpoints: growth that stops (caches filling up) is not a leak; growth that goes
     * on in proportion to scans is. */
    static const int marks[] = {100, 1000, 2500, 5000, 10000, 20000, 40000, 80000};
    long rss[sizeof(marks) / sizeof(marks[0])];
    size_t nmarks = 0;
    uint64_t t0 = mono_ns();
    while (o.results < (uint64_t)total) {
        borne_kiosk_step(k, 20);
        if (nmarks < sizeof(marks) / sizeof(marks[0]) && o.results >= (uint64_t)marks[nmarks]) {
            rss[nmarks++] = proc_rss_kib(getpid());
        }
        /* Keep only recent samples: the benchmark must not be what grows. */
        o.frame.n = 0;
        o.latency.n = 0;
    }
    long at_end = proc_rss_kib(getpid());
    double secs = (double)(mono_ns() - t0) / 1e9;
    borne_kiosk_free(k);
    printf("RSS (KiB) after N scans:");
    for (size_t i = 0; i < nmarks; i++) {
        printf(" %d: %ld;", marks[i], rss[i]);
    }
    printf(" %d: %ld\n", total, at_end);
    printf("RSS after 100 scans: %ld KiB; after %d scans: %ld KiB (%+ld KiB), %.0f scans/s\n",
           nmarks ? rss[0] : -1, total, at_end, at_end - (nmarks ? rss[0] : 0),
           (double)total / secs);
    free(o.frame.v);
    free(o.latency.v);
}

static void first_frame(const char *exe)
{
    samples s = {0};
    double inner = 0;
    for (int i = 0; i < 5; i++) {
        int fd[2];
        if (pipe(fd) != 0) {
            return;
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
        posix_spawn_file_actions_addclose(&fa, fd[0]);
        char *argv[] = {(char *)exe,
                        "--demo",
                        "--windowed",
                        "--size",
                        "800x480",
                        "--silent",
                        "--exit-after-first-frame",
                        NULL};
        uint64_t t0 = mono_ns();
        pid_t pid;
        if (posix_spawn(&pid, exe, &fa, NULL, argv, environ) != 0) {
            fprintf(stderr, "bench_ui: cannot run %s\n", exe);
            return;
        }
        close(fd[1]);
        char buf[128] = "";
        ssize_t n = read(fd[0], buf, sizeof(buf) - 1);
        uint64_t t1 = mono_ns();
        close(fd[0]);
        waitpid(pid, NULL, 0);
        posix_spawn_file_actions_destroy(&fa);
        if (n > 0) {
            buf[n] = '\0';
            samples_add(&s, t1 - t0);
            sscanf(buf, "first-frame-ms %lf", &inner);
        }
    }
    printf("start to first frame (borne --demo, spawn to first present): median %.0f ms, "
           "max %.0f ms (last run's own count from main(): %.0f ms)\n",
           samples_pct_ms(&s, 0.5), samples_pct_ms(&s, 1.0), inner);
    free(s.v);
}

int main(int argc, char **argv)
{
    setenv("SDL_VIDEODRIVER", "offscreen", 0);
    setenv("SDL_RENDER_DRIVER", "software", 0);
    setenv("SDL_AUDIODRIVER", "dummy", 0);
    int total = argc > 1 ? atoi(argv[1]) : 10000;
    char exe[1024];
    snprintf(exe, sizeof(exe), "%s", argv[0]);
    char *slash = strrchr(exe, '/');
    snprintf(slash ? slash + 1 : exe, sizeof(exe) - (size_t)(slash ? slash + 1 - exe : 0),
             "../../../src/kiosk/borne");
    printf("bench_ui: video %s, renderer %s\n", getenv("SDL_VIDEODRIVER"),
           getenv("SDL_RENDER_DRIVER"));
    first_frame(exe);

    /* The demo's signing key: the same seed the kiosk's demo store trusts. */
    struct borne_store *scratch = NULL;
    char dir[] = "/tmp/borne-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        return 1;
    }
    char db[64];
    snprintf(db, sizeof(db), "%s/scratch.db", dir);
    borne_demo demo;
    if (borne_store_open(db, &scratch) || borne_demo_populate(scratch, time(NULL), &demo)) {
        fprintf(stderr, "bench_ui: demo key\n");
        return 1;
    }
    struct bench_cam_cfg cam = {.on_frames = 5, .off_frames = 5, .first_id = 1000};
    memcpy(cam.sk, demo.secret_key, sizeof(cam.sk));
    borne_demo_clear(&demo);
    borne_store_close(scratch);
    unlink(db);
    char wal[80];
    snprintf(wal, sizeof(wal), "%s-wal", db);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", db);
    unlink(wal);
    rmdir(dir);

    latency_run(800, 480, &cam, 100);
    cam.first_id = 200000;
    latency_run(1920, 1080, &cam, 60);
    cam.first_id = 400000;
    rss_run(&cam, total);
    return 0;
}
