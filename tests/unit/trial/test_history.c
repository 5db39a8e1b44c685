/*
 * Acceptance of licences against the persisted history (R4, R5, R8, R9,
 * replay), the notices (R7, R8, R10, R11) and the history's binary form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fw/err.h"
#include "trial/timeline.h"
#include "trial_fixture.h"

static trial_accept_t offer(trial_history_t *h, const trial_claims_t *c, int64_t now)
{
    uint8_t hash[TRIAL_HASH_LEN];
    fx_hash(hash, c->seq, (uint8_t)c->typ);
    trial_history_t before = *h;
    trial_accept_t a = trial_history_accept(h, c, hash, now);
    if (a != TRIAL_ACCEPT_OK) {
        assert_memory_equal(&before, h, sizeof before); /* refused: untouched */
    }
    return a;
}

static trial_history_t started(void)
{
    trial_history_t h;
    trial_history_init(&h);
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    assert_int_equal(offer(&h, &c, FX_IAT), TRIAL_ACCEPT_OK);
    assert_true(h.has_exp);
    assert_int_equal(h.first_exp, FX_E);
    assert_int_equal(h.current_exp, FX_E);
    assert_int_equal(h.highest_seq, 1);
    return h;
}

static int64_t days_left_at(const trial_history_t *h, const trial_claims_t *c, int64_t now)
{
    trial_view_t v;
    assert_int_equal(trial_state_at(c, h, now, &v), 0);
    return v.days_left;
}

/* Replay: a lower seq is refused, the same token is a no-op, an equal seq
 * with another token is refused. */
static void test_replay_and_same_token(void **state)
{
    (void)state;
    trial_history_t h = started();
    trial_claims_t c2 = fx_trial(2, FX_IAT + DAY, FX_E, 0);
    assert_int_equal(offer(&h, &c2, FX_IAT + DAY), TRIAL_ACCEPT_OK);
    assert_int_equal(h.highest_seq, 2);
    assert_int_equal(offer(&h, &c2, FX_IAT + 2 * DAY), TRIAL_ACCEPT_SAME);
    trial_claims_t c1 = fx_trial(1, FX_IAT, FX_E, 0);
    assert_int_equal(offer(&h, &c1, FX_IAT + 2 * DAY), TRIAL_ACCEPT_REPLAY);
    uint8_t other[TRIAL_HASH_LEN];
    fx_hash(other, 2, 99);
    trial_history_t before = h;
    assert_int_equal(trial_history_accept(&h, &c2, other, FX_IAT + 2 * DAY), TRIAL_ACCEPT_REPLAY);
    assert_memory_equal(&before, &h, sizeof h);
}

/* R4: one extension of exactly up to 30 days; a second is refused. */
static void test_extension_once(void **state)
{
    (void)state;
    trial_history_t h = started();
    trial_claims_t base = fx_trial(1, FX_IAT, FX_E, 0);
    assert_int_equal(days_left_at(&h, &base, FX_E - 2 * DAY), 2);

    trial_claims_t ext = fx_trial(2, FX_E - 3 * DAY, FX_E + 30 * DAY, 1);
    assert_int_equal(offer(&h, &ext, FX_E - 2 * DAY), TRIAL_ACCEPT_OK);
    assert_int_equal(h.current_exp, FX_E + 30 * DAY);
    assert_int_equal(h.first_exp, FX_E);
    assert_int_equal(h.ext_used, 1);
    assert_int_equal(days_left_at(&h, &ext, FX_E - 2 * DAY), 32);

    trial_claims_t second = fx_trial(3, FX_E, FX_E + 60 * DAY, 1);
    assert_int_equal(offer(&h, &second, FX_E), TRIAL_ACCEPT_EXT_COUNT);
    trial_claims_t ext2 = fx_trial(3, FX_E, FX_E + 60 * DAY, 2);
    assert_int_equal(offer(&h, &ext2, FX_E), TRIAL_ACCEPT_EXT_COUNT);
    trial_claims_t sneaky = fx_trial(3, FX_E, FX_E + 31 * DAY, 0);
    assert_int_equal(offer(&h, &sneaky, FX_E), TRIAL_ACCEPT_EXT_COUNT); /* ext went down */
    /* Re-issuing the extended licence (same E) is fine. */
    trial_claims_t again = fx_trial(3, FX_E, FX_E + 30 * DAY, 1);
    assert_int_equal(offer(&h, &again, FX_E), TRIAL_ACCEPT_OK);
}

