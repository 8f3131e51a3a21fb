/* Attendance pairing and credit hours (see credits.h and docs/credits.md). */
#include "core/credits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_scans(const void *a, const void *b)
{
    const borne_credit_scan *x = a;
    const borne_credit_scan *y = b;
    if (x->session != y->session) {
        return x->session < y->session ? -1 : 1;
    }
    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    /* At the same second an entry comes first: in then out, not out then in. */
    return (int)x->direction - (int)y->direction;
}

static int64_t clip(int64_t t, int64_t lo, int64_t hi)
{
    return t < lo ? lo : (t > hi ? hi : t);
}

/* A presence interval [in, out) of one session; `entered` is the entry's own time (the overlap
 * split gives shared time to the latest entry). */
struct interval {
    size_t session;
    int64_t in, out, entered;
};

/* What pairing found in one session's scans. */
struct pairing {
    int32_t unmatched_exits;
    bool open;        /* an entry still open at the last scan */
    int64_t open_in;  /* its time */
    bool blind_close; /* an exit recorded by a kiosk that had not seen the entry closed one */
    int64_t first_entry, last_exit;
};

/* Pairs one session's scans, sorted by time, into closed intervals appended to ivs[*n]
 * (docs/credits.md, "Pairing"). */
static void pair_scans(const borne_credit_scan *s, size_t count, struct interval *ivs, size_t *n,
                       struct pairing *p)
{
    memset(p, 0, sizeof(*p));
    bool have_last = false; /* ivs[*n - 1] is this session's last closed interval */
    for (size_t i = 0; i < count; i++) {
        if (s[i].direction == BORNE_ENTRY) {
            if (!p->first_entry) {
                p->first_entry = s[i].time;
            }
            if (!p->open) {
                p->open = true;
                p->open_in = s[i].time;
            }
            continue;
        }
        if (p->open) {
            ivs[*n] = (struct interval){s[i].session, p->open_in, s[i].time, p->open_in};
            (*n)++;
            have_last = true;
            p->open = false;
            p->last_exit = s[i].time;
            p->blind_close = p->blind_close || s[i].kiosk_saw_no_in;
        } else if (have_last && i > 0 && s[i - 1].direction == BORNE_EXIT) {
            ivs[*n - 1].out = s[i].time; /* a second kiosk's exit for the same departure */
            p->last_exit = s[i].time;
        } else {
            p->unmatched_exits++;
        }
    }
}

/* Credit minutes under the rule for `total` seconds attended of `scheduled`. */
static int32_t rule_credit(const borne_credit_rule *rule, int64_t total, int64_t scheduled,
                           int32_t intervals)
{
    if (intervals == 0) {
        /* No presence at all (no scan, or only exits): no credit, whatever the rule. */
        return 0;
    }
    if (total * 1000 < (int64_t)rule->min_share_permille * scheduled) {
        return 0;
    }
    if (rule->kind == BORNE_CREDIT_THRESHOLD) {
        return rule->credit_minutes;
    }
    int64_t minutes = (int64_t)rule->credit_minutes * total / scheduled;
    int step = rule->step_minutes > 1 ? rule->step_minutes : 1;
    return (int32_t)(minutes / step * step);
}

static bool rule_ok(const borne_credit_rule *rule)
{
    return rule && rule->credit_minutes >= 0 && rule->min_share_permille >= 0 &&
           rule->min_share_permille <= 1000 && rule->step_minutes >= 0;
}

borne_err borne_credits_compute(int64_t start, int64_t end, const borne_credit_rule *rule,
                                const borne_scan_event *scans, size_t count, int64_t now,
                                borne_attendance *out)
{
    memset(out, 0, sizeof(*out));
    if (end <= start || !rule_ok(rule) || (count && !scans)) {
        return BORNE_ERR_INVALID;
    }
    borne_credit_scan *sorted = malloc((count ? count : 1) * sizeof(*sorted));
    struct interval *ivs = malloc((count + 1) * sizeof(*ivs));
    if (!sorted || !ivs) {
        free(sorted);
        free(ivs);
        return BORNE_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        sorted[i] = (borne_credit_scan){.time = scans[i].time, .direction = scans[i].direction};
    }
    qsort(sorted, count, sizeof(*sorted), compare_scans);
    size_t n = 0;
    struct pairing p;
    pair_scans(sorted, count, ivs, &n, &p);
    /* The kiosk's tally (and bornectl's report): an entry still open counts until the end, or
     * until now while the session runs. */
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += clip(ivs[i].out, start, end) - clip(ivs[i].in, start, end);
    }
    int32_t intervals = (int32_t)n;
    if (p.open) {
        int64_t close = now < end ? now : end;
        if (close > p.open_in) {
            total += clip(close, start, end) - clip(p.open_in, start, end);
        }
        intervals++;
        out->closed_at_end = now >= end;
    }
    free(sorted);
    free(ivs);
    out->attended_s = total;
    out->intervals = intervals;
    out->unmatched_exits = p.unmatched_exits;
    out->share_permille = (int32_t)(total * 1000 / (end - start));
    out->credit_minutes = rule_credit(rule, total, end - start, intervals);
    return BORNE_OK;
}

