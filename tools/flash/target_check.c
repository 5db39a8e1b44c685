/*
 * Everything that can refuse a target does so here, in sf_target_check(),
 * before the board is brought up: bringing it up already writes (a host image
 * may be created, a first contact creates a room device's key, and a store
 * mount may finish an interrupted operation), and a refusal must leave TARGET
 * as it was. Each refusal names what is wrong and what was expected.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_cli.h"
#include "fw/err.h"
#include "fw/path.h"
#include "proto/layout.h"
#include "room/room_storage.h"
#include "target_priv.h"

static bool dir_writable(const char *path)
{
    char dir[PATH_MAX];
    if (fw_path_dir(path, dir, sizeof dir) != 0) {
        return false;
    }
    return access(dir, W_OK | X_OK) == 0;
}

/* access() says yes to root for any mode bits; a technician who marked an
 * image read-only meant it, so the mode bits count too. */
static bool writable(const char *path, const struct stat *st)
{
    return access(path, W_OK) == 0 && (st->st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) != 0;
}

static int check_host(const char *cmd, const char *path, sf_target_mode_t mode, uint64_t min_bytes,
                      sf_target_info_t *info)
{
    char secure[PATH_MAX];
    if (snprintf(secure, sizeof secure, "%s.secure", path) >= (int)sizeof secure) {
        return sf_refuse(cmd, "--image: path too long");
    }
    struct stat st, sst;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT) {
            return sf_refuse(cmd, "--image: cannot access %s: %s", path, strerror(errno));
        }
        if (mode != SF_TARGET_WRITE_CREATE) {
            return sf_refuse(cmd,
                             "--image: %s does not exist; expected an existing flash image "
                             "(provision --create makes a factory-fresh host image)",
                             path);
        }
        if (stat(secure, &sst) == 0) {
            return sf_refuse(cmd,
                             "--image: %s does not exist but %s does; expected both or neither "
                             "(creating a new image would replace that device key: remove it "
                             "yourself if it is really unused)",
                             path, secure);
        }
        if (!dir_writable(path)) {
            return sf_refuse(cmd, "--image: cannot create %s: its directory is not writable", path);
        }
        return SF_EXIT_OK;
    }
    if (!S_ISREG(st.st_mode)) {
        return sf_refuse(cmd, "--image: %s is not a regular file; expected a flash image", path);
    }
    if (access(path, R_OK) != 0) {
        return sf_refuse(cmd, "--image: %s is not readable: %s", path, strerror(errno));
    }
    if (mode != SF_TARGET_READ && !writable(path, &st)) {
        return sf_refuse(cmd,
                         "--image: %s is read-only; expected a writable flash image (check its "
                         "permissions and mount)",
                         path);
    }
    if (stat(secure, &sst) != 0 || access(secure, R_OK) != 0) {
        return sf_refuse(cmd,
                         "--image: %s has no readable secure element file %s beside it; "
                         "expected both (the device key and monotonic counter live there)",
                         path, secure);
    }
    if (mode != SF_TARGET_READ && (!writable(secure, &sst) || !dir_writable(secure))) {
        return sf_refuse(cmd,
                         "--image: %s (or its directory) is read-only; expected it writable "
                         "(the monotonic counter is updated there)",
                         secure);
    }
    uint64_t need = min_bytes > LAYOUT_MIN_FLASH_BYTES ? min_bytes : LAYOUT_MIN_FLASH_BYTES;
    if ((uint64_t)st.st_size < need || st.st_size % LAYOUT_SECTOR_SIZE != 0) {
        return sf_refuse(cmd,
                         "--image: %s has %lld bytes: too small or not whole sectors; expected "
                         "a multiple of %u bytes and at least %llu bytes",
                         path, (long long)st.st_size, (unsigned)LAYOUT_SECTOR_SIZE,
                         (unsigned long long)need);
    }
    info->exists = true;
    info->size = (uint64_t)st.st_size;
    return SF_EXIT_OK;
}

int sf_target_probe(const sf_target_t *t, hal_flash_geometry_t *geo)
{
    sf_board_mute(true);
    int rc = room_flash_probe(t->path, t->room.flash_sector_size, t->room.flash_program_unit, geo);
    sf_board_mute(false);
    return rc;
}

/* True when the store region is not all 0xFF: the device holds records. */
static bool store_region_used(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return true; /* cannot tell: assume the worst */
    }
    static uint8_t buf[64 * 1024];
    bool used = false;
    for (off_t off = 0; !used && off < (off_t)LAYOUT_STORE_BYTES; off += (off_t)sizeof buf) {
        ssize_t n = pread(fd, buf, sizeof buf, off);
        if (n <= 0) {
            used = n < 0;
            break;
        }
        for (ssize_t i = 0; i < n && !used; i++) {
            used = buf[i] != 0xFF;
        }
    }
    close(fd);
    return used;
}

