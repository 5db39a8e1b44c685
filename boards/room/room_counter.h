/*
 * room_counter.h - the file back end's monotonic counter
 * (secure_backend = file; room_counter_file.c).
 *
 * On the product the counter is the TPM 2.0 NV counter of
 * room_secure_tpm.c: hardware that cannot be set back. This one keeps the
 * value in a file on the secure partition; it survives power cuts but not
 * someone with root and a shell.
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
