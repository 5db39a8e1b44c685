/*
 * hal/net.h - the device's network uplink: whether it is up, and names.
 *
 * Sockets themselves are POSIX on every board we have; this reports the link
 * state so the agent does not try to send while it is known to be down (the
 * host board's scenario file can take the network down and up), and looks
 * up host names without blocking the agent's loop (a DNS timeout must never
 * hold up an emergency call).
 */
#ifndef HAL_NET_H
#define HAL_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

bool hal_net_is_up(void);

#define HAL_NET_ADDRS_MAX 4u

/* Addresses of one lookup, in the order the resolver prefers them. Ports
 * are 0: the caller sets its own. */
typedef struct {
    uint32_t n;
    struct {
        struct sockaddr_storage sa;
        socklen_t len;
    } addr[HAL_NET_ADDRS_MAX];
} hal_net_addrs_t;

/* Start looking up `host` (a name or an address literal) for UDP. Returns at
 * once. One lookup at a time: starting another abandons the one under way.
 * 0, or FW_E_INVAL (empty or over-long name), FW_E_NOMEM. */
int hal_net_resolve_start(const char *host);

/* How the lookup is doing: 1 still under way; 0 done, `out` holds 1..
 * HAL_NET_ADDRS_MAX addresses; FW_E_NOENT the name does not resolve (now);
 * FW_E_NET the resolver could not be asked (no DNS server reachable, ...);
 * FW_E_STATE no lookup started. A finished lookup is forgotten once polled. */
int hal_net_resolve_poll(hal_net_addrs_t *out);

/* Abandon the lookup under way, if any (its answer is never reported). */
void hal_net_resolve_cancel(void);

#endif /* HAL_NET_H */
