/*
 * spark-collector admin, by trial number (R1): the trial and its endpoints
 * (`trial`), the partner's customer list (`trials`), and what a partner
 * does to a trial (`new-trial`, `extend`, `add-service`, `convert`,
 * `keep`). Where a trial or an endpoint stands is computed by fw_trial
 * (collector_licence_view: the device's own timeline), never here.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "cli.h"
#include "now.h"
#include "db_trial.h"
#include "fw/err.h"
#include "fw/iso8601.h"
#include "fw/zeroize.h"
#include "licence_plan.h"
#include "partner.h"
#include "proto/json.h"
#include "proto/provisioning.h"
#include "proto/support.h"
#include "support/state.h"

static int say(int rc, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int say(int rc, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "spark-collector admin %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return rc;
}

/* An instant option: ISO 8601 (fw/iso8601.h); a bad one is a usage error,
 * as everywhere in the admin commands. */
static int parse_time(const char *cmd, const char *opt, const char *s, int64_t *out)
{
    const char *why = "";
    if (fw_iso8601_parse(s, out, &why) != 0) {
        return say(CLI_USAGE, cmd, "--%s '%s': %s (ISO 8601, e.g. 2027-01-15T00:00Z)", opt, s, why);
    }
    return CLI_OK;
}

static int check_trial(const char *cmd, const char *trial)
{
    char why[160];
    if (trial == NULL) {
        return say(CLI_USAGE, cmd, "--trial DNNN is required (the trial number, R1)");
    }
    if (partner_check_trial_number(trial, why, sizeof why) != 0) {
        return say(CLI_FAIL, cmd, "'%s': %s", trial, why);
    }
    return CLI_OK;
}

static const char *when(int64_t t, char buf[FW_ISO8601_LEN])
{
    return fw_iso8601_format(t, buf, FW_ISO8601_LEN);
}

/* ---- one endpoint, as support and partners see it ------------------------------ */

typedef struct {
    cdb_device_t dev;
    cdb_show_t show;
    bool has_lic, has_iat, has_view;
    collector_licence_t lic;
    trial_claims_t claims;
    trial_view_t view;
    cdb_totals_t totals;
    int64_t events;
    uint32_t sent_seq;
    int64_t sent_at;
    int64_t at; /* the instant of the view */
} endpoint_t;

static int endpoint_load(cdb_t *db, const char *serial, int64_t at, endpoint_t *e)
{
    memset(e, 0, sizeof *e);
    e->at = at;
    int rc = cdb_device_by_serial(db, serial, &e->dev);
    fw_zeroize(e->dev.psk, sizeof e->dev.psk); /* never shown */
    fw_zeroize(e->dev.support_psk, sizeof e->dev.support_psk);
    if (rc == 0) {
        rc = cdb_show(db, serial, &e->show);
    }
    if (rc == 0) {
        rc = cdb_licence_get(db, serial, &e->lic, &e->has_iat);
        e->has_lic = rc == 0;
        rc = rc == FW_E_NOENT ? 0 : rc;
    }
    if (rc == 0 && e->has_lic) {
        e->has_view = collector_licence_view(&e->lic, at, &e->claims, &e->view) == 0;
        rc = cdb_licence_served_get(db, serial, &e->sent_seq, &e->sent_at);
    }
    return rc == 0 ? admin_totals_of(db, serial, &e->totals, &e->events) : rc;
}

static void add_time(cJSON *o, const char *name, int64_t t)
{
    char b[FW_ISO8601_LEN];
    if (t > 0) {
        cJSON_AddStringToObject(o, name, when(t, b));
    } else {
        cJSON_AddNullToObject(o, name);
    }
}

/* The licence view of `trialctl licence --json` (proto_licence_view_record,
 * filled by support_licence_view(): one definition for the room's support
 * port, trialctl and the collector) for licence `c` with verdict `v` at `at`
 * (`c` NULL: none in force, as a room without one says it), its members
 * added to `o` but those named in `skip` (NULL-terminated). */
