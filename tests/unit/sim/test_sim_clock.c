/*
 * sim/clock.h: simulated(t) = start + (t - anchor) * rate, the options that
 * set it, and that processes started at different moments with the same
 * options agree (the collector and the rooms of a demo on one clock).
 * No clock is read except in the last test, which bounds what it reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fw/err.h"
#include "sim/clock.h"

#define START_S INT64_C(1796083200) /* 2026-12-01T00:00:00Z */
#define ANCHOR_MS INT64_C(1795900000123)
#define NS(ms) ((int64_t)(ms)*1000000)

static void test_the_formula(void **state)
{
    (void)state;
    sim_clock_t c = {.start_ms = START_S * 1000, .anchor_ms = ANCHOR_MS, .rate = 86400};
    assert_int_equal(sim_clock_at(&c, NS(ANCHOR_MS)), START_S * 1000);
    /* one real second is a simulated day; one real ms 86.4 simulated s */
    assert_int_equal(sim_clock_at(&c, NS(ANCHOR_MS + 1000)), (START_S + 86400) * 1000);
    assert_int_equal(sim_clock_at(&c, NS(ANCHOR_MS + 1)), START_S * 1000 + 86400);
    /* 60 real seconds, to the simulated ms: 1 real ns is 0.0864 simulated ms */
    assert_int_equal(sim_clock_at(&c, NS(ANCHOR_MS + 60000) + 12),
                     (START_S + 60 * 86400) * 1000 + 1);
    /* before the anchor: before start, rounded down like everything else */
    assert_int_equal(sim_clock_at(&c, NS(ANCHOR_MS - 1000)), (START_S - 86400) * 1000);
    assert_int_equal(sim_clock_at(&c, NS(ANCHOR_MS) - 1), START_S * 1000 - 1);
    /* a fractional rate, and rate 0 (stands at start) */
    c.rate = 0.5;
    assert_int_equal(sim_clock_at(&c, NS(ANCHOR_MS + 3)), START_S * 1000 + 1);
    c.rate = 0;
    assert_int_equal(sim_clock_at(&c, NS(ANCHOR_MS + 123456)), START_S * 1000);
    /* saturates instead of overflowing, either way */
    c.rate = 1e9;
    assert_int_equal(sim_clock_at(&c, INT64_MAX), SIM_CLOCK_MAX_MS);
    assert_int_equal(sim_clock_at(&c, INT64_MIN), -SIM_CLOCK_MAX_MS);
    c.anchor_ms = INT64_MAX; /* not one an option gives, still no overflow */
    assert_int_equal(sim_clock_at(&c, 0), -SIM_CLOCK_MAX_MS);
}

/* A collector started first and a room started 2.345 s later, both with the
 * demo's options: at every real instant they read the same simulated ms.
 * Without an anchor each counts from its own start (what went wrong). */
static void test_processes_agree_with_one_anchor(void **state)
{
    (void)state;
    sim_clock_opts_t o;
    sim_clock_opts_default(&o);
    assert_int_equal(sim_clock_opts_set(&o, "clock-start", "2026-12-01T00:00:00Z", NULL), 0);
    assert_int_equal(sim_clock_opts_set(&o, "clock-rate", "86400", NULL), 0);
    assert_int_equal(sim_clock_opts_set(&o, "clock-anchor", "1795900000123", NULL), 0);
    sim_clock_t collector = sim_clock_from_opts(&o, ANCHOR_MS - 500);
    sim_clock_t room = sim_clock_from_opts(&o, ANCHOR_MS + 2345);
    for (int64_t t = NS(ANCHOR_MS - 1000); t < NS(ANCHOR_MS + 70000); t += 7777777) {
        assert_int_equal(sim_clock_at(&collector, t), sim_clock_at(&room, t));
    }
    assert_int_equal(sim_clock_at(&room, NS(ANCHOR_MS)), START_S * 1000);

    sim_clock_opts_t loose = o;
    loose.anchor_set = false;
    collector = sim_clock_from_opts(&loose, ANCHOR_MS - 500);
    room = sim_clock_from_opts(&loose, ANCHOR_MS + 2345);
    assert_int_equal(sim_clock_at(&room, NS(ANCHOR_MS + 2345)), START_S * 1000);
    assert_int_equal(sim_clock_at(&collector, NS(ANCHOR_MS + 2345)) - START_S * 1000,
                     2845 * INT64_C(86400)); /* 2.845 s apart: 2.8 simulated days */
}

/* No options: real time. "now" with an anchor: real time at the anchor. */
static void test_defaults_and_now(void **state)
{
    (void)state;
    sim_clock_opts_t o;
    sim_clock_opts_default(&o);
    sim_clock_t c = sim_clock_from_opts(&o, ANCHOR_MS);
    assert_int_equal(sim_clock_at(&c, NS(ANCHOR_MS + 777)), ANCHOR_MS + 777);
    assert_int_equal(sim_clock_opts_set(&o, "clock-anchor", "1795900000000", NULL), 0);
    assert_int_equal(sim_clock_opts_set(&o, "clock-rate", "60", NULL), 0);
    c = sim_clock_from_opts(&o, ANCHOR_MS + 5000);
    assert_int_equal(c.start_ms, INT64_C(1795900000000));
    assert_int_equal(sim_clock_at(&c, NS(INT64_C(1795900001000))), INT64_C(1795900060000));
}

