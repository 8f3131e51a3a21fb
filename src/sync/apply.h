/* Applying pulled roster pages to the kiosk store, with the statements kept for a whole pull.
 *
 * A writer belongs to one store connection (the sync thread's) and lives for one pull: every
 * page goes through the same prepared statements. Each page and its cursor are still applied in
 * one transaction (docs/protocol.md), so a pull interrupted at any point resumes where the last
 * applied page ended.
 *
 * A large page (a first pull: 10,000 participants) is written without the name index's per-row
 * triggers: they are dropped inside the page's transaction, the new rows are added to the index
 * with one statement, and the triggers are created again from their stored text before the
 * commit, so no other connection ever sees the store without them. */
#ifndef BORNE_SYNC_APPLY_H
#define BORNE_SYNC_APPLY_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"
#include "sync/protocol.h"

/* Pages with at least this many participants skip the index triggers (see above). */
#define BORNE_PULL_BULK_MIN 100

typedef struct borne_pull_writer borne_pull_writer;

/* A writer for `event_id` on `store` (borrowed: it must outlive the writer). *out is freed with
 * borne_pull_writer_free. */
borne_err borne_pull_writer_new(struct borne_store *store, uint32_t event_id,
                                borne_pull_writer **out);

/* Applies one page and its cursor (kiosk_state BORNE_SYNC_CURSOR_KEY) in one transaction;
 * nothing of the page stays on error. */
borne_err borne_pull_writer_apply(borne_pull_writer *w, const borne_pull *pull);

/* Accepts NULL. */
void borne_pull_writer_free(borne_pull_writer *w);

/* The registry's cursor was ahead of this kiosk's knowledge (docs/protocol.md, "Cursor ahead of
 * the registry"). A page with `reset` starts the roster again from 0; in its transaction the
 * kiosk notes the reset (kiosk_state BORNE_SYNC_RESET_KEY) and marks its synced check-ins of
 * the event to be sent again (a registry restored from a backup lost what came after it; what
 * it still has answers "duplicate"). The writer then notes every participant and session the
 * pages carry; with the last page (more: false), in the same transaction, participants and
 * sessions the pages did not carry are deleted (walk-ins made by this kiosk, `own_walkins`,
 * are kept: their check-ins recreate them on the registry) and the note is cleared. A pull
 * interrupted before its last page leaves the note: the next pull starts again from 0
 * (borne_pull_writer_from_zero). */
bool borne_pull_writer_from_zero(borne_pull_writer *w);
/* Sets the kiosk number whose walk-in ids a reset keeps (0: none). */
void borne_pull_writer_own_walkins(borne_pull_writer *w, int64_t kiosk_number);
/* True when a reset was completed by this writer (its last page applied). */
bool borne_pull_writer_reset_done(const borne_pull_writer *w);

#endif
