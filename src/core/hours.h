/* Credit hours as people read them: minutes turned into hours with two decimals.
 *
 * One rule, written in docs/credits.md ("Totals"): a total is the sum of the credited minutes,
 * converted once, rounded to the nearest hundredth of an hour (half up): 150 min is 2.50 h even
 * when each of three 50-minute sessions reads 0.83 h. Pure functions. */
#ifndef BORNE_CORE_HOURS_H
#define BORNE_CORE_HOURS_H

#include <stddef.h>
#include <stdint.h>

/* Hundredths of an hour in `minutes` (>= 0), rounded half up: 50 -> 83, 100 -> 167, 150 -> 250. */
int64_t borne_hours_hundredths(int64_t minutes);

/* Writes the hours with two decimals and the given decimal mark (',' for French, '.' for
 * English and machines): "2,50". Negative minutes are written as 0. */
void borne_hours_format(int64_t minutes, char decimal_mark, char *out, size_t cap);

#endif
