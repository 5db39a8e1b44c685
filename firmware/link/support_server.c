/*
 * The support port's adapter (link/support_server.h): libcoap on one side,
 * the pure policy (support_policy.c) and the agent's documents on the other.
 * Nothing here decides who may connect or what a request gets.
 *
 * Every resource, known or not, and every method lands in one handler, so
 * that the policy sees every request (rate first) and libcoap answers
 * nothing on its own. /.well-known/core is one of ours too: libcoap's
 * built-in listing would bypass the rate limit.
 *
 * Request bodies: the context reassembles none (link_coap_opts_t
 * no_request_bodies); a GET that carries one is refused block by block.
 */
#define FW_LOG_TAG "support"
#include "link/support_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/err.h"
#include "fw/log.h"
#include "fw/zeroize.h"
#include "link/coap_io.h"

#define LOG_PERIOD_MS 60000u /* lines a client can cause: at most one a minute */

struct support_server {
    coap_context_t *ctx;
    support_policy_t policy;
    support_body_fn body;
    void *body_ctx;
    uint8_t psk[64];
    coap_bin_const_t psk_bin;
    uint64_t now_ms;
    support_gate_t gate_identity, gate_rate, gate_error;
    uint32_t identities_refused, handshakes_failed, sessions, sessions_peak;
    char buf[SUPPORT_BODY_MAX];
};

/* ---- requests ------------------------------------------------------------------ */

void support_request_read(const void *p, support_request_t *out)
{
    const coap_pdu_t *pdu = p;
    memset(out, 0, sizeof *out);
    out->method = (unsigned)coap_pdu_get_code(pdu);
    coap_opt_iterator_t it;
    coap_opt_t *opt;
    size_t n = 0;
    coap_option_iterator_init(pdu, &it, COAP_OPT_ALL);
    while ((opt = coap_option_next(&it)) != NULL) {
        if (it.number == COAP_OPTION_BLOCK1 || it.number == COAP_OPTION_SIZE1) {
            out->block1 = true; /* a body on its way, whatever its size */
        }
        if (it.number != COAP_OPTION_URI_PATH) {
            continue;
        }
        size_t len = coap_opt_length(opt);
        const uint8_t *seg = coap_opt_value(opt);
        bool bad = memchr(seg, '/', len) != NULL || memchr(seg, '\0', len) != NULL;
        if (bad || n + (n ? 1 : 0) + len > SUPPORT_PATH_MAX) {
            out->path_invalid = true;
            continue;
        }
        if (n) {
            out->path[n++] = '/';
        }
        memcpy(out->path + n, seg, len);
        n += len;
    }
    out->path[n] = '\0';
    size_t len = 0, offset = 0, total = 0;
    const uint8_t *data = NULL;
    if (coap_get_data_large(pdu, &len, &data, &offset, &total)) {
        out->payload_len = total > len ? total : len;
    }
}

/* ---- answers ------------------------------------------------------------------ */

static void free_copy(coap_session_t *session, void *app_ptr)
{
    (void)session;
    free(app_ptr);
}

/* `code` with a copy of buf[len] (a JSON or link-format body) */
static void answer_body(coap_resource_t *r, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t *query, coap_pdu_t *response, int code, unsigned format,
                        const char *buf, size_t len)
{
    coap_pdu_set_code(response, (coap_pdu_code_t)COAP_RESPONSE_CODE(code));
    if (len == 0) {
        return;
    }
    uint8_t *copy = malloc(len);
    if (copy == NULL) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE(500));
        return;
    }
    memcpy(copy, buf, len);
    /* Max-Age 0: the state changes by the second; libcoap frees the copy
     * when the last block has gone, also on failure. */
    (void)coap_add_data_large_response(r, session, request, response, query, (uint16_t)format, 0, 0,
                                       len, copy, free_copy, copy);
}

