/*
 * proto_priv.h - shared by the files of firmware/proto only.
 */
#ifndef PROTO_PRIV_H
#define PROTO_PRIV_H

#include <stddef.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#include <stdbool.h>

#include "proto/wire.h"

/* True if a check's `reason` starts with the field's name ("trial: ...");
 * a check shared by several fields (an instant) leaves it to the caller. */
bool proto_names_field(const proto_field_t *f, const char *reason);

/* Print the reason into why[cap] (if given) and return `rc`. */
int proto_fail(char *why, size_t cap, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* PROTO_PRIV_H */
