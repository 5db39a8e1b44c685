/*
 * Organisations, trials and the audit trail (db_trial.h).
 *
 * Why a trial keeps a licence of its own: a partner acts on the trial, not
 * on a device, and may act before any endpoint has arrived; planning the
 * trial's own licence through fw_trial first gives the device's answer
 * (R4, R5, R9) for the trial as a whole, and each endpoint's licence is
 * then planned too, since one may have been changed on its own (`admin
 * licence --serial`).
 */
#include "db_trial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_priv.h"
#include "fw/err.h"
#include "fw/iso8601.h"
#include "fw/zeroize.h"
#include "licence_plan.h"

#define FW_LOG_TAG "coll-db"
#include "fw/log.h"

/* Version 3. BIGINT for instants (unix seconds), INTEGER 0/1 for flags as
 * the older tables have them. */
static const char s_schema[] =
    "CREATE TABLE IF NOT EXISTS org ("
    " name TEXT PRIMARY KEY, region TEXT NOT NULL, created_at BIGINT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS trial ("
    " trial TEXT PRIMARY KEY, org TEXT NOT NULL REFERENCES org(name),"
    " typ TEXT NOT NULL CHECK (typ IN ('trial','paid')), trial_exp BIGINT NOT NULL,"
    " ext INTEGER NOT NULL, keep_devices INTEGER NOT NULL, seq BIGINT NOT NULL,"
    " iat BIGINT NOT NULL, webex_site TEXT NOT NULL DEFAULT '',"
    " offer TEXT NOT NULL DEFAULT '', offer_plan TEXT NOT NULL DEFAULT '',"
    " add_ons TEXT NOT NULL DEFAULT '', paid_site TEXT NOT NULL DEFAULT '',"
    " new_site INTEGER NOT NULL DEFAULT 0, converted_at BIGINT, created_at BIGINT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS trial_service ("
    " trial TEXT NOT NULL REFERENCES trial(trial), id TEXT NOT NULL, exp BIGINT NOT NULL,"
    " PRIMARY KEY (trial, id));"
    "CREATE TABLE IF NOT EXISTS audit ("
    " id BIGINT PRIMARY KEY, at BIGINT NOT NULL, who TEXT NOT NULL, trial TEXT, serial TEXT,"
    " what TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS audit_trial ON audit (trial);"
    "CREATE INDEX IF NOT EXISTS device_trial ON device (trial);";

/* Columns version 3 adds to the licence table: the paid licence's offer and
 * site (R6), the last licence the server sent, the customer keeping the
 * devices (R3: `admin keep`; the enrollment's keep_devices counts too). */
static const char s_licence_v3[] =
    "ALTER TABLE licence ADD COLUMN offer TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE licence ADD COLUMN site TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE licence ADD COLUMN served_seq BIGINT;"
    "ALTER TABLE licence ADD COLUMN served_at BIGINT;"
    "ALTER TABLE licence ADD COLUMN keep_devices INTEGER NOT NULL DEFAULT 0;";

/* Done with `st` after its last step `s`: 0, or the failure. */
static int finish(cdb_t *c, cdb_stmt_t *st, int s)
{
    cdb_done(c, st);
    return s < 0 ? s : 0;
}

static const char *who(const cdb_t *c)
{
    return c->who != NULL ? c->who : "collector";
}

/* ---- audit ----------------------------------------------------------------- */

int cdb_audit_add(cdb_t *c, int64_t at, const char *trial, const char *serial, const char *what,
                  const char *detail)
{
    cdb_stmt_t *st =
        cdb_q(c, "INSERT INTO audit(id, at, who, trial, serial, what, detail)"
                 " SELECT COALESCE(MAX(id), 0) + 1, CAST($1 AS BIGINT), CAST($2 AS TEXT),"
                 " CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($5 AS TEXT),"
                 " CAST($6 AS TEXT)"
                 " FROM audit");
    if (st == NULL) {
        return FW_E_IO;
    }
    char d[512];
    (void)snprintf(d, sizeof d, "%s", detail);
    cdb_p_int(st, 1, at);
    cdb_p_text(st, 2, who(c));
    if (trial != NULL && trial[0] != '\0') {
        cdb_p_text(st, 3, trial);
    }
    if (serial != NULL && serial[0] != '\0') {
        cdb_p_text(st, 4, serial);
    }
    cdb_p_text(st, 5, what);
    cdb_p_text(st, 6, d);
    return cdb_run(c, st);
}

