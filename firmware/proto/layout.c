#include "proto/layout.h"

#include "fw/err.h"
#include "hal/flash.h"
#include "store/store.h"

int layout_store_config(const hal_flash_geometry_t *geo, store_config_t *cfg)
{
    if (!geo || !cfg) {
        return FW_E_INVAL;
    }
    if (geo->sector_size == 0 || geo->sector_size > LAYOUT_STORE_BYTES ||
        LAYOUT_STORE_BYTES % geo->sector_size != 0) {
        return FW_E_INVAL;
    }
    if ((uint64_t)geo->sector_size * geo->sector_count < LAYOUT_STORE_BYTES) {
        return FW_E_NOSPACE;
    }
    cfg->first_sector = LAYOUT_STORE_FIRST_SECTOR;
    cfg->sector_count = LAYOUT_STORE_SECTORS(geo->sector_size);
    return store_geometry_check(geo, cfg);
}

int layout_store_mount(store_t *s)
{
    hal_flash_geometry_t geo;
    int rc = hal_flash_geometry(&geo);
    if (rc != 0) {
        return rc;
    }
    store_config_t cfg;
    rc = layout_store_config(&geo, &cfg);
    return rc != 0 ? rc : store_mount(s, &cfg);
}