/* R4: E never beyond the first E + 30 d; without an extension never later. */
static void test_expiry_bounds(void **state)
{
    (void)state;
    trial_history_t h = started();
    trial_claims_t beyond = fx_trial(2, FX_IAT, FX_E + 30 * DAY + 1, 1);
    assert_int_equal(offer(&h, &beyond, FX_IAT), TRIAL_ACCEPT_EXP_BEYOND);
    trial_claims_t later = fx_trial(2, FX_IAT, FX_E + 1, 0);
    assert_int_equal(offer(&h, &later, FX_IAT), TRIAL_ACCEPT_EXP_LATER);
    trial_claims_t earlier = fx_trial(2, FX_IAT, FX_E - DAY, 0);
    assert_int_equal(offer(&h, &earlier, FX_IAT), TRIAL_ACCEPT_OK);
    assert_int_equal(h.current_exp, FX_E - DAY);
    /* Having shortened it, the same E as before is "later" again. */
    trial_claims_t back = fx_trial(3, FX_IAT, FX_E, 0);
    assert_int_equal(offer(&h, &back, FX_IAT), TRIAL_ACCEPT_EXP_LATER);
    /* The extension still reaches first E + 30 d at most. */
    trial_claims_t ext = fx_trial(3, FX_IAT, FX_E + 30 * DAY, 1);
    assert_int_equal(offer(&h, &ext, FX_IAT), TRIAL_ACCEPT_OK);
}

/* R4/R7: services added to a trial arrive in a later licence. */
static void test_added_services(void **state)
{
    (void)state;
    trial_history_t h = started();
    trial_claims_t more = fx_trial(2, FX_IAT + 5 * DAY, FX_E, 0);
    fx_add_svc(&more, "room-system", FX_E);
    fx_add_svc(&more, "event-center-1000", FX_E - 5 * DAY);
    assert_int_equal(offer(&h, &more, FX_IAT + 5 * DAY), TRIAL_ACCEPT_OK);
    trial_view_t v;
    assert_int_equal(trial_state_at(&more, &h, FX_E - 6 * DAY, &v), 0);
    assert_int_equal(v.n_svc, 4);
    assert_string_equal(v.svc[2].id, "room-system");
    assert_int_equal(v.svc[2].days_left, 6);
    assert_int_equal(v.svc[3].days_left, 1);
}

