/*
 * hal/call.h - the room's calling stack.
 *
 * The calling stack asks before placing each outgoing call and before
 * putting an incoming call through; the firmware answers allow or deny
 * (calling policy, R11; docs/EMERGENCY.md). Calls that ran are reported back
 * with their duration. The firmware also tells the stack when the room's
 * line numbers are released (R11).
 *
 * The stack's side of the contract: a request the firmware does not answer
 * within 1 s (or with no firmware there at all) is decided by the stack
 * itself: emergency numbers are placed anyway (fail-open), everything else
 * is refused (fail-closed).
 */
#ifndef HAL_CALL_H
#define HAL_CALL_H

#include <stdbool.h>
#include <stdint.h>

#define HAL_CALL_NUMBER_MAX 32

typedef enum {
    HAL_CALL_EV_DIAL = 1,  /* an outgoing call waits for hal_call_decide() */
    HAL_CALL_EV_ENDED = 2, /* an allowed call ended after `seconds` */
    /* An incoming call waits for hal_call_decide(); `number` is the caller
     * id, "" when it is withheld. */
    HAL_CALL_EV_INCOMING = 3,
} hal_call_event_kind_t;

typedef struct {
    hal_call_event_kind_t kind;
    uint32_t id;                      /* the call, as given with the dial request */
    char number[HAL_CALL_NUMBER_MAX]; /* dialled number or caller id, NUL-terminated;
                                         personal data: never logged */
    uint32_t seconds;                 /* HAL_CALL_EV_ENDED: duration */
} hal_call_event_t;

/* Take the next pending event. Returns 1 and fills `ev` if there was one,
 * 0 if none, negative FW_E_* on error. Never blocks. */
int hal_call_poll(hal_call_event_t *ev);

/* Answer a dial request or an incoming call, within 1 s of the event (see
 * above for what the stack does otherwise). */
int hal_call_decide(uint32_t id, bool allow);

/* Tell the stack whether the room's line numbers are still held (R11). The
 * stack holds them until told otherwise; the firmware only ever releases. */
int hal_call_set_lines_held(bool held);

#endif /* HAL_CALL_H */
