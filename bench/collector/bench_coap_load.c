/*
 * bench_coap_load: CoAP/DTLS-PSK load generator (libcoap client) for
 * measuring spark-collector and Debian's coap-server-openssl side by side.
 *
 * Opens S DTLS-PSK client sessions to 127.0.0.1:PORT (at most W handshakes in
 * flight), then sends R confirmable POSTs of a ~B-byte JSON usage body per
 * session, one outstanding request per session (like a device). Prints one
 * "result" line with handshakes/s and requests/s.
 *
 * Session i (0-based) uses PSK identity PREFIX + %05u (i + 1), e.g.
 * BENCH00001, and key KEY, or KEY + "-%05u" with --key-per-session. The body
 * is a valid /v1/usage body (the device's encoder, provisioning generation
 * GEN, default 1) whose serial is the identity; record ids are ID-BASE + r + 1
 * (r = request number in the session), so every request of a run stores a new
 * record on spark-collector, and a run with another --gen stores its records
 * beside those of the first (a re-provisioned device).
 *
 * Every loop is bounded by --timeout seconds and an iteration cap.
 *
 * usage: bench_coap_load --port P --sessions S --requests R --key KEY
 *        [--key-per-session] [--prefix BENCH] [--path /v1/usage]
 *        [--window W] [--body-bytes B] [--id-base N] [--gen GEN] [--timeout SEC]
 */
#define _POSIX_C_SOURCE 200809L
#include <coap3/coap.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "report/codec.h"
#include "report/usage.h"

#define MAX_SESSIONS 4096
#define MAX_BODY 1024
#define MAX_ITERATIONS 50000000UL

typedef enum { ST_IDLE, ST_HANDSHAKE, ST_CONNECTED, ST_FAILED } sess_state_t;

typedef struct {
    coap_session_t *s;
    sess_state_t state;
    unsigned index;
    unsigned sent; /* requests sent (completed or outstanding) */
    unsigned done; /* responses (or nacks) received */
    int outstanding;
    char identity[32];
    char key[96];
    coap_dtls_cpsk_t setup;
} sess_t;

static struct {
    uint16_t port;
    unsigned sessions, requests, window, body_bytes, timeout_s;
    uint64_t id_base;
    const char *key, *prefix, *path;
    int key_per_session;
    uint32_t gen;
} g_opt = {0, 10, 100, 50, 300, 60, 0, NULL, "BENCH", "/v1/usage", 0, 1};

static sess_t *g_sess;
static unsigned g_hs_pending, g_hs_ok, g_hs_fail;
static unsigned long g_req_ok, g_req_fail, g_req_nack;
static unsigned g_codes[8]; /* by class */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_coap_load --port P --sessions S --requests R --key KEY\n"
                    "       [--key-per-session] [--prefix BENCH] [--path /v1/usage] [--window W]\n"
                    "       [--body-bytes B] [--id-base N] [--gen GEN] [--timeout SEC]\n");
    exit(2);
}

static unsigned long parse_num(const char *s, unsigned long min, unsigned long max)
{
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);
    if (!s[0] || !end || *end || v < min || v > max) {
        fprintf(stderr, "bad number: %s\n", s);
        usage();
    }
    return v;
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--key-per-session")) {
            g_opt.key_per_session = 1;
            continue;
        }
        if (i + 1 >= argc) {
            usage();
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--port")) {
            g_opt.port = (uint16_t)parse_num(v, 1, 65535);
        } else if (!strcmp(a, "--sessions")) {
            g_opt.sessions = (unsigned)parse_num(v, 1, MAX_SESSIONS);
        } else if (!strcmp(a, "--requests")) {
            g_opt.requests = (unsigned)parse_num(v, 0, 1000000);
        } else if (!strcmp(a, "--window")) {
            g_opt.window = (unsigned)parse_num(v, 1, MAX_SESSIONS);
        } else if (!strcmp(a, "--body-bytes")) {
            g_opt.body_bytes = (unsigned)parse_num(v, 0, MAX_BODY - 1);
        } else if (!strcmp(a, "--id-base")) {
            g_opt.id_base = parse_num(v, 0, 1000000000000UL);
        } else if (!strcmp(a, "--gen")) {
            g_opt.gen = (uint32_t)parse_num(v, 0, (unsigned long)PROTO_GEN_MAX);
        } else if (!strcmp(a, "--timeout")) {
            g_opt.timeout_s = (unsigned)parse_num(v, 1, 3600);
        } else if (!strcmp(a, "--key")) {
            g_opt.key = v;
        } else if (!strcmp(a, "--prefix")) {
            g_opt.prefix = v;
        } else if (!strcmp(a, "--path")) {
            g_opt.path = v;
        } else {
            usage();
        }
    }
    if (!g_opt.port || !g_opt.key || !g_opt.key[0] || strlen(g_opt.prefix) > 15 ||
        strlen(g_opt.key) > 80 || g_opt.path[0] != '/') {
        usage();
    }
}

