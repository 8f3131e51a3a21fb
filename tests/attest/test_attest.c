/* src/attest and the commands around it, on a registry database built here with the registry's
 * own functions (event, roster, key, a kiosk and its check-ins):
 *  - attendance read back per session, minutes bounded by `now`, totals from minutes;
 *  - the PDF: its text (pdftotext: the name with its accents, the sessions, 2,50 h for three
 *    50-minute sessions, not 2,49), its QR code (pdftoppm to PNG, read with zbar) is exactly the
 *    signed token, which verifies;
 *  - an event's attestations in a folder and a zip (read back with libzip);
 *  - `borne-registry attest` / `verify` and `bornectl verify` run for real, forged codes
 *    refused with exit 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include "attest/attest.h"
#include "badge/decode.h"
#include "cli/keyfile.h"
#include "core/attest_token.h"
#include "core/credits.h"
#include "registry/regdb.h"
#include "registry/review.h"
#include "support/fixture.h"

#define EVENT    42u
#define KEY_ID   7u
#define T0       1779282000LL /* 2026-05-20T09:00:00-04:00 */
#define MIN      60
#define P_EMILIE 1u /* three 50-minute sessions: 150 min */
#define P_JF     2u /* an exit never scanned, and a proportional session left and re-entered */
#define P_LUC    3u /* an exit without entry only: nothing attended */
#define P_ABSENT 4u /* nothing */

typedef struct world {
    char dir[256];
    char db_path[320];
    char key_path[320];
    struct borne_regdb *db;
    uint8_t pk[32], sk[64];
    borne_reg_kiosk kiosk;
} world;

static void add_session(borne_session *s, uint32_t id, const char *code, const char *title,
                        int64_t start, int minutes, int credit, const char *rule)
{
    memset(s, 0, sizeof(*s));
    s->id = id;
    s->event_id = EVENT;
    snprintf(s->code, sizeof(s->code), "%s", code);
    snprintf(s->title, sizeof(s->title), "%s", title);
    snprintf(s->room, sizeof(s->room), "Salle Richelieu");
    s->starts = start;
    s->ends = start + minutes * MIN;
    assert_int_equal(borne_credit_rule_parse(rule, credit, &s->rule), 0);
    s->open_before_s = 1800;
    s->close_after_s = 1800;
    s->requires_registration = true;
}

static void person(world *w, uint32_t id, const char *name, const char *org)
{
    borne_participant p = {.id = id, .event_id = EVENT, .member = true};
    snprintf(p.display_name, sizeof(p.display_name), "%s", name);
    snprintf(p.organisation, sizeof(p.organisation), "%s", org);
    p.status = BORNE_REG_CONFIRMED;
    static const uint32_t all[] = {201, 202, 203, 204};
    assert_int_equal(borne_regdb_put_participant(w->db, &p, NULL, all, 4, NULL), 0);
}

static void scan(world *w, uint32_t who, uint32_t session, borne_direction dir, int64_t t,
                 borne_outcome outcome)
{
    borne_checkin_row c;
    fixture_checkin_row(&c, w->kiosk.name, EVENT, who, session);
    c.direction = dir;
    c.outcome = outcome;
    c.method = BORNE_METHOD_CAMERA;
    c.time.wall_ms = t * 1000;
    c.time.mono_ms = t * 1000;
    c.time.trusted = true;
    snprintf(c.time.boot_id, sizeof(c.time.boot_id), "boot-1");
    c.wall_recorded_ms = c.time.wall_ms;
    borne_push_result r;
    assert_int_equal(borne_regdb_store_checkins(w->db, &w->kiosk, &c, NULL, NULL, 1, &r), 0);
    assert_int_equal(r.status, BORNE_PUSH_STORED);
}

static void in(world *w, uint32_t who, uint32_t s, int64_t t)
{
    scan(w, who, s, BORNE_ENTRY, t, BORNE_OUTCOME_ACCEPTED_ENTRY);
}

static void out(world *w, uint32_t who, uint32_t s, int64_t t)
{
    scan(w, who, s, BORNE_EXIT, t, BORNE_OUTCOME_ACCEPTED_EXIT);
}

