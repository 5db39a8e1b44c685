/*
 * The collector's SQLite storage. Statements are prepared per call: the
 * rates here (a few reports per device per hour) do not justify a statement
 * cache, and per-call statements keep every path simple to read.
 *
 * Writes of one request are one transaction, so a request is stored whole
 * or not at all; the ack is only built after COMMIT succeeded.
 */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db_priv.h"
#include "db_trial.h"
#include "fw/err.h"
#include "fw/zeroize.h"
#include "licence_plan.h"

#define FW_LOG_TAG "coll-db"
#include "fw/log.h"

/* Tables whose columns are not record fields. The device, usage, event and
 * provisioning tables are made from proto's tables (schema_sql()). */
static const char s_schema_fixed[] =
    "CREATE TABLE IF NOT EXISTS licence ("
    " serial TEXT PRIMARY KEY REFERENCES device(serial), org TEXT NOT NULL,"
    " typ TEXT NOT NULL CHECK (typ IN ('trial','paid')), trial_exp INTEGER,"
    " ext INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL, iat INTEGER,"
    " updated_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS licence_service ("
    " serial TEXT NOT NULL REFERENCES device(serial), id TEXT NOT NULL,"
    " exp INTEGER NOT NULL, PRIMARY KEY (serial, id)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO meta(key, value) VALUES ('licence_version', 0);";

/* Schema version 2: usage and event rows keyed by (serial, gen, id), so
 * records of a re-provisioned device (a new generation, ids from 1 again)
 * are stored beside those of its earlier life, never taken for them.
 * Version 1 databases are migrated in place (their rows get gen 0). A field
 * added to a table is a column added on open (add_columns()), with the
 * field's zero value in the rows there are: no version of its own.
 * Version 3: organisations, trials and the audit trail (db_trial.c). */
#define SCHEMA_VERSION 3

/* ---- SQL from the wire tables ------------------------------------------------ */

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
static const char *sql_type(const proto_field_t *f, const char **zero)
{
    if (f->type == PROTO_T_STR || f->type == PROTO_T_KIND) {
        *zero = "''";
        return "TEXT";
    }
    if (f->type == PROTO_T_HEX) {
        *zero = "x''";
        return "BLOB";
    }
    *zero = "0";
    return "INTEGER";
}

/* Fields that are not columns: the serial (each table has its own key) and
 * a record's format version. */
/* An empty statement buffer: one static buffer per caller (the collector is
 * single-threaded; statements are built per call). */
static void sql_start(sql_t *q)
{
    q->len = 0;
    q->overflow = false;
}

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
 * keyword). */
static void sql_cols(sql_t *q, const proto_record_t *r, col_mode_t mode)
{
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        if (!is_column(f)) {
            continue;
        }
        if (mode == COL_DECL) {
            const char *zero;
            const char *type = sql_type(f, &zero);
            sql_add(q, ", \"%s\" %s NOT NULL DEFAULT %s", f->name, type, zero);
        } else if (mode == COL_NAME) {
            sql_add(q, ", \"%s\"", f->name);
        } else {
            sql_add(q, ", \"%s\"=excluded.\"%s\"", f->name, f->name);
        }
    }
}

/* A ?N placeholder for each column field of `r`, from `first`. */
static int sql_params(sql_t *q, const proto_record_t *r, int first)
{
    for (size_t i = 0; i < r->n; i++) {
        if (is_column(&r->fields[i])) {
            sql_add(q, ",?%d", first++);
        }
    }
    return first;
}

/* CREATE TABLE for a batch record kept per (serial, gen, id). */
static void sql_record_table(sql_t *q, const char *table, const proto_record_t *r)
{
    sql_add(q,
            "CREATE TABLE IF NOT EXISTS %s (serial TEXT NOT NULL, gen INTEGER NOT NULL,"
            " id INTEGER NOT NULL",
            table);
    sql_cols(q, r, COL_DECL);
    sql_add(q, ", received_at INTEGER NOT NULL, PRIMARY KEY (serial, gen, id)) WITHOUT ROWID;");
}

/* The tables made from records, with the record each is made from. */
static const struct {
    const char *table;
    const proto_record_t *r;
} s_record_tables[] = {{"device", &proto_enrollment_record},
                       {"usage", &proto_usage_record},
                       {"event", &proto_event_record},
                       {"provisioning", &proto_prov_report_record}};