static void view_members(cJSON *o, const trial_claims_t *c, const trial_view_t *v, int64_t at,
                         const endpoint_t *e, const char *const *skip)
{
    static proto_support_state_t doc;
    if (c != NULL) {
        support_licence_view(c, v, at, &doc);
    } else {
        support_facts_t f = {.now = at}; /* none in force: the endpoint's own facts */
        if (e != NULL) {
            f.serial = e->dev.serial;
            f.trial = e->dev.trial;
            f.region = e->dev.region;
        }
        support_state_build(&f, &doc);
    }
    static char buf[PROTO_BODY_MAX];
    proto_writer_t w;
    proto_writer_init(&w, buf, sizeof buf);
    proto_w_printf(&w, "{");
    proto_w_fields(&w, &proto_licence_view_record, &doc, false);
    proto_w_printf(&w, ",\"%s\":[", PROTO_SERVICES_ARRAY);
    for (size_t i = 0; i < doc.n_services; i++) {
        proto_w_printf(&w, "%s", i ? "," : "");
        proto_w_object(&w, &proto_support_service_record, &doc.services[i]);
    }
    proto_w_printf(&w, "]}");
    cJSON *view = w.overflow ? NULL : cJSON_ParseWithLength(buf, w.len);
    while (view != NULL && view->child != NULL) {
        cJSON *m = cJSON_DetachItemViaPointer(view, view->child);
        bool skipped = false;
        for (size_t i = 0; skip != NULL && skip[i] != NULL; i++) {
            skipped = skipped || strcmp(m->string, skip[i]) == 0;
        }
        if (skipped) {
            cJSON_Delete(m);
        } else {
            cJSON_AddItemToObject(o, m->string, m);
        }
    }
    cJSON_Delete(view);
}

/* What the trial and list views say themselves (the trial's own licence has
 * no serial, seq or issue instant a partner needs). */
static const char *const s_trial_skip[] = {"valid", "serial", "seq",    "issued", "at",
                                           "trial", "org",    "region", NULL};
static const char *const s_endpoint_skip[] = {"serial", "at", NULL};

/* "5 d" while the trial runs, "12 d to buy" in grace, "ended" after, "-"
 * paid. */
static const char *days_text(const trial_view_t *v, char *buf, size_t cap)
{
    if (!v->has_expiry) {
        (void)snprintf(buf, cap, "-");
    } else if (v->state >= TRIAL_STATE_LAPSED) {
        (void)snprintf(buf, cap, "ended");
    } else if (v->state == TRIAL_STATE_GRACE) {
        (void)snprintf(buf, cap, "%d d to buy", (int)v->grace_days_left);
    } else {
        (void)snprintf(buf, cap, "%d d", (int)v->days_left);
    }
    return buf;
}

static void services_text(const trial_view_t *v, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->n_svc && n < cap; i++) {
        int w = v->svc[i].expired
                    ? snprintf(buf + n, cap - n, "%s%s ended", n ? ", " : "", v->svc[i].id)
                    : snprintf(buf + n, cap - n, "%s%s %d d", n ? ", " : "", v->svc[i].id,
                               (int)v->svc[i].days_left);
        n += w > 0 ? (size_t)w : 0;
    }
    if (n == 0) {
        (void)snprintf(buf, cap, "none");
    }
}

static cJSON *endpoint_json(const endpoint_t *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "serial", e->dev.serial);
    cJSON_AddStringToObject(o, "model", e->dev.model[0] ? e->dev.model : e->show.prov.model);
    add_time(o, "arrived", e->show.has_prov ? e->show.first_seen : 0);
    add_time(o, "last_seen", e->show.last_contact);
    view_members(o, e->has_view ? &e->claims : NULL, &e->view, e->at, e, s_endpoint_skip);
    /* the licence the server last sent the room (`seq` is the one in force) */
    cJSON_AddNumberToObject(o, "sent_seq", e->sent_seq);
    add_time(o, "sent", e->sent_at);
    if (e->show.has_prov) {
        cJSON_AddStringToObject(o, "reported_state", e->show.prov.licence_state);
    } else {
        cJSON_AddNullToObject(o, "reported_state");
    }
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    admin_total_t f[ADMIN_TOTALS_MAX];
    size_t n = admin_totals_list(&e->totals, e->events, f);
    for (size_t i = 0; i < n; i++) {
        cJSON_AddNumberToObject(u, f[i].name, (double)f[i].v);
    }
    return o;
}

