/* The check-in path (see checkin.h).
 *
 * DESIGN: facts are gathered with a handful of indexed queries (key lookup in memory, roster by
 * primary key, revocation by fingerprint, last accepted scan), so a decision costs well under a
 * millisecond before the durable insert. The "same scan" memory is a small ring of recent code
 * fingerprints with the result that was shown, kept in memory only: after a restart a rescan is
 * judged against the stored history instead, which gives "already in". */
#define LOG_MODULE "checkin"
#include "checkin/checkin.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/uuid.h"

#define RECENT_SCANS 64

struct recent_scan {
    bool used;
    uint8_t hash[BORNE_CODE_HASH_LEN];
    int64_t mono_ms;
    char boot_id[BORNE_BOOT_ID_LEN + 1];
    uint32_t session_id;
    borne_direction mode;
    borne_scan_result result;
};

struct borne_checkin {
    struct borne_store *store; /* borrowed */
    borne_clock *clock;        /* borrowed */
    char kiosk_id[BORNE_KIOSK_ID_MAX];
    borne_event event;
    bool has_session;
    borne_session session;
    borne_direction mode;
    int32_t rescan_window_ms;
    borne_pubkey *keys;
    size_t nkeys;
    struct recent_scan recent[RECENT_SCANS];
    size_t recent_next;
};

borne_err borne_checkin_reload(struct borne_checkin *ck)
{
    borne_err err = borne_store_current_event(ck->store, &ck->event);
    if (err) {
        return err;
    }
    free(ck->keys);
    ck->keys = NULL;
    ck->nkeys = 0;
    err = borne_store_load_keys(ck->store, &ck->keys, &ck->nkeys);
    if (err) {
        return err;
    }
    if (ck->has_session) {
        return borne_checkin_set_session(ck, ck->session.id);
    }
    return BORNE_OK;
}

borne_err borne_checkin_new(struct borne_checkin **out, struct borne_store *store,
                            borne_clock *clock, const borne_checkin_options *opts)
{
    *out = NULL;
    struct borne_checkin *ck = calloc(1, sizeof(*ck));
    if (!ck) {
        return BORNE_ERR_NOMEM;
    }
    ck->store = store;
    ck->clock = clock;
    snprintf(ck->kiosk_id, sizeof(ck->kiosk_id), "%s",
             opts && opts->kiosk_id ? opts->kiosk_id : "borne");
    ck->mode = opts ? opts->mode : BORNE_ENTRY;
    ck->rescan_window_ms = !opts || opts->rescan_window_ms == 0
                               ? 5000
                               : (opts->rescan_window_ms < 0 ? 0 : opts->rescan_window_ms);
    borne_err err = borne_checkin_reload(ck);
    if (!err && opts && opts->session_id) {
        err = borne_checkin_set_session(ck, opts->session_id);
    }
    if (err) {
        borne_checkin_free(ck);
        return err;
    }
    *out = ck;
    return BORNE_OK;
}

void borne_checkin_free(struct borne_checkin *ck)
{
    if (!ck) {
        return;
    }
    free(ck->keys);
    free(ck);
}

borne_err borne_checkin_set_session(struct borne_checkin *ck, uint32_t session_id)
{
    if (session_id == 0) {
        ck->has_session = false;
        return BORNE_OK;
    }
    borne_session s;
    borne_err err = borne_store_get_session(ck->store, session_id, &s);
    if (err) {
        return err;
    }
    if (s.event_id != ck->event.id) {
        return BORNE_ERR_INVALID;
    }
    ck->session = s;
    ck->has_session = true;
    return BORNE_OK;
}

void borne_checkin_set_mode(struct borne_checkin *ck, borne_direction mode)
{
    ck->mode = mode;
}

const borne_event *borne_checkin_event(const struct borne_checkin *ck)
{
    return &ck->event;
}

const borne_session *borne_checkin_session(const struct borne_checkin *ck)
{
    return ck->has_session ? &ck->session : NULL;
}

borne_direction borne_checkin_mode(const struct borne_checkin *ck)
{
    return ck->mode;
}

