/* Exports and reports from the store, as CSV (UTF-8, comma, CRLF, formula-safe).
 *
 * The credits report pairs each participant's accepted entries and exits per session with the
 * same code the kiosk uses at exit (core/credits.h), so the door and the registry agree. */
#ifndef BORNE_STORE_REPORT_H
#define BORNE_STORE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

/* Every check-in of the event, oldest first: uuid, kiosk, participant, session, direction,
 * method, outcome, time (UTC), time as recorded, clock trusted, synced. */
borne_err borne_report_checkins_csv(struct borne_store *store, const borne_event *event, FILE *out);

/* One line per participant and session with at least one accepted scan: participant id, name,
 * session id, code, title, minutes attended, credit hours, and a note (exit never scanned,
 * exit without entry). `now` closes entries of sessions still running (INT64_MAX: final). */
borne_err borne_report_credits_csv(struct borne_store *store, const borne_event *event, int64_t now,
                                   FILE *out);

/* Accepted check-ins a credits report left out because they cannot earn credit. The report is
 * still complete for everything else: a row the store should not hold never stops it. */
typedef struct borne_report_skips {
    int64_t unknown_session; /* their session is not in the store (deleted since the scan) */
    /* Counted by the registry's copy of its data (registry/regdb.c), not by the report: */
    int64_t unknown_participant; /* not (or no longer) in the registry's roster */
    int64_t future;              /* dated more than a day after their arrival */
    int64_t unreadable;          /* not a check-in at all (a bad UUID or direction) */
} borne_report_skips;

/* borne_report_credits_csv, counting what it left out into *skips (added to; may be NULL). */
borne_err borne_report_credits_csv_skips(struct borne_store *store, const borne_event *event,
                                         int64_t now, FILE *out, borne_report_skips *skips);

/* "N check-ins left out (...)" in words for a warning, or "" when none (out[cap]). */
void borne_report_skips_words(const borne_report_skips *skips, char *out, size_t cap);

#endif
