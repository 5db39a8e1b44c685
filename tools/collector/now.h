/*
 * now.h - the collector's "now", asked by serve and by every admin command
 * that needs one (enrollment, licence planning against R9, the log).
 *
 * Real time unless clock options were given: then the simulated clock of a
 * demo or test (sim/clock.h), the same one the rooms on the host board run
 * on when they are given the same --clock-start, --clock-rate and
 * --clock-anchor. Stepped time (--clock-rate 0) is the host board's alone:
 * it moves only while an agent waits, and a collector has no agent.
 */
#ifndef COLLECTOR_NOW_H
#define COLLECTOR_NOW_H

#include <stdbool.h>
#include <stdint.h>

/* Options a command accepts for the clock (for its usage text). */
#define COLLECTOR_NOW_USAGE "[--clock-start T|now] [--clock-rate N] [--clock-anchor UNIX_MS]"

/* True for "clock-start", "clock-rate" and "clock-anchor" (no dashes). */
bool collector_now_is_option(const char *name);

/* Take one clock option of command `cmd` ("serve", "admin"): CLI_OK, or
 * CLI_USAGE with a message on stderr naming the option and what it wants. */
int collector_now_option(const char *cmd, const char *name, const char *value);

/* Start the clock the options describe (real time if none was given); the
 * anchor defaults to this moment. Call once, after the options. */
void collector_now_start(void);

/* Unix seconds / ms now: real, or simulated once started with options. */
int64_t collector_now(void);
int64_t collector_now_ms(void);

/* True when the clock is simulated (for the log line that says so). */
bool collector_now_simulated(void);

#endif /* COLLECTOR_NOW_H */
