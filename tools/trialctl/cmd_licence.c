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
#include "support/state.h"
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
    static proto_support_state_t doc;
    support_licence_view(&claims, &view, o.at, &doc);
    if (o.json) {
        return trialctl_print_json(&proto_licence_view_record, &doc) == 0 ? TRIALCTL_EXIT_OK
                                                                          : TRIALCTL_EXIT_INVALID;
    }
    printf("licence %s: valid\n", o.file);
    trialctl_print_view(&doc);
    return TRIALCTL_EXIT_OK;
}
