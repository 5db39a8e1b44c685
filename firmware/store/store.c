/*
 * store.c - writing: put, delete, moving the head around the ring and garbage
 * collection; plus the read side of the public API (get, foreach, health).
 *
 * Every flash change is ordered so that a cut leaves a state store_mount()
 * understands (DESIGN.md walks through each cut point):
 *   record:  program header|value|pad|tag at the head   -> valid or damaged
 *   advance: erase target if dirty, program its header   -> new head or ignored
 *   GC:      copy live records verbatim, then erase the victim
 *   monotonic put: record first, counter increment second -> rolled forward
 */
#include <string.h>

#define FW_LOG_TAG "store"
#include "fw/err.h"
#include "fw/log.h"
#include "hal/flash.h"
#include "hal/secure.h"
#include "store_priv.h"

/* ---- garbage collection --------------------------------------------------------- */

typedef struct {
    uint32_t lo, hi; /* the victim's absolute address range */
} gc_ctx_t;

static int gc_record(store_t *s, const rec_hdr_t *h, uint32_t addr, void *ctx)
{
    (void)ctx;
    store_index_entry_t *e = store_index_find(s, h->key);
    /* Only the exact record the index points at is live: older versions and
     * records already copied by an interrupted GC (the index is on the copy)
     * are left behind. */
    if (!e || e->seq != h->seq || e->addr != addr) {
        return 0;
    }
    if (h->flags & REC_F_TOMB) {
        /* Every older version of this key was written before the tombstone,
         * so it lies in this sector or an already erased one: the tombstone
         * has nothing left to hide once this sector is erased. */
        store_index_remove(s, h->key);
        return 0;
    }
    const uint32_t size = store_rec_size(s, h->len);
    if (s->head_offset + size > s->sector_size) {
        return FW_E_NOSPACE; /* impossible: a victim's live data fits an empty sector */
    }
    const uint32_t dst = store_sector_addr(s, s->head_sector) + s->head_offset;
    s->head_offset += size; /* never reprogram a range, even after a failure */
    int rc = store_rec_copy(s, dst, addr, size);
    if (rc != 0) {
        return rc;
    }
    e->addr = dst;
    return 0;
}

static int gc_sector(store_t *s, uint32_t victim)
{
    gc_ctx_t g = {store_sector_addr(s, victim), store_sector_addr(s, victim) + s->sector_size};
    int rc = store_sector_scan(s, victim, s->sector_size, false, gc_record, &g);
    if (rc != 0) {
        return rc;
    }
    /* Entries still pointing into the victim are records that no longer
     * verify (damaged since mount): they are lost with the erase. */
    for (uint32_t i = 0; i < s->n_index;) {
        store_index_entry_t *e = &s->index[i];
        if (e->addr >= g.lo && e->addr < g.hi) {
            FW_LOGE("key 0x%04x lost: damaged during GC", (unsigned)e->key);
            if (!(e->flags & REC_F_TOMB)) {
                s->live_bytes -= store_rec_size(s, e->len);
            }
            store_index_remove(s, e->key);
            continue;
        }
        i++;
    }
    return store_flash_erase(s, victim);
}

/* ---- the head -------------------------------------------------------------------- */

/* Make the next free sector of the ring the head; collect the oldest sector
 * if that used up the spare. */
static int head_advance(store_t *s)
{
    const uint32_t n = s->cfg.sector_count;
    const uint32_t start = s->has_head ? (s->head_sector + 1u) % n : 0;
    uint32_t j = n;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t c = (start + k) % n;
        if (s->sectors[c].state != SEC_STATE_USED) {
            j = c;
            break;
        }
    }
    if (j == n) {
        return FW_E_NOSPACE;
    }
    int rc;
    if (s->sectors[j].state == SEC_STATE_DIRTY) {
        rc = store_flash_erase(s, j);
        if (rc != 0) {
            return rc;
        }
    }
    sec_hdr_t h = {
        .generation = s->head_generation + 1u,
        .erase_count = s->sectors[j].erase_count,
        /* Carry the newest binding forward, so GC erasing the sector of the
         * newest monotonic record can never make the flash look rolled back. */
        .binding = s->binding,
    };
    uint8_t buf[SEC_HDR_BYTES + 256];
    memset(buf, 0xFF, sizeof buf);
    store_sec_hdr_encode(s, &h, buf);
    s->sectors[j].state = SEC_STATE_DIRTY; /* until the header is complete */
    rc = store_flash_program(s, store_sector_addr(s, j), buf, s->data_start);
    if (rc != 0) {
        return rc;
    }
    s->sectors[j].state = SEC_STATE_USED;
    s->sectors[j].generation = h.generation;
    s->has_head = true;
    s->head_sector = j;
    s->head_offset = s->data_start;
    s->head_generation = h.generation;

    uint32_t victim = n;
    for (uint32_t i = 0; i < n; i++) {
        if (s->sectors[i].state != SEC_STATE_USED) {
            return 0; /* a spare is left: nothing to collect yet */
        }
        if (i != j && (victim == n || s->sectors[i].generation < s->sectors[victim].generation)) {
            victim = i;
        }
    }
    return gc_sector(s, victim);
}

