/* The kiosk application; see kiosk.h. */
#define _GNU_SOURCE /* nftw, pthread_setname_np */
#define LOG_MODULE  "kiosk"

#include "scan/decoder.h"
#include "scan/queue.h"
#include "scan/worker.h"
#include "kiosk/kiosk.h"

#include <SDL.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checkin/checkin.h"
#include "core/config.h"
#include "core/log.h"
#include "core/utf8.h"
#include "demo/demo.h"
#include "kiosk/demo_source.h"
#include "kiosk/export.h"
#include "store/recover.h"
#include "store/store.h"
#include "sync/protocol.h"
#include "sync/sync.h"
#include "ui/i18n.h"
#include "ui/look.h"
#include "ui/pin.h"
#include "ui/screens.h"
#include "ui/sound.h"
#include "ui/ui.h"

extern char **environ;

#define PREVIEW_MAX_W      1280
#define PREVIEW_MAX_H      720
#define RESULT_OK_MS       2500 /* a green screen: short, the queue moves */
#define RESULT_OTHER_MS    5000 /* anything to read: longer */
#define LONG_PRESS_MS      2000
#define DEMO_PAUSE_MS      2500 /* demo: waiting screen between participants */
#define DEMO_GIVE_UP_MS    5000 /* demo: a code not read by then is skipped */
#define NOT_SET_UP_POLL_MS 5000
#define DEMO_PIN           "1234"
#define SETUP_DONE_MS      3000 /* "kiosk set up" stays on screen before the waiting screen */
#define STORE_RETRY_MS     5000 /* a store that cannot be opened: tried again this often */

enum user_event {
    EV_SCAN = 0,    /* the scan queue has events */
    EV_PREVIEW,     /* a new camera frame for the preview */
    EV_PIN_DONE,    /* data1: struct pin_job * */
    EV_EXPORT_DONE, /* data1: struct borne_export_job * */
    EV_SYNC,        /* the sync thread has news: read borne_sync_get_status() */
    EV_SETUP_DONE,  /* data1: struct setup_job * (provisioning finished) */
    EV__COUNT
};

/* The camera thread's tap: a copy of the newest frame for the preview, then the decoder. */
struct tap {
    struct borne_decoder *decoder; /* camera thread only */
    pthread_mutex_t lock;          /* guards buf, w, h, seq */
    uint8_t *buf;
    int w, h;
    uint64_t seq;
    atomic_bool posted; /* an EV_PREVIEW is in SDL's queue */
    Uint32 event_base;
};

struct pin_job {
    char hash[BORNE_CONFIG_HASH_CAP];
    char pin[BORNE_PIN_MAX_DIGITS + 1];
    bool ok;
    pthread_t thread;
};

/* Provisioning from a setup code, on its own thread: enrolment and the first sync are network
 * round trips the UI thread never waits for. The job uses the kiosk's borne_sync while the
 * worker is stopped; the UI thread only reads its status until EV_SETUP_DONE. */
struct setup_job {
    struct borne_sync *sync; /* borrowed */
    char text[BORNE_SETUP_MAX + 1];
    borne_err err;
    bool enrolled; /* the enrolment itself worked (the first sync may have failed) */
    pthread_t thread;
    Uint32 done_event;
};

enum demo_phase {
    DEMO_IDLE = 0,   /* waiting before the next participant */
    DEMO_PRESENTING, /* the code is in front of the camera */
    DEMO_DONE,
};

struct borne_kiosk {
    struct borne_kiosk_options opts;
    struct borne_config cfg;
    char failure[600]; /* why borne_kiosk_new failed, for main() ("" not said) */
    char db_path[512];
    char demo_dir[64];

    /* Data. */
    struct borne_store *store;
    borne_clock clock;
    borne_fake_clock fake;
    struct borne_checkin *ck; /* NULL: not set up */
    borne_demo demo;
    char pin_hash[BORNE_CONFIG_HASH_CAP];
    borne_pin_lock pin_lock;
    char pin[BORNE_PIN_MAX_DIGITS + 1];
    struct pin_job *pin_job;
    struct borne_export_job *export_job;

    /* Sync with the registry (NULL in the demo). Its thread samples its own system clock;
     * references it learns reach `clock` through EV_SYNC on the UI thread. */
    struct borne_sync *sync;
    borne_clock sync_clock;
    char data_dir[512];
    atomic_bool sync_posted; /* an EV_SYNC is in SDL's queue */
    int64_t roster_seen;     /* status.roster_changes already reloaded */
    int64_t sync_now_cycle;  /* staff asked "sync now": the cycle that answers it; 0: none */
    int64_t sync_now_pushed; /* status.pushed when asked */
    struct setup_job *setup_job;
    int64_t setup_done_ms; /* monotonic: leave the "set up" message for the waiting screen */

    /* Inputs. */
    struct borne_scanq *queue;
    struct borne_worker *worker;
    struct tap tap;
    struct borne_demo_feed *feed;
    uint8_t *preview; /* UI copy of the tap's frame */
    uint64_t preview_seq;

    /* Screen. */
    SDL_Window *window;
    SDL_Renderer *renderer;
    struct borne_ui *ui;
    struct borne_sound *sound;
    Uint32 event_base;
    borne_view view;
    bool dirty;
    bool quit;
    int64_t result_until_ms; /* monotonic */
    int64_t result_shown_ms;
    int64_t result_len_ms;
    borne_screen result_return; /* where the result screen goes back to */
    bool result_fresh;          /* next present is the first of this result */
    uint64_t result_mono_ns;    /* capture time of the code, 0: not from the camera */
    int64_t press_ms;           /* long press start, 0: none */
    int64_t last_input_ms;
    int64_t last_tick_s;
    int64_t next_setup_poll_ms;
    int64_t next_store_try_ms; /* no store: when to try opening it again */
    uint64_t frames;
    uint64_t results;
    borne_kiosk_observer observer;
    void *observer_ctx;

    /* Demo director. */
    enum demo_phase demo_phase;
    size_t demo_step;
    int64_t demo_next_ms;
};

static int64_t mono_ms(void)
{
    return (int64_t)(borne_scan_mono_ns() / 1000000u);
}

static void post(Uint32 type, void *data)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = type;
    e.user.data1 = data;
    if (SDL_PushEvent(&e) < 0) {
        LOG_WARN("event queue full: %s", SDL_GetError());
    }
}

static void wake(void *ctx)
{
    struct borne_kiosk *k = ctx;
    post(k->event_base + EV_SCAN, NULL);
}

/* Sync thread: news goes up as one coalesced SDL event; the UI thread reads the status. */
static void sync_wake(void *ctx)
{
    struct borne_kiosk *k = ctx;
    if (!atomic_exchange(&k->sync_posted, true)) {
        post(k->event_base + EV_SYNC, NULL);
    }
}

/* Camera thread: keep the newest frame for the preview, then decode it. */
static int tap_decode(void *ctx, const borne_frame *f, char *text, size_t cap, size_t *len)
{
    struct tap *t = ctx;
    if (f->width > 0 && f->height > 0 && f->width <= PREVIEW_MAX_W && f->height <= PREVIEW_MAX_H) {
        pthread_mutex_lock(&t->lock);
        for (int y = 0; y < f->height; y++) {
            memcpy(t->buf + (size_t)y * (size_t)f->width, f->luma + (size_t)y * (size_t)f->stride,
                   (size_t)f->width);
        }
        t->w = f->width;
        t->h = f->height;
        t->seq++;
        pthread_mutex_unlock(&t->lock);
        if (!atomic_exchange(&t->posted, true)) {
            post(t->event_base + EV_PREVIEW, NULL);
        }
    }
    return borne_worker_decode_qr(t->decoder, f, text, cap, len);
}

/* ---- view helpers -------------------------------------------------------------------------- */

static bool staff_screen(borne_screen s)
{
    return s != BORNE_SCREEN_WAITING && s != BORNE_SCREEN_RESULT && s != BORNE_SCREEN_PIN &&
           s != BORNE_SCREEN_NOT_SET_UP && s != BORNE_SCREEN_TROUBLE;
}

static void set_message(struct borne_kiosk *k, bool error, const char *text)
{
    snprintf(k->view.message, sizeof(k->view.message), "%s", text ? text : "");
    k->view.message_error = error;
    k->dirty = true;
}

static void go(struct borne_kiosk *k, borne_screen s)
{
    if (k->view.screen != s) {
        k->view.message[0] = '\0';
    }
    k->view.screen = s;
    k->view.shift = false;
    k->dirty = true;
}

static void refresh_sync(struct borne_kiosk *k);

static void refresh_pending(struct borne_kiosk *k)
{
    if (!k->ck) {
        return;
    }
    int64_t total = 0, unsynced = 0;
    if (borne_store_count_checkins(k->store, borne_checkin_event(k->ck)->id, &total, &unsynced) ==
        BORNE_OK) {
        k->view.pending = unsynced;
        k->view.total_checkins = total;
    }
    refresh_sync(k);
}

static void refresh_header(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    if (k->ck) {
        snprintf(v->event_name, sizeof(v->event_name), "%s", borne_checkin_event(k->ck)->name);
        const borne_session *s = borne_checkin_session(k->ck);
        v->has_session = s != NULL;
        if (s) {
            v->session = *s;
        }
        v->mode = borne_checkin_mode(k->ck);
    } else {
        snprintf(v->event_name, sizeof(v->event_name), "Borne");
    }
    borne_format_sync_line(&v->sync_state, v->pending, v->sync, sizeof(v->sync));
    k->dirty = true;
}

/* The sync's state in the view (status corner, staff screens); times from monotonic clocks,
 * so a wrong wall clock does not make "2 min ago" lie. Redraws only when the words change. */
static void refresh_sync(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    borne_view_sync vs = {.state = BORNE_VIEW_SYNC_NONE};
    if (k->sync) {
        borne_sync_status st;
        borne_sync_get_status(k->sync, &st);
        int64_t now = mono_ms();
        vs.running = st.syncing;
        vs.err = st.last_err;
        if (!st.provisioned) {
            vs.state = BORNE_VIEW_SYNC_NONE;
        } else if (st.failures > 0 && st.last_err == BORNE_ERR_PERM) {
            vs.state = BORNE_VIEW_SYNC_REFUSED;
        } else if (st.failures > 0) {
            vs.state = BORNE_VIEW_SYNC_OFFLINE;
            borne_clock_sample wall;
            borne_clock_now(&k->clock, &wall);
            vs.since_s = (wall.wall_ms - (now - st.failing_since_mono_ms)) / 1000;
        } else if (st.last_success_mono_ms) {
            vs.state = BORNE_VIEW_SYNC_OK;
            vs.ago_s = (now - st.last_success_mono_ms) / 1000;
        } else {
            vs.state = BORNE_VIEW_SYNC_WAITING;
        }
    }
    v->sync_state = vs;
    char line[sizeof(v->sync)];
    borne_format_sync_line(&vs, v->pending, line, sizeof(line));
    if (strcmp(line, v->sync) != 0) {
        snprintf(v->sync, sizeof(v->sync), "%s", line);
        k->dirty = true;
    }
}

static void refresh_clock(struct borne_kiosk *k)
{
    borne_clock_sample now;
    borne_clock_now(&k->clock, &now);
    time_t t = (time_t)(now.wall_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    char buf[16];
    strftime(buf, sizeof(buf), "%H:%M", &tm);
    if (strcmp(buf, k->view.clock) != 0 || k->view.clock_trusted != now.trusted) {
        snprintf(k->view.clock, sizeof(k->view.clock), "%s", buf);
        k->view.clock_trusted = now.trusted;
        if (k->view.screen == BORNE_SCREEN_WAITING || k->view.screen == BORNE_SCREEN_NOT_SET_UP) {
            k->dirty = true;
        }
    }
}

static void enter_trouble(struct borne_kiosk *k, borne_err err)
{
    LOG_ERR("store error, scans stopped: %s", borne_strerror(err));
    k->view.trouble = err;
    go(k, BORNE_SCREEN_TROUBLE);
    borne_sound_play(k->sound, BORNE_LOOK_REFUSED);
}

/* Why the store at `path` could not be opened, when the folder is the problem: a missing
 * folder, a folder where the file should be, a folder the kiosk may not write in. */
static void diagnose_store(borne_view *v, const char *path)
{
    v->trouble_cause = BORNE_VIEW_TROUBLE_STORE;
    v->trouble_path[0] = '\0';
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        v->trouble_cause = BORNE_VIEW_TROUBLE_IS_FOLDER;
        snprintf(v->trouble_path, sizeof(v->trouble_path), "%s", path);
        return;
    }
    char dir[sizeof(v->trouble_path)];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir) {
        dir[1] = '\0';
    } else if (slash) {
        *slash = '\0';
    } else {
        snprintf(dir, sizeof(dir), ".");
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        v->trouble_cause = BORNE_VIEW_TROUBLE_NO_FOLDER;
    } else if (access(dir, W_OK | X_OK) != 0) {
        v->trouble_cause = BORNE_VIEW_TROUBLE_NOT_WRITABLE;
    } else {
        return;
    }
    snprintf(v->trouble_path, sizeof(v->trouble_path), "%s", dir);
}

