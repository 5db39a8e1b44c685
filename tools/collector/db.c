/*
 * The collector's storage: every statement, once, for both back ends
 * (dbdrv.h). Statements use $1-style parameters, which PostgreSQL and SQLite
 * both accept, and the SQL both dialects share (ON CONFLICT ... DO NOTHING /
 * DO UPDATE, COALESCE); the few words that differ (column types, how a
 * write transaction begins, WITHOUT ROWID) come from one table, s_words.
 *
 * Each connection prepares a statement the first time it runs it and keeps
 * it (cdb_t.stmt): parsing SQL per request was 42% of the collector's
 * instructions per report (callgrind, docs/SCALING.md).
 *
 * Writes of one request, or of a group of requests, are one transaction; the
 * ack is only built after COMMIT succeeded, and COMMIT is durable when it
 * returns (SQLite synchronous=FULL, PostgreSQL synchronous_commit).
 */
#include "db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static const struct {
    const char *int_t, *blob_t, *without_rowid, *begin;
} s_words[] = {
    [CDB_SQLITE] = {"INTEGER", "BLOB", " WITHOUT ROWID", "BEGIN IMMEDIATE;"},
    [CDB_POSTGRESQL] = {"BIGINT", "BYTEA", "", "BEGIN;"},
};

#define NOTIFY_CHANNEL "spark_licence"

/* ---- SQL text ------------------------------------------------------------------- */

typedef struct {
    char buf[4096];
    size_t len;
    bool overflow;
} sql_t;

static void sql_add(sql_t *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql_add(sql_t *q, const char *fmt, ...)
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
        return s_words[d].blob_t;
    }
    *zero = "0";
    return s_words[d].int_t;
}

/* Fields that are not columns: the serial (each table has its own key) and
 * a record's format version. */
static bool is_column(const proto_field_t *f)
{
    return strcmp(f->name, "serial") != 0 && f->type != PROTO_T_CONST;
}

typedef enum {
    COL_DECL,     /* , "name" TYPE NOT NULL */
    COL_NAME,     /* , "name" */
    COL_EXCLUDED, /* , "name"=excluded."name" */
} col_mode_t;

/* Each column field of `r` (is_column()). Names are quoted ("end" is a
 * keyword in both dialects). */
static void sql_cols(sql_t *q, const proto_record_t *r, col_mode_t mode, cdb_dialect_t d)
{
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        if (!is_column(f)) {
            continue;
        }
        if (mode == COL_DECL) {
            const char *zero;
            const char *type = sql_type(f, d, &zero);
            sql_add(q, ", \"%s\" %s NOT NULL DEFAULT %s", f->name, type, zero);
        } else if (mode == COL_NAME) {
            sql_add(q, ", \"%s\"", f->name);
        } else {
            sql_add(q, ", \"%s\"=excluded.\"%s\"", f->name, f->name);
        }
    }
}

/* A $N placeholder for each column field of `r`, from `first`. */
static int sql_params(sql_t *q, const proto_record_t *r, int first)
{
    for (size_t i = 0; i < r->n; i++) {
        if (is_column(&r->fields[i])) {
            sql_add(q, ",$%d", first++);
        }
    }
    return first;
}

/* Tables whose columns are not record fields (the device table comes
 * first: the licence tables refer to it). */
static void schema_fixed(sql_t *q, cdb_dialect_t d)
{
    const char *it = s_words[d].int_t;
    /* The psk_identity names the device in the DTLS handshake: one device
     * each. */
    sql_add(q, "CREATE TABLE IF NOT EXISTS device (serial TEXT PRIMARY KEY");
    sql_cols(q, &proto_enrollment_record, COL_DECL, d);
    sql_add(q, ", enrolled_at %s NOT NULL, last_contact %s, UNIQUE (psk_identity));", it, it);
    sql_add(q,
            "CREATE TABLE IF NOT EXISTS licence ("
            " serial TEXT PRIMARY KEY REFERENCES device(serial), org TEXT NOT NULL,"
            " typ TEXT NOT NULL CHECK (typ IN ('trial','paid')), trial_exp %s,"
            " ext %s NOT NULL DEFAULT 0, seq %s NOT NULL, iat %s,"
            " updated_at %s NOT NULL);",
            it, it, it, it, it);
    sql_add(q,
            "CREATE TABLE IF NOT EXISTS licence_service ("
            " serial TEXT NOT NULL REFERENCES device(serial), id TEXT NOT NULL,"
            " exp %s NOT NULL, PRIMARY KEY (serial, id))%s;",
            it, s_words[d].without_rowid);
    sql_add(q,
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value %s NOT NULL);"
            "INSERT INTO meta(key, value) VALUES ('licence_version', 0) ON CONFLICT DO NOTHING;",
            it);
}

/* CREATE TABLE for a batch record kept per (serial, gen, id). */
static void sql_record_table(sql_t *q, const char *table, const proto_record_t *r, cdb_dialect_t d)
{
    const char *it = s_words[d].int_t;
    sql_add(q,
            "CREATE TABLE IF NOT EXISTS %s (serial TEXT NOT NULL, gen %s NOT NULL,"
            " id %s NOT NULL",
            table, it, it);
    sql_cols(q, r, COL_DECL, d);
    sql_add(q, ", received_at %s NOT NULL, PRIMARY KEY (serial, gen, id))%s;", it,
            s_words[d].without_rowid);
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
    const char *it = s_words[d].int_t;
    sql_record_table(q, "usage", &proto_usage_record, d);
    sql_record_table(q, "event", &proto_event_record, d);
    sql_add(q, "CREATE TABLE IF NOT EXISTS provisioning ("
               " serial TEXT PRIMARY KEY REFERENCES device(serial)");
    sql_cols(q, &proto_prov_report_record, COL_DECL, d);
    sql_add(q, ", first_seen %s NOT NULL, last_seen %s NOT NULL, reports %s NOT NULL);", it, it,
            it);
}

