/* Web console benchmark against the real borne-registry on 127.0.0.1 (docs/console.md,
 * "Performance"): a registry database for an event of 2,000 participants and 20 sessions (two
 * days, two rooms in parallel), about 70 % attendance with anomalies (missing exits, a parallel
 * session entered, exits without entry, re-entries, an untrusted kiosk clock, staff admissions)
 * pushed by four kiosks through the API; then a registrar signs in and each page is asked N
 * times, one connection per request as a browser without keep-alive would. Prints median, p95
 * and max per page, and the ratio to two baselines of the same run: a static asset and a
 * kiosk's incremental roster pull; then the attestations zip (every PDF of the event) twice,
 * apart. Also prints the write side (the pushes' time, the registry's CPU time per 1000
 * check-ins), the database's size, and the registry's CPU time per request of each page
 * (/proc/PID/stat, in clock ticks summed over the requests). Never fails on timing (target:
 * live view and credits < 200 ms on a laptop).
 *
 *   ./tests/bench/console/bench_console [REQUESTS [PARTICIPANTS]]      (from the build tree)
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/timefmt.h"
#include "registry/client.h"
#include "support/fixture.h"
#include "support/measure.h"

#define EVENT    42u
#define SLOTS    10 /* five a day, two days */
#define ROOMS    2
#define KIOSKS   4 /* two doors per room */
#define PASSWORD "correct horse battery"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A small reproducible generator (the same database every run). */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const first_names[] = {
    "Hélène",   "François",  "Émilie", "Jean",     "Marie",   "Luc",      "Sophie",   "Noël",
    "Stéphane", "Zoé",       "Louis",  "Chloé",    "Gaétan",  "Nathalie", "Pierre",   "Josée",
    "André",    "Geneviève", "Benoît", "Mélanie",  "Réjean",  "Isabelle", "Jérôme",   "Annie",
    "Denis",    "Julie",     "Éric",   "Lucie",    "Martin",  "Ève",      "Sylvain",  "Karine",
    "Mathieu",  "Valérie",   "Yves",   "Caroline", "Raymond", "Brigitte", "Frédéric", "Manon"};
static const char *const last_names[] = {
    "Tremblay", "Gagnon",   "Roy",      "Côté",       "Bouchard",  "Gauthier", "Morin",
    "Lavoie",   "Fortin",   "Gagné",    "Ouellet",    "Pelletier", "Bélanger", "Lévesque",
    "Bergeron", "Leblanc",  "Paquette", "Girard",     "Simard",    "Boucher",  "Caron",
    "Beaulieu", "Cloutier", "Dubé",     "Poirier",    "Fournier",  "Lapointe", "Leclerc",
    "Lefebvre", "Poulin",   "Thibault", "St-Pierre",  "Nadeau",    "Martin",   "Landry",
    "Martel",   "Bédard",   "Grenier",  "Lessard",    "Bérubé",    "Hébert",   "Jacques",
    "Mercier",  "Allard",   "Bernier",  "Desjardins", "Émond",     "Vézina",   "Lemieux",
    "Rioux",    "Savard",   "Harvey",   "Fréchette"};
