/*
 * fakes/fake_system.h - the stop request, set by the test.
 */
#ifndef FAKES_FAKE_SYSTEM_H
#define FAKES_FAKE_SYSTEM_H

#include <stdbool.h>

/* hal_system_stop_requested() returns `stop` from now on. */
void fake_system_set_stop(bool stop);
/* The next `n` calls of hal_system_stop_requested() answer false, every later
 * one true: a `while (!hal_system_stop_requested())` loop runs exactly n
 * turns. 0 disarms. */
void fake_system_stop_after(unsigned n);
void fake_system_reset(void);

#endif /* FAKES_FAKE_SYSTEM_H */