/* ---- statements ------------------------------------------------------------------ */

typedef enum {
    Q_PROBE,
    Q_DEVICE_OTHER_IDENTITY,
    Q_DEVICE_UPSERT,
    Q_DEVICE_BY_IDENTITY,
    Q_DEVICE_BY_SERIAL,
    Q_TOUCH,
    Q_PROV_UPSERT,
    Q_USAGE_INSERT,
    Q_EVENT_INSERT,
    Q_LICENCE_GET,
    Q_LICENCE_SERVICES,
    Q_LICENCE_SET_IAT,
    Q_LICENCE_UPSERT,
    Q_SERVICE_UPSERT,
    Q_VERSION_BUMP,
    Q_LICENCE_LOCK,
    Q_VERSION_GET,
    Q_NOTIFY,
    Q_TOTALS,
    Q_COUNT_EVENTS,
    Q_EVENT_KIND,
    Q_SHOW_DEVICE,
    Q_SHOW_PROV,
    Q_FLEET_USAGE,
    Q_COUNT
} q_id_t;

_Static_assert(Q_COUNT <= CDB_STMTS_MAX, "cdb_t.stmt is too small");

/* Statements that are plain text (the others are made from the wire tables
 * in build()). NULL: not in this dialect. */
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
    sql_add(q, "INSERT INTO %s(serial, gen, id", table);
    sql_cols(q, r, COL_NAME, CDB_SQLITE);
    sql_add(q, ", received_at) VALUES ($1,$2,$3");
    int at = sql_params(q, r, 4);
    sql_add(q, ",$%d) ON CONFLICT DO NOTHING", at);
}

/* The row of a serial in `table` (made from record `r`): inserted with the
 * record's fields and the columns `tail` = the last parameter (twice and
 * then 1 when `first_last_count`: first_seen, last_seen, reports), or, when
 * the serial is there, its fields replaced and `update` done. */
static void build_upsert(sql_t *q, const char *table, const proto_record_t *r, const char *tail,
                         bool first_last_count, const char *update, cdb_dialect_t d)
{
    sql_add(q, "INSERT INTO %s(serial", table);
    sql_cols(q, r, COL_NAME, d);
    sql_add(q, ", %s) VALUES ($1", tail);
    int at = sql_params(q, r, 2);
    sql_add(q, ",$%d", at);
    if (first_last_count) {
        sql_add(q, ",$%d,1", at);
    }
    sql_add(q, ") ON CONFLICT(serial) DO UPDATE SET %s", update);
    sql_cols(q, r, COL_EXCLUDED, d);
}

static void build(q_id_t id, cdb_dialect_t d, sql_t *q)
{
    if (s_fixed[id] != NULL) {
        sql_add(q, "%s", s_fixed[id]);
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
        sql_add(q, "SELECT serial");
        sql_cols(q, &proto_enrollment_record, COL_NAME, d);
        sql_add(q, " FROM device WHERE %s = $1",
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
            sql_add(q, "SELECT value FROM meta WHERE key = 'licence_version' FOR UPDATE");
        }
        break;
    case Q_NOTIFY:
        if (d == CDB_POSTGRESQL) {
            sql_add(q, "SELECT pg_notify('" NOTIFY_CHANNEL "', '')");
        }
        break;
    case Q_TOTALS:
        /* Sums of integers are exact in both: SQLite's SUM is an integer
         * (an error rather than a wrong figure past 2^63), PostgreSQL's a
         * numeric. */
        sql_add(q, "SELECT COUNT(*), COUNT(DISTINCT gen), COALESCE(MIN(start),0),"
                   " COALESCE(MAX(\"end\"),0)");
        for (size_t i = 0; i < r->n && i < CDB_TOTALS_MAX; i++) {
            sql_add(q, ", COALESCE(SUM(\"%s\"),0), COALESCE(MAX(\"%s\"),0)", r->fields[i].name,
                    r->fields[i].name);
        }
        sql_add(q, " FROM usage WHERE serial = $1");
        break;
    case Q_SHOW_PROV:
        sql_add(q, "SELECT first_seen, last_seen, reports");
        sql_cols(q, &proto_prov_report_record, COL_NAME, d);
        sql_add(q, " FROM provisioning WHERE serial = $1");
        break;
    default: break;
    }
}

/* The highest $N of `sql`. */
static int count_params(const char *sql)
{
    int max = 0;
    for (const char *p = sql; (p = strchr(p, '$')) != NULL; p++) {
        int n = atoi(p + 1);
        max = n > max ? n : max;
    }
    return max;
}

void cdb_set_failure(cdb_t *c, cdb_fail_t cls, const char *fmt, ...)
{
    c->fail = cls;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(c->fail_msg, sizeof c->fail_msg, fmt, ap);
    va_end(ap);
}

cdb_fail_t cdb_failure(const cdb_t *c, const char **msg)
{
    if (msg != NULL) {
        *msg = c->fail_msg;
    }
    return c->fail;
}

/* Forget every prepared statement (a new PostgreSQL session has none). */
static void forget_statements(cdb_t *c)
{
    for (int i = 0; i < CDB_STMTS_MAX; i++) {
        cdb_stmt_t *st = c->stmt[i];
        if (st != NULL && st->prepared) {
            c->drv->reset(c, st);
            c->drv->finalize(c, st);
        }
    }
}

/* After a failure: a lost connection (the server restarted) is made again
 * before the next statement, with its statements prepared again and its
 * LISTEN renewed. 0 when the connection is usable. */
