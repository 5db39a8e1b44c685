/*
 * How trialctl prints a licence view or a room's state document
 * (proto/support.h): `trialctl licence` and `trialctl device` print through
 * these two functions, so the same token at the same instant reads the same
 * whichever way support asked.
 */
#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "proto/json.h"
#include "trialctl.h"

int trialctl_print_json(const proto_record_t *r, const proto_support_state_t *s)
{
    static char out[PROTO_BODY_MAX];
    size_t len = 0;
    char why[160];
    int rc = proto_support_encode(r, s, out, sizeof out, &len, why, sizeof why);
    if (rc != 0) {
        fprintf(stderr, "trialctl: cannot print the view: %s\n", why);
        return rc;
    }
    printf("%.*s\n", (int)len, out);
    return 0;
}

static bool in_trial(const char *state)
{
    return strcmp(state, "trial") == 0 || strcmp(state, "expiring") == 0;
}

void trialctl_print_view(const proto_support_state_t *s)
{
    if (s->valid) {
        printf("  device    %s, trial %s, org %s, region %s\n", s->serial, s->trial, s->org,
               s->region);
        printf("  licence   %s, seq %lld, issued %s%s%s\n", s->type, (long long)s->seq, s->issued,
               s->offer[0] != '\0' ? ", offer " : "", s->offer);
    } else {
        printf("  device    %s, trial %s, region %s\n", s->serial, s->trial, s->region);
        printf("  licence   none in force\n");
    }
    printf("  at        %s\n", s->at);
    printf("  state     %s\n", s->state);
    if (s->expiry[0] != '\0') {
        printf("  expiry    %s (extensions used: %lld)\n", s->expiry,
               (long long)(s->ext == PROTO_NULL ? 0 : s->ext));
        if (in_trial(s->state)) {
            if (s->last_day) {
                printf("  banner    trial ends today\n");
            } else {
                printf("  banner    trial ends in %lld days\n", (long long)s->days_left);
            }
        } else if (strcmp(s->state, "grace") == 0) {
            printf("  banner    trial ended, %lld days left to buy\n",
                   (long long)s->grace_days_left);
        }
    }
    printf("  calling   %s%s\n", s->calling,
           strcmp(s->calling, "degraded") == 0 ? " (emergency numbers only)" : "");
    if (s->numbers_held_until[0] != '\0') {
        printf("  numbers   held until %s\n", s->numbers_held_until);
    }
    printf("  return    %s\n", s->rma    ? "return instructions due (RMA)"
                               : s->keep ? "no (customer keeps the devices)"
                                         : "no");
    for (size_t i = 0; i < s->n_services; i++) {
        const proto_support_service_t *v = &s->services[i];
        if (v->expired) {
            printf("  service   %-22s expired %s\n", v->id, v->expiry);
        } else {
            printf("  service   %-22s %lld days left\n", v->id, (long long)v->days_left);
        }
    }
}
