/*
 * The PostgreSQL back end (dbdrv.h), through libpq: one connection per
 * cdb_t, statements prepared on the server once per connection (named
 * "q<id>"), parameters sent as text (integers) or binary (bytea), results read
 * as text. A commit is durable when it returns (synchronous_commit, the
 * server's default); concurrent commits of several connections share the
 * server's WAL flushes.
 *
 * Failures are sorted by SQLSTATE class: connection lost, server shutting
 * down or starting, read-only, out of disk -> unavailable; deadlock and
 * serialization failures -> conflict (retry at once); the rest -> other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "dbdrv.h"
#include "fw/err.h"
#include "fw/hex.h"

static PGconn *conn_of(const cdb_t *c)
{
    return (PGconn *)c->h;
}

static cdb_fail_t class_of(const PGconn *conn, const PGresult *res)
{
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        return CDB_FAIL_UNAVAILABLE;
    }
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state == NULL) {
        return CDB_FAIL_UNAVAILABLE; /* no answer from the server at all */
    }
    if (strncmp(state, "08", 2) == 0 ||  /* connection exception */
        strncmp(state, "57P", 3) == 0 || /* shutting down, crashed, starting */
        strcmp(state, "25006") == 0 ||   /* read-only transaction */
        strncmp(state, "53", 2) == 0 ||  /* disk full, out of memory, too many connections */
        strncmp(state, "58", 2) == 0) {  /* system error (I/O) */
        return CDB_FAIL_UNAVAILABLE;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        return CDB_FAIL_CONFLICT;
    }
    return CDB_FAIL_OTHER;
}

/* Record the failure of `res` (may be NULL), clear it, return FW_E_IO. */
static int failed(cdb_t *c, PGresult *res, const char *what)
{
    const char *msg = res != NULL ? PQresultErrorMessage(res) : "";
    if (msg == NULL || msg[0] == '\0') {
        msg = c->h != NULL ? PQerrorMessage(conn_of(c)) : "no connection";
    }
    /* libpq's messages end in a newline: one log line each */
    size_t n = strcspn(msg, "\n");
    cdb_set_failure(c, class_of(conn_of(c), res), "%s: %.*s", what, (int)n, msg);
    PQclear(res);
    return FW_E_IO;
}

/* CREATE TABLE IF NOT EXISTS says "already exists, skipping" as a notice:
 * nothing worth a log line. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void pg_close(cdb_t *c)
{
    if (c->h != NULL) {
        PQfinish(conn_of(c));
        c->h = NULL;
    }
}

static int pg_open(cdb_t *c, const char *uri)
{
    /* Keywords before dbname are defaults the URI may override. */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {"5", "spark-collector", uri, NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    c->h = conn;
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        failed(c, NULL, "connect");
        pg_close(c);
        return FW_E_IO;
    }
    PQsetNoticeProcessor(conn, quiet, NULL);
    return 0;
}

static int pg_exec(cdb_t *c, const char *sql)
{
    PGresult *res = PQexec(conn_of(c), sql);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        char what[64];
        (void)snprintf(what, sizeof what, "%.40s", sql);
        return failed(c, res, what);
    }
    PQclear(res);
    return 0;
}

static void stmt_name(const cdb_stmt_t *st, char *out, size_t cap)
{
    (void)snprintf(out, cap, "q%d", st->id);
}

static int pg_prepare(cdb_t *c, cdb_stmt_t *st, const char *sql)
{
    char name[16];
    stmt_name(st, name, sizeof name);
    PGresult *res = PQprepare(conn_of(c), name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        return failed(c, res, "prepare");
    }
    PQclear(res);
    st->prepared = true;
    return 0;
}

static void drop_result(cdb_stmt_t *st)
{
    PQclear((PGresult *)st->res);
    st->res = NULL;
    st->row = st->rows = 0;
}

static void pg_finalize(cdb_t *c, cdb_stmt_t *st)
{
    (void)c;
    drop_result(st);
    st->prepared = false; /* the server forgets it with the connection */
}

