/*
 * db_trial.h - organisations, trials and the audit trail in the collector's
 * database (schema version 3; docs/COLLECTOR.md).
 *
 * A trial (R1: its number, 'D' and digits) belongs to an organisation (the
 * customer: a name and a country). The trial keeps its own licence row
 * (collector_trial_t.lic): what each of its endpoints is issued. Partner
 * actions (cdb_trial_act) change the trial and every enrolled endpoint of
 * it in one transaction, planned by fw_trial (licence_plan.h) for the
 * trial and for each endpoint: refused as a whole, with the device's
 * reason, or done as a whole and written to the audit trail; the licence
 * version grows once, so the server notifies every observing device.
 *
 * SQL here is kept to what PostgreSQL accepts as well: standard types,
 * $1, $2 ... parameters each first used in order, ON CONFLICT, COALESCE.
 * Every function returns 0 or a negative FW_E_* code; FW_E_NOENT when the
 * trial (or organisation) is not there; refusals (FW_E_STATE, FW_E_INVAL)
 * say why in `why`.
 */
#ifndef COLLECTOR_DB_TRIAL_H
#define COLLECTOR_DB_TRIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "partner.h"

/* Create the tables (and migrate a version `from` database: its licences'
 * trials get their rows). Inside cdb_open's transaction. */
int cdb_trial_migrate(cdb_t *c, int from);

/* Inside db.c's transactions: a device enrolled into a partner's trial is
 * issued the trial's licence; a licence changed per serial makes its trial
 * known (a new trial of an organisation that pays is refused, R5) and is
 * written to the audit trail. */
int cdb_trial_on_enroll(cdb_t *c, const cdb_device_t *d, int64_t now);
int cdb_trial_on_licence(cdb_t *c, const cdb_device_t *d, const collector_licence_t *l, int64_t now,
                         char *why, size_t cap);

int cdb_trial_get(cdb_t *c, const char *trial, collector_trial_t *out);

/* A new trial: `t` gives lic.trial, lic.org, lic.region, lic.trial_exp,
 * the services and webex_site; it gets the rest as created. The
 * organisation is found by name whatever its case (its country must be the
 * one given), or created. Refused: the trial number is taken, the
 * organisation pays already (R5). Endpoints enrolled under the number
 * already are issued its licence (`*issued` of them). */
int cdb_trial_create(cdb_t *c, collector_trial_t *t, int64_t now, size_t *issued, char *why,
                     size_t cap);

typedef struct {
    collector_trial_t before, after;
    size_t endpoints;  /* endpoints given the changed licence */
    size_t issued_new; /* of them, endpoints that had none yet */
    bool noop;         /* nothing to change (nothing written) */
    char note[512];    /* what the partner is told (partner_outcome_t) */
} cdb_trial_result_t;

/* A partner's action on trial `trial` (partner.h), at `now`. */
int cdb_trial_act(cdb_t *c, const char *trial, const partner_act_t *a, int64_t now,
                  cdb_trial_result_t *res, char *why, size_t cap);

/* The serials enrolled under `trial`, in order (malloc'd; free()). */
int cdb_trial_serials(cdb_t *c, const char *trial, char (**serials)[21], size_t *n);
/* Every trial number known: trials and the numbers devices were enrolled
 * with (malloc'd; free()). */
int cdb_trial_numbers(cdb_t *c, char (**trials)[17], size_t *n);

typedef struct {
    int64_t at;
    char who[65];
    char serial[21]; /* "" for the trial as a whole */
    char what[24];
    char detail[512];
} cdb_audit_t;

/* One line of the audit trail, by c->who ("collector" when NULL). */
int cdb_audit_add(cdb_t *c, int64_t at, const char *trial, const char *serial, const char *what,
                  const char *detail);
/* The audit trail of `trial`, oldest first (malloc'd; free()). */
int cdb_audit_list(cdb_t *c, const char *trial, cdb_audit_t **out, size_t *n);

/* The server sent licence `seq` to `serial` at `now`; what was sent last
 * (0, 0 when never). */
int cdb_licence_served(cdb_t *c, const char *serial, uint32_t seq, int64_t now);
int cdb_licence_served_get(cdb_t *c, const char *serial, uint32_t *seq, int64_t *at);

/* A read transaction: the views see one state of the database. */
int cdb_read_begin(cdb_t *c);
void cdb_read_end(cdb_t *c);

#endif /* COLLECTOR_DB_TRIAL_H */
