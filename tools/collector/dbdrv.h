/*
 * dbdrv.h - the two storage back ends of the collector behind one small
 * interface: SQLite (embedded, a file) and PostgreSQL (libpq, a server).
 *
 * The SQL lives in db.c, once, with $1-style parameters that both dialects
 * accept; a driver only moves statements, parameters, rows and errors. A
 * statement is prepared once per connection (cdb_t: one per thread) and run
 * many times. Rows come back as text or 64-bit integers whatever the back end.
 *
 * Failures are sorted into classes (cdb_fail_t) so the server can tell "try
 * again later" (5.03) from a request's own fault: a driver never decides
 * what the collector answers, it says what kind of failure it saw.
 */
#ifndef COLLECTOR_DBDRV_H
#define COLLECTOR_DBDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define CDB_PARAMS_MAX 40

typedef enum {
    CDB_P_NULL = 0,
    CDB_P_INT,
    CDB_P_TEXT,
    CDB_P_BLOB,
} cdb_ptype_t;

typedef struct {
    cdb_ptype_t type;
    int64_t i;
    const void *p; /* TEXT (NUL-terminated) or BLOB; the caller keeps it alive until run */
    size_t n;      /* BLOB length */
} cdb_param_t;

/* One prepared statement of one connection. */
struct cdb_stmt {
    int id;        /* index in the connection's cache (db.c's statement list) */
    bool prepared; /* in the back end (a reconnect to PostgreSQL clears it) */
    void *h;       /* sqlite3_stmt *; PostgreSQL: NULL (named "q<id>" on the server) */
    int n_params;  /* highest $N in the SQL */
    int idx[CDB_PARAMS_MAX + 1]; /* SQLite: bind index of $N */
    cdb_param_t param[CDB_PARAMS_MAX + 1];
    /* Rows (PostgreSQL: the whole result; SQLite: stepping). */
    void *res;
    int row, rows;
    bool running;
};

typedef struct cdb_driver {
    const char *name; /* "sqlite", "postgresql" */
    cdb_dialect_t dialect;
    int (*open)(cdb_t *c, const char *target);
    void (*close)(cdb_t *c);
    /* Statements without parameters, ';'-separated (schema, BEGIN, ...). */
    int (*exec)(cdb_t *c, const char *sql);
    int (*prepare)(cdb_t *c, cdb_stmt_t *st, const char *sql);
    void (*finalize)(cdb_t *c, cdb_stmt_t *st);
    /* Run with st->param bound (first call) or move to the next row:
     * 1 a row, 0 done, < 0 failure (c's failure class and message set). */
    int (*step)(cdb_t *c, cdb_stmt_t *st);
    void (*reset)(cdb_t *c, cdb_stmt_t *st);
    bool (*col_null)(cdb_stmt_t *st, int col);
    int64_t (*col_int)(cdb_stmt_t *st, int col);
    const char *(*col_text)(cdb_stmt_t *st, int col); /* "" for NULL */
    /* BLOB column into out (at most cap bytes); FW_E_CORRUPT if longer. */
    int (*col_blob)(cdb_stmt_t *st, int col, uint8_t *out, size_t cap, size_t *len);
    /* After a failure: 1 when the connection was lost and is made again
     * (statements must be prepared again), 0 when it was fine, < 0 when it
     * cannot be made now. */
    int (*reconnect)(cdb_t *c);
    /* Notifications (PostgreSQL LISTEN): a socket to wait on, -1 if none. */
    int (*listen)(cdb_t *c, const char *channel);
    int (*notify_fd)(cdb_t *c);
    /* How many arrived (read and dropped). `read`: from the socket too;
     * else only those the connection's other statements already read. */
    int (*notifications)(cdb_t *c, bool read);
} cdb_driver_t;

extern const cdb_driver_t cdb_sqlite_driver;
extern const cdb_driver_t cdb_pg_driver;

/* Drivers record failures with this: class, and a message for the log. */
void cdb_set_failure(cdb_t *c, cdb_fail_t cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* COLLECTOR_DBDRV_H */
