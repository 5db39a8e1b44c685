/*
 * The whole timeline of docs/TRIAL_RULES.md, one row per instant, each citing the
 * rule it checks, with the second before and the second of every boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fw/err.h"
#include "trial/timeline.h"
#include "trial_fixture.h"

#define NO_HOLD INT64_MIN

typedef struct {
    const char *rule; /* what TRIAL_RULES.md says, with its R-number */
    int64_t at;       /* offset from E */
    bool keep;
    trial_state_t state;
    int32_t days_left;
    int32_t grace_days_left;
    bool last_day;
    trial_calling_t calling;
    bool rma;
    int64_t held_until; /* offset from E, or NO_HOLD */
} row_t;

#define FULL TRIAL_CALLING_FULL
#define DEGR TRIAL_CALLING_DEGRADED

/* clang-format off */
static const row_t s_rows[] = {
    {"R1/R7 trial well before E: normal, full calling", -60 * DAY, false, TRIAL_STATE_TRIAL, 60, 90, false, FULL, false, NO_HOLD},
    {"R7/R14 one second before E-7d: still trial", -7 * DAY - 1, false, TRIAL_STATE_TRIAL, 8, 38, false, FULL, false, NO_HOLD},
    {"R7/R14 at E-7d: expiring, 'ends in 7 days'", -7 * DAY, false, TRIAL_STATE_EXPIRING, 7, 37, false, FULL, false, NO_HOLD},
    {"R7 days rounded up: 6 d 1 h left shows 7", -6 * DAY - HOUR, false, TRIAL_STATE_EXPIRING, 7, 37, false, FULL, false, NO_HOLD},
    {"R7 6 d exactly shows 6", -6 * DAY, false, TRIAL_STATE_EXPIRING, 6, 36, false, FULL, false, NO_HOLD},
    {"R7 vector instant E-4.5d: 5 days left", -4 * DAY - 12 * HOUR, false, TRIAL_STATE_EXPIRING, 5, 35, false, FULL, false, NO_HOLD},
    {"R7 one second before the last day", -1 * DAY - 1, false, TRIAL_STATE_EXPIRING, 2, 32, false, FULL, false, NO_HOLD},
    {"R7 at E-1d: the last day, 'ends today'", -1 * DAY, false, TRIAL_STATE_EXPIRING, 1, 31, true, FULL, false, NO_HOLD},
    {"R7 one second before E: last day still", -1, false, TRIAL_STATE_EXPIRING, 1, 31, true, FULL, false, NO_HOLD},
    {"R8 at E: grace, full calling, 30 days to buy", 0, false, TRIAL_STATE_GRACE, 0, 30, false, FULL, false, NO_HOLD},
    {"R8 one second into grace: 30 days to buy", 1, false, TRIAL_STATE_GRACE, 0, 30, false, FULL, false, NO_HOLD},
    {"R8 mid-grace", 10 * DAY + HOUR, false, TRIAL_STATE_GRACE, 0, 20, false, FULL, false, NO_HOLD},
    {"R8 one second before E+30d: still grace", 30 * DAY - 1, false, TRIAL_STATE_GRACE, 0, 1, false, FULL, false, NO_HOLD},
    {"R9/R10/R11/R12 at E+30d: lapsed, degraded, numbers held, RMA", 30 * DAY, false, TRIAL_STATE_LAPSED, 0, 0, false, DEGR, true, 45 * DAY},
    {"R11 one second before E+45d: numbers still held", 45 * DAY - 1, false, TRIAL_STATE_LAPSED, 0, 0, false, DEGR, true, 45 * DAY},
    {"R11/R12 at E+45d: released, numbers released", 45 * DAY, false, TRIAL_STATE_RELEASED, 0, 0, false, DEGR, true, NO_HOLD},
    {"R11/R12 a year on: released", 400 * DAY, false, TRIAL_STATE_RELEASED, 0, 0, false, DEGR, true, NO_HOLD},
    {"R3 keep: no return instructions when lapsed", 30 * DAY, true, TRIAL_STATE_LAPSED, 0, 0, false, DEGR, false, 45 * DAY},
    {"R3 keep: no return instructions when released", 45 * DAY, true, TRIAL_STATE_RELEASED, 0, 0, false, DEGR, false, NO_HOLD},
    {"R3 keep: grace unchanged", 5 * DAY, true, TRIAL_STATE_GRACE, 0, 25, false, FULL, false, NO_HOLD},
};
/* clang-format on */

