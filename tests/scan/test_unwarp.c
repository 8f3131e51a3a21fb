/* Tests of src/scan/unwarp.c (a QR grid fitted to a bent or tilted code, the code redrawn flat)
 * and of the decoder's WARP pass that uses it: the grid's geometry, a tilted code redrawn module
 * for module, a bowed code that only WARP reads, the generated corpus's curled and steeply
 * tilted codes, and nothing read where there is no code. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "scan/corpus.h"
#include "scan/decoder.h"
#include "scan/finder.h"
#include "scan/unwarp.h"

#define PI 3.14159265358979323846

/* A Borne-sized payload: "BN1:" and 126 Base45 characters (QR version 6, 41 modules). */
static const char *token_text(void)
{
    static char text[131];
    static const char b45[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    memcpy(text, "BN1:", 4);
    for (int i = 4; i < 130; i++) {
        text[i] = b45[(i * 7 + 3) % 45];
    }
    text[130] = '\0';
    return text;
}

/* Renders qr on a w x h grey frame: `mod` pixels a module, turned by `angle` radians about the
 * frame's centre, rows bowed by `bow` modules at the code's left and right edges (a badge
 * curling on its lanyard), dark 30 on light 220 over a mid-grey background, 2x2 supersampled. */
static uint8_t *render(const QRcode *qr, int w, int h, double mod, double angle, double bow)
{
    uint8_t *pix = malloc((size_t)w * h);
    assert_non_null(pix);
    int n = qr->width;
    double ca = cos(angle), sa = sin(angle);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double sum = 0;
            for (int s = 0; s < 4; s++) {
                double px = x + 0.25 + 0.5 * (s & 1) - w / 2.0;
                double py = y + 0.25 + 0.5 * (s >> 1) - h / 2.0;
                double u = (ca * px + sa * py) / mod + n / 2.0;
                double v = (-sa * px + ca * py) / mod + n / 2.0;
                double t = (u - n / 2.0) / (n / 2.0);
                v -= bow * t * t;
                double level = 110; /* background */
                if (u >= -6 && v >= -6 && u < n + 6 && v < n + 6) {
                    level = 220; /* the badge's paper */
                    if (u >= 0 && v >= 0 && u < n && v < n && (qr->data[(int)v * n + (int)u] & 1)) {
                        level = 30;
                    }
                }
                sum += level;
            }
            pix[(size_t)y * w + x] = (uint8_t)(sum / 4 + 0.5);
        }
    }
    return pix;
}

/* A decoder running WARP alone (every other pass disabled). */
static struct borne_decoder *warp_only(void)
{
    struct borne_decoder *dec = NULL;
    assert_int_equal(borne_decoder_new(&dec), BORNE_OK);
    unsigned all = (1u << BORNE_PASS__COUNT) - 1;
    borne_decoder_set_disabled(dec, all & ~(1u << BORNE_PASS_WARP));
    return dec;
}

static void test_grid_keeps_finder_centres(void **state)
{
    (void)state;
    struct qr_grid g = {
        .n = 41, .q = {100, 80, 300, 95, 90, 290, 320, 310}, .bow = {1.5, -0.7, 0.4, 0.9}};
    /* the bow never moves the four points that set the homography */
    static const double pts[4][2] = {{3.5, 3.5}, {37.5, 3.5}, {3.5, 37.5}, {37.5, 37.5}};
    for (int i = 0; i < 4; i++) {
        double x, y;
        qr_grid_map(&g, pts[i][0], pts[i][1], &x, &y);
        assert_true(fabs(x - g.q[2 * i]) < 1e-9);
        assert_true(fabs(y - g.q[2 * i + 1]) < 1e-9);
    }
    /* half-way along the top finders' row, the row bow (even part b0 plus barrel b1 at the
     * finders' row, sv = -1) moves the point by b0 - b1 modules, against the flat grid */
    struct qr_grid flat = g;
    memset(flat.bow, 0, sizeof(flat.bow));
    double x, y, fx, fy, dx, dy;
    qr_grid_map(&g, 20.5, 3.5, &x, &y);
    qr_grid_map(&flat, 20.5, 3.5 + (-(1.5 - -0.7)), &fx, &fy); /* qu = -1 half-way */
    dx = x - fx;
    dy = y - fy;
    assert_true(dx * dx + dy * dy < 1e-6);
}

