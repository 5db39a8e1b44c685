/*
 * link/link.h - the uplink to the collector: CoAP over DTLS with a PSK.
 *
 * Two halves: the session logic is a pure state machine (link/link_sm.h,
 * tested with a hand-moved clock), and link.c is the thin adapter that feeds
 * it what libcoap and the HAL resolver report and carries out its actions.
 * firmware/link is the only code that includes libcoap; it names no TLS back
 * end (whatever libcoap was built with does the DTLS). Non-blocking: the
 * agent drives it with link_step() once per loop turn and gets every answer
 * through a callback from inside link_step().
 *
 * Session policy (docs/REPORTING.md has the measurements):
 *  - one DTLS session, opened when there is something to send (after a
 *    backoff delay with random jitter, also on the first attempt), reused for
 *    every request while it is up;
 *  - the collector's host name is looked up again at every session start
 *    (hal/net.h, never blocking), so a room that boots before its network or
 *    whose collector moved needs no restart; a name that does not resolve is
 *    a failed attempt like a failed handshake: logged once per streak, backed
 *    off; a failed handshake moves on to the name's next address;
 *  - released after `idle_close_s` with nothing in flight (unless
 *    `keepalive_s` keeps it, and the NAT mapping, open);
 *  - dropped and re-handshaken when the peer closes it or the DTLS layer
 *    fails, after `timeout_streak` requests in a row timed out, or when the
 *    key changes (link_set_psk);
 *  - requests are confirmable (CoAP retransmission: ACK_TIMEOUT *
 *    2^MAX_RETRANSMIT with random factor), bodies above one datagram go
 *    block-wise (RFC 7959, libcoap does it); the answer may come in the ACK
 *    or as a separate response after an empty ACK (the collector's group
 *    commit), and a request whose answer has not come `response_timeout_ms`
 *    after it was sent times out like one never acknowledged.
 * Every link_post() gets exactly one callback: the response, or an error
 * (FW_E_TIMEOUT, FW_E_NET). Nothing is retried here: the report queue keeps
 * what was not acknowledged and the agent decides when to send it again.
 * Response bodies are handed over as they are (the agent reads "server_time"
 * out of them, not the transport).
 */
#ifndef LINK_LINK_H
#define LINK_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINK_MAX_PENDING 8u
#define LINK_PATH_MAX 48u
#define LINK_HOST_MAX 253u /* longest DNS name */

typedef struct {
    const char *host; /* name or address literal */
    uint16_t port;    /* the DTLS port */
    const char *identity;
    const uint8_t *psk;
    size_t psk_len;
    uint32_t idle_close_s;       /* 0 = 20 s */
    uint32_t keepalive_s;        /* 0 = none (the default: see docs/REPORTING.md) */
    uint32_t timeout_streak;     /* 0 = 2 */
    uint32_t connect_timeout_ms; /* handshake bound; 0 = 20 s */
    uint32_t resolve_timeout_ms; /* name lookup bound; 0 = 30 s */
    uint32_t ack_timeout_ms;     /* CoAP ACK_TIMEOUT; 0 = libcoap's (2 s) */
    uint8_t max_retransmit;      /* CoAP MAX_RETRANSMIT; 0 = libcoap's (4) */
    /* The longest wait for a request's answer, acknowledged or not (a
     * separate response that never comes: the collector went away after
     * its empty ACK); 0 = MAX_TRANSMIT_WAIT + 60 s (153 s with libcoap's
     * defaults), after libcoap has given up retransmitting. */
    uint32_t response_timeout_ms;
    uint32_t rand_seed; /* jitter; give something device-unique */
} link_config_t;

typedef struct {
    int err;             /* 0 if a response arrived, else FW_E_TIMEOUT / FW_E_NET */
    int code;            /* CoAP code as class * 100 + detail (201, 204, 205, 404); 0 if none */
    const uint8_t *body; /* valid during the callback only */
    size_t len;
    bool notification; /* an Observe notification (link_observe) */
    /* The answer to a request this link sent at sent_ms (hal_clock_mono_ms()):
     * whatever the server stamped it with was read between then and now.
     * False for an Observe notification after the first answer (the server
     * sent it on its own) and for errors. */
    bool timed;
    uint64_t sent_ms;
} link_response_t;

typedef void (*link_cb_t)(void *ctx, const link_response_t *r);

typedef struct {
    uint32_t resolves;         /* name lookups started (one per session start) */
    uint32_t resolve_failures; /* lookups that failed or timed out */
    uint32_t handshakes;       /* sessions started */
    uint32_t connected;        /* sessions that completed the handshake */
    uint32_t requests;         /* requests sent */
    uint32_t responses;        /* responses received */
    uint32_t failures;         /* callbacks with err != 0 */
    uint32_t attempt;          /* current reconnect attempt (0 when healthy) */
} link_stats_t;

typedef struct link link_t;

/* Create a link (no network traffic, no lookup yet). Copies everything in
 * cfg. FW_E_INVAL for a missing or over-long host, a missing identity/key,
 * FW_E_UNSUPPORTED if libcoap has no DTLS, FW_E_NOMEM. */
int link_open(link_t **out, const link_config_t *cfg);

/* New PSK identity/key (re-provisioning): the current session is dropped,
 * the next one handshakes with the new key. */
int link_set_psk(link_t *l, const char *identity, const uint8_t *psk, size_t psk_len);

/* Queue a confirmable POST of `body` (JSON, Content-Format 50) to `path`
 * ("/v1/usage"). The body is copied. FW_E_NOMEM when LINK_MAX_PENDING are in
 * flight, FW_E_TOOBIG above 64 KiB. */
int link_post(link_t *l, const char *path, const void *body, size_t len, link_cb_t cb, void *ctx);

/* GET `path` with Observe. `cb` gets the first response and every
 * notification; the registration is repeated on every new session, so a
 * server that does not keep observers is simply polled once per session.
 * One observation at a time; link_observe(l, NULL, ...) stops it. */
int link_observe(link_t *l, const char *path, link_cb_t cb, void *ctx);

/* Ask for a session soon even with nothing to post: the observation is
 * registered again on it (fresh licence news and server time). */
void link_refresh(link_t *l);

/* Drive the link: connect if there is work and the backoff allows, send,
 * receive, time out, close an idle session. Waits at most `budget_ms` for
 * the network (0 = do not wait). `now_ms` is the agent's monotonic clock.
 * Returns 0, or a negative error that the agent only logs. */
int link_step(link_t *l, uint64_t now_ms, uint32_t budget_ms);

/* True if nothing is queued or in flight. */
bool link_is_idle(const link_t *l);

/* True while an answer can come any moment: a lookup or a handshake under
 * way, or requests on an open session. False while idle or waiting out a
 * backoff, when there is nothing to wait for. */
bool link_is_waiting(const link_t *l);
/* True while a DTLS session is established. */
bool link_is_up(const link_t *l);

void link_stats(const link_t *l, link_stats_t *out);

/* Release the session (a DTLS close_notify goes out) and everything else.
 * Pending requests get FW_E_NET. NULL is fine. */
void link_close(link_t *l);

#endif /* LINK_LINK_H */
