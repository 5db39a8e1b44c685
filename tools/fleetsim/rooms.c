/*
 * The worker of spark-fleetsim (fleet.h): rooms of one process on one
 * libcoap context. Each room's session is decided by its own link state
 * machine (link/link_sm.h), exactly as on a device; this file only feeds it
 * what libcoap reports and carries out its actions on that room's session.
 *
 * Loops are bounded: the worker stops when its rooms are done, or at the end
 * of the simulated time plus the drain time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "fleet.h"
#include "fw/backoff.h"
#include "fw/err.h"
#include "link/coap_io.h"
#include "link/link_sm.h"
#include "report/codec.h"

#define BODY_CAP 8192u
#define SNAPSHOT_S 0.25
#define RUN_ROUNDS 8

typedef struct room {
    unsigned n; /* room number, 1-based */
    char serial[21];
    char key[96];
    link_sm_t sm;
    link_sm_out_t pend; /* actions asked for inside libcoap's callbacks */
    coap_session_t *session;
    uint32_t total;     /* records this room makes in the run */
    uint32_t generated; /* made so far */
    uint32_t acked;     /* ids 1..acked acknowledged */
    double phase_s;     /* simulated offset of this room's reports */
    double start_at;    /* real s after t0 */
    double hold_until;  /* 5.03: Max-Age; other failures: backoff */
    uint32_t busy_streak;
    /* the request in flight */
    bool in_flight;
    uint32_t batch_n;
    uint8_t token[8];
    size_t token_len;
    double sent_at;
    /* the observation */
    uint8_t obs_token[8];
    size_t obs_token_len;
    bool obs_answered;
    /* handshakes */
    bool resolving;  /* waits for a place in the handshake window */
    bool hs_counted; /* holds a place in it */
    double hs_start;
    bool ever_connected;
    bool dirty;
    double wake;
} room_t;

static struct {
    const fleet_opts_t *o;
    room_t *rooms;
    unsigned count;
    coap_context_t *ctx;
    coap_address_t addr[FLEET_SERVERS_MAX];
    fleet_stats_t st;
    double t0_mono; /* the shared start, CLOCK_MONOTONIC s */
    double now;     /* real s since t0 */
    FILE *notify_log;
    uint32_t rng;
    unsigned hs_busy; /* handshakes holding a place in the window */
    bool go;          /* --requests: the parent said go */
} W;

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t now_ms(void)
{
    return (uint64_t)(W.now * 1000.0) + 1000000u; /* never 0: the machine starts at 1000 s */
}

/* ---- records ------------------------------------------------------------------ */

static double sim_now(void)
{
    return (double)W.o->clock_start + W.now * W.o->clock_rate;
}

/* Records due by the simulated clock: record k is due at phase + (k-1) * I. */
static uint32_t due(const room_t *r)
{
    const fleet_opts_t *o = W.o;
    if (o->requests > 0) {
        return r->total;
    }
    double since = sim_now() - (double)o->clock_start - r->phase_s;
    if (since < 0) {
        return 0;
    }
    double k = floor(since / o->interval_s) + 1;
    return k >= r->total ? r->total : (uint32_t)k;
}

/* Real time at which record `k` (1-based) is due. */
static double due_at(const room_t *r, uint32_t k)
{
    const fleet_opts_t *o = W.o;
    if (o->requests > 0 || o->clock_rate <= 0) {
        return r->start_at;
    }
    return (r->phase_s + (double)(k - 1) * o->interval_s) / o->clock_rate;
}

static void record_of(const room_t *r, uint64_t id, report_usage_t *u)
{
    const fleet_opts_t *o = W.o;
    memset(u, 0, sizeof *u);
    int64_t end = o->clock_start + (int64_t)r->phase_s + (int64_t)(id - 1) * o->interval_s;
    u->end = end;
    u->start = end - o->interval_s;
    u->calls = fleet_calls(r->n, id);
    u->call_seconds = (uint64_t)u->calls * 300u;
    u->meetings = (uint32_t)((r->n + id) % 3);
    u->meeting_seconds = (uint64_t)u->meetings * 1200u;
    u->share_seconds = (id % 4) * 60u;
    u->people_peak = (uint32_t)((r->n * 7 + id) % 9);
    u->uptime_seconds = o->interval_s;
}