static struct recent_scan *find_recent(struct borne_checkin *ck, const uint8_t *hash,
                                       const borne_clock_sample *now)
{
    struct recent_scan *best = NULL;
    for (size_t i = 0; i < RECENT_SCANS; i++) {
        struct recent_scan *r = &ck->recent[i];
        if (!r->used || memcmp(r->hash, hash, BORNE_CODE_HASH_LEN) != 0 ||
            strcmp(r->boot_id, now->boot_id) != 0 ||
            r->session_id != (ck->has_session ? ck->session.id : 0) || r->mode != ck->mode) {
            continue;
        }
        if (!best || r->mono_ms > best->mono_ms) {
            best = r;
        }
    }
    return best;
}

static void remember(struct borne_checkin *ck, const uint8_t *hash, const borne_scan_result *res)
{
    struct recent_scan *r = &ck->recent[ck->recent_next];
    ck->recent_next = (ck->recent_next + 1) % RECENT_SCANS;
    r->used = true;
    memcpy(r->hash, hash, BORNE_CODE_HASH_LEN);
    r->mono_ms = res->time.mono_ms;
    memcpy(r->boot_id, res->time.boot_id, sizeof(r->boot_id));
    r->session_id = ck->has_session ? ck->session.id : 0;
    r->mode = ck->mode;
    r->result = *res;
}

static void fill_window(const struct borne_checkin *ck, borne_scan_facts *f)
{
    f->has_session = ck->has_session;
    if (ck->has_session) {
        f->session = (borne_session_window){
            .start = ck->session.starts,
            .end = ck->session.ends,
            .open_before_s = ck->session.open_before_s,
            .close_after_s = ck->session.close_after_s,
            .requires_registration = ck->session.requires_registration,
        };
    }
}

/* Roster, registration and history facts for a known participant id. */
static borne_err participant_facts(struct borne_checkin *ck, uint32_t pid, borne_scan_facts *f,
                                   borne_scan_result *out)
{
    borne_err err = borne_store_get_participant(ck->store, ck->event.id, pid, &out->participant);
    if (err == BORNE_ERR_NOT_FOUND) {
        f->found_in_roster = false;
        out->participant.id = pid;
        out->participant.event_id = ck->event.id;
        out->has_participant = true; /* known by id only: genuine token, roster not pulled */
        err = BORNE_OK;
    } else if (!err) {
        f->found_in_roster = true;
        out->has_participant = true;
        f->registration = out->participant.status;
        if (ck->has_session) {
            err = borne_store_is_registered(ck->store, ck->event.id, pid, ck->session.id,
                                            &f->registered_for_session);
        }
        /* Admitted by staff to this session: registered for it from then on (the exit, a
         * re-entry), whatever the list says. */
        bool admitted = false;
        if (!err && (!f->registered_for_session || f->registration != BORNE_REG_CONFIRMED)) {
            err = borne_store_was_admitted(ck->store, ck->event.id, pid,
                                           ck->has_session ? ck->session.id : 0, &admitted);
        }
        if (admitted) {
            f->registered_for_session = true;
            f->registration = BORNE_REG_CONFIRMED;
        }
    }
    if (err) {
        return err;
    }
    uint32_t sid = ck->has_session ? ck->session.id : 0;
    return borne_store_history(ck->store, ck->event.id, pid, sid, &f->in_room, &f->has_exit,
                               &out->previous_ms);
}

