/*
 * fakes/fake_room.h - room usage events queued by the test.
 */
#ifndef FAKES_FAKE_ROOM_H
#define FAKES_FAKE_ROOM_H

#include <stdint.h>

#include "hal/room.h"

#define FAKE_ROOM_QUEUE_LEN 32

void fake_room_reset(void);
/* Queue an event for hal_room_poll(). Returns 0 or FW_E_NOMEM when full. */
int fake_room_push(hal_room_event_kind_t kind, uint32_t value);
uint32_t fake_room_pending(void);

#endif /* FAKES_FAKE_ROOM_H */
