/* The stop flag, set by the test (immediately or after n loop turns). */
#include "fakes/fake_system.h"

#include <stddef.h>

#include "hal/system.h"

static bool s_stop;
static bool s_armed;
static unsigned s_countdown; /* answers left before the stop, when armed */

void fake_system_set_stop(bool stop)
{
    s_stop = stop;
    s_armed = false;
}

void fake_system_stop_after(unsigned n)
{
    s_armed = n > 0;
    s_countdown = n;
}

void fake_system_reset(void)
{
    s_stop = false;
    s_armed = false;
    s_countdown = 0;
}

const char *hal_system_fault(void)
{
    return NULL;
}

bool hal_system_stop_requested(void)
{
    if (s_armed) {
        if (s_countdown == 0) {
            s_stop = true;
            s_armed = false;
        } else {
            s_countdown--;
        }
    }
    return s_stop;
}