static int setup(void **state)
{
    if (sodium_init() < 0) {
        return -1;
    }
    world *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    assert_int_equal(fixture_mkdtemp(w->dir, sizeof(w->dir)), 0);
    snprintf(w->db_path, sizeof(w->db_path), "%s/registry.db", w->dir);
    snprintf(w->key_path, sizeof(w->key_path), "%s/sign.key", w->dir);
    assert_int_equal(borne_regdb_open(w->db_path, &w->db), 0);

    borne_event ev = {.id = EVENT, .starts = T0 - 9 * 3600, .ends = T0 + 15 * 3600};
    snprintf(ev.name, sizeof(ev.name), "Congrès annuel de la COMAQ");
    snprintf(ev.timezone, sizeof(ev.timezone), "America/Montreal");
    borne_session s[4];
    add_session(&s[0], 201, "A1", "Loi 25 : protéger les renseignements personnels", T0, 50, 50,
                "threshold:800");
    add_session(&s[1], 202, "A2", "Gestion contractuelle municipale", T0 + 60 * MIN, 50, 50,
                "threshold:800");
    add_session(&s[2], 203, "A3", "Éthique et déontologie", T0 + 120 * MIN, 50, 50,
                "threshold:800");
    add_session(&s[3], 204, "B1", "Élections : le rôle du président", T0 + 240 * MIN, 120, 120,
                "proportional:15");
    assert_int_equal(borne_regdb_put_event(w->db, &ev, s, 4), 0);
    /* The rule these attestations were written for: an exit never scanned counts until the
     * end (the default, review, is tested in test_collect). */
    assert_int_equal(borne_review_set_policy(w->db, EVENT, BORNE_MISSING_EXIT_FULL), 0);
    person(w, P_EMILIE, "Émilie Côté", "Ville de Québec");
    person(w, P_JF, "Jean-François Bélanger", "Municipalité de Saint-Élzéar");
    person(w, P_LUC, "Luc Ouellet", "Ville de Rimouski");
    person(w, P_ABSENT, "Marie Absente", "Ville de Laval");

    uint8_t seed[32];
    memset(seed, 0x42, sizeof(seed));
    crypto_sign_seed_keypair(w->pk, w->sk, seed);
    assert_int_equal(borne_regdb_put_key(w->db, KEY_ID, w->pk), 0);
    borne_keyfile kf = {.key_id = KEY_ID};
    memcpy(kf.secret, w->sk, 64);
    assert_int_equal(borne_keyfile_write(w->key_path, &kf), 0);

    int64_t kid;
    char enrol[BORNE_API_TOKEN_MAX], api[BORNE_API_TOKEN_MAX];
    assert_int_equal(borne_regdb_add_kiosk(w->db, EVENT, "porte-A", 3600, &kid, enrol), 0);
    assert_int_equal(borne_regdb_enrol(w->db, enrol, "porte-A", "test", &w->kiosk, api), 0);

    /* Émilie: each of the three 50-minute sessions in full. */
    for (int i = 0; i < 3; i++) {
        in(w, P_EMILIE, 201 + (uint32_t)i, T0 + i * 60 * MIN - 3 * MIN);
        out(w, P_EMILIE, 201 + (uint32_t)i, T0 + i * 60 * MIN + 51 * MIN);
    }
    /* Jean-François: A1 entered at 09:05, never left (counted to 09:50: 45 min, 900 ‰, full
     * credit); B1 13:10-14:00 and 14:10-15:05 (100 of 120 min, proportional: 100 -> 90). */
    in(w, P_JF, 201, T0 + 5 * MIN);
    in(w, P_JF, 204, T0 + 250 * MIN);
    out(w, P_JF, 204, T0 + 300 * MIN);
    in(w, P_JF, 204, T0 + 310 * MIN);
    out(w, P_JF, 204, T0 + 365 * MIN);
    /* Luc: an exit with no entry. */
    scan(w, P_LUC, 201, BORNE_EXIT, T0 + 50 * MIN, BORNE_OUTCOME_EXIT_WITHOUT_ENTRY);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    borne_regdb_close(w->db);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->dir);
    if (system(cmd) != 0) {
        return -1;
    }
    free(w);
    return 0;
}

static borne_attest_options options(world *w)
{
    borne_attest_options o = {
        .lang = BORNE_ATTEST_FR,
        .paper = BORNE_PAPER_LETTER,
        .issued_at = T0 + 36 * 3600, /* 2026-05-21 21:00 local */
        .key_id = KEY_ID,
        .secret = w->sk,
    };
    return o;
}