static void sanitize(char *dst, size_t cap, const char *src)
{
    borne_utf8_sanitize(dst, cap, src, strlen(src), 0, NULL);
}

static void show_result(struct borne_kiosk *k, const borne_scan_result *r, uint64_t mono_ns,
                        borne_screen back)
{
    borne_view *v = &k->view;
    v->result = *r;
    if (r->repeat && borne_outcome_is_positive(r->outcome)) {
        /* The same scan again: say so, rather than "welcome" a second time. */
        v->result.outcome = BORNE_OUTCOME_REPEAT_SCAN;
    }
    v->mode = borne_checkin_mode(k->ck);
    v->result_name[0] = v->result_org[0] = '\0';
    if (r->has_participant) {
        sanitize(v->result_name, sizeof(v->result_name), r->participant.display_name);
        sanitize(v->result_org, sizeof(v->result_org), r->participant.organisation);
    }
    borne_look look = borne_view_result_look(v);
    int64_t now = mono_ms();
    k->result_len_ms = look.cls == BORNE_LOOK_ACCEPTED ? RESULT_OK_MS : RESULT_OTHER_MS;
    k->result_shown_ms = now;
    k->result_until_ms = now + k->result_len_ms;
    k->result_return = back;
    k->result_fresh = true;
    k->result_mono_ns = mono_ns;
    v->result_progress_permille = 1000;
    go(k, BORNE_SCREEN_RESULT);
    borne_sound_play(k->sound, look.cls);
    refresh_pending(k);
}

/* ---- scans --------------------------------------------------------------------------------- */

static void open_staff(struct borne_kiosk *k)
{
    LOG_INFO("staff mode opened");
    char notice[sizeof(k->view.notice)];
    snprintf(notice, sizeof(notice), "%s", k->view.notice);
    k->view.notice[0] = '\0'; /* staff have seen it: said once more on the menu */
    k->last_input_ms = mono_ms();
    refresh_header(k);
    refresh_pending(k);
    go(k, BORNE_SCREEN_MENU);
    if (notice[0]) {
        set_message(k, true, notice);
    }
}

static void start_setup(struct borne_kiosk *k, const char *text, size_t len);

static bool is_setup_code(const char *text, size_t len)
{
    size_t n = strlen(BORNE_SETUP_PREFIX);
    return len >= n && memcmp(text, BORNE_SETUP_PREFIX, n) == 0;
}

static void handle_code(struct borne_kiosk *k, const char *text, size_t len, borne_method method,
                        uint64_t mono_ns)
{
    borne_screen s = k->view.screen;
    if (s == BORNE_SCREEN_TROUBLE) {
        return; /* scans are not accepted until the store works again */
    }
    if (!k->ck) {
        if (s == BORNE_SCREEN_NOT_SET_UP) {
            start_setup(k, text, len);
        }
        return;
    }
    if (is_setup_code(text, len)) {
        /* Never recorded as a check-in: it holds a one-time enrolment token. */
        LOG_INFO("setup code presented to a kiosk already set up: ignored");
        if (staff_screen(s)) {
            set_message(k, true,
                        _("Cette borne est déjà configurée. Pour la changer d’évènement, "
                          "synchronisez-la puis utilisez «\u00a0bornectl provision\u00a0»."));
        }
        return;
    }
    if (staff_screen(s)) {
        set_message(k, true, _("Quittez le mode personnel pour enregistrer des passages."));
        return;
    }
    borne_scan_result r;
    borne_err err = borne_checkin_scan(k->ck, (const uint8_t *)text, len, method, &r);
    if (err) {
        enter_trouble(k, err);
        return;
    }
    LOG_DBG("scan: %s", borne_outcome_name(r.outcome));
    if (r.outcome == BORNE_OUTCOME_STAFF) {
        borne_sound_play(k->sound, BORNE_LOOK_STAFF);
        open_staff(k);
        return;
    }
    show_result(k, &r, method == BORNE_METHOD_CAMERA ? mono_ns : 0, BORNE_SCREEN_WAITING);
    if (k->opts.demo && k->demo_phase == DEMO_PRESENTING) {
        borne_demo_feed_show(k->feed, NULL, 0);
        k->demo_phase = DEMO_IDLE;
        k->demo_next_ms = k->result_until_ms + DEMO_PAUSE_MS;
        k->demo_step++;
    }
}

static void drain_queue(struct borne_kiosk *k)
{
    if (!k->queue) {
        return;
    }
    static borne_scanq_event ev; /* 4 KiB: not on the stack; UI thread only */
    while (borne_scanq_pop(k->queue, &ev) == BORNE_OK) {
        if (ev.type == BORNE_SCAN_EV_STATE) {
            if (ev.kind == BORNE_INPUT_SCANNER) {
                k->view.scanner = (int)ev.state;
            } else {
                k->view.camera = (int)ev.state;
                if (ev.state != BORNE_INPUT_RUNNING) {
                    k->view.has_preview = false;
                }
            }
            LOG_INFO("%s %d: %s", borne_input_kind_name(ev.kind), ev.slot,
                     borne_input_state_name(ev.state));
            k->dirty = true;
            continue;
        }
        handle_code(k, ev.text, ev.len,
                    ev.kind == BORNE_INPUT_SCANNER ? BORNE_METHOD_SCANNER : BORNE_METHOD_CAMERA,
                    ev.mono_ns);
    }
}

static void take_preview(struct borne_kiosk *k)
{
    atomic_store(&k->tap.posted, false);
    pthread_mutex_lock(&k->tap.lock);
    if (k->tap.seq != k->preview_seq) {
        memcpy(k->preview, k->tap.buf, (size_t)k->tap.w * (size_t)k->tap.h);
        k->view.preview_w = k->tap.w;
        k->view.preview_h = k->tap.h;
        k->view.preview_stride = k->tap.w;
        k->preview_seq = k->tap.seq;
        k->view.has_preview = true;
        if (k->view.screen == BORNE_SCREEN_WAITING) {
            k->dirty = true;
        }
    }
    pthread_mutex_unlock(&k->tap.lock);
}

/* ---- sync and provisioning ---------------------------------------------------------------- */

static void *setup_thread(void *arg)
{
    struct setup_job *job = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_setname_np(pthread_self(), "borne-setup");
    /* A worker retrying an earlier enrolment would use the same sync: stop it first (this
     * thread may wait for it; the UI thread does not). */
    borne_sync_stop(job->sync);
    char msg[256] = "";
    job->err = borne_sync_provision(job->sync, job->text, msg, sizeof(msg));
    borne_sync_status st;
    borne_sync_get_status(job->sync, &st);
    job->enrolled = st.provisioned;
    sodium_memzero(job->text, sizeof(job->text));
    post(job->done_event, job);
    return NULL;
}

/* Words for a failed provisioning, for the person holding the setup code. */
static const char *setup_failure_words(borne_err err)
{
    switch (err) {
    case BORNE_ERR_PARSE:
        return _("Ce code n’est pas un code de configuration Borne valide. Présentez le code "
                 "fourni par l’organisateur.");
    case BORNE_ERR_INVALID:
        return _("L’adresse du registre dans ce code n’est pas sécurisée (https:// requis). "
                 "Demandez un autre code à l’organisateur.");
    case BORNE_ERR_PERM:
        return _("Ce code de configuration a déjà servi, a expiré ou a été révoqué. Demandez-en "
                 "un nouveau à l’organisateur.");
    case BORNE_ERR_NET:
    case BORNE_ERR_TIMEOUT:
        return _("Le registre est injoignable. Vérifiez le réseau de la borne, puis présentez "
                 "le code de nouveau.");
    case BORNE_ERR_CRYPTO:
        return _("Le certificat du registre n’est pas reconnu\u00a0: la borne refuse de s’y "
                 "connecter. Vérifiez le code avec l’organisateur.");
    default:
        return _("La configuration a échoué. Présentez le code de nouveau ou utilisez "
                 "«\u00a0bornectl provision\u00a0».");
    }
}

static void setup_progress(struct borne_kiosk *k)
{
    if (!k->setup_job || !k->sync) {
        return;
    }
    borne_sync_status st;
    borne_sync_get_status(k->sync, &st);
    const char *step = st.phase == BORNE_SYNC_PHASE_ENROLLING
                           ? _("Inscription de la borne auprès du registre…")
                       : st.phase == BORNE_SYNC_PHASE_PULLING
                           ? _("Réception de l’évènement, des séances et des participants…")
                       : st.provisioned ? _("Borne inscrite. Synchronisation avec le registre…")
                                        : _("Lecture du code de configuration…");
    if (strcmp(step, k->view.setup_text) != 0) {
        snprintf(k->view.setup_text, sizeof(k->view.setup_text), "%s", step);
        k->dirty = true;
    }
}

static void start_setup(struct borne_kiosk *k, const char *text, size_t len)
{
    borne_view *v = &k->view;
    if (k->setup_job) {
        return; /* one at a time; the same code seen again while it runs */
    }
    if (!k->sync) {
        v->setup = BORNE_VIEW_SETUP_FAILED;
        snprintf(v->setup_text, sizeof(v->setup_text), "%s",
                 _("Cette borne ne peut pas joindre de registre (démo ou données inaccessibles)."));
        k->dirty = true;
        return;
    }
    borne_setup parsed;
    borne_err err = is_setup_code(text, len) && len <= BORNE_SETUP_MAX
                        ? borne_setup_parse(text, len, &parsed)
                        : BORNE_ERR_PARSE;
    sodium_memzero(&parsed, sizeof(parsed));
    if (err) {
        LOG_WARN("code presented on the set-up screen is not a usable setup code");
        v->setup = BORNE_VIEW_SETUP_FAILED;
        snprintf(v->setup_text, sizeof(v->setup_text), "%s", setup_failure_words(err));
        borne_sound_play(k->sound, BORNE_LOOK_REFUSED);
        k->dirty = true;
        return;
    }
    struct setup_job *job = calloc(1, sizeof(*job));
    if (!job) {
        abort();
    }
    job->sync = k->sync;
    memcpy(job->text, text, len);
    job->text[len] = '\0';
    job->done_event = k->event_base + EV_SETUP_DONE;
    if (pthread_create(&job->thread, NULL, setup_thread, job) != 0) {
        LOG_ERR("provisioning thread could not start");
        sodium_memzero(job, sizeof(*job));
        free(job);
        return;
    }
    LOG_INFO("setup code presented: provisioning");
    k->setup_job = job;
    v->setup = BORNE_VIEW_SETUP_WORKING;
    v->setup_text[0] = '\0';
    setup_progress(k);
    borne_sound_play(k->sound, BORNE_LOOK_INFO);
    k->dirty = true;
}

static void try_set_up(struct borne_kiosk *k);
static void open_store(struct borne_kiosk *k);

static void setup_done(struct borne_kiosk *k, struct setup_job *job)
{
    pthread_join(job->thread, NULL);
    borne_err err = job->err;
    bool enrolled = job->enrolled;
    free(job);
    k->setup_job = NULL;
    borne_view *v = &k->view;
    if (enrolled) {
        /* From now on the sync thread keeps the kiosk up to date (and retries a failed first
         * sync by itself). */
        borne_err serr = borne_sync_start(k->sync);
        if (serr) {
            LOG_ERR("sync thread could not start: %s", borne_strerror(serr));
        }
    }
    try_set_up(k);
    if (!err && k->ck) {
        LOG_INFO("provisioned: event %u", borne_checkin_event(k->ck)->id);
        int64_t people = 0;
        borne_store_count_participants(k->store, borne_checkin_event(k->ck)->id, &people);
        v->setup = BORNE_VIEW_SETUP_DONE;
        char n[24];
        snprintf(n, sizeof(n), "%lld", (long long)people);
        borne_i18n_fill(v->setup_text, sizeof(v->setup_text),
                        _("«\u00a0%s\u00a0»\u00a0: %s participants. La borne est prête."),
                        borne_checkin_event(k->ck)->name, n, NULL);
        borne_sound_play(k->sound, BORNE_LOOK_ACCEPTED);
        /* Say so for a moment on the set-up screen, then the waiting screen. */
        go(k, BORNE_SCREEN_NOT_SET_UP);
        k->setup_done_ms = mono_ms() + SETUP_DONE_MS;
    } else if (enrolled) {
        LOG_WARN("provisioned, but the first sync failed: %s", borne_strerror(err));
        v->setup = BORNE_VIEW_SETUP_FAILED;
        snprintf(v->setup_text, sizeof(v->setup_text), "%s (%s). %s",
                 _("La borne est inscrite, mais la liste des participants n’a pas pu être reçue"),
                 borne_sync_error_words(err),
                 _("Elle réessaie toute seule\u00a0; inutile de présenter le code de nouveau."));
        borne_sound_play(k->sound, BORNE_LOOK_ATTENTION);
    } else {
        LOG_WARN("provisioning failed: %s", borne_strerror(err));
        v->setup = BORNE_VIEW_SETUP_FAILED;
        snprintf(v->setup_text, sizeof(v->setup_text), "%s", setup_failure_words(err));
        borne_sound_play(k->sound, BORNE_LOOK_REFUSED);
    }
    refresh_sync(k);
    k->dirty = true;
}

