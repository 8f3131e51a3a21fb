/* Shared test fixture (see fixture.h). */
#include "support/fixture.h"

#include <dirent.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/uuid.h"
#include "store/import.h"

const char fixture_event_json[] =
    "{\"id\": 42, \"name\": \"Congrès 2026\", \"timezone\": \"America/Montreal\","
    " \"starts\": \"2026-05-20\", \"ends\": \"2026-05-20\", \"sessions\": ["
    "  {\"id\": 101, \"code\": \"A1\", \"title\": \"Gestion documentaire\", \"room\": \"Salle A\","
    "   \"starts\": \"2026-05-20T09:00:00-04:00\", \"ends\": \"2026-05-20T10:30:00-04:00\","
    "   \"credit_hours\": 1.5, \"credit_rule\": \"threshold:800\"},"
    "  {\"id\": 102, \"code\": \"B2\", \"title\": \"Éthique municipale\", \"room\": \"Salle B\","
    "   \"starts\": \"2026-05-20T13:00:00-04:00\", \"ends\": \"2026-05-20T15:00:00-04:00\","
    "   \"credit_hours\": 2, \"credit_rule\": \"proportional:15\"}"
    "]}";

/* Extra columns (courriel, allergies) must be ignored and never stored. */
const char fixture_roster_csv[] =
    "id,name,organisation,member,status,sessions,code,courriel,allergies\n"
    "1,Hélène Tremblay,\"Ville de Lévis, service du greffe\",oui,confirmé,A1 B2," FIX_OPAQUE_HELENE
    ",helene.tremblay@levis.example,arachides\n"
    "2,Jean Lévesque,Ville de Québec,non,confirmed,101,,jean@quebec.example,\n"
    "3,Marie Côté,MRC de Bellechasse,oui,annulé,A1,,marie@mrc.example,\n"
    "4,Luc Gagnon,Municipalité de Saint-Lin,oui,attention,A1,,luc@stlin.example,\n"
    "5,Sophie Roy,Ville de Gatineau,oui,confirmed,B2,,sophie@gatineau.example,\n"
    "6,Paul Bouchard,Ville de Laval,non,none,,,paul@laval.example,\n";

int fixture_mkdtemp(char *out, size_t cap)
{
    const char *base = getenv("TMPDIR");
    if (!base || !base[0]) {
        base = "/tmp";
    }
    int n = snprintf(out, cap, "%s/borne-test-XXXXXX", base);
    if (n < 0 || (size_t)n >= cap) {
        return -1;
    }
    return mkdtemp(out) ? 0 : -1;
}

void fixture_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

int fixture_open_empty(fixture *fx)
{
    memset(fx, 0, sizeof(*fx));
    if (sodium_init() < 0 || fixture_mkdtemp(fx->dir, sizeof(fx->dir)) != 0) {
        return -1;
    }
    snprintf(fx->path, sizeof(fx->path), "%s/borne.db", fx->dir);
    if (borne_store_open(fx->path, &fx->store) != BORNE_OK) {
        fixture_rmdir(fx->dir);
        return -1;
    }
    uint8_t seed[32];
    memset(seed, 0x42, sizeof(seed));
    crypto_sign_seed_keypair(fx->pk, fx->sk, seed);
    borne_clock_init_fake(&fx->clock, &fx->fake);
    fx->fake.now.mono_ms = 60 * 1000;
    fixture_set_time(fx, FIX_A_START + 15 * 60, true);
    return 0;
}

int fixture_open(fixture *fx)
{
    if (fixture_open_empty(fx) != 0) {
        return -1;
    }
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    if (borne_import_event_json(fx->store, fixture_event_json, strlen(fixture_event_json), &res,
                                msg, sizeof(msg)) != BORNE_OK ||
        borne_import_roster_csv(fx->store, FIX_EVENT, fixture_roster_csv,
                                strlen(fixture_roster_csv), &res, msg, sizeof(msg)) != BORNE_OK ||
        borne_store_put_key(fx->store, FIX_KEY_ID, fx->pk) != BORNE_OK ||
        borne_store_state_set(fx->store, "event_id", "42") != BORNE_OK) {
        fprintf(stderr, "fixture: %s\n", msg);
        fixture_close(fx);
        return -1;
    }
    return 0;
}

void fixture_close(fixture *fx)
{
    borne_store_close(fx->store);
    fx->store = NULL;
    if (fx->dir[0]) {
        fixture_rmdir(fx->dir);
        fx->dir[0] = '\0';
    }
}

