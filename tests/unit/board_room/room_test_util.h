/*
 * Small helpers shared by the room board's tests: a temp dir per test and
 * files in it. Header-only so each test stays one executable.
 */
#ifndef ROOM_TEST_UTIL_H
#define ROOM_TEST_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char dir[64];
} room_tmp_t;

static inline int room_tmp_make(room_tmp_t *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/room-test-XXXXXX");
    return mkdtemp(t->dir) ? 0 : -1;
}

static inline void room_tmp_path(const room_tmp_t *t, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", t->dir, name);
}

/* Remove the dir and whatever files (one level) are in it. */
static inline void room_tmp_remove(room_tmp_t *t)
{
    DIR *d = opendir(t->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                char p[600];
                snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name);
                (void)unlink(p);
            }
        }
        closedir(d);
    }
    (void)rmdir(t->dir);
}

static inline int room_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = write(fd, data, len);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

/* A file of `len` bytes of `fill`. */
static inline int room_write_filled(const char *path, size_t len, unsigned char fill)
{
    unsigned char *buf = malloc(len ? len : 1);
    if (!buf) {
        return -1;
    }
    memset(buf, fill, len);
    int rc = room_write_file(path, buf, len);
    free(buf);
    return rc;
}

#endif /* ROOM_TEST_UTIL_H */