/* EV_SYNC: the sync thread's news, read on the UI thread. */
static void sync_news(struct borne_kiosk *k)
{
    atomic_store(&k->sync_posted, false);
    if (!k->sync) {
        return;
    }
    /* A trusted time from the registry: later check-ins of this boot are trusted. */
    borne_clock_sample ref;
    while (borne_sync_take_reference(k->sync, &ref)) {
        if (borne_clock_set_reference(&k->clock, &ref) == BORNE_OK) {
            LOG_INFO("clock reference taken from the registry");
        }
    }
    refresh_clock(k);
    borne_sync_status st;
    borne_sync_get_status(k->sync, &st);
    if (k->setup_job) {
        setup_progress(k);
        refresh_sync(k);
        return; /* setup_done() sets up the check-in path */
    }
    if (st.roster_changes != k->roster_seen) {
        k->roster_seen = st.roster_changes;
        if (!k->ck) {
            try_set_up(k);
        } else if (k->view.screen != BORNE_SCREEN_TROUBLE) {
            borne_err err = borne_checkin_reload(k->ck);
            if (err && err != BORNE_ERR_NOT_FOUND) {
                enter_trouble(k, err);
            } else {
                LOG_INFO("roster changed by the registry: check-in path reloaded");
                refresh_header(k);
            }
        }
    }
    refresh_pending(k);
    refresh_sync(k);
    if (k->sync_now_cycle && st.cycles >= k->sync_now_cycle && !st.syncing) {
        /* The answer to "sync now", in words, on the staff screen that asked. */
        k->sync_now_cycle = 0;
        k->view.busy = false;
        char msg[768], sent[24], left[24];
        snprintf(sent, sizeof(sent), "%lld", (long long)(st.pushed - k->sync_now_pushed));
        snprintf(left, sizeof(left), "%lld", (long long)st.pending);
        if (st.failures == 0) {
            borne_i18n_fill(msg, sizeof(msg),
                            _("Synchronisé\u00a0: %s passages envoyés, %s en attente."), sent, left,
                            NULL);
            set_message(k, false, msg);
        } else {
            borne_i18n_fill(msg, sizeof(msg),
                            _("La synchronisation a échoué\u00a0: %s. %s passages restent sur la "
                              "borne et seront envoyés plus tard."),
                            borne_sync_error_words(st.last_err), left, NULL);
            set_message(k, true, msg);
        }
    }
}

static void sync_now(struct borne_kiosk *k)
{
    borne_sync_status st;
    if (!k->sync || k->setup_job) {
        set_message(k, true,
                    _("Aucun registre configuré\u00a0: les passages restent sur la borne. "
                      "Exportez-les sur clé USB."));
        return;
    }
    borne_sync_get_status(k->sync, &st);
    if (!st.provisioned) {
        set_message(k, true,
                    _("Aucun registre configuré\u00a0: les passages restent sur la borne. "
                      "Exportez-les sur clé USB."));
        return;
    }
    /* A cycle running now may have read the store before the request: wait for the next. */
    k->sync_now_cycle = st.cycles + (st.syncing ? 2 : 1);
    k->sync_now_pushed = st.pushed;
    k->view.busy = true;
    borne_sync_now(k->sync);
    LOG_INFO("sync now requested by staff");
    set_message(k, false, _("Synchronisation en cours…"));
}

/* Creates the sync (not the demo): starts its thread when the kiosk is provisioned; otherwise
 * it waits for a setup code. Never touches the network from this thread. */
static void open_sync(struct borne_kiosk *k)
{
    borne_clock_init_system(&k->sync_clock);
    borne_sync_options o = {.db_path = k->db_path,
                            .data_dir = k->data_dir,
                            .kiosk_id = k->cfg.kiosk.id,
                            .clock = &k->sync_clock,
                            .ca_file = k->cfg.registry.ca_file,
                            .interval_s = k->cfg.registry.sync_interval_seconds,
                            .notify = sync_wake,
                            .notify_ctx = k};
    borne_err err = borne_sync_new(&o, &k->sync);
    if (err) {
        LOG_ERR("sync: %s", borne_strerror(err));
        return;
    }
    borne_sync_status st;
    borne_sync_get_status(k->sync, &st);
    if (st.provisioned) {
        k->roster_seen = st.roster_changes;
        err = borne_sync_start(k->sync);
        if (err) {
            LOG_ERR("sync thread could not start: %s", borne_strerror(err));
        }
    } else {
        LOG_INFO("not provisioned: no sync until a setup code is presented");
    }
    refresh_sync(k);
}

/* ---- staff actions ------------------------------------------------------------------------- */

static void *pin_thread(void *arg)
{
    struct pin_job *job = arg;
    job->ok = borne_pin_verify(job->hash, job->pin);
    sodium_memzero(job->pin, sizeof(job->pin));
    return NULL;
}

struct pin_wake {
    struct pin_job *job;
    Uint32 type;
};

static void *pin_thread_main(void *arg)
{
    struct pin_wake *w = arg;
    pin_thread(w->job);
    post(w->type, w->job);
    free(w);
    return NULL;
}

static void pin_submit(struct borne_kiosk *k)
{
    int64_t now = mono_ms();
    if (k->pin_job || borne_pin_lock_remaining(&k->pin_lock, now) > 0 || !k->pin_hash[0]) {
        return;
    }
    struct pin_job *job = calloc(1, sizeof(*job));
    struct pin_wake *w = calloc(1, sizeof(*w));
    if (!job || !w) {
        abort();
    }
    snprintf(job->hash, sizeof(job->hash), "%s", k->pin_hash);
    memcpy(job->pin, k->pin, sizeof(job->pin));
    sodium_memzero(k->pin, sizeof(k->pin));
    k->view.pin_len = 0;
    w->job = job;
    w->type = k->event_base + EV_PIN_DONE;
    if (pthread_create(&job->thread, NULL, pin_thread_main, w) != 0) {
        LOG_ERR("PIN check thread could not start");
        sodium_memzero(job->pin, sizeof(job->pin));
        free(job);
        free(w);
        return;
    }
    k->pin_job = job;
    k->view.pin_checking = true;
    k->dirty = true;
}

static void pin_done(struct borne_kiosk *k, struct pin_job *job)
{
    pthread_join(job->thread, NULL);
    bool ok = job->ok;
    free(job);
    k->pin_job = NULL;
    k->view.pin_checking = false;
    borne_pin_lock_record(&k->pin_lock, ok, mono_ms());
    if (k->view.screen != BORNE_SCREEN_PIN) {
        return;
    }
    if (ok) {
        k->view.pin_wrong = false;
        open_staff(k);
    } else {
        LOG_WARN("staff PIN refused (%d failures in a row)", k->pin_lock.failures);
        k->view.pin_wrong = true;
        borne_sound_play(k->sound, BORNE_LOOK_REFUSED);
    }
    k->dirty = true;
}

static void open_pin(struct borne_kiosk *k)
{
    sodium_memzero(k->pin, sizeof(k->pin));
    k->view.pin_len = 0;
    k->view.pin_wrong = false;
    k->view.pin_unset = k->pin_hash[0] == '\0';
    k->last_input_ms = mono_ms();
    go(k, BORNE_SCREEN_PIN);
}

static void leave_staff(struct borne_kiosk *k)
{
    sodium_memzero(k->pin, sizeof(k->pin));
    k->view.pin_len = 0;
    borne_qr_clear(&k->view.qr);
    refresh_header(k);
    go(k, k->ck ? BORNE_SCREEN_WAITING : BORNE_SCREEN_NOT_SET_UP);
}

static void found_cb(void *ctx, const borne_participant *p)
{
    borne_view *v = ctx;
    if (v->nfound < BORNE_VIEW_LIST_MAX) {
        v->found[v->nfound] = *p;
        sanitize(v->found[v->nfound].display_name, sizeof(p->display_name), p->display_name);
        sanitize(v->found[v->nfound].organisation, sizeof(p->organisation), p->organisation);
        v->nfound++;
    } else {
        v->found_more = true;
    }
}

static void run_search(struct borne_kiosk *k)
{
    k->view.nfound = 0;
    k->view.found_more = false;
    k->view.scroll = 0;
    if (!k->ck || !k->view.query[0]) {
        return;
    }
    /* One more than the list holds: found_more says "keep typing". */
    borne_err err = borne_store_search(k->store, borne_checkin_event(k->ck)->id, k->view.query,
                                       BORNE_VIEW_LIST_MAX + 1, found_cb, &k->view);
    if (err) {
        set_message(k, true, _("La recherche a échoué."));
    }
}

static void load_person(struct borne_kiosk *k, const borne_participant *p)
{
    borne_view *v = &k->view;
    v->person = *p;
    v->admit_open = false;
    sanitize(v->person.display_name, sizeof(v->person.display_name), p->display_name);
    sanitize(v->person.organisation, sizeof(v->person.organisation), p->organisation);
    uint32_t sid = v->has_session ? v->session.id : 0;
    bool in = false, out = false;
    int64_t last = 0;
    borne_store_history(k->store, p->event_id, p->id, sid, &in, &out, &last);
    v->person_in_room = in;
    v->person_registered = true;
    if (sid) {
        borne_store_is_registered(k->store, p->event_id, p->id, sid, &v->person_registered);
        if (!v->session.requires_registration) {
            v->person_registered = true;
        }
    }
}

static void manual(struct borne_kiosk *k, borne_direction dir, borne_method method)
{
    borne_direction before = borne_checkin_mode(k->ck);
    borne_checkin_set_mode(k->ck, dir);
    borne_scan_result r;
    borne_err err = borne_checkin_manual(k->ck, k->view.person.id, dir, method, "staff", &r);
    borne_checkin_set_mode(k->ck, before);
    if (err) {
        enter_trouble(k, err);
        return;
    }
    LOG_INFO("manual %s: %s", dir == BORNE_EXIT ? "exit" : "entry", borne_outcome_name(r.outcome));
    /* Then back to an empty search with its keyboard: the next person in line. */
    show_result(k, &r, 0, BORNE_SCREEN_SEARCH);
    k->view.mode = dir;
}

/* "Admettre quand même": staff admit the person on the page for a reason. */
static void admit(struct borne_kiosk *k, borne_admit_reason reason)
{
    k->view.admit_open = false;
    borne_scan_result r;
    borne_err err = borne_checkin_admit(k->ck, k->view.person.id, reason, &r);
    if (err == BORNE_ERR_INVALID || err == BORNE_ERR_NOT_FOUND) {
        set_message(k, true,
                    _("Cette entrée ne peut pas être forcée ici (code annulé, séance terminée…)."));
        return;
    }
    if (err) {
        enter_trouble(k, err);
        return;
    }
    LOG_INFO("entry admitted by staff (%s): %s", borne_admit_reason_word(reason),
             borne_outcome_name(r.outcome));
    show_result(k, &r, 0, BORNE_SCREEN_SEARCH);
}

/* Walk-in: the people already on the list whose name is like the one typed. */
static void likely_cb(void *ctx, const borne_participant *p)
{
    struct borne_kiosk *k = ctx;
    borne_view *v = &k->view;
    if (v->nlikely >= sizeof(v->likely) / sizeof(v->likely[0])) {
        return;
    }
    size_t i = v->nlikely++;
    v->likely[i] = *p;
    sanitize(v->likely[i].display_name, sizeof(p->display_name), p->display_name);
    sanitize(v->likely[i].organisation, sizeof(p->organisation), p->organisation);
    bool in = false, out = false;
    int64_t last = 0;
    borne_store_history(k->store, p->event_id, p->id, v->has_session ? v->session.id : 0, &in, &out,
                        &last);
    v->likely_in[i] = in;
}

static void find_likely(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    v->nlikely = 0;
    /* Two letters at least: one letter matches half the list. */
    if (!k->ck || strlen(v->walkin[0]) < 2) {
        return;
    }
    borne_store_search(k->store, borne_checkin_event(k->ck)->id, v->walkin[0], 3, likely_cb, k);
}

