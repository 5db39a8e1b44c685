/*
 * The uplink's adapter: libcoap and the HAL resolver on one side, the pure
 * state machine (link_sm.c) on the other. Nothing here decides when to
 * connect, back off or close; it reports what happened as events and does
 * what the machine answers.
 *
 * libcoap calls back from inside coap_io_process(); those handlers only feed
 * events and collect the resulting actions. Actions run from link_step()
 * after coap_io_process() returned, never from inside a libcoap handler
 * (sessions are released there).
 */
#define FW_LOG_TAG "link"
#include "link/link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/coap_io.h"
#include "fw/err.h"
#include "fw/log.h"
#include "fw/zeroize.h"
#include "hal/clock.h"
#include "hal/net.h"
#include "link/link_sm.h"

#define BODY_MAX (64u * 1024u)
#define TOKEN_MAX 8u
#define RUN_ROUNDS 8 /* actions whose execution fed events that asked for more */

typedef struct {
    bool used, sent, observe;
    bool timed;       /* the next answer is to the request sent at sent_ms */
    uint64_t sent_ms; /* hal_clock_mono_ms() when it went out */
    char path[LINK_PATH_MAX];
    uint8_t *body;
    size_t len;
    link_cb_t cb;
    void *ctx;
    uint8_t token[TOKEN_MAX];
    size_t token_len;
    uint64_t asked_ms; /* link time it went out: its answer is due by then + response timeout */
} slot_t;

struct link {
    coap_context_t *ctx;
    coap_session_t *session;
    char host[LINK_HOST_MAX + 1];
    uint16_t port;
    hal_net_addrs_t addrs; /* of the last lookup */
    int resolve_err;       /* why the last lookup failed (for the log) */
    char identity[128];
    uint8_t psk[64];
    size_t psk_len;
    link_config_t cfg;
    link_sm_t sm;
    link_sm_out_t out; /* actions collected, not yet carried out */
    uint64_t now_ms;
    uint32_t response_timeout_ms;
    uint32_t failures;
    slot_t slots[LINK_MAX_PENDING];
    slot_t observe; /* .used when an observation is wanted */
};

/* ---- events in, actions collected ------------------------------------------ */

static void feed(link_t *l, link_sm_event_kind_t kind)
{
    link_sm_event_t ev = {.kind = kind};
    link_sm_handle(&l->sm, l->now_ms, &ev, &l->out);
}

static bool has_work(const link_t *l)
{
    for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
        if (l->slots[i].used && !l->slots[i].sent) {
            return true;
        }
    }
    return false;
}

static bool busy(const link_t *l)
{
    for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
        if (l->slots[i].used) {
            return true;
        }
    }
    return false;
}

static void tick(link_t *l)
{
    link_sm_event_t ev = {.kind = LINK_EV_TICK, .work = has_work(l), .busy = busy(l)};
    link_sm_handle(&l->sm, l->now_ms, &ev, &l->out);
}

/* ---- slots ------------------------------------------------------------------ */

static void finish(link_t *l, slot_t *s, const link_response_t *r)
{
    link_cb_t cb = s->cb;
    void *ctx = s->ctx;
    if (!s->observe) {
        free(s->body);
        memset(s, 0, sizeof *s);
    }
    if (r->err) {
        l->failures++;
    }
    if (cb) {
        cb(ctx, r);
    }
}

static slot_t *slot_by_token(link_t *l, coap_bin_const_t tok)
{
    if (tok.length == 0 || tok.length > TOKEN_MAX) {
        return NULL;
    }
    for (unsigned i = 0; i <= LINK_MAX_PENDING; i++) {
        slot_t *s = i < LINK_MAX_PENDING ? &l->slots[i] : &l->observe;
        if (s->used && s->sent && s->token_len == tok.length &&
            memcmp(s->token, tok.s, tok.length) == 0) {
            return s;
        }
    }
    return NULL;
}

/* The session is gone: what was in flight fails; unsent requests wait for
 * the next session; the observation is registered again there. */
static void fail_sent(link_t *l, int err)
{
    link_response_t r = {.err = err};
    for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
        if (l->slots[i].used && l->slots[i].sent) {
            finish(l, &l->slots[i], &r);
        }
    }
    l->observe.sent = false;
}

/* ---- libcoap handlers: record, never act ------------------------------------ */

static link_t *link_of(coap_session_t *session)
{
    return coap_session_get_app_data(session);
}

