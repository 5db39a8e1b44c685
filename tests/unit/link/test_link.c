/*
 * test_link.c - link/link.h: the client against Debian's own libcoap server
 * (coap-server-openssl, package libcoap3-bin) on loopback, started and
 * stopped by this test (the backoff and the session logic are tested without
 * a network in test_link_sm.c). A UDP relay between the two
 * counts datagrams and bytes, which docs/REPORTING.md uses for the session
 * policy figures (printed as "measure: ...").
 *
 * Bounded: every wait has a deadline; the server is killed by its pid.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <coap3/coap.h>

#include "fw/err.h"
#include "link/link.h"
#include "report/codec.h"

#define KEY "0123456789abcdef0123"
#define IDENTITY "SIMTEST0001"

static pid_t s_server = -1;
static uint16_t s_port; /* server's plain CoAP port; DTLS is s_port + 1 */

/* ---- helpers ---------------------------------------------------------------- */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool udp_port_free(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static void start_server(const char *key)
{
    for (int tries = 0; tries < 50; tries++) {
        uint16_t p = (uint16_t)(20000 + (unsigned)(getpid() * 7 + tries * 131) % 30000);
        if (!udp_port_free(p) || !udp_port_free((uint16_t)(p + 1))) {
            continue;
        }
        s_port = p;
        break;
    }
    assert_true(s_port != 0);
    char port[8];
    snprintf(port, sizeof port, "%u", s_port);
    s_server = fork();
    assert_true(s_server >= 0);
    if (s_server == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execlp("coap-server-openssl", "coap-server-openssl", "-A", "127.0.0.1", "-p", port, "-k",
               key, "-d", "50", (char *)NULL);
        _exit(127);
    }
    /* wait until the DTLS port is taken (bounded) */
    for (int i = 0; i < 100 && udp_port_free((uint16_t)(s_port + 1)); i++) {
        usleep(20000);
    }
    assert_false(udp_port_free((uint16_t)(s_port + 1)));
}

static void stop_server(void)
{
    if (s_server > 0) {
        kill(s_server, SIGTERM);
        (void)waitpid(s_server, NULL, 0);
        s_server = -1;
    }
}

/* ---- a counting UDP relay ----------------------------------------------------- */

typedef struct {
    int fd_client; /* bound to 127.0.0.1:relay port; the link talks to it */
    int fd_server; /* connected to the server's DTLS port */
    struct sockaddr_in client;
    bool have_client;
    uint16_t port;
    unsigned long dgrams, bytes;
} relay_t;

static relay_t s_relay;

static void relay_open(uint16_t server_port)
{
    relay_t *r = &s_relay;
    memset(r, 0, sizeof *r);
    r->fd_client = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(r->fd_client, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    getsockname(r->fd_client, (struct sockaddr *)&a, &al);
    r->port = ntohs(a.sin_port);
    r->fd_server = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(server_port)};
    s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(r->fd_server, (struct sockaddr *)&s, sizeof s), 0);
}

static void relay_close(void)
{
    close(s_relay.fd_client);
    close(s_relay.fd_server);
}

static void relay_pump(int wait_ms)
{
    relay_t *r = &s_relay;
    struct pollfd p[2] = {{r->fd_client, POLLIN, 0}, {r->fd_server, POLLIN, 0}};
    if (poll(p, 2, wait_ms) <= 0) {
        return;
    }
    uint8_t buf[2048];
    if (p[0].revents & POLLIN) {
        socklen_t al = sizeof r->client;
        ssize_t n = recvfrom(r->fd_client, buf, sizeof buf, 0, (struct sockaddr *)&r->client, &al);
        if (n > 0) {
            r->have_client = true;
            r->dgrams++;
            r->bytes += (unsigned long)n;
            (void)send(r->fd_server, buf, (size_t)n, 0);
        }
    }
    if (p[1].revents & POLLIN) {
        ssize_t n = recv(r->fd_server, buf, sizeof buf, 0);
        if (n > 0 && r->have_client) {
            r->dgrams++;
            r->bytes += (unsigned long)n;
            (void)sendto(r->fd_client, buf, (size_t)n, 0, (struct sockaddr *)&r->client,
                         sizeof r->client);
        }
    }
}

