/*
 * Flash: one file descriptor, two kinds of device behind it.
 *
 *  - an MTD character device (/dev/mtdN, raw NOR/NAND): MEMGETINFO gives the
 *    geometry, MEMERASE erases, pread/pwrite read and program. The MTD layer
 *    writes through, so nothing needs syncing.
 *  - a plain file or block device (an eMMC partition): the erase unit is
 *    configured, "erase" writes 0xFF, and every erase and program is
 *    fdatasync'ed before it returns so a power cut after it cannot undo it.
 *
 * Both refuse to program bytes that are not erased (read-compare first), as
 * NOR flash would silently AND them: the store must never rely on that, and
 * this board catches it on the device as the host board does in simulation.
 * The device is flock'ed so two agents never share it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <mtd/mtd-user.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw/err.h"
#include "hal/flash.h"
#include "room_internal.h"

#define CHUNK 4096u /* read-compare and erase buffer */

static int s_fd = -1;
static bool s_mtd;
static hal_flash_geometry_t s_geo;

static bool power_of_two(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static int pread_all(int fd, void *buf, size_t len, off_t off)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return FW_E_IO;
        }
        p += n;
        off += n;
        len -= (size_t)n;
    }
    return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return FW_E_IO;
        }
        p += n;
        off += n;
        len -= (size_t)n;
    }
    return 0;
}

static int geometry_mtd(int fd, const char *path, hal_flash_geometry_t *geo)
{
    struct mtd_info_user info;
    if (ioctl(fd, MEMGETINFO, &info) != 0) {
        return room_fail(FW_E_INVAL,
                         "flash %s: a character device but not an MTD flash (MEMGETINFO: %s)", path,
                         strerror(errno));
    }
    if (!power_of_two(info.erasesize) || info.size < info.erasesize) {
        return room_fail(FW_E_CORRUPT, "flash %s: odd MTD geometry (erase %u, size %u)", path,
                         (unsigned)info.erasesize, (unsigned)info.size);
    }
    geo->sector_size = info.erasesize;
    geo->sector_count = info.size / info.erasesize;
    geo->program_unit = info.writesize ? info.writesize : 1u;
    return 0;
}

static int geometry_file(int fd, const char *path, const struct stat *st, uint32_t sector_size,
                         uint32_t program_unit, hal_flash_geometry_t *geo)
{
    uint64_t bytes;
    if (S_ISREG(st->st_mode)) {
        bytes = (uint64_t)st->st_size;
    } else if (S_ISBLK(st->st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, &bytes) != 0) {
            return room_fail(FW_E_IO, "flash %s: BLKGETSIZE64 failed: %s", path, strerror(errno));
        }
    } else {
        return room_fail(FW_E_INVAL, "flash %s: not an MTD device, block device or file", path);
    }
    if (!power_of_two(sector_size) || !power_of_two(program_unit) || program_unit > sector_size) {
        return room_fail(FW_E_INVAL, "flash %s: sector size %u / program unit %u not usable", path,
                         (unsigned)sector_size, (unsigned)program_unit);
    }
    if (bytes < sector_size) {
        return room_fail(FW_E_CORRUPT, "flash %s: %llu bytes, less than one %u-byte sector", path,
                         (unsigned long long)bytes, (unsigned)sector_size);
    }
    if (bytes > UINT32_MAX) {
        bytes = (uint64_t)UINT32_MAX + 1 - sector_size; /* offsets are 32-bit */
    }
    geo->sector_size = sector_size;
    geo->sector_count = (uint32_t)(bytes / sector_size); /* a partial tail is unused */
    geo->program_unit = program_unit;
    return 0;
}

int room_flash_open(const char *path, uint32_t sector_size, uint32_t program_unit)
{
    if (s_fd >= 0) {
        return room_fail(FW_E_STATE, "flash already open");
    }
    if (!path || !*path) {
        return room_fail(FW_E_INVAL, "no flash device configured (key 'flash')");
    }
    s_fd = open(path, O_RDWR | O_CLOEXEC);
    if (s_fd < 0) {
        int e = errno;
        return room_fail(e == ENOENT ? FW_E_NOENT : FW_E_IO, "cannot open flash %s: %s", path,
                         strerror(e));
    }
    struct stat st;
    int rc = 0;
    if (fstat(s_fd, &st) != 0) {
        rc = room_fail(FW_E_IO, "cannot stat flash %s: %s", path, strerror(errno));
    } else if (flock(s_fd, LOCK_EX | LOCK_NB) != 0) {
        rc = room_fail(FW_E_STATE, "flash %s is in use by another process", path);
    } else if (S_ISCHR(st.st_mode)) {
        s_mtd = true;
        rc = geometry_mtd(s_fd, path, &s_geo);
    } else {
        s_mtd = false;
        rc = geometry_file(s_fd, path, &st, sector_size, program_unit, &s_geo);
    }
    if (rc != 0) {
        close(s_fd);
        s_fd = -1;
    }
    return rc;
}

