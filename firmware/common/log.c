/* Formats log lines once, here, so boards only ever see finished text. */
#include "fw/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static char s_problem[160];
static unsigned s_problems;

void fw_log(hal_log_level_t level, const char *tag, const char *fmt, ...)
{
    bool problem = level <= HAL_LOG_WARN;
    if (level > hal_log_threshold() && !problem) {
        return;
    }
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof line, fmt, ap); /* a cut line beats no line */
    va_end(ap);
    if (problem) {
        /* cut to what support is shown; the result is looked at so gcc does
         * not take the cut for a mistake */
        if (snprintf(s_problem, sizeof s_problem, "%s: %.150s", tag, line) < 0) {
            s_problem[0] = '\0';
        }
        s_problems++;
    }
    if (level <= hal_log_threshold()) {
        hal_log_write(level, tag, line);
    }
}

unsigned fw_log_last_problem(char *buf, size_t cap)
{
    if (buf && cap) {
        (void)snprintf(buf, cap, "%s", s_problems ? s_problem : "");
    }
    return s_problems;
}
