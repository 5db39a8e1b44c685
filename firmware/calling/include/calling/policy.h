/*
 * calling/policy.h - may this call be placed? (pure: no HAL, no clock)
 *
 * After the grace period calling is degraded (R11): only emergency numbers
 * go through. Emergency numbers stay callable in every state (TRIAL_RULES.md), and
 * the list errs on the side of safety: a region we have no table for, or an
 * unknown region, gets every number in every table.
 */
#ifndef CALLING_POLICY_H
#define CALLING_POLICY_H

#include <stdbool.h>

typedef enum {
    CALLING_MODE_FULL = 0,     /* every number */
    CALLING_MODE_DEGRADED = 1, /* emergency numbers only (R11) */
} calling_mode_t;

typedef struct {
    bool allow;
    bool emergency; /* the number is an emergency number for this region */
} calling_verdict_t;

/* `region`: ISO 3166 alpha-2 from the licence or provisioning (NULL or ""
 * if unknown). `number`: as dialled; spaces, dashes, dots and parentheses are
 * ignored. NULL or empty numbers are denied in degraded mode. */
calling_verdict_t calling_decide(calling_mode_t mode, const char *region, const char *number);

/* True if `number` is an emergency number in `region` (see above). */
bool calling_is_emergency(const char *region, const char *number);

#endif /* CALLING_POLICY_H */
