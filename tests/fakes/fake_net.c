/* Link state, set by the test. */
#include "fakes/fake_net.h"

#include "hal/net.h"

static bool s_up = true;

void fake_net_set_up(bool up)
{
    s_up = up;
}

void fake_net_reset(void)
{
    s_up = true;
}

bool hal_net_is_up(void)
{
    return s_up;
}