/* The body of a batch from record acked+1, as the device makes it. */
static size_t make_body(room_t *r, char *buf, size_t cap, uint32_t *n_out)
{
    const fleet_opts_t *o = W.o;
    report_writer_t w;
    proto_batch_head_t head = {.gen = o->gen};
    (void)snprintf(head.serial, sizeof head.serial, "%s", r->serial);
    report_batch_open(&w, buf, cap, &head, true);
    uint32_t n = 0;
    for (uint32_t k = r->acked + 1; k <= r->generated && n < o->batch; k++, n++) {
        report_usage_t u;
        record_of(r, k, &u);
        if (report_batch_add_usage(&w, k, &u) != 0) {
            break;
        }
    }
    size_t len = 0;
    if (n == 0 || report_batch_end(&w, &len) != 0) {
        return 0;
    }
    *n_out = n;
    if (o->body_bytes > len + 12 && o->body_bytes < cap) {
        /* pad with a member the collector ignores, before the closing brace */
        len--;
        int k = snprintf(buf + len, cap - len, ",\"pad\":\"");
        len += (size_t)k;
        while (len < o->body_bytes - 2) {
            buf[len++] = 'x';
        }
        buf[len++] = '"';
        buf[len++] = '}';
    }
    return len;
}

/* ---- requests ----------------------------------------------------------------- */

static room_t *room_of(coap_session_t *s)
{
    return s != NULL ? coap_session_get_app_data(s) : NULL;
}

static coap_pdu_t *request(room_t *r, coap_pdu_code_t code, const char *path, uint8_t *tok,
                           size_t *tok_len)
{
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, code, coap_new_message_id(r->session),
                                    coap_session_max_pdu_size(r->session));
    if (pdu == NULL) {
        return NULL;
    }
    coap_session_new_token(r->session, tok_len, tok);
    coap_add_token(pdu, *tok_len, tok);
    const char *p = path;
    while (*p != '\0') {
        while (*p == '/') {
            p++;
        }
        const char *e = p;
        while (*e != '\0' && *e != '/') {
            e++;
        }
        if (e > p) {
            coap_add_option(pdu, COAP_OPTION_URI_PATH, (size_t)(e - p), (const uint8_t *)p);
        }
        p = e;
    }
    return pdu;
}

/* libcoap reads a block-wise body's later blocks from the caller's buffer
 * when it sends them: each request its own copy, freed when libcoap is done
 * (a shared buffer let one room's later blocks carry another's bytes). */
static void release_body(coap_session_t *session, void *copy)
{
    (void)session;
    free(copy);
}

static void send_batch(room_t *r)
{
    static char body[BODY_CAP];
    uint32_t n = 0;
    size_t len = make_body(r, body, sizeof body, &n);
    if (len == 0) {
        return;
    }
    char *copy = malloc(len);
    if (copy == NULL) {
        return;
    }
    memcpy(copy, body, len);
    coap_pdu_t *pdu = request(r, COAP_REQUEST_CODE_POST, W.o->path, r->token, &r->token_len);
    uint8_t cf[4];
    if (pdu == NULL ||
        !coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                         coap_encode_var_safe(cf, sizeof cf, COAP_MEDIATYPE_APPLICATION_JSON),
                         cf)) {
        free(copy);
        coap_delete_pdu(pdu);
        return;
    }
    /* on failure too, libcoap calls release_body */
    if (!coap_add_data_large_request(r->session, pdu, len, (const uint8_t *)copy, release_body,
                                     copy)) {
        coap_delete_pdu(pdu);
        return;
    }
    if (coap_send(r->session, pdu) == COAP_INVALID_MID) {
        return;
    }
    r->in_flight = true;
    r->batch_n = n;
    W.now = mono_s() - W.t0_mono;
    r->sent_at = W.now;
    W.st.requests++;
    W.st.records_sent += n;
    link_sm_event_t ev = {.kind = LINK_EV_SENT};
    link_sm_handle(&r->sm, now_ms(), &ev, &r->pend);
}

