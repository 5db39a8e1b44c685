/*
 * hal/room.h - how the room is used, as the room's own systems report it:
 * meetings held, content shared, people counted. Calls are in hal/call.h.
 */
#ifndef HAL_ROOM_H
#define HAL_ROOM_H

#include <stdint.h>

typedef enum {
    HAL_ROOM_EV_MEETING = 1, /* a meeting ended after `value` seconds */
    HAL_ROOM_EV_SHARE = 2,   /* content was shared for `value` seconds */
    HAL_ROOM_EV_PEOPLE = 3,  /* people counted in the room now: `value` */
} hal_room_event_kind_t;

typedef struct {
    hal_room_event_kind_t kind;
    uint32_t value;
} hal_room_event_t;

/* Returns 1 and fills `ev` if an event was pending, 0 if none. Never blocks. */
int hal_room_poll(hal_room_event_t *ev);

#endif /* HAL_ROOM_H */
