/*
 * link/coap_io.h - libcoap context handling shared by every CoAP endpoint of
 * the device (firmware/link is the only firmware code that includes libcoap).
 *
 * Today the uplink (link.c) is the one firmware user, and the collector
 * (tools/collector) starts libcoap through it too; the read-only support
 * server (issue 12) is meant to be the second endpoint, with its own context
 * made here: one
 * process-wide libcoap start with its log lines routed into fw_log, contexts
 * with the same block-wise and session settings, a bounded I/O turn, and
 * HAL addresses turned into libcoap's.
 */
#ifndef LINK_COAP_IO_H
#define LINK_COAP_IO_H

#include <stdint.h>
#include <sys/socket.h>

#include <coap3/coap.h>

typedef struct {
    uint32_t keepalive_s;       /* CoAP ping on idle sessions; 0 = none */
    unsigned max_idle_sessions; /* 0 = libcoap's default */
    void *app;                  /* coap_get_app_data() of the context */
} link_coap_opts_t;

/* Once per process (later calls only re-check): coap_startup(), libcoap's
 * log at warning level into fw_log (tag "libcoap"). FW_E_UNSUPPORTED when
 * this libcoap has no DTLS. */
int link_coap_init(void);

/* A context with block-wise transfers done by libcoap (whole bodies handed
 * to the application). NULL when out of memory. */
coap_context_t *link_coap_context_new(const link_coap_opts_t *opts);

/* One I/O turn: send, receive, run handlers, time out; waits at most
 * `budget_ms` for the sockets (0 = not at all). */
void link_coap_io(coap_context_t *ctx, uint32_t budget_ms);

/* Free a context (and every session in it, in libcoap's own order); sets
 * *ctx to NULL. NULL or *ctx NULL is fine. */
void link_coap_context_free(coap_context_t **ctx);

/* `sa` (as hal_net_resolve_poll() gives it) with `port` as a libcoap
 * address. FW_E_INVAL for an address family libcoap cannot hold. */
int link_coap_address(coap_address_t *out, const struct sockaddr_storage *sa, socklen_t len,
                      uint16_t port);

#endif /* LINK_COAP_IO_H */