/* ---- the registry's computation ---- */

const char *borne_missing_exit_name(borne_missing_exit policy)
{
    switch (policy) {
    case BORNE_MISSING_EXIT_REVIEW:
        return "review";
    case BORNE_MISSING_EXIT_FULL:
        return "full";
    case BORNE_MISSING_EXIT_NONE:
        return "none";
    }
    return NULL;
}

borne_err borne_missing_exit_parse(const char *text, borne_missing_exit *out)
{
    for (int i = 0; i < 3; i++) {
        if (text && strcmp(text, borne_missing_exit_name((borne_missing_exit)i)) == 0) {
            *out = (borne_missing_exit)i;
            return BORNE_OK;
        }
    }
    return BORNE_ERR_PARSE;
}

static const char *const anomaly_names[BORNE_ANOMALY_KINDS] = {
    "missing-exit", "exit-without-entry", "overlap", "clock", "walk-in", "outside-window"};
static const char *const anomaly_fr[BORNE_ANOMALY_KINDS] = {
    "sortie non scannée", "sortie sans entrée",     "sessions simultanées",
    "horloge non fiable", "inscription à la porte", "scan hors des heures d’ouverture"};

const char *borne_anomaly_name(int i)
{
    return i >= 0 && i < BORNE_ANOMALY_KINDS ? anomaly_names[i] : "";
}

const char *borne_anomaly_label_fr(int i)
{
    return i >= 0 && i < BORNE_ANOMALY_KINDS ? anomaly_fr[i] : "";
}

void borne_anomaly_words(uint32_t anomalies, bool french, const char *sep, char *out, size_t cap)
{
    size_t len = 0;
    if (cap) {
        out[0] = '\0';
    }
    for (int i = 0; i < BORNE_ANOMALY_KINDS; i++) {
        if (!(anomalies & (1u << i)) || len >= cap) {
            continue;
        }
        int w = snprintf(out + len, cap - len, "%s%s", len ? sep : "",
                         french ? anomaly_fr[i] : anomaly_names[i]);
        len = w < 0 ? cap : len + (size_t)w;
    }
}

const char *borne_review_decision_name(borne_review_decision d)
{
    switch (d) {
    case BORNE_REVIEW_ACCEPT:
        return "accept";
    case BORNE_REVIEW_REJECT:
        return "reject";
    case BORNE_REVIEW_EDIT:
        return "edit";
    case BORNE_REVIEW_NONE:
        break;
    }
    return "";
}

static int compare_times(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Gives every second covered by several intervals of different sessions to one of them: the one
 * entered last (the person walked from the first room into the second), ties to the earlier
 * session in the array. Adds the time to out[].attended_s and the loss to overlap_lost_s. */
static borne_err split_overlaps(const struct interval *ivs, size_t n, borne_session_credit *out)
{
    int64_t *cuts = malloc((2 * n + 1) * sizeof(*cuts));
    if (!cuts) {
        return BORNE_ERR_NOMEM;
    }
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
        cuts[nc++] = ivs[i].in;
        cuts[nc++] = ivs[i].out;
    }
    qsort(cuts, nc, sizeof(*cuts), compare_times);
    for (size_t k = 0; k + 1 < nc; k++) {
        int64_t a = cuts[k], b = cuts[k + 1];
        if (b <= a) {
            continue;
        }
        size_t owner = SIZE_MAX, covering = 0;
        for (size_t i = 0; i < n; i++) {
            if (ivs[i].in <= a && ivs[i].out >= b) {
                covering++;
                if (owner == SIZE_MAX || ivs[i].entered > ivs[owner].entered ||
                    (ivs[i].entered == ivs[owner].entered && ivs[i].session < ivs[owner].session)) {
                    owner = i;
                }
            }
        }
        if (owner == SIZE_MAX) {
            continue;
        }
        out[ivs[owner].session].attended_s += b - a;
        for (size_t i = 0; covering > 1 && i < n; i++) {
            if (ivs[i].in <= a && ivs[i].out >= b) {
                out[ivs[i].session].anomalies |= BORNE_ANOMALY_OVERLAP;
                if (i != owner) {
                    out[ivs[i].session].overlap_lost_s += b - a;
                }
            }
        }
    }
    free(cuts);
    return BORNE_OK;
}

