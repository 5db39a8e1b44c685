/*
 * The collector's storage, its SQL: the tables made from the wire records
 * (proto/wire.h), each statement's text in both dialects (s_fixed and
 * db_build(), by q_id_t), and the schema, with its migrations and the
 * columns added on open. Run by db.c (db_core.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_core.h"
#include "db_priv.h"
#include "db_trial.h"
#include "dbdrv.h"
#include "fw/err.h"
#include "fw/zeroize.h"
#include "licence_plan.h"

#define FW_LOG_TAG "coll-db"
#include "fw/log.h"

/* Schema version 2: usage and event rows keyed by (serial, gen, id), so
 * records of a re-provisioned device (a new generation, ids from 1 again)
 * are stored beside those of its earlier life, never taken for them.
 * Version 1 databases are migrated in place (their rows get gen 0). A field
 * added to a table is a column added on open (add_columns()), with the
 * field's zero value in the rows there are: no version of its own. The
 * version is SQLite's user_version, and meta's schema_version on PostgreSQL.
 * Version 3: organisations, trials and the audit trail (db_trial.c). */
#define SCHEMA_VERSION 3

/* Where the dialects differ. */
const cdb_words_t db_words[] = {
    [CDB_SQLITE] = {"INTEGER", "BLOB", " WITHOUT ROWID", "BEGIN IMMEDIATE;"},
    [CDB_POSTGRESQL] = {"BIGINT", "BYTEA", "", "BEGIN;"},
};

/* ---- SQL text ------------------------------------------------------------------- */

void db_sql_add(sql_t *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void db_sql_add(sql_t *q, const char *fmt, ...)
{
    if (q->overflow) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(q->buf + q->len, sizeof q->buf - q->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof q->buf - q->len) {
        q->overflow = true; /* a table outgrew the buffer: a programmer error */
        return;
    }
    q->len += (size_t)n;
}

/* The column type of a field and the value rows had before it existed. */
static const char *sql_type(const proto_field_t *f, cdb_dialect_t d, const char **zero)
{
    if (f->type == PROTO_T_STR || f->type == PROTO_T_KIND) {
        *zero = "''";
        return "TEXT";
    }
    if (f->type == PROTO_T_HEX) {
        *zero = d == CDB_SQLITE ? "x''" : "''";
        return db_words[d].blob_t;
    }
    *zero = "0";
    return db_words[d].int_t;
}

/* Fields that are not columns: the serial (each table has its own key) and
 * a record's format version. */
bool db_is_column(const proto_field_t *f)
{
    return strcmp(f->name, "serial") != 0 && f->type != PROTO_T_CONST;
}

typedef enum {
    COL_DECL,     /* , "name" TYPE NOT NULL */
    COL_NAME,     /* , "name" */
    COL_EXCLUDED, /* , "name"=excluded."name" */
} col_mode_t;

/* Each column field of `r` (db_is_column()). Names are quoted ("end" is a
 * keyword in both dialects). */
static void sql_cols(sql_t *q, const proto_record_t *r, col_mode_t mode, cdb_dialect_t d)
{
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        if (!db_is_column(f)) {
            continue;
        }
        if (mode == COL_DECL) {
            const char *zero;
            const char *type = sql_type(f, d, &zero);
            db_sql_add(q, ", \"%s\" %s NOT NULL DEFAULT %s", f->name, type, zero);
        } else if (mode == COL_NAME) {
            db_sql_add(q, ", \"%s\"", f->name);
        } else {
            db_sql_add(q, ", \"%s\"=excluded.\"%s\"", f->name, f->name);
        }
    }
}

/* A $N placeholder for each column field of `r`, from `first`. */
static int sql_params(sql_t *q, const proto_record_t *r, int first)
{
    for (size_t i = 0; i < r->n; i++) {
        if (db_is_column(&r->fields[i])) {
            db_sql_add(q, ",$%d", first++);
        }
    }
    return first;
}

/* Tables whose columns are not record fields (the device table comes
 * first: the licence tables refer to it). */
