/*
 * Input: the host board has no input source yet (no window, no scenario
 * key). Saying "nothing pending" is the honest answer; the agent's input
 * handling is exercised through tests/fakes/fake_input.c instead.
 */
#include <stddef.h>

#include "fw/err.h"
#include "hal/input.h"

/* cppcheck-suppress constParameter ; the HAL signature fills ev when there is input */
int hal_input_poll(hal_input_event_t *ev)
{
    return ev ? 0 : FW_E_INVAL;
}
