/* The check-in rules: given what is known about a scan, decide one outcome.
 *
 * Pure: no I/O, no clock, no globals. The caller (kiosk, bornectl, tests) gathers the facts —
 * token verification, roster lookup, the kiosk's session and mode, prior check-ins, the previous
 * scan of the same code — and the rules answer what to show and whether to record. The rules
 * are written down for people in docs/rules.md; keep both in step. */
#ifndef BORNE_CORE_RULES_H
#define BORNE_CORE_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/token.h"

typedef enum borne_direction {
    BORNE_ENTRY = 0,
    BORNE_EXIT = 1,
} borne_direction;

typedef enum borne_reg_status {
    BORNE_REG_NONE = 0, /* not registered to the event at all */
    BORNE_REG_CONFIRMED = 1,
    BORNE_REG_CANCELLED = 2,
    BORNE_REG_NEEDS_ATTENTION = 3, /* e.g. unpaid, missing information: see the desk */
} borne_reg_status;

/* Outcomes. Append only: the numbers are stored with every check-in. */
typedef enum borne_outcome {
    BORNE_OUTCOME_ACCEPTED_ENTRY = 0,
    BORNE_OUTCOME_ACCEPTED_EXIT = 1,
    BORNE_OUTCOME_EXIT_WITHOUT_ENTRY = 2, /* exit recorded, but no entry was: see the desk */
    BORNE_OUTCOME_ALREADY_IN = 3,         /* entry while already in: nothing new recorded */
    BORNE_OUTCOME_ALREADY_OUT = 4,        /* exit while already out: nothing new recorded */
    BORNE_OUTCOME_REPEAT_SCAN = 5,        /* same code again within seconds: the same scan */
    BORNE_OUTCOME_NOT_REGISTERED = 6,     /* not registered for this session (or event) */
    BORNE_OUTCOME_WRONG_EVENT = 7,
    BORNE_OUTCOME_REVOKED = 8,
    BORNE_OUTCOME_INVALID_CODE = 9,      /* forged, altered, damaged, unknown key */
    BORNE_OUTCOME_UNKNOWN_CODE = 10,     /* not a signed token and not in the roster */
    BORNE_OUTCOME_EXPIRED = 11,          /* genuine but outside its validity window */
    BORNE_OUTCOME_SESSION_NOT_OPEN = 12, /* too early for this session */
    BORNE_OUTCOME_SESSION_OVER = 13,
    BORNE_OUTCOME_SEE_DESK = 14,  /* registration needs attention */
    BORNE_OUTCOME_CANCELLED = 15, /* registration cancelled */
    BORNE_OUTCOME_STAFF = 16,     /* a staff code: open staff mode, record nothing */
    /* Numbers above are stored and synced: new outcomes go here, at the end. */
    BORNE_OUTCOME_ADMITTED_BY_STAFF = 17, /* an entry staff allowed although the rules refused
                                           * it (not registered, registration to check or
                                           * cancelled); the reason is in staff_id. Counts as an
                                           * accepted entry. */
    BORNE_OUTCOME__COUNT
} borne_outcome;

/* The session a kiosk is checking in for; absent for a whole-event door. */
typedef struct borne_session_window {
    int64_t start; /* Unix seconds */
    int64_t end;
    int32_t open_before_s;      /* entries accepted this long before start (default 30 min) */
    int32_t close_after_s;      /* exits accepted this long after end (default 30 min) */
    bool requires_registration; /* false: an atelier open to every event participant */
} borne_session_window;

typedef struct borne_scan_facts {
    /* The code. */
    bool signed_code;                /* the text had the signed-token prefix */
    borne_token_status token_status; /* for signed codes */
    bool staff_code;                 /* signed with the staff flag */
    bool found_in_roster;            /* the participant (or opaque code) is in the roster */
    bool revoked;                    /* the code (or participant) is revoked */
    borne_reg_status registration;   /* event registration, when found_in_roster */
    bool registered_for_session;     /* when found_in_roster and a session is set */

    /* The kiosk. */
    bool has_session;
    borne_session_window session;
    borne_direction mode;

    /* History of this participant for this session (or the event). */
    bool in_room;  /* last accepted scan is an entry */
    bool has_exit; /* last accepted scan is an exit */

    /* The previous scan of the exact same code at this kiosk, if any. */
    bool has_previous;
    int64_t previous_mono_ms;
    int32_t rescan_window_ms; /* a scan within this of the previous one is the same scan */

    /* Now. */
    int64_t now; /* Unix seconds */
    int64_t now_mono_ms;
    bool clock_trusted; /* false: time windows are not enforced (see docs/rules.md) */
} borne_scan_facts;

typedef struct borne_decision {
    borne_outcome outcome;
    bool record;   /* store a check-in row with this outcome (accepted or refused) */
    bool accepted; /* the participant may go in (or out) */
} borne_decision;

borne_decision borne_rules_decide(const borne_scan_facts *facts);

/* Machine-readable outcome word ("accepted-entry", "already-in", ...); never NULL. */
const char *borne_outcome_name(borne_outcome outcome);

/* True for outcomes that let the participant through (entry, exit, already in/out). */
bool borne_outcome_is_positive(borne_outcome outcome);

#endif
