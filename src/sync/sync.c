/* The kiosk's sync thread and cycle (see sync.h and docs/protocol.md). */
#define _GNU_SOURCE /* pthread_setname_np */
#define LOG_MODULE  "sync"
#include "sync/sync.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "store/store.h"
#include "store/sync_store.h"
#include "sync/apply.h"
#include "sync/protocol.h"

#define PATH_CAP 512

typedef struct credentials {
    bool present;
    char url[BORNE_URL_MAX];
    char token[BORNE_API_TOKEN_MAX];
    char pin[BORNE_PIN_MAX];
    char kiosk_name[BORNE_KIOSK_ID_MAX];
    uint32_t event_id;
    int64_t kiosk_number; /* 0: not known (a registry or a file from before it) */
} credentials;

typedef struct buffer {
    char *data;
    size_t len, cap, max;
    bool overflow;
} buffer;

struct borne_sync {
    /* Set at creation, read-only afterwards. */
    char db_path[PATH_CAP];
    char data_dir[PATH_CAP];
    char kiosk_id[BORNE_KIOSK_ID_MAX];
    char ca_file[PATH_CAP];
    borne_clock *clock;
    int interval_s, timeout_ms, connect_timeout_ms, low_speed_s, backoff_min_ms, backoff_max_ms;
    size_t batch;
    void (*notify)(void *ctx);
    void *notify_ctx;

    /* Set by borne_sync_stop()/free() from the owner's thread, read by the transfer's progress
     * callback: aborts a request in flight. */
    atomic_bool abort_transfer;

    /* Used by the syncing thread only. */
    credentials cred;
    struct borne_store *store;
    CURL *curl;
    char curl_error[CURL_ERROR_SIZE];
    buffer answer;
    bool clock_corrected;

    /* Guarded by `lock`: the status, the pending reference, the worker's control fields. */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    borne_sync_status status;
    bool has_new_reference;
    borne_clock_sample reference;
    bool now_requested;
    bool stop;
    bool started;
    pthread_t thread;
};

/* ---- small helpers ---- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sample(struct borne_sync *s, borne_clock_sample *out)
{
    s->clock->now(s->clock, out);
}

/* Wakes the owner (no lock held). */
static void notify(struct borne_sync *s)
{
    if (s->notify) {
        s->notify(s->notify_ctx);
    }
}

static void set_phase(struct borne_sync *s, borne_sync_phase phase)
{
    pthread_mutex_lock(&s->lock);
    bool changed = s->status.phase != phase;
    s->status.phase = phase;
    pthread_mutex_unlock(&s->lock);
    if (changed) {
        notify(s);
    }
}

static void set_error(struct borne_sync *s, borne_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(struct borne_sync *s, borne_err err, const char *fmt, ...)
{
    char words[sizeof(s->status.last_error)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(words, sizeof(words), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&s->lock);
    s->status.last_err = err;
    memcpy(s->status.last_error, words, sizeof(words));
    pthread_mutex_unlock(&s->lock);
    LOG_WARN("%s", words); /* words hold no personal data and no token */
}

int64_t borne_sync_backoff_ms(int failures, int min_ms, int max_ms)
{
    if (failures < 1) {
        return 0;
    }
    int64_t d = min_ms;
    for (int i = 1; i < failures && d < max_ms; i++) {
        d *= 2;
    }
    if (d > max_ms) {
        d = max_ms;
    }
    /* 50-100 %: kiosks that lost the network together do not come back together. */
    return d / 2 + (int64_t)randombytes_uniform((uint32_t)(d / 2 + 1));
}

/* ---- credentials file ---- */

static void cred_path(const struct borne_sync *s, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", s->data_dir, BORNE_SYNC_CREDENTIALS_FILE);
}

static borne_err cred_load(struct borne_sync *s)
{
    memset(&s->cred, 0, sizeof(s->cred));
    char path[PATH_CAP + 32];
    cred_path(s, path, sizeof(path));
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return errno == ENOENT ? BORNE_ERR_NOT_FOUND : BORNE_ERR_IO;
    }
    if (sb.st_mode & 077) {
        LOG_ERR("credentials file is readable by others: refused (chmod 600)");
        return BORNE_ERR_PERM;
    }
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        return BORNE_ERR_PARSE;
    }
    const char *url = json_string_value(json_object_get(root, "url"));
    const char *token = json_string_value(json_object_get(root, "api_token"));
    const char *pin = json_string_value(json_object_get(root, "pin"));
    const char *name = json_string_value(json_object_get(root, "kiosk"));
    json_int_t ev = json_integer_value(json_object_get(root, "event_id"));
    json_int_t number = json_integer_value(json_object_get(root, "kiosk_number"));
    borne_err err = BORNE_OK;
    if (!url || !token || strlen(url) >= sizeof(s->cred.url) ||
        strlen(token) >= sizeof(s->cred.token) || (pin && strlen(pin) >= sizeof(s->cred.pin)) ||
        (name && strlen(name) >= sizeof(s->cred.kiosk_name)) || ev < 1 || ev > UINT32_MAX ||
        !borne_url_allowed(url)) {
        err = BORNE_ERR_PARSE;
    } else {
        snprintf(s->cred.url, sizeof(s->cred.url), "%s", url);
        snprintf(s->cred.token, sizeof(s->cred.token), "%s", token);
        snprintf(s->cred.pin, sizeof(s->cred.pin), "%s", pin ? pin : "");
        snprintf(s->cred.kiosk_name, sizeof(s->cred.kiosk_name), "%s", name ? name : "");
        s->cred.event_id = (uint32_t)ev;
        s->cred.kiosk_number = number > 0 ? (int64_t)number : 0;
        s->cred.present = true;
    }
    json_decref(root);
    return err;
}