static void schema_sql(sql_t *q)
{
    /* The psk_identity names the device in the DTLS handshake: one device
     * each. */
    sql_add(q, "CREATE TABLE IF NOT EXISTS device (serial TEXT PRIMARY KEY");
    sql_cols(q, &proto_enrollment_record, COL_DECL);
    sql_add(q, ", enrolled_at INTEGER NOT NULL, last_contact INTEGER, UNIQUE (psk_identity));");
    sql_record_table(q, "usage", &proto_usage_record);
    sql_record_table(q, "event", &proto_event_record);
    sql_add(q, "CREATE TABLE IF NOT EXISTS provisioning ("
               " serial TEXT PRIMARY KEY REFERENCES device(serial)");
    sql_cols(q, &proto_prov_report_record, COL_DECL);
    sql_add(q, ", first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
               " reports INTEGER NOT NULL);");
}

/* Bind field `f` of `obj` to parameter `i`. */
static void bind_field(sqlite3_stmt *st, int i, const proto_field_t *f, const void *obj)
{
    if (f->type == PROTO_T_STR) {
        sqlite3_bind_text(st, i, (const char *)obj + f->offset, -1, SQLITE_STATIC);
    } else if (f->type == PROTO_T_HEX) {
        size_t n;
        memcpy(&n, (const char *)obj + f->len_offset, sizeof n);
        sqlite3_bind_blob(st, i, (const char *)obj + f->offset, (int)(n < f->size ? n : f->size),
                          SQLITE_STATIC);
    } else if (f->type == PROTO_T_KIND) {
        const char *name = proto_event_kind_name((proto_event_kind_t)proto_field_get(f, obj));
        sqlite3_bind_text(st, i, name != NULL ? name : "unknown", -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_int64(st, i, proto_field_get(f, obj));
    }
}

/* Bind every column field of `r` from parameter `first` on. */
static int bind_fields(sqlite3_stmt *st, int first, const proto_record_t *r, const void *obj)
{
    for (size_t i = 0; i < r->n; i++) {
        if (is_column(&r->fields[i])) {
            bind_field(st, first++, &r->fields[i], obj);
        }
    }
    return first;
}

static int fail(cdb_t *c, const char *what)
{
    FW_LOGE("%s: %s", what, sqlite3_errmsg(c->db));
    return FW_E_IO;
}

static int exec(cdb_t *c, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        FW_LOGE("%.40s...: %s", sql, msg != NULL ? msg : "?");
        sqlite3_free(msg);
        return FW_E_IO;
    }
    return 0;
}

/* COMMIT after success, ROLLBACK otherwise; the first error wins. */
static int end_tx(cdb_t *c, int rc)
{
    int r2 = exec(c, rc == 0 ? "COMMIT;" : "ROLLBACK;");
    return rc != 0 ? rc : r2;
}

static sqlite3_stmt *prep(cdb_t *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        FW_LOGE("prepare: %s", sqlite3_errmsg(c->db));
        return NULL;
    }
    return st;
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    (void)snprintf(dst, cap, "%s", t != NULL ? (const char *)t : "");
}

/* The column fields of `r` (sql_cols() order) from result column `col` on,
 * into `obj`. FW_E_CORRUPT when a blob does not fit its field (a damaged
 * row: never half-used). */
static int read_fields(sqlite3_stmt *st, int col, const proto_record_t *r, void *obj)
{
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        if (!is_column(f)) {
            continue;
        }
        if (f->type == PROTO_T_STR) {
            copy_col(st, col, (char *)obj + f->offset, f->size);
        } else if (f->type == PROTO_T_HEX) {
            int n = sqlite3_column_bytes(st, col);
            const void *b = sqlite3_column_blob(st, col);
            size_t len = n > 0 && b != NULL ? (size_t)n : 0;
            if (len > f->size) {
                return FW_E_CORRUPT;
            }
            if (len > 0) { /* an empty blob is NULL */
                memcpy((char *)obj + f->offset, b, len);
            }
            memcpy((char *)obj + f->len_offset, &len, sizeof len);
        } else {
            proto_field_set(f, obj, sqlite3_column_int64(st, col));
        }
        col++;
    }
    return 0;
}

