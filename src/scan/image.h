/* Still images (PNG, JPEG) loaded as 8-bit grey, for `bornectl decode`, tests and the corpus dump.
 *
 * The format is recognised by content (magic bytes), never by the file name. Every load has hard
 * caps: the file size (BORNE_IMAGE_MAX_FILE) and each side (BORNE_IMAGE_MAX_SIDE), checked before
 * any pixel buffer is allocated. */
#ifndef BORNE_SCAN_IMAGE_H
#define BORNE_SCAN_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "scan/frame.h"

#define BORNE_IMAGE_MAX_SIDE 8192
#define BORNE_IMAGE_MAX_FILE (64u * 1024u * 1024u)

/* A grey image that owns its pixels (width x height bytes, rows packed: stride == width). */
typedef struct borne_image {
    uint8_t *pixels;
    int width;
    int height;
} borne_image;

/* Loads a PNG or JPEG file as grey. On success *out owns a new buffer (release it with
 * borne_image_clear). On failure *out is left empty and the error says why:
 * BORNE_ERR_NOT_FOUND / _PERM / _IO (cannot read), _UNSUPPORTED (neither PNG nor JPEG),
 * _PARSE (damaged image), _TOO_LARGE (over a cap). */
borne_err borne_image_load(const char *path, borne_image *out);

/* Same from bytes in memory (the caller keeps `data`). */
borne_err borne_image_load_mem(const uint8_t *data, size_t len, borne_image *out);

/* Frees the pixels and empties the image. Accepts NULL and an already cleared image. */
void borne_image_clear(borne_image *img);

/* A borne_frame that views the image's pixels (no copy; mono_ns is 0). */
borne_frame borne_image_frame(const borne_image *img);

/* Writes an 8-bit grey PNG. `stride` is the distance in bytes between rows (>= w). */
borne_err borne_image_save_png(const char *path, const uint8_t *luma, int w, int h, int stride);

#endif