/* Runs a command (argv[0] a path), its stdout into out[cap]; returns its exit status. */
static int run(char *out, size_t cap, char *const argv[])
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t r;
    char sink[4096];
    while ((r = read(fd[0], out && n + 1 < cap ? out + n : sink,
                     out && n + 1 < cap ? cap - 1 - n : sizeof(sink))) > 0) {
        if (out && n + 1 < cap) {
            n += (size_t)r;
        }
    }
    close(fd[0]);
    if (out) {
        out[n] = '\0';
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The text of a PDF (pdftotext, reading order, one space between words). */
static char *pdf_text(const char *pdf)
{
    char *text = malloc(65536);
    assert_non_null(text);
    char *argv[] = {"/usr/bin/pdftotext", "-enc", "UTF-8", (char *)pdf, "-", NULL};
    assert_int_equal(run(text, 65536, argv), 0);
    /* No-break spaces and line breaks read as spaces, runs of spaces as one, to match against
     * plain text whichever way a cell wraps. */
    size_t o = 0;
    for (size_t i = 0; text[i]; i++) {
        bool space = text[i] == ' ' || text[i] == '\n' || text[i] == '\f';
        if (!space && (unsigned char)text[i] == 0xc2 && (unsigned char)text[i + 1] == 0xa0) {
            space = true;
            i++;
        }
        if (space) {
            if (o > 0 && text[o - 1] != ' ') {
                text[o++] = ' ';
            }
        } else {
            text[o++] = text[i];
        }
    }
    text[o] = '\0';
    return text;
}

/* Renders page `page` of the PDF at 150 dpi (pdftoppm) and reads its QR code with zbar. */
static long pdf_qr(const char *dir, const char *pdf, int page, char *out, size_t cap)
{
    char prefix[400], png[420], p[16];
    snprintf(prefix, sizeof(prefix), "%s/page", dir);
    snprintf(p, sizeof(p), "%d", page);
    char *argv[] = {"/usr/bin/pdftoppm", "-r",   "150", "-png", "-gray",
                    "-singlefile",       "-f",   p,     "-l",   p,
                    (char *)pdf,         prefix, NULL};
    assert_int_equal(run(NULL, 0, argv), 0);
    snprintf(png, sizeof(png), "%s.png", prefix);
    int w, h;
    long n = test_decode_png(png, &w, &h, out, cap);
    assert_int_equal(w, 1275); /* 8.5 in at 150 dpi: US Letter */
    assert_int_equal(h, 1650);
    /* The same with zbarimg, the command people use (Debian's zbar-tools), when installed. */
    if (access("/usr/bin/zbarimg", X_OK) == 0) {
        char zout[512];
        char *zargv[] = {"/usr/bin/zbarimg", "-q", "--raw", png, NULL};
        assert_int_equal(run(zout, sizeof(zout), zargv), 0);
        size_t zn = strcspn(zout, "\n");
        zout[zn] = '\0';
        assert_true(n >= 0);
        assert_string_equal(zout, out);
    } else {
        fprintf(stderr, "zbarimg not installed (zbar-tools): QR code read with libzbar only\n");
    }
    unlink(png);
    return n;
}

static void test_collect(void **state)
{
    world *w = *state;
    borne_attest a;
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_EMILIE, INT64_MAX, &a), 0);
    assert_string_equal(a.participant.display_name, "Émilie Côté");
    assert_int_equal(a.count, 3);
    assert_int_equal(a.total_minutes, 150);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(a.sessions[i].id, 201 + i);
        assert_int_equal(a.sessions[i].credit_minutes, 50);
        assert_int_equal(a.sessions[i].attended_s, 50 * MIN);
        assert_int_equal(a.sessions[i].first_entry, T0 + (int64_t)i * 60 * MIN - 3 * MIN);
        assert_int_equal(a.sessions[i].last_exit, T0 + (int64_t)i * 60 * MIN + 51 * MIN);
        assert_false(a.sessions[i].exit_missing);
    }
    borne_attest_clear(&a);

    assert_int_equal(borne_attest_collect(w->db, EVENT, P_JF, INT64_MAX, &a), 0);
    assert_int_equal(a.count, 2);
    assert_true(a.sessions[0].exit_missing);
    assert_int_equal(a.sessions[0].last_exit, 0);
    assert_int_equal(a.sessions[0].open_until, T0 + 50 * MIN);
    assert_false(a.sessions[1].exit_missing);
    assert_int_equal(a.sessions[1].first_entry, T0 + 250 * MIN);
    assert_int_equal(a.sessions[1].last_exit, T0 + 365 * MIN);
    assert_int_equal(a.sessions[0].attended_s, 45 * MIN);
    assert_int_equal(a.sessions[0].credit_minutes, 50);
    assert_int_equal(a.sessions[1].intervals, 2);
    assert_int_equal(a.sessions[1].attended_s, 100 * MIN);
    assert_int_equal(a.sessions[1].credit_minutes, 90);
    assert_int_equal(a.total_minutes, 140);
    borne_attest_clear(&a);

    /* Under the default policy (review) the missing exit earns nothing until a registrar
     * decides: A1 is left out; accepted, it is back. The attestation and the export agree. */
    assert_int_equal(borne_review_set_policy(w->db, EVENT, BORNE_MISSING_EXIT_REVIEW), 0);
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_JF, INT64_MAX, &a), 0);
    assert_int_equal(a.count, 1);
    assert_int_equal(a.sessions[0].id, 204);
    assert_int_equal(a.total_minutes, 90);
    borne_attest_clear(&a);
    const char *why;
    int64_t did;
    borne_review_request req = {
        .session_id = 201, .participant_id = P_JF, .decision = BORNE_REVIEW_ACCEPT, .by = "Nadia"};
    assert_int_equal(borne_review_decide(w->db, &req, T0 + 600 * MIN, &did, &why), 0);
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_JF, INT64_MAX, &a), 0);
    assert_int_equal(a.count, 2);
    assert_int_equal(a.total_minutes, 140);
    borne_attest_clear(&a);
    borne_credits_table t;
    assert_int_equal(borne_credits_load(w->db, EVENT, INT64_MAX, &t), 0);
    const borne_credit_row *row = borne_credits_find(&t, P_JF, 201);
    assert_non_null(row);
    assert_int_equal(row->credit.credit_minutes, 50);
    borne_credits_table_free(&t);
    req.decision = BORNE_REVIEW_REJECT;
    req.reason = "test";
    assert_int_equal(borne_review_decide(w->db, &req, T0 + 601 * MIN, &did, &why), 0);
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_JF, INT64_MAX, &a), 0);
    assert_int_equal(a.total_minutes, 90);
    borne_attest_clear(&a);
    /* Back as the other tests expect (a decision stands: undone by deleting it here). */
    assert_int_equal(borne_review_set_policy(w->db, EVENT, BORNE_MISSING_EXIT_FULL), 0);
    assert_int_equal(
        sqlite3_exec(borne_regdb_sqlite(w->db), "DELETE FROM review_decision", NULL, NULL, NULL),
        SQLITE_OK);

    /* Issued at 09:20 on the day: A1 counts 15 minutes, not to its end (no future minutes). */
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_JF, T0 + 20 * MIN, &a), 0);
    assert_int_equal(a.count, 1);
    assert_int_equal(a.sessions[0].attended_s, 15 * MIN);
    assert_int_equal(a.sessions[0].credit_minutes, 0);
    assert_true(a.sessions[0].exit_missing);
    assert_int_equal(a.sessions[0].open_until, T0 + 20 * MIN);
    borne_attest_clear(&a);

    /* Nothing attended: no session listed, no attestation. */
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_LUC, INT64_MAX, &a), 0);
    assert_int_equal(a.count, 0);
    borne_attest_options o = options(w);
    unsigned char *pdf;
    size_t len;
    assert_int_equal(borne_attest_pdf(&a, &o, &pdf, &len, NULL), BORNE_ERR_INVALID);
    borne_attest_clear(&a);
    assert_int_equal(borne_attest_collect(w->db, EVENT, 999, INT64_MAX, &a), BORNE_ERR_NOT_FOUND);
    assert_int_equal(borne_attest_collect(w->db, 43, P_EMILIE, INT64_MAX, &a), BORNE_ERR_NOT_FOUND);

    uint32_t *ids;
    size_t n;
    assert_int_equal(borne_attest_participants(w->db, EVENT, &ids, &n), 0);
    assert_int_equal(n, 2); /* in the credits' name order (core/collate.h): Bélanger, Côté */
    assert_int_equal(ids[0], P_JF);
    assert_int_equal(ids[1], P_EMILIE);
    free(ids);
}