static void test_timeline_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_rows / sizeof s_rows[0]; i++) {
        const row_t *r = &s_rows[i];
        trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
        c.keep = r->keep;
        trial_view_t v;
        print_message("row %zu: %s\n", i, r->rule);
        assert_int_equal(trial_state_at(&c, NULL, FX_E + r->at, &v), 0);
        assert_int_equal(v.state, r->state);
        assert_true(v.has_expiry);
        assert_int_equal(v.expiry, FX_E);
        assert_int_equal(v.days_left, r->days_left);
        assert_int_equal(v.grace_days_left, r->grace_days_left);
        assert_int_equal(v.last_day, r->last_day);
        assert_int_equal(v.calling, r->calling);
        assert_int_equal(v.rma_due, r->rma);
        if (r->held_until == NO_HOLD) {
            assert_false(v.numbers_held);
        } else {
            assert_true(v.numbers_held);
            assert_int_equal(v.numbers_held_until, FX_E + r->held_until);
        }
        /* The same row with a history that agrees gives the same view. */
        trial_history_t h;
        trial_history_init(&h);
        uint8_t hash[TRIAL_HASH_LEN];
        fx_hash(hash, 1, 0);
        assert_int_equal(trial_history_accept(&h, &c, hash, FX_IAT), TRIAL_ACCEPT_OK);
        trial_view_t v2;
        assert_int_equal(trial_state_at(&c, &h, FX_E + r->at, &v2), 0);
        assert_int_equal(v2.state, v.state);
        assert_int_equal(v2.days_left, v.days_left);
    }
}

/* R2/R3: a paid licence is `paid`, full calling, no RMA, at any instant. */
static void test_paid_any_time(void **state)
{
    (void)state;
    static const int64_t at[] = {-30 * DAY, -1, 0, 29 * DAY, 30 * DAY, 45 * DAY, 500 * DAY};
    trial_claims_t c = fx_paid(2, FX_E + 3 * DAY);
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        trial_view_t v;
        assert_int_equal(trial_state_at(&c, NULL, FX_E + at[i], &v), 0);
        assert_int_equal(v.state, TRIAL_STATE_PAID);
        assert_int_equal(v.calling, TRIAL_CALLING_FULL);
        assert_false(v.rma_due);
        assert_false(v.has_expiry);
        assert_false(v.numbers_held);
    }
}

/* R7: every service has its own days remaining; on a trial licence no
 * service outlives E. */
static void test_per_service_expiry(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    c.n_svc = 0;
    fx_add_svc(&c, "calling", FX_E);
    fx_add_svc(&c, "meetings", FX_E - 10 * DAY);
    fx_add_svc(&c, "training-center-200", FX_E + 100 * DAY);
    trial_view_t v;
    assert_int_equal(trial_state_at(&c, NULL, FX_E - 12 * DAY, &v), 0);
    assert_int_equal(v.n_svc, 3);
    assert_string_equal(v.svc[0].id, "calling");
    assert_int_equal(v.svc[0].days_left, 12);
    assert_false(v.svc[0].expired);
    assert_int_equal(v.svc[1].days_left, 2);
    assert_false(v.svc[1].expired);
    assert_int_equal(v.svc[2].days_left, 12); /* capped at E */
    assert_int_equal(v.svc[2].exp, FX_E);

    assert_int_equal(trial_state_at(&c, NULL, FX_E - 10 * DAY - 1, &v), 0);
    assert_false(v.svc[1].expired);
    assert_int_equal(v.svc[1].days_left, 1);
    assert_int_equal(trial_state_at(&c, NULL, FX_E - 10 * DAY, &v), 0);
    assert_true(v.svc[1].expired);
    assert_int_equal(v.svc[1].days_left, 0);
    assert_false(v.svc[0].expired);

    assert_int_equal(trial_state_at(&c, NULL, FX_E, &v), 0);
    for (size_t i = 0; i < v.n_svc; i++) {
        assert_true(v.svc[i].expired);
    }
    /* A paid licence's services run to their own expiry. */
    trial_claims_t p = fx_paid(2, FX_E);
    assert_int_equal(trial_state_at(&p, NULL, FX_E + 364 * DAY, &v), 0);
    assert_int_equal(v.svc[0].days_left, 1);
    assert_int_equal(trial_state_at(&p, NULL, FX_E + 365 * DAY, &v), 0);
    assert_true(v.svc[0].expired);
}