static void show_qr(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    borne_qr_clear(&v->qr);
    v->qr_missing = true;
    /* The code the registry last issued to this person (a signed token or an opaque code),
     * pulled with the roster. It is a credential: shown on staff request only, never logged. */
    char badge[BORNE_BADGE_TEXT_MAX + 1];
    borne_err err = borne_store_get_badge_text(k->store, v->person.event_id, v->person.id, badge,
                                               sizeof(badge));
    if (!err && borne_qr_encode(badge, strlen(badge), &v->qr) == BORNE_OK) {
        v->qr_missing = false;
    }
    sodium_memzero(badge, sizeof(badge));
    if (v->qr_missing && k->opts.demo && k->demo.steps) {
        /* The demo knows its signing key, so it can issue the participant's code. A real kiosk
         * only holds public keys: it shows a code only when the roster brings one. */
        borne_token tok = {
            .key_id = 1, .event_id = v->person.event_id, .participant_id = v->person.id};
        char text[BORNE_TOKEN_TEXT_LEN + 1];
        if (borne_token_sign(&tok, k->demo.secret_key, text, sizeof(text)) == BORNE_OK &&
            borne_qr_encode(text, strlen(text), &v->qr) == BORNE_OK) {
            v->qr_missing = false;
        }
    }
    go(k, BORNE_SCREEN_SHOW_QR);
}

static void walkin_save(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    if (!v->walkin[0][0] || !k->ck) {
        return;
    }
    const borne_event *ev = borne_checkin_event(k->ck);
    /* Walk-in ids are unique across kiosks (sync/protocol.h): this kiosk's registry number and
     * a sequence, in a range the registry never gives its own roster. Without a registry the
     * number is 0 and they stay local. State "walkin_seq" is "NUMBER:LAST". */
    char buf[48] = "";
    long long number = 0, have_number = -1;
    uint32_t seq = 0;
    if (borne_store_state_get(k->store, BORNE_SYNC_KIOSK_NUMBER_KEY, buf, sizeof(buf)) ==
        BORNE_OK) {
        number = strtoll(buf, NULL, 10);
    }
    if (borne_store_state_get(k->store, "walkin_seq", buf, sizeof(buf)) == BORNE_OK) {
        unsigned long last = 0;
        if (sscanf(buf, "%lld:%lu", &have_number, &last) == 2 && have_number == number &&
            last <= BORNE_WALKIN_SEQ_MAX) {
            seq = (uint32_t)last;
        }
    }
    uint32_t id = 0;
    borne_participant known;
    do {
        id = borne_walkin_id(number < 0 ? 0 : number, ++seq);
    } while (id && borne_store_get_participant(k->store, ev->id, id, &known) == BORNE_OK);
    if (!id) {
        LOG_ERR("walk-in numbers exhausted for kiosk number %lld", number);
        set_message(k, true, _("Plus aucun numéro d’inscription sur place sur cette borne."));
        return;
    }
    borne_participant p = {.id = id, .event_id = ev->id, .status = BORNE_REG_CONFIRMED};
    sanitize(p.display_name, sizeof(p.display_name), v->walkin[0]);
    sanitize(p.organisation, sizeof(p.organisation), v->walkin[1]);
    char next[48];
    snprintf(next, sizeof(next), "%lld:%" PRIu32, number, seq);
    borne_err err = borne_store_begin(k->store);
    if (!err) {
        err = borne_store_put_participant(k->store, &p, NULL);
    }
    if (!err && v->has_session) {
        err = borne_store_set_registrations(k->store, ev->id, id, &v->session.id, 1);
    }
    if (!err) {
        err = borne_store_state_set(k->store, "walkin_seq", next);
    }
    if (!err) {
        err = borne_store_commit(k->store);
    } else {
        borne_store_rollback(k->store);
    }
    if (err) {
        enter_trouble(k, err);
        return;
    }
    LOG_INFO("walk-in registered (participant %" PRIu32 ")", id);
    v->walkin[0][0] = v->walkin[1][0] = '\0';
    v->nlikely = 0;
    v->person = p;
    manual(k, BORNE_ENTRY, BORNE_METHOD_WALK_IN);
}

static void load_sessions(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    v->nsessions = 0;
    borne_session *list = NULL;
    size_t n = 0;
    if (borne_store_list_sessions(k->store, borne_checkin_event(k->ck)->id, &list, &n) ==
        BORNE_OK) {
        for (size_t i = 0; i < n && i < BORNE_VIEW_LIST_MAX; i++) {
            v->sessions[v->nsessions++] = list[i];
        }
    }
    free(list);
}

static void count_participant(void *ctx, const borne_participant *p)
{
    struct borne_kiosk *k = ctx;
    borne_view *v = &k->view;
    for (size_t i = 0; i < v->ncounts; i++) {
        borne_view_count *c = &v->counts[i];
        bool reg = false;
        if (c->registered >= 0 &&
            borne_store_is_registered(k->store, p->event_id, p->id, c->session_id, &reg) ==
                BORNE_OK &&
            reg) {
            c->registered++;
        }
        bool in = false, out = false;
        int64_t last = 0;
        if (borne_store_history(k->store, p->event_id, p->id, c->session_id, &in, &out, &last) ==
            BORNE_OK) {
            c->in_room += in;
            c->checked_in += in || out;
        }
    }
}

/* Counts per session. Runs one query per participant and session: fine for a congrès of a few
 * hundred people on a staff screen; a single grouped query in the store would scale further. */
static void load_counts(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    load_sessions(k);
    v->ncounts = 0;
    for (size_t i = 0; i < v->nsessions; i++) {
        borne_view_count *c = &v->counts[v->ncounts++];
        memset(c, 0, sizeof(*c));
        c->session_id = v->sessions[i].id;
        snprintf(c->code, sizeof(c->code), "%s", v->sessions[i].code);
        snprintf(c->title, sizeof(c->title), "%s", v->sessions[i].title);
        c->registered = v->sessions[i].requires_registration ? 0 : -1;
    }
    borne_store_each_participant(k->store, borne_checkin_event(k->ck)->id, count_participant, k);
}

struct recent_ctx {
    borne_checkin_row rows[BORNE_VIEW_LIST_MAX];
    size_t n, next;
};

static void recent_cb(void *ctx, const borne_checkin_row *c)
{
    struct recent_ctx *r = ctx;
    r->rows[r->next] = *c;
    r->next = (r->next + 1) % BORNE_VIEW_LIST_MAX;
    if (r->n < BORNE_VIEW_LIST_MAX) {
        r->n++;
    }
}

static void load_recent(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    struct recent_ctx *r = calloc(1, sizeof(*r));
    if (!r) {
        abort();
    }
    const borne_event *ev = borne_checkin_event(k->ck);
    v->nrecent = 0;
    borne_store_each_checkin(k->store, ev->id, recent_cb, r);
    for (size_t i = 0; i < r->n; i++) {
        /* Newest first. */
        size_t idx = (r->next + BORNE_VIEW_LIST_MAX - 1 - i) % BORNE_VIEW_LIST_MAX;
        const borne_checkin_row *c = &r->rows[idx];
        borne_view_recent *out = &v->recent[v->nrecent++];
        memset(out, 0, sizeof(*out));
        time_t t = (time_t)(c->time.wall_ms / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(out->time, sizeof(out->time), "%H:%M:%S", &tm);
        out->outcome = c->outcome;
        out->direction = c->direction;
        out->method = c->method;
        borne_participant p;
        if (c->participant_id &&
            borne_store_get_participant(k->store, ev->id, c->participant_id, &p) == BORNE_OK) {
            sanitize(out->name, sizeof(out->name), p.display_name);
        }
    }
    free(r);
}

static void load_about(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    snprintf(v->version, sizeof(v->version), "%s", BORNE_VERSION);
    snprintf(v->kiosk_id, sizeof(v->kiosk_id), "%s", k->cfg.kiosk.id);
    snprintf(v->db_path, sizeof(v->db_path), "%s", k->db_path);
    v->ip[0] = '\0';
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) == 0) {
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
                (i->ifa_flags & IFF_LOOPBACK)) {
                continue;
            }
            char a[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, a,
                      sizeof(a));
            size_t used = strlen(v->ip);
            snprintf(v->ip + used, sizeof(v->ip) - used, "%s%s (%s)", used ? ", " : "", a,
                     i->ifa_name);
        }
        freeifaddrs(ifs);
    }
    refresh_pending(k);
}

static void goto_screen(struct borne_kiosk *k, borne_screen s)
{
    if (!k->ck && s != BORNE_SCREEN_ABOUT && s != BORNE_SCREEN_POWER) {
        return;
    }
    switch (s) {
    case BORNE_SCREEN_SEARCH:
        k->view.query[0] = '\0';
        k->view.nfound = 0;
        break;
    case BORNE_SCREEN_WALKIN:
        k->view.walkin_field = 0;
        find_likely(k);
        break;
    case BORNE_SCREEN_SESSIONS:
        load_sessions(k);
        break;
    case BORNE_SCREEN_COUNTS:
        load_counts(k);
        break;
    case BORNE_SCREEN_RECENT:
        load_recent(k);
        k->view.scroll = 0;
        break;
    case BORNE_SCREEN_ABOUT:
        load_about(k);
        break;
    default:
        break;
    }
    go(k, s);
}

static void set_session(struct borne_kiosk *k, int index)
{
    uint32_t id = index >= 0 && (size_t)index < k->view.nsessions ? k->view.sessions[index].id : 0;
    borne_err err = borne_checkin_set_session(k->ck, id);
    if (err) {
        set_message(k, true, _("Cette séance est introuvable."));
        return;
    }
    char buf[16];
    snprintf(buf, sizeof(buf), "%" PRIu32, id);
    borne_store_state_set(k->store, "session_id", buf);
    LOG_INFO("session set to %" PRIu32, id);
    refresh_header(k);
    set_message(k, false, _("Séance changée."));
}

static void set_mode(struct borne_kiosk *k, borne_direction d)
{
    borne_checkin_set_mode(k->ck, d);
    borne_store_state_set(k->store, "mode", d == BORNE_EXIT ? "exit" : "entry");
    refresh_header(k);
    set_message(k, false,
                d == BORNE_EXIT ? _("La borne enregistre maintenant les sorties.")
                                : _("La borne enregistre maintenant les entrées."));
}

static void set_language(struct borne_kiosk *k, borne_lang lang)
{
    borne_i18n_set(lang);
    if (k->store) {
        borne_store_state_set(k->store, "language", borne_lang_code(lang));
    }
    refresh_header(k);
}

static void run_power(struct borne_kiosk *k, const char *what)
{
    if (k->opts.demo) {
        k->quit = true;
        return;
    }
    /* Through systemd-logind (polkit decides); never a shell. */
    char *argv[] = {"systemctl", (char *)what, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "systemctl", NULL, NULL, argv, environ);
    if (rc != 0) {
        LOG_ERR("systemctl %s: %s", what, strerror(rc));
        set_message(k, true, _("La commande a échoué. Débranchez la borne si nécessaire."));
        return;
    }
    LOG_INFO("systemctl %s requested", what);
    set_message(k, false, _("Demande envoyée…"));
}

static void start_export(struct borne_kiosk *k)
{
    if (k->export_job || !k->ck) {
        return;
    }
    struct borne_export_request req = {0};
    snprintf(req.db_path, sizeof(req.db_path), "%s", k->db_path);
    snprintf(req.kiosk_id, sizeof(req.kiosk_id), "%s", k->cfg.kiosk.id);
    req.event_id = borne_checkin_event(k->ck)->id;
    const char *target = getenv("BORNE_EXPORT_DIR");
    if (target && target[0]) {
        snprintf(req.target_dir, sizeof(req.target_dir), "%s", target);
    } else if (k->opts.demo) {
        snprintf(req.target_dir, sizeof(req.target_dir), "%s", k->demo_dir);
    }
    borne_clock_sample now;
    borne_clock_now(&k->clock, &now);
    req.now_s = now.wall_ms / 1000;
    req.done_event = k->event_base + EV_EXPORT_DONE;
    if (borne_export_start(&req, &k->export_job) != BORNE_OK) {
        set_message(k, true, _("L’export n’a pas pu démarrer."));
        return;
    }
    k->view.busy = true;
    set_message(k, false, _("Export en cours…"));
}

static void export_done(struct borne_kiosk *k, struct borne_export_job *job)
{
    struct borne_export_result res;
    borne_export_finish(job, &res);
    k->export_job = NULL;
    k->view.busy = false;
    char msg[768];
    if (res.err == BORNE_ERR_NOT_FOUND) {
        set_message(k, true, _("Aucune clé USB trouvée. Branchez-en une et réessayez."));
    } else if (res.err) {
        snprintf(msg, sizeof(msg), "%s (%s)", _("L’export a échoué."), borne_strerror(res.err));
        set_message(k, true, msg);
    } else {
        snprintf(msg, sizeof(msg), "%s%s%" PRId64 " %s %s", _("Exporté"), borne_i18n_colon(),
                 res.rows, _("passages dans"), res.folder);
        set_message(k, false, msg);
    }
}

