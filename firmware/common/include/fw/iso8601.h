/*
 * fw/iso8601.h - UTC instants as text: the one parser and the one formatter
 * of every board and tool (--clock-start, --trial-exp, --at, show ...).
 *
 * Accepted, and nothing else (ISO 8601 extended format, whole seconds):
 *   YYYY-MM-DD                      midnight UTC of that day
 *   YYYY-MM-DDTHH:MM[:SS]Z          UTC
 *   YYYY-MM-DDTHH:MM[:SS]+HH:MM     an offset east of UTC (or -HH:MM west)
 * Upper-case T and Z; years 1970-9999; real calendar dates (2025-02-29 is
 * refused); no leap second, no fraction, no space, no basic format
 * (20261201), and a time always names its zone (a local time is ambiguous).
 * The instant must lie in [0, FW_ISO8601_MAX].
 */
#ifndef FW_ISO8601_H
#define FW_ISO8601_H

#include <stddef.h>
#include <stdint.h>

#define FW_ISO8601_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define FW_ISO8601_LEN 21u                   /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/* Parse `s` into seconds since the epoch. Returns 0, FW_E_INVAL (NULL
 * arguments) or FW_E_FORMAT; then, if `why` is not NULL, *why is a short
 * static text naming what is wrong ("month out of range", ...). */
int fw_iso8601_parse(const char *s, int64_t *out, const char **why);

/* "YYYY-MM-DDTHH:MM:SSZ" into `buf` (cap >= FW_ISO8601_LEN); "?" when `t`
 * is outside [0, FW_ISO8601_MAX] or `cap` is too small. Returns `buf`. */
char *fw_iso8601_format(int64_t t, char *buf, size_t cap);

#endif /* FW_ISO8601_H */
