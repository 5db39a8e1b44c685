/*
 * The uplink over libcoap. libcoap calls back from inside coap_io_process();
 * those handlers only record what happened (slots, flags). Sessions are
 * released from link_step() after coap_io_process() returned, never from
 * inside a libcoap handler.
 */
#define FW_LOG_TAG "link"
#include "link/link.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <coap3/coap.h>

#include "fw/err.h"
#include "fw/log.h"
#include "report/codec.h"

#define BODY_MAX (64u * 1024u)
#define TOKEN_MAX 8u

typedef enum { ST_IDLE, ST_CONNECTING, ST_UP } state_t;

typedef struct {
    bool used, sent, observe;
    char path[LINK_PATH_MAX];
    uint8_t *body;
    size_t len;
    link_cb_t cb;
    void *ctx;
    uint8_t token[TOKEN_MAX];
    size_t token_len;
} slot_t;

struct link {
    coap_context_t *ctx;
    coap_session_t *session;
    coap_address_t server;
    char identity[128];
    uint8_t psk[64];
    size_t psk_len;
    link_config_t cfg;
    state_t state;
    bool drop;            /* set by handlers: release the session in step */
    bool connected_event; /* set by the event handler */
    uint64_t now_ms;
    uint64_t next_attempt_ms;
    uint64_t connect_start_ms;
    uint64_t last_activity_ms;
    uint32_t streak; /* requests in a row that timed out */
    uint32_t rng;
    bool have_time;
    int64_t server_time;
    link_stats_t stats;
    slot_t slots[LINK_MAX_PENDING];
    slot_t observe; /* .used when an observation is wanted */
};

/* ---- pure parts --------------------------------------------------------- */

uint32_t link_backoff_ms(uint32_t attempt, uint32_t rand)
{
    if (attempt == 0) {
        return rand % (LINK_BACKOFF_BASE_MS + 1u);
    }
    uint64_t e = LINK_BACKOFF_BASE_MS;
    for (uint32_t i = 0; i < attempt && e < LINK_BACKOFF_CAP_MS; i++) {
        e <<= 1;
    }
    if (e > LINK_BACKOFF_CAP_MS) {
        e = LINK_BACKOFF_CAP_MS;
    }
    uint32_t half = (uint32_t)(e / 2u);
    return half + rand % (half + 1u);
}

static uint32_t next_rand(link_t *l)
{
    uint32_t x = l->rng ? l->rng : 0x6d2b79f5u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    l->rng = x;
    return x;
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
        l->stats.failures++;
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

/* Fail everything in flight (the session is gone); unsent requests wait for
 * the next session. The observation is re-registered on the next one. */
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

/* ---- libcoap handlers ------------------------------------------------------ */

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
    if (!l) {
        return COAP_RESPONSE_OK;
    }
    slot_t *s = slot_by_token(l, coap_pdu_get_token(received));
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
    int64_t t;
    if (r.len && report_parse_server_time(r.body, r.len, &t) == 0) {
        l->server_time = t;
        l->have_time = true;
    }
    l->stats.responses++;
    l->streak = 0;
    l->last_activity_ms = l->now_ms;
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
    slot_t *s = slot_by_token(l, coap_pdu_get_token(sent));
    if (reason == COAP_NACK_TOO_MANY_RETRIES) {
        if (++l->streak >= l->cfg.timeout_streak) {
            FW_LOGW("%u requests in a row timed out: new handshake next time", l->streak);
            l->drop = true;
        }
    } else {
        l->drop = true; /* RST, TLS failure, not deliverable: the session is suspect */
    }
    if (s) {
        link_response_t r = {.err = reason == COAP_NACK_TOO_MANY_RETRIES ? FW_E_TIMEOUT : FW_E_NET};
        if (s->observe) {
            s->sent = false; /* re-register on the next session */
            if (s->cb) {
                s->cb(s->ctx, &r);
            }
        } else {
            finish(l, s, &r);
        }
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
    case COAP_EVENT_SESSION_CONNECTED: l->connected_event = true; break;
    case COAP_EVENT_DTLS_CLOSED:
    case COAP_EVENT_DTLS_ERROR:
    case COAP_EVENT_SESSION_CLOSED:
    case COAP_EVENT_SESSION_FAILED: l->drop = true; break;
    default: break;
    }
    return 0;
}

/* ---- session --------------------------------------------------------------- */

