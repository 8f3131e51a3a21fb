/* The registry's demo morning (regdemo.h). */
#define LOG_MODULE "regdemo"
#include "registry/regdemo.h"

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin/checkin.h"
#include "console/auth.h"
#include "console/console.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/uuid.h"
#include "demo/demo.h"
#include "registry/api.h"
#include "registry/regdb.h"
#include "sync/protocol.h"

/* The demo's sessions (src/demo/demo.c) and when they run, in minutes from now. */
enum { S_P = 100, S_A1 = BORNE_DEMO_SESSION_A1, S_A2 = 102 };

/* Participants of the demo roster (src/demo/demo.c). */
enum {
    HELENE = 1,
    FRANCOIS = 2,
    EMILIE = 3,
    JEROME = 4,
    GENEVIEVE = 5,
    NOEL = 6,
    CHLOE = 7,
    STEPHANE = 8,
    JOSEE = 9,
    REJEAN = 10,
    MARIE_EVE = 11,
    BENOIT = 12,
    ANAIS = 13,
    ZOE = 14,
    MAXIME = 15,
    SEBASTIEN = 16,
    ROSTER = 16,
};

#define MAX_ROWS 48

/* A kiosk at a door: its records since its last sync, its clock, its API token. */
typedef struct door {
    const char *name; /* the organiser's name for it (kiosk add --name) */
    const char *self; /* the name it gives itself */
    char token[BORNE_API_TOKEN_MAX];
    int64_t number; /* the registry's kiosk number */
    char boot_id[BORNE_BOOT_ID_LEN + 1];
    int64_t boot_ms; /* real time of this boot */
    bool trusted;    /* NTP: the wall clock is right */
    int64_t skew_ms; /* untrusted: how far the wall clock is off */
    borne_checkin_row rows[MAX_ROWS];
    borne_push_walkin walkins[MAX_ROWS];
    size_t n;
    uint32_t walkin_seq;
} door;

typedef struct morning {
    struct borne_regdb *db;
    int64_t now; /* Unix seconds */
    char badge[ROSTER + 1][BORNE_TOKEN_TEXT_LEN + 1];
    uint8_t secret[64];
    borne_err err;
} morning;

static int64_t at_ms(const morning *m, double minutes)
{
    return (m->now + (int64_t)(minutes * 60)) * 1000;
}

static void boot(door *d, const morning *m, double minutes, int n, bool trusted, int64_t skew_ms)
{
    d->boot_ms = at_ms(m, minutes);
    d->trusted = trusted;
    d->skew_ms = trusted ? 0 : skew_ms;
    snprintf(d->boot_id, sizeof(d->boot_id), "d3e0de00-0000-4000-8000-%012d", n);
}

/* One record as the kiosk wrote it: the decision `outcome` on participant `pid` at the door of
 * `session` at `minutes` from now. */
static borne_checkin_row *record(morning *m, door *d, double minutes, uint32_t pid,
                                 uint32_t session, borne_direction dir, borne_outcome outcome)
{
    if (d->n == MAX_ROWS) {
        m->err = BORNE_ERR_TOO_LARGE;
        return &d->rows[0];
    }
    borne_checkin_row *c = &d->rows[d->n];
    memset(c, 0, sizeof(*c));
    memset(&d->walkins[d->n], 0, sizeof(d->walkins[d->n]));
    d->n++;
    borne_uuid_new(c->uuid);
    snprintf(c->kiosk_id, sizeof(c->kiosk_id), "%s", d->self);
    c->event_id = BORNE_DEMO_EVENT_ID;
    c->participant_id = pid;
    c->session_id = session;
    c->direction = dir;
    c->method = BORNE_METHOD_SCANNER;
    c->outcome = outcome;
    if (pid >= 1 && pid <= ROSTER) {
        c->has_code_hash = true;
        borne_store_code_hash((const uint8_t *)m->badge[pid], strlen(m->badge[pid]), c->code_hash);
    }
    int64_t real = at_ms(m, minutes);
    c->time.wall_ms = real + d->skew_ms;
    c->time.mono_ms = real - d->boot_ms;
    c->time.trusted = d->trusted;
    snprintf(c->time.boot_id, sizeof(c->time.boot_id), "%s", d->boot_id);
    c->wall_recorded_ms = c->time.wall_ms;
    return c;
}

static void in(morning *m, door *d, double minutes, uint32_t pid, uint32_t session)
{
    record(m, d, minutes, pid, session, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY);
}

static void out(morning *m, door *d, double minutes, uint32_t pid, uint32_t session)
{
    record(m, d, minutes, pid, session, BORNE_EXIT, BORNE_OUTCOME_ACCEPTED_EXIT);
}