static int revive(cdb_t *c)
{
    if (c->fail == CDB_FAIL_NONE || c->in_tx) {
        return 0;
    }
    int r = c->drv->reconnect(c);
    if (r < 0) {
        return r;
    }
    if (r == 1) {
        forget_statements(c);
        if (c->listen_channel[0] != '\0' && c->drv->listen(c, c->listen_channel) != 0) {
            return FW_E_IO;
        }
        FW_LOGI("database '%s': connected again", c->where);
    }
    c->fail = CDB_FAIL_NONE;
    return 0;
}

/* Statement `id`, prepared on this connection, ready for parameters: one
 * of q_id_t, or from Q_COUNT on one of c->sql (cdb_q). */
static cdb_stmt_t *stmt(cdb_t *c, int id)
{
    if (id < 0 || id >= CDB_STMTS_MAX) {
        cdb_set_failure(c, CDB_FAIL_OTHER, "statement %d: no such statement", id);
        return NULL;
    }
    if (revive(c) != 0) {
        return NULL;
    }
    cdb_stmt_t *st = c->stmt[id];
    if (st == NULL) {
        st = calloc(1, sizeof *st);
        if (st == NULL) {
            cdb_set_failure(c, CDB_FAIL_UNAVAILABLE, "out of memory");
            return NULL;
        }
        st->id = id;
        c->stmt[id] = st;
    }
    if (!st->prepared) {
        static _Thread_local sql_t q;
        q.len = 0;
        q.overflow = false;
        if (id < Q_COUNT) {
            build((q_id_t)id, c->drv->dialect, &q);
        } else {
            sql_add(&q, "%s", c->sql[id]);
        }
        if (q.overflow || q.len == 0) {
            cdb_set_failure(c, CDB_FAIL_OTHER, "statement %d: no SQL in this dialect", id);
            return NULL;
        }
        st->n_params = count_params(q.buf);
        if (st->n_params > CDB_PARAMS_MAX || c->drv->prepare(c, st, q.buf) != 0) {
            return NULL;
        }
    }
    c->drv->reset(c, st);
    memset(st->param, 0, sizeof st->param);
    return st;
}

static void p_int(cdb_stmt_t *st, int n, int64_t v)
{
    st->param[n] = (cdb_param_t){.type = CDB_P_INT, .i = v};
}

static void p_text(cdb_stmt_t *st, int n, const char *s)
{
    st->param[n] = (cdb_param_t){.type = CDB_P_TEXT, .p = s};
}

static void p_blob(cdb_stmt_t *st, int n, const void *b, size_t len)
{
    st->param[n] = (cdb_param_t){.type = CDB_P_BLOB, .p = b, .n = len};
}

static int step(cdb_t *c, cdb_stmt_t *st)
{
    return c->drv->step(c, st);
}

/* Run to the end (a statement without rows, or whose rows do not matter). */
static int run(cdb_t *c, cdb_stmt_t *st)
{
    int s;
    while ((s = step(c, st)) == 1) {
    }
    c->drv->reset(c, st);
    return s < 0 ? s : 0;
}

static void done(cdb_t *c, cdb_stmt_t *st)
{
    c->drv->reset(c, st);
}

static int64_t col_int(const cdb_t *c, cdb_stmt_t *st, int col)
{
    return c->drv->col_int(st, col);
}

static void col_text(const cdb_t *c, cdb_stmt_t *st, int col, char *dst, size_t cap)
{
    (void)snprintf(dst, cap, "%s", c->drv->col_text(st, col));
}

static int exec(cdb_t *c, const char *sql)
{
    return c->drv->exec(c, sql);
}

static int tx_begin(cdb_t *c)
{
    if (revive(c) != 0) {
        return FW_E_IO;
    }
    int rc = exec(c, s_words[c->drv->dialect].begin);
    c->in_tx = rc == 0;
    return rc;
}

/* COMMIT after success, ROLLBACK otherwise; the first error wins. */
static int tx_end(cdb_t *c, int rc)
{
    if (!c->in_tx) {
        return rc != 0 ? rc : FW_E_IO;
    }
    cdb_fail_t fail = c->fail;
    char msg[sizeof c->fail_msg];
    memcpy(msg, c->fail_msg, sizeof msg);
    int r2 = exec(c, rc == 0 ? "COMMIT;" : "ROLLBACK;");
    c->in_tx = false;
    if (rc != 0) {
        c->fail = fail; /* the failure that made us roll back, not the rollback's */
        memcpy(c->fail_msg, msg, sizeof msg);
        return rc;
    }
    return r2;
}

/* Bind field `f` of `obj` to parameter `n`. */
static void bind_field(cdb_stmt_t *st, int n, const proto_field_t *f, const void *obj)
{
    if (f->type == PROTO_T_STR) {
        p_text(st, n, (const char *)obj + f->offset);
    } else if (f->type == PROTO_T_HEX) {
        size_t len;
        memcpy(&len, (const char *)obj + f->len_offset, sizeof len);
        p_blob(st, n, (const char *)obj + f->offset, len < f->size ? len : f->size);
    } else if (f->type == PROTO_T_KIND) {
        const char *name = proto_event_kind_name((proto_event_kind_t)proto_field_get(f, obj));
        p_text(st, n, name != NULL ? name : "unknown");
    } else {
        p_int(st, n, proto_field_get(f, obj));
    }
}

/* Bind every column field of `r` from parameter `first` on. */
static int bind_fields(cdb_stmt_t *st, int first, const proto_record_t *r, const void *obj)
{
    for (size_t i = 0; i < r->n; i++) {
        if (is_column(&r->fields[i])) {
            bind_field(st, first++, &r->fields[i], obj);
        }
    }
    return first;
}