static void test_days_rounding(void **state)
{
    (void)state;
    assert_int_equal(trial_days_left(0, 6 * DAY + HOUR), 7); /* TRIAL_RULES.md example */
    assert_int_equal(trial_days_left(0, 1), 1);
    assert_int_equal(trial_days_left(0, DAY), 1);
    assert_int_equal(trial_days_left(0, DAY + 1), 2);
    assert_int_equal(trial_days_left(0, 0), 0);
    assert_int_equal(trial_days_left(5, 0), 0);
    assert_int_equal(trial_days_left(INT64_MIN / 2, TRIAL_TIME_MAX), INT32_MAX);
}

/* R9: once the history recorded the lapse, a clock that says otherwise
 * changes nothing. */
static void test_recorded_lapse_is_final(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trial_history_t h;
    trial_history_init(&h);
    uint8_t hash[TRIAL_HASH_LEN];
    fx_hash(hash, 1, 0);
    assert_int_equal(trial_history_accept(&h, &c, hash, FX_IAT), TRIAL_ACCEPT_OK);
    assert_true(trial_history_observe(&h, FX_E + 30 * DAY));
    h.hwm = FX_IAT; /* even if the mark were lost */
    trial_view_t v;
    assert_int_equal(trial_state_at(&c, &h, FX_E - 20 * DAY, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_LAPSED);
    assert_int_equal(v.calling, TRIAL_CALLING_DEGRADED);
    assert_int_equal(v.days_left, 0);
}

/* Time never runs backwards: with a history, `now` below its mark is lifted. */
static void test_now_below_mark(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trial_history_t h;
    trial_history_init(&h);
    uint8_t hash[TRIAL_HASH_LEN];
    fx_hash(hash, 1, 0);
    assert_int_equal(trial_history_accept(&h, &c, hash, FX_E - 2 * DAY), TRIAL_ACCEPT_OK);
    trial_view_t v;
    assert_int_equal(trial_state_at(&c, &h, FX_E - 365 * DAY, &v), 0);
    assert_int_equal(v.days_left, 2);
    assert_int_equal(v.state, TRIAL_STATE_EXPIRING);
}

static void test_bad_args(void **state)
{
    (void)state;
    trial_view_t v;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    assert_int_equal(trial_state_at(NULL, NULL, 0, &v), FW_E_INVAL);
    assert_int_equal(trial_state_at(&c, NULL, 0, NULL), FW_E_INVAL);
    c.has_trial_exp = false;
    assert_int_equal(trial_state_at(&c, NULL, 0, &v), FW_E_INVAL);
    assert_string_equal(trial_state_name(TRIAL_STATE_RELEASED), "released");
    assert_string_equal(trial_calling_name(TRIAL_CALLING_DEGRADED), "degraded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeline_table),
        cmocka_unit_test(test_paid_any_time),
        cmocka_unit_test(test_per_service_expiry),
        cmocka_unit_test(test_days_rounding),
        cmocka_unit_test(test_recorded_lapse_is_final),
        cmocka_unit_test(test_now_below_mark),
        cmocka_unit_test(test_bad_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