static void endpoint_text(const endpoint_t *e)
{
    char a[FW_ISO8601_LEN], s[FW_ISO8601_LEN], d[32], svc[512];
    const char *model = e->dev.model[0] ? e->dev.model : e->show.prov.model;
    printf("  %-12s %-16.16s %-20s %-20s %-9s %-11s %-8s %-6s ", e->dev.serial,
           model[0] ? model : "-", e->show.has_prov ? when(e->show.first_seen, a) : "not yet",
           e->show.last_contact > 0 ? when(e->show.last_contact, s) : "never",
           e->has_view ? trial_state_name(e->view.state) : "none",
           e->has_view ? days_text(&e->view, d, sizeof d) : "-",
           e->has_view ? trial_calling_name(e->view.calling) : "-",
           !e->has_view      ? "-"
           : e->view.rma_due ? "due"
           : e->lic.keep     ? "kept"
                             : "no");
    if (!e->has_lic) {
        printf("none yet\n");
    } else if (e->sent_seq == e->lic.seq) {
        printf("seq %u (sent)\n", (unsigned)e->lic.seq);
    } else {
        printf("seq %u (not fetched yet)\n", (unsigned)e->lic.seq);
    }
    if (e->has_view) {
        services_text(&e->view, svc, sizeof svc);
        printf("      services: %s\n", svc);
    }
    admin_total_t f[ADMIN_TOTALS_MAX];
    size_t n = admin_totals_list(&e->totals, e->events, f);
    /* the counters a partner asks about; --json has them all */
    static const char *const shown[] = {"records",         "calls",    "call_seconds",
                                        "calls_blocked",   "meetings", "meeting_seconds",
                                        "emergency_calls", "events"};
    printf("      usage:");
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizeof shown / sizeof shown[0]; k++) {
            if (strcmp(f[i].name, shown[k]) == 0) {
                printf(" %s %" PRId64, f[i].name, f[i].v);
            }
        }
    }
    printf("\n");
    if (e->show.has_prov) {
        printf("      the room reports: %s\n", e->show.prov.licence_state);
    }
}

/* ---- admin trial DNNN ---------------------------------------------------------- */

typedef struct {
    bool json;
    bool at_given;
    int64_t at;
} view_opts_t;

static cJSON *order_json(const collector_trial_t *t)
{
    if (!t->lic.paid) {
        return cJSON_CreateNull();
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "offer", t->offer);
    cJSON_AddStringToObject(o, "plan", t->plan);
    cJSON *a = cJSON_AddArrayToObject(o, "add_ons");
    char names[PARTNER_ADD_ONS_MAX + 1];
    (void)snprintf(names, sizeof names, "%s", t->add_ons);
    for (char *save = NULL, *p = strtok_r(names, ",", &save); p != NULL;
         p = strtok_r(NULL, ",", &save)) {
        cJSON_AddItemToArray(a, cJSON_CreateString(p + strspn(p, " ")));
    }
    if (t->lic.site[0] != '\0') {
        cJSON_AddStringToObject(o, "webex_site", t->lic.site);
    } else {
        cJSON_AddNullToObject(o, "webex_site");
    }
    cJSON_AddBoolToObject(o, "new_site", t->new_site);
    add_time(o, "converted", t->converted_at);
    return o;
}

static void trial_head_text(const collector_trial_t *t, const trial_view_t *v, int64_t at)
{
    char b1[FW_ISO8601_LEN], b2[FW_ISO8601_LEN], svc[512], d[32];
    printf("trial         %s\n", t->lic.trial);
    printf("organisation  %s (%s)\n", t->lic.org, t->lic.region);
    printf("at            %s\n", when(at, b1));
    if (t->lic.paid) {
        printf("state         paid: %s %s, converted %s%s%s\n",
               t->offer[0] ? t->offer : "converted per device (admin licence)", t->plan,
               when(t->converted_at, b1), t->add_ons[0] ? "; add-ons " : "", t->add_ons);
        if (t->lic.site[0] != '\0') {
            printf("webex site    %s%s\n", t->lic.site,
                   t->new_site ? " (a new site: A-WX, R6)" : " (the trial's, converted)");
        }
    } else {
        if (v->state >= TRIAL_STATE_LAPSED) {
            printf("state         %s: the grace period is over, nothing can be restored (R9)\n",
                   trial_state_name(v->state));
        } else {
            printf("state         %s, %s left\n", trial_state_name(v->state),
                   days_text(v, d, sizeof d));
        }
        printf("expiry        %s (%s)\n", when(t->lic.trial_exp, b2),
               t->lic.ext                       ? "extended once: no further extension, R4"
               : v->state >= TRIAL_STATE_LAPSED ? "not extended"
                                                : "not extended: one 30-day extension left, R4");
        if (t->webex_site[0] != '\0') {
            printf("webex site    %s (the trial's)\n", t->webex_site);
        }
    }
    services_text(v, svc, sizeof svc);
    printf("services      %s\n", svc);
    printf("devices       %s\n",
           t->lic.keep ? "kept by the customer (R3): no return" : "returned if not bought (R12)");
}

static void audit_text(const cdb_audit_t *a, size_t n)
{
    char b[FW_ISO8601_LEN];
    printf("audit\n");
    for (size_t i = 0; i < n; i++) {
        printf("  %s  %-10s %-11s %s%s%s\n", when(a[i].at, b), a[i].who, a[i].what,
               a[i].serial[0] ? a[i].serial : "", a[i].serial[0] ? ": " : "", a[i].detail);
    }
    if (n == 0) {
        printf("  (nothing yet)\n");
    }
}

