/*
 * room_proto.h - the line protocol between the room's calling stack and the
 * agent, over a Unix datagram socket (pure: no socket here, see room_call.c).
 *
 * One message per datagram, ASCII, at most ROOM_PROTO_LINE_MAX bytes, an
 * optional trailing "\n", fields separated by exactly one space:
 *
 *   stack -> agent                     agent -> stack
 *   dial <id> <number>                 allow <id> | deny <id>
 *   incoming <id> [<number>]           allow <id> | deny <id>
 *   ended <id> <seconds>               lines held | lines released
 *   meeting <seconds>
 *   share <seconds>
 *   people <n>
 *   hello                              (answered with the lines state)
 *
 * <id>, <seconds>, <n>: decimal 0..4294967295, no sign, no leading spaces.
 * <number>: 1..31 characters of 0-9 + * # (incoming: the caller id, left out
 * when it is withheld). Anything else is refused with a reason (which never
 * repeats the number); the caller logs it and drops the datagram.
 * docs/ROOM_BOARD.md; the stack's side of the contract: docs/EMERGENCY.md.
 */
#ifndef ROOM_PROTO_H
#define ROOM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/call.h"

#define ROOM_PROTO_LINE_MAX 127

typedef enum {
    ROOM_MSG_DIAL = 1,
    ROOM_MSG_ENDED,
    ROOM_MSG_MEETING,
    ROOM_MSG_SHARE,
    ROOM_MSG_PEOPLE,
    ROOM_MSG_HELLO,
    ROOM_MSG_INCOMING,
} room_msg_kind_t;

typedef struct {
    room_msg_kind_t kind;
    uint32_t id;                      /* dial, incoming, ended */
    uint32_t value;                   /* ended: seconds; meeting, share: seconds; people: count */
    char number[HAL_CALL_NUMBER_MAX]; /* dial; incoming ("" withheld) */
} room_msg_t;

/* Parse one datagram (`len` bytes, not NUL-terminated, may hold anything).
 * Returns 0 and fills `msg`, or FW_E_FORMAT / FW_E_TOOBIG with a short
 * reason in `why` (printable, safe to log). */
int room_proto_parse(const char *buf, size_t len, room_msg_t *msg, char *why, size_t cap);

/* Format "allow <id>\n" / "deny <id>\n" or "lines held\n" / "lines released\n"
 * into `out`; returns the length, or FW_E_NOSPACE if `cap` is too small. */
int room_proto_format_decision(char *out, size_t cap, uint32_t id, bool allow);
int room_proto_format_lines(char *out, size_t cap, bool held);

#endif /* ROOM_PROTO_H */
