/*
 * scan.c - reading the ring back: sector walks, resync after damage, and
 * store_mount(), which rebuilds the RAM index and settles whatever a power
 * cut left half done.
 *
 * Nothing read from flash is trusted before its CRC and tag pass: lengths are
 * bounded by the sector end before they are used, and a damaged header is
 * never used to skip ahead (the walk moves on by one slot instead).
 */
#include <string.h>

#define FW_LOG_TAG "store"
#include "fw/err.h"
#include "fw/log.h"
#include "hal/flash.h"
#include "hal/secure.h"
#include "store_priv.h"

#define CHUNK 256u

/* ---- sector walks ----------------------------------------------------------- */

static bool all_ff(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xFF) {
            return false;
        }
    }
    return true;
}

int store_sector_scan(store_t *s, uint32_t idx, uint32_t end, bool count_damage, store_rec_fn fn,
                      void *ctx)
{
    const uint32_t base = store_sector_addr(s, idx);
    bool in_garbage = false; /* count a run of unreadable slots once */
    if (end > s->sector_size) {
        end = s->sector_size;
    }
    for (uint32_t pos = s->data_start; pos + s->slot <= end;) {
        uint8_t raw[REC_HDR_BYTES];
        uint32_t n = end - pos < REC_HDR_BYTES ? end - pos : REC_HDR_BYTES;
        int rc = hal_flash_read(base + pos, raw, n);
        if (rc != 0) {
            return rc;
        }
        rec_hdr_t h;
        if (n == REC_HDR_BYTES && store_rec_hdr_decode(raw, &h) == 0 &&
            store_rec_size(s, h.len) <= end - pos) {
            rc = store_rec_verify(s, base + pos, &h);
            if (rc == 0) {
                in_garbage = false;
                rc = fn(s, &h, base + pos, ctx);
                if (rc != 0) {
                    return rc;
                }
                pos += store_rec_size(s, h.len);
                continue;
            }
            if (rc != FW_E_CORRUPT) {
                return rc;
            }
            /* Header intact, body or tag not: a torn or edited record. */
            if (count_damage) {
                s->health.records_damaged++;
            }
            in_garbage = true;
        } else if (all_ff(raw, s->slot < n ? s->slot : n)) {
            in_garbage = false;
        } else if (!in_garbage) {
            in_garbage = true;
            if (count_damage) {
                s->health.records_damaged++;
            }
        }
        pos += s->slot;
    }
    return 0;
}

int store_sector_used_end(store_t *s, uint32_t idx, uint32_t *end)
{
    const uint32_t base = store_sector_addr(s, idx);
    uint8_t buf[CHUNK];
    for (uint32_t top = s->sector_size; top > 0;) {
        uint32_t n = top < CHUNK ? top : CHUNK;
        int rc = hal_flash_read(base + top - n, buf, n);
        if (rc != 0) {
            return rc;
        }
        for (uint32_t i = n; i > 0; i--) {
            if (buf[i - 1] != 0xFF) {
                uint32_t e = store_round_up(top - n + i, s->slot);
                *end = e < s->data_start ? s->data_start : e;
                return 0;
            }
        }
        top -= n;
    }
    *end = s->data_start;
    return 0;
}

int store_sector_is_blank(store_t *s, uint32_t idx, bool *blank)
{
    const uint32_t base = store_sector_addr(s, idx);
    uint8_t buf[CHUNK];
    for (uint32_t off = 0; off < s->sector_size; off += CHUNK) {
        uint32_t n = s->sector_size - off < CHUNK ? s->sector_size - off : CHUNK;
        int rc = hal_flash_read(base + off, buf, n);
        if (rc != 0) {
            return rc;
        }
        if (!all_ff(buf, n)) {
            *blank = false;
            return 0;
        }
    }
    *blank = true;
    return 0;
}

/* ---- mount -------------------------------------------------------------------- */

typedef struct {
    uint32_t max_seq;
} mount_ctx_t;

