/*
 * test_store.c - functional behaviour of the store: the API promises in
 * store/store.h, capacity limits, garbage collection and wear spread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/md.h>

#include "fakes/fake_flash.h"
#include "fakes/fake_secure.h"
#include "fw/err.h"
#include "store/store.h"
#include "store_priv.h"
#include "store_test_util.h"

static store_t s_store; /* large: keep it off the stack */
static uint8_t s_buf[STORE_VALUE_MAX + 1];

static int teardown(void **state)
{
    (void)state;
    fake_flash_free();
    return 0;
}

/* A blank flash is an empty store, not an error. */
static void test_blank_flash_mounts_empty(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    size_t len = 0;
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_get(&s_store, STORE_KEY_LICENCE, s_buf, sizeof s_buf, &len), FW_E_NOENT);
    store_health_t h;
    store_health(&s_store, &h);
    assert_int_equal(h.live_keys, 0);
    assert_int_equal(h.records_damaged, 0);
    assert_false(h.rollback);
    assert_true(h.free_bytes > 0);
}

/* Put then get returns the same bytes, and the put is durable: a remount
 * sees it too. */
static void test_put_get_roundtrip_and_remount(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    const char lic[] = "eyJhbGciOiJFUzI1NiJ9.payload.sig";
    assert_int_equal(store_put(&s_store, STORE_KEY_LICENCE, lic, sizeof lic, 0), 0);
    tu_expect_value(&s_store, STORE_KEY_LICENCE, (const uint8_t *)lic, sizeof lic);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    tu_expect_value(&s_store, STORE_KEY_LICENCE, (const uint8_t *)lic, sizeof lic);
}

/* The newest put wins, before and after remount. */
static void test_overwrite_returns_newest(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    uint8_t v[40];
    for (uint32_t i = 0; i < 10; i++) {
        tu_fill(v, sizeof v, i);
        assert_int_equal(store_put(&s_store, STORE_KEY_USAGE, v, 10 + i, 0), 0);
    }
    tu_fill(v, sizeof v, 9);
    tu_expect_value(&s_store, STORE_KEY_USAGE, v, 19);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    tu_expect_value(&s_store, STORE_KEY_USAGE, v, 19);
}

/* Delete makes a key absent durably; deleting an absent key is a no-op. */
static void test_delete(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    size_t len;
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_delete(&s_store, 0x1005), 0);
    assert_int_equal(store_put(&s_store, 0x1005, "q", 1, 0), 0);
    assert_int_equal(store_delete(&s_store, 0x1005), 0);
    assert_int_equal(store_get(&s_store, 0x1005, s_buf, sizeof s_buf, &len), FW_E_NOENT);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_get(&s_store, 0x1005, s_buf, sizeof s_buf, &len), FW_E_NOENT);
    /* and it can come back */
    assert_int_equal(store_put(&s_store, 0x1005, "r", 1, 0), 0);
    tu_expect_value(&s_store, 0x1005, (const uint8_t *)"r", 1);
}

typedef struct {
    store_key_t keys[16];
    size_t lens[16];
    int n;
    int stop_after;
} visit_t;

static int visit(void *ctx, store_key_t key, size_t len)
{
    visit_t *v = ctx;
    v->keys[v->n] = key;
    v->lens[v->n] = len;
    v->n++;
    return v->n == v->stop_after ? 42 : 0;
}

/* foreach visits live keys only, in key order, within the range, and stops
 * with the callback's value. */