/* Stores the row for a decision that records, then computes the exit tally. */
static borne_err record(struct borne_checkin *ck, const borne_scan_facts *f,
                        const borne_decision *d, borne_method method, const char *staff_id,
                        const uint8_t *hash, borne_scan_result *out)
{
    out->outcome = d->outcome;
    out->accepted = d->accepted;
    if (!d->record) {
        return BORNE_OK;
    }
    borne_checkin_row row;
    memset(&row, 0, sizeof(row));
    borne_uuid_new(row.uuid);
    snprintf(row.kiosk_id, sizeof(row.kiosk_id), "%s", ck->kiosk_id);
    row.event_id = ck->event.id;
    row.participant_id = out->has_participant ? out->participant.id : 0;
    row.session_id = out->session_id;
    row.direction = f->mode;
    row.method = method;
    snprintf(row.staff_id, sizeof(row.staff_id), "%s", staff_id ? staff_id : "");
    row.outcome = d->outcome;
    if (hash) {
        row.has_code_hash = true;
        memcpy(row.code_hash, hash, BORNE_CODE_HASH_LEN);
    }
    row.time = out->time;
    borne_err err = borne_store_add_checkin(ck->store, &row);
    if (err) {
        /* Not stored: nothing may be shown as accepted. */
        out->accepted = false;
        return err;
    }
    out->recorded = true;
    memcpy(out->uuid, row.uuid, sizeof(out->uuid));
    if (ck->has_session && out->has_participant &&
        (d->outcome == BORNE_OUTCOME_ACCEPTED_EXIT ||
         d->outcome == BORNE_OUTCOME_EXIT_WITHOUT_ENTRY)) {
        borne_scan_event *scans = NULL;
        size_t n = 0;
        err = borne_store_scans(ck->store, ck->event.id, out->participant.id, ck->session.id,
                                &scans, &n);
        if (!err && !borne_credits_compute(ck->session.starts, ck->session.ends, &ck->session.rule,
                                           scans, n, out->time.wall_ms / 1000, &out->attendance)) {
            out->has_attendance = true;
        }
        free(scans);
        /* The check-in is stored; a failed tally only means no tally is shown. */
        err = BORNE_OK;
    }
    return err;
}

static void begin_result(struct borne_checkin *ck, borne_scan_result *out, borne_scan_facts *f)
{
    memset(out, 0, sizeof(*out));
    memset(f, 0, sizeof(*f));
    borne_clock_now(ck->clock, &out->time);
    out->session_id = ck->has_session ? ck->session.id : 0;
    fill_window(ck, f);
    f->mode = ck->mode;
    f->rescan_window_ms = ck->rescan_window_ms;
    f->now = out->time.wall_ms / 1000;
    f->now_mono_ms = out->time.mono_ms;
    f->clock_trusted = out->time.trusted;
}

borne_err borne_checkin_scan(struct borne_checkin *ck, const uint8_t *text, size_t len,
                             borne_method method, borne_scan_result *out)
{
    borne_scan_facts f;
    begin_result(ck, out, &f);
    uint8_t hash[BORNE_CODE_HASH_LEN];
    borne_store_code_hash(text, len, hash);

    /* The same scan again (a code held in front of the camera, a double trigger). */
    struct recent_scan *prev = find_recent(ck, hash, &out->time);
    if (prev) {
        f.has_previous = true;
        f.previous_mono_ms = prev->mono_ms;
        borne_decision d = borne_rules_decide(&f);
        if (d.outcome == BORNE_OUTCOME_REPEAT_SCAN) {
            borne_clock_sample now = out->time;
            *out = prev->result;
            out->repeat = true;
            out->recorded = false;
            out->time = now;
            return BORNE_OK;
        }
        f.has_previous = false;
    }

    borne_err err = BORNE_OK;
    if (len > BORNE_SCAN_MAX_BYTES) {
        f.signed_code = true;
        f.token_status = BORNE_TOKEN_BAD_LENGTH;
        out->token_status = f.token_status;
    } else if (borne_token_looks_signed(text, len)) {
        f.signed_code = true;
        borne_token tok;
        f.token_status = borne_token_verify(text, len, ck->keys, ck->nkeys, ck->event.id, f.now,
                                            f.clock_trusted, &tok);
        out->token_status = f.token_status;
        if (f.token_status == BORNE_TOKEN_OK) {
            f.staff_code = (tok.flags & BORNE_TOKEN_FLAG_STAFF) != 0;
            if (!f.staff_code) {
                err = participant_facts(ck, tok.participant_id, &f, out);
            }
        }
    } else {
        out->token_status = BORNE_TOKEN_NOT_SIGNED;
        borne_participant p;
        err = borne_store_find_code(ck->store, ck->event.id, text, len, &p);
        if (!err) {
            err = participant_facts(ck, p.id, &f, out);
        } else if (err == BORNE_ERR_NOT_FOUND) {
            err = BORNE_OK;
        }
    }
    if (!err && len <= BORNE_SCAN_MAX_BYTES) {
        err = borne_store_is_revoked(ck->store, ck->event.id, text, len, &f.revoked);
    }
    if (err) {
        return err;
    }
    borne_decision d = borne_rules_decide(&f);
    err = record(ck, &f, &d, method, NULL, hash, out);
    if (err) {
        return err;
    }
    remember(ck, hash, out);
    if (d.outcome == BORNE_OUTCOME_STAFF) {
        LOG_INFO("staff code presented");
    }
    return BORNE_OK;
}