borne_err borne_credits_participant(const borne_credit_session *sessions, size_t nsessions,
                                    const borne_credit_scan *scans, size_t nscans,
                                    borne_missing_exit policy, bool walkin, int64_t now,
                                    borne_session_credit *out)
{
    if (nsessions) {
        memset(out, 0, nsessions * sizeof(*out));
    }
    if ((nsessions && !sessions) || (nscans && !scans) || !borne_missing_exit_name(policy)) {
        return BORNE_ERR_INVALID;
    }
    for (size_t i = 0; i < nsessions; i++) {
        if (sessions[i].end <= sessions[i].start || !rule_ok(&sessions[i].rule)) {
            return BORNE_ERR_INVALID;
        }
    }
    for (size_t i = 0; i < nscans; i++) {
        if (scans[i].session >= nsessions) {
            return BORNE_ERR_INVALID;
        }
    }
    borne_credit_scan *sorted = malloc((nscans ? nscans : 1) * sizeof(*sorted));
    struct interval *ivs = malloc((nscans + nsessions + 1) * sizeof(*ivs));
    if (!sorted || !ivs) {
        free(sorted);
        free(ivs);
        return BORNE_ERR_NOMEM;
    }
    if (nscans) {
        memcpy(sorted, scans, nscans * sizeof(*sorted));
        qsort(sorted, nscans, sizeof(*sorted), compare_scans);
    }
    size_t n = 0; /* intervals of every session, clipped */
    int32_t *counted = calloc(nsessions ? nsessions : 1, sizeof(*counted));
    if (!counted) {
        free(sorted);
        free(ivs);
        return BORNE_ERR_NOMEM;
    }
    size_t at = 0;
    for (size_t si = 0; si < nsessions; si++) {
        const borne_credit_session *ss = &sessions[si];
        borne_session_credit *o = &out[si];
        size_t first = at;
        while (at < nscans && sorted[at].session == si) {
            at++;
        }
        o->running = now < ss->end;
        o->scanned = at > first || ss->decision != BORNE_REVIEW_NONE;
        if (walkin && o->scanned) {
            o->anomalies |= BORNE_ANOMALY_WALKIN;
        }
        for (size_t i = first; i < at; i++) {
            if (sorted[i].clock_doubt) {
                o->anomalies |= BORNE_ANOMALY_CLOCK;
            }
            if (sorted[i].time < ss->start - ss->open_before_s ||
                sorted[i].time > ss->end + ss->close_after_s) {
                o->anomalies |= BORNE_ANOMALY_OUTSIDE_WINDOW;
            }
            if (sorted[i].kiosk_saw_no_in) {
                o->anomalies |= BORNE_ANOMALY_EXIT_WITHOUT_ENTRY;
            }
        }
        size_t from = n;
        /* Scans dated after now have not happened yet (a report --now in the past, a clock
         * ahead): flagged above, not paired. */
        size_t upto = first;
        while (upto < at && sorted[upto].time <= now) {
            upto++;
        }
        struct pairing p;
        pair_scans(sorted + first, upto - first, ivs, &n, &p);
        o->first_entry = p.first_entry;
        o->last_exit = p.last_exit;
        if (p.unmatched_exits || p.blind_close) {
            o->anomalies |= BORNE_ANOMALY_EXIT_WITHOUT_ENTRY;
        }
        if (p.open && now < ss->end + ss->close_after_s && ss->decision == BORNE_REVIEW_NONE) {
            /* Still in the room while the door is open: not missing yet, counted until now. */
            ivs[n++] = (struct interval){si, p.open_in, ss->end, p.open_in};
            o->in_room = true;
        } else if (p.open) {
            o->anomalies |= BORNE_ANOMALY_MISSING_EXIT;
            bool counts = ss->decision == BORNE_REVIEW_ACCEPT ||
                          (ss->decision == BORNE_REVIEW_NONE && policy == BORNE_MISSING_EXIT_FULL);
            if (counts) {
                ivs[n++] = (struct interval){si, p.open_in, ss->end, p.open_in};
            } else if (ss->decision == BORNE_REVIEW_NONE && policy == BORNE_MISSING_EXIT_REVIEW) {
                o->withheld = true;
            }
        }
        if (ss->decision == BORNE_REVIEW_REJECT) {
            n = from;
        } else if (ss->decision == BORNE_REVIEW_EDIT) {
            n = from;
            if (ss->edit_exit > ss->edit_entry) {
                ivs[n++] = (struct interval){si, ss->edit_entry, ss->edit_exit, ss->edit_entry};
            }
        }
        /* Clip to the schedule and to now: no minute outside the session, none not yet lived. */
        int64_t hi = now < ss->end ? now : ss->end;
        size_t kept = from;
        for (size_t i = from; i < n; i++) {
            int64_t in = clip(ivs[i].in, ss->start, hi), out_t = clip(ivs[i].out, ss->start, hi);
            counted[si]++;
            if (out_t > in) {
                ivs[kept] = ivs[i];
                ivs[kept].in = in;
                ivs[kept].out = out_t;
                kept++;
            }
        }
        n = kept;
    }
    borne_err err = split_overlaps(ivs, n, out);
    for (size_t si = 0; !err && si < nsessions; si++) {
        borne_session_credit *o = &out[si];
        int64_t scheduled = sessions[si].end - sessions[si].start;
        o->intervals = counted[si];
        o->share_permille = (int32_t)(o->attended_s * 1000 / scheduled);
        o->credit_minutes = o->attended_s > 0 ? rule_credit(&sessions[si].rule, o->attended_s,
                                                            scheduled, o->intervals)
                                              : 0;
    }
    free(counted);
    free(sorted);
    free(ivs);
    return err;
}

