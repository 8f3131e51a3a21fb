/* Benchmark of the QR decoder on the generated corpus: plain zbar against Borne's decoder.
 *
 * For every degradation kind and both frame sizes it renders N scenes of two successive video
 * frames each, then prints decode rates (Borne: read on the first frame, and within two frames),
 * misreads, false positives on code-free frames, per-frame time (median, p99) at each size, and an
 * ablation (the strategy with one pass disabled) to show what each step buys.
 *
 * Usage: bench_decoder [--scenes N] [--seed S] [--dump DIR] [--dump-missed DIR] [--kind NAME]
 *                      [--size 1280x720|640x480] [--no-ablation]
 * (--dump saves the first frame of the first 3 scenes of each kind as PNG; --dump-missed saves the
 * first frame of every scene the full strategy did not read within two frames; --kind runs one
 * degradation kind only and --size one frame size, for working on them)
 * Numbers are printed, never asserted. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scan/corpus.h"
#include "scan/decoder.h"
#include "scan/image.h"
#include "support/measure.h"

#define FRAMES_PER_SCENE 2
#define NCONF            7

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Counters for one decoder configuration over one kind. */
struct tally {
    int scenes, read1, read2, misread, false_pos;
};

static const char *const conf_names[NCONF] = {"full strategy",    "without ROI",  "without HALF",
                                              "without HALF_INV", "without FULL", "without DENSE",
                                              "without WARP"};
static const unsigned conf_masks[NCONF] = {0,
                                           1u << BORNE_PASS_ROI,
                                           1u << BORNE_PASS_HALF,
                                           1u << BORNE_PASS_HALF_INV,
                                           1u << BORNE_PASS_FULL,
                                           1u << BORNE_PASS_DENSE,
                                           1u << BORNE_PASS_WARP};

