/*
 * Usage counters: accumulation and merging. Pure.
 *
 * Counters saturate rather than wrap: a wrapped counter would report less
 * usage than happened, a saturated one is visibly "at least this much".
 */
#include "report/usage.h"

static uint32_t add32(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static uint64_t add64(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void report_usage_merge(report_usage_t *dst, const report_usage_t *src)
{
    dst->start = src->start < dst->start ? src->start : dst->start;
    dst->end = src->end > dst->end ? src->end : dst->end;
    dst->calls = add32(dst->calls, src->calls);
    dst->call_seconds = add64(dst->call_seconds, src->call_seconds);
    dst->calls_blocked = add32(dst->calls_blocked, src->calls_blocked);
    dst->emergency_calls = add32(dst->emergency_calls, src->emergency_calls);
    dst->meetings = add32(dst->meetings, src->meetings);
    dst->meeting_seconds = add64(dst->meeting_seconds, src->meeting_seconds);
    dst->share_seconds = add64(dst->share_seconds, src->share_seconds);
    dst->people_peak = src->people_peak > dst->people_peak ? src->people_peak : dst->people_peak;
    dst->uptime_seconds = add64(dst->uptime_seconds, src->uptime_seconds);
}

bool report_usage_equal(const report_usage_t *a, const report_usage_t *b)
{
    return a->start == b->start && a->end == b->end && a->calls == b->calls &&
           a->call_seconds == b->call_seconds && a->calls_blocked == b->calls_blocked &&
           a->emergency_calls == b->emergency_calls && a->meetings == b->meetings &&
           a->meeting_seconds == b->meeting_seconds && a->share_seconds == b->share_seconds &&
           a->people_peak == b->people_peak && a->uptime_seconds == b->uptime_seconds;
}

bool report_usage_is_empty(const report_usage_t *u)
{
    return u->calls == 0 && u->call_seconds == 0 && u->calls_blocked == 0 &&
           u->emergency_calls == 0 && u->meetings == 0 && u->meeting_seconds == 0 &&
           u->share_seconds == 0 && u->people_peak == 0 && u->uptime_seconds == 0;
}

uint32_t report_interval_sanitize(uint32_t interval_s)
{
    if (interval_s == 0) {
        return REPORT_INTERVAL_DEFAULT_S;
    }
    if (interval_s < REPORT_INTERVAL_MIN_S) {
        return REPORT_INTERVAL_MIN_S;
    }
    return interval_s > REPORT_INTERVAL_MAX_S ? REPORT_INTERVAL_MAX_S : interval_s;
}

int64_t report_interval_floor(int64_t t, uint32_t interval_s)
{
    int64_t i = (int64_t)report_interval_sanitize(interval_s);
    int64_t r = t % i;
    if (r < 0) { /* floor, not truncation, before 1970 */
        r += i;
    }
    return t - r;
}

void report_usage_open(report_usage_t *u, int64_t now, uint32_t interval_s)
{
    *u = (report_usage_t){0};
    u->start = report_interval_floor(now, interval_s);
    u->end = u->start + (int64_t)report_interval_sanitize(interval_s);
}

void report_usage_call_ended(report_usage_t *u, uint32_t seconds)
{
    u->calls = add32(u->calls, 1);
    u->call_seconds = add64(u->call_seconds, seconds);
}

void report_usage_call_blocked(report_usage_t *u)
{
    u->calls_blocked = add32(u->calls_blocked, 1);
}

void report_usage_call_emergency(report_usage_t *u)
{
    u->emergency_calls = add32(u->emergency_calls, 1);
}

void report_usage_meeting(report_usage_t *u, uint32_t seconds)
{
    u->meetings = add32(u->meetings, 1);
    u->meeting_seconds = add64(u->meeting_seconds, seconds);
}

void report_usage_share(report_usage_t *u, uint32_t seconds)
{
    u->share_seconds = add64(u->share_seconds, seconds);
}

void report_usage_people(report_usage_t *u, uint32_t people_now)
{
    if (people_now > u->people_peak) {
        u->people_peak = people_now;
    }
}

void report_usage_uptime(report_usage_t *u, uint32_t seconds)
{
    u->uptime_seconds = add64(u->uptime_seconds, seconds);
}

bool report_usage_roll(report_usage_t *u, int64_t now, uint32_t interval_s, report_usage_t *closed)
{
    if (now < u->end) {
        return false;
    }
    *closed = *u;
    report_usage_open(u, now, interval_s);
    return true;
}
