/*
 * Trusted time (trial/trusted_time.h): the later of everything we have
 * reason to believe, and a wall clock believed only as far as that supports.
 *
 * Each source is a lower bound on the true time: the mark persisted at the
 * last boot plus the monotonic time since, an accepted licence's iat, the
 * collector's time plus the monotonic time since it came, and a wall clock
 * that agrees with those. Their maximum is the confirmed instant: whatever
 * lies, the trial can only lose time, never gain it. A wall clock beyond that
 * (set forward by mistake, or the device was off for a while) is shown but
 * not written down for good until the collector's time agrees with it.
 */
#include "trial/trusted_time.h"

#include <stddef.h>
#include <string.h>

#include "trial/claims.h"

static int64_t clamp_time(int64_t v)
{
    return v < 0 ? 0 : v > TRIAL_TIME_MAX ? TRIAL_TIME_MAX : v;
}

/* `at` plus the whole seconds from `from_ms` to `to_ms` (none if to < from). */
static int64_t continued(int64_t at, uint64_t from_ms, uint64_t to_ms)
{
    uint64_t s = to_ms > from_ms ? (to_ms - from_ms) / 1000u : 0;
    if (s > (uint64_t)(TRIAL_TIME_MAX - at)) {
        return TRIAL_TIME_MAX;
    }
    return at + (int64_t)s;
}

static int64_t confirmed_now(const trusted_time_t *t, uint64_t mono)
{
    int64_t c = continued(t->base, t->base_mono_ms, mono);
    return c > t->hwm ? c : t->hwm;
}

static void rebase(trusted_time_t *t, int64_t instant, uint64_t mono)
{
    t->base = instant;
    t->base_mono_ms = mono;
    if (instant > t->hwm) {
        t->hwm = instant;
    }
}

void trusted_time_init(trusted_time_t *t, int64_t persisted_hwm)
{
    memset(t, 0, sizeof *t);
    t->hwm = clamp_time(persisted_hwm);
    t->base = t->hwm; /* the mark at boot, continued by the monotonic clock */
}

void trusted_time_restore_ahead(trusted_time_t *t, int64_t ahead)
{
    if (ahead > t->hwm + TRUSTED_TIME_SLACK_S && ahead <= TRIAL_TIME_MAX) {
        t->ahead = ahead;
        t->ahead_mono_ms = t->last_mono_ms;
    }
}

int64_t trusted_time_ahead(const trusted_time_t *t, uint64_t mono_ms_since_boot)
{
    return t->ahead ? continued(t->ahead, t->ahead_mono_ms, mono_ms_since_boot) : 0;
}

int64_t trusted_time_update(trusted_time_t *t, bool wall_ok, int64_t wall,
                            uint64_t mono_ms_since_boot, bool *rollback_now)
{
    const uint64_t mono = mono_ms_since_boot;
    bool rolled = false;
    t->last_mono_ms = mono;
    t->hwm = confirmed_now(t, mono);
    /* An RTC reading outside [1970, 9999] is a broken clock, not a time. */
    if (wall_ok && wall >= 0 && wall <= TRIAL_TIME_MAX) {
        if (wall < t->hwm - TRUSTED_TIME_SLACK_S) {
            rolled = true;
            t->rollback = true;
        }
        if (t->wall_rejected && wall <= t->hwm + TRUSTED_TIME_SLACK_S) {
            t->wall_rejected = false; /* set right again: believed again */
        }
        if (!t->wall_rejected) {
            if (wall <= t->hwm + TRUSTED_TIME_SLACK_S) {
                if (wall > t->hwm) {
                    rebase(t, wall, mono); /* agrees with what we know: it is the time */
                }
            } else if (wall > trusted_time_ahead(t, mono)) {
                t->ahead = wall; /* a jump ahead: shown, held, not yet confirmed */
                t->ahead_mono_ms = mono;
            }
        }
    }
    int64_t ahead = trusted_time_ahead(t, mono);
    if (ahead != 0 && ahead <= t->hwm) {
        t->ahead = 0; /* the confirmed time caught up with it */
        ahead = 0;
    }
    if (rollback_now != NULL) {
        *rollback_now = rolled;
    }
    return ahead > t->hwm ? ahead : t->hwm;
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

trusted_time_verdict_t trusted_time_confirm(trusted_time_t *t, int64_t server_time,
                                            uint64_t sent_mono_ms, uint64_t recv_mono_ms)
{
    const uint64_t mono = recv_mono_ms;
    int64_t now = confirmed_now(t, mono);
    /* NTP-style: the server's instant lies in [sent, received]. An honest
     * clock reads at most w more at receipt than the server did, so w
     * widens the slack in both directions; without a window nothing can be
     * judged (a later notification, a bad reading). */
    const bool timed = sent_mono_ms <= recv_mono_ms &&
                       recv_mono_ms - sent_mono_ms <= (uint64_t)TRUSTED_TIME_WINDOW_MAX_S * 1000u;
    const int64_t w = timed ? (int64_t)((recv_mono_ms - sent_mono_ms + 999u) / 1000u) : 0;
    if (server_time < 0 || server_time > TRIAL_TIME_MAX ||
        server_time < now - TRUSTED_TIME_SLACK_S - w) {
        /* Behind what we confirmed already: the collector's clock is wrong,
         * or its answer old. It never moves time back, and judges nothing. */
        return TRUSTED_TIME_IGNORED;
    }
    int64_t ahead = trusted_time_ahead(t, mono);
    if (server_time > now) {
        rebase(t, server_time, mono); /* at least this now: the server read it before */
    }
    if (!timed) {
        return TRUSTED_TIME_UNTIMED;
    }
    if (ahead == 0) {
        return TRUSTED_TIME_CONFIRMED;
    }
    t->ahead = 0; /* within slack + w of the collector's time it is the time now; else dropped */
    if (ahead > server_time + TRUSTED_TIME_SLACK_S + w) {
        t->wall_rejected = true; /* ignored until it agrees with the mark */
        return TRUSTED_TIME_REJECTED;
    }
    if (ahead > t->hwm) {
        /* Confirmed: the wall clock is the mark. (Left to the next update,
         * a wall clock that the window rather than the slack explains would
         * be "ahead" again at once.) */
        rebase(t, ahead, mono);
    }
    return TRUSTED_TIME_CONFIRMED;
}
