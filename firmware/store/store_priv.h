/*
 * store_priv.h - on-flash formats and helpers shared by the store's files.
 *
 * Not part of the public API. All multi-byte fields are little-endian and
 * encoded byte by byte, so the layout never depends on struct packing. See
 * DESIGN.md for why the formats look like this.
 */
#ifndef STORE_PRIV_H
#define STORE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* ---- sector header ----------------------------------------------------- */

/* First byte 0x53 ('S') is not 0xFF, so a torn erase that reached even one
 * byte of the header always invalidates it. */
#define SEC_MAGIC 0x53524B53u /* "SKRS" */
#define SEC_VERSION 1u
#define SEC_FIELDS_BYTES 32u /* fields + CRC */
#define SEC_HDR_BYTES 48u    /* fields + CRC + tag */

typedef struct {
    uint32_t generation;
    uint32_t erase_count;
    uint32_t binding; /* newest counter binding when this sector became head */
} sec_hdr_t;

/* ---- record ------------------------------------------------------------ */

#define REC_MAGIC 0x5243u /* bytes 0x43 0x52: first byte is not 0xFF */
#define REC_VERSION 1u
#define REC_HDR_BYTES 32u
#define REC_TAG_BYTES 16u

#define REC_F_MONO 0x01u
#define REC_F_TOMB 0x02u
#define REC_F_ALL (REC_F_MONO | REC_F_TOMB)

/* Internal key holding the rollback floor (4 bytes, LE). Reserved in store.h. */
#define STORE_KEY_FLOOR 0x0000u

typedef struct {
    uint8_t flags;
    uint16_t key;
    uint16_t len;
    uint32_t seq;
    uint32_t bind;
} rec_hdr_t;

/* Sector states kept in store_sector_info_t.state. */
enum {
    SEC_STATE_DIRTY = 0, /* not a valid header and not known blank: erase first */
    SEC_STATE_BLANK = 1, /* every byte 0xFF */
    SEC_STATE_USED = 2,  /* valid header, part of the ring */
};

/* ---- helpers (record.c) -------------------------------------------- */

static inline uint32_t store_round_up(uint32_t v, uint32_t a)
{
    return (v + a - 1u) / a * a;
}

/* Flash bytes a record with a `len`-byte value occupies. */
static inline uint32_t store_rec_size(const store_t *s, uint32_t len)
{
    return store_round_up(REC_HDR_BYTES + len + REC_TAG_BYTES, s->slot);
}

static inline uint32_t store_sector_addr(const store_t *s, uint32_t idx)
{
    return (s->cfg.first_sector + idx) * s->sector_size;
}

void store_sec_hdr_encode(const store_t *s, const sec_hdr_t *h, uint8_t out[SEC_HDR_BYTES]);
/* 0 if `in` is a valid sector header for this store's geometry and key. */
int store_sec_hdr_decode(const store_t *s, const uint8_t in[SEC_HDR_BYTES], sec_hdr_t *h);

void store_rec_hdr_encode(const rec_hdr_t *h, uint8_t out[REC_HDR_BYTES]);
/* 0 if the header CRC, magic, version and reserved bytes are right and the
 * fields are in range. Says nothing about the tag. */
int store_rec_hdr_decode(const uint8_t in[REC_HDR_BYTES], rec_hdr_t *h);

/* Check the tag of the record at `addr` whose decoded header is `h` by
 * streaming its bytes from flash. 0 if it verifies, FW_E_CORRUPT if not,
 * or the HAL's error. */
int store_rec_verify(const store_t *s, uint32_t addr, const rec_hdr_t *h);

/* Program a new record at `addr` (erased, slot aligned, room checked). */
int store_rec_write(store_t *s, uint32_t addr, const rec_hdr_t *h, const void *val);

/* Copy the record of `size` bytes at `src` verbatim to `dst`. */
int store_rec_copy(store_t *s, uint32_t dst, uint32_t src, uint32_t size);

/* HMAC-SHA-256 of the concatenation of up to two buffers, truncated to `out_len`. */
void store_mac(const uint8_t key[32], const void *a, size_t alen, const void *b, size_t blen,
               uint8_t *out, size_t out_len);

/* Constant-time compare: true if equal. */
bool store_tag_equal(const uint8_t *a, const uint8_t *b, size_t n);

/* Program helpers that count bytes and erases into health. */
int store_flash_program(store_t *s, uint32_t addr, const void *buf, size_t len);
int store_flash_erase(store_t *s, uint32_t idx);

/* Validate `cfg` against the flash geometry and fill the geometry fields of a
 * zeroed `s` (scan.c). */
int store_geometry_init(store_t *s, const store_config_t *cfg);

/* ---- index (index.c) ----------------------------------------------- */

store_index_entry_t *store_index_find(store_t *s, uint16_t key);
/* Insert or overwrite the entry for e->key. FW_E_NOMEM if the table is full. */
int store_index_set(store_t *s, const store_index_entry_t *e);
void store_index_remove(store_t *s, uint16_t key);
/* First entry with key >= `key`, or NULL. */
store_index_entry_t *store_index_lower_bound(store_t *s, uint16_t key);

/* ---- scanning (scan.c) --------------------------------------------- */

/* Called for every valid record of a sector, in flash order. */
typedef int (*store_rec_fn)(store_t *s, const rec_hdr_t *h, uint32_t addr, void *ctx);

/* Walk the records of sector `idx` from data_start up to `end` (offset in
 * the sector). Damaged records and garbage are skipped slot by slot; when
 * `count_damage`, they are counted in health. */
int store_sector_scan(store_t *s, uint32_t idx, uint32_t end, bool count_damage, store_rec_fn fn,
                      void *ctx);

/* Offset just after the last non-0xFF byte of sector `idx`, rounded up to a
 * slot, at least data_start. */
int store_sector_used_end(store_t *s, uint32_t idx, uint32_t *end);

/* True if every byte of sector `idx` is 0xFF. */
int store_sector_is_blank(store_t *s, uint32_t idx, bool *blank);

/* True if a stale monotonic entry (rolled back) */
static inline bool store_entry_stale(const store_t *s, const store_index_entry_t *e)
{
    return (e->flags & REC_F_MONO) != 0 && e->bind < s->floor;
}

#endif /* STORE_PRIV_H */
