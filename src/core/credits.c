/* Attendance pairing and credit hours (see credits.h and docs/credits.md). */
#include "core/credits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_scans(const void *a, const void *b)
{
    const borne_scan_event *x = a;
    const borne_scan_event *y = b;
    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    /* At the same second an entry comes first: in then out, not out then in. */
    return (int)x->direction - (int)y->direction;
}

static int64_t clip(int64_t t, int64_t lo, int64_t hi)
{
    return t < lo ? lo : (t > hi ? hi : t);
}

borne_err borne_credits_compute(int64_t start, int64_t end, const borne_credit_rule *rule,
                                const borne_scan_event *scans, size_t count, int64_t now,
                                borne_attendance *out)
{
    memset(out, 0, sizeof(*out));
    if (end <= start || !rule || rule->credit_minutes < 0 || rule->min_share_permille < 0 ||
        rule->min_share_permille > 1000 || rule->step_minutes < 0 || (count && !scans)) {
        return BORNE_ERR_INVALID;
    }
    borne_scan_event *sorted = NULL;
    if (count) {
        sorted = malloc(count * sizeof(*sorted));
        if (!sorted) {
            return BORNE_ERR_NOMEM;
        }
        memcpy(sorted, scans, count * sizeof(*sorted));
        qsort(sorted, count, sizeof(*sorted), compare_scans);
    }

    /* Walk in time order, building presence intervals [in, out). */
    bool open = false;
    int64_t in = 0;
    bool have_last = false; /* the last closed interval, which a later exit may extend */
    int64_t last_in = 0, last_out = 0;
    int64_t total = 0;
    for (size_t i = 0; i < count; i++) {
        const borne_scan_event *s = &sorted[i];
        if (s->direction == BORNE_ENTRY) {
            if (!open) {
                open = true;
                in = s->time;
            }
            continue;
        }
        if (open) {
            if (have_last) {
                total += clip(last_out, start, end) - clip(last_in, start, end);
            }
            have_last = true;
            last_in = in;
            last_out = s->time;
            open = false;
            out->intervals++;
        } else if (have_last && i > 0 && sorted[i - 1].direction == BORNE_EXIT) {
            last_out = s->time; /* a second kiosk's exit for the same departure */
        } else {
            out->unmatched_exits++;
        }
    }
    if (have_last) {
        total += clip(last_out, start, end) - clip(last_in, start, end);
    }
    if (open) {
        int64_t close = now < end ? now : end;
        if (close > in) {
            total += clip(close, start, end) - clip(in, start, end);
        }
        out->intervals++;
        out->closed_at_end = now >= end;
    }
    free(sorted);

    int64_t scheduled = end - start;
    out->attended_s = total;
    out->share_permille = (int32_t)(total * 1000 / scheduled);
    if (out->intervals == 0) {
        /* No presence at all (no scan, or only exits): no credit, whatever the rule. */
        out->credit_minutes = 0;
    } else if (rule->kind == BORNE_CREDIT_THRESHOLD) {
        out->credit_minutes = total * 1000 >= (int64_t)rule->min_share_permille * scheduled
                                  ? rule->credit_minutes
                                  : 0;
    } else {
        if (total * 1000 < (int64_t)rule->min_share_permille * scheduled) {
            out->credit_minutes = 0;
        } else {
            int64_t minutes = (int64_t)rule->credit_minutes * total / scheduled;
            int step = rule->step_minutes > 1 ? rule->step_minutes : 1;
            out->credit_minutes = (int32_t)(minutes / step * step);
        }
    }
    return BORNE_OK;
}

static bool parse_int(const char **p, int32_t lo, int32_t hi, int32_t *out)
{
    char *end;
    long v = strtol(*p, &end, 10);
    if (end == *p || v < lo || v > hi) {
        return false;
    }
    *out = (int32_t)v;
    *p = end;
    return true;
}

borne_err borne_credit_rule_parse(const char *text, int32_t credit_minutes, borne_credit_rule *out)
{
    if (!text || credit_minutes < 0 || credit_minutes > 100 * 60) {
        return BORNE_ERR_INVALID;
    }
    borne_credit_rule r = {.credit_minutes = credit_minutes};
    const char *p;
    if (strncmp(text, "threshold:", 10) == 0) {
        r.kind = BORNE_CREDIT_THRESHOLD;
        p = text + 10;
        if (!parse_int(&p, 0, 1000, &r.min_share_permille)) {
            return BORNE_ERR_PARSE;
        }
    } else if (strncmp(text, "proportional:", 13) == 0) {
        r.kind = BORNE_CREDIT_PROPORTIONAL;
        p = text + 13;
        if (!parse_int(&p, 0, 600, &r.step_minutes)) {
            return BORNE_ERR_PARSE;
        }
        if (*p == ':') {
            p++;
            if (!parse_int(&p, 0, 1000, &r.min_share_permille)) {
                return BORNE_ERR_PARSE;
            }
        }
    } else {
        return BORNE_ERR_PARSE;
    }
    if (*p != '\0') {
        return BORNE_ERR_PARSE;
    }
    *out = r;
    return BORNE_OK;
}

void borne_credit_rule_format(const borne_credit_rule *rule, char *out, size_t cap)
{
    if (rule->kind == BORNE_CREDIT_THRESHOLD) {
        snprintf(out, cap, "threshold:%d", (int)rule->min_share_permille);
    } else if (rule->min_share_permille) {
        snprintf(out, cap, "proportional:%d:%d", (int)rule->step_minutes,
                 (int)rule->min_share_permille);
    } else {
        snprintf(out, cap, "proportional:%d", (int)rule->step_minutes);
    }
}