static void schema_fixed(sql_t *q, cdb_dialect_t d)
{
    const char *it = db_words[d].int_t;
    /* The psk_identity names the device in the DTLS handshake: one device
     * each. */
    db_sql_add(q, "CREATE TABLE IF NOT EXISTS device (serial TEXT PRIMARY KEY");
    sql_cols(q, &proto_enrollment_record, COL_DECL, d);
    db_sql_add(q, ", enrolled_at %s NOT NULL, last_contact %s, UNIQUE (psk_identity));", it, it);
    db_sql_add(q,
               "CREATE TABLE IF NOT EXISTS licence ("
               " serial TEXT PRIMARY KEY REFERENCES device(serial), org TEXT NOT NULL,"
               " typ TEXT NOT NULL CHECK (typ IN ('trial','paid')), trial_exp %s,"
               " ext %s NOT NULL DEFAULT 0, seq %s NOT NULL, iat %s,"
               " updated_at %s NOT NULL);",
               it, it, it, it, it);
    db_sql_add(q,
               "CREATE TABLE IF NOT EXISTS licence_service ("
               " serial TEXT NOT NULL REFERENCES device(serial), id TEXT NOT NULL,"
               " exp %s NOT NULL, PRIMARY KEY (serial, id))%s;",
               it, db_words[d].without_rowid);
    db_sql_add(q,
               "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value %s NOT NULL);"
               "INSERT INTO meta(key, value) VALUES ('licence_version', 0) ON CONFLICT DO NOTHING;",
               it);
}

/* CREATE TABLE for a batch record kept per (serial, gen, id). */
static void sql_record_table(sql_t *q, const char *table, const proto_record_t *r, cdb_dialect_t d)
{
    const char *it = db_words[d].int_t;
    db_sql_add(q,
               "CREATE TABLE IF NOT EXISTS %s (serial TEXT NOT NULL, gen %s NOT NULL,"
               " id %s NOT NULL",
               table, it, it);
    sql_cols(q, r, COL_DECL, d);
    db_sql_add(q, ", received_at %s NOT NULL, PRIMARY KEY (serial, gen, id))%s;", it,
               db_words[d].without_rowid);
}

/* The tables made from records, with the record each is made from. */
static const struct {
    const char *table;
    const proto_record_t *r;
} s_record_tables[] = {{"device", &proto_enrollment_record},
                       {"usage", &proto_usage_record},
                       {"event", &proto_event_record},
                       {"provisioning", &proto_prov_report_record}};

/* The tables made from proto/wire.h's tables. */
static void schema_records(sql_t *q, cdb_dialect_t d)
{
    const char *it = db_words[d].int_t;
    sql_record_table(q, "usage", &proto_usage_record, d);
    sql_record_table(q, "event", &proto_event_record, d);
    db_sql_add(q, "CREATE TABLE IF NOT EXISTS provisioning ("
                  " serial TEXT PRIMARY KEY REFERENCES device(serial)");
    sql_cols(q, &proto_prov_report_record, COL_DECL, d);
    db_sql_add(q, ", first_seen %s NOT NULL, last_seen %s NOT NULL, reports %s NOT NULL);", it, it,
               it);
}

/* ---- statements ------------------------------------------------------------------ */

/* Statements that are plain text (the others are made from the wire tables
 * in db_build()). NULL: not in this dialect. */
