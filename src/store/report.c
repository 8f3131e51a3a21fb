/* CSV exports and the credits report (see report.h). */
#define LOG_MODULE "report"
#include "store/report.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/credits.h"
#include "core/csv.h"
#include "core/hours.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "store/sqlutil.h"

static const char *const method_names[] = {"camera", "scanner", "manual", "walk-in", "cli"};

struct export_ctx {
    struct borne_csv_writer *w;
    borne_err err;
};

static void put(struct export_ctx *x, const char *s)
{
    if (!x->err) {
        x->err = borne_csv_write_str(x->w, s);
    }
}

static void put_u(struct export_ctx *x, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
    put(x, buf);
}

static void end_row(struct export_ctx *x)
{
    if (!x->err) {
        x->err = borne_csv_end_record(x->w);
    }
}

static void export_row(void *ctx, const borne_checkin_row *c)
{
    struct export_ctx *x = ctx;
    char t[40], t0[40];
    borne_time_format_utc(c->time.wall_ms / 1000, t, sizeof(t));
    borne_time_format_utc(c->wall_recorded_ms / 1000, t0, sizeof(t0));
    put(x, c->uuid);
    put(x, c->kiosk_id);
    put_u(x, c->participant_id);
    put_u(x, c->session_id);
    put(x, c->direction == BORNE_ENTRY ? "entry" : "exit");
    put(x, (unsigned)c->method < 5 ? method_names[c->method] : "?");
    put(x, borne_outcome_name(c->outcome));
    put(x, t);
    put(x, t0);
    put(x, c->time.trusted ? "yes" : "no");
    put(x, c->synced ? "yes" : "no");
    end_row(x);
}

borne_err borne_report_checkins_csv(struct borne_store *store, const borne_event *event, FILE *out)
{
    struct export_ctx x = {0};
    borne_err err = borne_csv_writer_new_file(&x.w, out, ',', 0);
    if (err) {
        return err;
    }
    static const char *const header[] = {
        "uuid",    "kiosk",    "participant_id",    "session_id",    "direction", "method",
        "outcome", "time_utc", "time_recorded_utc", "clock_trusted", "synced"};
    for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++) {
        put(&x, header[i]);
    }
    end_row(&x);
    err = borne_store_each_checkin(store, event->id, export_row, &x);
    borne_csv_writer_free(x.w);
    return err ? err : x.err;
}

/* One participant's scans in one session, gathered from consecutive query rows. */
struct group {
    uint32_t participant;
    uint32_t session;
    char name[BORNE_NAME_MAX];
    borne_scan_event *scans;
    size_t count, cap;
};

/* One participant's rows written so far: their total is summed from seconds and minutes and
 * rounded once, when it is written (docs/credits.md, "Totals"). */
struct person_total {
    uint32_t participant;
    char name[BORNE_NAME_MAX];
    size_t rows;
    int64_t attended_s;
    int64_t credit_minutes;
};

/* The "Total — NAME" row after a participant's rows, then starts over. */
static void flush_total(struct export_ctx *x, struct person_total *t)
{
    if (!t->rows) {
        return;
    }
    char label[BORNE_NAME_MAX + 16], hours[32];
    snprintf(label, sizeof(label), "Total — %s", t->name);
    borne_hours_format(t->credit_minutes, '.', hours, sizeof(hours));
    put_u(x, t->participant);
    put(x, label);
    put(x, "");
    put(x, "");
    put(x, "");
    put_u(x, (uint64_t)(t->attended_s / 60));
    put(x, hours);
    put(x, "");
    put_u(x, (uint64_t)t->credit_minutes);
    end_row(x);
    t->rows = 0;
    t->attended_s = 0;
    t->credit_minutes = 0;
}

static borne_err flush_group(struct borne_store *store, struct export_ctx *x, struct group *g,
                             struct person_total *t, int64_t now, borne_report_skips *skips)
{
    if (!g->count) {
        return BORNE_OK;
    }
    borne_session s;
    borne_err err = borne_store_get_session(store, g->session, &s);
    if (err == BORNE_ERR_NOT_FOUND) {
        /* A session deleted since the scan (or never pulled): nothing to credit it against. */
        skips->unknown_session += (int64_t)g->count;
        g->count = 0;
        return BORNE_OK;
    }
    if (err) {
        return err;
    }
    borne_attendance a;
    err = borne_credits_compute(s.starts, s.ends, &s.rule, g->scans, g->count, now, &a);
    if (err) {
        return err;
    }
    if (t->rows && t->participant != g->participant) {
        flush_total(x, t);
    }
    if (!t->rows) {
        t->participant = g->participant;
        snprintf(t->name, sizeof(t->name), "%s", g->name);
    }
    t->rows++;
    t->attended_s += a.attended_s;
    t->credit_minutes += a.credit_minutes;
    char hours[32];
    borne_hours_format(a.credit_minutes, '.', hours, sizeof(hours));
    put_u(x, g->participant);
    put(x, g->name);
    put_u(x, s.id);
    put(x, s.code);
    put(x, s.title);
    put_u(x, (uint64_t)(a.attended_s / 60));
    put(x, hours);
    const char *note = a.intervals == 0 && a.unmatched_exits ? "exit without entry"
                       : a.closed_at_end                     ? "exit not scanned"
                                                             : "";
    put(x, note);
    put_u(x, (uint64_t)a.credit_minutes);
    end_row(x);
    g->count = 0;
    return x->err;
}