/* Written to a temporary file created 0600, fsync'ed, then renamed over the old one. */
static borne_err cred_save(struct borne_sync *s, const credentials *c)
{
    char path[PATH_CAP + 32], tmp[PATH_CAP + 40];
    cred_path(s, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "url", c->url, "api_token", c->token,
                             "pin", c->pin, "kiosk", c->kiosk_name, "event_id",
                             (json_int_t)c->event_id, "kiosk_number", (json_int_t)c->kiosk_number);
    char *text = root ? json_dumps(root, JSON_INDENT(2)) : NULL;
    json_decref(root);
    if (!text) {
        return BORNE_ERR_NOMEM;
    }
    borne_err err = BORNE_OK;
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err = errno == EACCES ? BORNE_ERR_PERM : BORNE_ERR_IO;
    } else {
        size_t len = strlen(text), off = 0;
        while (off < len) {
            ssize_t n = write(fd, text + off, len - off);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                err = errno == ENOSPC ? BORNE_ERR_DISK_FULL : BORNE_ERR_IO;
                break;
            }
            off += (size_t)n;
        }
        if (!err && fsync(fd) != 0) {
            err = BORNE_ERR_IO;
        }
        close(fd);
        if (!err && rename(tmp, path) != 0) {
            err = BORNE_ERR_IO;
        }
        if (err) {
            unlink(tmp);
        }
    }
    sodium_memzero(text, strlen(text));
    free(text);
    if (err) {
        LOG_ERR("cannot write the credentials file: %s", borne_strerror(err));
    }
    return err;
}

/* ---- HTTP ---- */

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    buffer *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->max) {
        b->overflow = true;
        return 0; /* aborts the transfer */
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *grown = realloc(b->data, cap);
        if (!grown) {
            return 0;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* libcurl calls this often during a transfer (at least once a second): a non-zero return
 * aborts it, so stopping the sync never waits for a slow registry. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    struct borne_sync *s = ctx;
    return atomic_load(&s->abort_transfer) ? 1 : 0;
}

static borne_err open_resources(struct borne_sync *s)
{
    if (!s->store) {
        borne_err err = borne_store_open(s->db_path, &s->store);
        if (err) {
            set_error(s, err, "cannot open the kiosk store: %s", borne_strerror(err));
            return err;
        }
    }
    if (!s->curl) {
        s->curl = curl_easy_init();
        if (!s->curl) {
            return BORNE_ERR_NOMEM;
        }
    }
    return BORNE_OK;
}

/* Words for a failed request, for the staff screen and the log. */
static borne_err describe_curl(struct borne_sync *s, CURLcode rc, const char *what)
{
    borne_err err = BORNE_ERR_NET;
    const char *words;
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        words = "the registry's name cannot be resolved (no network or DNS?)";
        break;
    case CURLE_COULDNT_CONNECT:
        words = "the registry cannot be reached (connection refused or no route)";
        break;
    case CURLE_OPERATION_TIMEDOUT:
        err = BORNE_ERR_TIMEOUT;
        words = "the registry did not answer in time";
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
        err = BORNE_ERR_CRYPTO;
        words = "the registry's certificate is not trusted (TLS verification failed)";
        break;
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        err = BORNE_ERR_CRYPTO;
        words = "the registry's key does not match the pin of the setup code";
        break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_BAD_CONTENT_ENCODING:
        words = "the registry's answer was cut short";
        break;
    case CURLE_WRITE_ERROR:
        err = BORNE_ERR_TOO_LARGE;
        words = "the registry's answer is too large";
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        words = "stopped";
        break;
    default:
        words = "network error";
        break;
    }
    set_error(s, err, "%s: %s (%s)", what, words, curl_easy_strerror(rc));
    return err;
}

