/* Input events, queued by the test, polled by the firmware when due. */
#include "fakes/fake_input.h"

#include "fw/err.h"
#include "hal/clock.h"

typedef struct {
    uint64_t at_ms;
    hal_input_event_t ev;
} queued_t;

static queued_t s_q[FAKE_INPUT_QUEUE_LEN];
static uint32_t s_head, s_len;

void fake_input_reset(void)
{
    s_head = s_len = 0;
}

static int push(uint64_t at_ms, hal_input_event_t ev)
{
    if (s_len == FAKE_INPUT_QUEUE_LEN) {
        return FW_E_NOMEM;
    }
    queued_t *q = &s_q[(s_head + s_len++) % FAKE_INPUT_QUEUE_LEN];
    q->at_ms = at_ms;
    q->ev = ev;
    return 0;
}

int fake_input_push_button_at(uint64_t at_ms, hal_button_t button)
{
    hal_input_event_t ev = {.kind = HAL_INPUT_BUTTON, .code = (uint16_t)button};
    return push(at_ms, ev);
}

int fake_input_push_button(hal_button_t button)
{
    return fake_input_push_button_at(0, button);
}

int fake_input_push_touch_at(uint64_t at_ms, uint16_t x, uint16_t y)
{
    hal_input_event_t ev = {.kind = HAL_INPUT_TOUCH, .x = x, .y = y};
    return push(at_ms, ev);
}

int fake_input_push_touch(uint16_t x, uint16_t y)
{
    return fake_input_push_touch_at(0, x, y);
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
    if (s_len == 0 || s_q[s_head].at_ms > hal_clock_mono_ms()) {
        return 0;
    }
    *ev = s_q[s_head].ev;
    s_head = (s_head + 1) % FAKE_INPUT_QUEUE_LEN;
    s_len--;
    return 1;
}
