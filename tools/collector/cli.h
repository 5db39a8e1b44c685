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

/* Log sink: stderr, one line each, with a UTC timestamp. Threshold from
 * SPARK_COLLECTOR_LOG (error|warn|info|debug; default info). */
void collector_log_init(void);

/* Who runs this command, for the audit trail: the login name of the user
 * (the one behind sudo when run with sudo), else "uid N". Returns `buf`. */
const char *collector_user_name(char *buf, size_t cap);

#endif /* COLLECTOR_CLI_H */
