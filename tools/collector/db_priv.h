/*
 * db_priv.h - the statement helpers of db.c, for the other db_*.c files of
 * the collector's storage (not for the commands: they use db.h and
 * db_trial.h). Both back ends (dbdrv.h): SQL with $1, $2 ... parameters,
 * each first used in order, and only what SQLite and PostgreSQL both accept.
 */
#ifndef COLLECTOR_DB_PRIV_H
#define COLLECTOR_DB_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Statement `sql`, prepared on this connection the first time and kept: its
 * text's address names it, so `sql` must be a string literal. Ready for
 * parameters (all NULL until set). NULL on failure (cdb_failure()). */
cdb_stmt_t *cdb_q(cdb_t *c, const char *sql);
void cdb_p_int(cdb_stmt_t *st, int n, int64_t v);
/* `s` is read when the statement runs: keep it until then. NULL: SQL NULL. */
void cdb_p_text(cdb_stmt_t *st, int n, const char *s);
/* Run (first call) or move to the next row: 1 a row, 0 done, < 0 failure. */
int cdb_step(cdb_t *c, cdb_stmt_t *st);
/* Run to the end (rows ignored); 0 or the failure. */
int cdb_run(cdb_t *c, cdb_stmt_t *st);
/* Done with `st`'s rows (before its next use). */
void cdb_done(cdb_t *c, cdb_stmt_t *st);
int64_t cdb_col_int(const cdb_t *c, cdb_stmt_t *st, int col);
/* Text column `col` into `dst` ("" for NULL), cut to `cap`. */
void cdb_col_text(const cdb_t *c, cdb_stmt_t *st, int col, char *dst, size_t cap);

/* Statements without parameters (schema). */
int cdb_exec(cdb_t *c, const char *sql);
/* A transaction that changes licences, trials or the audit trail: changes
 * of one database are made one at a time, whichever process makes them
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: the licence version's row lock). */
int cdb_write_begin(cdb_t *c);
/* COMMIT when rc is 0, else ROLLBACK; the first error wins. */
int cdb_end_tx(cdb_t *c, int rc);

#endif /* COLLECTOR_DB_PRIV_H */
