/* Tests of the event queue, repeat suppression and the input worker threads, with a fake frame
 * source and a fake decoder (the real decoder has its own tests), and a serial scanner on a
 * pseudo-terminal for the scanner threads and hot-plug. */
#define _GNU_SOURCE /* posix_openpt, grantpt, unlockpt, ptsname */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scan/queue.h"
#include "scan/worker.h"

#define MS 1000000ull

/* ---- queue ---------------------------------------------------------------------------------- */

static void count_wake(void *ctx)
{
    atomic_int *n = ctx;
    atomic_fetch_add(n, 1);
}

static void test_queue_bounds_and_wake(void **state)
{
    (void)state;
    struct borne_scanq *q = NULL;
    assert_int_equal(borne_scanq_new(0, &q), BORNE_ERR_INVALID);
    assert_int_equal(borne_scanq_new(100000, &q), BORNE_ERR_INVALID);
    assert_int_equal(borne_scanq_new(4, &q), BORNE_OK);
    atomic_int wakes = 0;
    borne_scanq_set_wake(q, count_wake, &wakes);
    borne_scanq_event *ev = malloc(sizeof(*ev));
    assert_non_null(ev);

    assert_int_equal(borne_scanq_pop(q, ev), BORNE_ERR_NOT_FOUND);
    for (int i = 0; i < 4; i++) {
        char text[8];
        snprintf(text, sizeof(text), "c%d", i);
        assert_int_equal(borne_scanq_push_code(q, BORNE_INPUT_CAMERA, 0, text, 2, 100 + i),
                         BORNE_OK);
    }
    assert_int_equal(atomic_load(&wakes), 4);
    /* Full: refused, counted, no wake-up. */
    assert_int_equal(borne_scanq_push_code(q, BORNE_INPUT_CAMERA, 0, "xx", 2, 1),
                     BORNE_ERR_TOO_LARGE);
    assert_int_equal(borne_scanq_dropped(q), 1);
    assert_int_equal(atomic_load(&wakes), 4);
    assert_int_equal(borne_scanq_count(q), 4);
    /* FIFO, contents intact. */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(borne_scanq_pop(q, ev), BORNE_OK);
        char want[8];
        snprintf(want, sizeof(want), "c%d", i);
        assert_int_equal(ev->type, BORNE_SCAN_EV_CODE);
        assert_int_equal(ev->len, 2);
        assert_string_equal(ev->text, want);
        assert_int_equal(ev->mono_ns, 100 + i);
    }
    assert_int_equal(borne_scanq_count(q), 0);
    /* Codes with NUL bytes, the longest code, and one byte too long. */
    assert_int_equal(borne_scanq_push_code(q, BORNE_INPUT_SCANNER, 2, "a\0b", 3, 7), BORNE_OK);
    char *big = malloc(BORNE_SCAN_TEXT_MAX + 1);
    assert_non_null(big);
    memset(big, 'q', BORNE_SCAN_TEXT_MAX + 1);
    assert_int_equal(borne_scanq_push_code(q, BORNE_INPUT_FILE, 0, big, BORNE_SCAN_TEXT_MAX, 8),
                     BORNE_OK);
    assert_int_equal(borne_scanq_push_code(q, BORNE_INPUT_FILE, 0, big, BORNE_SCAN_TEXT_MAX + 1, 9),
                     BORNE_ERR_INVALID);
    assert_int_equal(borne_scanq_push_state(q, BORNE_INPUT_CAMERA, 0, BORNE_INPUT_LOST), BORNE_OK);
    assert_int_equal(borne_scanq_pop(q, ev), BORNE_OK);
    assert_int_equal(ev->kind, BORNE_INPUT_SCANNER);
    assert_int_equal(ev->slot, 2);
    assert_int_equal(ev->len, 3);
    assert_memory_equal(ev->text, "a\0b", 4);
    assert_int_equal(borne_scanq_pop(q, ev), BORNE_OK);
    assert_int_equal(ev->len, BORNE_SCAN_TEXT_MAX);
    assert_memory_equal(ev->text, big, BORNE_SCAN_TEXT_MAX);
    assert_int_equal(ev->text[BORNE_SCAN_TEXT_MAX], '\0');
    assert_int_equal(borne_scanq_pop(q, ev), BORNE_OK);
    assert_int_equal(ev->type, BORNE_SCAN_EV_STATE);
    assert_int_equal(ev->state, BORNE_INPUT_LOST);
    assert_true(ev->mono_ns > 0);
    /* Waiting on an empty queue times out after about the time asked. */
    uint64_t t0 = borne_scan_mono_ns();
    assert_int_equal(borne_scanq_pop_wait(q, 30, ev), BORNE_ERR_TIMEOUT);
    assert_true(borne_scan_mono_ns() - t0 >= 25 * MS);
    assert_string_equal(borne_input_kind_name(BORNE_INPUT_SCANNER), "scanner");
    assert_string_equal(borne_input_state_name(BORNE_INPUT_ABSENT), "absent");
    free(big);
    free(ev);
    borne_scanq_free(q);
    borne_scanq_free(NULL);
}