static coap_response_t on_response(coap_session_t *session, const coap_pdu_t *sent,
                                   const coap_pdu_t *received, const coap_mid_t mid)
{
    (void)sent;
    (void)mid;
    link_t *l = link_of(session);
    slot_t *s = l ? slot_by_token(l, coap_pdu_get_token(received)) : NULL;
    if (!s) {
        return COAP_RESPONSE_OK; /* stale or foreign: ignore, never trust */
    }
    coap_pdu_code_t code = coap_pdu_get_code(received);
    link_response_t r = {0};
    r.code = (int)(code >> 5) * 100 + (int)(code & 0x1F);
    size_t len = 0, offset = 0, total = 0;
    const uint8_t *data = NULL;
    if (coap_get_data_large(received, &len, &data, &offset, &total) && offset == 0 &&
        len == total) {
        r.body = data;
        r.len = len;
    }
    coap_opt_iterator_t it;
    r.notification = s->observe && coap_check_option(received, COAP_OPTION_OBSERVE, &it) != NULL;
    r.timed = s->timed;
    r.sent_ms = s->sent_ms;
    s->timed = false; /* an observation's later notifications answer no request */
    feed(l, LINK_EV_RESPONSE);
    finish(l, s, &r);
    return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *session, const coap_pdu_t *sent,
                    const coap_nack_reason_t reason, const coap_mid_t mid)
{
    (void)mid;
    link_t *l = link_of(session);
    if (!l || !sent) {
        return;
    }
    bool timeout = reason == COAP_NACK_TOO_MANY_RETRIES;
    /* RST, TLS failure, not deliverable: the session is suspect */
    feed(l, timeout ? LINK_EV_TIMEOUT : LINK_EV_SESSION_LOST);
    slot_t *s = slot_by_token(l, coap_pdu_get_token(sent));
    if (!s) {
        return;
    }
    link_response_t r = {.err = timeout ? FW_E_TIMEOUT : FW_E_NET};
    if (s->observe) {
        s->sent = false;
        feed(l, LINK_EV_OBSERVE_LOST);
        if (s->cb) {
            s->cb(s->ctx, &r);
        }
    } else {
        finish(l, s, &r);
    }
}

static int on_event(coap_session_t *session, const coap_event_t event)
{
    link_t *l = link_of(session);
    if (!l || session != l->session) {
        return 0;
    }
    switch (event) {
    case COAP_EVENT_DTLS_CONNECTED:
    case COAP_EVENT_SESSION_CONNECTED: feed(l, LINK_EV_CONNECTED); break;
    case COAP_EVENT_DTLS_CLOSED:
    case COAP_EVENT_DTLS_ERROR:
    case COAP_EVENT_SESSION_CLOSED:
    case COAP_EVENT_SESSION_FAILED: feed(l, LINK_EV_SESSION_LOST); break;
    default: break;
    }
    return 0;
}

/* ---- actions ------------------------------------------------------------------ */

static int ensure_context(link_t *l)
{
    if (l->ctx) {
        return 0;
    }
    link_coap_opts_t o = {.keepalive_s = l->cfg.keepalive_s, .max_idle_sessions = 1, .app = l};
    l->ctx = link_coap_context_new(&o);
    if (!l->ctx) {
        return FW_E_NOMEM;
    }
    coap_register_response_handler(l->ctx, on_response);
    coap_register_nack_handler(l->ctx, on_nack);
    coap_register_event_handler(l->ctx, on_event);
    return 0;
}

/* Ends the session by freeing the whole libcoap context and making a new
 * one (link_step() waits on it even with no session). libcoap 4.3.1 crashed in coap_io_prepare_io()
 * after coap_session_release() of a DTLS client session whose peer had gone
 * away (collector killed mid-request, tests/system/report_e2e.sh D); freeing
 * the context tears sessions, queued PDUs and DTLS state down in libcoap's
 * own order. A session lasts hours, so the extra setup costs nothing. */
static void act_close(link_t *l)
{
    hal_net_resolve_cancel();
    l->session = NULL; /* handlers called while freeing see no current session */
    link_coap_context_free(&l->ctx);
    fail_sent(l, FW_E_NET);
    if (ensure_context(l) != 0) {
        FW_LOGE("cannot make a new CoAP context: reports stay queued");
    }
}

static void act_resolve(link_t *l)
{
    l->resolve_err = hal_net_resolve_start(l->host);
    if (l->resolve_err != 0) {
        feed(l, LINK_EV_RESOLVE_FAILED);
    }
}