static void test_pdf(void **state)
{
    world *w = *state;
    borne_attest a;
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_EMILIE, INT64_MAX, &a), 0);
    borne_attest_options o = options(w);
    char path[400], token[BORNE_ATTEST_TOKEN_TEXT_LEN + 1];
    snprintf(path, sizeof(path), "%s/emilie.pdf", w->dir);
    assert_int_equal(borne_attest_write_pdf(&a, &o, path, token), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    char *text = pdf_text(path);
    assert_non_null(strstr(text, "Confirmation de présence"));
    assert_non_null(strstr(text, "Émilie Côté"));
    assert_non_null(strstr(text, "Ville de Québec"));
    assert_non_null(strstr(text, "Congrès annuel de la COMAQ"));
    assert_non_null(strstr(text, "20 mai 2026"));
    assert_non_null(strstr(text, "Loi 25 : protéger les renseignements personnels"));
    assert_non_null(strstr(text, "Gestion contractuelle municipale"));
    assert_non_null(strstr(text, "Éthique et déontologie"));
    assert_non_null(strstr(text, "8 h 57 – 9 h 51")); /* entry and exit of A1 */
    assert_non_null(strstr(text, "9 h 00 – 9 h 50")); /* its schedule */
    assert_non_null(strstr(text, "0,83 h"));
    assert_non_null(strstr(text, "Total des heures créditées"));
    assert_non_null(strstr(text, "2,50 h"));
    assert_null(strstr(text, "2,49"));
    assert_non_null(strstr(text, "Délivrée le 21 mai 2026"));
    assert_non_null(strstr(text, "Corporation des officiers municipaux agréés du Québec"));
    assert_null(strstr(text, "Sortie non lue")); /* every exit was scanned */
    free(text);

    /* The QR code reads back exactly as the signed token, which verifies. */
    char qr[512];
    long n = pdf_qr(w->dir, path, 1, qr, sizeof(qr));
    assert_int_equal(n, BORNE_ATTEST_TOKEN_TEXT_LEN);
    assert_string_equal(qr, token);
    borne_pubkey key = {.key_id = KEY_ID};
    memcpy(key.key, w->pk, 32);
    borne_attest_token tok;
    assert_int_equal(borne_attest_token_verify((const uint8_t *)qr, (size_t)n, &key, 1, &tok),
                     BORNE_TOKEN_OK);
    assert_int_equal(tok.event_id, EVENT);
    assert_int_equal(tok.participant_id, P_EMILIE);
    assert_int_equal(tok.total_minutes, 150);
    assert_int_equal(tok.key_id, KEY_ID);
    assert_int_equal(tok.issued_day, borne_days_from_civil(2026, 5, 21));
    borne_qr m = {0};
    assert_int_equal(borne_qr_encode(qr, (size_t)n, &m), 0);
    assert_int_equal(m.version, 5);
    borne_qr_clear(&m);
    borne_attest_clear(&a);

    /* English, A4, another issuer and a place; an exit not scanned is footnoted. */
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_JF, INT64_MAX, &a), 0);
    o.lang = BORNE_ATTEST_EN;
    o.paper = BORNE_PAPER_A4;
    o.issuer = "Association des greffiers « test »";
    o.place = "Centre des congrès de Québec";
    assert_int_equal(borne_attest_write_pdf(&a, &o, path, token), 0);
    text = pdf_text(path);
    assert_non_null(strstr(text, "Confirmation of attendance"));
    assert_non_null(strstr(text, "Jean-François Bélanger"));
    assert_non_null(strstr(text, "Total hours credited"));
    assert_non_null(strstr(text, "2.33 h")); /* 140 min */
    assert_non_null(strstr(text, "1.50 h")); /* 90 of B1 */
    assert_non_null(strstr(text, "100 min in 2 periods"));
    assert_non_null(strstr(text, "9:05 – 9:50 *"));
    assert_non_null(strstr(text, "Exit not scanned"));
    assert_non_null(strstr(text, "Place: Centre des congrès de Québec"));
    assert_non_null(strstr(text, "Association des greffiers « test »"));
    assert_non_null(strstr(text, "May 20, 2026"));
    free(text);
    borne_attest_clear(&a);

    /* Bad options are refused before anything is written. */
    o.issuer = "tab\there";
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_JF, INT64_MAX, &a), 0);
    unsigned char *pdf;
    size_t len;
    assert_int_equal(borne_attest_pdf(&a, &o, &pdf, &len, NULL), BORNE_ERR_INVALID);
    o.issuer = NULL;
    o.secret = NULL;
    assert_int_equal(borne_attest_pdf(&a, &o, &pdf, &len, NULL), BORNE_ERR_INVALID);
    o.secret = w->sk;
    a.total_minutes = BORNE_ATTEST_MAX_MINUTES + 1;
    assert_int_equal(borne_attest_pdf(&a, &o, &pdf, &len, NULL), BORNE_ERR_TOO_LARGE);
    borne_attest_clear(&a);
}

