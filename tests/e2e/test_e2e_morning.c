/* A morning of a colloque, end to end (issue 13): the real borne-registry on 127.0.0.1 and two
 * real kiosk stores (store, check-in path and sync library, each with its own fake clock),
 * provisioned with setup codes, scanning the registry's signed badge codes at scripted times:
 *
 *   A1  09:00-10:30  Salle A  1.5 h   threshold:800      (kiosk A, the door of room A)
 *   B1  09:00-10:30  Salle B  1.5 h   proportional:15    (kiosk B, the door of room B)
 *   A2  10:45-12:00  Salle A  1.25 h  proportional:15    (kiosk A)
 *
 * Hélène: a normal in/out in A1 and A2. Jean: an exit never scanned (policy "review": no credit
 * until a registrar accepts it). Marie-Ève: a stray exit at kiosk B before her entry. Luc: in A1,
 * then B1 for half an hour, then back (parallel sessions: never more than the wall clock).
 * Sophie: her exit scanned by kiosk B after a power cut left its clock in 1970, corrected by the
 * registry's time at the next sync. François: no exit, edited by the registrar. Zoë: her badge
 * scanned by a colleague, rejected. Paul-André: not registered for A2, admitted by staff.
 * Noël: a walk-in. Gaëlle: registered, never came.
 *
 * Then a report mid-morning (--now 11:30: nothing after 11:30 credited), the review queue and
 * its decisions, the credits in the three formats compared with figures computed by hand, and
 * the attestations: each PDF rendered (pdftoppm), its QR code read (zbarimg) and verified by
 * `borne-registry verify`; an altered code refused. Skipped (77) without pdftoppm or zbarimg. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkin/checkin.h"
#include "core/csv.h"
#include "support/fixture.h"
#include "sync/harness.h"
#include "sync/protocol.h"
#include "sync/sync.h"
#include "sync/sync_support.h"

#define SKIP_CODE 77
#define PDFTOPPM  "/usr/bin/pdftoppm"
#define ZBARIMG   "/usr/bin/zbarimg"

/* 2026-05-20 in Montréal (UTC-4), as Unix seconds. */
#define T(h, m, s) (FIX_A_START + ((h)-9) * 3600LL + (m)*60LL + (s))

#define S_A1 301u
#define S_B1 302u
#define S_A2 303u

enum {
    P_HELENE = 1,
    P_JEAN = 2,
    P_MARIE_EVE = 3,
    P_LUC = 4,
    P_SOPHIE = 5,
    P_FRANCOIS = 6,
    P_ZOE = 7,
    P_PAUL_ANDRE = 8,
    P_GAELLE = 9,
};

static const char event_json[] =
    "{\"id\": 42, \"name\": \"Colloque de printemps 2026\", \"timezone\": \"America/Montreal\","
    " \"starts\": \"2026-05-20\", \"ends\": \"2026-05-20\", \"sessions\": ["
    "  {\"id\": 301, \"code\": \"A1\", \"title\": \"Gestion documentaire\", \"room\": \"Salle A\","
    "   \"starts\": \"2026-05-20T09:00:00-04:00\", \"ends\": \"2026-05-20T10:30:00-04:00\","
    "   \"credit_hours\": 1.5, \"credit_rule\": \"threshold:800\"},"
    "  {\"id\": 302, \"code\": \"B1\", \"title\": \"Éthique municipale\", \"room\": \"Salle B\","
    "   \"starts\": \"2026-05-20T09:00:00-04:00\", \"ends\": \"2026-05-20T10:30:00-04:00\","
    "   \"credit_hours\": 1.5, \"credit_rule\": \"proportional:15\"},"
    "  {\"id\": 303, \"code\": \"A2\", \"title\": \"Loi 25\u00a0: «\u00a0renseignements"
    " personnels\u00a0»\", \"room\": \"Salle A\","
    "   \"starts\": \"2026-05-20T10:45:00-04:00\", \"ends\": \"2026-05-20T12:00:00-04:00\","
    "   \"credit_hours\": 1.25, \"credit_rule\": \"proportional:15\"}"
    "]}";

static const char roster_csv[] =
    "id,name,organisation,member,status,sessions\n"
    "1,Hélène Tremblay,Ville de Lévis,oui,confirmé,A1 A2\n"
    "2,Jean Lévesque,Ville de Québec,non,confirmé,A1\n"
    "3,Marie-Ève Côté,MRC de Bellechasse,oui,confirmé,B1\n"
    "4,Luc Gagnon,Municipalité de Saint-Lin,oui,confirmé,A1 B1\n"
    "5,Sophie Roy,Ville de Gatineau,oui,confirmé,B1\n"
    "6,François Bélanger,Ville de Sherbrooke,oui,confirmé,B1\n"
    "7,Zoë Dufresne,Ville de Trois-Rivières,oui,confirmé,A1\n"
    "8,Paul-André Bérubé,Municipalité de Sainte-Flavie,oui,confirmé,A1\n"
    "9,Gaëlle Ouellet,Ville de Saguenay,non,confirmé,B1\n";

/* ---- the kiosks ---- */

/* A kiosk at a door: its store and sync (tests/sync/sync_support.h), and its check-in path on
 * the store and the kiosk's fake clock; staff set the session and the mode as the morning goes. */