/* One request. `body` NULL: GET. The answer is in s->answer (NUL-terminated). *mid: a
 * clock sample half way through the request, for the clock reference. */
static borne_err request(struct borne_sync *s, const char *what, const char *path, const char *body,
                         size_t body_len, bool auth, borne_clock_sample *mid)
{
    char url[BORNE_URL_MAX + 128];
    snprintf(url, sizeof(url), "%s%s", s->cred.url, path);
    CURL *c = s->curl;
    curl_easy_reset(c);
    s->answer.len = 0;
    s->answer.overflow = false;
    s->answer.max = BORNE_ANSWER_MAX;
    s->curl_error[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, strncmp(url, "https://", 8) ? "http" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)s->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)s->low_speed_s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s->answer);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->curl_error);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "borne/" BORNE_VERSION);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
    /* TLS: always verified. A pin replaces the CA chain with the key the setup code names. */
    if (s->cred.pin[0]) {
        curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, s->cred.pin);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        if (s->ca_file[0]) {
            curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
        }
    }
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Accept: application/json");
    char authz[BORNE_API_TOKEN_MAX + 32];
    if (auth) {
        snprintf(authz, sizeof(authz), "Authorization: Bearer %s", s->cred.token);
        headers = curl_slist_append(headers, authz);
    }
    if (body) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    borne_clock_sample before, after;
    sample(s, &before);
    CURLcode rc = curl_easy_perform(c);
    sample(s, &after);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    if (auth) {
        sodium_memzero(authz, sizeof(authz));
    }
    if (rc != CURLE_OK) {
        return describe_curl(s, s->answer.overflow ? CURLE_WRITE_ERROR : rc, what);
    }
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200) {
        borne_err err = code == 401 || code == 403 ? BORNE_ERR_PERM
                        : code == 413              ? BORNE_ERR_TOO_LARGE
                        : code >= 500              ? BORNE_ERR_NET
                                                   : BORNE_ERR_INVALID;
        const char *words = code == 401   ? "this kiosk's token was refused (revoked?)"
                            : code == 403 ? "the registry refused this kiosk"
                            : code >= 500 ? "the registry had an internal error"
                                          : "the registry refused the request";
        set_error(s, err, "%s: %s (HTTP %ld)", what, words, code);
        return err;
    }
    if (mid) {
        *mid = after;
        mid->mono_ms = before.mono_ms + (after.mono_ms - before.mono_ms) / 2;
    }
    return BORNE_OK;
}

/* The registry's time becomes the trusted reference: untrusted check-ins of this boot are
 * corrected now (before they are pushed), and the kiosk's clock may take it. */
static void learn_time(struct borne_sync *s, int64_t server_ms, const borne_clock_sample *mid)
{
    borne_clock_sample ref = *mid;
    ref.wall_ms = server_ms;
    ref.trusted = true;
    int64_t rows = 0;
    borne_err err = borne_store_correct_times(s->store, &ref, &rows);
    if (err) {
        return; /* under the floor or a store error (logged): keep going without it */
    }
    if (rows) {
        LOG_INFO("corrected the time of %lld check-ins from the registry's clock", (long long)rows);
    }
    s->clock_corrected = true;
    pthread_mutex_lock(&s->lock);
    s->reference = ref;
    s->has_new_reference = true;
    s->status.corrected += rows;
    pthread_mutex_unlock(&s->lock);
}

