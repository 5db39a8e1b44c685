/* Formats log lines once, here, so boards only ever see finished text. */
#include "fw/log.h"

#include <stdarg.h>
#include <stdio.h>

void fw_log(hal_log_level_t level, const char *tag, const char *fmt, ...)
{
    if (level > hal_log_threshold()) {
        return;
    }
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof line, fmt, ap); /* a cut line beats no line */
    va_end(ap);
    hal_log_write(level, tag, line);
}
