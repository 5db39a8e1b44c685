/*
 * trial/timeline.h - where a licence stands on the timeline of TRIAL_RULES.md.
 *
 * Pure: the licence, the history and the instant are arguments; the verdict
 * (a trial_view_t) is the result.
 */
#ifndef TRIAL_TIMELINE_H
#define TRIAL_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trial/claims.h"
#include "trial/history.h"

typedef enum {
    TRIAL_STATE_TRIAL = 0, /* now < E - 7 d */
    TRIAL_STATE_EXPIRING,  /* E - 7 d <= now < E (R7) */
    TRIAL_STATE_GRACE,     /* E <= now < E + 30 d (R8) */
    TRIAL_STATE_LAPSED,    /* E + 30 d <= now < E + 45 d (R9, R10, R11) */
    TRIAL_STATE_RELEASED,  /* E + 45 d <= now (R11) */
    TRIAL_STATE_PAID,      /* a paid licence (R2, R3) */
} trial_state_t;

typedef enum {
    TRIAL_CALLING_FULL = 0,
    TRIAL_CALLING_DEGRADED, /* emergency numbers only (R11) */
} trial_calling_t;

typedef struct {
    char id[TRIAL_SVC_ID_MAX + 1];
    int64_t exp;       /* effective expiry: on a trial licence at most E */
    int32_t days_left; /* whole days to exp, rounded up; 0 once expired */
    bool expired;      /* now >= exp (R7) */
} trial_service_view_t;

typedef struct {
    trial_state_t state;
    bool has_expiry;         /* false on a paid licence */
    int64_t expiry;          /* E */
    int32_t days_left;       /* whole days to E rounded up (0 from E on) */
    int32_t grace_days_left; /* whole days to E + 30 d rounded up */
    bool last_day;           /* E - 1 d <= now < E: "ends today" (R7) */
    trial_calling_t calling;
    bool rma_due;               /* return instructions (R12, R13); never on keep/paid (R3) */
    bool numbers_held;          /* lapsed: numbers kept until ... (R11) */
    int64_t numbers_held_until; /* E + 45 d when numbers_held */
    bool untrusted;             /* history could not be trusted: fail-safe view */
    size_t n_svc;
    trial_service_view_t svc[TRIAL_SVC_MAX];
} trial_view_t;

/* Evaluate licence `c` at trusted instant `now`. `h` may be NULL (one licence
 * alone, as trialctl does); with a history, E is the earlier of the
 * licence's and the history's, `now` is at least the history's hwm, a
 * recorded lapse stays lapsed (R9) and an untrusted history gives the
 * lapsed-equivalent view (calling degraded) for a trial licence.
 * Returns 0, or FW_E_INVAL (NULL, or a trial licence without trial_exp). */
int trial_state_at(const trial_claims_t *c, const trial_history_t *h, int64_t now,
                   trial_view_t *out);

/* Whole days from `now` to `until`, rounded up; 0 when until <= now. */
int32_t trial_days_left(int64_t now, int64_t until);

const char *trial_state_name(trial_state_t s);
const char *trial_calling_name(trial_calling_t c);

#endif /* TRIAL_TIMELINE_H */