static void test_foreach_order_range_stop(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    const store_key_t keys[] = {0x1003, 0x0002, 0x1001, 0x1fff, 0x1002};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(store_put(&s_store, keys[i], "abcdefgh", i + 1, 0), 0);
    }
    assert_int_equal(store_delete(&s_store, 0x1002), 0);
    visit_t v = {.stop_after = -1};
    assert_int_equal(
        store_foreach(&s_store, STORE_KEY_QUEUE_FIRST, STORE_KEY_QUEUE_LAST, visit, &v), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.keys[0], 0x1001);
    assert_int_equal(v.lens[0], 3);
    assert_int_equal(v.keys[1], 0x1003);
    assert_int_equal(v.keys[2], 0x1fff);
    visit_t all = {.stop_after = 2};
    assert_int_equal(store_foreach(&s_store, 0, 0xFFFF, visit, &all), 42);
    assert_int_equal(all.n, 2);
    assert_int_equal(all.keys[0], 0x0002);
}

/* Sizes at the limits: 1 and STORE_VALUE_MAX work, more is refused, and a
 * short buffer gets FW_E_NOSPACE plus the size needed. */
static void test_value_size_limits(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    size_t len = 0;
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    tu_fill(s_buf, sizeof s_buf, 7);
    assert_int_equal(store_put(&s_store, 0x0010, s_buf, STORE_VALUE_MAX, 0), 0);
    assert_int_equal(store_put(&s_store, 0x0011, s_buf, 1, 0), 0);
    assert_int_equal(store_put(&s_store, 0x0012, s_buf, STORE_VALUE_MAX + 1, 0), FW_E_TOOBIG);
    assert_int_equal(store_put(&s_store, 0x0012, s_buf, 0, 0), FW_E_INVAL);
    assert_int_equal(store_put(&s_store, 0x0000, s_buf, 1, 0), FW_E_INVAL);
    assert_int_equal(store_put(&s_store, 0xFFFF, s_buf, 1, 0), FW_E_INVAL);
    assert_int_equal(store_put(&s_store, 0x0012, s_buf, 1, 0x80), FW_E_INVAL);
    uint8_t small[10];
    assert_int_equal(store_get(&s_store, 0x0010, small, sizeof small, &len), FW_E_NOSPACE);
    assert_int_equal(len, STORE_VALUE_MAX);
    uint8_t want[STORE_VALUE_MAX];
    tu_fill(want, sizeof want, 7);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    tu_expect_value(&s_store, 0x0010, want, STORE_VALUE_MAX);
    tu_expect_value(&s_store, 0x0011, want, 1);
}

/* Filling the store is refused with FW_E_NOSPACE before it can wedge: the
 * refused put changes nothing, rewrites and deletes still work, and the
 * space comes back after a delete. */
static void test_nospace_is_clean(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(3, 1);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    uint8_t v[1024];
    store_key_t k = 0x1000;
    int rc;
    while ((rc = store_put(&s_store, k, v, sizeof v, 0)) == 0) {
        k++;
    }
    assert_int_equal(rc, FW_E_NOSPACE);
    assert_true(k > 0x1004); /* some real capacity */
    size_t len;
    assert_int_equal(store_get(&s_store, k, s_buf, sizeof s_buf, &len), FW_E_NOENT);
    /* rewriting the same keys many times forces GC at full capacity */
    for (int round = 0; round < 40; round++) {
        for (store_key_t j = 0x1000; j < k; j++) {
            tu_fill(v, sizeof v, (uint32_t)(round * 1000 + j));
            assert_int_equal(store_put(&s_store, j, v, sizeof v, 0), 0);
        }
    }
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    for (store_key_t j = 0x1000; j < k; j++) {
        tu_fill(v, sizeof v, (uint32_t)(39 * 1000 + j));
        tu_expect_value(&s_store, j, v, sizeof v);
    }
    assert_int_equal(store_delete(&s_store, 0x1000), 0);
    assert_int_equal(store_put(&s_store, k, v, sizeof v, 0), 0);
}

/* Many rewrites of mixed sizes: many GC rounds, nothing lost, and the
 * erases spread over every sector (ring order, not one hot sector). */