static borne_err parse_failed(struct borne_sync *s, const char *what)
{
    set_error(s, BORNE_ERR_PARSE, "%s: the registry's answer could not be read", what);
    return BORNE_ERR_PARSE;
}

/* ---- the cycle ---- */

/* Keeps the registry's number for this kiosk: in the credentials (it survives a lost store)
 * and in the store, where the kiosk's UI thread reads it to number walk-ins. */
static void learn_kiosk_number(struct borne_sync *s, int64_t number)
{
    if (number <= 0) {
        return;
    }
    char have[24] = "";
    bool stored = borne_store_state_get(s->store, BORNE_SYNC_KIOSK_NUMBER_KEY, have,
                                        sizeof(have)) == BORNE_OK &&
                  strtoll(have, NULL, 10) == number;
    if (s->cred.kiosk_number != number) {
        credentials c = s->cred;
        c.kiosk_number = number;
        if (cred_save(s, &c) == BORNE_OK) {
            s->cred.kiosk_number = number;
        }
    }
    if (!stored) {
        char text[24];
        snprintf(text, sizeof(text), "%lld", (long long)number);
        borne_store_state_set(s->store, BORNE_SYNC_KIOSK_NUMBER_KEY, text);
    }
    pthread_mutex_lock(&s->lock);
    s->status.kiosk_number = number;
    pthread_mutex_unlock(&s->lock);
}

static borne_err report_status(struct borne_sync *s)
{
    int64_t total = 0, pending = 0, last_scan = 0;
    borne_store_count_checkins(s->store, s->cred.event_id, &total, &pending);
    borne_sync_store_last_scan(s->store, s->cred.event_id, &last_scan);
    borne_clock_sample now;
    sample(s, &now);
    const char *clock = s->clock_corrected ? "corrected" : now.trusted ? "trusted" : "untrusted";
    json_t *root =
        json_pack("{s:s, s:I, s:I, s:I, s:s, s:I}", "version", BORNE_VERSION, "pending",
                  (json_int_t)pending, "checkins", (json_int_t)total, "last_scan_ms",
                  (json_int_t)last_scan, "clock", clock, "wall_ms", (json_int_t)now.wall_ms);
    char *body = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!body) {
        return BORNE_ERR_NOMEM;
    }
    borne_clock_sample mid;
    borne_err err = request(s, "status", "/v1/status", body, strlen(body), true, &mid);
    free(body);
    if (err) {
        return err;
    }
    int64_t server_ms, number;
    if (borne_proto_parse_status(s->answer.data, s->answer.len, &server_ms, &number)) {
        return parse_failed(s, "status");
    }
    learn_time(s, server_ms, &mid);
    learn_kiosk_number(s, number);
    return BORNE_OK;
}

/* The minimal record of each walk-in among `rows` (participants in the walk-in range that the
 * kiosk store knows), so the registry can create them. *out is malloc'ed, NULL when none. */
static borne_err walkin_records(struct borne_sync *s, const borne_checkin_row *rows, size_t n,
                                borne_push_walkin **out)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!borne_walkin_id_parse(rows[i].participant_id, NULL)) {
            continue;
        }
        borne_participant p;
        borne_err err =
            borne_store_get_participant(s->store, rows[i].event_id, rows[i].participant_id, &p);
        if (err == BORNE_ERR_NOT_FOUND) {
            continue;
        }
        if (err) {
            free(*out);
            *out = NULL;
            return err;
        }
        if (!*out) {
            *out = calloc(n, sizeof(**out));
            if (!*out) {
                return BORNE_ERR_NOMEM;
            }
        }
        borne_push_walkin *w = &(*out)[i];
        w->present = true;
        snprintf(w->name, sizeof(w->name), "%s", p.display_name);
        snprintf(w->organisation, sizeof(w->organisation), "%s", p.organisation);
        bool registered = false;
        if (rows[i].session_id &&
            borne_store_is_registered(s->store, rows[i].event_id, rows[i].participant_id,
                                      rows[i].session_id, &registered) == BORNE_OK &&
            registered) {
            w->session_id = rows[i].session_id;
        }
    }
    return BORNE_OK;
}

