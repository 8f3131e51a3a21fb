/* Tests of the kiosk: the scripted run renders every screen at 800x480 and 1920x1080 under
 * SDL's offscreen driver, and each PNG is checked (not blank, the result band in the outcome's
 * colour, words in the title area, the participant's QR code readable by the decoder); and
 * the USB export writes its files and manifest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <png.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "core/rules.h"
#include "kiosk/export.h"
#include "scan/decoder.h"
#include "support/fixture.h"
#include "ui/look.h"

extern char **environ;

typedef struct rgb_image {
    int w, h;
    uint8_t *px; /* w*h*3 */
} rgb_image;

static int load_rgb(const char *path, rgb_image *out)
{
    png_image img;
    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        return -1;
    }
    img.format = PNG_FORMAT_RGB;
    out->w = (int)img.width;
    out->h = (int)img.height;
    out->px = malloc(PNG_IMAGE_SIZE(img));
    if (!out->px || !png_image_finish_read(&img, NULL, out->px, 0, NULL)) {
        free(out->px);
        png_image_free(&img);
        return -1;
    }
    return 0;
}

static const uint8_t *pixel(const rgb_image *im, int x, int y)
{
    return im->px + ((size_t)y * (size_t)im->w + (size_t)x) * 3;
}

static bool same(const uint8_t *p, borne_rgb c, int tol)
{
    return abs(p[0] - c.r) <= tol && abs(p[1] - c.g) <= tol && abs(p[2] - c.b) <= tol;
}

/* Pixels in the rectangle that differ clearly from colour c (text, icons). */
static long differing(const rgb_image *im, int x0, int y0, int x1, int y1, borne_rgb c)
{
    long n = 0;
    for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
            n += !same(pixel(im, x, y), c, 40);
        }
    }
    return n;
}

static double luma_stddev(const rgb_image *im)
{
    double sum = 0, sq = 0;
    size_t n = (size_t)im->w * (size_t)im->h;
    for (size_t i = 0; i < n; i++) {
        double l = 0.3 * im->px[i * 3] + 0.59 * im->px[i * 3 + 1] + 0.11 * im->px[i * 3 + 2];
        sum += l;
        sq += l * l;
    }
    double mean = sum / (double)n;
    return __builtin_sqrt(sq / (double)n - mean * mean);
}