static void test_gc_rounds_keep_data_and_spread_wear(void **state)
{
    (void)state;
    const uint32_t n = 8;
    store_config_t cfg = tu_fresh(n, 1);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    static uint8_t model[40][STORE_VALUE_MAX];
    static size_t model_len[40];
    uint32_t rng = 99;
    for (int i = 0; i < 4000; i++) {
        uint32_t k = tu_rand(&rng) % 40;
        size_t len = 1 + tu_rand(&rng) % (k < 4 ? 3000 : 300);
        tu_fill(model[k], len, (uint32_t)i);
        model_len[k] = len;
        assert_int_equal(store_put(&s_store, (store_key_t)(0x1000 + k), model[k], len, 0), 0);
        if (i % 997 == 0) {
            assert_int_equal(store_mount(&s_store, &cfg), 0);
        }
    }
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    for (uint32_t k = 0; k < 40; k++) {
        tu_expect_value(&s_store, (store_key_t)(0x1000 + k), model[k], model_len[k]);
    }
    const uint32_t *ec = fake_flash_erase_counts();
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t i = 0; i < n; i++) {
        lo = ec[i] < lo ? ec[i] : lo;
        hi = ec[i] > hi ? ec[i] : hi;
    }
    print_message("erase counts: min %u max %u\n", lo, hi);
    assert_true(lo >= 5);      /* many GC rounds happened */
    assert_true(hi <= 2 * lo); /* and were spread */
    store_health_t h;
    store_health(&s_store, &h);
    assert_int_equal(h.records_damaged, 0);
    assert_int_equal(h.live_keys, 40);
}

/* Program units larger than a slot (and 1) keep every NOR rule: the
 * simulator refuses misaligned or overlapping programs. */
static void test_program_units(void **state)
{
    (void)state;
    const uint32_t units[] = {1, 4, 8, 32, 64, 256};
    for (size_t u = 0; u < 6; u++) {
        store_config_t cfg = tu_fresh(4, units[u]);
        assert_int_equal(store_mount(&s_store, &cfg), 0);
        uint8_t v[700];
        for (uint32_t i = 0; i < 200; i++) {
            tu_fill(v, sizeof v, i);
            assert_int_equal(store_put(&s_store, (store_key_t)(0x1000 + i % 7), v, 1 + i * 3, 0),
                             0);
        }
        assert_int_equal(store_mount(&s_store, &cfg), 0);
        tu_fill(v, sizeof v, 199);
        tu_expect_value(&s_store, 0x1000 + 199 % 7, v, 1 + 199 * 3);
        assert_true(fake_flash_sim()->erases > 0);
    }
}

/* store_format empties the store. */
static void test_format_erases(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    size_t len;
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_put(&s_store, 0x0001, "x", 1, 0), 0);
    assert_int_equal(store_format(&s_store, &cfg), 0);
    assert_int_equal(store_get(&s_store, 0x0001, s_buf, sizeof s_buf, &len), FW_E_NOENT);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_get(&s_store, 0x0001, s_buf, sizeof s_buf, &len), FW_E_NOENT);
}

/* Bad configurations are refused instead of writing outside the region. */
static void test_bad_config(void **state)
{
    (void)state;
    tu_fresh(4, 1);
    store_config_t two = {0, 2}, past = {2, 3};
    assert_int_equal(store_mount(&s_store, &two), FW_E_INVAL);
    assert_int_equal(store_mount(&s_store, &past), FW_E_INVAL);
    assert_int_equal(store_put(&s_store, 1, "x", 1, 0), FW_E_STATE);
}

/* store_geometry_check() says, without flash, what store_mount() would
 * refuse: tools check a device's erase unit with it before writing. */
