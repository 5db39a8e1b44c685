/*
 * proto/slots.h - two firmware slots after the store region, and the boot record
 * that names the active one. Works through hal/flash.h and store/ only, so
 * the flashing tool, the power-loss sweep and a bootloader share one copy.
 *
 * Flash layout: [store: LAYOUT_STORE_BYTES][slot 0][slot 1], each slot half of
 * what follows the store, rounded down to whole sectors. A slot holds a
 * fwimage.h image (header then payload); the rest of it is don't-care.
 *
 * Why an update can never leave the device without firmware: the new image
 * goes into the slot the boot record does NOT name, is read back and checked,
 * and only then is the boot record replaced, which the store does atomically.
 * A power cut before that replace leaves the old record and the untouched old
 * slot; after it, the new record and a verified new slot.
 */
#ifndef PROTO_SLOTS_H
#define PROTO_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "proto/fwimage.h"
#include "hal/flash.h"
#include "store/store.h"

/* The boot record lives under STORE_KEY_BOOT (store/store.h). */
#define SLOTS_COUNT 2u
#define SLOTS_BOOT_RECORD_LEN 44u
#define SLOTS_BOOT_FORMAT 1u

typedef struct {
    uint32_t offset; /* absolute flash offset, sector aligned */
    uint32_t size;   /* bytes, whole sectors */
    uint32_t first_sector;
} slots_slot_t;

typedef struct {
    uint8_t slot; /* 0 or 1 */
    fwimg_version_t version;
    uint32_t size; /* payload bytes */
    uint8_t sha256[FWIMG_HASH_LEN];
} slots_boot_t;

/* The boot record, byte by byte (X as in proto/bytes.h): SLOTS_BOOT_RECORD_LEN
 * bytes; another length, format or slot is not a boot record (FW_E_FORMAT). */
#define SLOTS_BOOT_LAYOUT(X)                                                                       \
    X(format, 0, 1, FIXED, _, SLOTS_BOOT_FORMAT, SLOTS_BOOT_FORMAT, FORMAT, NULL,                  \
      "boot record format")                                                                        \
    X(slot, 1, 1, U8, slot, 0, SLOTS_COUNT - 1, FORMAT, NULL, "the active slot")                   \
    X(major, 2, 2, U16, version.major, 0, UINT16_MAX, NONE, NULL, "its image's version X")         \
    X(minor, 4, 2, U16, version.minor, 0, UINT16_MAX, NONE, NULL, "version Y")                     \
    X(patch, 6, 2, U16, version.patch, 0, UINT16_MAX, NONE, NULL, "version Z")                     \
    X(size, 8, 4, U32, size, 0, UINT32_MAX, NONE, NULL, "its payload bytes")                       \
    X(sha256, 12, 32, BYTES, sha256, 0, 0, NONE, NULL, "SHA-256 of its payload")

extern const proto_blayout_t slots_boot_layout;

/* Slot geometry for this flash. FW_E_NOSPACE if the flash has no room for
 * two slots of at least one sector after the store. */
int slots_layout(const hal_flash_geometry_t *geo, slots_slot_t out[SLOTS_COUNT]);

/* Smallest flash (bytes) whose slots hold an image of `payload` bytes. */
uint64_t slots_min_flash_bytes(uint32_t sector_size, uint32_t payload);

void slots_boot_encode(const slots_boot_t *b, uint8_t out[SLOTS_BOOT_RECORD_LEN]);
int slots_boot_decode(const uint8_t *in, size_t len, slots_boot_t *b);

/* Read the boot record: 0, FW_E_NOENT (never flashed), FW_E_FORMAT, or a
 * store error. */
int slots_boot_read(store_t *s, slots_boot_t *b);

/* Check that slot b->slot holds the image the boot record describes: header
 * layout, fields equal to the record, payload hash; and the signature if
 * `pub` is not NULL. 0, FW_E_CORRUPT (hash or fields), FW_E_SIGNATURE,
 * FW_E_FORMAT (no image header), or FW_E_IO. `why` says which. */
int slots_check(const slots_slot_t slots[SLOTS_COUNT], const slots_boot_t *b,
                mbedtls_pk_context *pub, char *why, size_t why_cap);

/* Progress callback: phase ("erase", "write", "verify"), done/total bytes. */
typedef void (*slots_progress_fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);

/* Stop request polled between flash operations; true = abandon the update
 * (the boot record is then not touched, so the old firmware stays active). */
typedef bool (*slots_stop_fn)(void *ctx);

/* Install an already verified image (`header` = encoded header, `payload` of
 * hdr->size bytes) into the slot the boot record does not name, read it back,
 * compare, and switch the boot record to it. `*installed` gets the new boot
 * record. Returns 0, FW_E_NOSPACE (does not fit), FW_E_CORRUPT (read-back
 * mismatch), FW_E_STATE (stopped), FW_E_POWER/FW_E_IO from the HAL, or a
 * store error. On any error the previous boot record stays in force. */
int slots_install(store_t *s, const uint8_t header[FWIMG_HEADER_LEN], const fwimg_header_t *hdr,
                  const uint8_t *payload, slots_progress_fn progress, slots_stop_fn stop, void *ctx,
                  slots_boot_t *installed);

#endif /* PROTO_SLOTS_H */