static int new_context(link_t *l)
{
    l->ctx = coap_new_context(NULL);
    if (!l->ctx) {
        return FW_E_NOMEM;
    }
    coap_context_set_block_mode(l->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
    coap_context_set_max_idle_sessions(l->ctx, 1);
    if (l->cfg.keepalive_s) {
        coap_context_set_keepalive(l->ctx, l->cfg.keepalive_s);
    }
    coap_register_response_handler(l->ctx, on_response);
    coap_register_nack_handler(l->ctx, on_nack);
    coap_register_event_handler(l->ctx, on_event);
    return 0;
}

/* Ends the session by freeing the whole libcoap context and starting a new
 * one. libcoap 4.3.1 crashed in coap_io_prepare_io() after
 * coap_session_release() of a DTLS client session whose peer had gone away
 * (collector killed mid-request, tests/system/report_e2e.sh D); freeing the
 * context tears sessions, queued PDUs and DTLS state down in libcoap's own
 * order. A session lasts hours, so the extra setup costs nothing. */
static void release_session(link_t *l, int err)
{
    l->session = NULL; /* handlers called while freeing see no current session */
    if (l->ctx) {
        coap_free_context(l->ctx);
        l->ctx = NULL;
    }
    l->state = ST_IDLE;
    l->connected_event = false;
    fail_sent(l, err);
    if (new_context(l) != 0) {
        FW_LOGE("cannot make a new CoAP context: reports stay queued");
    }
    l->drop = false;
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

static int start_session(link_t *l)
{
    if (!l->ctx && new_context(l) != 0) {
        return FW_E_NOMEM;
    }
    coap_dtls_cpsk_t setup;
    memset(&setup, 0, sizeof setup);
    setup.version = COAP_DTLS_CPSK_SETUP_VERSION;
    setup.psk_info.identity.s = (const uint8_t *)l->identity;
    setup.psk_info.identity.length = strlen(l->identity);
    setup.psk_info.key.s = l->psk;
    setup.psk_info.key.length = l->psk_len;
    l->session = coap_new_client_session_psk2(l->ctx, NULL, &l->server, COAP_PROTO_DTLS, &setup);
    l->stats.handshakes++;
    if (!l->session) {
        return FW_E_NET;
    }
    coap_session_set_app_data(l->session, l);
    if (l->cfg.ack_timeout_ms) {
        coap_fixed_point_t t = {l->cfg.ack_timeout_ms / 1000u, l->cfg.ack_timeout_ms % 1000u};
        coap_session_set_ack_timeout(l->session, t);
    }
    if (l->cfg.max_retransmit) {
        coap_session_set_max_retransmit(l->session, l->cfg.max_retransmit);
    }
    l->state = ST_CONNECTING;
    l->connect_start_ms = l->now_ms;
    return 0;
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
    if (coap_send(l->session, pdu) == COAP_INVALID_MID) {
        return FW_E_NET; /* libcoap freed the pdu */
    }
    s->sent = true;
    l->stats.requests++;
    l->last_activity_ms = l->now_ms;
    return 0;
}

static void send_unsent(link_t *l)
{
    for (unsigned i = 0; i <= LINK_MAX_PENDING; i++) {
        slot_t *s = i < LINK_MAX_PENDING ? &l->slots[i] : &l->observe;
        if (s->used && !s->sent) {
            int rc = send_slot(l, s);
            if (rc != 0 && !s->observe) {
                link_response_t r = {.err = rc};
                finish(l, s, &r);
            }
        }
    }
}

/* ---- API ---------------------------------------------------------------------- */

static int resolve(coap_address_t *out, const char *host, uint16_t port)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) {
        return FW_E_NET;
    }
    coap_address_init(out);
    if (res->ai_addrlen > sizeof out->addr) {
        freeaddrinfo(res);
        return FW_E_NET;
    }
    memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
    out->size = res->ai_addrlen;
    coap_address_set_port(out, port);
    freeaddrinfo(res);
    return 0;
}

int link_set_psk(link_t *l, const char *identity, const uint8_t *psk, size_t psk_len)
{
    if (!l || !identity || !*identity || strlen(identity) >= sizeof l->identity || !psk ||
        psk_len == 0 || psk_len > sizeof l->psk) {
        return FW_E_INVAL;
    }
    strcpy(l->identity, identity);
    memcpy(l->psk, psk, psk_len);
    l->psk_len = psk_len;
    if (l->session) {
        l->drop = true; /* key change: new handshake */
    }
    return 0;
}

