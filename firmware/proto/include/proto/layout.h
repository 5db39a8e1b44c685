/*
 * proto/layout.h - where things live in a device's flash. Shared by the
 * firmware and the technician tools, so both agree byte for byte.
 *
 * The store owns the first STORE_REGION_BYTES of flash; firmware slots (see
 * the flashing tool) follow it.
 */
#ifndef PROTO_LAYOUT_H
#define PROTO_LAYOUT_H

#include <stdint.h>

#define LAYOUT_SECTOR_SIZE (16u * 1024u)  /* host board erase unit */
#define LAYOUT_STORE_BYTES (512u * 1024u) /* the store's region */
#define LAYOUT_STORE_FIRST_SECTOR 0u
#define LAYOUT_STORE_SECTORS(sector_size) (LAYOUT_STORE_BYTES / (sector_size))
#define LAYOUT_MIN_FLASH_BYTES LAYOUT_STORE_BYTES /* smallest usable image */

#include "hal/flash.h"
#include "store/store.h"

/* The store's place on a flash of geometry `geo` (pure): FW_E_NOSPACE if the
 * flash is smaller than the region, FW_E_INVAL if its sectors do not tile
 * the region or the store cannot live on them (store_geometry_check()). */
int layout_store_config(const hal_flash_geometry_t *geo, store_config_t *cfg);

/* Mount the store on its region of this device's flash (hal_flash_geometry):
 * layout_store_config(), then store_mount(). */
int layout_store_mount(store_t *s);

#endif /* PROTO_LAYOUT_H */
