/* Tests of the frame sources: YUYV/GREY to luma, the files source, and the v4l2 source with no
 * camera (this machine has none; the state must say so). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/image.h"
#include "scan/pixfmt.h"
#include "scan/source.h"

#define MS 1000000ull

/* ---- pixel formats -------------------------------------------------------------------------- */

static void test_yuyv_to_luma(void **state)
{
    (void)state;
    /* 3x2 frame (odd width), rows padded to 8 bytes: Y U Y V Y U | pad pad */
    const uint8_t src[16] = {10, 200, 11, 201, 12, 202, 0xee, 0xee,
                             20, 210, 21, 211, 22, 212, 0xee, 0xee};
    uint8_t dst[2 * 5];
    memset(dst, 0x55, sizeof(dst));
    assert_int_equal(borne_pixfmt_yuyv_to_luma(src, sizeof(src), 3, 2, 8, dst, 5), BORNE_OK);
    const uint8_t want[10] = {10, 11, 12, 0x55, 0x55, 20, 21, 22, 0x55, 0x55};
    assert_memory_equal(dst, want, sizeof(want));
    /* The last row needs no padding... */
    assert_int_equal(borne_pixfmt_yuyv_to_luma(src, 14, 3, 2, 8, dst, 5), BORNE_OK);
    /* ...but one byte less is a truncated buffer. */
    assert_int_equal(borne_pixfmt_yuyv_to_luma(src, 13, 3, 2, 8, dst, 5), BORNE_ERR_PARSE);
    /* Bad geometry. */
    assert_int_equal(borne_pixfmt_yuyv_to_luma(src, sizeof(src), 3, 2, 5, dst, 5),
                     BORNE_ERR_INVALID);
    assert_int_equal(borne_pixfmt_yuyv_to_luma(src, sizeof(src), 3, 2, 8, dst, 2),
                     BORNE_ERR_INVALID);
    assert_int_equal(borne_pixfmt_yuyv_to_luma(src, sizeof(src), 0, 2, 8, dst, 5),
                     BORNE_ERR_INVALID);
    assert_int_equal(borne_pixfmt_yuyv_to_luma(src, sizeof(src), 3, -1, 8, dst, 5),
                     BORNE_ERR_INVALID);
    assert_int_equal(borne_pixfmt_yuyv_to_luma(src, sizeof(src), 20000, 1, 40000, dst, 20000),
                     BORNE_ERR_INVALID);
}

static void test_yuyv_full_frame(void **state)
{
    (void)state;
    const int w = 640, h = 480;
    uint8_t *src = malloc((size_t)w * h * 2);
    uint8_t *dst = malloc((size_t)w * h);
    assert_non_null(src);
    assert_non_null(dst);
    for (int i = 0; i < w * h; i++) {
        src[2 * i] = (uint8_t)(i * 7);
        src[2 * i + 1] = (uint8_t)(255 - i);
    }
    assert_int_equal(borne_pixfmt_yuyv_to_luma(src, (size_t)w * h * 2, w, h, 2 * w, dst, w),
                     BORNE_OK);
    for (int i = 0; i < w * h; i++) {
        assert_int_equal(dst[i], (uint8_t)(i * 7));
    }
    free(src);
    free(dst);
}

static void test_grey_copy(void **state)
{
    (void)state;
    const uint8_t src[8] = {1, 2, 3, 9, 4, 5, 6, 9};
    uint8_t dst[6];
    assert_int_equal(borne_pixfmt_grey_copy(src, sizeof(src), 3, 2, 4, dst, 3), BORNE_OK);
    const uint8_t want[6] = {1, 2, 3, 4, 5, 6};
    assert_memory_equal(dst, want, sizeof(want));
    assert_int_equal(borne_pixfmt_grey_copy(src, 6, 3, 2, 4, dst, 3), BORNE_ERR_PARSE);
    assert_int_equal(borne_pixfmt_grey_copy(src, sizeof(src), 3, 2, 2, dst, 3), BORNE_ERR_INVALID);
}

/* ---- files source ------------------------------------------------------------------------- */

struct frames_dir {
    char path[64];
};

