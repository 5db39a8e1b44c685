/*
 * A snapshot of a target: a copy of its flash and its secure element in a
 * temporary directory, so that a command can rehearse on the copy and put the
 * secure files back if the real run fails (docs/SPARKFLASH.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_cli.h"
#include "fw/err.h"
#include "fw/file.h"
#include "fw/zeroize.h"
#include "proto/layout.h"
#include "room/room_storage.h"
#include "target_priv.h"

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
    if (sf_copy_path(f->path, sizeof f->path, path) != 0 ||
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
        rc = sf_target_probe(t, &geo);
        if (rc != 0) {
            sf_snapshot_remove(snap);
            return sf_fail(cmd, "%s", room_board_last_error());
        }
        /* The copy is a plain file with the device's own geometry. */
        snap->sector_size = geo.sector_size;
        c->room.flash_sector_size = geo.sector_size;
        c->room.flash_program_unit = geo.program_unit;
        (void)sf_copy_path(c->room.flash, sizeof c->room.flash, c->path);
        (void)sf_copy_path(c->room.secure_dir, sizeof c->room.secure_dir, secure_copy);
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