struct producer {
    struct borne_scanq *q;
    int id;
    int pushed;
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (int i = 0; i < 2000; i++) {
        char text[16];
        int n = snprintf(text, sizeof(text), "%d:%d", p->id, i);
        while (borne_scanq_push_code(p->q, BORNE_INPUT_SCANNER, p->id, text, (size_t)n, 0) ==
               BORNE_ERR_TOO_LARGE) {
            sched_yield();
        }
        p->pushed++;
    }
    return NULL;
}

/* Two producers and a consumer: everything arrives, in order per producer. */
static void test_queue_threads(void **state)
{
    (void)state;
    struct borne_scanq *q = NULL;
    assert_int_equal(borne_scanq_new(8, &q), BORNE_OK);
    struct producer p[2] = {{q, 0, 0}, {q, 1, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, produce, &p[i]), 0);
    }
    int next[2] = {0, 0};
    borne_scanq_event *ev = malloc(sizeof(*ev));
    assert_non_null(ev);
    while (next[0] < 2000 || next[1] < 2000) {
        assert_int_equal(borne_scanq_pop_wait(q, 5000, ev), BORNE_OK);
        int id = -1, i = -1;
        assert_int_equal(sscanf(ev->text, "%d:%d", &id, &i), 2);
        assert_int_equal(id, ev->slot);
        assert_int_equal(i, next[id]);
        next[id]++;
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
    }
    assert_int_equal(borne_scanq_count(q), 0);
    free(ev);
    borne_scanq_free(q);
}

/* ---- repeat suppression --------------------------------------------------------------------- */

static void test_dedup(void **state)
{
    (void)state;
    struct borne_dedup *d = NULL;
    assert_int_equal(borne_dedup_new(0, &d), BORNE_ERR_INVALID);
    assert_int_equal(borne_dedup_new(1500, &d), BORNE_OK);
    assert_true(borne_dedup_check(d, "A", 1, 0));
    assert_false(borne_dedup_check(d, "A", 1, 1499 * MS));
    /* Each sighting restarts the window. */
    assert_false(borne_dedup_check(d, "A", 1, 2998 * MS));
    assert_true(borne_dedup_check(d, "A", 1, 4498 * MS));
    /* A different code at once; two codes in view alternately: each reported once. */
    assert_true(borne_dedup_check(d, "B", 1, 4500 * MS));
    for (int i = 0; i < 30; i++) {
        assert_false(borne_dedup_check(d, (i & 1) ? "A" : "B", 1, (4533 + 33 * (uint64_t)i) * MS));
    }
    /* Same prefix, different length: different codes; NUL bytes count. */
    assert_true(borne_dedup_check(d, "AB", 2, 6000 * MS));
    assert_true(borne_dedup_check(d, "A\0", 2, 6000 * MS));
    /* An older time stamp counts as just seen. */
    assert_false(borne_dedup_check(d, "AB", 2, 10 * MS));
    /* Nine more codes push out the least recently seen. */
    uint64_t t = 7000 * MS;
    for (int i = 0; i < 9; i++) {
        char code[4] = {'x', (char)('0' + i), 0, 0};
        assert_true(borne_dedup_check(d, code, 2, t));
        t += MS;
    }
    assert_true(borne_dedup_check(d, "A", 1, t));   /* forgotten: reported */
    assert_false(borne_dedup_check(d, "x8", 2, t)); /* remembered */
    borne_dedup_free(d);
    borne_dedup_free(NULL);
}

/* ---- worker with a fake camera -------------------------------------------------------------- */