static borne_err push(struct borne_sync *s)
{
    for (;;) {
        borne_checkin_row *rows = NULL;
        size_t n = 0;
        borne_err err = borne_sync_store_unsynced(s->store, s->cred.event_id, s->batch, &rows, &n);
        if (err || n == 0) {
            return err;
        }
        borne_push_walkin *walkins = NULL;
        err = walkin_records(s, rows, n, &walkins);
        char *body = NULL;
        size_t len = 0;
        if (!err) {
            err = borne_proto_push_body_walkins(rows, walkins, n, &body, &len);
        }
        free(walkins);
        free(rows);
        if (err) {
            return err;
        }
        borne_clock_sample mid;
        err = request(s, "push", "/v1/checkins", body, len, true, &mid);
        free(body);
        if (err) {
            return err;
        }
        int64_t server_ms;
        borne_push_result *res = NULL;
        size_t nres = 0;
        if (borne_proto_parse_push(s->answer.data, s->answer.len, &server_ms, &res, &nres)) {
            return parse_failed(s, "push");
        }
        const char **ok = calloc(nres ? nres : 1, sizeof(*ok));
        const char **refused = calloc(nres ? nres : 1, sizeof(*refused));
        size_t nok = 0, nref = 0;
        if (!ok || !refused) {
            free(ok);
            free(refused);
            free(res);
            return BORNE_ERR_NOMEM;
        }
        for (size_t i = 0; i < nres; i++) {
            if (res[i].status == BORNE_PUSH_REFUSED) {
                LOG_WARN("check-in %s refused by the registry: %s", res[i].uuid,
                         res[i].reason[0] ? res[i].reason : "no reason given");
                refused[nref++] = res[i].uuid;
            } else {
                ok[nok++] = res[i].uuid;
            }
        }
        int64_t marked = 0, marked_refused = 0;
        err = borne_sync_store_mark_synced(s->store, ok, nok, &marked);
        if (!err) {
            err = borne_sync_store_mark_refused(s->store, refused, nref, &marked_refused);
        }
        free(ok);
        free(refused);
        free(res);
        if (err) {
            return err;
        }
        pthread_mutex_lock(&s->lock);
        s->status.pushed += marked;
        s->status.refused += marked_refused;
        pthread_mutex_unlock(&s->lock);
        if (marked + marked_refused == 0) {
            set_error(s, BORNE_ERR_INVALID, "push: the registry acknowledged none of the batch");
            return BORNE_ERR_INVALID;
        }
    }
}

/* One page: asks for what changed after the stored cursor (or after 0: from_zero) and applies
 * it. *more: ask again. */
static borne_err pull_page(struct borne_sync *s, borne_pull_writer *w, bool from_zero, bool *more)
{
    *more = false;
    char cursor[24] = "0";
    borne_err err = borne_store_state_get(s->store, BORNE_SYNC_CURSOR_KEY, cursor, sizeof(cursor));
    if (err && err != BORNE_ERR_NOT_FOUND) {
        return err;
    }
    char *end = NULL;
    long long since = strtoll(cursor, &end, 10);
    if (!end || *end || since < 0 || from_zero) {
        since = 0;
    }
    /* The registry's epoch goes back with the cursor: a registry of another history (restored
     * from a backup) answers "reset" (docs/protocol.md). Only lowercase hex is ever stored. */
    char epoch[BORNE_PULL_EPOCH_MAX + 1] = "";
    err = borne_store_state_get(s->store, BORNE_SYNC_EPOCH_KEY, epoch, sizeof(epoch));
    if (err && err != BORNE_ERR_NOT_FOUND) {
        return err;
    }
    char path[96];
    if (since > 0 && epoch[0] && strspn(epoch, "0123456789abcdef") == strlen(epoch)) {
        snprintf(path, sizeof(path), "/v1/roster?since=%lld.%s", since, epoch);
    } else {
        snprintf(path, sizeof(path), "/v1/roster?since=%lld", since);
    }
    borne_clock_sample mid;
    err = request(s, "pull", path, NULL, 0, true, &mid);
    if (err) {
        return err;
    }
    borne_pull *p = NULL;
    if (borne_proto_parse_pull(s->answer.data, s->answer.len, s->cred.event_id, &p)) {
        return parse_failed(s, "pull");
    }
    err = borne_pull_writer_apply(w, p);
    if (!err) {
        /* A reset page started again from 0, whatever was asked. */
        *more = p->more && p->cursor > (p->reset ? 0 : since);
        pthread_mutex_lock(&s->lock);
        s->status.pulled += (int64_t)(p->nparticipants + p->ndeleted_participants + p->nsessions +
                                      p->ndeleted_sessions);
        s->status.roster_changes += borne_pull_changes_roster(p);
        pthread_mutex_unlock(&s->lock);
    } else {
        set_error(s, err, "pull: cannot apply the roster to the kiosk store (%s)",
                  borne_strerror(err));
    }
    borne_pull_free(p);
    return err;
}

