#include "ui/trial_info.h"

#include <string.h>

#include "ui/lang.h"

static ui_trial_state_t state_of(trial_state_t s)
{
    switch (s) {
    case TRIAL_STATE_TRIAL: return UI_TRIAL_ACTIVE;
    case TRIAL_STATE_EXPIRING: return UI_TRIAL_EXPIRING;
    case TRIAL_STATE_GRACE: return UI_TRIAL_GRACE;
    case TRIAL_STATE_LAPSED: return UI_TRIAL_LAPSED;
    case TRIAL_STATE_RELEASED: return UI_TRIAL_RELEASED;
    case TRIAL_STATE_PAID: return UI_TRIAL_PAID;
    }
    return UI_TRIAL_NONE;
}

void ui_trial_info_from_view(ui_trial_info_t *out, const trial_view_t *v)
{
    out->state = v ? state_of(v->state) : UI_TRIAL_NONE;
    out->has_expiry = v && v->has_expiry;
    out->expiry = v ? v->expiry : 0;
    out->days_left = v ? v->days_left : 0;
    out->grace_days_left = v ? v->grace_days_left : 0;
    out->last_day = v && v->last_day;
    out->rma_due = v && v->rma_due;
    out->numbers_held = v && v->numbers_held;
    out->numbers_held_until = v && v->numbers_held ? v->numbers_held_until : 0;
    out->n_svc = 0;
    memset(out->svc, 0, sizeof out->svc);
    for (size_t i = 0; v && i < v->n_svc && i < UI_SVC_MAX; i++) {
        ui_service_t *s = &out->svc[out->n_svc++];
        ui_copy(s->id, sizeof s->id, v->svc[i].id);
        s->exp = v->svc[i].exp;
        s->days_left = v->svc[i].days_left;
        s->expired = v->svc[i].expired;
    }
}
