/*
 * trialctl licence FILE --pubkey PEM --serial SN --trial DNNN [--at ISO8601] [--json]
 *
 * Evaluates one token at one instant with no history: what the device would
 * show if this were the only licence it ever saw.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "fw/err.h"
#include "fw/file.h"
#include "fw/iso8601.h"
#include "trial/timeline.h"
#include "trial/verify.h"
#include "trialctl.h"

void trialctl_usage_licence(void)
{
    printf("usage: trialctl licence FILE --pubkey PEM --serial SN --trial DNNN\n"
           "                        [--at ISO8601] [--json]\n"
           "\n"
           "Verify the licence token in FILE (JWS compact, ES256) against the public\n"
           "key PEM and the device's serial and trial number, and show where it stands\n"
           "on the trial timeline at the instant --at (default: now), with no history.\n"
           "\n"
           "  --json   one JSON object: valid, error (format|alg|signature|serial|trial|\n"
           "           claims), type, state, days_left, grace_days_left, calling, rma,\n"
           "           numbers_held_until, services[{id, days_left, expired}], ...\n"
           "\n"
           "exit status: 0 valid, 1 invalid, 2 bad usage or unreadable file\n");
}

typedef struct {
    const char *file;
    const char *pubkey;
    const char *serial;
    const char *trial;
    int64_t at;
    bool json;
} opts_t;

static int parse_opts(int argc, char **argv, opts_t *o)
{
    static const struct option longopts[] = {
        {"pubkey", required_argument, NULL, 'k'},
        {"serial", required_argument, NULL, 's'},
        {"trial", required_argument, NULL, 't'},
        {"at", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->at = (int64_t)time(NULL);
    const char *why = "";
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'k': o->pubkey = optarg; break;
        case 's': o->serial = optarg; break;
        case 't': o->trial = optarg; break;
        case 'j': o->json = true; break;
        case 'a':
            if (fw_iso8601_parse(optarg, &o->at, &why) != 0) {
                fprintf(stderr,
                        "trialctl licence: --at '%s' is not an ISO 8601 instant: %s "
                        "(e.g. 2026-12-10T12:00:00Z)\n",
                        optarg, why);
                return TRIALCTL_EXIT_USAGE;
            }
            break;
        case 'h': trialctl_usage_licence(); return -1;
        case ':':
            fprintf(stderr, "trialctl licence: option '%s' needs a value\n", argv[optind - 1]);
            return TRIALCTL_EXIT_USAGE;
        default:
            fprintf(stderr, "trialctl licence: unknown option '%s'\n", argv[optind - 1]);
            return TRIALCTL_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, optind >= argc ? "trialctl licence: missing licence FILE\n"
                                       : "trialctl licence: exactly one licence FILE\n");
        return TRIALCTL_EXIT_USAGE;
    }
    o->file = argv[optind];
    const char *missing = o->pubkey == NULL   ? "--pubkey PEM"
                          : o->serial == NULL ? "--serial SN"
                          : o->trial == NULL  ? "--trial DNNN"
                                              : NULL;
    if (missing != NULL) {
        fprintf(stderr, "trialctl licence: missing %s (see --help)\n", missing);
        return TRIALCTL_EXIT_USAGE;
    }
    if (!trial_number_is_valid(o->trial)) {
        fprintf(stderr, "trialctl licence: --trial '%s' is not D followed by digits\n", o->trial);
        return TRIALCTL_EXIT_USAGE;
    }
    return 0;
}

/* `detail`: what is wrong with a refused claim ("seq must be ≥ 1"), or
 * NULL (then the error code's text). */
