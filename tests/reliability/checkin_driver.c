/* Headless check-in driver for the crash test (test_crash.c): the kiosk's real check-in path,
 * borne_checkin_scan on a store file, through a long burst of scans, with no screen.
 *
 *   checkin_driver setup DB PARTICIPANTS        builds the store (rel_setup_store)
 *   checkin_driver run DB SCANS SEED START_MS   scans SCANS codes, starting at wall time START_MS
 *
 * For every scan that stored a row, and only after borne_checkin_scan returned, it writes one
 * line to stdout with write(2) (no stdio buffer, so a SIGKILL loses nothing already reported):
 *
 *   R <uuid> <outcome number> <1 if accepted else 0>
 *
 * This line stands for the kiosk's screen: what it shows has been reported. A scan that stores
 * nothing (already in, already out) writes no line. A store error writes "E <error number>" and
 * exits 3; the end of the burst writes "DONE". Exit 2: usage or setup error.
 *
 * The mix of codes, drawn from SEED: 60 % signed badges and 10 % opaque roster codes of random
 * participants, in entry or exit mode so that most scans store a row (the driver follows who is
 * in the room, starting from the store's history), 10 % unknown codes, 10 % forged badges, 10 %
 * badges of cancelled participants or the revoked badge. The fake clock advances 100 ms a scan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkin/checkin.h"
#include "reliability/rel_support.h"
#include "support/fixture.h"

static void say(const char *line, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, line, len);
        if (n <= 0) {
            _exit(4); /* the reader is gone */
        }
        line += n;
        len -= (size_t)n;
    }
}

/* xorshift64*: a small reproducible generator, no global state. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int run(const char *path, long scans, uint64_t seed, int64_t start_ms)
{
    struct borne_store *store = NULL;
    if (borne_store_open(path, &store) != BORNE_OK) {
        return 2;
    }
    int64_t participants = 0;
    if (borne_store_count_participants(store, FIX_EVENT, &participants) || participants < 2) {
        borne_store_close(store);
        return 2;
    }
    borne_fake_clock fake;
    borne_clock clock;
    borne_clock_init_fake(&clock, &fake);
    fake.now.wall_ms = start_ms;
    fake.now.mono_ms = start_ms - FIX_A_START * 1000 + 3600 * 1000;
    fake.now.trusted = true;
    borne_checkin_options opts = {.kiosk_id = "crash-driver",
                                  .session_id = FIX_SESSION_A,
                                  .mode = BORNE_ENTRY,
                                  .rescan_window_ms = -1};
    struct borne_checkin *ck = NULL;
    if (borne_checkin_new(&ck, store, &clock, &opts) != BORNE_OK) {
        borne_store_close(store);
        return 2;
    }
    /* Who is in the room now, so that entries and exits alternate and most scans record. */
    bool *in_room = calloc((size_t)participants + 1, sizeof(*in_room));
    if (!in_room) {
        return 2;
    }
    for (uint32_t id = 1; id <= (uint32_t)participants; id++) {
        bool has_exit;
        if (borne_store_history(store, FIX_EVENT, id, FIX_SESSION_A, &in_room[id], &has_exit,
                                NULL) != BORNE_OK) {
            return 2;
        }
    }
    uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
    int status = 0;
    for (long i = 0; i < scans; i++) {
        uint32_t kind = (uint32_t)(next_rand(&rng) % 100);
        uint32_t pid = 1 + (uint32_t)(next_rand(&rng) % (uint64_t)(participants - 1));
        char text[BORNE_TOKEN_TEXT_LEN + 32];
        bool follows = false;
        if (kind < 60) {
            rel_sign(FIX_EVENT, pid, 0, 0, 0, text);
            follows = true;
        } else if (kind < 70) {
            snprintf(text, sizeof(text), "OPQ-%05u", pid);
            follows = true;
        } else if (kind < 80) {
            snprintf(text, sizeof(text), "ZZZ-%016llx", (unsigned long long)next_rand(&rng));
        } else if (kind < 90) {
            rel_sign(FIX_EVENT, pid, 0, 0, 0, text);
            size_t at = BORNE_TOKEN_PREFIX_LEN + next_rand(&rng) % 126;
            text[at] = text[at] == '0' ? '1' : '0';
        } else if (kind < 95) {
            uint32_t tens = (uint32_t)participants / 10; /* ids 10, 20, ... are cancelled */
            rel_sign(FIX_EVENT, (pid / 10 % tens) * 10 + 10, 0, 0, 0, text);
        } else {
            rel_sign(FIX_EVENT, (uint32_t)participants, 0, 0, 0, text); /* revoked */
        }
        if (follows && pid % 10 != 0) {
            borne_checkin_set_mode(ck, in_room[pid] ? BORNE_EXIT : BORNE_ENTRY);
        } else {
            borne_checkin_set_mode(ck, BORNE_ENTRY);
        }
        borne_fake_clock_advance(&fake, 100);
        borne_scan_result r;
        borne_err err =
            borne_checkin_scan(ck, (const uint8_t *)text, strlen(text), BORNE_METHOD_CAMERA, &r);
        char line[96];
        if (err) {
            int n = snprintf(line, sizeof(line), "E %d\n", (int)err);
            say(line, (size_t)n);
            status = 3;
            break;
        }
        if (r.accepted && (r.outcome == BORNE_OUTCOME_ACCEPTED_ENTRY ||
                           r.outcome == BORNE_OUTCOME_ACCEPTED_EXIT ||
                           r.outcome == BORNE_OUTCOME_EXIT_WITHOUT_ENTRY)) {
            in_room[r.participant.id] = r.outcome == BORNE_OUTCOME_ACCEPTED_ENTRY;
        }
        if (r.recorded) {
            int n = snprintf(line, sizeof(line), "R %s %d %d\n", r.uuid, (int)r.outcome,
                             r.accepted ? 1 : 0);
            say(line, (size_t)n);
        }
    }
    if (status == 0) {
        say("DONE\n", 5);
    }
    free(in_room);
    borne_checkin_free(ck);
    borne_store_close(store);
    return status;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "setup") == 0) {
        return rel_setup_store(argv[2], (uint32_t)strtoul(argv[3], NULL, 10)) == 0 ? 0 : 2;
    }
    if (argc == 6 && strcmp(argv[1], "run") == 0) {
        return run(argv[2], strtol(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
                   strtoll(argv[5], NULL, 10));
    }
    fprintf(stderr, "usage: checkin_driver setup DB PARTICIPANTS | run DB SCANS SEED START_MS\n");
    return 2;
}