static void act_connect(link_t *l, uint32_t addr)
{
    coap_address_t server;
    if (addr >= l->addrs.n || ensure_context(l) != 0 ||
        link_coap_address(&server, &l->addrs.addr[addr].sa, l->addrs.addr[addr].len, l->port) !=
            0) {
        feed(l, LINK_EV_CONNECT_FAILED);
        return;
    }
    l->session = link_coap_session_psk(l->ctx, &server, l->identity, l->psk, l->psk_len);
    if (!l->session) {
        feed(l, LINK_EV_CONNECT_FAILED);
        return;
    }
    coap_session_set_app_data(l->session, l);
    if (l->cfg.ack_timeout_ms) {
        coap_fixed_point_t t = {l->cfg.ack_timeout_ms / 1000u, l->cfg.ack_timeout_ms % 1000u};
        coap_session_set_ack_timeout(l->session, t);
    }
    if (l->cfg.max_retransmit) {
        coap_session_set_max_retransmit(l->session, l->cfg.max_retransmit);
    }
}

static int add_path(coap_pdu_t *pdu, const char *path)
{
    const char *p = path;
    while (*p) {
        while (*p == '/') {
            p++;
        }
        const char *e = p;
        while (*e && *e != '/') {
            e++;
        }
        if (e > p &&
            !coap_add_option(pdu, COAP_OPTION_URI_PATH, (size_t)(e - p), (const uint8_t *)p)) {
            return FW_E_NOMEM;
        }
        p = e;
    }
    return 0;
}

static int send_slot(link_t *l, slot_t *s)
{
    if (!l->session) {
        return FW_E_STATE;
    }
    coap_pdu_t *pdu =
        coap_pdu_init(COAP_MESSAGE_CON, s->observe ? COAP_REQUEST_CODE_GET : COAP_REQUEST_CODE_POST,
                      coap_new_message_id(l->session), coap_session_max_pdu_size(l->session));
    if (!pdu) {
        return FW_E_NOMEM;
    }
    coap_session_new_token(l->session, &s->token_len, s->token);
    uint8_t buf[4];
    int rc = coap_add_token(pdu, s->token_len, s->token) ? 0 : FW_E_NOMEM;
    if (rc == 0 && s->observe &&
        !coap_add_option(pdu, COAP_OPTION_OBSERVE,
                         coap_encode_var_safe(buf, sizeof buf, COAP_OBSERVE_ESTABLISH), buf)) {
        rc = FW_E_NOMEM;
    }
    if (rc == 0) {
        rc = add_path(pdu, s->path);
    }
    if (rc == 0 && !s->observe) {
        if (!coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                             coap_encode_var_safe(buf, sizeof buf, COAP_MEDIATYPE_APPLICATION_JSON),
                             buf) ||
            !coap_add_data_large_request(l->session, pdu, s->len, s->body, NULL, NULL)) {
            rc = FW_E_NOMEM;
        }
    }
    if (rc != 0) {
        coap_delete_pdu(pdu);
        return rc;
    }
    /* The device's clock, not the network's: the server's time in the
     * answer is judged against device time (trial/trusted_time.h). */
    uint64_t sent_ms = hal_clock_mono_ms();
    if (coap_send(l->session, pdu) == COAP_INVALID_MID) {
        return FW_E_NET; /* libcoap freed the pdu */
    }
    s->sent = true;
    s->timed = true;
    s->sent_ms = sent_ms;
    s->asked_ms = l->now_ms;
    feed(l, LINK_EV_SENT);
    return 0;
}

static void act_send(link_t *l)
{
    for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
        slot_t *s = &l->slots[i];
        if (s->used && !s->sent) {
            int rc = send_slot(l, s);
            if (rc != 0) {
                link_response_t r = {.err = rc};
                finish(l, s, &r);
            }
        }
    }
}

static void act_observe(link_t *l)
{
    if (l->observe.used && !l->observe.sent && send_slot(l, &l->observe) != 0) {
        feed(l, LINK_EV_OBSERVE_LOST); /* tried again on the next session */
    }
}

static const char *addr_text(const link_t *l, char *buf, size_t cap)
{
    coap_address_t a;
    uint32_t i = l->sm.addr;
    if (i >= l->addrs.n ||
        link_coap_address(&a, &l->addrs.addr[i].sa, l->addrs.addr[i].len, l->port) != 0 ||
        coap_print_addr(&a, (unsigned char *)buf, cap) == 0) {
        (void)snprintf(buf, cap, "?");
    }
    return buf;
}

