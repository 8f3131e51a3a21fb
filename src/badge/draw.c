/* Drawing and file helpers shared by the printed documents (see draw.h). Moved out of badge.c
 * so that attestations (src/attest) draw QR codes and write files the same way. */
#define LOG_MODULE "draw"

#include "badge/draw.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

/* UTF-8 without overlong forms, surrogates, or C0/C1 control characters. */
bool borne_draw_text_is_clean(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (len > n - i) {
            return false;
        }
        for (size_t k = 1; k < len; k++) {
            unsigned b = (unsigned char)s[i + k];
            if ((b & 0xc0u) != 0x80u) {
                return false;
            }
            cp = (cp << 6) | (b & 0x3fu);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0)) {
            return false;
        }
        i += len;
    }
    return true;
}

void borne_draw_qr(cairo_t *cr, const borne_qr *qr, double x, double y, double m)
{
    cairo_save(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_new_path(cr);
    /* One path of horizontal runs, filled once: no seams between modules in any viewer. */
    for (int row = 0; row < qr->size; row++) {
        int col = 0;
        while (col < qr->size) {
            if (!borne_qr_dark(qr, col, row)) {
                col++;
                continue;
            }
            int start = col;
            while (col < qr->size && borne_qr_dark(qr, col, row)) {
                col++;
            }
            cairo_rectangle(cr, x + start * m, y + row * m, (col - start) * m, m);
        }
    }
    cairo_fill(cr);
    cairo_restore(cr);
}

borne_err borne_err_from_errno(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR:
        return BORNE_ERR_NOT_FOUND;
    case EACCES:
    case EPERM:
    case EROFS:
        return BORNE_ERR_PERM;
    case ENOSPC:
    case EDQUOT:
        return BORNE_ERR_DISK_FULL;
    case ENOMEM:
        return BORNE_ERR_NOMEM;
    default:
        return BORNE_ERR_IO;
    }
}

cairo_status_t borne_outfile_cairo_write(void *closure, const unsigned char *data,
                                         unsigned int length)
{
    struct borne_outfile *s = closure;
    if (s->err_no != 0) {
        return CAIRO_STATUS_WRITE_ERROR;
    }
    if (fwrite(data, 1, length, s->f) != length) {
        s->err_no = errno != 0 ? errno : EIO;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* Creates a temporary file next to `path`. */
borne_err borne_outfile_begin(struct borne_outfile *s, const char *path)
{
    memset(s, 0, sizeof *s);
    if (path == NULL || path[0] == '\0') {
        return BORNE_ERR_INVALID;
    }
    int n = snprintf(s->tmp, sizeof s->tmp, "%s.XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof s->tmp) {
        LOG_WARN("output path is too long");
        return BORNE_ERR_TOO_LARGE;
    }
    int fd = mkstemp(s->tmp);
    if (fd < 0) {
        borne_err err = borne_err_from_errno(errno);
        LOG_ERR("cannot create the output file: %s", strerror(errno));
        s->tmp[0] = '\0';
        return err;
    }
    s->f = fdopen(fd, "wb");
    if (s->f == NULL) {
        borne_err err = borne_err_from_errno(errno);
        close(fd);
        unlink(s->tmp);
        s->tmp[0] = '\0';
        return err;
    }
    return BORNE_OK;
}

/* Removes the temporary file; safe after write_commit() and after a failed write_begin(). */
void borne_outfile_abort(struct borne_outfile *s)
{
    if (s->f != NULL) {
        fclose(s->f);
        s->f = NULL;
    }
    if (s->tmp[0] != '\0') {
        unlink(s->tmp);
        s->tmp[0] = '\0';
    }
}

/* Flushes and syncs the temporary file, then renames it to `path`. */
borne_err borne_outfile_commit(struct borne_outfile *s, const char *path)
{
    int e = s->err_no;
    if (e == 0 && fflush(s->f) != 0) {
        e = errno;
    }
    if (e == 0 && fsync(fileno(s->f)) != 0) {
        e = errno;
    }
    if (fclose(s->f) != 0 && e == 0) {
        e = errno;
    }
    s->f = NULL;
    if (e == 0 && rename(s->tmp, path) != 0) {
        e = errno;
    }
    if (e != 0) {
        LOG_ERR("cannot write the output file: %s", strerror(e));
        borne_outfile_abort(s);
        return borne_err_from_errno(e);
    }
    s->tmp[0] = '\0';
    return BORNE_OK;
}

/* Error after cairo reported `st`: a write error of ours wins, then cairo's own. */
borne_err borne_outfile_cairo_err(cairo_status_t st, const struct borne_outfile *s)
{
    if (s->err_no != 0) {
        return borne_err_from_errno(s->err_no);
    }
    if (st == CAIRO_STATUS_NO_MEMORY) {
        return BORNE_ERR_NOMEM;
    }
    LOG_ERR("cairo failed: %s", cairo_status_to_string(st));
    return BORNE_ERR_IO;
}

cairo_status_t borne_membuf_cairo_write(void *closure, const unsigned char *data,
                                        unsigned int length)
{
    struct borne_membuf *m = closure;
    if (m->nomem) {
        return CAIRO_STATUS_WRITE_ERROR;
    }
    if (m->len + length > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 65536;
        while (cap < m->len + length) {
            cap *= 2;
        }
        unsigned char *grown = realloc(m->data, cap);
        if (!grown) {
            m->nomem = true;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->len, data, length);
    m->len += length;
    return CAIRO_STATUS_SUCCESS;
}
