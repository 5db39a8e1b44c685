/*
 * sim/nor_sim.h - a NOR flash model over a byte buffer, with power cuts.
 *
 * Shared by the host board (buffer = the mmap'ed flash image file) and the test
 * fakes (buffer = heap). It enforces NOR rules (erase to 0xFF; program only
 * erased bytes, in program units) and can simulate a power cut: the N-th
 * program or erase after arming is torn (only part of it reaches the buffer,
 * chosen by a seeded PRNG) and every later operation fails with FW_E_POWER,
 * as if the device had lost power. "Reboot" = nor_sim_power_on().
 */
#ifndef SIM_NOR_SIM_H
#define SIM_NOR_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/flash.h"

typedef struct {
    uint8_t *mem;
    hal_flash_geometry_t geo;
    bool strict; /* refuse to program bytes that are not 0xFF */
    /* power-cut injector */
    int64_t cut_at; /* op number (1-based) that is torn; 0 = never */
    bool powered;   /* false after a cut, until nor_sim_power_on() */
    uint64_t rng;   /* xorshift state for torn-write patterns */
    /* statistics, since init */
    uint64_t ops; /* program + erase operations attempted */
    uint64_t bytes_programmed;
    uint64_t erases;
    uint32_t *erase_count; /* per sector, NULL if not tracked */
} nor_sim_t;

/* `mem` must hold geo.sector_size * geo.sector_count bytes; it is not erased
 * (an existing image keeps its content). `erase_count` may be NULL. */
void nor_sim_init(nor_sim_t *f, uint8_t *mem, hal_flash_geometry_t geo, uint32_t *erase_count);

/* Arm a cut: operation number ops + n (n >= 1) is torn. n = 0 disarms. */
void nor_sim_arm_cut(nor_sim_t *f, uint64_t n, uint64_t seed);

/* Restore power after a cut (the torn bytes stay as they are). */
void nor_sim_power_on(nor_sim_t *f);

int nor_sim_read(nor_sim_t *f, uint32_t offset, void *buf, size_t len);
int nor_sim_program(nor_sim_t *f, uint32_t offset, const void *buf, size_t len);
int nor_sim_erase(nor_sim_t *f, uint32_t sector);

#endif /* SIM_NOR_SIM_H */
