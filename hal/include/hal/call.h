/*
 * hal/call.h - the room's calling stack.
 *
 * The calling stack asks before placing each outgoing call; the firmware
 * answers allow or deny (calling policy, R11). Calls that ran are reported
 * back with their duration. The firmware also tells the stack whether the
 * room's line numbers are held or released (R11).
 */
#ifndef HAL_CALL_H
#define HAL_CALL_H

#include <stdbool.h>
#include <stdint.h>

#define HAL_CALL_NUMBER_MAX 32

typedef enum {
    HAL_CALL_EV_DIAL = 1,  /* an outgoing call waits for hal_call_decide() */
    HAL_CALL_EV_ENDED = 2, /* an allowed call ended after `seconds` */
} hal_call_event_kind_t;

typedef struct {
    hal_call_event_kind_t kind;
    uint32_t id;                      /* the call, as given with the dial request */
    char number[HAL_CALL_NUMBER_MAX]; /* dialled number, NUL-terminated */
    uint32_t seconds;                 /* HAL_CALL_EV_ENDED: duration */
} hal_call_event_t;

/* Take the next pending event. Returns 1 and fills `ev` if there was one,
 * 0 if none, negative FW_E_* on error. Never blocks. */
int hal_call_poll(hal_call_event_t *ev);

/* Answer a dial request. A request left unanswered is denied by the stack. */
int hal_call_decide(uint32_t id, bool allow);

/* Tell the stack whether the room's line numbers are still held (R11). */
int hal_call_set_lines_held(bool held);

#endif /* HAL_CALL_H */
