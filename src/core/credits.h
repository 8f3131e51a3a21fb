/* Attendance and credit hours for one participant in one session.
 *
 * Pure: the same code gives the kiosk its tally at exit and the registry its official report.
 * The rule is written for people in docs/credits.md.
 *
 * Scans (accepted entries and exits, from any number of kiosks) are paired in time order:
 * consecutive entries count from the first, consecutive exits until the last; an entry still open
 * is closed at the session's end (or at `now` while the session runs); an exit with no entry
 * before it counts nothing. Presence is clipped to the scheduled [start, end). */
#ifndef BORNE_CORE_CREDITS_H
#define BORNE_CORE_CREDITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/rules.h"

typedef enum borne_credit_kind {
    BORNE_CREDIT_THRESHOLD = 0,    /* full credit at >= min share of the session, none below */
    BORNE_CREDIT_PROPORTIONAL = 1, /* credit in proportion, rounded down to a step */
} borne_credit_kind;

typedef struct borne_credit_rule {
    borne_credit_kind kind;
    int32_t credit_minutes;     /* credit for the whole session, e.g. 90 for 1.5 h */
    int32_t min_share_permille; /* threshold: e.g. 800 (80 %); proportional: 0 or a floor */
    int32_t step_minutes;       /* proportional: round down to this (e.g. 15); 0 or 1 = none */
} borne_credit_rule;

typedef struct borne_scan_event {
    int64_t time; /* Unix seconds */
    borne_direction direction;
} borne_scan_event;

typedef struct borne_attendance {
    int64_t attended_s;      /* inside the scheduled window */
    int32_t credit_minutes;  /* credit earned under the rule */
    int32_t share_permille;  /* attended / scheduled */
    int32_t intervals;       /* presence intervals found */
    bool closed_at_end;      /* an entry was still open and was closed by the session's end */
    int32_t unmatched_exits; /* exits with no entry before them */
} borne_attendance;

/* The default rule text: "threshold:800" — full credit from 80 % of the session. */
#define BORNE_CREDIT_DEFAULT_PERMILLE 800

/* Computes attendance. `scans` need not be sorted (they are copied and sorted). `now` closes an
 * open entry while the session is still running; pass INT64_MAX for a final report.
 * BORNE_ERR_INVALID for end <= start or a bad rule. */
borne_err borne_credits_compute(int64_t start, int64_t end, const borne_credit_rule *rule,
                                const borne_scan_event *scans, size_t count, int64_t now,
                                borne_attendance *out);

/* Parses a rule written as "threshold:800" or "proportional:15" or "proportional:15:500"
 * (step minutes, optional floor permille) with the given credit minutes. */
borne_err borne_credit_rule_parse(const char *text, int32_t credit_minutes, borne_credit_rule *out);

/* Writes the rule back in the same text form. */
void borne_credit_rule_format(const borne_credit_rule *rule, char *out, size_t cap);

/* ---- The registry's computation: a participant's whole event ----
 *
 * docs/credits.md ("Missing exit", "Overlapping sessions", "Anomalies"). One participant, every
 * session of the event at once, so that minutes spent in two rooms at the same time are counted
 * once, under a policy for an entry never closed and a registrar's decisions. */

/* What an entry never closed earns (the event's `missing_exit` setting). */
typedef enum borne_missing_exit {
    BORNE_MISSING_EXIT_REVIEW = 0, /* nothing until a registrar decides (the default) */
    BORNE_MISSING_EXIT_FULL = 1,   /* counted until the session's end (the rule before v5) */
    BORNE_MISSING_EXIT_NONE = 2,   /* nothing */
} borne_missing_exit;

/* "review", "full", "none"; NULL for an unknown value. */
const char *borne_missing_exit_name(borne_missing_exit policy);
/* BORNE_ERR_PARSE for anything but the three names. */
borne_err borne_missing_exit_parse(const char *text, borne_missing_exit *out);

