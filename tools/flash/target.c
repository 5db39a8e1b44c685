/*
 * sparkflash's targets: what TARGET names (sf_target_resolve).
 *
 * A target is a host-board image file (TARGET.secure beside it) or a room
 * board's flash: an MTD or block device, or a partition image file with
 * --board room, whose secure element is a directory (docs/ROOM_BOARD.md).
 * The tool links the storage half of both boards (host/host_storage.h,
 * room/room_storage.h) and binds the hal_* functions the store calls to the
 * board the target belongs to, so records are written and read by the same
 * store code over the same board code as on the device.
 *
 * Everything that can refuse a target does so in sf_target_check(), before
 * the board is brought up: bringing it up already writes (a host image may be
 * created, a first contact creates a room device's key, and a store mount may
 * finish an interrupted operation), and a refusal must leave TARGET as it was.
 *
 * The rest of the target, one concern per file:
 *   target_options.c   the options that say what TARGET is (--board, --config,
 *                      --secure-dir)
 *   target_check.c     every refusal, before anything is brought up
 *   target_board.c     the HAL over the target's board, open and close
 *   target_snapshot.c  a copy of the target to rehearse on and restore from
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_cli.h"
#include "fw/err.h"
#include "room/room_storage.h"
#include "target_priv.h"

int sf_copy_path(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        return FW_E_TOOBIG;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

int sf_target_resolve(const char *cmd, const char *path, const sf_target_opts_t *o, sf_target_t *t)
{
    memset(t, 0, sizeof *t);
    if (sf_copy_path(t->path, sizeof t->path, path) != 0) {
        return sf_refuse(cmd, "--image: path too long");
    }
    struct stat st;
    bool device = stat(path, &st) == 0 && (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode));
    t->board = o->board != SF_BOARD_AUTO ? o->board : device ? SF_BOARD_ROOM : SF_BOARD_HOST;
    if (t->board == SF_BOARD_HOST) {
        if (o->config || o->secure_dir) {
            return sf_usage_error(cmd,
                                  "--%s applies to room board targets, and %s is taken as a "
                                  "host-board image (add --board room if it is a room board's "
                                  "flash)",
                                  o->config ? "config" : "secure-dir", path);
        }
        if (device) {
            return sf_refuse(cmd,
                             "--image: %s is a device; expected a host-board image file "
                             "(devices are room board targets: drop --board host)",
                             path);
        }
        return SF_EXIT_OK;
    }
    room_board_options_default(&t->room);
    const char *conf = o->config;
    if (!conf && access(ROOM_BOARD_DEFAULT_CONFIG, F_OK) == 0) {
        conf = ROOM_BOARD_DEFAULT_CONFIG;
    }
    char err[512];
    if (conf && room_board_load_config(&t->room, conf, err, sizeof err) != 0) {
        return sf_refuse(cmd, "config: %s", err);
    }
    /* TARGET names the flash whatever the config says: the technician's
     * command line is what they are looking at. */
    if (sf_copy_path(t->room.flash, sizeof t->room.flash, path) != 0 ||
        (o->secure_dir &&
         sf_copy_path(t->room.secure_dir, sizeof t->room.secure_dir, o->secure_dir) != 0)) {
        return sf_refuse(cmd, "--image or --secure-dir: path longer than %d characters",
                         ROOM_OPT_PATH_MAX - 1);
    }
    return SF_EXIT_OK;
}

void sf_target_describe(const sf_target_t *t, char *out, size_t cap)
{
    if (t->board == SF_BOARD_HOST) {
        (void)snprintf(out, cap, "host-board image, secure element in %s.secure", t->path);
        return;
    }
    struct stat st;
    const char *kind = stat(t->path, &st) != 0 ? "missing"
                       : S_ISCHR(st.st_mode)   ? "MTD device"
                       : S_ISBLK(st.st_mode)   ? "block device"
                                               : "partition image file";
    (void)snprintf(out, cap, "room board flash (%s), secure element in %s", kind,
                   t->room.secure_dir);
}
