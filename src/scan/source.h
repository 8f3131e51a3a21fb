/* Frame sources: one small interface over cameras and image files.
 *
 * Each backend is a table of functions (struct borne_source_driver, like mpv's struct
 * vo_driver). A source delivers grey (luma) frames, blocking up to a timeout, always the latest
 * one available (a slow consumer skips frames, it never accumulates lag). It also reports its
 * state for the UI (no camera / running / lost / ended) and reconnects by itself.
 *
 *   v4l2   a USB (UVC) camera through V4L2 mmap streaming, 3 buffers, YUYV or GREY taken as the
 *          luma plane, 640x480 or 1280x720, continuous autofocus when offered; reopens the
 *          device when it is unplugged and plugged back. MJPEG-only cameras are refused (see
 *          docs/scanning-inputs.md). The Raspberry Pi camera module goes through libcamera
 *          (libcamerify today, a libcamera backend behind this same table later).
 *   files  a list of image files or a folder of them (PNG, JPEG), played at a given rate,
 *          optionally looping: tests, the demo's simulated participants, `bornectl decode`.
 *
 * Threads: a struct borne_source is used by one thread at a time (the worker's camera thread).
 * Frames: the pixels belong to the source and stay valid until the next call on it. */
#ifndef BORNE_SCAN_SOURCE_H
#define BORNE_SCAN_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "scan/frame.h"
#include "scan/queue.h"

/* Most files a files source will play. */
#define BORNE_SOURCE_FILES_MAX 10000

struct borne_source_config {
    /* v4l2 */
    const char *device; /* /dev/videoN or better /dev/v4l/by-id/...; NULL: first capture device */
    int width, height;  /* 640x480 (default) or 1280x720; the driver may adjust */
    int fps;            /* v4l2: requested rate (default 30);
                           files: playback rate, 0 = a new frame on every call */
    int reconnect_ms;   /* v4l2: how often to look for the camera when absent or lost
                           (default 1000) */
    /* files */
    const char *const *paths; /* explicit list of image files (the source copies it) ... */
    size_t n_paths;
    const char *dir; /* ... or a folder: its *.png, *.jpg, *.jpeg played in name order */
    bool loop;       /* start again after the last file */
    /* other backends (tests' fake sources, a future libcamera backend): their own settings */
    void *user;
};

struct borne_source_driver {
    const char *name;           /* "v4l2", "files" */
    enum borne_input_kind kind; /* what events from this source are tagged with */
    /* Set up; a camera that is not there yet is not an error (state ABSENT). */
    borne_err (*open)(const struct borne_source_config *cfg, void **priv);
    /* See borne_source_next(). */
    borne_err (*next_frame)(void *priv, int timeout_ms, borne_frame *out);
    enum borne_input_state (*state)(void *priv);
    void (*close)(void *priv); /* accepts NULL */
};

extern const struct borne_source_driver borne_source_v4l2;
extern const struct borne_source_driver borne_source_files;

/* "v4l2" or "files", else NULL. */
const struct borne_source_driver *borne_source_driver_find(const char *name);

struct borne_source;

/* BORNE_ERR_INVALID for a bad configuration, BORNE_ERR_NOT_FOUND for a files source with no
 * files. A v4l2 source opens even without a camera. */
borne_err borne_source_open(const struct borne_source_driver *driver,
                            const struct borne_source_config *cfg, struct borne_source **out);
void borne_source_free(struct borne_source *src);

/* Wait up to timeout_ms for the next frame (the newest one; older ones are skipped).
 * BORNE_OK: *out is valid until the next call. BORNE_ERR_TIMEOUT: no frame yet.
 * BORNE_ERR_DEVICE: no camera right now (absent or lost; the source keeps trying to reconnect
 * and waited up to timeout_ms before returning). BORNE_ERR_NOT_FOUND: a finite source ended. */
borne_err borne_source_next(struct borne_source *src, int timeout_ms, borne_frame *out);

enum borne_input_state borne_source_state(struct borne_source *src);
const struct borne_source_driver *borne_source_driver(const struct borne_source *src);

#endif
