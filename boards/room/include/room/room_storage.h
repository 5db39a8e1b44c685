/*
 * room/room_storage.h - the room board's storage alone: flash, secure
 * element and identity, without log, clock, signals, screen, calls or input.
 *
 * For tools that work on a room endpoint's storage from outside the agent
 * (sparkflash, on the device or at a bench with its partitions attached).
 * They call these functions under their own names and bind the hal_* names
 * themselves; the agent gets the same functions through hal/ (room_hal.c).
 * Board log lines still go through hal_log_write(), which the tool defines.
 */
#ifndef ROOM_ROOM_STORAGE_H
#define ROOM_ROOM_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/flash.h"
#include "hal/identity.h"
#include "hal/secure.h"
#include "room/room_board.h"

/* Open opts->flash, the secure element in opts->secure_dir (creating the
 * device key and counter on a factory-fresh device, as first boot does) and
 * load the identity (opts->serial, else the device tree). Only the storage
 * options are used. 0 or a negative FW_E_* code, with the reason in
 * room_board_last_error(). */
int room_storage_open(const room_board_options_t *opts);
void room_storage_close(void);

/* The identity the board reports (serial, model, MAC, revision) from `opts`,
 * the device tree and sysfs, without opening anything. 0, or FW_E_NOENT with
 * room_board_last_error() saying so when there is no hardware serial. */
int room_identity_read(const room_board_options_t *opts, hal_identity_t *id);

/* Geometry of a flash device without keeping it open, opened read-only and
 * not locked: an MTD reports its own; a file or block device gets
 * `sector_size` and `program_unit`. 0 or a negative FW_E_* code. */
int room_flash_probe(const char *path, uint32_t sector_size, uint32_t program_unit,
                     hal_flash_geometry_t *geo);

/* True when the open flash is an MTD character device. */
bool room_flash_is_mtd(void);

/* hal/flash.h, hal/secure.h and hal/identity.h under the board's names. */
int room_flash_geometry(hal_flash_geometry_t *geo);
int room_flash_read(uint32_t offset, void *buf, size_t len);
int room_flash_program(uint32_t offset, const void *buf, size_t len);
int room_flash_erase(uint32_t sector);
int room_secure_derive_key(const char *label, uint8_t out[HAL_SECURE_KEY_LEN]);
int room_secure_counter_read(uint32_t *value);
int room_secure_counter_increment(uint32_t *new_value);
int room_identity_get(hal_identity_t *id);

#endif /* ROOM_ROOM_STORAGE_H */
