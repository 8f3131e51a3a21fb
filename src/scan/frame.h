/* A grey (luma) camera or image frame, as the decoder and frame sources exchange it.
 *
 * The frame does not own its pixels: whoever filled it keeps them alive until the consumer
 * returns. */
#ifndef BORNE_SCAN_FRAME_H
#define BORNE_SCAN_FRAME_H

#include <stddef.h>
#include <stdint.h>

typedef struct borne_frame {
    const uint8_t *luma; /* width x height 8-bit grey, rows `stride` bytes apart */
    int width;
    int height;
    int stride;
    uint64_t mono_ns; /* CLOCK_MONOTONIC time the frame was captured, 0 if unknown */
} borne_frame;

#endif
