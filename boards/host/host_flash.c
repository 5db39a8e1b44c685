/*
 * Flash: an image file mmap'ed MAP_SHARED, driven through the NOR model in
 * hal/sim so the host enforces the same rules (erase before program, program
 * units) and can tear a write exactly like the power-loss tests do.
 *
 * Every program and erase is msync'ed before returning: a killed agent (or a
 * simulated power cut, whose torn bytes must survive into the next run) then
 * leaves the image exactly as the firmware last saw it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw/err.h"
#include "fw/file.h"
#include "hal/flash.h"
#include "host_config.h"
#include "host_internal.h"
#include "sim/nor_sim.h"

static int s_fd = -1;
static uint8_t *s_mem;
static size_t s_size;
static nor_sim_t s_nor;
static bool s_cut_logged;

static int create_image(const char *path, uint32_t size)
{
    /* Crash-atomic (a crash never leaves a short image that a later run
     * would refuse), and readable by its owner only: once provisioned the
     * image holds the device's PSKs. */
    uint8_t *erased = malloc(size);
    if (!erased) {
        return host_fail(FW_E_NOMEM, "no memory for a %u-byte flash image", (unsigned)size);
    }
    memset(erased, 0xFF, size);
    int rc = fw_file_write_atomic(path, erased, size, 0600);
    free(erased);
    if (rc != 0) {
        return host_fail(FW_E_IO, "cannot create flash image %s: %s", path, fw_file_error(rc));
    }
    return 0;
}

static int factory_fresh(const host_board_options_t *opts, const char *secure_path)
{
    uint32_t size = opts->flash_size ? opts->flash_size : HOST_BOARD_DEFAULT_FLASH_SIZE;
    if (size < HOST_FLASH_MIN_BYTES || size % HOST_FLASH_SECTOR_SIZE != 0) {
        return host_fail(FW_E_INVAL, "flash size %u: must be a multiple of %u and at least %u",
                         (unsigned)size, (unsigned)HOST_FLASH_SECTOR_SIZE,
                         (unsigned)HOST_FLASH_MIN_BYTES);
    }
    if (access(secure_path, F_OK) == 0) {
        host_log(HAL_LOG_WARN, "%s has no flash image: replacing it with a new device",
                 secure_path);
    }
    /* Secure element first: a crash before the image exists just repeats
     * factory creation; the reverse order would strand an image without keys. */
    int rc = host_secure_create(secure_path, opts->serial, opts->model);
    if (rc == 0) {
        rc = create_image(opts->flash_path, size);
    }
    return rc;
}

int host_flash_open(const host_board_options_t *opts, bool *created)
{
    const char *path = opts->flash_path;
    *created = false;
    char *secure_path = host_path_with_suffix(path, ".secure");
    if (!secure_path) {
        return FW_E_NOMEM;
    }
    struct stat st;
    int rc = 0;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT) {
            rc = factory_fresh(opts, secure_path);
            *created = rc == 0;
        } else {
            rc = host_fail(FW_E_IO, "cannot open flash image %s: %s", path, strerror(errno));
        }
    } else if (access(secure_path, F_OK) != 0) {
        rc = host_fail(FW_E_NOENT,
                       "flash image %s exists but its secure element file %s is missing: the "
                       "device key and monotonic counter are gone, so this image cannot be "
                       "used (delete the image to start a factory-fresh device)",
                       path, secure_path);
    }
    free(secure_path);
    if (rc != 0) {
        return rc;
    }

    s_fd = open(path, O_RDWR);
    if (s_fd < 0) {
        return host_fail(FW_E_IO, "cannot open flash image %s: %s", path, strerror(errno));
    }
    if (fstat(s_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = host_fail(FW_E_IO, "flash image %s is not a regular file", path);
    } else if (st.st_size < (off_t)HOST_FLASH_MIN_BYTES ||
               st.st_size % HOST_FLASH_SECTOR_SIZE != 0 || st.st_size > (off_t)UINT32_MAX) {
        /* CORRUPT, not FORMAT: the device's flash is unusable, not the command line. */
        rc = host_fail(FW_E_CORRUPT,
                       "flash image %s has %lld bytes: expected a multiple of %u, at least %u "
                       "(a truncated or foreign file?)",
                       path, (long long)st.st_size, (unsigned)HOST_FLASH_SECTOR_SIZE,
                       (unsigned)HOST_FLASH_MIN_BYTES);
    } else if (opts->flash_size && st.st_size != (off_t)opts->flash_size) {
        rc = host_fail(FW_E_INVAL, "flash image %s has %lld bytes but --flash-size says %u", path,
                       (long long)st.st_size, (unsigned)opts->flash_size);
    } else if (flock(s_fd, LOCK_EX | LOCK_NB) != 0) {
        /* Two agents on one image would each think they own the flash. */
        rc = host_fail(FW_E_STATE, "flash image %s is in use by another process", path);
    }
    if (rc == 0) {
        s_size = (size_t)st.st_size;
        void *m = mmap(NULL, s_size, PROT_READ | PROT_WRITE, MAP_SHARED, s_fd, 0);
        if (m == MAP_FAILED) {
            rc = host_fail(FW_E_IO, "cannot map flash image %s: %s", path, strerror(errno));
        } else {
            s_mem = m;
        }
    }
    if (rc != 0) {
        close(s_fd);
        s_fd = -1;
        return rc;
    }
    hal_flash_geometry_t geo = {
        .sector_size = HOST_FLASH_SECTOR_SIZE,
        .sector_count = (uint32_t)(s_size / HOST_FLASH_SECTOR_SIZE),
        .program_unit = HOST_FLASH_PROGRAM_UNIT,
    };
    nor_sim_init(&s_nor, s_mem, geo, NULL);
    s_cut_logged = false;
    if (opts->cut_after > 0) {
        nor_sim_arm_cut(&s_nor, (uint64_t)opts->cut_after, opts->cut_seed);
    }
    return 0;
}