/* Move the head on until `size` bytes fit. Each turn collects one sector;
 * the capacity limit guarantees one turn of the ring is enough. */
static int head_make_room(store_t *s, uint32_t size)
{
    for (uint32_t turn = 0; turn <= s->cfg.sector_count; turn++) {
        if (s->has_head && s->head_offset + size <= s->sector_size) {
            return 0;
        }
        int rc = head_advance(s);
        if (rc != 0) {
            return rc;
        }
    }
    FW_LOGE("no room for %u bytes after a full turn", (unsigned)size);
    return FW_E_NOSPACE;
}

/* ---- writing records ------------------------------------------------------------- */

static uint32_t entry_live_size(const store_t *s, const store_index_entry_t *e)
{
    return e && !(e->flags & REC_F_TOMB) ? store_rec_size(s, e->len) : 0;
}

static int record_append(store_t *s, uint16_t key, uint8_t flags, const void *val, uint16_t len,
                         uint32_t bind)
{
    const uint32_t size = store_rec_size(s, len);
    const store_index_entry_t *e = store_index_find(s, key);
    if (!(flags & REC_F_TOMB) &&
        (uint64_t)s->live_bytes - entry_live_size(s, e) + size > s->capacity) {
        return FW_E_NOSPACE;
    }
    if (!e && s->n_index >= STORE_MAX_KEYS) {
        return FW_E_NOSPACE;
    }
    int rc = head_make_room(s, size);
    if (rc != 0) {
        return rc;
    }
    const uint32_t addr = store_sector_addr(s, s->head_sector) + s->head_offset;
    s->head_offset += size;
    rec_hdr_t h = {.flags = flags, .key = key, .len = len, .seq = s->next_seq, .bind = bind};
    rc = store_rec_write(s, addr, &h, val);
    if (rc != 0) {
        return rc;
    }
    s->next_seq++;
    /* GC may have moved or dropped the old entry: look it up again. */
    e = store_index_find(s, key);
    s->live_bytes -= entry_live_size(s, e);
    store_index_entry_t ne = {
        .key = key, .flags = flags, .seq = h.seq, .addr = addr, .len = len, .bind = bind};
    rc = store_index_set(s, &ne);
    if (rc != 0) {
        return rc; /* checked above; cannot happen */
    }
    s->live_bytes += entry_live_size(s, &ne);
    return 0;
}

/* A record bound to the next counter value, then the counter increment. A
 * cut between the two is rolled forward by the next mount. */
static int record_append_monotonic(store_t *s, uint16_t key, const void *val, uint16_t len)
{
    uint32_t c = 0;
    if (hal_secure_counter_read(&c) != 0) {
        return FW_E_IO;
    }
    const uint32_t bind = (c > s->binding ? c : s->binding) + 1u;
    int rc = record_append(s, key, REC_F_MONO, val, len, bind);
    if (rc != 0) {
        return rc;
    }
    s->binding = bind;
    for (int i = 0; i < 64 && c < bind; i++) {
        if (hal_secure_counter_increment(&c) != 0) {
            /* The record is durable; the next mount finishes the binding. */
            FW_LOGW("counter increment failed; mount will roll it forward");
            return 0;
        }
    }
    s->counter_hw = c;
    return 0;
}

int store_put(store_t *s, store_key_t key, const void *val, size_t len, unsigned flags)
{
    if (!s || !s->mounted) {
        return FW_E_STATE;
    }
    if (key == STORE_KEY_FLOOR || key == 0xFFFFu || !val || len == 0 ||
        (flags & ~STORE_F_MONOTONIC) != 0) {
        return FW_E_INVAL;
    }
    if (len > STORE_VALUE_MAX) {
        return FW_E_TOOBIG;
    }
    if (!(flags & STORE_F_MONOTONIC)) {
        return record_append(s, key, 0, val, (uint16_t)len, 0);
    }
    if (s->floor_unsaved) {
        /* First monotonic write after a rollback: persist the floor first, so
         * the records the rollback brought back stay refused after reboot. */
        uint8_t v[4] = {(uint8_t)s->floor, (uint8_t)(s->floor >> 8), (uint8_t)(s->floor >> 16),
                        (uint8_t)(s->floor >> 24)};
        int rc = record_append_monotonic(s, STORE_KEY_FLOOR, v, sizeof v);
        if (rc != 0) {
            return rc;
        }
        s->floor_unsaved = false;
        s->rollback = false;
    }
    return record_append_monotonic(s, key, val, (uint16_t)len);
}

