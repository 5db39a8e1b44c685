/*
 * libcoap context handling (link/coap_io.h). The only other firmware files
 * that include libcoap are the adapters: the uplink's (link.c) and the
 * support port's (support_server.c).
 */
#define FW_LOG_TAG "libcoap"
#include "link/coap_io.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "fw/log.h"
#include "fw/sockaddr.h"

/* libcoap's lines come from what peers send (a refused handshake is three
 * warnings): at most LOG_BURST of them every LOG_WINDOW_MS, then one line
 * saying how many were held back, so a flood cannot fill the room's log. */
#define LOG_BURST 10u
#define LOG_WINDOW_MS 60000u

static bool log_budget(void)
{
    static uint64_t s_window_ms;
    static unsigned s_lines, s_held;
    coap_tick_t t;
    coap_ticks(&t);
    uint64_t now_ms = coap_ticks_to_rt_us(t) / 1000u;
    if (s_lines == 0 || now_ms - s_window_ms >= LOG_WINDOW_MS) {
        if (s_held > 0) {
            fw_log(HAL_LOG_WARN, FW_LOG_TAG, "%u lines held back in the last %u s", s_held,
                   LOG_WINDOW_MS / 1000u);
        }
        s_window_ms = now_ms;
        s_lines = s_held = 0;
    }
    if (s_lines >= LOG_BURST) {
        s_held++;
        return false;
    }
    s_lines++;
    return true;
}

static bool (*s_drop)(const char *message);

void link_coap_log_filter(bool (*drop)(const char *message))
{
    s_drop = drop;
}

static void log_sink(coap_log_t level, const char *message)
{
    /* dropped lines (link_coap_log_filter) do not count against the budget */
    if ((s_drop && s_drop(message)) || !log_budget()) {
        return;
    }
    char line[256];
    (void)snprintf(line, sizeof line, "%s", message);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
        line[--n] = '\0';
    }
    fw_log(level <= LOG_ERR       ? HAL_LOG_ERROR
           : level <= LOG_WARNING ? HAL_LOG_WARN
                                  : HAL_LOG_DEBUG,
           FW_LOG_TAG, "%s", line);
}

int link_coap_init(void)
{
    static bool s_started;
    if (!s_started) {
        coap_startup();
        coap_set_log_handler(log_sink);
        coap_set_log_level(LOG_WARNING);
        coap_dtls_set_log_level(LOG_WARNING);
        s_started = true;
    }
    return coap_dtls_is_supported() ? 0 : FW_E_UNSUPPORTED;
}

coap_context_t *link_coap_context_new(const link_coap_opts_t *opts)
{
    coap_context_t *ctx = coap_new_context(NULL);
    if (!ctx) {
        return NULL;
    }
    coap_context_set_block_mode(ctx, opts->no_request_bodies
                                         ? COAP_BLOCK_USE_LIBCOAP
                                         : COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
    if (opts->max_idle_sessions) {
        coap_context_set_max_idle_sessions(ctx, opts->max_idle_sessions);
    }
    if (opts->max_handshakes) {
        coap_context_set_max_handshake_sessions(ctx, opts->max_handshakes);
    }
    if (opts->keepalive_s) {
        coap_context_set_keepalive(ctx, opts->keepalive_s);
    }
    coap_set_app_data(ctx, opts->app);
    return ctx;
}

void link_coap_io(coap_context_t *ctx, uint32_t budget_ms)
{
    if (ctx) {
        (void)coap_io_process(ctx, budget_ms ? budget_ms : COAP_IO_NO_WAIT);
    }
}

unsigned link_coap_io_some(coap_context_t *ctx, unsigned max_turns)
{
    if (!ctx || max_turns == 0) {
        return 0;
    }
    /* libcoap's epoll descriptor is readable while a socket has a datagram
     * (or a timer is due); without epoll, one turn */
    struct pollfd p = {.fd = coap_context_get_coap_fd(ctx), .events = POLLIN};
    unsigned n = 0;
    do {
        (void)coap_io_process(ctx, COAP_IO_NO_WAIT);
        n++;
    } while (n < max_turns && p.fd >= 0 && poll(&p, 1, 0) > 0);
    return n;
}

void link_coap_context_free(coap_context_t **ctx)
{
    if (ctx && *ctx) {
        coap_free_context(*ctx);
        *ctx = NULL;
    }
}

int link_coap_address(coap_address_t *out, const struct sockaddr_storage *sa, socklen_t len,
                      uint16_t port)
{
    coap_address_init(out);
    if ((sa->ss_family != AF_INET && sa->ss_family != AF_INET6) || len > sizeof out->addr) {
        return FW_E_INVAL;
    }
    memcpy(&out->addr, sa, len);
    out->size = len;
    coap_address_set_port(out, port);
    return 0;
}

int link_coap_parse_listen(const char *spec, coap_address_t *out)
{
    struct sockaddr_storage sa;
    socklen_t len = 0;
    uint16_t port;
    if (fw_sockaddr_parse(spec, &sa, &len) != 0) {
        return FW_E_FORMAT;
    }
    port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                          : ((struct sockaddr_in *)&sa)->sin_port);
    return link_coap_address(out, &sa, len, port);
}

coap_session_t *link_coap_session_psk(coap_context_t *ctx, const coap_address_t *server,
                                      const char *identity, const uint8_t *key, size_t key_len)
{
    coap_dtls_cpsk_t setup;
    memset(&setup, 0, sizeof setup);
    setup.version = COAP_DTLS_CPSK_SETUP_VERSION;
    setup.psk_info.identity.s = (const uint8_t *)identity;
    setup.psk_info.identity.length = strlen(identity);
    setup.psk_info.key.s = key;
    setup.psk_info.key.length = key_len;
    return coap_new_client_session_psk2(ctx, NULL, server, COAP_PROTO_DTLS, &setup);
}

int link_coap_listen_psk(coap_context_t *ctx, const coap_address_t *addr,
                         coap_dtls_id_callback_t psk_for, void *arg)
{
    coap_dtls_spsk_t psk;
    memset(&psk, 0, sizeof psk);
    psk.version = COAP_DTLS_SPSK_SETUP_VERSION;
    psk.validate_id_call_back = psk_for;
    psk.id_call_back_arg = arg;
    if (!coap_context_set_psk2(ctx, &psk)) {
        return FW_E_NOMEM;
    }
    return coap_new_endpoint(ctx, addr, COAP_PROTO_DTLS) != NULL ? 0 : FW_E_NET;
}
