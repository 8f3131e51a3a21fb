/* An event's attestations as files: one PDF per participant in a folder, and/or one zip
 * (libzip; the PDFs are stored as they are: they are already compressed). See attest.h. */
#define LOG_MODULE "attest"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "attest/attest.h"
#include "badge/draw.h"
#include "core/log.h"
#include "core/utf8.h"
#include "registry/regdb.h"

/* ASCII letter of a Latin letter with a diacritic, U+00C0 to U+017F (the first letter of its
 * canonical decomposition), or 0 ('_' in the table): signs, and letters that do not decompose
 * (Æ, Ø, Đ, Ł, ß... those a French name may hold are handled by the caller). */
static char fold_latin(uint32_t cp)
{
    static const char table[] = "AAAAAA_CEEEEIIII_NOOOOO__UUUUY__aaaaaa_ceeeeiiii_nooooo__uuuuy_y"
                                "AaAaAaCcCcCcCcDd__EeEeEeEeEeGgGgGgGgHh__IiIiIiIiI___JjKk_LlLlLl_"
                                "___NnNnNn___OoOoOo__RrRrRrSsSsSsSsTtTt__UuUuUuUuUuUuWwYyYZzZzZz_";
    if (cp < 0xC0 || cp > 0x17F) {
        return 0;
    }
    char c = table[cp - 0xC0];
    return c == '_' ? 0 : c;
}

void borne_attest_ascii_name(const char *s, char *name, size_t cap)
{
    size_t n = 0;
    size_t len = strlen(s), i = 0;
    bool hyphen = false;
    if (cap < 4) {
        if (cap) {
            name[0] = '\0';
        }
        return;
    }
    while (i < len && n < cap - 3) {
        uint32_t cp;
        i += borne_utf8_decode(s + i, len - i, &cp);
        char c = 0;
        if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
            c = (char)cp;
        } else if (cp == 0xC6 || cp == 0xE6 || cp == 0x152 || cp == 0x153) { /* Æ æ Œ œ */
            name[n++] = cp == 0xC6 ? 'A' : cp == 0xE6 ? 'a' : cp == 0x152 ? 'O' : 'o';
            c = cp == 0xC6 || cp == 0x152 ? 'E' : 'e';
        } else if (cp == 0xDF) { /* ß */
            name[n++] = 's';
            c = 's';
        } else if (cp == 0xD8 || cp == 0xF8) { /* Ø ø */
            c = cp == 0xD8 ? 'O' : 'o';
        } else if (cp == 0x141 || cp == 0x142) { /* Ł ł */
            c = cp == 0x141 ? 'L' : 'l';
        } else if (cp == 0x110 || cp == 0x111) { /* Đ đ */
            c = cp == 0x110 ? 'D' : 'd';
        } else {
            c = fold_latin(cp);
        }
        if (c) {
            name[n++] = c;
            hyphen = false;
        } else if (n > 0 && !hyphen) { /* anything else separates words */
            name[n++] = '-';
            hyphen = true;
        }
    }
    while (n > 0 && name[n - 1] == '-') {
        n--;
    }
    name[n] = '\0';
}

void borne_attest_file_name(const borne_attest *a, char *out, size_t cap)
{
    char name[96];
    borne_attest_ascii_name(a->participant.display_name, name, sizeof(name));
    snprintf(out, cap, "%s%s%u.pdf", name, name[0] ? "-" : "participant-", a->participant.id);
}

struct zipper {
    zip_t *z;
};

static borne_err zip_open_new(const char *path, struct zipper *zp)
{
    int zerr = 0;
    zp->z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!zp->z) {
        zip_error_t e;
        zip_error_init_with_code(&e, zerr);
        LOG_ERR("cannot create the zip file: %s", zip_error_strerror(&e));
        zip_error_fini(&e);
        return zerr == ZIP_ER_MEMORY ? BORNE_ERR_NOMEM : BORNE_ERR_IO;
    }
    return BORNE_OK;
}

/* Adds the file at `path` (read when the zip is written: the PDFs of a big event are not all
 * held in memory) under `name`. */
