/*
 * spark-collector admin, by trial number (R1): the trial and its endpoints
 * (`trial`), the partner's customer list (`trials`), and what a partner
 * does to a trial (`new-trial`, `extend`, `add-service`, `convert`,
 * `keep`). Where a trial or an endpoint stands is computed by fw_trial
 * (collector_licence_view: the device's own timeline), never here. How
 * trials and endpoints are printed (text and JSON) is admin_trial_print.c.
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
#include "admin_trial_priv.h"
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

/* ---- one endpoint, as support and partners see it ------------------------------ */

static int endpoint_load(cdb_t *db, const char *serial, int64_t at, admin_endpoint_t *e)
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
/* ---- admin trial DNNN ---------------------------------------------------------- */

typedef struct {
    bool json;
    bool at_given;
    int64_t at;
} view_opts_t;

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
    static admin_endpoint_t e;
    static trial_claims_t tc;
    trial_view_t v;
    memset(&v, 0, sizeof v);
    if (known && collector_licence_view(&t.lic, vo->at, &tc, &v) != 0) {
        rc = FW_E_CORRUPT;
    }
    cJSON *o = vo->json && rc == 0 ? cJSON_CreateObject() : NULL;
    if (o != NULL) {
        cJSON_AddStringToObject(o, "trial", trial);
        admin_add_time(o, "at", vo->at);
        if (known) {
            cJSON_AddStringToObject(o, "org", t.lic.org);
            cJSON_AddStringToObject(o, "region", t.lic.region);
            admin_view_members(o, &tc, &v, vo->at, NULL, admin_trial_skip);
            cJSON_AddBoolToObject(o, "extension_left",
                                  !t.lic.paid && t.lic.ext == 0 && v.state < TRIAL_STATE_LAPSED);
            if (t.webex_site[0] != '\0') {
                cJSON_AddStringToObject(o, "webex_site", t.webex_site);
            } else {
                cJSON_AddNullToObject(o, "webex_site");
            }
            cJSON_AddItemToObject(o, "order", admin_order_json(&t));
            admin_add_time(o, "created", t.created_at);
        } else {
            cJSON_AddNullToObject(o, "org");
            cJSON_AddStringToObject(o, "state", "none");
        }
    } else if (rc == 0) {
        if (known) {
            admin_trial_head_text(&t, &v, vo->at);
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
            cJSON_AddItemToArray(eps, admin_endpoint_json(&e));
        } else if (rc == 0) {
            admin_endpoint_text(&e);
        }
    }
    if (rc == 0 && o != NULL) {
        cJSON_AddItemToObject(o, "audit", admin_audit_json(audit, n_audit));
        admin_print_json(o);
        o = NULL;
    } else if (rc == 0) {
        admin_audit_text(audit, n_audit);
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
    admin_services_text(&r->v, svc, sizeof svc);
    char order[64];
    (void)snprintf(order, sizeof order, "%s %s", r->t.offer, r->t.plan);
    admin_when(r->t.lic.trial_exp, e);
    e[10] = '\0'; /* the date */
    printf("%-10s %-24.24s %-2s  %-9s %-10s %-11s %-9s %s\n", r->trial, r->t.lic.org,
           r->t.lic.region, row_state(r), r->t.lic.paid ? "-" : e,
           r->t.lic.paid ? "-" : admin_days_text(&r->v, d, sizeof d), ep,
           r->t.lic.paid ? order : svc);
}

static cJSON *row_json(const trial_row_t *r, int64_t at)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "trial", r->trial);
    if (r->known) {
        cJSON_AddStringToObject(o, "org", r->t.lic.org);
        cJSON_AddStringToObject(o, "region", r->t.lic.region);
        admin_view_members(o, &r->claims, &r->v, at, NULL, admin_trial_skip);
        cJSON_AddItemToObject(o, "order", admin_order_json(&r->t));
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
        admin_add_time(o, "at", vo.at);
        arr = cJSON_AddArrayToObject(o, "trials");
    } else {
        char b[FW_ISO8601_LEN];
        printf("trials at %s%s%s%s\n", admin_when(vo.at, b), state ? ", state " : "",
               state ? state : "", expiring >= 0 ? ", expiring within the days given (R7)" : "");
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
        admin_print_json(o);
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
               trial, admin_when(r.before.lic.trial_exp, b1),
               admin_when(r.after.lic.trial_exp, b2));
    } else if (a->kind == PARTNER_ADD_SERVICE) {
        printf("trial %s: service %s added until %s (R4)\n", trial, a->service,
               admin_when(a->until, b1));
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
           admin_when(l->trial_exp, b), l->n_svc);
    if (issued > 0) {
        printf("%zu endpoint(s) enrolled under it already got its licence; ", issued);
    } else {
        printf("no endpoint enrolled under it yet; ");
    }
    printf("each endpoint enrolled later gets it admin_when enrolled\n");
    return CLI_OK;
}