static int user_version(cdb_t *c, int *v)
{
    sqlite3_stmt *st = prep(c, "PRAGMA user_version");
    if (st == NULL) {
        return FW_E_IO;
    }
    int s = sqlite3_step(st);
    *v = s == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return s == SQLITE_ROW ? 0 : FW_E_IO;
}

/* Version 1 kept usage and event rows by (serial, id): move them to the
 * version 2 tables as generation 0, the generation of every device
 * provisioned before generations existed. */
static int migrate_v1(cdb_t *c)
{
    static const struct {
        const char *table;
        const proto_record_t *r;
    } t[] = {{"usage", &proto_usage_record}, {"event", &proto_event_record}};
    int rc = exec(c, "ALTER TABLE usage RENAME TO usage_v1; ALTER TABLE event RENAME TO event_v1;");
    static sql_t q;
    sql_start(&q);
    schema_sql(&q);
    for (size_t i = 0; i < 2; i++) {
        sql_add(&q, "INSERT INTO %s (serial, gen, id", t[i].table);
        sql_cols(&q, t[i].r, COL_NAME);
        sql_add(&q, ", received_at) SELECT serial, 0, id");
        sql_cols(&q, t[i].r, COL_NAME);
        sql_add(&q, ", received_at FROM %s_v1; DROP TABLE %s_v1;", t[i].table, t[i].table);
    }
    if (rc == 0 && !q.overflow) {
        rc = exec(c, q.buf);
    }
    if (rc == 0) {
        FW_LOGI("database migrated to schema 2: records keyed by (serial, gen, id)");
    }
    return rc != 0 ? rc : q.overflow ? FW_E_NOSPACE : 0;
}

/* Columns for the fields a table has gained since the database was made
 * (the enrollment record's dial_prefix and gen, the provisioning report's
 * gen, ...): added with the field's zero value in the rows there are. */
static int add_columns(cdb_t *c)
{
    int rc = 0;
    for (size_t t = 0; rc == 0 && t < sizeof s_record_tables / sizeof s_record_tables[0]; t++) {
        const proto_record_t *r = s_record_tables[t].r;
        for (size_t i = 0; rc == 0 && i < r->n; i++) {
            const proto_field_t *f = &r->fields[i];
            char sql[160];
            (void)snprintf(sql, sizeof sql,
                           "SELECT COUNT(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                           s_record_tables[t].table, f->name);
            sqlite3_stmt *st = is_column(f) ? prep(c, sql) : NULL;
            if (st == NULL) {
                rc = is_column(f) ? FW_E_IO : 0;
                continue;
            }
            bool has = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
            sqlite3_finalize(st);
            if (!has) {
                const char *zero;
                const char *type = sql_type(f, &zero);
                (void)snprintf(sql, sizeof sql,
                               "ALTER TABLE %s ADD COLUMN \"%s\" %s NOT NULL DEFAULT %s;",
                               s_record_tables[t].table, f->name, type, zero);
                rc = exec(c, sql);
                if (rc == 0) {
                    FW_LOGI("database: column %s.%s added", s_record_tables[t].table, f->name);
                }
            }
        }
    }
    return rc;
}

static int create_schema(cdb_t *c)
{
    int v = 0;
    int rc = user_version(c, &v);
    if (rc == 0 && v > SCHEMA_VERSION) {
        FW_LOGE("database schema %d is newer than this collector's (%d)", v, SCHEMA_VERSION);
        return FW_E_UNSUPPORTED;
    }
    if (rc == 0) {
        rc = exec(c, s_schema_fixed);
    }
    if (rc == 0 && v == 1) {
        rc = migrate_v1(c);
    }
    static sql_t q;
    sql_start(&q);
    schema_sql(&q);
    sql_add(&q, "PRAGMA user_version = %d;", SCHEMA_VERSION);
    if (rc == 0) {
        rc = q.overflow ? FW_E_NOSPACE : exec(c, q.buf);
    }
    if (rc == 0) {
        rc = add_columns(c);
    }
    if (rc == 0 && v < 3) {
        rc = cdb_trial_migrate(c, v);
    }
    return rc;
}

int cdb_open(cdb_t *c, const char *path)
{
    c->db = NULL;
    c->who = NULL;
    /* The database holds every device's PSK: a new one is created readable
     * by its owner only, whatever the umask (SQLite gives its -wal and -shm
     * files the database file's mode). */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        (void)close(fd);
    } else if (errno != EEXIST) {
        FW_LOGE("cannot create database '%s': %s", path, strerror(errno));
        return FW_E_IO;
    }
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        FW_LOGE("cannot open database '%s': %s", path,
                c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
        cdb_close(c);
        return FW_E_IO;
    }
    sqlite3_busy_timeout(c->db, 5000);
    int rc = exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     " PRAGMA foreign_keys=ON;");
    if (rc == 0) {
        rc = exec(c, "BEGIN IMMEDIATE;");
        if (rc == 0) {
            rc = create_schema(c);
            rc = end_tx(c, rc);
        }
    }
    if (rc != 0) {
        cdb_close(c);
    }
    return rc;
}