/* An error with a short diagnostic text (RFC 7252 5.5.2) and its option. */
static void answer_error(coap_pdu_t *response, const support_verdict_t *v)
{
    uint8_t buf[4];
    const char *text = "";
    coap_pdu_set_code(response, (coap_pdu_code_t)COAP_RESPONSE_CODE(v->code));
    switch (v->code) {
    case 404: text = "not found: GET /support/state, /support/licence, /.well-known/core"; break;
    case 405: text = "read-only: GET only"; break;
    case 413:
        (void)coap_add_option(response, COAP_OPTION_SIZE1, coap_encode_var_safe(buf, sizeof buf, 0),
                              buf);
        text = "requests carry no body";
        break;
    case 429:
        (void)coap_add_option(response, COAP_OPTION_MAXAGE,
                              coap_encode_var_safe(buf, sizeof buf, v->max_age_s), buf);
        text = "too many requests";
        break;
    default: break;
    }
    (void)coap_add_data(response, strlen(text), (const uint8_t *)text);
}

static const char *peer(coap_session_t *session, char *buf, size_t cap)
{
    const coap_address_t *a = coap_session_get_addr_remote(session);
    if (a == NULL || coap_print_addr(a, (unsigned char *)buf, cap) == 0) {
        (void)snprintf(buf, cap, "?");
    }
    return buf;
}

static uint32_t client_of(coap_session_t *session)
{
    const coap_address_t *a = coap_session_get_addr_remote(session);
    if (a == NULL) {
        return 0;
    }
    if (a->addr.sa.sa_family == AF_INET6) {
        return support_client_key(a->addr.sin6.sin6_addr.s6_addr, 16);
    }
    return support_client_key((const uint8_t *)&a->addr.sin.sin_addr, 4);
}

static support_server_t *server_of(coap_session_t *session)
{
    return coap_get_app_data(coap_session_get_context(session));
}

static void on_request(coap_resource_t *r, coap_session_t *session, const coap_pdu_t *request,
                       const coap_string_t *query, coap_pdu_t *response)
{
    support_server_t *s = server_of(session);
    support_request_t rq;
    support_request_read(request, &rq);
    support_verdict_t v = support_policy_decide(&s->policy, s->now_ms, client_of(session), &rq);
    uint32_t held = 0;
    char who[64];
    if ((v.code == 429 || v.code == 0) &&
        support_gate_open(&s->gate_rate, s->now_ms, LOG_PERIOD_MS, &held)) {
        FW_LOGW("requests from %s over the rate limit: refused (%u such lines held back)",
                peer(session, who, sizeof who), held);
    }
    if (v.code == 0) {
        return; /* no answer: at most libcoap's empty ACK */
    }
    if (v.code != 205) {
        answer_error(response, &v);
        return;
    }
    size_t len = 0;
    int code = 205;
    if (v.res == SUPPORT_RES_CORE) {
        len = support_link_format(s->buf, sizeof s->buf);
        code = len > 0 ? 205 : 500;
    } else {
        code = s->body(s->body_ctx, v.res, s->buf, sizeof s->buf, &len);
        if (len > sizeof s->buf) {
            len = 0;
            code = 500;
        }
    }
    if (code == 500 && support_gate_open(&s->gate_error, s->now_ms, LOG_PERIOD_MS, &held)) {
        FW_LOGE("cannot answer GET /%s (%u such lines held back)", support_resource_path(v.res),
                held);
    }
    answer_body(r, session, request, query, response, code, support_resource_format(v.res), s->buf,
                len);
}

/* ---- DTLS ---------------------------------------------------------------------- */

static const coap_bin_const_t *on_identity(coap_bin_const_t *identity, coap_session_t *session,
                                           void *arg)
{
    support_server_t *s = arg;
    if (identity != NULL && support_identity_ok(identity->s, identity->length)) {
        return &s->psk_bin;
    }
    s->identities_refused++;
    uint32_t held = 0;
    char who[64];
    if (support_gate_open(&s->gate_identity, s->now_ms, LOG_PERIOD_MS, &held)) {
        FW_LOGW("handshake from %s refused: identity is not '%s' (%u refusals in all)",
                peer(session, who, sizeof who), SUPPORT_IDENTITY, s->identities_refused);
    }
    return NULL;
}

