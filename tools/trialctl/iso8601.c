/* Civil-date arithmetic without the C library's time zone machinery, so the
 * answer never depends on TZ (days_from_civil, H. Hinnant's algorithm). */
#include "iso8601.h"

#include <stdbool.h>
#include <stdio.h>

#include "fw/err.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

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

static bool expect(const char **p, char c)
{
    if (**p != c) {
        return false;
    }
    (*p)++;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int iso8601_parse(const char *s, int64_t *out)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = s;
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    if (!digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) || !expect(&p, '-') ||
        !digits(&p, 2, &d)) {
        return FW_E_FORMAT;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y))) {
        return FW_E_FORMAT;
    }
    int64_t offset = 0;
    if (*p != '\0') {
        if ((*p != 'T' && *p != 't' && *p != ' ') || !(p++, digits(&p, 2, &hh)) ||
            !expect(&p, ':') || !digits(&p, 2, &mi)) {
            return FW_E_FORMAT;
        }
        if (*p == ':' && (p++, !digits(&p, 2, &ss))) {
            return FW_E_FORMAT;
        }
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9') {
                return FW_E_FORMAT;
            }
            while (*p >= '0' && *p <= '9') {
                p++;
            }
        }
        if (hh > 23 || mi > 59 || ss > 60) {
            return FW_E_FORMAT;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1;
            int oh, om;
            p++;
            if (!digits(&p, 2, &oh) || !expect(&p, ':') || !digits(&p, 2, &om) || oh > 23 ||
                om > 59) {
                return FW_E_FORMAT;
            }
            offset = sign * (int64_t)(oh * 3600 + om * 60);
        } else {
            return FW_E_FORMAT; /* an instant without a zone is ambiguous */
        }
        if (*p != '\0') {
            return FW_E_FORMAT;
        }
    }
    *out =
        days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mi * 60 + ss - offset;
    return 0;
}

char *iso8601_format(int64_t t, char *buf, size_t cap)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    (void)snprintf(buf, cap, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
                   (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    return buf;
}
