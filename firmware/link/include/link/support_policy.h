/*
 * link/support_policy.h - what the room's support port decides, with no
 * network and no clock (docs/SUPPORT.md): who may connect, what a request
 * gets, how fast a client may ask. The adapter (link/support_server.h) reads
 * requests off libcoap and does what this says; this file is unit-tested
 * and fuzzed on its own.
 *
 * The port is read-only: GET on three resources, nothing else.
 *   /support/state     the state document (proto/support.h), JSON
 *   /support/licence   the licence token in force, JSON
 *   /.well-known/core  RFC 6690 link format listing the two above
 * Unknown paths get 4.04, other methods 4.05, a request that carries a body
 * 4.13, a client over its rate 4.29 (RFC 8516) with Max-Age saying when to
 * ask again, and past that nothing at all.
 */
#ifndef LINK_SUPPORT_POLICY_H
#define LINK_SUPPORT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The one PSK identity the port accepts (its key: the provisioned support
 * PSK). The uplink's identity and key, and any other, are refused. */
#define SUPPORT_IDENTITY "support"
#define SUPPORT_PORT_DEFAULT 5684u
/* A request path longer than this is not ours (4.04). */
#define SUPPORT_PATH_MAX 64u

typedef enum {
    SUPPORT_RES_STATE = 0,
    SUPPORT_RES_LICENCE,
    SUPPORT_RES_CORE,
    SUPPORT_RES_COUNT,
} support_resource_t;

/* CoAP method codes (RFC 7252, 8132). */
enum { SUPPORT_GET = 1 };

/* A request as the adapter read it off the wire. */
typedef struct {
    unsigned method;                 /* CoAP method code (0.01 GET = 1, ...) */
    char path[SUPPORT_PATH_MAX + 1]; /* Uri-Path segments joined by '/', no leading '/' */
    bool path_invalid;  /* longer than SUPPORT_PATH_MAX, or a segment holding '/' or NUL */
    size_t payload_len; /* bytes of payload in this message */
    bool block1;        /* it is part of a larger request body */
} support_request_t;

/* How fast clients may ask. Tokens are requests; a bucket refills at
 * `per_s` requests a second up to `burst`. */
typedef struct {
    uint32_t client_per_s, client_burst; /* each client address */
    uint32_t total_per_s, total_burst;   /* all clients together */
    uint32_t refusals_per_s;             /* 4.29 answers a second; past them, silence */
} support_limits_t;

#define SUPPORT_LIMITS_DEFAULT                                                                     \
    {                                                                                              \
        2u, 10u, 10u, 20u, 5u                                                                      \
    }

/* Client addresses tracked at once (least recently seen forgotten first). */
#define SUPPORT_CLIENTS_MAX 16u

typedef struct {
    uint64_t milli; /* tokens * 1000 */
    uint64_t at_ms; /* last refill */
} support_bucket_t;

typedef struct {
    uint32_t requests;   /* every request seen */
    uint32_t served;     /* 2.05 */
    uint32_t not_found;  /* 4.04 */
    uint32_t bad_method; /* 4.05 */
    uint32_t too_big;    /* 4.13 */
    uint32_t limited;    /* 4.29 */
    uint32_t dropped;    /* over the rate and past the refusals: no answer */
} support_counts_t;

typedef struct {
    support_limits_t lim;
    support_bucket_t total, refusals;
    struct {
        uint32_t key; /* 0: free */
        uint64_t seen_ms;
        support_bucket_t bucket;
    } clients[SUPPORT_CLIENTS_MAX];
    support_counts_t counts;
} support_policy_t;

/* What a request gets: `code` as class * 100 + detail (205, 404, 405, 413,
 * 429), or 0 for no answer at all; `res` when 205; `max_age_s` with 429. */
typedef struct {
    int code;
    support_resource_t res;
    uint32_t max_age_s;
} support_verdict_t;

/* `lim` NULL: SUPPORT_LIMITS_DEFAULT. `now_ms` starts the buckets full. */
void support_policy_init(support_policy_t *p, const support_limits_t *lim, uint64_t now_ms);

/* The request `rq` from client `client` (support_client_key()) at `now_ms`
 * (a clock that never goes back). Rate first (every request costs a token,
 * whatever it asks), then path (4.04), method (4.05), body (4.13). */
support_verdict_t support_policy_decide(support_policy_t *p, uint64_t now_ms, uint32_t client,
                                        const support_request_t *rq);

/* Where `path` leads: 0 and *res, or 404. */
int support_route(const char *path, support_resource_t *res);

/* The path of a resource ("support/state"), and its Content-Format
 * (50 JSON; 40 link format). */
const char *support_resource_path(support_resource_t res);
unsigned support_resource_format(support_resource_t res);

/* A client's key: a hash of its address bytes (not its port: one host is
 * one client however many ports it uses), never 0. */
uint32_t support_client_key(const uint8_t *addr, size_t len);

/* True for exactly SUPPORT_IDENTITY. */
bool support_identity_ok(const uint8_t *id, size_t len);

/* /.well-known/core: the link format (RFC 6690) of the two JSON resources,
 * into buf[cap]. Returns its length, or 0 if it does not fit. */
size_t support_link_format(char *buf, size_t cap);

/* A gate for log lines an attacker can trigger (a refused identity, a
 * flood): open for the first one, then at most once every `period_ms`;
 * *suppressed gets how many were held back since it last opened. */
typedef struct {
    bool used;
    uint64_t next_ms;
    uint32_t held;
} support_gate_t;

bool support_gate_open(support_gate_t *g, uint64_t now_ms, uint64_t period_ms,
                       uint32_t *suppressed);

#endif /* LINK_SUPPORT_POLICY_H */