static void print_invalid(const opts_t *o, trial_verify_reason_t why, int rc, const char *detail)
{
    bool named = detail != NULL && detail[0] != '\0'; /* a claim's refusal */
    if (!named) {
        detail = fw_strerror(rc);
    }
    if (o->json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddBoolToObject(root, "valid", false);
        cJSON_AddStringToObject(root, "error", trial_verify_reason_name(why));
        cJSON_AddStringToObject(root, "detail", detail);
        if (named && why == TRIAL_VERIFY_CLAIMS) {
            /* The claim's name: the detail starts with it ("seq must be ...") */
            char claim[TRIAL_SVC_ID_MAX + 1] = "";
            size_t n = strspn(detail, "abcdefghijklmnopqrstuvwxyz_.");
            if (n > 0 && n < sizeof claim && (detail[n] == ' ' || detail[n] == ':')) {
                memcpy(claim, detail, n);
                cJSON_AddStringToObject(root, "claim", claim);
            }
        }
        char *text = cJSON_PrintUnformatted(root);
        if (text != NULL) {
            puts(text);
        }
        cJSON_free(text);
        cJSON_Delete(root);
    } else {
        printf("licence %s: INVALID (%s: %s)\n", o->file, trial_verify_reason_name(why), detail);
    }
}

static void print_json(const trial_claims_t *c, const trial_view_t *v, int64_t at)
{
    char ts[32];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "valid", true);
    cJSON_AddStringToObject(root, "serial", c->sub);
    cJSON_AddStringToObject(root, "trial", c->trial);
    cJSON_AddStringToObject(root, "org", c->org);
    cJSON_AddStringToObject(root, "type", c->typ == TRIAL_TYPE_PAID ? "paid" : "trial");
    cJSON_AddNumberToObject(root, "seq", c->seq);
    cJSON_AddStringToObject(root, "issued", fw_iso8601_format(c->iat, ts, sizeof ts));
    cJSON_AddStringToObject(root, "at", fw_iso8601_format(at, ts, sizeof ts));
    cJSON_AddStringToObject(root, "state", trial_state_name(v->state));
    if (v->has_expiry) {
        cJSON_AddStringToObject(root, "expiry", fw_iso8601_format(v->expiry, ts, sizeof ts));
        cJSON_AddNumberToObject(root, "days_left", v->days_left);
        cJSON_AddNumberToObject(root, "grace_days_left", v->grace_days_left);
    } else {
        cJSON_AddNullToObject(root, "expiry");
        cJSON_AddNullToObject(root, "days_left");
        cJSON_AddNullToObject(root, "grace_days_left");
    }
    cJSON_AddBoolToObject(root, "last_day", v->last_day);
    cJSON_AddStringToObject(root, "calling", trial_calling_name(v->calling));
    cJSON_AddBoolToObject(root, "rma", v->rma_due);
    cJSON_AddBoolToObject(root, "keep", c->keep);
    cJSON_AddNumberToObject(root, "ext", c->ext);
    if (v->numbers_held) {
        cJSON_AddStringToObject(root, "numbers_held_until",
                                fw_iso8601_format(v->numbers_held_until, ts, sizeof ts));
    } else {
        cJSON_AddNullToObject(root, "numbers_held_until");
    }
    cJSON_AddStringToObject(root, "region", c->region);
    if (c->offer[0] != '\0') {
        cJSON_AddStringToObject(root, "offer", c->offer);
    }
    if (c->site[0] != '\0') {
        cJSON_AddStringToObject(root, "site", c->site);
    }
    cJSON *svcs = cJSON_AddArrayToObject(root, "services");
    for (size_t i = 0; svcs != NULL && i < v->n_svc; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "id", v->svc[i].id);
        cJSON_AddStringToObject(s, "expiry", fw_iso8601_format(v->svc[i].exp, ts, sizeof ts));
        cJSON_AddNumberToObject(s, "days_left", v->svc[i].days_left);
        cJSON_AddBoolToObject(s, "expired", v->svc[i].expired);
        cJSON_AddItemToArray(svcs, s);
    }
    char *text = cJSON_PrintUnformatted(root);
    if (text != NULL) {
        puts(text);
    }
    cJSON_free(text);
    cJSON_Delete(root);
}