static void test_option_values(void **state)
{
    (void)state;
    sim_clock_opts_t o;
    sim_clock_opts_default(&o);
    const char *want = NULL;
    static const struct {
        const char *name, *value;
        int rc;
    } cases[] = {
        {"clock-start", "2026-12-01T00:00:00Z", 0},
        {"clock-start", "2026-12-01T01:00:00+01:00", 0},
        {"clock-start", "2026-12-01", 0},
        {"clock-start", "@1796083200", 0},
        {"clock-start", "now", 0},
        {"clock-start", "tomorrow", FW_E_INVAL},
        {"clock-start", "@-1", FW_E_INVAL},
        {"clock-start", "2026-12-01T00:00:00", FW_E_INVAL},
        {"clock-start", "", FW_E_INVAL},
        {"clock-rate", "0", 0},
        {"clock-rate", "86400", 0},
        {"clock-rate", "0.25", 0},
        {"clock-rate", "1e9", 0},
        {"clock-rate", "1.5e9", FW_E_INVAL},
        {"clock-rate", "-1", FW_E_INVAL},
        {"clock-rate", "nan", FW_E_INVAL},
        {"clock-rate", "inf", FW_E_INVAL},
        {"clock-rate", "fast", FW_E_INVAL},
        {"clock-rate", "1x", FW_E_INVAL},
        {"clock-rate", "", FW_E_INVAL},
        {"clock-anchor", "1795900000123", 0},
        {"clock-anchor", "0", 0},
        {"clock-anchor", "-5", FW_E_INVAL},
        {"clock-anchor", " 5", FW_E_INVAL},
        {"clock-anchor", "1795900000.5", FW_E_INVAL},
        {"clock-anchor", "9223372036855", FW_E_INVAL}, /* past 2262 in ns */
        {"clock-anchor", "", FW_E_INVAL},
        {"clock-speed", "1", FW_E_NOENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        want = NULL;
        int rc = sim_clock_opts_set(&o, cases[i].name, cases[i].value, &want);
        if (rc != cases[i].rc) {
            fail_msg("--%s %s: got %d, want %d", cases[i].name, cases[i].value, rc, cases[i].rc);
        }
        if (rc == FW_E_INVAL && (want == NULL || strlen(want) < 10)) {
            fail_msg("--%s %s: no text of what is expected", cases[i].name, cases[i].value);
        }
    }
    assert_int_equal(sim_clock_opts_set(&o, "clock-start", NULL, &want), FW_E_INVAL);
    assert_int_equal(sim_clock_opts_set(&o, "clock-rate", NULL, &want), FW_E_INVAL);
    assert_int_equal(sim_clock_opts_set(&o, "clock-anchor", NULL, &want), FW_E_INVAL);
    /* what the last good values left */
    assert_true(o.start_now);
    assert_true(o.rate == 1e9);
    assert_true(o.anchor_set);
    assert_int_equal(o.anchor_ms, 0);
    assert_int_equal(sim_clock_opts_set(&o, "clock-start", "tomorrow", &want), FW_E_INVAL);
    assert_non_null(strstr(want, "ISO8601 like 2026-12-01T09:00:00Z, @UNIXSECONDS or 'now'"));
    assert_true(sim_clock_is_option("clock-anchor"));
    assert_false(sim_clock_is_option("clock"));
    assert_false(sim_clock_is_option(NULL));
}

/* The running clock reads the system's: anchored a real second ago at 1000
 * simulated seconds per second, it reads start + 1000 s and a little more. */
static void test_running_clock(void **state)
{
    (void)state;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t real_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    sim_clock_opts_t o;
    sim_clock_opts_default(&o);
    o.start_now = false;
    o.start_s = START_S;
    o.rate = 1000;
    o.anchor_set = true;
    o.anchor_ms = real_ms - 1000;
    sim_clock_run_t r;
    sim_clock_run_start(&r, &o);
    int64_t a = sim_clock_run_now_ms(&r);
    int64_t b = sim_clock_run_now_ms(&r);
    assert_true(a >= (START_S + 1000) * 1000);
    assert_true(b >= a);
    assert_true(b < (START_S + 1000 + 60 * 1000) * 1000); /* under a real minute later */
    assert_true(sim_clock_run_real_ns(&r) >= NS(real_ms));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_formula),
        cmocka_unit_test(test_processes_agree_with_one_anchor),
        cmocka_unit_test(test_defaults_and_now),
        cmocka_unit_test(test_option_values),
        cmocka_unit_test(test_running_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
