/*
 * Planning the next licence (trial/plan.h), the issuer's side of R2, R4, R5,
 * R8 and R9: each kind of change gives the licence it should, and whatever
 * the planner issues a device accepts, and whatever it refuses for a rule a
 * device refuses too, for the same reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "fw/err.h"
#include "trial/plan.h"
#include "trial/timeline.h"
#include "trial_fixture.h"

static trial_claims_t identity(void)
{
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    c.n_svc = 0;
    return c;
}

static trial_plan_change_t change(void)
{
    trial_plan_change_t ch;
    memset(&ch, 0, sizeof ch);
    return ch;
}

static void add_svc(trial_plan_change_t *ch, const char *id, int64_t exp)
{
    strcpy(ch->svc[ch->n_svc].id, id);
    ch->svc[ch->n_svc++].exp = exp;
}

static trial_claims_t plan_ok(const trial_claims_t *cur, bool issued, const trial_plan_change_t *ch,
                              int64_t now)
{
    trial_claims_t next;
    trial_plan_result_t r;
    int rc = trial_plan_next(cur, issued, ch, now, &next, &r);
    if (rc != 0) {
        fail_msg("refused: %s", r.why);
    }
    assert_int_equal(r.verdict, TRIAL_ACCEPT_OK);
    assert_null(r.why);
    return next;
}

static trial_plan_result_t plan_refused(const trial_claims_t *cur, bool issued,
                                        const trial_plan_change_t *ch, int64_t now)
{
    trial_claims_t next;
    trial_plan_result_t r;
    assert_int_equal(trial_plan_next(cur, issued, ch, now, &next, &r), FW_E_STATE);
    assert_non_null(r.why);
    return r;
}

/* A new trial (R1), then an extension (R4): E + 30 d once, services that ran
 * to the old E run to the new one, a later one keeps its own. */
static void test_new_and_extend(void **state)
{
    (void)state;
    trial_claims_t id = identity();
    trial_plan_change_t ch = change();
    assert_string_equal(plan_refused(&id, false, &ch, FX_IAT).why,
                        "trial-exp: required for a new trial licence");
    ch.set_exp = true;
    ch.trial_exp = FX_E;
    add_svc(&ch, "calling", FX_E);
    add_svc(&ch, "meetings", FX_E - 10 * DAY);
    add_svc(&ch, "rooms", FX_E + 40 * DAY);
    trial_claims_t t1 = plan_ok(&id, false, &ch, FX_IAT);
    assert_int_equal(t1.seq, 1);
    assert_int_equal(t1.iat, FX_IAT);
    assert_int_equal(t1.typ, TRIAL_TYPE_TRIAL);
    assert_true(t1.has_trial_exp);
    assert_int_equal(t1.trial_exp, FX_E);
    assert_int_equal(t1.n_svc, 3);
    assert_string_equal(t1.sub, FX_SERIAL);

    ch = change();
    ch.extend = true;
    trial_claims_t t2 = plan_ok(&t1, true, &ch, FX_E - DAY);
    assert_int_equal(t2.seq, 2);
    assert_int_equal(t2.iat, FX_E - DAY);
    assert_int_equal(t2.trial_exp, FX_E + TRIAL_EXTENSION_S);
    assert_int_equal(t2.ext, 1);
    assert_int_equal(t2.svc[0].exp, FX_E + TRIAL_EXTENSION_S); /* ran to E */
    assert_int_equal(t2.svc[1].exp, FX_E - 10 * DAY);          /* ended before */
    assert_int_equal(t2.svc[2].exp, FX_E + 40 * DAY);          /* its own, later */

    /* R4: once. The device's own reason. */
    trial_plan_result_t r = plan_refused(&t2, true, &ch, FX_E);
    assert_int_equal(r.verdict, TRIAL_ACCEPT_EXT_COUNT);
    assert_string_equal(r.why, trial_accept_name(TRIAL_ACCEPT_EXT_COUNT));
    assert_string_equal(trial_plan_hint(r.verdict), "this trial was already extended once");

    /* An extension with an expiry must name the extended one. */
    ch.set_exp = true;
    ch.trial_exp = FX_E + 29 * DAY;
    assert_int_equal(plan_refused(&t1, true, &ch, FX_E).verdict, TRIAL_ACCEPT_INVAL);
    ch.trial_exp = FX_E + 30 * DAY;
    assert_int_equal(plan_ok(&t1, true, &ch, FX_E).trial_exp, FX_E + 30 * DAY);

    /* Nothing to extend: no licence, or a paid one. */
    ch = change();
    ch.extend = true;
    assert_int_equal(plan_refused(&id, false, &ch, FX_IAT).verdict, TRIAL_ACCEPT_INVAL);
}