static int mount_record(store_t *s, const rec_hdr_t *h, uint32_t addr, void *ctx)
{
    mount_ctx_t *m = ctx;
    s->health.records_valid++;
    if (h->bind > s->binding) {
        s->binding = h->bind;
    }
    if (h->seq > m->max_seq) {
        m->max_seq = h->seq;
    }
    store_index_entry_t *e = store_index_find(s, h->key);
    /* ">=": a GC copy has the seq of its original and is scanned later, so
     * the index ends up on the copy, which is what a redone GC relies on. */
    if (e && e->seq > h->seq) {
        return 0;
    }
    store_index_entry_t ne = {.key = h->key,
                              .flags = h->flags,
                              .seq = h->seq,
                              .addr = addr,
                              .len = h->len,
                              .bind = h->bind};
    if (store_index_set(s, &ne) != 0) {
        FW_LOGE("index full, key 0x%04x dropped", (unsigned)h->key);
    }
    return 0;
}

/* The store's layout on a flash of geometry `geo`, or FW_E_INVAL if it cannot
 * live there. Pure: store_geometry_check() and store_geometry_init() share it. */
typedef struct {
    uint32_t program_unit, slot, data_start, capacity;
} geom_t;

static int geometry_plan(const hal_flash_geometry_t *geo, const store_config_t *cfg, geom_t *g)
{
    if (!geo || !cfg) {
        return FW_E_INVAL;
    }
    const uint32_t pu = geo->program_unit ? geo->program_unit : 1u;
    if (cfg->sector_count < 3 || cfg->sector_count > STORE_MAX_SECTORS ||
        cfg->first_sector > geo->sector_count ||
        cfg->sector_count > geo->sector_count - cfg->first_sector || (pu & (pu - 1u)) != 0 ||
        pu > CHUNK || geo->sector_size > (1u << 24) ||
        (uint64_t)geo->sector_size * (cfg->first_sector + cfg->sector_count) > UINT32_MAX) {
        return FW_E_INVAL;
    }
    g->program_unit = pu;
    g->slot = pu > 16u ? pu : 16u;
    g->data_start = store_round_up(SEC_HDR_BYTES, g->slot);
    if (geo->sector_size % g->slot != 0 || geo->sector_size < g->data_start) {
        return FW_E_INVAL;
    }
    const uint32_t usable = geo->sector_size - g->data_start;
    const uint32_t rmax = store_round_up(REC_HDR_BYTES + STORE_VALUE_MAX + REC_TAG_BYTES, g->slot);
    if (rmax > usable) {
        return FW_E_INVAL; /* the largest value must fit in one sector */
    }
    /* Any live set this small leaves some sector of the ring at most
     * (usable - rmax) live, so garbage collection always frees room for the
     * largest record within one turn of the ring (see DESIGN.md). */
    g->capacity = (cfg->sector_count - 2u) * (usable - rmax);
    return 0;
}

int store_geometry_check(const hal_flash_geometry_t *geo, const store_config_t *cfg)
{
    geom_t g;
    return geometry_plan(geo, cfg, &g);
}

int store_geometry_init(store_t *s, const store_config_t *cfg)
{
    hal_flash_geometry_t geo;
    memset(s, 0, sizeof *s);
    if (!cfg) {
        return FW_E_INVAL;
    }
    int rc = hal_flash_geometry(&geo);
    if (rc != 0) {
        return FW_E_IO;
    }
    geom_t g;
    rc = geometry_plan(&geo, cfg, &g);
    if (rc != 0) {
        return rc;
    }
    s->cfg = *cfg;
    s->sector_size = geo.sector_size;
    s->program_unit = g.program_unit;
    s->slot = g.slot;
    s->data_start = g.data_start;
    s->capacity = g.capacity;
    return 0;
}

/* Read every sector header; returns how many are in use. */
static int classify_sectors(store_t *s, uint32_t *used)
{
    *used = 0;
    for (uint32_t i = 0; i < s->cfg.sector_count; i++) {
        store_sector_info_t *si = &s->sectors[i];
        uint8_t raw[SEC_HDR_BYTES];
        sec_hdr_t h;
        int rc = hal_flash_read(store_sector_addr(s, i), raw, sizeof raw);
        if (rc != 0) {
            return FW_E_IO;
        }
        if (store_sec_hdr_decode(s, raw, &h) == 0) {
            si->state = SEC_STATE_USED;
            si->generation = h.generation;
            si->erase_count = h.erase_count;
            if (h.binding > s->binding) {
                s->binding = h.binding;
            }
            (*used)++;
            continue;
        }
        if (!all_ff(raw, sizeof raw)) {
            s->health.sectors_damaged++;
        }
        bool blank = false;
        rc = store_sector_is_blank(s, i, &blank);
        if (rc != 0) {
            return FW_E_IO;
        }
        si->state = blank ? SEC_STATE_BLANK : SEC_STATE_DIRTY;
    }
    return 0;
}

