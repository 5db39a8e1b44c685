/*
 * hal/clock.h - wall time, monotonic time and waiting.
 *
 * Wall time is what the board's real-time clock says. It can be wrong: unset,
 * set back by a user, or drifting. The firmware never trusts it alone (see
 * agent/trusted_time). Monotonic time only grows while the device runs and
 * restarts from an arbitrary value on every boot.
 *
 * The host board simulates both (--clock-start, --clock-rate) so that tests and
 * demos can let days pass in seconds. Firmware never calls sleep(): it waits
 * through hal_clock_wait_ms(), which the simulation speeds up.
 */
#ifndef HAL_CLOCK_H
#define HAL_CLOCK_H

#include <stdint.h>

/* Seconds since 1970-01-01T00:00:00Z according to the board's RTC.
 * Returns 0 on success, a negative FW_E_* code when the RTC is not set. */
int hal_clock_wall(int64_t *unix_seconds);

/* Milliseconds since an arbitrary point at or before boot; never decreases. */
uint64_t hal_clock_mono_ms(void);

/* Milliseconds for network timing (handshake and idle timeouts): real
 * elapsed time, never decreasing, even where the board runs device time
 * faster than real time (the host board's --clock-rate). On a real device
 * this is the same clock as hal_clock_mono_ms(). */
uint64_t hal_clock_net_ms(void);

/* Block for `ms` milliseconds of device time (simulated time on the host
 * board), or less if the board has an event pending (input, call, network,
 * shutdown request). Callers must re-check their state afterwards. */
void hal_clock_wait_ms(uint32_t ms);

#endif /* HAL_CLOCK_H */
