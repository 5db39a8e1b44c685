/*
 * hal/flash.h, hal/secure.h and hal/identity.h for the agent: the storage
 * half's functions (host/host_storage.h) under the names the firmware calls.
 * Tools that link only the storage half bind these names themselves.
 */
#include "hal/storage_bind.h"
#include "host/host_storage.h"

HAL_BIND_STORAGE(host)