/* ---- driving the link ---------------------------------------------------------- */

typedef struct {
    int calls;
    link_response_t last;
    uint8_t body[512];
} result_t;

static void on_result(void *ctx, const link_response_t *r)
{
    result_t *res = ctx;
    res->calls++;
    res->last = *r;
    size_t n = r->len < sizeof res->body ? r->len : sizeof res->body;
    if (n) {
        memcpy(res->body, r->body, n);
    }
    res->last.body = res->body;
    res->last.len = n;
}

/* Step the link (and the relay) until `done` or `ms` elapse. */
static void drive(link_t *l, const int *done, int want, uint64_t ms)
{
    uint64_t end = mono_ms() + ms;
    while (mono_ms() < end && (!done || *done < want)) {
        assert_int_equal(link_step(l, mono_ms(), 5), 0);
        relay_pump(5);
    }
}

static link_t *open_link(uint16_t port, const char *key, uint32_t keepalive_s)
{
    link_config_t cfg = {
        .host = "127.0.0.1",
        .port = port,
        .identity = IDENTITY,
        .psk = (const uint8_t *)key,
        .psk_len = strlen(key),
        .keepalive_s = keepalive_s,
        .idle_close_s = 3600,
        .ack_timeout_ms = 1000,
        .max_retransmit = 2,
        .timeout_streak = 1,
        .rand_seed = 12345,
    };
    link_t *l = NULL;
    assert_int_equal(link_open(&l, &cfg), 0);
    return l;
}

static size_t usage_body(char *buf, size_t cap, uint32_t records)
{
    report_writer_t w;
    report_batch_begin(&w, buf, cap, IDENTITY, true);
    for (uint32_t i = 0; i < records; i++) {
        report_usage_t u = {
            1700002800 + 3600 * i, 1700006400 + 3600 * i, 3, 1260, 0, 0, 2, 5400, 900, 7, 3600};
        assert_int_equal(report_batch_add_usage(&w, 1 + i, &u), 0);
    }
    size_t len = 0;
    assert_int_equal(report_batch_end(&w, &len), 0);
    return len;
}

/* ---- tests ---------------------------------------------------------------------- */

/* Interop: POST a usage body to coap-server-openssl -d (it creates the
 * resource: 2.01, then 2.04), GET /v1/licence with Observe (4.04: no news),
 * one session for all of it; then measure what each step costs. */
