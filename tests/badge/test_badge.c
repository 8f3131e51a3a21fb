/* Tests of badge/badge: PNGs decode back to their token, long text never reaches the cut
 * margin, PDF sheets have the right pages, and bad input fails cleanly without leaving files.
 * The files are kept in $BORNE_BUILD_DIR/test-badge-out/ for a human look. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cmocka.h>
#include <dirent.h>
#include <fontconfig/fontconfig.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badge/badge.h"
#include "decode.h"

#define NAME_HELENE "H\xc3\xa9l\xc3\xa8ne Tremblay-L\xc3\xa9vesque"
#define LONG_NAME                                                                                  \
    "Marie-\xc3\x88ve-Ang\xc3\xa9lique de la Fontaine-Beauchemin-Bouchard-"                        \
    "Saint-Pierre"
#define LONG_ORG                                                                                   \
    "Municipalit\xc3\xa9 r\xc3\xa9gionale de comt\xc3\xa9 de la Vall\xc3\xa9"                      \
    "e-de-la-Gatineau, service du greffe et des affaires juridiques"
#define EVENT                                                                                      \
    "Congr\xc3\xa8s COMAQ 2025 \xe2\x80\x94 Qu\xc3\xa9"                                            \
    "bec"

struct ctx {
    char dir[512];
    char token[200];
};

static int setup(void **state)
{
    static struct ctx c;
    const char *build = getenv("BORNE_BUILD_DIR");
    snprintf(c.dir, sizeof c.dir, "%s/test-badge-out", build != NULL ? build : "/tmp");
    mkdir(c.dir, 0700);
    test_make_token(c.token, 126, 7);
    *state = &c;
    return 0;
}

static void path_of(const struct ctx *c, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", c->dir, name);
}

static struct borne_badge_info helene(const struct ctx *c)
{
    return (struct borne_badge_info){
        .display_name = NAME_HELENE,
        .organisation = "Ville de Trois-Rivi\xc3\xa8res",
        .event_name = EVENT,
        .token = c->token,
        .participant_ref = "P-000123",
    };
}

/* Counts pixels darker than mid-grey within `margin` pixels of the image edges. */
static long ink_in_margin(const char *path, int margin)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    long ink = 0;
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * stride);
        for (int x = 0; x < w; x++) {
            if (x >= margin && x < w - margin && y >= margin && y < h - margin) {
                continue;
            }
            if (((row[x] >> 8) & 0xff) < 128) {
                ink++;
            }
        }
    }
    cairo_surface_destroy(s);
    return ink;
}

/* Nothing named "<base>.XXXXXX" (a temporary file) is left in the folder. */
static void assert_no_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *dot = strrchr(e->d_name, '.');
        if (dot != NULL && strlen(dot) == 7 && strcmp(dot, ".pdf") != 0 &&
            strcmp(dot, ".png") != 0) {
            fail_msg("temporary file left behind: %s", e->d_name);
        }
    }
    closedir(d);
}

static void test_png_decodes(void **state)
{
    struct ctx *c = *state;
    char path[600];
    path_of(c, "helene.png", path, sizeof path);
    struct borne_badge_info b = helene(c);
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_OK);

    char out[256];
    int w = 0, h = 0;
    assert_int_equal(test_decode_png(path, &w, &h, out, sizeof out), (long)strlen(c->token));
    assert_string_equal(out, c->token);
    assert_int_equal(w, BORNE_BADGE_PNG_WIDTH);
    assert_int_equal(h, BORNE_BADGE_PNG_HEIGHT);
    /* 4 mm along every edge stays blank for cutting and the holder's pocket. */
    assert_int_equal(ink_in_margin(path, 47), 0);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* Writing again replaces the file. */
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_OK);
    assert_no_temp_files(c->dir);
}

static void test_long_text_fits(void **state)
{
    struct ctx *c = *state;
    struct {
        const char *file;
        const char *name;
    } cases[] = {
        {"long-name.png", LONG_NAME},
        {"one-word.png", "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"},
        {"w-name.png", "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"},
        {"short.png", "Li"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[600];
        path_of(c, cases[i].file, path, sizeof path);
        struct borne_badge_info b = helene(c);
        b.display_name = cases[i].name;
        b.organisation = LONG_ORG;
        b.event_name = LONG_ORG;
        assert_int_equal(borne_badge_write_png(&b, path), BORNE_OK);
        char out[256];
        int w, h;
        assert_int_equal(test_decode_png(path, &w, &h, out, sizeof out), (long)strlen(c->token));
        assert_string_equal(out, c->token);
        assert_int_equal(ink_in_margin(path, 47), 0);
    }
}

static void test_optional_fields(void **state)
{
    struct ctx *c = *state;
    char path[600];
    path_of(c, "minimal.png", path, sizeof path);
    struct borne_badge_info b = {.display_name = "Jo", .token = "BN1:X"};
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_OK);
    char out[64];
    int w, h;
    assert_int_equal(test_decode_png(path, &w, &h, out, sizeof out), 5);
    assert_string_equal(out, "BN1:X");
}

