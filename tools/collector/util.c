/*
 * Small helpers of the collector CLI, and its log sink: the collector is a
 * host tool, so it supplies hal/log.h itself (stderr) instead of linking a
 * board.
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <unistd.h>

#include "cli.h"
#include "now.h"
#include "fw/err.h"
#include "fw/iso8601.h"
#include "hal/log.h"

static hal_log_level_t s_threshold = HAL_LOG_INFO;

void collector_log_init(void)
{
    const char *v = getenv("SPARK_COLLECTOR_LOG");
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; v != NULL && i < 4; i++) {
        if (strcmp(v, names[i]) == 0) {
            s_threshold = (hal_log_level_t)i;
        }
    }
}

hal_log_level_t hal_log_threshold(void)
{
    return s_threshold;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    static const char lv[] = "EWID";
    char when[FW_ISO8601_LEN];
    fw_iso8601_format(collector_now(), when, sizeof when); /* simulated when the clock is */
    fprintf(stderr, "%s %c %s: %s\n", when, lv[(unsigned)level < 4 ? level : 3], tag, msg);
    fflush(stderr);
}

const char *collector_user_name(char *buf, size_t cap)
{
    const char *sudo = getenv("SUDO_USER");
    const struct passwd *pw = getpwuid(getuid());
    if (sudo != NULL && sudo[0] != '\0' && getuid() == 0) {
        (void)snprintf(buf, cap, "%s", sudo);
    } else if (pw != NULL && pw->pw_name != NULL) {
        (void)snprintf(buf, cap, "%s", pw->pw_name);
    } else {
        (void)snprintf(buf, cap, "uid %u", (unsigned)getuid());
    }
    return buf;
}
