/*
 * ui/trial_info.h - the trial engine's verdict as the screens need it (pure).
 *
 * The one place that maps a trial_view_t (firmware/trial) onto a
 * ui_trial_info_t, used by the agent and by spark-screens alike, so that the
 * pictures in docs/ show what a device shows.
 */
#ifndef UI_TRIAL_INFO_H
#define UI_TRIAL_INFO_H

#include "trial/timeline.h"
#include "ui/screen.h"

/* Fill the trial fields of `out` (state, days, expiry, return due, numbers
 * held, services) from `view`; NULL means no licence in force. The device
 * fields (language, model, serial, trial number, URL, version, last report,
 * labels) are the caller's and left as they are. */
void ui_trial_info_from_view(ui_trial_info_t *out, const trial_view_t *view);

#endif /* UI_TRIAL_INFO_H */
