/* Importing an event (with its sessions) and a roster into the store.
 *
 * Formats are documented in docs/formats.md. Every import is one transaction: a bad row names
 * its line and column (CSV) or index and key (JSON), and the value, in `msg`, and nothing of
 * the file is kept. Input is capped (BORNE_IMPORT_MAX_BYTES); it may be UTF-8 (with or without a
 * byte order mark), UTF-16 or Windows-1252 (core/textenc.h), converted before reading.
 *
 * A roster re-import never loses data silently: it updates the people in the file and adds the
 * new ones; a column the file does not have leaves that field as stored; people not in the file
 * are kept. An import that would remove session registrations (a person's sessions cell no
 * longer lists one), or people (with `replace`, those not in the file), is refused with
 * BORNE_ERR_PERM and the counts unless `replace` is set. `dry_run` counts and rolls back. */
#ifndef BORNE_STORE_IMPORT_H
#define BORNE_STORE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/textenc.h"

struct borne_store;

#define BORNE_IMPORT_MAX_BYTES (64u * 1024 * 1024)
#define BORNE_IMPORT_MSG_MAX   640

/* What a roster import changed (or, refused or dry run, would change). */
typedef struct borne_import_diff {
    size_t people_added;
    size_t people_changed; /* details or sessions differ */
    size_t people_removed; /* with replace: people not in the file */
    size_t people_absent;  /* people stored but not in the file (kept without replace) */
    size_t regs_added;
    size_t regs_removed;
} borne_import_diff;

typedef struct borne_import_options {
    bool replace; /* the file is the whole roster: removals allowed, people not in it removed */
    bool dry_run; /* count the changes, store nothing */
    /* A CSV file with no sessions column but columns Borne does not read is refused (one of
     * them may be the sessions column under another name); this imports it anyway. */
    bool ignore_columns;
} borne_import_options;

typedef struct borne_import_result {
    uint32_t event_id;
    size_t sessions;
    size_t participants;  /* rows in the file */
    size_t registrations; /* distinct session registrations in the file */
    borne_import_diff diff;
    borne_text_encoding encoding; /* what the file was read as */
    char ignored[200];            /* columns not used, as "\"Courriel\", \"Téléphone\"" */
} borne_import_result;

/* Imports an event JSON ({"id", "name", "timezone", "starts", "ends", "sessions": [...]}). */
borne_err borne_import_event_json(struct borne_store *store, const char *json, size_t len,
                                  borne_import_result *res, char *msg, size_t msg_cap);

/* Imports a roster for `event_id` from CSV (comma, semicolon or tab; header names in French or
 * English) or JSON ({"participants": [...]}, recognised by its first character). Existing
 * participants are updated by id. opts may be NULL (no replace, no dry run). Returns
 * BORNE_ERR_PERM when the import would remove registrations or people without opts->replace
 * (res->diff then holds what it would have done; nothing is changed). */
borne_err borne_import_roster(struct borne_store *store, uint32_t event_id, const char *data,
                              size_t len, const borne_import_options *opts,
                              borne_import_result *res, char *msg, size_t msg_cap);

/* The same with the format given and no options. */
borne_err borne_import_roster_csv(struct borne_store *store, uint32_t event_id, const char *csv,
                                  size_t len, borne_import_result *res, char *msg, size_t msg_cap);
borne_err borne_import_roster_json(struct borne_store *store, uint32_t event_id, const char *json,
                                   size_t len, borne_import_result *res, char *msg, size_t msg_cap);

/* The roster import's options from the command line (bornectl and borne-registry alike):
 * argv[first..argc) holds the flags (--replace, --dry-run, --ignore-columns) and one FILE, in
 * any order. False on an unknown flag, a second file or no file. */
bool borne_import_parse_args(int argc, char **argv, int first, borne_import_options *opts,
                             const char **path);

/* "people: 2 added, 1 changed, 0 removed; session registrations: 3 added, 1 removed". */
void borne_import_diff_format(const borne_import_diff *d, char *out, size_t cap);

/* The rule every roster import follows (bornectl's and the registry's): BORNE_ERR_PERM, with a
 * message giving the counts, when `d` removes registrations or people and `o` has no replace. */
borne_err borne_import_check_removals(const borne_import_diff *d, const borne_import_options *o,
                                      char *msg, size_t cap);

/* Reads a whole file into a NUL-terminated malloc'ed buffer, refusing files over `cap`. */
borne_err borne_read_file(const char *path, size_t cap, char **out, size_t *len);

#endif
