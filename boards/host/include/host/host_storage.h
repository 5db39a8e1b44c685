/*
 * host/host_storage.h - the host board's storage alone: the flash image and
 * its secure file (device key, monotonic counter, burnt-in identity),
 * without the simulated clock, scenario, screens or signals.
 *
 * For tools that work on a device's storage from outside the agent
 * (sparkflash). They call these functions under their own names and bind the
 * hal_* names themselves; the agent gets the same functions through hal/
 * (host_hal.c). Board log lines still go through hal_log_write(), which the
 * tool defines.
 */
#ifndef HOST_HOST_STORAGE_H
#define HOST_HOST_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "hal/flash.h"
#include "hal/identity.h"
#include "hal/secure.h"
#include "host/host_board.h"

/* Open opts->flash_path and its secure file, creating a factory-fresh pair
 * when the image does not exist (opts->flash_size, serial, model), and arm
 * opts->cut_after. Other options are ignored. 0 or a negative FW_E_* code,
 * with the reason in host_board_last_error(). */
int host_storage_open(const host_board_options_t *opts);
void host_storage_close(void);

/* hal/flash.h, hal/secure.h and hal/identity.h under the board's names. */
int host_flash_geometry(hal_flash_geometry_t *geo);
int host_flash_read(uint32_t offset, void *buf, size_t len);
int host_flash_program(uint32_t offset, const void *buf, size_t len);
int host_flash_erase(uint32_t sector);
int host_secure_derive_key(const char *label, uint8_t out[HAL_SECURE_KEY_LEN]);
int host_secure_counter_read(uint32_t *value);
int host_secure_counter_increment(uint32_t *new_value);
int host_identity_get(hal_identity_t *id);

#endif /* HOST_HOST_STORAGE_H */
