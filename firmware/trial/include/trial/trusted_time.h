/*
 * trial/trusted_time.h - time that never runs backwards for the trial, and
 * never jumps ahead on the wall clock's word alone.
 *
 * Pure: the caller reads the clocks and passes their values in. Two instants
 * come out of it (docs/TRIAL_ENGINE.md, "Trusted time"):
 *
 *  - the *confirmed* instant, t->hwm: a high-water mark that never decreases
 *    and is persisted. It is the monotonic continuation of the last thing we
 *    have reason to believe (the mark at boot, an accepted licence's iat,
 *    the collector's server time), lifted by the wall clock only while the
 *    wall clock agrees with it within TRUSTED_TIME_SLACK_S. What cannot be
 *    undone follows this instant only: the lapse recorded for good (R9),
 *    notices raised, the persisted mark, report timestamps.
 *  - the *shown* instant (trusted_time_update()'s result): the later of the
 *    confirmed instant and a wall clock that runs ahead of it. A jump ahead
 *    is believed for what the room sees and does (screen, calling: granting
 *    less is always safe) but is *unconfirmed* until the collector's time
 *    agrees. Its highest reading is held (t->ahead, persisted), so setting
 *    the clock back afterwards gives nothing back; the collector's time
 *    either confirms it (it becomes the mark) or rejects it (it is dropped,
 *    and the wall clock is ignored until it agrees with the mark again).
 *
 * The collector read its clock somewhere between the moment the request
 * left and the moment its answer arrived; the check allows for that window,
 * measured on the monotonic clock, as NTP does. With a real clock it is
 * milliseconds; with a simulated clock running a day per real second, a few
 * real milliseconds are many simulated minutes, and an honest clock must not
 * be called "ahead" for them.
 *
 * So a clock set a year forward for a minute by mistake shows a lapsed
 * trial for at most as long as the collector takes to answer, and lapses
 * nothing for good; a clock set back a year gains no day (rollback).
 */
#ifndef TRIAL_TRUSTED_TIME_H
#define TRIAL_TRUSTED_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* A wall clock this far behind the mark is reported as a rollback; this far
 * ahead of the confirmed instant it is unconfirmed. Smaller differences (a
 * licence iat slightly ahead of our clock, NTP slew, drift between two
 * hourly marks) are ordinary. */
#define TRUSTED_TIME_SLACK_S INT64_C(300)

/* A confirmed instant before this (2020-01-01T00:00:00Z) was never learnt:
 * a fresh device that has not heard the collector yet, with no RTC or with
 * one nothing has confirmed. No licence of ours is older. */
#define TRUSTED_TIME_KNOWN_MIN INT64_C(1577836800)

/* An answer whose round trip took longer than this settles nothing: a window
 * that wide could explain a wrong clock (a CoAP exchange gives up after about
 * four minutes; this is a day, so only a simulated fast clock ever comes
 * near it). */
#define TRUSTED_TIME_WINDOW_MAX_S INT64_C(86400)

/* `sent_mono_ms` of an answer nobody asked for (an Observe notification the
 * collector sent on its own): when it read its clock is not known. */
#define TRUSTED_TIME_UNASKED UINT64_MAX

typedef struct {
    int64_t hwm; /* the confirmed instant; never decreases; persist it */
    /* confirmed(mono) = max(base + (mono - base_mono_ms) / 1000, hwm): the
     * base is moved by what says what time it is *now* (the mark at boot, an
     * agreeing wall clock, server time); an iat only says "at least" and
     * raises hwm alone. */
    int64_t base;
    uint64_t base_mono_ms;
    int64_t ahead;          /* unconfirmed wall-clock mark; 0 = none; persist it */
    uint64_t ahead_mono_ms; /* the monotonic time at which it was seen */
    uint64_t last_mono_ms;  /* of the last update */
    bool wall_rejected;     /* the collector said the wall clock is wrong: ignored
                               until it agrees with the mark again */
    bool rollback;          /* a rollback was detected during this boot (sticky) */
} trusted_time_t;

/* What trusted_time_confirm() made of the collector's time. */
typedef enum {
    TRUSTED_TIME_CONFIRMED = 0, /* nothing was pending, or the jump ahead was right */
    TRUSTED_TIME_REJECTED = 1,  /* the wall clock had run ahead of the collector: dropped */
    TRUSTED_TIME_IGNORED = 2,   /* the collector's time is behind the mark: settles nothing */
    TRUSTED_TIME_UNTIMED = 3,   /* no usable window: a lower bound only, judges nothing */
} trusted_time_verdict_t;

/* Start a boot from the persisted mark (0 on a fresh device). */
void trusted_time_init(trusted_time_t *t, int64_t persisted_hwm);

/* At boot, after init: the persisted unconfirmed mark (0 = none). It still
 * needs the collector's confirmation; meanwhile it holds the shown time. */
void trusted_time_restore_ahead(trusted_time_t *t, int64_t ahead);

/* The shown instant now (>= t->hwm, the confirmed one, which this also
 * advances). `wall_ok` false: the RTC is unset (ignore `wall`).
 * `mono_ms_since_boot`: monotonic milliseconds since this boot started.
 * Sets `*rollback_now` (if not NULL) when the wall clock is behind the mark
 * by more than TRUSTED_TIME_SLACK_S. */
int64_t trusted_time_update(trusted_time_t *t, bool wall_ok, int64_t wall,
                            uint64_t mono_ms_since_boot, bool *rollback_now);

/* Advance the mark to `instant` (an accepted licence's iat: a lower bound of
 * the true time) if it is later; never moves it back. */
void trusted_time_advance(trusted_time_t *t, int64_t instant);

/* The collector's time `server_time`, read by the collector between
 * `sent_mono_ms` (the request left) and `recv_mono_ms` (its answer arrived),
 * both monotonic ms since boot; w is that window in whole seconds, rounded
 * up. It advances the mark (never back), and settles an unconfirmed jump
 * ahead: no further ahead of the server's time than TRUSTED_TIME_SLACK_S + w,
 * it is confirmed and becomes the mark; further, it is rejected. A server
 * time behind the confirmed instant by more than the slack + w contradicts
 * what we already know: it is ignored (a collector with a wrong clock can
 * neither take time away nor give it back).
 * A window that is inverted, TRUSTED_TIME_UNASKED or longer than
 * TRUSTED_TIME_WINDOW_MAX_S judges nothing: the server's time only raises
 * the mark, as a lower bound of the time it arrived at (UNTIMED). */
trusted_time_verdict_t trusted_time_confirm(trusted_time_t *t, int64_t server_time,
                                            uint64_t sent_mono_ms, uint64_t recv_mono_ms);

/* The unconfirmed wall-clock mark continued to `mono_ms_since_boot`, or 0
 * if none is pending (what to persist, and whether to ask the collector). */
int64_t trusted_time_ahead(const trusted_time_t *t, uint64_t mono_ms_since_boot);

#endif /* TRIAL_TRUSTED_TIME_H */
