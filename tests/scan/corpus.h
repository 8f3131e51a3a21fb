/* Test-only generator of realistic camera frames holding Borne QR codes (or none).
 *
 * Deterministic: a frame depends only on (seed, kind, index, frame number, size), through the
 * generator's own PRNG. Frame numbers 0, 1, ... of one (kind, index) are successive video frames of
 * the same scene: same code and pose, fresh sensor noise and a little hand shake. */
#ifndef BORNE_TESTS_SCAN_CORPUS_H
#define BORNE_TESTS_SCAN_CORPUS_H

#include <stddef.h>
#include <stdint.h>

enum corpus_kind {
    CORPUS_CLEAN = 0,    /* badge or phone, straight, good light */
    CORPUS_SMALL,        /* far badge: about 2 pixels per module */
    CORPUS_ROTATED,      /* any in-plane angle */
    CORPUS_PERSPECTIVE,  /* tilted 35-55 degrees */
    CORPUS_CURLED,       /* badge bent on a lanyard */
    CORPUS_BLUR,         /* out of focus */
    CORPUS_MOTION,       /* motion blur */
    CORPUS_NOISE,        /* strong sensor noise */
    CORPUS_LOW_CONTRAST, /* washed out print or screen */
    CORPUS_DIM,          /* dim room or phone at low brightness */
    CORPUS_GLARE,        /* specular highlight over part of the code */
    CORPUS_MOIRE,        /* phone screen seen by a camera: pixel grid and beating */
    CORPUS_INVERTED,     /* dark-mode phone: light modules on dark */
    CORPUS_OCCLUDED,     /* a finger over part of the code */
    CORPUS_NONE,         /* no code at all (badge without code, posters, tiles) */
    CORPUS__COUNT
};

struct corpus_frame {
    uint8_t *luma; /* w x h, stride w; owned, release with corpus_frame_clear */
    int w, h;
    enum corpus_kind kind;
    int has_code;
    int phone;      /* 1 when the code is on a phone screen, 0 on a paper badge */
    char text[160]; /* the payload rendered (NUL-terminated; empty when has_code is 0) */
    size_t len;
    double module_px; /* module size in pixels at the code centre */
};

const char *corpus_kind_name(enum corpus_kind kind);

/* Renders one frame. Returns 0 on success, -1 on allocation failure. */
int corpus_render(uint64_t seed, enum corpus_kind kind, int index, int frame_no, int w, int h,
                  struct corpus_frame *out);

void corpus_frame_clear(struct corpus_frame *f);

#endif
