/*
 * fakes/fake_call.h - a calling stack driven by the test.
 *
 * Events pushed here come out of hal_call_poll() in order. Decisions the
 * firmware makes through hal_call_decide() are recorded per call id.
 */
#ifndef FAKES_FAKE_CALL_H
#define FAKES_FAKE_CALL_H

#include <stdbool.h>
#include <stdint.h>

#define FAKE_CALL_QUEUE_LEN 32
#define FAKE_CALL_MAX_DECISIONS 64

/* Empty queue, no decisions, lines held, no lines calls counted. */
void fake_call_reset(void);
/* Queue a dial request (number is truncated to fit). Returns 0 or FW_E_NOMEM. */
int fake_call_push_dial(uint32_t id, const char *number);
/* Queue "call `id` ended after `seconds`". */
int fake_call_push_ended(uint32_t id, uint32_t seconds);
/* Queue an incoming call from `caller` ("" or NULL: withheld). */
int fake_call_push_incoming(uint32_t id, const char *caller);
/* Like the above, but the event only comes out of hal_call_poll() once the
 * (fake) monotonic clock has reached `mono_ms`. Events come out in the order
 * they were pushed; a later one waits behind an earlier one that is not due. */
int fake_call_push_dial_at(uint64_t mono_ms, uint32_t id, const char *number);
int fake_call_push_incoming_at(uint64_t mono_ms, uint32_t id, const char *caller);
/* -1: no decision for `id`, 0: denied, 1: allowed (the latest one). */
int fake_call_decision(uint32_t id);
/* Number of hal_call_decide() calls since reset. */
uint32_t fake_call_decide_count(void);
/* Last value given to hal_call_set_lines_held() (true after reset), and how
 * often it was called with true and with false. */
bool fake_call_lines_held(void);
uint32_t fake_call_lines_calls(bool held);
/* Events still waiting to be polled. */
uint32_t fake_call_pending(void);

#endif /* FAKES_FAKE_CALL_H */