/* *resent: the pull completed a reset (sync/apply.h), so check-ins are to be sent again. */
static borne_err pull(struct borne_sync *s, bool *resent)
{
    *resent = false;
    /* One writer for the whole pull: every page goes through the same prepared statements. */
    borne_pull_writer *w = NULL;
    borne_err err = borne_pull_writer_new(s->store, s->cred.event_id, &w);
    bool more = !err;
    if (!err) {
        borne_pull_writer_own_walkins(w, s->cred.kiosk_number);
    }
    /* A reset left unfinished by an earlier pull starts again from 0. */
    bool from_zero = !err && borne_pull_writer_from_zero(w);
    for (int page = 0; !err && more && page < 100000; page++) {
        err = pull_page(s, w, from_zero && page == 0, &more);
    }
    *resent = !err && borne_pull_writer_reset_done(w);
    borne_pull_writer_free(w);
    return err;
}

static void update_pending(struct borne_sync *s)
{
    int64_t total = 0, pending = 0;
    if (s->store && s->cred.present &&
        !borne_store_count_checkins(s->store, s->cred.event_id, &total, &pending)) {
        pthread_mutex_lock(&s->lock);
        s->status.pending = pending;
        pthread_mutex_unlock(&s->lock);
    }
}

borne_err borne_sync_run_once(struct borne_sync *s)
{
    borne_clock_sample now;
    sample(s, &now);
    pthread_mutex_lock(&s->lock);
    s->status.syncing = true;
    s->status.last_attempt_ms = now.wall_ms;
    pthread_mutex_unlock(&s->lock);
    borne_err err = open_resources(s);
    if (!err && !s->cred.present) {
        err = cred_load(s);
        if (err) {
            set_error(s, BORNE_ERR_NOT_FOUND, "this kiosk is not provisioned (no setup code yet)");
        }
    }
    if (!err) {
        set_phase(s, BORNE_SYNC_PHASE_STATUS);
        err = report_status(s);
    }
    if (!err) {
        set_phase(s, BORNE_SYNC_PHASE_PUSHING);
        err = push(s);
    }
    if (!err) {
        set_phase(s, BORNE_SYNC_PHASE_PULLING);
        bool resent = false;
        err = pull(s, &resent);
        if (!err && resent) {
            /* The registry was restored: what it lost since its backup goes again now. */
            set_phase(s, BORNE_SYNC_PHASE_PUSHING);
            err = push(s);
        }
    }
    update_pending(s);
    sample(s, &now);
    pthread_mutex_lock(&s->lock);
    s->status.syncing = false;
    s->status.phase = BORNE_SYNC_PHASE_IDLE;
    s->status.cycles++;
    s->status.provisioned = s->cred.present;
    if (!err) {
        s->status.last_success_ms = now.wall_ms;
        s->status.last_success_mono_ms = mono_ms();
        s->status.failing_since_mono_ms = 0;
        s->status.failures = 0;
        s->status.last_err = BORNE_OK;
        s->status.last_error[0] = '\0';
    } else {
        if (s->status.failures == 0) {
            s->status.failing_since_mono_ms = mono_ms();
        }
        s->status.failures++;
        if (s->status.last_err == BORNE_OK) {
            s->status.last_err = err;
            snprintf(s->status.last_error, sizeof(s->status.last_error), "sync failed: %s",
                     borne_strerror(err));
        }
    }
    pthread_mutex_unlock(&s->lock);
    notify(s);
    return err;
}

/* ---- provisioning ---- */

