/*
 * A NOR flash model. The torn-write model follows what real parts do when the
 * supply drops mid-operation: a program has reached some prefix of its bytes,
 * and the byte being programmed at the cut has only some of its bits cleared;
 * an erase has set some prefix of the sector to 0xFF and left the rest as it
 * was. Which prefix is drawn from a seeded PRNG, so a failing cut point
 * reproduces exactly.
 */
#include "sim/nor_sim.h"

#include <string.h>

#include "fw/err.h"

static uint64_t next_rand(nor_sim_t *f)
{
    /* xorshift64*: small, seedable, good enough for picking cut positions */
    uint64_t x = f->rng ? f->rng : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    f->rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t flash_size(const nor_sim_t *f)
{
    return (uint64_t)f->geo.sector_size * f->geo.sector_count;
}

void nor_sim_init(nor_sim_t *f, uint8_t *mem, hal_flash_geometry_t geo, uint32_t *erase_count)
{
    memset(f, 0, sizeof *f);
    f->mem = mem;
    f->geo = geo;
    f->strict = true;
    f->powered = true;
    f->erase_count = erase_count;
}

void nor_sim_arm_cut(nor_sim_t *f, uint64_t n, uint64_t seed)
{
    f->cut_at = n ? (int64_t)(f->ops + n) : 0;
    f->rng = seed * 0x9E3779B97F4A7C15ull + 1;
}

void nor_sim_power_on(nor_sim_t *f)
{
    f->powered = true;
    f->cut_at = 0;
}

int nor_sim_read(nor_sim_t *f, uint32_t offset, void *buf, size_t len)
{
    if ((uint64_t)offset + len > flash_size(f)) {
        return FW_E_INVAL;
    }
    if (!f->powered) {
        return FW_E_POWER;
    }
    memcpy(buf, f->mem + offset, len);
    return 0;
}

/* Counts the operation; returns true if this one is the torn one. */
static bool op_is_cut(nor_sim_t *f)
{
    f->ops++;
    if (f->cut_at != 0 && (int64_t)f->ops == f->cut_at) {
        f->powered = false;
        return true;
    }
    return false;
}

int nor_sim_program(nor_sim_t *f, uint32_t offset, const void *buf, size_t len)
{
    const uint32_t unit = f->geo.program_unit ? f->geo.program_unit : 1;
    if ((uint64_t)offset + len > flash_size(f) || offset % unit != 0 || len % unit != 0) {
        return FW_E_INVAL;
    }
    if (!f->powered) {
        return FW_E_POWER;
    }
    if (f->strict) {
        for (size_t i = 0; i < len; i++) {
            if (f->mem[offset + i] != 0xFF) {
                return FW_E_INVAL; /* a store bug: programming over data */
            }
        }
    }
    const uint8_t *src = buf;
    if (op_is_cut(f)) {
        size_t done = len ? (size_t)(next_rand(f) % (len + 1)) : 0;
        for (size_t i = 0; i < done; i++) {
            f->mem[offset + i] &= src[i];
        }
        if (done < len) { /* the byte under way: some of its bits */
            f->mem[offset + done] &= (uint8_t)(src[done] | (uint8_t)next_rand(f));
        }
        f->bytes_programmed += done;
        return FW_E_POWER;
    }
    for (size_t i = 0; i < len; i++) {
        f->mem[offset + i] &= src[i];
    }
    f->bytes_programmed += len;
    return 0;
}

int nor_sim_erase(nor_sim_t *f, uint32_t sector)
{
    if (sector >= f->geo.sector_count) {
        return FW_E_INVAL;
    }
    if (!f->powered) {
        return FW_E_POWER;
    }
    uint8_t *base = f->mem + (size_t)sector * f->geo.sector_size;
    if (op_is_cut(f)) {
        size_t done = (size_t)(next_rand(f) % f->geo.sector_size);
        memset(base, 0xFF, done);
        return FW_E_POWER;
    }
    memset(base, 0xFF, f->geo.sector_size);
    f->erases++;
    if (f->erase_count) {
        f->erase_count[sector]++;
    }
    return 0;
}