static void key_text(struct borne_kiosk *k, const char *t)
{
    borne_view *v = &k->view;
    char *buf = v->screen == BORNE_SCREEN_SEARCH ? v->query : v->walkin[v->walkin_field ? 1 : 0];
    size_t cap = BORNE_VIEW_TEXT;
    size_t len = strlen(buf);
    if (len + strlen(t) + 1 > cap) {
        return;
    }
    memcpy(buf + len, t, strlen(t) + 1);
    if (v->screen == BORNE_SCREEN_SEARCH) {
        run_search(k);
    } else if (v->walkin_field == 0) {
        find_likely(k);
    }
    k->dirty = true;
}

static void key_erase(struct borne_kiosk *k)
{
    borne_view *v = &k->view;
    char *buf = v->screen == BORNE_SCREEN_SEARCH ? v->query : v->walkin[v->walkin_field ? 1 : 0];
    size_t len = strlen(buf);
    /* Remove one whole UTF-8 character. */
    while (len > 0) {
        len--;
        if (((uint8_t)buf[len] & 0xc0) != 0x80) {
            break;
        }
    }
    buf[len] = '\0';
    if (v->screen == BORNE_SCREEN_SEARCH) {
        run_search(k);
    } else if (v->walkin_field == 0) {
        find_likely(k);
    }
    k->dirty = true;
}

static void key(struct borne_kiosk *k, int code)
{
    if (code == BORNE_KEY_SHIFT) {
        k->view.shift = !k->view.shift;
    } else if (code == BORNE_KEY_ERASE) {
        key_erase(k);
    } else if (code == BORNE_KEY_SPACE) {
        key_text(k, " ");
    } else {
        const char *t = borne_keyboard_text(code, k->view.shift);
        if (t) {
            key_text(k, t);
            k->view.shift = false;
        }
    }
    k->dirty = true;
}

static void action(struct borne_kiosk *k, int act, int arg)
{
    borne_view *v = &k->view;
    switch ((borne_action)act) {
    case BORNE_ACT_NONE:
        break;
    case BORNE_ACT_BACK:
        borne_qr_clear(&v->qr);
        go(k, BORNE_SCREEN_MENU);
        break;
    case BORNE_ACT_LEAVE_STAFF:
        leave_staff(k);
        break;
    case BORNE_ACT_PIN_DIGIT:
        if (v->pin_len < BORNE_PIN_MAX_DIGITS && !v->pin_checking) {
            k->pin[v->pin_len++] = (char)('0' + arg);
            k->pin[v->pin_len] = '\0';
            v->pin_wrong = false;
        }
        break;
    case BORNE_ACT_PIN_ERASE:
        if (v->pin_len > 0) {
            k->pin[--v->pin_len] = '\0';
        }
        break;
    case BORNE_ACT_PIN_OK:
        pin_submit(k);
        break;
    case BORNE_ACT_GOTO:
        goto_screen(k, (borne_screen)arg);
        break;
    case BORNE_ACT_KEY:
        key(k, arg);
        break;
    case BORNE_ACT_PICK:
        if (arg >= 0 && (size_t)arg < v->nfound) {
            load_person(k, &v->found[arg]);
            go(k, BORNE_SCREEN_PERSON);
        }
        break;
    case BORNE_ACT_CHECK_IN:
        manual(k, BORNE_ENTRY, BORNE_METHOD_MANUAL);
        break;
    case BORNE_ACT_CHECK_OUT:
        manual(k, BORNE_EXIT, BORNE_METHOD_MANUAL);
        break;
    case BORNE_ACT_SHOW_QR:
        show_qr(k);
        break;
    case BORNE_ACT_WALKIN_FIELD:
        v->walkin_field = arg ? 1 : 0;
        break;
    case BORNE_ACT_WALKIN_SAVE:
        walkin_save(k);
        break;
    case BORNE_ACT_SESSION:
        set_session(k, arg);
        break;
    case BORNE_ACT_MODE:
        set_mode(k, arg == BORNE_EXIT ? BORNE_EXIT : BORNE_ENTRY);
        break;
    case BORNE_ACT_SYNC:
        sync_now(k);
        break;
    case BORNE_ACT_EXPORT:
        start_export(k);
        break;
    case BORNE_ACT_LANGUAGE:
        set_language(k, borne_i18n_lang() == BORNE_LANG_FR ? BORNE_LANG_EN : BORNE_LANG_FR);
        break;
    case BORNE_ACT_RESTART:
        run_power(k, "reboot");
        break;
    case BORNE_ACT_POWEROFF:
        run_power(k, "poweroff");
        break;
    case BORNE_ACT_QUIT:
        k->quit = true;
        break;
    case BORNE_ACT_RETRY: {
        if (!k->store) {
            if (!k->opts.demo) {
                open_store(k);
            }
            break;
        }
        borne_err err = borne_store_check(k->store);
        if (!err && k->ck) {
            err = borne_checkin_reload(k->ck);
        }
        if (!err) {
            LOG_INFO("store works again: scans resumed");
            leave_staff(k);
        } else {
            k->view.trouble = err;
        }
        break;
    }
    case BORNE_ACT_SCROLL: {
        size_t n = v->screen == BORNE_SCREEN_SEARCH   ? v->nfound
                   : v->screen == BORNE_SCREEN_RECENT ? v->nrecent
                                                      : 0;
        size_t page = borne_screens_page(k->ui, v->screen);
        if (arg < 0) {
            v->scroll = v->scroll > page ? v->scroll - page : 0;
        } else if (arg > 0 && v->scroll + page < n) {
            v->scroll += page;
        }
        break;
    }
    case BORNE_ACT_WALKIN_PICK:
        if (arg >= 0 && (size_t)arg < v->nlikely) {
            load_person(k, &v->likely[arg]);
            go(k, BORNE_SCREEN_PERSON);
        }
        break;
    case BORNE_ACT_ADMIT:
        if (arg == BORNE_ADMIT_ASK) {
            v->admit_open = true;
        } else if (arg < 0) {
            v->admit_open = false;
        } else {
            admit(k, (borne_admit_reason)arg);
        }
        break;
    }
    k->dirty = true;
}

/* ---- SDL events ---------------------------------------------------------------------------- */

static void press(struct borne_kiosk *k, int x, int y)
{
    k->last_input_ms = mono_ms();
    int act, arg;
    if (borne_ui_hit(k->ui, x, y, &act, &arg)) {
        action(k, act, arg);
        return;
    }
    borne_screen s = k->view.screen;
    if (s == BORNE_SCREEN_WAITING || s == BORNE_SCREEN_RESULT || s == BORNE_SCREEN_NOT_SET_UP) {
        k->press_ms = mono_ms();
    }
}

static void keydown(struct borne_kiosk *k, const SDL_KeyboardEvent *e)
{
    k->last_input_ms = mono_ms();
    SDL_Keycode sym = e->keysym.sym;
    bool ctrl = (e->keysym.mod & KMOD_CTRL) != 0;
    borne_screen s = k->view.screen;
    if (ctrl && sym == SDLK_q && (k->opts.demo || k->opts.windowed)) {
        k->quit = true;
    } else if (sym == SDLK_F2 && !staff_screen(s) && s != BORNE_SCREEN_PIN) {
        open_pin(k);
    } else if (sym == SDLK_ESCAPE) {
        if (s == BORNE_SCREEN_MENU || s == BORNE_SCREEN_PIN) {
            leave_staff(k);
        } else if (staff_screen(s)) {
            action(k, BORNE_ACT_BACK, 0);
        } else if (s == BORNE_SCREEN_RESULT) {
            k->result_until_ms = 0;
        }
    } else if (sym == SDLK_F11) {
        Uint32 fs = SDL_GetWindowFlags(k->window) & SDL_WINDOW_FULLSCREEN_DESKTOP;
        SDL_SetWindowFullscreen(k->window, fs ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
    } else if (s == BORNE_SCREEN_PIN) {
        if (sym >= SDLK_0 && sym <= SDLK_9) {
            action(k, BORNE_ACT_PIN_DIGIT, sym - SDLK_0);
        } else if (sym >= SDLK_KP_1 && sym <= SDLK_KP_9) {
            action(k, BORNE_ACT_PIN_DIGIT, sym - SDLK_KP_1 + 1);
        } else if (sym == SDLK_KP_0) {
            action(k, BORNE_ACT_PIN_DIGIT, 0);
        } else if (sym == SDLK_BACKSPACE) {
            action(k, BORNE_ACT_PIN_ERASE, 0);
        } else if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER) {
            action(k, BORNE_ACT_PIN_OK, 0);
        }
    } else if (s == BORNE_SCREEN_SEARCH || s == BORNE_SCREEN_WALKIN) {
        if (sym == SDLK_BACKSPACE) {
            key_erase(k);
        } else if (sym == SDLK_TAB && s == BORNE_SCREEN_WALKIN) {
            k->view.walkin_field = !k->view.walkin_field;
        } else if ((sym == SDLK_RETURN || sym == SDLK_KP_ENTER) && s == BORNE_SCREEN_SEARCH &&
                   k->view.nfound > 0) {
            action(k, BORNE_ACT_PICK, 0);
        } else if ((sym == SDLK_RETURN || sym == SDLK_KP_ENTER) && s == BORNE_SCREEN_WALKIN) {
            walkin_save(k);
        }
    }
    k->dirty = true;
}

static void handle_event(struct borne_kiosk *k, const SDL_Event *e)
{
    if (e->type >= k->event_base && e->type < k->event_base + EV__COUNT) {
        switch (e->type - k->event_base) {
        case EV_SCAN:
            drain_queue(k);
            break;
        case EV_PREVIEW:
            take_preview(k);
            break;
        case EV_PIN_DONE:
            pin_done(k, e->user.data1);
            break;
        case EV_EXPORT_DONE:
            export_done(k, e->user.data1);
            break;
        case EV_SYNC:
            sync_news(k);
            break;
        case EV_SETUP_DONE:
            setup_done(k, e->user.data1);
            break;
        }
        return;
    }
    switch (e->type) {
    case SDL_QUIT:
        k->quit = true;
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) {
            press(k, e->button.x, e->button.y);
        }
        break;
    case SDL_MOUSEBUTTONUP:
        k->press_ms = 0;
        break;
    case SDL_KEYDOWN:
        keydown(k, &e->key);
        break;
    case SDL_TEXTINPUT:
        if (k->view.screen == BORNE_SCREEN_SEARCH || k->view.screen == BORNE_SCREEN_WALKIN) {
            char clean[64];
            sanitize(clean, sizeof(clean), e->text.text);
            key_text(k, clean);
        }
        break;
    case SDL_WINDOWEVENT:
        k->dirty = true;
        break;
    default:
        break;
    }
}

/* ---- timers -------------------------------------------------------------------------------- */

static void demo_tick(struct borne_kiosk *k, int64_t now)
{
    if (!k->opts.demo || !k->worker || k->opts.demo_autoplay_off || k->demo_phase == DEMO_DONE) {
        return;
    }
    borne_screen s = k->view.screen;
    if (k->demo_phase == DEMO_IDLE) {
        if (now < k->demo_next_ms || s != BORNE_SCREEN_WAITING) {
            return;
        }
        if (k->demo_step >= k->demo.nsteps) {
            k->demo_phase = DEMO_DONE;
            snprintf(k->view.demo_caption, sizeof(k->view.demo_caption), "%s",
                     _("fin du scénario. Maintenez l’écran appuyé (ou F2) pour le mode "
                       "personnel, NIP 1234."));
            k->dirty = true;
            return;
        }
        const borne_demo_step *st = &k->demo.steps[k->demo_step];
        borne_fake_clock_advance(&k->fake, st->advance_ms);
        borne_checkin_set_mode(k->ck, st->mode);
        refresh_header(k);
        refresh_clock(k);
        snprintf(k->view.demo_caption, sizeof(k->view.demo_caption), "%s", st->who);
        borne_demo_feed_show(k->feed, st->code, strlen(st->code));
        k->demo_phase = DEMO_PRESENTING;
        k->demo_next_ms = now + DEMO_GIVE_UP_MS;
        k->dirty = true;
    } else if (k->demo_phase == DEMO_PRESENTING && now >= k->demo_next_ms) {
        LOG_WARN("demo step %zu: code not read, skipped", k->demo_step + 1);
        borne_demo_feed_show(k->feed, NULL, 0);
        k->demo_step++;
        k->demo_phase = DEMO_IDLE;
        k->demo_next_ms = now + DEMO_PAUSE_MS;
    }
}

static void try_set_up(struct borne_kiosk *k);

