/*
 * The uplink's session logic (link/link_sm.h). Pure: every input is an
 * argument, every decision an action flag. The one rule that shapes it: any
 * way a session start can fail backs off before the next try, so nothing is
 * ever retried once per loop turn.
 */
#include "link/link_sm.h"

#include <string.h>

#include "fw/backoff.h"

#define DEFAULT_IDLE_CLOSE_MS 20000u
#define DEFAULT_TIMEOUT_STREAK 2u
#define DEFAULT_CONNECT_TIMEOUT_MS 20000u
#define DEFAULT_RESOLVE_TIMEOUT_MS 30000u

void link_sm_init(link_sm_t *sm, const link_sm_config_t *cfg)
{
    memset(sm, 0, sizeof *sm);
    if (cfg) {
        sm->cfg = *cfg;
    }
    if (!sm->cfg.idle_close_ms) {
        sm->cfg.idle_close_ms = DEFAULT_IDLE_CLOSE_MS;
    }
    if (!sm->cfg.timeout_streak) {
        sm->cfg.timeout_streak = DEFAULT_TIMEOUT_STREAK;
    }
    if (!sm->cfg.connect_timeout_ms) {
        sm->cfg.connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    }
    if (!sm->cfg.resolve_timeout_ms) {
        sm->cfg.resolve_timeout_ms = DEFAULT_RESOLVE_TIMEOUT_MS;
    }
    sm->rng = sm->cfg.rand_seed;
    sm->state = LINK_SM_IDLE;
}

/* The next session start waits out the backoff of the current attempt. */
static void arm(link_sm_t *sm, uint64_t now, link_sm_out_t *out)
{
    uint32_t wait = fw_backoff_ms(sm->stats.attempt, fw_rand_next(&sm->rng));
    sm->next_ms = now + wait;
    sm->armed = true;
    out->wait_ms = wait;
}

/* Back to IDLE with whatever the session or lookup held released. */
static void to_idle(link_sm_t *sm, link_sm_out_t *out)
{
    sm->state = LINK_SM_IDLE;
    sm->observe_sent = false;
    sm->streak = 0;
    out->act |= LINK_ACT_CLOSE;
    out->act &= ~(uint32_t)(LINK_ACT_SEND | LINK_ACT_OBSERVE | LINK_ACT_CONNECT | LINK_ACT_RESOLVE);
}

/* A session start that did not make it: count the attempt, back off. */
static void start_failed(link_sm_t *sm, uint64_t now, link_sm_out_t *out)
{
    to_idle(sm, out);
    sm->stats.attempt++;
    arm(sm, now, out);
}

static void resolve_failed(link_sm_t *sm, uint64_t now, link_sm_out_t *out)
{
    sm->stats.resolve_failures++;
    if (sm->resolve_streak++ == 0) {
        out->notes |= LINK_NOTE_RESOLVE_FAILED;
    }
    start_failed(sm, now, out);
}

static void handshake_failed(link_sm_t *sm, uint64_t now, link_sm_out_t *out)
{
    sm->addr_failed = true; /* the next attempt tries the next address */
    start_failed(sm, now, out);
}

/* An established session ended: start again at attempt 0 (jitter only). */
static void session_ended(link_sm_t *sm, uint64_t now, link_sm_out_t *out)
{
    to_idle(sm, out);
    arm(sm, now, out);
}

static void tick(link_sm_t *sm, uint64_t now, const link_sm_event_t *ev, link_sm_out_t *out)
{
    switch (sm->state) {
    case LINK_SM_IDLE:
        if (!ev->work && !sm->refresh) {
            break;
        }
        if (!sm->armed) {
            arm(sm, now, out); /* the first attempt gets its jitter too */
        }
        if (now >= sm->next_ms) {
            sm->armed = false;
            sm->state = LINK_SM_RESOLVING;
            sm->since_ms = now;
            sm->stats.resolves++;
            out->act |= LINK_ACT_RESOLVE;
        }
        break;
    case LINK_SM_RESOLVING:
        if (now - sm->since_ms >= sm->cfg.resolve_timeout_ms) {
            out->notes |= LINK_NOTE_RESOLVE_TIMEOUT;
            resolve_failed(sm, now, out);
        }
        break;
    case LINK_SM_CONNECTING:
        if (now - sm->since_ms >= sm->cfg.connect_timeout_ms) {
            out->notes |= LINK_NOTE_HANDSHAKE_TIMEOUT;
            handshake_failed(sm, now, out);
        }
        break;
    case LINK_SM_UP:
        sm->refresh = false;
        if (ev->work) {
            out->act |= LINK_ACT_SEND;
        }
        if (sm->observe_wanted && !sm->observe_sent) {
            sm->observe_sent = true;
            out->act |= LINK_ACT_OBSERVE;
        }
        if (!ev->busy && !sm->cfg.keepalive &&
            now - sm->last_activity_ms >= sm->cfg.idle_close_ms) {
            out->notes |= LINK_NOTE_IDLE_CLOSE;
            to_idle(sm, out); /* the DTLS close_notify goes out */
            sm->armed = false;
        }
        break;
    }
}

