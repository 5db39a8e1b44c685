/*
 * Trusted time: a clock set back, an unset clock or an old image restored
 * never gives the trial a day back (TRIAL_RULES.md: "Time runs forwards only").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "trial/timeline.h"
#include "trial/trusted_time.h"
#include "trial_fixture.h"

#define MS(s) ((uint64_t)(s)*1000u)

static void test_clock_runs_forward(void **state)
{
    (void)state;
    trusted_time_t t;
    trusted_time_init(&t, FX_IAT);
    bool rb = true;
    assert_int_equal(trusted_time_update(&t, true, FX_IAT + 100, MS(100), &rb), FX_IAT + 100);
    assert_false(rb);
    assert_int_equal(t.hwm, FX_IAT + 100);
    /* Device off for a month: the RTC kept time, monotonic restarted. */
    trusted_time_init(&t, t.hwm);
    assert_int_equal(trusted_time_update(&t, true, FX_IAT + 30 * DAY, MS(5), &rb),
                     FX_IAT + 30 * DAY);
    assert_false(rb);
}

/* The clock set back a year gains no day: detected, and time goes on from
 * the mark plus the monotonic clock. */
static void test_clock_set_back_a_year(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trusted_time_t t;
    trusted_time_init(&t, FX_E - 10 * DAY);
    bool rb = false;
    int64_t now = trusted_time_update(&t, true, FX_E - 10 * DAY, MS(0), &rb);
    trial_view_t v;
    assert_int_equal(trial_state_at(&c, NULL, now, &v), 0);
    assert_int_equal(v.days_left, 10);

    /* One hour later somebody sets the RTC back a year. */
    now = trusted_time_update(&t, true, FX_E - 10 * DAY + HOUR - 365 * DAY, MS(HOUR), &rb);
    assert_true(rb);
    assert_true(t.rollback);
    assert_int_equal(now, FX_E - 10 * DAY + HOUR);
    assert_int_equal(trial_state_at(&c, NULL, now, &v), 0);
    assert_int_equal(v.days_left, 10);

    /* Days go by on the monotonic clock while the RTC stays a year behind. */
    int32_t last = v.days_left;
    for (int64_t s = HOUR; s <= 20 * DAY; s += 6 * HOUR) {
        now = trusted_time_update(&t, true, FX_E - 375 * DAY + s, MS(s), NULL);
        assert_int_equal(trial_state_at(&c, NULL, now, &v), 0);
        assert_true(v.days_left <= last);
        last = v.days_left;
    }
    assert_int_equal(v.state, TRIAL_STATE_GRACE);

    /* Reboot with the RTC still a year behind: the persisted mark holds. */
    int64_t mark = t.hwm;
    trusted_time_init(&t, mark);
    now = trusted_time_update(&t, true, FX_E - 365 * DAY, MS(1), &rb);
    assert_true(rb);
    assert_true(now >= mark);
}

static void test_rtc_unset_or_absurd(void **state)
{
    (void)state;
    trusted_time_t t;
    trusted_time_init(&t, FX_IAT);
    bool rb = true;
    assert_int_equal(trusted_time_update(&t, false, 0, MS(60), &rb), FX_IAT + 60);
    assert_false(rb);
    assert_int_equal(trusted_time_update(&t, true, -5, MS(61), &rb), FX_IAT + 61);
    assert_int_equal(trusted_time_update(&t, true, INT64_MAX, MS(62), &rb), FX_IAT + 62);
    assert_false(rb);
    /* A monotonic value that would overflow saturates. */
    assert_int_equal(trusted_time_update(&t, false, 0, UINT64_MAX, NULL), TRIAL_TIME_MAX);
    trusted_time_init(&t, -7);
    assert_int_equal(t.hwm, 0);
}

/* Small skew behind the mark (a licence iat slightly ahead of our clock) is
 * not worth an event, but still never moves time back. */
static void test_advance_and_slack(void **state)
{
    (void)state;
    trusted_time_t t;
    trusted_time_init(&t, FX_IAT);
    trusted_time_advance(&t, FX_IAT + 100); /* an accepted licence's iat */
    trusted_time_advance(&t, FX_IAT);       /* never back */
    assert_int_equal(t.hwm, FX_IAT + 100);
    bool rb = true;
    assert_int_equal(trusted_time_update(&t, true, FX_IAT + 10, MS(10), &rb), FX_IAT + 100);
    assert_false(rb);
    trusted_time_advance(&t, FX_IAT + 10000); /* server time */
    assert_int_equal(trusted_time_update(&t, true, FX_IAT + 20, MS(20), &rb), FX_IAT + 10000);
    assert_true(rb);
}

/* An old history restored (older seq and mark) next to a trusted-time mark
 * that is newer: the later mark wins, the old licence gains no day. */
static void test_old_history_gains_no_day(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trial_history_t old;
    trial_history_init(&old);
    uint8_t hash[TRIAL_HASH_LEN];
    fx_hash(hash, 1, 0);
    assert_int_equal(trial_history_accept(&old, &c, hash, FX_E - 20 * DAY), TRIAL_ACCEPT_OK);
    int64_t newer_mark = FX_E - 2 * DAY;
    trusted_time_t t;
    trusted_time_init(&t, old.hwm > newer_mark ? old.hwm : newer_mark);
    int64_t now = trusted_time_update(&t, true, FX_E - 20 * DAY, MS(0), NULL);
    trial_view_t v;
    assert_int_equal(trial_state_at(&c, &old, now, &v), 0);
    assert_int_equal(v.days_left, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_runs_forward),
        cmocka_unit_test(test_clock_set_back_a_year),
        cmocka_unit_test(test_rtc_unset_or_absurd),
        cmocka_unit_test(test_advance_and_slack),
        cmocka_unit_test(test_old_history_gains_no_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