/* R8/R2: converted during grace: paid, full calling; R5: no trial after. */
static void test_conversion_in_grace(void **state)
{
    (void)state;
    trial_history_t h = started();
    assert_false(trial_history_observe(&h, FX_E + 10 * DAY));
    trial_claims_t paid = fx_paid(2, FX_E + 10 * DAY);
    assert_int_equal(offer(&h, &paid, FX_E + 10 * DAY), TRIAL_ACCEPT_OK);
    assert_true(h.paid_seen);
    trial_view_t v;
    assert_int_equal(trial_state_at(&paid, &h, FX_E + 40 * DAY, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_PAID);
    assert_int_equal(v.calling, TRIAL_CALLING_FULL);
    assert_false(v.rma_due);
    /* Never lapses once paid. */
    assert_false(trial_history_observe(&h, FX_E + 100 * DAY));
    assert_false(h.lapsed_reached);

    trial_claims_t trial = fx_trial(3, FX_E + 11 * DAY, FX_E + 30 * DAY, 1);
    assert_int_equal(offer(&h, &trial, FX_E + 11 * DAY), TRIAL_ACCEPT_PAID_TO_TRIAL); /* R5 */
    /* A renewal a year later is a paid licence like any other. */
    trial_claims_t renew = fx_paid(4, FX_E + 380 * DAY);
    assert_int_equal(offer(&h, &renew, FX_E + 380 * DAY), TRIAL_ACCEPT_OK);
}

/* R8/R9: a conversion made in grace (iat < E + 30 d) that reaches the device
 * after the lapse is accepted; one issued from E + 30 d on is not. */
static void test_late_conversion(void **state)
{
    (void)state;
    trial_history_t h = started();
    assert_true(trial_history_observe(&h, FX_E + 31 * DAY));
    assert_true(h.lapsed_reached);
    assert_false(trial_history_observe(&h, FX_E + 32 * DAY)); /* once */

    trial_history_t h2 = h;
    trial_claims_t too_late = fx_paid(2, FX_E + 30 * DAY);
    assert_int_equal(offer(&h, &too_late, FX_E + 40 * DAY), TRIAL_ACCEPT_LAPSED);
    trial_claims_t trial = fx_trial(2, FX_E + 31 * DAY, FX_E + 30 * DAY, 1);
    assert_int_equal(offer(&h, &trial, FX_E + 31 * DAY), TRIAL_ACCEPT_LAPSED);

    trial_claims_t late = fx_paid(2, FX_E + 30 * DAY - 1);
    assert_int_equal(offer(&h2, &late, FX_E + 40 * DAY), TRIAL_ACCEPT_OK);
    trial_view_t v;
    assert_int_equal(trial_state_at(&late, &h2, FX_E + 40 * DAY, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_PAID);
    assert_int_equal(v.calling, TRIAL_CALLING_FULL);
}

/* R9 without an observed lapse: a device that was off still knows, from
 * trusted time alone, that the trial lapsed. */
static void test_lapse_while_off(void **state)
{
    (void)state;
    trial_history_t h = started();
    trial_claims_t ext = fx_trial(2, FX_E + 30 * DAY, FX_E + 30 * DAY, 1);
    assert_int_equal(offer(&h, &ext, FX_E + 30 * DAY), TRIAL_ACCEPT_LAPSED);
    assert_int_equal(offer(&h, &ext, FX_E + 30 * DAY - 1), TRIAL_ACCEPT_OK); /* just in time */
}

/* R5: paid first, then a trial for the same customer: refused. */
static void test_paid_first(void **state)
{
    (void)state;
    trial_history_t h;
    trial_history_init(&h);
    trial_claims_t paid = fx_paid(1, FX_IAT);
    assert_int_equal(offer(&h, &paid, FX_IAT), TRIAL_ACCEPT_OK);
    trial_claims_t trial = fx_trial(2, FX_IAT, FX_E, 0);
    assert_int_equal(offer(&h, &trial, FX_IAT), TRIAL_ACCEPT_PAID_TO_TRIAL);
    trial_notice_t n[TRIAL_NOTICE_COUNT];
    assert_int_equal(trial_notices_due(&h, FX_E + 100 * DAY, n), 0);
}

static void test_accept_bad_args(void **state)
{
    (void)state;
    trial_history_t h = started();
    trial_claims_t c = fx_trial(2, FX_IAT, FX_E, 0);
    uint8_t hash[TRIAL_HASH_LEN] = {0};
    assert_int_equal(trial_history_accept(NULL, &c, hash, 0), TRIAL_ACCEPT_INVAL);
    assert_int_equal(trial_history_accept(&h, NULL, hash, 0), TRIAL_ACCEPT_INVAL);
    assert_int_equal(trial_history_accept(&h, &c, NULL, 0), TRIAL_ACCEPT_INVAL);
    c.has_trial_exp = false;
    assert_int_equal(trial_history_accept(&h, &c, hash, 0), TRIAL_ACCEPT_INVAL);
    for (int a = TRIAL_ACCEPT_OK; a <= TRIAL_ACCEPT_INVAL; a++) {
        assert_string_not_equal(trial_accept_name((trial_accept_t)a), "unknown");
    }
}

/* R7/R8/R10/R11: each notice once, at its instant, not a second before. */
static void test_notices_once_each(void **state)
{
    (void)state;
    trial_history_t h = started();
    static const struct {
        int64_t at;
        int expect; /* -1: none */
    } walk[] = {
        {-7 * DAY - 1, -1},
        {-7 * DAY, TRIAL_NOTICE_EXPIRING},
        {-7 * DAY + 1, -1},
        {-1 * DAY - 1, -1},
        {-1 * DAY, TRIAL_NOTICE_LAST_DAY},
        {-1, -1},
        {0, TRIAL_NOTICE_EXPIRED},
        {30 * DAY - 1, -1},
        {30 * DAY, TRIAL_NOTICE_LAPSED},
        {45 * DAY - 1, -1},
        {45 * DAY, TRIAL_NOTICE_RELEASED},
        {400 * DAY, -1},
    };
    for (size_t i = 0; i < sizeof walk / sizeof walk[0]; i++) {
        trial_notice_t n[TRIAL_NOTICE_COUNT];
        size_t count = trial_notices_due(&h, FX_E + walk[i].at, n);
        if (walk[i].expect < 0) {
            assert_int_equal(count, 0);
        } else {
            assert_int_equal(count, 1);
            assert_int_equal(n[0], walk[i].expect);
            trial_notices_mark(&h, n, count);
        }
    }
    assert_int_equal(h.notices, 0x1f);
}

/* A device that was off raises the missed notices in order, once. */
static void test_missed_notices_in_order(void **state)
{
    (void)state;
    trial_history_t h = started();
    trial_notice_t n[TRIAL_NOTICE_COUNT];
    assert_int_equal(trial_notices_due(&h, FX_E - 8 * DAY, n), 0);
    size_t count = trial_notices_due(&h, FX_E + 50 * DAY, n);
    assert_int_equal(count, 5);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(n[i], (trial_notice_t)i);
    }
    trial_notices_mark(&h, n, count);
    assert_int_equal(trial_notices_due(&h, FX_E + 51 * DAY, n), 0);

    /* Off from before E - 1 d until in grace: last day, then expired. */
    trial_history_t h2 = started();
    assert_int_equal(trial_notices_due(&h2, FX_E - 3 * DAY, n), 1);
    trial_notices_mark(&h2, n, 1);
    count = trial_notices_due(&h2, FX_E + 2 * DAY, n);
    assert_int_equal(count, 2);
    assert_int_equal(n[0], TRIAL_NOTICE_LAST_DAY);
    assert_int_equal(n[1], TRIAL_NOTICE_EXPIRED);
    assert_string_equal(trial_notice_name(TRIAL_NOTICE_RELEASED), "released");
}

/* R4 + R7: after an extension the customer hears of the new end again. */
static void test_extension_rearms_notices(void **state)
{
    (void)state;
    trial_history_t h = started();
    trial_notice_t n[TRIAL_NOTICE_COUNT];
    size_t count = trial_notices_due(&h, FX_E - 7 * DAY, n);
    trial_notices_mark(&h, n, count);
    trial_claims_t ext = fx_trial(2, FX_E - 6 * DAY, FX_E + 30 * DAY, 1);
    assert_int_equal(offer(&h, &ext, FX_E - 6 * DAY), TRIAL_ACCEPT_OK);
    assert_int_equal(trial_notices_due(&h, FX_E - 6 * DAY, n), 0);
    assert_int_equal(trial_notices_due(&h, FX_E + 23 * DAY - 1, n), 0);
    count = trial_notices_due(&h, FX_E + 23 * DAY, n);
    assert_int_equal(count, 1);
    assert_int_equal(n[0], TRIAL_NOTICE_EXPIRING);
}

/* ---- binary form -------------------------------------------------------- */

static void test_encode_roundtrip(void **state)
{
    (void)state;
    trial_history_t h = started();
    trial_claims_t ext = fx_trial(2, FX_E - 3 * DAY, FX_E + 30 * DAY, 1);
    assert_int_equal(offer(&h, &ext, FX_E - 2 * DAY), TRIAL_ACCEPT_OK);
    h.notices = 0x5;
    h.lapsed_reached = true;
    uint8_t buf[TRIAL_HISTORY_ENCODED_LEN];
    assert_int_equal(trial_history_encode(&h, buf, sizeof buf), TRIAL_HISTORY_ENCODED_LEN);
    assert_int_equal(trial_history_encode(&h, buf, sizeof buf - 1), FW_E_NOSPACE);
    assert_memory_equal(buf, "TRH\x01", 4);
    assert_int_equal(buf[4], 2); /* seq, little-endian */
    trial_history_t d;
    assert_int_equal(trial_history_decode(&d, buf, sizeof buf), 0);
    assert_memory_equal(&d, &h, sizeof h);

    trial_history_t fresh;
    trial_history_init(&fresh);
    assert_int_equal(trial_history_encode(&fresh, buf, sizeof buf), TRIAL_HISTORY_ENCODED_LEN);
    assert_int_equal(trial_history_decode(&d, buf, sizeof buf), 0);
    assert_memory_equal(&d, &fresh, sizeof d);
}

static void test_decode_rejects(void **state)
{
    (void)state;
    trial_history_t h = started();
    uint8_t good[TRIAL_HISTORY_ENCODED_LEN + 1];
    assert_int_equal(trial_history_encode(&h, good, sizeof good), TRIAL_HISTORY_ENCODED_LEN);
    trial_history_t d;
    for (size_t len = 0; len < TRIAL_HISTORY_ENCODED_LEN; len++) {
        assert_true(trial_history_decode(&d, good, len) < 0);
    }
    good[TRIAL_HISTORY_ENCODED_LEN] = 0;
    assert_int_equal(trial_history_decode(&d, good, TRIAL_HISTORY_ENCODED_LEN + 1), FW_E_FORMAT);

    uint8_t b[TRIAL_HISTORY_ENCODED_LEN];
    memcpy(b, good, sizeof b);
    b[3] = 2;
    assert_int_equal(trial_history_decode(&d, b, sizeof b), FW_E_UNSUPPORTED);
    memcpy(b, good, sizeof b);
    b[0] = 'X';
    assert_int_equal(trial_history_decode(&d, b, sizeof b), FW_E_FORMAT);
    memcpy(b, good, sizeof b);
    b[32] |= 0x10; /* unknown flag */
    assert_int_equal(trial_history_decode(&d, b, sizeof b), FW_E_CORRUPT);
    memcpy(b, good, sizeof b);
    b[33] = 2; /* ext_used */
    assert_int_equal(trial_history_decode(&d, b, sizeof b), FW_E_CORRUPT);
    memcpy(b, good, sizeof b);
    b[34] = 0x20; /* notices */
    assert_int_equal(trial_history_decode(&d, b, sizeof b), FW_E_CORRUPT);
    memcpy(b, good, sizeof b);
    b[16 + 7] = 0x80; /* current_exp negative */
    assert_int_equal(trial_history_decode(&d, b, sizeof b), FW_E_CORRUPT);
    memcpy(b, good, sizeof b);
    b[16 + 3] = 0x7f; /* current_exp far beyond first + 30 d */
    assert_int_equal(trial_history_decode(&d, b, sizeof b), FW_E_CORRUPT);

    /* Every single-bit change either decodes to a consistent history or is
     * refused; never a crash. */
    for (size_t i = 0; i < sizeof b * 8; i++) {
        memcpy(b, good, sizeof b);
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
        int rc = trial_history_decode(&d, b, sizeof b);
        if (rc == 0) {
            assert_true(d.current_exp <= d.first_exp + TRIAL_EXTENSION_S);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_and_same_token),
        cmocka_unit_test(test_extension_once),
        cmocka_unit_test(test_expiry_bounds),
        cmocka_unit_test(test_added_services),
        cmocka_unit_test(test_conversion_in_grace),
        cmocka_unit_test(test_late_conversion),
        cmocka_unit_test(test_lapse_while_off),
        cmocka_unit_test(test_paid_first),
        cmocka_unit_test(test_accept_bad_args),
        cmocka_unit_test(test_notices_once_each),
        cmocka_unit_test(test_missed_notices_in_order),
        cmocka_unit_test(test_extension_rearms_notices),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_decode_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
