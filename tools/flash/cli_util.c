/*
 * Shared pieces of the sparkflash sub-commands. Everything that can refuse a
 * target does so here, before the board is brought up: bringing the host
 * board up already writes (it creates images, and a store mount may finish
 * an interrupted operation), and a refusal must leave TARGET untouched.
 */
#include "flash_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/sha256.h>

#include "fw/err.h"
#include "fw/hex.h"
#include "fwimage.h"
#include "hal/flash.h"
#include "host/host_board.h"
#include "proto/layout.h"

/* ------------------------------------------------------------- messages */

static void vmsg(const char *cmd, const char *kind, const char *fmt, va_list ap) SF_PRINTF(3, 0);
static void vmsg(const char *cmd, const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "sparkflash %s: %s", cmd, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int sf_refuse(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "refused: ", fmt, ap);
    va_end(ap);
    return SF_EXIT_REFUSED;
}

int sf_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "failed: ", fmt, ap);
    va_end(ap);
    return SF_EXIT_REFUSED;
}

int sf_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "", fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'sparkflash %s --help'.\n", cmd);
    return SF_EXIT_USAGE;
}

void sf_note(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "", fmt, ap);
    va_end(ap);
}

int sf_getopt_error(const char *cmd, int c, char *const argv[])
{
    const char *arg = argv[optind - 1] ? argv[optind - 1] : "";
    if (c == ':') {
        return sf_usage_error(cmd, "option %s needs a value", arg);
    }
    return sf_usage_error(cmd, "unknown option %s", arg);
}

void sf_getopt_reset(void)
{
    optind = 0; /* glibc: 0 re-initialises getopt completely */
    opterr = 0;
}

/* --------------------------------------------------------------- target */

static bool dir_writable(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir) {
            return false;
        }
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return access(dir, W_OK | X_OK) == 0;
}

/* access() says yes to root for any mode bits; a technician who marked an
 * image read-only meant it, so the mode bits count too. */
static bool writable(const char *path, const struct stat *st)
{
    return access(path, W_OK) == 0 && (st->st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) != 0;
}

int sf_target_check(const char *cmd, const char *path, sf_target_mode_t mode, uint64_t min_bytes,
                    sf_target_info_t *info)
{
    char secure[PATH_MAX];
    if (snprintf(secure, sizeof secure, "%s.secure", path) >= (int)sizeof secure) {
        return sf_refuse(cmd, "--image: path too long");
    }
    info->exists = false;
    info->size = 0;
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
    if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
        return sf_refuse(cmd,
                         "--image: %s is a device; this build drives host-board image files "
                         "only (room-board block/MTD targets are not supported yet)",
                         path);
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

int sf_board_open(const char *cmd, const sf_board_args_t *args)
{
    host_board_options_t o;
    host_board_options_default(&o);
    o.flash_path = args->path;
    o.flash_size = args->flash_size;
    o.serial = args->serial;
    o.model = args->model;
    /* The board's info lines are noise for a technician. */
    o.log_level = args->quiet ? HAL_LOG_ERROR : HAL_LOG_WARN;
    int rc = host_board_init(&o);
    if (rc != 0) {
        return sf_fail(cmd, "cannot open %s: %s", args->path, host_board_last_error());
    }
    return SF_EXIT_OK;
}

void sf_board_close(void)
{
    host_board_deinit();
}

int sf_store_mount(store_t *s)
{
    return layout_store_mount(s);
}

/* ------------------------------------------------------------- snapshot */

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY);
    if (in < 0) {
        return FW_E_IO;
    }
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (out < 0) {
        close(in);
        return FW_E_IO;
    }
    static uint8_t buf[1 << 20];
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = n < 0 ? FW_E_IO : 0;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR) {
                continue;
            }
            if (w <= 0) {
                rc = FW_E_IO;
                break;
            }
            off += w;
        }
        if (rc != 0) {
            break;
        }
    }
    close(in);
    if (close(out) != 0) {
        rc = FW_E_IO;
    }
    return rc;
}

int sf_snapshot_make(const char *cmd, const char *path, char *snap, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s/sparkflash.XXXXXX", tmp && *tmp ? tmp : "/tmp") >=
            (int)sizeof dir ||
        !mkdtemp(dir)) {
        return sf_fail(cmd, "cannot make a temporary directory: %s", strerror(errno));
    }
    char from[PATH_MAX], to[PATH_MAX];
    (void)snprintf(snap, cap, "%s/image", dir);
    (void)snprintf(from, sizeof from, "%s.secure", path);
    (void)snprintf(to, sizeof to, "%s.secure", snap);
    if (copy_file(path, snap) != 0 || copy_file(from, to) != 0) {
        int e = errno;
        sf_snapshot_remove(snap);
        return sf_fail(cmd, "cannot copy %s to %s: %s", path, dir, strerror(e));
    }
    return SF_EXIT_OK;
}

