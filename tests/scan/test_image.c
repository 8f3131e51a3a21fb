/* Tests of src/scan/image.c: PNG and JPEG loading as grey, PNG writing, and damaged files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jpeglib.h>

#include "scan/image.h"

struct tmp {
    char dir[64];
};

static int setup(void **state)
{
    struct tmp *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    snprintf(t->dir, sizeof(t->dir), "/tmp/borne-test-image-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tmp *t = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

static void path_in(const struct tmp *t, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", t->dir, name);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static uint8_t *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Writes a JPEG with libjpeg: grey (components 1) or colour (3, pixel = value repeated). */
static void write_jpeg(const char *path, int w, int h, int components, int quality)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = components;
    c.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    jpeg_start_compress(&c, TRUE);
    JSAMPLE *row = malloc((size_t)w * components);
    assert_non_null(row);
    while (c.next_scanline < c.image_height) {
        for (int x = 0; x < w; x++) {
            /* a smooth gradient: JPEG keeps it within a few levels */
            JSAMPLE v = (JSAMPLE)((x * 255) / (w > 1 ? w - 1 : 1));
            for (int k = 0; k < components; k++) {
                row[x * components + k] = v;
            }
        }
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    fclose(f);
}

static void test_png_round_trip_with_stride(void **state)
{
    const struct tmp *t = *state;
    enum { W = 37, H = 23, STRIDE = 48 };
    uint8_t src[H * STRIDE];
    for (int i = 0; i < H * STRIDE; i++) {
        src[i] = (uint8_t)(i * 7 + 3);
    }
    char path[128];
    path_in(t, "a.png", path, sizeof(path));
    assert_int_equal(borne_image_save_png(path, src, W, H, STRIDE), BORNE_OK);
    borne_image img;
    assert_int_equal(borne_image_load(path, &img), BORNE_OK);
    assert_int_equal(img.width, W);
    assert_int_equal(img.height, H);
    for (int y = 0; y < H; y++) {
        assert_memory_equal(img.pixels + y * W, src + y * STRIDE, W);
    }
    borne_frame f = borne_image_frame(&img);
    assert_ptr_equal(f.luma, img.pixels);
    assert_int_equal(f.stride, W);
    assert_int_equal(f.width, W);
    borne_image_clear(&img);
    assert_null(img.pixels);
    borne_image_clear(&img); /* twice is fine */
    borne_image_clear(NULL);
}

static void test_jpeg_grey_and_colour(void **state)
{
    const struct tmp *t = *state;
    char path[128];
    for (int components = 1; components <= 3; components += 2) {
        path_in(t, components == 1 ? "g.jpg" : "c.jpg", path, sizeof(path));
        write_jpeg(path, 64, 40, components, 95);
        borne_image img;
        assert_int_equal(borne_image_load(path, &img), BORNE_OK);
        assert_int_equal(img.width, 64);
        assert_int_equal(img.height, 40);
        for (int y = 0; y < 40; y += 13) {
            for (int x = 0; x < 64; x += 7) {
                int want = (x * 255) / 63, got = img.pixels[y * 64 + x];
                assert_true(abs(got - want) <= 6);
            }
        }
        borne_image_clear(&img);
    }
}

static void test_format_by_content_not_name(void **state)
{
    const struct tmp *t = *state;
    char jpg[128], png[128];
    path_in(t, "really-a-jpeg.png", jpg, sizeof(jpg));
    write_jpeg(jpg, 16, 16, 1, 90);
    path_in(t, "really-a-png.jpg", png, sizeof(png));
    uint8_t px[16 * 16] = {0};
    assert_int_equal(borne_image_save_png(png, px, 16, 16, 16), BORNE_OK);
    borne_image img;
    assert_int_equal(borne_image_load(jpg, &img), BORNE_OK);
    assert_int_equal(img.width, 16);
    borne_image_clear(&img);
    assert_int_equal(borne_image_load(png, &img), BORNE_OK);
    assert_int_equal(img.width, 16);
    borne_image_clear(&img);
}