int fixture_reopen(fixture *fx)
{
    borne_store_close(fx->store);
    fx->store = NULL;
    return borne_store_open(fx->path, &fx->store) == BORNE_OK ? 0 : -1;
}

static int setup_with(void **state, int (*open)(fixture *fx))
{
    fixture *fx = calloc(1, sizeof(*fx));
    if (!fx || open(fx) != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

int fixture_setup(void **state)
{
    return setup_with(state, fixture_open);
}

int fixture_setup_empty(void **state)
{
    return setup_with(state, fixture_open_empty);
}

int fixture_teardown(void **state)
{
    fixture *fx = *state;
    fixture_close(fx);
    free(fx);
    return 0;
}

void fixture_set_time(fixture *fx, int64_t t, bool trusted)
{
    int64_t wall = t * 1000;
    int64_t delta = wall - fx->fake.now.wall_ms;
    if (fx->fake.now.wall_ms != 0 && delta > 0) {
        fx->fake.now.mono_ms += delta;
    } else {
        fx->fake.now.mono_ms += 60 * 1000; /* the wall clock was set back: time still passes */
    }
    fx->fake.now.wall_ms = wall;
    fx->fake.now.trusted = trusted;
}

void fixture_sign(const fixture *fx, const uint8_t *sk, uint16_t key_id, uint32_t event_id,
                  uint32_t participant_id, uint8_t flags, char out[BORNE_TOKEN_TEXT_LEN + 1])
{
    borne_token tok = {.flags = flags,
                       .key_id = key_id,
                       .event_id = event_id,
                       .participant_id = participant_id,
                       .valid_from = 0,
                       .valid_until = 0};
    if (borne_token_sign(&tok, sk ? sk : fx->sk, out, BORNE_TOKEN_TEXT_LEN + 1) != BORNE_OK) {
        out[0] = '\0';
    }
}

void fixture_checkin_row(borne_checkin_row *c, const char *kiosk_id, uint32_t event_id,
                         uint32_t participant_id, uint32_t session_id)
{
    memset(c, 0, sizeof(*c));
    borne_uuid_new(c->uuid);
    snprintf(c->kiosk_id, sizeof(c->kiosk_id), "%s", kiosk_id);
    c->event_id = event_id;
    c->participant_id = participant_id;
    c->session_id = session_id;
}

borne_err fixture_add_checkins(fixture *fx, const char *kiosk_id, size_t n)
{
    borne_err err = borne_store_begin(fx->store);
    if (err) {
        return err;
    }
    for (size_t i = 0; i < n; i++) {
        borne_checkin_row c;
        fixture_checkin_row(&c, kiosk_id, FIX_EVENT, 1 + (uint32_t)(i % 5), FIX_SESSION_A);
        c.direction = i % 2 ? BORNE_EXIT : BORNE_ENTRY;
        c.outcome = i % 2 ? BORNE_OUTCOME_ACCEPTED_EXIT : BORNE_OUTCOME_ACCEPTED_ENTRY;
        fx->clock.now(&fx->clock, &c.time);
        c.time.mono_ms += (int64_t)i;
        c.time.wall_ms += (int64_t)i;
        if ((err = borne_store_add_checkin(fx->store, &c)) != BORNE_OK) {
            borne_store_rollback(fx->store);
            return err;
        }
    }
    return borne_store_commit(fx->store);
}

int64_t fixture_query_int(struct borne_store *store, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(borne_store_db(store), sql, -1, &st, NULL) != SQLITE_OK) {
        return -1;
    }
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

int fixture_query_text(struct borne_store *store, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(borne_store_db(store), sql, -1, &st, NULL) != SQLITE_OK) {
        return -1;
    }
    int rc = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, cap, "%s", t ? (const char *)t : "");
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

bool fixture_integrity_ok(struct borne_store *store)
{
    char res[64];
    return fixture_query_text(store, "PRAGMA integrity_check", res, sizeof(res)) == 0 &&
           strcmp(res, "ok") == 0;
}

bool fixture_path_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    size_t nlen = strlen(needle);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    bool found = false;
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    for (size_t i = 0; buf && nlen && i + nlen <= len && !found; i++) {
        found = memcmp(buf + i, needle, nlen) == 0;
    }
    free(buf);
    return found;
}

bool fixture_file_contains(const fixture *fx, const char *needle)
{
    char wal[340];
    snprintf(wal, sizeof(wal), "%s-wal", fx->path);
    return fixture_path_contains(fx->path, needle) || fixture_path_contains(wal, needle);
}
