/*
 * fakes/fake_flash.h - hal/flash.h on a heap-backed NOR model (sim/nor_sim.h).
 *
 * Tests call fake_flash_setup() first; every hal_flash_* call then goes to the
 * model, so tests can arm power cuts, count operations and edit the image.
 */
#ifndef FAKES_FAKE_FLASH_H
#define FAKES_FAKE_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include "sim/nor_sim.h"

/* (Re)create an erased flash of the given geometry, with per-sector erase
 * counts tracked. Frees any previous one. */
void fake_flash_setup(uint32_t sector_size, uint32_t sector_count, uint32_t program_unit);

/* The model behind the HAL (NULL before setup). */
nor_sim_t *fake_flash_sim(void);

/* The raw image and its size in bytes (edit it to simulate tampering). */
uint8_t *fake_flash_mem(void);
size_t fake_flash_size(void);

/* Per-sector erase counts since setup (sector_count entries). */
const uint32_t *fake_flash_erase_counts(void);

/* Copy the whole image out (`buf` holds fake_flash_size() bytes) and back in.
 * Restoring does not touch statistics or the power state. */
void fake_flash_snapshot(uint8_t *buf);
void fake_flash_restore(const uint8_t *buf);

/* Make every hal_flash_* call fail with `err` (0 = work normally). */
void fake_flash_fail(int err);

void fake_flash_free(void);

#endif /* FAKES_FAKE_FLASH_H */
