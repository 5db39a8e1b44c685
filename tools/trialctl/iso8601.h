/*
 * iso8601.h - UTC instants as text, for the support CLI.
 */
#ifndef TRIALCTL_ISO8601_H
#define TRIALCTL_ISO8601_H

#include <stddef.h>
#include <stdint.h>

/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.frac]]" followed by "Z" or
 * "+HH:MM"/"-HH:MM" (a date alone is midnight UTC; fractions are dropped).
 * Returns 0 or FW_E_FORMAT. */
int iso8601_parse(const char *s, int64_t *out);

/* "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). Returns buf. */
char *iso8601_format(int64_t t, char *buf, size_t cap);

#endif /* TRIALCTL_ISO8601_H */
