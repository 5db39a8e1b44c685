/*
 * hal/flash.h, hal/secure.h, hal/identity.h and hal/net.h for the agent: the
 * storage half's functions (room/room_storage.h) under the names the firmware
 * calls. Tools that link only the storage half bind these names themselves.
 */
#include "hal/net.h"
#include "hal/storage_bind.h"
#include "room/room_storage.h"
#include "room_internal.h"

HAL_BIND_STORAGE(room)

bool hal_net_is_up(void)
{
    return room_net_is_up();
}