static int check(const struct corpus_frame *f, int got, const char *text, size_t len,
                 struct tally *t)
{
    if (!got) {
        return 0;
    }
    if (!f->has_code) {
        t->false_pos++;
        return 0;
    }
    if (len != f->len || memcmp(text, f->text, len) != 0) {
        t->misread++;
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    int scenes = 30, nconf = NCONF;
    uint64_t seed = 20261126;
    const char *dump = NULL, *dump_missed = NULL;
    int only_kind = -1, only_size = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--scenes") == 0 && i + 1 < argc) {
            scenes = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--no-ablation") == 0) {
            nconf = 1;
        } else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) {
            dump = argv[++i];
        } else if (strcmp(argv[i], "--dump-missed") == 0 && i + 1 < argc) {
            dump_missed = argv[++i];
        } else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
            const char *size = argv[++i];
            only_size = strcmp(size, "1280x720") == 0 ? 0 : (strcmp(size, "640x480") == 0 ? 1 : -2);
            if (only_size < 0) {
                fprintf(stderr, "size is 1280x720 or 640x480\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
            const char *name = argv[++i];
            for (int k = 0; k < CORPUS__COUNT; k++) {
                if (strcmp(name, corpus_kind_name((enum corpus_kind)k)) == 0) {
                    only_kind = k;
                }
            }
            if (only_kind < 0) {
                fprintf(stderr, "unknown kind: %s\n", name);
                return 2;
            }
        } else {
            fprintf(stderr,
                    "usage: %s [--scenes N] [--seed S] [--dump DIR] [--dump-missed DIR] "
                    "[--kind NAME] [--size WxH] [--no-ablation]\n",
                    argv[0]);
            return 2;
        }
    }
    static const int sizes[2][2] = {{1280, 720}, {640, 480}};
    struct borne_decoder *dec[NCONF];
    for (int c = 0; c < NCONF; c++) {
        if (borne_decoder_new(&dec[c])) {
            return 1;
        }
        borne_decoder_set_disabled(dec[c], conf_masks[c]);
    }
    struct tally plain_tot = {0}, tot[NCONF];
    memset(tot, 0, sizeof(tot));
    samples t_plain[2] = {{0}}, t_borne[2] = {{0}}, t_plain_code[2] = {{0}},
            t_borne_code[2] = {{0}};
    struct tally per_kind_plain[CORPUS__COUNT], per_kind[NCONF][CORPUS__COUNT];
    memset(per_kind_plain, 0, sizeof(per_kind_plain));
    memset(per_kind, 0, sizeof(per_kind));
    char text[512];
    size_t len = 0;

    printf("Borne QR decoder benchmark: seed %" PRIu64 ", %d scenes x %d frames per kind and "
           "size, sizes 1280x720 and 640x480\n\n",
           seed, scenes, FRAMES_PER_SCENE);
    for (int s = 0; s < 2; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        if (only_size >= 0 && s != only_size) {
            continue;
        }
        for (int k = 0; k < CORPUS__COUNT; k++) {
            if (only_kind >= 0 && k != only_kind) {
                continue;
            }
            for (int i = 0; i < scenes; i++) {
                struct corpus_frame fr[FRAMES_PER_SCENE];
                for (int n = 0; n < FRAMES_PER_SCENE; n++) {
                    if (corpus_render(seed, (enum corpus_kind)k, i, n, w, h, &fr[n])) {
                        fprintf(stderr, "out of memory\n");
                        return 1;
                    }
                }
                if (dump && i < 3) {
                    char path[1024];
                    snprintf(path, sizeof(path), "%s/%dx%d-%s-%02d.png", dump, w, h,
                             corpus_kind_name((enum corpus_kind)k), i);
                    borne_image_save_png(path, fr[0].luma, w, h, w);
                }
                /* plain zbar: one scan of the first frame */
                borne_frame bf = {.luma = fr[0].luma, .width = w, .height = h, .stride = w};
                uint64_t t0 = now_ns();
                int got = borne_decoder_plain(dec[0], &bf, text, sizeof(text), &len);
                uint64_t dt = now_ns() - t0;
                samples_add(&t_plain[s], dt);
                if (fr[0].has_code) {
                    samples_add(&t_plain_code[s], dt);
                }
                struct tally *pk = &per_kind_plain[k];
                pk->scenes++;
                if (check(&fr[0], got, text, len, pk)) {
                    pk->read1++;
                    pk->read2++;
                }
                /* Borne: successive frames until read */
                for (int c = 0; c < nconf; c++) {
                    struct tally *t = &per_kind[c][k];
                    t->scenes++;
                    int read_before = t->read2;
                    for (int n = 0; n < FRAMES_PER_SCENE; n++) {
                        bf.luma = fr[n].luma;
                        t0 = now_ns();
                        got = borne_decoder_decode(dec[c], &bf, text, sizeof(text), &len);
                        dt = now_ns() - t0;
                        if (c == 0) {
                            samples_add(&t_borne[s], dt);
                            if (fr[n].has_code) {
                                samples_add(&t_borne_code[s], dt);
                            }
                        }
                        if (check(&fr[n], got, text, len, t)) {
                            if (n == 0) {
                                t->read1++;
                            }
                            t->read2++;
                            break;
                        }
                    }
                    if (c == 0 && dump_missed && fr[0].has_code && t->read2 == read_before) {
                        char path[1024];
                        snprintf(path, sizeof(path), "%s/%dx%d-%s-%02d.png", dump_missed, w, h,
                                 corpus_kind_name((enum corpus_kind)k), i);
                        borne_image_save_png(path, fr[0].luma, w, h, w);
                    }
                }
                for (int n = 0; n < FRAMES_PER_SCENE; n++) {
                    corpus_frame_clear(&fr[n]);
                }
            }
        }
    }

    printf("%-13s | %-18s | %-30s\n", "kind", "plain zbar", "Borne decoder");
    printf("%-13s | %6s %5s %5s | %6s %6s %5s %5s\n", "", "read", "misrd", "FP", "frame1", "2 frm",
           "misrd", "FP");
    for (int k = 0; k < CORPUS__COUNT; k++) {
        struct tally *p = &per_kind_plain[k], *b = &per_kind[0][k];
        if (p->scenes == 0) {
            continue; /* not run (--kind) */
        }
        if (k == CORPUS_NONE) {
            printf("%-13s | %6s %5d %5d | %6s %6s %5d %5d\n", corpus_kind_name(k), "-", p->misread,
                   p->false_pos, "-", "-", b->misread, b->false_pos);
        } else {
            printf("%-13s | %5.1f%% %5d %5d | %5.1f%% %5.1f%% %5d %5d\n", corpus_kind_name(k),
                   100.0 * p->read1 / p->scenes, p->misread, p->false_pos,
                   100.0 * b->read1 / b->scenes, 100.0 * b->read2 / b->scenes, b->misread,
                   b->false_pos);
            plain_tot.scenes += p->scenes;
            plain_tot.read1 += p->read1;
        }
        plain_tot.misread += p->misread;
        plain_tot.false_pos += p->false_pos;
        for (int c = 0; c < NCONF; c++) {
            struct tally *t = &per_kind[c][k];
            if (k != CORPUS_NONE) {
                tot[c].scenes += t->scenes;
                tot[c].read1 += t->read1;
                tot[c].read2 += t->read2;
            }
            tot[c].misread += t->misread;
            tot[c].false_pos += t->false_pos;
        }
    }
    printf("%-13s | %5.1f%% %5d %5d | %5.1f%% %5.1f%% %5d %5d\n\n", "ALL codes",
           100.0 * plain_tot.read1 / plain_tot.scenes, plain_tot.misread, plain_tot.false_pos,
           100.0 * tot[0].read1 / tot[0].scenes, 100.0 * tot[0].read2 / tot[0].scenes,
           tot[0].misread, tot[0].false_pos);

    printf("Per-frame time (ms), all frames incl. code-free | frames with a code:\n");
    for (int s = 0; s < 2; s++) {
        if (t_plain[s].n == 0) {
            continue;
        }
        double pm = samples_pct_ms(&t_plain[s], 0.5), bm = samples_pct_ms(&t_borne[s], 0.5);
        printf("  %dx%d  plain  median %6.2f p99 %6.2f | median %6.2f p99 %6.2f\n", sizes[s][0],
               sizes[s][1], pm, samples_pct_ms(&t_plain[s], 0.99),
               samples_pct_ms(&t_plain_code[s], 0.5), samples_pct_ms(&t_plain_code[s], 0.99));
        printf("  %dx%d  Borne  median %6.2f p99 %6.2f | median %6.2f p99 %6.2f\n", sizes[s][0],
               sizes[s][1], bm, samples_pct_ms(&t_borne[s], 0.99),
               samples_pct_ms(&t_borne_code[s], 0.5), samples_pct_ms(&t_borne_code[s], 0.99));
        printf("  %dx%d  ratio Borne/plain median %.2f, Borne p99 / plain median %.2f\n",
               sizes[s][0], sizes[s][1], bm / pm, samples_pct_ms(&t_borne[s], 0.99) / pm);
    }

    if (nconf < NCONF) {
        goto stats;
    }
    printf("\nWhat each step buys (read within 2 frames, per kind; misreads+FP in total):\n");
    printf("%-13s", "kind");
    for (int c = 0; c < NCONF; c++) {
        printf(" | %16s", conf_names[c]);
    }
    printf("\n");
    for (int k = 0; k < CORPUS_NONE; k++) {
        if (per_kind_plain[k].scenes == 0) {
            continue;
        }
        printf("%-13s", corpus_kind_name(k));
        for (int c = 0; c < NCONF; c++) {
            struct tally *t = &per_kind[c][k];
            printf(" | %15.1f%%", 100.0 * t->read2 / t->scenes);
        }
        printf("\n");
    }
    printf("%-13s", "ALL codes");
    for (int c = 0; c < NCONF; c++) {
        printf(" | %15.1f%%", 100.0 * tot[c].read2 / tot[c].scenes);
    }
    printf("\n%-13s", "bad reads");
    for (int c = 0; c < NCONF; c++) {
        printf(" | %16d", tot[c].misread + tot[c].false_pos);
    }
    printf("\n");
stats:
    printf("\nPass statistics of the full strategy (runs / reads):\n");
    struct borne_decoder_stats st;
    borne_decoder_get_stats(dec[0], &st);
    static const char *const pass_names[BORNE_PASS__COUNT] = {"ROI",   "HALF", "HALF_INV", "FULL",
                                                              "DENSE", "WARP", "STILL"};
    for (int p = 0; p < BORNE_PASS__COUNT; p++) {
        printf("  %-9s %8" PRIu64 " / %-6" PRIu64 " mean %.2f ms per run\n", pass_names[p],
               st.runs[p], st.hits[p],
               st.runs[p] ? (double)st.ns[p] / 1e6 / (double)st.runs[p] : 0.0);
    }
    for (int c = 0; c < NCONF; c++) {
        borne_decoder_free(dec[c]);
    }
    for (int s = 0; s < 2; s++) {
        free(t_plain[s].v);
        free(t_borne[s].v);
        free(t_plain_code[s].v);
        free(t_borne_code[s].v);
    }
    return 0;
}