static void send_observe(room_t *r)
{
    coap_pdu_t *pdu =
        request(r, COAP_REQUEST_CODE_GET, "/v1/licence", r->obs_token, &r->obs_token_len);
    uint8_t buf[4];
    if (pdu == NULL ||
        !coap_add_option(pdu, COAP_OPTION_OBSERVE,
                         coap_encode_var_safe(buf, sizeof buf, COAP_OBSERVE_ESTABLISH), buf)) {
        coap_delete_pdu(pdu);
        return;
    }
    r->obs_answered = false;
    (void)coap_send(r->session, pdu);
}

static void hs_done(room_t *r)
{
    if (r->hs_counted) {
        r->hs_counted = false;
        W.hs_busy--;
    }
}

/* ---- libcoap's callbacks: record what happened, act in room_step ----------- */

static void feed(room_t *r, link_sm_event_kind_t kind)
{
    link_sm_event_t ev = {.kind = kind};
    /* what the machine asks for (a close after a lost session, say) is
     * carried out in room_step, outside libcoap's callback */
    link_sm_handle(&r->sm, now_ms(), &ev, &r->pend);
    r->dirty = true;
}

static bool same_token(const uint8_t *a, size_t alen, coap_bin_const_t b)
{
    return alen == b.length && alen > 0 && memcmp(a, b.s, alen) == 0;
}

static unsigned max_age_of(const coap_pdu_t *pdu)
{
    coap_opt_iterator_t it;
    coap_opt_t *o = coap_check_option(pdu, COAP_OPTION_MAXAGE, &it);
    return o != NULL ? coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o)) : 60u;
}

static void answered(room_t *r, const coap_pdu_t *rcvd)
{
    coap_pdu_code_t code = coap_pdu_get_code(rcvd);
    unsigned cls = (unsigned)code >> 5, detail = (unsigned)code & 0x1f;
    r->in_flight = false;
    W.now = mono_s() - W.t0_mono; /* callbacks run inside coap_io_process: time moved on */
    fleet_hist_add(W.st.lat, W.now - r->sent_at);
    W.st.active_s = W.now;
    if (W.st.first_answer_s == 0) {
        W.st.first_answer_s = W.now;
    }
    if (cls == 2) {
        size_t len = 0, off = 0, total = 0;
        const uint8_t *data = NULL;
        if (!coap_get_data_large(rcvd, &len, &data, &off, &total)) {
            len = 0;
        }
        uint64_t ids[PROTO_BATCH_MAX];
        size_t n = 0;
        report_ack_kind_t kind;
        uint32_t acked = 0;
        if (report_parse_ack(data, len, ids, PROTO_BATCH_MAX, &n, &kind) == 0) {
            if (kind == REPORT_ACK_ALL) {
                acked = r->batch_n; /* a server that is not ours (coap-server) */
            } else {
                /* ids acked+1 .. acked+batch_n, each must be listed */
                for (uint32_t k = 1; k <= r->batch_n; k++) {
                    bool found = false;
                    for (size_t i = 0; i < n && !found; i++) {
                        found = ids[i] == (uint64_t)r->acked + k;
                    }
                    if (!found) {
                        break;
                    }
                    acked = k;
                }
            }
        }
        r->acked += acked;
        W.st.acked += acked;
        W.st.ok++;
        r->busy_streak = 0;
    } else if (cls == 5 && detail == 3) {
        W.st.busy++;
        r->hold_until = W.now + max_age_of(rcvd);
    } else {
        W.st.refused++;
        r->hold_until = W.now + fw_backoff_ms(++r->busy_streak, fw_rand_next(&W.rng)) / 1000.0;
    }
}

