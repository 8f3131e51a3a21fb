/* Credit hours as text (see hours.h). */
#include "core/hours.h"

#include <stdio.h>

int64_t borne_hours_hundredths(int64_t minutes)
{
    if (minutes <= 0) {
        return 0;
    }
    return (minutes * 100 + 30) / 60;
}

void borne_hours_format(int64_t minutes, char decimal_mark, char *out, size_t cap)
{
    int64_t h = borne_hours_hundredths(minutes);
    snprintf(out, cap, "%lld%c%02lld", (long long)(h / 100), decimal_mark, (long long)(h % 100));
}
