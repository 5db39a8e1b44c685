/*
 * Usage counters: accumulation and merging. Pure.
 *
 * Counters saturate rather than wrap: a wrapped counter would report less
 * usage than happened, a saturated one is visibly "at least this much".
 */
#include "report/usage.h"

/* Counting saturates at the table's max for the field, like merging. */
#define MAX_MEMBER(name, ...) int64_t name;
#define MAX_VALUE(name, ctype, dim, type, lo, hi, ...) .name = (int64_t)(hi),
static const struct {
    PROTO_USAGE_FIELDS(MAX_MEMBER)
} s_max = {PROTO_USAGE_FIELDS(MAX_VALUE)};
#define COUNT_MAX(field) (s_max.field)

/* a + b, saturating at `max` (a, b within [0, max]). */
static int64_t add_sat(int64_t a, int64_t b, int64_t max)
{
    return a > max - b ? max : a + b;
}

void report_usage_merge(report_usage_t *dst, const report_usage_t *src)
{
    for (size_t i = 0; i < proto_usage_record.n; i++) {
        const proto_field_t *f = &proto_usage_record.fields[i];
        int64_t a = proto_field_get(f, dst), b = proto_field_get(f, src), v = a;
        switch (f->merge) {
        case PROTO_MERGE_SUM: v = add_sat(a, b, f->max); break;
        case PROTO_MERGE_MAX: v = b > a ? b : a; break;
        case PROTO_MERGE_MIN: v = b < a ? b : a; break;
        default: break;
        }
        proto_field_set(f, dst, v);
    }
}

bool report_usage_equal(const report_usage_t *a, const report_usage_t *b)
{
    for (size_t i = 0; i < proto_usage_record.n; i++) {
        const proto_field_t *f = &proto_usage_record.fields[i];
        if (proto_field_get(f, a) != proto_field_get(f, b)) {
            return false;
        }
    }
    return true;
}

bool report_usage_is_empty(const report_usage_t *u)
{
    for (size_t i = 0; i < proto_usage_record.n; i++) {
        const proto_field_t *f = &proto_usage_record.fields[i];
        if (f->type != PROTO_T_I64 && proto_field_get(f, u) != 0) { /* not start/end */
            return false;
        }
    }
    return true;
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
    u->calls = (uint32_t)add_sat(u->calls, 1, COUNT_MAX(calls));
    u->call_seconds = (uint64_t)add_sat((int64_t)u->call_seconds, seconds, COUNT_MAX(call_seconds));
}

void report_usage_call_blocked(report_usage_t *u)
{
    u->calls_blocked = (uint32_t)add_sat(u->calls_blocked, 1, COUNT_MAX(calls_blocked));
}

void report_usage_call_emergency(report_usage_t *u)
{
    u->emergency_calls = (uint32_t)add_sat(u->emergency_calls, 1, COUNT_MAX(emergency_calls));
}

void report_usage_meeting(report_usage_t *u, uint32_t seconds)
{
    u->meetings = (uint32_t)add_sat(u->meetings, 1, COUNT_MAX(meetings));
    u->meeting_seconds =
        (uint64_t)add_sat((int64_t)u->meeting_seconds, seconds, COUNT_MAX(meeting_seconds));
}

void report_usage_share(report_usage_t *u, uint32_t seconds)
{
    u->share_seconds =
        (uint64_t)add_sat((int64_t)u->share_seconds, seconds, COUNT_MAX(share_seconds));
}

void report_usage_people(report_usage_t *u, uint32_t people_now)
{
    if (people_now > u->people_peak) {
        u->people_peak = people_now;
    }
}

void report_usage_uptime(report_usage_t *u, uint32_t seconds)
{
    u->uptime_seconds =
        (uint64_t)add_sat((int64_t)u->uptime_seconds, seconds, COUNT_MAX(uptime_seconds));
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