void sf_snapshot_remove(const char *snap)
{
    char p[PATH_MAX];
    (void)unlink(snap);
    (void)snprintf(p, sizeof p, "%s.secure", snap);
    (void)unlink(p);
    (void)snprintf(p, sizeof p, "%s.secure.tmp", snap);
    (void)unlink(p);
    (void)snprintf(p, sizeof p, "%s", snap);
    char *slash = strrchr(p, '/');
    if (slash) {
        *slash = '\0';
        (void)rmdir(p);
    }
}

/* ------------------------------------------------------------ utilities */

int sf_rng_init(sf_rng_t *r, const char *personal)
{
    mbedtls_entropy_init(&r->entropy);
    mbedtls_ctr_drbg_init(&r->drbg);
    int rc = mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
                                   (const unsigned char *)personal, strlen(personal));
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}

void sf_rng_free(sf_rng_t *r)
{
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->entropy);
}

int sf_load_p256_public(const char *field, const char *path, mbedtls_pk_context *pk, char *why,
                        size_t cap)
{
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = sf_read_file(path, 64 * 1024, &text, &len);
    if (rc != 0) {
        (void)snprintf(why, cap, "%s: cannot read %s: %s; expected an EC P-256 public key file",
                       field, path, rc == FW_E_TOOBIG ? "larger than 64 KiB" : strerror(errno));
        return FW_E_IO;
    }
    bool is_private = strstr((const char *)text, "PRIVATE KEY") != NULL;
    free(text);
    if (is_private) {
        (void)snprintf(why, cap,
                       "%s: %s is a private key; expected the EC P-256 public key (a private "
                       "key never leaves the signing station)",
                       field, path);
        return FW_E_FORMAT;
    }
    rc = mbedtls_pk_parse_public_keyfile(pk, path);
    if (rc != 0) {
        char err[100];
        mbedtls_strerror(rc, err, sizeof err);
        (void)snprintf(why, cap,
                       "%s: %s is not a public key (%s); expected an EC P-256 public key "
                       "in PEM",
                       field, path, err);
        return FW_E_FORMAT;
    }
    if (!fwimg_key_is_p256(pk)) {
        const char *curve = "";
        if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY) {
            const mbedtls_ecp_curve_info *ci =
                mbedtls_ecp_curve_info_from_grp_id(mbedtls_pk_ec(*pk)->grp.id);
            curve = ci ? ci->name : "an unknown curve";
        }
        (void)snprintf(why, cap,
                       "%s: %s holds a %s key%s%s; expected an EC P-256 (secp256r1) "
                       "public key",
                       field, path, mbedtls_pk_get_name(pk), *curve ? " on " : "", curve);
        return FW_E_FORMAT;
    }
    return 0;
}

void sf_fingerprint(const void *data, size_t n, char out[17])
{
    uint8_t h[32];
    if (mbedtls_sha256_ret(data, n, h, 0) != 0) {
        memset(h, 0, sizeof h);
    }
    (void)fw_hex_encode(h, 8, out, 17);
}

int sf_read_file(const char *path, size_t max, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return errno == ENOENT ? FW_E_NOENT : FW_E_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (errno == 0) {
            errno = EINVAL;
        }
        close(fd);
        return FW_E_IO;
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return FW_E_TOOBIG;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *p = malloc(size + 1);
    if (!p) {
        close(fd);
        return FW_E_NOMEM;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, p + got, size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break; /* shrank under us: treat what we have as the file */
        }
        got += (size_t)n;
    }
    close(fd);
    p[got] = '\0';
    *buf = p;
    *len = got;
    return 0;
}

int sf_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return FW_E_IO;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, (mode_t)mode);
    if (fd < 0) {
        return FW_E_IO;
    }
    /* O_CREAT does not change the mode of a leftover file: make sure. */
    int rc = fchmod(fd, (mode_t)mode) == 0 ? 0 : FW_E_IO;
    const uint8_t *p = data;
    for (size_t off = 0; rc == 0 && off < len;) {
        ssize_t n = write(fd, p + off, len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = FW_E_IO;
            break;
        }
        off += (size_t)n;
    }
    if (rc == 0 && fsync(fd) != 0) {
        rc = FW_E_IO;
    }
    if (close(fd) != 0 && rc == 0) {
        rc = FW_E_IO;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = FW_E_IO;
    }
    if (rc != 0) {
        int e = errno;
        (void)unlink(tmp);
        errno = e;
    }
    return rc;
}