int room_flash_probe(const char *path, uint32_t sector_size, uint32_t program_unit,
                     hal_flash_geometry_t *geo)
{
    if (!path || !*path || !geo) {
        return room_fail(FW_E_INVAL, "no flash device given");
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return room_fail(e == ENOENT ? FW_E_NOENT : FW_E_IO, "cannot open flash %s: %s", path,
                         strerror(e));
    }
    struct stat st;
    int rc;
    if (fstat(fd, &st) != 0) {
        rc = room_fail(FW_E_IO, "cannot stat flash %s: %s", path, strerror(errno));
    } else if (S_ISCHR(st.st_mode)) {
        rc = geometry_mtd(fd, path, geo);
    } else {
        rc = geometry_file(fd, path, &st, sector_size, program_unit, geo);
    }
    close(fd);
    return rc;
}

void room_flash_close(void)
{
    if (s_fd >= 0) {
        close(s_fd); /* drops the flock too */
        s_fd = -1;
    }
    memset(&s_geo, 0, sizeof s_geo);
    s_mtd = false;
}

bool room_flash_is_mtd(void)
{
    return s_mtd;
}

static uint64_t flash_bytes(void)
{
    return (uint64_t)s_geo.sector_size * s_geo.sector_count;
}

static bool in_range(uint32_t offset, size_t len)
{
    return (uint64_t)offset <= flash_bytes() && (uint64_t)len <= flash_bytes() - offset;
}

int room_flash_geometry(hal_flash_geometry_t *geo)
{
    if (!geo) {
        return FW_E_INVAL;
    }
    if (s_fd < 0) {
        return FW_E_STATE;
    }
    *geo = s_geo;
    return 0;
}

int room_flash_read(uint32_t offset, void *buf, size_t len)
{
    if (s_fd < 0) {
        return FW_E_STATE;
    }
    if ((!buf && len) || !in_range(offset, len)) {
        return FW_E_INVAL;
    }
    return len ? pread_all(s_fd, buf, len, (off_t)offset) : 0;
}

int room_flash_program(uint32_t offset, const void *buf, size_t len)
{
    if (s_fd < 0) {
        return FW_E_STATE;
    }
    const uint32_t pu = s_geo.program_unit;
    if ((!buf && len) || !in_range(offset, len) || offset % pu != 0 || len % pu != 0) {
        room_log(HAL_LOG_WARN, "flash program refused at 0x%x+%zu (unaligned or out of range)",
                 (unsigned)offset, len);
        return FW_E_INVAL;
    }
    uint8_t cur[CHUNK];
    for (size_t done = 0; done < len;) {
        size_t n = len - done < CHUNK ? len - done : CHUNK;
        int rc = pread_all(s_fd, cur, n, (off_t)(offset + done));
        if (rc != 0) {
            return rc;
        }
        for (size_t i = 0; i < n; i++) {
            if (cur[i] != 0xFF) {
                room_log(HAL_LOG_WARN, "flash program refused at 0x%x+%zu: byte 0x%zx not erased",
                         (unsigned)offset, len, (size_t)offset + done + i);
                return FW_E_INVAL;
            }
        }
        done += n;
    }
    if (len == 0) {
        return 0;
    }
    int rc = pwrite_all(s_fd, buf, len, (off_t)offset);
    if (rc == 0 && !s_mtd && fdatasync(s_fd) != 0) {
        rc = FW_E_IO;
    }
    if (rc != 0) {
        room_log(HAL_LOG_ERROR, "flash program at 0x%x+%zu failed: %s", (unsigned)offset, len,
                 strerror(errno));
    }
    return rc;
}

int room_flash_erase(uint32_t sector)
{
    if (s_fd < 0) {
        return FW_E_STATE;
    }
    if (sector >= s_geo.sector_count) {
        return FW_E_INVAL;
    }
    const uint32_t start = sector * s_geo.sector_size;
    int rc = 0;
    if (s_mtd) {
        struct erase_info_user ei = {.start = start, .length = s_geo.sector_size};
        rc = ioctl(s_fd, MEMERASE, &ei) == 0 ? 0 : FW_E_IO;
    } else {
        uint8_t ff[CHUNK];
        memset(ff, 0xFF, sizeof ff);
        for (uint32_t done = 0; rc == 0 && done < s_geo.sector_size;) {
            uint32_t n = s_geo.sector_size - done < CHUNK ? s_geo.sector_size - done : CHUNK;
            rc = pwrite_all(s_fd, ff, n, (off_t)start + done);
            done += n;
        }
        if (rc == 0 && fdatasync(s_fd) != 0) {
            rc = FW_E_IO;
        }
    }
    if (rc != 0) {
        room_log(HAL_LOG_ERROR, "flash erase of sector %u failed: %s", (unsigned)sector,
                 strerror(errno));
    }
    return rc;
}