static cJSON *audit_json(const cdb_audit_t *a, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        add_time(o, "at", a[i].at);
        cJSON_AddStringToObject(o, "who", a[i].who);
        if (a[i].serial[0] != '\0') {
            cJSON_AddStringToObject(o, "serial", a[i].serial);
        } else {
            cJSON_AddNullToObject(o, "serial");
        }
        cJSON_AddStringToObject(o, "action", a[i].what);
        cJSON_AddStringToObject(o, "detail", a[i].detail);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static void print_json(cJSON *o)
{
    char *txt = cJSON_PrintUnformatted(o);
    printf("%s\n", txt != NULL ? txt : "{}");
    cJSON_free(txt);
    cJSON_Delete(o);
}

static int trial_show(cdb_t *db, const char *trial, const view_opts_t *vo)
{
    collector_trial_t t;
    int rc = cdb_trial_get(db, trial, &t);
    bool known = rc == 0;
    char(*serials)[21] = NULL;
    size_t n = 0;
    if (rc == 0 || rc == FW_E_NOENT) {
        rc = cdb_trial_serials(db, trial, &serials, &n);
    }
    if (rc == 0 && !known && n == 0) {
        free(serials);
        return say(CLI_FAIL, "trial",
                   "trial %s: unknown (no such trial, no endpoint enrolled "
                   "under it)",
                   trial);
    }
    cdb_audit_t *audit = NULL;
    size_t n_audit = 0;
    rc = rc == 0 ? cdb_audit_list(db, trial, &audit, &n_audit) : rc;
    static endpoint_t e;
    static trial_claims_t tc;
    trial_view_t v;
    memset(&v, 0, sizeof v);
    if (known && collector_licence_view(&t.lic, vo->at, &tc, &v) != 0) {
        rc = FW_E_CORRUPT;
    }
    cJSON *o = vo->json && rc == 0 ? cJSON_CreateObject() : NULL;
    if (o != NULL) {
        cJSON_AddStringToObject(o, "trial", trial);
        add_time(o, "at", vo->at);
        if (known) {
            cJSON_AddStringToObject(o, "org", t.lic.org);
            cJSON_AddStringToObject(o, "region", t.lic.region);
            view_members(o, &tc, &v, vo->at, NULL, s_trial_skip);
            cJSON_AddBoolToObject(o, "extension_left",
                                  !t.lic.paid && t.lic.ext == 0 && v.state < TRIAL_STATE_LAPSED);
            if (t.webex_site[0] != '\0') {
                cJSON_AddStringToObject(o, "webex_site", t.webex_site);
            } else {
                cJSON_AddNullToObject(o, "webex_site");
            }
            cJSON_AddItemToObject(o, "order", order_json(&t));
            add_time(o, "created", t.created_at);
        } else {
            cJSON_AddNullToObject(o, "org");
            cJSON_AddStringToObject(o, "state", "none");
        }
    } else if (rc == 0) {
        if (known) {
            trial_head_text(&t, &v, vo->at);
        } else {
            printf("trial         %s (no licence issued yet: create it with admin new-trial)\n",
                   trial);
        }
        size_t arrived = 0;
        for (size_t i = 0; i < n; i++) {
            cdb_show_t s;
            arrived += cdb_show(db, serials[i], &s) == 0 && s.has_prov ? 1 : 0;
        }
        printf("endpoints     %zu (%zu arrived)\n", n, arrived);
        if (n > 0) {
            printf("  %-12s %-16s %-20s %-20s %-9s %-11s %-8s %-6s %s\n", "SERIAL", "MODEL",
                   "ARRIVED", "LAST SEEN", "STATE", "LEFT", "CALLING", "RETURN", "LICENCE");
        }
    }
    cJSON *eps = o != NULL ? cJSON_AddArrayToObject(o, "endpoints") : NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = endpoint_load(db, serials[i], vo->at, &e);
        if (rc == 0 && eps != NULL) {
            cJSON_AddItemToArray(eps, endpoint_json(&e));
        } else if (rc == 0) {
            endpoint_text(&e);
        }
    }
    if (rc == 0 && o != NULL) {
        cJSON_AddItemToObject(o, "audit", audit_json(audit, n_audit));
        print_json(o);
        o = NULL;
    } else if (rc == 0) {
        audit_text(audit, n_audit);
    }
    cJSON_Delete(o);
    free(audit);
    free(serials);
    return rc == 0 ? CLI_OK : say(CLI_FAIL, "trial", "trial %s: %s", trial, fw_strerror(rc));
}

