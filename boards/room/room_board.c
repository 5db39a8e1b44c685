/*
 * The room board's life cycle: every part brought up in order and closed
 * again on failure. Options and the helpers the parts share live in
 * room_options.c; the storage half in room_storage.c.
 */
#include "room/room_board.h"

#include "fw/err.h"
#include "room_config.h"
#include "room_internal.h"

static bool s_initialised;

/* ------------------------------------------------------------ life cycle */

static void close_all(void)
{
    room_input_close();
    room_call_close();
    room_display_close();
    room_storage_close();
    room_system_deinit();
}

int room_board_init(const room_board_options_t *opts)
{
    if (!opts) {
        return FW_E_INVAL;
    }
    if (s_initialised) {
        return room_fail(FW_E_STATE, "board already initialised");
    }
    room_error_clear();
    room_log_open(opts->log_level, opts->log_stderr);
    int rc = room_system_init();
    if (rc == 0) {
        rc = room_storage_open(opts);
    }
    if (rc == 0) {
        rc = room_display_open(opts->fb);
    }
    if (rc == 0) {
        rc = room_call_open(opts->call_socket);
    }
    if (rc == 0) {
        room_net_set_iface(opts->iface);
        rc = room_input_open((const char(*)[ROOM_OPT_PATH_MAX])opts->input, ROOM_OPT_INPUT_MAX);
    }
    if (rc != 0) {
        close_all();
        return rc;
    }
    s_initialised = true;
    room_log(HAL_LOG_INFO, "room board up: flash %s (%s), secure %s, iface %s", opts->flash,
             room_flash_is_mtd() ? "MTD" : "file", opts->secure_dir, opts->iface);
    return 0;
}

void room_board_deinit(void)
{
    close_all();
    s_initialised = false;
    room_log_close();
}
