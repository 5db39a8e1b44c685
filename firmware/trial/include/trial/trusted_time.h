/*
 * trial/trusted_time.h - time that never runs backwards for the trial.
 *
 * Pure: the caller reads the clocks and passes their values in. A persisted
 * high-water mark (hwm) is advanced by the wall clock, by the iat of every
 * accepted licence and by server time. A wall clock behind the mark is a
 * detected rollback; the trusted instant is then the mark at boot plus the
 * monotonic time since boot (or the mark itself, whichever is later).
 */
#ifndef TRIAL_TRUSTED_TIME_H
#define TRIAL_TRUSTED_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* A wall clock this far behind the mark is reported as a rollback. Smaller
 * differences (a licence iat slightly ahead of our clock, NTP slew) still
 * never move time back, they are just not worth an event. */
#define TRUSTED_TIME_SLACK_S INT64_C(300)

typedef struct {
    int64_t hwm;      /* never decreases; persist it */
    int64_t boot_hwm; /* the mark when this boot started */
    bool rollback;    /* a rollback was detected during this boot (sticky) */
} trusted_time_t;

/* Start a boot from the persisted mark (0 on a fresh device). */
void trusted_time_init(trusted_time_t *t, int64_t persisted_hwm);

/* The trusted instant now. `wall_ok` false: the RTC is unset (ignore `wall`).
 * `mono_ms_since_boot`: monotonic milliseconds since this boot started.
 * Sets `*rollback_now` (if not NULL) when the wall clock is behind the mark by
 * more than TRUSTED_TIME_SLACK_S. Advances t->hwm to the result. */
int64_t trusted_time_update(trusted_time_t *t, bool wall_ok, int64_t wall,
                            uint64_t mono_ms_since_boot, bool *rollback_now);

/* Advance the mark to `instant` (an accepted licence's iat, server time) if
 * it is later; never moves it back. */
void trusted_time_advance(trusted_time_t *t, int64_t instant);

#endif /* TRIAL_TRUSTED_TIME_H */
