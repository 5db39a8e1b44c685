/*
 * The collector's storage, licences and the views: each device's licence
 * (read, changed as licence_plan.c plans, its version and the notifications
 * that a licence changed) and what support and the admin commands read
 * (totals, events, show, fleet usage).
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

/* ---- licences -------------------------------------------------------------------------- */

int cdb_licence_get(cdb_t *c, const char *serial, collector_licence_t *out, bool *has_iat)
{
    cdb_stmt_t *st = db_stmt(c, Q_LICENCE_GET);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, serial);
    int s = cdb_step(c, st);
    if (s != 1) {
        cdb_done(c, st);
        return s < 0 ? s : FW_E_NOENT;
    }
    memset(out, 0, sizeof *out);
    (void)snprintf(out->serial, sizeof out->serial, "%s", serial);
    cdb_col_text(c, st, 0, out->org, sizeof out->org);
    out->paid = strcmp(c->drv->col_text(st, 1), "paid") == 0;
    out->trial_exp = cdb_col_int(c, st, 2);
    out->ext = (int)cdb_col_int(c, st, 3);
    out->seq = (uint32_t)cdb_col_int(c, st, 4);
    *has_iat = !c->drv->col_null(st, 5);
    out->iat = cdb_col_int(c, st, 5);
    cdb_col_text(c, st, 6, out->trial, sizeof out->trial);
    cdb_col_text(c, st, 7, out->region, sizeof out->region);
    out->keep = cdb_col_int(c, st, 8) != 0;
    cdb_col_text(c, st, 9, out->offer, sizeof out->offer);
    cdb_col_text(c, st, 10, out->site, sizeof out->site);
    cdb_done(c, st);

    st = db_stmt(c, Q_LICENCE_SERVICES);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, serial);
    while ((s = cdb_step(c, st)) == 1 && out->n_svc < 16) {
        cdb_col_text(c, st, 0, out->svc[out->n_svc].id, sizeof out->svc[0].id);
        out->svc[out->n_svc].exp = cdb_col_int(c, st, 1);
        out->n_svc++;
    }
    cdb_done(c, st);
    return s < 0 ? s : 0;
}

int cdb_licence_set_iat(cdb_t *c, const char *serial, uint32_t seq, int64_t iat)
{
    cdb_stmt_t *st = db_stmt(c, Q_LICENCE_SET_IAT);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, serial);
    cdb_p_int(st, 2, seq);
    cdb_p_int(st, 3, iat);
    return cdb_run(c, st);
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
    cdb_stmt_t *st = db_stmt(c, Q_LICENCE_UPSERT);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, l->serial);
    db_p_text(st, 2, l->org);
    db_p_text(st, 3, l->paid ? "paid" : "trial");
    if (!exp_null) {
        cdb_p_int(st, 4, l->trial_exp);
    } /* else NULL */
    cdb_p_int(st, 5, l->ext);
    cdb_p_int(st, 6, l->seq);
    cdb_p_int(st, 7, l->iat);
    cdb_p_int(st, 8, now);
    db_p_text(st, 9, l->offer);
    db_p_text(st, 10, l->site);
    cdb_p_int(st, 11, l->keep ? 1 : 0);
    int rc = cdb_run(c, st);
    /* The planned services: those kept, added or moved with an extension. */
    for (size_t i = 0; rc == 0 && i < l->n_svc; i++) {
        st = db_stmt(c, Q_SERVICE_UPSERT);
        if (st == NULL) {
            return FW_E_IO;
        }
        db_p_text(st, 1, l->serial);
        db_p_text(st, 2, l->svc[i].id);
        cdb_p_int(st, 3, l->svc[i].exp);
        rc = cdb_run(c, st);
    }
    return rc;
}

int cdb_licence_bump(cdb_t *c)
{
    int rc = db_run_simple(c, Q_VERSION_BUMP);
    if (rc == 0 && c->drv->dialect == CDB_POSTGRESQL) {
        rc = db_run_simple(c, Q_NOTIFY); /* delivered at COMMIT, to every LISTENer */
    }
    return rc;
}

int cdb_licence_change(cdb_t *c, const char *serial, const cdb_licence_change_t *ch, int64_t now,
                       char *why, size_t why_cap)
{
    why[0] = '\0';
    int rc = cdb_write_begin(c);
    if (rc == 0) {
        rc = db_tx_end(c, licence_change_tx(c, serial, ch, now, why, why_cap));
    }
    return rc;
}