int cdb_audit_list(cdb_t *c, const char *trial, cdb_audit_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    cdb_stmt_t *st = cdb_q(c, "SELECT at, who, COALESCE(serial, ''), what, detail FROM audit"
                              " WHERE trial = $1 ORDER BY id");
    if (st == NULL) {
        return FW_E_IO;
    }
    cdb_p_text(st, 1, trial);
    int s;
    size_t cap = 0;
    while ((s = cdb_step(c, st)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            cdb_audit_t *grown = realloc(*out, cap * sizeof **out);
            if (grown == NULL) {
                cdb_done(c, st);
                return FW_E_NOMEM;
            }
            *out = grown;
        }
        cdb_audit_t *a = &(*out)[(*n)++];
        a->at = cdb_col_int(c, st, 0);
        cdb_col_text(c, st, 1, a->who, sizeof a->who);
        cdb_col_text(c, st, 2, a->serial, sizeof a->serial);
        cdb_col_text(c, st, 3, a->what, sizeof a->what);
        cdb_col_text(c, st, 4, a->detail, sizeof a->detail);
    }
    return finish(c, st, s);
}

/* ---- organisations ----------------------------------------------------------- */

/* The organisation called `name` whatever its case: its own spelling and
 * country. */
static int org_find(cdb_t *c, const char *name, char canon[65], char region[3])
{
    cdb_stmt_t *st =
        cdb_q(c, "SELECT name, region FROM org WHERE LOWER(name) = LOWER(CAST($1 AS TEXT))"
                 " ORDER BY name LIMIT 1");
    if (st == NULL) {
        return FW_E_IO;
    }
    cdb_p_text(st, 1, name);
    int s = cdb_step(c, st);
    if (s == 1) {
        cdb_col_text(c, st, 0, canon, 65);
        cdb_col_text(c, st, 1, region, 3);
    }
    int rc = finish(c, st, s);
    return rc != 0 ? rc : s == 1 ? 0 : FW_E_NOENT;
}

static int org_add(cdb_t *c, const char *name, const char *region, int64_t now)
{
    cdb_stmt_t *st = cdb_q(c, "INSERT INTO org(name, region, created_at) VALUES ($1, $2, $3)"
                              " ON CONFLICT (name) DO NOTHING");
    if (st == NULL) {
        return FW_E_IO;
    }
    cdb_p_text(st, 1, name);
    cdb_p_text(st, 2, region);
    cdb_p_int(st, 3, now);
    return cdb_run(c, st);
}

/* How organisation `org` pays, if it does (R5): through a converted trial,
 * or a paid licence of one of its endpoints. */
static int org_paid(cdb_t *c, const char *org, char trial[17], int64_t *since)
{
    cdb_stmt_t *st =
        cdb_q(c, "SELECT t.trial, COALESCE(t.converted_at, t.iat) FROM trial t"
                 " WHERE LOWER(t.org) = LOWER(CAST($1 AS TEXT)) AND t.typ = 'paid'"
                 " UNION ALL"
                 " SELECT d.trial, COALESCE(l.iat, l.updated_at) FROM licence l"
                 " JOIN device d ON d.serial = l.serial LEFT JOIN trial t ON t.trial = d.trial"
                 " WHERE l.typ = 'paid'"
                 " AND LOWER(COALESCE(t.org, l.org)) = LOWER(CAST($1 AS TEXT)) LIMIT 1");
    if (st == NULL) {
        return FW_E_IO;
    }
    cdb_p_text(st, 1, org);
    int s = cdb_step(c, st);
    if (s == 1) {
        cdb_col_text(c, st, 0, trial, 17);
        *since = cdb_col_int(c, st, 1);
    }
    int rc = finish(c, st, s);
    return rc != 0 ? rc : s == 1 ? 0 : FW_E_NOENT;
}