int link_open(link_t **out, const link_config_t *cfg)
{
    if (!out || !cfg || !cfg->host || cfg->port == 0) {
        return FW_E_INVAL;
    }
    *out = NULL;
    static bool s_started;
    if (!s_started) {
        coap_startup();
        coap_set_log_level(LOG_WARNING);
        coap_dtls_set_log_level(LOG_WARNING);
        s_started = true;
    }
    if (!coap_dtls_is_supported()) {
        return FW_E_UNSUPPORTED;
    }
    link_t *l = calloc(1, sizeof *l);
    if (!l) {
        return FW_E_NOMEM;
    }
    l->cfg = *cfg;
    l->cfg.host = NULL; /* not kept */
    l->cfg.identity = NULL;
    l->cfg.psk = NULL;
    if (!l->cfg.idle_close_s) {
        l->cfg.idle_close_s = 20;
    }
    if (!l->cfg.timeout_streak) {
        l->cfg.timeout_streak = 2;
    }
    if (!l->cfg.connect_timeout_ms) {
        l->cfg.connect_timeout_ms = 20000;
    }
    l->rng = cfg->rand_seed;
    int rc = link_set_psk(l, cfg->identity, cfg->psk, cfg->psk_len);
    if (rc == 0) {
        rc = resolve(&l->server, cfg->host, cfg->port);
    }
    if (rc == 0) {
        rc = new_context(l);
    }
    if (rc != 0) {
        link_close(l);
        return rc;
    }
    l->next_attempt_ms = 0; /* the first connect gets its jitter in step */
    l->stats.attempt = 0;
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
    return 0;
}

int link_step(link_t *l, uint64_t now_ms, uint32_t budget_ms)
{
    if (!l) {
        return FW_E_INVAL;
    }
    l->now_ms = now_ms;
    if (l->state == ST_IDLE && has_work(l)) {
        if (l->next_attempt_ms == 0) {
            l->next_attempt_ms = now_ms + link_backoff_ms(l->stats.attempt, next_rand(l));
        }
        if (now_ms >= l->next_attempt_ms) {
            l->next_attempt_ms = 0;
            int rc = start_session(l);
            if (rc != 0) {
                l->stats.attempt++;
                l->next_attempt_ms = now_ms + link_backoff_ms(l->stats.attempt, next_rand(l));
                FW_LOGW("cannot start a session: %s", fw_strerror(rc));
            }
        }
    }
    if (l->ctx) {
        (void)coap_io_process(l->ctx, budget_ms ? budget_ms : COAP_IO_NO_WAIT);
    }
    if (l->state == ST_CONNECTING && l->connected_event && !l->drop) {
        l->state = ST_UP;
        l->stats.connected++;
        l->stats.attempt = 0;
        l->last_activity_ms = now_ms;
    }
    if (l->state == ST_CONNECTING && !l->drop &&
        now_ms - l->connect_start_ms >= l->cfg.connect_timeout_ms) {
        FW_LOGW("handshake timed out");
        l->drop = true;
    }
    if (l->drop) {
        bool was_up = l->state == ST_UP;
        release_session(l, was_up ? FW_E_NET : FW_E_NET);
        if (!was_up) {
            l->stats.attempt++;
        }
        l->next_attempt_ms = now_ms + link_backoff_ms(l->stats.attempt, next_rand(l));
        return 0;
    }
    if (l->state == ST_UP) {
        send_unsent(l);
        bool busy = false;
        for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
            busy |= l->slots[i].used;
        }
        if (!busy && !l->cfg.keepalive_s &&
            now_ms - l->last_activity_ms >= (uint64_t)l->cfg.idle_close_s * 1000u) {
            release_session(l, FW_E_NET); /* DTLS close_notify goes out */
        }
    }
    return 0;
}

bool link_is_idle(const link_t *l)
{
    for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
        if (l->slots[i].used) {
            return false;
        }
    }
    return true;
}

bool link_is_waiting(const link_t *l)
{
    if (l->state == ST_CONNECTING) {
        return true;
    }
    if (l->state == ST_UP) {
        for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
            if (l->slots[i].used) {
                return true; /* sent and unanswered, or about to be sent */
            }
        }
    }
    return false;
}

bool link_is_up(const link_t *l)
{
    return l->state == ST_UP;
}

bool link_server_time(const link_t *l, int64_t *t)
{
    if (l->have_time) {
        *t = l->server_time;
    }
    return l->have_time;
}

void link_stats(const link_t *l, link_stats_t *out)
{
    *out = l->stats;
}

void link_close(link_t *l)
{
    if (!l) {
        return;
    }
    if (l->session) {
        coap_session_release(l->session);
        l->session = NULL;
    }
    if (l->ctx) {
        coap_free_context(l->ctx);
        l->ctx = NULL;
    }
    link_response_t r = {.err = FW_E_NET};
    for (unsigned i = 0; i < LINK_MAX_PENDING; i++) {
        if (l->slots[i].used) {
            finish(l, &l->slots[i], &r);
        }
    }
    memset(l->psk, 0, sizeof l->psk);
    free(l);
}