static int on_event(coap_session_t *session, const coap_event_t event)
{
    support_server_t *s = server_of(session);
    if (s == NULL) {
        return 0;
    }
    switch (event) {
    case COAP_EVENT_SERVER_SESSION_NEW:
        s->sessions++;
        s->sessions_peak = s->sessions > s->sessions_peak ? s->sessions : s->sessions_peak;
        break;
    case COAP_EVENT_SERVER_SESSION_DEL: s->sessions -= s->sessions > 0 ? 1 : 0; break;
    case COAP_EVENT_DTLS_ERROR: s->handshakes_failed++; break;
    default: break;
    }
    return 0;
}

/* ---- API ------------------------------------------------------------------------- */

static const coap_request_t s_methods[] = {
    COAP_REQUEST_GET,   COAP_REQUEST_POST,  COAP_REQUEST_PUT,   COAP_REQUEST_DELETE,
    COAP_REQUEST_FETCH, COAP_REQUEST_PATCH, COAP_REQUEST_IPATCH};

static int add_resource(coap_context_t *ctx, coap_resource_t *r)
{
    if (r == NULL) {
        return FW_E_NOMEM;
    }
    for (size_t i = 0; i < sizeof s_methods / sizeof s_methods[0]; i++) {
        coap_register_request_handler(r, s_methods[i], on_request);
    }
    coap_add_resource(ctx, r);
    return 0;
}

int support_server_open(support_server_t **out, const support_config_t *cfg, uint64_t now_ms)
{
    coap_address_t addr;
    if (!out || !cfg || !cfg->body || !cfg->psk || cfg->psk_len == 0 || cfg->psk_len > 64 ||
        !cfg->listen || link_coap_parse_listen(cfg->listen, &addr) != 0) {
        return FW_E_INVAL;
    }
    *out = NULL;
    int rc = link_coap_init();
    if (rc != 0) {
        return rc;
    }
    support_server_t *s = calloc(1, sizeof *s);
    if (!s) {
        return FW_E_NOMEM;
    }
    s->body = cfg->body;
    s->body_ctx = cfg->ctx;
    memcpy(s->psk, cfg->psk, cfg->psk_len);
    s->psk_bin.s = s->psk;
    s->psk_bin.length = cfg->psk_len;
    s->now_ms = now_ms;
    support_policy_init(&s->policy, cfg->limits, now_ms);
    link_coap_opts_t o = {.max_idle_sessions = SUPPORT_IDLE_SESSIONS_MAX,
                          .max_handshakes = SUPPORT_HANDSHAKES_MAX,
                          .no_request_bodies = true,
                          .app = s};
    s->ctx = link_coap_context_new(&o);
    if (!s->ctx) {
        support_server_close(s);
        return FW_E_NOMEM;
    }
    coap_register_event_handler(s->ctx, on_event);
    rc = link_coap_listen_psk(s->ctx, &addr, on_identity, s);
    for (int i = 0; rc == 0 && i < SUPPORT_RES_COUNT; i++) {
        rc = add_resource(
            s->ctx, coap_resource_init(
                        coap_make_str_const(support_resource_path((support_resource_t)i)), 0));
    }
    if (rc == 0) {
        rc = add_resource(s->ctx, coap_resource_unknown_init(on_request));
    }
    if (rc != 0) {
        support_server_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void support_server_step(support_server_t *s, uint64_t now_ms)
{
    if (s) {
        s->now_ms = now_ms;
        (void)link_coap_io_some(s->ctx, SUPPORT_DATAGRAMS_PER_STEP);
    }
}

void support_server_stats(const support_server_t *s, support_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (s) {
        out->requests = s->policy.counts;
        out->identities_refused = s->identities_refused;
        out->handshakes_failed = s->handshakes_failed;
        out->sessions = s->sessions;
        out->sessions_peak = s->sessions_peak;
    }
}

void support_server_close(support_server_t *s)
{
    if (!s) {
        return;
    }
    link_coap_context_free(&s->ctx);
    fw_zeroize(s->psk, sizeof s->psk);
    free(s);
}