/* R5, in the device's words: a trial licence planned after the paid one of
 * the organisation is what a device refuses. */
static int refuse_paying(cdb_t *c, const char *trial, const char *org, int64_t exp, int64_t now,
                         char *why, size_t cap)
{
    char paid_trial[17] = "";
    int64_t since = 0;
    int rc = org_paid(c, org, paid_trial, &since);
    if (rc != 0) {
        return rc == FW_E_NOENT ? 0 : rc;
    }
    collector_licence_t paid = {0}, next;
    (void)snprintf(paid.trial, sizeof paid.trial, "%s", paid_trial);
    (void)snprintf(paid.org, sizeof paid.org, "%s", org);
    paid.paid = true;
    paid.seq = 1;
    paid.iat = since;
    cdb_licence_change_t ch = {.set_exp = true, .trial_exp = exp};
    char reason[200] = "a paying customer";
    if (collector_trial_plan(&paid, &ch, now, &next, reason, sizeof reason) == 0) {
        (void)snprintf(reason, sizeof reason, "no new trial for a paying customer (R5)");
    }
    char *rule = strstr(reason, "(R5)");
    if (rule != NULL) {
        rule[4] = '\0'; /* the device's reason, without its hint for a licence change */
    }
    char when[FW_ISO8601_LEN];
    (void)snprintf(why, cap,
                   "new trial %s: organisation '%s' already pays (trial %s, since %s): no new "
                   "trial for a paying customer: %s",
                   trial, org, paid_trial, fw_iso8601_format(since, when, sizeof when), reason);
    return FW_E_STATE;
}

/* ---- trials ------------------------------------------------------------------ */

int cdb_trial_get(cdb_t *c, const char *trial, collector_trial_t *out)
{
    cdb_stmt_t *st = cdb_q(
        c, "SELECT t.org, o.region, t.typ, t.trial_exp, t.ext, t.keep_devices, t.seq, t.iat,"
           " t.webex_site, t.offer, t.offer_plan, t.add_ons, t.paid_site, t.new_site,"
           " COALESCE(t.converted_at, 0), t.created_at FROM trial t JOIN org o ON o.name = t.org"
           " WHERE t.trial = $1");
    if (st == NULL) {
        return FW_E_IO;
    }
    cdb_p_text(st, 1, trial);
    int s = cdb_step(c, st);
    if (s != 1) {
        int rc = finish(c, st, s);
        return rc != 0 ? rc : FW_E_NOENT;
    }
    memset(out, 0, sizeof *out);
    collector_licence_t *l = &out->lic;
    (void)snprintf(l->trial, sizeof l->trial, "%s", trial);
    cdb_col_text(c, st, 0, l->org, sizeof l->org);
    cdb_col_text(c, st, 1, l->region, sizeof l->region);
    char typ[8];
    cdb_col_text(c, st, 2, typ, sizeof typ);
    l->paid = strcmp(typ, "paid") == 0;
    l->trial_exp = cdb_col_int(c, st, 3);
    l->ext = cdb_col_int(c, st, 4);
    l->keep = cdb_col_int(c, st, 5) != 0;
    l->seq = (uint32_t)cdb_col_int(c, st, 6);
    l->iat = cdb_col_int(c, st, 7);
    cdb_col_text(c, st, 8, out->webex_site, sizeof out->webex_site);
    cdb_col_text(c, st, 9, out->offer, sizeof out->offer);
    cdb_col_text(c, st, 10, out->plan, sizeof out->plan);
    cdb_col_text(c, st, 11, out->add_ons, sizeof out->add_ons);
    cdb_col_text(c, st, 12, l->site, sizeof l->site);
    out->new_site = cdb_col_int(c, st, 13) != 0;
    out->converted_at = cdb_col_int(c, st, 14);
    out->created_at = cdb_col_int(c, st, 15);
    if (out->offer[0] != '\0') {
        (void)snprintf(l->offer, sizeof l->offer, "%s %s", out->offer, out->plan);
    }
    cdb_done(c, st);

    st = cdb_q(c, "SELECT id, exp FROM trial_service WHERE trial = $1 ORDER BY id");
    if (st == NULL) {
        return FW_E_IO;
    }
    cdb_p_text(st, 1, trial);
    while ((s = cdb_step(c, st)) == 1 && l->n_svc < 16) {
        cdb_col_text(c, st, 0, l->svc[l->n_svc].id, sizeof l->svc[0].id);
        l->svc[l->n_svc].exp = cdb_col_int(c, st, 1);
        l->n_svc++;
    }
    return finish(c, st, s);
}

