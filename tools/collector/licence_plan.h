/*
 * licence_plan.h - the collector's licence changes, planned by fw_trial.
 *
 * The collector keeps a licence per device as a database row
 * (collector_licence_t). A change (docs/COLLECTOR.md, `admin licence`) is
 * planned by trial_plan_next() on the claims the device would parse, so the
 * collector issues exactly what a device accepts and refuses what a device
 * would refuse, with the device's reason.
 */
#ifndef COLLECTOR_LICENCE_PLAN_H
#define COLLECTOR_LICENCE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/payload.h"
#include "db.h"

/* The licence row that follows `cur` (NULL: the device has none yet) for
 * device `d` under change `ch`, issued at `now` (its iat). Returns 0 with
 * `next` filled, or FW_E_STATE with `why` saying why not. */
int collector_licence_plan(const collector_licence_t *cur, const cdb_device_t *d,
                           const cdb_licence_change_t *ch, int64_t now, collector_licence_t *next,
                           char *why, size_t why_cap);

#endif /* COLLECTOR_LICENCE_PLAN_H */
