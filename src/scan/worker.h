/* The input worker: runs the camera (or image files) and the hardware scanners off the UI
 * thread, and hands decoded text upward through a borne_scanq.
 *
 * One thread for the frame source: it pulls the newest frame, calls the decoder (a function
 * pointer + context, so tests can use a fake one), and reports a code once while it stays in
 * view (see borne_dedup). One thread per scanner slot: it opens the configured device or finds
 * one (hot-plug by polling every hotplug_ms), and reports every code the scanner sends (a
 * scanner has its own same-code delay; repeated scans are the check-in rules' business). State
 * changes (camera absent / running / lost / ended, scanner absent / running / lost) are queued
 * too, starting with each input's initial state.
 *
 * Threads block all signals and are named "borne-cam", "borne-scan0".... borne_worker_free()
 * stops and joins them (within about 100 ms plus one decode). Latency: a code is reported from
 * the first frame in which the decoder reads it; the frame source always hands out its newest
 * frame. */
#ifndef BORNE_SCAN_WORKER_H
#define BORNE_SCAN_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "scan/frame.h"
#include "scan/queue.h"
#include "scan/scanner.h"
#include "scan/source.h"

#define BORNE_WORKER_SCANNERS_MAX 4

/* Decode one frame: return 1 and fill text (NUL-terminated) / *len when a code is read,
 * 0 otherwise. Called only from the camera thread. */
typedef int (*borne_decode_fn)(void *ctx, const borne_frame *frame, char *text, size_t cap,
                               size_t *len);

/* A borne_decode_fn over borne_decoder_decode(); ctx is a struct borne_decoder *. */
int borne_worker_decode_qr(void *ctx, const borne_frame *frame, char *text, size_t cap,
                           size_t *len);

struct borne_worker_scanner {
    const struct borne_scanner_driver *driver;
    const char *path;         /* a fixed device; NULL: discover (hot-plug) */
    const char *discover_dir; /* where to discover; NULL: the driver's default */
    int timeout_ms;           /* lost-terminator timeout, <= 0: default */
    int baud;                 /* serial only, 0: default */
};

struct borne_worker_config {
    struct borne_scanq *queue; /* required; not owned; must outlive the worker */

    /* Frame source; NULL: no camera thread. The source is opened by borne_worker_start()
     * (so a missing folder is reported there); strings in source_cfg need only live until
     * then. */
    const struct borne_source_driver *source;
    struct borne_source_config source_cfg;
    borne_decode_fn decode; /* required with a source */
    void *decode_ctx;       /* not owned; used only by the camera thread */
    int repeat_ms;          /* a code in view is reported again after this long unseen
                               (<= 0: 1500) */

    struct borne_worker_scanner scanners[BORNE_WORKER_SCANNERS_MAX];
    size_t n_scanners;
    int hotplug_ms; /* how often to look for a missing scanner (<= 0: 2000) */
};

struct borne_worker;

/* Start the threads. The configuration's strings need only live until this returns. */
borne_err borne_worker_start(const struct borne_worker_config *cfg, struct borne_worker **out);

/* Stop and join every thread, close the inputs. Accepts NULL. */
void borne_worker_free(struct borne_worker *w);

/* ---- repeat suppression: pure, no I/O ------------------------------------------------------ */

/* Remembers the codes seen in the last window (the few most recent ones) so that a code held in
 * front of the camera is reported once, not 30 times a second. A code is reported when it was
 * not seen during the last window_ms; every sighting restarts its window. Several codes in view
 * at once (two phones) are each reported once, not alternately. */
struct borne_dedup;

borne_err borne_dedup_new(int window_ms, struct borne_dedup **out);
void borne_dedup_free(struct borne_dedup *d);

/* A sighting of text at now_ns: true if it must be reported. */
bool borne_dedup_check(struct borne_dedup *d, const char *text, size_t len, uint64_t now_ns);

#endif