/* Insert or replace trial `t` and its services. */
static int trial_put(cdb_t *c, const collector_trial_t *t)
{
    const collector_licence_t *l = &t->lic;
    cdb_stmt_t *st = cdb_q(
        c, "INSERT INTO trial(trial, org, typ, trial_exp, ext, keep_devices, seq, iat, webex_site,"
           " offer, offer_plan, add_ons, paid_site, new_site, converted_at, created_at)"
           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
           " ON CONFLICT (trial) DO UPDATE SET org = excluded.org, typ = excluded.typ,"
           " trial_exp = excluded.trial_exp, ext = excluded.ext,"
           " keep_devices = excluded.keep_devices, seq = excluded.seq, iat = excluded.iat,"
           " webex_site = excluded.webex_site, offer = excluded.offer,"
           " offer_plan = excluded.offer_plan, add_ons = excluded.add_ons,"
           " paid_site = excluded.paid_site, new_site = excluded.new_site,"
           " converted_at = excluded.converted_at");
    if (st == NULL) {
        return FW_E_IO;
    }
    cdb_p_text(st, 1, l->trial);
    cdb_p_text(st, 2, l->org);
    cdb_p_text(st, 3, l->paid ? "paid" : "trial");
    cdb_p_int(st, 4, l->trial_exp);
    cdb_p_int(st, 5, l->ext);
    cdb_p_int(st, 6, l->keep ? 1 : 0);
    cdb_p_int(st, 7, l->seq);
    cdb_p_int(st, 8, l->iat);
    cdb_p_text(st, 9, t->webex_site);
    cdb_p_text(st, 10, t->offer);
    cdb_p_text(st, 11, t->plan);
    cdb_p_text(st, 12, t->add_ons);
    cdb_p_text(st, 13, l->site);
    cdb_p_int(st, 14, t->new_site ? 1 : 0);
    if (t->converted_at > 0) {
        cdb_p_int(st, 15, t->converted_at);
    }
    cdb_p_int(st, 16, t->created_at);
    int rc = cdb_run(c, st);
    st = rc == 0 ? cdb_q(c, "DELETE FROM trial_service WHERE trial = $1") : NULL;
    if (rc == 0 && st == NULL) {
        return FW_E_IO;
    }
    if (st != NULL) {
        cdb_p_text(st, 1, l->trial);
        rc = cdb_run(c, st);
    }
    for (size_t i = 0; rc == 0 && i < l->n_svc; i++) {
        st = cdb_q(c, "INSERT INTO trial_service(trial, id, exp) VALUES ($1, $2, $3)");
        if (st == NULL) {
            return FW_E_IO;
        }
        cdb_p_text(st, 1, l->trial);
        cdb_p_text(st, 2, l->svc[i].id);
        cdb_p_int(st, 3, l->svc[i].exp);
        rc = cdb_run(c, st);
    }
    return rc;
}

typedef char serial_t[21];

static int list_strings(cdb_t *c, const char *sql, const char *arg, char **out, size_t width,
                        size_t *n)
{
    *out = NULL;
    *n = 0;
    cdb_stmt_t *st = cdb_q(c, sql);
    if (st == NULL) {
        return FW_E_IO;
    }
    if (arg != NULL) {
        cdb_p_text(st, 1, arg);
    }
    int s;
    size_t cap = 0;
    while ((s = cdb_step(c, st)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char *grown = realloc(*out, cap * width);
            if (grown == NULL) {
                cdb_done(c, st);
                return FW_E_NOMEM;
            }
            *out = grown;
        }
        cdb_col_text(c, st, 0, *out + width * (*n)++, width);
    }
    return finish(c, st, s);
}

