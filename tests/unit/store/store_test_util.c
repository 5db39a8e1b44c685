#include "store_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fakes/fake_flash.h"
#include "fakes/fake_secure.h"
#include "fw/backoff.h"

store_config_t tu_fresh(uint32_t sectors, uint32_t pu)
{
    fake_flash_setup(TEST_SECTOR, sectors, pu);
    fake_secure_reset();
    store_config_t cfg = {0, sectors};
    return cfg;
}

uint32_t tu_rand(uint32_t *state)
{
    if (*state == 0) {
        *state = 0x1234567u; /* the sequences the tests were written against */
    }
    return fw_rand_next(state);
}

void tu_fill(uint8_t *buf, size_t n, uint32_t seed)
{
    uint32_t st = seed * 2654435761u + 1u;
    for (size_t i = 0; i < n; i++) {
        buf[i] = (uint8_t)(tu_rand(&st) >> 11);
    }
}

const store_index_entry_t *tu_entry(const store_t *s, store_key_t key)
{
    for (uint32_t i = 0; i < s->n_index; i++) {
        if (s->index[i].key == key) {
            return &s->index[i];
        }
    }
    return NULL;
}

void tu_expect_value(store_t *s, store_key_t key, const uint8_t *val, size_t len)
{
    static uint8_t buf[STORE_VALUE_MAX];
    size_t got = 0;
    assert_int_equal(store_get(s, key, buf, sizeof buf, &got), 0);
    assert_int_equal(got, len);
    assert_memory_equal(buf, val, len);
}
