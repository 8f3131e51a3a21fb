/* ISO 8601 parsing and formatting, with local time through the zone database. */
#include "core/timefmt.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

int borne_timezone_valid(const char *tz)
{
    if (!tz || !tz[0] || strlen(tz) > 64 || strstr(tz, "..") || tz[0] == '/') {
        return 0;
    }
    for (const char *p = tz; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '/' || c == '_' || c == '-' || c == '+';
        if (!ok) {
            return 0;
        }
    }
    if (strcmp(tz, "UTC") == 0) {
        return 1;
    }
    char path[128];
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
    return access(path, R_OK) == 0;
}

/* Runs mktime or localtime_r with TZ set to `tz`, then restores TZ. */
static void with_tz_begin(const char *tz, char *saved, size_t cap, bool *had)
{
    pthread_mutex_lock(&tz_lock);
    const char *old = getenv("TZ");
    *had = old != NULL;
    if (old) {
        snprintf(saved, cap, "%s", old);
    }
    setenv("TZ", tz, 1);
    tzset();
}

static void with_tz_end(const char *saved, bool had)
{
    if (had) {
        setenv("TZ", saved, 1);
    } else {
        unsetenv("TZ");
    }
    tzset();
    pthread_mutex_unlock(&tz_lock);
}

static bool digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        return 29;
    }
    return days[m - 1];
}

/* The UTC offsets in force in `tz` within a day of t0 (TZ already set); up to 5 distinct. */
static size_t offsets_near(int64_t t0, long offs[5])
{
    size_t n = 0;
    for (int k = -2; k <= 2; k++) {
        time_t t = (time_t)(t0 + (int64_t)k * 43200);
        struct tm tm;
        if (!localtime_r(&t, &tm)) {
            continue;
        }
        bool seen = false;
        for (size_t i = 0; i < n; i++) {
            seen = seen || offs[i] == tm.tm_gmtoff;
        }
        if (!seen) {
            offs[n++] = tm.tm_gmtoff;
        }
    }
    return n;
}

static borne_err parse_fail(char *why, size_t cap, const char *text)
{
    if (why && cap) {
        snprintf(why, cap, "\"%.40s\" is not an ISO 8601 time such as 2026-05-20T09:00", text);
    }
    return BORNE_ERR_PARSE;
}

static void format_offset(long off, char *out, size_t cap)
{
    char sign = off < 0 ? '-' : '+';
    long a = (off < 0 ? -off : off) % (100 * 3600);
    snprintf(out, cap, "%c%02ld:%02ld", sign, a / 3600, (a % 3600) / 60);
}

/* Local time to UTC in `tz`, refusing times the clock change skips or repeats. */
static borne_err local_to_utc(const char *text, struct tm *tm, const char *tz, int64_t *out,
                              char *why, size_t cap)
{
    int64_t t0 = (int64_t)timegm(tm); /* the wall-clock fields read as UTC */
    char saved[128];
    bool had;
    with_tz_begin(tz, saved, sizeof(saved), &had);
    long offs[5];
    size_t noffs = offsets_near(t0, offs);
    int64_t found[5];
    long found_off[5];
    size_t nfound = 0;
    for (size_t i = 0; i < noffs; i++) {
        time_t t = (time_t)(t0 - offs[i]);
        struct tm lt;
        if (localtime_r(&t, &lt) && lt.tm_gmtoff == offs[i]) {
            found_off[nfound] = offs[i];
            found[nfound++] = (int64_t)t;
        }
    }
    with_tz_end(saved, had);
    if (nfound == 1) {
        *out = found[0];
        return BORNE_OK;
    }
    if (why && cap) {
        if (nfound == 0) {
            snprintf(why, cap,
                     "%.40s does not exist in %s (the clocks go forward that night): check the "
                     "time, or add the offset",
                     text, tz);
        } else {
            char a[40], b[40];
            /* Earlier instant first: the larger offset. */
            long hi = found_off[0] > found_off[1] ? found_off[0] : found_off[1];
            long lo = found_off[0] > found_off[1] ? found_off[1] : found_off[0];
            format_offset(hi, a, sizeof(a));
            format_offset(lo, b, sizeof(b));
            snprintf(why, cap,
                     "%.40s happens twice in %s (the clocks go back that night): add the offset, "
                     "%s or %s",
                     text, tz, a, b);
        }
    }
    return BORNE_ERR_PARSE;
}

borne_err borne_time_parse(const char *text, const char *tz, int64_t *out)
{
    return borne_time_parse_why(text, tz, out, NULL, 0);
}

borne_err borne_time_parse_why(const char *text, const char *tz, int64_t *out, char *why,
                               size_t cap)
{
    if (!text || !out) {
        return BORNE_ERR_INVALID;
    }
    size_t len = strlen(text);
    int y, mo, d, h = 0, mi = 0, s = 0;
    if (len < 10 || !digits(text, 4, &y) || text[4] != '-' || !digits(text + 5, 2, &mo) ||
        text[7] != '-' || !digits(text + 8, 2, &d)) {
        return parse_fail(why, cap, text);
    }
    if (y < 1970 || y > 2105 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
        if (why && cap) {
            snprintf(why, cap, "%.10s is not a date between 1970 and 2105", text);
        }
        return BORNE_ERR_PARSE;
    }
    const char *p = text + 10;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi)) {
            return parse_fail(why, cap, text);
        }
        p += 5;
        if (*p == ':') {
            if (!digits(p + 1, 2, &s)) {
                return parse_fail(why, cap, text);
            }
            p += 3;
        }
        if (h > 23 || mi > 59 || s > 59) {
            return parse_fail(why, cap, text);
        }
    }
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    if (*p == 'Z' && p[1] == '\0') {
        *out = (int64_t)timegm(&tm);
        return BORNE_OK;
    }
    if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || !digits(p + 4, 2, &om) || oh > 14 || om > 59) {
            return parse_fail(why, cap, text);
        }
        int64_t offset = (int64_t)oh * 3600 + om * 60;
        *out = (int64_t)timegm(&tm) - (*p == '+' ? offset : -offset);
        return BORNE_OK;
    }
    if (*p != '\0') {
        return parse_fail(why, cap, text);
    }
    if (!borne_timezone_valid(tz)) {
        return BORNE_ERR_INVALID;
    }
    return local_to_utc(text, &tm, tz, out, why, cap);
}

void borne_time_format_utc(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, cap, "?");
        return;
    }
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void borne_time_format_local(int64_t t, const char *tz, char *out, size_t cap)
{
    if (!borne_timezone_valid(tz)) {
        borne_time_format_utc(t, out, cap);
        return;
    }
    char saved[128];
    bool had;
    with_tz_begin(tz, saved, sizeof(saved), &had);
    time_t tt = (time_t)t;
    struct tm tm;
    bool ok = localtime_r(&tt, &tm) != NULL;
    with_tz_end(saved, had);
    if (!ok) {
        snprintf(out, cap, "?");
        return;
    }
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) {
        off = -off;
    }
    char base[32];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, cap, "%s%c%02ld:%02ld", base, sign, off / 3600, (off % 3600) / 60);
}
