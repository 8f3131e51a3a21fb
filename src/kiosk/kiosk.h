/* The kiosk application: what `borne` runs. Owns the store, the check-in path, the input
 * worker, the window and the state of every screen, and turns SDL events and scan events into
 * screens.
 *
 * DESIGN: one UI thread runs borne_kiosk_step() in a loop. It sleeps in SDL_WaitEventTimeout
 * until something happens: input threads (camera, scanners) push scan events into a queue
 * whose wake-up hook posts an SDL user event; the camera thread also posts one when a new
 * preview frame is ready; the PIN check (argon2id) and the USB export run on their own short
 * threads and post theirs when done; the sync thread (src/sync) posts one when it has news
 * (status, a roster that changed, a trusted clock reference) and the UI thread reads it
 * without waiting; provisioning from a scanned setup code runs on a thread of its own. The
 * check-in itself is a local SQLite commit of a few
 * milliseconds and runs on the UI thread, so "accepted" is only drawn once the row is on disk.
 * Screens are redrawn only when something changed (and once a second for the clock).
 *
 * Demo mode (borne --demo) imports the embedded demo into a temporary store, runs a fake clock
 * advanced by the demo's script, and presents each simulated participant's code as camera frames
 * (src/kiosk/demo_source.c) through the real worker and decoder. */
#ifndef BORNE_KIOSK_KIOSK_H
#define BORNE_KIOSK_KIOSK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "scan/source.h"

struct borne_kiosk;
struct borne_view;

struct borne_kiosk_options {
    const char *config_path; /* NULL: /etc/borne/borne.conf if it exists, else defaults */
    const char *db_path;     /* NULL: <data_dir>/borne.db (demo: a temporary store) */
    bool demo;
    bool windowed;
    int width, height;      /* window size; 0: the configuration's, else native/fullscreen */
    bool silent;            /* no audio device at all */
    bool no_inputs;         /* no camera or scanner threads (scripted runs) */
    bool demo_autoplay_off; /* demo without the simulated participants (benchmarks) */
    /* Replaces the configured camera (benchmarks, tests): a source and its settings. */
    const struct borne_source_driver *source;
    struct borne_source_config source_cfg;
};

/* Observations for the benchmark: called after each presented frame. */
struct borne_kiosk_frame_info {
    uint64_t draw_ns;       /* drawing + present of this frame */
    bool result;            /* this frame is the first one of a new result screen */
    uint64_t latency_ns;    /* for a result from the camera: frame capture to presented */
    uint64_t results_total; /* results shown so far */
};
typedef void (*borne_kiosk_observer)(void *ctx, const struct borne_kiosk_frame_info *info);

borne_err borne_kiosk_new(const struct borne_kiosk_options *opts, struct borne_kiosk **out);
void borne_kiosk_free(struct borne_kiosk *k);

/* One turn of the main loop: waits up to max_wait_ms for events, handles them, redraws when
 * needed. Returns false once the kiosk should quit. */
bool borne_kiosk_step(struct borne_kiosk *k, int max_wait_ms);

/* Asks the loop to stop (signal handlers set a flag; the caller calls this). */
void borne_kiosk_quit(struct borne_kiosk *k);

/* Frames presented so far. */
uint64_t borne_kiosk_frames(const struct borne_kiosk *k);

void borne_kiosk_set_observer(struct borne_kiosk *k, borne_kiosk_observer fn, void *ctx);

/* The scripted run: walks through every screen (demo mode only) and saves one PNG per screen
 * into dir, named NN-screen-detail.png. */
borne_err borne_kiosk_tour(struct borne_kiosk *k, const char *dir);

/* For tests and scripted runs, from the UI thread: */
/* A code read by an input (`method` BORNE_METHOD_CAMERA or BORNE_METHOD_SCANNER), handled as the
 * scan queue's codes are, at once. */
void borne_kiosk_present(struct borne_kiosk *k, const char *text, size_t len, int method);
/* What pressing the button of `action` (a borne_action, ui/screens.h) with `arg` does. The
 * actions of staff screens only act when a staff screen is shown (after the PIN). */
void borne_kiosk_act(struct borne_kiosk *k, int action, int arg);
/* The view drawn last (struct borne_view, ui/screens.h): screen, status words, messages. */
const struct borne_view *borne_kiosk_view(const struct borne_kiosk *k);
/* Draws the current screen now; returns the drawing context, whose record of what was drawn
 * (texts, buttons: ui/ui.h borne_ui_drawn_*) tests read. */
struct borne_ui *borne_kiosk_draw(struct borne_kiosk *k);
/* Why borne_kiosk_new failed, in words for the person starting it ("" when not said). */
const char *borne_kiosk_failure(const struct borne_kiosk *k);
/* Draws the current screen and saves it as a PNG. */
borne_err borne_kiosk_screenshot(struct borne_kiosk *k, const char *path);

#endif
