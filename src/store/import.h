/* Importing an event (with its sessions) and a roster into the store.
 *
 * Formats are documented in docs/formats.md. Every import is one transaction: a bad row names
 * its line (CSV) or index (JSON) in `msg`, and nothing of the file is kept. Input is capped
 * (BORNE_IMPORT_MAX_BYTES) and must be UTF-8. */
#ifndef BORNE_STORE_IMPORT_H
#define BORNE_STORE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct borne_store;

#define BORNE_IMPORT_MAX_BYTES (64u * 1024 * 1024)
#define BORNE_IMPORT_MSG_MAX   256

typedef struct borne_import_result {
    uint32_t event_id;
    size_t sessions;
    size_t participants;
    size_t registrations;
} borne_import_result;

/* Imports an event JSON ({"id", "name", "timezone", "starts", "ends", "sessions": [...]}). */
borne_err borne_import_event_json(struct borne_store *store, const char *json, size_t len,
                                  borne_import_result *res, char *msg, size_t msg_cap);

/* Imports a roster for `event_id` from CSV (comma or semicolon; header names in French or
 * English) or JSON ({"participants": [...]}). Existing participants are updated by id. */
borne_err borne_import_roster_csv(struct borne_store *store, uint32_t event_id, const char *csv,
                                  size_t len, borne_import_result *res, char *msg, size_t msg_cap);
borne_err borne_import_roster_json(struct borne_store *store, uint32_t event_id, const char *json,
                                   size_t len, borne_import_result *res, char *msg, size_t msg_cap);

/* Reads a whole file into a NUL-terminated malloc'ed buffer, refusing files over `cap`. */
borne_err borne_read_file(const char *path, size_t cap, char **out, size_t *len);

#endif
