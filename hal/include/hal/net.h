/*
 * hal/net.h - whether the device's network uplink is up.
 *
 * Sockets themselves are POSIX on every board we have; this only reports the
 * link state so the agent does not try to send while it is known to be down
 * (the host board's scenario file can take the network down and up).
 */
#ifndef HAL_NET_H
#define HAL_NET_H

#include <stdbool.h>

bool hal_net_is_up(void);

#endif /* HAL_NET_H */