static void resolved(link_sm_t *sm, uint64_t now, uint32_t n, link_sm_out_t *out)
{
    if (n == 0) {
        resolve_failed(sm, now, out);
        return;
    }
    if (sm->resolve_streak > 0) {
        out->notes |= LINK_NOTE_RESOLVED_AGAIN;
        sm->resolve_streak = 0;
    }
    if (n != sm->n_addrs || sm->addr >= n) {
        sm->addr = 0; /* another answer than last time: start at its top */
    } else if (sm->addr_failed) {
        sm->addr = (sm->addr + 1u) % n;
    }
    sm->addr_failed = false;
    sm->n_addrs = n;
    sm->state = LINK_SM_CONNECTING;
    sm->since_ms = now;
    sm->stats.handshakes++;
    out->act |= LINK_ACT_CONNECT;
    out->addr = sm->addr;
}

void link_sm_handle(link_sm_t *sm, uint64_t now, const link_sm_event_t *ev, link_sm_out_t *out)
{
    switch (ev->kind) {
    case LINK_EV_TICK: tick(sm, now, ev, out); break;
    case LINK_EV_RESOLVED:
        if (sm->state == LINK_SM_RESOLVING) {
            resolved(sm, now, ev->n_addrs, out);
        }
        break;
    case LINK_EV_RESOLVE_FAILED:
        if (sm->state == LINK_SM_RESOLVING) {
            resolve_failed(sm, now, out);
        }
        break;
    case LINK_EV_CONNECT_FAILED:
        if (sm->state == LINK_SM_CONNECTING) {
            out->notes |= LINK_NOTE_HANDSHAKE_FAILED;
            handshake_failed(sm, now, out);
        }
        break;
    case LINK_EV_CONNECTED:
        if (sm->state == LINK_SM_CONNECTING) {
            sm->state = LINK_SM_UP;
            sm->stats.connected++;
            sm->stats.attempt = 0;
            sm->streak = 0;
            sm->last_activity_ms = now;
        }
        break;
    case LINK_EV_SESSION_LOST:
        if (sm->state == LINK_SM_CONNECTING) {
            out->notes |= LINK_NOTE_HANDSHAKE_FAILED;
            handshake_failed(sm, now, out);
        } else if (sm->state == LINK_SM_UP) {
            session_ended(sm, now, out);
        }
        break;
    case LINK_EV_SENT:
        sm->stats.requests++;
        sm->last_activity_ms = now;
        break;
    case LINK_EV_RESPONSE:
        sm->stats.responses++;
        sm->streak = 0;
        sm->last_activity_ms = now;
        break;
    case LINK_EV_TIMEOUT:
        if (sm->state == LINK_SM_UP && ++sm->streak >= sm->cfg.timeout_streak) {
            out->notes |= LINK_NOTE_TIMEOUT_STREAK;
            session_ended(sm, now, out);
        }
        break;
    case LINK_EV_KEY_CHANGED:
        if (sm->state != LINK_SM_IDLE) {
            to_idle(sm, out);
            sm->armed = false; /* not a failure: the next start only has its jitter */
        }
        break;
    case LINK_EV_OBSERVE:
        sm->observe_wanted = ev->on;
        sm->observe_sent = false;
        break;
    case LINK_EV_OBSERVE_LOST: sm->observe_sent = false; break;
    case LINK_EV_REFRESH: sm->refresh = true; break;
    }
}

bool link_sm_waiting(const link_sm_t *sm, bool busy)
{
    return sm->state == LINK_SM_RESOLVING || sm->state == LINK_SM_CONNECTING ||
           (sm->state == LINK_SM_UP && busy);
}

const char *link_sm_state_name(link_sm_state_t s)
{
    switch (s) {
    case LINK_SM_IDLE: return "idle";
    case LINK_SM_RESOLVING: return "resolving";
    case LINK_SM_CONNECTING: return "connecting";
    case LINK_SM_UP: return "up";
    }
    return "?";
}
