/*
 * Display: each presented frame becomes DIR/current.png (always the latest,
 * replaced by rename so a viewer never reads half a file) and, when it
 * differs from the previous frame, DIR/screen-NNNN.png: a numbered history of
 * what the room showed, one file per change, so a month-long simulated run
 * leaves a handful of files rather than one per loop turn.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fw/err.h"
#include "hal/display.h"
#include "sim/png.h"
#include "host_config.h"
#include "host_internal.h"

#define FRAME_BYTES ((size_t)HOST_DISPLAY_WIDTH * HOST_DISPLAY_HEIGHT * 3)

static bool s_open;
static char *s_dir;
static uint8_t *s_last; /* previous frame, NULL until the first present */
static unsigned s_changes;
static unsigned long s_presents, s_writes; /* frames shown; PNG files written */
/* Frames already saved as screen-NNNN.png: a screen that alternates (the
 * lapsed screens, R10/R12) adds no file each time it comes back. */
#define SEEN_MAX 256
static uint64_t s_seen[SEEN_MAX];
static unsigned s_n_seen;

static uint64_t frame_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ull;
    }
    return h;
}

static bool seen_before(uint64_t h)
{
    for (unsigned i = 0; i < s_n_seen; i++) {
        if (s_seen[i] == h) {
            return true;
        }
    }
    if (s_n_seen < SEEN_MAX) {
        s_seen[s_n_seen++] = h;
    }
    return false;
}

int host_display_open(const char *dir)
{
    s_changes = 0;
    s_presents = s_writes = 0;
    s_last = NULL;
    s_n_seen = 0;
    s_dir = NULL;
    if (dir) {
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            return host_fail(FW_E_IO, "--screen: cannot create directory %s: %s", dir,
                             strerror(errno));
        }
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            return host_fail(FW_E_IO, "--screen: %s is not a directory", dir);
        }
        s_dir = host_path_with_suffix(dir, "");
        if (!s_dir) {
            return FW_E_NOMEM;
        }
    }
    s_open = true;
    return 0;
}

void host_display_close(void)
{
    if (s_dir) {
        host_log(HAL_LOG_INFO, "screen: %lu frames presented, %lu PNG files written (%u distinct)",
                 s_presents, s_writes, s_changes);
    }
    free(s_dir);
    free(s_last);
    s_dir = NULL;
    s_last = NULL;
    s_open = false;
}

/* Write `name` in the screen dir (via a temporary file and a rename). */
static int write_png(const char *name, const uint8_t *pixels)
{
    size_t n = strlen(s_dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path) {
        return FW_E_NOMEM;
    }
    snprintf(path, n, "%s/%s", s_dir, name);
    /* Screens are mostly flat colour: fast compression is nearly as small. */
    int rc = sim_png_write(path, pixels, HOST_DISPLAY_WIDTH, HOST_DISPLAY_HEIGHT, true);
    if (rc != 0) {
        host_log(HAL_LOG_WARN, "cannot write screen %s", path);
    }
    free(path);
    return rc;
}

int hal_display_info(hal_display_info_t *info)
{
    if (!info) {
        return FW_E_INVAL;
    }
    info->width = HOST_DISPLAY_WIDTH;
    info->height = HOST_DISPLAY_HEIGHT;
    info->format = HAL_PIXFMT_RGB888;
    return 0;
}

int hal_display_present(const uint8_t *pixels)
{
    if (!pixels) {
        return FW_E_INVAL;
    }
    if (!s_open) {
        return FW_E_STATE;
    }
    s_presents++;
    if (!s_dir) {
        return 0; /* no --screen: the frame goes nowhere, by request */
    }
    if (s_last && memcmp(s_last, pixels, FRAME_BYTES) == 0) {
        return 0;
    }
    if (!s_last && !(s_last = malloc(FRAME_BYTES))) {
        return FW_E_NOMEM;
    }
    memcpy(s_last, pixels, FRAME_BYTES);
    int rc = 0;
    if (!seen_before(frame_hash(pixels, FRAME_BYTES))) {
        s_changes++;
        char name[32];
        snprintf(name, sizeof name, "screen-%04u.png", s_changes);
        rc = write_png(name, pixels);
        s_writes++;
    }
    int rc2 = write_png("current.png", pixels);
    s_writes++;
    return rc != 0 ? rc : rc2;
}