/* The column fields of `r` (sql_cols() order) from result column `col` on,
 * into `obj`. FW_E_CORRUPT when a blob does not fit its field (a damaged
 * row: never half-used). */
static int read_fields(const cdb_t *c, cdb_stmt_t *st, int col, const proto_record_t *r, void *obj)
{
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        if (!is_column(f)) {
            continue;
        }
        if (f->type == PROTO_T_STR) {
            (void)snprintf((char *)obj + f->offset, f->size, "%s", c->drv->col_text(st, col));
        } else if (f->type == PROTO_T_HEX) {
            size_t len = 0;
            if (c->drv->col_blob(st, col, (uint8_t *)obj + f->offset, f->size, &len) != 0) {
                return FW_E_CORRUPT;
            }
            memcpy((char *)obj + f->len_offset, &len, sizeof len);
        } else {
            proto_field_set(f, obj, c->drv->col_int(st, col));
        }
        col++;
    }
    return 0;
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
        sql_add(q, "PRAGMA user_version = %d;", v);
    } else {
        sql_add(q,
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
    sql_add(q, "ALTER TABLE usage RENAME TO usage_v1; ALTER TABLE event RENAME TO event_v1;");
    schema_records(q, d);
    for (size_t i = 0; i < 2; i++) {
        sql_add(q, "INSERT INTO %s (serial, gen, id", t[i].table);
        sql_cols(q, t[i].r, COL_NAME, d);
        sql_add(q, ", received_at) SELECT serial, 0, id");
        sql_cols(q, t[i].r, COL_NAME, d);
        sql_add(q, ", received_at FROM %s_v1; DROP TABLE %s_v1;", t[i].table, t[i].table);
    }
    int rc = q->overflow ? FW_E_NOSPACE : exec(c, q->buf);
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
            if (!is_column(f)) {
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
            rc = exec(c, sql);
            if (rc == 0 && d == CDB_SQLITE) {
                FW_LOGI("database: column %s.%s added", s_record_tables[t].table, f->name);
            }
        }
    }
    return rc;
}

static int create_schema(cdb_t *c)
{
    cdb_dialect_t d = c->drv->dialect;
    static _Thread_local sql_t q;
    q.len = 0;
    q.overflow = false;
    int rc = 0;
    if (d == CDB_POSTGRESQL) {
        /* Collectors starting together on an empty database: one at a time. */
        rc = exec(c, "SELECT pg_advisory_xact_lock(5684);");
    }
    schema_fixed(&q, d);
    if (rc == 0) {
        rc = q.overflow ? FW_E_NOSPACE : exec(c, q.buf);
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
        rc = q.overflow ? FW_E_NOSPACE : exec(c, q.buf);
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

/* The URI without a password, for log lines. */
static void redact(const char *uri, char *out, size_t cap)
{
    (void)snprintf(out, cap, "%s", uri);
    char *scheme = strstr(out, "://");
    char *at = scheme != NULL ? strchr(scheme + 3, '@') : NULL;
    char *colon = scheme != NULL ? strchr(scheme + 3, ':') : NULL;
    if (at != NULL && colon != NULL && colon < at) {
        memmove(colon + 4, at, strlen(at) + 1);
        memcpy(colon, ":***", 4);
    }
    char *pw = strstr(out, "password=");
    if (pw != NULL) {
        pw += 9;
        size_t n = strcspn(pw, "& ");
        memmove(pw + 3, pw + n, strlen(pw + n) + 1);
        memcpy(pw, "***", 3);
    }
}

int cdb_dialect_of_uri(const char *uri)
{
    if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0) {
        return CDB_POSTGRESQL;
    }
    if (strncmp(uri, "sqlite:", 7) == 0) {
        return uri[7] != '\0' ? CDB_SQLITE : -1;
    }
    return (strstr(uri, "://") != NULL || uri[0] == '\0') ? -1 : CDB_SQLITE; /* a bare path */
}

int cdb_open(cdb_t *c, const char *uri)
{
    memset(c, 0, sizeof *c);
    redact(uri, c->where, sizeof c->where);
    int d = cdb_dialect_of_uri(uri);
    if (d < 0) {
        FW_LOGE("database '%s': expected sqlite:FILE, a file name or postgresql://...", c->where);
        return FW_E_INVAL;
    }
#ifdef SPARK_NO_LIBPQ
    if (d == CDB_POSTGRESQL) {
        FW_LOGE("database '%s': this build has no PostgreSQL client (libpq)", c->where);
        return FW_E_UNSUPPORTED;
    }
    c->drv = &cdb_sqlite_driver;
#else
    c->drv = d == CDB_POSTGRESQL ? &cdb_pg_driver : &cdb_sqlite_driver;
#endif
    const char *target = strncmp(uri, "sqlite:", 7) == 0 ? uri + 7 : uri;
    int rc = c->drv->open(c, target);
    if (rc == 0) {
        rc = tx_begin(c);
        if (rc == 0) {
            rc = tx_end(c, create_schema(c));
        }
    }
    if (rc != 0) {
        FW_LOGE("cannot open database '%s': %s", c->where, c->fail_msg);
        cdb_close(c);
    }
    return rc;
}

void cdb_close(cdb_t *c)
{
    for (int i = 0; i < CDB_STMTS_MAX; i++) {
        if (c->stmt[i] != NULL) {
            if (c->drv != NULL && c->h != NULL) {
                c->drv->reset(c, c->stmt[i]);
                c->drv->finalize(c, c->stmt[i]);
            }
            free(c->stmt[i]);
            c->stmt[i] = NULL;
        }
    }
    if (c->drv != NULL) {
        c->drv->close(c);
    }
}

cdb_dialect_t cdb_dialect(const cdb_t *c)
{
    return c->drv->dialect;
}

int cdb_probe_write(cdb_t *c)
{
    int rc = tx_begin(c);
    if (rc == 0) {
        cdb_stmt_t *st = stmt(c, Q_PROBE);
        rc = tx_end(c, st != NULL ? run(c, st) : FW_E_IO);
    }
    if (rc == 0) {
        c->fail = CDB_FAIL_NONE;
    }
    return rc;
}

/* ---- devices ------------------------------------------------------------------------ */

static int enroll_one(cdb_t *c, const cdb_device_t *d, int64_t now)
{
    cdb_stmt_t *st = stmt(c, Q_DEVICE_OTHER_IDENTITY);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, d->psk_identity);
    p_text(st, 2, d->serial);
    int s = step(c, st);
    done(c, st);
    if (s != 0) {
        return s == 1 ? FW_E_STATE : s;
    }
    st = stmt(c, Q_DEVICE_UPSERT);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, d->serial);
    int at = bind_fields(st, 2, &proto_enrollment_record, d);
    p_int(st, at, now);
    return run(c, st);
}

