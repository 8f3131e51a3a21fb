/* The kiosk's sync with the central registry: provisioning, then push of check-ins and pull of
 * the roster, in a thread of its own or one cycle at a time.
 *
 * DESIGN: a borne_sync owns one CURL handle and one SQLite connection (its own, on the kiosk
 * store's file), and uses them from one thread only: either the worker thread started by
 * borne_sync_start(), or the caller of borne_sync_run_once() — never both. A cycle is: report
 * status (the answer's server time corrects untrusted check-in times and becomes a trusted clock
 * reference), push unsynced check-ins in batches (each marked synced only after the registry's
 * per-record answer), then pull the roster from the stored cursor until the registry says there
 * is no more. Failures back off exponentially with jitter. News goes up only through
 * borne_sync_get_status() and borne_sync_take_reference() (a mutex inside sync.c).
 *
 * TLS verification is never turned off: https:// is verified against the system CA store (or
 * a CA file), or against the public-key pin of the setup code; plain http:// is refused unless
 * the host is the loopback (development and tests).
 *
 * Credentials (URL, API token, pin, event) live in DATA_DIR/registry.json, mode 0600, and are
 * never logged. */
#ifndef BORNE_SYNC_SYNC_H
#define BORNE_SYNC_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/error.h"

#define BORNE_SYNC_CREDENTIALS_FILE "registry.json"
/* kiosk_state key holding the registry's number for this kiosk (walk-in ids, protocol.h). */
#define BORNE_SYNC_KIOSK_NUMBER_KEY "registry_kiosk_number"

struct borne_sync;

typedef struct borne_sync_options {
    const char *db_path;  /* the kiosk store (the sync opens its own connection) */
    const char *data_dir; /* holds BORNE_SYNC_CREDENTIALS_FILE */
    const char *kiosk_id; /* this kiosk's name, sent when enrolling */
    /* Sampled from the syncing thread (mono time and boot id for the clock reference): the
     * system clock is safe; a fake clock only with borne_sync_run_once(). */
    borne_clock *clock;
    const char *ca_file;    /* NULL or "": the system CA store */
    int interval_s;         /* between automatic cycles; 0: 60 */
    int timeout_ms;         /* per request, in all; 0: 30000 */
    int connect_timeout_ms; /* 0: 10000 */
    int low_speed_s;        /* abort when under 1 byte/s for this long; 0: 20 */
    size_t batch;           /* check-ins per push; 0: 500 (at most BORNE_PUSH_BATCH_MAX) */
    int backoff_min_ms;     /* first retry delay; 0: 2000 */
    int backoff_max_ms;     /* 0: 300000 */
    /* Wake-up hook, called from the syncing thread (no lock held) whenever the status changed:
     * a phase began, a cycle ended, a new clock reference is waiting. It must only wake the
     * owner (the kiosk posts an SDL event), never call back into the sync. May be NULL. */
    void (*notify)(void *ctx);
    void *notify_ctx;
} borne_sync_options;

/* What a cycle (or a provisioning) is doing now, for progress on screen. */
typedef enum borne_sync_phase {
    BORNE_SYNC_PHASE_IDLE = 0,
    BORNE_SYNC_PHASE_ENROLLING = 1, /* exchanging the setup code's token */
    BORNE_SYNC_PHASE_STATUS = 2,
    BORNE_SYNC_PHASE_PUSHING = 3,
    BORNE_SYNC_PHASE_PULLING = 4,
} borne_sync_phase;

typedef enum borne_clock_state {
    BORNE_CLOCK_STATE_UNTRUSTED = 0, /* no trusted time yet this boot */
    BORNE_CLOCK_STATE_TRUSTED = 1,   /* the system says so (NTP) */
    BORNE_CLOCK_STATE_CORRECTED = 2, /* from the registry's time */
} borne_clock_state;

/* What the staff screen shows. A copy: no pointers. */
typedef struct borne_sync_status {
    bool provisioned;
    bool syncing;            /* a cycle is running now */
    borne_sync_phase phase;  /* what it is doing */
    int64_t cycles;          /* cycles finished (with or without success) since start */
    int64_t roster_changes;  /* pull pages applied that changed the roster, keys or sessions */
    int64_t kiosk_number;    /* the registry's number for this kiosk (walk-in ids); 0: unknown */
    int64_t last_success_ms; /* kiosk wall time of the last complete cycle; 0: never */
    int64_t last_success_mono_ms;  /* CLOCK_MONOTONIC ms of the same; 0: never */
    int64_t failing_since_mono_ms; /* CLOCK_MONOTONIC ms of the first failure in a row; 0: ok */
    int64_t last_attempt_ms;
    int64_t pending;         /* check-ins not yet acknowledged by the registry */
    int64_t pushed;          /* acknowledged since start (stored or duplicate) */
    int64_t refused;         /* refused by the registry since start (kept, marked) */
    int64_t pulled;          /* roster rows applied since start */
    int64_t corrected;       /* check-in times corrected since start */
    int failures;            /* consecutive failed cycles */
    int64_t next_attempt_ms; /* mono time of the next automatic cycle */
    borne_err last_err;      /* BORNE_OK when the last cycle succeeded */
    char last_error[192];    /* the last failure in words (English), "" after a success */
} borne_sync_status;

/* Creates a sync for a provisioned (or not yet provisioned) kiosk. Reads the credentials if
 * present. The store connection and the CURL handle are opened on first use. */
borne_err borne_sync_new(const borne_sync_options *opts, struct borne_sync **out);
/* Stops the worker (if started), waits for it, frees everything. Accepts NULL. */
void borne_sync_free(struct borne_sync *sync);

/* Exchanges a setup code's one-time enrolment token for this kiosk's API token and event,
 * stores the credentials (0600) and the event id in the store, then runs a first cycle (the
 * first pull brings the event, sessions, roster and keys). `msg` says what went wrong. */
borne_err borne_sync_provision(struct borne_sync *sync, const char *setup_text, char *msg,
                               size_t msg_cap);

/* One cycle (status, push, pull) in the calling thread. */
borne_err borne_sync_run_once(struct borne_sync *sync);

/* Starts the worker thread ("borne-sync", signals blocked): a cycle now, then every interval,
 * or sooner after borne_sync_now(); failures back off exponentially with jitter. */
borne_err borne_sync_start(struct borne_sync *sync);
/* Asks the worker for a cycle as soon as possible ("sync now" in staff mode). */
void borne_sync_now(struct borne_sync *sync);
/* Stops the worker and waits for it (a request in flight is aborted within about a second);
 * afterwards another thread may use borne_sync_provision() or borne_sync_run_once(), and
 * borne_sync_start() may start it again. Does nothing when it is not running. */
void borne_sync_stop(struct borne_sync *sync);

void borne_sync_get_status(struct borne_sync *sync, borne_sync_status *out);

/* The newest trusted clock reference learnt from the registry, once: returns true and fills
 * `out` when there is one the caller has not taken yet. The kiosk's main thread passes it to
 * borne_clock_set_reference() so that new check-ins are trusted. */
bool borne_sync_take_reference(struct borne_sync *sync, borne_clock_sample *out);

/* The delay before retry number `failures` (1, 2, ...): min * 2^(failures-1), capped at max,
 * then a random 50-100 % of it (jitter). Exposed for tests. */
int64_t borne_sync_backoff_ms(int failures, int min_ms, int max_ms);

#endif