void borne_report_skips_words(const borne_report_skips *k, char *out, size_t cap)
{
    int64_t total = k->unknown_session + k->unknown_participant + k->future;
    int n = 0;
    out[0] = '\0';
    if (total) {
        n = snprintf(out, cap,
                     "%lld accepted check-ins left out, earning no credit (%lld of a session the "
                     "event does not have, %lld of a participant not in the roster, %lld dated "
                     "after their arrival)",
                     (long long)total, (long long)k->unknown_session,
                     (long long)k->unknown_participant, (long long)k->future);
    }
    if (k->unreadable && n >= 0 && (size_t)n < cap) {
        snprintf(out + n, cap - (size_t)n, "%s%lld rows that are not check-ins left out",
                 n ? "; " : "", (long long)k->unreadable);
    }
}

borne_err borne_report_credits_csv(struct borne_store *store, const borne_event *event, int64_t now,
                                   FILE *out)
{
    return borne_report_credits_csv_skips(store, event, now, out, NULL);
}

borne_err borne_report_credits_csv_skips(struct borne_store *store, const borne_event *event,
                                         int64_t now, FILE *out, borne_report_skips *skips)
{
    borne_report_skips ignored = {0};
    if (!skips) {
        skips = &ignored;
    }
    struct export_ctx x = {0};
    borne_err err = borne_csv_writer_new_file(&x.w, out, ',', 0);
    if (err) {
        return err;
    }
    static const char *const header[] = {"participant_id", "name",    "session_id",
                                         "session_code",   "session", "minutes_attended",
                                         "credit_hours",   "note",    "credit_minutes"};
    for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++) {
        put(&x, header[i]);
    }
    end_row(&x);
    const borne_sqldb *c = borne_store_sql(store);
    sqlite3_stmt *st = NULL;
    err = borne_sql_prepare_once(
        c,
        "SELECT c.participant_id, c.session_id, c.wall_ms, c.direction,"
        " coalesce(p.display_name, '') FROM checkin c"
        " LEFT JOIN participant p ON p.event_id = c.event_id"
        "  AND p.participant_id = c.participant_id"
        " WHERE c.event_id = ?1 AND c.session_id IS NOT NULL AND c.participant_id IS NOT NULL"
        "  AND c.outcome IN (0, 1, 2, 17)" /* accepted, and admitted by staff */
        " ORDER BY p.display_name COLLATE BORNE_NAME, c.participant_id, c.session_id, c.wall_ms",
        &st);
    if (err) {
        borne_csv_writer_free(x.w);
        return err;
    }
    sqlite3_bind_int64(st, 1, event->id);
    struct group g = {0};
    struct person_total t = {0};
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t pid = (uint32_t)sqlite3_column_int64(st, 0);
        uint32_t sid = (uint32_t)sqlite3_column_int64(st, 1);
        if (g.count && (pid != g.participant || sid != g.session)) {
            err = flush_group(store, &x, &g, &t, now, skips);
        }
        if (g.count == g.cap) {
            size_t cap = g.cap ? g.cap * 2 : 8;
            borne_scan_event *grown = realloc(g.scans, cap * sizeof(*grown));
            if (!grown) {
                err = BORNE_ERR_NOMEM;
                break;
            }
            g.scans = grown;
            g.cap = cap;
        }
        g.participant = pid;
        g.session = sid;
        snprintf(g.name, sizeof(g.name), "%s", (const char *)sqlite3_column_text(st, 4));
        g.scans[g.count].time = sqlite3_column_int64(st, 2) / 1000;
        g.scans[g.count].direction = (borne_direction)sqlite3_column_int(st, 3);
        g.count++;
    }
    if (!err && rc != SQLITE_DONE) {
        err = borne_sql_error(c, rc, "credits report");
    }
    sqlite3_finalize(st);
    if (!err) {
        err = flush_group(store, &x, &g, &t, now, skips);
    }
    if (!err) {
        flush_total(&x, &t);
    }
    free(g.scans);
    borne_csv_writer_free(x.w);
    return err ? err : x.err;
}