/* Reads a whole (small) file into a NUL-terminated buffer the caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static size_t count_occurrences(const char *buf, size_t len, const char *needle, char not_next)
{
    size_t n = strlen(needle), count = 0;
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(buf + i, needle, n) == 0 && (i + n == len || buf[i + n] != not_next)) {
            count++;
        }
    }
    return count;
}

static void write_sheet(struct ctx *c, const char *file, size_t count, enum borne_paper paper,
                        char *path, size_t cap)
{
    struct borne_badge_info b[13];
    char tokens[13][200];
    assert_true(count <= 13);
    for (size_t i = 0; i < count; i++) {
        test_make_token(tokens[i], 126, (unsigned)i + 100);
        b[i] = helene(c);
        b[i].token = tokens[i];
    }
    if (count > 1) {
        b[1].display_name = LONG_NAME;
        b[1].organisation = LONG_ORG;
    }
    if (count > 2) {
        b[2].organisation = NULL;
        b[2].participant_ref = NULL;
        b[2].display_name = "Jean Roy";
    }
    path_of(c, file, path, cap);
    assert_int_equal(borne_badge_write_pdf(b, count, paper, path), BORNE_OK);
}

static void test_pdf_pages(void **state)
{
    struct ctx *c = *state;
    const struct {
        size_t badges;
        size_t pages;
        enum borne_paper paper;
        const char *media;
    } cases[] = {
        {9, 2, BORNE_PAPER_LETTER, "/MediaBox [ 0 0 612 792 ]"},
        {9, 2, BORNE_PAPER_A4, "/MediaBox [ 0 0 595.27"},
        {1, 1, BORNE_PAPER_A4, "/MediaBox [ 0 0 595.27"},
        {6, 1, BORNE_PAPER_LETTER, "/MediaBox [ 0 0 612 792 ]"},
        {7, 2, BORNE_PAPER_LETTER, "/MediaBox [ 0 0 612 792 ]"},
        {13, 3, BORNE_PAPER_A4, "/MediaBox [ 0 0 595.27"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[64], path[600];
        snprintf(name, sizeof name, "sheet-%zu-%s.pdf", cases[i].badges,
                 cases[i].paper == BORNE_PAPER_A4 ? "a4" : "letter");
        write_sheet(c, name, cases[i].badges, cases[i].paper, path, sizeof path);
        assert_int_equal(borne_badge_page_count(cases[i].badges), cases[i].pages);
        size_t len;
        char *pdf = slurp(path, &len);
        assert_memory_equal(pdf, "%PDF-1.", 7);
        assert_non_null(strstr(pdf + len - 8, "%%EOF"));
        assert_int_equal(count_occurrences(pdf, len, "/Type /Page", 's'), cases[i].pages);
        assert_int_equal(count_occurrences(pdf, len, cases[i].media, '\0'), cases[i].pages);
        /* the font fontconfig must find, embedded */
        assert_true(count_occurrences(pdf, len, "+DejaVuSans-Bold", '\0') > 0);
        free(pdf);
    }
    assert_no_temp_files(c->dir);
}

/* With poppler's pdftotext at hand, the accented name must come back as text. */
static void test_pdf_text_has_accents(void **state)
{
    struct ctx *c = *state;
    if (system("command -v pdftotext >/dev/null 2>&1") != 0) {
        skip();
    }
    char path[600], cmd[1400], txt[700];
    write_sheet(c, "accents.pdf", 3, BORNE_PAPER_LETTER, path, sizeof path);
    snprintf(txt, sizeof txt, "%s.txt", path);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' '%s'", path, txt);
    assert_int_equal(system(cmd), 0);
    size_t len;
    char *text = slurp(txt, &len);
    assert_non_null(strstr(text, "H\xc3\xa9l\xc3\xa8ne"));
    /* pdftotext joins "Tremblay-" / "Lévesque" when the name wraps after the hyphen */
    assert_non_null(strstr(text, "L\xc3\xa9vesque"));
    assert_non_null(strstr(text, "Trois-Rivi\xc3\xa8res"));
    /* A long organisation beside the QR code wraps (three lines) rather than being cut with
     * an ellipsis: its last words are printed, and no "…" anywhere. */
    assert_non_null(strstr(text, "affaires juridiques"));
    assert_null(strstr(text, "\xe2\x80\xa6"));
    free(text);
    unlink(txt);
}

