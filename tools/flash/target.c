/*
 * sparkflash's targets and the HAL it runs the firmware's code over.
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
 */
#include "fw/file.h"
#include "flash_cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw/err.h"
#include "fw/path.h"
#include "fw/zeroize.h"
#include "hal/log.h"
#include "hal/system.h"
#include "host/host_storage.h"
#include "proto/layout.h"
#include "room/room_storage.h"

/* ------------------------------------------------------------ the HAL */

typedef struct {
    int (*geometry)(hal_flash_geometry_t *geo);
    int (*read)(uint32_t offset, void *buf, size_t len);
    int (*program)(uint32_t offset, const void *buf, size_t len);
    int (*erase)(uint32_t sector);
    int (*derive_key)(const char *label, uint8_t out[HAL_SECURE_KEY_LEN]);
    int (*counter_read)(uint32_t *value);
    int (*counter_increment)(uint32_t *new_value);
    int (*identity_get)(hal_identity_t *id);
    void (*close)(void);
} backend_t;

static const backend_t s_host = {
    host_flash_geometry,
    host_flash_read,
    host_flash_program,
    host_flash_erase,
    host_secure_derive_key,
    host_secure_counter_read,
    host_secure_counter_increment,
    host_identity_get,
    host_storage_close,
};
static const backend_t s_room = {
    room_flash_geometry,
    room_flash_read,
    room_flash_program,
    room_flash_erase,
    room_secure_derive_key,
    room_secure_counter_read,
    room_secure_counter_increment,
    room_identity_get,
    room_storage_close,
};

static const backend_t *s_be;
static hal_log_level_t s_level = HAL_LOG_WARN;
static bool s_mute; /* while a board opens: its failure comes back as last_error */
static volatile sig_atomic_t s_stop;
static struct sigaction s_old_int, s_old_term;

int hal_flash_geometry(hal_flash_geometry_t *geo)
{
    return s_be ? s_be->geometry(geo) : FW_E_STATE;
}

int hal_flash_read(uint32_t offset, void *buf, size_t len)
{
    return s_be ? s_be->read(offset, buf, len) : FW_E_STATE;
}

int hal_flash_program(uint32_t offset, const void *buf, size_t len)
{
    return s_be ? s_be->program(offset, buf, len) : FW_E_STATE;
}

int hal_flash_erase(uint32_t sector)
{
    return s_be ? s_be->erase(sector) : FW_E_STATE;
}

int hal_secure_derive_key(const char *label, uint8_t out[HAL_SECURE_KEY_LEN])
{
    return s_be ? s_be->derive_key(label, out) : FW_E_STATE;
}

int hal_secure_counter_read(uint32_t *value)
{
    return s_be ? s_be->counter_read(value) : FW_E_STATE;
}

int hal_secure_counter_increment(uint32_t *new_value)
{
    return s_be ? s_be->counter_increment(new_value) : FW_E_STATE;
}

int hal_identity_get(hal_identity_t *id)
{
    return s_be ? s_be->identity_get(id) : FW_E_STATE;
}

hal_log_level_t hal_log_threshold(void)
{
    return s_level;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > s_level || s_mute) {
        return;
    }
    unsigned idx = (unsigned)level < 4 ? (unsigned)level : 3;
    fprintf(stderr, "sparkflash: %s: %s: %s\n", names[idx], tag ? tag : "?", msg ? msg : "");
}

static void on_stop(int sig)
{
    (void)sig;
    s_stop = 1;
}

bool hal_system_stop_requested(void)
{
    return s_stop != 0;
}

/* ------------------------------------------------------------ options */

bool sf_is_target_option(int c)
{
    return c == SF_OPT_BOARD || c == SF_OPT_CONFIG || c == SF_OPT_SECURE_DIR;
}

