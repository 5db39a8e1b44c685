/*
 * licence_plan.h - the collector's licence changes, planned by fw_trial.
 *
 * The collector keeps a licence per device as a database row
 * (collector_licence_t). A change (docs/COLLECTOR.md, `admin licence`) is
 * planned by trial_plan_next() on the claims the device would parse, so the
 * collector issues exactly what a device accepts and refuses what a device
 * would refuse, with the device's reason.
 *
 * A trial (`admin trial`, `admin extend --trial` ...) keeps one more row of
 * the same kind with no serial: the trial's own licence, the one every
 * endpoint of the trial is issued. It is planned by the same rules, so a
 * trial-wide change is refused for the reason a device would give even
 * before any endpoint has arrived.
 */
#ifndef COLLECTOR_LICENCE_PLAN_H
#define COLLECTOR_LICENCE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/payload.h"
#include "db.h"
#include "trial/timeline.h"

/* The licence row that follows `cur` (NULL: the device has none yet) for
 * device `d` under change `ch`, issued at `now` (its iat). Returns 0 with
 * `next` filled, or FW_E_STATE with `why` saying why not. */
int collector_licence_plan(const collector_licence_t *cur, const cdb_device_t *d,
                           const cdb_licence_change_t *ch, int64_t now, collector_licence_t *next,
                           char *why, size_t why_cap);

/* The same for a trial's own licence (serial ""): `cur` NULL for a new
 * trial, whose trial number, organisation and region `next` must carry
 * already. */
int collector_trial_plan(const collector_licence_t *cur, const cdb_licence_change_t *ch,
                         int64_t now, collector_licence_t *next, char *why, size_t why_cap);

/* Where licence row `l` (a device's, or a trial's with serial "") stands at
 * `now`, by the device's own timeline (trial_state_at() on the claims the
 * device parses, no history: one licence alone, as `trialctl licence`
 * reads one); those claims in `claims` unless NULL. FW_E_INVAL if the row
 * makes no licence. */
int collector_licence_view(const collector_licence_t *l, int64_t now, trial_claims_t *claims,
                           trial_view_t *out);

#endif /* COLLECTOR_LICENCE_PLAN_H */
