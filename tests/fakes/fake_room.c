/* Room usage events, queued by the test, polled by the firmware. */
#include "fakes/fake_room.h"

#include "fw/err.h"

static hal_room_event_t s_q[FAKE_ROOM_QUEUE_LEN];
static uint32_t s_head, s_len;

void fake_room_reset(void)
{
    s_head = s_len = 0;
}

int fake_room_push(hal_room_event_kind_t kind, uint32_t value)
{
    if (s_len == FAKE_ROOM_QUEUE_LEN) {
        return FW_E_NOMEM;
    }
    hal_room_event_t *ev = &s_q[(s_head + s_len++) % FAKE_ROOM_QUEUE_LEN];
    ev->kind = kind;
    ev->value = value;
    return 0;
}

uint32_t fake_room_pending(void)
{
    return s_len;
}

int hal_room_poll(hal_room_event_t *ev)
{
    if (!ev) {
        return FW_E_INVAL;
    }
    if (s_len == 0) {
        return 0;
    }
    *ev = s_q[s_head];
    s_head = (s_head + 1) % FAKE_ROOM_QUEUE_LEN;
    s_len--;
    return 1;
}