static void log_notes(const link_t *l, const link_sm_out_t *o)
{
    char where[64];
    if (o->notes & LINK_NOTE_RESOLVE_FAILED) {
        FW_LOGW("cannot resolve '%s' (%s): reports stay queued; trying again with backoff "
                "(logged once until it resolves)",
                l->host,
                o->notes & LINK_NOTE_RESOLVE_TIMEOUT ? "lookup timed out"
                                                     : fw_strerror(l->resolve_err));
    }
    if (o->notes & LINK_NOTE_RESOLVED_AGAIN) {
        FW_LOGI("'%s' resolves again (%u address(es)), after %u failed lookup(s) in all", l->host,
                l->addrs.n, l->sm.stats.resolve_failures);
    }
    if (o->notes & (LINK_NOTE_HANDSHAKE_FAILED | LINK_NOTE_HANDSHAKE_TIMEOUT)) {
        FW_LOGW("handshake with %s %s: next attempt in %u ms", addr_text(l, where, sizeof where),
                o->notes & LINK_NOTE_HANDSHAKE_TIMEOUT ? "timed out" : "failed", o->wait_ms);
    }
    if (o->notes & LINK_NOTE_TIMEOUT_STREAK) {
        FW_LOGW("%u requests in a row timed out: new handshake next time",
                l->sm.cfg.timeout_streak);
    }
    if (o->notes & LINK_NOTE_IDLE_CLOSE) {
        FW_LOGD("session idle: closed");
    }
}

/* Carry out the collected actions, in the machine's order. Carrying one out
 * may feed events that ask for more (a lookup that cannot start fails at
 * once); those run in the next round. */
static void run(link_t *l)
{
    for (int round = 0; round < RUN_ROUNDS && (l->out.act || l->out.notes); round++) {
        link_sm_out_t o = l->out;
        memset(&l->out, 0, sizeof l->out);
        log_notes(l, &o);
        if (o.act & LINK_ACT_CLOSE) {
            act_close(l);
        }
        if (o.act & LINK_ACT_RESOLVE) {
            act_resolve(l);
        }
        if (o.act & LINK_ACT_CONNECT) {
            act_connect(l, o.addr);
        }
        if (o.act & LINK_ACT_SEND) {
            act_send(l);
        }
        if (o.act & LINK_ACT_OBSERVE) {
            act_observe(l);
        }
    }
}

static void poll_resolver(link_t *l)
{
    if (l->sm.state != LINK_SM_RESOLVING) {
        return;
    }
    int rc = hal_net_resolve_poll(&l->addrs);
    if (rc == 0) {
        link_sm_event_t ev = {.kind = LINK_EV_RESOLVED, .n_addrs = l->addrs.n};
        link_sm_handle(&l->sm, l->now_ms, &ev, &l->out);
    } else if (rc < 0) {
        l->resolve_err = rc;
        feed(l, LINK_EV_RESOLVE_FAILED);
    }
}

/* A request acknowledged with an empty ACK is no longer libcoap's to time
 * out: its separate response may never come. Past the response timeout it
 * fails as a timeout (the agent sends the records again later). */
static void expire(link_t *l)
{
    for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
        slot_t *s = &l->slots[i];
        if (s->used && s->sent && l->now_ms - s->asked_ms >= l->response_timeout_ms) {
            FW_LOGW("no answer to %s within %u s: timed out", s->path,
                    l->response_timeout_ms / 1000u);
            feed(l, LINK_EV_TIMEOUT);
            link_response_t r = {.err = FW_E_TIMEOUT};
            finish(l, s, &r);
        }
    }
}

/* MAX_TRANSMIT_WAIT (RFC 7252 4.8.2) of the link's CoAP settings + 60 s. */
static uint32_t default_response_timeout(const link_config_t *cfg)
{
    uint64_t ack = cfg->ack_timeout_ms ? cfg->ack_timeout_ms : 2000u;
    unsigned mr = cfg->max_retransmit ? cfg->max_retransmit : 4u;
    uint64_t wait = ack * ((1u << (mr + 1u)) - 1u) * 3u / 2u;
    return (uint32_t)(wait + 60000u);
}

/* ---- API ---------------------------------------------------------------------- */

int link_set_psk(link_t *l, const char *identity, const uint8_t *psk, size_t psk_len)
{
    if (!l || !identity || !*identity || strlen(identity) >= sizeof l->identity || !psk ||
        psk_len == 0 || psk_len > sizeof l->psk) {
        return FW_E_INVAL;
    }
    strcpy(l->identity, identity);
    memcpy(l->psk, psk, psk_len);
    l->psk_len = psk_len;
    feed(l, LINK_EV_KEY_CHANGED); /* a session with the old key is dropped */
    run(l);
    return 0;
}