int cdb_enroll(cdb_t *c, const cdb_device_t *d, int64_t now)
{
    return cdb_enroll_many(c, d, 1, now);
}

int cdb_enroll_many(cdb_t *c, const cdb_device_t *d, size_t n, int64_t now)
{
    int rc = cdb_write_begin(c);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = enroll_one(c, &d[i], now);
        if (rc == 0) {
            rc = cdb_trial_on_enroll(c, &d[i], now); /* a partner's trial: its licence */
        }
    }
    return tx_end(c, rc);
}

static int device_by(cdb_t *c, q_id_t q, const char *key, cdb_device_t *out)
{
    cdb_stmt_t *st = stmt(c, q);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, key);
    int s = step(c, st);
    int rc = s < 0 ? s : s == 0 ? FW_E_NOENT : 0;
    if (s == 1) {
        memset(out, 0, sizeof *out);
        col_text(c, st, 0, out->serial, sizeof out->serial);
        rc = read_fields(c, st, 1, &proto_enrollment_record, out);
        if (rc == 0 && out->psk_len == 0) {
            rc = FW_E_CORRUPT; /* no key to serve it with */
        }
    }
    done(c, st);
    return rc;
}

int cdb_device_by_identity(cdb_t *c, const char *identity, cdb_device_t *out)
{
    return device_by(c, Q_DEVICE_BY_IDENTITY, identity, out);
}

int cdb_device_by_serial(cdb_t *c, const char *serial, cdb_device_t *out)
{
    return device_by(c, Q_DEVICE_BY_SERIAL, serial, out);
}

static int touch(cdb_t *c, const char *serial, int64_t now)
{
    cdb_stmt_t *st = stmt(c, Q_TOUCH);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, serial);
    p_int(st, 2, now);
    return run(c, st);
}

/* ---- reports ------------------------------------------------------------------------ */

static int store_prov(cdb_t *c, const collector_prov_t *p, int64_t now)
{
    cdb_stmt_t *st = stmt(c, Q_PROV_UPSERT);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, p->serial);
    int at = bind_fields(st, 2, &proto_prov_report_record, p);
    p_int(st, at, now);
    return run(c, st);
}

/* The records of one batch body: `items` `n` elements `size` bytes apart,
 * each a uint64_t id then the record at `rec_off`. */
static int store_records(cdb_t *c, q_id_t q, const proto_record_t *rec, const char *serial,
                         uint32_t gen, const void *items, size_t n, size_t size, size_t rec_off,
                         int64_t now)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        cdb_stmt_t *st = stmt(c, q);
        if (st == NULL) {
            return FW_E_IO;
        }
        const char *item = (const char *)items + i * size;
        uint64_t id;
        memcpy(&id, item, sizeof id);
        p_text(st, 1, serial);
        p_int(st, 2, gen);
        p_int(st, 3, (int64_t)id);
        int at = bind_fields(st, 4, rec, item + rec_off);
        p_int(st, at, now);
        rc = run(c, st);
    }
    return rc;
}

static int run_simple(cdb_t *c, q_id_t q);

static const char *item_serial(const cdb_item_t *it)
{
    switch (it->kind) {
    case CDB_ITEM_PROV: return ((const collector_prov_t *)it->body)->serial;
    case CDB_ITEM_USAGE: return ((const collector_usage_t *)it->body)->serial;
    case CDB_ITEM_EVENTS: return ((const collector_events_t *)it->body)->serial;
    case CDB_ITEM_TOUCH: return (const char *)it->body;
    case CDB_ITEM_PROBE: return "";
    }
    return "";
}

static int store_item(cdb_t *c, const cdb_item_t *it)
{
    if (it->kind == CDB_ITEM_TOUCH) {
        return 0;
    }
    if (it->kind == CDB_ITEM_PROBE) {
        return run_simple(c, Q_PROBE);
    }
    if (it->kind == CDB_ITEM_PROV) {
        return store_prov(c, it->body, it->now);
    }
    if (it->kind == CDB_ITEM_USAGE) {
        const collector_usage_t *u = it->body;
        return store_records(c, Q_USAGE_INSERT, &proto_usage_record, u->serial, u->gen, u->rec,
                             u->n, sizeof u->rec[0], offsetof(collector_usage_rec_t, u), it->now);
    }
    const collector_events_t *e = it->body;
    return store_records(c, Q_EVENT_INSERT, &proto_event_record, e->serial, e->gen, e->ev, e->n,
                         sizeof e->ev[0], offsetof(collector_event_t, e), it->now);
}

