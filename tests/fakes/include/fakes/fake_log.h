/*
 * fakes/fake_log.h - log lines kept in memory for assertions.
 *
 * Threshold is debug (every line is kept). The last FAKE_LOG_LINES lines are
 * kept as "L tag: message" (L = E/W/I/D). Set SPARK_FAKE_LOG_ECHO in the
 * environment to also see them on stderr.
 */
#ifndef FAKES_FAKE_LOG_H
#define FAKES_FAKE_LOG_H

#include <stdbool.h>
#include <stddef.h>

#define FAKE_LOG_LINES 64

/* True if any kept line contains `substr`. */
bool fake_log_contains(const char *substr);
/* Forget all kept lines. */
void fake_log_clear(void);
/* Number of lines written since the last clear (may exceed FAKE_LOG_LINES). */
size_t fake_log_count(void);
/* The n-th most recent line (0 = last), or NULL. */
const char *fake_log_line(size_t n_back);

#endif /* FAKES_FAKE_LOG_H */
