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
 *
 * This file: the connection (open, close, made again after it was lost),
 * statements prepared and run, transactions, and the helpers of db_priv.h.
 * The SQL is db_schema.c; devices and reports db_report.c; licences and
 * views db_licence.c; what they share is db_core.h.
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
cdb_stmt_t *db_stmt(cdb_t *c, int id)
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
            db_build((q_id_t)id, c->drv->dialect, &q);
        } else {
            db_sql_add(&q, "%s", c->sql[id]);
        }
        if (q.overflow || q.len == 0) {
            cdb_set_failure(c, CDB_FAIL_OTHER, "statement %d: no SQL in this dialect", id);
            return NULL;
        }
        st->n_params = db_count_params(q.buf);
        if (st->n_params > CDB_PARAMS_MAX || c->drv->prepare(c, st, q.buf) != 0) {
            return NULL;
        }
    }
    c->drv->reset(c, st);
    memset(st->param, 0, sizeof st->param);
    return st;
}

void cdb_p_int(cdb_stmt_t *st, int n, int64_t v)
{
    st->param[n] = (cdb_param_t){.type = CDB_P_INT, .i = v};
}

void db_p_text(cdb_stmt_t *st, int n, const char *s)
{
    st->param[n] = (cdb_param_t){.type = CDB_P_TEXT, .p = s};
}

static void p_blob(cdb_stmt_t *st, int n, const void *b, size_t len)
{
    st->param[n] = (cdb_param_t){.type = CDB_P_BLOB, .p = b, .n = len};
}

int cdb_step(cdb_t *c, cdb_stmt_t *st)
{
    return c->drv->step(c, st);
}

/* Run to the end (a statement without rows, or whose rows do not matter). */
int cdb_run(cdb_t *c, cdb_stmt_t *st)
{
    int s;
    while ((s = cdb_step(c, st)) == 1) {
    }
    c->drv->reset(c, st);
    return s < 0 ? s : 0;
}

void cdb_done(cdb_t *c, cdb_stmt_t *st)
{
    c->drv->reset(c, st);
}

int64_t cdb_col_int(const cdb_t *c, cdb_stmt_t *st, int col)
{
    return c->drv->col_int(st, col);
}

void cdb_col_text(const cdb_t *c, cdb_stmt_t *st, int col, char *dst, size_t cap)
{
    (void)snprintf(dst, cap, "%s", c->drv->col_text(st, col));
}

int cdb_exec(cdb_t *c, const char *sql)
{
    return c->drv->exec(c, sql);
}

int db_tx_begin(cdb_t *c)
{
    if (revive(c) != 0) {
        return FW_E_IO;
    }
    int rc = cdb_exec(c, db_words[c->drv->dialect].begin);
    c->in_tx = rc == 0;
    return rc;
}

/* COMMIT after success, ROLLBACK otherwise; the first error wins. */
int db_tx_end(cdb_t *c, int rc)
{
    if (!c->in_tx) {
        return rc != 0 ? rc : FW_E_IO;
    }
    cdb_fail_t fail = c->fail;
    char msg[sizeof c->fail_msg];
    memcpy(msg, c->fail_msg, sizeof msg);
    int r2 = cdb_exec(c, rc == 0 ? "COMMIT;" : "ROLLBACK;");
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
        db_p_text(st, n, (const char *)obj + f->offset);
    } else if (f->type == PROTO_T_HEX) {
        size_t len;
        memcpy(&len, (const char *)obj + f->len_offset, sizeof len);
        p_blob(st, n, (const char *)obj + f->offset, len < f->size ? len : f->size);
    } else if (f->type == PROTO_T_KIND) {
        const char *name = proto_event_kind_name((proto_event_kind_t)proto_field_get(f, obj));
        db_p_text(st, n, name != NULL ? name : "unknown");
    } else {
        cdb_p_int(st, n, proto_field_get(f, obj));
    }
}

/* Bind every column field of `r` from parameter `first` on. */
int db_bind_fields(cdb_stmt_t *st, int first, const proto_record_t *r, const void *obj)
{
    for (size_t i = 0; i < r->n; i++) {
        if (db_is_column(&r->fields[i])) {
            bind_field(st, first++, &r->fields[i], obj);
        }
    }
    return first;
}

/* The column fields of `r` (sql_cols() order) from result column `col` on,
 * into `obj`. FW_E_CORRUPT when a blob does not fit its field (a damaged
 * row: never half-used). */
int db_read_fields(const cdb_t *c, cdb_stmt_t *st, int col, const proto_record_t *r, void *obj)
{
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        if (!db_is_column(f)) {
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
        rc = db_tx_begin(c);
        if (rc == 0) {
            rc = db_tx_end(c, db_create_schema(c));
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
    int rc = db_tx_begin(c);
    if (rc == 0) {
        cdb_stmt_t *st = db_stmt(c, Q_PROBE);
        rc = db_tx_end(c, st != NULL ? cdb_run(c, st) : FW_E_IO);
    }
    if (rc == 0) {
        c->fail = CDB_FAIL_NONE;
    }
    return rc;
}

int db_run_simple(cdb_t *c, q_id_t q)
{
    cdb_stmt_t *st = db_stmt(c, q);
    return st != NULL ? cdb_run(c, st) : FW_E_IO;
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
    return db_stmt(c, id);
}

void cdb_p_text(cdb_stmt_t *st, int n, const char *s)
{
    if (s != NULL) {
        db_p_text(st, n, s);
    } else {
        st->param[n] = (cdb_param_t){.type = CDB_P_NULL};
    }
}

int cdb_write_begin(cdb_t *c)
{
    int rc = db_tx_begin(c);
    if (rc == 0 && c->drv->dialect == CDB_POSTGRESQL) {
        rc = db_run_simple(c, Q_LICENCE_LOCK);
        if (rc != 0) {
            (void)db_tx_end(c, rc);
        }
    }
    return rc;
}

int cdb_end_tx(cdb_t *c, int rc)
{
    return db_tx_end(c, rc);
}

/* A read transaction: one state of the database for every view (SQLite: a
 * read snapshot from the first read; PostgreSQL: repeatable read). */
int cdb_read_begin(cdb_t *c)
{
    if (revive(c) != 0) {
        return FW_E_IO;
    }
    int rc = cdb_exec(c, c->drv->dialect == CDB_POSTGRESQL
                             ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
                             : "BEGIN;");
    c->in_tx = rc == 0;
    return rc;
}

void cdb_read_end(cdb_t *c)
{
    (void)db_tx_end(c, 0);
}