void cdb_close(cdb_t *c)
{
    if (c->db != NULL) {
        sqlite3_close(c->db);
        c->db = NULL;
    }
}

static int finish(cdb_t *c, sqlite3_stmt *st, int step_rc, const char *what)
{
    int rc = (step_rc == SQLITE_DONE || step_rc == SQLITE_ROW) ? 0 : fail(c, what);
    sqlite3_finalize(st);
    return rc;
}

/* The row of `serial` in `table` (made from record `r`): inserted with
 * `obj`'s fields and the columns `tail` = `now` (twice and then 1 when
 * `first_last_count`: first_seen, last_seen, reports), or, when the serial
 * is there, its fields replaced and `update` done. */
static int upsert(cdb_t *c, const char *table, const proto_record_t *r, const void *obj,
                  const char *serial, const char *tail, bool first_last_count, const char *update,
                  int64_t now)
{
    static sql_t q;
    sql_start(&q);
    sql_add(&q, "INSERT INTO %s(serial", table);
    sql_cols(&q, r, COL_NAME);
    sql_add(&q, ", %s) VALUES (?1", tail);
    int at = sql_params(&q, r, 2);
    sql_add(&q, ",?%d", at);
    if (first_last_count) {
        sql_add(&q, ",?%d,1", at);
    }
    sql_add(&q, ")");
    sql_add(&q, " ON CONFLICT(serial) DO UPDATE SET %s", update);
    sql_cols(&q, r, COL_EXCLUDED);
    sqlite3_stmt *st = q.overflow ? NULL : prep(c, q.buf);
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    at = bind_fields(st, 2, r, obj);
    sqlite3_bind_int64(st, at, now);
    return finish(c, st, sqlite3_step(st), table);
}

int cdb_enroll(cdb_t *c, const cdb_device_t *d, int64_t now)
{
    int rc = exec(c, "BEGIN IMMEDIATE;");
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *st =
        prep(c, "SELECT serial FROM device WHERE psk_identity = ?1 AND serial <> ?2");
    if (st == NULL) {
        exec(c, "ROLLBACK;");
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, d->psk_identity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d->serial, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s == SQLITE_ROW) {
        exec(c, "ROLLBACK;");
        return FW_E_STATE;
    }
    rc = upsert(c, "device", &proto_enrollment_record, d, d->serial, "enrolled_at", false,
                "enrolled_at=excluded.enrolled_at", now);
    if (rc == 0) {
        rc = cdb_trial_on_enroll(c, d, now); /* a partner's trial: its licence */
    }
    return end_tx(c, rc);
}

static int device_by(cdb_t *c, const char *col_sql, const char *key, cdb_device_t *out)
{
    static sql_t q;
    sql_start(&q);
    sql_add(&q, "SELECT serial");
    sql_cols(&q, &proto_enrollment_record, COL_NAME);
    sql_add(&q, " FROM device WHERE %s = ?1", col_sql);
    sqlite3_stmt *st = q.overflow ? NULL : prep(c, q.buf);
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    int rc = 0;
    if (s == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        copy_col(st, 0, out->serial, sizeof out->serial);
        rc = read_fields(st, 1, &proto_enrollment_record, out);
        if (rc == 0 && out->psk_len == 0) {
            rc = FW_E_CORRUPT; /* no key to serve it with */
        }
    } else {
        rc = s == SQLITE_DONE ? FW_E_NOENT : fail(c, "device lookup");
    }
    sqlite3_finalize(st);
    return rc;
}

