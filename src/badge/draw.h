/* Drawing and file helpers shared by the printed documents (badges, attestations).
 *
 * QR codes drawn as vector paths, text checks, and an output file written through a temporary
 * file and a rename so that a failed or interrupted write never leaves half a document behind
 * (created with mode 0600: these documents hold personal data). */
#ifndef BORNE_BADGE_DRAW_H
#define BORNE_BADGE_DRAW_H

#include <cairo.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "badge/qr.h"
#include "core/error.h"

/* Fills the dark modules of `qr` (without its quiet zone) with black, top-left corner at (x, y),
 * `module` user units per module: one path of horizontal runs, so no seams in any viewer. */
void borne_draw_qr(cairo_t *cr, const borne_qr *qr, double x, double y, double module);

/* UTF-8 without overlong forms, surrogates, or C0/C1 control characters. */
bool borne_draw_text_is_clean(const char *s, size_t n);

/* An output file being written. */
struct borne_outfile {
    FILE *f;
    char tmp[PATH_MAX];
    int err_no; /* first write error, 0 if none */
};

/* Creates a temporary file next to `path`. Errors: BORNE_ERR_INVALID, BORNE_ERR_TOO_LARGE (path),
 * BORNE_ERR_NOT_FOUND (no such folder), BORNE_ERR_PERM, BORNE_ERR_DISK_FULL, BORNE_ERR_IO. */
borne_err borne_outfile_begin(struct borne_outfile *of, const char *path);
/* Appends bytes (a cairo write function: `closure` is the outfile). */
cairo_status_t borne_outfile_cairo_write(void *closure, const unsigned char *data,
                                         unsigned int length);
/* Flushes and syncs the temporary file, then renames it to `path`. */
borne_err borne_outfile_commit(struct borne_outfile *of, const char *path);
/* Removes the temporary file; safe after commit and after a failed begin. */
void borne_outfile_abort(struct borne_outfile *of);
/* The error after cairo reported `st`: a write error of ours wins, then cairo's own. */
borne_err borne_outfile_cairo_err(cairo_status_t st, const struct borne_outfile *of);
/* A document written to memory (a web download): a cairo write function whose `closure` is the
 * buffer. `data` is malloc'ed (the caller frees it); `nomem` once a write could not grow it. */
struct borne_membuf {
    unsigned char *data;
    size_t len, cap;
    bool nomem;
};
cairo_status_t borne_membuf_cairo_write(void *closure, const unsigned char *data,
                                        unsigned int length);

/* BORNE_ERR_NOT_FOUND, PERM, DISK_FULL, NOMEM or IO for an errno value. */
borne_err borne_err_from_errno(int e);

#endif