static coap_response_t on_response(coap_session_t *session, const coap_pdu_t *sent,
                                   const coap_pdu_t *rcvd, const coap_mid_t mid)
{
    (void)sent;
    (void)mid;
    room_t *r = room_of(session);
    if (r == NULL) {
        return COAP_RESPONSE_OK;
    }
    coap_bin_const_t tok = coap_pdu_get_token(rcvd);
    if (r->in_flight && same_token(r->token, r->token_len, tok)) {
        answered(r, rcvd);
        feed(r, LINK_EV_RESPONSE);
    } else if (same_token(r->obs_token, r->obs_token_len, tok)) {
        coap_opt_iterator_t it;
        if (r->obs_answered && coap_check_option(rcvd, COAP_OPTION_OBSERVE, &it) != NULL) {
            W.st.notifications++;
            if (W.notify_log != NULL) {
                fprintf(W.notify_log, "%s\n", r->serial);
                fflush(W.notify_log);
            }
        }
        r->obs_answered = true;
        feed(r, LINK_EV_RESPONSE);
    }
    return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *session, const coap_pdu_t *sent,
                    const coap_nack_reason_t reason, const coap_mid_t mid)
{
    (void)mid;
    room_t *r = room_of(session);
    if (r == NULL || sent == NULL) {
        return;
    }
    coap_bin_const_t tok = coap_pdu_get_token(sent);
    bool timeout = reason == COAP_NACK_TOO_MANY_RETRIES;
    if (r->in_flight && same_token(r->token, r->token_len, tok)) {
        r->in_flight = false;
        if (timeout) {
            W.st.timeouts++;
        } else {
            W.st.lost_sessions++;
        }
    } else if (same_token(r->obs_token, r->obs_token_len, tok)) {
        feed(r, LINK_EV_OBSERVE_LOST);
    }
    feed(r, timeout ? LINK_EV_TIMEOUT : LINK_EV_SESSION_LOST);
}

static int on_event(coap_session_t *session, const coap_event_t event)
{
    room_t *r = room_of(session);
    if (r == NULL || session != r->session) {
        return 0;
    }
    switch (event) {
    case COAP_EVENT_DTLS_CONNECTED:
        W.now = mono_s() - W.t0_mono;
        hs_done(r);
        W.st.connected++;
        fleet_hist_add(W.st.hs, W.now - r->hs_start);
        if (!r->ever_connected) {
            r->ever_connected = true;
            W.st.first_connected++;
            W.st.first_connect_s = W.now;
        }
        feed(r, LINK_EV_CONNECTED);
        break;
    case COAP_EVENT_DTLS_CLOSED:
    case COAP_EVENT_DTLS_ERROR:
    case COAP_EVENT_SESSION_FAILED:
        if (r->sm.state == LINK_SM_CONNECTING) {
            W.st.handshake_failures++;
        }
        hs_done(r);
        feed(r, LINK_EV_SESSION_LOST);
        break;
    default: break;
    }
    return 0;
}

/* ---- a room's turn -------------------------------------------------------------- */

static void release(room_t *r)
{
    hs_done(r);
    if (r->session != NULL) {
        /* libcoap 4.3.1 frees a released client session while a message
         * of it still waits in the context's send queue for an ACK that
         * will not come (after an ICMP error, say), and then reads it:
         * coap_session_disconnected() empties that queue first. */
        coap_session_set_app_data(r->session, NULL);
        coap_session_disconnected(r->session, COAP_NACK_NOT_DELIVERABLE);
        coap_session_release(r->session);
        r->session = NULL;
    }
    if (r->in_flight) {
        r->in_flight = false;
        W.st.lost_sessions++;
    }
}

