/*
 * store/store.h - power-safe, authenticated records on the flash HAL.
 *
 * A small key-value log over a range of flash sectors. Promises:
 *  - Atomic replace: after a power cut at any point of store_put() or
 *    store_delete(), the next store_mount() sees the old value or the new one,
 *    never a torn or mixed one. Records committed before the cut are intact.
 *  - Integrity: every record carries a CRC-32 of its header (cheap resync after
 *    a torn write) and an HMAC-SHA-256 tag with a key derived from the device
 *    key (hal/secure.h). A record whose bytes were edited is rejected, counted
 *    in store_health(), and never returned.
 *  - Rollback detection: records written with STORE_F_MONOTONIC are bound to the
 *    hardware monotonic counter. If the flash holds no such record as new as
 *    the counter (an old image written back), the store reports
 *    FW_E_ROLLBACK for those keys until they are written again.
 *  - Wear spread: sectors are used in a ring; each erase moves on to the next.
 *
 * Not thread-safe: one store_t, one caller at a time.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/flash.h"

typedef uint16_t store_key_t;

/* Keys in use. Values 0x0000 and 0xFFFF are reserved. */
enum {
    STORE_KEY_PROVISIONING = 0x0001,  /* proto/provisioning.h, JSON */
    STORE_KEY_LICENCE = 0x0002,       /* the current licence token (JWS) */
    STORE_KEY_TRIAL_HISTORY = 0x0003, /* trial history (monotonic) */
    STORE_KEY_TRUSTED_TIME = 0x0004,  /* trusted-time high-water mark (monotonic) */
    STORE_KEY_USAGE = 0x0005,         /* usage counters */
    STORE_KEY_BOOT = 0x0006,          /* active firmware slot (proto/slots.h) */
    STORE_KEY_PROV_SENT = 0x0007,     /* SHA-256 of the last acknowledged provisioning report */
    STORE_KEY_GENERATION = 0x0008,  /* provisioning generation (monotonic, proto/provisioning.h) */
    STORE_KEY_CLOCK_AHEAD = 0x0009, /* unconfirmed wall-clock mark (trial/persist.h) */
    STORE_KEY_QUEUE_FIRST = 0x1000, /* outbound report queue items ... */
    STORE_KEY_QUEUE_LAST = 0x1FFF,  /* ... one key per queued report */
    STORE_KEY_REFUSED_FIRST = 0x2000, /* queue items the collector refused, set aside ... */
    STORE_KEY_REFUSED_LAST = 0x200F,  /* ... (report/queue.h, REPORT_REFUSED_MAX) */
};

#define STORE_VALUE_MAX 6144u /* largest value accepted by store_put() */
#define STORE_MAX_KEYS 320u   /* live keys the RAM index holds */

/* store_put() flags */
#define STORE_F_MONOTONIC 0x1u /* bind this record to the monotonic counter */

typedef struct {
    uint32_t first_sector; /* first flash sector the store owns */
    uint32_t sector_count; /* how many (>= 3) */
} store_config_t;

typedef struct {
    uint32_t records_valid;   /* valid records seen at mount (all versions) */
    uint32_t records_damaged; /* records rejected (bad CRC/tag, torn) */
    uint32_t sectors_damaged; /* sectors with an unreadable header */
    bool rollback;            /* an old image was detected (see above) */
    uint32_t counter_flash;   /* newest monotonic binding found in flash */
    uint32_t counter_hw;      /* the hardware counter */
    uint32_t live_keys;
    uint32_t live_bytes;       /* bytes the live records occupy */
    uint32_t free_bytes;       /* bytes a new record can still use */
    uint64_t bytes_programmed; /* since mount, including GC copies */
    uint32_t sectors_erased;   /* since mount */
} store_health_t;

typedef struct {
    uint16_t key;
    uint16_t flags;
    uint32_t seq;  /* version: higher is newer */
    uint32_t addr; /* absolute flash offset of the record */
    uint32_t len;  /* value length */
    uint32_t bind; /* monotonic counter binding of the record (0 if none) */
} store_index_entry_t;

#define STORE_MAX_SECTORS 256u /* largest cfg.sector_count accepted */

/* What the store knows about one sector of its range (private). */
typedef struct {
    uint32_t generation; /* valid only when state is "in use" */
    uint32_t erase_count;
    uint8_t state;
} store_sector_info_t;

/* The whole store state lives in this struct (no heap). Treat as opaque. */
typedef struct store {
    store_config_t cfg;
    uint32_t sector_size;
    uint32_t program_unit;
    uint8_t mac_key[32];
    uint32_t head_sector;     /* index within the range of the sector written */
    uint32_t head_offset;     /* next free byte within it */
    uint32_t head_generation; /* generation number of the head sector */
    uint32_t next_seq;
    uint32_t counter_hw;
    bool rollback;
    bool mounted;
    bool has_head;       /* false until the first sector is opened */
    uint32_t slot;       /* record alignment: max(16, program_unit) */
    uint32_t data_start; /* first record offset within a sector */
    uint32_t capacity;   /* live bytes the ring can hold with its spare */
    uint32_t live_bytes; /* flash bytes the live records occupy */
    uint32_t binding;    /* newest counter binding in flash */
    uint32_t floor;      /* monotonic records bound below this are stale */
    bool floor_unsaved;  /* floor detected at mount, not yet in flash */
    store_health_t health;
    uint32_t n_index;
    store_index_entry_t index[STORE_MAX_KEYS];
    store_sector_info_t sectors[STORE_MAX_SECTORS];
} store_t;

/* Scan the flash, verify every record, build the index, finish any operation a
 * power cut interrupted (erase, garbage collection, counter binding).
 * Returns 0 (a blank flash mounts as an empty store), or FW_E_IO. Damage and
 * rollback are not mount errors: see store_health() and store_get(). */
int store_mount(store_t *s, const store_config_t *cfg);

/* Whether a store of `cfg` fits a flash of geometry `geo`: what store_mount()
 * checks before touching the flash (at least 3 sectors, the largest record
 * in one sector, program unit, offsets). Pure. 0 or FW_E_INVAL. */
int store_geometry_check(const hal_flash_geometry_t *geo, const store_config_t *cfg);

/* Read the newest valid value of `key` into `buf` (capacity `cap`); `*len`
 * gets its length. FW_E_NOENT if absent or deleted, FW_E_NOSPACE if `cap` is
 * too small (then `*len` is the size needed), FW_E_ROLLBACK if the key was
 * written with STORE_F_MONOTONIC and the store detected a rollback. */
int store_get(store_t *s, store_key_t key, void *buf, size_t cap, size_t *len);

/* Write a new value for `key` (0 < len <= STORE_VALUE_MAX). Returns 0 once the
 * record is durable. FW_E_NOSPACE if live data would no longer fit. */
int store_put(store_t *s, store_key_t key, const void *val, size_t len, unsigned flags);

/* Remove `key` (0 if it was not there). Durable on return. */
int store_delete(store_t *s, store_key_t key);

/* Call `fn` for every live key in [first, last], in key order; stops early
 * when fn returns non-zero (and returns that value). */
int store_foreach(store_t *s, store_key_t first, store_key_t last,
                  int (*fn)(void *ctx, store_key_t key, size_t len), void *ctx);

/* Erase every sector of the store (factory reset). The monotonic counter is
 * not touched: callers that need a fresh binding write a monotonic record.
 * Until they do, store_health() reports rollback if the counter is above 0
 * (an empty store cannot prove it is newer than the counter). */
int store_format(store_t *s, const store_config_t *cfg);

void store_health(const store_t *s, store_health_t *out);

#endif /* STORE_STORE_H */