int cdb_device_by_identity(cdb_t *c, const char *identity, cdb_device_t *out)
{
    return device_by(c, "psk_identity", identity, out);
}

int cdb_device_by_serial(cdb_t *c, const char *serial, cdb_device_t *out)
{
    return device_by(c, "serial", serial, out);
}

int cdb_touch(cdb_t *c, const char *serial, int64_t now)
{
    sqlite3_stmt *st = prep(c, "UPDATE device SET last_contact = ?2 WHERE serial = ?1");
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    return finish(c, st, sqlite3_step(st), "touch");
}

int cdb_store_prov(cdb_t *c, const collector_prov_t *p, int64_t now)
{
    return upsert(c, "provisioning", &proto_prov_report_record, p, p->serial,
                  "first_seen, last_seen, reports", true,
                  "last_seen=excluded.last_seen, reports=reports+1", now);
}

/* Store the records of one batch not yet stored: INSERT OR IGNORE by
 * (serial, gen, id), in one transaction. `rec` is the record table, `items`
 * `n` elements `size` bytes apart, each a uint64_t id then the record at
 * `rec_off`. */
static int store_batch(cdb_t *c, const char *table, const proto_record_t *rec, const char *serial,
                       uint32_t gen, const void *items, size_t n, size_t size, size_t rec_off,
                       int64_t now)
{
    static sql_t q;
    sql_start(&q);
    sql_add(&q, "INSERT OR IGNORE INTO %s(serial, gen, id", table);
    sql_cols(&q, rec, COL_NAME);
    sql_add(&q, ", received_at) VALUES (?1,?2,?3");
    int at = sql_params(&q, rec, 4);
    sql_add(&q, ",?%d)", at);
    int rc = exec(c, "BEGIN IMMEDIATE;");
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *st = q.overflow ? NULL : prep(c, q.buf);
    rc = st != NULL ? 0 : FW_E_IO;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *item = (const char *)items + i * size;
        uint64_t id;
        memcpy(&id, item, sizeof id);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, gen);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)id);
        at = bind_fields(st, 4, rec, item + rec_off);
        sqlite3_bind_int64(st, at, now);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = fail(c, table);
        }
    }
    sqlite3_finalize(st);
    return end_tx(c, rc);
}

int cdb_store_usage(cdb_t *c, const collector_usage_t *u, int64_t now)
{
    return store_batch(c, "usage", &proto_usage_record, u->serial, u->gen, u->rec, u->n,
                       sizeof u->rec[0], offsetof(collector_usage_rec_t, u), now);
}

int cdb_store_events(cdb_t *c, const collector_events_t *e, int64_t now)
{
    return store_batch(c, "event", &proto_event_record, e->serial, e->gen, e->ev, e->n,
                       sizeof e->ev[0], offsetof(collector_event_t, e), now);
}

int cdb_licence_get(cdb_t *c, const char *serial, collector_licence_t *out, bool *has_iat)
{
    sqlite3_stmt *st = prep(c, "SELECT l.org, l.typ, l.trial_exp, l.ext, l.seq, l.iat, d.trial,"
                               " d.region, d.keep_devices + l.keep_devices, l.offer, l.site"
                               " FROM licence l"
                               " JOIN device d ON d.serial = l.serial WHERE l.serial = ?1");
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s != SQLITE_ROW) {
        sqlite3_finalize(st);
        return s == SQLITE_DONE ? FW_E_NOENT : fail(c, "licence lookup");
    }
    memset(out, 0, sizeof *out);
    (void)snprintf(out->serial, sizeof out->serial, "%s", serial);
    copy_col(st, 0, out->org, sizeof out->org);
    const unsigned char *typ = sqlite3_column_text(st, 1);
    out->paid = typ != NULL && strcmp((const char *)typ, "paid") == 0;
    out->trial_exp = sqlite3_column_int64(st, 2);
    out->ext = sqlite3_column_int(st, 3);
    out->seq = (uint32_t)sqlite3_column_int64(st, 4);
    *has_iat = sqlite3_column_type(st, 5) != SQLITE_NULL;
    out->iat = sqlite3_column_int64(st, 5);
    copy_col(st, 6, out->trial, sizeof out->trial);
    copy_col(st, 7, out->region, sizeof out->region);
    out->keep = sqlite3_column_int(st, 8) != 0;
    copy_col(st, 9, out->offer, sizeof out->offer);
    copy_col(st, 10, out->site, sizeof out->site);
    sqlite3_finalize(st);

    st = prep(c, "SELECT id, exp FROM licence_service WHERE serial = ?1 ORDER BY id LIMIT 16");
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW && out->n_svc < 16) {
        copy_col(st, 0, out->svc[out->n_svc].id, sizeof out->svc[0].id);
        out->svc[out->n_svc].exp = sqlite3_column_int64(st, 1);
        out->n_svc++;
    }
    return finish(c, st, s, "licence services");
}

