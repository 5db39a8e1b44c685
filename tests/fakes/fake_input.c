/* Input events, queued by the test, polled by the firmware. */
#include "fakes/fake_input.h"

#include "fw/err.h"

static hal_input_event_t s_q[FAKE_INPUT_QUEUE_LEN];
static uint32_t s_head, s_len;

void fake_input_reset(void)
{
    s_head = s_len = 0;
}

static int push(hal_input_event_t ev)
{
    if (s_len == FAKE_INPUT_QUEUE_LEN) {
        return FW_E_NOMEM;
    }
    s_q[(s_head + s_len++) % FAKE_INPUT_QUEUE_LEN] = ev;
    return 0;
}

int fake_input_push_button(hal_button_t button)
{
    hal_input_event_t ev = {.kind = HAL_INPUT_BUTTON, .code = (uint16_t)button};
    return push(ev);
}

int fake_input_push_touch(uint16_t x, uint16_t y)
{
    hal_input_event_t ev = {.kind = HAL_INPUT_TOUCH, .x = x, .y = y};
    return push(ev);
}

uint32_t fake_input_pending(void)
{
    return s_len;
}

int hal_input_poll(hal_input_event_t *ev)
{
    if (!ev) {
        return FW_E_INVAL;
    }
    if (s_len == 0) {
        return 0;
    }
    *ev = s_q[s_head];
    s_head = (s_head + 1) % FAKE_INPUT_QUEUE_LEN;
    s_len--;
    return 1;
}