/* Sector indices in use, oldest generation first. */
static uint32_t ring_order(const store_t *s, uint32_t order[STORE_MAX_SECTORS])
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->cfg.sector_count; i++) {
        if (s->sectors[i].state != SEC_STATE_USED) {
            continue;
        }
        uint32_t j = n++;
        while (j > 0 && s->sectors[order[j - 1]].generation > s->sectors[i].generation) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

static int settle_counter(store_t *s)
{
    uint32_t hw = 0;
    if (hal_secure_counter_read(&hw) != 0) {
        return FW_E_IO;
    }
    const store_index_entry_t *fl = store_index_find(s, STORE_KEY_FLOOR);
    if (fl && !(fl->flags & REC_F_TOMB) && fl->len == 4) {
        uint8_t v[4];
        if (hal_flash_read(fl->addr + REC_HDR_BYTES, v, sizeof v) != 0) {
            return FW_E_IO;
        }
        s->floor = (uint32_t)v[0] | ((uint32_t)v[1] << 8) | ((uint32_t)v[2] << 16) |
                   ((uint32_t)v[3] << 24);
    }
    if (s->binding > hw) {
        /* A monotonic record is durable but the counter increment after it
         * was cut: finish it. More than one step behind means the counter
         * was reset under us; catch up a bounded amount and say so. */
        if (s->binding - hw > 1) {
            FW_LOGW("counter %u behind flash binding %u", (unsigned)hw, (unsigned)s->binding);
        } else {
            FW_LOGI("rolling the counter forward to %u", (unsigned)s->binding);
        }
        for (int i = 0; i < 64 && hw < s->binding; i++) {
            if (hal_secure_counter_increment(&hw) != 0) {
                return FW_E_IO;
            }
        }
    } else if (s->binding < hw) {
        /* The flash is older than the counter: an old image was written back.
         * Every monotonic record present now is suspect. */
        FW_LOGW("rollback: flash binding %u < counter %u", (unsigned)s->binding, (unsigned)hw);
        s->rollback = true;
        s->floor = hw + 1u;
        s->floor_unsaved = true;
    }
    s->counter_hw = hw;
    return 0;
}

int store_mount(store_t *s, const store_config_t *cfg)
{
    int rc = store_geometry_init(s, cfg);
    if (rc != 0) {
        return rc;
    }
    if (hal_secure_derive_key("store-mac-v1", s->mac_key) != 0) {
        return FW_E_IO;
    }
    uint32_t used = 0;
    rc = classify_sectors(s, &used);
    if (rc != 0) {
        return rc;
    }
    uint32_t order[STORE_MAX_SECTORS];
    uint32_t n = ring_order(s, order);
    if (n == s->cfg.sector_count) {
        /* No spare: a GC was cut after opening the new head and before
         * erasing its victim. The head then holds only copies of records that
         * are still in the victim, so dropping it loses nothing; the next
         * write redoes the GC from the start. */
        FW_LOGI("finishing an interrupted garbage collection");
        rc = store_flash_erase(s, order[n - 1]);
        if (rc != 0) {
            return FW_E_IO;
        }
        n--;
    }
    mount_ctx_t m = {0};
    for (uint32_t i = 0; i < n; i++) {
        rc = store_sector_scan(s, order[i], s->sector_size, true, mount_record, &m);
        if (rc != 0) {
            return FW_E_IO;
        }
    }
    if (n > 0) {
        s->has_head = true;
        s->head_sector = order[n - 1];
        s->head_generation = s->sectors[s->head_sector].generation;
        /* After the last programmed byte: a torn write is never programmed over. */
        rc = store_sector_used_end(s, s->head_sector, &s->head_offset);
        if (rc != 0) {
            return FW_E_IO;
        }
    }
    s->next_seq = m.max_seq + 1u;
    for (uint32_t i = 0; i < s->n_index; i++) {
        if (!(s->index[i].flags & REC_F_TOMB)) {
            s->live_bytes += store_rec_size(s, s->index[i].len);
        }
    }
    rc = settle_counter(s);
    if (rc != 0) {
        return rc;
    }
    if (s->health.records_damaged || s->health.sectors_damaged) {
        FW_LOGW("mount: %u damaged records, %u damaged sectors",
                (unsigned)s->health.records_damaged, (unsigned)s->health.sectors_damaged);
    }
    s->mounted = true;
    return 0;
}
