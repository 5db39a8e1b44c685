/*
 * cli.h - shared bits of the spark-collector commands.
 * Exit codes: 0 ok, 1 failure / refused, 2 usage.
 */
#ifndef COLLECTOR_CLI_H
#define COLLECTOR_CLI_H

#include <stddef.h>
#include <stdint.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int collector_cmd_serve(int argc, char **argv);
int collector_cmd_admin(int argc, char **argv);

/* "YYYY-MM-DD[THH:MM[:SS]]" + "Z" or "+HH:MM"/"-HH:MM" (a date alone is
 * midnight UTC). 0 or FW_E_FORMAT. */
int collector_iso8601_parse(const char *s, int64_t *out);
/* "YYYY-MM-DDTHH:MM:SSZ" (buf >= 21 bytes). */
char *collector_iso8601_format(int64_t t, char *buf, size_t cap);

/* Read a whole small file (NUL added). NULL with a message on stderr. */
char *collector_read_file(const char *what, const char *path, size_t max, size_t *len);

/* Log sink: stderr, one line each, with a UTC timestamp. Threshold from
 * SPARK_COLLECTOR_LOG (error|warn|info|debug; default info). */
void collector_log_init(void);

#endif /* COLLECTOR_CLI_H */
