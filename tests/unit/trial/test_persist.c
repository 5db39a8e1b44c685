/*
 * trial/persist.c against a scripted store: what it saves, and that a
 * rolled-back, damaged or unknown history fails safe (docs/TRIAL_ENGINE.md).
 * The real store has its own tests; here only store_get/store_put exist, so
 * the store's answers (FW_E_ROLLBACK, ...) can be forced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fw/err.h"
#include "trial/persist.h"
#include "trial/timeline.h"
#include "trial_fixture.h"

/* ---- scripted store ---------------------------------------------------- */

#define SLOTS 8
static struct {
    uint16_t key;
    unsigned flags;
    size_t len;
    uint8_t val[4200];
} s_slot[SLOTS];
static int s_get_error; /* forced store_get() result for monotonic keys */

static void store_reset(void)
{
    memset(s_slot, 0, sizeof s_slot);
    s_get_error = 0;
}

int store_get(store_t *s, store_key_t key, void *buf, size_t cap, size_t *len)
{
    (void)s;
    for (int i = 0; i < SLOTS; i++) {
        if (s_slot[i].key != key) {
            continue;
        }
        if (s_get_error != 0 && (s_slot[i].flags & STORE_F_MONOTONIC) != 0) {
            return s_get_error;
        }
        *len = s_slot[i].len;
        if (s_slot[i].len > cap) {
            return FW_E_NOSPACE;
        }
        memcpy(buf, s_slot[i].val, s_slot[i].len);
        return 0;
    }
    return FW_E_NOENT;
}

int store_put(store_t *s, store_key_t key, const void *val, size_t len, unsigned flags)
{
    (void)s;
    int free_slot = -1;
    for (int i = SLOTS - 1; i >= 0; i--) {
        if (s_slot[i].key == key || (s_slot[i].key == 0 && free_slot < 0)) {
            free_slot = i;
            if (s_slot[i].key == key) {
                break;
            }
        }
    }
    if (free_slot < 0 || len > sizeof s_slot[0].val) {
        return FW_E_NOSPACE;
    }
    s_slot[free_slot].key = key;
    s_slot[free_slot].flags = flags;
    s_slot[free_slot].len = len;
    memcpy(s_slot[free_slot].val, val, len);
    return 0;
}

static int find(uint16_t key)
{
    for (int i = 0; i < SLOTS; i++) {
        if (s_slot[i].key == key) {
            return i;
        }
    }
    return -1;
}

/* ---- tests -------------------------------------------------------------- */

static trial_history_t started(int64_t now)
{
    trial_history_t h;
    trial_history_init(&h);
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    uint8_t hash[TRIAL_HASH_LEN];
    fx_hash(hash, 1, 0);
    assert_int_equal(trial_history_accept(&h, &c, hash, now), TRIAL_ACCEPT_OK);
    return h;
}

static void test_roundtrip_monotonic(void **state)
{
    (void)state;
    store_reset();
    store_t st;
    trial_history_t h;
    assert_int_equal(trial_persist_load(&st, &h), FW_E_NOENT); /* fresh device */
    assert_false(h.untrusted);
    assert_int_equal(h.highest_seq, 0);

    trial_history_t saved = started(FX_IAT);
    assert_int_equal(trial_persist_save(&st, &saved), 0);
    int i = find(STORE_KEY_TRIAL_HISTORY);
    assert_true(i >= 0);
    assert_int_equal(s_slot[i].flags, STORE_F_MONOTONIC);
    assert_int_equal(trial_persist_load(&st, &h), 0);
    assert_memory_equal(&h, &saved, sizeof h);

    int64_t mark = 0;
    assert_int_equal(trial_persist_load_time(&st, &mark), FW_E_NOENT);
    assert_int_equal(trial_persist_save_time(&st, FX_E), 0);
    assert_int_equal(s_slot[find(STORE_KEY_TRUSTED_TIME)].flags, STORE_F_MONOTONIC);
    assert_int_equal(trial_persist_load_time(&st, &mark), 0);
    assert_int_equal(mark, FX_E);

    static const char tok[] = "a.b.c";
    char buf[64];
    size_t len = 0;
    assert_int_equal(trial_persist_save_licence(&st, tok, sizeof tok - 1), 0);
    assert_int_equal(trial_persist_load_licence(&st, buf, sizeof buf, &len), 0);
    assert_int_equal(len, sizeof tok - 1);
    assert_memory_equal(buf, tok, len);
    assert_int_equal(trial_persist_save_licence(&st, tok, 0), FW_E_TOOBIG);
}