static void tick(struct borne_kiosk *k)
{
    int64_t now = mono_ms();
    borne_view *v = &k->view;
    if (v->screen == BORNE_SCREEN_RESULT) {
        if (now >= k->result_until_ms) {
            if (k->result_return == BORNE_SCREEN_SEARCH) {
                refresh_header(k);
                goto_screen(k, BORNE_SCREEN_SEARCH); /* cleared */
                k->last_input_ms = now;
            } else if (k->result_return == BORNE_SCREEN_MENU) {
                refresh_header(k);
                go(k, BORNE_SCREEN_MENU);
                k->last_input_ms = now;
            } else {
                go(k, BORNE_SCREEN_WAITING);
            }
        } else {
            int p = (int)((k->result_until_ms - now) * 1000 /
                          (k->result_len_ms ? k->result_len_ms : 1));
            /* Redraw the countdown bar at about 10 steps per second, not every millisecond. */
            if (p / 25 != v->result_progress_permille / 25) {
                v->result_progress_permille = p;
                k->dirty = true;
            }
        }
    }
    if (k->press_ms && now - k->press_ms >= LONG_PRESS_MS) {
        k->press_ms = 0;
        open_pin(k);
    }
    if ((staff_screen(v->screen) || v->screen == BORNE_SCREEN_PIN) &&
        now - k->last_input_ms > (int64_t)k->cfg.staff.idle_timeout_seconds * 1000 && !v->busy) {
        LOG_INFO("staff mode left after inactivity");
        leave_staff(k);
    }
    if (v->screen == BORNE_SCREEN_PIN) {
        int64_t left = borne_pin_lock_remaining(&k->pin_lock, now);
        if (left / 1000 != v->pin_locked_ms / 1000 || (left == 0) != (v->pin_locked_ms == 0)) {
            v->pin_locked_ms = left;
            k->dirty = true;
        }
    }
    if (!k->store && !k->opts.demo && now >= k->next_store_try_ms) {
        open_store(k);
    }
    if (k->store && !k->ck && !k->setup_job && now >= k->next_setup_poll_ms) {
        k->next_setup_poll_ms = now + NOT_SET_UP_POLL_MS;
        try_set_up(k);
    }
    if (k->setup_done_ms && now >= k->setup_done_ms) {
        k->setup_done_ms = 0;
        v->setup = BORNE_VIEW_SETUP_NONE;
        if (k->ck && v->screen == BORNE_SCREEN_NOT_SET_UP) {
            go(k, BORNE_SCREEN_WAITING);
        }
    }
    int64_t s = now / 1000;
    if (s != k->last_tick_s) {
        k->last_tick_s = s;
        refresh_clock(k);
        refresh_sync(k); /* "2 min ago" moves on */
    }
    demo_tick(k, now);
}

static void render(struct borne_kiosk *k)
{
    uint64_t t0 = borne_scan_mono_ns();
    k->view.preview = k->preview;
    borne_screens_draw(k->ui, &k->view);
    SDL_RenderPresent(k->renderer);
    uint64_t t1 = borne_scan_mono_ns();
    k->frames++;
    k->dirty = false;
    struct borne_kiosk_frame_info info = {.draw_ns = t1 - t0};
    if (k->result_fresh && k->view.screen == BORNE_SCREEN_RESULT) {
        k->result_fresh = false;
        k->results++;
        info.result = true;
        info.latency_ns = k->result_mono_ns ? t1 - k->result_mono_ns : 0;
        if (k->result_mono_ns) {
            LOG_DBG("code to result presented: %.1f ms", (double)info.latency_ns / 1e6);
        }
    }
    info.results_total = k->results;
    if (k->observer) {
        k->observer(k->observer_ctx, &info);
    }
}

bool borne_kiosk_step(struct borne_kiosk *k, int max_wait_ms)
{
    int wait = max_wait_ms;
    if (k->view.screen == BORNE_SCREEN_RESULT || k->press_ms) {
        wait = wait > 40 ? 40 : wait;
    } else if (wait > 250) {
        wait = 250;
    }
    SDL_Event e;
    if (SDL_WaitEventTimeout(&e, wait)) {
        handle_event(k, &e);
        while (SDL_PollEvent(&e)) {
            handle_event(k, &e);
        }
    }
    tick(k);
    if (k->dirty && !k->quit) {
        render(k);
    }
    return !k->quit;
}

void borne_kiosk_quit(struct borne_kiosk *k)
{
    k->quit = true;
}

uint64_t borne_kiosk_frames(const struct borne_kiosk *k)
{
    return k->frames;
}

void borne_kiosk_set_observer(struct borne_kiosk *k, borne_kiosk_observer fn, void *ctx)
{
    k->observer = fn;
    k->observer_ctx = ctx;
}

/* ---- start and stop ------------------------------------------------------------------------ */

static void restore_state(struct borne_kiosk *k)
{
    char buf[64];
    if (borne_store_state_get(k->store, "language", buf, sizeof(buf)) == BORNE_OK) {
        borne_i18n_set(strcmp(buf, "en") == 0 ? BORNE_LANG_EN : BORNE_LANG_FR);
    }
    if (!k->ck) {
        return;
    }
    if (borne_store_state_get(k->store, "mode", buf, sizeof(buf)) == BORNE_OK) {
        borne_checkin_set_mode(k->ck, strcmp(buf, "exit") == 0 ? BORNE_EXIT : BORNE_ENTRY);
    }
    if (!k->opts.demo &&
        borne_store_state_get(k->store, "session_id", buf, sizeof(buf)) == BORNE_OK) {
        borne_checkin_set_session(k->ck, (uint32_t)strtoul(buf, NULL, 10));
    }
}

/* The session scheduled now (config session 0), or the configured one. */
static uint32_t pick_session(struct borne_kiosk *k)
{
    if (k->opts.demo) {
        return BORNE_DEMO_SESSION_A1;
    }
    if (k->cfg.kiosk.session > 0) {
        return (uint32_t)k->cfg.kiosk.session;
    }
    borne_event ev;
    if (borne_store_current_event(k->store, &ev) != BORNE_OK) {
        return 0;
    }
    borne_session *list = NULL;
    size_t n = 0;
    uint32_t id = 0;
    borne_clock_sample now;
    borne_clock_now(&k->clock, &now);
    int64_t t = now.wall_ms / 1000;
    if (borne_store_list_sessions(k->store, ev.id, &list, &n) == BORNE_OK) {
        for (size_t i = 0; i < n; i++) {
            if (t >= list[i].starts - list[i].open_before_s && t < list[i].ends) {
                id = list[i].id;
                break;
            }
        }
    }
    free(list);
    return id;
}

static void try_set_up(struct borne_kiosk *k)
{
    if (!k->store) {
        return;
    }
    borne_checkin_options o = {
        .kiosk_id = k->cfg.kiosk.id,
        .session_id = 0,
        .mode = k->cfg.kiosk.mode == BORNE_CONFIG_MODE_EXIT ? BORNE_EXIT : BORNE_ENTRY,
        .rescan_window_ms = k->cfg.kiosk.rescan_seconds * 1000,
    };
    o.session_id = pick_session(k);
    borne_err err = borne_checkin_new(&k->ck, k->store, &k->clock, &o);
    if (err == BORNE_ERR_NOT_FOUND) {
        k->ck = NULL;
        if (k->view.screen != BORNE_SCREEN_NOT_SET_UP) {
            LOG_WARN("no event in the store: showing the set-up screen");
            go(k, BORNE_SCREEN_NOT_SET_UP);
        }
        return;
    }
    if (err) {
        k->ck = NULL;
        enter_trouble(k, err);
        return;
    }
    restore_state(k);
    refresh_header(k);
    refresh_pending(k);
    go(k, BORNE_SCREEN_WAITING);
}

static borne_err start_inputs(struct borne_kiosk *k)
{
    borne_err err = borne_scanq_new(64, &k->queue);
    if (err) {
        return err;
    }
    borne_scanq_set_wake(k->queue, wake, k);
    struct borne_worker_config wc = {.queue = k->queue};
    const char *cam = k->cfg.camera.device;
    k->view.camera = -1;
    k->view.scanner = -1;
    if (k->opts.source) {
        wc.source = k->opts.source;
        wc.source_cfg = k->opts.source_cfg;
    } else if (k->opts.demo) {
        err = borne_demo_feed_new(&k->feed);
        if (err) {
            return err;
        }
        wc.source = &borne_demo_source;
        wc.source_cfg.fps = 30;
        wc.source_cfg.user = k->feed;
    } else if (strcmp(cam, "none") != 0) {
        wc.source = &borne_source_v4l2;
        wc.source_cfg.device = strcmp(cam, "auto") == 0 ? NULL : cam;
        wc.source_cfg.width = k->cfg.camera.width;
        wc.source_cfg.height = k->cfg.camera.height;
    }
    if (wc.source) {
        err = borne_decoder_new(&k->tap.decoder);
        if (err) {
            return err;
        }
        k->tap.buf = malloc((size_t)PREVIEW_MAX_W * PREVIEW_MAX_H);
        k->preview = malloc((size_t)PREVIEW_MAX_W * PREVIEW_MAX_H);
        if (!k->tap.buf || !k->preview) {
            abort();
        }
        wc.decode = tap_decode;
        wc.decode_ctx = &k->tap;
        k->view.camera = BORNE_INPUT_ABSENT;
    }
    const char *scan = k->cfg.scanner.device;
    if (!k->opts.demo && !k->opts.source && strcmp(scan, "none") != 0) {
        if (strcmp(scan, "auto") == 0) {
            wc.scanners[wc.n_scanners++] = (struct borne_worker_scanner){
                .driver = &borne_scanner_evdev, .timeout_ms = k->cfg.scanner.terminator_timeout_ms};
            wc.scanners[wc.n_scanners++] =
                (struct borne_worker_scanner){.driver = &borne_scanner_serial,
                                              .timeout_ms = k->cfg.scanner.terminator_timeout_ms,
                                              .baud = k->cfg.scanner.serial_baud};
        } else {
            bool evdev = strncmp(scan, "/dev/input/", 11) == 0;
            wc.scanners[wc.n_scanners++] = (struct borne_worker_scanner){
                .driver = evdev ? &borne_scanner_evdev : &borne_scanner_serial,
                .path = scan,
                .timeout_ms = k->cfg.scanner.terminator_timeout_ms,
                .baud = k->cfg.scanner.serial_baud};
        }
        k->view.scanner = BORNE_INPUT_ABSENT;
    }
    if (!wc.source && wc.n_scanners == 0) {
        LOG_WARN("no camera and no scanner configured");
        return BORNE_OK;
    }
    err = borne_worker_start(&wc, &k->worker);
    if (err) {
        LOG_ERR("inputs: %s", borne_strerror(err));
    }
    return err;
}

static borne_err open_window(struct borne_kiosk *k)
{
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        LOG_ERR("SDL: %s", SDL_GetError());
        return BORNE_ERR_DEVICE;
    }
    /* With no display SDL falls back to drawing into memory (offscreen, dummy): a kiosk that
     * shows nothing. Said and refused, unless that driver was asked for. */
    const char *asked = getenv("SDL_VIDEODRIVER");
    const char *driver = SDL_GetCurrentVideoDriver();
    if ((!asked || !asked[0]) && driver &&
        (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0)) {
        snprintf(k->failure, sizeof(k->failure),
                 "no display found (no X11 or Wayland display, no KMS/DRM screen; SDL would "
                 "draw into memory with its \"%s\" driver). Set DISPLAY, run on the console, or "
                 "set SDL_VIDEODRIVER=offscreen to run without a screen on purpose",
                 driver);
        return BORNE_ERR_DEVICE;
    }
    k->event_base = SDL_RegisterEvents(EV__COUNT);
    if (k->event_base == (Uint32)-1) {
        return BORNE_ERR_DEVICE;
    }
    k->tap.event_base = k->event_base;
    int w = k->opts.width ? k->opts.width : k->cfg.display.width;
    int h = k->opts.height ? k->opts.height : k->cfg.display.height;
    bool windowed = k->opts.windowed || k->cfg.display.windowed;
    Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
    if (windowed) {
        flags |= SDL_WINDOW_RESIZABLE;
        if (!w || !h) {
            w = 1024;
            h = 600;
        }
    } else if (!w || !h) {
        /* The display's own size: without a window manager (a bare X server) nothing resizes
         * a smaller window to the screen, and it would be drawn cropped. */
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        SDL_DisplayMode mode;
        if (SDL_GetDesktopDisplayMode(0, &mode) == 0 && mode.w > 0 && mode.h > 0) {
            w = mode.w;
            h = mode.h;
        } else {
            w = 800;
            h = 480;
        }
    } else {
        flags |= SDL_WINDOW_FULLSCREEN;
    }
    int rot = k->cfg.display.rotation;
    int ww = (rot == 90 || rot == 270) && !windowed ? h : w;
    int wh = (rot == 90 || rot == 270) && !windowed ? w : h;
    k->window =
        SDL_CreateWindow("Borne", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, ww, wh, flags);
    if (!k->window) {
        LOG_ERR("window: %s", SDL_GetError());
        return BORNE_ERR_DEVICE;
    }
    if (!windowed) {
        SDL_ShowCursor(SDL_DISABLE);
    }
    k->renderer = SDL_CreateRenderer(k->window, -1,
                                     SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC |
                                         SDL_RENDERER_TARGETTEXTURE);
    if (!k->renderer) {
        k->renderer = SDL_CreateRenderer(k->window, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!k->renderer) {
        LOG_ERR("renderer: %s", SDL_GetError());
        return BORNE_ERR_DEVICE;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(k->renderer, &info) == 0) {
        LOG_INFO("video %s, renderer %s", SDL_GetCurrentVideoDriver(), info.name);
    }
    borne_err err = borne_ui_new(k->renderer, windowed ? 0 : rot, &k->ui);
    if (err) {
        return err;
    }
    borne_sound_new(&k->sound, !k->opts.silent);
    SDL_StartTextInput();
    return BORNE_OK;
}

