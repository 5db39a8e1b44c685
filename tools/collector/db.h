/*
 * db.h - the collector's SQLite database (schema: docs/COLLECTOR.md).
 *
 * One connection per process; the server and the admin commands may run at
 * the same time (WAL mode, busy timeout). Every function returns 0 or a
 * negative FW_E_* code; FW_E_NOENT when the device (or licence) is not there.
 */
#ifndef COLLECTOR_DB_H
#define COLLECTOR_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "collector/payload.h"
#include "proto/provisioning.h"

typedef struct {
    sqlite3 *db;
    const char *who; /* who acts through this connection, for the audit trail
                      * (db_trial.h); NULL: the collector itself */
} cdb_t;

/* An enrolled device: the enrollment record (proto/provisioning.h), whose
 * fields are the `device` table's columns. */
typedef proto_enrollment_t cdb_device_t;

/* Open (creating the file and schema if missing). */
int cdb_open(cdb_t *c, const char *path);
void cdb_close(cdb_t *c);

/* Insert or replace a device's enrollment (every field of the record; a
 * device enrolled by flags may lack the optional ones). FW_E_STATE if the PSK identity
 * already belongs to another serial. */
int cdb_enroll(cdb_t *c, const cdb_device_t *d, int64_t now);

int cdb_device_by_identity(cdb_t *c, const char *identity, cdb_device_t *out);
int cdb_device_by_serial(cdb_t *c, const char *serial, cdb_device_t *out);

int cdb_store_prov(cdb_t *c, const collector_prov_t *p, int64_t now);
/* Stores the records not yet stored (INSERT OR IGNORE by (serial, gen, id));
 * every id of `u` is then stored. */
int cdb_store_usage(cdb_t *c, const collector_usage_t *u, int64_t now);
int cdb_store_events(cdb_t *c, const collector_events_t *e, int64_t now);
int cdb_touch(cdb_t *c, const char *serial, int64_t now);

/* The licence row of `serial` as claims input; iat is 0 and *has_iat false
 * until the server first signs this seq. */
int cdb_licence_get(cdb_t *c, const char *serial, collector_licence_t *out, bool *has_iat);
int cdb_licence_set_iat(cdb_t *c, const char *serial, uint32_t seq, int64_t iat);

typedef struct {
    bool set_exp;
    int64_t trial_exp;
    bool paid;
    bool extend;
    bool keep;         /* the customer keeps the devices (R3); never taken back */
    const char *org;   /* NULL: keep (new licence: the trial number) */
    const char *offer; /* with paid: the offer the licence names (R6); NULL: keep */
    const char *site;  /* with paid: its WebEx site URL (R6); NULL: keep */
    size_t n_add;
    struct {
        char id[33];
        int64_t exp;
    } add[16];
} cdb_licence_change_t;

/* Create or change a licence, planned by fw_trial (licence_plan.h); seq and
 * the licence version grow, iat is `now`. Refusals (FW_E_STATE) say why in
 * `why`: what a device would refuse, with the device's reason (second
 * extension R4, paid -> trial R5, after grace R9, ...), or a request that
 * makes no licence (a trial without expiry, too many services). */
int cdb_licence_change(cdb_t *c, const char *serial, const cdb_licence_change_t *ch, int64_t now,
                       char *why, size_t why_cap);

/* Write the planned licence row `l` of device l->serial (and its
 * services), changed at `now`; a paid licence's trial_exp is stored NULL
 * when `exp_null`. Inside the caller's transaction; the licence version is
 * the caller's to bump (cdb_licence_bump). */
int cdb_licence_put(cdb_t *c, const collector_licence_t *l, bool exp_null, int64_t now);
int cdb_licence_bump(cdb_t *c);

/* Grows with every licence change (the server polls it to notify observers). */
int cdb_licence_version(cdb_t *c, int64_t *version);

#define CDB_TOTALS_MAX 32u /* usage fields summed (proto_usage_record.n) */

/* Stored usage of one serial, all generations: for each field of the usage
 * table (proto_usage_record order) its sum and its maximum. */
typedef struct {
    int64_t records, generations;
    int64_t first_start, last_end;
    int64_t sum[CDB_TOTALS_MAX], max[CDB_TOTALS_MAX];
} cdb_totals_t;

int cdb_totals(cdb_t *c, const char *serial, cdb_totals_t *t);
int cdb_count_events(cdb_t *c, const char *serial, int64_t *n);

/* How many events of `kind` the device sent, and the time of the latest
 * (0 when none). */
int cdb_event_kind(cdb_t *c, const char *serial, const char *kind, int64_t *count, int64_t *last);

typedef struct {
    bool has_prov;
    collector_prov_t prov;
    int64_t first_seen, last_seen, prov_reports;
    int64_t last_contact;
    int64_t enrolled_at;
} cdb_show_t;

int cdb_show(cdb_t *c, const char *serial, cdb_show_t *s);

#endif /* COLLECTOR_DB_H */
