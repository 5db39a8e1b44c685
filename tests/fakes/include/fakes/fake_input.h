/*
 * fakes/fake_input.h - button presses and touches queued by the test.
 *
 * Each event comes out of hal_input_poll() once the monotonic clock
 * (hal_clock_mono_ms(), the fake clock) has reached its time; events are
 * delivered in the order pushed, so push them in time order.
 */
#ifndef FAKES_FAKE_INPUT_H
#define FAKES_FAKE_INPUT_H

#include <stdint.h>

#include "hal/input.h"

#define FAKE_INPUT_QUEUE_LEN 32

void fake_input_reset(void);
/* Queue a button press (at once, or from monotonic `at_ms` on). Returns 0 or
 * FW_E_NOMEM when full. */
int fake_input_push_button(hal_button_t button);
int fake_input_push_button_at(uint64_t at_ms, hal_button_t button);
/* Queue a touch at display pixel (x, y). */
int fake_input_push_touch(uint16_t x, uint16_t y);
int fake_input_push_touch_at(uint64_t at_ms, uint16_t x, uint16_t y);
uint32_t fake_input_pending(void);

#endif /* FAKES_FAKE_INPUT_H */
