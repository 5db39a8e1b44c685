/* A calling stack driven by the test: queued events in, decisions recorded. */
#include "fakes/fake_call.h"

#include <string.h>

#include "fw/err.h"
#include "hal/call.h"
#include "hal/clock.h"

static hal_call_event_t s_q[FAKE_CALL_QUEUE_LEN];
static uint64_t s_due[FAKE_CALL_QUEUE_LEN]; /* monotonic ms from which s_q[i] is seen */
static uint32_t s_head, s_len;
static struct {
    uint32_t id;
    int allow;
} s_decisions[FAKE_CALL_MAX_DECISIONS];
static uint32_t s_ndecisions;
static bool s_lines_held = true;
static uint32_t s_lines_calls[2];

void fake_call_reset(void)
{
    s_head = s_len = 0;
    s_ndecisions = 0;
    s_lines_held = true;
    s_lines_calls[0] = s_lines_calls[1] = 0;
}

static int push_at(uint64_t due, const hal_call_event_t *ev)
{
    if (s_len == FAKE_CALL_QUEUE_LEN) {
        return FW_E_NOMEM;
    }
    uint32_t at = (s_head + s_len++) % FAKE_CALL_QUEUE_LEN;
    s_q[at] = *ev;
    s_due[at] = due;
    return 0;
}

static int push(const hal_call_event_t *ev)
{
    return push_at(0, ev);
}

static int push_number(uint64_t due, hal_call_event_kind_t kind, uint32_t id, const char *number)
{
    hal_call_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.id = id;
    if (number) {
        strncpy(ev.number, number, sizeof ev.number - 1);
    }
    return push_at(due, &ev);
}

int fake_call_push_dial(uint32_t id, const char *number)
{
    return push_number(0, HAL_CALL_EV_DIAL, id, number);
}

int fake_call_push_incoming(uint32_t id, const char *caller)
{
    return push_number(0, HAL_CALL_EV_INCOMING, id, caller);
}

int fake_call_push_dial_at(uint64_t mono_ms, uint32_t id, const char *number)
{
    return push_number(mono_ms, HAL_CALL_EV_DIAL, id, number);
}

int fake_call_push_incoming_at(uint64_t mono_ms, uint32_t id, const char *caller)
{
    return push_number(mono_ms, HAL_CALL_EV_INCOMING, id, caller);
}

int fake_call_push_ended(uint32_t id, uint32_t seconds)
{
    hal_call_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = HAL_CALL_EV_ENDED;
    ev.id = id;
    ev.seconds = seconds;
    return push(&ev);
}

int fake_call_decision(uint32_t id)
{
    for (uint32_t i = s_ndecisions; i-- > 0;) {
        if (s_decisions[i].id == id) {
            return s_decisions[i].allow;
        }
    }
    return -1;
}

uint32_t fake_call_decide_count(void)
{
    return s_ndecisions;
}

bool fake_call_lines_held(void)
{
    return s_lines_held;
}

uint32_t fake_call_lines_calls(bool held)
{
    return s_lines_calls[held ? 1 : 0];
}

uint32_t fake_call_pending(void)
{
    return s_len;
}

int hal_call_poll(hal_call_event_t *ev)
{
    if (!ev) {
        return FW_E_INVAL;
    }
    if (s_len == 0 || s_due[s_head] > hal_clock_mono_ms()) {
        return 0;
    }
    *ev = s_q[s_head];
    s_head = (s_head + 1) % FAKE_CALL_QUEUE_LEN;
    s_len--;
    return 1;
}

int hal_call_decide(uint32_t id, bool allow)
{
    if (s_ndecisions == FAKE_CALL_MAX_DECISIONS) {
        return FW_E_NOMEM;
    }
    s_decisions[s_ndecisions].id = id;
    s_decisions[s_ndecisions].allow = allow ? 1 : 0;
    s_ndecisions++;
    return 0;
}

int hal_call_set_lines_held(bool held)
{
    s_lines_held = held;
    s_lines_calls[held ? 1 : 0]++;
    return 0;
}
