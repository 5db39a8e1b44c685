/*
 * Licence changes through fw_trial's planning (trial/plan.h).
 *
 * A device's row becomes claims the way the server signs them
 * (collector_build_claims) and is read back by the device's own parser
 * (trial_claims_parse), so the rules are checked on exactly what a device
 * will see. A trial's own row has no serial, so it is never signed: its
 * claims are filled in directly.
 */
#include "licence_plan.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "trial/claims.h"
#include "trial/plan.h"

static int refuse(char *why, size_t cap, const char *what, const char *detail)
{
    (void)snprintf(why, cap, "%s%s%s", what, detail[0] != '\0' ? ": " : "", detail);
    return FW_E_STATE;
}

/* The claims of row `l`: as a device parses them, or for a trial's own row
 * (no serial) the same fields copied. */
static int row_claims(const collector_licence_t *l, trial_claims_t *c, char *why, size_t cap)
{
    if (l->serial[0] == '\0') {
        memset(c, 0, sizeof *c);
        (void)snprintf(c->trial, sizeof c->trial, "%s", l->trial);
        (void)snprintf(c->org, sizeof c->org, "%s", l->org);
        (void)snprintf(c->region, sizeof c->region, "%s", l->region);
        (void)snprintf(c->offer, sizeof c->offer, "%s", l->offer);
        (void)snprintf(c->site, sizeof c->site, "%s", l->site);
        c->typ = l->paid ? TRIAL_TYPE_PAID : TRIAL_TYPE_TRIAL;
        c->seq = l->seq;
        c->iat = l->iat;
        c->has_trial_exp = !l->paid;
        c->trial_exp = l->trial_exp;
        c->ext = (uint8_t)(l->ext != 0);
        c->keep = l->keep;
        c->n_svc = l->n_svc < TRIAL_SVC_MAX ? l->n_svc : TRIAL_SVC_MAX;
        for (size_t i = 0; i < c->n_svc; i++) {
            (void)snprintf(c->svc[i].id, sizeof c->svc[i].id, "%s", l->svc[i].id);
            c->svc[i].exp = l->svc[i].exp;
        }
        return 0;
    }
    static char json[4096];
    int n = collector_build_claims(l, json, sizeof json);
    const char *bad = "claims";
    if (n < 0 || trial_claims_parse(json, (size_t)n, c, &bad) != 0) {
        return refuse(why, cap, "the licence would not parse on a device", bad);
    }
    c->trial_exp = l->trial_exp; /* kept for the record on a paid licence */
    return 0;
}

/* `base` (identity, keep, offer and site already set) under `ch`: the
 * planned row in `next`, or the device's refusal. */
static int plan_row(const collector_licence_t *base, bool issued, const cdb_licence_change_t *ch,
                    int64_t now, collector_licence_t *next, char *why, size_t why_cap)
{
    static trial_claims_t c, nc;
    int rc = row_claims(base, &c, why, why_cap);
    if (rc != 0) {
        return rc;
    }
    trial_plan_change_t pc;
    memset(&pc, 0, sizeof pc);
    pc.set_exp = ch->set_exp;
    pc.trial_exp = ch->trial_exp;
    pc.extend = ch->extend;
    pc.convert = ch->paid;
    for (size_t i = 0; i < ch->n_add && i < TRIAL_SVC_MAX; i++) {
        (void)snprintf(pc.svc[i].id, sizeof pc.svc[i].id, "%s", ch->add[i].id);
        pc.svc[i].exp = ch->add[i].exp;
    }
    pc.n_svc = ch->n_add < TRIAL_SVC_MAX ? ch->n_add : TRIAL_SVC_MAX;

    trial_plan_result_t r;
    rc = trial_plan_next(&c, issued, &pc, now, &nc, &r);
    if (rc != 0) {
        return refuse(why, why_cap, r.why != NULL ? r.why : fw_strerror(rc),
                      trial_plan_hint(r.verdict));
    }

    *next = *base;
    next->paid = nc.typ == TRIAL_TYPE_PAID;
    next->trial_exp = nc.trial_exp;
    next->ext = nc.ext;
    next->seq = nc.seq;
    next->iat = nc.iat;
    next->n_svc = nc.n_svc;
    for (size_t i = 0; i < nc.n_svc; i++) {
        (void)snprintf(next->svc[i].id, sizeof next->svc[i].id, "%s", nc.svc[i].id);
        next->svc[i].exp = nc.svc[i].exp;
    }
    /* What the server will sign must parse as what was planned. */
    return row_claims(next, &c, why, why_cap);
}

/* What every change carries over: keep is never taken back (R3); a
 * conversion names its offer and site (R6). */
static void apply_terms(collector_licence_t *base, const cdb_licence_change_t *ch)
{
    base->keep = base->keep || ch->keep;
    if (ch->offer != NULL) {
        (void)snprintf(base->offer, sizeof base->offer, "%s", ch->offer);
    }
    if (ch->site != NULL) {
        (void)snprintf(base->site, sizeof base->site, "%s", ch->site);
    }
}

int collector_licence_plan(const collector_licence_t *cur, const cdb_device_t *d,
                           const cdb_licence_change_t *ch, int64_t now, collector_licence_t *next,
                           char *why, size_t why_cap)
{
    /* Identity from the enrollment (it may have changed since); org kept
     * unless the change names one (a new licence: the trial number). */
    collector_licence_t base = cur != NULL ? *cur : (collector_licence_t){0};
    (void)snprintf(base.serial, sizeof base.serial, "%s", d->serial);
    (void)snprintf(base.trial, sizeof base.trial, "%s", d->trial);
    (void)snprintf(base.region, sizeof base.region, "%s", d->region);
    base.keep = base.keep || d->keep_devices;
    if (ch->org != NULL) {
        (void)snprintf(base.org, sizeof base.org, "%s", ch->org);
    } else if (cur == NULL) {
        (void)snprintf(base.org, sizeof base.org, "%s", d->trial);
    }
    if (cur == NULL) {
        base.seq = 1; /* only to parse the identity; not issued */
        base.paid = true;
    }
    apply_terms(&base, ch);
    return plan_row(&base, cur != NULL, ch, now, next, why, why_cap);
}

int collector_trial_plan(const collector_licence_t *cur, const cdb_licence_change_t *ch,
                         int64_t now, collector_licence_t *next, char *why, size_t why_cap)
{
    collector_licence_t base = cur != NULL ? *cur : *next;
    base.serial[0] = '\0';
    if (ch->org != NULL) {
        (void)snprintf(base.org, sizeof base.org, "%s", ch->org);
    }
    apply_terms(&base, ch);
    return plan_row(&base, cur != NULL, ch, now, next, why, why_cap);
}

int collector_licence_view(const collector_licence_t *l, int64_t now, trial_claims_t *claims,
                           trial_view_t *out)
{
    static trial_claims_t c;
    char why[160];
    if (row_claims(l, &c, why, sizeof why) != 0) {
        return FW_E_INVAL;
    }
    if (claims != NULL) {
        *claims = c;
    }
    return trial_state_at(&c, NULL, now, out);
}
