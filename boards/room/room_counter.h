/*
 * room_counter.h - the monotonic counter behind hal_secure_counter_*().
 *
 * On the product this is a TPM 2.0 NV counter (TPM2_NV_Increment) or the
 * eMMC's RPMB write counter: hardware that cannot be set back. This board
 * ships one back end, room_counter_file.c, which keeps the value in a file on
 * the secure partition; it survives power cuts but not someone with root and
 * a shell. Exactly one back end is linked (CMake ROOM_COUNTER_BACKEND), like
 * libcoap's TLS back ends: a TPM or RPMB file implements these four functions
 * and nothing else changes.
 */
#ifndef ROOM_COUNTER_H
#define ROOM_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

/* Open the counter kept for `secure_dir`. `create` says the device is being
 * set up for the first time: a missing counter is then created at 0;
 * otherwise a missing counter is FW_E_NOENT (it was deleted: the rollback
 * guard is gone, and the board must not silently restart it at 0). */
int room_counter_open(const char *secure_dir, bool create);

int room_counter_read(uint32_t *value);

/* Add one, durably (on return the new value survives a power cut), and
 * return it. FW_E_NOSPACE at UINT32_MAX. */
int room_counter_increment(uint32_t *new_value);

void room_counter_close(void);

#endif /* ROOM_COUNTER_H */
