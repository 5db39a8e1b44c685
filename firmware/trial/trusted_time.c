/*
 * Trusted time: the later of everything we have reason to believe.
 *
 * The wall clock may be set back by a user or restored with an old image; the
 * monotonic clock only counts this boot; the mark only knows the past. Each
 * is a lower bound on the true time, so the trusted instant is their maximum:
 * whatever lies, the trial can only lose time, never gain it.
 */
#include "trial/trusted_time.h"

#include <stddef.h>

#include "trial/claims.h"

void trusted_time_init(trusted_time_t *t, int64_t persisted_hwm)
{
    t->hwm = persisted_hwm < 0                ? 0
             : persisted_hwm > TRIAL_TIME_MAX ? TRIAL_TIME_MAX
                                              : persisted_hwm;
    t->boot_hwm = t->hwm;
    t->rollback = false;
}

int64_t trusted_time_update(trusted_time_t *t, bool wall_ok, int64_t wall,
                            uint64_t mono_ms_since_boot, bool *rollback_now)
{
    bool rolled = false;
    uint64_t mono_s = mono_ms_since_boot / 1000u;
    int64_t now = t->boot_hwm;
    if (mono_s > (uint64_t)(TRIAL_TIME_MAX - now)) {
        now = TRIAL_TIME_MAX;
    } else {
        now += (int64_t)mono_s;
    }
    if (t->hwm > now) {
        now = t->hwm;
    }
    /* An RTC reading outside [1970, 9999] is a broken clock, not a time. */
    if (wall_ok && wall >= 0 && wall <= TRIAL_TIME_MAX) {
        if (wall < t->hwm - TRUSTED_TIME_SLACK_S) {
            rolled = true;
            t->rollback = true;
        }
        if (wall > now) {
            now = wall;
        }
    }
    if (now > TRIAL_TIME_MAX) {
        now = TRIAL_TIME_MAX; /* past every expiry already; keeps sums in range */
    }
    if (now > t->hwm) {
        t->hwm = now;
    }
    if (rollback_now != NULL) {
        *rollback_now = rolled;
    }
    return now;
}

void trusted_time_advance(trusted_time_t *t, int64_t instant)
{
    if (instant > TRIAL_TIME_MAX) {
        instant = TRIAL_TIME_MAX;
    }
    if (instant > t->hwm) {
        t->hwm = instant;
    }
}