/* [--json] [--at ISO8601] and the rest of argv left to the caller. */
static int view_opt(const char *cmd, int c, view_opts_t *vo)
{
    if (c == 'j') {
        vo->json = true;
        return CLI_OK;
    }
    if (c == 'a') {
        vo->at_given = true;
        return parse_time(cmd, "at", optarg, &vo->at);
    }
    return CLI_USAGE;
}

int admin_cmd_trial(cdb_t *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"at", required_argument, NULL, 'a'},
        {"trial", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    view_opts_t vo = {.at = collector_now()};
    const char *trial = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int rc = c == 't' ? ((trial = optarg), CLI_OK) : view_opt("trial", c, &vo);
        if (rc != CLI_OK) {
            return rc;
        }
    }
    if (trial == NULL && optind < argc) {
        trial = argv[optind++];
    }
    if (optind != argc) {
        return say(CLI_USAGE, "trial", "unexpected '%s'", argv[optind]);
    }
    int rc = check_trial("trial", trial);
    if (rc != CLI_OK) {
        return rc;
    }
    if (cdb_read_begin(db) != 0) {
        return CLI_FAIL;
    }
    rc = trial_show(db, trial, &vo);
    cdb_read_end(db);
    return rc;
}

/* ---- admin trials: the partner's customer list ------------------------------------ */

typedef struct {
    char trial[17];
    bool known;
    collector_trial_t t;
    trial_claims_t claims;
    trial_view_t v;
    size_t endpoints, arrived;
} trial_row_t;

static int row_order(const void *a, const void *b)
{
    const trial_row_t *x = a, *y = b;
    /* what ends soonest first, then paid, then trials not created */
    int kx = !x->known ? 2 : x->t.lic.paid ? 1 : 0;
    int ky = !y->known ? 2 : y->t.lic.paid ? 1 : 0;
    if (kx != ky) {
        return kx - ky;
    }
    if (kx == 0 && x->t.lic.trial_exp != y->t.lic.trial_exp) {
        return x->t.lic.trial_exp < y->t.lic.trial_exp ? -1 : 1;
    }
    return strcmp(x->trial, y->trial);
}

/* R7: the trial ends, or one of its services does, within `days` days. */
static bool expiring_within(const trial_row_t *r, int64_t days)
{
    if (!r->known || r->t.lic.paid) {
        return false;
    }
    bool running = r->v.state == TRIAL_STATE_TRIAL || r->v.state == TRIAL_STATE_EXPIRING;
    if (running && r->v.days_left <= days) {
        return true;
    }
    for (size_t i = 0; i < r->v.n_svc; i++) {
        if (!r->v.svc[i].expired && r->v.svc[i].days_left <= days) {
            return true;
        }
    }
    return false;
}

static const char *const s_states[] = {"trial",    "expiring", "grace", "lapsed",
                                       "released", "paid",     "none"};

static const char *row_state(const trial_row_t *r)
{
    return r->known ? trial_state_name(r->v.state) : "none";
}

static void row_text(const trial_row_t *r)
{
    char e[FW_ISO8601_LEN], d[32], svc[512], ep[24];
    (void)snprintf(ep, sizeof ep, "%zu/%zu", r->arrived, r->endpoints);
    if (!r->known) {
        printf("%-10s %-24s %-2s  %-9s %-10s %-11s %-9s %s\n", r->trial, "-", "-", "none", "-", "-",
               ep, "no licence issued yet");
        return;
    }
    services_text(&r->v, svc, sizeof svc);
    char order[64];
    (void)snprintf(order, sizeof order, "%s %s", r->t.offer, r->t.plan);
    when(r->t.lic.trial_exp, e);
    e[10] = '\0'; /* the date */
    printf("%-10s %-24.24s %-2s  %-9s %-10s %-11s %-9s %s\n", r->trial, r->t.lic.org,
           r->t.lic.region, row_state(r), r->t.lic.paid ? "-" : e,
           r->t.lic.paid ? "-" : days_text(&r->v, d, sizeof d), ep, r->t.lic.paid ? order : svc);
}

static cJSON *row_json(const trial_row_t *r, int64_t at)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "trial", r->trial);
    if (r->known) {
        cJSON_AddStringToObject(o, "org", r->t.lic.org);
        cJSON_AddStringToObject(o, "region", r->t.lic.region);
        view_members(o, &r->claims, &r->v, at, NULL, s_trial_skip);
        cJSON_AddItemToObject(o, "order", order_json(&r->t));
    } else {
        cJSON_AddNullToObject(o, "org");
        cJSON_AddStringToObject(o, "state", "none");
    }
    cJSON_AddNumberToObject(o, "endpoints", (double)r->endpoints);
    cJSON_AddNumberToObject(o, "arrived", (double)r->arrived);
    return o;
}