static void test_tilted_code_redrawn_module_for_module(void **state)
{
    (void)state;
    const char *text = token_text();
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    assert_int_equal(qr->width, 41);
    enum { W = 400, H = 400 };
    uint8_t *pix = render(qr, W, H, 5.0, 20 * PI / 180, 0);
    struct qr_finder f[QR_MAX_FINDERS];
    int nf = qr_find_finders(pix, W, H, f, QR_MAX_FINDERS);
    struct qr_corners c[2];
    int nc = qr_unwarp_corners(pix, W, H, f, nf, 0, c, 2);
    assert_true(nc >= 1);
    assert_int_equal(c[0].version, 6);
    struct qr_grid g;
    assert_int_equal(qr_unwarp_fit(pix, W, H, &c[0], &g), 0);
    assert_int_equal(g.n, 41);
    assert_true(g.fit > 0.9);
    static uint8_t out[QR_UNWARP_MAX_SIDE * QR_UNWARP_MAX_SIDE];
    int side = qr_unwarp_render(pix, W, H, &g, out);
    assert_int_equal(side, (41 + 2 * QR_UNWARP_QUIET) * QR_UNWARP_SCALE);
    int wrong = 0;
    for (int v = 0; v < 41; v++) {
        for (int u = 0; u < 41; u++) {
            int x = (u + QR_UNWARP_QUIET) * QR_UNWARP_SCALE + 1;
            int y = (v + QR_UNWARP_QUIET) * QR_UNWARP_SCALE + 1;
            int dark = out[(size_t)y * side + x] < 128;
            wrong += dark != (qr->data[v * 41 + u] & 1);
        }
    }
    assert_int_equal(wrong, 0);
    free(pix);
    QRcode_free(qr);
}

static void test_bowed_code_read_by_warp(void **state)
{
    (void)state;
    const char *text = token_text();
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    enum { W = 480, H = 400 };
    struct borne_decoder *dec = warp_only();
    char got[256];
    size_t len = 0;
    /* rows bowed by up to 2 modules, either way, a little turned */
    static const double bows[4] = {1.2, -1.5, 2.0, -2.0};
    int plain = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t *pix = render(qr, W, H, 5.5, (i * 4 - 6) * PI / 180, bows[i]);
        borne_frame fr = {.luma = pix, .width = W, .height = H, .stride = W};
        plain += borne_decoder_plain(dec, &fr, got, sizeof(got), &len);
        assert_int_equal(borne_decoder_decode(dec, &fr, got, sizeof(got), &len), 1);
        assert_int_equal(len, strlen(text));
        assert_memory_equal(got, text, len);
        free(pix);
    }
    struct borne_decoder_stats st;
    borne_decoder_get_stats(dec, &st);
    assert_int_equal(st.hits[BORNE_PASS_WARP], 4);
    printf("bowed codes: WARP read 4/4, plain zbar %d/4\n", plain);
    borne_decoder_free(dec);
    QRcode_free(qr);
}

/* The corpus's curled and steeply tilted codes (6 scenes of each at 640x480 and at 1280x720),
 * WARP alone, within two frames. Measured when written: curled 11/12 (plain zbar 0/12), tilted
 * 10/12 (plain zbar 8/12). WARP alone runs no time-gated pass, so this is deterministic; the
 * floors keep a small margin. */
#define SEED        20261126u
#define SCENES      6
#define FLOOR_CURL  10 /* of 12 */
#define FLOOR_PERSP 8  /* of 12 */