static void connect_to(room_t *r, uint32_t addr, link_sm_out_t *out)
{
    const fleet_opts_t *o = W.o;
    /* the rooms' lists start at different collectors, as with DNS round robin */
    unsigned i = (addr + r->n) % o->n_servers;
    r->hs_start = W.now;
    r->hs_counted = true;
    W.hs_busy++;
    W.st.handshakes++;
    r->session = link_coap_session_psk(W.ctx, &W.addr[i], r->serial, (const uint8_t *)r->key,
                                       strlen(r->key));
    if (r->session == NULL) {
        hs_done(r);
        W.st.handshake_failures++;
        link_sm_event_t ev = {.kind = LINK_EV_CONNECT_FAILED};
        link_sm_handle(&r->sm, now_ms(), &ev, out);
        return;
    }
    coap_session_set_app_data(r->session, r);
    coap_fixed_point_t t = {o->ack_timeout_ms / 1000u, o->ack_timeout_ms % 1000u};
    coap_session_set_ack_timeout(r->session, t);
    coap_session_set_max_retransmit(r->session, o->max_retransmit);
}

/* The "name lookup" of the rooms: answered at once, or when the handshake
 * window (--handshake-window) has room. */
static void resolved(room_t *r, link_sm_out_t *out)
{
    if (r->resolving && r->sm.state == LINK_SM_RESOLVING &&
        (W.o->hs_window == 0 || W.hs_busy < W.o->hs_window)) {
        r->resolving = false;
        link_sm_event_t ev = {.kind = LINK_EV_RESOLVED, .n_addrs = W.o->n_servers};
        link_sm_handle(&r->sm, now_ms(), &ev, out);
    } else if (r->sm.state != LINK_SM_RESOLVING) {
        r->resolving = false;
    }
}

static bool room_done(const room_t *r)
{
    return r->generated == r->total && r->acked == r->total && !r->in_flight;
}

static void room_step(room_t *r)
{
    r->dirty = false;
    if (W.now < r->start_at) {
        r->wake = r->start_at;
        return;
    }
    if (W.o->storm && !r->sm.armed && r->sm.stats.handshakes == 0) {
        /* the first handshake at the start instant, without the device's jitter */
        r->sm.armed = true;
        r->sm.next_ms = now_ms();
    }
    r->generated = due(r);
    bool work = r->acked < r->generated && W.now >= r->hold_until && !r->in_flight;
    bool busy = work || r->in_flight;
    if (W.o->requests > 0 && !W.go) {
        /* connect, then wait (the session kept) for every room of every worker */
        work = r->acked < r->generated && r->sm.state != LINK_SM_UP;
        busy = true;
    }
    link_sm_event_t tick = {.kind = LINK_EV_TICK, .work = work, .busy = busy};
    link_sm_out_t out = r->pend;
    memset(&r->pend, 0, sizeof r->pend);
    link_sm_handle(&r->sm, now_ms(), &tick, &out);
    resolved(r, &out);
    for (int round = 0; round < RUN_ROUNDS && out.act != 0; round++) {
        link_sm_out_t o = out;
        memset(&out, 0, sizeof out);
        if (o.act & LINK_ACT_CLOSE) {
            release(r);
        }
        if (o.act & LINK_ACT_RESOLVE) {
            r->resolving = true; /* answered when the window has room */
        }
        resolved(r, &out);
        if (o.act & LINK_ACT_CONNECT) {
            connect_to(r, o.addr, &out);
        }
        if ((o.act & LINK_ACT_SEND) && r->session != NULL && !r->in_flight &&
            r->acked < r->generated && W.now >= r->hold_until && (W.go || W.o->requests == 0)) {
            send_batch(r);
        }
        if ((o.act & LINK_ACT_OBSERVE) && r->session != NULL) {
            send_observe(r);
        }
    }
    /* When to look again: soon while something is under way, else at the
     * next record, the end of a hold, or the machine's next attempt. */
    double wake = W.now + 0.05;
    if (r->resolving || r->sm.state == LINK_SM_RESOLVING) {
        wake = W.now + 0.002; /* a place in the window may free any moment */
    } else if (r->sm.state == LINK_SM_IDLE && !r->in_flight) {
        wake = r->generated < r->total ? due_at(r, r->generated + 1) : W.now + 1.0;
        if (r->acked < r->generated && r->hold_until > W.now) {
            wake = r->hold_until < wake ? r->hold_until : wake;
        }
        if (r->sm.armed) {
            double next = ((double)r->sm.next_ms - 1000000.0) / 1000.0;
            wake = next < wake ? next : wake;
        }
    } else if (r->sm.state == LINK_SM_UP && !r->in_flight && r->acked == r->generated) {
        double next = r->generated < r->total ? due_at(r, r->generated + 1) : W.now + 1.0;
        wake = next < W.now + 1.0 ? next : W.now + 1.0; /* idle close is checked each second */
    }
    r->wake = wake;
}

