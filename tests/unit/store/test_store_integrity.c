/*
 * test_store_integrity.c - what the store does with flash it did not write:
 * edited bytes, old images written back (rollback), a counter increment lost
 * to a power cut, torn writes, and garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakes/fake_flash.h"
#include "fakes/fake_secure.h"
#include "fw/err.h"
#include "store/store.h"
#include "store_priv.h"
#include "store_test_util.h"

static store_t s_store;
static uint8_t s_buf[STORE_VALUE_MAX];

static int teardown(void **state)
{
    (void)state;
    fake_flash_free();
    return 0;
}

static store_health_t health(void)
{
    store_health_t h;
    store_health(&s_store, &h);
    return h;
}

/* Flip one bit of every byte of the newest record in turn (header, value,
 * padding, tag): each time that version must be rejected, counted as
 * damaged, and the previous value returned instead. Protects the "edited
 * record is never returned" promise, for every byte a record covers. */
static void flip_every_byte(size_t len)
{
    store_config_t cfg = tu_fresh(3, 1);
    const store_key_t key = STORE_KEY_LICENCE;
    uint8_t v1[64], v2[STORE_VALUE_MAX];
    tu_fill(v1, sizeof v1, 1);
    tu_fill(v2, len, 2);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_put(&s_store, key, v1, sizeof v1, 0), 0);
    assert_int_equal(store_put(&s_store, key, v2, len, 0), 0);
    const store_index_entry_t *e = tu_entry(&s_store, key);
    assert_non_null(e);
    const uint32_t addr = e->addr;
    const uint32_t size = store_rec_size(&s_store, (uint32_t)len);
    uint8_t *img = malloc(fake_flash_size());
    assert_non_null(img);
    fake_flash_snapshot(img);
    uint8_t *mem = fake_flash_mem();
    for (uint32_t i = 0; i < size; i++) {
        fake_flash_restore(img);
        mem[addr + i] ^= (uint8_t)(1u << (i % 8));
        assert_int_equal(store_mount(&s_store, &cfg), 0);
        tu_expect_value(&s_store, key, v1, sizeof v1);
        assert_true(health().records_damaged >= 1);
    }
    /* and unflipped, the newest is back: the loop really tested something */
    fake_flash_restore(img);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    tu_expect_value(&s_store, key, v2, len);
    assert_int_equal(health().records_damaged, 0);
    free(img);
}

static void test_flip_any_byte_of_small_record_rejected(void **state)
{
    (void)state;
    flip_every_byte(37);
}

static void test_flip_any_byte_of_max_record_rejected(void **state)
{
    (void)state;
    flip_every_byte(STORE_VALUE_MAX);
}

/* A record edited after mount is caught by get (re-verified), not returned. */
static void test_edit_after_mount_caught_by_get(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(3, 1);
    size_t len;
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_put(&s_store, 0x0001, "provisioned", 11, 0), 0);
    fake_flash_mem()[tu_entry(&s_store, 0x0001)->addr + REC_HDR_BYTES + 3] ^= 0x10;
    assert_int_equal(store_get(&s_store, 0x0001, s_buf, sizeof s_buf, &len), FW_E_CORRUPT);
    assert_int_equal(health().records_damaged, 1);
}

/* The core rollback attack: save the image, make a monotonic update, write
 * the old image back. The monotonic key must read FW_E_ROLLBACK (not the old
 * value), other keys stay readable, and the refusal survives a reboot until
 * that key is written again. */
static void test_rollback_old_image_detected(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    size_t len;
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_put(&s_store, STORE_KEY_TRIAL_HISTORY, "day1", 4, STORE_F_MONOTONIC), 0);
    assert_int_equal(store_put(&s_store, STORE_KEY_TRUSTED_TIME, "t100", 4, STORE_F_MONOTONIC), 0);
    assert_int_equal(store_put(&s_store, STORE_KEY_LICENCE, "lic", 3, 0), 0);
    assert_int_equal(fake_secure_counter(), 2);
    uint8_t *old = malloc(fake_flash_size());
    assert_non_null(old);
    fake_flash_snapshot(old);
    assert_int_equal(store_put(&s_store, STORE_KEY_TRIAL_HISTORY, "day9", 4, STORE_F_MONOTONIC), 0);
    assert_int_equal(fake_secure_counter(), 3);

    fake_flash_restore(old);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_true(health().rollback);
    assert_int_equal(store_get(&s_store, STORE_KEY_TRIAL_HISTORY, s_buf, sizeof s_buf, &len),
                     FW_E_ROLLBACK);
    assert_int_equal(store_get(&s_store, STORE_KEY_TRUSTED_TIME, s_buf, sizeof s_buf, &len),
                     FW_E_ROLLBACK);
    tu_expect_value(&s_store, STORE_KEY_LICENCE, (const uint8_t *)"lic", 3);

    /* a reboot without writing anything: still refused */
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_get(&s_store, STORE_KEY_TRIAL_HISTORY, s_buf, sizeof s_buf, &len),
                     FW_E_ROLLBACK);

    /* rewriting one key clears it, the other stays refused across reboots */
    assert_int_equal(store_put(&s_store, STORE_KEY_TRIAL_HISTORY, "dayX", 4, STORE_F_MONOTONIC), 0);
    tu_expect_value(&s_store, STORE_KEY_TRIAL_HISTORY, (const uint8_t *)"dayX", 4);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    tu_expect_value(&s_store, STORE_KEY_TRIAL_HISTORY, (const uint8_t *)"dayX", 4);
    assert_int_equal(store_get(&s_store, STORE_KEY_TRUSTED_TIME, s_buf, sizeof s_buf, &len),
                     FW_E_ROLLBACK);
    assert_true(health().rollback);
    assert_int_equal(store_put(&s_store, STORE_KEY_TRUSTED_TIME, "t200", 4, STORE_F_MONOTONIC), 0);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_false(health().rollback);
    free(old);
}

