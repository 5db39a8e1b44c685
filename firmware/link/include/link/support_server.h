/*
 * link/support_server.h - the room's read-only support port: a CoAP server
 * over DTLS with the provisioned support PSK (docs/SUPPORT.md).
 *
 * A thin libcoap adapter: it reads requests off the wire and does what the
 * pure policy (link/support_policy.h) decides; the documents themselves
 * come from the caller (the agent), through a callback, at the moment a
 * request asks for them. Its own libcoap context (link/coap_io.h), separate
 * from the uplink's, so nothing on this port touches reporting.
 *
 * Non-blocking and bounded: support_server_step() reads at most
 * SUPPORT_DATAGRAMS_PER_STEP datagrams and never waits; the agent calls it between its other work,
 * so however much arrives, calls and reports keep their time. Sessions are capped (handshakes and
 * idle ones), request bodies are never kept, and every client is rate-limited.
 */
#ifndef LINK_SUPPORT_SERVER_H
#define LINK_SUPPORT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/support_policy.h"

/* A document is at most this big (the state document with every field at
 * its maximum is about 3 KiB; a licence answer 4.1 KiB). */
#define SUPPORT_BODY_MAX 8192u
/* Datagrams one step reads at most (a step every 20 ms of the agent's
 * idle time: up to 800 a second, a bounded slice of the loop). */
#define SUPPORT_DATAGRAMS_PER_STEP 16u
/* DTLS sessions: at most this many in handshake, and this many idle. */
#define SUPPORT_HANDSHAKES_MAX 4u
#define SUPPORT_IDLE_SESSIONS_MAX 4u

/* The body of `res` (SUPPORT_RES_STATE or SUPPORT_RES_LICENCE) now, into
 * buf[cap], JSON. Returns the CoAP code to answer with (205; 404 when there
 * is nothing to show, with a body saying so; 500 when it cannot be made)
 * and *len the body's length (0: none). */
typedef int (*support_body_fn)(void *ctx, support_resource_t res, char *buf, size_t cap,
                               size_t *len);

typedef struct {
    const char *listen; /* "ADDR:PORT": 127.0.0.1:5684, [::]:5684 */
    const uint8_t *psk; /* the support PSK (copied) */
    size_t psk_len;
    support_body_fn body;
    void *ctx;
    const support_limits_t *limits; /* NULL: SUPPORT_LIMITS_DEFAULT */
} support_config_t;

typedef struct {
    support_counts_t requests;   /* what the policy decided */
    uint32_t identities_refused; /* handshakes offering another identity */
    uint32_t handshakes_failed;  /* DTLS errors (a wrong key, garbage) */
    uint32_t sessions;           /* DTLS sessions now */
    uint32_t sessions_peak;      /* and at most, since open */
} support_stats_t;

typedef struct support_server support_server_t;

/* Listen on cfg->listen. FW_E_INVAL for a bad address or key,
 * FW_E_UNSUPPORTED without DTLS, FW_E_NET when the address cannot be bound
 * (in use, not ours), FW_E_NOMEM. `now_ms`: hal_clock_net_ms(). */
int support_server_open(support_server_t **out, const support_config_t *cfg, uint64_t now_ms);

/* One I/O step: what has come in, up to SUPPORT_DATAGRAMS_PER_STEP
 * datagrams, their answers out, timeouts; never waits. `now_ms` as above (rate limits are about
 * real time). */
void support_server_step(support_server_t *s, uint64_t now_ms);

void support_server_stats(const support_server_t *s, support_stats_t *out);

/* Close every session (close_notify) and the socket; wipes the key. NULL
 * is fine. */
void support_server_close(support_server_t *s);

/* The adapter's reading of a request, for the fuzz target: `pdu` is a
 * coap_pdu_t (void here so this header names no libcoap type). */
void support_request_read(const void *pdu, support_request_t *out);

#endif /* LINK_SUPPORT_SERVER_H */