/* R4 without the extension: a later expiry is refused, an earlier one is
 * fine; services are added or re-dated, at most TRIAL_SVC_MAX. */
static void test_expiry_and_services(void **state)
{
    (void)state;
    trial_claims_t t1 = fx_trial(1, FX_IAT, FX_E, 0);
    trial_plan_change_t ch = change();
    ch.set_exp = true;
    ch.trial_exp = FX_E + DAY;
    trial_plan_result_t r = plan_refused(&t1, true, &ch, FX_IAT + DAY);
    assert_int_equal(r.verdict, TRIAL_ACCEPT_EXP_LATER);
    assert_string_equal(r.why, trial_accept_name(TRIAL_ACCEPT_EXP_LATER));
    ch.trial_exp = FX_E + 31 * DAY;
    assert_int_equal(plan_refused(&t1, true, &ch, FX_IAT + DAY).verdict, TRIAL_ACCEPT_EXP_BEYOND);
    ch.trial_exp = FX_E - DAY;
    assert_int_equal(plan_ok(&t1, true, &ch, FX_IAT + DAY).trial_exp, FX_E - DAY);

    ch = change();
    add_svc(&ch, "meetings", FX_E - 3 * DAY); /* re-dated */
    add_svc(&ch, "messaging", FX_E);          /* added */
    trial_claims_t t2 = plan_ok(&t1, true, &ch, FX_IAT + DAY);
    assert_int_equal(t2.n_svc, 3);
    assert_string_equal(t2.svc[1].id, "meetings");
    assert_int_equal(t2.svc[1].exp, FX_E - 3 * DAY);
    assert_string_equal(t2.svc[2].id, "messaging");
    assert_int_equal(t2.trial_exp, FX_E);

    ch = change();
    for (unsigned i = 0; i < TRIAL_SVC_MAX - 2; i++) {
        char id[8];
        snprintf(id, sizeof id, "s%u", i);
        add_svc(&ch, id, FX_E);
    }
    trial_claims_t full = plan_ok(&t1, true, &ch, FX_IAT + DAY);
    assert_int_equal(full.n_svc, TRIAL_SVC_MAX);
    ch = change();
    add_svc(&ch, "one-more", FX_E);
    r = plan_refused(&full, true, &ch, FX_IAT + DAY);
    assert_int_equal(r.verdict, TRIAL_ACCEPT_INVAL);
    assert_non_null(strstr(r.why, "at most 16"));
}

/* R2, R8, R9: converted in grace is paid; at E + 30 d it is too late, and
 * the planner says so with the device's reason. R5: never a trial again. */
static void test_convert(void **state)
{
    (void)state;
    trial_claims_t t1 = fx_trial(1, FX_IAT, FX_E, 0);
    trial_plan_change_t ch = change();
    ch.convert = true;
    int64_t last = FX_E + TRIAL_GRACE_S - 1;
    trial_claims_t p = plan_ok(&t1, true, &ch, last);
    assert_int_equal(p.typ, TRIAL_TYPE_PAID);
    assert_false(p.has_trial_exp);
    assert_int_equal(p.trial_exp, FX_E); /* kept for the record */
    assert_int_equal(p.iat, last);
    assert_int_equal(p.n_svc, 2);

    trial_plan_result_t r = plan_refused(&t1, true, &ch, last + 1);
    assert_int_equal(r.verdict, TRIAL_ACCEPT_LAPSED);
    assert_string_equal(r.why, "trial lapsed: final (R9)");
    /* Nor a trial licence (an extension) after grace. */
    ch = change();
    ch.extend = true;
    assert_int_equal(plan_refused(&t1, true, &ch, last + 1).verdict, TRIAL_ACCEPT_LAPSED);

    /* Paid -> paid (a service added) is fine; paid -> trial is R5. */
    ch = change();
    ch.convert = true;
    add_svc(&ch, "training", FX_E + 400 * DAY);
    trial_claims_t p2 = plan_ok(&p, true, &ch, FX_E + 100 * DAY);
    assert_int_equal(p2.seq, 3);
    assert_int_equal(p2.typ, TRIAL_TYPE_PAID);
    ch.convert = false;
    r = plan_refused(&p, true, &ch, FX_E + 100 * DAY);
    assert_int_equal(r.verdict, TRIAL_ACCEPT_PAID_TO_TRIAL);
    ch = change();
    ch.extend = true;
    assert_int_equal(plan_refused(&p, true, &ch, FX_E).verdict, TRIAL_ACCEPT_INVAL);

    /* A paid licence for a device that had none. */
    trial_claims_t id = identity();
    ch = change();
    ch.convert = true;
    assert_int_equal(plan_ok(&id, false, &ch, FX_IAT).typ, TRIAL_TYPE_PAID);
}

