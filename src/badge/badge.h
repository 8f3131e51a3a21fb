/* Participant badges: one PNG per participant and printable PDF sheets.
 *
 * A badge is 4 in x 3 in (101.6 x 76.2 mm, landscape), the size of the standard paper insert
 * of conference badge holders. It shows the event name on top, the participant's name in large
 * bold type (shrunk to fit, or wrapped to two lines, never overflowing; ellipsised only if
 * it still does not fit at the smallest size), the organisation under it, the participant
 * reference in small type at the bottom left and the QR code at the bottom right, with its
 * 4-module quiet zone and modules of at least 0.5 mm. Text uses "DejaVu Sans" through
 * fontconfig (package fonts-dejavu-core), so French accents render.
 *
 * PDF sheets put BORNE_BADGE_COLUMNS x BORNE_BADGE_ROWS badges on each A4 or US Letter page,
 * centred, with light grey cut lines and crop marks. Six is the most 4 x 3 in badges that
 * fit either paper (eight would need 12 in of height); print at 100 %, see docs/badges.md.
 *
 * Files are written to a temporary file next to `path`, synced, then renamed over `path`:
 * a failed or interrupted write never leaves a half-written badge. The files are created
 * with mode 0600 since they hold personal data and check-in codes.
 *
 * Nothing here logs names or tokens. All functions are safe to call from several threads on
 * different badges. */
#ifndef BORNE_BADGE_BADGE_H
#define BORNE_BADGE_BADGE_H

#include <stddef.h>

#include "core/error.h"

enum borne_paper {
    BORNE_PAPER_A4 = 0,     /* 210 x 297 mm */
    BORNE_PAPER_LETTER = 1, /* 8.5 x 11 in */
};

#define BORNE_BADGE_WIDTH_MM  101.6 /* 4 in */
#define BORNE_BADGE_HEIGHT_MM 76.2  /* 3 in */
#define BORNE_BADGE_COLUMNS   2
#define BORNE_BADGE_ROWS      3
#define BORNE_BADGE_PER_PAGE  (BORNE_BADGE_COLUMNS * BORNE_BADGE_ROWS)

/* The PNG is the badge at 300 dpi: 1200 x 900 pixels, white background. */
#define BORNE_BADGE_PNG_DPI    300
#define BORNE_BADGE_PNG_WIDTH  1200
#define BORNE_BADGE_PNG_HEIGHT 900

/* Hard maxima, in bytes, of each text field (longer input: BORNE_ERR_TOO_LARGE). */
#define BORNE_BADGE_MAX_TEXT  256 /* display_name, organisation, event_name */
#define BORNE_BADGE_MAX_REF   64  /* participant_ref */
#define BORNE_BADGE_MAX_TOKEN 512 /* token; Borne tokens are about 130 */
/* Most badges in one PDF (several hundred participants at a congrès). */
#define BORNE_BADGE_MAX_COUNT 5000

/* What one badge shows. The strings are borrowed for the duration of the call; all text is
 * UTF-8 without control characters. */
struct borne_badge_info {
    const char *display_name;    /* required, not blank */
    const char *organisation;    /* may be NULL or "" (then not printed) */
    const char *event_name;      /* may be NULL or "" (then not printed) */
    const char *token;           /* required: the text the QR code encodes */
    const char *participant_ref; /* may be NULL or "": printed small, e.g. the registry id */
};

/* Checks one badge's fields without drawing anything: BORNE_OK, BORNE_ERR_INVALID (missing
 * token or name, blank name, bad UTF-8, control characters), BORNE_ERR_TOO_LARGE (a field
 * over its maximum, or a token too long for a QR code of modules >= 0.5 mm on the badge). */
borne_err borne_badge_check(const struct borne_badge_info *badge);

/* Writes one badge as a 300 dpi PNG to `path`.
 * Errors: those of borne_badge_check(); BORNE_ERR_NOT_FOUND (the folder does not exist),
 * BORNE_ERR_PERM (not writable), BORNE_ERR_DISK_FULL, BORNE_ERR_IO, BORNE_ERR_NOMEM. */
borne_err borne_badge_write_png(const struct borne_badge_info *badge, const char *path);

/* Writes `count` badges (1..BORNE_BADGE_MAX_COUNT) as a PDF sheet on `paper`, in the order
 * given, BORNE_BADGE_PER_PAGE per page. Every badge is checked before the file is created.
 * Errors: as borne_badge_write_png(), plus BORNE_ERR_INVALID for a bad count or paper and
 * BORNE_ERR_TOO_LARGE for count over BORNE_BADGE_MAX_COUNT. */
borne_err borne_badge_write_pdf(const struct borne_badge_info *badges, size_t count,
                                enum borne_paper paper, const char *path);

/* The same sheet in memory (a download): *out malloc'ed (the caller frees it), *len bytes. Errors:
 * those of borne_badge_check(), BORNE_ERR_INVALID, BORNE_ERR_TOO_LARGE, BORNE_ERR_NOMEM,
 * BORNE_ERR_IO. */
borne_err borne_badge_pdf(const struct borne_badge_info *badges, size_t count,
                          enum borne_paper paper, unsigned char **out, size_t *len);

/* Number of pages borne_badge_write_pdf() produces for `count` badges. */
size_t borne_badge_page_count(size_t count);

#endif
