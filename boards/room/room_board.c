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
static bool s_storage_ok;
static char s_fault[512]; /* why storage is unusable (hal_system_fault) */

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
    room_notify_init();
    int rc = room_system_init();
    bool storage_ok = false;
    if (rc == 0) {
        rc = room_storage_open(opts);
        storage_ok = rc == 0;
        if (rc != 0 && rc != FW_E_INVAL && rc != FW_E_STATE && rc != FW_E_NOMEM) {
            /* Broken or missing storage (not a configuration mistake, not
             * another agent's flash): come up without it so that the agent
             * still answers the calling stack, emergency numbers only
             * (docs/EMERGENCY.md). */
            room_log(HAL_LOG_ERROR, "storage unusable (%s): %s; serving emergency calls only",
                     fw_strerror(rc), room_board_last_error());
            (void)snprintf(s_fault, sizeof s_fault, "%s", room_board_last_error());
            char status[600];
            (void)snprintf(status, sizeof status, "emergency calls only: %s",
                           room_board_last_error());
            room_notify_status(status); /* what systemctl status shows */
            rc = 0;
        }
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
        room_notify_status(room_board_last_error());
        close_all();
        return rc;
    }
    s_initialised = true;
    s_storage_ok = storage_ok;
    room_log(HAL_LOG_INFO, "room board up: flash %s (%s), secure %s, iface %s", opts->flash,
             storage_ok ? (room_flash_is_mtd() ? "MTD" : "file") : "unusable", opts->secure_dir,
             opts->iface);
    return 0;
}

bool room_board_storage_ok(void)
{
    return s_initialised && s_storage_ok;
}

const char *hal_system_fault(void)
{
    return s_initialised && !s_storage_ok ? s_fault : NULL;
}

void room_board_deinit(void)
{
    room_notify_stopping();
    close_all();
    s_initialised = false;
    room_log_close();
}