int cdb_trial_serials(cdb_t *c, const char *trial, char (**serials)[21], size_t *n)
{
    return list_strings(c, "SELECT serial FROM device WHERE trial = $1 ORDER BY serial", trial,
                        (char **)serials, sizeof **serials, n);
}

int cdb_trial_numbers(cdb_t *c, char (**trials)[17], size_t *n)
{
    return list_strings(c, "SELECT trial FROM trial UNION SELECT trial FROM device ORDER BY 1",
                        NULL, (char **)trials, sizeof **trials, n);
}

/* The change that gives an endpoint with no licence yet the trial's. */
static void trial_licence_change(const collector_trial_t *t, cdb_licence_change_t *ch)
{
    memset(ch, 0, sizeof *ch);
    const collector_licence_t *l = &t->lic;
    ch->set_exp = true;
    ch->trial_exp = l->trial_exp;
    ch->paid = l->paid;
    ch->keep = l->keep;
    ch->org = l->org;
    ch->offer = l->offer;
    ch->site = l->site;
    ch->n_add = l->n_svc;
    for (size_t i = 0; i < l->n_svc && i < 16; i++) {
        (void)snprintf(ch->add[i].id, sizeof ch->add[i].id, "%s", l->svc[i].id);
        ch->add[i].exp = l->svc[i].exp;
    }
}

static int device_get(cdb_t *c, const char *serial, cdb_device_t *d)
{
    int rc = cdb_device_by_serial(c, serial, d);
    fw_zeroize(d->psk, sizeof d->psk); /* a licence needs the identity only */
    fw_zeroize(d->support_psk, sizeof d->support_psk);
    return rc;
}

/* The licence of endpoint `serial` of trial `t` after change `ch` (for one
 * with none yet: the trial's licence `t` as changed already). */
static int endpoint_plan(cdb_t *c, const char *serial, const collector_trial_t *t,
                         const cdb_licence_change_t *ch, int64_t now, collector_licence_t *next,
                         bool *was_new, char *why, size_t cap)
{
    cdb_device_t d;
    collector_licence_t cur;
    bool has_iat;
    int rc = device_get(c, serial, &d);
    if (rc == 0) {
        rc = cdb_licence_get(c, serial, &cur, &has_iat);
    }
    if (rc != 0 && rc != FW_E_NOENT) {
        return rc;
    }
    *was_new = rc == FW_E_NOENT;
    cdb_licence_change_t fresh;
    if (*was_new) {
        trial_licence_change(t, &fresh);
    }
    char reason[200];
    rc = collector_licence_plan(*was_new ? NULL : &cur, &d, *was_new ? &fresh : ch, now, next,
                                reason, sizeof reason);
    if (rc != 0) {
        (void)snprintf(why, cap, "endpoint %s: %s", serial, reason);
    }
    return rc;
}

/* Issue trial `t`'s licence to every endpoint enrolled under it that has
 * none (a trial created after its endpoints were enrolled). */
static int issue_to_new_endpoints(cdb_t *c, const collector_trial_t *t, int64_t now, size_t *issued,
                                  char *why, size_t cap)
{
    serial_t *serials;
    size_t n;
    *issued = 0;
    int rc = cdb_trial_serials(c, t->lic.trial, &serials, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        collector_licence_t cur, next;
        bool has_iat, was_new;
        if (cdb_licence_get(c, serials[i], &cur, &has_iat) == 0) {
            continue;
        }
        rc = endpoint_plan(c, serials[i], t, NULL, now, &next, &was_new, why, cap);
        if (rc == 0) {
            rc = cdb_licence_put(c, &next, false, now);
            (*issued)++;
        }
    }
    free(serials);
    return rc;
}