int sf_target_option(const char *cmd, int c, const char *arg, sf_target_opts_t *o)
{
    if (c == SF_OPT_BOARD) {
        if (o->board != SF_BOARD_AUTO) {
            return sf_usage_error(cmd, "--board given twice");
        }
        if (strcmp(arg, "host") == 0) {
            o->board = SF_BOARD_HOST;
        } else if (strcmp(arg, "room") == 0) {
            o->board = SF_BOARD_ROOM;
        } else {
            return sf_usage_error(cmd, "--board: expected host or room, got '%s'", arg);
        }
        return SF_EXIT_OK;
    }
    const char **dst = c == SF_OPT_CONFIG ? &o->config : &o->secure_dir;
    if (*dst) {
        return sf_usage_error(cmd, "--%s given twice",
                              c == SF_OPT_CONFIG ? "config" : "secure-dir");
    }
    if (!*arg) {
        return sf_usage_error(cmd, "--%s: empty path",
                              c == SF_OPT_CONFIG ? "config" : "secure-dir");
    }
    *dst = arg;
    return SF_EXIT_OK;
}

void sf_target_usage(FILE *out, int col)
{
    static const char *const lines[][2] = {
        {"--board host|room", "what TARGET is (default: a block or MTD device is a"},
        {"", "room board's flash, anything else a host-board image)"},
        {"--config FILE", "room board config (default " ROOM_BOARD_DEFAULT_CONFIG " if it"},
        {"", "exists): secure_dir, flash_sector_size, serial, ..."},
        {"--secure-dir DIR", "room board secure element directory (key, counter)"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if ((int)strlen(lines[i][0]) > col - 4) { /* too wide: name on a line of its own */
            fprintf(out, "  %s\n", lines[i][0]);
            fprintf(out, "%*s%s\n", col, "", lines[i][1]);
        } else {
            fprintf(out, "  %-*s%s\n", col - 2, lines[i][0], lines[i][1]);
        }
    }
}

/* ------------------------------------------------------------ resolve */

static int copy_path(char *dst, size_t cap, const char *src)
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
    if (copy_path(t->path, sizeof t->path, path) != 0) {
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
    if (copy_path(t->room.flash, sizeof t->room.flash, path) != 0 ||
        (o->secure_dir &&
         copy_path(t->room.secure_dir, sizeof t->room.secure_dir, o->secure_dir) != 0)) {
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

/* --------------------------------------------------------------- check */

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

static int probe(const sf_target_t *t, hal_flash_geometry_t *geo)
{
    s_mute = true;
    int rc = room_flash_probe(t->path, t->room.flash_sector_size, t->room.flash_program_unit, geo);
    s_mute = false;
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
    s_mute = true;
    int irc = room_identity_read(&t->room, &id);
    s_mute = false;
    if (irc != 0) {
        return sf_refuse(cmd, "serial: %s", room_board_last_error());
    }
    (void)copy_path(info->hw_serial, sizeof info->hw_serial, id.serial);
    hal_flash_geometry_t geo;
    if (probe(t, &geo) != 0) {
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

/* ---------------------------------------------------------- open/close */

static void catch_stop(bool on)
{
    if (on) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_stop;
        sigemptyset(&sa.sa_mask);
        s_stop = 0;
        (void)sigaction(SIGINT, &sa, &s_old_int);
        (void)sigaction(SIGTERM, &sa, &s_old_term);
    } else {
        (void)sigaction(SIGINT, &s_old_int, NULL);
        (void)sigaction(SIGTERM, &s_old_term, NULL);
    }
}

int sf_board_open(const char *cmd, const sf_board_args_t *args)
{
    const sf_target_t *t = args->target;
    if (s_be) {
        return sf_fail(cmd, "a target is already open");
    }
    s_level = args->quiet ? HAL_LOG_ERROR : HAL_LOG_WARN;
    char key[PATH_MAX + 16] = "";
    bool had_key = true;
    int rc;
    s_mute = true;
    if (t->board == SF_BOARD_HOST) {
        host_board_options_t o;
        host_board_options_default(&o);
        o.flash_path = t->path;
        o.flash_size = args->flash_size;
        o.serial = args->serial;
        o.model = args->model;
        rc = host_storage_open(&o);
    } else {
        (void)snprintf(key, sizeof key, "%s/%s", t->room.secure_dir, ROOM_BOARD_KEY_FILE);
        had_key = access(key, F_OK) == 0;
        rc = room_storage_open(&t->room);
    }
    s_mute = false;
    if (rc != 0) {
        return sf_fail(cmd, "cannot open %s: %s", t->path,
                       t->board == SF_BOARD_HOST ? host_board_last_error()
                                                 : room_board_last_error());
    }
    s_be = t->board == SF_BOARD_HOST ? &s_host : &s_room;
    if (!had_key) {
        sf_note(cmd, "first contact: created the device key %s", key);
    }
    catch_stop(true);
    return SF_EXIT_OK;
}

void sf_board_close(void)
{
    if (s_be) {
        s_be->close();
        s_be = NULL;
        catch_stop(false);
    }
}

void sf_board_quiet(bool quiet)
{
    s_level = quiet ? HAL_LOG_ERROR : HAL_LOG_WARN;
}

int sf_store_mount(store_t *s)
{
    return layout_store_mount(s);
}

/* ------------------------------------------------------------ snapshot */

/* Copy `len` bytes of `from` (or all of it, len = UINT64_MAX) to a new file. */
static int copy_bytes(const char *from, const char *to, uint64_t len)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        return FW_E_IO;
    }
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return FW_E_IO;
    }
    static uint8_t buf[1 << 20];
    int rc = 0;
    for (uint64_t done = 0; rc == 0 && done < len;) {
        size_t want = len - done < sizeof buf ? (size_t)(len - done) : sizeof buf;
        ssize_t n = read(in, buf, want);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = n < 0 || len != UINT64_MAX ? FW_E_IO : 0; /* a device shorter than its geometry */
            break;
        }
        for (ssize_t off = 0; rc == 0 && off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR) {
                continue;
            }
            rc = w > 0 ? 0 : FW_E_IO;
            off += w > 0 ? w : 0;
        }
        done += (uint64_t)n;
    }
    close(in);
    if (close(out) != 0) {
        rc = FW_E_IO;
    }
    return rc;
}

