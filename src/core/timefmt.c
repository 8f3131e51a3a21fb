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

/* The UTC offsets met in local-time formatting, per zone and hour of UTC. Setting TZ makes the C
 * library read the zone's file again (and restoring it, again), and checking the name costs an
 * access(2): a page listing thousands of times in one zone spent most of its time there
 * (docs/console.md, "Performance"). An hour is kept only when its first and last second have the
 * same offset, so an hour holding a change of offset is always computed. Under tz_lock. */
#define TZ_CACHE 64
static struct tz_hour {
    char tz[65];
    int64_t hour; /* t / 3600, floored */
    long off;
} tz_cache[TZ_CACHE];
static size_t tz_cache_next;

static int64_t hour_of(int64_t t)
{
    return t >= 0 ? t / 3600 : -((-t + 3599) / 3600);
}

/* The offset of `tz` at t from the cache; false when it is not there. */
static bool tz_cached(const char *tz, int64_t t, long *off)
{
    int64_t h = hour_of(t);
    for (size_t i = 0; i < TZ_CACHE; i++) {
        if (tz_cache[i].tz[0] && tz_cache[i].hour == h && strcmp(tz_cache[i].tz, tz) == 0) {
            *off = tz_cache[i].off;
            return true;
        }
    }
    return false;
}

/* With TZ set to tz: keeps the hour of t when its offset does not change within it. */
static void tz_remember(const char *tz, int64_t t, long off)
{
    int64_t h = hour_of(t);
    time_t first = (time_t)(h * 3600), last = (time_t)(h * 3600 + 3599);
    struct tm a, b;
    if (strlen(tz) >= sizeof(tz_cache[0].tz) || !localtime_r(&first, &a) ||
        !localtime_r(&last, &b) || a.tm_gmtoff != off || b.tm_gmtoff != off) {
        return;
    }
    struct tz_hour *e = &tz_cache[tz_cache_next];
    tz_cache_next = (tz_cache_next + 1) % TZ_CACHE;
    snprintf(e->tz, sizeof(e->tz), "%s", tz);
    e->hour = h;
    e->off = off;
}

void borne_time_format_local(int64_t t, const char *tz, char *out, size_t cap)
{
    long off = 0;
    pthread_mutex_lock(&tz_lock);
    bool known = tz && tz_cached(tz, t, &off);
    pthread_mutex_unlock(&tz_lock);
    if (!known) {
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
        if (ok) {
            off = tm.tm_gmtoff;
            tz_remember(tz, t, off);
        }
        with_tz_end(saved, had);
        if (!ok) {
            snprintf(out, cap, "?");
            return;
        }
    }
    /* The local wall clock is UTC shifted by the offset. */
    time_t shifted = (time_t)(t + off);
    struct tm tm;
    if (!gmtime_r(&shifted, &tm)) {
        snprintf(out, cap, "?");
        return;
    }
    char sign = off < 0 ? '-' : '+';
    long a = off < 0 ? -off : off;
    char base[32];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, cap, "%s%c%02ld:%02ld", base, sign, a / 3600, (a % 3600) / 60);
}
