/*
 * How `admin trial` and `admin trials` show a trial and its endpoints: the
 * text tables and the JSON documents (the commands are in admin_trial.c;
 * what they share is admin_trial_priv.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admin_trial_priv.h"
#include "fw/iso8601.h"
#include "proto/json.h"
#include "proto/provisioning.h"
#include "proto/support.h"
#include "support/state.h"

const char *admin_when(int64_t t, char buf[FW_ISO8601_LEN])
{
    return fw_iso8601_format(t, buf, FW_ISO8601_LEN);
}

void admin_add_time(cJSON *o, const char *name, int64_t t)
{
    char b[FW_ISO8601_LEN];
    if (t > 0) {
        cJSON_AddStringToObject(o, name, admin_when(t, b));
    } else {
        cJSON_AddNullToObject(o, name);
    }
}

/* The licence view of `trialctl licence --json` (proto_licence_view_record,
 * filled by support_licence_view(): one definition for the room's support
 * port, trialctl and the collector) for licence `c` with verdict `v` at `at`
 * (`c` NULL: none in force, as a room without one says it), its members
 * added to `o` but those named in `skip` (NULL-terminated). */
void admin_view_members(cJSON *o, const trial_claims_t *c, const trial_view_t *v, int64_t at,
                        const admin_endpoint_t *e, const char *const *skip)
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
const char *const admin_trial_skip[] = {"valid", "serial", "seq",    "issued", "at",
                                        "trial", "org",    "region", NULL};
static const char *const s_endpoint_skip[] = {"serial", "at", NULL};

/* "5 d" while the trial runs, "12 d to buy" in grace, "ended" after, "-"
 * paid. */
const char *admin_days_text(const trial_view_t *v, char *buf, size_t cap)
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

void admin_services_text(const trial_view_t *v, char *buf, size_t cap)
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

cJSON *admin_endpoint_json(const admin_endpoint_t *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "serial", e->dev.serial);
    cJSON_AddStringToObject(o, "model", e->dev.model[0] ? e->dev.model : e->show.prov.model);
    admin_add_time(o, "arrived", e->show.has_prov ? e->show.first_seen : 0);
    admin_add_time(o, "last_seen", e->show.last_contact);
    admin_view_members(o, e->has_view ? &e->claims : NULL, &e->view, e->at, e, s_endpoint_skip);
    /* the licence the server last sent the room (`seq` is the one in force) */
    cJSON_AddNumberToObject(o, "sent_seq", e->sent_seq);
    admin_add_time(o, "sent", e->sent_at);
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

void admin_endpoint_text(const admin_endpoint_t *e)
{
    char a[FW_ISO8601_LEN], s[FW_ISO8601_LEN], d[32], svc[512];
    const char *model = e->dev.model[0] ? e->dev.model : e->show.prov.model;
    printf("  %-12s %-16.16s %-20s %-20s %-9s %-11s %-8s %-6s ", e->dev.serial,
           model[0] ? model : "-", e->show.has_prov ? admin_when(e->show.first_seen, a) : "not yet",
           e->show.last_contact > 0 ? admin_when(e->show.last_contact, s) : "never",
           e->has_view ? trial_state_name(e->view.state) : "none",
           e->has_view ? admin_days_text(&e->view, d, sizeof d) : "-",
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
        admin_services_text(&e->view, svc, sizeof svc);
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

cJSON *admin_order_json(const collector_trial_t *t)
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
    admin_add_time(o, "converted", t->converted_at);
    return o;
}

void admin_trial_head_text(const collector_trial_t *t, const trial_view_t *v, int64_t at)
{
    char b1[FW_ISO8601_LEN], b2[FW_ISO8601_LEN], svc[512], d[32];
    printf("trial         %s\n", t->lic.trial);
    printf("organisation  %s (%s)\n", t->lic.org, t->lic.region);
    printf("at            %s\n", admin_when(at, b1));
    if (t->lic.paid) {
        printf("state         paid: %s %s, converted %s%s%s\n",
               t->offer[0] ? t->offer : "converted per device (admin licence)", t->plan,
               admin_when(t->converted_at, b1), t->add_ons[0] ? "; add-ons " : "", t->add_ons);
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
                   admin_days_text(v, d, sizeof d));
        }
        printf("expiry        %s (%s)\n", admin_when(t->lic.trial_exp, b2),
               t->lic.ext                       ? "extended once: no further extension, R4"
               : v->state >= TRIAL_STATE_LAPSED ? "not extended"
                                                : "not extended: one 30-day extension left, R4");
        if (t->webex_site[0] != '\0') {
            printf("webex site    %s (the trial's)\n", t->webex_site);
        }
    }
    admin_services_text(v, svc, sizeof svc);
    printf("services      %s\n", svc);
    printf("devices       %s\n",
           t->lic.keep ? "kept by the customer (R3): no return" : "returned if not bought (R12)");
}

void admin_audit_text(const cdb_audit_t *a, size_t n)
{
    char b[FW_ISO8601_LEN];
    printf("audit\n");
    for (size_t i = 0; i < n; i++) {
        printf("  %s  %-10s %-11s %s%s%s\n", admin_when(a[i].at, b), a[i].who, a[i].what,
               a[i].serial[0] ? a[i].serial : "", a[i].serial[0] ? ": " : "", a[i].detail);
    }
    if (n == 0) {
        printf("  (nothing yet)\n");
    }
}

cJSON *admin_audit_json(const cdb_audit_t *a, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        admin_add_time(o, "at", a[i].at);
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

void admin_print_json(cJSON *o)
{
    char *txt = cJSON_PrintUnformatted(o);
    printf("%s\n", txt != NULL ? txt : "{}");
    cJSON_free(txt);
    cJSON_Delete(o);
}