static int save_secure(sf_snapshot_t *snap, const char *path)
{
    if (snap->n_saved >= SF_SNAPSHOT_FILES) {
        return FW_E_NOSPACE;
    }
    sf_saved_file_t *f = &snap->saved[snap->n_saved];
    if (copy_path(f->path, sizeof f->path, path) != 0 ||
        fw_file_read(path, 64 * 1024, &f->data, &f->len) != 0) {
        return FW_E_IO;
    }
    snap->n_saved++;
    return 0;
}

/* The room board's secure directory: every regular file in it (device key,
 * counter), not its leftovers of an interrupted update. */
static int copy_secure_dir(sf_snapshot_t *snap, const char *from, const char *to)
{
    if (mkdir(to, 0700) != 0) {
        return FW_E_IO;
    }
    DIR *d = opendir(from);
    if (!d) {
        return FW_E_IO;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || (n > 4 && strcmp(e->d_name + n - 4, ".tmp") == 0)) {
            continue;
        }
        char src[PATH_MAX], dst[PATH_MAX + 64];
        struct stat st;
        if (snprintf(src, sizeof src, "%s/%s", from, e->d_name) >= (int)sizeof src ||
            stat(src, &st) != 0) {
            rc = FW_E_IO;
        } else if (S_ISREG(st.st_mode)) {
            (void)snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
            rc = copy_bytes(src, dst, UINT64_MAX);
            if (rc == 0) {
                rc = save_secure(snap, dst);
            }
        }
    }
    closedir(d);
    return rc;
}

