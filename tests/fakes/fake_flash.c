/* hal/flash.h for tests: a nor_sim over heap memory. */
#include "fakes/fake_flash.h"

#include <stdlib.h>
#include <string.h>

#include "fw/err.h"
#include "hal/flash.h"

static nor_sim_t s_sim;
static uint8_t *s_mem;
static uint32_t *s_erase_counts;
static int s_fail;

void fake_flash_free(void)
{
    free(s_mem);
    free(s_erase_counts);
    s_mem = NULL;
    s_erase_counts = NULL;
    s_fail = 0;
    memset(&s_sim, 0, sizeof s_sim);
}

void fake_flash_setup(uint32_t sector_size, uint32_t sector_count, uint32_t program_unit)
{
    fake_flash_free();
    const size_t size = (size_t)sector_size * sector_count;
    s_mem = malloc(size);
    s_erase_counts = calloc(sector_count, sizeof *s_erase_counts);
    if (!s_mem || !s_erase_counts) {
        abort(); /* a test host out of memory: nothing sensible to do */
    }
    memset(s_mem, 0xFF, size);
    hal_flash_geometry_t geo = {sector_size, sector_count, program_unit};
    nor_sim_init(&s_sim, s_mem, geo, s_erase_counts);
}

nor_sim_t *fake_flash_sim(void)
{
    return s_mem ? &s_sim : NULL;
}

uint8_t *fake_flash_mem(void)
{
    return s_mem;
}

size_t fake_flash_size(void)
{
    return s_mem ? (size_t)s_sim.geo.sector_size * s_sim.geo.sector_count : 0;
}

const uint32_t *fake_flash_erase_counts(void)
{
    return s_erase_counts;
}

void fake_flash_snapshot(uint8_t *buf)
{
    memcpy(buf, s_mem, fake_flash_size());
}

void fake_flash_restore(const uint8_t *buf)
{
    memcpy(s_mem, buf, fake_flash_size());
}

void fake_flash_fail(int err)
{
    s_fail = err;
}

int hal_flash_geometry(hal_flash_geometry_t *geo)
{
    if (!s_mem) {
        return FW_E_IO;
    }
    if (s_fail) {
        return s_fail;
    }
    *geo = s_sim.geo;
    return 0;
}

int hal_flash_read(uint32_t offset, void *buf, size_t len)
{
    if (!s_mem) {
        return FW_E_IO;
    }
    if (s_fail) {
        return s_fail;
    }
    return nor_sim_read(&s_sim, offset, buf, len); /* fails after a cut, like a dead device */
}

int hal_flash_program(uint32_t offset, const void *buf, size_t len)
{
    if (!s_mem) {
        return FW_E_IO;
    }
    if (s_fail) {
        return s_fail;
    }
    return nor_sim_program(&s_sim, offset, buf, len);
}

int hal_flash_erase(uint32_t sector)
{
    if (!s_mem) {
        return FW_E_IO;
    }
    if (s_fail) {
        return s_fail;
    }
    return nor_sim_erase(&s_sim, sector);
}