/* Staff let in someone the rules turned away (the kiosk's « Admettre quand même »). */
static void admit(morning *m, door *d, double minutes, uint32_t pid, uint32_t session,
                  borne_admit_reason why)
{
    borne_checkin_row *c =
        record(m, d, minutes, pid, session, BORNE_ENTRY, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    c->method = BORNE_METHOD_MANUAL;
    c->has_code_hash = false;
    snprintf(c->staff_id, sizeof(c->staff_id), "staff override:%s", borne_admit_reason_word(why));
}

/* Someone registered at the door, and checked in at once. */
static void walk_in(morning *m, door *d, double minutes, uint32_t session, const char *name,
                    const char *organisation)
{
    uint32_t id = borne_walkin_id(d->number, ++d->walkin_seq);
    borne_checkin_row *c =
        record(m, d, minutes, id, session, BORNE_ENTRY, BORNE_OUTCOME_ACCEPTED_ENTRY);
    c->method = BORNE_METHOD_WALK_IN;
    snprintf(c->staff_id, sizeof(c->staff_id), "staff");
    borne_push_walkin *w = &d->walkins[d->n - 1];
    w->present = true;
    snprintf(w->name, sizeof(w->name), "%s", name);
    snprintf(w->organisation, sizeof(w->organisation), "%s", organisation);
    w->session_id = session;
}

/* One request to the kiosks' API, answered by the registry's own handler; the JSON answer
 * (NULL unless 200). */
static json_t *api(morning *m, const char *path, const door *d, const char *body, size_t len)
{
    char auth[BORNE_API_TOKEN_MAX + 8];
    snprintf(auth, sizeof(auth), "Bearer %s", d ? d->token : "");
    borne_api_request req = {.method = "POST",
                             .path = path,
                             .content_type = "application/json",
                             .authorization = d ? auth : NULL,
                             .body = body,
                             .len = len};
    borne_api_answer a = {0};
    borne_err err = borne_api_handle(m->db, &req, 0, &a);
    json_t *j = !err && a.status == 200 ? json_loadb(a.body, a.len, 0, NULL) : NULL;
    if (!j) {
        LOG_ERR("demo: %s answered %d: %.200s", path, a.status, a.body ? a.body : "");
        m->err = err ? err : BORNE_ERR_DB;
    }
    free(a.body);
    return j;
}

static void enrol(morning *m, door *d)
{
    int64_t id;
    char enrol_token[BORNE_API_TOKEN_MAX];
    borne_err err =
        borne_regdb_add_kiosk(m->db, BORNE_DEMO_EVENT_ID, d->name, 86400, &id, enrol_token);
    if (err) {
        m->err = err;
        return;
    }
    char *body = NULL;
    json_t *req = json_pack("{s:s, s:s, s:s}", "enrolment_token", enrol_token, "kiosk", d->self,
                            "version", BORNE_VERSION);
    body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    json_t *ans = body ? api(m, "/v1/enrol", NULL, body, strlen(body)) : NULL;
    free(body);
    const char *token = json_string_value(json_object_get(ans, "api_token"));
    if (token && strlen(token) < sizeof(d->token)) {
        snprintf(d->token, sizeof(d->token), "%s", token);
        d->number = json_integer_value(json_object_get(ans, "kiosk_number"));
    } else if (!m->err) {
        m->err = BORNE_ERR_PARSE;
    }
    json_decref(ans);
    sodium_memzero(enrol_token, sizeof(enrol_token));
}

/* A sync cycle as the kiosk's sync runs it: its status, then its records. */
static void sync_door(morning *m, door *d)
{
    int64_t last = d->n ? d->rows[d->n - 1].time.wall_ms : 0;
    json_t *st = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "version", BORNE_VERSION, "pending",
                           (json_int_t)d->n, "checkins", (json_int_t)d->n, "last_scan_ms",
                           (json_int_t)last, "wall_ms", (json_int_t)(m->now * 1000 + d->skew_ms),
                           "clock", d->trusted ? "trusted" : "untrusted");
    char *body = st ? json_dumps(st, JSON_COMPACT) : NULL;
    json_decref(st);
    json_decref(body ? api(m, "/v1/status", d, body, strlen(body)) : NULL);
    free(body);
    body = NULL;
    size_t len = 0;
    borne_err err = borne_proto_push_body_walkins(d->rows, d->walkins, d->n, &body, &len);
    json_t *ans = err ? NULL : api(m, "/v1/checkins", d, body, len);
    free(body);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(ans, "results"), i, r)
    {
        const char *status = json_string_value(json_object_get(r, "status"));
        if (!status || strcmp(status, "stored") != 0) {
            LOG_ERR("demo: a check-in of %s was not stored: %s", d->name,
                    json_string_value(json_object_get(r, "reason")));
            m->err = BORNE_ERR_INVALID;
        }
    }
    if (err || (ans && json_array_size(json_object_get(ans, "results")) != d->n)) {
        m->err = err ? err : BORNE_ERR_INVALID;
    }
    json_decref(ans);
    d->n = 0;
}

