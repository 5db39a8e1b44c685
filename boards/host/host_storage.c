/*
 * The storage half of the host board (host/host_storage.h): flash image and
 * secure file, opened and closed together. host_board_init() uses it too, so
 * a tool and the agent open a device the same way.
 */
#include <stdlib.h>

#include "fw/err.h"
#include "host_internal.h"

int host_storage_open(const host_board_options_t *opts)
{
    if (!opts || !opts->flash_path) {
        return host_fail(FW_E_INVAL, "--flash FILE is required");
    }
    bool created = false;
    int rc = host_flash_open(opts, &created);
    if (rc == 0) {
        char *secure = host_path_with_suffix(opts->flash_path, ".secure");
        rc = secure ? host_secure_load(secure) : FW_E_NOMEM;
        free(secure);
    }
    if (rc != 0) {
        host_storage_close();
        return rc;
    }
    if (created) {
        host_log(HAL_LOG_INFO, "factory-fresh device created: %s", opts->flash_path);
    }
    return 0;
}

void host_storage_close(void)
{
    host_secure_unload();
    host_flash_close();
}