int store_delete(store_t *s, store_key_t key)
{
    if (!s || !s->mounted) {
        return FW_E_STATE;
    }
    if (key == STORE_KEY_FLOOR || key == 0xFFFFu) {
        return FW_E_INVAL;
    }
    const store_index_entry_t *e = store_index_find(s, key);
    if (!e || (e->flags & REC_F_TOMB)) {
        return 0;
    }
    return record_append(s, key, REC_F_TOMB, NULL, 0, 0);
}

/* ---- reading -------------------------------------------------------------------- */

int store_get(store_t *s, store_key_t key, void *buf, size_t cap, size_t *len)
{
    if (!s || !s->mounted) {
        return FW_E_STATE;
    }
    if (!len || (!buf && cap > 0)) {
        return FW_E_INVAL;
    }
    const store_index_entry_t *e = store_index_find(s, key);
    if (key == STORE_KEY_FLOOR || !e || (e->flags & REC_F_TOMB)) {
        return FW_E_NOENT;
    }
    if (store_entry_stale(s, e)) {
        return FW_E_ROLLBACK;
    }
    *len = e->len;
    if (cap < e->len) {
        return FW_E_NOSPACE;
    }
    /* Check again: the flash may have changed since mount. */
    uint8_t raw[REC_HDR_BYTES];
    rec_hdr_t h;
    if (hal_flash_read(e->addr, raw, sizeof raw) != 0) {
        return FW_E_IO;
    }
    int rc = store_rec_hdr_decode(raw, &h);
    if (rc == 0 && (h.key != e->key || h.seq != e->seq || h.len != e->len)) {
        rc = FW_E_CORRUPT;
    }
    if (rc == 0) {
        rc = store_rec_verify(s, e->addr, &h);
    }
    if (rc == 0) {
        rc = hal_flash_read(e->addr + REC_HDR_BYTES, buf, e->len);
    }
    if (rc != 0) {
        s->health.records_damaged++;
        return FW_E_CORRUPT;
    }
    return 0;
}

int store_foreach(store_t *s, store_key_t first, store_key_t last,
                  int (*fn)(void *ctx, store_key_t key, size_t len), void *ctx)
{
    if (!s || !s->mounted) {
        return FW_E_STATE;
    }
    if (!fn) {
        return FW_E_INVAL;
    }
    /* Look the next key up each time, so fn may put or delete. */
    for (uint32_t k = first; k <= last;) {
        const store_index_entry_t *e = store_index_lower_bound(s, (uint16_t)k);
        if (!e || e->key > last) {
            break;
        }
        const store_key_t key = e->key;
        const size_t len = e->len;
        const bool skip = key == STORE_KEY_FLOOR || (e->flags & REC_F_TOMB);
        k = (uint32_t)key + 1u;
        if (!skip) {
            int rc = fn(ctx, key, len);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

int store_format(store_t *s, const store_config_t *cfg)
{
    if (!s) {
        return FW_E_INVAL;
    }
    int rc = store_geometry_init(s, cfg);
    if (rc != 0) {
        return rc;
    }
    for (uint32_t i = 0; i < cfg->sector_count; i++) {
        if (hal_flash_erase(cfg->first_sector + i) != 0) {
            return FW_E_IO;
        }
    }
    return store_mount(s, cfg);
}

void store_health(const store_t *s, store_health_t *out)
{
    *out = s->health;
    out->rollback = s->rollback;
    out->counter_flash = s->binding;
    out->counter_hw = s->counter_hw;
    out->live_keys = 0;
    for (uint32_t i = 0; i < s->n_index; i++) {
        const store_index_entry_t *e = &s->index[i];
        if (e->key == STORE_KEY_FLOOR || (e->flags & REC_F_TOMB)) {
            continue;
        }
        out->live_keys++;
        if (store_entry_stale(s, e)) {
            out->rollback = true;
        }
    }
    out->live_bytes = s->live_bytes;
    out->free_bytes = s->capacity > s->live_bytes ? s->capacity - s->live_bytes : 0;
}