typedef struct door {
    kiosk k;
    struct borne_checkin *ck;
    const char *name;
} door;

static void door_open(door *d, const char *name, const char *setup)
{
    memset(d, 0, sizeof(*d));
    d->name = name;
    kiosk_open(&d->k, 5000, 0);
    provision(&d->k, setup);
    borne_checkin_options o = {.kiosk_id = name, .session_id = S_A1, .mode = BORNE_ENTRY};
    assert_int_equal(borne_checkin_new(&d->ck, d->k.fx.store, &d->k.fx.clock, &o), BORNE_OK);
}

static void door_close(door *d)
{
    borne_checkin_free(d->ck);
    d->ck = NULL;
    kiosk_close(&d->k);
}

static void door_set(door *d, uint32_t session, borne_direction mode)
{
    assert_int_equal(borne_checkin_set_session(d->ck, session), BORNE_OK);
    borne_checkin_set_mode(d->ck, mode);
}

/* A badge code presented at the door, the kiosk's clock at `t` (NTP: trusted). */
static void door_scan_at(door *d, int64_t t, uint32_t session, borne_direction mode,
                         const char *code, borne_outcome expect, borne_scan_result *res)
{
    if (t) {
        fixture_set_time(&d->k.fx, t, true);
    }
    door_set(d, session, mode);
    assert_int_equal(
        borne_checkin_scan(d->ck, (const uint8_t *)code, strlen(code), BORNE_METHOD_SCANNER, res),
        BORNE_OK);
    if (res->outcome != expect) {
        fail_msg("%s: expected %s, got %s", d->name, borne_outcome_name(expect),
                 borne_outcome_name(res->outcome));
    }
}

static void door_scan(door *d, int64_t t, uint32_t session, borne_direction mode, const char *code,
                      borne_outcome expect)
{
    borne_scan_result res;
    door_scan_at(d, t, session, mode, code, expect, &res);
}

/* One real sync cycle of the kiosk, at the kiosk's time `t` (0: as it is). */
static void door_sync(door *d, int64_t t)
{
    if (t) {
        fixture_set_time(&d->k.fx, t, true);
    }
    assert_int_equal(borne_sync_run_once(d->k.sync), BORNE_OK);
    borne_sync_status st;
    borne_sync_get_status(d->k.sync, &st);
    assert_int_equal(st.pending, 0);
    assert_int_equal(st.refused, 0);
}

/* ---- reading the exports ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 17);
    assert_non_null(buf);
    fread(buf, 1, (1 << 17) - 1, f);
    fclose(f);
    return buf;
}

/* `report credits 42 FILE --format FORMAT [--now NOW]`, the file's text (malloc'ed). */
static char *report(const registry_proc *r, const char *format, const char *now)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/credits-%s.%s", r->dir, now ? "now" : "final", format);
    int rc =
        now ? harness_admin(r, NULL, 0, "report", "credits", "42", path, "--format", format,
                            "--now", now, NULL)
            : harness_admin(r, NULL, 0, "report", "credits", "42", path, "--format", format, NULL);
    assert_int_equal(rc, 0);
    return slurp(path);
}

/* One participant's row in one session, as the exports must say it. */
typedef struct want_row {
    uint32_t participant, session;
    int minutes;           /* minutes attended (after clipping and the overlap split) */
    int credit;            /* credit minutes */
    const char *hours;     /* credit_hours, with a point */
    const char *anomalies; /* the CSV's words, space-separated */
    const char *review;
} want_row;

/* One participant's total. */
typedef struct want_total {
    uint32_t participant;
    const char *name;
    int minutes; /* attended, all sessions */
    int credit;  /* credited minutes, summed */
    const char *hours;
} want_total;

typedef struct want {
    const want_row *rows;
    size_t nrows;
    const want_total *totals;
    size_t ntotals;
    int credit; /* the event's credited minutes */
    const char *hours;
} want;

static uint32_t walkin_id; /* Noël's id, given by kiosk A (number 1), sequence 1 */

static uint32_t field_u32(const struct borne_csv_record *rec, int i)
{
    return (uint32_t)strtoul(borne_csv_field(rec, i), NULL, 10);
}

/* The machine CSV: every row as expected, no other row, credit_minutes summed per participant
 * and for the event as computed by hand. */
