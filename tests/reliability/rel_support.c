/* Shared helpers of the reliability tests (see rel_support.h). */
#include "reliability/rel_support.h"

#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/utf8.h"
#include "store/import.h"
#include "support/fixture.h"

void rel_keypair(uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];
    memset(seed, 0x42, sizeof(seed)); /* the seed of tests/support/fixture.c */
    crypto_sign_seed_keypair(pk, sk, seed);
}

void rel_sign(uint32_t event_id, uint32_t pid, uint8_t flags, uint32_t from, uint32_t until,
              char out[BORNE_TOKEN_TEXT_LEN + 1])
{
    uint8_t pk[32], sk[64];
    rel_keypair(pk, sk);
    borne_token tok = {.flags = flags,
                       .key_id = FIX_KEY_ID,
                       .event_id = event_id,
                       .participant_id = pid,
                       .valid_from = from,
                       .valid_until = until};
    if (borne_token_sign(&tok, sk, out, BORNE_TOKEN_TEXT_LEN + 1) != BORNE_OK) {
        out[0] = '\0';
    }
}

int rel_setup_store(const char *path, uint32_t participants)
{
    if (sodium_init() < 0) {
        return -1;
    }
    struct borne_store *store = NULL;
    if (borne_store_open(path, &store) != BORNE_OK) {
        return -1;
    }
    size_t cap = 128 + (size_t)participants * 96;
    char *csv = malloc(cap);
    int rc = -1;
    if (!csv) {
        goto out;
    }
    size_t len = (size_t)snprintf(csv, cap, "id,name,organisation,member,status,sessions,code\n");
    for (uint32_t id = 1; id <= participants; id++) {
        len += (size_t)snprintf(csv + len, cap - len,
                                "%u,Participante Essai %05u,Ville %u,oui,%s,A1,OPQ-%05u\n", id, id,
                                id % 50, id % 10 == 0 ? "annulé" : "confirmé", id);
    }
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    uint8_t pk[32], sk[64];
    rel_keypair(pk, sk);
    char last[BORNE_TOKEN_TEXT_LEN + 1];
    rel_sign(FIX_EVENT, participants, 0, 0, 0, last);
    if (borne_import_event_json(store, fixture_event_json, strlen(fixture_event_json), &res, msg,
                                sizeof(msg)) != BORNE_OK ||
        borne_import_roster_csv(store, FIX_EVENT, csv, len, &res, msg, sizeof(msg)) != BORNE_OK ||
        borne_store_put_key(store, FIX_KEY_ID, pk) != BORNE_OK ||
        borne_store_revoke(store, FIX_EVENT, (const uint8_t *)last, strlen(last), "test") !=
            BORNE_OK ||
        borne_store_state_set(store, "event_id", "42") != BORNE_OK) {
        fprintf(stderr, "rel_setup_store: %s\n", msg);
        goto out;
    }
    rc = 0;
out:
    free(csv);
    borne_store_close(store);
    return rc;
}

int rel_run(char *const argv[], const char *out_path)
{
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        if (out_path) {
            int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd < 0) {
                _exit(127);
            }
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

long rel_env_long(const char *name, long fallback)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        return fallback;
    }
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n <= 0 ? fallback : n;
}

bool rel_display_safe(const char *s, size_t cap, const char **why)
{
    const char *dummy;
    if (!why) {
        why = &dummy;
    }
    size_t len = strnlen(s, cap);
    if (len == cap) {
        *why = "not NUL-terminated";
        return false;
    }
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = borne_utf8_decode(s + i, len - i, &cp);
        if (cp == BORNE_UTF8_INVALID) {
            *why = "ill-formed UTF-8";
            return false;
        }
        if (borne_utf8_is_unsafe(cp)) {
            *why = "control or bidirectional character";
            return false;
        }
        i += n;
    }
    return true;
}

bool rel_integrity_ok(struct borne_store *store)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(borne_store_db(store), "PRAGMA integrity_check", -1, &st, NULL) !=
        SQLITE_OK) {
        return false;
    }
    bool ok = sqlite3_step(st) == SQLITE_ROW &&
              strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0 &&
              sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
}