static int by_serial(const void *a, const void *b)
{
    const cdb_item_t *x = *(cdb_item_t *const *)a, *y = *(cdb_item_t *const *)b;
    int d = strcmp(item_serial(x), item_serial(y));
    return d != 0 ? d : (x < y ? -1 : x > y);
}

/* One transaction: every item (in serial order), then the last_contact of
 * each serial asked for once. */
static int group_tx(cdb_t *c, cdb_item_t **items, size_t n)
{
    int rc = tx_begin(c);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = store_item(c, items[i]);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *serial = item_serial(items[i]);
        int64_t now = 0;
        bool want = false;
        for (;;) {
            if (items[i]->kind != CDB_ITEM_PROBE &&
                (items[i]->touch || items[i]->kind == CDB_ITEM_TOUCH)) {
                want = true;
                now = items[i]->now > now ? items[i]->now : now;
            }
            if (i + 1 >= n || strcmp(item_serial(items[i + 1]), serial) != 0) {
                break;
            }
            i++;
        }
        if (want) {
            rc = touch(c, serial, now);
        }
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (items[i]->kind == CDB_ITEM_TOUCH && items[i]->served_seq != 0) {
            rc = cdb_licence_served(c, item_serial(items[i]), items[i]->served_seq, items[i]->now);
        }
    }
    return tx_end(c, rc);
}

int cdb_store_group(cdb_t *c, cdb_item_t *items, size_t n)
{
    cdb_item_t *one[1];
    cdb_item_t **order = n > 1 ? malloc(n * sizeof *order) : one;
    if (order == NULL) {
        cdb_set_failure(c, CDB_FAIL_UNAVAILABLE, "out of memory");
        return FW_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        order[i] = &items[i];
        items[i].rc = 0;
    }
    qsort(order, n, sizeof *order, by_serial);
    int rc = FW_E_IO;
    /* A collision with another writer (deadlock, serialization): again. */
    for (int attempt = 0; attempt < 3; attempt++) {
        rc = group_tx(c, order, n);
        if (rc == 0 || c->fail != CDB_FAIL_CONFLICT) {
            break;
        }
    }
    if (rc != 0 && c->fail == CDB_FAIL_OTHER && n > 1) {
        /* Something about one item: store each on its own, so the others
         * are not refused with it. */
        rc = 0;
        for (size_t i = 0; i < n; i++) {
            order[i]->rc = group_tx(c, &order[i], 1);
            rc = rc != 0 ? rc : order[i]->rc;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            items[i].rc = rc;
        }
    }
    if (order != one) {
        free(order);
    }
    return rc;
}

static int store_one(cdb_t *c, cdb_item_kind_t kind, const void *body, int64_t now)
{
    cdb_item_t it = {.kind = kind, .body = body, .now = now, .touch = true};
    return cdb_store_group(c, &it, 1);
}

int cdb_store_prov(cdb_t *c, const collector_prov_t *p, int64_t now)
{
    return store_one(c, CDB_ITEM_PROV, p, now);
}

int cdb_touch(cdb_t *c, const char *serial, int64_t now)
{
    return store_one(c, CDB_ITEM_TOUCH, serial, now);
}

int cdb_store_usage(cdb_t *c, const collector_usage_t *u, int64_t now)
{
    return store_one(c, CDB_ITEM_USAGE, u, now);
}

int cdb_store_events(cdb_t *c, const collector_events_t *e, int64_t now)
{
    return store_one(c, CDB_ITEM_EVENTS, e, now);
}

/* ---- licences -------------------------------------------------------------------------- */

int cdb_licence_get(cdb_t *c, const char *serial, collector_licence_t *out, bool *has_iat)
{
    cdb_stmt_t *st = stmt(c, Q_LICENCE_GET);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, serial);
    int s = step(c, st);
    if (s != 1) {
        done(c, st);
        return s < 0 ? s : FW_E_NOENT;
    }
    memset(out, 0, sizeof *out);
    (void)snprintf(out->serial, sizeof out->serial, "%s", serial);
    col_text(c, st, 0, out->org, sizeof out->org);
    out->paid = strcmp(c->drv->col_text(st, 1), "paid") == 0;
    out->trial_exp = col_int(c, st, 2);
    out->ext = (int)col_int(c, st, 3);
    out->seq = (uint32_t)col_int(c, st, 4);
    *has_iat = !c->drv->col_null(st, 5);
    out->iat = col_int(c, st, 5);
    col_text(c, st, 6, out->trial, sizeof out->trial);
    col_text(c, st, 7, out->region, sizeof out->region);
    out->keep = col_int(c, st, 8) != 0;
    col_text(c, st, 9, out->offer, sizeof out->offer);
    col_text(c, st, 10, out->site, sizeof out->site);
    done(c, st);

    st = stmt(c, Q_LICENCE_SERVICES);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, serial);
    while ((s = step(c, st)) == 1 && out->n_svc < 16) {
        col_text(c, st, 0, out->svc[out->n_svc].id, sizeof out->svc[0].id);
        out->svc[out->n_svc].exp = col_int(c, st, 1);
        out->n_svc++;
    }
    done(c, st);
    return s < 0 ? s : 0;
}

int cdb_licence_set_iat(cdb_t *c, const char *serial, uint32_t seq, int64_t iat)
{
    cdb_stmt_t *st = stmt(c, Q_LICENCE_SET_IAT);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, serial);
    p_int(st, 2, seq);
    p_int(st, 3, iat);
    return run(c, st);
}

static int run_simple(cdb_t *c, q_id_t q)
{
    cdb_stmt_t *st = stmt(c, q);
    return st != NULL ? run(c, st) : FW_E_IO;
}

