/*
 * Small helpers of the collector CLI, and its log sink: the collector is a
 * host tool, so it supplies hal/log.h itself (stderr) instead of linking a
 * board.
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "fw/err.h"
#include "hal/log.h"

static hal_log_level_t s_threshold = HAL_LOG_INFO;

void collector_log_init(void)
{
    const char *v = getenv("SPARK_COLLECTOR_LOG");
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; v != NULL && i < 4; i++) {
        if (strcmp(v, names[i]) == 0) {
            s_threshold = (hal_log_level_t)i;
        }
    }
}

hal_log_level_t hal_log_threshold(void)
{
    return s_threshold;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    static const char lv[] = "EWID";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char when[24];
    collector_iso8601_format((int64_t)ts.tv_sec, when, sizeof when);
    fprintf(stderr, "%s %c %s: %s\n", when, lv[(unsigned)level < 4 ? level : 3], tag, msg);
    fflush(stderr);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)**p)) {
            return FW_E_FORMAT;
        }
        v = v * 10 + (*(*p)++ - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * algorithm): no timegm, no TZ environment. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int collector_iso8601_parse(const char *s, int64_t *out)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d)) {
        return FW_E_FORMAT;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) {
        return FW_E_FORMAT;
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap) {
        return FW_E_FORMAT;
    }
    int64_t off = 0;
    if (*p == 'T') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi)) {
            return FW_E_FORMAT;
        }
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &se)) {
                return FW_E_FORMAT;
            }
        }
        if (h > 23 || mi > 59 || se > 59) {
            return FW_E_FORMAT;
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om;
            if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59) {
                return FW_E_FORMAT;
            }
            off = sign * (oh * 3600 + om * 60);
        } else {
            return FW_E_FORMAT;
        }
    } else if (*p == 'Z') {
        p++;
    }
    if (*p != '\0') {
        return FW_E_FORMAT;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    return 0;
}

char *collector_iso8601_format(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        (void)snprintf(buf, cap, "?");
    }
    return buf;
}

char *collector_read_file(const char *what, const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "spark-collector: cannot open %s '%s': %s\n", what, path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(max + 2);
    size_t n = buf != NULL ? fread(buf, 1, max + 1, f) : 0;
    int err = ferror(f);
    fclose(f);
    if (buf == NULL || err || n > max) {
        fprintf(stderr, "spark-collector: cannot read %s '%s'%s\n", what, path,
                n > max ? ": file too large" : "");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
