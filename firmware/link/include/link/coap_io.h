/*
 * link/coap_io.h - libcoap context handling shared by every CoAP endpoint of
 * the device (firmware/link is the only firmware code that includes libcoap).
 *
 * Two firmware users, each with its own context: the uplink (link.c) and
 * the read-only support server (support_server.c); the collector
 * (tools/collector) starts libcoap through it too. One
 * process-wide libcoap start with its log lines routed into fw_log, contexts
 * with the same block-wise and session settings, a bounded I/O turn, and
 * HAL addresses turned into libcoap's.
 */
#ifndef LINK_COAP_IO_H
#define LINK_COAP_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <coap3/coap.h>

typedef struct {
    uint32_t keepalive_s;       /* CoAP ping on idle sessions; 0 = none */
    unsigned max_idle_sessions; /* 0 = libcoap's default */
    unsigned max_handshakes;    /* server: DTLS handshakes at once; 0 = libcoap's default */
    /* A server that takes no request bodies: block-wise requests reach the
     * handlers block by block and libcoap reassembles nothing (its single-
     * body mode grows without a limit in 4.3.1). Responses still go
     * block-wise. */
    bool no_request_bodies;
    void *app; /* coap_get_app_data() of the context */
} link_coap_opts_t;

/* Once per process (later calls only re-check): coap_startup(), libcoap's
 * log at warning level into fw_log (tag "libcoap"). FW_E_UNSUPPORTED when
 * this libcoap has no DTLS. */
int link_coap_init(void);

/* A process may drop some of libcoap's lines: `drop` sees each one first
 * and returns true for those not to log (NULL: none dropped). */
void link_coap_log_filter(bool (*drop)(const char *message));

/* A context with block-wise transfers done by libcoap (whole bodies handed
 * to the application). NULL when out of memory. */
coap_context_t *link_coap_context_new(const link_coap_opts_t *opts);

/* One I/O turn: send, receive, run handlers, time out; waits at most
 * `budget_ms` for the sockets (0 = not at all). */
void link_coap_io(coap_context_t *ctx, uint32_t budget_ms);

/* Turns without waiting while something is there to read (each reads at
 * most one datagram per socket), at most `max_turns`. Returns the turns
 * taken. A server under load answers what came in without ever taking
 * more than its bound of the caller's time. */
unsigned link_coap_io_some(coap_context_t *ctx, unsigned max_turns);

/* Free a context (and every session in it, in libcoap's own order); sets
 * *ctx to NULL. NULL or *ctx NULL is fine. */
void link_coap_context_free(coap_context_t **ctx);

/* `sa` (as hal_net_resolve_poll() gives it) with `port` as a libcoap
 * address. FW_E_INVAL for an address family libcoap cannot hold. */
int link_coap_address(coap_address_t *out, const struct sockaddr_storage *sa, socklen_t len,
                      uint16_t port);

/* A DTLS client session to `server` with a PSK `identity` (a string) and
 * `key` (libcoap copies both). NULL when libcoap cannot make one. */
coap_session_t *link_coap_session_psk(coap_context_t *ctx, const coap_address_t *server,
                                      const char *identity, const uint8_t *key, size_t key_len);

/* A DTLS server endpoint on `addr` whose PSK for a client's identity comes
 * from `psk_for` (NULL from it refuses the handshake). 0, FW_E_NOMEM, or
 * FW_E_NET when the address cannot be bound. */
int link_coap_listen_psk(coap_context_t *ctx, const coap_address_t *addr,
                         coap_dtls_id_callback_t psk_for, void *arg);

/* "ADDR:PORT" (fw/sockaddr.h) as a libcoap address to listen on.
 * FW_E_FORMAT otherwise. */
int link_coap_parse_listen(const char *spec, coap_address_t *out);

#endif /* LINK_COAP_IO_H */
