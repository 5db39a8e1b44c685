#include "proto/layout.h"

#include "fw/err.h"
#include "hal/flash.h"
#include "store/store.h"

int layout_store_mount(struct store *s)
{
    hal_flash_geometry_t geo;
    int rc = hal_flash_geometry(&geo);
    if (rc != 0) {
        return rc;
    }
    if ((uint64_t)geo.sector_size * geo.sector_count < LAYOUT_STORE_BYTES || geo.sector_size == 0 ||
        geo.sector_size > LAYOUT_STORE_BYTES) {
        return FW_E_NOSPACE;
    }
    store_config_t cfg = {
        .first_sector = LAYOUT_STORE_FIRST_SECTOR,
        .sector_count = LAYOUT_STORE_SECTORS(geo.sector_size),
    };
    return store_mount(s, &cfg);
}
