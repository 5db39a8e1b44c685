/*
 * fakes/fake_net.h - a network link the test takes up and down.
 */
#ifndef FAKES_FAKE_NET_H
#define FAKES_FAKE_NET_H

#include <stdbool.h>

/* Link up (the default after reset) or down. */
void fake_net_set_up(bool up);
void fake_net_reset(void);

#endif /* FAKES_FAKE_NET_H */
