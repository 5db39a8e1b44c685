/*
 * hal/flash.h, hal/secure.h, hal/identity.h and hal/net.h for the agent: the
 * storage half's functions (room/room_storage.h) under the names the firmware
 * calls. Tools that link only the storage half bind these names themselves.
 * Name lookups are the system's resolver (hal_posix, getaddrinfo_a).
 */
#include "hal/net.h"
#include "hal/storage_bind.h"
#include "hal_posix/resolve.h"
#include "room/room_storage.h"
#include "room_internal.h"

HAL_BIND_STORAGE(room)

bool hal_net_is_up(void)
{
    return room_net_is_up();
}

int hal_net_resolve_start(const char *host)
{
    return posix_resolve_start(host);
}

int hal_net_resolve_poll(hal_net_addrs_t *out)
{
    return posix_resolve_poll(out);
}

void hal_net_resolve_cancel(void)
{
    posix_resolve_cancel();
}
