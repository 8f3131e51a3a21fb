/* The check-in rules (see docs/rules.md for the same rules in words).
 *
 * Order matters and is part of the contract:
 *   1. the same code again within the rescan window is the same scan;
 *   2. the code itself (damaged, forged, unknown, other event, expired);
 *   3. revocation, then staff codes (a revoked staff badge opens nothing);
 *   4. the registration (event, then session);
 *   5. the session's time window (only with a trusted clock);
 *   6. the direction against the participant's history. */
#include "core/rules.h"

#include <stddef.h>

const char *borne_outcome_name(borne_outcome outcome)
{
    static const char *const names[BORNE_OUTCOME__COUNT] = {
        [BORNE_OUTCOME_ACCEPTED_ENTRY] = "accepted-entry",
        [BORNE_OUTCOME_ACCEPTED_EXIT] = "accepted-exit",
        [BORNE_OUTCOME_EXIT_WITHOUT_ENTRY] = "exit-without-entry",
        [BORNE_OUTCOME_ALREADY_IN] = "already-in",
        [BORNE_OUTCOME_ALREADY_OUT] = "already-out",
        [BORNE_OUTCOME_REPEAT_SCAN] = "repeat-scan",
        [BORNE_OUTCOME_NOT_REGISTERED] = "not-registered",
        [BORNE_OUTCOME_WRONG_EVENT] = "wrong-event",
        [BORNE_OUTCOME_REVOKED] = "revoked",
        [BORNE_OUTCOME_INVALID_CODE] = "invalid-code",
        [BORNE_OUTCOME_UNKNOWN_CODE] = "unknown-code",
        [BORNE_OUTCOME_EXPIRED] = "expired",
        [BORNE_OUTCOME_SESSION_NOT_OPEN] = "session-not-open",
        [BORNE_OUTCOME_SESSION_OVER] = "session-over",
        [BORNE_OUTCOME_SEE_DESK] = "see-desk",
        [BORNE_OUTCOME_CANCELLED] = "cancelled",
        [BORNE_OUTCOME_STAFF] = "staff",
        [BORNE_OUTCOME_ADMITTED_BY_STAFF] = "admitted-by-staff",
    };
    if ((unsigned)outcome >= BORNE_OUTCOME__COUNT) {
        return "unknown";
    }
    return names[outcome];
}

bool borne_outcome_is_positive(borne_outcome outcome)
{
    switch (outcome) {
    case BORNE_OUTCOME_ACCEPTED_ENTRY:
    case BORNE_OUTCOME_ACCEPTED_EXIT:
    case BORNE_OUTCOME_EXIT_WITHOUT_ENTRY:
    case BORNE_OUTCOME_ALREADY_IN:
    case BORNE_OUTCOME_ALREADY_OUT:
    case BORNE_OUTCOME_ADMITTED_BY_STAFF:
        return true;
    default:
        return false;
    }
}

static borne_decision refuse(borne_outcome outcome)
{
    return (borne_decision){.outcome = outcome, .record = true, .accepted = false};
}

/* Whether the code itself is refused, and why. */
static bool code_refused(const borne_scan_facts *f, borne_outcome *why)
{
    if (!f->signed_code) {
        *why = BORNE_OUTCOME_UNKNOWN_CODE;
        return !f->found_in_roster;
    }
    switch (f->token_status) {
    case BORNE_TOKEN_OK:
        return false;
    case BORNE_TOKEN_WRONG_EVENT:
        *why = BORNE_OUTCOME_WRONG_EVENT;
        return true;
    case BORNE_TOKEN_NOT_YET_VALID:
    case BORNE_TOKEN_EXPIRED:
        *why = BORNE_OUTCOME_EXPIRED;
        return true;
    default:
        *why = BORNE_OUTCOME_INVALID_CODE;
        return true;
    }
}

borne_decision borne_rules_decide(const borne_scan_facts *f)
{
    /* 1. The same scan: the code is still in front of the camera, or scanned twice in a row. */
    if (f->has_previous && f->now_mono_ms >= f->previous_mono_ms &&
        f->now_mono_ms - f->previous_mono_ms < f->rescan_window_ms) {
        return (borne_decision){.outcome = BORNE_OUTCOME_REPEAT_SCAN};
    }

    /* 2. The code. */
    borne_outcome why;
    if (code_refused(f, &why)) {
        return refuse(why);
    }

    /* 3. Revocation (a lost badge, a replaced code), staff badges included. */
    if (f->revoked) {
        return refuse(BORNE_OUTCOME_REVOKED);
    }
    if (f->staff_code) {
        return (borne_decision){.outcome = BORNE_OUTCOME_STAFF};
    }

    /* 4. Registration. A genuine signed token proves registration to the event even when the
     *    participant is missing from this kiosk's roster (roster not pulled yet). */
    if (f->found_in_roster) {
        switch (f->registration) {
        case BORNE_REG_NONE:
            return refuse(BORNE_OUTCOME_NOT_REGISTERED);
        case BORNE_REG_CANCELLED:
            return refuse(BORNE_OUTCOME_CANCELLED);
        case BORNE_REG_NEEDS_ATTENTION:
            return refuse(BORNE_OUTCOME_SEE_DESK);
        case BORNE_REG_CONFIRMED:
            break;
        }
        if (f->has_session && f->session.requires_registration && !f->registered_for_session) {
            return refuse(BORNE_OUTCOME_NOT_REGISTERED);
        }
    }

    /* 5. The session's window, only when the clock can be believed. */
    if (f->has_session && f->clock_trusted) {
        const borne_session_window *s = &f->session;
        if (f->now < s->start - s->open_before_s) {
            return refuse(BORNE_OUTCOME_SESSION_NOT_OPEN);
        }
        if (f->mode == BORNE_ENTRY && f->now >= s->end) {
            return refuse(BORNE_OUTCOME_SESSION_OVER);
        }
        if (f->mode == BORNE_EXIT && f->now > s->end + s->close_after_s) {
            return refuse(BORNE_OUTCOME_SESSION_OVER);
        }
    }

    /* 6. Direction against history. */
    if (f->mode == BORNE_ENTRY) {
        if (f->in_room) {
            return (borne_decision){.outcome = BORNE_OUTCOME_ALREADY_IN, .accepted = true};
        }
        return (borne_decision){
            .outcome = BORNE_OUTCOME_ACCEPTED_ENTRY, .record = true, .accepted = true};
    }
    if (f->in_room) {
        return (borne_decision){
            .outcome = BORNE_OUTCOME_ACCEPTED_EXIT, .record = true, .accepted = true};
    }
    if (f->has_exit) {
        return (borne_decision){.outcome = BORNE_OUTCOME_ALREADY_OUT, .accepted = true};
    }
    return (borne_decision){
        .outcome = BORNE_OUTCOME_EXIT_WITHOUT_ENTRY, .record = true, .accepted = true};
}