/* The change is planned by fw_trial (licence_plan.c: the rules a device
 * applies); this writes the planned row. iat is fixed here, at the change:
 * a conversion made in grace keeps its issue instant however late the
 * device fetches it, as R8 allows. */
static int licence_change_tx(cdb_t *c, const char *serial, const cdb_licence_change_t *ch,
                             int64_t now, char *why, size_t cap)
{
    cdb_device_t d;
    int rc = cdb_device_by_serial(c, serial, &d);
    fw_zeroize(d.psk, sizeof d.psk); /* a licence needs the identity only */
    fw_zeroize(d.support_psk, sizeof d.support_psk);
    if (rc == FW_E_NOENT) {
        (void)snprintf(why, cap, "serial %s: not enrolled", serial);
        return rc;
    }
    if (rc != 0) {
        return rc;
    }
    collector_licence_t cur, nl;
    bool has_iat;
    rc = cdb_licence_get(c, serial, &cur, &has_iat);
    bool exists = rc == 0;
    if (rc != 0 && rc != FW_E_NOENT) {
        return rc;
    }
    rc = collector_licence_plan(exists ? &cur : NULL, &d, ch, now, &nl, why, cap);
    if (rc == 0) {
        rc = cdb_licence_put(c, &nl, nl.paid && !ch->set_exp && !exists, now);
    }
    if (rc == 0) {
        /* the trial it belongs to (R5 for a new one), the audit trail */
        rc = cdb_trial_on_licence(c, &d, &nl, now, why, cap);
    }
    return rc == 0 ? cdb_licence_bump(c) : rc;
}

int cdb_licence_put(cdb_t *c, const collector_licence_t *l, bool exp_null, int64_t now)
{
    cdb_stmt_t *st = stmt(c, Q_LICENCE_UPSERT);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, l->serial);
    p_text(st, 2, l->org);
    p_text(st, 3, l->paid ? "paid" : "trial");
    if (!exp_null) {
        p_int(st, 4, l->trial_exp);
    } /* else NULL */
    p_int(st, 5, l->ext);
    p_int(st, 6, l->seq);
    p_int(st, 7, l->iat);
    p_int(st, 8, now);
    p_text(st, 9, l->offer);
    p_text(st, 10, l->site);
    p_int(st, 11, l->keep ? 1 : 0);
    int rc = run(c, st);
    /* The planned services: those kept, added or moved with an extension. */
    for (size_t i = 0; rc == 0 && i < l->n_svc; i++) {
        st = stmt(c, Q_SERVICE_UPSERT);
        if (st == NULL) {
            return FW_E_IO;
        }
        p_text(st, 1, l->serial);
        p_text(st, 2, l->svc[i].id);
        p_int(st, 3, l->svc[i].exp);
        rc = run(c, st);
    }
    return rc;
}

int cdb_licence_bump(cdb_t *c)
{
    int rc = run_simple(c, Q_VERSION_BUMP);
    if (rc == 0 && c->drv->dialect == CDB_POSTGRESQL) {
        rc = run_simple(c, Q_NOTIFY); /* delivered at COMMIT, to every LISTENer */
    }
    return rc;
}

int cdb_licence_change(cdb_t *c, const char *serial, const cdb_licence_change_t *ch, int64_t now,
                       char *why, size_t why_cap)
{
    why[0] = '\0';
    int rc = cdb_write_begin(c);
    if (rc == 0) {
        rc = tx_end(c, licence_change_tx(c, serial, ch, now, why, why_cap));
    }
    return rc;
}

int cdb_licence_version(cdb_t *c, int64_t *version)
{
    cdb_stmt_t *st = stmt(c, Q_VERSION_GET);
    if (st == NULL) {
        return FW_E_IO;
    }
    int s = step(c, st);
    *version = s == 1 ? col_int(c, st, 0) : 0;
    done(c, st);
    return s < 0 ? s : 0;
}

int cdb_licence_listen(cdb_t *c)
{
    if (c->drv->dialect != CDB_POSTGRESQL) {
        return 0;
    }
    (void)snprintf(c->listen_channel, sizeof c->listen_channel, "%s", NOTIFY_CHANNEL);
    return c->drv->listen(c, c->listen_channel);
}

int cdb_notify_fd(cdb_t *c)
{
    return c->listen_channel[0] != '\0' ? c->drv->notify_fd(c) : -1;
}

int cdb_notifications(cdb_t *c)
{
    return c->listen_channel[0] != '\0' ? c->drv->notifications(c, true) : 0;
}

int cdb_notifications_queued(cdb_t *c)
{
    return c->listen_channel[0] != '\0' ? c->drv->notifications(c, false) : 0;
}

/* ---- views ------------------------------------------------------------------------------ */

int cdb_totals(cdb_t *c, const char *serial, cdb_totals_t *t)
{
    memset(t, 0, sizeof *t);
    cdb_stmt_t *st = stmt(c, Q_TOTALS);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, serial);
    int s = step(c, st);
    if (s == 1) {
        const proto_record_t *r = &proto_usage_record;
        t->records = col_int(c, st, 0);
        t->generations = col_int(c, st, 1);
        t->first_start = col_int(c, st, 2);
        t->last_end = col_int(c, st, 3);
        for (size_t i = 0; i < r->n && i < CDB_TOTALS_MAX; i++) {
            t->sum[i] = col_int(c, st, 4 + 2 * (int)i);
            t->max[i] = col_int(c, st, 5 + 2 * (int)i);
        }
    }
    done(c, st);
    return s < 0 ? s : 0;
}

int cdb_count_events(cdb_t *c, const char *serial, int64_t *n)
{
    cdb_stmt_t *st = stmt(c, Q_COUNT_EVENTS);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, serial);
    int s = step(c, st);
    *n = s == 1 ? col_int(c, st, 0) : 0;
    done(c, st);
    return s < 0 ? s : 0;
}