/* A power cut between the monotonic record and the counter increment (here:
 * the increment fails) is rolled forward at mount: no false rollback, the
 * new value is kept and the counter catches up. */
static void test_lost_counter_increment_rolls_forward(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_put(&s_store, STORE_KEY_TRUSTED_TIME, "t1", 2, STORE_F_MONOTONIC), 0);
    assert_int_equal(fake_secure_counter(), 1);
    fake_secure_fail_counter(FW_E_POWER);
    /* the counter read fails too, so the put must refuse up front */
    assert_int_equal(store_put(&s_store, STORE_KEY_TRUSTED_TIME, "t2", 2, STORE_F_MONOTONIC),
                     FW_E_IO);
    fake_secure_fail_counter(0);

    /* now the real cut: record written, counter not incremented */
    assert_int_equal(store_put(&s_store, STORE_KEY_TRUSTED_TIME, "t2", 2, STORE_F_MONOTONIC), 0);
    fake_secure_set_counter(1); /* undo the increment, as if it never happened */
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_false(health().rollback);
    assert_int_equal(fake_secure_counter(), 2);
    assert_int_equal(health().counter_hw, 2);
    tu_expect_value(&s_store, STORE_KEY_TRUSTED_TIME, (const uint8_t *)"t2", 2);
}

/* The binding must survive the monotonic record itself going away: a
 * non-monotonic overwrite, a delete, then GC erasing the sector that held
 * it. A false rollback here would brick every monotonic key. */
static void test_binding_survives_overwrite_delete_and_gc(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(3, 1);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_put(&s_store, 0x0100, "m", 1, STORE_F_MONOTONIC), 0);
    assert_int_equal(store_put(&s_store, 0x0100, "plain", 5, 0), 0);
    assert_int_equal(store_put(&s_store, 0x0101, "m2", 2, STORE_F_MONOTONIC), 0);
    assert_int_equal(store_delete(&s_store, 0x0101), 0);
    uint8_t v[2000];
    for (int i = 0; i < 60; i++) { /* ~ 7 sectors: every old sector is erased */
        tu_fill(v, sizeof v, (uint32_t)i);
        assert_int_equal(store_put(&s_store, 0x1000 + (i % 3), v, sizeof v, 0), 0);
    }
    assert_true(fake_flash_sim()->erases >= 4);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_false(health().rollback);
    assert_int_equal(health().counter_flash, 2);
    tu_expect_value(&s_store, 0x0100, (const uint8_t *)"plain", 5);
}

/* No monotonic record at all but a counter above zero (a formatted store,
 * or an image from before the first monotonic write) is a rollback, and a
 * monotonic write clears it for good. */
static void test_empty_flash_with_counter_is_rollback(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(3, 1);
    fake_secure_set_counter(5);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_true(health().rollback);
    assert_int_equal(store_put(&s_store, STORE_KEY_TRUSTED_TIME, "t", 1, STORE_F_MONOTONIC), 0);
    assert_false(health().rollback);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_false(health().rollback);
    tu_expect_value(&s_store, STORE_KEY_TRUSTED_TIME, (const uint8_t *)"t", 1);
}

/* A torn put (power cut inside its program) gives the old value, the torn
 * bytes are counted and never programmed over (the strict simulator would
 * refuse), and the store keeps working. */
