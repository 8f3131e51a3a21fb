/* The "files" frame source: image files played as camera frames (see source.h).
 *
 * Used by tests, by the demo (a folder of frames showing simulated participants, looping) and by
 * `bornectl decode`. Files are loaded one at a time when their turn comes (image.h caps their
 * size); a file that fails to load is skipped with a warning. Pacing follows the requested rate
 * from the time of the previous frame, without catching up after a slow consumer. */
#define LOG_MODULE "source"
#include "scan/source.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "scan/image.h"

struct files_source {
    char **paths;
    size_t n_paths;
    size_t next; /* index of the file to play next */
    bool loop;
    uint64_t period_ns; /* 0: no pacing */
    uint64_t due_ns;    /* when the next frame may be delivered */
    bool ended;
    borne_image current; /* the frame handed out last */
};

static void files_close(void *priv)
{
    struct files_source *fs = priv;
    if (!fs) {
        return;
    }
    borne_image_clear(&fs->current);
    for (size_t i = 0; i < fs->n_paths; i++) {
        free(fs->paths[i]);
    }
    free(fs->paths);
    free(fs);
}

static bool has_image_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) {
        return false;
    }
    static const char *const exts[] = {".png", ".jpg", ".jpeg"};
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        if (strcasecmp(dot, exts[i]) == 0) {
            return true;
        }
    }
    return false;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static borne_err add_path(struct files_source *fs, size_t *cap, const char *dir, const char *name)
{
    if (fs->n_paths >= BORNE_SOURCE_FILES_MAX) {
        return BORNE_ERR_TOO_LARGE;
    }
    if (fs->n_paths == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        char **np = realloc(fs->paths, ncap * sizeof(*np));
        if (!np) {
            return BORNE_ERR_NOMEM;
        }
        fs->paths = np;
        *cap = ncap;
    }
    size_t dlen = dir ? strlen(dir) + 1 : 0;
    size_t nlen = strlen(name);
    char *p = malloc(dlen + nlen + 1);
    if (!p) {
        return BORNE_ERR_NOMEM;
    }
    if (dir) {
        memcpy(p, dir, dlen - 1);
        p[dlen - 1] = '/';
    }
    memcpy(p + dlen, name, nlen + 1);
    fs->paths[fs->n_paths++] = p;
    return BORNE_OK;
}

static borne_err list_folder(struct files_source *fs, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        LOG_ERR("cannot open the frame folder: %s", strerror(e));
        return e == ENOENT ? BORNE_ERR_NOT_FOUND : (e == EACCES ? BORNE_ERR_PERM : BORNE_ERR_IO);
    }
    size_t cap = 0;
    borne_err err = BORNE_OK;
    for (;;) {
        struct dirent *de = readdir(d);
        if (!de) {
            break;
        }
        if (de->d_name[0] == '.' || !has_image_extension(de->d_name)) {
            continue;
        }
        err = add_path(fs, &cap, dir, de->d_name);
        if (err) {
            if (err == BORNE_ERR_TOO_LARGE) {
                LOG_ERR("frame folder holds more than %d images", BORNE_SOURCE_FILES_MAX);
            }
            break;
        }
    }
    closedir(d);
    if (!err && fs->n_paths > 1) {
        qsort(fs->paths, fs->n_paths, sizeof(fs->paths[0]), compare_strings);
    }
    return err;
}

static borne_err files_open(const struct borne_source_config *cfg, void **priv)
{
    if ((cfg->paths == NULL) == (cfg->dir == NULL) || cfg->fps < 0 || cfg->fps > 1000) {
        return BORNE_ERR_INVALID;
    }
    struct files_source *fs = calloc(1, sizeof(*fs));
    if (!fs) {
        return BORNE_ERR_NOMEM;
    }
    borne_err err = BORNE_OK;
    if (cfg->dir) {
        err = list_folder(fs, cfg->dir);
    } else {
        size_t cap = 0;
        for (size_t i = 0; i < cfg->n_paths && !err; i++) {
            err = add_path(fs, &cap, NULL, cfg->paths[i]);
        }
    }
    if (!err && fs->n_paths == 0) {
        LOG_ERR("no image files to play");
        err = BORNE_ERR_NOT_FOUND;
    }
    if (err) {
        files_close(fs);
        return err;
    }
    fs->loop = cfg->loop;
    fs->period_ns = cfg->fps > 0 ? 1000000000u / (uint64_t)cfg->fps : 0;
    *priv = fs;
    return BORNE_OK;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                          .tv_nsec = (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static borne_err files_next(void *priv, int timeout_ms, borne_frame *out)
{
    struct files_source *fs = priv;
    if (fs->ended) {
        return BORNE_ERR_NOT_FOUND;
    }
    uint64_t now = borne_scan_mono_ns();
    if (fs->period_ns && now < fs->due_ns) {
        uint64_t wait = fs->due_ns - now;
        uint64_t limit = (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;
        if (wait > limit) {
            sleep_ns(limit);
            return BORNE_ERR_TIMEOUT;
        }
        sleep_ns(wait);
        now = borne_scan_mono_ns();
    }
    borne_image_clear(&fs->current);
    /* Try each file at most once per call, so a folder of broken files cannot spin. */
    for (size_t tries = 0; tries < fs->n_paths; tries++) {
        if (fs->next >= fs->n_paths) {
            if (!fs->loop) {
                break;
            }
            fs->next = 0;
        }
        size_t index = fs->next++;
        borne_err err = borne_image_load(fs->paths[index], &fs->current);
        if (err) {
            LOG_WARN("frame %zu skipped: %s", index, borne_strerror(err));
            continue;
        }
        *out = borne_image_frame(&fs->current);
        out->mono_ns = now;
        fs->due_ns = now + fs->period_ns;
        return BORNE_OK;
    }
    /* Not looping: past the last file. Looping: a whole round failed to load. */
    if (fs->loop) {
        LOG_ERR("none of the %zu frame files could be loaded", fs->n_paths);
    }
    fs->ended = true;
    return BORNE_ERR_NOT_FOUND;
}

static enum borne_input_state files_state(void *priv)
{
    struct files_source *fs = priv;
    return fs->ended ? BORNE_INPUT_ENDED : BORNE_INPUT_RUNNING;
}

const struct borne_source_driver borne_source_files = {
    .name = "files",
    .kind = BORNE_INPUT_FILE,
    .open = files_open,
    .next_frame = files_next,
    .state = files_state,
    .close = files_close,
};