/* A /v1/usage body with one record, written by the device's own encoder
 * (report/codec.h from proto/wire.h's table), padded with an ignored member
 * to about body_bytes. Returns the length. */
static size_t make_body(char *buf, size_t cap, const char *serial, uint64_t id)
{
    report_usage_t u = {0};
    u.start = 1700000000;
    u.end = 1700003600;
    report_usage_call_ended(&u, 600);
    report_usage_call_blocked(&u);
    report_usage_meeting(&u, 1800);
    report_usage_share(&u, 120);
    report_usage_people(&u, 4);
    report_usage_uptime(&u, 3600);
    report_writer_t w;
    proto_batch_head_t head = {.gen = g_opt.gen};
    (void)snprintf(head.serial, sizeof head.serial, "%.20s", serial);
    size_t len = 0;
    report_batch_open(&w, buf, cap, &head, true);
    if (report_batch_add_usage(&w, id, &u) != 0 || report_batch_end(&w, &len) != 0) {
        return 0;
    }
    len--; /* reopen the object: the pad goes before its closing brace */
    const char *pad_open = ",\"pad\":\"";
    size_t overhead = strlen(pad_open) + 2; /* closing quote and brace */
    if (len + overhead < g_opt.body_bytes && g_opt.body_bytes < cap) {
        memcpy(buf + len, pad_open, strlen(pad_open));
        len += strlen(pad_open);
        size_t fill = g_opt.body_bytes - len - 2;
        memset(buf + len, 'x', fill);
        len += fill;
        buf[len++] = '"';
    }
    if (len + 2 > cap) {
        return 0;
    }
    buf[len++] = '}';
    buf[len] = '\0';
    return len;
}

static int send_post(coap_context_t *ctx, sess_t *ss)
{
    (void)ctx;
    static char body[MAX_BODY];
    size_t blen = make_body(body, sizeof body, ss->identity, g_opt.id_base + ss->sent + 1);
    if (blen == 0) {
        return -1;
    }
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST,
                                    coap_new_message_id(ss->s), coap_session_max_pdu_size(ss->s));
    if (!pdu) {
        return -1;
    }
    uint8_t tok[8];
    size_t toklen = 0;
    coap_session_new_token(ss->s, &toklen, tok);
    coap_add_token(pdu, toklen, tok);
    /* Uri-Path segments of g_opt.path */
    const char *p = g_opt.path;
    int opts = 0;
    while (*p && opts < 16) {
        while (*p == '/') {
            p++;
        }
        const char *e = p;
        while (*e && *e != '/') {
            e++;
        }
        if (e > p) {
            coap_add_option(pdu, COAP_OPTION_URI_PATH, (size_t)(e - p), (const uint8_t *)p);
        }
        p = e;
        opts++;
    }
    uint8_t cf[4];
    coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                    coap_encode_var_safe(cf, sizeof cf, COAP_MEDIATYPE_APPLICATION_JSON), cf);
    coap_add_data(pdu, blen, (const uint8_t *)body);
    if (coap_send(ss->s, pdu) == COAP_INVALID_MID) {
        return -1;
    }
    ss->sent++;
    ss->outstanding = 1;
    return 0;
}

