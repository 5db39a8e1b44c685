/*
 * The storage half of the room board (room/room_storage.h): flash, secure
 * element and identity, opened and closed together. room_board_init() uses
 * it too, so a tool and the agent open a device the same way.
 */
#include "fw/err.h"
#include "room_internal.h"

int room_storage_open(const room_board_options_t *opts)
{
    if (!opts) {
        return FW_E_INVAL;
    }
    /* Identity first: it only reads, and a device that cannot say who it is
     * must not get a key created on first contact. */
    int rc = room_identity_load(opts);
    if (rc == 0) {
        rc = room_flash_open(opts->flash, opts->flash_sector_size, opts->flash_program_unit);
    }
    if (rc == 0) {
        rc = room_secure_open(opts);
    }
    if (rc != 0) {
        room_storage_close();
    }
    return rc;
}

void room_storage_close(void)
{
    room_secure_close();
    room_flash_close();
}
