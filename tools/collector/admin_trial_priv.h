/*
 * admin_trial_priv.h - what admin_trial.c (the commands by trial number)
 * and admin_trial_print.c (how they show trials and endpoints) share.
 */
#ifndef COLLECTOR_ADMIN_TRIAL_PRIV_H
#define COLLECTOR_ADMIN_TRIAL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "db_trial.h"
#include "fw/iso8601.h"
#include "licence_plan.h"

/* One endpoint, as support and partners see it (admin_trial.c loads it). */
typedef struct {
    cdb_device_t dev;
    cdb_show_t show;
    bool has_lic, has_iat, has_view;
    collector_licence_t lic;
    trial_claims_t claims;
    trial_view_t view;
    cdb_totals_t totals;
    int64_t events;
    uint32_t sent_seq;
    int64_t sent_at;
    int64_t at; /* the instant of the view */
} admin_endpoint_t;

/* `t` as ISO 8601, in `buf`. */
const char *admin_when(int64_t t, char buf[FW_ISO8601_LEN]);
/* Member `name` of `o`: instant `t`, or null when there is none (0). */
void admin_add_time(cJSON *o, const char *name, int64_t t);
/* The licence view of `trialctl licence --json` for licence `c` with
 * verdict `v` at `at` (`c` NULL: none in force), its members added to `o`
 * but those named in `skip` (NULL-terminated). */
void admin_view_members(cJSON *o, const trial_claims_t *c, const trial_view_t *v, int64_t at,
                        const admin_endpoint_t *e, const char *const *skip);
/* What the trial and list views say themselves. */
extern const char *const admin_trial_skip[];
/* "5 d" while the trial runs, "12 d to buy" in grace, "ended" after, "-"
 * paid. */
const char *admin_days_text(const trial_view_t *v, char *buf, size_t cap);
/* The services of `v`, each with its days, for the text views. */
void admin_services_text(const trial_view_t *v, char *buf, size_t cap);
cJSON *admin_endpoint_json(const admin_endpoint_t *e);
void admin_endpoint_text(const admin_endpoint_t *e);
/* The order of a paid trial; JSON null while it is not paid. */
cJSON *admin_order_json(const collector_trial_t *t);
void admin_trial_head_text(const collector_trial_t *t, const trial_view_t *v, int64_t at);
void admin_audit_text(const cdb_audit_t *a, size_t n);
cJSON *admin_audit_json(const cdb_audit_t *a, size_t n);
/* `o` on one line of stdout; `o` is freed. */
void admin_print_json(cJSON *o);

#endif /* COLLECTOR_ADMIN_TRIAL_PRIV_H */