int cdb_licence_version(cdb_t *c, int64_t *version)
{
    cdb_stmt_t *st = db_stmt(c, Q_VERSION_GET);
    if (st == NULL) {
        return FW_E_IO;
    }
    int s = cdb_step(c, st);
    *version = s == 1 ? cdb_col_int(c, st, 0) : 0;
    cdb_done(c, st);
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
    cdb_stmt_t *st = db_stmt(c, Q_TOTALS);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, serial);
    int s = cdb_step(c, st);
    if (s == 1) {
        const proto_record_t *r = &proto_usage_record;
        t->records = cdb_col_int(c, st, 0);
        t->generations = cdb_col_int(c, st, 1);
        t->first_start = cdb_col_int(c, st, 2);
        t->last_end = cdb_col_int(c, st, 3);
        for (size_t i = 0; i < r->n && i < CDB_TOTALS_MAX; i++) {
            t->sum[i] = cdb_col_int(c, st, 4 + 2 * (int)i);
            t->max[i] = cdb_col_int(c, st, 5 + 2 * (int)i);
        }
    }
    cdb_done(c, st);
    return s < 0 ? s : 0;
}

int cdb_count_events(cdb_t *c, const char *serial, int64_t *n)
{
    cdb_stmt_t *st = db_stmt(c, Q_COUNT_EVENTS);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, serial);
    int s = cdb_step(c, st);
    *n = s == 1 ? cdb_col_int(c, st, 0) : 0;
    cdb_done(c, st);
    return s < 0 ? s : 0;
}

int cdb_event_kind(cdb_t *c, const char *serial, const char *kind, int64_t *count, int64_t *last)
{
    cdb_stmt_t *st = db_stmt(c, Q_EVENT_KIND);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, serial);
    db_p_text(st, 2, kind);
    int s = cdb_step(c, st);
    *count = s == 1 ? cdb_col_int(c, st, 0) : 0;
    *last = s == 1 ? cdb_col_int(c, st, 1) : 0;
    cdb_done(c, st);
    return s < 0 ? s : 0;
}

int cdb_show(cdb_t *c, const char *serial, cdb_show_t *s)
{
    memset(s, 0, sizeof *s);
    cdb_stmt_t *st = db_stmt(c, Q_SHOW_DEVICE);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, serial);
    int r = cdb_step(c, st);
    if (r != 1) {
        cdb_done(c, st);
        return r < 0 ? r : FW_E_NOENT;
    }
    s->enrolled_at = cdb_col_int(c, st, 0);
    s->last_contact = cdb_col_int(c, st, 1);
    cdb_done(c, st);
    st = db_stmt(c, Q_SHOW_PROV);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, serial);
    r = cdb_step(c, st);
    if (r == 1) {
        collector_prov_t *p = &s->prov;
        s->has_prov = true;
        (void)snprintf(p->serial, sizeof p->serial, "%s", serial);
        s->first_seen = cdb_col_int(c, st, 0);
        s->last_seen = cdb_col_int(c, st, 1);
        s->prov_reports = cdb_col_int(c, st, 2);
        int col = 3;
        for (size_t i = 0; i < proto_prov_report_record.n; i++) {
            const proto_field_t *f = &proto_prov_report_record.fields[i];
            if (strcmp(f->name, "serial") == 0) {
                continue;
            }
            if (f->type == PROTO_T_STR) {
                cdb_col_text(c, st, col, (char *)p + f->offset, f->size);
            } else {
                proto_field_set(f, p, cdb_col_int(c, st, col));
            }
            col++;
        }
    }
    cdb_done(c, st);
    return r < 0 ? r : 0;
}

int cdb_fleet_usage(cdb_t *c, const char *prefix, uint32_t gen,
                    int (*fn)(void *arg, const cdb_fleet_row_t *row), void *arg)
{
    char like[24];
    (void)snprintf(like, sizeof like, "%.20s%%", prefix);
    cdb_stmt_t *st = db_stmt(c, Q_FLEET_USAGE);
    if (st == NULL) {
        return FW_E_IO;
    }
    db_p_text(st, 1, like);
    cdb_p_int(st, 2, gen);
    int s;
    while ((s = cdb_step(c, st)) == 1) {
        cdb_fleet_row_t row;
        cdb_col_text(c, st, 0, row.serial, sizeof row.serial);
        row.rows = cdb_col_int(c, st, 1);
        row.ids = cdb_col_int(c, st, 2);
        row.min_id = cdb_col_int(c, st, 3);
        row.max_id = cdb_col_int(c, st, 4);
        row.calls = cdb_col_int(c, st, 5);
        if (fn(arg, &row) != 0) {
            break;
        }
    }
    cdb_done(c, st);
    return s < 0 ? s : 0;
}