borne_err borne_sync_provision(struct borne_sync *s, const char *setup_text, char *msg,
                               size_t msg_cap)
{
    borne_setup setup;
    borne_err err = borne_setup_parse(setup_text, setup_text ? strlen(setup_text) : 0, &setup);
    if (err) {
        snprintf(msg, msg_cap, "%s",
                 err == BORNE_ERR_INVALID
                     ? "the setup code's address is not https:// (plain http only to localhost)"
                     : "this is not a Borne setup code");
        return err;
    }
    err = open_resources(s);
    if (err) {
        snprintf(msg, msg_cap, "cannot open the kiosk store: %s", borne_strerror(err));
        return err;
    }
    credentials saved = s->cred;
    memset(&s->cred, 0, sizeof(s->cred));
    snprintf(s->cred.url, sizeof(s->cred.url), "%s", setup.url);
    snprintf(s->cred.pin, sizeof(s->cred.pin), "%s", setup.pin);
    json_t *root = json_pack("{s:s, s:s, s:s}", "enrolment_token", setup.token, "kiosk",
                             s->kiosk_id, "version", BORNE_VERSION);
    char *body = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    sodium_memzero(&setup, sizeof(setup));
    if (!body) {
        s->cred = saved;
        return BORNE_ERR_NOMEM;
    }
    borne_clock_sample mid;
    set_phase(s, BORNE_SYNC_PHASE_ENROLLING);
    err = request(s, "enrol", "/v1/enrol", body, strlen(body), false, &mid);
    set_phase(s, BORNE_SYNC_PHASE_IDLE);
    sodium_memzero(body, strlen(body));
    free(body);
    borne_enrol_answer ans;
    if (!err && borne_proto_parse_enrol(s->answer.data, s->answer.len, &ans)) {
        err = parse_failed(s, "enrol");
    }
    if (err) {
        pthread_mutex_lock(&s->lock);
        snprintf(msg, msg_cap, "%s", s->status.last_error);
        pthread_mutex_unlock(&s->lock);
        s->cred = saved;
        return err;
    }
    snprintf(s->cred.token, sizeof(s->cred.token), "%s", ans.api_token);
    snprintf(s->cred.kiosk_name, sizeof(s->cred.kiosk_name), "%s", ans.kiosk_name);
    s->cred.event_id = ans.event_id;
    s->cred.kiosk_number = ans.kiosk_number;
    sodium_memzero(&ans, sizeof(ans));
    err = cred_save(s, &s->cred);
    char ev[16];
    snprintf(ev, sizeof(ev), "%u", s->cred.event_id);
    if (!err) {
        err = borne_store_state_set(s->store, "event_id", ev);
    }
    if (!err) {
        /* A new enrolment starts the roster from scratch. */
        err = borne_store_state_set(s->store, BORNE_SYNC_CURSOR_KEY, "0");
    }
    if (!err && s->cred.kiosk_number > 0) {
        char number[24];
        snprintf(number, sizeof(number), "%lld", (long long)s->cred.kiosk_number);
        err = borne_store_state_set(s->store, BORNE_SYNC_KIOSK_NUMBER_KEY, number);
    }
    if (err) {
        snprintf(msg, msg_cap, "cannot store the credentials: %s", borne_strerror(err));
        return err;
    }
    s->cred.present = true;
    pthread_mutex_lock(&s->lock);
    s->status.provisioned = true;
    s->status.kiosk_number = s->cred.kiosk_number;
    pthread_mutex_unlock(&s->lock);
    LOG_INFO("enrolled for event %u", s->cred.event_id);
    err = borne_sync_run_once(s);
    if (err) {
        pthread_mutex_lock(&s->lock);
        snprintf(msg, msg_cap, "enrolled, but the first sync failed: %s", s->status.last_error);
        pthread_mutex_unlock(&s->lock);
    }
    return err;
}

/* ---- worker thread ---- */

