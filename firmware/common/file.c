/*
 * Whole files: one reader, one crash-atomic writer (fw/file.h).
 */
#include "fw/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw/err.h"
#include "fw/path.h"

int fw_file_read(const char *path, size_t max, uint8_t **buf, size_t *len)
{
    if (path == NULL || buf == NULL || len == NULL || max >= SIZE_MAX - 1) {
        return FW_E_INVAL;
    }
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? FW_E_NOENT : FW_E_IO;
    }
    struct stat st;
    int e = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e != 0) {
        close(fd);
        errno = e;
        return FW_E_IO;
    }
    /* The size is only a first guess (sysfs says 4096, a pipe 0, a file may
     * grow): the limit is checked on the bytes actually read, one past max. */
    size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= max
                     ? (size_t)st.st_size + 1
                     : (max < 4096 ? max + 1 : 4096);
    uint8_t *p = malloc(cap + 1);
    int rc = p != NULL ? 0 : FW_E_NOMEM;
    size_t got = 0;
    while (rc == 0) {
        if (got == cap) {
            if (cap > max) {
                rc = FW_E_TOOBIG;
                break;
            }
            size_t ncap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
            uint8_t *q = realloc(p, ncap + 1);
            if (q == NULL) {
                rc = FW_E_NOMEM;
                break;
            }
            p = q;
            cap = ncap;
        }
        ssize_t n = read(fd, p + got, cap - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = FW_E_IO;
        } else if (n == 0) {
            break;
        } else {
            got += (size_t)n;
        }
    }
    e = errno;
    close(fd);
    if (rc == 0 && got > max) {
        rc = FW_E_TOOBIG;
    }
    if (rc != 0) {
        free(p);
        errno = e;
        return rc;
    }
    p[got] = '\0';
    *buf = p;
    *len = got;
    return 0;
}

int fw_file_sync_dir(const char *path)
{
    char dir[PATH_MAX];
    if (path == NULL || fw_path_dir(path, dir, sizeof dir) != 0) {
        return FW_E_INVAL;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return FW_E_IO;
    }
    int rc = fsync(fd) == 0 ? 0 : FW_E_IO;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int fw_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
    if (path == NULL || (data == NULL && len > 0)) {
        return FW_E_INVAL;
    }
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return FW_E_TOOBIG;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
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
        return rc;
    }
    return fw_file_sync_dir(path);
}

const char *fw_file_error(int rc)
{
    switch (rc) {
    case 0: return "no error";
    case FW_E_NOENT: return "no such file";
    case FW_E_TOOBIG: return "too large";
    case FW_E_NOMEM: return "out of memory";
    case FW_E_IO: return strerror(errno);
    default: return fw_strerror(rc);
    }
}
