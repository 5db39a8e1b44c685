/*
 * Log sink: stderr, one line per record, stamped with *simulated* wall time so
 * a log of a month-long simulated run reads like the month it simulates.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fw/iso8601.h"
#include "hal/log.h"
#include "host_internal.h"

static hal_log_level_t s_level = HAL_LOG_INFO;

void host_log_set_level(hal_log_level_t level)
{
    s_level = level;
}

hal_log_level_t hal_log_threshold(void)
{
    return s_level;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    static const char letters[] = "EWID";
    if (level > s_level) {
        return;
    }
    time_t t;
    if (host_clock_ready()) {
        int64_t ms = host_clock_wall_ms();
        t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    } else {
        t = time(NULL); /* before init: real time is the best we have */
    }
    char stamp[FW_ISO8601_LEN];
    (void)fw_iso8601_format((int64_t)t, stamp, sizeof stamp);
    /* A message with a newline would forge a second record; flatten it. */
    char clean[512];
    size_t n = 0;
    for (const char *p = msg ? msg : ""; *p && n < sizeof clean - 1; p++) {
        clean[n++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    }
    clean[n] = '\0';
    unsigned idx = (unsigned)level < 4 ? (unsigned)level : 3;
    fprintf(stderr, "%s %c %s: %s\n", stamp, letters[idx], tag ? tag : "?", clean);
}