static void test_interop_and_measure(void **state)
{
    (void)state;
    start_server(KEY);
    relay_open((uint16_t)(s_port + 1));
    link_t *l = open_link(s_relay.port, KEY, 0);
    static char body[REPORT_BODY_MAX];
    size_t len = usage_body(body, sizeof body, 1);
    result_t r1 = {0};
    assert_int_equal(link_post(l, "/v1/usage", body, len, on_result, &r1), 0);
    drive(l, &r1.calls, 1, 10000);
    assert_int_equal(r1.calls, 1);
    assert_int_equal(r1.last.err, 0);
    assert_true(r1.last.code == 201 || r1.last.code == 204);
    uint64_t ids[4];
    size_t n;
    report_ack_kind_t kind;
    assert_int_equal(report_parse_ack(r1.last.body, r1.last.len, ids, 4, &n, &kind), 0);
    assert_int_equal(kind, REPORT_ACK_ALL);
    unsigned long hs_d = s_relay.dgrams, hs_b = s_relay.bytes;
    printf("measure: handshake + first POST (%zu B body): %lu datagrams, %lu B UDP payload\n", len,
           hs_d, hs_b);

    unsigned long d0 = s_relay.dgrams, b0 = s_relay.bytes;
    result_t r2 = {0};
    assert_int_equal(link_post(l, "/v1/usage", body, len, on_result, &r2), 0);
    drive(l, &r2.calls, 1, 10000);
    assert_int_equal(r2.last.code, 204);
    printf("measure: POST on the open session (%zu B body): %lu datagrams, %lu B\n", len,
           s_relay.dgrams - d0, s_relay.bytes - b0);

    d0 = s_relay.dgrams, b0 = s_relay.bytes;
    len = usage_body(body, sizeof body, 6);
    result_t r3 = {0};
    assert_int_equal(link_post(l, "/v1/usage", body, len, on_result, &r3), 0);
    drive(l, &r3.calls, 1, 10000);
    assert_int_equal(r3.last.err, 0);
    assert_true(r3.last.code == 204 || r3.last.code == 201);
    printf("measure: POST of 6 records (%zu B body, block-wise if needed): %lu datagrams, %lu B\n",
           len, s_relay.dgrams - d0, s_relay.bytes - b0);

    result_t r4 = {0};
    assert_int_equal(link_observe(l, "/v1/licence", on_result, &r4), 0);
    drive(l, &r4.calls, 1, 10000);
    assert_int_equal(r4.calls, 1);
    assert_int_equal(r4.last.code, 404);
    char tok[64];
    assert_int_equal(report_parse_licence(r4.last.body, r4.last.len, tok, sizeof tok), FW_E_NOENT);
    link_stats_t st;
    link_stats(l, &st);
    assert_int_equal(st.handshakes, 1); /* one session for all of it */
    assert_int_equal(st.connected, 1);
    link_observe(l, NULL, NULL, NULL);

    d0 = s_relay.dgrams, b0 = s_relay.bytes;
    link_close(l); /* close_notify */
    relay_pump(50);
    printf("measure: session close: %lu datagrams, %lu B\n", s_relay.dgrams - d0,
           s_relay.bytes - b0);

    /* keep-alive: CoAP ping every second on an otherwise idle session */
    l = open_link(s_relay.port, KEY, 1);
    len = usage_body(body, sizeof body, 1);
    result_t r5 = {0};
    assert_int_equal(link_post(l, "/v1/usage", body, len, on_result, &r5), 0);
    drive(l, &r5.calls, 1, 10000);
    assert_int_equal(r5.last.err, 0);
    d0 = s_relay.dgrams, b0 = s_relay.bytes;
    drive(l, NULL, 0, 3500);
    printf("measure: keep-alive, 3.5 s at 1 s: %lu datagrams, %lu B\n", s_relay.dgrams - d0,
           s_relay.bytes - b0);
    assert_true(s_relay.dgrams - d0 >= 2);
    link_close(l);
    relay_close();
    stop_server();
}

/* A wrong key never gets a session; the link backs off instead of hammering. */
static void test_wrong_psk_backs_off(void **state)
{
    (void)state;
    start_server("another-key-entirely");
    relay_open((uint16_t)(s_port + 1));
    link_t *l = open_link(s_relay.port, KEY, 0);
    result_t r = {0};
    assert_int_equal(link_post(l, "/v1/usage", "{}", 2, on_result, &r), 0);
    drive(l, NULL, 0, 6000);
    link_stats_t st;
    link_stats(l, &st);
    assert_int_equal(st.connected, 0);
    assert_true(st.handshakes >= 1 && st.handshakes <= 4);
    assert_int_equal(r.calls, 0); /* still queued: it was never sent */
    link_close(l);
    assert_int_equal(r.calls, 1); /* closing reports it */
    assert_int_equal(r.last.err, FW_E_NET);
    relay_close();
    stop_server();
}

/* The server restarts (forgets the session): the request in flight times
 * out, the next one gets a new handshake and succeeds. */
