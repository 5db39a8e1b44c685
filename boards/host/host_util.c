/*
 * What every part of the host board shares: default options, the last error,
 * board log lines and two file helpers. Part of the board's storage half (host_storage.h),
 * so it names nothing but libc and hal/log.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw/err.h"
#include "fw/path.h"
#include "host_internal.h"

static char s_last_error[512];

/* --------------------------------------------------------------- options */

void host_board_options_default(host_board_options_t *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->clock_start_now = true;
    opts->clock_rate = 1.0;
    opts->cut_after = -1;
    opts->kill_at = -1;
    opts->cut_seed = 1;
    opts->log_level = HAL_LOG_INFO;
}

/* ---------------------------------------------------------------- errors */

void host_error_clear(void)
{
    s_last_error[0] = '\0';
}

int host_fail(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(s_last_error, sizeof s_last_error, fmt, ap);
    va_end(ap);
    fprintf(stderr, "host: %s\n", s_last_error);
    return err;
}

const char *host_board_last_error(void)
{
    return s_last_error;
}

/* --------------------------------------------------------------- helpers */

char *host_path_with_suffix(const char *path, const char *suffix)
{
    size_t a = strlen(path), b = strlen(suffix);
    char *p = malloc(a + b + 1);
    if (p) {
        memcpy(p, path, a);
        memcpy(p + a, suffix, b + 1);
    }
    return p;
}