/* Many sessions: the table goes on over pages, the QR code is on the last one. */
static void test_long(void **state)
{
    world *w = *state;
    borne_attest a;
    assert_int_equal(borne_attest_collect(w->db, EVENT, P_EMILIE, INT64_MAX, &a), 0);
    borne_attest_session *many = calloc(30, sizeof(*many));
    assert_non_null(many);
    for (size_t i = 0; i < 30; i++) {
        many[i] = a.sessions[i % 3];
        snprintf(many[i].title, sizeof(many[i].title),
                 "Atelier %zu : un titre assez long pour tenir sur deux lignes du tableau", i + 1);
    }
    free(a.sessions);
    a.sessions = many;
    a.count = 30;
    a.total_minutes = 30 * 50;
    borne_attest_options o = options(w);
    char path[400], token[BORNE_ATTEST_TOKEN_TEXT_LEN + 1];
    snprintf(path, sizeof(path), "%s/long.pdf", w->dir);
    assert_int_equal(borne_attest_write_pdf(&a, &o, path, token), 0);
    char *text = pdf_text(path);
    assert_non_null(strstr(text, "Page 1 de 3"));
    assert_non_null(strstr(text, "Page 3 de 3"));
    /* The table header again at the top of the next page. */
    assert_non_null(strstr(text, "Page 1 de 3 Confirmation de présence – Émilie Côté – Congrès "
                                 "annuel de la COMAQ Date Activité Horaire prévu"));
    assert_non_null(strstr(text, "Atelier 30 :"));
    assert_non_null(strstr(text, "25,00 h"));
    free(text);
    char qr[512];
    assert_int_equal(pdf_qr(w->dir, path, 3, qr, sizeof(qr)), BORNE_ATTEST_TOKEN_TEXT_LEN);
    assert_string_equal(qr, token);
    borne_attest_clear(&a);
}

