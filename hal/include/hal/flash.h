/*
 * hal/flash.h - the device's persistent flash, NOR-like semantics.
 *
 * Flash is divided into equal sectors. Erasing a sector sets every byte to
 * 0xFF; programming can only clear bits (1 -> 0). A board may refuse to program
 * bytes that are not erased (the host board does, to catch bugs). Offsets are
 * absolute byte offsets from the start of the flash.
 *
 * A power cut can interrupt any program or erase: the bytes it touched are then
 * in an undefined mixture of old and new ("torn"). Everything above this layer
 * (store/) must stay correct under that.
 */
#ifndef HAL_FLASH_H
#define HAL_FLASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t sector_size;  /* bytes per erase unit, a power of two */
    uint32_t sector_count; /* number of sectors */
    uint32_t program_unit; /* smallest programmable unit in bytes (1, 4, 8, ...) */
} hal_flash_geometry_t;

/* Fill `geo`. Returns 0, or a negative FW_E_* code if flash is unavailable. */
int hal_flash_geometry(hal_flash_geometry_t *geo);

/* Read `len` bytes at `offset`. The range must lie inside the flash. */
int hal_flash_read(uint32_t offset, void *buf, size_t len);

/* Program `len` bytes at `offset`. `offset` and `len` must be multiples of the
 * program unit. Returns FW_E_POWER if the board simulated a power cut during
 * or before this call (nothing after it will succeed until reboot). */
int hal_flash_program(uint32_t offset, const void *buf, size_t len);

/* Erase sector number `sector` (0-based) to 0xFF. FW_E_POWER as above. */
int hal_flash_erase(uint32_t sector);

#endif /* HAL_FLASH_H */
