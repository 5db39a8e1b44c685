/*
 * db.h - the collector's database (schema: docs/COLLECTOR.md), on SQLite or
 * PostgreSQL, chosen by URI:
 *
 *   sqlite:FILE  or a bare path    SQLite (the embedded default)
 *   postgresql://...  postgres://  PostgreSQL through libpq (any libpq URI)
 *
 * One cdb_t is one connection: one per thread. Several processes (serve and
 * admin, or several collectors on one PostgreSQL) may use one database at the
 * same time. Every function returns 0 or a negative FW_E_* code; FW_E_NOENT
 * when the device (or licence) is not there; FW_E_IO when the database
 * failed, with the kind of failure in cdb_failure().
 */
#ifndef COLLECTOR_DB_H
#define COLLECTOR_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/payload.h"
#include "proto/provisioning.h"

typedef struct cdb_stmt cdb_stmt_t;
typedef struct cdb_driver cdb_driver_t;

typedef enum {
    CDB_SQLITE,
    CDB_POSTGRESQL,
} cdb_dialect_t;

/* What kind of failure the last FW_E_IO was. */
typedef enum {
    CDB_FAIL_NONE = 0,
    /* The database cannot take writes now: unreachable, restarted, read-only,
     * full, locked by someone else for too long. Nothing was stored; try
     * again later (the server answers 5.03 with Max-Age). */
    CDB_FAIL_UNAVAILABLE,
    /* Two writers collided (deadlock, serialization): try again at once. */
    CDB_FAIL_CONFLICT,
    /* Anything else (a constraint, a damaged file, a bug): not worth retrying. */
    CDB_FAIL_OTHER,
} cdb_fail_t;

#define CDB_STMTS_MAX 80

typedef struct cdb {
    const cdb_driver_t *drv;
    void *h;         /* sqlite3 * or PGconn * */
    char where[160]; /* the URI for logs, without a password */
    cdb_stmt_t *stmt[CDB_STMTS_MAX];
    bool in_tx;
    cdb_fail_t fail;
    char fail_msg[256];
    char listen_channel[32]; /* LISTENed on (PostgreSQL): again after a reconnect */
    /* The SQL of the statements the other db_*.c files name by text
     * (db_priv.h: cdb_q), by their index in stmt[]. */
    const char *sql[CDB_STMTS_MAX];
    /* Who acts through this connection, for the audit trail (db_trial.h);
     * NULL: the collector itself. Set after cdb_open. */
    const char *who;
} cdb_t;

/* An enrolled device: the enrollment record (proto/provisioning.h), whose
 * fields are the `device` table's columns. */
typedef proto_enrollment_t cdb_device_t;

/* Open (creating the file or the schema if missing, migrating an older
 * schema). FW_E_INVAL for a URI naming no known back end. */
int cdb_open(cdb_t *c, const char *uri);
void cdb_close(cdb_t *c);
cdb_dialect_t cdb_dialect(const cdb_t *c);

/* The class of the last failure and its message (for one log line). */
cdb_fail_t cdb_failure(const cdb_t *c, const char **msg);

/* The back end a URI names, or -1 when it names none we know. */
int cdb_dialect_of_uri(const char *uri);

/* Can the database take writes now? Reconnects when the connection was lost,
 * then writes and commits a row that does not change (a read-only, full or
 * locked database fails it). 0, or FW_E_IO with cdb_failure() saying why. */
int cdb_probe_write(cdb_t *c);

/* Insert or replace a device's enrollment (every field of the record; a
 * device enrolled by flags may lack the optional ones). FW_E_STATE if the PSK identity
 * already belongs to another serial. */
int cdb_enroll(cdb_t *c, const cdb_device_t *d, int64_t now);
/* Many at once, in one transaction (spark-fleetsim --enroll): all or none. */
int cdb_enroll_many(cdb_t *c, const cdb_device_t *d, size_t n, int64_t now);

int cdb_device_by_identity(cdb_t *c, const char *identity, cdb_device_t *out);
int cdb_device_by_serial(cdb_t *c, const char *serial, cdb_device_t *out);