static void test_bad_files_give_errors(void **state)
{
    const struct tmp *t = *state;
    char path[128];
    borne_image img;

    path_in(t, "missing.png", path, sizeof(path));
    assert_int_equal(borne_image_load(path, &img), BORNE_ERR_NOT_FOUND);
    assert_null(img.pixels);

    path_in(t, "text.png", path, sizeof(path));
    write_bytes(path, "hello, not an image\n", 20);
    assert_int_equal(borne_image_load(path, &img), BORNE_ERR_UNSUPPORTED);

    path_in(t, "empty.jpg", path, sizeof(path));
    write_bytes(path, "", 0);
    assert_int_equal(borne_image_load(path, &img), BORNE_ERR_UNSUPPORTED);

    assert_int_equal(borne_image_load(t->dir, &img), BORNE_ERR_IO); /* a directory */

    /* truncated PNG and JPEG: every prefix either fails cleanly or (JPEG, late cut) decodes */
    uint8_t px[32 * 32];
    for (int i = 0; i < 32 * 32; i++) {
        px[i] = (uint8_t)(i * 13);
    }
    char good[128];
    path_in(t, "good.png", good, sizeof(good));
    assert_int_equal(borne_image_save_png(good, px, 32, 32, 32), BORNE_OK);
    size_t len;
    uint8_t *bytes = read_bytes(good, &len);
    /* (libpng accepts a file that lost only its 12-byte IEND trailer) */
    for (size_t cut = 0; cut + 12 < len; cut += 3) {
        borne_err err = borne_image_load_mem(bytes, cut, &img);
        assert_int_not_equal(err, BORNE_OK);
        assert_null(img.pixels);
    }
    free(bytes);

    path_in(t, "good.jpg", good, sizeof(good));
    write_jpeg(good, 32, 32, 3, 80);
    bytes = read_bytes(good, &len);
    for (size_t cut = 0; cut < 40; cut++) {
        assert_int_not_equal(borne_image_load_mem(bytes, cut, &img), BORNE_OK);
    }
    for (size_t cut = 40; cut < len; cut += 11) {
        borne_err err = borne_image_load_mem(bytes, cut, &img);
        if (err == BORNE_OK) {
            assert_int_equal(img.width, 32);
            borne_image_clear(&img);
        }
    }
    /* garbage after a JPEG start marker */
    uint8_t junk[64];
    memset(junk, 0x5a, sizeof(junk));
    junk[0] = 0xff;
    junk[1] = 0xd8;
    junk[2] = 0xff;
    assert_int_equal(borne_image_load_mem(junk, sizeof(junk), &img), BORNE_ERR_PARSE);
    free(bytes);
}

static void test_size_caps(void **state)
{
    const struct tmp *t = *state;
    char path[128];
    borne_image img;
    path_in(t, "wide.jpg", path, sizeof(path));
    write_jpeg(path, BORNE_IMAGE_MAX_SIDE + 8, 1, 1, 50);
    assert_int_equal(borne_image_load(path, &img), BORNE_ERR_TOO_LARGE);
    assert_null(img.pixels);
    /* PNG writing refuses what loading would refuse */
    uint8_t px[4] = {0};
    path_in(t, "bad.png", path, sizeof(path));
    assert_int_equal(borne_image_save_png(path, px, 0, 1, 1), BORNE_ERR_INVALID);
    assert_int_equal(borne_image_save_png(path, px, 2, 2, 1), BORNE_ERR_INVALID);
    assert_int_equal(borne_image_load_mem(NULL, 0, &img), BORNE_ERR_INVALID);
    assert_int_equal(borne_image_load(NULL, &img), BORNE_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_png_round_trip_with_stride, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jpeg_grey_and_colour, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_by_content_not_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files_give_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_caps, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