static void test_server_restart_rehandshakes(void **state)
{
    (void)state;
    start_server(KEY);
    relay_open((uint16_t)(s_port + 1));
    link_t *l = open_link(s_relay.port, KEY, 0);
    result_t r = {0};
    assert_int_equal(link_post(l, "/v1/usage", "{\"a\":1}", 7, on_result, &r), 0);
    drive(l, &r.calls, 1, 10000);
    assert_int_equal(r.last.err, 0);
    uint16_t port = s_port;
    stop_server();
    s_port = 0;
    /* same port again */
    char p[8];
    snprintf(p, sizeof p, "%u", port);
    s_server = fork();
    if (s_server == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execlp("coap-server-openssl", "coap-server-openssl", "-A", "127.0.0.1", "-p", p, "-k", KEY,
               "-d", "50", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && udp_port_free((uint16_t)(port + 1)); i++) {
        usleep(20000);
    }
    result_t r2 = {0};
    assert_int_equal(link_post(l, "/v1/usage", "{\"a\":2}", 7, on_result, &r2), 0);
    drive(l, &r2.calls, 1, 15000);
    assert_int_equal(r2.calls, 1);
    result_t r3 = {0};
    if (r2.last.err != 0) { /* timed out on the dead session: next one handshakes */
        assert_int_equal(link_post(l, "/v1/usage", "{\"a\":3}", 7, on_result, &r3), 0);
        drive(l, &r3.calls, 1, 15000);
        assert_int_equal(r3.last.err, 0);
    }
    link_stats_t st;
    link_stats(l, &st);
    assert_int_equal(st.connected, 2);
    link_close(l);
    relay_close();
    stop_server();
}

/* ---- a server that answers separately, or not at all -------------------------- */

/* POST /v1/usage: an empty ACK at once, the answer (2.04) 300 ms later as a
 * separate response, made the way the collector's group commit makes it
 * (tools/collector/server.c). POST /v1/events: an empty ACK and never an
 * answer (a collector that went away after it). One request at a time. */
static struct {
    coap_session_t *session;
    uint8_t token[8];
    size_t token_len;
    uint64_t due_ms;
} s_later;

static void hnd_later(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response)
{
    (void)res;
    (void)query;
    (void)response; /* code left 0: libcoap sends the empty ACK */
    coap_bin_const_t tok = coap_pdu_get_token(request);
    if (s_later.session || tok.length > sizeof s_later.token) {
        return;
    }
    s_later.session = coap_session_reference(session);
    memcpy(s_later.token, tok.s, tok.length);
    s_later.token_len = tok.length;
    s_later.due_ms = mono_ms() + 300;
}

static void answer_later(void)
{
    if (!s_later.session || mono_ms() < s_later.due_ms) {
        return;
    }
    coap_session_t *ss = s_later.session;
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_RESPONSE_CODE(204),
                                    coap_new_message_id(ss), coap_session_max_pdu_size(ss));
    if (pdu && coap_add_token(pdu, s_later.token_len, s_later.token) &&
        coap_add_data(pdu, 11, (const uint8_t *)"{\"ack\":[1]}")) {
        coap_send(ss, pdu);
    }
    coap_session_release(ss);
    s_later.session = NULL;
}

static void hnd_never(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t *query, coap_pdu_t *response)
{
    (void)res;
    (void)session;
    (void)request;
    (void)query;
    (void)response; /* code left 0: libcoap sends the empty ACK, nothing follows */
}

