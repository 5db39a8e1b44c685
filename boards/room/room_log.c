/*
 * Log sink: syslog (facility daemon, ident "spark-agent"), so journald on the
 * device keeps the lines with their priority; optionally stderr as well, for
 * a technician running the agent by hand. syslog stamps time itself.
 */
#include <stdio.h>
#include <syslog.h>

#include "hal/log.h"
#include "room_internal.h"

static hal_log_level_t s_level = HAL_LOG_INFO;
static bool s_stderr = true; /* before room_log_open(): a main() error is seen */
static bool s_open;

void room_log_open(hal_log_level_t level, bool also_stderr)
{
    s_level = level;
    s_stderr = also_stderr;
    if (!s_open) {
        openlog("spark-agent", LOG_PID | LOG_NDELAY, LOG_DAEMON);
        s_open = true;
    }
}

void room_log_close(void)
{
    if (s_open) {
        closelog();
        s_open = false;
    }
    s_stderr = true;
}

hal_log_level_t hal_log_threshold(void)
{
    return s_level;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    static const char letters[] = "EWID";
    if (level > s_level) {
        return;
    }
    unsigned idx = (unsigned)level < 4 ? (unsigned)level : 3;
    /* A newline would forge a second record; a '%' is harmless (we pass
     * "%s"), but flatten control characters all the same. */
    char clean[512];
    size_t n = 0;
    for (const char *p = msg ? msg : ""; *p && n < sizeof clean - 1; p++) {
        clean[n++] = ((unsigned char)*p < 0x20) ? ' ' : *p;
    }
    clean[n] = '\0';
    if (s_open) {
        syslog(prio[idx], "%s: %s", tag ? tag : "?", clean);
    }
    if (s_stderr || !s_open) {
        fprintf(stderr, "%c %s: %s\n", letters[idx], tag ? tag : "?", clean);
    }
}