/* Every participant's signed badge code, as `token issue` makes and records it. */
static void sign_badge(void *ctx, const borne_participant *p)
{
    morning *m = ctx;
    if (p->id < 1 || p->id > ROSTER || m->err) {
        return;
    }
    m->err = borne_regdb_badge_token(p->event_id, p->id, p->member, 1, m->secret, 0,
                                     m->badge[p->id], sizeof(m->badge[p->id]));
}

static borne_err badges(morning *m)
{
    uint8_t pk[32];
    borne_demo_keypair(pk, m->secret);
    borne_err err = borne_regdb_put_key(m->db, 1, pk);
    err = err ? err : borne_regdb_each_participant(m->db, BORNE_DEMO_EVENT_ID, sign_badge, m);
    err = err ? err : m->err;
    err = err ? err : borne_regdb_begin(m->db);
    for (uint32_t id = 1; !err && id <= ROSTER; id++) {
        err = m->badge[id][0]
                  ? borne_regdb_set_badge(m->db, BORNE_DEMO_EVENT_ID, id, m->badge[id], NULL)
                  : BORNE_ERR_NOT_FOUND;
    }
    if (!err) {
        err = borne_regdb_commit(m->db);
    } else {
        borne_regdb_rollback(m->db);
    }
    return err;
}

/* The plenary (P, 210 to 150 minutes ago) with both kiosks at the Grande salle's doors, then
 * the ateliers A1 (Salle Richelieu, kiosk 1) and A2 (Salle Chaudière, kiosk 2), under way since
 * 57 minutes ago. */
static void play(morning *m, door *k1, door *k2)
{
    boot(k1, m, -300, 1, true, 0);
    boot(k2, m, -300, 2, true, 0);
    /* Kiosk 2 was left in exit mode after a test: Chloé's first scan is a stray exit. */
    record(m, k2, -216, CHLOE, S_P, BORNE_EXIT, BORNE_OUTCOME_EXIT_WITHOUT_ENTRY);
    in(m, k1, -215, HELENE, S_P);
    in(m, k2, -215, FRANCOIS, S_P);
    in(m, k1, -214, EMILIE, S_P);
    in(m, k2, -214, CHLOE, S_P);
    in(m, k1, -213, JEROME, S_P);
    in(m, k2, -213, MARIE_EVE, S_P);
    in(m, k1, -212, NOEL, S_P);
    in(m, k2, -212, ZOE, S_P);
    in(m, k1, -211, STEPHANE, S_P);
    in(m, k2, -211, BENOIT, S_P);
    in(m, k1, -210, REJEAN, S_P);
    in(m, k1, -209, ANAIS, S_P);
    in(m, k1, -208, SEBASTIEN, S_P);
    in(m, k2, -206, MAXIME, S_P);
    out(m, k2, -185, MAXIME, S_P); /* left early: too little for the credit */
    out(m, k2, -151, FRANCOIS, S_P);
    out(m, k1, -150, HELENE, S_P);
    out(m, k2, -150, CHLOE, S_P);
    out(m, k1, -150, EMILIE, S_P);
    out(m, k2, -150, MARIE_EVE, S_P);
    out(m, k1, -149, JEROME, S_P);
    out(m, k2, -149, ZOE, S_P);
    out(m, k1, -149, NOEL, S_P);
    out(m, k2, -149, BENOIT, S_P);
    out(m, k1, -148, STEPHANE, S_P);
    out(m, k1, -148, SEBASTIEN, S_P);
    /* Réjean leaves without scanning (a missing exit); Anaïs has forgotten her badge: the
     * desk records her exit (below). */
    sync_door(m, k1);
    sync_door(m, k2);

    /* A1 at kiosk 1. */
    in(m, k1, -60, HELENE, S_A1);
    in(m, k1, -59, EMILIE, S_A1);
    in(m, k1, -58, MARIE_EVE, S_A1);
    in(m, k1, -57, JEROME, S_A1);
    in(m, k1, -56, STEPHANE, S_A1);
    in(m, k1, -55, NOEL, S_A1);
    record(m, k1, -54, GENEVIEVE, S_A1, BORNE_ENTRY, BORNE_OUTCOME_SEE_DESK);
    admit(m, k1, -53, GENEVIEVE, S_A1, BORNE_ADMIT_LIST_ERROR);
    record(m, k1, -52, JOSEE, S_A1, BORNE_ENTRY, BORNE_OUTCOME_CANCELLED);
    in(m, k1, -51, ANAIS, S_A1);
    in(m, k1, -50, REJEAN, S_A1);
    in(m, k1, -48, SEBASTIEN, S_A1);
    record(m, k1, -45, BENOIT, S_A1, BORNE_ENTRY, BORNE_OUTCOME_NOT_REGISTERED);
    in(m, k1, -40, MAXIME, S_A1);
    out(m, k1, -20, STEPHANE, S_A1);
    /* A2 at kiosk 2. */
    in(m, k2, -58, FRANCOIS, S_A2);
    in(m, k2, -57, CHLOE, S_A2);
    in(m, k2, -56, ZOE, S_A2);
    walk_in(m, k2, -50, S_A2, "Ludovic Mercier-Gauthier", "Municipalité de Sainte-Flavie");
    sync_door(m, k2);
    /* A power cut at kiosk 2: it boots with no network, its clock 4 minutes behind (the time
     * saved at its last shutdown), not trusted. It is back in the registry's reach only now. */
    boot(k2, m, -35, 3, false, -4 * 60000);
    /* Marie-Ève, registered for both ateliers, goes to A2 without leaving A1 at its door. */
    in(m, k2, -30, MARIE_EVE, S_A2);
    sync_door(m, k1);
    sync_door(m, k2);
}

