/*
 * trialctl device coaps://HOST[:PORT] --psk-file FILE [--json] [--timeout S]
 *
 * Asks a room itself: GET /support/state on its support port (CoAP over
 * DTLS, identity "support", docs/SUPPORT.md) and prints the answer the way
 * `trialctl licence` prints a token (the same lines, the same JSON names),
 * with what only the room knows after it. The document is read with the
 * one reader of proto/support.h, the room's own format.
 */
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coap3/coap.h>

#include "fw/err.h"
#include "fw/file.h"
#include "fw/hex.h"
#include "hal/log.h"
#include "fw/zeroize.h"
#include "link/coap_io.h"
#include "link/support_policy.h"
#include "proto/provisioning.h"
#include "proto/support.h"
#include "trialctl.h"

#define TIMEOUT_DEFAULT_S 10
#define PSK_FILE_MAX 1024u

void trialctl_usage_device(void)
{
    printf("usage: trialctl device coaps://HOST[:PORT] --psk-file FILE [--json] [--timeout S]\n"
           "\n"
           "Ask a room for its trial state over its support port (CoAP over DTLS with\n"
           "the room's support PSK, identity 'support'; PORT defaults to %u) and show\n"
           "it as 'trialctl licence' shows a licence, followed by what only the room\n"
           "knows: its model and firmware, how it knows the time, its reports and the\n"
           "last problem it logged.\n"
           "\n"
           "  --psk-file FILE  the support PSK as hex digits (what 'spark-collector admin\n"
           "                   support-psk --serial SN --out FILE' writes)\n"
           "  --json           the room's state document as one JSON object (the names of\n"
           "                   'trialctl licence --json', then model, fw_version,\n"
           "                   time_source, confirmed, last_report, queue_depth, last_error)\n"
           "  --timeout S      give up after S seconds (default %d); a room that asks to\n"
           "                   slow down (4.29) is asked again when it says, within it\n"
           "\n"
           "exit status: 0 answered, 1 unreachable, refused or no state, 2 bad usage\n",
           SUPPORT_PORT_DEFAULT, TIMEOUT_DEFAULT_S);
}

typedef struct {
    const char *uri, *psk_file;
    bool json;
    int timeout_s;
} opts_t;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "trialctl device: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see --help)\n");
    va_end(ap);
    return TRIALCTL_EXIT_USAGE;
}

