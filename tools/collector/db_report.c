/*
 * The collector's storage, what the devices send: enrollment and the device
 * rows, and the reports stored (provisioning, usage and event batches, each
 * record once per (serial, gen, id)), one request or a group of requests
 * per transaction (db.c's header says why).
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

/* ---- devices ------------------------------------------------------------------------ */

static int enroll_one(cdb_t *c, const cdb_device_t *d, int64_t now)
{
    cdb_stmt_t *st = db_stmt(c, Q_DEVICE_OTHER_IDENTITY);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, d->psk_identity);
    db_p_text(st, 2, d->serial);
    int s = cdb_step(c, st);
    cdb_done(c, st);
    if (s != 0) {
        return s == 1 ? FW_E_STATE : s;
    }
    st = db_stmt(c, Q_DEVICE_UPSERT);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, d->serial);
    int at = db_bind_fields(st, 2, &proto_enrollment_record, d);
    cdb_p_int(st, at, now);
    return cdb_run(c, st);
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
    return db_tx_end(c, rc);
}

static int device_by(cdb_t *c, q_id_t q, const char *key, cdb_device_t *out)
{
    cdb_stmt_t *st = db_stmt(c, q);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, key);
    int s = cdb_step(c, st);
    int rc = s < 0 ? s : s == 0 ? FW_E_NOENT : 0;
    if (s == 1) {
        memset(out, 0, sizeof *out);
        cdb_col_text(c, st, 0, out->serial, sizeof out->serial);
        rc = db_read_fields(c, st, 1, &proto_enrollment_record, out);
        if (rc == 0 && out->psk_len == 0) {
            rc = FW_E_CORRUPT; /* no key to serve it with */
        }
    }
    cdb_done(c, st);
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
    cdb_stmt_t *st = db_stmt(c, Q_TOUCH);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, serial);
    cdb_p_int(st, 2, now);
    return cdb_run(c, st);
}

/* ---- reports ------------------------------------------------------------------------ */

static int store_prov(cdb_t *c, const collector_prov_t *p, int64_t now)
{
    cdb_stmt_t *st = db_stmt(c, Q_PROV_UPSERT);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, p->serial);
    int at = db_bind_fields(st, 2, &proto_prov_report_record, p);
    cdb_p_int(st, at, now);
    return cdb_run(c, st);
}

/* The records of one batch body: `items` `n` elements `size` bytes apart,
 * each a uint64_t id then the record at `rec_off`. */
static int store_records(cdb_t *c, q_id_t q, const proto_record_t *rec, const char *serial,
                         uint32_t gen, const void *items, size_t n, size_t size, size_t rec_off,
                         int64_t now)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        cdb_stmt_t *st = db_stmt(c, q);
        if (st == NULL) {
            return FW_E_IO;
        }
        const char *item = (const char *)items + i * size;
        uint64_t id;
        memcpy(&id, item, sizeof id);
        db_p_text(st, 1, serial);
        cdb_p_int(st, 2, gen);
        cdb_p_int(st, 3, (int64_t)id);
        int at = db_bind_fields(st, 4, rec, item + rec_off);
        cdb_p_int(st, at, now);
        rc = cdb_run(c, st);
    }
    return rc;
}

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
        return db_run_simple(c, Q_PROBE);
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
    int rc = db_tx_begin(c);
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
    return db_tx_end(c, rc);
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
