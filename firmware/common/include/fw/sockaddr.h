/*
 * fw/sockaddr.h - "ADDR:PORT" as a socket address: the one parser of every
 * listen address (the collector's --listen, the support port's
 * --support-listen and room.conf support_listen).
 */
#ifndef FW_SOCKADDR_H
#define FW_SOCKADDR_H

#include <sys/socket.h>

/* `spec`: an IPv4 literal or an IPv6 literal in brackets, a colon and a
 * port 1..65535 (127.0.0.1:5684, [::1]:5684, [::]:5684); no names (a listen
 * address must not wait for DNS). 0 with *out and *len, or FW_E_FORMAT. */
int fw_sockaddr_parse(const char *spec, struct sockaddr_storage *out, socklen_t *len);

#endif /* FW_SOCKADDR_H */