int cdb_trial_create(cdb_t *c, collector_trial_t *t, int64_t now, size_t *issued, char *why,
                     size_t cap)
{
    why[0] = '\0';
    *issued = 0;
    int rc = cdb_write_begin(c);
    if (rc != 0) {
        return rc;
    }
    collector_trial_t old;
    collector_licence_t *l = &t->lic;
    char canon[65], region[3];
    rc = cdb_trial_get(c, l->trial, &old);
    if (rc == 0) {
        (void)snprintf(why, cap, "trial %s exists already (organisation '%s')", l->trial,
                       old.lic.org);
        rc = FW_E_STATE;
    } else if (rc == FW_E_NOENT) {
        rc = org_find(c, l->org, canon, region);
        if (rc == 0 && strcmp(region, l->region) != 0) {
            (void)snprintf(why, cap, "organisation '%s' is in %s, not %s", canon, region,
                           l->region);
            rc = FW_E_STATE;
        } else if (rc == 0) {
            (void)snprintf(l->org, sizeof l->org, "%s", canon);
        } else if (rc == FW_E_NOENT) {
            rc = org_add(c, l->org, l->region, now);
        }
    }
    if (rc == 0) {
        rc = refuse_paying(c, l->trial, l->org, l->trial_exp, now, why, cap);
    }
    if (rc == 0) {
        cdb_licence_change_t ch;
        collector_trial_t fresh = *t;
        trial_licence_change(&fresh, &ch);
        ch.org = NULL;
        ch.offer = NULL;
        ch.site = NULL;
        l->serial[0] = '\0';
        char reason[200];
        rc = collector_trial_plan(NULL, &ch, now, l, reason, sizeof reason);
        if (rc != 0) {
            (void)snprintf(why, cap, "new trial %s: %s", l->trial, reason);
        }
    }
    if (rc == 0) {
        t->created_at = now;
        rc = trial_put(c, t);
    }
    if (rc == 0) {
        rc = issue_to_new_endpoints(c, t, now, issued, why, cap);
    }
    if (rc == 0) {
        char detail[512], e[FW_ISO8601_LEN];
        (void)snprintf(detail, sizeof detail,
                       "new trial for '%s' (%s), expiry %s, %zu service(s)%s%s; %zu endpoint(s) "
                       "enrolled already",
                       l->org, l->region, fw_iso8601_format(l->trial_exp, e, sizeof e), l->n_svc,
                       t->webex_site[0] ? ", WebEx site " : "", t->webex_site, *issued);
        rc = cdb_audit_add(c, now, l->trial, NULL, "new-trial", detail);
    }
    if (rc == 0 && *issued > 0) {
        rc = cdb_licence_bump(c);
    }
    return cdb_end_tx(c, rc);
}

/* A trial row for trial d->trial made from licence `l` (of the trial's first
 * endpoint): its organisation is the licence's, created in the endpoint's
 * country if new. `check_paying`: refuse when that organisation pays (R5). */
static int trial_from_licence(cdb_t *c, const cdb_device_t *d, const collector_licence_t *l,
                              bool check_paying, int64_t now, char *why, size_t cap)
{
    collector_trial_t t;
    memset(&t, 0, sizeof t);
    t.lic = *l;
    t.lic.serial[0] = '\0';
    (void)snprintf(t.lic.trial, sizeof t.lic.trial, "%s", d->trial);
    int rc = org_find(c, l->org, t.lic.org, t.lic.region);
    if (rc == FW_E_NOENT) {
        (void)snprintf(t.lic.region, sizeof t.lic.region, "%s", d->region);
        rc = org_add(c, t.lic.org, t.lic.region, now);
    }
    if (rc == 0 && check_paying && !l->paid) {
        rc = refuse_paying(c, d->trial, t.lic.org, l->trial_exp, now, why, cap);
    }
    if (rc == 0) {
        t.created_at = now;
        t.converted_at = l->paid ? l->iat : 0;
        rc = trial_put(c, &t);
    }
    return rc;
}

static void licence_summary(const collector_licence_t *l, char *out, size_t cap)
{
    char e[FW_ISO8601_LEN];
    if (l->paid) {
        (void)snprintf(out, cap, "seq %u: paid%s%s, %zu service(s)", (unsigned)l->seq,
                       l->offer[0] ? ", offer " : "", l->offer, l->n_svc);
    } else {
        (void)snprintf(out, cap, "seq %u: trial, expiry %s, ext %d%s, %zu service(s)",
                       (unsigned)l->seq, fw_iso8601_format(l->trial_exp, e, sizeof e), l->ext,
                       l->keep ? ", keeps devices" : "", l->n_svc);
    }
}

