/*
 * fakes/fake_net.h - a network link the test takes up and down, and a name
 * database it fills.
 *
 * Lookups (hal_net_resolve_*) answer at the second poll, as an asynchronous
 * resolver would: the first poll says "under way". Address literals always
 * resolve; names only once fake_net_add_host() named them.
 */
#ifndef FAKES_FAKE_NET_H
#define FAKES_FAKE_NET_H

#include <stdbool.h>
#include <stdint.h>

/* Link up (the default after reset) or down. */
void fake_net_set_up(bool up);
/* Up, no names, no forced failure, counters 0. */
void fake_net_reset(void);
/* From now on `name` resolves to the address literal `addr` (up to 8 names). */
void fake_net_add_host(const char *name, const char *addr);
/* Every lookup fails with `err` (FW_E_NET: no DNS reachable); 0 = normal. */
void fake_net_resolve_fail(int err);
/* Lookups started since reset. */
uint32_t fake_net_resolve_count(void);

#endif /* FAKES_FAKE_NET_H */