int cdb_licence_set_iat(cdb_t *c, const char *serial, uint32_t seq, int64_t iat)
{
    sqlite3_stmt *st = prep(c, "UPDATE licence SET iat = ?3 WHERE serial = ?1 AND seq = ?2"
                               " AND iat IS NULL");
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, seq);
    sqlite3_bind_int64(st, 3, iat);
    return finish(c, st, sqlite3_step(st), "licence iat");
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
    sqlite3_stmt *st = prep(c, "INSERT INTO licence(serial, org, typ, trial_exp, ext, seq, iat,"
                               " updated_at, offer, site, keep_devices)"
                               " VALUES (?1,?2,?3,?4,?5,?6,?8,?7,?9,?10,?11)"
                               " ON CONFLICT(serial) DO UPDATE SET org=excluded.org,"
                               " typ=excluded.typ, trial_exp=excluded.trial_exp,"
                               " ext=excluded.ext, seq=excluded.seq, iat=excluded.iat,"
                               " updated_at=excluded.updated_at, offer=excluded.offer,"
                               " site=excluded.site, keep_devices=excluded.keep_devices");
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, l->serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, l->org, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, l->paid ? "paid" : "trial", -1, SQLITE_STATIC);
    if (exp_null) {
        sqlite3_bind_null(st, 4);
    } else {
        sqlite3_bind_int64(st, 4, l->trial_exp);
    }
    sqlite3_bind_int(st, 5, l->ext);
    sqlite3_bind_int64(st, 6, l->seq);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_int64(st, 8, l->iat);
    sqlite3_bind_text(st, 9, l->offer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, l->site, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, l->keep ? 1 : 0);
    int rc = finish(c, st, sqlite3_step(st), "licence change");
    /* The planned services: those kept, added or moved with an extension. */
    for (size_t i = 0; rc == 0 && i < l->n_svc; i++) {
        st = prep(c, "INSERT INTO licence_service(serial, id, exp) VALUES (?1,?2,?3)"
                     " ON CONFLICT(serial, id) DO UPDATE SET exp=excluded.exp");
        if (st == NULL) {
            return FW_E_IO;
        }
        sqlite3_bind_text(st, 1, l->serial, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, l->svc[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, l->svc[i].exp);
        rc = finish(c, st, sqlite3_step(st), "licence service");
    }
    return rc;
}

int cdb_licence_bump(cdb_t *c)
{
    return exec(c, "UPDATE meta SET value = value + 1 WHERE key = 'licence_version';");
}

int cdb_licence_change(cdb_t *c, const char *serial, const cdb_licence_change_t *ch, int64_t now,
                       char *why, size_t why_cap)
{
    why[0] = '\0';
    int rc = exec(c, "BEGIN IMMEDIATE;");
    if (rc != 0) {
        return rc;
    }
    rc = licence_change_tx(c, serial, ch, now, why, why_cap);
    return end_tx(c, rc);
}

int cdb_licence_version(cdb_t *c, int64_t *version)
{
    sqlite3_stmt *st = prep(c, "SELECT value FROM meta WHERE key = 'licence_version'");
    if (st == NULL) {
        return FW_E_IO;
    }
    int s = sqlite3_step(st);
    *version = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    return finish(c, st, s, "licence version");
}