/* ---- the worker ------------------------------------------------------------------ */

static int resolve(const fleet_server_t *s, coap_address_t *out)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *res = NULL;
    char port[8];
    (void)snprintf(port, sizeof port, "%u", s->port);
    if (getaddrinfo(s->host, port, &hints, &res) != 0 || res == NULL) {
        fprintf(stderr, "spark-fleetsim: cannot resolve '%s'\n", s->host);
        return FW_E_NET;
    }
    coap_address_init(out);
    memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
    out->size = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void snapshot(int fd)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    W.st.cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    W.st.generated = 0;
    for (unsigned i = 0; i < W.count; i++) {
        W.st.generated += W.rooms[i].generated;
    }
    const char *p = (const char *)&W.st;
    size_t left = sizeof W.st;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n <= 0 && errno != EINTR) {
            return;
        }
        if (n > 0) {
            p += n;
            left -= (size_t)n;
        }
    }
}

/* --requests: tell the parent when every room is up, start at its byte. */
static void barrier(int fd, int go_fd)
{
    if (W.o->requests == 0 || W.go) {
        W.go = true;
        return;
    }
    if (!W.st.ready && W.st.first_connected == W.count) {
        W.st.ready = true;
        snapshot(fd);
    }
    char b;
    if (W.st.ready && read(go_fd, &b, 1) == 1) {
        W.go = true;
        W.st.go_s = mono_s() - W.t0_mono;
        for (unsigned i = 0; i < W.count; i++) {
            W.rooms[i].dirty = true;
        }
    }
}

