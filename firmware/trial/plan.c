/*
 * Planning the next licence on the issuing side (the collector).
 *
 * The rules are not written again here: a planned licence is checked by
 * trial_history_accept(), the function a device runs on it, against the
 * history the device has after the current licence. Only what makes no
 * licence at all (an extension of nothing, a trial without expiry) is
 * refused here before that check.
 */
#include "trial/plan.h"

#include <string.h>

#include "fw/err.h"

void trial_plan_history(const trial_claims_t *cur, trial_history_t *out)
{
    trial_history_init(out);
    out->highest_seq = cur->seq;
    out->hwm = cur->iat;
    /* Any hash but the planned licence's (see trial_plan_next): the planned
     * licence is never "the current one again". */
    memset(out->token_hash, 0, sizeof out->token_hash);
    if (cur->typ == TRIAL_TYPE_PAID) {
        out->paid_seen = true;
        return;
    }
    out->has_exp = true;
    out->current_exp = cur->trial_exp;
    out->ext_used = cur->ext;
    /* The first E is not in the licence. A device's first E is never
     * earlier than its current one unless it was extended (E moves later
     * only by the extension), so the current E, or the current E less the
     * extension, is the one that grants less. */
    out->first_exp = cur->ext != 0 ? cur->trial_exp - TRIAL_EXTENSION_S : cur->trial_exp;
}

static trial_service_t *find_svc(trial_claims_t *c, const char *id)
{
    for (size_t i = 0; i < c->n_svc; i++) {
        if (strcmp(c->svc[i].id, id) == 0) {
            return &c->svc[i];
        }
    }
    return NULL;
}

static int refuse(trial_plan_result_t *r, trial_accept_t v, const char *why)
{
    r->verdict = v;
    r->why = why;
    return FW_E_STATE;
}

int trial_plan_next(const trial_claims_t *cur, bool issued, const trial_plan_change_t *ch,
                    int64_t now, trial_claims_t *next, trial_plan_result_t *result)
{
    if (cur == NULL || ch == NULL || next == NULL || result == NULL || ch->n_svc > TRIAL_SVC_MAX) {
        return FW_E_INVAL;
    }
    result->verdict = TRIAL_ACCEPT_OK;
    result->why = NULL;
    *next = *cur;
    if (!issued) {
        next->seq = 0;
        next->iat = 0;
        next->typ = TRIAL_TYPE_TRIAL;
        next->has_trial_exp = false;
        next->trial_exp = 0;
        next->ext = 0;
        next->n_svc = 0;
    }
    if (next->seq == UINT32_MAX) {
        return refuse(result, TRIAL_ACCEPT_INVAL, "seq: exhausted");
    }
    next->seq++;
    next->iat = now;
    bool was_trial = issued && cur->typ == TRIAL_TYPE_TRIAL;

    if (ch->extend) {
        if (!was_trial) {
            return refuse(result, TRIAL_ACCEPT_INVAL,
                          "extend: only an existing trial licence can be extended");
        }
        int64_t old_e = cur->trial_exp;
        next->trial_exp = old_e + TRIAL_EXTENSION_S;
        next->has_trial_exp = true;
        next->ext = 1;
        for (size_t i = 0; i < next->n_svc; i++) {
            if (next->svc[i].exp >= old_e && next->svc[i].exp < next->trial_exp) {
                next->svc[i].exp = next->trial_exp; /* it ran to the end of the trial */
            }
        }
        if (ch->set_exp && ch->trial_exp != next->trial_exp) {
            return refuse(result, TRIAL_ACCEPT_INVAL,
                          "trial-exp with extend: must equal the current expiry + 30 days");
        }
    } else if (ch->set_exp) {
        next->trial_exp = ch->trial_exp;
        next->has_trial_exp = true;
    }

    for (size_t i = 0; i < ch->n_svc; i++) {
        trial_service_t *s = find_svc(next, ch->svc[i].id);
        if (s == NULL) {
            if (next->n_svc >= TRIAL_SVC_MAX) {
                return refuse(result, TRIAL_ACCEPT_INVAL,
                              "add-service: a licence holds at most 16 services");
            }
            s = &next->svc[next->n_svc++];
        }
        *s = ch->svc[i];
    }

    if (ch->convert) {
        next->typ = TRIAL_TYPE_PAID;
        next->has_trial_exp = false; /* trial_exp stays, for the record */
    } else {
        next->typ = TRIAL_TYPE_TRIAL;
        if (!issued && !next->has_trial_exp) {
            return refuse(result, TRIAL_ACCEPT_INVAL,
                          "trial-exp: required for a new trial licence");
        }
        /* After a paid licence: a trial again, which the device refuses
         * (R5) below, whatever its E. */
        next->has_trial_exp = true;
    }

    /* The device's verdict. A fresh device (nothing issued) has an empty
     * history; otherwise the one it has after the current licence. */
    trial_history_t h;
    if (issued) {
        trial_plan_history(cur, &h);
    } else {
        trial_history_init(&h);
    }
    uint8_t hash[TRIAL_HASH_LEN];
    memset(hash, 0xff, sizeof hash); /* not the history's (all zero) */
    trial_accept_t v = trial_history_accept(&h, next, hash, now);
    if (v != TRIAL_ACCEPT_OK) {
        return refuse(result, v, trial_accept_name(v));
    }
    return 0;
}

const char *trial_plan_hint(trial_accept_t v)
{
    switch (v) {
    case TRIAL_ACCEPT_PAID_TO_TRIAL:
        return "a paid licence never becomes a trial again; change it as a paid licence";
    case TRIAL_ACCEPT_EXT_COUNT: return "this trial was already extended once";
    case TRIAL_ACCEPT_EXP_BEYOND: return "E may move at most 30 days past the first expiry";
    case TRIAL_ACCEPT_EXP_LATER: return "a later expiry needs the extension";
    case TRIAL_ACCEPT_LAPSED:
        return "the grace period is over: nothing can be restored, only a new provisioning "
               "starts again";
    default: return "";
    }
}