static const char *const s_fixed[Q_COUNT] = {
    [Q_PROBE] = "UPDATE meta SET value = value WHERE key = 'licence_version'",
    [Q_DEVICE_OTHER_IDENTITY] =
        "SELECT serial FROM device WHERE psk_identity = $1 AND serial <> $2",
    [Q_TOUCH] = "UPDATE device SET last_contact = $2 WHERE serial = $1",
    [Q_LICENCE_GET] = "SELECT l.org, l.typ, l.trial_exp, l.ext, l.seq, l.iat, d.trial,"
                      " d.region, d.keep_devices + l.keep_devices, l.offer, l.site"
                      " FROM licence l JOIN device d ON d.serial = l.serial WHERE l.serial = $1",
    [Q_LICENCE_SERVICES] = "SELECT id, exp FROM licence_service WHERE serial = $1"
                           " ORDER BY id LIMIT 16",
    [Q_LICENCE_SET_IAT] = "UPDATE licence SET iat = $3 WHERE serial = $1 AND seq = $2"
                          " AND iat IS NULL",
    [Q_LICENCE_UPSERT] = "INSERT INTO licence(serial, org, typ, trial_exp, ext, seq, iat,"
                         " updated_at, offer, site, keep_devices)"
                         " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
                         " ON CONFLICT(serial) DO UPDATE SET org=excluded.org,"
                         " typ=excluded.typ, trial_exp=excluded.trial_exp,"
                         " ext=excluded.ext, seq=excluded.seq, iat=excluded.iat,"
                         " updated_at=excluded.updated_at, offer=excluded.offer,"
                         " site=excluded.site, keep_devices=excluded.keep_devices",
    [Q_SERVICE_UPSERT] = "INSERT INTO licence_service(serial, id, exp) VALUES ($1,$2,$3)"
                         " ON CONFLICT(serial, id) DO UPDATE SET exp=excluded.exp",
    [Q_VERSION_BUMP] = "UPDATE meta SET value = value + 1 WHERE key = 'licence_version'",
    [Q_VERSION_GET] = "SELECT value FROM meta WHERE key = 'licence_version'",
    [Q_COUNT_EVENTS] = "SELECT COUNT(*) FROM event WHERE serial = $1",
    [Q_EVENT_KIND] = "SELECT COUNT(*), COALESCE(MAX(t),0) FROM event"
                     " WHERE serial = $1 AND kind = $2",
    [Q_SHOW_DEVICE] = "SELECT enrolled_at, COALESCE(last_contact,0) FROM device WHERE serial = $1",
    [Q_FLEET_USAGE] = "SELECT serial, COUNT(*), COUNT(DISTINCT id), MIN(id), MAX(id),"
                      " COALESCE(SUM(calls),0) FROM usage WHERE serial LIKE $1 AND gen = $2"
                      " GROUP BY serial ORDER BY serial",
};

/* INSERT of one batch record, kept once per (serial, gen, id). */
static void build_record_insert(sql_t *q, const char *table, const proto_record_t *r)
{
    db_sql_add(q, "INSERT INTO %s(serial, gen, id", table);
    sql_cols(q, r, COL_NAME, CDB_SQLITE);
    db_sql_add(q, ", received_at) VALUES ($1,$2,$3");
    int at = sql_params(q, r, 4);
    db_sql_add(q, ",$%d) ON CONFLICT DO NOTHING", at);
}

/* The row of a serial in `table` (made from record `r`): inserted with the
 * record's fields and the columns `tail` = the last parameter (twice and
 * then 1 when `first_last_count`: first_seen, last_seen, reports), or, when
 * the serial is there, its fields replaced and `update` done. */
static void build_upsert(sql_t *q, const char *table, const proto_record_t *r, const char *tail,
                         bool first_last_count, const char *update, cdb_dialect_t d)
{
    db_sql_add(q, "INSERT INTO %s(serial", table);
    sql_cols(q, r, COL_NAME, d);
    db_sql_add(q, ", %s) VALUES ($1", tail);
    int at = sql_params(q, r, 2);
    db_sql_add(q, ",$%d", at);
    if (first_last_count) {
        db_sql_add(q, ",$%d,1", at);
    }
    db_sql_add(q, ") ON CONFLICT(serial) DO UPDATE SET %s", update);
    sql_cols(q, r, COL_EXCLUDED, d);
}