static int trials_load(cdb_t *db, int64_t at, trial_row_t **rows, size_t *n)
{
    char(*numbers)[17] = NULL;
    int rc = cdb_trial_numbers(db, &numbers, n);
    *rows = rc == 0 && *n > 0 ? calloc(*n, sizeof **rows) : NULL;
    if (rc == 0 && *n > 0 && *rows == NULL) {
        rc = FW_E_NOMEM;
    }
    for (size_t i = 0; rc == 0 && i < *n; i++) {
        trial_row_t *r = &(*rows)[i];
        (void)snprintf(r->trial, sizeof r->trial, "%s", numbers[i]);
        rc = cdb_trial_get(db, r->trial, &r->t);
        r->known = rc == 0;
        if (rc == FW_E_NOENT) {
            rc = 0;
        } else if (rc == 0) {
            rc = collector_licence_view(&r->t.lic, at, &r->claims, &r->v);
        }
        char(*serials)[21] = NULL;
        rc = rc == 0 ? cdb_trial_serials(db, r->trial, &serials, &r->endpoints) : rc;
        for (size_t k = 0; rc == 0 && k < r->endpoints; k++) {
            cdb_show_t s;
            rc = cdb_show(db, serials[k], &s);
            r->arrived += s.has_prov ? 1 : 0;
        }
        free(serials);
    }
    free(numbers);
    return rc;
}

int admin_cmd_trials(cdb_t *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"at", required_argument, NULL, 'a'},
        {"expiring", required_argument, NULL, 'e'},
        {"state", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    view_opts_t vo = {.at = collector_now()};
    const char *state = NULL;
    long expiring = -1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int rc = CLI_OK;
        if (c == 'e') {
            char *end;
            expiring = strtol(optarg, &end, 10);
            if (*end != '\0' || end == optarg || expiring < 0 || expiring > 3650) {
                return say(CLI_USAGE, "trials",
                           "--expiring '%s': expected a number of days, 0 "
                           "to 3650",
                           optarg);
            }
        } else if (c == 's') {
            state = optarg;
            bool ok = false;
            for (size_t i = 0; i < sizeof s_states / sizeof s_states[0]; i++) {
                ok = ok || strcmp(state, s_states[i]) == 0;
            }
            if (!ok) {
                return say(CLI_USAGE, "trials",
                           "--state '%s': expected trial, expiring, grace, "
                           "lapsed, released, paid or none",
                           state);
            }
        } else {
            rc = view_opt("trials", c, &vo);
        }
        if (rc != CLI_OK) {
            return rc;
        }
    }
    if (optind != argc) {
        return say(CLI_USAGE, "trials", "unexpected '%s'", argv[optind]);
    }
    trial_row_t *rows = NULL;
    size_t n = 0;
    if (cdb_read_begin(db) != 0) {
        return CLI_FAIL;
    }
    int rc = trials_load(db, vo.at, &rows, &n);
    cdb_read_end(db);
    if (rc != 0) {
        free(rows);
        return say(CLI_FAIL, "trials", "%s", fw_strerror(rc));
    }
    if (n > 1) {
        qsort(rows, n, sizeof *rows, row_order);
    }
    cJSON *arr = NULL, *o = NULL;
    if (vo.json) {
        o = cJSON_CreateObject();
        add_time(o, "at", vo.at);
        arr = cJSON_AddArrayToObject(o, "trials");
    } else {
        char b[FW_ISO8601_LEN];
        printf("trials at %s%s%s%s\n", when(vo.at, b), state ? ", state " : "", state ? state : "",
               expiring >= 0 ? ", expiring within the days given (R7)" : "");
        printf("%-10s %-24s %-2s  %-9s %-10s %-11s %-9s %s\n", "TRIAL", "ORGANISATION", "CC",
               "STATE", "EXPIRES", "LEFT", "ARRIVED", "SERVICES (days left, R7) / ORDER");
    }
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if ((state != NULL && strcmp(row_state(&rows[i]), state) != 0) ||
            (expiring >= 0 && !expiring_within(&rows[i], expiring))) {
            continue;
        }
        shown++;
        if (arr != NULL) {
            cJSON_AddItemToArray(arr, row_json(&rows[i], vo.at));
        } else {
            row_text(&rows[i]);
        }
    }
    if (o != NULL) {
        print_json(o);
    } else if (shown == 0) {
        printf("(no trial%s)\n", n > 0 ? " matches" : "");
    }
    free(rows);
    return CLI_OK;
}

/* ---- partner actions ------------------------------------------------------------ */