static const char *const towns[] = {"Québec",    "Lévis",      "Gatineau", "Laval",
                                    "Longueuil", "Sherbrooke", "Saguenay", "Trois-Rivières",
                                    "Rimouski",  "Val-d’Or",   "Granby",   "Saint-Jérôme"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct slot_time {
    int64_t start, end; /* Unix seconds */
} slot_time;

/* The event file: two days of five slots, rooms A and B in parallel; dates a week ago (so every
 * credit is final whenever the benchmark runs). Session id 1001 + 2 * slot + room. */
static int write_event(const char *dir, char *path, size_t cap, slot_time *slots)
{
    static const int starts[5][2] = {{9, 0}, {10, 45}, {13, 30}, {15, 15}, {17, 0}};
    static const int minutes[5] = {90, 90, 90, 90, 60};
    time_t t = time(NULL) - 8 * 86400;
    char day[2][16], last[16];
    for (int d = 0; d < 2; d++) {
        time_t td = t + d * 86400;
        strftime(day[d], sizeof(day[d]), "%Y-%m-%d", gmtime(&td));
    }
    time_t tl = t + 2 * 86400;
    strftime(last, sizeof(last), "%Y-%m-%d", gmtime(&tl));
    size_t bcap = 1 << 16, n = 0;
    char *buf = malloc(bcap);
    n += (size_t)snprintf(buf + n, bcap - n,
                          "{\"id\": %u, \"name\": \"Congrès annuel 2026\", \"timezone\": "
                          "\"America/Montreal\", \"starts\": \"%s\", \"ends\": \"%s\","
                          " \"missing_exit\": \"review\", \"sessions\": [",
                          EVENT, day[0], last);
    for (int s = 0; s < SLOTS; s++) {
        char local[32];
        snprintf(local, sizeof(local), "%sT%02d:%02d", day[s / 5], starts[s % 5][0],
                 starts[s % 5][1]);
        if (borne_time_parse(local, "America/Montreal", &slots[s].start)) {
            free(buf);
            return -1;
        }
        slots[s].end = slots[s].start + minutes[s % 5] * 60;
        for (int r = 0; r < ROOMS; r++) {
            char from[40], to[40];
            borne_time_format_utc(slots[s].start, from, sizeof(from));
            borne_time_format_utc(slots[s].end, to, sizeof(to));
            n += (size_t)snprintf(
                buf + n, bcap - n,
                "%s{\"id\": %d, \"code\": \"%c%d\", \"title\": \"Atelier %c%d : gestion « %s »\","
                " \"room\": \"Salle %c\", \"starts\": \"%s\", \"ends\": \"%s\","
                " \"credit_hours\": %.1f, \"credit_rule\": \"%s\"}",
                s || r ? ", " : "", 1001 + 2 * s + r, 'A' + r, s + 1, 'A' + r, s + 1,
                towns[s % COUNT(towns)], 'A' + r, from, to, minutes[s % 5] / 60.0,
                r ? "proportional:15" : "threshold:800");
        }
    }
    snprintf(buf + n, bcap - n, "]}");
    harness_write(dir, "event.json", buf, path, cap);
    free(buf);
    return 0;
}

/* The roster: participant i is registered in one room of every slot. */
static void write_roster(const char *dir, long people, unsigned char (*room)[SLOTS], char *path,
                         size_t cap)
{
    snprintf(path, cap, "%s/roster.csv", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "id,name,organisation,member,status,sessions\n");
    for (long i = 0; i < people; i++) {
        fprintf(f, "%ld,%s %s,Ville de %s,%s,confirmé,", i + 1,
                first_names[(size_t)i % COUNT(first_names)],
                last_names[((size_t)i / COUNT(first_names) + (size_t)i) % COUNT(last_names)],
                towns[rnd(COUNT(towns))], rnd(4) ? "oui" : "non");
        for (int s = 0; s < SLOTS; s++) {
            room[i][s] = (unsigned char)rnd(ROOMS);
            fprintf(f, "%s%c%d", s ? " " : "", 'A' + room[i][s], s + 1);
        }
        fputc('\n', f);
    }
    fclose(f);
}

/* The check-ins of one kiosk, pushed in batches of 1000 as the kiosk would. */
typedef struct kiosk_buf {
    char token[128];
    char *body;
    size_t len, cap;
    size_t records, total;
    unsigned seq;
    int id;
} kiosk_buf;

/* The pushes' wall time and count (the write side, for the summary). */
static double push_s;
static int push_n;

static int push(uint16_t port, kiosk_buf *k)
{
    if (!k->records) {
        return 0;
    }
    k->len += (size_t)snprintf(k->body + k->len, k->cap - k->len, "]}");
    http_resp a;
    double t0 = now_s();
    int rc =
        http_do(port, "POST", "/v1/checkins", k->token, "application/json", k->body, k->len, &a);
    push_s += now_s() - t0;
    push_n++;
    int ok = rc == 0 && a.status == 200;
    if (!ok) {
        fprintf(stderr, "bench_console: push: %d %s\n", a.status, a.body ? a.body : "");
    }
    http_resp_free(&a);
    k->len = 0;
    k->records = 0;
    return ok ? 0 : -1;
}

enum { ENTRY, EXIT };

static int scan(uint16_t port, kiosk_buf *k, uint32_t pid, int session, int dir, int outcome,
                int64_t t, bool trusted)
{
    if (!k->body) {
        k->cap = 1 << 20;
        k->body = malloc(k->cap);
    }
    if (k->records == 1000 && push(port, k)) {
        return -1;
    }
    if (!k->records) {
        k->len = (size_t)snprintf(k->body, k->cap, "{\"checkins\":[");
    }
    k->seq++;
    int64_t ms = t * 1000 + rnd(1000);
    k->len += (size_t)snprintf(
        k->body + k->len, k->cap - k->len,
        "%s{\"uuid\":\"%08x-0000-4000-8000-%012x\",\"event_id\":%u,\"participant_id\":%u,"
        "\"session_id\":%d,\"direction\":\"%s\",\"method\":%d,\"outcome\":%d,\"staff_id\":\"%s\","
        "\"code_hash\":\"00112233445566778899aabbccddeeff\",\"wall_ms\":%lld,"
        "\"wall_recorded_ms\":%lld,\"mono_ms\":%lld,"
        "\"boot_id\":\"0f0e0d0c-0b0a-4908-8706-0504030201%02x\",\"clock_trusted\":%s}",
        k->records ? "," : "", (unsigned)k->id, k->seq, EVENT, pid, session,
        dir == ENTRY ? "entry" : "exit", outcome == 17 ? 2 : 0, outcome,
        outcome == 17 ? "accueil" : "", (long long)ms, (long long)ms, (long long)(ms % 86400000),
        (unsigned)k->id, trusted ? "true" : "false");
    k->records++;
    k->total++;
    return 0;
}

/* Participant pid's scans in the session of slot s in room r (kiosk 2r or 2r+1). Returns the
 * anomaly drawn, for the summary. */
static int attend(uint16_t port, kiosk_buf *kiosks, uint32_t pid, int s, int r,
                  const slot_time *slot, int *err)
{
    int session = 1001 + 2 * s + r;
    kiosk_buf *door = &kiosks[2 * r + rnd(2)], *out = &kiosks[2 * r + rnd(2)];
    /* The last kiosk's clock is untrusted on the second day. */
    bool trusted_in = !(door == &kiosks[KIOSKS - 1] && s >= 5);
    bool trusted_out = !(out == &kiosks[KIOSKS - 1] && s >= 5);
    int64_t in = slot->start - 600 + rnd(1500);
    int64_t leave = slot->end - 600 + rnd(1200);
    unsigned draw = rnd(100);
    int kind = 0;
    int in_outcome = rnd(100) == 0 ? 17 : 0; /* admitted by staff (badge forgotten) */
    if (draw < 6) {                          /* missing exit */
        *err |= scan(port, door, pid, session, ENTRY, in_outcome, in, trusted_in);
        kind = 1;
    } else if (draw < 9) { /* walked into the parallel session for a while */
        int other = 1001 + 2 * s + (1 - r);
        kiosk_buf *k2 = &kiosks[2 * (1 - r)];
        *err |= scan(port, door, pid, session, ENTRY, in_outcome, in, trusted_in);
        *err |= scan(port, k2, pid, other, ENTRY, 0, slot->start + 2400, true);
        *err |= scan(port, k2, pid, other, EXIT, 1, slot->start + 3600, true);
        *err |= scan(port, out, pid, session, EXIT, 1, leave, trusted_out);
        kind = 2;
    } else if (draw < 11) { /* exit without entry */
        *err |= scan(port, out, pid, session, EXIT, 2, leave, trusted_out);
        kind = 3;
    } else if (draw < 16) { /* left for a call, came back */
        *err |= scan(port, door, pid, session, ENTRY, in_outcome, in, trusted_in);
        *err |= scan(port, out, pid, session, EXIT, 1, slot->start + 1800, trusted_out);
        *err |= scan(port, door, pid, session, ENTRY, 0, slot->start + 2400, trusted_in);
        *err |= scan(port, out, pid, session, EXIT, 1, leave, trusted_out);
        kind = 4;
    } else {
        *err |= scan(port, door, pid, session, ENTRY, in_outcome, in, trusted_in);
        *err |= scan(port, out, pid, session, EXIT, 1, leave, trusted_out);
    }
    return kind;
}

/* ---- the measured requests ---- */

typedef struct target {
    const char *what;
    const char *path;
    bool console; /* with the session cookie */
    bool kiosk;   /* with a kiosk's token */
    samples s;
    double cpu_s; /* the registry's CPU time over the requests */
    size_t bytes;
    int bad; /* answers other than 200 */
} target;

static void measure(test_registry *reg, const char *cookie, const char *token, target *t,
                    long rounds)
{
    for (long i = 0; i < rounds; i++) {
        http_resp a;
        double c0 = proc_cpu_s(reg->proc.pid);
        double t0 = now_s();
        if (t->kiosk) {
            http_do(reg->proc.port, "GET", t->path, token, NULL, NULL, 0, &a);
        } else {
            web_request(reg, "GET", t->path, t->console ? cookie : NULL, NULL, NULL, &a);
        }
        samples_add(&t->s, (uint64_t)((now_s() - t0) * 1e9));
        t->cpu_s += proc_cpu_s(reg->proc.pid) - c0;
        if (a.status != 200) {
            t->bad++;
            if (t->bad == 1) {
                fprintf(stderr, "bench_console: %s: %d\n", t->path, a.status);
            }
        }
        t->bytes = a.len;
        http_resp_free(&a);
    }
}

/* GET path with the session cookie, waiting up to ten minutes for the answer (http_do gives up
 * after 20 s; the attestations zip of a big event takes longer). The status, 0 without answer;
 * the body's size in *bytes. */
static int slow_get(const test_registry *reg, const char *path, const char *cookie, size_t *bytes)
{
    int fd = http_connect(reg->proc.port, 600);
    if (fd < 0) {
        return 0;
    }
    char req[512];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n"
                     "Cookie: %s\r\n\r\n",
                     path, (unsigned)reg->proc.port, cookie);
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        close(fd);
        return 0;
    }
    char buf[1 << 16], head[64] = "";
    size_t total = 0, got = 0;
    ssize_t r;
    while ((r = recv(fd, buf, sizeof(buf), 0)) > 0) {
        if (got < sizeof(head) - 1) {
            size_t k = sizeof(head) - 1 - got < (size_t)r ? sizeof(head) - 1 - got : (size_t)r;
            memcpy(head + got, buf, k);
            got += k;
            head[got] = '\0';
        }
        total += (size_t)r;
    }
    close(fd);
    int status = 0;
    *bytes = total;
    return sscanf(head, "HTTP/1.%*d %d", &status) == 1 ? status : 0;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 50;
    long people = argc > 2 ? atol(argv[2]) : 2000;
    if (rounds < 1 || people < 10) {
        fprintf(stderr, "usage: bench_console [REQUESTS (>= 1) [PARTICIPANTS (>= 10)]]\n");
        return 2;
    }
    test_registry reg;
    memset(&reg, 0, sizeof(reg));
    if (fixture_mkdtemp(reg.proc.dir, sizeof(reg.proc.dir))) {
        return 1;
    }
    snprintf(reg.proc.db, sizeof(reg.proc.db), "%s/registry.db", reg.proc.dir);
    snprintf(reg.log, sizeof(reg.log), "%s/registry.log", reg.proc.dir);
    /* The registry's own log: warnings only (its debug lines would be part of every request). */
    setenv("BORNE_LOG", "warn", 1);

    /* ---- the database ---- */
    double t0 = now_s();
    slot_time slots[SLOTS];
    char ev_path[400], roster_path[400];
    unsigned char(*room)[SLOTS] = calloc((size_t)people, sizeof(*room));
    if (write_event(reg.proc.dir, ev_path, sizeof(ev_path), slots)) {
        fprintf(stderr, "bench_console: cannot write the event\n");
        return 1;
    }
    write_roster(reg.proc.dir, people, room, roster_path, sizeof(roster_path));
    char key[600];
    snprintf(key, sizeof(key), "%s/sign.key", reg.proc.dir);
    if (harness_admin(&reg.proc, NULL, 0, "event", "import", ev_path, NULL) ||
        harness_admin(&reg.proc, NULL, 0, "roster", "import", "42", roster_path, NULL) ||
        harness_admin(&reg.proc, NULL, 0, "keys", "generate", "--out", key, "--id", "7", NULL) ||
        harness_serve(&reg.proc, 0, "--attest-key", key, NULL)) {
        fprintf(stderr, "bench_console: cannot set up or start the registry\n");
        return 1;
    }
    kiosk_buf kiosks[KIOSKS];
    memset(kiosks, 0, sizeof(kiosks));
    for (int k = 0; k < KIOSKS; k++) {
        kiosks[k].id = registry_kiosk(&reg, EVENT, kiosks[k].token, NULL);
    }
    double push_cpu = proc_cpu_s(reg.proc.pid);
    int err = 0, kinds[5] = {0};
    long attended = 0, registered = 0;
    for (long i = 0; i < people && !err; i++) {
        for (int s = 0; s < SLOTS; s++) {
            registered++;
            if (rnd(100) < 70) {
                attended++;
                kinds[attend(reg.proc.port, kiosks, (uint32_t)(i + 1), s, room[i][s], &slots[s],
                             &err)]++;
            }
        }
    }
    size_t pushed = 0;
    for (int k = 0; k < KIOSKS; k++) {
        err |= push(reg.proc.port, &kiosks[k]);
        pushed += kiosks[k].total;
        free(kiosks[k].body);
    }
    push_cpu = proc_cpu_s(reg.proc.pid) - push_cpu;
    free(room);
    int64_t stored = registry_query_int(&reg, "SELECT count(*) FROM checkin");
    web_add_user(&reg, "nadia", "registrar", PASSWORD);
    double built = now_s() - t0;
    if (err || stored != (int64_t)pushed) {
        fprintf(stderr, "bench_console: %zu check-ins pushed, %lld stored\n", pushed,
                (long long)stored);
        return 1;
    }
    printf("database: %ld participants, %d sessions (2 days, %d rooms), %ld of %ld registrations "
           "attended (%.0f %%), %lld check-ins from %d kiosks (missing exit %d, parallel session "
           "%d, exit without entry %d, re-entry %d): built in %.2f s (event and roster import, "
           "pushes through the API)\n",
           people, SLOTS * ROOMS, ROOMS, attended, registered,
           100.0 * (double)attended / (double)registered, (long long)stored, KIOSKS, kinds[1],
           kinds[2], kinds[3], kinds[4], built);
    /* The write side: what the kiosks' pushes cost the registry (each check-in goes into the
     * table and every index on it), and the room the check-ins take. */
    printf("pushes: %d requests of up to 1000 check-ins, %.2f s in all, %.1f ms of registry CPU "
           "per 1000 check-ins\n",
           push_n, push_s, 1000.0 * push_cpu / ((double)stored / 1000.0));
    printf("database: %.1f MB, check-ins %.1f MB of which indexes %.1f MB\n",
           (double)registry_query_int(&reg, "SELECT sum(pgsize) FROM dbstat") / 1e6,
           (double)registry_query_int(&reg, "SELECT sum(pgsize) FROM dbstat WHERE name IN"
                                            " (SELECT name FROM sqlite_schema"
                                            "  WHERE tbl_name = 'checkin')") /
               1e6,
           (double)registry_query_int(&reg, "SELECT sum(pgsize) FROM dbstat WHERE name IN"
                                            " (SELECT name FROM sqlite_schema"
                                            "  WHERE tbl_name = 'checkin' AND type = 'index')") /
               1e6);

    /* ---- the requests ---- */
    char cookie[80];
    web_sign_in(&reg, "nadia", PASSWORD, cookie);
    /* The kiosk's pull baseline: an incremental pull with nothing new, as every sync cycle. */
    char pull[64] = "/v1/roster?since=0";
    for (int more = 1; more;) {
        http_resp a;
        http_do(reg.proc.port, "GET", pull, kiosks[0].token, NULL, NULL, 0, &a);
        json_t *root = a.status == 200 ? json_loadb(a.body, a.len, 0, NULL) : NULL;
        if (!root) {
            fprintf(stderr, "bench_console: roster pull: %d\n", a.status);
            return 1;
        }
        more = json_is_true(json_object_get(root, "more"));
        snprintf(pull, sizeof(pull), "/v1/roster?since=%lld",
                 (long long)json_integer_value(json_object_get(root, "cursor")));
        json_decref(root);
        http_resp_free(&a);
    }
    char person[64];
    snprintf(person, sizeof(person), "/events/%u/participants/%ld", EVENT, people / 2);
    target targets[] = {
        {.what = "static asset (baseline)",
         .path = "/assets/console.css",
         .console = false,
         .kiosk = false},
        {.what = "kiosk pull, nothing new (baseline)",
         .path = pull,
         .console = false,
         .kiosk = true},
        {.what = "events list", .path = "/events", .console = true, .kiosk = false},
        {.what = "live view page", .path = "/events/42", .console = true, .kiosk = false},
        {.what = "live view poll (live.json)",
         .path = "/events/42/live.json",
         .console = true,
         .kiosk = false},
        {.what = "credits page", .path = "/events/42/credits", .console = true, .kiosk = false},
        {.what = "credits Excel-FR CSV",
         .path = "/events/42/credits-excel.csv",
         .console = true,
         .kiosk = false},
        {.what = "credits CSV", .path = "/events/42/credits.csv", .console = true, .kiosk = false},
        {.what = "credits JSON",
         .path = "/events/42/credits.json",
         .console = true,
         .kiosk = false},
        {.what = "review queue, page 1 (50 cases)",
         .path = "/events/42/review",
         .console = true,
         .kiosk = false},
        {.what = "review queue, page 40",
         .path = "/events/42/review?page=40",
         .console = true,
         .kiosk = false},
        {.what = "review queue, clock in B6",
         .path = "/events/42/review?kind=clock&session=1012",
         .console = true,
         .kiosk = false},
        {.what = "search « helene »",
         .path = "/events/42/participants?q=helene",
         .console = true,
         .kiosk = false},
        {.what = "search « tr » (many)",
         .path = "/events/42/participants?q=tr",
         .console = true,
         .kiosk = false},
        {.what = "participant timeline", .path = person, .console = true, .kiosk = false},
    };
    size_t nt = COUNT(targets);
    /* One warm-up request each (statements, page cache), then the rounds interleaved so that a
     * noisy moment of the machine spreads over every page. */
    for (size_t i = 0; i < nt; i++) {
        target warm = targets[i];
        memset(&warm.s, 0, sizeof(warm.s));
        measure(&reg, cookie, kiosks[0].token, &warm, 1);
        free(warm.s.v);
    }
    for (long k = 0; k < rounds; k++) {
        for (size_t i = 0; i < nt; i++) {
            measure(&reg, cookie, kiosks[0].token, &targets[i], 1);
        }
    }
    double base_static = samples_pct_ms(&targets[0].s, 0.5);
    double base_pull = samples_pct_ms(&targets[1].s, 0.5);
    printf("%ld requests each, one connection per request (loopback, as a browser without "
           "keep-alive); times in ms\n",
           rounds);
    printf("%-36s %8s %8s %8s %9s %9s %10s %10s\n", "page", "median", "p95", "max", "x static",
           "x pull", "bytes", "CPU/req");
    for (size_t i = 0; i < nt; i++) {
        target *t = &targets[i];
        double med = samples_pct_ms(&t->s, 0.5);
        printf("%-36s %8.2f %8.2f %8.2f %9.1f %9.1f %10zu %10.1f%s\n", t->what, med,
               samples_pct_ms(&t->s, 0.95), samples_pct_ms(&t->s, 1.0),
               base_static > 0 ? med / base_static : 0, base_pull > 0 ? med / base_pull : 0,
               t->bytes, t->s.n ? 1000.0 * t->cpu_s / (double)t->s.n : 0,
               t->bad ? "  (answers other than 200!)" : "");
        free(t->s.v);
    }
    printf("target: live view and credits < 200 ms on a laptop\n");
    /* Every attestation of the event as one zip: one PDF per participant credited, signed; heavy,
     * so a few requests only. */
    samples zip = {0};
    size_t zip_bytes = 0;
    int zip_bad = 0;
    long zip_rounds = rounds < 2 ? rounds : 2;
    for (long i = 0; i < zip_rounds; i++) {
        double z0 = now_s();
        int status = slow_get(&reg, "/events/42/attestations.zip", cookie, &zip_bytes);
        samples_add(&zip, (uint64_t)((now_s() - z0) * 1e9));
        if (status != 200 && !zip_bad++) {
            fprintf(stderr, "bench_console: attestations.zip: %d\n", status);
        }
    }
    printf("%-36s %8.0f %8s %8.0f %9s %9s %10zu%s  (%ld requests, headers included)\n",
           "attestations zip", samples_pct_ms(&zip, 0.5), "", samples_pct_ms(&zip, 1.0), "", "",
           zip_bytes, zip_bad ? "  (answers other than 200!)" : "", zip_rounds);
    free(zip.v);
    harness_kill(&reg.proc, SIGTERM);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", reg.proc.dir);
    return system(cmd) == 0 ? 0 : 1;
}