/* Opens the store (not the demo's). A damaged store (quick_check) is kept aside and a fresh one
 * created: the sync pulls the event and roster again when the kiosk is provisioned; staff are
 * told on screen. A store that cannot be opened at all (its folder missing or read-only, a
 * folder in its place) shows the trouble screen with the cause; the kiosk tries again every few
 * seconds and on "Réessayer", so fixing the mount is enough. */
static void open_store(struct borne_kiosk *k)
{
    k->next_store_try_ms = mono_ms() + STORE_RETRY_MS;
    borne_store_recovery rec;
    struct borne_store *store = NULL;
    borne_err err = borne_store_open_checked(k->db_path, 0, &store, &rec);
    if (err) {
        borne_view_trouble before = k->view.trouble_cause;
        char path_before[sizeof(k->view.trouble_path)];
        snprintf(path_before, sizeof(path_before), "%s", k->view.trouble_path);
        diagnose_store(&k->view, k->db_path);
        bool same = k->view.screen == BORNE_SCREEN_TROUBLE && k->view.trouble == err &&
                    before == k->view.trouble_cause &&
                    strcmp(path_before, k->view.trouble_path) == 0;
        if (same) {
            return; /* said already: no new log line or sound every few seconds */
        }
        static const char *const causes[] = {"", "folder does not exist", "is a folder",
                                             "folder not writable"};
        LOG_ERR("store %s cannot be opened: %s%s%s%s", k->db_path, borne_strerror(err),
                k->view.trouble_cause ? " (" : "", causes[k->view.trouble_cause],
                k->view.trouble_cause ? ")" : "");
        enter_trouble(k, err);
        return;
    }
    k->store = store;
    k->view.trouble_cause = BORNE_VIEW_TROUBLE_STORE;
    k->view.trouble_path[0] = '\0';
    if (rec.recreated) {
        LOG_WARN("damaged store kept aside, fresh store created");
        snprintf(k->view.notice, sizeof(k->view.notice), "%s",
                 _("Base de données endommagée\u00a0: mise de côté, nouvelle base créée — la "
                   "liste sera retéléchargée"));
    }
    if (k->view.screen == BORNE_SCREEN_TROUBLE) {
        LOG_INFO("store %s opened: scans resumed", k->db_path);
        go(k, BORNE_SCREEN_WAITING);
    }
    try_set_up(k);
    open_sync(k);
}

static borne_err open_demo(struct borne_kiosk *k)
{
    snprintf(k->demo_dir, sizeof(k->demo_dir), "%s", "/tmp/borne-demo-XXXXXX");
    if (!mkdtemp(k->demo_dir)) {
        LOG_ERR("demo: cannot make a temporary folder: %s", strerror(errno));
        return BORNE_ERR_IO;
    }
    if (!k->opts.db_path) {
        snprintf(k->db_path, sizeof(k->db_path), "%s/borne.db", k->demo_dir);
    }
    borne_err err = borne_store_open(k->db_path, &k->store);
    if (err) {
        return err;
    }
    /* A store given with --db must be new or empty, as for `bornectl demo`: the demo would make
     * its congrès the current event and add simulated check-ins to a real one. */
    borne_event existing;
    err = borne_store_current_event(k->store, &existing);
    if (err != BORNE_ERR_NOT_FOUND) {
        if (!err) {
            LOG_ERR("demo: %s already holds the event \"%s\": the demo needs a new or empty store",
                    k->db_path, existing.name);
        }
        return err ? err : BORNE_ERR_EXISTS;
    }
    /* A fake clock that starts now and moves only with the script's time jumps. */
    borne_clock sys;
    borne_clock_init_system(&sys);
    borne_clock_now(&sys, &k->fake.now);
    k->fake.now.trusted = true;
    borne_clock_init_fake(&k->clock, &k->fake);
    err = borne_demo_populate(k->store, k->fake.now.wall_ms / 1000, &k->demo);
    if (err) {
        return err;
    }
    /* The demo's PIN is public (shown on screen), so its hash may be cheap. */
    err = borne_pin_hash(DEMO_PIN, true, k->pin_hash, sizeof(k->pin_hash));
    snprintf(k->view.demo_pin, sizeof(k->view.demo_pin), "%s", DEMO_PIN);
    snprintf(k->cfg.kiosk.id, sizeof(k->cfg.kiosk.id), "borne-demo");
    return err;
}