static void write_png(const char *dir, const char *name, uint8_t value, int side)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    uint8_t *px = malloc((size_t)side * side);
    assert_non_null(px);
    memset(px, value, (size_t)side * side);
    assert_int_equal(borne_image_save_png(path, px, side, side, side), BORNE_OK);
    free(px);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *const dir_names[] = {"b.png", "a.png", "c.PNG", "bb-broken.png", "notes.txt"};

static int setup_dir(void **state)
{
    struct frames_dir *d = malloc(sizeof(*d));
    if (!d) {
        return -1;
    }
    snprintf(d->path, sizeof(d->path), "/tmp/borne-frames-XXXXXX");
    if (!mkdtemp(d->path)) {
        free(d);
        return -1;
    }
    write_png(d->path, "b.png", 20, 8);
    write_png(d->path, "a.png", 10, 16);
    write_png(d->path, "c.PNG", 30, 8);
    write_text(d->path, "bb-broken.png", "this is not a PNG");
    write_text(d->path, "notes.txt", "ignored");
    *state = d;
    return 0;
}

static int teardown_dir(void **state)
{
    struct frames_dir *d = *state;
    char path[256];
    for (size_t i = 0; i < sizeof(dir_names) / sizeof(dir_names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", d->path, dir_names[i]);
        unlink(path);
    }
    rmdir(d->path);
    free(d);
    return 0;
}

static void expect_frame(struct borne_source *src, uint8_t value, int side)
{
    borne_frame f;
    assert_int_equal(borne_source_next(src, 1000, &f), BORNE_OK);
    assert_int_equal(f.width, side);
    assert_int_equal(f.height, side);
    assert_true(f.stride >= side);
    assert_int_equal(f.luma[0], value);
    assert_int_equal(f.luma[(size_t)(side - 1) * (size_t)f.stride + (size_t)side - 1], value);
    assert_true(f.mono_ns > 0 && f.mono_ns <= borne_scan_mono_ns());
}

static void test_files_folder(void **state)
{
    struct frames_dir *d = *state;
    struct borne_source_config cfg = {.dir = d->path};
    struct borne_source *src = NULL;
    assert_int_equal(borne_source_open(&borne_source_files, &cfg, &src), BORNE_OK);
    assert_ptr_equal(borne_source_driver(src), &borne_source_files);
    assert_int_equal(borne_source_driver(src)->kind, BORNE_INPUT_FILE);
    assert_int_equal(borne_source_state(src), BORNE_INPUT_RUNNING);
    /* Name order, the broken file skipped, the .txt ignored, extensions in any case. */
    expect_frame(src, 10, 16);
    expect_frame(src, 20, 8);
    expect_frame(src, 30, 8);
    borne_frame f;
    assert_int_equal(borne_source_next(src, 10, &f), BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_source_state(src), BORNE_INPUT_ENDED);
    assert_int_equal(borne_source_next(src, 10, &f), BORNE_ERR_NOT_FOUND);
    borne_source_free(src);
}

static void test_files_list_loop_and_pace(void **state)
{
    struct frames_dir *d = *state;
    char a[128], c[128], missing[128];
    snprintf(a, sizeof(a), "%s/a.png", d->path);
    snprintf(c, sizeof(c), "%s/c.PNG", d->path);
    snprintf(missing, sizeof(missing), "%s/missing.png", d->path);
    const char *paths[] = {c, missing, a};
    struct borne_source_config cfg = {.paths = paths, .n_paths = 3, .loop = true, .fps = 50};
    struct borne_source *src = NULL;
    assert_int_equal(borne_source_open(&borne_source_files, &cfg, &src), BORNE_OK);
    uint64_t t0 = borne_scan_mono_ns();
    for (int round = 0; round < 3; round++) {
        expect_frame(src, 30, 8);
        expect_frame(src, 10, 16);
    }
    /* 6 frames at 50 fps: at least 5 periods of 20 ms. */
    assert_true(borne_scan_mono_ns() - t0 >= 95 * MS);
    assert_int_equal(borne_source_state(src), BORNE_INPUT_RUNNING);
    borne_source_free(src);

    /* A frame not yet due: a timeout, not a frame. */
    cfg.fps = 2;
    cfg.loop = false;
    assert_int_equal(borne_source_open(&borne_source_files, &cfg, &src), BORNE_OK);
    expect_frame(src, 30, 8);
    borne_frame f;
    assert_int_equal(borne_source_next(src, 20, &f), BORNE_ERR_TIMEOUT);
    borne_source_free(src);
}

static void test_files_errors(void **state)
{
    (void)state;
    struct borne_source *src = NULL;
    struct borne_source_config cfg = {.dir = "/nonexistent/frames"};
    assert_int_equal(borne_source_open(&borne_source_files, &cfg, &src), BORNE_ERR_NOT_FOUND);
    assert_null(src);
    /* Neither or both of paths and dir. */
    struct borne_source_config none = {0};
    assert_int_equal(borne_source_open(&borne_source_files, &none, &src), BORNE_ERR_INVALID);
    const char *p[] = {"x.png"};
    struct borne_source_config both = {.paths = p, .n_paths = 1, .dir = "/tmp"};
    assert_int_equal(borne_source_open(&borne_source_files, &both, &src), BORNE_ERR_INVALID);
    /* A list of files that all fail: ends at once. */
    const char *bad[] = {"/nonexistent/1.png", "/nonexistent/2.png"};
    struct borne_source_config looping = {.paths = bad, .n_paths = 2, .loop = true};
    assert_int_equal(borne_source_open(&borne_source_files, &looping, &src), BORNE_OK);
    borne_frame f;
    assert_int_equal(borne_source_next(src, 10, &f), BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_source_state(src), BORNE_INPUT_ENDED);
    borne_source_free(src);
    borne_source_free(NULL);
    assert_ptr_equal(borne_source_driver_find("files"), &borne_source_files);
    assert_ptr_equal(borne_source_driver_find("v4l2"), &borne_source_v4l2);
    assert_null(borne_source_driver_find("libcamera"));
}

/* ---- v4l2 without a camera ------------------------------------------------------------------ */

static void test_v4l2_no_camera(void **state)
{
    (void)state;
    struct borne_source *src = NULL;
    struct borne_source_config cfg = {.device = "/nonexistent/video7", .reconnect_ms = 30};
    assert_int_equal(borne_source_open(&borne_source_v4l2, &cfg, &src), BORNE_OK);
    assert_int_equal(borne_source_driver(src)->kind, BORNE_INPUT_CAMERA);
    assert_int_equal(borne_source_state(src), BORNE_INPUT_ABSENT);
    borne_frame f;
    uint64_t t0 = borne_scan_mono_ns();
    assert_int_equal(borne_source_next(src, 50, &f), BORNE_ERR_DEVICE);
    assert_int_equal(borne_source_next(src, 50, &f), BORNE_ERR_DEVICE);
    uint64_t took = borne_scan_mono_ns() - t0;
    /* It waits (no busy loop) but no longer than asked. */
    assert_true(took >= 20 * MS);
    assert_true(took < 1000 * MS);
    assert_int_equal(borne_source_state(src), BORNE_INPUT_ABSENT);
    borne_source_free(src);

    /* Not a V4L2 device. */
    cfg.device = "/dev/null";
    assert_int_equal(borne_source_open(&borne_source_v4l2, &cfg, &src), BORNE_OK);
    assert_int_equal(borne_source_state(src), BORNE_INPUT_ABSENT);
    assert_int_equal(borne_source_next(src, 10, &f), BORNE_ERR_DEVICE);
    borne_source_free(src);

    /* Only 640x480 and 1280x720. */
    struct borne_source_config bad = {.width = 800, .height = 600};
    assert_int_equal(borne_source_open(&borne_source_v4l2, &bad, &src), BORNE_ERR_INVALID);
    struct borne_source_config hd = {.device = "/nonexistent/v", .width = 1280, .height = 720};
    assert_int_equal(borne_source_open(&borne_source_v4l2, &hd, &src), BORNE_OK);
    borne_source_free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yuyv_to_luma),
        cmocka_unit_test(test_yuyv_full_frame),
        cmocka_unit_test(test_grey_copy),
        cmocka_unit_test_setup_teardown(test_files_folder, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_files_list_loop_and_pace, setup_dir, teardown_dir),
        cmocka_unit_test(test_files_errors),
        cmocka_unit_test(test_v4l2_no_camera),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
