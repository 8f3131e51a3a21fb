/* USB export; see export.h. */
#define LOG_MODULE "kiosk"

#include "kiosk/export.h"

#include <SDL.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "store/report.h"
#include "store/store.h"

struct borne_export_job {
    struct borne_export_request req;
    struct borne_export_result res;
    pthread_t thread;
};

/* Undoes the octal escapes of /proc/mounts (a space is \040). */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

borne_err borne_export_find_usb(const char *mounts, char *out, size_t cap)
{
    FILE *f = fopen(mounts, "r");
    if (!f) {
        return BORNE_ERR_NOT_FOUND;
    }
    char line[1024];
    borne_err err = BORNE_ERR_NOT_FOUND;
    while (fgets(line, sizeof(line), f)) {
        char dev[256], dir[512];
        if (sscanf(line, "%255s %511s", dev, dir) != 2) {
            continue;
        }
        unescape(dir);
        if ((strncmp(dir, "/media/", 7) == 0 || strncmp(dir, "/run/media/", 11) == 0) &&
            access(dir, W_OK) == 0) {
            snprintf(out, cap, "%s", dir);
            err = BORNE_OK;
            break;
        }
    }
    fclose(f);
    return err;
}

/* A new file in a folder this export just made: never an existing file, never through a
 * symbolic link planted on the stick. */
static FILE *create_new(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        return NULL;
    }
    FILE *f = fdopen(fd, "w+");
    if (!f) {
        close(fd);
    }
    return f;
}

/* The kiosk id names the export folder: letters, digits, '.', '_' and '-' only, not starting
 * with '.', so the folder is always a plain child of the chosen one. */
static bool safe_folder_part(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '.') {
        return false;
    }
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* Writes one report into dir/name, fsyncs it and appends its line to the manifest. */
static borne_err write_report(struct borne_store *store, const borne_event *ev, const char *dir,
                              const char *name, bool credits, FILE *manifest)
{
    char path[900];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = create_new(path);
    if (!f) {
        LOG_ERR("export: cannot create a file: %s", strerror(errno));
        return BORNE_ERR_IO;
    }
    borne_err err = credits ? borne_report_credits_csv(store, ev, INT64_MAX, f)
                            : borne_report_checkins_csv(store, ev, f);
    if (!err && (fflush(f) != 0 || fsync(fileno(f)) != 0)) {
        err = BORNE_ERR_IO;
    }
    if (!err) {
        /* Hash what is on the stick, read back. */
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        rewind(f);
        unsigned char buf[8192];
        size_t n, total = 0;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
            crypto_hash_sha256_update(&st, buf, n);
            total += n;
        }
        unsigned char sum[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&st, sum);
        char hex[crypto_hash_sha256_BYTES * 2 + 1];
        sodium_bin2hex(hex, sizeof(hex), sum, sizeof(sum));
        fprintf(manifest, "file: %s %zu sha256:%s\n", name, total, hex);
    }
    if (fclose(f) != 0 && !err) {
        err = BORNE_ERR_IO;
    }
    return err;
}

void borne_export_run(const struct borne_export_request *req, struct borne_export_result *res)
{
    memset(res, 0, sizeof(*res));
    char target[512];
    if (req->target_dir[0]) {
        snprintf(target, sizeof(target), "%s", req->target_dir);
    } else if (borne_export_find_usb("/proc/self/mounts", target, sizeof(target)) != BORNE_OK) {
        res->err = BORNE_ERR_NOT_FOUND;
        return;
    }
    struct borne_store *store = NULL;
    FILE *manifest = NULL;
    borne_event ev;
    borne_err err = borne_store_open(req->db_path, &store);
    if (!err) {
        err = borne_store_get_event(store, req->event_id, &ev);
    }
    int64_t total = 0, unsynced = 0;
    if (!err) {
        err = borne_store_count_checkins(store, req->event_id, &total, &unsynced);
    }
    if (err) {
        goto out;
    }
    time_t t = (time_t)req->now_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32], iso[32];
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!safe_folder_part(req->kiosk_id)) {
        LOG_ERR("export: the kiosk id cannot name a folder");
        err = BORNE_ERR_INVALID;
        goto out;
    }
    snprintf(res->folder, sizeof(res->folder), "%s/borne-%s-%s", target, req->kiosk_id, stamp);
    /* A new folder each time: an existing one (or a link planted with its name) is refused. */
    if (mkdir(res->folder, 0755) != 0) {
        LOG_ERR("export: cannot create the folder: %s", strerror(errno));
        err = errno == EEXIST ? BORNE_ERR_EXISTS : BORNE_ERR_IO;
        goto out;
    }
    char mpath[800];
    snprintf(mpath, sizeof(mpath), "%s/manifest.txt", res->folder);
    manifest = create_new(mpath);
    if (!manifest) {
        err = BORNE_ERR_IO;
        goto out;
    }
    fprintf(manifest,
            "borne-export: 1\nkiosk: %s\nevent: %" PRIu32 "\ncreated: %s\ncheckins: %" PRId64
            "\nunsynced: %" PRId64 "\n",
            req->kiosk_id, req->event_id, iso, total, unsynced);
    err = write_report(store, &ev, res->folder, "checkins.csv", false, manifest);
    if (!err) {
        err = write_report(store, &ev, res->folder, "credits.csv", true, manifest);
    }
    if (!err && (fflush(manifest) != 0 || fsync(fileno(manifest)) != 0)) {
        err = BORNE_ERR_IO;
    }
    res->rows = total;
out:
    if (manifest && fclose(manifest) != 0 && !err) {
        err = BORNE_ERR_IO;
    }
    if (!err) {
        int dfd = open(res->folder, O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        LOG_INFO("export: %" PRId64 " check-ins written", total);
    } else {
        LOG_ERR("export failed: %s", borne_strerror(err));
    }
    borne_store_close(store);
    res->err = err;
}

static void *job_main(void *arg)
{
    struct borne_export_job *job = arg;
    borne_export_run(&job->req, &job->res);
    if (job->req.done_event) {
        SDL_Event e;
        SDL_zero(e);
        e.type = job->req.done_event;
        e.user.data1 = job;
        SDL_PushEvent(&e);
    }
    return NULL;
}

borne_err borne_export_start(const struct borne_export_request *req, struct borne_export_job **out)
{
    struct borne_export_job *job = calloc(1, sizeof(*job));
    if (!job) {
        abort();
    }
    job->req = *req;
    if (pthread_create(&job->thread, NULL, job_main, job) != 0) {
        free(job);
        return BORNE_ERR_NOMEM;
    }
    *out = job;
    return BORNE_OK;
}

void borne_export_finish(struct borne_export_job *job, struct borne_export_result *res)
{
    pthread_join(job->thread, NULL);
    *res = job->res;
    free(job);
}