int cdb_trial_on_licence(cdb_t *c, const cdb_device_t *d, const collector_licence_t *l, int64_t now,
                         char *why, size_t cap)
{
    collector_trial_t t;
    int rc = cdb_trial_get(c, d->trial, &t);
    if (rc == FW_E_NOENT) {
        rc = trial_from_licence(c, d, l, true, now, why, cap);
    }
    char detail[512];
    licence_summary(l, detail, sizeof detail);
    return rc != 0 ? rc : cdb_audit_add(c, now, d->trial, d->serial, "licence", detail);
}

int cdb_trial_on_enroll(cdb_t *c, const cdb_device_t *d, int64_t now)
{
    collector_trial_t t;
    collector_licence_t cur, next;
    bool has_iat, was_new;
    int rc = cdb_trial_get(c, d->trial, &t);
    if (rc == FW_E_NOENT || (rc == 0 && cdb_licence_get(c, d->serial, &cur, &has_iat) == 0)) {
        return 0; /* no partner's trial, or the endpoint has its licence */
    }
    char why[256];
    rc =
        rc != 0 ? rc : endpoint_plan(c, d->serial, &t, NULL, now, &next, &was_new, why, sizeof why);
    if (rc == FW_E_STATE) {
        /* The enrollment stands; the licence can be set per serial. */
        FW_LOGW("%s: enrolled, but trial %s's licence not issued: %s", d->serial, d->trial, why);
        return 0;
    }
    if (rc == 0) {
        rc = cdb_licence_put(c, &next, false, now);
    }
    if (rc == 0) {
        char detail[512], s[200];
        licence_summary(&next, s, sizeof s);
        (void)snprintf(detail, sizeof detail, "endpoint enrolled: the trial's licence, %s", s);
        rc = cdb_audit_add(c, now, d->trial, d->serial, "enroll", detail);
    }
    return rc == 0 ? cdb_licence_bump(c) : rc;
}

static const char *const s_act_names[] = {"extend", "add-service", "keep", "convert"};

static void act_detail(const partner_act_t *a, const cdb_trial_result_t *r, char *out, size_t cap)
{
    char e1[FW_ISO8601_LEN], e2[FW_ISO8601_LEN];
    const collector_trial_t *b = &r->before, *t = &r->after;
    switch (a->kind) {
    case PARTNER_EXTEND:
        (void)snprintf(out, cap, "expiry %s -> %s (once, R4); %zu endpoint(s)",
                       fw_iso8601_format(b->lic.trial_exp, e1, sizeof e1),
                       fw_iso8601_format(t->lic.trial_exp, e2, sizeof e2), r->endpoints);
        break;
    case PARTNER_ADD_SERVICE:
        (void)snprintf(out, cap, "service %s until %s (R4); %zu endpoint(s)", a->service,
                       fw_iso8601_format(a->until, e1, sizeof e1), r->endpoints);
        break;
    case PARTNER_KEEP:
        (void)snprintf(out, cap, "the customer keeps the devices (R3); %zu endpoint(s)",
                       r->endpoints);
        break;
    default:
        (void)snprintf(out, cap, "%s %s%s%s%s%s; %zu endpoint(s) paid, usage kept (R3)", t->offer,
                       t->plan, t->add_ons[0] ? ", add-ons " : "", t->add_ons,
                       t->lic.site[0] ? (t->new_site ? ", new WebEx site " : ", WebEx site ") : "",
                       t->lic.site, r->endpoints);
        break;
    }
}

