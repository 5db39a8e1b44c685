/*
 * Calls: every dial request and incoming call is answered here, in the turn
 * it arrives (the stack waits 1 s, then decides alone: docs/EMERGENCY.md).
 * The number never reaches a log line: it is personal data.
 */
#define FW_LOG_TAG "call"
#include "agent_calls.h"

#include <string.h>

#include "fw/log.h"
#include "hal/call.h"

#define SERVE_MAX 64 /* events per call: bounded even if the stack floods */

void agent_calls_init(agent_calls_t *c)
{
    memset(c, 0, sizeof *c);
}

int64_t agent_calls_since_emergency_s(const agent_calls_t *c, uint64_t mono_ms)
{
    if (!c->had_emergency || mono_ms < c->emergency_ms) {
        return -1;
    }
    return (int64_t)((mono_ms - c->emergency_ms) / 1000u);
}

/* Returns true if something was counted. */
static bool answer(agent_calls_t *c, const agent_calls_policy_t *p, const hal_call_event_t *ev,
                   uint64_t mono_ms, agent_call_count_fn count, void *ctx)
{
    bool incoming = ev->kind == HAL_CALL_EV_INCOMING;
    calling_verdict_t v = incoming
                              ? calling_decide_incoming(p->mode, ev->number,
                                                        agent_calls_since_emergency_s(c, mono_ms))
                              : calling_decide(p->mode, p->region, p->dial_prefix, ev->number);
    int rc = hal_call_decide(ev->id, v.allow);
    FW_LOGI("%s %u: %s (%s)%s", incoming ? "incoming call" : "call", (unsigned)ev->id,
            v.allow ? "allowed" : "denied", calling_reason_name(v.reason),
            rc != 0 ? "; the stack did not take the answer" : "");
    if (!v.allow) {
        count(ctx, incoming ? AGENT_CALL_REFUSED_IN : AGENT_CALL_BLOCKED, 0);
        return true;
    }
    if (!incoming && v.emergency) {
        count(ctx, AGENT_CALL_EMERGENCY, 0);
        c->had_emergency = true;
        c->emergency_ms = mono_ms; /* the call-back window opens */
        return true;
    }
    return false;
}

bool agent_calls_serve(agent_calls_t *c, const agent_calls_policy_t *p, uint64_t mono_ms,
                       agent_call_count_fn count, void *ctx)
{
    bool counted = false;
    hal_call_event_t ev;
    for (int i = 0; i < SERVE_MAX && hal_call_poll(&ev) > 0; i++) {
        switch (ev.kind) {
        case HAL_CALL_EV_DIAL:
        case HAL_CALL_EV_INCOMING:
            counted = answer(c, p, &ev, mono_ms, count, ctx) || counted;
            break;
        case HAL_CALL_EV_ENDED:
            count(ctx, AGENT_CALL_ENDED, ev.seconds);
            counted = true;
            break;
        }
    }
    return counted;
}
