/*
 * trial/plan.h - planning a device's next licence, on the issuing side.
 *
 * Pure: no HAL, no clock, no I/O. An issuer (the collector) knows the licence
 * it last issued to a device. trial_plan_next() builds the licence that
 * follows it for a change a partner asks for (a new trial, an extension, a
 * service added, a conversion to paid) and then puts it through the very
 * rules a device applies (trial_history_accept() against the history a
 * device has after accepting the current licence), so nothing is issued that
 * a device would refuse, and a refusal names the device's own reason.
 */
#ifndef TRIAL_PLAN_H
#define TRIAL_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trial/claims.h"
#include "trial/history.h"

/* What a partner asks for; any combination. */
typedef struct {
    bool set_exp;      /* E of a new trial, or an earlier E (R4: never later) */
    int64_t trial_exp; /* with set_exp */
    bool extend;       /* move E by TRIAL_EXTENSION_S, once (R4) */
    bool convert;      /* the next licence is paid (R2); without it, a trial */
    size_t n_svc;      /* services added, or given a new expiry (R4) */
    trial_service_t svc[TRIAL_SVC_MAX];
} trial_plan_change_t;

typedef struct {
    trial_accept_t verdict; /* what a device says of the planned licence */
    const char *why;        /* NULL when it may be issued; else a static text */
} trial_plan_result_t;

/* The licence that follows `cur` under `ch`, issued at `now` (its iat).
 *
 * `cur` carries the device's identity (sub, trial, org, region, keep: copied
 * to `next`) and, when `issued` is true, the licence last issued to it (seq,
 * typ, trial_exp, ext, iat, svc). `next` gets seq + 1, iat `now`, and:
 * - extend: E + 30 d and ext 1; services that ran to the old E run to the new;
 * - set_exp: that E (with extend it must be the extended E);
 * - svc: each added, or re-dated when its id is already there;
 * - convert: typ paid (trial_exp stays in `next` for the record, but
 *   has_trial_exp is false: a paid licence carries none).
 *
 * Returns 0 when `next` may be issued (result->verdict TRIAL_ACCEPT_OK), or
 * FW_E_STATE with result->why saying why not: either a request that makes no
 * licence (an extension of nothing, a trial with no expiry, too many
 * services, seq exhausted; verdict TRIAL_ACCEPT_INVAL), or the verdict a
 * device would give (why = trial_accept_name() of it). FW_E_INVAL for NULL
 * arguments. */
int trial_plan_next(const trial_claims_t *cur, bool issued, const trial_plan_change_t *ch,
                    int64_t now, trial_claims_t *next, trial_plan_result_t *result);

/* The history a device has once it accepted `cur` (at cur->iat) and nothing
 * after it, as far as the issuer can know it. Where the issuer cannot know a
 * value (the first E before any shortening), it takes the one that grants
 * less. */
void trial_plan_history(const trial_claims_t *cur, trial_history_t *out);

/* What a partner can do about a refusal `v` (a short static text), or "". */
const char *trial_plan_hint(trial_accept_t v);

#endif /* TRIAL_PLAN_H */
