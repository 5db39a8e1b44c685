/*
 * fakes/fake_clock.h - a clock tests move by hand.
 *
 * Starts unset (hal_clock_wall() fails with FW_E_STATE) with monotonic 0.
 * hal_clock_wait_ms(ms) advances both clocks by exactly ms and never sleeps.
 */
#ifndef FAKES_FAKE_CLOCK_H
#define FAKES_FAKE_CLOCK_H

#include <stdint.h>

/* Back to the start state: wall unset, monotonic 0, no waits counted. */
void fake_clock_reset(void);
/* Set the wall clock (unix seconds); it then advances with the monotonic one. */
void fake_clock_set_wall(int64_t unix_seconds);
/* Make hal_clock_wall() fail as an unset RTC does. */
void fake_clock_unset_wall(void);
/* Move both clocks forward. */
void fake_clock_advance_ms(uint64_t ms);
/* Every `every`-th hal_clock_wall() call moves both clocks `ms` forward, as
 * if the caller was preempted just before reading the wall clock, and the
 * next such call just after reading it (on a fast simulated clock a real
 * millisecond is minutes). 0: never. */
void fake_clock_stall_wall_reads(uint32_t every, uint64_t ms);
/* Milliseconds waited through hal_clock_wait_ms(), in total, and how many calls. */
uint64_t fake_clock_waited_ms(void);
uint32_t fake_clock_wait_calls(void);

#endif /* FAKES_FAKE_CLOCK_H */
