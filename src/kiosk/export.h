/* Export to a USB stick: every check-in (CSV), the credits report (CSV) and a manifest with
 * each file's size and SHA-256, in a new folder named after the kiosk and the time.
 *
 * Runs on its own thread with its own store connection (SQLite: one connection per thread), so
 * the screen never waits on the stick. When done it posts an SDL event (done_event, data1 = the
 * job); the UI thread then calls borne_export_finish(). */
#ifndef BORNE_KIOSK_EXPORT_H
#define BORNE_KIOSK_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct borne_export_request {
    char db_path[512];
    char kiosk_id[64];
    uint32_t event_id;
    char target_dir[512]; /* "": the first mounted removable medium (/media, /run/media) */
    int64_t now_s;        /* names the folder and dates the manifest */
    uint32_t done_event;  /* SDL event type to post; 0: none */
};

struct borne_export_result {
    borne_err err; /* BORNE_ERR_NOT_FOUND: no USB stick */
    int64_t rows;
    char folder[640];
};

struct borne_export_job;

borne_err borne_export_start(const struct borne_export_request *req, struct borne_export_job **out);
/* Waits for the job, fills *res and frees the job. */
void borne_export_finish(struct borne_export_job *job, struct borne_export_result *res);

/* The same work, on the calling thread. */
void borne_export_run(const struct borne_export_request *req, struct borne_export_result *res);

/* The first writable mount point under /media or /run/media listed in `mounts` (normally
 * /proc/self/mounts). BORNE_ERR_NOT_FOUND when there is none. */
borne_err borne_export_find_usb(const char *mounts, char *out, size_t cap);

#endif