/* Why a credit rests on an assumption: bits of borne_session_credit.anomalies. */
enum {
    BORNE_ANOMALY_MISSING_EXIT = 1 << 0,       /* an entry never closed by an exit */
    BORNE_ANOMALY_EXIT_WITHOUT_ENTRY = 1 << 1, /* an exit no entry explains, or recorded by a
                                                  kiosk that had not seen the entry */
    BORNE_ANOMALY_OVERLAP = 1 << 2,            /* present in another session at the same time */
    BORNE_ANOMALY_CLOCK = 1 << 3,              /* a scan dated by an untrusted or corrected clock */
    BORNE_ANOMALY_WALKIN = 1 << 4,             /* a walk-in registered at the door, not matched */
    BORNE_ANOMALY_OUTSIDE_WINDOW = 1 << 5,     /* a scan before the door opens or after it closes */
};
#define BORNE_ANOMALY_KINDS 6

/* The machine name of anomaly bit `i` (0..BORNE_ANOMALY_KINDS-1): "missing-exit",
 * "exit-without-entry", "overlap", "clock", "walk-in", "outside-window". */
const char *borne_anomaly_name(int i);
/* Its French label, for people: « sortie non scannée »... */
const char *borne_anomaly_label_fr(int i);
/* Writes the names of the bits set, separated by `sep` ("" when none). */
void borne_anomaly_words(uint32_t anomalies, bool french, const char *sep, char *out, size_t cap);

/* A registrar's decision on one participant's session (docs/credits.md, "Decisions"). */
typedef enum borne_review_decision {
    BORNE_REVIEW_NONE = 0,
    BORNE_REVIEW_ACCEPT = 1, /* the assumption holds: a missing exit counts until the end */
    BORNE_REVIEW_REJECT = 2, /* no credit for this session */
    BORNE_REVIEW_EDIT = 3,   /* presence is [entry, exit), as the registrar wrote it */
} borne_review_decision;

const char *
borne_review_decision_name(borne_review_decision d); /* "", "accept", "reject", "edit" */

typedef struct borne_credit_session {
    int64_t start, end;                   /* scheduled, Unix seconds */
    int32_t open_before_s, close_after_s; /* the door's window around [start, end) */
    borne_credit_rule rule;
    borne_review_decision decision;
    int64_t edit_entry, edit_exit; /* BORNE_REVIEW_EDIT */
} borne_credit_session;

typedef struct borne_credit_scan {
    size_t session; /* index in the sessions array */
    int64_t time;   /* Unix seconds */
    borne_direction direction;
    bool clock_doubt;     /* the kiosk's clock was untrusted, or the time was corrected */
    bool kiosk_saw_no_in; /* recorded as exit-without-entry by its kiosk */
} borne_credit_scan;

typedef struct borne_session_credit {
    bool scanned;           /* at least one scan, or a decision */
    uint32_t anomalies;     /* BORNE_ANOMALY_* */
    int64_t attended_s;     /* counted, after clipping and the overlap split */
    int64_t overlap_lost_s; /* time given to another session attended at the same time */
    int32_t share_permille; /* attended / scheduled */
    int32_t credit_minutes; /* under the rule, the policy and the decision */
    int32_t intervals;      /* presence intervals counted */
    int64_t first_entry;    /* first scan of an entry (0: none) */
    int64_t last_exit;      /* last scan of an exit (0: none) */
    bool withheld;          /* missing exit, policy review, no decision yet: 0 for now */
    bool running;           /* `now` is before the session's end: not final */
    bool in_room;           /* an entry open while the door is still open: counted until now */
} borne_session_credit;

/* Computes one participant's credit in every session. `out` has `nsessions` elements. Scans
 * need not be sorted. `walkin`: the participant was registered at the door. `now` clips every
 * interval (no minute after now is credited): pass the report's time. BORNE_ERR_INVALID for a
 * session with end <= start, a bad rule or a scan naming no session. */
borne_err borne_credits_participant(const borne_credit_session *sessions, size_t nsessions,
                                    const borne_credit_scan *scans, size_t nscans,
                                    borne_missing_exit policy, bool walkin, int64_t now,
                                    borne_session_credit *out);

#endif