int sf_snapshot_make(const char *cmd, const sf_target_t *t, sf_snapshot_t *snap)
{
    memset(snap, 0, sizeof *snap);
    const char *tmp = getenv("TMPDIR");
    if (snprintf(snap->dir, sizeof snap->dir, "%s/sparkflash.XXXXXX", tmp && *tmp ? tmp : "/tmp") >=
            (int)sizeof snap->dir ||
        !mkdtemp(snap->dir)) {
        return sf_fail(cmd, "cannot make a temporary directory: %s", strerror(errno));
    }
    snap->target = *t;
    sf_target_t *c = &snap->target;
    char secure_copy[PATH_MAX];
    if ((size_t)snprintf(c->path, sizeof c->path, "%.*s/image", PATH_MAX - 16, snap->dir) >=
            sizeof c->path ||
        (size_t)snprintf(secure_copy, sizeof secure_copy, "%.*s/secure", PATH_MAX - 16,
                         snap->dir) >= sizeof secure_copy ||
        strlen(secure_copy) >= sizeof c->room.secure_dir) {
        sf_snapshot_remove(snap);
        return sf_fail(cmd, "TMPDIR %s: path too long", tmp);
    }
    int rc;
    if (t->board == SF_BOARD_HOST) {
        char from[PATH_MAX + 8], to[PATH_MAX + 8];
        (void)snprintf(from, sizeof from, "%s.secure", t->path);
        (void)snprintf(to, sizeof to, "%s.secure", c->path);
        snap->sector_size = LAYOUT_SECTOR_SIZE;
        rc = copy_bytes(t->path, c->path, UINT64_MAX);
        if (rc == 0 && (rc = copy_bytes(from, to, UINT64_MAX)) == 0) {
            rc = save_secure(snap, to);
        }
    } else {
        hal_flash_geometry_t geo;
        rc = probe(t, &geo);
        if (rc != 0) {
            sf_snapshot_remove(snap);
            return sf_fail(cmd, "%s", room_board_last_error());
        }
        /* The copy is a plain file with the device's own geometry. */
        snap->sector_size = geo.sector_size;
        c->room.flash_sector_size = geo.sector_size;
        c->room.flash_program_unit = geo.program_unit;
        (void)copy_path(c->room.flash, sizeof c->room.flash, c->path);
        (void)copy_path(c->room.secure_dir, sizeof c->room.secure_dir, secure_copy);
        rc = copy_bytes(t->path, c->path, (uint64_t)geo.sector_size * geo.sector_count);
        if (rc == 0) {
            rc = copy_secure_dir(snap, t->room.secure_dir, c->room.secure_dir);
        }
    }
    if (rc != 0) {
        int e = errno;
        sf_snapshot_remove(snap);
        return sf_fail(cmd, "cannot copy %s to %s: %s", t->path, snap->dir, strerror(e));
    }
    return SF_EXIT_OK;
}

int sf_snapshot_restore_secure(const sf_snapshot_t *snap)
{
    for (size_t i = 0; i < snap->n_saved; i++) {
        if (fw_file_write_atomic(snap->saved[i].path, snap->saved[i].data, snap->saved[i].len,
                                 0600) != 0) {
            return FW_E_IO;
        }
    }
    return 0;
}

/* Remove everything in `dir` (files and one level of directories), then it. */
static void remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            char p[PATH_MAX + 256];
            struct stat st;
            (void)snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0) {
                remove_tree(p, depth - 1);
            } else {
                (void)unlink(p);
            }
        }
        closedir(d);
    }
    (void)rmdir(dir);
}

void sf_snapshot_remove(sf_snapshot_t *snap)
{
    for (size_t i = 0; i < snap->n_saved; i++) {
        if (snap->saved[i].data) {
            fw_zeroize(snap->saved[i].data, snap->saved[i].len);
        }
        free(snap->saved[i].data);
        snap->saved[i].data = NULL;
    }
    snap->n_saved = 0;
    if (snap->dir[0]) {
        remove_tree(snap->dir, 1);
        snap->dir[0] = '\0';
    }
}
