/*
 * agent_calls.h - the agent's side of calling (internal to agent/).
 *
 * Glue only: the calling stack's events come in through hal/call.h, the
 * pure policy (calling/policy.h) decides, the verdict goes back at once.
 * What this keeps is what the policy needs and must not read itself: when
 * the room last placed an emergency call (the call-back window, on the
 * monotonic clock). Used by the normal loop and by the safe mode alike, so a
 * dial request is answered whatever else is broken (docs/EMERGENCY.md).
 */
#ifndef AGENT_CALLS_H
#define AGENT_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "calling/policy.h"

typedef struct {
    bool had_emergency;
    uint64_t emergency_ms; /* monotonic ms of the last allowed emergency call */
} agent_calls_t;

/* The policy's inputs for this turn. `region`, `dial_prefix`: NULL or "" if
 * unknown (every table, no prefix). */
typedef struct {
    calling_mode_t mode;
    const char *region;
    const char *dial_prefix;
} agent_calls_policy_t;

typedef enum {
    AGENT_CALL_BLOCKED = 1, /* a denied dial: counted, and the room is told why */
    AGENT_CALL_REFUSED_IN,  /* a denied incoming call: counted as blocked */
    AGENT_CALL_EMERGENCY,   /* an allowed emergency call */
    AGENT_CALL_ENDED,       /* an allowed call ended after `seconds` */
} agent_call_count_t;

typedef void (*agent_call_count_fn)(void *ctx, agent_call_count_t what, uint32_t seconds);

void agent_calls_init(agent_calls_t *c);

/* Answer every call event waiting in the stack now (never blocks). Logs
 * each decision by call id, never by number. Returns true if anything was
 * counted (the caller persists its counters). */
bool agent_calls_serve(agent_calls_t *c, const agent_calls_policy_t *p, uint64_t mono_ms,
                       agent_call_count_fn count, void *ctx);

/* Seconds since the last allowed emergency call, or -1 if there was none. */
int64_t agent_calls_since_emergency_s(const agent_calls_t *c, uint64_t mono_ms);

#endif /* AGENT_CALLS_H */
