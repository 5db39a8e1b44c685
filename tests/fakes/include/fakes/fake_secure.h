/*
 * fakes/fake_secure.h - hal/secure.h for tests: a settable device key and a
 * monotonic counter in RAM, with injectable failures.
 */
#ifndef FAKES_FAKE_SECURE_H
#define FAKES_FAKE_SECURE_H

#include <stdint.h>

/* Back to defaults: a fixed test device key, counter 0, no failures. */
void fake_secure_reset(void);

/* Use `key` (32 bytes) as the device key from now on. */
void fake_secure_set_device_key(const uint8_t key[32]);

/* Set the counter directly (tests only: real counters only grow). */
void fake_secure_set_counter(uint32_t value);
uint32_t fake_secure_counter(void);

/* Make the next calls fail with `err` (0 = work normally). */
void fake_secure_fail_derive(int err);
void fake_secure_fail_counter(int err);

#endif /* FAKES_FAKE_SECURE_H */