static borne_err zip_add_file(struct zipper *zp, const char *name, const char *path)
{
    zip_source_t *src = zip_source_file(zp->z, path, 0, -1);
    if (!src) {
        LOG_ERR("zip: %s", zip_strerror(zp->z));
        return BORNE_ERR_IO;
    }
    zip_int64_t idx = zip_file_add(zp->z, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (idx < 0) {
        LOG_ERR("zip: %s", zip_strerror(zp->z));
        zip_source_free(src);
        return BORNE_ERR_IO;
    }
    zip_set_file_compression(zp->z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    return BORNE_OK;
}

/* Writes the zip (libzip writes a temporary file and renames it), or discards it. libzip gives
 * the file 0666 less the umask: it holds names and hours, so it is made owner-only like the
 * PDFs. */
static borne_err zip_finish(struct zipper *zp, const char *path, bool keep)
{
    if (!zp->z) {
        return BORNE_OK;
    }
    borne_err err = BORNE_OK;
    if (keep) {
        if (zip_close(zp->z) != 0) {
            LOG_ERR("cannot write the zip file: %s", zip_strerror(zp->z));
            zip_discard(zp->z);
            err = BORNE_ERR_IO;
        } else if (chmod(path, 0600) != 0) {
            LOG_ERR("cannot make the zip file owner-only: %s", strerror(errno));
            err = BORNE_ERR_IO;
        }
    } else {
        zip_discard(zp->z);
    }
    zp->z = NULL;
    return err;
}

static borne_err write_file(const char *path, const unsigned char *data, size_t len)
{
    struct borne_outfile of;
    borne_err err = borne_outfile_begin(&of, path);
    if (err) {
        return err;
    }
    if (fwrite(data, 1, len, of.f) != len) {
        of.err_no = errno ? errno : EIO;
    }
    err = borne_outfile_commit(&of, path);
    borne_outfile_abort(&of);
    return err;
}

/* Removes a temporary folder and the files in it. */
static void remove_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            char path[4096 + 256];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    if (rmdir(dir) != 0) {
        LOG_WARN("cannot remove the temporary folder of the zip: %s", strerror(errno));
    }
}

borne_err borne_attest_write_event(
    struct borne_regdb *db, uint32_t event_id, uint32_t participant_id, int64_t now,
    const borne_attest_options *o, const char *dir, const char *zip_path,
    void (*each)(void *ctx, const borne_attest *a, const char *file, const char *token), void *ctx,
    size_t *written)
{
    *written = 0;
    uint32_t *ids = NULL;
    size_t count = 0;
    borne_err err;
    if (participant_id) {
        ids = malloc(sizeof(*ids));
        if (!ids) {
            return BORNE_ERR_NOMEM;
        }
        ids[0] = participant_id;
        count = 1;
        err = BORNE_OK;
    } else {
        borne_event ev;
        err = borne_regdb_get_event(db, event_id, &ev);
        err = err ? err : borne_attest_participants(db, event_id, &ids, &count);
    }
    struct zipper zp = {0};
    if (!err && zip_path) {
        err = zip_open_new(zip_path, &zp);
    }
    /* A zip without a folder: the PDFs wait in a temporary folder next to it until the zip is
     * written (libzip reads its entries then), so a big event is never held in memory. */
    char stage[4096] = "";
    if (!err && zip_path && !dir) {
        int n = snprintf(stage, sizeof(stage), "%s.parts-XXXXXX", zip_path);
        if (n < 0 || (size_t)n >= sizeof(stage)) {
            err = BORNE_ERR_TOO_LARGE;
            stage[0] = '\0';
        } else if (!mkdtemp(stage)) {
            err = borne_err_from_errno(errno);
            LOG_ERR("cannot make a temporary folder next to the zip: %s", strerror(errno));
            stage[0] = '\0';
        } else {
            dir = stage;
        }
    }
    for (size_t i = 0; !err && i < count; i++) {
        borne_attest a;
        err = borne_attest_collect(db, event_id, ids[i], now, &a);
        if (!err && a.count == 0) {
            borne_attest_clear(&a);
            if (participant_id) {
                err = BORNE_ERR_NOT_FOUND;
            }
            continue;
        }
        unsigned char *pdf = NULL;
        size_t len = 0;
        char token[BORNE_ATTEST_TOKEN_TEXT_LEN + 1];
        char name[160];
        err = err ? err : borne_attest_pdf(&a, o, &pdf, &len, token);
        char path[4096];
        if (!err) {
            borne_attest_file_name(&a, name, sizeof(name));
            int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
            err = n < 0 || (size_t)n >= sizeof(path) ? BORNE_ERR_TOO_LARGE : BORNE_OK;
        }
        if (!err && dir) {
            err = write_file(path, pdf, len);
        }
        if (!err && zp.z) { /* the zip reads the file written: no copy kept in memory */
            err = zip_add_file(&zp, name, path);
        }
        free(pdf);
        if (!err) {
            (*written)++;
            if (each) {
                each(ctx, &a, name, token);
            }
        }
        borne_attest_clear(&a);
    }
    free(ids);
    borne_err zerr = zip_finish(&zp, zip_path, !err && *written > 0);
    if (stage[0]) {
        remove_folder(stage);
    }
    return err ? err : zerr;
}