static sess_t *sess_of(coap_session_t *s)
{
    return (sess_t *)coap_session_get_app_data(s);
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
                                   const coap_pdu_t *rcvd, const coap_mid_t mid)
{
    (void)sent;
    (void)mid;
    sess_t *ss = sess_of(s);
    if (!ss || !ss->outstanding) {
        return COAP_RESPONSE_OK;
    }
    coap_pdu_code_t code = coap_pdu_get_code(rcvd);
    unsigned cls = (unsigned)code >> 5;
    g_codes[cls & 7]++;
    if (code == COAP_RESPONSE_CODE_CREATED || code == COAP_RESPONSE_CODE_CHANGED) {
        g_req_ok++;
    } else {
        g_req_fail++;
    }
    ss->outstanding = 0;
    ss->done++;
    return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
                    const coap_mid_t mid)
{
    (void)sent;
    (void)reason;
    (void)mid;
    sess_t *ss = sess_of(s);
    if (!ss) {
        return;
    }
    if (ss->outstanding) {
        ss->outstanding = 0;
        ss->done++;
        g_req_nack++;
    }
}

static int on_event(coap_session_t *s, const coap_event_t ev)
{
    sess_t *ss = sess_of(s);
    if (!ss) {
        return 0;
    }
    if (ev == COAP_EVENT_DTLS_CONNECTED && ss->state == ST_HANDSHAKE) {
        ss->state = ST_CONNECTED;
        g_hs_pending--;
        g_hs_ok++;
    } else if ((ev == COAP_EVENT_DTLS_ERROR || ev == COAP_EVENT_DTLS_CLOSED) &&
               ss->state == ST_HANDSHAKE) {
        ss->state = ST_FAILED;
        g_hs_pending--;
        g_hs_fail++;
    } else if ((ev == COAP_EVENT_DTLS_ERROR || ev == COAP_EVENT_DTLS_CLOSED) &&
               ss->state == ST_CONNECTED) {
        ss->state = ST_FAILED;
    }
    return 0;
}

