/*
 * sim/clock.h - one simulated clock for every process of a demo or a test.
 *
 *     simulated(t) = start + (t - anchor) * rate
 *
 * t is real time (unix), `anchor` a real instant (unix ms; by default the
 * moment the process starts its clock), `start` the simulated instant at the
 * anchor and `rate` simulated seconds per real second. Processes given the
 * same three values agree on simulated time however far apart they were
 * started: a collector and its rooms at one simulated day per real second
 * see the same instant, so the rooms' trusted time (which believes a wall
 * clock only as far as the collector's time supports it) has nothing to
 * reject.
 *
 * The host board (hal_clock_*) and spark-collector (serve, admin) read their
 * options (--clock-start, --clock-rate, --clock-anchor) and their time
 * through here, so the arithmetic and the option texts exist once. The pure
 * part (parsing, sim_clock_from_opts, sim_clock_at) reads no clock;
 * sim_clock_run_* reads the system's. Never linked into a real board.
 */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Simulated instants are kept within +-(9999-12-31T23:59:59Z) in ms. */
#define SIM_CLOCK_MAX_MS (INT64_C(253402300799) * 1000)
/* The highest --clock-rate (a simulated day per 86 real microseconds). */
#define SIM_CLOCK_RATE_MAX 1e9

typedef struct {
    int64_t start_ms;  /* simulated unix ms at the anchor */
    int64_t anchor_ms; /* real unix ms */
    double rate;       /* simulated seconds per real second; 0 = stands at start */
} sim_clock_t;

/* The options as given on a command line. */
typedef struct {
    bool start_now;    /* --clock-start now (the default): the real time at the anchor */
    int64_t start_s;   /* --clock-start T, unix seconds */
    double rate;       /* --clock-rate (default 1) */
    bool anchor_set;   /* --clock-anchor given; else the moment the clock starts */
    int64_t anchor_ms; /* --clock-anchor, real unix ms */
} sim_clock_opts_t;

/* Defaults: start now, rate 1, anchored when the clock starts (real time). */
void sim_clock_opts_default(sim_clock_opts_t *o);

/* Apply option `name` ("clock-start", "clock-rate" or "clock-anchor", no
 * dashes) with `value`. Returns 0, FW_E_NOENT when `name` is none of them,
 * or FW_E_INVAL; then *expected (if not NULL) is what the value should look
 * like, for the caller's message "--NAME: expected ..., got 'VALUE'". A rate
 * of 0 is accepted here: whether a program can step time is its own call. */
int sim_clock_opts_set(sim_clock_opts_t *o, const char *name, const char *value,
                       const char **expected);

/* True for "clock-start", "clock-rate" and "clock-anchor". */
bool sim_clock_is_option(const char *name);

/* An instant as --clock-start takes it (but "now"): ISO 8601 as fw/iso8601.h
 * reads it, or "@UNIXSECONDS". Returns 0 or FW_E_INVAL. */
int sim_clock_parse_time(const char *text, int64_t *unix_seconds);

/* The clock `o` describes for a process that starts it at real unix ms
 * `real_now_ms`: an unset anchor is that moment; "now" starts at the real
 * time of the anchor. */
sim_clock_t sim_clock_from_opts(const sim_clock_opts_t *o, int64_t real_now_ms);

/* Simulated unix ms at real unix nanoseconds `real_ns`: start + (real -
 * anchor) * rate, rounded down (every process rounds alike), saturated at
 * +-SIM_CLOCK_MAX_MS. A real instant before the anchor gives a simulated
 * one before start. */
int64_t sim_clock_at(const sim_clock_t *c, int64_t real_ns);

/* A started clock. Real time is the system clock read once at start plus the
 * monotonic clock since, so a step of the system clock while a process runs
 * (NTP, a person) neither stops nor rewinds simulated time. */
typedef struct {
    sim_clock_t clock;
    int64_t real0_ns; /* CLOCK_REALTIME at start */
    int64_t mono0_ns; /* CLOCK_MONOTONIC at start */
} sim_clock_run_t;

/* Start `r` as `o` says (reads the system's clocks). */
void sim_clock_run_start(sim_clock_run_t *r, const sim_clock_opts_t *o);

/* Real unix ns now, as `r` counts it. */
int64_t sim_clock_run_real_ns(const sim_clock_run_t *r);

/* Simulated unix ms now. */
int64_t sim_clock_run_now_ms(const sim_clock_run_t *r);

#endif /* SIM_CLOCK_H */
