/* Reading and writing times: ISO 8601 with an offset, or local time in an event's time zone.
 *
 * Local-time conversion goes through the C library's time zone database by setting TZ for the
 * duration of the call; it is serialised by a mutex inside this module, but other threads calling
 * localtime() meanwhile would see the change, so programs call it at import time or while the
 * process is single-threaded (bornectl, the registry's admin commands). */
#ifndef BORNE_CORE_TIMEFMT_H
#define BORNE_CORE_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BORNE_DEFAULT_TIMEZONE "America/Montreal"

/* Parses "2026-05-20T09:00:00-04:00", "2026-05-20T13:00:00Z", "2026-05-20T09:00" or
 * "2026-05-20 09:00" (local time in `tz`), or "2026-05-20" (local midnight). Seconds optional.
 * BORNE_ERR_PARSE on anything else, including impossible dates, and local times that the
 * daylight saving change makes ambiguous (2026-11-01T01:30 in America/Montreal happens twice)
 * or non-existent (2026-03-08T02:30 is skipped): an explicit offset settles those. */
borne_err borne_time_parse(const char *text, const char *tz, int64_t *out);

/* Same, and on BORNE_ERR_PARSE writes why into why[cap] (may be NULL), in English: "not an ISO
 * 8601 time", "2026-03-08T02:30 does not exist in America/Montreal (the clocks go forward
 * that night)", "2026-11-01T01:30 happens twice in America/Montreal (the clocks go back that
 * night): add the offset, -04:00 or -05:00". */
borne_err borne_time_parse_why(const char *text, const char *tz, int64_t *out, char *why,
                               size_t cap);

/* Writes UTC ISO 8601 ("2026-05-20T13:00:00Z"). */
void borne_time_format_utc(int64_t t, char *out, size_t cap);

/* Writes local time in `tz` with its offset ("2026-05-20T09:00:00-04:00"). */
void borne_time_format_local(int64_t t, const char *tz, char *out, size_t cap);

/* A time zone name is safe to use: letters, digits, '/', '_', '-', '+', no "..", and it exists
 * in the system's zone database. */
int borne_timezone_valid(const char *tz);

#endif
