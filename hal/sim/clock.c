/*
 * The simulated clock (sim/clock.h): option parsing and the arithmetic,
 * shared by the host board and spark-collector, plus the two system clock
 * reads that start and run it.
 *
 * The product (real - anchor) * rate is taken in double: it does not fit
 * int64 at high rates, and double is exact to the nanosecond for a 60 s demo
 * at one day per second (5e15 < 2^53) and to far below a millisecond for
 * anything shorter than years of simulated time.
 */
#include "sim/clock.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fw/err.h"
#include "fw/iso8601.h"

#define NS_PER_MS 1000000LL

static const char *const s_expected_start =
    "ISO8601 like 2026-12-01T09:00:00Z, @UNIXSECONDS or 'now'";
static const char *const s_expected_rate =
    "simulated seconds per real second from 0 to 1e9 (0 = stepped, e.g. 1 or 86400)";
static const char *const s_expected_anchor =
    "real unix milliseconds like 1796083200000 (date +%s%3N): the real instant at "
    "which simulated time is --clock-start";

void sim_clock_opts_default(sim_clock_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->start_now = true;
    o->rate = 1.0;
}

bool sim_clock_is_option(const char *name)
{
    return name != NULL && (strcmp(name, "clock-start") == 0 || strcmp(name, "clock-rate") == 0 ||
                            strcmp(name, "clock-anchor") == 0);
}

/* Decimal digits only, at most `max` (strtoll would take "-1" and " 1"). */
static bool parse_i64(const char *s, int64_t max, int64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

int sim_clock_parse_time(const char *text, int64_t *unix_seconds)
{
    if (text == NULL || unix_seconds == NULL) {
        return FW_E_INVAL;
    }
    if (text[0] == '@') {
        return parse_i64(text + 1, INT64_MAX / 1000, unix_seconds) ? 0 : FW_E_INVAL;
    }
    return fw_iso8601_parse(text, unix_seconds, NULL) == 0 ? 0 : FW_E_INVAL;
}

int sim_clock_opts_set(sim_clock_opts_t *o, const char *name, const char *value,
                       const char **expected)
{
    if (o == NULL || !sim_clock_is_option(name)) {
        return FW_E_NOENT;
    }
    const char *want = NULL;
    if (strcmp(name, "clock-start") == 0) {
        int64_t s;
        if (value != NULL && strcmp(value, "now") == 0) {
            o->start_now = true;
        } else if (sim_clock_parse_time(value, &s) == 0) {
            o->start_now = false;
            o->start_s = s;
        } else {
            want = s_expected_start;
        }
    } else if (strcmp(name, "clock-rate") == 0) {
        char *end = NULL;
        errno = 0;
        double r = value != NULL ? strtod(value, &end) : -1;
        if (value == NULL || errno != 0 || *end != '\0' || end == value || !isfinite(r) || r < 0 ||
            r > SIM_CLOCK_RATE_MAX) {
            want = s_expected_rate;
        } else {
            o->rate = r;
        }
    } else {
        int64_t a;
        /* Up to the end of int64 nanoseconds (2262): sim_clock_at() works in ns. */
        if (parse_i64(value, INT64_MAX / NS_PER_MS, &a)) {
            o->anchor_set = true;
            o->anchor_ms = a;
        } else {
            want = s_expected_anchor;
        }
    }
    if (expected != NULL) {
        *expected = want;
    }
    return want == NULL ? 0 : FW_E_INVAL;
}

sim_clock_t sim_clock_from_opts(const sim_clock_opts_t *o, int64_t real_now_ms)
{
    sim_clock_t c;
    c.anchor_ms = o->anchor_set ? o->anchor_ms : real_now_ms;
    c.start_ms = o->start_now ? c.anchor_ms : o->start_s * 1000;
    c.rate = o->rate;
    return c;
}

int64_t sim_clock_at(const sim_clock_t *c, int64_t real_ns)
{
    /* The difference first, in integers: a unix time in ns as a double is
     * only good to 256 ns. */
    int64_t anchor_ns, since_ns;
    double since = (double)real_ns - (double)c->anchor_ms * (double)NS_PER_MS;
    if (!__builtin_mul_overflow(c->anchor_ms, NS_PER_MS, &anchor_ns) &&
        !__builtin_sub_overflow(real_ns, anchor_ns, &since_ns)) {
        since = (double)since_ns;
    }
    double v = (double)c->start_ms + floor(since * c->rate / (double)NS_PER_MS);
    if (isnan(v)) {
        return c->start_ms; /* a rate that is no number stands still */
    }
    if (v > (double)SIM_CLOCK_MAX_MS) {
        return SIM_CLOCK_MAX_MS;
    }
    if (v < -(double)SIM_CLOCK_MAX_MS) {
        return -SIM_CLOCK_MAX_MS;
    }
    return (int64_t)v;
}

/* ------------------------------------------------------- the system's clocks */

static int64_t read_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void sim_clock_run_start(sim_clock_run_t *r, const sim_clock_opts_t *o)
{
    r->real0_ns = read_ns(CLOCK_REALTIME);
    r->mono0_ns = read_ns(CLOCK_MONOTONIC);
    r->clock = sim_clock_from_opts(o, r->real0_ns / NS_PER_MS);
}

int64_t sim_clock_run_real_ns(const sim_clock_run_t *r)
{
    return r->real0_ns + (read_ns(CLOCK_MONOTONIC) - r->mono0_ns);
}

int64_t sim_clock_run_now_ms(const sim_clock_run_t *r)
{
    return sim_clock_at(&r->clock, sim_clock_run_real_ns(r));
}
