/*
 * db_priv.h - the statement helpers of db.c, for the other db_*.c files of
 * the collector's storage (not for the commands: they use db.h and
 * db_trial.h).
 */
#ifndef COLLECTOR_DB_PRIV_H
#define COLLECTOR_DB_PRIV_H

#include <stddef.h>

#include <sqlite3.h>

#include "db.h"

/* Run `sql` (one or more statements, no result rows); FW_E_IO logged. */
int cdb_exec(cdb_t *c, const char *sql);
/* Prepare one statement; NULL (logged) on failure. */
sqlite3_stmt *cdb_prep(cdb_t *c, const char *sql);
/* Finalize `st`; 0 if `step_rc` was SQLITE_DONE or SQLITE_ROW, else FW_E_IO
 * (logged with `what`). */
int cdb_finish(cdb_t *c, sqlite3_stmt *st, int step_rc, const char *what);
/* COMMIT when rc is 0, else ROLLBACK; the first error wins. */
int cdb_end_tx(cdb_t *c, int rc);
/* Text column `col` into `dst` ("" for NULL), cut to `cap`. */
void cdb_copy_col(sqlite3_stmt *st, int col, char *dst, size_t cap);

#endif /* COLLECTOR_DB_PRIV_H */