static int open_session(coap_context_t *ctx, sess_t *ss, const coap_address_t *dst)
{
    snprintf(ss->identity, sizeof ss->identity, "%s%05u", g_opt.prefix, ss->index + 1);
    if (g_opt.key_per_session) {
        snprintf(ss->key, sizeof ss->key, "%s-%05u", g_opt.key, ss->index + 1);
    } else {
        snprintf(ss->key, sizeof ss->key, "%s", g_opt.key);
    }
    memset(&ss->setup, 0, sizeof ss->setup);
    ss->setup.version = COAP_DTLS_CPSK_SETUP_VERSION;
    ss->setup.psk_info.identity.s = (const uint8_t *)ss->identity;
    ss->setup.psk_info.identity.length = strlen(ss->identity);
    ss->setup.psk_info.key.s = (const uint8_t *)ss->key;
    ss->setup.psk_info.key.length = strlen(ss->key);
    ss->state = ST_HANDSHAKE;
    g_hs_pending++;
    ss->s = coap_new_client_session_psk2(ctx, NULL, dst, COAP_PROTO_DTLS, &ss->setup);
    if (!ss->s) {
        ss->state = ST_FAILED;
        g_hs_pending--;
        g_hs_fail++;
        return -1;
    }
    coap_session_set_app_data(ss->s, ss);
    return 0;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    coap_startup();
    coap_set_log_level(LOG_ERR);
    if (!coap_dtls_is_supported()) {
        fprintf(stderr, "libcoap has no DTLS\n");
        return 1;
    }
    coap_context_t *ctx = coap_new_context(NULL);
    if (!ctx) {
        fprintf(stderr, "coap_new_context failed\n");
        return 1;
    }
    coap_register_response_handler(ctx, on_response);
    coap_register_nack_handler(ctx, on_nack);
    coap_register_event_handler(ctx, on_event);

    coap_address_t dst;
    coap_address_init(&dst);
    dst.addr.sin.sin_family = AF_INET;
    dst.addr.sin.sin_port = htons(g_opt.port);
    dst.addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    dst.size = sizeof(struct sockaddr_in);

    g_sess = calloc(g_opt.sessions, sizeof *g_sess);
    if (!g_sess) {
        return 1;
    }
    for (unsigned i = 0; i < g_opt.sessions; i++) {
        g_sess[i].index = i;
    }

    const double t_start = now_s();
    const double deadline = t_start + g_opt.timeout_s;
    unsigned long iter = 0;

    /* Phase 1: handshakes, at most window in flight. */
    unsigned next = 0;
    double t_hs_end = t_start;
    while ((next < g_opt.sessions || g_hs_pending > 0) && iter < MAX_ITERATIONS) {
        while (next < g_opt.sessions && g_hs_pending < g_opt.window) {
            (void)open_session(ctx, &g_sess[next], &dst);
            next++;
        }
        if (now_s() > deadline) {
            break;
        }
        coap_io_process(ctx, 50);
        iter++;
    }
    t_hs_end = now_s();
    const double hs_s = t_hs_end - t_start;
    /* sessions still handshaking at the deadline count as failed */
    unsigned hs_timeout = g_hs_pending;

    /* Phase 2: R confirmable POSTs per connected session, one outstanding. */
    const double t_req = now_s();
    const double req_deadline = t_req + g_opt.timeout_s;
    unsigned long total_target = 0;
    for (unsigned i = 0; i < g_opt.sessions; i++) {
        if (g_sess[i].state == ST_CONNECTED) {
            total_target += g_opt.requests;
        }
    }
    unsigned long send_err = 0;
    for (; iter < MAX_ITERATIONS; iter++) {
        unsigned long finished = 0;
        for (unsigned i = 0; i < g_opt.sessions; i++) {
            sess_t *ss = &g_sess[i];
            if (ss->state != ST_CONNECTED) {
                continue;
            }
            if (!ss->outstanding && ss->sent < g_opt.requests) {
                if (send_post(ctx, ss) != 0) {
                    send_err++;
                    ss->state = ST_FAILED;
                }
            }
            finished += ss->done;
        }
        if (finished >= total_target || now_s() > req_deadline) {
            break;
        }
        coap_io_process(ctx, 50);
    }
    const double req_s = now_s() - t_req;
    unsigned long req_done = g_req_ok + g_req_fail + g_req_nack;

    printf("result sessions=%u requests_per_session=%u body_bytes=%u hs_ok=%u hs_fail=%u "
           "hs_timeout=%u hs_seconds=%.4f handshakes_per_s=%.1f req_ok=%lu req_fail=%lu "
           "req_nack=%lu send_err=%lu req_seconds=%.4f requests_per_s=%.1f codes_2xx=%u "
           "codes_4xx=%u codes_5xx=%u\n",
           g_opt.sessions, g_opt.requests, g_opt.body_bytes, g_hs_ok, g_hs_fail, hs_timeout, hs_s,
           hs_s > 0 ? g_hs_ok / hs_s : 0.0, g_req_ok, g_req_fail, g_req_nack, send_err, req_s,
           req_s > 0 ? g_req_ok / req_s : 0.0, g_codes[2], g_codes[4], g_codes[5]);
    (void)req_done;

    /* Close every session (close_notify), bounded. */
    for (unsigned i = 0; i < g_opt.sessions; i++) {
        if (g_sess[i].s) {
            coap_session_set_app_data(g_sess[i].s, NULL);
            coap_session_release(g_sess[i].s);
            g_sess[i].s = NULL;
        }
    }
    for (int i = 0; i < 4; i++) {
        coap_io_process(ctx, COAP_IO_NO_WAIT);
    }
    coap_free_context(ctx);
    coap_cleanup();
    free(g_sess);
    int ok = g_hs_ok == g_opt.sessions && g_req_ok == total_target &&
             total_target == (unsigned long)g_opt.sessions * g_opt.requests;
    return ok ? 0 : 1;
}
