/* Shared test fixture: a store in a fresh temporary directory with a small event (two sessions),
 * a roster of a few participants, a trusted signing key and a fake clock.
 *
 * The event (id FIX_EVENT) is a one-day congrès on 2026-05-20 in America/Montreal:
 *   session FIX_SESSION_A, code "A1", 09:00-10:30 (-04:00), 1.5 h, threshold:800
 *   session FIX_SESSION_B, code "B2", 13:00-15:00 (-04:00), 2 h, proportional:15
 * The roster (FIX_P_* ids) is described next to fixture_roster_csv in fixture.c. */
#ifndef BORNE_TESTS_SUPPORT_FIXTURE_H
#define BORNE_TESTS_SUPPORT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/token.h"
#include "store/store.h"

#define FIX_EVENT     42u
#define FIX_SESSION_A 101u
#define FIX_SESSION_B 102u
#define FIX_KEY_ID    7u

#define FIX_A_START 1779282000LL /* 2026-05-20T09:00:00-04:00 */
#define FIX_A_END   (FIX_A_START + 90 * 60)
#define FIX_B_START (FIX_A_START + 4 * 3600)
#define FIX_B_END   (FIX_B_START + 2 * 3600)

/* Roster ids. */
#define FIX_P_HELENE      1u  /* confirmed, A1 and B2, opaque code FIX_OPAQUE_HELENE */
#define FIX_P_JEAN        2u  /* confirmed, A1 (by id) */
#define FIX_P_MARIE       3u  /* cancelled */
#define FIX_P_LUC         4u  /* needs attention */
#define FIX_P_SOPHIE      5u  /* confirmed, B2 only */
#define FIX_P_NONE        6u  /* not registered to the event */
#define FIX_P_ABSENT      99u /* not in the roster */
#define FIX_OPAQUE_HELENE "OPQ-7KX2-HT"

typedef struct fixture {
    char dir[256];
    char path[320]; /* the database file */
    struct borne_store *store;
    uint8_t pk[32];
    uint8_t sk[64];
    borne_fake_clock fake;
    borne_clock clock;
} fixture;

/* The event JSON and roster CSV the fixture imports (NUL-terminated, static). */
extern const char fixture_event_json[];
extern const char fixture_roster_csv[];

/* Makes a fresh temporary directory (under $TMPDIR or /tmp) into out[cap]; 0 on success. */
int fixture_mkdtemp(char *out, size_t cap);
/* Removes a directory made by fixture_mkdtemp and the files in it (not recursive). */
void fixture_rmdir(const char *dir);

/* Opens an empty store in a fresh directory (no event). 0 on success. */
int fixture_open_empty(fixture *fx);
/* Opens a store with the event, roster and key, state "event_id" set, and a trusted fake clock
 * at 09:15 on the day of session A. 0 on success. */
int fixture_open(fixture *fx);
/* Closes the store (if open) and removes the directory. */
void fixture_close(fixture *fx);
/* Closes and reopens the store on the same file. 0 on success. */
int fixture_reopen(fixture *fx);

/* cmocka setup and teardown of a test whose state is a fixture (calloc'ed): fixture_open, or
 * fixture_open_empty; fixture_close and free. */
int fixture_setup(void **state);
int fixture_setup_empty(void **state);
int fixture_teardown(void **state);

/* Sets the fake clock to Unix seconds `t`. Mono advances by the same amount, or by a minute when
 * the wall clock goes back (it never goes backwards). */
void fixture_set_time(fixture *fx, int64_t t, bool trusted);

/* Signs a token for `participant_id` with the fixture's key (or `sk` when not NULL). */
void fixture_sign(const fixture *fx, const uint8_t *sk, uint16_t key_id, uint32_t event_id,
                  uint32_t participant_id, uint8_t flags, char out[BORNE_TOKEN_TEXT_LEN + 1]);

/* A check-in row for borne_store_add_checkin: zeroed (an accepted entry, no method, no time),
 * a new UUID, and the given kiosk, event, participant and session. */
void fixture_checkin_row(borne_checkin_row *c, const char *kiosk_id, uint32_t event_id,
                         uint32_t participant_id, uint32_t session_id);
/* `n` synthetic check-ins straight into the store in one transaction: new UUIDs, participants 1
 * to 5 in turn, session A, entries and exits alternating, the clock's time 1 ms apart. Rolls
 * back and returns the error when one fails. */
borne_err fixture_add_checkins(fixture *fx, const char *kiosk_id, size_t n);

/* The single integer a query returns (e.g. "SELECT count(*) FROM checkin"); -1 on error. */
int64_t fixture_query_int(struct borne_store *store, const char *sql);
/* The single text a query returns into out[cap]; 0 on success. */
int fixture_query_text(struct borne_store *store, const char *sql, char *out, size_t cap);
/* PRAGMA integrity_check says "ok". */
bool fixture_integrity_ok(struct borne_store *store);

/* True when `needle` occurs in the bytes of the database file or of its WAL. */
bool fixture_file_contains(const fixture *fx, const char *needle);
/* True when `needle` occurs in the bytes of the file at `path` (a missing file holds nothing). */
bool fixture_path_contains(const char *path, const char *needle);

#endif