static void raise_fd_limit(unsigned need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need + 64) {
        rl.rlim_cur = rl.rlim_max < need + 64 ? rl.rlim_max : need + 64;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int fleet_worker(const fleet_opts_t *o, unsigned first, unsigned count, int fd, int go_fd)
{
    memset(&W, 0, sizeof W);
    W.o = o;
    W.count = count;
    W.rng = o->seed ^ (first * 2654435761u);
    raise_fd_limit(count + 16);
    W.rooms = calloc(count, sizeof *W.rooms);
    if (W.rooms == NULL) {
        return 1;
    }
    for (unsigned i = 0; i < o->n_servers; i++) {
        if (resolve(&o->server[i], &W.addr[i]) != 0) {
            return 1;
        }
    }
    if (o->notify_log != NULL) {
        W.notify_log = fopen(o->notify_log, "a");
    }
    if (link_coap_init() != 0) {
        fprintf(stderr, "spark-fleetsim: libcoap without DTLS\n");
        return 1;
    }
    link_coap_opts_t lo = {0};
    W.ctx = link_coap_context_new(&lo);
    if (W.ctx == NULL) {
        return 1;
    }
    coap_register_response_handler(W.ctx, on_response);
    coap_register_nack_handler(W.ctx, on_nack);
    coap_register_event_handler(W.ctx, on_event);

    double sim_span = o->requests > 0 || o->clock_rate <= 0 ? 0 : o->duration_s / o->clock_rate;
    for (unsigned i = 0; i < count; i++) {
        room_t *r = &W.rooms[i];
        r->n = first + i;
        fleet_serial(o, r->n, r->serial, sizeof r->serial);
        if (o->key != NULL) {
            (void)snprintf(r->key, sizeof r->key, "%s", o->key);
        } else {
            fleet_psk(o, r->serial, r->key, sizeof r->key);
        }
        uint32_t rnd = fw_rand_next(&W.rng);
        r->phase_s = o->requests > 0 ? 0 : (double)(rnd % (o->interval_s * 1000u)) / 1000.0;
        if (o->requests > 0) {
            r->total = o->requests;
        } else {
            r->total = (uint32_t)ceil((o->duration_s - r->phase_s) / o->interval_s);
        }
        r->start_at = o->start_spread_s > 0
                          ? (double)(fw_rand_next(&W.rng) % 1000000u) / 1e6 * o->start_spread_s
                          : 0;
        link_sm_config_t sc = {
            .idle_close_ms = o->idle_close_ms,
            .connect_timeout_ms = o->connect_timeout_ms,
            .rand_seed = fw_rand_next(&W.rng) | 1u,
        };
        link_sm_init(&r->sm, &sc);
        if (o->observe) {
            link_sm_event_t ev = {.kind = LINK_EV_OBSERVE, .on = true};
            link_sm_handle(&r->sm, 1000000u, &ev, &r->pend);
        }
        r->dirty = true;
    }

    /* everyone starts at the parent's instant: one simulated clock */
    W.t0_mono = o->t0 > 0 ? o->t0 : mono_s();
    double deadline = sim_span + o->start_spread_s + o->drain_s;
    fcntl(go_fd, F_SETFL, O_NONBLOCK);
    double next_snap = 0;
    for (;;) {
        W.now = mono_s() - W.t0_mono;
        double soonest = W.now + 0.05;
        unsigned done = 0;
        for (unsigned i = 0; i < count; i++) {
            room_t *r = &W.rooms[i];
            if (r->dirty || W.now >= r->wake) {
                room_step(r);
            }
            soonest = r->wake < soonest ? r->wake : soonest;
            done += room_done(r);
        }
        if (done == count || W.now > deadline + W.st.go_s) {
            break;
        }
        barrier(fd, go_fd);
        if (W.now >= next_snap) {
            next_snap = W.now + SNAPSHOT_S;
            snapshot(fd);
        }
        double wait = soonest - W.now;
        uint32_t ms = wait <= 0 ? 1 : wait > 0.05 ? 50 : (uint32_t)(wait * 1000) + 1;
        coap_io_process(W.ctx, ms);
    }
    /* the end: release every session (close_notify) */
    for (unsigned i = 0; i < count; i++) {
        release(&W.rooms[i]);
    }
    for (int i = 0; i < 4; i++) {
        coap_io_process(W.ctx, COAP_IO_NO_WAIT);
    }
    W.st.finished = true;
    snapshot(fd);
    fleet_room_end_t *ends = calloc(count, sizeof *ends);
    if (ends != NULL) {
        for (unsigned i = 0; i < count; i++) {
            ends[i].generated = W.rooms[i].generated;
            ends[i].acked = W.rooms[i].acked;
        }
        const char *p = (const char *)ends;
        size_t left = count * sizeof *ends;
        while (left > 0) {
            ssize_t n = write(fd, p, left);
            if (n <= 0 && errno != EINTR) {
                break;
            }
            if (n > 0) {
                p += n;
                left -= (size_t)n;
            }
        }
        free(ends);
    }
    coap_free_context(W.ctx);
    coap_cleanup();
    if (W.notify_log != NULL) {
        fclose(W.notify_log);
    }
    free(W.rooms);
    return 0;
}
