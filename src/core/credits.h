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

#endif
