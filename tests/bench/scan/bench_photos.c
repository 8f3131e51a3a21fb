/* Benchmark of still-image reading: Borne's decoder (still-image mode, as `bornectl decode` runs
 * it), plain zbar and, when built with it, zxing-cpp, side by side in one run, over
 *   (a) the project's generated corpus (tests/scan/corpus.c: one frame per scene, every kind), and
 *   (b) directories of sample images with expected texts, in zxing-cpp's layout: NAME.png|jpg
 *       with NAME.txt beside it (each DIR is a set; a DIR without images is a parent whose
 *       subdirectories are the sets, e.g. zxing-cpp's test/samples with qrcode-1 ... qrcode-6).
 * It prints per set the codes read (exact text), misreads (a text that is not the expected one)
 * and the time per image (median, mean). Images the loader cannot read (e.g. WebP) are counted
 * as skipped. Numbers are printed, never asserted.
 *
 * Usage: bench_photos [--scenes N] [--seed S] [--no-corpus] [--missed] [DIR...]
 *        (DIR defaults to $BORNE_QR_SAMPLES; without either, set (b) is skipped with a message;
 *        --missed lists the images Borne did not read, with what the others read)
 *
 * Texts: Borne and zbar return a code's bytes (binary mode); zxing-cpp returns UTF-8 converted
 * from the code's character set. A byte payload that is not UTF-8 is compared after conversion
 * from Shift_JIS (CP932: 0x5C is a backslash), then ISO-8859-1 (the samples' character sets). */
#include <dirent.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "scan/corpus.h"
#include "scan/decoder.h"
#include "scan/image.h"
#include "support/measure.h"
#ifdef BENCH_ZXING
#include "zxing_read.h"
#endif

#define MAX_TEXT 8192

enum reader { R_BORNE, R_ZBAR, R_ZXING, R__COUNT };
static const char *const reader_names[R__COUNT] = {"Borne", "zbar", "zxing-cpp"};
#ifdef BENCH_ZXING
#define NREADERS 3
#else
#define NREADERS 2
#endif

struct tally {
    int images, skipped, read[R__COUNT], misread[R__COUNT];
    samples t[R__COUNT];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = p[i] < 0x80             ? 0
                   : (p[i] & 0xe0) == 0xc0 ? 1
                   : (p[i] & 0xf0) == 0xe0 ? 2
                   : (p[i] & 0xf8) == 0xf0 ? 3
                                           : 9;
        if (k == 9 || i + k >= n + (k == 0)) {
            return 0;
        }
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (p[i + j] & 0xc0) != 0x80) {
                return 0;
            }
        }
        i += k + 1;
    }
    return 1;
}