void db_build(q_id_t id, cdb_dialect_t d, sql_t *q)
{
    if (s_fixed[id] != NULL) {
        db_sql_add(q, "%s", s_fixed[id]);
        return;
    }
    const proto_record_t *r = &proto_usage_record;
    switch (id) {
    case Q_DEVICE_UPSERT:
        build_upsert(q, "device", &proto_enrollment_record, "enrolled_at", false,
                     "enrolled_at=excluded.enrolled_at", d);
        break;
    case Q_DEVICE_BY_IDENTITY:
    case Q_DEVICE_BY_SERIAL:
        db_sql_add(q, "SELECT serial");
        sql_cols(q, &proto_enrollment_record, COL_NAME, d);
        db_sql_add(q, " FROM device WHERE %s = $1",
                   id == Q_DEVICE_BY_SERIAL ? "serial" : "psk_identity");
        break;
    case Q_PROV_UPSERT:
        /* PostgreSQL wants the table's own row named (provisioning.reports) */
        build_upsert(q, "provisioning", &proto_prov_report_record, "first_seen, last_seen, reports",
                     true, "last_seen=excluded.last_seen, reports=provisioning.reports+1", d);
        break;
    case Q_USAGE_INSERT: build_record_insert(q, "usage", &proto_usage_record); break;
    case Q_EVENT_INSERT: build_record_insert(q, "event", &proto_event_record); break;
    case Q_LICENCE_LOCK:
        /* First in a licence change on PostgreSQL: the row lock orders
         * concurrent changes (SQLite's BEGIN IMMEDIATE already does). */
        if (d == CDB_POSTGRESQL) {
            db_sql_add(q, "SELECT value FROM meta WHERE key = 'licence_version' FOR UPDATE");
        }
        break;
    case Q_NOTIFY:
        if (d == CDB_POSTGRESQL) {
            db_sql_add(q, "SELECT pg_notify('" NOTIFY_CHANNEL "', '')");
        }
        break;
    case Q_TOTALS:
        /* Sums of integers are exact in both: SQLite's SUM is an integer
         * (an error rather than a wrong figure past 2^63), PostgreSQL's a
         * numeric. */
        db_sql_add(q, "SELECT COUNT(*), COUNT(DISTINCT gen), COALESCE(MIN(start),0),"
                      " COALESCE(MAX(\"end\"),0)");
        for (size_t i = 0; i < r->n && i < CDB_TOTALS_MAX; i++) {
            db_sql_add(q, ", COALESCE(SUM(\"%s\"),0), COALESCE(MAX(\"%s\"),0)", r->fields[i].name,
                       r->fields[i].name);
        }
        db_sql_add(q, " FROM usage WHERE serial = $1");
        break;
    case Q_SHOW_PROV:
        db_sql_add(q, "SELECT first_seen, last_seen, reports");
        sql_cols(q, &proto_prov_report_record, COL_NAME, d);
        db_sql_add(q, " FROM provisioning WHERE serial = $1");
        break;
    default: break;
    }
}

/* The highest $N of `sql`. */
int db_count_params(const char *sql)
{
    int max = 0;
    for (const char *p = sql; (p = strchr(p, '$')) != NULL; p++) {
        int n = atoi(p + 1);
        max = n > max ? n : max;
    }
    return max;
}

/* ---- schema ---------------------------------------------------------------------- */

static int version_get(cdb_t *c, int *v)
{
    *v = 0;
    const char *sql = c->drv->dialect == CDB_SQLITE
                          ? "PRAGMA user_version"
                          : "SELECT value FROM meta WHERE key = 'schema_version'";
    cdb_stmt_t tmp = {.id = CDB_STMTS_MAX + 1};
    if (c->drv->prepare(c, &tmp, sql) != 0) {
        return FW_E_IO;
    }
    int s = c->drv->step(c, &tmp);
    if (s == 1) {
        *v = (int)c->drv->col_int(&tmp, 0);
    }
    c->drv->reset(c, &tmp);
    c->drv->finalize(c, &tmp);
    return s < 0 ? s : 0;
}

static void version_set(sql_t *q, cdb_dialect_t d, int v)
{
    if (d == CDB_SQLITE) {
        db_sql_add(q, "PRAGMA user_version = %d;", v);
    } else {
        db_sql_add(q,
                   "INSERT INTO meta(key, value) VALUES ('schema_version', %d)"
                   " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
                   " WHERE meta.value <> excluded.value;", /* opening writes nothing */
                   v);
    }
}

/* Version 1 kept usage and event rows by (serial, id): move them to the
 * version 2 tables as generation 0, the generation of every device
 * provisioned before generations existed. */
static int migrate_v1(cdb_t *c, sql_t *q)
{
    static const struct {
        const char *table;
        const proto_record_t *r;
    } t[] = {{"usage", &proto_usage_record}, {"event", &proto_event_record}};
    cdb_dialect_t d = c->drv->dialect;
    db_sql_add(q, "ALTER TABLE usage RENAME TO usage_v1; ALTER TABLE event RENAME TO event_v1;");
    schema_records(q, d);
    for (size_t i = 0; i < 2; i++) {
        db_sql_add(q, "INSERT INTO %s (serial, gen, id", t[i].table);
        sql_cols(q, t[i].r, COL_NAME, d);
        db_sql_add(q, ", received_at) SELECT serial, 0, id");
        sql_cols(q, t[i].r, COL_NAME, d);
        db_sql_add(q, ", received_at FROM %s_v1; DROP TABLE %s_v1;", t[i].table, t[i].table);
    }
    int rc = q->overflow ? FW_E_NOSPACE : cdb_exec(c, q->buf);
    if (rc == 0) {
        FW_LOGI("database migrated to schema 2: records keyed by (serial, gen, id)");
    }
    return rc;
}