/* ---- reports: stored before they are acknowledged ---------------------------
 *
 * A group of requests is stored in one transaction with one sync (group
 * commit): records INSERT ... ON CONFLICT DO NOTHING by (serial, gen, id), so
 * every id of a request is then stored, however often it was sent; the
 * provisioning report replaces the last one; each serial's last_contact is
 * set. Items are written in serial order (two collectors writing the same
 * rooms take their locks in the same order). When one item cannot be stored
 * for a reason of its own (FW_E_IO with CDB_FAIL_OTHER) the others are
 * stored without it; when the database is unavailable nothing is stored and
 * every item fails. */
typedef enum {
    CDB_ITEM_PROV,
    CDB_ITEM_USAGE,
    CDB_ITEM_EVENTS,
    CDB_ITEM_TOUCH, /* last_contact only (and the licence served: served_seq) */
    CDB_ITEM_PROBE, /* writes a row that does not change: can the database take writes? */
} cdb_item_kind_t;

typedef struct {
    cdb_item_kind_t kind;
    /* collector_prov_t, collector_usage_t or collector_events_t; TOUCH: the
     * serial (char[21]); PROBE: NULL */
    const void *body;
    int64_t now;         /* server time of the request: received_at, last_contact */
    bool touch;          /* set the serial's last_contact (TOUCH: always) */
    uint32_t served_seq; /* TOUCH: the licence seq the server sent at `now` (0: none) */
    int rc;              /* out: 0 stored, or FW_E_* */
} cdb_item_t;

/* Returns 0 when every item was stored, else the first failure (each item's
 * rc says what happened to it). */
int cdb_store_group(cdb_t *c, cdb_item_t *items, size_t n);

/* One request each (admin and tests): cdb_store_group() of one item. */
int cdb_store_prov(cdb_t *c, const collector_prov_t *p, int64_t now);
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
 * makes no licence (a trial without expiry, too many services). Changes of
 * one database are made one at a time, whichever process makes them. On
 * PostgreSQL every collector LISTENing hears of the change at commit. */
int cdb_licence_change(cdb_t *c, const char *serial, const cdb_licence_change_t *ch, int64_t now,
                       char *why, size_t why_cap);

/* Write the planned licence row `l` of device l->serial (and its
 * services), changed at `now`; a paid licence's trial_exp is stored NULL
 * when `exp_null`. Inside the caller's transaction (db_priv.h:
 * cdb_write_begin); the licence version is the caller's to bump. */
int cdb_licence_put(cdb_t *c, const collector_licence_t *l, bool exp_null, int64_t now);
/* The licence version grows (and, on PostgreSQL, every LISTENing collector
 * is told at commit). */
int cdb_licence_bump(cdb_t *c);

/* Grows with every licence change (the server polls it to notify observers). */
int cdb_licence_version(cdb_t *c, int64_t *version);

/* Licence changes pushed by the database (PostgreSQL LISTEN/NOTIFY): after
 * cdb_licence_listen(), cdb_notify_fd() is a socket to wait on (-1: none,
 * poll the version instead, as on SQLite) and cdb_notifications() the
 * number that arrived since the last call (FW_E_IO when the connection
 * failed: listen again after cdb_ping()). */
int cdb_licence_listen(cdb_t *c);
int cdb_notify_fd(cdb_t *c);
int cdb_notifications(cdb_t *c);
/* Those the connection's other statements read already (no system call):
 * a notification arriving during a query does not wake the socket. */
int cdb_notifications_queued(cdb_t *c);

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

/* Usage rows of generation `gen` of every serial starting with `prefix`, per
 * serial (spark-fleetsim's check): rows, distinct ids, smallest and largest
 * id, and the sum of `calls`. `fn` is called once per serial, in serial
 * order; a non-zero return stops the walk. */
typedef struct {
    char serial[21];
    int64_t rows, ids, min_id, max_id, calls;
} cdb_fleet_row_t;

int cdb_fleet_usage(cdb_t *c, const char *prefix, uint32_t gen,
                    int (*fn)(void *arg, const cdb_fleet_row_t *row), void *arg);

#endif /* COLLECTOR_DB_H */
