/* Benchmark of the store and the check-in path at congrès scale.
 *
 * Generates a 100,000-participant roster CSV in memory (accented French names, municipalities,
 * sessions, opaque codes) and prints: the roster import time, the cost of one scan's lookups
 * (opaque code; token verification + roster lookup), name search over partial accented names,
 * the durable commit of one check-in (WAL, synchronous=FULL, fsync) and a whole
 * borne_checkin_scan (decision + durable record). Prints numbers with their targets and never
 * fails on timing.
 *
 * usage: bench_store [DIR]   the database file goes in DIR (default: the current directory),
 *                            so that commits are measured on the disk that matters. */
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkin/checkin.h"
#include "core/log.h"
#include "core/token.h"
#include "store/import.h"
#include "store/store.h"
#include "support/fixture.h"

#define PARTICIPANTS 100000
#define SESSIONS     20
#define LOOKUPS      10000
#define SEARCHES     1000
#define COMMITS      2000
#define SCANS        2000
#define EVENT_ID     42u
#define KEY_ID       3u
#define DAY_START    1779282000LL /* 2026-05-20T09:00:00-04:00 */

static const char *const first_names[] = {
    "Hélène", "Réjean", "François",  "Geneviève", "Jérôme", "Anaïs",    "Noémie",  "Stéphane",
    "Amélie", "Gaétan", "Josée",     "Benoît",    "Chloé",  "Frédéric", "Mélanie", "André",
    "Maxime", "Élise",  "Sébastien", "Édith",     "Marie",  "Jean",     "Luc",     "Sophie",
    "Pierre", "Julie",  "Denis",     "Nathalie",  "Éric",   "Isabelle", "Karine",  "Gilles",
};
static const char *const last_names[] = {
    "Tremblay", "Gagnon",   "Roy",      "Côté",      "Bouchard",  "Gauthier", "Morin",
    "Lavoie",   "Fortin",   "Gagné",    "Ouellet",   "Pelletier", "Bélanger", "Lévesque",
    "Bergeron", "Leblanc",  "Paquette", "Girard",    "Simard",    "Boucher",  "Caron",
    "Beaulieu", "Cloutier", "Dubé",     "Poirier",   "Fournier",  "Lapointe", "Leclerc",
    "Lefebvre", "Poulin",   "Thibault", "St-Pierre",
};
static const char *const places[] = {
    "Lévis",    "Québec",       "Montréal",     "Trois-Rivières", "Saint-Jérôme", "Sherbrooke",
    "Gatineau", "Rimouski",     "Saguenay",     "Drummondville",  "Granby",       "Mont-Laurier",
    "Chambly",  "Boucherville", "Sainte-Adèle", "Val-d'Or",       "Baie-Comeau",  "Gaspé",
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stats {
    double median;
    double p99;
};

static struct stats summarize(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    size_t p99 = (size_t)((double)(n - 1) * 0.99);
    return (struct stats){.median = v[n / 2], .p99 = v[p99]};
}

static uint32_t rnd(uint32_t n)
{
    return randombytes_uniform(n);
}

static void die(const char *what, borne_err err, const char *msg)
{
    fprintf(stderr, "bench_store: %s: %s%s%s\n", what, borne_strerror(err), msg ? ": " : "",
            msg ? msg : "");
    exit(1);
}

/* Session s (1..SESSIONS): id 100 + s, code "S<s>", 90 minutes, four parallel rooms per slot. */
static char *event_json(void)
{
    size_t cap = 16384, o = 0;
    char *json = malloc(cap);
    o += (size_t)snprintf(json + o, cap - o,
                          "{\"id\": %u, \"name\": \"Congrès annuel\", \"starts\": \"2026-05-20\","
                          " \"ends\": \"2026-05-22\", \"sessions\": [",
                          EVENT_ID);
    for (int s = 1; s <= SESSIONS; s++) {
        int slot = (s - 1) / 4;
        o += (size_t)snprintf(json + o, cap - o,
                              "%s{\"id\": %d, \"code\": \"S%d\", \"title\": \"Atelier %d\","
                              " \"starts\": \"2026-05-20T%02d:00:00-04:00\","
                              " \"ends\": \"2026-05-20T%02d:30:00-04:00\", \"credit_hours\": 1.5}",
                              s > 1 ? ", " : "", 100 + s, s, s, 9 + 2 * slot, 10 + 2 * slot);
    }
    snprintf(json + o, cap - o, "]}");
    return json;
}

/* Roster CSV; registered_s1[] receives the ids registered to session 101. */
static char *roster_csv(size_t *len, uint32_t *registered_s1, size_t *nreg)
{
    size_t cap = (size_t)PARTICIPANTS * 160 + 256, o = 0;
    char *csv = malloc(cap);
    o += (size_t)snprintf(csv + o, cap - o,
                          "id;nom;municipalité;membre;statut;séances;code;courriel\n");
    *nreg = 0;
    for (uint32_t id = 1; id <= PARTICIPANTS; id++) {
        const char *first = first_names[rnd(sizeof(first_names) / sizeof(first_names[0]))];
        const char *last = last_names[rnd(sizeof(last_names) / sizeof(last_names[0]))];
        const char *place = places[rnd(sizeof(places) / sizeof(places[0]))];
        /* One session per time slot, in one of its four rooms. */
        char sessions[64];
        size_t so = 0;
        for (int slot = 0; slot < SESSIONS / 4; slot++) {
            int s = slot * 4 + 1 + (int)rnd(4);
            so +=
                (size_t)snprintf(sessions + so, sizeof(sessions) - so, "%sS%d", slot ? " " : "", s);
            if (s == 1) {
                registered_s1[(*nreg)++] = id;
            }
        }
        o += (size_t)snprintf(csv + o, cap - o,
                              "%u;%s %s;\"Ville de %s; greffe\";%s;confirmé;%s;OPQ-%08X;"
                              "p%u@example.org\n",
                              id, first, last, place, rnd(3) ? "oui" : "non", sessions,
                              id * 2654435761u, id);
    }
    *len = o;
    return csv;
}

static void opaque_code(uint32_t id, char out[16])
{
    snprintf(out, 16, "OPQ-%08X", id * 2654435761u);
}

static void count_hit(void *ctx, const borne_participant *p)
{
    (void)p;
    (*(size_t *)ctx)++;
}

static void row(const char *name, const char *unit, struct stats s, const char *target)
{
    printf("%-44s %10.1f %10.1f %-4s  %s\n", name, s.median, s.p99, unit, target);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    if (sodium_init() < 0) {
        return 1;
    }
    borne_log_set_level(BORNE_LOG_ERROR);
    char path[1024];
    snprintf(path, sizeof(path), "%s/bench-store-%ld.db", dir, (long)getpid());
    char wal[1100], shm[1100];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    snprintf(shm, sizeof(shm), "%s-shm", path);
    double t_start = now_us();

    struct borne_store *store;
    borne_err err = borne_store_open(path, &store);
    if (err) {
        die(path, err, NULL);
    }
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    borne_import_result res;
    char *ev = event_json();
    err = borne_import_event_json(store, ev, strlen(ev), &res, msg, sizeof(msg));
    free(ev);
    if (err) {
        die("event", err, msg);
    }

    uint32_t *reg_s1 = malloc(PARTICIPANTS * sizeof(*reg_s1));
    size_t nreg = 0, csv_len = 0;
    double t0 = now_us();
    char *csv = roster_csv(&csv_len, reg_s1, &nreg);
    double gen_ms = (now_us() - t0) / 1000;
    t0 = now_us();
    err = borne_import_roster_csv(store, EVENT_ID, csv, csv_len, &res, msg, sizeof(msg));
    double import_ms = (now_us() - t0) / 1000;
    if (err) {
        die("roster", err, msg);
    }
    free(csv);

    printf("Borne store benchmark: %d participants, %d sessions, database in %s\n", PARTICIPANTS,
           SESSIONS, dir);
    printf("(roster CSV generated in %.0f ms: %.1f MB, %zu registrations)\n\n", gen_ms,
           (double)csv_len / 1e6, res.registrations);
    printf("%-44s %10s %10s %-4s  %s\n", "measure", "median", "p99", "unit", "target");
    printf("%-44s %10s %10s %-4s  %s\n", "--------------------------------------------",
           "----------", "----------", "----", "------------------");
    printf("%-44s %10.0f %10s %-4s  %s\n", "roster import, 100,000 rows (one transaction)",
           import_ms, "-", "ms", "< 3000 ms");

    /* Opaque code lookups. */
    double *v = malloc(LOOKUPS * sizeof(*v));
    size_t found = 0;
    for (int i = 0; i < LOOKUPS; i++) {
        char code[16];
        opaque_code(1 + rnd(PARTICIPANTS), code);
        borne_participant p;
        t0 = now_us();
        err = borne_store_find_code(store, EVENT_ID, (const uint8_t *)code, strlen(code), &p);
        v[i] = now_us() - t0;
        found += err == BORNE_OK;
    }
    row("opaque code lookup (10,000 scans)", "us", summarize(v, LOOKUPS), "< 50 us");

    /* Token verification + roster lookup. */
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    if ((err = borne_store_put_key(store, KEY_ID, pk)) != BORNE_OK) {
        die("key", err, NULL);
    }
    borne_pubkey key = {.key_id = KEY_ID};
    memcpy(key.key, pk, 32);
    char(*tokens)[BORNE_TOKEN_TEXT_LEN + 1] = malloc(LOOKUPS * sizeof(*tokens));
    for (int i = 0; i < LOOKUPS; i++) {
        borne_token t = {
            .key_id = KEY_ID, .event_id = EVENT_ID, .participant_id = 1 + rnd(PARTICIPANTS)};
        borne_token_sign(&t, sk, tokens[i], BORNE_TOKEN_TEXT_LEN + 1);
    }
    size_t verified = 0;
    for (int i = 0; i < LOOKUPS; i++) {
        borne_token t;
        borne_participant p;
        t0 = now_us();
        borne_token_status st = borne_token_verify((const uint8_t *)tokens[i], BORNE_TOKEN_TEXT_LEN,
                                                   &key, 1, EVENT_ID, DAY_START, true, &t);
        if (st == BORNE_TOKEN_OK) {
            err = borne_store_get_participant(store, EVENT_ID, t.participant_id, &p);
        }
        v[i] = now_us() - t0;
        verified += st == BORNE_TOKEN_OK && err == BORNE_OK;
    }
    row("token verify + roster lookup (10,000 scans)", "us", summarize(v, LOOKUPS), "< 50 us");

    /* Name search: partial, accented or not, one or two words. */
    size_t hits = 0;
    for (int i = 0; i < SEARCHES; i++) {
        const char *first = first_names[rnd(sizeof(first_names) / sizeof(first_names[0]))];
        const char *last = last_names[rnd(sizeof(last_names) / sizeof(last_names[0]))];
        char q[64];
        switch (i % 3) {
        case 0: /* "Hélè Trem" */
            snprintf(q, sizeof(q), "%.5s %.4s", first, last);
            break;
        case 1: /* last name prefix only: the most matches */
            snprintf(q, sizeof(q), "%.3s", last);
            break;
        default: /* unaccented full first name, partial last */
            snprintf(q, sizeof(q), "%s %.2s", first, last);
            break;
        }
        /* Do not cut a UTF-8 sequence in half. */
        size_t n = strlen(q);
        while (n && ((unsigned char)q[n - 1] & 0xC0) == 0xC0) {
            q[--n] = '\0';
        }
        size_t n_found = 0;
        t0 = now_us();
        err = borne_store_search(store, EVENT_ID, q, 10, count_hit, &n_found);
        v[i] = (now_us() - t0) / 1000;
        hits += err == BORNE_OK && n_found > 0;
    }
    row("name search, limit 10 (1,000 queries)", "ms", summarize(v, SEARCHES), "< 20 ms");

    /* Durable commits. */
    double *c = malloc(COMMITS * sizeof(*c));
    for (int i = 0; i < COMMITS; i++) {
        borne_checkin_row r;
        fixture_checkin_row(&r, "bench", EVENT_ID, 1 + rnd(PARTICIPANTS), 101);
        r.outcome = BORNE_OUTCOME_ACCEPTED_ENTRY;
        r.has_code_hash = true;
        randombytes_buf(r.code_hash, sizeof(r.code_hash));
        r.time.wall_ms = DAY_START * 1000 + i;
        r.time.mono_ms = i;
        snprintf(r.time.boot_id, sizeof(r.time.boot_id), "00000000-0000-4000-8000-000000000000");
        r.time.trusted = true;
        t0 = now_us();
        err = borne_store_add_checkin(store, &r);
        c[i] = (now_us() - t0) / 1000;
        if (err) {
            die("check-in", err, NULL);
        }
    }
    row("durable check-in commit, sync FULL (2,000)", "ms", summarize(c, COMMITS), "p99 < 10 ms");

    /* The whole scan path: verify, roster, registration, revocation, history, rules, commit. */
    borne_fake_clock fake = {
        .now = {.wall_ms = (DAY_START + 600) * 1000, .mono_ms = 1000, .trusted = true}};
    borne_clock clock;
    borne_clock_init_fake(&clock, &fake);
    borne_checkin_options opts = {.kiosk_id = "bench", .session_id = 101, .mode = BORNE_ENTRY};
    struct borne_checkin *ck;
    if ((err = borne_checkin_new(&ck, store, &clock, &opts)) != BORNE_OK) {
        die("check-in path", err, NULL);
    }
    size_t scans = nreg < SCANS ? nreg : SCANS;
    size_t accepted = 0, already = 0;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    for (size_t i = 0; i < scans; i++) {
        borne_token t = {.key_id = KEY_ID, .event_id = EVENT_ID, .participant_id = reg_s1[i]};
        borne_token_sign(&t, sk, tok, sizeof(tok));
        borne_fake_clock_advance(&fake, 300);
        borne_scan_result r;
        t0 = now_us();
        err = borne_checkin_scan(ck, (const uint8_t *)tok, strlen(tok), BORNE_METHOD_SCANNER, &r);
        c[i] = (now_us() - t0) / 1000;
        if (err) {
            die("scan", err, NULL);
        }
        /* Some were already let in by the commit measure above, which wrote random entries. */
        accepted += r.outcome == BORNE_OUTCOME_ACCEPTED_ENTRY;
        already += r.outcome == BORNE_OUTCOME_ALREADY_IN;
    }
    row("borne_checkin_scan, decision + commit (2,000)", "ms", summarize(c, scans), "(one commit)");
    borne_checkin_free(ck);

    printf("\nchecks: %zu/%d codes found, %zu/%d tokens verified, %zu/%d searches found someone,"
           " %zu/%zu scans accepted (+%zu already in); total %.1f s\n",
           found, LOOKUPS, verified, LOOKUPS, hits, SEARCHES, accepted, scans, already,
           (now_us() - t_start) / 1e6);
    borne_store_close(store);
    unlink(path);
    unlink(wal);
    unlink(shm);
    free(v);
    free(c);
    free(tokens);
    free(reg_s1);
    return 0;
}