static int run(cdb_t *c, cdb_stmt_t *st)
{
    const char *values[CDB_PARAMS_MAX];
    int lengths[CDB_PARAMS_MAX], formats[CDB_PARAMS_MAX];
    char ints[CDB_PARAMS_MAX][24];
    for (int n = 1; n <= st->n_params; n++) {
        const cdb_param_t *p = &st->param[n];
        int k = n - 1;
        lengths[k] = 0;
        formats[k] = 0;
        switch (p->type) {
        case CDB_P_NULL: values[k] = NULL; break;
        case CDB_P_INT:
            (void)snprintf(ints[k], sizeof ints[k], "%lld", (long long)p->i);
            values[k] = ints[k];
            break;
        case CDB_P_TEXT: values[k] = p->p; break;
        case CDB_P_BLOB:
            values[k] = p->p;
            lengths[k] = (int)p->n;
            formats[k] = 1; /* bytea, binary */
            break;
        }
    }
    char name[16];
    stmt_name(st, name, sizeof name);
    PGresult *res =
        PQexecPrepared(conn_of(c), name, st->n_params, values, lengths, formats, 0 /* text */);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        return failed(c, res, "statement");
    }
    st->res = res;
    st->rows = s == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    st->row = -1;
    return 0;
}

static int pg_step(cdb_t *c, cdb_stmt_t *st)
{
    if (!st->running) {
        st->running = true;
        int rc = run(c, st);
        if (rc != 0) {
            return rc;
        }
    }
    if (st->row + 1 < st->rows) {
        st->row++;
        return 1;
    }
    return 0;
}

static void pg_reset(cdb_t *c, cdb_stmt_t *st)
{
    (void)c;
    drop_result(st);
    st->running = false;
}

static bool pg_col_null(cdb_stmt_t *st, int col)
{
    return PQgetisnull((const PGresult *)st->res, st->row, col) != 0;
}

static int64_t pg_col_int(cdb_stmt_t *st, int col)
{
    const char *v = PQgetvalue((const PGresult *)st->res, st->row, col);
    return v != NULL ? (int64_t)strtoll(v, NULL, 10) : 0;
}

static const char *pg_col_text(cdb_stmt_t *st, int col)
{
    const char *v = PQgetvalue((const PGresult *)st->res, st->row, col);
    return v != NULL ? v : "";
}

/* bytea in text form is "\x" and lower-case hex. */
static int pg_col_blob(cdb_stmt_t *st, int col, uint8_t *out, size_t cap, size_t *len)
{
    const char *v = pg_col_text(st, col);
    *len = 0;
    if (v[0] == '\0') {
        return 0;
    }
    if (v[0] != '\\' || v[1] != 'x') {
        return FW_E_CORRUPT;
    }
    if (v[2] == '\0') {
        return 0;
    }
    return fw_hex_decode(v + 2, out, cap, len) == 0 ? 0 : FW_E_CORRUPT;
}

static int pg_reconnect(cdb_t *c)
{
    if (c->h == NULL) {
        return FW_E_IO;
    }
    if (PQstatus(conn_of(c)) == CONNECTION_OK) {
        return 0;
    }
    PQreset(conn_of(c));
    if (PQstatus(conn_of(c)) != CONNECTION_OK) {
        return failed(c, NULL, "reconnect");
    }
    PQsetNoticeProcessor(conn_of(c), quiet, NULL);
    return 1;
}

static int pg_listen(cdb_t *c, const char *channel)
{
    char sql[64];
    (void)snprintf(sql, sizeof sql, "LISTEN %s", channel);
    return pg_exec(c, sql);
}

static int pg_notify_fd(cdb_t *c)
{
    return c->h != NULL ? PQsocket(conn_of(c)) : -1;
}

/* A notification that arrives while a statement runs on the connection is
 * read with its result and queued by libpq: the socket then has nothing to
 * wake the server's loop, so the loop also asks for queued ones (!read). */
static int pg_notifications(cdb_t *c, bool read)
{
    if (c->h == NULL || (read && PQconsumeInput(conn_of(c)) == 0)) {
        return failed(c, NULL, "notifications");
    }
    int n = 0;
    PGnotify *nt;
    while ((nt = PQnotifies(conn_of(c))) != NULL) {
        n++;
        PQfreemem(nt);
    }
    return n;
}

const cdb_driver_t cdb_pg_driver = {
    .name = "postgresql",
    .dialect = CDB_POSTGRESQL,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .step = pg_step,
    .reset = pg_reset,
    .col_null = pg_col_null,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .reconnect = pg_reconnect,
    .listen = pg_listen,
    .notify_fd = pg_notify_fd,
    .notifications = pg_notifications,
};