static void start_async_server(void)
{
    for (int tries = 0; tries < 50 && !s_port; tries++) {
        uint16_t p = (uint16_t)(20000 + (unsigned)(getpid() * 11 + tries * 137) % 30000);
        if (udp_port_free(p)) {
            s_port = p;
        }
    }
    assert_true(s_port != 0);
    s_server = fork();
    assert_true(s_server >= 0);
    if (s_server == 0) {
        coap_startup();
        coap_set_log_level(LOG_EMERG);
        coap_context_t *ctx = coap_new_context(NULL);
        coap_dtls_spsk_t psk;
        memset(&psk, 0, sizeof psk);
        psk.version = COAP_DTLS_SPSK_SETUP_VERSION;
        psk.psk_info.key.s = (const uint8_t *)KEY;
        psk.psk_info.key.length = strlen(KEY);
        coap_address_t a;
        coap_address_init(&a);
        a.addr.sin.sin_family = AF_INET;
        a.addr.sin.sin_port = htons(s_port);
        a.addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.size = sizeof a.addr.sin;
        if (!ctx || !coap_context_set_psk2(ctx, &psk) ||
            !coap_new_endpoint(ctx, &a, COAP_PROTO_DTLS)) {
            _exit(1);
        }
        coap_resource_t *r = coap_resource_init(coap_make_str_const("v1/usage"), 0);
        coap_register_request_handler(r, COAP_REQUEST_POST, hnd_later);
        coap_add_resource(ctx, r);
        r = coap_resource_init(coap_make_str_const("v1/events"), 0);
        coap_register_request_handler(r, COAP_REQUEST_POST, hnd_never);
        coap_add_resource(ctx, r);
        for (int i = 0; i < 60000; i++) { /* 10 min at most; killed long before */
            coap_io_process(ctx, 10);
            answer_later();
        }
        _exit(0);
    }
    for (int i = 0; i < 100 && udp_port_free(s_port); i++) {
        usleep(20000);
    }
    assert_false(udp_port_free(s_port));
}

/* A separate response (empty ACK, then the answer as a CON the link ACKs)
 * is an answer like a piggybacked one, at the cost of two more datagrams;
 * an empty ACK with no answer after it times out after response_timeout_ms
 * (before this timeout, the request stayed in flight for good). */
static void test_separate_response(void **state)
{
    (void)state;
    start_async_server();
    relay_open(s_port);
    link_config_t cfg = {
        .host = "127.0.0.1",
        .port = s_relay.port,
        .identity = IDENTITY,
        .psk = (const uint8_t *)KEY,
        .psk_len = strlen(KEY),
        .idle_close_s = 3600,
        .ack_timeout_ms = 1000,
        .max_retransmit = 2,
        .timeout_streak = 3,
        .response_timeout_ms = 2500,
        .rand_seed = 777,
    };
    link_t *l = NULL;
    assert_int_equal(link_open(&l, &cfg), 0);
    static char body[REPORT_BODY_MAX];
    size_t len = usage_body(body, sizeof body, 1);
    result_t r = {0};
    assert_int_equal(link_post(l, "/v1/usage", body, len, on_result, &r), 0);
    drive(l, &r.calls, 1, 10000);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.last.err, 0);
    assert_int_equal(r.last.code, 204);
    /* on the open session: what one separately answered POST costs */
    unsigned long d0 = s_relay.dgrams, b0 = s_relay.bytes;
    result_t r2 = {0};
    assert_int_equal(link_post(l, "/v1/usage", body, len, on_result, &r2), 0);
    drive(l, &r2.calls, 1, 10000);
    drive(l, NULL, 0, 200); /* the ACK of the separate response */
    assert_int_equal(r2.last.err, 0);
    printf("measure: POST answered separately (%zu B body): %lu datagrams, %lu B\n", len,
           s_relay.dgrams - d0, s_relay.bytes - b0);
    assert_int_equal(s_relay.dgrams - d0, 4); /* request, empty ACK, response, its ACK */

    result_t r3 = {0};
    uint64_t t0 = mono_ms();
    assert_int_equal(link_post(l, "/v1/events", body, len, on_result, &r3), 0);
    drive(l, &r3.calls, 1, 8000);
    assert_int_equal(r3.calls, 1);
    assert_int_equal(r3.last.err, FW_E_TIMEOUT);
    assert_true(mono_ms() - t0 >= 2500 && mono_ms() - t0 < 6000);
    link_close(l);
    relay_close();
    stop_server();
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interop_and_measure),
        cmocka_unit_test(test_wrong_psk_backs_off),
        cmocka_unit_test(test_server_restart_rehandshakes),
        cmocka_unit_test(test_separate_response),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    stop_server();
    return rc;
}
