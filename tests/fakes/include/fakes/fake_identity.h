/*
 * fakes/fake_identity.h - the hardware identity a test wants.
 *
 * Default after reset: serial "SIMTEST0001", model "Spark Room Kit (fake)",
 * MAC 02:00:00:00:00:01, revision 1.
 */
#ifndef FAKES_FAKE_IDENTITY_H
#define FAKES_FAKE_IDENTITY_H

#include "hal/identity.h"

void fake_identity_reset(void);
/* Replace the whole identity. */
void fake_identity_set(const hal_identity_t *id);
/* Replace only the serial (truncated to fit). */
void fake_identity_set_serial(const char *serial);
/* Make hal_identity_get() fail with `err` (0 = succeed again). */
void fake_identity_fail_with(int err);

#endif /* FAKES_FAKE_IDENTITY_H */