static void *worker(void *arg)
{
    struct borne_sync *s = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_setname_np(pthread_self(), "borne-sync");
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        s->now_requested = false;
        pthread_mutex_unlock(&s->lock);
        borne_sync_run_once(s);
        pthread_mutex_lock(&s->lock);
        int64_t delay =
            s->status.failures
                ? borne_sync_backoff_ms(s->status.failures, s->backoff_min_ms, s->backoff_max_ms)
                : (int64_t)s->interval_s * 1000;
        s->status.next_attempt_ms = mono_ms() + delay;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += delay / 1000;
        until.tv_nsec += (delay % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        while (!s->stop && !s->now_requested) {
            if (pthread_cond_timedwait(&s->wake, &s->lock, &until) == ETIMEDOUT) {
                break;
            }
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

borne_err borne_sync_start(struct borne_sync *s)
{
    if (s->started) {
        return BORNE_ERR_EXISTS;
    }
    if (pthread_create(&s->thread, NULL, worker, s) != 0) {
        return BORNE_ERR_NOMEM;
    }
    s->started = true;
    return BORNE_OK;
}

void borne_sync_stop(struct borne_sync *s)
{
    if (!s->started) {
        return;
    }
    atomic_store(&s->abort_transfer, true);
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    s->started = false;
    atomic_store(&s->abort_transfer, false);
    pthread_mutex_lock(&s->lock);
    s->stop = false;
    s->status.syncing = false;
    s->status.phase = BORNE_SYNC_PHASE_IDLE;
    pthread_mutex_unlock(&s->lock);
}

void borne_sync_now(struct borne_sync *s)
{
    pthread_mutex_lock(&s->lock);
    s->now_requested = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void borne_sync_get_status(struct borne_sync *s, borne_sync_status *out)
{
    pthread_mutex_lock(&s->lock);
    *out = s->status;
    pthread_mutex_unlock(&s->lock);
}

bool borne_sync_take_reference(struct borne_sync *s, borne_clock_sample *out)
{
    pthread_mutex_lock(&s->lock);
    bool has = s->has_new_reference;
    if (has) {
        *out = s->reference;
        s->has_new_reference = false;
    }
    pthread_mutex_unlock(&s->lock);
    return has;
}

/* ---- lifetime ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_global(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

borne_err borne_sync_new(const borne_sync_options *o, struct borne_sync **out)
{
    *out = NULL;
    if (!o || !o->db_path || !o->data_dir || !o->clock || strlen(o->db_path) >= PATH_CAP ||
        strlen(o->data_dir) >= PATH_CAP || (o->ca_file && strlen(o->ca_file) >= PATH_CAP)) {
        return BORNE_ERR_INVALID;
    }
    pthread_once(&curl_once, curl_global);
    if (sodium_init() < 0) {
        return BORNE_ERR_CRYPTO;
    }
    struct borne_sync *s = calloc(1, sizeof(*s));
    if (!s) {
        return BORNE_ERR_NOMEM;
    }
    snprintf(s->db_path, sizeof(s->db_path), "%s", o->db_path);
    snprintf(s->data_dir, sizeof(s->data_dir), "%s", o->data_dir);
    snprintf(s->kiosk_id, sizeof(s->kiosk_id), "%s", o->kiosk_id ? o->kiosk_id : "borne");
    snprintf(s->ca_file, sizeof(s->ca_file), "%s", o->ca_file ? o->ca_file : "");
    s->clock = o->clock;
    s->interval_s = o->interval_s > 0 ? o->interval_s : 60;
    s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
    s->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    s->low_speed_s = o->low_speed_s > 0 ? o->low_speed_s : 20;
    s->batch = o->batch > 0 ? o->batch : 500;
    if (s->batch > BORNE_PUSH_BATCH_MAX) {
        s->batch = BORNE_PUSH_BATCH_MAX;
    }
    s->backoff_min_ms = o->backoff_min_ms > 0 ? o->backoff_min_ms : 2000;
    s->backoff_max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : 300000;
    s->notify = o->notify;
    s->notify_ctx = o->notify_ctx;
    atomic_init(&s->abort_transfer, false);
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    borne_err err = cred_load(s);
    if (err && err != BORNE_ERR_NOT_FOUND) {
        LOG_WARN("credentials file unusable (%s): provision again", borne_strerror(err));
    }
    s->status.provisioned = s->cred.present;
    s->status.kiosk_number = s->cred.kiosk_number;
    *out = s;
    return BORNE_OK;
}

void borne_sync_free(struct borne_sync *s)
{
    if (!s) {
        return;
    }
    borne_sync_stop(s);
    if (s->curl) {
        curl_easy_cleanup(s->curl);
    }
    borne_store_close(s->store);
    free(s->answer.data);
    sodium_memzero(&s->cred, sizeof(s->cred));
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
