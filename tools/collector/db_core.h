/*
 * db_core.h - what the files of the collector's storage share among
 * themselves: db.c (the connection, statements prepared and run), db_schema.c
 * (the SQL), db_report.c and db_licence.c. Statements are named by q_id_t;
 * db_trial.c uses db_priv.h instead (its statements are text, cdb_q()).
 */
#ifndef COLLECTOR_DB_CORE_H
#define COLLECTOR_DB_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "db_priv.h"
#include "dbdrv.h"
#include "proto/wire.h"

#define NOTIFY_CHANNEL "spark_licence"

/* Where the dialects differ (db_schema.c). */
typedef struct {
    const char *int_t, *blob_t, *without_rowid, *begin;
} cdb_words_t;
extern const cdb_words_t db_words[];

typedef struct {
    char buf[4096];
    size_t len;
    bool overflow;
} sql_t;

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

/* ---- db_schema.c */

void db_sql_add(sql_t *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fields that are not columns: the serial (each table has its own key). */
bool db_is_column(const proto_field_t *f);
/* Statement `id`'s SQL in dialect `d`, into `q`. */
void db_build(q_id_t id, cdb_dialect_t d, sql_t *q);
/* The highest $N of `sql`. */
int db_count_params(const char *sql);
/* The schema made or brought to SCHEMA_VERSION. */
int db_create_schema(cdb_t *c);

/* ---- db.c (and db_priv.h: cdb_p_int, cdb_step, cdb_run, cdb_done, cdb_col_int,
 * cdb_col_text, cdb_exec) */

/* Statement `id`, prepared on this connection, ready for parameters: one
 * of q_id_t, or from Q_COUNT on one of c->sql (cdb_q). */
cdb_stmt_t *db_stmt(cdb_t *c, int id);
/* Text parameter `s`, not NULL (cdb_p_text() binds NULL as SQL NULL). */
void db_p_text(cdb_stmt_t *st, int n, const char *s);
int db_tx_begin(cdb_t *c);
/* COMMIT after success, ROLLBACK otherwise; the first error wins. */
int db_tx_end(cdb_t *c, int rc);
/* Bind every column field of `r` from parameter `first` on. */
int db_bind_fields(cdb_stmt_t *st, int first, const proto_record_t *r, const void *obj);
/* The column fields of `r` (sql_cols() order) from result column `col` on,
 * into `obj`. FW_E_CORRUPT when a blob does not fit its field. */
int db_read_fields(const cdb_t *c, cdb_stmt_t *st, int col, const proto_record_t *r, void *obj);
/* Statement `q` without parameters, run to the end. */
int db_run_simple(cdb_t *c, q_id_t q);

#endif /* COLLECTOR_DB_CORE_H */