static void test_bad_input(void **state)
{
    struct ctx *c = *state;
    char path[600];
    path_of(c, "bad.png", path, sizeof path);
    unlink(path);
    struct borne_badge_info b = helene(c);

    b.token = NULL;
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_INVALID);
    b.token = "";
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_INVALID);
    b = helene(c);
    b.display_name = "";
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_INVALID);
    b.display_name = "   ";
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_INVALID);
    b.display_name = NULL;
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_INVALID);
    b.display_name = "H\xe9l\xe8ne"; /* Latin-1, not UTF-8 */
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_INVALID);
    b.display_name = "Jean\nRoy";
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_INVALID);
    b.display_name = "\xc3\xa9t\xc3"; /* truncated sequence */
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_INVALID);

    char big[BORNE_BADGE_MAX_TEXT + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    b = helene(c);
    b.organisation = big;
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_TOO_LARGE);
    /* A token that would need a QR code too dense to scan from a badge. */
    char dense[BORNE_BADGE_MAX_TOKEN + 1];
    memset(dense, 'x', sizeof dense - 1);
    dense[sizeof dense - 1] = '\0';
    b = helene(c);
    b.token = dense;
    assert_int_equal(borne_badge_check(&b), BORNE_ERR_TOO_LARGE);
    assert_int_equal(borne_badge_write_png(&b, path), BORNE_ERR_TOO_LARGE);
    assert_int_equal(access(path, F_OK), -1); /* nothing written */

    b = helene(c);
    assert_int_equal(borne_badge_check(&b), BORNE_OK);
    assert_int_equal(borne_badge_check(NULL), BORNE_ERR_INVALID);
    assert_int_equal(borne_badge_write_png(&b, NULL), BORNE_ERR_INVALID);
    assert_int_equal(borne_badge_write_png(&b, ""), BORNE_ERR_INVALID);
    assert_int_equal(borne_badge_write_png(NULL, path), BORNE_ERR_INVALID);
    assert_int_equal(borne_badge_write_png(&b, "/nonexistent-borne-dir/b.png"),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_badge_write_pdf(&b, 1, BORNE_PAPER_A4, "/nonexistent-borne-dir/b.pdf"),
                     BORNE_ERR_NOT_FOUND);

    /* A folder we may not write to: chmod works for ordinary users; root writes anywhere,
     * so it tries /sys, where even root may not create files. */
    char ro[600], ro_file[700];
    path_of(c, "read-only", ro, sizeof ro);
    mkdir(ro, 0700);
    chmod(ro, 0500);
    snprintf(ro_file, sizeof ro_file, "%s/b.png", ro);
    if (geteuid() != 0) {
        assert_int_equal(borne_badge_write_png(&b, ro_file), BORNE_ERR_PERM);
    } else {
        borne_err err = borne_badge_write_png(&b, "/sys/borne-badge-test.png");
        assert_true(err == BORNE_ERR_PERM || err == BORNE_ERR_NOT_FOUND);
    }
    chmod(ro, 0700);

    /* PDF: the whole batch is checked before any file is created. */
    struct borne_badge_info sheet[3] = {helene(c), helene(c), helene(c)};
    sheet[2].token = NULL;
    path_of(c, "bad.pdf", path, sizeof path);
    unlink(path);
    assert_int_equal(borne_badge_write_pdf(sheet, 3, BORNE_PAPER_A4, path), BORNE_ERR_INVALID);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(borne_badge_write_pdf(sheet, 0, BORNE_PAPER_A4, path), BORNE_ERR_INVALID);
    assert_int_equal(borne_badge_write_pdf(NULL, 1, BORNE_PAPER_A4, path), BORNE_ERR_INVALID);
    assert_int_equal(borne_badge_write_pdf(sheet, 1, (enum borne_paper)7, path), BORNE_ERR_INVALID);
    assert_int_equal(borne_badge_write_pdf(sheet, BORNE_BADGE_MAX_COUNT + 1, BORNE_PAPER_A4, path),
                     BORNE_ERR_TOO_LARGE);
    assert_int_equal(access(path, F_OK), -1);
    assert_no_temp_files(c->dir);
}

/* Releases cairo's and fontconfig's caches so LeakSanitizer sees only real leaks, not fontconfig
 * patterns that the caches still hold at exit. */
static int teardown(void **state)
{
    (void)state;
    cairo_debug_reset_static_data();
    FcFini();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_decodes),          cmocka_unit_test(test_long_text_fits),
        cmocka_unit_test(test_optional_fields),      cmocka_unit_test(test_pdf_pages),
        cmocka_unit_test(test_pdf_text_has_accents), cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