/* Anaïs's exit from the plenary, entered at the desk as the console's form does. */
static borne_err desk_correction(morning *m)
{
    const char *reason = "badge oublié à la sortie";
    int64_t t = m->now - 150 * 60, now_ms = (m->now - 140 * 60) * 1000;
    char uuid[BORNE_UUID_LEN + 1];
    borne_err err = borne_regdb_begin(m->db);
    if (err) {
        return err;
    }
    err = borne_console_manual_scan(m->db, BORNE_DEMO_EVENT_ID, ANAIS, S_P, true, t,
                                    BORNE_REGDEMO_USER, reason, now_ms, uuid);
    err = err ? err : borne_regdb_commit(m->db);
    if (err) {
        borne_regdb_rollback(m->db);
        return err;
    }
    char target[64], after[256];
    snprintf(target, sizeof(target), "event %u participant %u", BORNE_DEMO_EVENT_ID, ANAIS);
    snprintf(after, sizeof(after),
             "{\"direction\":\"exit\",\"reason\":\"%s\",\"session_id\":%d,\"uuid\":\"%s\"}", reason,
             S_P, uuid);
    return borne_console_audit(m->db, now_ms, BORNE_REGDEMO_USER, "desk.scan", target, NULL, after);
}

borne_err borne_regdemo_fill(struct borne_regdb *db, int64_t now, char *password)
{
    morning *m = calloc(1, sizeof(*m));
    door *k1 = calloc(1, sizeof(*k1)), *k2 = calloc(1, sizeof(*k2));
    if (!m || !k1 || !k2) {
        free(m);
        free(k1);
        free(k2);
        return BORNE_ERR_NOMEM;
    }
    m->db = db;
    m->now = now;
    k1->name = "Porte Richelieu";
    k1->self = "borne-richelieu";
    k2->name = "Porte Chaudière";
    k2->self = "borne-chaudiere";
    borne_err err = borne_console_tables(db);
    err = err ? err : badges(m);
    if (!err) {
        enrol(m, k1);
        enrol(m, k2);
        err = m->err;
    }
    if (!err) {
        play(m, k1, k2);
        err = m->err;
    }
    /* Letters and digits that cannot be misread (no 0/O, 1/l/I), 16 of 50: 90 bits. */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY345679";
    for (size_t i = 0; i < BORNE_REGDEMO_PASSWORD_LEN; i++) {
        password[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    }
    password[BORNE_REGDEMO_PASSWORD_LEN] = '\0';
    err = err ? err
              : borne_console_user_add(db, "cli:demo", BORNE_REGDEMO_USER, BORNE_ROLE_REGISTRAR,
                                       password);
    err = err ? err : desk_correction(m);
    sodium_memzero(m, sizeof(*m));
    sodium_memzero(k1, sizeof(*k1));
    sodium_memzero(k2, sizeof(*k2));
    free(m);
    free(k1);
    free(k2);
    return err;
}
