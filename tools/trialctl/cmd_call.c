/*
 * trialctl call NUMBER --region CC [--dial-prefix D] [--state STATE]
 *               [--incoming [--since-emergency SECONDS]] [--json]
 *
 * The device's calling policy (firmware/calling, the same code) asked from
 * a support desk: "why can't my room call?". Exit 0 allowed, 1 denied,
 * 2 usage. docs/EMERGENCY.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "calling/policy.h"
#include "trialctl.h"

#define CMD "trialctl call"

void trialctl_usage_call(void)
{
    printf("usage: trialctl call NUMBER --region CC [--dial-prefix D] [--state STATE]\n"
           "                     [--incoming [--since-emergency SECONDS]] [--json]\n"
           "\n"
           "Would a room in region CC let this call through? NUMBER as dialled (spaces,\n"
           "- . / ( ) are ignored), or with --incoming the caller id (\"\" when withheld).\n"
           "The answer comes from the device's own calling policy (docs/EMERGENCY.md).\n"
           "\n"
           "  --region CC           ISO 3166 two-letter code in capitals; a region without\n"
           "                        a table gets every table's emergency numbers\n"
           "  --dial-prefix D       the room's outside-line prefix, 0 to 2 digits\n"
           "  --state STATE         trial, expiring, grace, lapsed, released, paid, none\n"
           "                        (no licence yet) or unprovisioned (default: lapsed,\n"
           "                        where calling is degraded)\n"
           "  --incoming            an incoming call instead of an outgoing one\n"
           "  --since-emergency S   with --incoming: seconds since the room's last emergency\n"
           "                        call (default: none); the call-back window is 3600 s\n"
           "  --json                {\"allowed\":...,\"emergency\":...,\"normalised\":\"...\",\n"
           "                        \"reason\":\"...\"}\n"
           "\n"
           "exit status: 0 allowed, 1 denied, 2 bad usage\n");
}

typedef struct {
    const char *number;
    const char *region;
    const char *prefix;
    calling_state_t state;
    bool incoming;
    bool have_since;
    int64_t since_s;
    bool json;
} call_opts_t;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, CMD ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'trialctl call --help')\n");
    va_end(ap);
    return TRIALCTL_EXIT_USAGE;
}

static bool region_ok(const char *r)
{
    return strlen(r) == 2 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'A' && r[1] <= 'Z';
}

static bool prefix_ok(const char *p)
{
    size_t n = strlen(p);
    return n <= CALLING_PREFIX_MAX && strspn(p, "0123456789") == n;
}

static int parse_since(const char *arg, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0) {
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

/* 0 when `o` is complete, -1 after --help, else the exit status. */
static int parse(int argc, char **argv, call_opts_t *o)
{
    enum { O_REGION = 256, O_PREFIX, O_STATE, O_INCOMING, O_SINCE, O_JSON, O_HELP };
    static const struct option longopts[] = {
        {"region", required_argument, NULL, O_REGION},
        {"dial-prefix", required_argument, NULL, O_PREFIX},
        {"state", required_argument, NULL, O_STATE},
        {"incoming", no_argument, NULL, O_INCOMING},
        {"since-emergency", required_argument, NULL, O_SINCE},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->state = CALLING_STATE_LAPSED;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (ch) {
        case O_REGION:
            if (!region_ok(optarg)) {
                return usage_error("--region '%s': expected an ISO 3166 two-letter code in "
                                   "capitals (e.g. US, DE)",
                                   optarg);
            }
            o->region = optarg;
            break;
        case O_PREFIX:
            if (!prefix_ok(optarg)) {
                return usage_error("--dial-prefix '%s': expected 0 to 2 digits (e.g. 9)", optarg);
            }
            o->prefix = optarg;
            break;
        case O_STATE:
            if (calling_state_parse(optarg, &o->state) != 0) {
                return usage_error("--state '%s': expected trial, expiring, grace, lapsed, "
                                   "released, paid, none or unprovisioned",
                                   optarg);
            }
            break;
        case O_INCOMING: o->incoming = true; break;
        case O_SINCE:
            if (parse_since(optarg, &o->since_s) != 0) {
                return usage_error("--since-emergency '%s': expected seconds, 0 or more", optarg);
            }
            o->have_since = true;
            break;
        case O_JSON: o->json = true; break;
        case 'h':
        case O_HELP: trialctl_usage_call(); return -1;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        return usage_error("%s", optind >= argc ? "missing NUMBER" : "exactly one NUMBER");
    }
    o->number = argv[optind];
    if (!o->region) {
        return usage_error("%s", "missing --region CC");
    }
    if (o->have_since && !o->incoming) {
        return usage_error("%s", "--since-emergency only applies with --incoming");
    }
    return 0;
}

static bool has_table(const char *region)
{
    for (size_t i = 0; i < calling_region_count(); i++) {
        if (strcmp(calling_region_at(i)->region, region) == 0) {
            return true;
        }
    }
    return false;
}

static void print_json(const calling_verdict_t *v)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "allowed", v->allow);
    cJSON_AddBoolToObject(root, "emergency", v->emergency);
    cJSON_AddStringToObject(root, "normalised", v->normalised);
    cJSON_AddStringToObject(root, "reason", calling_reason_name(v->reason));
    char *text = cJSON_PrintUnformatted(root);
    if (text != NULL) {
        puts(text);
    }
    cJSON_free(text);
    cJSON_Delete(root);
}

static void print_human(const call_opts_t *o, const calling_verdict_t *v)
{
    calling_mode_t mode = calling_mode_for_state(o->state);
    printf("%s %s%s%s: %s\n", o->incoming ? "incoming call from" : "call to",
           o->number[0] ? o->number : "(withheld)", o->incoming ? "" : " in ",
           o->incoming ? "" : o->region, v->allow ? "ALLOWED" : "DENIED");
    printf("  reason      %s: %s\n", calling_reason_name(v->reason),
           calling_reason_text(v->reason));
    printf("  emergency   %s\n", v->emergency ? "yes" : "no");
    printf("  normalised  %s\n", v->normalised[0] ? v->normalised : "(not a number)");
    printf("  state       %s (calling %s)\n", calling_state_name(o->state),
           mode == CALLING_MODE_FULL ? "full" : "degraded: emergency numbers only");
    printf("  region      %s%s, outside-line prefix %s\n", o->region,
           has_table(o->region) ? "" : " (no table: every region's numbers count)",
           o->prefix && o->prefix[0] ? o->prefix : "none");
    if (o->incoming && mode == CALLING_MODE_DEGRADED) {
        if (o->have_since) {
            printf("  call-back   %lld s after an emergency call (window %d s)\n",
                   (long long)o->since_s, CALLING_CALLBACK_S);
        } else {
            printf("  call-back   no emergency call (window %d s after one)\n", CALLING_CALLBACK_S);
        }
    }
}

int trialctl_cmd_call(int argc, char **argv)
{
    call_opts_t o;
    int rc = parse(argc, argv, &o);
    if (rc != 0) {
        return rc < 0 ? TRIALCTL_EXIT_OK : rc;
    }
    calling_mode_t mode = calling_mode_for_state(o.state);
    calling_verdict_t v =
        o.incoming ? calling_decide_incoming(mode, o.number, o.have_since ? o.since_s : -1)
                   : calling_decide(mode, o.region, o.prefix, o.number);
    if (o.json) {
        print_json(&v);
    } else {
        print_human(&o, &v);
    }
    return v.allow ? TRIALCTL_EXIT_OK : TRIALCTL_EXIT_INVALID;
}
