/*
 * The one ISO 8601 parser (grammar in fw/iso8601.h).
 *
 * The text is read field by field here; the calendar is glibc's: timegm()
 * turns the fields into seconds without looking at TZ, and gmtime_r() of the
 * result must give the same fields back, which refuses every date that
 * does not exist (timegm would roll 2026-02-30 over into March).
 */
#include "fw/iso8601.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "fw/err.h"

static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool take(const char **p, char c)
{
    if (**p != c) {
        return false;
    }
    (*p)++;
    return true;
}

static int bad(const char **why, const char *what)
{
    if (why != NULL) {
        *why = what;
    }
    return FW_E_FORMAT;
}

int fw_iso8601_parse(const char *s, int64_t *out, const char **why)
{
    if (s == NULL || out == NULL) {
        return FW_E_INVAL;
    }
    const char *p = s;
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    if (!digits(&p, 4, &y) || !take(&p, '-') || !digits(&p, 2, &mo) || !take(&p, '-') ||
        !digits(&p, 2, &d)) {
        return bad(why, "expected YYYY-MM-DD");
    }
    int64_t offset = 0;
    if (*p != '\0') {
        if (!take(&p, 'T') || !digits(&p, 2, &hh) || !take(&p, ':') || !digits(&p, 2, &mi)) {
            return bad(why, "expected THH:MM after the date");
        }
        if (take(&p, ':') && !digits(&p, 2, &ss)) {
            return bad(why, "expected two digits of seconds");
        }
        if (*p == '.' || *p == ',') {
            return bad(why, "no fractions of a second");
        }
        if (hh > 23 || mi > 59 || ss > 59) {
            return bad(why, "time of day out of range");
        }
        if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om;
            if (!digits(&p, 2, &oh) || !take(&p, ':') || !digits(&p, 2, &om)) {
                return bad(why, "expected an offset +HH:MM or -HH:MM");
            }
            if (oh > 23 || om > 59) {
                return bad(why, "offset out of range");
            }
            offset = sign * (int64_t)(oh * 3600 + om * 60);
        } else if (!take(&p, 'Z')) {
            return bad(why, "no time zone: end with Z or an offset +HH:MM");
        }
        if (*p != '\0') {
            return bad(why, "trailing characters");
        }
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31) {
        return bad(why, y < 1970 ? "year before 1970" : "date out of range");
    }
    struct tm tm = {
        .tm_year = y - 1900,
        .tm_mon = mo - 1,
        .tm_mday = d,
        .tm_hour = hh,
        .tm_min = mi,
        .tm_sec = ss,
    };
    time_t t = timegm(&tm);
    struct tm back;
    if (t == (time_t)-1 || gmtime_r(&t, &back) == NULL || back.tm_mday != d ||
        back.tm_mon != mo - 1) {
        return bad(why, "no such date");
    }
    int64_t v = (int64_t)t - offset;
    if (v < 0 || v > FW_ISO8601_MAX) {
        return bad(why, "instant out of range");
    }
    *out = v;
    return 0;
}

char *fw_iso8601_format(int64_t t, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0) {
        return buf;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (t < 0 || t > FW_ISO8601_MAX || cap < FW_ISO8601_LEN || gmtime_r(&tt, &tm) == NULL ||
        strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        (void)snprintf(buf, cap, "?");
    }
    return buf;
}
