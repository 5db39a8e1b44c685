/*
 * The SQLite back end (dbdrv.h): a file, WAL mode, synchronous=FULL so a
 * commit that returned is on disk and survives a power cut of the machine
 * (with WAL, NORMAL could lose the last commits, which the collector would
 * already have acknowledged). The cost of that sync is what group commit
 * (db.h cdb_store_group) spreads over many requests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "dbdrv.h"
#include "fw/err.h"

/* Long enough for an admin command's transaction, short enough that a
 * database held by someone else shows as unavailable (5.03) soon. */
#define BUSY_TIMEOUT_MS 2000

static sqlite3 *db_of(const cdb_t *c)
{
    return (sqlite3 *)c->h;
}

/* Sort SQLite's result codes into the failure classes. */
static int failed(cdb_t *c, int rc, const char *what)
{
    cdb_fail_t cls;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL: cls = CDB_FAIL_UNAVAILABLE; break;
    default: cls = CDB_FAIL_OTHER; break;
    }
    cdb_set_failure(c, cls, "%s: %s", what,
                    db_of(c) != NULL ? sqlite3_errmsg(db_of(c)) : sqlite3_errstr(rc));
    return FW_E_IO;
}

static void sq_close(cdb_t *c)
{
    if (c->h != NULL) {
        sqlite3_close(db_of(c));
        c->h = NULL;
    }
}

static int sq_exec(cdb_t *c, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db_of(c), sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        char what[64];
        (void)snprintf(what, sizeof what, "%.40s", sql);
        sqlite3_free(msg); /* sqlite3_errmsg() says the same */
        return failed(c, rc, what);
    }
    return 0;
}

static int sq_open(cdb_t *c, const char *path)
{
    /* The database holds every device's PSK: a new one is created readable
     * by its owner only, whatever the umask (SQLite gives its -wal and -shm
     * files the database file's mode). */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        (void)close(fd);
    } else if (errno != EEXIST) {
        cdb_set_failure(c, CDB_FAIL_UNAVAILABLE, "cannot create database '%s': %s", path,
                        strerror(errno));
        return FW_E_IO;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    c->h = db;
    if (rc != SQLITE_OK) {
        failed(c, rc, "open");
        sq_close(c);
        return FW_E_IO;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    rc = sq_exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    if (rc != 0) {
        sq_close(c);
    }
    return rc;
}

static int sq_prepare(cdb_t *c, cdb_stmt_t *st, const char *sql)
{
    sqlite3_stmt *h = NULL;
    int rc = sqlite3_prepare_v2(db_of(c), sql, -1, &h, NULL);
    if (rc != SQLITE_OK) {
        return failed(c, rc, "prepare");
    }
    /* $N are named parameters to SQLite, numbered in order of appearance:
     * find each one's index once. */
    for (int n = 1; n <= st->n_params; n++) {
        char name[8];
        (void)snprintf(name, sizeof name, "$%d", n);
        st->idx[n] = sqlite3_bind_parameter_index(h, name);
    }
    st->h = h;
    st->prepared = true;
    return 0;
}

static void sq_finalize(cdb_t *c, cdb_stmt_t *st)
{
    (void)c;
    sqlite3_finalize((sqlite3_stmt *)st->h);
    st->h = NULL;
    st->prepared = false;
}

static void bind_all(cdb_stmt_t *st)
{
    sqlite3_stmt *h = st->h;
    for (int n = 1; n <= st->n_params; n++) {
        const cdb_param_t *p = &st->param[n];
        int i = st->idx[n];
        if (i == 0) {
            continue; /* $N not in this dialect's text */
        }
        switch (p->type) {
        case CDB_P_NULL: sqlite3_bind_null(h, i); break;
        case CDB_P_INT: sqlite3_bind_int64(h, i, p->i); break;
        case CDB_P_TEXT: sqlite3_bind_text(h, i, p->p, -1, SQLITE_STATIC); break;
        case CDB_P_BLOB: sqlite3_bind_blob(h, i, p->p, (int)p->n, SQLITE_STATIC); break;
        }
    }
}

static int sq_step(cdb_t *c, cdb_stmt_t *st)
{
    if (!st->running) {
        bind_all(st);
        st->running = true;
    }
    int rc = sqlite3_step((sqlite3_stmt *)st->h);
    if (rc == SQLITE_ROW) {
        return 1;
    }
    if (rc == SQLITE_DONE) {
        return 0;
    }
    return failed(c, rc, "step");
}

static void sq_reset(cdb_t *c, cdb_stmt_t *st)
{
    (void)c;
    if (st->h != NULL) {
        sqlite3_reset((sqlite3_stmt *)st->h);
        sqlite3_clear_bindings((sqlite3_stmt *)st->h);
    }
    st->running = false;
}

static bool sq_col_null(cdb_stmt_t *st, int col)
{
    return sqlite3_column_type((sqlite3_stmt *)st->h, col) == SQLITE_NULL;
}

static int64_t sq_col_int(cdb_stmt_t *st, int col)
{
    return sqlite3_column_int64((sqlite3_stmt *)st->h, col);
}

static const char *sq_col_text(cdb_stmt_t *st, int col)
{
    const unsigned char *t = sqlite3_column_text((sqlite3_stmt *)st->h, col);
    return t != NULL ? (const char *)t : "";
}

static int sq_col_blob(cdb_stmt_t *st, int col, uint8_t *out, size_t cap, size_t *len)
{
    sqlite3_stmt *h = st->h;
    const void *b = sqlite3_column_blob(h, col);
    int n = sqlite3_column_bytes(h, col);
    *len = 0;
    if (b == NULL || n <= 0) {
        return 0; /* NULL or empty */
    }
    if ((size_t)n > cap) {
        return FW_E_CORRUPT;
    }
    memcpy(out, b, (size_t)n);
    *len = (size_t)n;
    return 0;
}

/* A file does not go away: nothing to reconnect. A failure (locked, full,
 * read-only) shows again on the next statement if it is still there. */
static int sq_reconnect(cdb_t *c)
{
    (void)c;
    return 0;
}

static int sq_listen(cdb_t *c, const char *channel)
{
    (void)c;
    (void)channel;
    return 0; /* SQLite has no notifications: the server polls the version */
}

static int sq_notify_fd(cdb_t *c)
{
    (void)c;
    return -1;
}

static int sq_notifications(cdb_t *c, bool read)
{
    (void)c;
    (void)read;
    return 0;
}

const cdb_driver_t cdb_sqlite_driver = {
    .name = "sqlite",
    .dialect = CDB_SQLITE,
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .step = sq_step,
    .reset = sq_reset,
    .col_null = sq_col_null,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .reconnect = sq_reconnect,
    .listen = sq_listen,
    .notify_fd = sq_notify_fd,
    .notifications = sq_notifications,
};