static void print_human(const opts_t *o, const trial_claims_t *c, const trial_view_t *v)
{
    char ts[32];
    printf("licence %s: valid\n", o->file);
    printf("  device    %s, trial %s, org %s, region %s\n", c->sub, c->trial, c->org, c->region);
    printf("  licence   %s, seq %u, issued %s%s%s\n", c->typ == TRIAL_TYPE_PAID ? "paid" : "trial",
           (unsigned)c->seq, fw_iso8601_format(c->iat, ts, sizeof ts),
           c->offer[0] != '\0' ? ", offer " : "", c->offer);
    printf("  at        %s\n", fw_iso8601_format(o->at, ts, sizeof ts));
    printf("  state     %s\n", trial_state_name(v->state));
    if (v->has_expiry) {
        printf("  expiry    %s (extensions used: %u)\n",
               fw_iso8601_format(v->expiry, ts, sizeof ts), (unsigned)c->ext);
        if (v->state == TRIAL_STATE_TRIAL || v->state == TRIAL_STATE_EXPIRING) {
            if (v->last_day) {
                printf("  banner    trial ends today\n");
            } else {
                printf("  banner    trial ends in %d days\n", (int)v->days_left);
            }
        } else if (v->state == TRIAL_STATE_GRACE) {
            printf("  banner    trial ended, %d days left to buy\n", (int)v->grace_days_left);
        }
    }
    printf("  calling   %s%s\n", trial_calling_name(v->calling),
           v->calling == TRIAL_CALLING_DEGRADED ? " (emergency numbers only)" : "");
    if (v->numbers_held) {
        printf("  numbers   held until %s\n",
               fw_iso8601_format(v->numbers_held_until, ts, sizeof ts));
    }
    printf("  return    %s\n", v->rma_due ? "return instructions due (RMA)"
                               : c->keep  ? "no (customer keeps the devices)"
                                          : "no");
    for (size_t i = 0; i < v->n_svc; i++) {
        if (v->svc[i].expired) {
            printf("  service   %-22s expired %s\n", v->svc[i].id,
                   fw_iso8601_format(v->svc[i].exp, ts, sizeof ts));
        } else {
            printf("  service   %-22s %d days left\n", v->svc[i].id, (int)v->svc[i].days_left);
        }
    }
}

int trialctl_cmd_licence(int argc, char **argv)
{
    opts_t o;
    int rc = parse_opts(argc, argv, &o);
    if (rc != 0) {
        return rc < 0 ? TRIALCTL_EXIT_OK : rc;
    }
    size_t key_len = 0, tok_len = 0;
    uint8_t *key = NULL;
    rc = fw_file_read(o.pubkey, TRIAL_PEM_MAX, &key, &key_len);
    if (rc != 0) {
        fprintf(stderr, "trialctl: cannot read public key '%s': %s\n", o.pubkey, fw_file_error(rc));
        return TRIALCTL_EXIT_USAGE;
    }
    trial_verifier_t ver;
    rc = trial_verifier_init(&ver, (const char *)key, key_len);
    free(key);
    if (rc != 0) {
        fprintf(stderr, "trialctl licence: '%s' is not a P-256 public key (%s)\n", o.pubkey,
                fw_strerror(rc));
        trial_verifier_free(&ver);
        return TRIALCTL_EXIT_USAGE;
    }
    /* A token and its line end; a larger file is an invalid licence
     * (`format`), not a usage error. */
    uint8_t *tok = NULL;
    rc = fw_file_read(o.file, TRIAL_TOKEN_MAX + 2, &tok, &tok_len);
    if (rc != 0 && rc != FW_E_TOOBIG) {
        fprintf(stderr, "trialctl: cannot read licence file '%s': %s\n", o.file, fw_file_error(rc));
        trial_verifier_free(&ver);
        return TRIALCTL_EXIT_USAGE;
    }
    trial_claims_t claims;
    trial_verify_reason_t why = TRIAL_VERIFY_FORMAT;
    const char *detail = NULL;
    if (rc == 0) {
        rc = trial_token_verify_detail(&ver, (const char *)tok, tok_len, o.serial, o.trial, &claims,
                                       NULL, &why, &detail);
    }
    free(tok);
    trial_verifier_free(&ver);
    trial_view_t view;
    if (rc == 0 && trial_state_at(&claims, NULL, o.at, &view) != 0) {
        rc = FW_E_INVAL;
        why = TRIAL_VERIFY_CLAIMS;
    }
    if (rc != 0) {
        print_invalid(&o, why, rc, detail);
        return TRIALCTL_EXIT_INVALID;
    }
    if (o.json) {
        print_json(&claims, &view, o.at);
    } else {
        print_human(&o, &claims, &view);
    }
    return TRIALCTL_EXIT_OK;
}
