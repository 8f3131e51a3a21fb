/* The QR decoder: finds at most one QR code in a grey camera frame and returns its bytes.
 *
 * It wraps zbar (QR only, binary mode, so payload bytes come through unchanged) with a strategy
 * for hard frames at a bounded cost per frame: contrast normalisation, a reduced-resolution pass,
 * the inverted image for dark-mode phones, full-resolution passes for small codes, a region of
 * interest around the last finding, and for curled or steeply tilted codes a grid fitted to the
 * code and the code redrawn flat. Costly passes run only while the frame is within its budget;
 * see docs/decoder.md for the strategy and what each step buys.
 *
 * A decoder is not thread-safe: use one per thread (one per camera). */
#ifndef BORNE_SCAN_DECODER_H
#define BORNE_SCAN_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "scan/frame.h"

/* Largest frame side the decoder accepts; larger frames are refused (return 0, logged). */
#define BORNE_DECODER_MAX_SIDE 4096

struct borne_decoder;

/* The passes the decoder can run; used to index the statistics. */
enum borne_decoder_pass {
    BORNE_PASS_ROI = 0,  /* full resolution, normalised, around the last finding */
    BORNE_PASS_HALF,     /* half resolution, normalised */
    BORNE_PASS_HALF_INV, /* half resolution, normalised, inverted (dark-mode phones) */
    BORNE_PASS_FULL,     /* full resolution, every other line; the line phase alternates */
    BORNE_PASS_DENSE,    /* full resolution, every line, normalised, around the finders */
    BORNE_PASS_WARP,     /* a grid fitted to a bent or tilted code, redrawn flat (unwarp.h) */
    BORNE_PASS_STILL,    /* still images only: quiet zone, upscaling, adaptive binarisation */
    BORNE_PASS__COUNT
};

struct borne_decoder_stats {
    uint64_t frames;                  /* frames given to borne_decoder_decode */
    uint64_t found;                   /* frames where a code was read */
    uint64_t runs[BORNE_PASS__COUNT]; /* times each pass ran */
    uint64_t hits[BORNE_PASS__COUNT]; /* times each pass read the code */
    uint64_t ns[BORNE_PASS__COUNT];   /* CLOCK_MONOTONIC time spent in each pass */
    uint64_t too_long;                /* codes dropped because over the caller's cap */
};

/* Creates a decoder. *out is owned by the caller (borne_decoder_free). */
borne_err borne_decoder_new(struct borne_decoder **out);

/* Accepts NULL. */
void borne_decoder_free(struct borne_decoder *dec);

/* Finds at most one QR code in the frame. Returns 1 when a code is read: `text` holds its bytes
 * followed by a NUL, and *len (if not NULL) the true byte count (the payload may hold NUL bytes).
 * Returns 0 when no code is read, and also when the payload does not fit in cap - 1 bytes (never
 * truncated; logged and counted in stats.too_long). Keeps state between calls (region of interest,
 * rotating passes), so successive frames of a video get cheaper and harder passes take turns. */
int borne_decoder_decode(struct borne_decoder *dec, const borne_frame *frame, char *text,
                         size_t cap, size_t *len);

/* The baseline for benchmarks: one plain zbar full-frame scan (QR only, binary mode, default
 * densities, no inversion, no preprocessing, no state), as an application would call zbar.
 * Same contract as borne_decoder_decode. */
int borne_decoder_plain(struct borne_decoder *dec, const borne_frame *frame, char *text, size_t cap,
                        size_t *len);

/* Forgets the region of interest and restarts the pass rotation (e.g. when the camera changes). */
void borne_decoder_reset(struct borne_decoder *dec);

/* Copies the counters since borne_decoder_new. */
void borne_decoder_get_stats(const struct borne_decoder *dec, struct borne_decoder_stats *out);

/* Disables passes, for measuring what each one buys: bit (1u << pass) set = pass never runs.
 * 0 (the default) runs the full strategy. */
void borne_decoder_set_disabled(struct borne_decoder *dec, unsigned pass_mask);

/* Sets the time budget of the costly last passes (full-resolution finder search, DENSE, WARP),
 * in FULL passes' worth of time per frame (default 3.6, about two plain zbar scans). 0 or less:
 * no budget, every pass runs on every frame, so results do not depend on the machine's speed
 * (tests use this; a kiosk keeps the default). */
void borne_decoder_set_budget(struct borne_decoder *dec, double full_passes);

/* Still-image mode (bornectl decode, one photograph per call): on, each call scans every line
 * at once (no rotation over successive frames), reads an image over BORNE_DECODER_MAX_SIDE (up to
 * four times that) at a reduced size instead of refusing it, and adds the passes meant for
 * photographs (a quiet zone and upscaling, adaptive binarisation, the camera's passes rerun on
 * the binarised photo and on a small one upscaled; docs/decoder.md), which a camera's time budget
 * leaves out. Off (the default) for video. Use with a budget of 0. */
void borne_decoder_set_still(struct borne_decoder *dec, int on);

#endif