/* A scripted camera: frame i shows code ids[i] (0 = no code), stamped base + i * step. */
struct script {
    const uint8_t *ids;
    size_t n;
    uint64_t base_ns, step_ns;
    int delay_ms; /* sleep before each frame, like a camera's frame interval */
};

struct fake_source {
    const struct script *s;
    size_t next;
    uint8_t px[4 * 4];
};

static borne_err fake_open(const struct borne_source_config *cfg, void **priv)
{
    struct fake_source *f = calloc(1, sizeof(*f));
    if (!f) {
        return BORNE_ERR_NOMEM;
    }
    f->s = cfg->user;
    *priv = f;
    return BORNE_OK;
}

static borne_err fake_next(void *priv, int timeout_ms, borne_frame *out)
{
    struct fake_source *f = priv;
    if (f->next >= f->s->n) {
        return BORNE_ERR_NOT_FOUND;
    }
    if (f->s->delay_ms) {
        struct timespec ts = {0, f->s->delay_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    memset(f->px, f->s->ids[f->next], sizeof(f->px));
    *out = (borne_frame){.luma = f->px,
                         .width = 4,
                         .height = 4,
                         .stride = 4,
                         .mono_ns = f->s->base_ns + f->next * f->s->step_ns};
    f->next++;
    return BORNE_OK;
}

static enum borne_input_state fake_state(void *priv)
{
    struct fake_source *f = priv;
    return f->next >= f->s->n ? BORNE_INPUT_ENDED : BORNE_INPUT_RUNNING;
}

static void fake_close(void *priv)
{
    free(priv);
}

static const struct borne_source_driver fake_driver = {
    .name = "fake",
    .kind = BORNE_INPUT_CAMERA,
    .open = fake_open,
    .next_frame = fake_next,
    .state = fake_state,
    .close = fake_close,
};

struct fake_decoder {
    atomic_int calls;
};

static int fake_decode(void *ctx, const borne_frame *frame, char *text, size_t cap, size_t *len)
{
    struct fake_decoder *d = ctx;
    atomic_fetch_add(&d->calls, 1);
    if (frame->luma[0] == 0) {
        return 0;
    }
    int n = snprintf(text, cap, "BRN1:CODE-%c", frame->luma[0]);
    *len = (size_t)n;
    return 1;
}

/* Pop events until `until` state arrives for `kind` (included), at most max; returns count. */
static size_t collect(struct borne_scanq *q, borne_scanq_event *evs, size_t max,
                      enum borne_input_kind kind, enum borne_input_state until, int timeout_ms)
{
    size_t n = 0;
    while (n < max) {
        if (borne_scanq_pop_wait(q, timeout_ms, &evs[n]) != BORNE_OK) {
            break;
        }
        n++;
        if (evs[n - 1].type == BORNE_SCAN_EV_STATE && evs[n - 1].kind == kind &&
            evs[n - 1].state == until) {
            break;
        }
    }
    return n;
}

static void test_worker_camera_reports_once(void **state)
{
    (void)state;
    /* 2 empty, A for 30 frames, 60 empty (2 s), A x5, B x3, A x3, 1 empty. */
    uint8_t ids[2 + 30 + 60 + 5 + 3 + 3 + 1] = {0};
    size_t k = 2;
    for (int i = 0; i < 30; i++) {
        ids[k++] = 'A';
    }
    k += 60;
    for (int i = 0; i < 5; i++) {
        ids[k++] = 'A';
    }
    for (int i = 0; i < 3; i++) {
        ids[k++] = 'B';
    }
    for (int i = 0; i < 3; i++) {
        ids[k++] = 'A';
    }
    const struct script s = {ids, sizeof(ids), 1000 * MS, 33 * MS, 0};

    struct borne_scanq *q = NULL;
    assert_int_equal(borne_scanq_new(64, &q), BORNE_OK);
    atomic_int wakes = 0;
    borne_scanq_set_wake(q, count_wake, &wakes);
    struct fake_decoder dec = {0};
    struct borne_worker_config cfg = {
        .queue = q,
        .source = &fake_driver,
        .source_cfg = {.user = (void *)&s},
        .decode = fake_decode,
        .decode_ctx = &dec,
        .repeat_ms = 1500,
    };
    struct borne_worker *w = NULL;
    assert_int_equal(borne_worker_start(&cfg, &w), BORNE_OK);
    borne_scanq_event *evs = calloc(16, sizeof(*evs));
    assert_non_null(evs);
    size_t n = collect(q, evs, 16, BORNE_INPUT_CAMERA, BORNE_INPUT_ENDED, 5000);
    borne_worker_free(w);

    assert_int_equal(n, 5);
    assert_int_equal(evs[0].type, BORNE_SCAN_EV_STATE);
    assert_int_equal(evs[0].state, BORNE_INPUT_RUNNING);
    /* A: reported in the very first frame where it decodes (frame 2), once for 30 frames. */
    assert_int_equal(evs[1].type, BORNE_SCAN_EV_CODE);
    assert_int_equal(evs[1].kind, BORNE_INPUT_CAMERA);
    assert_string_equal(evs[1].text, "BRN1:CODE-A");
    assert_int_equal(evs[1].len, strlen("BRN1:CODE-A"));
    assert_int_equal(evs[1].mono_ns, 1000 * MS + 2 * 33 * MS);
    /* A again after 2 s away, in its first frame back (frame 92). */
    assert_string_equal(evs[2].text, "BRN1:CODE-A");
    assert_int_equal(evs[2].mono_ns, 1000 * MS + 92 * 33 * MS);
    /* B when it appears; A coming back within 1.5 s is not repeated. */
    assert_string_equal(evs[3].text, "BRN1:CODE-B");
    assert_int_equal(evs[3].mono_ns, 1000 * MS + 97 * 33 * MS);
    assert_int_equal(evs[4].type, BORNE_SCAN_EV_STATE);
    assert_int_equal(evs[4].state, BORNE_INPUT_ENDED);
    /* Every frame was decoded; every event woke the consumer. */
    assert_int_equal(atomic_load(&dec.calls), (int)sizeof(ids));
    assert_int_equal(atomic_load(&wakes), 5);
    free(evs);
    borne_scanq_free(q);
}

/* Frames arriving in real time: the code is in the queue well within one frame interval after
 * the frame that carries it is produced. */
static void test_worker_camera_latency(void **state)
{
    (void)state;
    uint8_t ids[20] = {0};
    ids[10] = 'Z';
    const struct script s = {ids, sizeof(ids), 0, 0, 20};
    struct borne_scanq *q = NULL;
    assert_int_equal(borne_scanq_new(16, &q), BORNE_OK);
    struct fake_decoder dec = {0};
    struct borne_worker_config cfg = {.queue = q,
                                      .source = &fake_driver,
                                      .source_cfg = {.user = (void *)&s},
                                      .decode = fake_decode,
                                      .decode_ctx = &dec};
    struct borne_worker *w = NULL;
    uint64_t t0 = borne_scan_mono_ns();
    assert_int_equal(borne_worker_start(&cfg, &w), BORNE_OK);
    borne_scanq_event *ev = malloc(sizeof(*ev));
    assert_non_null(ev);
    assert_int_equal(borne_scanq_pop_wait(q, 2000, ev), BORNE_OK); /* RUNNING */
    assert_int_equal(borne_scanq_pop_wait(q, 2000, ev), BORNE_OK);
    uint64_t got = borne_scan_mono_ns();
    assert_int_equal(ev->type, BORNE_SCAN_EV_CODE);
    /* Frame 10 is produced after 11 frame intervals; the code must come before frame 12. */
    assert_true(got - t0 >= 11 * 20 * MS - 5 * MS);
    assert_true(got - t0 < 13 * 20 * MS + 200 * MS); /* loose: a loaded CI machine */
    assert_true(atomic_load(&dec.calls) <= 12);
    borne_worker_free(w);
    free(ev);
    borne_scanq_free(q);
}

static void test_worker_config(void **state)
{
    (void)state;
    struct borne_scanq *q = NULL;
    assert_int_equal(borne_scanq_new(4, &q), BORNE_OK);
    struct borne_worker *w = NULL;
    struct borne_worker_config none = {0};
    assert_int_equal(borne_worker_start(&none, &w), BORNE_ERR_INVALID);
    struct borne_worker_config no_decoder = {.queue = q, .source = &borne_source_files};
    assert_int_equal(borne_worker_start(&no_decoder, &w), BORNE_ERR_INVALID);
    /* A missing frame folder is reported by start. */
    struct fake_decoder dec = {0};
    struct borne_worker_config missing = {.queue = q,
                                          .source = &borne_source_files,
                                          .source_cfg = {.dir = "/nonexistent/frames"},
                                          .decode = fake_decode,
                                          .decode_ctx = &dec};
    assert_int_equal(borne_worker_start(&missing, &w), BORNE_ERR_NOT_FOUND);
    assert_null(w);
    /* No inputs at all: starts and stops. */
    struct borne_worker_config idle = {.queue = q};
    assert_int_equal(borne_worker_start(&idle, &w), BORNE_OK);
    borne_worker_free(w);
    borne_worker_free(NULL);
    assert_int_equal(borne_scanq_count(q), 0);
    borne_scanq_free(q);
}

/* ---- worker with a serial scanner: codes, unplug, hot-plug ---------------------------------- */

static int pty_new(char *slave, size_t cap)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(m >= 0);
    assert_int_equal(grantpt(m), 0);
    assert_int_equal(unlockpt(m), 0);
    snprintf(slave, cap, "%s", ptsname(m));
    return m;
}

static void expect_state(struct borne_scanq *q, borne_scanq_event *ev, enum borne_input_state st)
{
    assert_int_equal(borne_scanq_pop_wait(q, 3000, ev), BORNE_OK);
    assert_int_equal(ev->type, BORNE_SCAN_EV_STATE);
    assert_int_equal(ev->kind, BORNE_INPUT_SCANNER);
    assert_int_equal(ev->slot, 0);
    assert_int_equal(ev->state, st);
}

static void expect_code(struct borne_scanq *q, borne_scanq_event *ev, const char *text)
{
    assert_int_equal(borne_scanq_pop_wait(q, 3000, ev), BORNE_OK);
    assert_int_equal(ev->type, BORNE_SCAN_EV_CODE);
    assert_int_equal(ev->kind, BORNE_INPUT_SCANNER);
    assert_string_equal(ev->text, text);
}

static void test_worker_serial_hotplug(void **state)
{
    (void)state;
    char dir[] = "/tmp/borne-hotplug-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char link[128];
    snprintf(link, sizeof(link), "%s/ttyACM0", dir);

    struct borne_scanq *q = NULL;
    assert_int_equal(borne_scanq_new(32, &q), BORNE_OK);
    struct borne_worker_config cfg = {
        .queue = q,
        .scanners = {{.driver = &borne_scanner_serial, .discover_dir = dir, .timeout_ms = 500}},
        .n_scanners = 1,
        .hotplug_ms = 50,
    };
    struct borne_worker *w = NULL;
    assert_int_equal(borne_worker_start(&cfg, &w), BORNE_OK);
    borne_scanq_event *ev = malloc(sizeof(*ev));
    assert_non_null(ev);
    expect_state(q, ev, BORNE_INPUT_ABSENT);
    assert_int_equal(borne_scanq_pop_wait(q, 150, ev), BORNE_ERR_TIMEOUT);

    /* Plugged in: found by polling, codes flow. */
    char slave[128];
    int m = pty_new(slave, sizeof(slave));
    assert_int_equal(symlink(slave, link), 0);
    expect_state(q, ev, BORNE_INPUT_RUNNING);
    assert_int_equal(write(m, "BRN1:ONE\r\nBRN1:ONE\r\n", 20), 20);
    expect_code(q, ev, "BRN1:ONE");
    expect_code(q, ev, "BRN1:ONE"); /* scanners are not deduplicated */

    /* Unplugged, then plugged back (another pty under the same name). */
    close(m);
    unlink(link);
    expect_state(q, ev, BORNE_INPUT_LOST);
    m = pty_new(slave, sizeof(slave));
    assert_int_equal(symlink(slave, link), 0);
    expect_state(q, ev, BORNE_INPUT_RUNNING);
    assert_int_equal(write(m, "BRN1:TWO\r", 9), 9);
    expect_code(q, ev, "BRN1:TWO");

    /* Stop while the scanner is open: joins promptly. */
    uint64_t t0 = borne_scan_mono_ns();
    borne_worker_free(w);
    assert_true(borne_scan_mono_ns() - t0 < 1000 * MS);
    close(m);
    unlink(link);
    rmdir(dir);
    free(ev);
    borne_scanq_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_bounds_and_wake),
        cmocka_unit_test(test_queue_threads),
        cmocka_unit_test(test_dedup),
        cmocka_unit_test(test_worker_camera_reports_once),
        cmocka_unit_test(test_worker_camera_latency),
        cmocka_unit_test(test_worker_config),
        cmocka_unit_test(test_worker_serial_hotplug),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