static void check_csv(const char *text, const want *w)
{
    struct borne_csv_reader *rd;
    assert_int_equal(borne_csv_reader_new(&rd, text, strlen(text), BORNE_CSV_SEP_COMMA), BORNE_OK);
    struct borne_csv_record rec;
    assert_int_equal(borne_csv_read(rd, &rec, NULL, 0), BORNE_OK);
    assert_string_equal(borne_csv_field(&rec, 9), "anomalies");
    size_t seen = 0;
    int64_t sum[16] = {0}, event = 0;
    while (borne_csv_read(rd, &rec, NULL, 0) == BORNE_OK && rec.count) {
        uint32_t pid = field_u32(&rec, 0), sid = field_u32(&rec, 2);
        const want_row *x = NULL;
        for (size_t i = 0; i < w->nrows; i++) {
            if (w->rows[i].participant == pid && w->rows[i].session == sid) {
                x = &w->rows[i];
            }
        }
        if (!x) {
            fail_msg("unexpected row: participant %u, session %u", pid, sid);
        }
        seen++;
        char where[64];
        snprintf(where, sizeof(where), "participant %u, session %u", pid, sid);
        if (atoi(borne_csv_field(&rec, 5)) != x->minutes ||
            atoi(borne_csv_field(&rec, 8)) != x->credit ||
            strcmp(borne_csv_field(&rec, 6), x->hours) != 0 ||
            strcmp(borne_csv_field(&rec, 9), x->anomalies) != 0 ||
            strcmp(borne_csv_field(&rec, 10), x->review) != 0) {
            fail_msg("%s: %s min, %s credit min, %s h, \"%s\", \"%s\"; expected %d, %d, %s, "
                     "\"%s\", \"%s\"",
                     where, borne_csv_field(&rec, 5), borne_csv_field(&rec, 8),
                     borne_csv_field(&rec, 6), borne_csv_field(&rec, 9), borne_csv_field(&rec, 10),
                     x->minutes, x->credit, x->hours, x->anomalies, x->review);
        }
        for (size_t k = 0; k < w->ntotals; k++) {
            if (w->totals[k].participant == pid) {
                sum[k] += atoi(borne_csv_field(&rec, 8));
            }
        }
        event += atoi(borne_csv_field(&rec, 8));
    }
    borne_csv_reader_free(rd);
    assert_int_equal(seen, w->nrows);
    for (size_t k = 0; k < w->ntotals; k++) {
        assert_int_equal(sum[k], w->totals[k].credit);
    }
    assert_int_equal(event, w->credit);
}

/* "2.75" -> "2,75" */
static void comma(const char *hours, char *out, size_t cap)
{
    snprintf(out, cap, "%s", hours);
    char *dot = strchr(out, '.');
    if (dot) {
        *dot = ',';
    }
}

/* The French Excel file: BOM, ';', its "Total — NAME" rows and the event's total. */
static void check_excel(const char *text, const want *w)
{
    assert_memory_equal(text, "\xEF\xBB\xBF", 3);
    struct borne_csv_reader *rd;
    assert_int_equal(borne_csv_reader_new(&rd, text + 3, strlen(text + 3), BORNE_CSV_SEP_SEMICOLON),
                     BORNE_OK);
    struct borne_csv_record rec;
    assert_int_equal(borne_csv_read(rd, &rec, NULL, 0), BORNE_OK);
    assert_string_equal(borne_csv_field(&rec, 0), "N° participant");
    size_t rows = 0, totals = 0;
    bool event_seen = false;
    while (borne_csv_read(rd, &rec, NULL, 0) == BORNE_OK && rec.count) {
        const char *name = borne_csv_field(&rec, 1);
        char hours[16];
        if (strcmp(name, "Total de l’événement") == 0) {
            comma(w->hours, hours, sizeof(hours));
            assert_string_equal(borne_csv_field(&rec, 4), "Colloque de printemps 2026");
            assert_string_equal(borne_csv_field(&rec, 6), hours);
            event_seen = true;
            continue;
        }
        if (strncmp(name, "Total — ", strlen("Total — ")) != 0) {
            rows++;
            continue;
        }
        uint32_t pid = field_u32(&rec, 0);
        const want_total *x = NULL;
        for (size_t k = 0; k < w->ntotals; k++) {
            if (w->totals[k].participant == pid) {
                x = &w->totals[k];
            }
        }
        if (!x) {
            fail_msg("unexpected total for participant %u", pid);
        }
        totals++;
        assert_string_equal(name + strlen("Total — "), x->name);
        comma(x->hours, hours, sizeof(hours));
        if (atoi(borne_csv_field(&rec, 5)) != x->minutes ||
            strcmp(borne_csv_field(&rec, 6), hours) != 0) {
            fail_msg("total of %s: %s min, %s h; expected %d min, %s h", x->name,
                     borne_csv_field(&rec, 5), borne_csv_field(&rec, 6), x->minutes, hours);
        }
    }
    borne_csv_reader_free(rd);
    assert_int_equal(rows, w->nrows);
    assert_int_equal(totals, w->ntotals);
    assert_true(event_seen);
}

/* The portal's JSON: each participant's minutes and hours, the event's, every row's "final". */
static void check_json(const char *text, const want *w, bool final)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "missing_exit")), "review");
    assert_int_equal(json_integer_value(json_object_get(j, "credit_minutes")), w->credit);
    assert_string_equal(json_string_value(json_object_get(j, "credit_hours")), w->hours);
    json_t *people = json_object_get(j, "participants");
    assert_int_equal(json_array_size(people), w->ntotals);
    size_t i;
    json_t *p;
    json_array_foreach(people, i, p)
    {
        uint32_t pid = (uint32_t)json_integer_value(json_object_get(p, "participant_id"));
        const want_total *x = NULL;
        for (size_t k = 0; k < w->ntotals; k++) {
            if (w->totals[k].participant == pid) {
                x = &w->totals[k];
            }
        }
        if (!x) {
            fail_msg("unexpected participant %u", pid);
        }
        assert_string_equal(json_string_value(json_object_get(p, "name")), x->name);
        assert_int_equal(json_integer_value(json_object_get(p, "credit_minutes")), x->credit);
        assert_string_equal(json_string_value(json_object_get(p, "credit_hours")), x->hours);
        size_t k;
        json_t *s;
        json_array_foreach(json_object_get(p, "sessions"), k, s)
        {
            /* At 11:30, A2 (until 12:00) is still running; A1 and B1 are over. */
            bool running = !final && json_integer_value(json_object_get(s, "session_id")) == S_A2;
            assert_int_equal(json_is_true(json_object_get(s, "final")), !running);
        }
    }
    json_decref(j);
}

