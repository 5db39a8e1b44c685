/*
 * hal/storage_bind.h - for boards that split their storage half (flash,
 * secure element, identity) out under their own names, so that a tool can
 * link the storage half of more than one board.
 *
 * HAL_BIND_STORAGE(host) in one of the board's files defines hal_flash_*,
 * hal_secure_* and hal_identity_get() as calls to host_flash_*,
 * host_secure_* and host_identity_get(), which the board declares before.
 */
#ifndef HAL_STORAGE_BIND_H
#define HAL_STORAGE_BIND_H

#include "hal/flash.h"
#include "hal/identity.h"
#include "hal/secure.h"

#define HAL_BIND_STORAGE(board)                                                                    \
    int hal_flash_geometry(hal_flash_geometry_t *geo)                                              \
    {                                                                                              \
        return board##_flash_geometry(geo);                                                        \
    }                                                                                              \
    int hal_flash_read(uint32_t offset, void *buf, size_t len)                                     \
    {                                                                                              \
        return board##_flash_read(offset, buf, len);                                               \
    }                                                                                              \
    int hal_flash_program(uint32_t offset, const void *buf, size_t len)                            \
    {                                                                                              \
        return board##_flash_program(offset, buf, len);                                            \
    }                                                                                              \
    int hal_flash_erase(uint32_t sector)                                                           \
    {                                                                                              \
        return board##_flash_erase(sector);                                                        \
    }                                                                                              \
    int hal_secure_derive_key(const char *label, uint8_t out[HAL_SECURE_KEY_LEN])                  \
    {                                                                                              \
        return board##_secure_derive_key(label, out);                                              \
    }                                                                                              \
    int hal_secure_counter_read(uint32_t *value)                                                   \
    {                                                                                              \
        return board##_secure_counter_read(value);                                                 \
    }                                                                                              \
    int hal_secure_counter_increment(uint32_t *new_value)                                          \
    {                                                                                              \
        return board##_secure_counter_increment(new_value);                                        \
    }                                                                                              \
    int hal_identity_get(hal_identity_t *id)                                                       \
    {                                                                                              \
        return board##_identity_get(id);                                                           \
    }

#endif /* HAL_STORAGE_BIND_H */
