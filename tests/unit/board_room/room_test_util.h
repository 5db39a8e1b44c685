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

#include "hal/log.h"
#include "room/room_board.h"

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

/* A cmocka fixture of `size` bytes whose first member is a room_tmp_t, its
 * temp dir made; NULL on failure. */
static inline void *room_fx_new(size_t size)
{
    room_tmp_t *t = calloc(1, size);
    if (!t || room_tmp_make(t) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

/* Options for a whole board in `t`: flash.bin and call.sock there, `t` as
 * the secure directory, no screen, no input, errors only in the log. */
static inline void room_test_board_options(const room_tmp_t *t, room_board_options_t *o,
                                           room_secure_backend_t backend, const char *serial)
{
    room_board_options_default(o);
    room_tmp_path(t, "flash.bin", o->flash, sizeof o->flash);
    snprintf(o->secure_dir, sizeof o->secure_dir, "%s", t->dir);
    o->secure_backend = backend;
    room_tmp_path(t, "call.sock", o->call_socket, sizeof o->call_socket);
    o->fb[0] = '\0';
    o->input[0][0] = '\0';
    snprintf(o->serial, sizeof o->serial, "%s", serial);
    o->log_level = HAL_LOG_ERROR;
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