static int parse_opts(int argc, char **argv, opts_t *o)
{
    static const struct option longopts[] = {
        {"psk-file", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->timeout_s = TIMEOUT_DEFAULT_S;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (ch) {
        case 'k': o->psk_file = optarg; break;
        case 'j': o->json = true; break;
        case 't':
            o->timeout_s = (int)strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || o->timeout_s < 1 || o->timeout_s > 600) {
                return usage_error("--timeout '%s': expected seconds from 1 to 600", optarg);
            }
            break;
        case 'h': trialctl_usage_device(); return -1;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        return usage_error("%s", optind >= argc ? "missing the room's coaps://HOST[:PORT]"
                                                : "exactly one coaps://HOST[:PORT]");
    }
    o->uri = argv[optind];
    if (o->psk_file == NULL) {
        return usage_error("%s", "missing --psk-file FILE");
    }
    return 0;
}

/* The PSK file: hex digits, whitespace around them allowed. */
static int read_psk(const char *path, uint8_t *psk, size_t *len)
{
    uint8_t *raw = NULL;
    size_t n = 0;
    int rc = fw_file_read(path, PSK_FILE_MAX, &raw, &n);
    if (rc != 0) {
        fprintf(stderr, "trialctl device: cannot read --psk-file '%s': %s\n", path,
                fw_file_error(rc));
        return TRIALCTL_EXIT_USAGE;
    }
    char *text = (char *)raw;
    size_t a = 0;
    while (a < n && (text[a] == ' ' || text[a] == '\n' || text[a] == '\r' || text[a] == '\t')) {
        a++;
    }
    while (n > a && (text[n - 1] == ' ' || text[n - 1] == '\n' || text[n - 1] == '\r' ||
                     text[n - 1] == '\t')) {
        n--;
    }
    char hex[2 * PROTO_PSK_MAX + 1];
    bool ok = n - a <= 2 * PROTO_PSK_MAX && (n - a) % 2 == 0;
    if (ok) {
        memcpy(hex, text + a, n - a);
        hex[n - a] = '\0';
        ok = fw_hex_decode(hex, psk, PROTO_PSK_MAX, len) == 0 && *len >= PROTO_PSK_MIN;
    }
    fw_zeroize(hex, sizeof hex);
    fw_zeroize(raw, n);
    free(raw);
    if (!ok) {
        fprintf(stderr,
                "trialctl device: --psk-file '%s': expected the support PSK as %d to %d hex "
                "digits\n",
                path, 2 * PROTO_PSK_MIN, 2 * PROTO_PSK_MAX);
        return TRIALCTL_EXIT_USAGE;
    }
    return 0;
}

/* libcoap's own lines (through fw_log): only its errors, the refusal
 * itself is said in our words. */
hal_log_level_t hal_log_threshold(void)
{
    return HAL_LOG_ERROR;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    if (level == HAL_LOG_ERROR) {
        fprintf(stderr, "trialctl device: %s: %s\n", tag, msg);
    }
}

/* ---- one GET over DTLS ------------------------------------------------------------ */

typedef struct {
    bool done, failed;
    int code;
    unsigned max_age_s; /* of the answer (CoAP's default: 60) */
    char body[PROTO_BODY_MAX];
    size_t len;
    bool too_big;
} answer_t;

static coap_response_t on_response(coap_session_t *session, const coap_pdu_t *sent,
                                   const coap_pdu_t *received, const coap_mid_t mid)
{
    (void)sent;
    (void)mid;
    answer_t *a = coap_get_app_data(coap_session_get_context(session));
    coap_pdu_code_t code = coap_pdu_get_code(received);
    a->code = (int)(code >> 5) * 100 + (int)(code & 0x1F);
    coap_opt_iterator_t it;
    coap_opt_t *age = coap_check_option(received, COAP_OPTION_MAXAGE, &it);
    a->max_age_s = age ? coap_decode_var_bytes(coap_opt_value(age), coap_opt_length(age)) : 60;
    size_t len = 0, offset = 0, total = 0;
    const uint8_t *data = NULL;
    if (coap_get_data_large(received, &len, &data, &offset, &total)) {
        if (offset != 0 || len != total || len > sizeof a->body) {
            a->too_big = true;
        } else {
            memcpy(a->body, data, len);
            a->len = len;
        }
    }
    a->done = true;
    return COAP_RESPONSE_OK;
}

static int on_event(coap_session_t *session, const coap_event_t event)
{
    answer_t *a = coap_get_app_data(coap_session_get_context(session));
    if (event == COAP_EVENT_DTLS_ERROR || event == COAP_EVENT_DTLS_CLOSED ||
        event == COAP_EVENT_SESSION_FAILED) {
        a->failed = true;
    }
    return 0;
}

static void on_nack(coap_session_t *session, const coap_pdu_t *sent,
                    const coap_nack_reason_t reason, const coap_mid_t mid)
{
    (void)sent;
    (void)reason;
    (void)mid;
    answer_t *a = coap_get_app_data(coap_session_get_context(session));
    a->failed = true;
}

static double elapsed_s(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A confirmable GET /support/state on `session`. */
static bool send_get(coap_session_t *session)
{
    coap_pdu_t *pdu =
        coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_GET, coap_new_message_id(session),
                      coap_session_max_pdu_size(session));
    uint8_t token[8];
    size_t tlen = 0;
    if (pdu == NULL) {
        return false;
    }
    coap_session_new_token(session, &tlen, token);
    if (!coap_add_token(pdu, tlen, token) ||
        !coap_add_option(pdu, COAP_OPTION_URI_PATH, 7, (const uint8_t *)"support") ||
        !coap_add_option(pdu, COAP_OPTION_URI_PATH, 5, (const uint8_t *)"state")) {
        coap_delete_pdu(pdu);
        return false;
    }
    return coap_send(session, pdu) != COAP_INVALID_MID; /* it takes the pdu either way */
}

/* GET /support/state from `server`; 0 and *a, or TRIALCTL_EXIT_INVALID
 * after saying why. */
static int get_state(const char *where, const coap_address_t *server, const uint8_t *psk,
                     size_t psk_len, int timeout_s, answer_t *a)
{
    link_coap_opts_t o = {.app = a};
    coap_context_t *ctx = link_coap_init() == 0 ? link_coap_context_new(&o) : NULL;
    if (ctx == NULL) {
        fprintf(stderr, "trialctl device: this libcoap has no DTLS\n");
        return TRIALCTL_EXIT_INVALID;
    }
    coap_register_response_handler(ctx, on_response);
    coap_register_event_handler(ctx, on_event);
    coap_register_nack_handler(ctx, on_nack);
    coap_session_t *session = link_coap_session_psk(ctx, server, SUPPORT_IDENTITY, psk, psk_len);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = session != NULL && send_get(session) ? 0 : TRIALCTL_EXIT_INVALID;
    for (;;) {
        while (rc == 0 && !a->done && !a->failed && elapsed_s(&t0) < timeout_s) {
            link_coap_io(ctx, 100);
        }
        /* 4.29: the room asks to wait Max-Age seconds; within --timeout we do */
        if (rc != 0 || !a->done || a->code != 429 || elapsed_s(&t0) + a->max_age_s >= timeout_s) {
            break;
        }
        struct timespec w;
        clock_gettime(CLOCK_MONOTONIC, &w);
        while (elapsed_s(&w) < a->max_age_s) {
            link_coap_io(ctx, 100);
        }
        a->done = false;
        a->len = 0;
        rc = send_get(session) ? 0 : TRIALCTL_EXIT_INVALID;
    }
    if (rc == 0 && !a->done) {
        fprintf(stderr,
                a->failed
                    ? "trialctl device: %s refused the connection (nothing listening there, or "
                      "not this room's support PSK)\n"
                    : "trialctl device: no answer from %s within %d s (unreachable, or the "
                      "support PSK was refused)\n",
                where, timeout_s);
        rc = TRIALCTL_EXIT_INVALID;
    }
    link_coap_context_free(&ctx);
    return rc;
}

/* coaps://HOST[:PORT] -> the first address HOST resolves to, and a label. */
static int resolve(const char *uri, coap_address_t *out, char *where, size_t cap)
{
    coap_uri_t u;
    if (coap_split_uri((const uint8_t *)uri, strlen(uri), &u) != 0 ||
        u.scheme != COAP_URI_SCHEME_COAPS || u.host.length == 0 || u.host.length > 253 ||
        (u.path.length > 0 && !(u.path.length == 1 && u.path.s[0] == '/'))) {
        fprintf(stderr,
                "trialctl device: '%s': expected coaps://HOST[:PORT] (the room's address, "
                "port %u by default)\n",
                uri, SUPPORT_PORT_DEFAULT);
        return TRIALCTL_EXIT_USAGE;
    }
    char host[254];
    memcpy(host, u.host.s, u.host.length);
    host[u.host.length] = '\0';
    uint16_t port = u.port; /* libcoap's default for coaps: 5684, the support port's */
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    int g = getaddrinfo(host, NULL, &hints, &res);
    if (g != 0 || res == NULL) {
        fprintf(stderr, "trialctl device: cannot resolve '%s': %s\n", host, gai_strerror(g));
        return TRIALCTL_EXIT_INVALID;
    }
    struct sockaddr_storage sa;
    memset(&sa, 0, sizeof sa);
    memcpy(&sa, res->ai_addr, res->ai_addrlen);
    int rc = link_coap_address(out, &sa, res->ai_addrlen, port);
    freeaddrinfo(res);
    (void)snprintf(where, cap, "coaps://%s%s%s:%u", strchr(host, ':') ? "[" : "", host,
                   strchr(host, ':') ? "]" : "", port);
    return rc == 0 ? 0 : TRIALCTL_EXIT_INVALID;
}

static void print_device(const char *where, const proto_support_state_t *s)
{
    printf("room %s: %s, %s, firmware %s\n", where, s->serial, s->model, s->fw_version);
    trialctl_print_view(s);
    printf("  time      %s, confirmed %s (from: %s)\n", s->at,
           s->confirmed[0] ? s->confirmed : "never", s->time_source);
    printf("  reports   last acknowledged %s, %lld queued\n",
           s->last_report[0] ? s->last_report : "never", (long long)s->queue_depth);
    if (s->last_error[0] != '\0') {
        printf("  problem   %s%s%s%s\n", s->last_error, s->last_error_at[0] ? " (at " : "",
               s->last_error_at, s->last_error_at[0] ? ")" : "");
    } else {
        printf("  problem   none logged\n");
    }
}

int trialctl_cmd_device(int argc, char **argv)
{
    opts_t o;
    int rc = parse_opts(argc, argv, &o);
    if (rc != 0) {
        return rc < 0 ? TRIALCTL_EXIT_OK : rc;
    }
    uint8_t psk[PROTO_PSK_MAX];
    size_t psk_len = 0;
    coap_address_t server;
    char where[300];
    if ((rc = read_psk(o.psk_file, psk, &psk_len)) != 0 ||
        (rc = resolve(o.uri, &server, where, sizeof where)) != 0) {
        fw_zeroize(psk, sizeof psk);
        return rc;
    }
    static answer_t a;
    rc = get_state(where, &server, psk, psk_len, o.timeout_s, &a);
    fw_zeroize(psk, sizeof psk);
    coap_cleanup();
    if (rc != 0) {
        return rc;
    }
    if (a.code != 205) {
        fprintf(stderr, "trialctl device: %s answered %d.%02d%s%.*s\n", where, a.code / 100,
                a.code % 100, a.len ? ": " : "", (int)a.len, a.body);
        return TRIALCTL_EXIT_INVALID;
    }
    static proto_support_state_t doc;
    char why[200];
    if (a.too_big || proto_support_decode(&proto_support_state_record, a.body, a.len, &doc, why,
                                          sizeof why) != 0) {
        fprintf(stderr, "trialctl device: %s sent a state document this trialctl cannot read: %s\n",
                where, a.too_big ? "too large" : why);
        return TRIALCTL_EXIT_INVALID;
    }
    if (o.json) {
        return trialctl_print_json(&proto_support_state_record, &doc) == 0 ? TRIALCTL_EXIT_OK
                                                                           : TRIALCTL_EXIT_INVALID;
    }
    print_device(where, &doc);
    return TRIALCTL_EXIT_OK;
}