/* Migrations, in order: each takes a database at version `to - 1`. */
static const struct {
    int to;
    int (*run)(cdb_t *c, sql_t *q);
} s_migrations[] = {
    {2, migrate_v1},
};

/* Columns for the fields a table has gained since the database was made
 * (the enrollment record's dial_prefix and gen, the provisioning report's
 * gen, ...): added with the field's zero value in the rows there are.
 * PostgreSQL says "ADD COLUMN IF NOT EXISTS"; SQLite is asked first. */
static int add_columns(cdb_t *c)
{
    cdb_dialect_t d = c->drv->dialect;
    int rc = 0;
    for (size_t t = 0; rc == 0 && t < sizeof s_record_tables / sizeof s_record_tables[0]; t++) {
        const proto_record_t *r = s_record_tables[t].r;
        for (size_t i = 0; rc == 0 && i < r->n; i++) {
            const proto_field_t *f = &r->fields[i];
            if (!db_is_column(f)) {
                continue;
            }
            char sql[200];
            bool has = false;
            if (d == CDB_SQLITE) {
                (void)snprintf(sql, sizeof sql,
                               "SELECT COUNT(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                               s_record_tables[t].table, f->name);
                cdb_stmt_t tmp = {.id = CDB_STMTS_MAX + 2};
                if (c->drv->prepare(c, &tmp, sql) != 0) {
                    return FW_E_IO;
                }
                has = c->drv->step(c, &tmp) == 1 && c->drv->col_int(&tmp, 0) > 0;
                c->drv->reset(c, &tmp);
                c->drv->finalize(c, &tmp);
                if (has) {
                    continue;
                }
            }
            const char *zero;
            const char *type = sql_type(f, d, &zero);
            (void)snprintf(sql, sizeof sql,
                           "ALTER TABLE %s ADD COLUMN %s\"%s\" %s NOT NULL DEFAULT %s;",
                           s_record_tables[t].table, d == CDB_SQLITE ? "" : "IF NOT EXISTS ",
                           f->name, type, zero);
            rc = cdb_exec(c, sql);
            if (rc == 0 && d == CDB_SQLITE) {
                FW_LOGI("database: column %s.%s added", s_record_tables[t].table, f->name);
            }
        }
    }
    return rc;
}

int db_create_schema(cdb_t *c)
{
    cdb_dialect_t d = c->drv->dialect;
    static _Thread_local sql_t q;
    q.len = 0;
    q.overflow = false;
    int rc = 0;
    if (d == CDB_POSTGRESQL) {
        /* Collectors starting together on an empty database: one at a time. */
        rc = cdb_exec(c, "SELECT pg_advisory_xact_lock(5684);");
    }
    schema_fixed(&q, d);
    if (rc == 0) {
        rc = q.overflow ? FW_E_NOSPACE : cdb_exec(c, q.buf);
    }
    int v = 0;
    if (rc == 0) {
        rc = version_get(c, &v);
    }
    if (rc == 0 && v > SCHEMA_VERSION) {
        cdb_set_failure(c, CDB_FAIL_OTHER, "database schema %d is newer than this collector's (%d)",
                        v, SCHEMA_VERSION);
        return FW_E_UNSUPPORTED;
    }
    for (size_t i = 0; rc == 0 && v > 0 && i < sizeof s_migrations / sizeof s_migrations[0]; i++) {
        if (s_migrations[i].to > v) {
            q.len = 0;
            q.overflow = false;
            rc = s_migrations[i].run(c, &q);
        }
    }
    q.len = 0;
    q.overflow = false;
    schema_records(&q, d);
    version_set(&q, d, SCHEMA_VERSION);
    if (rc == 0) {
        rc = q.overflow ? FW_E_NOSPACE : cdb_exec(c, q.buf);
    }
    if (rc == 0) {
        rc = add_columns(c);
    }
    /* Version 3 after the columns: its trials are made from the devices'
     * licences as they read today (a new database: the tables only). */
    if (rc == 0 && v < 3) {
        rc = cdb_trial_migrate(c, v);
    }
    return rc;
}