static void test_geometry_check(void **state)
{
    (void)state;
    hal_flash_geometry_t geo = {.sector_size = 16384, .sector_count = 32, .program_unit = 1};
    store_config_t ok = {0, 32}, two = {0, 2}, past = {30, 3};
    assert_int_equal(store_geometry_check(&geo, &ok), 0);
    assert_int_equal(store_geometry_check(&geo, &two), FW_E_INVAL);
    assert_int_equal(store_geometry_check(&geo, &past), FW_E_INVAL);
    geo.sector_size = 4096; /* the largest record (6 KiB value) does not fit */
    assert_int_equal(store_geometry_check(&geo, &ok), FW_E_INVAL);
    geo.sector_size = 8192;
    assert_int_equal(store_geometry_check(&geo, &ok), 0);
    geo.program_unit = 3; /* not a power of two */
    assert_int_equal(store_geometry_check(&geo, &ok), FW_E_INVAL);
    assert_int_equal(store_geometry_check(NULL, &ok), FW_E_INVAL);
}

/* The hand-built HMAC (no heap) equals mbedtls' HMAC-SHA-256. */
static void test_mac_matches_mbedtls(void **state)
{
    (void)state;
    uint8_t key[32], msg[300], ours[32], ref[32];
    tu_fill(key, sizeof key, 1);
    tu_fill(msg, sizeof msg, 2);
    store_mac(key, msg, 100, msg + 100, 200, ours, sizeof ours);
    assert_int_equal(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, 32, msg,
                                     sizeof msg, ref),
                     0);
    assert_memory_equal(ours, ref, 32);
}

/* Records written under another device key are not accepted: a flash image
 * moved to another device reads as damaged, not as data. */
static void test_other_device_key_rejected(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    size_t len;
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_put(&s_store, 0x0001, "secret", 6, 0), 0);
    uint8_t other[32];
    tu_fill(other, sizeof other, 3);
    fake_secure_set_device_key(other);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_get(&s_store, 0x0001, s_buf, sizeof s_buf, &len), FW_E_NOENT);
    store_health_t h;
    store_health(&s_store, &h);
    assert_true(h.sectors_damaged >= 1);
    /* and the store is usable again on this device */
    assert_int_equal(store_put(&s_store, 0x0001, "mine", 4, 0), 0);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    tu_expect_value(&s_store, 0x0001, (const uint8_t *)"mine", 4);
}

/* Health reports programmed bytes and erases since mount. */
static void test_health_accounting(void **state)
{
    (void)state;
    store_config_t cfg = tu_fresh(4, 1);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    assert_int_equal(store_put(&s_store, 0x0005, "12345678", 8, 0), 0);
    store_health_t h;
    store_health(&s_store, &h);
    /* sector header (48) + one 64-byte record */
    assert_int_equal(h.bytes_programmed, 48 + 64);
    assert_int_equal(h.live_keys, 1);
    assert_int_equal(h.live_bytes, 64);
    assert_int_equal(store_mount(&s_store, &cfg), 0);
    store_health(&s_store, &h);
    assert_int_equal(h.records_valid, 1);
    assert_int_equal(h.bytes_programmed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_blank_flash_mounts_empty, teardown),
        cmocka_unit_test_teardown(test_put_get_roundtrip_and_remount, teardown),
        cmocka_unit_test_teardown(test_overwrite_returns_newest, teardown),
        cmocka_unit_test_teardown(test_delete, teardown),
        cmocka_unit_test_teardown(test_foreach_order_range_stop, teardown),
        cmocka_unit_test_teardown(test_value_size_limits, teardown),
        cmocka_unit_test_teardown(test_nospace_is_clean, teardown),
        cmocka_unit_test_teardown(test_gc_rounds_keep_data_and_spread_wear, teardown),
        cmocka_unit_test_teardown(test_program_units, teardown),
        cmocka_unit_test_teardown(test_format_erases, teardown),
        cmocka_unit_test_teardown(test_bad_config, teardown),
        cmocka_unit_test(test_geometry_check),
        cmocka_unit_test_teardown(test_mac_matches_mbedtls, teardown),
        cmocka_unit_test_teardown(test_other_device_key_rejected, teardown),
        cmocka_unit_test_teardown(test_health_accounting, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
