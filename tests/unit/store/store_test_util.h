/* Helpers shared by the store unit tests. */
#ifndef STORE_TEST_UTIL_H
#define STORE_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define TEST_SECTOR 16384u

/* Fresh erased flash of `sectors` sectors (program unit `pu`), fresh secure
 * element, and a store config covering all of it. */
store_config_t tu_fresh(uint32_t sectors, uint32_t pu);

/* Deterministic pseudo-random bytes: the same (seed, n) gives the same bytes. */
void tu_fill(uint8_t *buf, size_t n, uint32_t seed);
uint32_t tu_rand(uint32_t *state);

/* The index entry of `key` in a mounted store (NULL if none). */
const store_index_entry_t *tu_entry(const store_t *s, store_key_t key);

/* Asserts the key holds exactly `val`/`len`. */
void tu_expect_value(store_t *s, store_key_t key, const uint8_t *val, size_t len);

#endif