const char *borne_admit_reason_word(borne_admit_reason reason)
{
    static const char *const words[BORNE_ADMIT__COUNT] = {
        [BORNE_ADMIT_SPEAKER] = "speaker",
        [BORNE_ADMIT_PAID_AT_DESK] = "paid-at-desk",
        [BORNE_ADMIT_LIST_ERROR] = "list-error",
        [BORNE_ADMIT_OTHER] = "other",
    };
    return (unsigned)reason < BORNE_ADMIT__COUNT ? words[reason] : NULL;
}

borne_err borne_checkin_admit(struct borne_checkin *ck, uint32_t participant_id,
                              borne_admit_reason reason, borne_scan_result *out)
{
    const char *word = borne_admit_reason_word(reason);
    if (!word) {
        return BORNE_ERR_INVALID;
    }
    borne_scan_facts f;
    begin_result(ck, out, &f);
    f.mode = BORNE_ENTRY;
    f.signed_code = true;
    f.token_status = BORNE_TOKEN_OK; /* staff vouches for the person */
    borne_err err = participant_facts(ck, participant_id, &f, out);
    if (err) {
        return err;
    }
    if (!f.found_in_roster) {
        return BORNE_ERR_NOT_FOUND;
    }
    borne_decision d = borne_rules_decide(&f);
    char staff_id[64];
    if (d.outcome == BORNE_OUTCOME_NOT_REGISTERED || d.outcome == BORNE_OUTCOME_SEE_DESK ||
        d.outcome == BORNE_OUTCOME_CANCELLED) {
        d = (borne_decision){
            .outcome = BORNE_OUTCOME_ADMITTED_BY_STAFF, .record = true, .accepted = true};
        snprintf(staff_id, sizeof(staff_id), "staff override:%s", word);
    } else if (d.accepted) {
        snprintf(staff_id, sizeof(staff_id), "staff");
    } else {
        return BORNE_ERR_INVALID;
    }
    borne_direction saved = ck->mode;
    ck->mode = BORNE_ENTRY;
    err = record(ck, &f, &d, BORNE_METHOD_MANUAL, staff_id, NULL, out);
    ck->mode = saved;
    return err;
}

borne_err borne_checkin_manual(struct borne_checkin *ck, uint32_t participant_id,
                               borne_direction direction, borne_method method, const char *staff_id,
                               borne_scan_result *out)
{
    if (method != BORNE_METHOD_MANUAL && method != BORNE_METHOD_WALK_IN) {
        return BORNE_ERR_INVALID;
    }
    borne_scan_facts f;
    begin_result(ck, out, &f);
    f.mode = direction;
    f.signed_code = true;
    f.token_status = BORNE_TOKEN_OK; /* staff vouches for the person */
    borne_err err = participant_facts(ck, participant_id, &f, out);
    if (err) {
        return err;
    }
    if (!f.found_in_roster) {
        return BORNE_ERR_NOT_FOUND;
    }
    borne_decision d = borne_rules_decide(&f);
    borne_direction saved = ck->mode;
    ck->mode = direction;
    err = record(ck, &f, &d, method, staff_id, NULL, out);
    ck->mode = saved;
    return err;
}
