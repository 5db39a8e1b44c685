/*
 * link/link_sm.h - the uplink's session logic as a pure state machine.
 *
 * Events and time in, actions out. No socket, no clock, no libcoap, no log:
 * the adapter (link.c) turns what libcoap and the HAL resolver report into
 * events, and carries out the actions it gets back. Tests drive it with a
 * hand-moved clock (tests/unit/link/test_link_sm.c).
 *
 *        work, backoff over            resolved             handshake done
 *  IDLE ----------------------> RESOLVING --------> CONNECTING ------------> UP
 *   ^  ^                          |  name unknown,      | handshake failed,   |
 *   |  |                          |  resolver timeout   | timed out           |
 *   |  +--------------------------+---------------------+   (attempt + 1,     |
 *   |      back off (jitter), log a failed name once        next address)     |
 *   |      per streak                                                        |
 *   +------------------------------------------------------------------------+
 *      idle for idle_close_ms, peer closed / DTLS error, timeout_streak
 *      requests in a row timed out, new key
 *
 * The name is resolved at every session start, so a collector that moves,
 * or a room that boots before its network, needs no restart. Every way out
 * of RESOLVING or CONNECTING that is not success counts an attempt and backs
 * off (fw/backoff.h); a session that ends after it was up starts again at
 * attempt 0 (jitter only). Addresses are tried in the resolver's order; the
 * next attempt after a failed handshake takes the next one.
 */
#ifndef LINK_LINK_SM_H
#define LINK_LINK_SM_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    LINK_SM_IDLE,       /* no session: nothing to do, or waiting out a backoff */
    LINK_SM_RESOLVING,  /* the collector's name is being looked up */
    LINK_SM_CONNECTING, /* DTLS handshake under way */
    LINK_SM_UP,         /* session established */
} link_sm_state_t;

typedef enum {
    LINK_EV_TICK,           /* time passes; .work and .busy describe the requests */
    LINK_EV_RESOLVED,       /* the lookup found .n_addrs (>= 1) addresses */
    LINK_EV_RESOLVE_FAILED, /* the name does not resolve (now), or the resolver failed */
    LINK_EV_CONNECT_FAILED, /* the adapter could not even start a session */
    LINK_EV_CONNECTED,      /* DTLS handshake done */
    LINK_EV_SESSION_LOST,   /* peer closed, DTLS error, RST, not deliverable */
    LINK_EV_SENT,           /* a request went out */
    LINK_EV_RESPONSE,       /* a response arrived (any code) */
    LINK_EV_TIMEOUT,        /* a request exhausted its retransmissions */
    LINK_EV_KEY_CHANGED,    /* new PSK: a new handshake */
    LINK_EV_OBSERVE,        /* .on: an observation is wanted (re-registered per session) */
    LINK_EV_OBSERVE_LOST,   /* the observation's request failed: register it again */
    LINK_EV_REFRESH,        /* open a session soon even with nothing to post */
} link_sm_event_kind_t;

typedef struct {
    link_sm_event_kind_t kind;
    bool work;        /* TICK: requests wait to be sent */
    bool busy;        /* TICK: requests wait or are in flight */
    bool on;          /* OBSERVE */
    uint32_t n_addrs; /* RESOLVED */
} link_sm_event_t;

/* What the adapter must do, in this order. */
enum {
    LINK_ACT_CLOSE = 1u << 0,   /* end the session or lookup; fail requests in flight (FW_E_NET) */
    LINK_ACT_RESOLVE = 1u << 1, /* start looking up the host name */
    LINK_ACT_CONNECT = 1u << 2, /* start a session to resolved address .addr */
    LINK_ACT_SEND = 1u << 3,    /* send the requests that wait */
    LINK_ACT_OBSERVE = 1u << 4, /* (re-)register the observation */
};

/* Things worth a log line; the adapter words them. */
enum {
    LINK_NOTE_RESOLVE_FAILED = 1u << 0, /* first failed lookup of a streak */
    LINK_NOTE_RESOLVED_AGAIN = 1u << 1, /* the name resolves again after failing */
    LINK_NOTE_RESOLVE_TIMEOUT = 1u << 2,
    LINK_NOTE_HANDSHAKE_FAILED = 1u << 3,
    LINK_NOTE_HANDSHAKE_TIMEOUT = 1u << 4,
    LINK_NOTE_TIMEOUT_STREAK = 1u << 5, /* the server forgot us: new handshake */
    LINK_NOTE_IDLE_CLOSE = 1u << 6,
};

typedef struct {
    uint32_t act;     /* LINK_ACT_* */
    uint32_t notes;   /* LINK_NOTE_* */
    uint32_t addr;    /* CONNECT: index into the addresses of the last RESOLVED */
    uint32_t wait_ms; /* after a failure: the backoff chosen */
} link_sm_out_t;

typedef struct {
    uint32_t idle_close_ms;      /* 0 = 20 s */
    bool keepalive;              /* true: never close an idle session */
    uint32_t timeout_streak;     /* 0 = 2 */
    uint32_t connect_timeout_ms; /* 0 = 20 s */
    uint32_t resolve_timeout_ms; /* 0 = 30 s */
    uint32_t rand_seed;          /* jitter; give something device-unique */
} link_sm_config_t;

typedef struct {
    uint32_t resolves;         /* lookups started */
    uint32_t resolve_failures; /* lookups that failed or timed out */
    uint32_t handshakes;       /* sessions started */
    uint32_t connected;        /* sessions that completed the handshake */
    uint32_t requests;         /* requests sent */
    uint32_t responses;        /* responses received */
    uint32_t attempt;          /* current reconnect attempt (0 when healthy) */
} link_sm_stats_t;

typedef struct {
    link_sm_config_t cfg;
    link_sm_state_t state;
    uint32_t rng;
    bool armed;                /* next_ms holds the time of the next attempt */
    uint64_t next_ms;          /* next session start, when armed */
    uint64_t since_ms;         /* RESOLVING / CONNECTING: when it began */
    uint64_t last_activity_ms; /* UP: last request or response */
    uint32_t streak;           /* requests in a row that timed out */
    uint32_t resolve_streak;   /* lookups in a row that failed */
    uint32_t n_addrs, addr;    /* addresses of the last lookup; the one in use */
    bool addr_failed;          /* the last handshake failed: take the next address */
    bool observe_wanted, observe_sent;
    bool refresh; /* a session was asked for with nothing to post */
    link_sm_stats_t stats;
} link_sm_t;

void link_sm_init(link_sm_t *sm, const link_sm_config_t *cfg);

/* Feed one event at `now_ms` (the caller's monotonic network clock). Actions
 * and notes are OR-ed into `out` (clear it before a batch of events), so an
 * adapter can collect them inside libcoap's callbacks and act afterwards. */
void link_sm_handle(link_sm_t *sm, uint64_t now_ms, const link_sm_event_t *ev, link_sm_out_t *out);

/* True while an answer can come any moment: a lookup or a handshake under
 * way, or requests on an open session (`busy`). */
bool link_sm_waiting(const link_sm_t *sm, bool busy);

const char *link_sm_state_name(link_sm_state_t s);

#endif /* LINK_LINK_SM_H */
