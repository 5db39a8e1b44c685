/*
 * libcoap context handling (link/coap_io.h). The only other firmware file
 * that includes libcoap is the uplink adapter, link.c.
 */
#define FW_LOG_TAG "libcoap"
#include "link/coap_io.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "fw/log.h"

static void log_sink(coap_log_t level, const char *message)
{
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
    coap_context_set_block_mode(ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
    if (opts->max_idle_sessions) {
        coap_context_set_max_idle_sessions(ctx, opts->max_idle_sessions);
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
