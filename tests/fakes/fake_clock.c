/* A hand-moved clock: tests step time instead of sleeping (Anjay-style). */
#include "fakes/fake_clock.h"

#include <stdbool.h>

#include "fw/err.h"
#include "hal/clock.h"

static bool s_wall_set;
static int64_t s_wall_base_ms; /* wall ms at monotonic 0 */
static uint64_t s_mono_ms;
static uint64_t s_waited_ms;
static uint32_t s_wait_calls;
static uint32_t s_stall_every, s_wall_reads;
static uint64_t s_stall_ms;

void fake_clock_reset(void)
{
    s_wall_set = false;
    s_wall_base_ms = 0;
    s_mono_ms = 0;
    s_waited_ms = 0;
    s_wait_calls = 0;
    s_stall_every = 0;
    s_wall_reads = 0;
    s_stall_ms = 0;
}

void fake_clock_stall_wall_reads(uint32_t every, uint64_t ms)
{
    s_stall_every = every;
    s_stall_ms = ms;
    s_wall_reads = 0;
}

void fake_clock_set_wall(int64_t unix_seconds)
{
    s_wall_base_ms = unix_seconds * 1000 - (int64_t)s_mono_ms;
    s_wall_set = true;
}

void fake_clock_unset_wall(void)
{
    s_wall_set = false;
}

void fake_clock_advance_ms(uint64_t ms)
{
    s_mono_ms += ms;
}

uint64_t fake_clock_waited_ms(void)
{
    return s_waited_ms;
}

uint32_t fake_clock_wait_calls(void)
{
    return s_wait_calls;
}

int hal_clock_wall(int64_t *unix_seconds)
{
    if (!unix_seconds) {
        return FW_E_INVAL;
    }
    if (!s_wall_set) {
        return FW_E_STATE;
    }
    /* A stall before the read, then one after it, and so on. */
    const bool stall = s_stall_every != 0 && ++s_wall_reads % s_stall_every == 0;
    const bool before = stall && (s_wall_reads / s_stall_every) % 2 == 1;
    if (before) {
        s_mono_ms += s_stall_ms;
    }
    int64_t ms = s_wall_base_ms + (int64_t)s_mono_ms;
    *unix_seconds = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    if (stall && !before) {
        s_mono_ms += s_stall_ms;
    }
    return 0;
}

uint64_t hal_clock_mono_ms(void)
{
    return s_mono_ms;
}

uint64_t hal_clock_net_ms(void)
{
    return s_mono_ms; /* the fake has one notion of time */
}

void hal_clock_wait_ms(uint32_t ms)
{
    s_mono_ms += ms;
    s_waited_ms += ms;
    s_wait_calls++;
}