static void act_done(const char *cmd, const cdb_trial_result_t *r)
{
    if (r->note[0] != '\0') {
        printf("%s\n", r->note);
    }
    if (r->noop) {
        return;
    }
    printf("%zu endpoint(s) given the new licence%s: connected rooms have it at once (Observe), "
           "the others at their next contact\n",
           r->endpoints, r->issued_new > 0 ? " (for some their first)" : "");
    (void)cmd;
}

static int act(cdb_t *db, const char *cmd, const char *trial, const partner_act_t *a)
{
    int rc = check_trial(cmd, trial);
    if (rc != CLI_OK) {
        return rc;
    }
    static cdb_trial_result_t r;
    char why[512];
    rc = cdb_trial_act(db, trial, a, collector_now(), &r, why, sizeof why);
    if (rc != 0) {
        return say(CLI_FAIL, cmd, "%s (nothing changed)", why[0] ? why : fw_strerror(rc));
    }
    char b1[FW_ISO8601_LEN], b2[FW_ISO8601_LEN];
    if (a->kind == PARTNER_EXTEND) {
        printf("trial %s extended once by 30 days (R4): expiry %s -> %s; no further extension\n",
               trial, when(r.before.lic.trial_exp, b1), when(r.after.lic.trial_exp, b2));
    } else if (a->kind == PARTNER_ADD_SERVICE) {
        printf("trial %s: service %s added until %s (R4)\n", trial, a->service, when(a->until, b1));
    } else if (a->kind == PARTNER_CONVERT) {
        printf("trial %s converted to paid (R2)\n", trial);
    }
    act_done(cmd, &r);
    return CLI_OK;
}

/* --trial D and nothing else. */
static int trial_only(cdb_t *db, int argc, char **argv, const char *cmd, partner_act_kind_t kind)
{
    static const struct option opts[] = {
        {"trial", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    const char *trial = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 't') {
            return CLI_USAGE;
        }
        trial = optarg;
    }
    if (optind != argc) {
        return say(CLI_USAGE, cmd, "unexpected '%s'", argv[optind]);
    }
    partner_act_t a = {.kind = kind};
    return act(db, cmd, trial, &a);
}

int admin_cmd_extend(cdb_t *db, int argc, char **argv)
{
    return trial_only(db, argc, argv, "extend", PARTNER_EXTEND);
}

int admin_cmd_keep(cdb_t *db, int argc, char **argv)
{
    return trial_only(db, argc, argv, "keep", PARTNER_KEEP);
}

int admin_cmd_add_service(cdb_t *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"trial", required_argument, NULL, 't'},
        {"service", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},
        {NULL, 0, NULL, 0},
    };
    const char *trial = NULL, *service = NULL, *until = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': trial = optarg; break;
        case 's': service = optarg; break;
        case 'u': until = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (service == NULL || until == NULL || optind != argc) {
        return say(CLI_USAGE, "add-service", "--trial, --service and --until are required");
    }
    partner_act_t a = {.kind = PARTNER_ADD_SERVICE};
    char why[160];
    if (partner_check_service_id(service, why, sizeof why) != 0) {
        return say(CLI_FAIL, "add-service", "'%s': %s", service, why);
    }
    (void)snprintf(a.service, sizeof a.service, "%s", service);
    int rc = parse_time("add-service", "until", until, &a.until);
    return rc != CLI_OK ? rc : act(db, "add-service", trial, &a);
}

int admin_cmd_convert(cdb_t *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"trial", required_argument, NULL, 't'},  {"offer", required_argument, NULL, 'o'},
        {"plan", required_argument, NULL, 'p'},   {"webex-site", required_argument, NULL, 'w'},
        {"add-on", required_argument, NULL, 'a'}, {NULL, 0, NULL, 0},
    };
    const char *trial = NULL, *offer = NULL, *plan = NULL;
    partner_act_t a = {.kind = PARTNER_CONVERT};
    char why[256];
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': trial = optarg; break;
        case 'o': offer = optarg; break;
        case 'p': plan = optarg; break;
        case 'w': a.webex_site = optarg; break;
        case 'a':
            if (partner_parse_add_on(optarg, &a.add_ons, why, sizeof why) != 0) {
                return say(CLI_FAIL, "convert", "%s", why);
            }
            break;
        default: return CLI_USAGE;
        }
    }
    if (offer == NULL || plan == NULL || optind != argc) {
        return say(CLI_USAGE, "convert", "--trial, --offer and --plan are required");
    }
    if (partner_parse_offer(offer, &a.offer, why, sizeof why) != 0 ||
        partner_parse_plan(plan, a.plan, why, sizeof why) != 0) {
        return say(CLI_FAIL, "convert", "%s", why);
    }
    if (a.webex_site != NULL && partner_check_site(a.webex_site, why, sizeof why) != 0) {
        return say(CLI_FAIL, "convert", "--webex-site '%.200s': %s", a.webex_site, why);
    }
    return act(db, "convert", trial, &a);
}