/* --- the planner against a device ------------------------------------- */

static uint64_t s_rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(uint32_t n)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return (uint32_t)(s_rng % n);
}

static trial_plan_change_t random_change(const trial_claims_t *cur)
{
    trial_plan_change_t ch = change();
    int64_t e = cur->has_trial_exp ? cur->trial_exp : FX_E;
    switch (rnd(8)) {
    case 0: ch.extend = true; break;
    case 1:
        ch.set_exp = true;
        ch.trial_exp = e - (int64_t)rnd(20) * DAY; /* earlier or the same */
        break;
    case 2:
        ch.set_exp = true;
        ch.trial_exp = e + (int64_t)(1 + rnd(45)) * DAY; /* later: needs R4 */
        break;
    case 3: add_svc(&ch, rnd(2) ? "calling" : "webex-tc", e + (int64_t)rnd(60) * DAY); break;
    case 4: ch.convert = true; break;
    case 5:
        ch.extend = true;
        ch.set_exp = true;
        ch.trial_exp = e + (int64_t)rnd(31) * DAY;
        break;
    case 6:
        ch.convert = rnd(2) != 0;
        add_svc(&ch, "meetings", e + (int64_t)rnd(400) * DAY);
        break;
    default: break; /* re-issue as it is */
    }
    return ch;
}

/* Many partners' histories, each change at a later instant: every licence
 * the planner issues, a device that accepted all the earlier ones (and saw
 * time pass) accepts; every licence it refuses for a rule, the device
 * refuses with the same verdict. The planner may not know a device's first
 * E after a shortening: there it must still refuse, and grant no more. */
static void test_planner_matches_device(void **state)
{
    (void)state;
    unsigned issued_n = 0, refused_n = 0, same_reason = 0;
    for (int run = 0; run < 3000; run++) {
        trial_claims_t cur = identity();
        trial_plan_change_t ch = change();
        ch.set_exp = true;
        ch.trial_exp = FX_E + (int64_t)rnd(30) * DAY;
        int64_t now = FX_IAT;
        cur = plan_ok(&cur, false, &ch, now);

        trial_history_t dev;
        trial_history_init(&dev);
        uint8_t hash[TRIAL_HASH_LEN];
        fx_hash(hash, cur.seq, 0);
        assert_int_equal(trial_history_accept(&dev, &cur, hash, now), TRIAL_ACCEPT_OK);

        for (int step = 0; step < 8; step++) {
            now += (int64_t)rnd(25) * DAY + (int64_t)rnd(86400);
            (void)trial_history_observe(&dev, now);
            ch = random_change(&cur);
            trial_claims_t next;
            trial_plan_result_t r;
            int rc = trial_plan_next(&cur, true, &ch, now, &next, &r);
            if (rc == FW_E_STATE && r.verdict == TRIAL_ACCEPT_INVAL) {
                continue; /* asked for nothing a licence can say */
            }
            fx_hash(hash, next.seq, (uint8_t)step);
            trial_history_t before = dev;
            trial_accept_t v = trial_history_accept(&dev, &next, hash, now);
            if (rc == 0) {
                if (v != TRIAL_ACCEPT_OK) {
                    fail_msg("run %d step %d: planner issued seq %u, device says %s", run, step,
                             next.seq, trial_accept_name(v));
                }
                issued_n++;
                cur = next;
                continue;
            }
            assert_int_equal(rc, FW_E_STATE);
            refused_n++;
            if (v == TRIAL_ACCEPT_OK) {
                fail_msg("run %d step %d: planner refused (%s), device accepts", run, step, r.why);
            }
            trial_history_t known;
            trial_plan_history(&cur, &known);
            if (known.first_exp == before.first_exp || cur.typ == TRIAL_TYPE_PAID) {
                assert_int_equal(v, r.verdict); /* the same reason */
                same_reason++;
            }
            dev = before;
        }
    }
    print_message("planner vs device: %u issued and accepted, %u refused by both (%u with the "
                  "same reason checked)\n",
                  issued_n, refused_n, same_reason);
    assert_true(issued_n > 1000 && refused_n > 1000 && same_reason > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_extend),
        cmocka_unit_test(test_expiry_and_services),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_planner_matches_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
