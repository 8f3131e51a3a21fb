/* The console's staff accounts, sign-in sessions and audit log, in the registry's database.
 *
 * Tables (created with CREATE TABLE IF NOT EXISTS by borne_console_tables, outside the
 * registry's numbered schema): console_user (name, role, argon2id hash from libsodium's
 * crypto_pwhash_str, disabled), console_session (SHA-256 of the 256-bit cookie token only, the
 * session's CSRF token, times), console_audit (who, when, what, before/after as JSON). */
#ifndef BORNE_CONSOLE_AUTH_H
#define BORNE_CONSOLE_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

struct borne_regdb;

#define BORNE_CONSOLE_NAME_MAX     64
#define BORNE_CONSOLE_PASSWORD_MIN 10
#define BORNE_CONSOLE_PASSWORD_MAX 256
#define BORNE_CONSOLE_TOKEN_HEX    64    /* 256-bit tokens, in hex */
#define BORNE_CONSOLE_IDLE_S       3600  /* a session unused this long ends */
#define BORNE_CONSOLE_LIFETIME_S   43200 /* and any session after 12 h */

typedef enum borne_console_role {
    BORNE_ROLE_DESK = 1,      /* read, and corrections at the desk */
    BORNE_ROLE_REGISTRAR = 2, /* everything */
} borne_console_role;

typedef struct borne_console_user {
    int64_t id;
    char name[BORNE_CONSOLE_NAME_MAX + 1];
    borne_console_role role;
    bool disabled;
} borne_console_user;

typedef struct borne_console_session {
    borne_console_user user;
    char csrf[BORNE_CONSOLE_TOKEN_HEX + 1];
} borne_console_session;

borne_err borne_console_tables(struct borne_regdb *db);

/* "registrar" or "desk"; false otherwise. */
bool borne_console_role_parse(const char *text, borne_console_role *out);
const char *borne_console_role_name(borne_console_role role);
/* A user name: 1 to 64 characters from [A-Za-z0-9._@-]. */
bool borne_console_name_valid(const char *name);

/* Creates a user (BORNE_ERR_EXISTS: the name is taken; BORNE_ERR_INVALID: bad name or a
 * password outside 10..256 bytes). `actor` is recorded in the audit log. */
borne_err borne_console_user_add(struct borne_regdb *db, const char *actor, const char *name,
                                 borne_console_role role, const char *password);
/* Disables a user and ends their sessions. BORNE_ERR_NOT_FOUND: no such user. */
borne_err borne_console_user_disable(struct borne_regdb *db, const char *actor, const char *name);
/* Writes "name<TAB>role<TAB>active|disabled" lines. */
borne_err borne_console_user_list(struct borne_regdb *db, FILE *out);

/* Checks a name and password. BORNE_ERR_PERM for an unknown or disabled user or a wrong
 * password (the same time spent in each case: a dummy hash is checked for unknown names). */
borne_err borne_console_sign_in(struct borne_regdb *db, const char *name, const char *password,
                                int64_t now_ms, char token[BORNE_CONSOLE_TOKEN_HEX + 1],
                                borne_console_session *out);
/* The session of a cookie token, touched (its idle clock restarts). BORNE_ERR_PERM when
 * unknown, expired or its user disabled. */
borne_err borne_console_session_get(struct borne_regdb *db, const char *token, int64_t now_ms,
                                    borne_console_session *out);
borne_err borne_console_sign_out(struct borne_regdb *db, const char *token);

/* Appends to the audit log. before/after: JSON text or NULL. */
borne_err borne_console_audit(struct borne_regdb *db, int64_t now_ms, const char *who,
                              const char *action, const char *target, const char *before,
                              const char *after);

/* Constant-time comparison of two NUL-terminated tokens. */
bool borne_console_token_equal(const char *a, const char *b);

#endif
