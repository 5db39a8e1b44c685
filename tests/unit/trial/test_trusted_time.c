/*
 * Trusted time: a clock set back, an unset clock or an old image restored
 * never gives the trial a day back (TRIAL_RULES.md: "Time runs forwards only");
 * a clock set forward is shown (granting less is safe) but confirms nothing
 * until the collector's time agrees, so a mistake lapses nothing for good
 * (R9). docs/TRIAL_ENGINE.md "Trusted time".
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

/* R9: the wall clock set a year forward for a minute by mistake. The room
 * shows the lapse while the clock says so (fail safe), but the confirmed
 * instant never moves, so the history records no lapse; the clock set right
 * again does not undo what is shown (setting a clock back must gain
 * nothing) until the collector's time rejects the jump. */
static void test_forward_a_year_for_a_minute_lapses_nothing(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trial_history_t h;
    trusted_time_t t;
    trusted_time_init(&t, FX_E - 10 * DAY);
    int64_t now = trusted_time_update(&t, true, FX_E - 10 * DAY, MS(0), NULL);
    assert_int_equal(fx_accept_fresh(&h, &c, t.hwm), TRIAL_ACCEPT_OK);
    trial_view_t v;

    for (int64_t s = 1; s <= 60; s++) { /* a year ahead for a minute */
        now = trusted_time_update(&t, true, FX_E - 10 * DAY + 365 * DAY + s, MS(s), NULL);
        assert_int_equal(now, FX_E + 355 * DAY + s);
        assert_true(t.hwm <= FX_E - 10 * DAY + s);
        (void)trial_history_observe(&h, t.hwm);
    }
    assert_int_equal(trial_state_at(&c, &h, now, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_RELEASED); /* shown: fail safe */
    assert_int_equal(v.calling, TRIAL_CALLING_DEGRADED);
    assert_false(h.lapsed_reached);
    assert_int_equal(trusted_time_ahead(&t, MS(60)), FX_E + 355 * DAY + 60);

    /* set right again: what was shown holds until the collector answers */
    now = trusted_time_update(&t, true, FX_E - 10 * DAY + 61, MS(61), NULL);
    assert_int_equal(now, FX_E + 355 * DAY + 61);
    assert_int_equal(trusted_time_confirm(&t, FX_E - 10 * DAY + 62, MS(62), MS(62)),
                     TRUSTED_TIME_REJECTED);
    now = trusted_time_update(&t, true, FX_E - 10 * DAY + 63, MS(63), NULL);
    assert_int_equal(now, FX_E - 10 * DAY + 63);
    assert_int_equal(trusted_time_ahead(&t, MS(63)), 0);
    (void)trial_history_observe(&h, t.hwm);
    assert_int_equal(trial_state_at(&c, &h, now, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_TRIAL);
    assert_int_equal(v.days_left, 10);
    assert_false(h.lapsed_reached);
}

/* The device was off for a month: the jump is real. Shown at once,
 * confirmed by the collector's time, then the mark and the history follow
 * (the lapse is recorded for good when it is due). */
static void test_jump_confirmed_by_the_collector(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trial_history_t h;
    assert_int_equal(fx_accept_fresh(&h, &c, FX_E - 5 * DAY), TRIAL_ACCEPT_OK);
    trusted_time_t t;
    trusted_time_init(&t, FX_E - 5 * DAY); /* boot after a month off */
    int64_t wall = FX_E + 31 * DAY;
    int64_t now = trusted_time_update(&t, true, wall, MS(0), NULL);
    assert_int_equal(now, wall);
    assert_int_equal(t.hwm, FX_E - 5 * DAY);
    assert_false(trial_history_observe(&h, t.hwm) && h.lapsed_reached);
    assert_int_equal(trusted_time_confirm(&t, wall + 2, MS(2), MS(2)), TRUSTED_TIME_CONFIRMED);
    assert_int_equal(t.hwm, wall + 2);
    assert_int_equal(trusted_time_ahead(&t, MS(2)), 0);
    (void)trial_history_observe(&h, t.hwm);
    assert_true(h.lapsed_reached); /* R9: now it is final */
    /* from here the wall clock agrees and is followed */
    now = trusted_time_update(&t, true, wall + 3600, MS(3600), NULL);
    assert_int_equal(now, wall + 3600);
    assert_int_equal(t.hwm, wall + 3600);
}

/* Rejected: the wall clock is ignored while it stays wrong, believed again
 * once it agrees; a later jump is unconfirmed again. */
static void test_rejected_wall_ignored_until_right(void **state)
{
    (void)state;
    trusted_time_t t;
    trusted_time_init(&t, FX_IAT);
    (void)trusted_time_update(&t, true, FX_IAT + 365 * DAY, MS(0), NULL);
    assert_int_equal(trusted_time_confirm(&t, FX_IAT + 1, MS(1), MS(1)), TRUSTED_TIME_REJECTED);
    for (int64_t s = 2; s < 600; s += 7) {
        int64_t now = trusted_time_update(&t, true, FX_IAT + 365 * DAY + s, MS(s), NULL);
        assert_int_equal(now, FX_IAT + s); /* the collector's time, continued */
    }
    assert_int_equal(trusted_time_update(&t, true, FX_IAT + 700, MS(700), NULL), FX_IAT + 700);
    assert_false(t.wall_rejected);
    assert_int_equal(trusted_time_update(&t, true, FX_IAT + 2 * DAY, MS(701), NULL),
                     FX_IAT + 2 * DAY);
    assert_int_equal(t.hwm, FX_IAT + 701);
    /* a collector whose clock is behind the mark settles nothing */
    assert_int_equal(trusted_time_confirm(&t, FX_IAT, MS(702), MS(702)), TRUSTED_TIME_IGNORED);
    assert_int_equal(trusted_time_ahead(&t, MS(702)), FX_IAT + 2 * DAY + 1);
    assert_int_equal(t.hwm, FX_IAT + 701);
}

/* A real lapse the collector has not seen yet, then the clock set back
 * (even across a reboot with the persisted unconfirmed mark): no day back. */
static void test_set_back_after_a_jump_gains_nothing(void **state)
{
    (void)state;
    trusted_time_t t;
    trusted_time_init(&t, FX_E - 5 * DAY);
    int64_t wall = FX_E + 40 * DAY;
    (void)trusted_time_update(&t, true, wall, MS(0), NULL);
    int64_t now = trusted_time_update(&t, true, FX_E - 5 * DAY, MS(10), NULL);
    assert_int_equal(now, wall + 10);
    int64_t kept = trusted_time_ahead(&t, MS(10));
    int64_t mark = t.hwm;
    trusted_time_init(&t, mark); /* reboot */
    trusted_time_restore_ahead(&t, kept);
    now = trusted_time_update(&t, true, FX_E - 5 * DAY, MS(5), NULL);
    assert_true(now >= wall + 10);
    /* a restored mark the confirmed time already passed means nothing */
    trusted_time_init(&t, mark);
    trusted_time_restore_ahead(&t, mark + 10);
    assert_int_equal(trusted_time_ahead(&t, 0), 0);
}

/* The round trip, NTP-style. A device on a simulated clock at one day per
 * real second: it was off for six hours (its mark is old, its honest wall
 * clock is ahead of it, unconfirmed). The collector reads its clock a minute
 * after the request left, and the answer arrives 40 simulated minutes
 * (28 real ms) after it left. The wall clock is 39 minutes ahead of the
 * server's reading: more than the 5-minute slack, but the round trip
 * explains it. Confirmed, and the wall clock becomes the mark at once (not
 * "ahead" again on the next update). */
static void test_round_trip_explains_the_difference(void **state)
{
    (void)state;
    const int64_t mark = FX_E - 20 * DAY;
    const int64_t wall0 = mark + 6 * HOUR; /* the true time at boot */
    const uint64_t sent = MS(1), recv = MS(1 + 40 * 60);
    trusted_time_t t;
    trusted_time_init(&t, mark);
    assert_int_equal(trusted_time_update(&t, true, wall0, 0, NULL), wall0);
    assert_int_equal(t.hwm, mark); /* shown, not confirmed */
    int64_t server = wall0 + 1 + 60;
    int64_t wall_at_recv = wall0 + (int64_t)(recv / 1000u);
    assert_true(wall_at_recv - server > TRUSTED_TIME_SLACK_S);
    assert_int_equal(trusted_time_confirm(&t, server, sent, recv), TRUSTED_TIME_CONFIRMED);
    assert_int_equal(t.hwm, wall_at_recv);
    assert_int_equal(trusted_time_ahead(&t, recv), 0);
    assert_false(t.wall_rejected);
    int64_t now = trusted_time_update(&t, true, wall_at_recv + 30, recv + MS(30), NULL);
    assert_int_equal(now, wall_at_recv + 30);
    assert_int_equal(t.hwm, wall_at_recv + 30);
    assert_int_equal(trusted_time_ahead(&t, recv + MS(30)), 0);

    /* the same answer with no round trip to allow for: rejected (what the
     * device did before it measured the window) */
    trusted_time_init(&t, mark);
    (void)trusted_time_update(&t, true, wall0 + (int64_t)(recv / 1000u), recv, NULL);
    assert_int_equal(trusted_time_confirm(&t, server, recv, recv), TRUSTED_TIME_REJECTED);
    assert_true(t.wall_rejected);
}

/* A window that does not explain the difference: booted at its mark with a
 * wall clock a day ahead; the collector reads its clock a minute after the
 * request left, the answer arrives 40 simulated minutes after it left.
 * Rejected; time goes on from the mark, the wall clock is ignored. */
static void test_round_trip_that_does_not_explain_it(void **state)
{
    (void)state;
    const int64_t mark = FX_E - 20 * DAY;
    const uint64_t sent = MS(1), recv = MS(1 + 40 * 60); /* w = 2400 s */
    const int64_t server = mark + 61;
    trusted_time_t t;
    trusted_time_init(&t, mark);
    (void)trusted_time_update(&t, true, mark + DAY, 0, NULL);
    assert_int_equal(trusted_time_confirm(&t, server, sent, recv), TRUSTED_TIME_REJECTED);
    assert_true(t.wall_rejected);
    assert_int_equal(trusted_time_ahead(&t, recv), 0);
    int64_t now = trusted_time_update(&t, true, mark + DAY + 2402, recv + MS(1), NULL);
    assert_int_equal(now, mark + 2402);
    /* the edge: ahead of the server's reading by slack + w + 1 s: rejected;
     * by slack + w: confirmed, and the wall clock is the mark */
    for (int k = 0; k < 2; k++) {
        int64_t at_recv = server + TRUSTED_TIME_SLACK_S + 2400 + (k == 0 ? 1 : 0);
        trusted_time_init(&t, mark);
        (void)trusted_time_update(&t, true, at_recv - 2401, 0, NULL);
        assert_int_equal(trusted_time_ahead(&t, recv), at_recv);
        assert_int_equal(trusted_time_confirm(&t, server, sent, recv),
                         k == 0 ? TRUSTED_TIME_REJECTED : TRUSTED_TIME_CONFIRMED);
        assert_int_equal(t.hwm, k == 0 ? mark : at_recv);
    }
}

/* A window that is inverted, unknown (a notification nobody asked for) or
 * longer than TRUSTED_TIME_WINDOW_MAX_S judges nothing: the jump ahead
 * waits (no clock_ahead, no confirmation), and the collector's time can
 * still only raise the mark, never lower it. The year-forward mistake of
 * R9 lapses nothing even with the widest window allowed. */
static void test_a_window_that_judges_nothing(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trial_history_t h;
    const int64_t mark = FX_E - 10 * DAY;
    assert_int_equal(fx_accept_fresh(&h, &c, mark), TRIAL_ACCEPT_OK);
    const uint64_t max_ms = (uint64_t)TRUSTED_TIME_WINDOW_MAX_S * 1000u;
    const uint64_t bad[][2] = {
        {MS(20), MS(10)},               /* inverted */
        {TRUSTED_TIME_UNASKED, MS(10)}, /* unasked */
        {MS(10), MS(10) + max_ms + 1},  /* too long */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        trusted_time_t t;
        trusted_time_init(&t, mark);
        uint64_t recv = bad[i][1];
        int64_t shown = trusted_time_update(&t, true, mark + 365 * DAY, recv, NULL);
        assert_true(shown >= mark + 365 * DAY);
        int64_t hwm = t.hwm;
        /* the collector's true time (the mark, continued) settles nothing */
        assert_int_equal(trusted_time_confirm(&t, hwm, bad[i][0], recv), TRUSTED_TIME_UNTIMED);
        assert_int_equal(t.hwm, hwm);
        assert_false(t.wall_rejected);
        assert_true(trusted_time_ahead(&t, recv) >= mark + 365 * DAY); /* still waiting */
        /* a server time behind the mark moves nothing back */
        assert_int_equal(trusted_time_confirm(&t, hwm - 10 * DAY, bad[i][0], recv),
                         TRUSTED_TIME_IGNORED);
        assert_int_equal(t.hwm, hwm);
        /* a later one raises the mark (a lower bound of the time it came) */
        assert_int_equal(trusted_time_confirm(&t, hwm + 100, bad[i][0], recv),
                         TRUSTED_TIME_UNTIMED);
        assert_int_equal(t.hwm, hwm + 100);
        (void)trial_history_observe(&h, t.hwm);
        assert_false(h.lapsed_reached);
    }
    /* R9 with the widest window there is: a year ahead is still rejected */
    trusted_time_t t;
    trusted_time_init(&t, mark);
    for (int64_t s = 1; s <= 60; s++) {
        (void)trusted_time_update(&t, true, mark + 365 * DAY + s, MS(s), NULL);
    }
    assert_int_equal(trusted_time_confirm(&t, mark + 61, MS(61), MS(61) + max_ms),
                     TRUSTED_TIME_REJECTED);
    (void)trial_history_observe(&h, t.hwm);
    assert_false(h.lapsed_reached);
    assert_true(t.hwm <= mark + 61 + TRUSTED_TIME_WINDOW_MAX_S);
}

/* Whatever the wall clock does (unset, slow, fast, a year either way) the
 * confirmed instant never runs backwards and never passes the true time by
 * more than the slack plus the longest round trip it was told of; what is
 * shown is never earlier than it. The collector's time is the true time,
 * read at a random moment of a round trip of up to 10 minutes. */
static void test_confirmed_time_follows_only_the_truth(void **state)
{
    (void)state;
    uint32_t x = 12345;
    int64_t truth = FX_IAT;
    trusted_time_t t;
    trusted_time_init(&t, truth);
    uint64_t mono = 0;
    int64_t last_hwm = t.hwm;
    int64_t max_w = 0;
    for (int i = 0; i < 200000; i++) {
        x = x * 1664525u + 1013904223u;
        uint32_t step = 1 + (x >> 8) % 5000; /* ms */
        mono += step;
        truth = FX_IAT + (int64_t)(mono / 1000u);
        int64_t wall;
        switch ((x >> 24) % 8) {
        case 0: wall = truth + 365 * DAY; break;
        case 1: wall = truth - 365 * DAY; break;
        case 2: wall = truth + (int64_t)((x >> 4) % 30) * DAY; break;
        default: wall = truth + (int64_t)((x >> 3) % 599) - 299; break;
        }
        bool ok = ((x >> 20) % 16) != 0;
        int64_t shown = trusted_time_update(&t, ok, wall, mono, NULL);
        if (((x >> 12) % 50) == 0) {
            x = x * 1664525u + 1013904223u;
            uint64_t rtt = (x >> 8) % 600001u; /* ms */
            uint64_t sent = mono > rtt ? mono - rtt : 0;
            uint64_t read = sent + (mono - sent) * ((x >> 4) % 16u) / 15u;
            (void)trusted_time_confirm(&t, FX_IAT + (int64_t)(read / 1000u), sent, mono);
            if ((int64_t)((mono - sent + 999u) / 1000u) > max_w) {
                max_w = (int64_t)((mono - sent + 999u) / 1000u);
            }
        }
        assert_true(t.hwm >= last_hwm);
        assert_true(t.hwm <= truth + TRUSTED_TIME_SLACK_S + max_w);
        assert_true(shown >= t.hwm || shown >= last_hwm);
        last_hwm = t.hwm;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_runs_forward),
        cmocka_unit_test(test_clock_set_back_a_year),
        cmocka_unit_test(test_rtc_unset_or_absurd),
        cmocka_unit_test(test_advance_and_slack),
        cmocka_unit_test(test_old_history_gains_no_day),
        cmocka_unit_test(test_forward_a_year_for_a_minute_lapses_nothing),
        cmocka_unit_test(test_jump_confirmed_by_the_collector),
        cmocka_unit_test(test_rejected_wall_ignored_until_right),
        cmocka_unit_test(test_set_back_after_a_jump_gains_nothing),
        cmocka_unit_test(test_round_trip_explains_the_difference),
        cmocka_unit_test(test_round_trip_that_does_not_explain_it),
        cmocka_unit_test(test_a_window_that_judges_nothing),
        cmocka_unit_test(test_confirmed_time_follows_only_the_truth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
