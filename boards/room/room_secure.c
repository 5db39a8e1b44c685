/*
 * The secure element: the back end the config names (secure_backend), and
 * the file back end itself.
 *
 *  - tpm (the default): TPM 2.0, room_secure_tpm.c.
 *  - file: as far as plain Linux can be a secure element, for boards without
 *    a TPM and for benches. The device key is 32 random bytes in
 *    DIR/device.key on a separate, root-only partition, created at first boot
 *    with getrandom(), held in memory only while the board is up, wiped on
 *    close, never logged; the counter is a file (room_counter_file.c). Anyone
 *    with root can copy or rewind both, so every start says so in the log.
 *
 * Either way the firmware only sees keys derived from the device key:
 *     HMAC-SHA-256(device_key, "spark-derive-v1" || label)
 * (the host board's derivation, so every board agrees on what a label means).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/derive.h"
#include "fw/err.h"
#include "fw/file.h"
#include "fw/zeroize.h"
#include "hal/secure.h"
#include "room_config.h"
#include "room_counter.h"
#include "room_internal.h"

static bool s_loaded;
static uint8_t s_key[HAL_SECURE_KEY_LEN];
static room_secure_backend_t s_backend = ROOM_SECURE_TPM;
static bool s_open; /* either back end */

static int create_key(const char *path)
{
    uint8_t key[HAL_SECURE_KEY_LEN];
    size_t got = 0;
    while (got < sizeof key) {
        ssize_t n = getrandom(key + got, sizeof key - got, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return room_fail(FW_E_IO, "getrandom failed: %s", strerror(errno));
        }
        got += (size_t)n;
    }
    /* Crash-atomic (fw/file.h): a crash never leaves a short key behind. */
    int rc = fw_file_write_atomic(path, key, sizeof key, 0600);
    int e = errno;
    fw_zeroize(key, sizeof key);
    if (rc != 0) {
        errno = e;
        return room_fail(rc, "cannot create device key %s: %s", path, fw_file_error(rc));
    }
    room_log(HAL_LOG_INFO, "created a new device key in %s", path);
    return 0;
}

static int load_key(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return room_fail(FW_E_IO, "cannot open device key %s: %s", path, strerror(errno));
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = room_fail(FW_E_IO, "device key %s is not a regular file", path);
    } else if ((st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
        rc = room_fail(FW_E_STATE,
                       "device key %s is accessible to others (mode %04o, owner %u): refusing "
                       "to use it; it must be mode 0600 and owned by the agent's user",
                       path, (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
    } else if (st.st_size != HAL_SECURE_KEY_LEN) {
        rc = room_fail(FW_E_CORRUPT, "device key %s has %lld bytes, expected %d", path,
                       (long long)st.st_size, HAL_SECURE_KEY_LEN);
    } else {
        size_t got = 0;
        while (rc == 0 && got < sizeof s_key) {
            ssize_t n = read(fd, s_key + got, sizeof s_key - got);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                rc = room_fail(FW_E_IO, "cannot read device key %s", path);
            } else {
                got += (size_t)n;
            }
        }
    }
    close(fd);
    if (rc != 0) {
        fw_zeroize(s_key, sizeof s_key);
    }
    return rc;
}

int room_secure_dir_check(const char *dir)
{
    struct stat st;
    if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return room_fail(FW_E_NOENT,
                         "secure directory %s does not exist (the secure partition is not "
                         "mounted?)",
                         dir ? dir : "(none)");
    }
    return 0;
}

int room_secure_file_open(const char *dir)
{
    if (s_loaded) {
        return room_fail(FW_E_STATE, "secure element already open");
    }
    int drc = room_secure_dir_check(dir);
    if (drc != 0) {
        return drc;
    }
    char path[ROOM_OPT_PATH_MAX + 16], tmp[ROOM_OPT_PATH_MAX + 24];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, ROOM_KEY_FILE) >= sizeof path ||
        (size_t)snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, ROOM_KEY_FILE) >= sizeof tmp) {
        return room_fail(FW_E_INVAL, "secure_dir path too long");
    }
    (void)unlink(tmp); /* a key creation interrupted before its rename */
    bool fresh = access(path, F_OK) != 0;
    /* First boot: the counter first, then the key. A crash in between leaves
     * a counter without a key, and the next boot simply creates the key. A
     * key without a counter is never made here, so it means tampering. */
    int rc = room_counter_open(dir, fresh);
    if (rc == 0 && fresh) {
        rc = create_key(path);
    }
    if (rc == 0) {
        rc = load_key(path);
    }
    if (rc != 0) {
        room_counter_close();
        return rc;
    }
    s_loaded = true;
    s_backend = ROOM_SECURE_FILE;
    s_open = true;
    return 0;
}

void room_secure_file_close(void)
{
    fw_zeroize(s_key, sizeof s_key);
    s_loaded = false;
    s_open = false;
    room_counter_close();
}

/* ------------------------------------------------------------ dispatch */

int room_secure_open(const room_board_options_t *opts)
{
    if (s_open) {
        return room_fail(FW_E_STATE, "secure element already open");
    }
    int rc;
    if (opts->secure_backend == ROOM_SECURE_FILE) {
        /* Every start, so nobody forgets that this device has no rollback guard
         * against root. */
        room_log(HAL_LOG_WARN,
                 "secure_backend = file: the device key and the rollback counter are plain "
                 "files in %s that anyone with root can copy or set back; use secure_backend "
                 "= tpm on a product",
                 opts->secure_dir);
        rc = room_secure_file_open(opts->secure_dir);
    } else {
        rc = room_secure_tpm_open(opts->tpm, opts->tpm_nv_index, opts->secure_dir);
    }
    if (rc == 0 && opts->secure_backend == ROOM_SECURE_TPM) {
        s_backend = ROOM_SECURE_TPM;
        s_open = true;
    }
    return rc;
}

void room_secure_close(void)
{
    if (s_open) {
        if (s_backend == ROOM_SECURE_FILE) {
            room_secure_file_close();
        } else {
            room_secure_tpm_close();
        }
    }
    s_open = false;
}

/* ------------------------------------------------------------ hal/secure */

int room_secure_derive_key(const char *label, uint8_t out[HAL_SECURE_KEY_LEN])
{
    if (!label || !out) {
        return FW_E_INVAL;
    }
    if (!s_open) {
        return FW_E_STATE;
    }
    if (s_backend == ROOM_SECURE_TPM) {
        return room_secure_tpm_derive(label, out);
    }
    return crypto_derive_key(s_key, sizeof s_key, label, out);
}

int room_secure_counter_read(uint32_t *value)
{
    if (!value) {
        return FW_E_INVAL;
    }
    if (!s_open) {
        return FW_E_STATE;
    }
    return s_backend == ROOM_SECURE_TPM ? room_secure_tpm_counter_read(value)
                                        : room_counter_read(value);
}

int room_secure_counter_increment(uint32_t *new_value)
{
    if (!s_open) {
        return FW_E_STATE;
    }
    return s_backend == ROOM_SECURE_TPM ? room_secure_tpm_counter_increment(new_value)
                                        : room_counter_increment(new_value);
}
