/*
 * hal/secure.h - the device's secure element.
 *
 * Two things that live outside the flash and survive anything written to it:
 *  - a device-unique key that never leaves the secure element; the firmware
 *    only ever sees keys derived from it for a named purpose;
 *  - a hardware monotonic counter (eMMC RPMB, a TPM NV counter) that can only
 *    grow. Restoring an old flash image does not restore the counter, which is
 *    how the store detects a rollback.
 * The host board keeps both in a file beside the flash image.
 */
#ifndef HAL_SECURE_H
#define HAL_SECURE_H

#include <stddef.h>
#include <stdint.h>

#define HAL_SECURE_KEY_LEN 32

/* Derive a 32-byte key for `label` (a NUL-terminated purpose string such as
 * "store-mac-v1") from the device key. Same label, same device: same key. */
int hal_secure_derive_key(const char *label, uint8_t out[HAL_SECURE_KEY_LEN]);

/* Current value of the monotonic counter (0 on a factory-fresh device). */
int hal_secure_counter_read(uint32_t *value);

/* Add one to the counter, durably, and return the new value. */
int hal_secure_counter_increment(uint32_t *new_value);

#endif /* HAL_SECURE_H */