/* An old flash image written back: the store says FW_E_ROLLBACK. The trial
 * must not get the days back the old image would give it. */
static void test_rollback_fails_safe(void **state)
{
    (void)state;
    store_reset();
    store_t st;
    trial_history_t h = started(FX_E - 20 * DAY);
    assert_int_equal(trial_persist_save(&st, &h), 0);
    assert_int_equal(trial_persist_save_time(&st, FX_E - 20 * DAY), 0);

    s_get_error = FW_E_ROLLBACK;
    trial_history_t loaded;
    assert_int_equal(trial_persist_load(&st, &loaded), FW_E_ROLLBACK);
    assert_true(loaded.untrusted);
    int64_t mark = 1;
    assert_int_equal(trial_persist_load_time(&st, &mark), FW_E_ROLLBACK);
    assert_int_equal(mark, 0);

    /* The licence in the store still verifies, but the view grants nothing. */
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trial_view_t v;
    assert_int_equal(trial_state_at(&c, &loaded, FX_E - 20 * DAY, &v), 0);
    assert_true(v.untrusted);
    assert_int_equal(v.days_left, 0);
    assert_int_equal(v.calling, TRIAL_CALLING_DEGRADED);
    assert_false(v.rma_due); /* not final: not a return either */
    for (size_t i = 0; i < v.n_svc; i++) {
        assert_true(v.svc[i].expired);
    }
    /* An old or even a new trial licence does not lift it ... */
    uint8_t hash[TRIAL_HASH_LEN];
    fx_hash(hash, 1, 7);
    assert_int_equal(trial_history_accept(&loaded, &c, hash, FX_E - 20 * DAY),
                     TRIAL_ACCEPT_UNTRUSTED);
    /* ... a paid licence does. */
    trial_claims_t paid = fx_paid(2, FX_E - 19 * DAY);
    fx_hash(hash, 2, 7);
    assert_int_equal(trial_history_accept(&loaded, &paid, hash, FX_E - 19 * DAY), TRIAL_ACCEPT_OK);
    assert_false(loaded.untrusted);

    /* The untrusted mark survives a save and a reboot. */
    s_get_error = 0;
    trial_history_t u;
    trial_history_init(&u);
    u.untrusted = true;
    assert_int_equal(trial_persist_save(&st, &u), 0);
    assert_int_equal(trial_persist_load(&st, &h), 0);
    assert_true(h.untrusted);
}

static void test_damage_fails_safe(void **state)
{
    (void)state;
    store_reset();
    store_t st;
    trial_history_t h = started(FX_IAT);
    assert_int_equal(trial_persist_save(&st, &h), 0);
    int i = find(STORE_KEY_TRIAL_HISTORY);

    s_slot[i].val[33] = 7; /* ext_used out of range */
    trial_history_t loaded;
    assert_int_equal(trial_persist_load(&st, &loaded), FW_E_CORRUPT);
    assert_true(loaded.untrusted);

    s_slot[i].val[33] = 0;
    s_slot[i].val[3] = 9; /* a version from the future */
    assert_int_equal(trial_persist_load(&st, &loaded), FW_E_UNSUPPORTED);
    assert_true(loaded.untrusted);

    s_slot[i].val[3] = 1;
    s_slot[i].len = 4100; /* larger than any history */
    assert_int_equal(trial_persist_load(&st, &loaded), FW_E_CORRUPT);
    assert_true(loaded.untrusted);

    s_slot[i].len = 10;
    assert_int_equal(trial_persist_load(&st, &loaded), FW_E_FORMAT);
    assert_true(loaded.untrusted);

    s_get_error = FW_E_IO;
    s_slot[i].len = TRIAL_HISTORY_ENCODED_LEN;
    assert_int_equal(trial_persist_load(&st, &loaded), FW_E_IO);
    assert_true(loaded.untrusted);

    s_get_error = 0;
    assert_int_equal(trial_persist_save_time(&st, FX_E), 0);
    int t = find(STORE_KEY_TRUSTED_TIME);
    s_slot[t].val[11] = 0x80; /* negative */
    int64_t mark = 5;
    assert_int_equal(trial_persist_load_time(&st, &mark), FW_E_CORRUPT);
    assert_int_equal(mark, 0);
    s_slot[t].len = 3;
    assert_int_equal(trial_persist_load_time(&st, &mark), FW_E_CORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_monotonic),
        cmocka_unit_test(test_rollback_fails_safe),
        cmocka_unit_test(test_damage_fails_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