/* 1 when the bytes read are the expected text, directly or in a character set converted. */
static int same_text(const char *got, size_t n, const char *want, size_t wn)
{
    if (n == wn && memcmp(got, want, n) == 0) {
        return 1;
    }
    if (valid_utf8(got, n)) {
        return 0;
    }
    static const char *const sets[] = {"CP932", "ISO-8859-1"};
    for (size_t s = 0; s < 2; s++) {
        iconv_t cd = iconv_open("UTF-8", sets[s]);
        if (cd == (iconv_t)-1) {
            continue;
        }
        char out[4 * MAX_TEXT], *op = out, *ip = (char *)got;
        size_t il = n, ol = sizeof(out);
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        iconv_close(cd);
        if (r != (size_t)-1 && (size_t)(op - out) == wn && memcmp(out, want, wn) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Runs every reader on one image; counts reads and misreads. Returns a bit set: bit r when reader
 * r read the expected text, bit 4 + r when it read another. */
static unsigned run_all(struct borne_decoder *plain, const borne_frame *f, const char *want,
                        size_t wn, struct tally *t)
{
    static char text[MAX_TEXT + 1];
    unsigned ok = 0;
    t->images++;
    for (int r = 0; r < NREADERS; r++) {
        size_t len = 0;
        int got = 0;
        uint64_t t0 = now_ns();
        if (r == R_BORNE) {
            /* as bornectl decode: a fresh decoder, no budget, still-image mode */
            struct borne_decoder *dec;
            if (borne_decoder_new(&dec)) {
                exit(1);
            }
            borne_decoder_set_budget(dec, 0);
            borne_decoder_set_still(dec, 1);
            got = borne_decoder_decode(dec, f, text, sizeof(text), &len);
            borne_decoder_free(dec);
        } else if (r == R_ZBAR) {
            got = borne_decoder_plain(plain, f, text, sizeof(text), &len);
        }
#ifdef BENCH_ZXING
        else {
            got = bench_zxing_read(f->luma, f->width, f->height, text, sizeof(text), &len);
        }
#endif
        samples_add(&t->t[r], now_ns() - t0);
        if (!got) {
            continue;
        }
        if (same_text(text, len, want, wn)) {
            t->read[r]++;
            ok |= 1u << r;
        } else {
            t->misread[r]++;
            ok |= 16u << r;
        }
    }
    return ok;
}

static void print_head(void)
{
    printf("%-22s %7s", "set", "images");
    for (int r = 0; r < NREADERS; r++) {
        printf(" | %-9s %5s %4s %8s", reader_names[r], "read", "mis", "ms/img");
    }
    printf("\n");
}

static void print_row(const char *name, struct tally *t)
{
    printf("%-22s %7d", name, t->images);
    for (int r = 0; r < NREADERS; r++) {
        double mean = 0;
        for (size_t i = 0; i < t->t[r].n; i++) {
            mean += (double)t->t[r].v[i] / 1e6;
        }
        mean = t->t[r].n ? mean / (double)t->t[r].n : 0;
        printf(" | %-9s %5d %4d %4.1f/%-4.1f", "", t->read[r], t->misread[r],
               samples_pct_ms(&t->t[r], 0.5), mean);
    }
    if (t->skipped) {
        printf("  (%d skipped: no loader)", t->skipped);
    }
    printf("\n");
}

static void add_tally(struct tally *sum, struct tally *t)
{
    sum->images += t->images;
    sum->skipped += t->skipped;
    for (int r = 0; r < R__COUNT; r++) {
        sum->read[r] += t->read[r];
        sum->misread[r] += t->misread[r];
        for (size_t i = 0; i < t->t[r].n; i++) {
            samples_add(&sum->t[r], t->t[r].v[i]);
        }
    }
}

static void free_tally(struct tally *t)
{
    for (int r = 0; r < R__COUNT; r++) {
        free(t->t[r].v);
    }
}

static int is_image(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcmp(dot, ".png") == 0 || strcmp(dot, ".jpg") == 0 ||
                   strcmp(dot, ".jpeg") == 0 || strcmp(dot, ".webp") == 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of dir (images only, or directories only). */
static char **list_dir(const char *dir, int dirs, int *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        return NULL;
    }
    char **v = NULL;
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) || (dirs ? !S_ISDIR(st.st_mode) : !is_image(e->d_name))) {
            continue;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            v = realloc(v, (size_t)cap * sizeof(*v));
        }
        v[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (v) {
        qsort(v, (size_t)*n, sizeof(*v), cmp_str);
    }
    return v;
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    char *buf = malloc(MAX_TEXT + 1);
    *n = fread(buf, 1, MAX_TEXT, f);
    fclose(f);
    buf[*n] = '\0';
    return buf;
}

/* One set: every image with its NAME.txt. Returns 0, or -1 when the directory has no image. */
static int run_set(const char *dir, const char *name, struct borne_decoder *plain, int missed,
                   struct tally *sum)
{
    int n;
    char **imgs = list_dir(dir, 0, &n);
    if (!n) {
        free(imgs);
        return -1;
    }
    struct tally t = {0};
    for (int i = 0; i < n; i++) {
        char path[4096], txt[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, imgs[i]);
        snprintf(txt, sizeof(txt), "%s/%.*s.txt", dir, (int)(strrchr(imgs[i], '.') - imgs[i]),
                 imgs[i]);
        size_t wn;
        char *want = read_file(txt, &wn);
        if (!want) {
            free(imgs[i]);
            continue; /* no expected text: not a sample */
        }
        borne_image img;
        if (borne_image_load(path, &img)) {
            t.skipped++;
        } else {
            borne_frame f = borne_image_frame(&img);
            unsigned ok = run_all(plain, &f, want, wn, &t);
            if (missed && !(ok & 1u)) {
                printf("  %s by Borne: %s (%dx%d)%s%s\n", ok & 16u ? "MISREAD" : "missed", path,
                       img.width, img.height, ok & 2u ? ", read by zbar" : "",
                       ok & 4u ? ", read by zxing-cpp" : "");
            }
            borne_image_clear(&img);
        }
        free(want);
        free(imgs[i]);
    }
    free(imgs);
    print_row(name, &t);
    add_tally(sum, &t);
    free_tally(&t);
    return 0;
}

static void run_dir(const char *dir, struct borne_decoder *plain, int missed, struct tally *sum)
{
    const char *base = strrchr(dir, '/');
    base = base && base[1] ? base + 1 : dir;
    if (run_set(dir, base, plain, missed, sum) == 0) {
        return;
    }
    int n;
    char **subs = list_dir(dir, 1, &n);
    if (!n) {
        printf("%s: no images (NAME.png|jpg with NAME.txt) and no subdirectories\n", dir);
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
        run_set(path, subs[i], plain, missed, sum);
        free(subs[i]);
    }
    free(subs);
}

int main(int argc, char **argv)
{
    int scenes = 10, corpus = 1, missed = 0, ndirs = 0;
    uint64_t seed = 20261126;
    const char *dirs[64];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--scenes") == 0 && i + 1 < argc) {
            scenes = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--no-corpus") == 0) {
            corpus = 0;
        } else if (strcmp(argv[i], "--missed") == 0) {
            missed = 1;
        } else if (argv[i][0] != '-' && ndirs < 64) {
            dirs[ndirs++] = argv[i];
        } else {
            fprintf(stderr, "usage: bench_photos [--scenes N] [--seed S] [--no-corpus] [--missed] "
                            "[DIR...]\n");
            return 2;
        }
    }
    if (!ndirs && getenv("BORNE_QR_SAMPLES")) {
        dirs[ndirs++] = getenv("BORNE_QR_SAMPLES");
    }
    struct borne_decoder *plain;
    if (borne_decoder_new(&plain)) {
        return 1;
    }
#ifndef BENCH_ZXING
    printf("zxing-cpp: not built in (libzxing-dev not found by pkg-config): two readers only\n");
#endif
    printf("read = exact expected text; mis = a different text; ms/img = median/mean per image\n");
    if (corpus) {
        printf("\n(a) generated corpus: %d scenes a kind, first frame, 1280x720 and 640x480, "
               "seed %llu\n",
               scenes, (unsigned long long)seed);
        print_head();
        struct tally all = {0};
        static const int sizes[2][2] = {{1280, 720}, {640, 480}};
        for (int k = 0; k < CORPUS_NONE; k++) {
            struct tally t = {0};
            for (int s = 0; s < 2; s++) {
                for (int i = 0; i < scenes; i++) {
                    struct corpus_frame cf;
                    if (corpus_render(seed, (enum corpus_kind)k, i, 0, sizes[s][0], sizes[s][1],
                                      &cf)) {
                        return 1;
                    }
                    borne_frame f = {
                        .luma = cf.luma, .width = cf.w, .height = cf.h, .stride = cf.w};
                    run_all(plain, &f, cf.text, cf.len, &t);
                    corpus_frame_clear(&cf);
                }
            }
            print_row(corpus_kind_name((enum corpus_kind)k), &t);
            add_tally(&all, &t);
            free_tally(&t);
        }
        print_row("all codes", &all);
        free_tally(&all);
    }
    printf("\n(b) sample images\n");
    if (!ndirs) {
        printf("skipped: no sample directory given (bench_photos DIR, or BORNE_QR_SAMPLES); "
               "docs/decoder.md says how to fetch zxing-cpp's test samples\n");
    } else {
        print_head();
        struct tally all = {0};
        for (int i = 0; i < ndirs; i++) {
            run_dir(dirs[i], plain, missed, &all);
        }
        print_row("all sets", &all);
        free_tally(&all);
    }
    borne_decoder_free(plain);
    return 0;
}
