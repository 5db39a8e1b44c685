/*
 * hal_posix/resolve.h - non-blocking host name lookups with glibc's
 * getaddrinfo_a(), for boards that run Linux. Same contract as
 * hal_net_resolve_start/poll/cancel (hal/net.h), which the boards implement
 * by calling these (the host board first consults its --hosts test file).
 *
 * A lookup the resolver cannot cancel at once is kept until it finishes and
 * freed then; at most POSIX_RESOLVE_SLOTS lookups exist at a time (a new
 * start beyond that is FW_E_NOMEM, which the link treats as a failed lookup
 * and backs off).
 */
#ifndef HAL_POSIX_RESOLVE_H
#define HAL_POSIX_RESOLVE_H

#include "hal/net.h"

#define POSIX_RESOLVE_SLOTS 4
#define POSIX_RESOLVE_NAME_MAX 253 /* longest DNS name */

int posix_resolve_start(const char *host);
int posix_resolve_poll(hal_net_addrs_t *out);
void posix_resolve_cancel(void);

/* Copy the usable (IPv4, IPv6) addresses of a getaddrinfo() result into
 * `out`, in order, without duplicates. Returns how many. */
struct addrinfo;
uint32_t posix_resolve_collect(const struct addrinfo *ai, hal_net_addrs_t *out);

#endif /* HAL_POSIX_RESOLVE_H */