static int trial_act_tx(cdb_t *c, const char *trial, const partner_act_t *a, int64_t now,
                        cdb_trial_result_t *res, char *why, size_t cap)
{
    int rc = cdb_trial_get(c, trial, &res->before);
    if (rc == FW_E_NOENT) {
        (void)snprintf(why, cap, "trial %s: unknown (no such trial)", trial);
        return rc;
    }
    static partner_outcome_t out;
    rc = rc != 0 ? rc : partner_act_check(&res->before, a, now, &out, why, cap);
    if (rc != 0) {
        return rc;
    }
    (void)snprintf(res->note, sizeof res->note, "%s", out.note);
    res->noop = out.noop;
    res->after = out.after;
    if (out.noop) {
        return 0;
    }
    char reason[200];
    rc = collector_trial_plan(&res->before.lic, &out.ch, now, &res->after.lic, reason,
                              sizeof reason);
    if (rc != 0) {
        (void)snprintf(why, cap, "trial %s: %s", trial, reason);
        return rc;
    }
    serial_t *serials;
    size_t n;
    rc = cdb_trial_serials(c, trial, &serials, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        collector_licence_t next;
        bool was_new;
        rc = endpoint_plan(c, serials[i], &res->after, &out.ch, now, &next, &was_new, why, cap);
        if (rc == 0) {
            rc = cdb_licence_put(c, &next, false, now);
            res->endpoints++;
            res->issued_new += was_new ? 1 : 0;
        }
    }
    free(serials);
    if (rc == 0) {
        rc = trial_put(c, &res->after);
    }
    if (rc == 0) {
        char detail[512];
        act_detail(a, res, detail, sizeof detail);
        rc = cdb_audit_add(c, now, trial, NULL, s_act_names[a->kind], detail);
    }
    return rc == 0 ? cdb_licence_bump(c) : rc;
}

int cdb_trial_act(cdb_t *c, const char *trial, const partner_act_t *a, int64_t now,
                  cdb_trial_result_t *res, char *why, size_t cap)
{
    why[0] = '\0';
    memset(res, 0, sizeof *res);
    int rc = cdb_write_begin(c);
    if (rc != 0) {
        return rc;
    }
    rc = trial_act_tx(c, trial, a, now, res, why, cap);
    return cdb_end_tx(c, rc);
}

/* ---- licences served, read transactions, the schema ---------------------------- */

int cdb_licence_served(cdb_t *c, const char *serial, uint32_t seq, int64_t now)
{
    cdb_stmt_t *st =
        cdb_q(c, "UPDATE licence SET served_seq = $1, served_at = $2 WHERE serial = $3");
    if (st == NULL) {
        return FW_E_IO;
    }
    cdb_p_int(st, 1, seq);
    cdb_p_int(st, 2, now);
    cdb_p_text(st, 3, serial);
    return cdb_run(c, st);
}

int cdb_licence_served_get(cdb_t *c, const char *serial, uint32_t *seq, int64_t *at)
{
    *seq = 0;
    *at = 0;
    cdb_stmt_t *st = cdb_q(c, "SELECT COALESCE(served_seq, 0), COALESCE(served_at, 0)"
                              " FROM licence WHERE serial = $1");
    if (st == NULL) {
        return FW_E_IO;
    }
    cdb_p_text(st, 1, serial);
    int s = cdb_step(c, st);
    if (s == 1) {
        *seq = (uint32_t)cdb_col_int(c, st, 0);
        *at = cdb_col_int(c, st, 1);
    }
    return finish(c, st, s);
}

int cdb_trial_migrate(cdb_t *c, int from)
{
    int rc = cdb_exec(c, s_schema);
    if (rc == 0) {
        rc = cdb_exec(c, s_licence_v3);
    }
    if (rc != 0 || from == 0) {
        return rc;
    }
    /* An older database: each trial its devices' licences belong to gets its
     * row, made from its first endpoint's licence, as `admin licence` makes
     * it now. */
    serial_t *serials;
    size_t n;
    rc = list_strings(c,
                      "SELECT MIN(d.serial) FROM device d JOIN licence l ON l.serial = d.serial"
                      " GROUP BY d.trial ORDER BY 1",
                      NULL, (char **)&serials, sizeof *serials, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        cdb_device_t d;
        collector_licence_t l;
        bool has_iat;
        char why[200];
        rc = device_get(c, serials[i], &d);
        if (rc == 0) {
            rc = cdb_licence_get(c, serials[i], &l, &has_iat);
        }
        if (rc == 0) {
            rc = trial_from_licence(c, &d, &l, false, l.iat, why, sizeof why);
        }
    }
    free(serials);
    if (rc == 0) {
        FW_LOGI("database migrated to schema 3: %zu trial(s) with their organisations", n);
    }
    return rc;
}
