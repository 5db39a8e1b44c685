/*
 * The timeline of TRIAL_RULES.md as one pure function of (licence, history, now).
 *
 * Boundaries are half-open: a state starts exactly at its instant (E - 7 d is
 * already `expiring`, E is already `grace`), so a device and the backend that
 * compute with the same integer seconds always agree.
 */
#include "trial/timeline.h"

#include <string.h>

#include "fw/err.h"

int32_t trial_days_left(int64_t now, int64_t until)
{
    if (until <= now) {
        return 0;
    }
    int64_t d = (until - now + TRIAL_DAY_S - 1) / TRIAL_DAY_S;
    return d > INT32_MAX ? INT32_MAX : (int32_t)d;
}

static trial_state_t state_for(int64_t e, int64_t now)
{
    if (now < e - TRIAL_EXPIRING_S) {
        return TRIAL_STATE_TRIAL;
    }
    if (now < e) {
        return TRIAL_STATE_EXPIRING;
    }
    if (now < e + TRIAL_GRACE_S) {
        return TRIAL_STATE_GRACE;
    }
    if (now < e + TRIAL_NUMBERS_S) {
        return TRIAL_STATE_LAPSED;
    }
    return TRIAL_STATE_RELEASED;
}

int trial_state_at(const trial_claims_t *c, const trial_history_t *h, int64_t now,
                   trial_view_t *out)
{
    if (c == NULL || out == NULL) {
        return FW_E_INVAL;
    }
    memset(out, 0, sizeof *out);
    if (c->typ == TRIAL_TYPE_TRIAL && !c->has_trial_exp) {
        return FW_E_INVAL;
    }
    if (h != NULL && now < h->hwm) {
        now = h->hwm; /* trusted time never runs backwards */
    }

    if (c->typ == TRIAL_TYPE_PAID) {
        out->state = TRIAL_STATE_PAID;
        out->calling = TRIAL_CALLING_FULL;
    } else {
        int64_t e = c->trial_exp;
        if (h != NULL && h->has_exp && h->current_exp < e) {
            e = h->current_exp; /* the stricter of the two */
        }
        out->has_expiry = true;
        out->expiry = e;
        out->state = state_for(e, now);
        if (h != NULL && h->lapsed_reached && out->state < TRIAL_STATE_LAPSED) {
            out->state = TRIAL_STATE_LAPSED; /* R9: final, whatever the clock says */
        }
        out->days_left = out->state >= TRIAL_STATE_GRACE ? 0 : trial_days_left(now, e);
        out->grace_days_left =
            out->state >= TRIAL_STATE_LAPSED ? 0 : trial_days_left(now, e + TRIAL_GRACE_S);
        out->last_day = out->state == TRIAL_STATE_EXPIRING && now >= e - TRIAL_LAST_DAY_S;
        bool ended = out->state >= TRIAL_STATE_LAPSED;
        out->calling = ended ? TRIAL_CALLING_DEGRADED : TRIAL_CALLING_FULL;
        out->rma_due = ended && !c->keep; /* R3, R12 */
        if (out->state == TRIAL_STATE_LAPSED) {
            out->numbers_held = true;
            out->numbers_held_until = e + TRIAL_NUMBERS_S;
        }
        if (h != NULL && h->untrusted) {
            /* Fail safe: we cannot tell how much of the trial is left, so
             * grant none of it, but do not call it final either: a paid
             * licence or a new provisioning settles it. */
            out->untrusted = true;
            if (out->state < TRIAL_STATE_LAPSED) {
                out->state = TRIAL_STATE_LAPSED;
                out->days_left = 0;
                out->grace_days_left = 0;
                out->last_day = false;
                out->calling = TRIAL_CALLING_DEGRADED;
                out->rma_due = false;
                out->numbers_held = true;
                out->numbers_held_until = e + TRIAL_NUMBERS_S;
            }
        }
    }

    out->n_svc = c->n_svc <= TRIAL_SVC_MAX ? c->n_svc : TRIAL_SVC_MAX;
    for (size_t i = 0; i < out->n_svc; i++) {
        trial_service_view_t *sv = &out->svc[i];
        memcpy(sv->id, c->svc[i].id, sizeof sv->id);
        sv->id[sizeof sv->id - 1] = '\0';
        sv->exp = c->svc[i].exp;
        /* A trial service cannot outlive the trial it belongs to. */
        if (out->has_expiry && sv->exp > out->expiry) {
            sv->exp = out->expiry;
        }
        sv->expired = now >= sv->exp || out->untrusted;
        sv->days_left = sv->expired ? 0 : trial_days_left(now, sv->exp);
    }
    return 0;
}

const char *trial_state_name(trial_state_t s)
{
    switch (s) {
    case TRIAL_STATE_TRIAL: return "trial";
    case TRIAL_STATE_EXPIRING: return "expiring";
    case TRIAL_STATE_GRACE: return "grace";
    case TRIAL_STATE_LAPSED: return "lapsed";
    case TRIAL_STATE_RELEASED: return "released";
    case TRIAL_STATE_PAID: return "paid";
    default: return "unknown";
    }
}

const char *trial_calling_name(trial_calling_t c)
{
    return c == TRIAL_CALLING_FULL ? "full" : "degraded";
}
