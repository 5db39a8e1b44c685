/* Log lines in a ring buffer, so a test can assert that something was said. */
#include "fakes/fake_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/log.h"

#define LINE_BYTES 600

static char s_lines[FAKE_LOG_LINES][LINE_BYTES];
static size_t s_count;

bool fake_log_contains(const char *substr)
{
    size_t kept = s_count < FAKE_LOG_LINES ? s_count : FAKE_LOG_LINES;
    /* cppcheck-suppress knownConditionTrueFalse ; s_count grows in hal_log_write() */
    for (size_t i = 0; i < kept; i++) {
        if (strstr(s_lines[i], substr)) {
            return true;
        }
    }
    return false;
}

void fake_log_clear(void)
{
    s_count = 0;
}

size_t fake_log_count(void)
{
    return s_count;
}

const char *fake_log_line(size_t n_back)
{
    if (n_back >= s_count || n_back >= FAKE_LOG_LINES) {
        return NULL;
    }
    return s_lines[(s_count - 1 - n_back) % FAKE_LOG_LINES];
}

hal_log_level_t hal_log_threshold(void)
{
    return HAL_LOG_DEBUG;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    static const char letters[] = "EWID";
    char *line = s_lines[s_count % FAKE_LOG_LINES];
    snprintf(line, LINE_BYTES, "%c %s: %s", letters[(unsigned)level < 4 ? level : 3],
             tag ? tag : "?", msg ? msg : "");
    s_count++;
    if (getenv("SPARK_FAKE_LOG_ECHO")) {
        fprintf(stderr, "%s\n", line);
    }
}