static void test_corpus_curled_and_tilted(void **state)
{
    (void)state;
    static const int sizes[2][2] = {{640, 480}, {1280, 720}};
    static const enum corpus_kind kinds[2] = {CORPUS_CURLED, CORPUS_PERSPECTIVE};
    int read[2] = {0, 0}, plain[2] = {0, 0}, bad = 0;
    char text[512];
    size_t len = 0;
    for (int k = 0; k < 2; k++) {
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < SCENES; i++) {
                struct borne_decoder *dec = warp_only();
                int got_it = 0;
                for (int n = 0; n < 2 && !got_it; n++) {
                    struct corpus_frame fr;
                    assert_int_equal(
                        corpus_render(SEED, kinds[k], i, n, sizes[s][0], sizes[s][1], &fr), 0);
                    borne_frame bf = {
                        .luma = fr.luma, .width = fr.w, .height = fr.h, .stride = fr.w};
                    if (n == 0 && borne_decoder_plain(dec, &bf, text, sizeof(text), &len)) {
                        plain[k]++;
                    }
                    if (borne_decoder_decode(dec, &bf, text, sizeof(text), &len)) {
                        if (len == fr.len && memcmp(text, fr.text, len) == 0) {
                            got_it = 1;
                        } else {
                            bad++;
                        }
                    }
                    corpus_frame_clear(&fr);
                }
                read[k] += got_it;
                borne_decoder_free(dec);
            }
        }
    }
    printf("corpus, WARP alone within 2 frames: curled %d/%d (plain zbar %d), tilted %d/%d "
           "(plain zbar %d), misreads %d\n",
           read[0], 2 * SCENES, plain[0], read[1], 2 * SCENES, plain[1], bad);
    assert_int_equal(bad, 0);
    assert_true(read[0] >= FLOOR_CURL);
    assert_true(read[1] >= FLOOR_PERSP);
}

/* Where there is no code, WARP reads nothing: code-free corpus frames (badges without a code,
 * posters, floor tiles), sensor noise, a checkerboard, and finder-like squares with noise
 * between them (three finders and nothing readable). */
static void test_nothing_read_without_a_code(void **state)
{
    (void)state;
    struct borne_decoder *dec = warp_only();
    char text[512];
    size_t len = 0;
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < 8; i++) {
            struct corpus_frame fr;
            assert_int_equal(
                corpus_render(SEED, CORPUS_NONE, i, 0, s ? 1280 : 640, s ? 720 : 480, &fr), 0);
            borne_frame bf = {.luma = fr.luma, .width = fr.w, .height = fr.h, .stride = fr.w};
            assert_int_equal(borne_decoder_decode(dec, &bf, text, sizeof(text), &len), 0);
            corpus_frame_clear(&fr);
        }
    }
    enum { W = 320, H = 320 };
    uint8_t *pix = malloc((size_t)W * H);
    assert_non_null(pix);
    uint32_t r = 12345;
    for (int i = 0; i < W * H; i++) {
        r = r * 1103515245u + 12345u;
        pix[i] = (uint8_t)(r >> 24);
    }
    borne_frame bf = {.luma = pix, .width = W, .height = H, .stride = W};
    assert_int_equal(borne_decoder_decode(dec, &bf, text, sizeof(text), &len), 0);
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            pix[y * W + x] = ((x / 8 + y / 8) & 1) ? 220 : 30;
        }
    }
    assert_int_equal(borne_decoder_decode(dec, &bf, text, sizeof(text), &len), 0);
    /* three finder patterns of a 41-module code, 5 px a module, random modules elsewhere */
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int u = (x - 58) / 5, v = (y - 58) / 5;
            int level = 220;
            if (x >= 58 && y >= 58 && u < 41 && v < 41) {
                int fu = u < 7 ? u : (u >= 34 ? u - 34 : -1),
                    fv = v < 7 ? v : (v >= 34 ? v - 34 : -1);
                if (fu >= 0 && fv >= 0 && !(u >= 34 && v >= 34)) {
                    int ring = abs(fu - 3) > abs(fv - 3) ? abs(fu - 3) : abs(fv - 3);
                    level = ring == 2 ? 220 : 30;
                } else if (!(u < 8 && v < 8) && !(u >= 33 && v < 8) && !(u < 8 && v >= 33)) {
                    r = r * 1103515245u + 12345u;
                    level = (r >> 31) ? 30 : 220;
                }
            }
            pix[y * W + x] = (uint8_t)level;
        }
    }
    assert_int_equal(borne_decoder_decode(dec, &bf, text, sizeof(text), &len), 0);
    struct borne_decoder_stats st;
    borne_decoder_get_stats(dec, &st);
    assert_int_equal(st.found, 0);
    assert_true(st.runs[BORNE_PASS_WARP] >= 1); /* the finder squares did get a fit */
    free(pix);
    borne_decoder_free(dec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_keeps_finder_centres),
        cmocka_unit_test(test_tilted_code_redrawn_module_for_module),
        cmocka_unit_test(test_bowed_code_read_by_warp),
        cmocka_unit_test(test_corpus_curled_and_tilted),
        cmocka_unit_test(test_nothing_read_without_a_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
