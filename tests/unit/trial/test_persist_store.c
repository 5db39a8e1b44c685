/*
 * trial/persist.c on the real store (fw_store) over the fake NOR flash: an
 * old flash image written back is detected and gains the trial no day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fakes/fake_flash.h"
#include "fakes/fake_secure.h"
#include "fw/err.h"
#include "trial/persist.h"
#include "trial/timeline.h"
#include "trial/trusted_time.h"
#include "trial_fixture.h"

#define SECTOR 16384u
#define SECTORS 8u

static store_t s_store; /* ~10 KiB: not on the stack */

static void mount(void)
{
    store_config_t cfg = {.first_sector = 0, .sector_count = SECTORS};
    assert_int_equal(store_mount(&s_store, &cfg), 0);
}

static void accept(trial_history_t *h, const trial_claims_t *c, int64_t now)
{
    uint8_t hash[TRIAL_HASH_LEN];
    fx_hash(hash, c->seq, 0);
    assert_int_equal(trial_history_accept(h, c, hash, now), TRIAL_ACCEPT_OK);
}

static void test_old_image_gains_no_day(void **state)
{
    (void)state;
    fake_secure_reset();
    fake_flash_setup(SECTOR, SECTORS, 1);
    mount();

    /* Day E-20: trial accepted, history and mark saved. Image A. */
    trial_history_t h;
    assert_int_equal(trial_persist_load(&s_store, &h), FW_E_NOENT);
    trial_claims_t c1 = fx_trial(1, FX_IAT, FX_E, 0);
    accept(&h, &c1, FX_E - 20 * DAY);
    assert_int_equal(trial_persist_save(&s_store, &h), 0);
    assert_int_equal(trial_persist_save_time(&s_store, FX_E - 20 * DAY), 0);
    uint8_t *image_a = malloc(fake_flash_size());
    assert_non_null(image_a);
    fake_flash_snapshot(image_a);

    /* Day E+31: lapsed and recorded (R9). */
    assert_true(trial_history_observe(&h, FX_E + 31 * DAY));
    assert_int_equal(trial_persist_save(&s_store, &h), 0);
    assert_int_equal(trial_persist_save_time(&s_store, FX_E + 31 * DAY), 0);

    /* Reboot on the current image: all as saved. */
    mount();
    trial_history_t now_h;
    assert_int_equal(trial_persist_load(&s_store, &now_h), 0);
    assert_true(now_h.lapsed_reached);
    int64_t mark = 0;
    assert_int_equal(trial_persist_load_time(&s_store, &mark), 0);
    assert_int_equal(mark, FX_E + 31 * DAY);

    /* Somebody writes image A back and sets the clock to E-20 d. */
    fake_flash_restore(image_a);
    free(image_a);
    mount();
    trial_history_t old;
    int rc = trial_persist_load(&s_store, &old);
    assert_int_equal(rc, FW_E_ROLLBACK);
    assert_true(old.untrusted);
    assert_int_equal(trial_persist_load_time(&s_store, &mark), FW_E_ROLLBACK);
    trusted_time_t tt;
    trusted_time_init(&tt, old.hwm > mark ? old.hwm : mark);
    int64_t now = trusted_time_update(&tt, true, FX_E - 20 * DAY, 0, NULL);
    trial_view_t v;
    assert_int_equal(trial_state_at(&c1, &old, now, &v), 0);
    assert_int_equal(v.days_left, 0); /* not the 20 days image A would give */
    assert_int_equal(v.calling, TRIAL_CALLING_DEGRADED);
    assert_true(v.untrusted);
    /* Saving the fail-safe history keeps it after the next reboot. */
    assert_int_equal(trial_persist_save(&s_store, &old), 0);
    mount();
    assert_int_equal(trial_persist_load(&s_store, &h), 0);
    assert_true(h.untrusted);
    fake_flash_free();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_image_gains_no_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