int cdb_totals(cdb_t *c, const char *serial, cdb_totals_t *t)
{
    memset(t, 0, sizeof *t);
    static sql_t q;
    sql_start(&q);
    sql_add(&q,
            "SELECT COUNT(*), COUNT(DISTINCT gen), IFNULL(MIN(start),0), IFNULL(MAX(\"end\"),0)");
    const proto_record_t *r = &proto_usage_record;
    for (size_t i = 0; i < r->n && i < CDB_TOTALS_MAX; i++) {
        sql_add(&q, ", TOTAL(\"%s\"), IFNULL(MAX(\"%s\"),0)", r->fields[i].name, r->fields[i].name);
    }
    sql_add(&q, " FROM usage WHERE serial = ?1");
    sqlite3_stmt *st = q.overflow ? NULL : prep(c, q.buf);
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        /* TOTAL() is a double: exact for sums below 2^53 (each record's
         * counters are within the table's ranges; sums of seconds counters
         * at their maximum would need years of records beyond any room). */
        t->records = sqlite3_column_int64(st, 0);
        t->generations = sqlite3_column_int64(st, 1);
        t->first_start = sqlite3_column_int64(st, 2);
        t->last_end = sqlite3_column_int64(st, 3);
        for (size_t i = 0; i < r->n && i < CDB_TOTALS_MAX; i++) {
            t->sum[i] = (int64_t)sqlite3_column_double(st, 4 + 2 * (int)i);
            t->max[i] = sqlite3_column_int64(st, 5 + 2 * (int)i);
        }
    }
    return finish(c, st, s, "totals");
}

int cdb_count_events(cdb_t *c, const char *serial, int64_t *n)
{
    sqlite3_stmt *st = prep(c, "SELECT COUNT(*) FROM event WHERE serial = ?1");
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    *n = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    return finish(c, st, s, "count events");
}

int cdb_event_kind(cdb_t *c, const char *serial, const char *kind, int64_t *count, int64_t *last)
{
    sqlite3_stmt *st =
        prep(c, "SELECT COUNT(*), IFNULL(MAX(t),0) FROM event WHERE serial = ?1 AND kind = ?2");
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    *count = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    *last = s == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    return finish(c, st, s, "count events of a kind");
}

int cdb_show(cdb_t *c, const char *serial, cdb_show_t *s)
{
    memset(s, 0, sizeof *s);
    sqlite3_stmt *st = prep(c, "SELECT enrolled_at, IFNULL(last_contact,0) FROM device"
                               " WHERE serial = ?1");
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? FW_E_NOENT : fail(c, "show");
    }
    s->enrolled_at = sqlite3_column_int64(st, 0);
    s->last_contact = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    static sql_t q;
    sql_start(&q);
    sql_add(&q, "SELECT first_seen, last_seen, reports");
    sql_cols(&q, &proto_prov_report_record, COL_NAME);
    sql_add(&q, " FROM provisioning WHERE serial = ?1");
    st = q.overflow ? NULL : prep(c, q.buf);
    if (st == NULL) {
        return FW_E_IO;
    }
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        collector_prov_t *p = &s->prov;
        s->has_prov = true;
        (void)snprintf(p->serial, sizeof p->serial, "%s", serial);
        s->first_seen = sqlite3_column_int64(st, 0);
        s->last_seen = sqlite3_column_int64(st, 1);
        s->prov_reports = sqlite3_column_int64(st, 2);
        int rc = read_fields(st, 3, &proto_prov_report_record, p);
        if (rc != 0) {
            sqlite3_finalize(st);
            return rc;
        }
    }
    return finish(c, st, r, "show provisioning");
}

/* ---- for the other db_*.c files (db_priv.h) ---------------------------------- */

int cdb_exec(cdb_t *c, const char *sql)
{
    return exec(c, sql);
}

sqlite3_stmt *cdb_prep(cdb_t *c, const char *sql)
{
    return prep(c, sql);
}

int cdb_finish(cdb_t *c, sqlite3_stmt *st, int step_rc, const char *what)
{
    return finish(c, st, step_rc, what);
}

int cdb_end_tx(cdb_t *c, int rc)
{
    return end_tx(c, rc);
}

void cdb_copy_col(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    copy_col(st, col, dst, cap);
}