int admin_cmd_new_trial(cdb_t *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"trial", required_argument, NULL, 't'},
        {"org", required_argument, NULL, 'o'},
        {"region", required_argument, NULL, 'r'},
        {"trial-exp", required_argument, NULL, 'e'},
        {"service", required_argument, NULL, 's'},
        {"webex-site", required_argument, NULL, 'w'},
        {NULL, 0, NULL, 0},
    };
    static collector_trial_t t;
    memset(&t, 0, sizeof t);
    collector_licence_t *l = &t.lic;
    const char *trial = NULL, *org = NULL, *region = NULL, *exp = NULL, *site = NULL;
    const char *svc[16];
    size_t n_svc = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': trial = optarg; break;
        case 'o': org = optarg; break;
        case 'r': region = optarg; break;
        case 'e': exp = optarg; break;
        case 'w': site = optarg; break;
        case 's':
            if (n_svc == 16) {
                return say(CLI_USAGE, "new-trial", "--service: at most 16");
            }
            svc[n_svc++] = optarg;
            break;
        default: return CLI_USAGE;
        }
    }
    if (org == NULL || region == NULL || exp == NULL || optind != argc) {
        return say(CLI_USAGE, "new-trial", "--trial, --org, --region and --trial-exp are required");
    }
    int rc = check_trial("new-trial", trial);
    if (rc != CLI_OK) {
        return rc;
    }
    char why[512];
    if (partner_check_org(org, why, sizeof why) != 0 ||
        proto_check_region(region, why, sizeof why) != 0 ||
        (site != NULL && partner_check_site(site, why, sizeof why) != 0)) {
        return say(CLI_FAIL, "new-trial", "%s", why);
    }
    rc = parse_time("new-trial", "trial-exp", exp, &l->trial_exp);
    if (rc != CLI_OK) {
        return rc;
    }
    int64_t now = collector_now();
    if (l->trial_exp <= now) {
        return say(CLI_FAIL, "new-trial", "--trial-exp %s is not in the future", exp);
    }
    /* --service ID (to the end of the trial) or ID:ISO8601 */
    for (size_t i = 0; i < n_svc; i++) {
        const char *colon = strchr(svc[i], ':');
        size_t il = colon != NULL ? (size_t)(colon - svc[i]) : strlen(svc[i]);
        (void)snprintf(l->svc[i].id, sizeof l->svc[i].id, "%.*s", (int)il, svc[i]);
        if (il >= sizeof l->svc[i].id ||
            partner_check_service_id(l->svc[i].id, why, sizeof why) != 0) {
            return say(CLI_FAIL, "new-trial", "--service '%s': %s", svc[i],
                       il >= sizeof l->svc[i].id ? "id too long" : why);
        }
        l->svc[i].exp = l->trial_exp;
        if (colon != NULL &&
            (rc = parse_time("new-trial", "service", colon + 1, &l->svc[i].exp)) != CLI_OK) {
            return rc;
        }
        if (l->svc[i].exp > l->trial_exp) {
            return say(CLI_FAIL, "new-trial",
                       "--service '%s': after the trial's end: a trial service ends with the "
                       "trial",
                       svc[i]);
        }
    }
    l->n_svc = n_svc;
    (void)snprintf(l->trial, sizeof l->trial, "%s", trial);
    (void)snprintf(l->org, sizeof l->org, "%s", org);
    (void)snprintf(l->region, sizeof l->region, "%s", region);
    (void)snprintf(t.webex_site, sizeof t.webex_site, "%s", site != NULL ? site : "");
    size_t issued = 0;
    rc = cdb_trial_create(db, &t, now, &issued, why, sizeof why);
    if (rc != 0) {
        return say(CLI_FAIL, "new-trial", "%s (nothing changed)", why[0] ? why : fw_strerror(rc));
    }
    char b[FW_ISO8601_LEN];
    printf("trial %s created for '%s' (%s): expires %s, %zu service(s)\n", trial, l->org, l->region,
           when(l->trial_exp, b), l->n_svc);
    if (issued > 0) {
        printf("%zu endpoint(s) enrolled under it already got its licence; ", issued);
    } else {
        printf("no endpoint enrolled under it yet; ");
    }
    printf("each endpoint enrolled later gets it when enrolled\n");
    return CLI_OK;
}