static void test_file_name(void **state)
{
    (void)state;
    borne_attest a = {0};
    char name[160];
    a.participant.id = 1042;
    snprintf(a.participant.display_name, sizeof(a.participant.display_name),
             "Hélène Tremblay-Lévesque");
    borne_attest_file_name(&a, name, sizeof(name));
    assert_string_equal(name, "Helene-Tremblay-Levesque-1042.pdf");
    snprintf(a.participant.display_name, sizeof(a.participant.display_name),
             "  Œuvre d’Ærø / ../ß  ");
    borne_attest_file_name(&a, name, sizeof(name));
    assert_string_equal(name, "OEuvre-d-AEro-ss-1042.pdf");
    snprintf(a.participant.display_name, sizeof(a.participant.display_name), "李小龍");
    borne_attest_file_name(&a, name, sizeof(name));
    assert_string_equal(name, "participant-1042.pdf");
}

static struct zip_stat_entry {
    char name[160];
    zip_uint64_t size;
} entries[8];

static void test_event_zip(void **state)
{
    world *w = *state;
    borne_attest_options o = options(w);
    char dir[400], zpath[400];
    snprintf(dir, sizeof(dir), "%s/out", w->dir);
    snprintf(zpath, sizeof(zpath), "%s/event.zip", w->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    size_t written = 0;
    assert_int_equal(
        borne_attest_write_event(w->db, EVENT, 0, INT64_MAX, &o, dir, zpath, NULL, NULL, &written),
        0);
    assert_int_equal(written, 2);
    struct stat st; /* names and hours: owner-only, as the PDFs, whatever the umask */
    assert_int_equal(stat(zpath, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    int zerr = 0;
    zip_t *z = zip_open(zpath, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    assert_non_null(z);
    assert_int_equal(zip_get_num_entries(z, 0), 2);
    for (zip_int64_t i = 0; i < 2; i++) {
        zip_stat_t zs;
        assert_int_equal(zip_stat_index(z, (zip_uint64_t)i, 0, &zs), 0);
        snprintf(entries[i].name, sizeof(entries[i].name), "%s", zs.name);
        entries[i].size = zs.size;
        /* The same bytes as the file in the folder. */
        char path[600];
        snprintf(path, sizeof(path), "%s/%s", dir, zs.name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        unsigned char *a = malloc(zs.size), *b = malloc(zs.size);
        assert_int_equal(fread(a, 1, zs.size, f), zs.size);
        fclose(f);
        zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)i, 0);
        assert_non_null(zf);
        assert_int_equal(zip_fread(zf, b, zs.size), (zip_int64_t)zs.size);
        zip_fclose(zf);
        assert_memory_equal(a, b, zs.size);
        assert_memory_equal(b, "%PDF-", 5);
        free(a);
        free(b);
    }
    zip_close(z);
    assert_string_equal(entries[0].name, "Jean-Francois-Belanger-2.pdf");
    assert_string_equal(entries[1].name, "Emilie-Cote-1.pdf");

    /* A zip alone (the PDFs wait in a temporary folder, removed after): the same entries. */
    snprintf(zpath, sizeof(zpath), "%s/only.zip", w->dir);
    assert_int_equal(
        borne_attest_write_event(w->db, EVENT, 0, INT64_MAX, &o, NULL, zpath, NULL, NULL, &written),
        0);
    assert_int_equal(written, 2);
    z = zip_open(zpath, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    assert_non_null(z);
    assert_int_equal(zip_get_num_entries(z, 0), 2);
    for (zip_int64_t i = 0; i < 2; i++) {
        zip_stat_t zs;
        assert_int_equal(zip_stat_index(z, (zip_uint64_t)i, 0, &zs), 0);
        assert_string_equal(zs.name, entries[i].name);
        assert_true(zs.size > 10000);
    }
    zip_close(z);
    char ls[600];
    snprintf(ls, sizeof(ls), "ls -d '%s'/only.zip.parts-* 2>/dev/null", w->dir);
    FILE *p = popen(ls, "r");
    char line[512];
    assert_null(fgets(line, sizeof(line), p)); /* no temporary folder left */
    pclose(p);

    /* One participant; one who attended nothing is refused. */
    assert_int_equal(borne_attest_write_event(w->db, EVENT, P_JF, INT64_MAX, &o, dir, NULL, NULL,
                                              NULL, &written),
                     0);
    assert_int_equal(written, 1);
    assert_int_equal(borne_attest_write_event(w->db, EVENT, P_LUC, INT64_MAX, &o, dir, NULL, NULL,
                                              NULL, &written),
                     BORNE_ERR_NOT_FOUND);
    assert_int_equal(
        borne_attest_write_event(w->db, 43, 0, INT64_MAX, &o, dir, NULL, NULL, NULL, &written),
        BORNE_ERR_NOT_FOUND);
}

static const char *bin(const char *rel, char *out, size_t cap)
{
    const char *build = getenv("BORNE_BUILD_DIR");
    snprintf(out, cap, "%s/%s", build ? build : ".", rel);
    return out;
}

/* The commands, for real, on the database built here. */
static void test_cli(void **state)
{
    world *w = *state;
    borne_regdb_close(w->db); /* the commands open it themselves */
    w->db = NULL;
    char reg[400], ctl[400], dir[400], zpath[400], outbuf[8192];
    bin("src/registry/borne-registry", reg, sizeof(reg));
    bin("src/cli/bornectl", ctl, sizeof(ctl));
    snprintf(dir, sizeof(dir), "%s/cli", w->dir);
    snprintf(zpath, sizeof(zpath), "%s/cli.zip", w->dir);
    assert_int_equal(mkdir(dir, 0700), 0);

    char *attest[] = {reg,     "--db", w->db_path, "attest",     "42", "--key", w->key_path,
                      "--zip", zpath,  "--issued", "2026-05-21", dir,  NULL};
    assert_int_equal(run(outbuf, sizeof(outbuf), attest), 0);
    /* One line per attestation: file, id, minutes, hours, token. */
    assert_non_null(strstr(outbuf, "Emilie-Cote-1.pdf\t1\t150\t2.50\tBA1:"));
    assert_non_null(strstr(outbuf, "Jean-Francois-Belanger-2.pdf\t2\t140\t2.33\tBA1:"));
    char token[BORNE_ATTEST_TOKEN_TEXT_LEN + 1];
    const char *t = strstr(outbuf, "Emilie-Cote-1.pdf\t1\t150\t2.50\tBA1:");
    assert_non_null(t);
    t = strstr(t, "BA1:");
    memcpy(token, t, BORNE_ATTEST_TOKEN_TEXT_LEN);
    token[BORNE_ATTEST_TOKEN_TEXT_LEN] = '\0';
    char pdf[600], qr[512];
    snprintf(pdf, sizeof(pdf), "%s/Emilie-Cote-1.pdf", dir);
    assert_int_equal(pdf_qr(w->dir, pdf, 1, qr, sizeof(qr)), BORNE_ATTEST_TOKEN_TEXT_LEN);
    assert_string_equal(qr, token);
    struct stat st;
    assert_int_equal(stat(zpath, &st), 0);

    char *verify[] = {reg, "--db", w->db_path, "verify", token, NULL};
    assert_int_equal(run(outbuf, sizeof(outbuf), verify), 0);
    assert_non_null(strstr(outbuf, "valid\t"));
    assert_non_null(strstr(outbuf, "participant\t1\tÉmilie Côté"));
    assert_non_null(strstr(outbuf, "total\t150 min\t2.50 h"));
    assert_non_null(strstr(outbuf, "issued\t2026-05-21"));
    assert_null(strstr(outbuf, "note\t"));

    /* Attendance corrected after the attestation: the code stays genuine, and says the old
     * total; verify adds a note with the registry's total today. */
    assert_int_equal(borne_regdb_open(w->db_path, &w->db), 0);
    in(w, P_EMILIE, 204, T0 + 240 * MIN);
    out(w, P_EMILIE, 204, T0 + 360 * MIN);
    borne_regdb_close(w->db);
    w->db = NULL;
    assert_int_equal(run(outbuf, sizeof(outbuf), verify), 0);
    assert_non_null(strstr(outbuf, "total\t150 min"));
    assert_non_null(strstr(outbuf, "note\tthe registry now counts 270 min"));

    /* Altered (one character), cut, or not an attestation at all: refused, exit 1. */
    char bad[BORNE_ATTEST_TOKEN_TEXT_LEN + 1];
    memcpy(bad, token, sizeof(bad));
    bad[40] = bad[40] == 'A' ? 'B' : 'A';
    verify[4] = bad;
    assert_int_equal(run(outbuf, sizeof(outbuf), verify), 1);
    assert_null(strstr(outbuf, "valid"));
    bad[60] = '\0';
    assert_int_equal(run(outbuf, sizeof(outbuf), verify), 1);
    verify[4] = "BN1:not an attestation";
    assert_int_equal(run(outbuf, sizeof(outbuf), verify), 1);
    char *usage[] = {reg, "--db", w->db_path, "attest", "42", dir, NULL}; /* no key */
    assert_int_equal(run(NULL, 0, usage), 2);
    char *no_event[] = {reg, "--db", w->db_path, "attest", "43", "--key", w->key_path, dir, NULL};
    assert_int_equal(run(NULL, 0, no_event), 1);
    char *nothing[] = {
        reg,         "--db",          w->db_path, "attest", "42", "--key",
        w->key_path, "--participant", "3",        dir,      NULL}; /* Luc: an exit without entry
                                                                      only */
    assert_int_equal(run(NULL, 0, nothing), 1);

    /* bornectl on a kiosk store that trusts the registry's key: the text, and the PNG. */
    char store[400], b64[64], png[420];
    snprintf(store, sizeof(store), "%s/kiosk.db", w->dir);
    sodium_bin2base64(b64, sizeof(b64), w->pk, 32, sodium_base64_VARIANT_ORIGINAL);
    char *keys[] = {ctl, "--db", store, "keys", "add", "7", b64, NULL};
    assert_int_equal(run(NULL, 0, keys), 0);
    char *cverify[] = {ctl, "--db", store, "verify", token, NULL};
    assert_int_equal(run(outbuf, sizeof(outbuf), cverify), 0);
    assert_non_null(strstr(outbuf, "total\t150 min\t2.50 h"));
    assert_non_null(strstr(outbuf, "participant\t1\t(not in this store)"));
    cverify[4] = bad;
    assert_int_equal(run(NULL, 0, cverify), 1);
    char prefix[400];
    snprintf(prefix, sizeof(prefix), "%s/shot", w->dir);
    char *ppm[] = {"/usr/bin/pdftoppm", "-r", "150", "-png", "-singlefile", pdf, prefix, NULL};
    assert_int_equal(run(NULL, 0, ppm), 0);
    snprintf(png, sizeof(png), "%s.png", prefix);
    char *image[] = {ctl, "--db", store, "verify", "--image", png, NULL};
    assert_int_equal(run(outbuf, sizeof(outbuf), image), 0);
    assert_non_null(strstr(outbuf, "total\t150 min"));

    /* A key the store does not know: cannot be verified, exit 1. */
    char other[400];
    snprintf(other, sizeof(other), "%s/other.db", w->dir);
    char *empty[] = {ctl, "--db", other, "verify", token, NULL};
    assert_int_equal(run(NULL, 0, empty), 1);
    assert_int_equal(borne_regdb_open(w->db_path, &w->db), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collect),   cmocka_unit_test(test_pdf),
        cmocka_unit_test(test_long),      cmocka_unit_test(test_file_name),
        cmocka_unit_test(test_event_zip), cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
