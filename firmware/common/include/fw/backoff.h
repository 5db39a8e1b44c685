/*
 * fw/backoff.h - how long to wait before trying again, with jitter.
 *
 * One rule for every retry on the device (a new DTLS session, a report the
 * collector did not take): "equal jitter". Attempt 0 waits a uniform
 * 0..FW_BACKOFF_BASE_MS, so a fleet whose network comes back at once spreads
 * out; attempt a >= 1 waits half of min(BASE * 2^a, CAP) plus a uniform
 * random part of the same size. Pure: the caller brings the randomness.
 */
#ifndef FW_BACKOFF_H
#define FW_BACKOFF_H

#include <stdint.h>

#define FW_BACKOFF_BASE_MS 2000u
#define FW_BACKOFF_CAP_MS (30u * 60u * 1000u)

/* Delay before attempt `attempt` (0 = the first), drawn with `rand`. */
uint32_t fw_backoff_ms(uint32_t attempt, uint32_t rand);

/* Next value of a xorshift32 generator kept in *state (0 is replaced by a
 * fixed non-zero seed). Jitter only: not for anything secret. */
uint32_t fw_rand_next(uint32_t *state);

#endif /* FW_BACKOFF_H */