static int run_tour(const char *dir, const char *size)
{
    char exe[512];
    snprintf(exe, sizeof(exe), "%s/src/kiosk/borne", getenv("BORNE_BUILD_DIR"));
    char *argv[] = {exe, "--demo", "--screenshot-dir", (char *)dir, "--size", (char *)size, NULL};
    /* SDL's offscreen driver; sanitizer builds use the dummy one (also software rendering
     * into memory), because the offscreen driver loads Mesa's EGL, whose allocations are
     * unloaded before LeakSanitizer can name them (see tests/kiosk/CMakeLists.txt). */
    const char *driver = getenv("BORNE_TEST_VIDEODRIVER");
    setenv("SDL_VIDEODRIVER", driver && driver[0] ? driver : "offscreen", 1);
    setenv("SDL_RENDER_DRIVER", "software", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    pid_t pid;
    if (posix_spawn(&pid, exe, NULL, NULL, argv, environ) != 0) {
        return -1;
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool find_shot(const char *dir, const char *name, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d) {
        return false;
    }
    struct dirent *e;
    bool found = false;
    char want[128];
    snprintf(want, sizeof(want), "-%s.png", name);
    while ((e = readdir(d)) && !found) {
        size_t n = strlen(e->d_name), m = strlen(want);
        /* NN-name.png exactly: a two-digit prefix, then the name. */
        if (n == m + 2 && strcmp(e->d_name + 2, want) == 0) {
            snprintf(out, cap, "%s/%s", dir, e->d_name);
            found = true;
        }
    }
    closedir(d);
    return found;
}

static const char *const screens[] = {"waiting-camera",
                                      "waiting-scanner-only",
                                      "waiting-synced",
                                      "waiting-offline-untrusted-clock",
                                      "menu-sync-offline",
                                      "menu-sync-running",
                                      "menu-sync-done",
                                      "not-set-up-provisioning",
                                      "not-set-up-spent-code",
                                      "not-set-up-done",
                                      "menu-by-staff-code",
                                      "pin",
                                      "pin-wrong",
                                      "pin-locked",
                                      "menu",
                                      "search",
                                      "person",
                                      "show-qr",
                                      "person-not-registered",
                                      "person-admit-reasons",
                                      "result-admitted-by-staff",
                                      "walk-in-likely",
                                      "walk-in",
                                      "result-walk-in",
                                      "sessions",
                                      "counts",
                                      "recent",
                                      "export",
                                      "export-done",
                                      "about",
                                      "power",
                                      "en-waiting",
                                      "en-menu",
                                      "not-set-up",
                                      "trouble",
                                      "trouble-no-folder"};

static const borne_outcome demo_outcomes[] = {
    BORNE_OUTCOME_ACCEPTED_ENTRY,    BORNE_OUTCOME_REPEAT_SCAN,  BORNE_OUTCOME_NOT_REGISTERED,
    BORNE_OUTCOME_ALREADY_IN,        BORNE_OUTCOME_INVALID_CODE, BORNE_OUTCOME_REVOKED,
    BORNE_OUTCOME_SEE_DESK,          BORNE_OUTCOME_WRONG_EVENT,  BORNE_OUTCOME_ACCEPTED_EXIT,
    BORNE_OUTCOME_EXIT_WITHOUT_ENTRY};

static void check_size(int w, int h)
{
    char dir[300], size[32];
    char tmp[256];
    assert_int_equal(fixture_mkdtemp(tmp, sizeof(tmp)), 0);
    snprintf(dir, sizeof(dir), "%s/shots", tmp);
    snprintf(size, sizeof(size), "%dx%d", w, h);
    assert_int_equal(run_tour(dir, size), 0);
    char path[700];
    /* Every screen: the right size, not blank, words in the header or title area. */
    for (size_t i = 0; i < sizeof(screens) / sizeof(screens[0]); i++) {
        if (!find_shot(dir, screens[i], path, sizeof(path))) {
            fail_msg("no screenshot for %s at %s", screens[i], size);
        }
        rgb_image im;
        assert_int_equal(load_rgb(path, &im), 0);
        assert_int_equal(im.w, w);
        assert_int_equal(im.h, h);
        if (luma_stddev(&im) < 20.0) {
            fail_msg("%s looks blank", path);
        }
        /* The title area (top fifth): text pixels against the colour of its corner. */
        const uint8_t *bg = pixel(&im, w - 2, 2);
        borne_rgb head = {bg[0], bg[1], bg[2]};
        long text = differing(&im, 0, 0, w, h / 5, head);
        if (text < (long)w * h / 2000) {
            fail_msg("%s: no words in the title area (%ld pixels)", path, text);
        }
        free(im.px);
    }
    /* Results: the band in the outcome's class colour, the icon disc and words in it. */
    for (size_t i = 0; i < sizeof(demo_outcomes) / sizeof(demo_outcomes[0]); i++) {
        char name[96];
        snprintf(name, sizeof(name), "result-%s", borne_outcome_name(demo_outcomes[i]));
        if (!find_shot(dir, name, path, sizeof(path))) {
            fail_msg("no screenshot for %s at %s", name, size);
        }
        rgb_image im;
        assert_int_equal(load_rgb(path, &im), 0);
        borne_look look = borne_look_outcome(demo_outcomes[i], BORNE_ENTRY);
        assert_true(same(pixel(&im, w - 3, 3), look.band, 2));
        assert_true(same(pixel(&im, w - 3, h * 45 / 100), look.band, 2));
        /* Title words: ink-coloured pixels in the band's title area. */
        long ink = 0;
        for (int y = h * 5 / 100; y < h * 45 / 100; y++) {
            for (int x = w * 25 / 100; x < w * 95 / 100; x++) {
                ink += same(pixel(&im, x, y), look.ink, 60);
            }
        }
        if (ink < (long)w * h / 400) {
            fail_msg("%s: no title in the band (%ld pixels)", path, ink);
        }
        /* The icon's disc is ink-coloured at its centre-left. */
        long disc = differing(&im, 0, h * 10 / 100, w * 25 / 100, h * 45 / 100, look.band);
        assert_true(disc > (long)w * h / 100);
        free(im.px);
    }
    /* An exit that earns no hours (the demo's 50 minutes of a 90-minute session) is amber, not
     * the green of a full-credit exit. */
    if (!find_shot(dir, "result-accepted-exit-no-credit", path, sizeof(path))) {
        fail_msg("no screenshot of an exit without credit at %s", size);
    }
    {
        rgb_image im;
        assert_int_equal(load_rgb(path, &im), 0);
        borne_look amber = borne_look_class_look(BORNE_LOOK_ATTENTION);
        assert_true(same(pixel(&im, w - 3, 3), amber.band, 2));
        free(im.px);
    }
    /* The QR code shown to a participant is readable. */
    assert_true(find_shot(dir, "show-qr", path, sizeof(path)));
    rgb_image im;
    assert_int_equal(load_rgb(path, &im), 0);
    uint8_t *grey = malloc((size_t)w * (size_t)h);
    assert_non_null(grey);
    for (size_t p = 0; p < (size_t)w * (size_t)h; p++) {
        grey[p] =
            (uint8_t)((im.px[p * 3] * 30 + im.px[p * 3 + 1] * 59 + im.px[p * 3 + 2] * 11) / 100);
    }
    struct borne_decoder *dec = NULL;
    assert_int_equal(borne_decoder_new(&dec), BORNE_OK);
    borne_frame f = {grey, w, h, w, 0};
    char text[512];
    size_t len = 0;
    int found = 0;
    for (int pass = 0; pass < 4 && !found; pass++) {
        found = borne_decoder_decode(dec, &f, text, sizeof(text), &len);
    }
    assert_true(found);
    assert_true(strncmp(text, "BN1:", 4) == 0);
    borne_decoder_free(dec);
    free(grey);
    free(im.px);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

static void test_screens_800x480(void **state)
{
    (void)state;
    check_size(800, 480);
}

static void test_screens_1920x1080(void **state)
{
    (void)state;
    check_size(1920, 1080);
}

static void test_export(void **state)
{
    (void)state;
    fixture fx;
    assert_int_equal(fixture_open(&fx), 0);
    struct borne_export_request req = {0};
    snprintf(req.db_path, sizeof(req.db_path), "%s", fx.path);
    snprintf(req.kiosk_id, sizeof(req.kiosk_id), "borne-test");
    snprintf(req.target_dir, sizeof(req.target_dir), "%s", fx.dir);
    req.event_id = FIX_EVENT;
    req.now_s = FIX_A_START;
    struct borne_export_result res;
    borne_export_run(&req, &res);
    assert_int_equal(res.err, BORNE_OK);
    char path[800], line[256];
    snprintf(path, sizeof(path), "%s/manifest.txt", res.folder);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int files = 0;
    bool kiosk = false;
    while (fgets(line, sizeof(line), f)) {
        files += strncmp(line, "file: ", 6) == 0 && strstr(line, " sha256:") != NULL;
        kiosk |= strcmp(line, "kiosk: borne-test\n") == 0;
    }
    fclose(f);
    assert_int_equal(files, 2);
    assert_true(kiosk);
    struct stat st;
    snprintf(path, sizeof(path), "%s/checkins.csv", res.folder);
    assert_int_equal(stat(path, &st), 0);
    snprintf(path, sizeof(path), "%s/credits.csv", res.folder);
    assert_int_equal(stat(path, &st), 0);
    /* Exports never write outside the chosen folder: hostile kiosk ids are refused, and a
     * folder or link already standing where the export would go is never written through. */
    static const char *const hostile[] = {"../evil", "/etc", "a/b", "..", ".hidden", ""};
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        snprintf(req.kiosk_id, sizeof(req.kiosk_id), "%s", hostile[i]);
        borne_export_run(&req, &res);
        assert_int_equal(res.err, BORNE_ERR_INVALID);
    }
    snprintf(req.kiosk_id, sizeof(req.kiosk_id), "borne-test");
    char outside[700], planted[800];
    snprintf(outside, sizeof(outside), "%s/outside", fx.dir);
    assert_int_equal(mkdir(outside, 0755), 0);
    req.now_s = FIX_A_START + 3600; /* a new folder name */
    time_t t = (time_t)req.now_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    snprintf(planted, sizeof(planted), "%s/borne-borne-test-%s", fx.dir, stamp);
    assert_int_equal(symlink(outside, planted), 0);
    borne_export_run(&req, &res);
    assert_int_equal(res.err, BORNE_ERR_EXISTS);
    snprintf(path, sizeof(path), "%s/manifest.txt", outside);
    assert_int_not_equal(stat(path, &st), 0);
    /* No stick: a clear "not found". */
    FILE *m = fopen("/dev/null", "r");
    fclose(m);
    char usb[64];
    assert_int_equal(borne_export_find_usb("/dev/null", usb, sizeof(usb)), BORNE_ERR_NOT_FOUND);
    char cmd[900];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'/borne-borne-test-*", fx.dir);
    assert_int_equal(system(cmd), 0);
    fixture_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export),
        cmocka_unit_test(test_screens_800x480),
        cmocka_unit_test(test_screens_1920x1080),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
