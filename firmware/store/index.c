/*
 * index.c - the RAM index: one entry per key (live value or tombstone), kept
 * sorted by key so lookups are a binary search and store_foreach() walks keys
 * in order without sorting.
 */
#include <string.h>

#include "fw/err.h"
#include "store_priv.h"

/* Position of the first entry with key >= `key` (n_index if none). */
static uint32_t lower_bound(const store_t *s, uint16_t key)
{
    uint32_t lo = 0;
    uint32_t hi = s->n_index;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->index[mid].key < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

store_index_entry_t *store_index_lower_bound(store_t *s, uint16_t key)
{
    uint32_t i = lower_bound(s, key);
    return i < s->n_index ? &s->index[i] : NULL;
}

store_index_entry_t *store_index_find(store_t *s, uint16_t key)
{
    store_index_entry_t *e = store_index_lower_bound(s, key);
    return e && e->key == key ? e : NULL;
}

int store_index_set(store_t *s, const store_index_entry_t *e)
{
    uint32_t i = lower_bound(s, e->key);
    if (i < s->n_index && s->index[i].key == e->key) {
        s->index[i] = *e;
        return 0;
    }
    if (s->n_index >= STORE_MAX_KEYS) {
        return FW_E_NOMEM;
    }
    memmove(&s->index[i + 1], &s->index[i], (s->n_index - i) * sizeof s->index[0]);
    s->index[i] = *e;
    s->n_index++;
    return 0;
}

void store_index_remove(store_t *s, uint16_t key)
{
    uint32_t i = lower_bound(s, key);
    if (i < s->n_index && s->index[i].key == key) {
        memmove(&s->index[i], &s->index[i + 1], (s->n_index - i - 1) * sizeof s->index[0]);
        s->n_index--;
    }
}