int cdb_event_kind(cdb_t *c, const char *serial, const char *kind, int64_t *count, int64_t *last)
{
    cdb_stmt_t *st = stmt(c, Q_EVENT_KIND);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, serial);
    p_text(st, 2, kind);
    int s = step(c, st);
    *count = s == 1 ? col_int(c, st, 0) : 0;
    *last = s == 1 ? col_int(c, st, 1) : 0;
    done(c, st);
    return s < 0 ? s : 0;
}

int cdb_show(cdb_t *c, const char *serial, cdb_show_t *s)
{
    memset(s, 0, sizeof *s);
    cdb_stmt_t *st = stmt(c, Q_SHOW_DEVICE);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, serial);
    int r = step(c, st);
    if (r != 1) {
        done(c, st);
        return r < 0 ? r : FW_E_NOENT;
    }
    s->enrolled_at = col_int(c, st, 0);
    s->last_contact = col_int(c, st, 1);
    done(c, st);
    st = stmt(c, Q_SHOW_PROV);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, serial);
    r = step(c, st);
    if (r == 1) {
        collector_prov_t *p = &s->prov;
        s->has_prov = true;
        (void)snprintf(p->serial, sizeof p->serial, "%s", serial);
        s->first_seen = col_int(c, st, 0);
        s->last_seen = col_int(c, st, 1);
        s->prov_reports = col_int(c, st, 2);
        int col = 3;
        for (size_t i = 0; i < proto_prov_report_record.n; i++) {
            const proto_field_t *f = &proto_prov_report_record.fields[i];
            if (strcmp(f->name, "serial") == 0) {
                continue;
            }
            if (f->type == PROTO_T_STR) {
                col_text(c, st, col, (char *)p + f->offset, f->size);
            } else {
                proto_field_set(f, p, col_int(c, st, col));
            }
            col++;
        }
    }
    done(c, st);
    return r < 0 ? r : 0;
}

int cdb_fleet_usage(cdb_t *c, const char *prefix, uint32_t gen,
                    int (*fn)(void *arg, const cdb_fleet_row_t *row), void *arg)
{
    char like[24];
    (void)snprintf(like, sizeof like, "%.20s%%", prefix);
    cdb_stmt_t *st = stmt(c, Q_FLEET_USAGE);
    if (st == NULL) {
        return FW_E_IO;
    }
    p_text(st, 1, like);
    p_int(st, 2, gen);
    int s;
    while ((s = step(c, st)) == 1) {
        cdb_fleet_row_t row;
        col_text(c, st, 0, row.serial, sizeof row.serial);
        row.rows = col_int(c, st, 1);
        row.ids = col_int(c, st, 2);
        row.min_id = col_int(c, st, 3);
        row.max_id = col_int(c, st, 4);
        row.calls = col_int(c, st, 5);
        if (fn(arg, &row) != 0) {
            break;
        }
    }
    done(c, st);
    return s < 0 ? s : 0;
}

/* ---- for the other db_*.c files (db_priv.h) ----------------------------------------- */

cdb_stmt_t *cdb_q(cdb_t *c, const char *sql)
{
    int id = -1;
    for (int i = Q_COUNT; i < CDB_STMTS_MAX && id < 0; i++) {
        if (c->sql[i] == sql || c->sql[i] == NULL) {
            id = i;
        }
    }
    if (id < 0) {
        cdb_set_failure(c, CDB_FAIL_OTHER, "more statements than CDB_STMTS_MAX: %.60s", sql);
        return NULL;
    }
    c->sql[id] = sql;
    return stmt(c, id);
}

void cdb_p_int(cdb_stmt_t *st, int n, int64_t v)
{
    p_int(st, n, v);
}

void cdb_p_text(cdb_stmt_t *st, int n, const char *s)
{
    if (s != NULL) {
        p_text(st, n, s);
    } else {
        st->param[n] = (cdb_param_t){.type = CDB_P_NULL};
    }
}

int cdb_step(cdb_t *c, cdb_stmt_t *st)
{
    return step(c, st);
}

int cdb_run(cdb_t *c, cdb_stmt_t *st)
{
    return run(c, st);
}

void cdb_done(cdb_t *c, cdb_stmt_t *st)
{
    done(c, st);
}

int64_t cdb_col_int(const cdb_t *c, cdb_stmt_t *st, int col)
{
    return col_int(c, st, col);
}

void cdb_col_text(const cdb_t *c, cdb_stmt_t *st, int col, char *dst, size_t cap)
{
    col_text(c, st, col, dst, cap);
}

int cdb_exec(cdb_t *c, const char *sql)
{
    return exec(c, sql);
}

int cdb_write_begin(cdb_t *c)
{
    int rc = tx_begin(c);
    if (rc == 0 && c->drv->dialect == CDB_POSTGRESQL) {
        rc = run_simple(c, Q_LICENCE_LOCK);
        if (rc != 0) {
            (void)tx_end(c, rc);
        }
    }
    return rc;
}

int cdb_end_tx(cdb_t *c, int rc)
{
    return tx_end(c, rc);
}

/* A read transaction: one state of the database for every view (SQLite: a
 * read snapshot from the first read; PostgreSQL: repeatable read). */
int cdb_read_begin(cdb_t *c)
{
    if (revive(c) != 0) {
        return FW_E_IO;
    }
    int rc = exec(c, c->drv->dialect == CDB_POSTGRESQL
                         ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
                         : "BEGIN;");
    c->in_tx = rc == 0;
    return rc;
}

void cdb_read_end(cdb_t *c)
{
    (void)tx_end(c, 0);
}
