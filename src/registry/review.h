/* The registrar's review and the official credits of an event (docs/credits.md).
 *
 * DESIGN: the credits of an event are computed in one place, borne_credits_load: every live
 * participant's accepted scans, the event's missing-exit policy and the registrar's latest
 * decisions go through core/credits.h (borne_credits_participant), one participant at a time,
 * at a given `now`. The review queue is the rows whose credit rests on an assumption
 * (anomalies); the exports (excel, csv, json) and the attestations read the same table. A
 * decision is a row of review_decision (never updated: the latest for a participant and session
 * stands), holding who, when, why, and the credit before and after. */
#ifndef BORNE_REGISTRY_REVIEW_H
#define BORNE_REGISTRY_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/credits.h"
#include "core/error.h"
#include "store/report.h"
#include "store/store.h"

struct borne_regdb;
struct json_t;

/* One participant in one session she scanned at (or that a registrar decided on). */
typedef struct borne_credit_row {
    uint32_t participant_id;
    const char *name; /* owned by the table */
    bool walkin;
    const borne_session *session; /* in the table's sessions */
    borne_session_credit credit;
    /* The latest decision (decision NONE: none). */
    borne_review_decision decision;
    int64_t decision_id, decided_ms, edit_entry, edit_exit;
    const char *decided_by; /* owned by the table; "" without a decision */
    const char *reason;
} borne_credit_row;

/* A participant's total: credited minutes summed, rounded once (core/hours.h). */
typedef struct borne_credit_total {
    uint32_t participant_id;
    size_t first_row, rows; /* her rows in the table, consecutive */
    int64_t credit_minutes;
    int64_t attended_s;
    int32_t pending; /* rows with an anomaly and no decision */
} borne_credit_total;

typedef struct borne_credits_table {
    borne_event event;
    borne_missing_exit policy;
    int64_t now; /* Unix seconds: nothing after it is credited */
    borne_session *sessions;
    size_t nsessions;
    borne_credit_row *rows; /* by participant name, then id, then session start */
    size_t count;
    borne_credit_total *totals; /* one per participant with a row, same order */
    size_t ntotals;
    int64_t credit_minutes;   /* the event's total */
    borne_report_skips skips; /* accepted check-ins left out (as the credits CSV counts them) */
    void *people, *decisions; /* what the rows' names and reasons point into */
} borne_credits_table;

/* Computes the credits of an event at `now` (Unix seconds). BORNE_ERR_NOT_FOUND: no event. */
borne_err borne_credits_load(struct borne_regdb *db, uint32_t event_id, int64_t now,
                             borne_credits_table *out);
/* The same for one participant only (her rows and total; the event's total is hers). Her
 * decisions apply; the overlap split only ever involves her own sessions, so her rows are the
 * ones of the whole table. */
borne_err borne_credits_load_participant(struct borne_regdb *db, uint32_t event_id,
                                         uint32_t participant_id, int64_t now,
                                         borne_credits_table *out);
void borne_credits_table_free(borne_credits_table *t);

/* The rows of one participant and session (NULL when she has none). */
const borne_credit_row *borne_credits_find(const borne_credits_table *t, uint32_t participant_id,
                                           uint32_t session_id);

typedef enum borne_credits_format {
    BORNE_CREDITS_CSV = 0,   /* machines: ',' and '.', LF (the format before, columns added) */
    BORNE_CREDITS_EXCEL = 1, /* French Excel: BOM, ';', decimal comma, CRLF, totals */
    BORNE_CREDITS_JSON = 2,  /* the members' portal (docs/formats.md) */
} borne_credits_format;

/* "csv", "excel", "json"; BORNE_ERR_PARSE otherwise. */
borne_err borne_credits_format_parse(const char *text, borne_credits_format *out);

borne_err borne_credits_write(const borne_credits_table *t, borne_credits_format format, FILE *out);

/* ---- the review queue ---- */

/* A row needs review when it has an anomaly; it is pending while undecided. */
bool borne_credit_row_in_review(const borne_credit_row *r);

/* The participant's timeline in the event, as a JSON array of her scans in time order
 * ({"time", "session_id", "session_code", "direction", "outcome", "kiosk", "clock_trusted",
 * "corrected"}), new reference in *out. */
borne_err borne_review_timeline(struct borne_regdb *db, uint32_t event_id, uint32_t participant_id,
                                struct json_t **out);

/* Writes the review queue of an event at `now`: text for people, or JSON (docs/credits.md). */
borne_err borne_review_write(struct borne_regdb *db, uint32_t event_id, int64_t now, bool json,
                             FILE *out);

typedef struct borne_review_request {
    uint32_t session_id;
    uint32_t participant_id;
    borne_review_decision decision;
    int64_t entry, exit; /* EDIT: Unix seconds, exit > entry */
    const char *reason;  /* required for EDIT and REJECT */
    const char *by;      /* required */
} borne_review_request;

/* Parses a review ID, "SESSION-PARTICIPANT" (as the queue prints it). */
borne_err borne_review_id_parse(const char *text, uint32_t *session_id, uint32_t *participant_id);

/* Records a decision at `now` (Unix seconds), with the credit before and after, and returns
 * its row id. BORNE_ERR_NOT_FOUND: no such session, or the participant is not in its event;
 * BORNE_ERR_INVALID: a reason or name missing, or edit times out of order (*why in words). */
borne_err borne_review_decide(struct borne_regdb *db, const borne_review_request *req, int64_t now,
                              int64_t *decision_id, const char **why);

/* The event's missing-exit policy. */
borne_err borne_review_get_policy(struct borne_regdb *db, uint32_t event_id,
                                  borne_missing_exit *out);
/* The event file's optional "missing_exit" (docs/formats.md), read apart from the kiosk's
 * importer (kiosks do not keep it). Absent, or not a JSON object: *set false and BORNE_OK (the
 * importer judges the rest of the file). BORNE_ERR_PARSE for a value other than the three. */
borne_err borne_review_event_policy(const char *json, size_t len, bool *set,
                                    borne_missing_exit *out);
borne_err borne_review_set_policy(struct borne_regdb *db, uint32_t event_id,
                                  borne_missing_exit policy);

/* The body named on the event's attestations as their issuer (docs/attestations.md). *out is
 * "" when the event has none of its own (the default applies); BORNE_ERR_NOT_FOUND: no event. */
borne_err borne_review_get_issuer(struct borne_regdb *db, uint32_t event_id, char *out, size_t cap);
/* Sets it; NULL or "" goes back to the default. BORNE_ERR_INVALID: longer than
 * BORNE_ISSUER_MAX bytes, not UTF-8, or holding a control character. */
#define BORNE_ISSUER_MAX 200
borne_err borne_review_set_issuer(struct borne_regdb *db, uint32_t event_id, const char *issuer);
/* The event file's optional "issuer" (as borne_review_event_policy): *set false when absent;
 * BORNE_ERR_PARSE for a value that is not a string borne_review_set_issuer accepts. */
borne_err borne_review_event_issuer(const char *json, size_t len, bool *set, char *out, size_t cap);

#endif