int link_open(link_t **out, const link_config_t *cfg)
{
    if (!out || !cfg || !cfg->host || !*cfg->host || strlen(cfg->host) > LINK_HOST_MAX ||
        cfg->port == 0) {
        return FW_E_INVAL;
    }
    *out = NULL;
    int rc = link_coap_init();
    if (rc != 0) {
        return rc;
    }
    link_t *l = calloc(1, sizeof *l);
    if (!l) {
        return FW_E_NOMEM;
    }
    l->cfg = *cfg;
    l->cfg.host = NULL; /* copied below, not kept */
    l->cfg.identity = NULL;
    l->cfg.psk = NULL;
    strcpy(l->host, cfg->host);
    l->port = cfg->port;
    l->response_timeout_ms =
        cfg->response_timeout_ms ? cfg->response_timeout_ms : default_response_timeout(cfg);
    link_sm_config_t sc = {
        .idle_close_ms = cfg->idle_close_s * 1000u,
        .keepalive = cfg->keepalive_s != 0,
        .timeout_streak = cfg->timeout_streak,
        .connect_timeout_ms = cfg->connect_timeout_ms,
        .resolve_timeout_ms = cfg->resolve_timeout_ms,
        .rand_seed = cfg->rand_seed,
    };
    link_sm_init(&l->sm, &sc);
    rc = link_set_psk(l, cfg->identity, cfg->psk, cfg->psk_len);
    if (rc == 0) {
        rc = ensure_context(l);
    }
    if (rc != 0) {
        link_close(l);
        return rc;
    }
    *out = l;
    return 0;
}

int link_post(link_t *l, const char *path, const void *body, size_t len, link_cb_t cb, void *ctx)
{
    if (!l || !path || strlen(path) >= LINK_PATH_MAX || (!body && len)) {
        return FW_E_INVAL;
    }
    if (len > BODY_MAX) {
        return FW_E_TOOBIG;
    }
    for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
        slot_t *s = &l->slots[i];
        if (s->used) {
            continue;
        }
        memset(s, 0, sizeof *s);
        s->body = malloc(len ? len : 1);
        if (!s->body) {
            return FW_E_NOMEM;
        }
        if (len) {
            memcpy(s->body, body, len);
        }
        s->len = len;
        strcpy(s->path, path);
        s->cb = cb;
        s->ctx = ctx;
        s->used = true;
        return 0;
    }
    return FW_E_NOMEM;
}

int link_observe(link_t *l, const char *path, link_cb_t cb, void *ctx)
{
    if (!l || (path && strlen(path) >= LINK_PATH_MAX)) {
        return FW_E_INVAL;
    }
    memset(&l->observe, 0, sizeof l->observe);
    if (path) {
        strcpy(l->observe.path, path);
        l->observe.cb = cb;
        l->observe.ctx = ctx;
        l->observe.observe = true;
        l->observe.used = true;
    }
    link_sm_event_t ev = {.kind = LINK_EV_OBSERVE, .on = path != NULL};
    link_sm_handle(&l->sm, l->now_ms, &ev, &l->out);
    return 0;
}

void link_refresh(link_t *l)
{
    if (l) {
        feed(l, LINK_EV_REFRESH);
    }
}

int link_step(link_t *l, uint64_t now_ms, uint32_t budget_ms)
{
    if (!l) {
        return FW_E_INVAL;
    }
    l->now_ms = now_ms;
    poll_resolver(l);
    tick(l);
    run(l);
    link_coap_io(l->ctx, budget_ms);
    expire(l);
    tick(l); /* a handshake that just completed sends at once */
    run(l);
    return 0;
}

bool link_is_idle(const link_t *l)
{
    return !busy(l);
}

bool link_is_waiting(const link_t *l)
{
    return link_sm_waiting(&l->sm, busy(l));
}

bool link_is_up(const link_t *l)
{
    return l->sm.state == LINK_SM_UP;
}

void link_stats(const link_t *l, link_stats_t *out)
{
    memset(out, 0, sizeof *out);
    out->resolves = l->sm.stats.resolves;
    out->resolve_failures = l->sm.stats.resolve_failures;
    out->handshakes = l->sm.stats.handshakes;
    out->connected = l->sm.stats.connected;
    out->requests = l->sm.stats.requests;
    out->responses = l->sm.stats.responses;
    out->failures = l->failures;
    out->attempt = l->sm.stats.attempt;
}

void link_close(link_t *l)
{
    if (!l) {
        return;
    }
    if (l->sm.state == LINK_SM_RESOLVING) {
        hal_net_resolve_cancel();
    }
    l->session = NULL;
    link_coap_context_free(&l->ctx); /* a DTLS close_notify goes out */
    link_response_t r = {.err = FW_E_NET};
    for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
        if (l->slots[i].used) {
            finish(l, &l->slots[i], &r);
        }
    }
    fw_zeroize(l->psk, sizeof l->psk);
    free(l);
}