borne_err borne_kiosk_new(const struct borne_kiosk_options *opts, struct borne_kiosk **out)
{
    *out = NULL;
    struct borne_kiosk *k = calloc(1, sizeof(*k));
    if (!k) {
        abort();
    }
    k->opts = *opts;
    pthread_mutex_init(&k->tap.lock, NULL);
    atomic_init(&k->sync_posted, false);
    *out = k;
    borne_config_defaults(&k->cfg, BORNE_CONFIG_MACHINE_ID);
    const char *cpath = opts->config_path;
    if (!cpath && !opts->demo && access(BORNE_CONFIG_DEFAULT_PATH, R_OK) == 0) {
        cpath = BORNE_CONFIG_DEFAULT_PATH;
    }
    if (cpath) {
        struct borne_config_error ce;
        borne_err err = borne_config_load_file(&k->cfg, cpath, &ce);
        if (err) {
            borne_config_describe_error(&ce, cpath, k->failure, sizeof(k->failure));
            return err;
        }
    }
    borne_err err = borne_config_apply_env(&k->cfg);
    if (err) {
        return err;
    }
    borne_i18n_init(k->cfg.kiosk.language == BORNE_CONFIG_LANG_EN ? BORNE_LANG_EN : BORNE_LANG_FR);
    /* The configuration's language for participants; the staff tile changes staff screens. */
    k->view.public_lang = borne_i18n_lang();
    if (opts->db_path) {
        /* As bornectl: the registry credentials live next to the store. */
        snprintf(k->db_path, sizeof(k->db_path), "%s", opts->db_path);
        snprintf(k->data_dir, sizeof(k->data_dir), "%s", opts->db_path);
        char *slash = strrchr(k->data_dir, '/');
        if (slash == k->data_dir) {
            k->data_dir[1] = '\0';
        } else if (slash) {
            *slash = '\0';
        } else {
            snprintf(k->data_dir, sizeof(k->data_dir), ".");
        }
    } else {
        snprintf(k->db_path, sizeof(k->db_path), "%s/borne.db", k->cfg.kiosk.data_dir);
        snprintf(k->data_dir, sizeof(k->data_dir), "%s", k->cfg.kiosk.data_dir);
    }
    k->view.demo = opts->demo;
    k->view.mirror = opts->demo ? true : k->cfg.camera.mirror;
    k->view.camera = -1;
    k->view.scanner = -1;
    snprintf(k->view.kiosk_id, sizeof(k->view.kiosk_id), "%s", k->cfg.kiosk.id);
    snprintf(k->pin_hash, sizeof(k->pin_hash), "%s", k->cfg.staff.pin_hash);

    err = open_window(k);
    if (err) {
        return err;
    }
    if (opts->demo) {
        err = open_demo(k);
        if (err) {
            LOG_ERR("demo: %s", borne_strerror(err));
            return err;
        }
    } else {
        borne_clock_init_system(&k->clock);
        open_store(k);
    }
    snprintf(k->view.kiosk_id, sizeof(k->view.kiosk_id), "%s", k->cfg.kiosk.id);
    if (opts->demo) {
        try_set_up(k);
    }
    refresh_clock(k);
    refresh_header(k);
    if (!opts->no_inputs) {
        err = start_inputs(k);
        if (err) {
            /* No camera and no scanner thread: the screen still works (staff, manual). */
            LOG_ERR("inputs could not start: %s", borne_strerror(err));
        }
    }
    k->demo_next_ms = mono_ms() + DEMO_PAUSE_MS;
    k->last_tick_s = mono_ms() / 1000;
    k->dirty = true;
    return BORNE_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void borne_kiosk_free(struct borne_kiosk *k)
{
    if (!k) {
        return;
    }
    borne_worker_free(k->worker);
    borne_scanq_free(k->queue);
    borne_decoder_free(k->tap.decoder);
    if (k->pin_job) {
        pthread_join(k->pin_job->thread, NULL);
        free(k->pin_job);
    }
    if (k->export_job) {
        struct borne_export_result res;
        borne_export_finish(k->export_job, &res);
    }
    if (k->setup_job) {
        pthread_join(k->setup_job->thread, NULL);
        free(k->setup_job);
        k->setup_job = NULL;
    }
    /* Stops the sync thread (a request in flight is aborted) before its store goes away. */
    borne_sync_free(k->sync);
    k->sync = NULL;
    /* Events still queued may carry jobs: they were joined above; drop the events. */
    if (SDL_WasInit(SDL_INIT_EVENTS)) {
        SDL_FlushEvents(k->event_base, k->event_base + EV__COUNT - 1);
    }
    borne_demo_feed_free(k->feed);
    free(k->tap.buf);
    free(k->preview);
    pthread_mutex_destroy(&k->tap.lock);
    borne_qr_clear(&k->view.qr);
    borne_checkin_free(k->ck);
    borne_store_close(k->store);
    if (k->demo_dir[0] && strncmp(k->demo_dir, "/tmp/borne-demo-", 16) == 0) {
        /* The demo's throw-away store and exports. */
        nftw(k->demo_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    }
    borne_demo_clear(&k->demo);
    borne_sound_free(k->sound);
    borne_ui_free(k->ui);
    if (k->renderer) {
        SDL_DestroyRenderer(k->renderer);
    }
    if (k->window) {
        SDL_DestroyWindow(k->window);
    }
    sodium_memzero(k->pin, sizeof(k->pin));
    free(k);
    SDL_Quit();
}

/* ---- test hooks ---------------------------------------------------------------------------- */

void borne_kiosk_present(struct borne_kiosk *k, const char *text, size_t len, int method)
{
    handle_code(k, text, len, (borne_method)method, 0);
}

void borne_kiosk_act(struct borne_kiosk *k, int act, int arg)
{
    borne_screen s = k->view.screen;
    bool staff_action = act != BORNE_ACT_PIN_DIGIT && act != BORNE_ACT_PIN_ERASE &&
                        act != BORNE_ACT_PIN_OK && act != BORNE_ACT_LEAVE_STAFF &&
                        act != BORNE_ACT_RETRY;
    if (staff_action && !staff_screen(s)) {
        return;
    }
    k->last_input_ms = mono_ms();
    action(k, act, arg);
}

const struct borne_view *borne_kiosk_view(const struct borne_kiosk *k)
{
    return &k->view;
}

struct borne_ui *borne_kiosk_draw(struct borne_kiosk *k)
{
    render(k);
    return k->ui;
}

const char *borne_kiosk_failure(const struct borne_kiosk *k)
{
    return k ? k->failure : "";
}

borne_err borne_kiosk_screenshot(struct borne_kiosk *k, const char *path)
{
    k->view.preview = k->preview;
    borne_screens_draw(k->ui, &k->view);
    borne_err err = borne_ui_screenshot(k->ui, path);
    SDL_RenderPresent(k->renderer);
    k->frames++;
    return err;
}

/* ---- the scripted run ---------------------------------------------------------------------- */

struct tour {
    struct borne_kiosk *k;
    const char *dir;
    int n;
    borne_err err;
};

static void shot(struct tour *t, const char *name)
{
    if (t->err) {
        return;
    }
    struct borne_kiosk *k = t->k;
    char path[768];
    snprintf(path, sizeof(path), "%s/%02d-%s.png", t->dir, ++t->n, name);
    k->view.preview = k->preview;
    borne_screens_draw(k->ui, &k->view);
    t->err = borne_ui_screenshot(k->ui, path);
    SDL_RenderPresent(k->renderer);
    k->frames++;
    if (t->err) {
        LOG_ERR("screenshot %s: %s", name, borne_strerror(t->err));
    }
}

/* Decodes a code drawn as the demo camera would film it, through the real decoder. */
static bool film(struct borne_kiosk *k, struct borne_decoder *dec, const char *code, uint8_t *frame,
                 char *text, size_t cap, size_t *len)
{
    borne_frame f = {frame, BORNE_DEMO_FRAME_W, BORNE_DEMO_FRAME_H, BORNE_DEMO_FRAME_W, 0};
    if (borne_demo_render(code, strlen(code), frame, BORNE_DEMO_FRAME_W, BORNE_DEMO_FRAME_H)) {
        return false;
    }
    memcpy(k->preview, frame, (size_t)BORNE_DEMO_FRAME_W * BORNE_DEMO_FRAME_H);
    k->view.preview_w = BORNE_DEMO_FRAME_W;
    k->view.preview_h = BORNE_DEMO_FRAME_H;
    k->view.preview_stride = BORNE_DEMO_FRAME_W;
    for (int pass = 0; pass < 4; pass++) {
        if (borne_decoder_decode(dec, &f, text, cap, len)) {
            return true;
        }
    }
    return false;
}

/* The tour's stand-in for a sync state (the demo has no registry). */
static void tour_sync(struct borne_kiosk *k, borne_view_sync_state state, int64_t ago_s,
                      int64_t offline_s, borne_err err, int64_t pending)
{
    borne_view *v = &k->view;
    borne_clock_sample now;
    borne_clock_now(&k->clock, &now);
    v->sync_state = (borne_view_sync){
        .state = state, .ago_s = ago_s, .since_s = now.wall_ms / 1000 - offline_s, .err = err};
    v->pending = pending;
    borne_format_sync_line(&v->sync_state, pending, v->sync, sizeof(v->sync));
}

borne_err borne_kiosk_tour(struct borne_kiosk *k, const char *dir)
{
    if (!k->opts.demo || !k->ck || !k->demo.steps) {
        return BORNE_ERR_INVALID;
    }
    char path[512];
    snprintf(path, sizeof(path), "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        return BORNE_ERR_IO;
    }
    struct tour t = {k, dir, 0, BORNE_OK};
    borne_view *v = &k->view;
    struct borne_decoder *dec = NULL;
    borne_err err = borne_decoder_new(&dec);
    if (err) {
        return err;
    }
    uint8_t *frame = malloc((size_t)BORNE_DEMO_FRAME_W * BORNE_DEMO_FRAME_H);
    if (!k->preview) {
        k->preview = malloc((size_t)PREVIEW_MAX_W * PREVIEW_MAX_H);
    }
    static char text[BORNE_SCAN_TEXT_MAX + 1];
    size_t len = 0;
    if (!frame || !k->preview) {
        abort();
    }
    /* Waiting, with the first participant's code in the (mirrored) preview, then without a
     * camera. */
    film(k, dec, k->demo.steps[0].code, frame, text, sizeof(text), &len);
    v->has_preview = true;
    v->camera = BORNE_INPUT_RUNNING;
    v->scanner = BORNE_INPUT_ABSENT;
    snprintf(v->demo_caption, sizeof(v->demo_caption), "%s", k->demo.steps[0].who);
    shot(&t, "waiting-camera");
    v->has_preview = false;
    v->camera = -1;
    v->scanner = BORNE_INPUT_RUNNING;
    shot(&t, "waiting-scanner-only");
    v->camera = BORNE_INPUT_RUNNING;
    v->has_preview = true;
    /* The status corner: synced two minutes ago; then offline since 14 h 02-ish with records
     * waiting and a clock that is not trusted yet. */
    tour_sync(k, BORNE_VIEW_SYNC_OK, 125, 0, BORNE_OK, 0);
    shot(&t, "waiting-synced");
    tour_sync(k, BORNE_VIEW_SYNC_OFFLINE, 0, 47 * 60, BORNE_ERR_NET, 37);
    v->clock_trusted = false;
    shot(&t, "waiting-offline-untrusted-clock");
    v->clock_trusted = true;
    refresh_pending(k);

    /* Every step of the demo's script, through the decoder and the check-in path. */
    for (size_t i = 0; i < k->demo.nsteps && !t.err; i++) {
        const borne_demo_step *st = &k->demo.steps[i];
        borne_fake_clock_advance(&k->fake, st->advance_ms);
        borne_checkin_set_mode(k->ck, st->mode);
        refresh_header(k);
        refresh_clock(k);
        snprintf(v->demo_caption, sizeof(v->demo_caption), "%s", st->who);
        if (!film(k, dec, st->code, frame, text, sizeof(text), &len)) {
            LOG_ERR("tour: step %zu not decoded", i + 1);
            t.err = BORNE_ERR_PARSE;
            break;
        }
        handle_code(k, text, len, BORNE_METHOD_CAMERA, 0);
        if (v->screen != BORNE_SCREEN_RESULT) {
            t.err = BORNE_ERR_INVALID;
            break;
        }
        v->result_progress_permille = 700;
        char name[96];
        snprintf(name, sizeof(name), "result-%s%s", borne_outcome_name(v->result.outcome),
                 borne_view_result_look(v).cls == BORNE_LOOK_ATTENTION &&
                         v->result.outcome == BORNE_OUTCOME_ACCEPTED_EXIT
                     ? "-no-credit"
                     : "");
        shot(&t, name);
    }
    go(k, BORNE_SCREEN_WAITING);

    /* Staff: a staff QR code opens the menu at once; the PIN screen in its states. */
    borne_token staff = {.flags = BORNE_TOKEN_FLAG_STAFF,
                         .key_id = 1,
                         .event_id = BORNE_DEMO_EVENT_ID,
                         .participant_id = 1};
    char code[BORNE_TOKEN_TEXT_LEN + 1];
    if (!t.err && borne_token_sign(&staff, k->demo.secret_key, code, sizeof(code)) == BORNE_OK &&
        film(k, dec, code, frame, text, sizeof(text), &len)) {
        handle_code(k, text, len, BORNE_METHOD_CAMERA, 0);
        shot(&t, v->screen == BORNE_SCREEN_MENU ? "menu-by-staff-code" : "staff-code-failed");
        leave_staff(k);
    }
    open_pin(k);
    shot(&t, "pin");
    action(k, BORNE_ACT_PIN_DIGIT, 4);
    action(k, BORNE_ACT_PIN_DIGIT, 2);
    v->pin_wrong = true;
    shot(&t, "pin-wrong");
    borne_pin_lock saved = k->pin_lock;
    for (int i = 0; i < BORNE_PIN_FREE_TRIES + 2; i++) {
        borne_pin_lock_record(&k->pin_lock, false, mono_ms());
    }
    v->pin_locked_ms = borne_pin_lock_remaining(&k->pin_lock, mono_ms());
    shot(&t, "pin-locked");
    k->pin_lock = saved;
    v->pin_locked_ms = 0;
    v->pin_wrong = false;

    open_staff(k);
    shot(&t, "menu");
    tour_sync(k, BORNE_VIEW_SYNC_OFFLINE, 0, 47 * 60, BORNE_ERR_NET, 37);
    shot(&t, "menu-sync-offline");
    set_message(k, false, _("Synchronisation en cours…"));
    shot(&t, "menu-sync-running");
    {
        char msg[256];
        borne_i18n_fill(msg, sizeof(msg),
                        _("Synchronisé\u00a0: %s passages envoyés, %s en attente."), "37", "0",
                        NULL);
        set_message(k, false, msg);
    }
    shot(&t, "menu-sync-done");
    v->message[0] = '\0';
    refresh_pending(k);
    goto_screen(k, BORNE_SCREEN_SEARCH);
    key_text(k, "helene");
    shot(&t, "search");
    if (v->nfound > 0) {
        action(k, BORNE_ACT_PICK, 0);
        shot(&t, "person");
        show_qr(k);
        shot(&t, "show-qr");
    }
    /* Someone not registered for the session: admitted anyway, with a reason. */
    goto_screen(k, BORNE_SCREEN_SEARCH);
    key_text(k, "francois");
    if (v->nfound > 0) {
        action(k, BORNE_ACT_PICK, 0);
        shot(&t, "person-not-registered");
        action(k, BORNE_ACT_ADMIT, BORNE_ADMIT_ASK);
        shot(&t, "person-admit-reasons");
        action(k, BORNE_ACT_ADMIT, BORNE_ADMIT_SPEAKER);
        shot(&t, "result-admitted-by-staff");
    }
    /* A walk-in whose name is already on the list: the likely matches first. */
    goto_screen(k, BORNE_SCREEN_WALKIN);
    key_text(k, "emilie cote");
    shot(&t, "walk-in-likely");
    v->walkin[0][0] = '\0';
    v->nlikely = 0;
    goto_screen(k, BORNE_SCREEN_WALKIN);
    snprintf(v->walkin[0], sizeof(v->walkin[0]), "Véronique Saint-Amand");
    snprintf(v->walkin[1], sizeof(v->walkin[1]), "Ville de Rimouski");
    v->walkin_field = 1;
    shot(&t, "walk-in");
    walkin_save(k);
    shot(&t, "result-walk-in");
    goto_screen(k, BORNE_SCREEN_SESSIONS);
    shot(&t, "sessions");
    goto_screen(k, BORNE_SCREEN_COUNTS);
    shot(&t, "counts");
    goto_screen(k, BORNE_SCREEN_RECENT);
    shot(&t, "recent");
    goto_screen(k, BORNE_SCREEN_EXPORT);
    shot(&t, "export");
    struct borne_export_request req = {0};
    snprintf(req.db_path, sizeof(req.db_path), "%s", k->db_path);
    snprintf(req.kiosk_id, sizeof(req.kiosk_id), "%s", k->cfg.kiosk.id);
    snprintf(req.target_dir, sizeof(req.target_dir), "%s", k->demo_dir);
    req.event_id = borne_checkin_event(k->ck)->id;
    req.now_s = k->fake.now.wall_ms / 1000;
    struct borne_export_job *job = NULL;
    if (borne_export_start(&req, &job) == BORNE_OK) {
        /* The real path: the job posts its event; wait for it here. */
        SDL_Event e;
        k->export_job = job;
        k->view.busy = true;
        job = NULL;
        while (k->export_job && SDL_WaitEventTimeout(&e, 5000)) {
            handle_event(k, &e);
        }
    }
    shot(&t, "export-done");
    goto_screen(k, BORNE_SCREEN_ABOUT);
    shot(&t, "about");
    goto_screen(k, BORNE_SCREEN_POWER);
    shot(&t, "power");

    /* English. */
    set_language(k, BORNE_LANG_EN);
    leave_staff(k);
    shot(&t, "en-waiting");
    const borne_demo_step *last = &k->demo.steps[k->demo.nsteps > 3 ? k->demo.nsteps - 3 : 0];
    borne_fake_clock_advance(&k->fake, 60000);
    borne_checkin_set_mode(k->ck, last->mode);
    refresh_header(k);
    if (film(k, dec, last->code, frame, text, sizeof(text), &len)) {
        handle_code(k, text, len, BORNE_METHOD_CAMERA, 0);
        char name[96];
        snprintf(name, sizeof(name), "en-result-%s", borne_outcome_name(v->result.outcome));
        shot(&t, name);
    }
    open_staff(k);
    shot(&t, "en-menu");
    set_language(k, BORNE_LANG_FR);
    leave_staff(k);

    /* Not set up, and trouble. */
    struct borne_checkin *ck = k->ck;
    k->ck = NULL;
    go(k, BORNE_SCREEN_NOT_SET_UP);
    snprintf(v->event_name, sizeof(v->event_name), "Borne");
    v->has_preview = false;
    shot(&t, "not-set-up");
    v->setup = BORNE_VIEW_SETUP_WORKING;
    snprintf(v->setup_text, sizeof(v->setup_text), "%s",
             _("Réception de l’évènement, des séances et des participants…"));
    shot(&t, "not-set-up-provisioning");
    v->setup = BORNE_VIEW_SETUP_FAILED;
    snprintf(v->setup_text, sizeof(v->setup_text), "%s", setup_failure_words(BORNE_ERR_PERM));
    shot(&t, "not-set-up-spent-code");
    v->setup = BORNE_VIEW_SETUP_DONE;
    {
        char n[24];
        int64_t people = 0;
        borne_store_count_participants(k->store, borne_checkin_event(ck)->id, &people);
        snprintf(n, sizeof(n), "%lld", (long long)people);
        borne_i18n_fill(v->setup_text, sizeof(v->setup_text),
                        _("«\u00a0%s\u00a0»\u00a0: %s participants. La borne est prête."),
                        borne_checkin_event(ck)->name, n, NULL);
    }
    shot(&t, "not-set-up-done");
    v->setup = BORNE_VIEW_SETUP_NONE;
    k->ck = ck;
    refresh_header(k);
    v->trouble = BORNE_ERR_DISK_FULL;
    go(k, BORNE_SCREEN_TROUBLE);
    shot(&t, "trouble");
    /* The store's folder missing (a data partition not mounted): the cause, in words. */
    v->trouble = BORNE_ERR_IO;
    v->trouble_cause = BORNE_VIEW_TROUBLE_NO_FOLDER;
    snprintf(v->trouble_path, sizeof(v->trouble_path), "/var/lib/borne");
    shot(&t, "trouble-no-folder");
    v->trouble_cause = BORNE_VIEW_TROUBLE_STORE;
    v->trouble_path[0] = '\0';
    go(k, BORNE_SCREEN_WAITING);

    free(frame);
    borne_decoder_free(dec);
    return t.err;
}