static void check_all(const registry_proc *r, const want *w, const char *now)
{
    char *x = report(r, "csv", now);
    check_csv(x, w);
    free(x);
    x = report(r, "excel", now);
    check_excel(x, w);
    free(x);
    x = report(r, "json", now);
    check_json(x, w, now == NULL);
    free(x);
}

/* ---- the morning ---- */

typedef struct world {
    registry_proc reg;
    door a, b;
    char code[10][256];  /* the registry's badge codes, by participant id */
    int64_t sophie_mono; /* kiosk B's monotonic time at Sophie's exit */
} world;

static void morning(world *w)
{
    door *a = &w->a, *b = &w->b;
    const char *helene = w->code[P_HELENE], *jean = w->code[P_JEAN], *marie = w->code[P_MARIE_EVE],
               *luc = w->code[P_LUC], *sophie = w->code[P_SOPHIE], *francois = w->code[P_FRANCOIS],
               *zoe = w->code[P_ZOE], *paul = w->code[P_PAUL_ANDRE];

    /* 08:55-10:05, both clocks trusted (NTP). */
    door_scan(a, T(8, 55, 0), S_A1, BORNE_ENTRY, helene, BORNE_OUTCOME_ACCEPTED_ENTRY);
    /* Kiosk B was left on « sortie » after a test: Marie-Ève's scan is a stray exit. */
    door_scan(b, T(8, 58, 0), S_B1, BORNE_EXIT, marie, BORNE_OUTCOME_EXIT_WITHOUT_ENTRY);
    door_scan(a, T(9, 0, 0), S_A1, BORNE_ENTRY, luc, BORNE_OUTCOME_ACCEPTED_ENTRY);
    door_scan(b, T(9, 1, 0), S_B1, BORNE_ENTRY, marie, BORNE_OUTCOME_ACCEPTED_ENTRY);
    door_scan(a, T(9, 2, 0), S_A1, BORNE_ENTRY, jean, BORNE_OUTCOME_ACCEPTED_ENTRY);
    door_scan(b, T(9, 4, 0), S_B1, BORNE_ENTRY, sophie, BORNE_OUTCOME_ACCEPTED_ENTRY);
    door_scan(a, T(9, 5, 0), S_A1, BORNE_ENTRY, zoe, BORNE_OUTCOME_ACCEPTED_ENTRY);
    door_scan(b, T(9, 10, 0), S_B1, BORNE_ENTRY, francois, BORNE_OUTCOME_ACCEPTED_ENTRY);
    /* Luc leaves room A for half an hour of B1 (kiosk A never sees him go), then comes back. */
    door_scan(b, T(9, 30, 0), S_B1, BORNE_ENTRY, luc, BORNE_OUTCOME_ACCEPTED_ENTRY);
    door_scan(b, T(10, 0, 0), S_B1, BORNE_EXIT, luc, BORNE_OUTCOME_ACCEPTED_EXIT);
    door_scan(b, T(10, 3, 0), S_B1, BORNE_EXIT, marie, BORNE_OUTCOME_ACCEPTED_EXIT);
    door_sync(b, T(10, 4, 0));
    assert_int_equal(registry_int(&w->reg, "SELECT count(*) FROM checkin"), 7);

    /* 10:05: a power cut at room B. Kiosk B boots with no network: its clock says 1970, not
     * trusted. François leaves at 10:00 without scanning; Sophie's exit at 10:30:30 is dated
     * by the untrusted clock. */
    borne_checkin_free(b->ck);
    kiosk_reboot(&b->k, "b0070000-0000-4000-8000-0000000000b2", 42000);
    borne_checkin_options o = {.kiosk_id = b->name, .session_id = S_B1, .mode = BORNE_EXIT};
    assert_int_equal(borne_checkin_new(&b->ck, b->k.fx.store, &b->k.fx.clock, &o), BORNE_OK);
    borne_fake_clock_advance(&b->k.fx.fake, (T(10, 30, 30) - T(10, 5, 0)) * 1000);
    borne_scan_result sophie_out;
    door_scan_at(b, 0, S_B1, BORNE_EXIT, sophie, BORNE_OUTCOME_ACCEPTED_EXIT, &sophie_out);
    assert_false(sophie_out.time.trusted);
    w->sophie_mono = sophie_out.time.mono_ms;
    assert_true(sophie_out.time.wall_ms < 3600 * 1000);

    door_scan(a, T(10, 30, 0), S_A1, BORNE_EXIT, luc, BORNE_OUTCOME_ACCEPTED_EXIT);
    door_scan(a, T(10, 31, 0), S_A1, BORNE_EXIT, helene, BORNE_OUTCOME_ACCEPTED_EXIT);
    door_sync(a, T(10, 32, 0));

    /* A2 at kiosk A. Paul-André is not registered for it: staff admit him (speaker's guest). */
    door_scan(a, T(10, 44, 0), S_A2, BORNE_ENTRY, helene, BORNE_OUTCOME_ACCEPTED_ENTRY);
    door_scan(a, T(10, 47, 0), S_A2, BORNE_ENTRY, paul, BORNE_OUTCOME_NOT_REGISTERED);
    borne_scan_result res;
    assert_int_equal(borne_checkin_admit(a->ck, P_PAUL_ANDRE, BORNE_ADMIT_SPEAKER, &res), BORNE_OK);
    assert_int_equal(res.outcome, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    /* Noël registers at the door (walk-in id: kiosk A is the registry's kiosk 1). */
    fixture_set_time(&a->k.fx, T(10, 50, 0), true);
    borne_sync_status st;
    borne_sync_get_status(a->k.sync, &st);
    assert_int_equal(st.kiosk_number, 1);
    walkin_id = kiosk_add_walkin(&a->k, st.kiosk_number, 1, S_A2, "Noël Saint-Hilaire",
                                 "Ville de Rimouski");
    assert_int_equal(walkin_id, BORNE_WALKIN_ID_BASE + 1u * 65536u + 1u);
    door_sync(a, T(11, 30, 0));
}

static void morning_end(world *w)
{
    door *a = &w->a, *b = &w->b;
    door_scan(a, T(12, 0, 0), S_A2, BORNE_EXIT, w->code[P_PAUL_ANDRE], BORNE_OUTCOME_ACCEPTED_EXIT);
    fixture_set_time(&a->k.fx, T(12, 0, 10), true);
    borne_scan_result res;
    door_set(a, S_A2, BORNE_EXIT);
    assert_int_equal(
        borne_checkin_manual(a->ck, walkin_id, BORNE_EXIT, BORNE_METHOD_MANUAL, "accueil", &res),
        BORNE_OK);
    assert_int_equal(res.outcome, BORNE_OUTCOME_ACCEPTED_EXIT);
    door_scan(a, T(12, 1, 0), S_A2, BORNE_EXIT, w->code[P_HELENE], BORNE_OUTCOME_ACCEPTED_EXIT);
    door_sync(a, T(12, 5, 0));

    /* Kiosk B's network comes back: its first status answer carries the registry's time, which
     * corrects the times it took since the reboot. Its monotonic clock has run for as long as
     * really passed since Sophie's exit was scripted (10:30:30, months ago), so the correction
     * lands on 10:30:30 plus the few milliseconds of the request. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t real_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    int64_t scripted_ms = T(10, 30, 30) * 1000;
    borne_fake_clock_advance(&b->k.fx.fake,
                             w->sophie_mono + (real_ms - scripted_ms) - b->k.fx.fake.now.mono_ms);
    door_sync(b, 0);
    char sql[300];
    snprintf(sql, sizeof(sql),
             "SELECT wall_ms - %lld FROM checkin WHERE participant_id = 5 AND direction = 1"
             " AND clock_trusted = 1 AND wall_recorded_ms < 3600000",
             (long long)scripted_ms);
    int64_t late = registry_int(&w->reg, sql);
    assert_true(late > -2000 && late < 30000);
}

/* ---- the figures, computed by hand ----
 *
 * A1 and B1 last 90 min (5400 s), A2 75 min (4500 s). threshold:800 gives all of A1's 90 min
 * from 72 min (0.8 x 90) and nothing below; proportional:15 gives credit x attended / scheduled
 * rounded down to 15 min (B1: the minutes attended, A2: idem, as the credit equals the length).
 * Presence is clipped to the session, and (--now) to now. Hours: minutes / 60, half up. */

/* At 11:30 (--now), kiosk A synced at 11:30, kiosk B last at 10:04 (Sophie's exit not in yet).
 * A1 and B1 closed at 11:00 (end + 30 min): their open entries are missing exits, withheld.
 * A2 runs: an open entry there is someone in the room, counted until 11:30 only. */
static const want_row mid_rows[] = {
    /* in 08:55, out 10:31, clipped to 09:00-10:30: 90 min >= 72: 90 */
    {P_HELENE, S_A1, 90, 90, "1.50", "", ""},
    /* in 10:44, still in: 10:45-11:30 = 45 min; 75 x 45 / 75 = 45, a multiple of 15: 45 */
    {P_HELENE, S_A2, 45, 45, "0.75", "", ""},
    /* in 09:02, no exit, A1 closed: withheld */
    {P_JEAN, S_A1, 0, 0, "0.00", "missing-exit", "withheld"},
    /* stray exit 08:58 (kiosk B had not seen her), in 09:01, out 10:03: 62 min; 62 -> 60 */
    {P_MARIE_EVE, S_B1, 62, 60, "1.00", "exit-without-entry", "pending"},
    /* A1 09:00-10:30 and B1 09:30-10:00: B1 entered last owns 09:30-10:00.
     * A1: 30 + 30 = 60 min < 72: 0. B1: 30 min -> 30. Together 90 min = the wall clock. */
    {P_LUC, S_A1, 60, 0, "0.00", "overlap", "pending"},
    {P_LUC, S_B1, 30, 30, "0.50", "overlap", "pending"},
    /* in 09:04; her exit is still on kiosk B: withheld */
    {P_SOPHIE, S_B1, 0, 0, "0.00", "missing-exit", "withheld"},
    {P_FRANCOIS, S_B1, 0, 0, "0.00", "missing-exit", "withheld"},
    {P_ZOE, S_A1, 0, 0, "0.00", "missing-exit", "withheld"},
    /* admitted 10:47, still in: 10:47-11:30 = 43 min -> 30 */
    {P_PAUL_ANDRE, S_A2, 43, 30, "0.50", "", ""},
    /* walk-in 10:50, still in: 40 min -> 30 (walk-in id set at run time) */
    {0, S_A2, 40, 30, "0.50", "walk-in", "pending"},
};
static const want_total mid_totals[] = {
    {P_HELENE, "Hélène Tremblay", 90 + 45, 90 + 45, "2.25"},
    {P_JEAN, "Jean Lévesque", 0, 0, "0.00"},
    {P_MARIE_EVE, "Marie-Ève Côté", 62, 60, "1.00"},
    {P_LUC, "Luc Gagnon", 60 + 30, 0 + 30, "0.50"},
    {P_SOPHIE, "Sophie Roy", 0, 0, "0.00"},
    {P_FRANCOIS, "François Bélanger", 0, 0, "0.00"},
    {P_ZOE, "Zoë Dufresne", 0, 0, "0.00"},
    {P_PAUL_ANDRE, "Paul-André Bérubé", 43, 30, "0.50"},
    {0, "Noël Saint-Hilaire", 40, 30, "0.50"},
};
/* 135 + 0 + 60 + 30 + 0 + 0 + 0 + 30 + 30 = 285 min = 4.75 h */
#define MID_CREDIT 285
#define MID_HOURS  "4.75"

/* The final morning, before any decision (now: today, months after). */
static const want_row before_rows[] = {
    {P_HELENE, S_A1, 90, 90, "1.50", "", ""},
    /* in 10:44, out 12:01, clipped to 10:45-12:00: 75 min -> 75 */
    {P_HELENE, S_A2, 75, 75, "1.25", "", ""},
    {P_JEAN, S_A1, 0, 0, "0.00", "missing-exit", "withheld"},
    {P_MARIE_EVE, S_B1, 62, 60, "1.00", "exit-without-entry", "pending"},
    {P_LUC, S_A1, 60, 0, "0.00", "overlap", "pending"},
    {P_LUC, S_B1, 30, 30, "0.50", "overlap", "pending"},
    /* in 09:04, out 10:30:30 (kiosk B's clock corrected; a few ms late at most), clipped to
     * 10:30: 86 min; 86 -> 75. Flagged: a time corrected. */
    {P_SOPHIE, S_B1, 86, 75, "1.25", "clock", "pending"},
    {P_FRANCOIS, S_B1, 0, 0, "0.00", "missing-exit", "withheld"},
    {P_ZOE, S_A1, 0, 0, "0.00", "missing-exit", "withheld"},
    /* admitted 10:47, out 12:00: 73 min; 75 x 73 / 75 = 73 -> 60 */
    {P_PAUL_ANDRE, S_A2, 73, 60, "1.00", "", ""},
    /* in 10:50, out 12:00:10, clipped to 12:00: 70 min -> 60 */
    {0, S_A2, 70, 60, "1.00", "walk-in", "pending"},
};
static const want_total before_totals[] = {
    {P_HELENE, "Hélène Tremblay", 90 + 75, 90 + 75, "2.75"},
    {P_JEAN, "Jean Lévesque", 0, 0, "0.00"},
    {P_MARIE_EVE, "Marie-Ève Côté", 62, 60, "1.00"},
    {P_LUC, "Luc Gagnon", 90, 30, "0.50"},
    {P_SOPHIE, "Sophie Roy", 86, 75, "1.25"},
    {P_FRANCOIS, "François Bélanger", 0, 0, "0.00"},
    {P_ZOE, "Zoë Dufresne", 0, 0, "0.00"},
    {P_PAUL_ANDRE, "Paul-André Bérubé", 73, 60, "1.00"},
    {0, "Noël Saint-Hilaire", 70, 60, "1.00"},
};
/* 165 + 0 + 60 + 30 + 75 + 0 + 0 + 60 + 60 = 450 min = 7.50 h */
#define BEFORE_CREDIT 450
#define BEFORE_HOURS  "7.50"

/* After the decisions: Jean's missing exit accepted (09:02-10:30 = 88 min >= 72: 90);
 * François's edited to 09:10-10:00 (50 min -> 45); Zoë's rejected (nothing). */
static const want_row final_rows[] = {
    {P_HELENE, S_A1, 90, 90, "1.50", "", ""},
    {P_HELENE, S_A2, 75, 75, "1.25", "", ""},
    {P_JEAN, S_A1, 88, 90, "1.50", "missing-exit", "accept"},
    {P_MARIE_EVE, S_B1, 62, 60, "1.00", "exit-without-entry", "pending"},
    {P_LUC, S_A1, 60, 0, "0.00", "overlap", "pending"},
    {P_LUC, S_B1, 30, 30, "0.50", "overlap", "pending"},
    {P_SOPHIE, S_B1, 86, 75, "1.25", "clock", "pending"},
    {P_FRANCOIS, S_B1, 50, 45, "0.75", "missing-exit", "edit"},
    {P_ZOE, S_A1, 0, 0, "0.00", "missing-exit", "reject"},
    {P_PAUL_ANDRE, S_A2, 73, 60, "1.00", "", ""},
    {0, S_A2, 70, 60, "1.00", "walk-in", "pending"},
};
static const want_total final_totals[] = {
    {P_HELENE, "Hélène Tremblay", 165, 165, "2.75"},
    {P_JEAN, "Jean Lévesque", 88, 90, "1.50"},
    {P_MARIE_EVE, "Marie-Ève Côté", 62, 60, "1.00"},
    {P_LUC, "Luc Gagnon", 90, 30, "0.50"},
    {P_SOPHIE, "Sophie Roy", 86, 75, "1.25"},
    {P_FRANCOIS, "François Bélanger", 50, 45, "0.75"},
    {P_ZOE, "Zoë Dufresne", 0, 0, "0.00"},
    {P_PAUL_ANDRE, "Paul-André Bérubé", 73, 60, "1.00"},
    {0, "Noël Saint-Hilaire", 70, 60, "1.00"},
};
/* 165 + 90 + 60 + 30 + 75 + 45 + 0 + 60 + 60 = 585 min = 9.75 h */
#define FINAL_CREDIT 585
#define FINAL_HOURS  "9.75"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A copy of a table with the walk-in's id (known once kiosk A made it) in place of 0. */
static want with_walkin(const want_row *rows, size_t nrows, const want_total *totals,
                        size_t ntotals, int credit, const char *hours, want_row *rbuf,
                        want_total *tbuf)
{
    for (size_t i = 0; i < nrows; i++) {
        rbuf[i] = rows[i];
        rbuf[i].participant = rows[i].participant ? rows[i].participant : walkin_id;
    }
    for (size_t i = 0; i < ntotals; i++) {
        tbuf[i] = totals[i];
        tbuf[i].participant = totals[i].participant ? totals[i].participant : walkin_id;
    }
    return (want){rbuf, nrows, tbuf, ntotals, credit, hours};
}

/* ---- attestations ---- */

static void attestations(world *w)
{
    char dir[400], key[400];
    snprintf(dir, sizeof(dir), "%s/attestations", w->reg.dir);
    snprintf(key, sizeof(key), "%s/sign.key", w->reg.dir);
    /* A folder not made yet is said so (it read "participant 0 is not in event 42"). */
    assert_int_equal(harness_admin(&w->reg, NULL, 0, "attest", "42", "--key", key, dir, NULL), 2);
    assert_int_equal(mkdir(dir, 0700), 0);
    char *out = malloc(1 << 14);
    assert_non_null(out);
    assert_int_equal(harness_admin(&w->reg, out, 1 << 14, "attest", "42", "--key", key, dir, NULL),
                     0);
    /* One a line: file, participant, total minutes, total hours, the code. Everyone who was
     * present somewhere (Zoë's only presence was rejected; Gaëlle never came). */
    size_t made = 0;
    char *save = NULL, altered[512] = "";
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char file[300], code[200];
        unsigned pid;
        long long minutes;
        char hours[16];
        assert_int_equal(sscanf(line, "%299[^\t]\t%u\t%lld\t%15[^\t]\t%199[^\n]", file, &pid,
                                &minutes, hours, code),
                         5);
        const want_total *x = NULL;
        for (size_t k = 0; k < N(final_totals); k++) {
            uint32_t id = final_totals[k].participant ? final_totals[k].participant : walkin_id;
            if (id == pid) {
                x = &final_totals[k];
            }
        }
        if (!x || x->credit == 0) {
            fail_msg("an attestation for participant %u, who should have none", pid);
        }
        made++;
        assert_int_equal(minutes, x->credit);
        assert_string_equal(hours, x->hours);

        /* The PDF's QR code, as a verifier reads it: rendered, then zbarimg. */
        char pdf[720], prefix[400], png[420], text[512];
        snprintf(pdf, sizeof(pdf), "%s/%s", dir, file);
        snprintf(prefix, sizeof(prefix), "%s/page", w->reg.dir);
        snprintf(png, sizeof(png), "%s.png", prefix);
        char *ppm[] = {PDFTOPPM, "-r", "150", "-png", "-gray", "-singlefile", pdf, prefix, NULL};
        assert_int_equal(harness_run(NULL, 0, ppm), 0);
        char *zbar[] = {ZBARIMG, "-q", "--raw", png, NULL};
        assert_int_equal(harness_run(text, sizeof(text), zbar), 0);
        text[strcspn(text, "\n")] = '\0';
        assert_string_equal(text, code);
        unlink(png);

        char verify[1024], want_line[200];
        assert_int_equal(harness_admin(&w->reg, verify, sizeof(verify), "verify", text, NULL), 0);
        assert_non_null(strstr(verify, "valid\t"));
        assert_non_null(strstr(verify, "event\t42\tColloque de printemps 2026\n"));
        snprintf(want_line, sizeof(want_line), "participant\t%u\t%s\n", pid, x->name);
        assert_non_null(strstr(verify, want_line));
        snprintf(want_line, sizeof(want_line), "total\t%d min\t%s h\n", x->credit, x->hours);
        assert_non_null(strstr(verify, want_line));
        assert_null(strstr(verify, "note\t"));
        if (pid == P_HELENE) {
            snprintf(altered, sizeof(altered), "%s", text);
        }
    }
    /* Hélène, Jean, Marie-Ève, Luc, Sophie, François, Paul-André, Noël. */
    assert_int_equal(made, 8);

    /* One character of Hélène's code changed: refused. */
    assert_true(strlen(altered) > 20);
    altered[20] = altered[20] == '0' ? '1' : '0';
    char verify[1024];
    assert_int_equal(harness_admin(&w->reg, verify, sizeof(verify), "verify", altered, NULL), 1);
    assert_null(strstr(verify, "valid"));
    free(out);
}

/* ---- the test ---- */

static void test_morning(void **state)
{
    (void)state;
    world *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    char s1[512], s2[512];
    registry_start(&w->reg);
    assert_int_equal(
        harness_setup_event_files(&w->reg, w->reg.port, event_json, roster_csv, s1, sizeof(s1)), 0);
    assert_int_equal(harness_add_kiosk(&w->reg, w->reg.port, s2, sizeof(s2)), 0);
    for (uint32_t p = P_HELENE; p <= P_GAELLE; p++) {
        registry_token(&w->reg, p, w->code[p], sizeof(w->code[p]));
    }
    door_open(&w->a, "porte-salle-A", s1);
    door_open(&w->b, "porte-salle-B", s2);
    assert_int_equal(fixture_query_int(w->a.k.fx.store, "SELECT count(*) FROM session"), 3);

    morning(w);
    want_row rbuf[16];
    want_total tbuf[16];
    want x = with_walkin(mid_rows, N(mid_rows), mid_totals, N(mid_totals), MID_CREDIT, MID_HOURS,
                         rbuf, tbuf);
    check_all(&w->reg, &x, "2026-05-20T11:30:00-04:00");

    morning_end(w);
    x = with_walkin(before_rows, N(before_rows), before_totals, N(before_totals), BEFORE_CREDIT,
                    BEFORE_HOURS, rbuf, tbuf);
    check_all(&w->reg, &x, NULL);
    /* Every check-in reached the registry once (kiosk B's 7 + 1, kiosk A's 13 with Paul-André's
     * refused scan). */
    assert_int_equal(registry_int(&w->reg, "SELECT count(*) FROM checkin"), 8 + 13);

    /* The review queue: the 8 flagged rows, all pending; Sophie's timeline says corrected. */
    char *q = malloc(1 << 16);
    assert_non_null(q);
    assert_int_equal(harness_admin(&w->reg, q, 1 << 16, "review", "42", NULL), 0);
    assert_non_null(strstr(q, "8 to review, 8 pending (missing exit: review)"));
    assert_non_null(strstr(q, "301-2  Jean Lévesque (2), A1: missing-exit; 0 min, 0.00 h; "
                              "withheld"));
    assert_non_null(strstr(q, "302-5  Sophie Roy (5), B1: clock; 86 min, 1.25 h; pending"));
    assert_non_null(strstr(q, "302-4  Luc Gagnon (4), B1: overlap; 30 min, 0.50 h; pending"));
    assert_int_equal(harness_admin(&w->reg, q, 1 << 16, "review", "42", "--json", NULL), 0);
    json_error_t jerr;
    json_t *j = json_loads(q, 0, &jerr);
    assert_non_null(j);
    json_t *item;
    size_t i;
    bool corrected = false;
    json_array_foreach(json_object_get(j, "items"), i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "id")), "302-5") != 0) {
            continue;
        }
        json_t *e;
        size_t k;
        json_array_foreach(json_object_get(item, "timeline"), k, e)
        {
            corrected = corrected || json_is_true(json_object_get(e, "corrected"));
        }
    }
    assert_true(corrected);
    json_decref(j);

    /* The registrar decides. */
    assert_int_equal(harness_admin(&w->reg, q, 1 << 16, "review", "decide", "301-2", "accept",
                                   "--reason", "vu en salle jusqu’à la fin", "--by", "Nadia", NULL),
                     0);
    assert_int_equal(harness_admin(&w->reg, q, 1 << 16, "review", "decide", "302-6", "edit",
                                   "--entry", "2026-05-20T09:10", "--exit", "2026-05-20T10:00",
                                   "--reason", "parti à 10 h, vu par l’accueil", "--by", "Nadia",
                                   NULL),
                     0);
    assert_int_equal(harness_admin(&w->reg, q, 1 << 16, "review", "decide", "301-7", "reject",
                                   "--reason", "badge présenté par un collègue", "--by", "Nadia",
                                   NULL),
                     0);
    assert_int_equal(harness_admin(&w->reg, q, 1 << 16, "review", "42", NULL), 0);
    assert_non_null(strstr(q, "8 to review, 5 pending (missing exit: review)"));
    free(q);

    x = with_walkin(final_rows, N(final_rows), final_totals, N(final_totals), FINAL_CREDIT,
                    FINAL_HOURS, rbuf, tbuf);
    check_all(&w->reg, &x, NULL);

    attestations(w);

    door_close(&w->a);
    door_close(&w->b);
    registry_stop(&w->reg);
    free(w);
}

int main(void)
{
    if (access(PDFTOPPM, X_OK) != 0 || access(ZBARIMG, X_OK) != 0) {
        printf("SKIPPED: e2e_morning reads the attestations' QR codes with pdftoppm and zbarimg "
               "(Debian: apt-get install poppler-utils zbar-tools; packaging/devtool deps "
               "installs them)\n");
        return SKIP_CODE;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_morning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