static void test_torn_put_gives_old_value_and_store_continues(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed < 40; seed++) {
        store_config_t cfg = tu_fresh(3, 1);
        uint8_t v[900];
        assert_int_equal(store_mount(&s_store, &cfg), 0);
        tu_fill(v, sizeof v, 1);
        assert_int_equal(store_put(&s_store, 0x0002, v, sizeof v, 0), 0);
        nor_sim_arm_cut(fake_flash_sim(), 1 + seed % 4, seed);
        tu_fill(v, sizeof v, 2);
        assert_int_equal(store_put(&s_store, 0x0002, v, sizeof v, 0), FW_E_POWER);
        nor_sim_power_on(fake_flash_sim());
        assert_int_equal(store_mount(&s_store, &cfg), 0);
        tu_fill(v, sizeof v, 1);
        tu_expect_value(&s_store, 0x0002, v, sizeof v);
        tu_fill(v, sizeof v, 3);
        assert_int_equal(store_put(&s_store, 0x0002, v, sizeof v, 0), 0);
        assert_int_equal(store_mount(&s_store, &cfg), 0);
        tu_expect_value(&s_store, 0x0002, v, sizeof v);
    }
}

static int count_keys(void *ctx, store_key_t key, size_t len)
{
    (void)key;
    (void)len;
    (*(int *)ctx)++;
    return 0;
}

static void expect_empty(void)
{
    int n = 0;
    size_t len;
    assert_int_equal(store_foreach(&s_store, 0, 0xFFFF, count_keys, &n), 0);
    assert_int_equal(n, 0);
    for (uint32_t k = 1; k < 8; k++) {
        assert_int_equal(store_get(&s_store, (store_key_t)k, s_buf, sizeof s_buf, &len),
                         FW_E_NOENT);
    }
}

/* Garbage flash (random bytes, zeros, random sectors in a good image) mounts
 * without crashing, returns nothing it did not write, and accepts writes. */
static void test_garbage_images_mount_safely(void **state)
{
    (void)state;
    for (uint32_t seed = 0; seed < 12; seed++) {
        store_config_t cfg = tu_fresh(4, 1);
        uint8_t *mem = fake_flash_mem();
        if (seed == 0) {
            memset(mem, 0, fake_flash_size());
        } else if (seed == 1) {
            memset(mem, 0x5A, fake_flash_size());
        } else {
            tu_fill(mem, fake_flash_size(), seed);
        }
        assert_int_equal(store_mount(&s_store, &cfg), 0);
        expect_empty();
        assert_int_equal(health().sectors_damaged, 4);
        assert_int_equal(store_put(&s_store, 0x0003, "ok", 2, 0), 0);
        assert_int_equal(store_mount(&s_store, &cfg), 0);
        tu_expect_value(&s_store, 0x0003, (const uint8_t *)"ok", 2);
    }
    /* a good image with one sector's records overwritten by random bytes
     * after its (valid) header: the other sectors' records survive */
    store_config_t cfg = tu_fresh(5, 1);
    uint8_t v[3000];
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    for (uint32_t i = 0; i < 9; i++) {
        tu_fill(v, sizeof v, i);
        assert_int_equal(store_put(&s_store, (store_key_t)(0x1000 + i), v, sizeof v, 0), 0);
    }
    const uint32_t victim_addr = tu_entry(&s_store, 0x1000)->addr;
    const uint32_t sector = victim_addr / TEST_SECTOR;
    tu_fill(fake_flash_mem() + sector * TEST_SECTOR + 48, TEST_SECTOR - 48, 77);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_true(health().records_damaged >= 1);
    for (uint32_t i = 0; i < 9; i++) {
        size_t len;
        tu_fill(v, sizeof v, i);
        const store_index_entry_t *e = tu_entry(&s_store, (store_key_t)(0x1000 + i));
        if (e) {
            tu_expect_value(&s_store, (store_key_t)(0x1000 + i), v, sizeof v);
        } else {
            assert_int_equal(
                store_get(&s_store, (store_key_t)(0x1000 + i), s_buf, sizeof s_buf, &len),
                FW_E_NOENT);
        }
    }
    assert_null(tu_entry(&s_store, 0x1000));
    assert_non_null(tu_entry(&s_store, 0x1008));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_flip_any_byte_of_small_record_rejected, teardown),
        cmocka_unit_test_teardown(test_flip_any_byte_of_max_record_rejected, teardown),
        cmocka_unit_test_teardown(test_edit_after_mount_caught_by_get, teardown),
        cmocka_unit_test_teardown(test_rollback_old_image_detected, teardown),
        cmocka_unit_test_teardown(test_lost_counter_increment_rolls_forward, teardown),
        cmocka_unit_test_teardown(test_binding_survives_overwrite_delete_and_gc, teardown),
        cmocka_unit_test_teardown(test_empty_flash_with_counter_is_rollback, teardown),
        cmocka_unit_test_teardown(test_torn_put_gives_old_value_and_store_continues, teardown),
        cmocka_unit_test_teardown(test_garbage_images_mount_safely, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