static int check_room(const char *cmd, const sf_target_t *t, sf_target_mode_t mode,
                      uint64_t min_bytes, sf_target_info_t *info)
{
    const char *path = t->path, *dir = t->room.secure_dir;
    if (mode == SF_TARGET_WRITE_CREATE) {
        return sf_refuse(cmd,
                         "--create: %s is a room board's flash, which sparkflash never "
                         "creates; expected an existing partition, erased (all 0xFF) at "
                         "manufacture: drop --create",
                         path);
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        return sf_refuse(cmd,
                         "--image: cannot access %s: %s; expected the room board's flash (an "
                         "MTD or block device, or with --board room a partition image file)",
                         path, strerror(errno));
    }
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
        return sf_refuse(
            cmd, "--image: %s is not a device or a file; expected a room board's flash", path);
    }
    if (access(path, R_OK) != 0) {
        return sf_refuse(cmd, "--image: %s is not readable: %s", path, strerror(errno));
    }
    if (mode != SF_TARGET_READ && !writable(path, &st)) {
        return sf_refuse(cmd,
                         "--image: %s is read-only; expected a writable flash (check its "
                         "permissions, and that the partition is not write-protected)",
                         path);
    }
    struct stat dst;
    if (stat(dir, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
        return sf_refuse(cmd,
                         "--secure-dir: %s is not a directory; expected the device's secure "
                         "element directory (is the secure partition mounted? give --secure-dir "
                         "or secure_dir= in --config)",
                         dir);
    }
    if (mode != SF_TARGET_READ && access(dir, W_OK | X_OK) != 0) {
        return sf_refuse(cmd,
                         "--secure-dir: %s is read-only; expected it writable (the monotonic "
                         "counter is updated there)",
                         dir);
    }
    char key[PATH_MAX];
    if (snprintf(key, sizeof key, "%s/%s", dir, ROOM_BOARD_KEY_FILE) >= (int)sizeof key) {
        return sf_refuse(cmd, "--secure-dir: path too long");
    }
    if (access(key, F_OK) != 0) {
        if (mode == SF_TARGET_READ) {
            return sf_refuse(cmd,
                             "--secure-dir: %s holds no device key (%s); expected the secure "
                             "directory of a device that has booted or been provisioned",
                             dir, ROOM_BOARD_KEY_FILE);
        }
        if (store_region_used(path)) {
            return sf_refuse(cmd,
                             "--secure-dir: %s holds no device key but %s holds records; "
                             "expected this device's own secure directory (a new key would "
                             "make every record on it unreadable)",
                             dir, path);
        }
    } else if (access(key, R_OK) != 0) {
        return sf_refuse(cmd, "--secure-dir: %s is not readable: %s", key, strerror(errno));
    }
    hal_identity_t id;
    sf_board_mute(true);
    int irc = room_identity_read(&t->room, &id);
    sf_board_mute(false);
    if (irc != 0) {
        return sf_refuse(cmd, "serial: %s", room_board_last_error());
    }
    (void)sf_copy_path(info->hw_serial, sizeof info->hw_serial, id.serial);
    hal_flash_geometry_t geo;
    if (sf_target_probe(t, &geo) != 0) {
        return sf_refuse(cmd, "--image: %s", room_board_last_error());
    }
    uint64_t bytes = (uint64_t)geo.sector_size * geo.sector_count;
    uint64_t need = min_bytes > LAYOUT_MIN_FLASH_BYTES ? min_bytes : LAYOUT_MIN_FLASH_BYTES;
    store_config_t cfg;
    if (bytes >= LAYOUT_STORE_BYTES && layout_store_config(&geo, &cfg) != 0) {
        return sf_refuse(cmd,
                         "flash_sector_size: %s erases in units of %u bytes (program unit %u), "
                         "which the store cannot use in its %u-byte region; expected 8192 to "
                         "131072 (flash_sector_size in --config; MTD reports its own)",
                         path, (unsigned)geo.sector_size, (unsigned)geo.program_unit,
                         (unsigned)LAYOUT_STORE_BYTES);
    }
    if (bytes < need) {
        return sf_refuse(cmd,
                         "--image: %s has %llu usable bytes (%u sectors of %u); expected at "
                         "least %llu bytes",
                         path, (unsigned long long)bytes, (unsigned)geo.sector_count,
                         (unsigned)geo.sector_size, (unsigned long long)need);
    }
    info->exists = true;
    info->size = bytes;
    return SF_EXIT_OK;
}

int sf_target_check(const char *cmd, const sf_target_t *t, sf_target_mode_t mode,
                    uint64_t min_bytes, sf_target_info_t *info)
{
    memset(info, 0, sizeof *info);
    return t->board == SF_BOARD_ROOM ? check_room(cmd, t, mode, min_bytes, info)
                                     : check_host(cmd, t->path, mode, min_bytes, info);
}