void host_flash_close(void)
{
    if (s_mem) {
        (void)msync(s_mem, s_size, MS_SYNC);
        (void)munmap(s_mem, s_size);
        s_mem = NULL;
    }
    if (s_fd >= 0) {
        close(s_fd); /* drops the flock too */
        s_fd = -1;
    }
    s_size = 0;
}

bool host_flash_cut_happened(void)
{
    return s_mem != NULL && !s_nor.powered;
}

static void sync_range(size_t offset, size_t len)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t start = offset - offset % page;
    (void)msync(s_mem + start, offset + len - start, MS_SYNC);
}

/* After an operation: persist what it touched, and say so once if it was the cut. */
static int finish_write(int rc, size_t offset, size_t len, bool was_powered)
{
    if (rc == 0 || (was_powered && !s_nor.powered)) {
        sync_range(offset, len);
    }
    if (!s_nor.powered && !s_cut_logged) {
        s_cut_logged = true;
        host_log(HAL_LOG_ERROR, "simulated power cut after %llu flash operations",
                 (unsigned long long)s_nor.ops);
    }
    return rc;
}

int host_flash_geometry(hal_flash_geometry_t *geo)
{
    if (!geo) {
        return FW_E_INVAL;
    }
    if (!s_mem) {
        return FW_E_STATE;
    }
    *geo = s_nor.geo;
    return 0;
}

int host_flash_read(uint32_t offset, void *buf, size_t len)
{
    if (!s_mem) {
        return FW_E_STATE;
    }
    if (!buf && len) {
        return FW_E_INVAL;
    }
    return nor_sim_read(&s_nor, offset, buf, len);
}

int host_flash_program(uint32_t offset, const void *buf, size_t len)
{
    if (!s_mem) {
        return FW_E_STATE;
    }
    if (!buf && len) {
        return FW_E_INVAL;
    }
    bool was_powered = s_nor.powered;
    int rc = nor_sim_program(&s_nor, offset, buf, len);
    if (rc == FW_E_INVAL) {
        /* On hardware this corrupts silently; here it is a bug worth a line. */
        host_log(HAL_LOG_WARN,
                 "flash program refused at 0x%x+%zu (unaligned, out of range "
                 "or not erased)",
                 (unsigned)offset, len);
    }
    return finish_write(rc, offset, len, was_powered);
}

int host_flash_erase(uint32_t sector)
{
    if (!s_mem) {
        return FW_E_STATE;
    }
    bool was_powered = s_nor.powered;
    int rc = nor_sim_erase(&s_nor, sector);
    if (sector >= s_nor.geo.sector_count) {
        return rc;
    }
    return finish_write(rc, (size_t)sector * s_nor.geo.sector_size, s_nor.geo.sector_size,
                        was_powered);
}