static bool parse_int(const char **p, int32_t lo, int32_t hi, int32_t *out)
{
    char *end;
    long v = strtol(*p, &end, 10);
    if (end == *p || v < lo || v > hi) {
        return false;
    }
    *out = (int32_t)v;
    *p = end;
    return true;
}

borne_err borne_credit_rule_parse(const char *text, int32_t credit_minutes, borne_credit_rule *out)
{
    if (!text || credit_minutes < 0 || credit_minutes > 100 * 60) {
        return BORNE_ERR_INVALID;
    }
    borne_credit_rule r = {.credit_minutes = credit_minutes};
    const char *p;
    if (strncmp(text, "threshold:", 10) == 0) {
        r.kind = BORNE_CREDIT_THRESHOLD;
        p = text + 10;
        if (!parse_int(&p, 0, 1000, &r.min_share_permille)) {
            return BORNE_ERR_PARSE;
        }
    } else if (strncmp(text, "proportional:", 13) == 0) {
        r.kind = BORNE_CREDIT_PROPORTIONAL;
        p = text + 13;
        if (!parse_int(&p, 0, 600, &r.step_minutes)) {
            return BORNE_ERR_PARSE;
        }
        if (*p == ':') {
            p++;
            if (!parse_int(&p, 0, 1000, &r.min_share_permille)) {
                return BORNE_ERR_PARSE;
            }
        }
    } else {
        return BORNE_ERR_PARSE;
    }
    if (*p != '\0') {
        return BORNE_ERR_PARSE;
    }
    *out = r;
    return BORNE_OK;
}

void borne_credit_rule_format(const borne_credit_rule *rule, char *out, size_t cap)
{
    if (rule->kind == BORNE_CREDIT_THRESHOLD) {
        snprintf(out, cap, "threshold:%d", (int)rule->min_share_permille);
    } else if (rule->min_share_permille) {
        snprintf(out, cap, "proportional:%d:%d", (int)rule->step_minutes,
                 (int)rule->min_share_permille);
    } else {
        snprintf(out, cap, "proportional:%d", (int)rule->step_minutes);
    }
}
