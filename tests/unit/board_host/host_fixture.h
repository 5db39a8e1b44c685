/*
 * host_fixture.h - what the host board's tests share (test_host_board.c,
 * test_host_board_room.c): the per-test fixture, in its own mkdtemp dir, and
 * small file and stderr helpers (host_fixture.c).
 */
#ifndef TESTS_HOST_FIXTURE_H
#define TESTS_HOST_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "host/host_board.h"

#define T0 1796115600LL /* 2026-12-01T09:00:00Z */
#define FLASH_BYTES (512u * 1024u)

typedef struct {
    char dir[64];
    char flash[128];
    char secure[136];
    char screen[128];
    char scenario[128];
    host_board_options_t opts;
} fixture_t;

/* `out` = the fixture's dir / `name`. */
void path_in(const fixture_t *f, char *out, size_t n, const char *name);
/* cmocka setup: a fresh dir, the board's default options pointing into it,
 * the clock stepped from T0; teardown: the board deinit, the dir removed. */
int setup(void **state);
int teardown(void **state);
void write_text(const char *path, const char *text);
/* The size of `path`, -1 when there is none. */
off_t file_size(const char *path);
bool exists(const char *path);
/* Stderr to a file between capture_start() and capture_stop(), which returns
 * the file's text (a static buffer). */
void capture_start(const fixture_t *f);
char *capture_stop(const fixture_t *f);

#endif /* TESTS_HOST_FIXTURE_H */
