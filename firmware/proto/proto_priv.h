/*
 * proto_priv.h - shared by the files of firmware/proto only.
 */
#ifndef PROTO_PRIV_H
#define PROTO_PRIV_H

#include <stddef.h>

/* Print the reason into why[cap] (if given) and return `rc`. */
int proto_fail(char *why, size_t cap, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* PROTO_PRIV_H */
