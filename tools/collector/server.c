/*
 * spark-collector serve: the libcoap DTLS-PSK server. Thin: it moves bytes
 * between libcoap, the pure payload module (payload.c) and the database
 * (db.c). Decisions live in payload.c.
 *
 * Bounds: request bodies are reassembled here, block by block, into at most
 * COLLECTOR_BODY_MAX bytes per session (libcoap's own single-body mode would
 * grow without a limit in 4.3.1); concurrent handshakes and idle sessions
 * are capped on the context; the licence observers are polled once a second.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <coap3/coap.h>

#include "cli.h"
#include "collector/payload.h"
#include "db.h"
#include "db_trial.h"
#include "fw/err.h"
#include "licence/licence.h"
#include "link/coap_io.h"
#include "now.h"

#define FW_LOG_TAG "collector"
#include "fw/file.h"
#include "fw/log.h"
#include "fw/zeroize.h"

#define MAX_HANDSHAKES 128u
#define MAX_IDLE_SESSIONS 4096u

typedef struct {
    cdb_t db;
    licence_key_t key;
    coap_context_t *ctx;
    coap_resource_t *licence_res;
    uint8_t psk[64];
    coap_bin_const_t psk_out;
    int64_t licence_version;
    uint64_t refuse_id; /* test aid --test-refuse-id: refuse the record with this id (0: none) */
} server_t;

/* Per-session reassembly of a block-wise request body. */
typedef struct {
    char path[16];
    size_t len;
    uint8_t buf[COLLECTOR_BODY_MAX];
} session_body_t;

/* Per-session state: created when a client offers an identity, freed when
 * libcoap deletes the session. A handshake that never completes (a wrong
 * PSK: DTLS silently drops the records it cannot decrypt) is logged then. */
typedef struct session_state {
    bool connected;
    char identity[65];
    session_body_t *body;              /* only while a block-wise body is arriving */
    struct session_state *prev, *next; /* s_states: freed at exit if libcoap did not */
} session_state_t;

static session_state_t *s_states;

static session_state_t *session_state(coap_session_t *session)
{
    session_state_t *st = coap_session_get_app_data(session);
    if (st == NULL) {
        st = calloc(1, sizeof *st);
        if (st != NULL) {
            st->next = s_states;
            if (s_states != NULL) {
                s_states->prev = st;
            }
            s_states = st;
            coap_session_set_app_data(session, st);
        }
    }
    return st;
}

static void session_state_free(session_state_t *st)
{
    if (st->prev != NULL) {
        st->prev->next = st->next;
    } else {
        s_states = st->next;
    }
    if (st->next != NULL) {
        st->next->prev = st->prev;
    }
    free(st->body);
    free(st);
}

static volatile sig_atomic_t s_stop;

static void on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static server_t *server_of(coap_session_t *session)
{
    return coap_get_app_data(coap_session_get_context(session));
}

/* Identity bytes as a printable string for logs and lookups. */
static bool identity_text(const coap_bin_const_t *id, char *out, size_t cap)
{
    if (id == NULL || id->length == 0 || id->length >= cap) {
        (void)snprintf(out, cap, "(invalid)");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < id->length; i++) {
        unsigned char ch = id->s[i];
        ok = ok && ch >= 0x20 && ch <= 0x7e;
        out[i] = (ch >= 0x20 && ch <= 0x7e) ? (char)ch : '?';
    }
    out[id->length] = '\0';
    return ok;
}

static const char *peer(coap_session_t *session, char *buf, size_t cap)
{
    const coap_address_t *a = coap_session_get_addr_remote(session);
    if (a == NULL || coap_print_addr(a, (unsigned char *)buf, cap) == 0) {
        (void)snprintf(buf, cap, "?");
    }
    return buf;
}

/* libcoap asks for the PSK of a client's identity: enrolled devices only. */
static const coap_bin_const_t *psk_for_identity(coap_bin_const_t *identity, coap_session_t *session,
                                                void *arg)
{
    server_t *s = arg;
    char id[65], who[64];
    cdb_device_t d;
    if (!identity_text(identity, id, sizeof id) || cdb_device_by_identity(&s->db, id, &d) != 0) {
        FW_LOGW("handshake refused from %s: unknown PSK identity '%s'",
                peer(session, who, sizeof who), id);
        return NULL;
    }
    session_state_t *st = session_state(session);
    if (st != NULL) {
        (void)snprintf(st->identity, sizeof st->identity, "%s", id);
    }
    memcpy(s->psk, d.psk, d.psk_len);
    s->psk_out.s = s->psk;
    s->psk_out.length = d.psk_len;
    fw_zeroize(d.psk, sizeof d.psk);
    FW_LOGD("handshake from %s: identity '%s' (device %s)", peer(session, who, sizeof who), id,
            d.serial);
    return &s->psk_out;
}

static int on_event(coap_session_t *session, const coap_event_t event)
{
    char who[64];
    if (event == COAP_EVENT_DTLS_ERROR) {
        FW_LOGW("DTLS handshake failed with %s (wrong PSK or unknown identity)",
                peer(session, who, sizeof who));
    } else if (event == COAP_EVENT_DTLS_CONNECTED) {
        session_state_t *st = session_state(session);
        if (st != NULL) {
            st->connected = true;
        }
    } else if (event == COAP_EVENT_SERVER_SESSION_DEL) {
        session_state_t *st = coap_session_get_app_data(session);
        if (st != NULL && !st->connected && st->identity[0] != '\0') {
            FW_LOGW("DTLS handshake with %s (identity '%s') never completed: wrong PSK?",
                    peer(session, who, sizeof who), st->identity);
        }
        if (st != NULL) {
            session_state_free(st);
        }
        coap_session_set_app_data(session, NULL);
    }
    return 0;
}

static void free_body(coap_session_t *session, void *app_ptr)
{
    (void)session;
    free(app_ptr);
}

/* Answer with `code` and an optional JSON body (copied). */
static void respond(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                    const coap_string_t *query, coap_pdu_t *response, int code, const char *body)
{
    coap_pdu_set_code(response, COAP_RESPONSE_CODE(code));
    if (body == NULL) {
        return;
    }
    size_t n = strlen(body);
    char *copy = malloc(n + 1);
    if (copy == NULL) {
        return;
    }
    memcpy(copy, body, n + 1);
    if (!coap_add_data_large_response(res, session, request, response, query,
                                      COAP_MEDIATYPE_APPLICATION_JSON, -1, 0, n,
                                      (const uint8_t *)copy, free_body, copy)) {
        free(copy);
    }
}

static void refuse(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                   const coap_string_t *query, coap_pdu_t *response, const char *what,
                   const collector_err_t *err)
{
    char who[64], id[65];
    identity_text(coap_session_get_psk_identity(session), id, sizeof id);
    FW_LOGW("%s from %s (identity '%s') refused %d.%02d: %s", what, peer(session, who, sizeof who),
            id, err->coap / 100, err->coap % 100, err->reason);
    char body[256];
    if (collector_build_error(err->reason, collector_now(), body, sizeof body) < 0) {
        (void)snprintf(body, sizeof body, "{}");
    }
    respond(res, session, request, query, response, err->coap, body);
}

/* The device behind the session's PSK identity. */
static int session_device(coap_session_t *session, cdb_device_t *d, collector_err_t *err)
{
    char id[65];
    if (!identity_text(coap_session_get_psk_identity(session), id, sizeof id) ||
        cdb_device_by_identity(&server_of(session)->db, id, d) != 0) {
        err->coap = COLLECTOR_COAP_FORBIDDEN;
        (void)snprintf(err->reason, sizeof err->reason, "identity '%s': not enrolled", id);
        return FW_E_NOENT;
    }
    fw_zeroize(d->psk, sizeof d->psk); /* the handlers need the serial, not the PSK */
    return 0;
}

/* Collects a (possibly block-wise) body. Returns 1 with the whole body in
 * body and len, 0 after answering 2.31 Continue, -1 after a refusal. */
static int collect_body(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t *query, coap_pdu_t *response, const char *path,
                        const uint8_t **body, size_t *len)
{
    collector_err_t err = {0};
    coap_opt_iterator_t it;
    coap_opt_t *cf_opt = coap_check_option(request, COAP_OPTION_CONTENT_FORMAT, &it);
    unsigned cf =
        cf_opt != NULL ? coap_decode_var_bytes(coap_opt_value(cf_opt), coap_opt_length(cf_opt)) : 0;
    size_t n = 0, offset = 0, total = 0;
    const uint8_t *data = NULL;
    if (!coap_get_data_large(request, &n, &data, &offset, &total)) {
        n = offset = total = 0;
    }
    coap_block_b_t b1;
    bool blockwise = coap_get_block_b(session, request, COAP_OPTION_BLOCK1, &b1) != 0;
    size_t seen = offset + n;
    if (collector_check_request(cf_opt != NULL, cf, total > seen ? total : seen, &err) != 0) {
        refuse(res, session, request, query, response, path, &err);
        return -1;
    }
    if (!blockwise) {
        *body = data;
        *len = n;
        return 1;
    }
    session_state_t *st = session_state(session);
    session_body_t *sb = st != NULL ? st->body : NULL;
    if (sb == NULL) {
        sb = st != NULL ? calloc(1, sizeof *sb) : NULL;
        if (sb == NULL) {
            err.coap = COLLECTOR_COAP_INTERNAL;
            (void)snprintf(err.reason, sizeof err.reason, "out of memory");
            refuse(res, session, request, query, response, path, &err);
            return -1;
        }
        st->body = sb;
    }
    if (offset == 0) {
        sb->len = 0;
        (void)snprintf(sb->path, sizeof sb->path, "%s", path);
    }
    if (offset != sb->len || strcmp(sb->path, path) != 0) {
        sb->len = 0;
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_INCOMPLETE);
        FW_LOGW("%s: block at offset %zu out of order, refused 4.08", path, offset);
        return -1;
    }
    memcpy(sb->buf + sb->len, data, n); /* seen <= COLLECTOR_BODY_MAX checked above */
    sb->len += n;
    if (b1.m) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_CONTINUE);
        return 0;
    }
    /* The body stays in sb until the handler is done with it; the next
     * block-wise request of the session starts again at offset 0. */
    *body = sb->buf;
    *len = sb->len;
    sb->len = 0;
    return 1;
}

typedef enum { POST_PROV, POST_USAGE, POST_EVENTS } post_kind_t;

/* Test aid: a batch holding the id given to --test-refuse-id is refused as
 * malformed (4.00), the way a collector with a stricter rule than the
 * device's would refuse one record, so tests can show the device sets it
 * aside and reports everything behind it. */
static int refuse_test_id(const server_t *s, const uint64_t *ids, size_t n, const char *what,
                          collector_err_t *err)
{
    for (size_t i = 0; s->refuse_id != 0 && i < n; i++) {
        if (ids[i] == s->refuse_id) {
            err->coap = COLLECTOR_COAP_BAD_REQUEST;
            (void)snprintf(err->reason, sizeof err->reason,
                           "%s[%zu].id: %llu refused (--test-refuse-id)", what, i,
                           (unsigned long long)ids[i]);
            return FW_E_FORMAT;
        }
    }
    return 0;
}

static void handle_post(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t *query, coap_pdu_t *response, post_kind_t kind,
                        const char *path)
{
    server_t *s = server_of(session);
    const uint8_t *body;
    size_t len;
    if (collect_body(res, session, request, query, response, path, &body, &len) != 1) {
        return;
    }
    collector_err_t err = {0};
    cdb_device_t d;
    if (session_device(session, &d, &err) != 0) {
        refuse(res, session, request, query, response, path, &err);
        return;
    }
    int64_t now = collector_now();
    char out[COLLECTOR_RECORDS_MAX * 24 + 64];
    int rc;
    uint64_t ids[COLLECTOR_RECORDS_MAX];
    size_t n_ids = 0;
    if (kind == POST_PROV) {
        collector_prov_t p;
        rc = collector_parse_prov((const char *)body, len, d.serial, &p, &err);
        if (rc == 0) {
            rc = cdb_store_prov(&s->db, &p, now);
            FW_LOGI("%s: provisioning stored (fw %s, licence %s)", d.serial, p.fw_version,
                    p.licence_state);
        }
    } else if (kind == POST_USAGE) {
        static collector_usage_t u; /* large; the server is single-threaded */
        rc = collector_parse_usage((const char *)body, len, d.serial, &u, &err);
        for (size_t i = 0; rc == 0 && i < u.n; i++) {
            ids[n_ids++] = u.rec[i].id;
        }
        if (rc == 0 && (rc = refuse_test_id(s, ids, n_ids, "records", &err)) == 0 &&
            (rc = cdb_store_usage(&s->db, &u, now)) == 0) {
            FW_LOGI("%s: %zu usage record(s) stored or already stored", d.serial, u.n);
        }
    } else {
        static collector_events_t e;
        rc = collector_parse_events((const char *)body, len, d.serial, &e, &err);
        for (size_t i = 0; rc == 0 && i < e.n; i++) {
            ids[n_ids++] = e.ev[i].id;
        }
        if (rc == 0 && (rc = refuse_test_id(s, ids, n_ids, "events", &err)) == 0 &&
            (rc = cdb_store_events(&s->db, &e, now)) == 0) {
            FW_LOGI("%s: %zu event(s) stored or already stored", d.serial, e.n);
        }
    }
    if (rc != 0 && err.coap != 0) {
        refuse(res, session, request, query, response, path, &err);
        return;
    }
    if (rc != 0) {
        err.coap = COLLECTOR_COAP_INTERNAL;
        (void)snprintf(err.reason, sizeof err.reason, "storage failed (%s)", fw_strerror(rc));
        refuse(res, session, request, query, response, path, &err);
        return;
    }
    (void)cdb_touch(&s->db, d.serial, now);
    if (kind == POST_PROV) {
        (void)snprintf(out, sizeof out, "{\"server_time\":%lld}", (long long)now);
    } else if (collector_build_ack(ids, n_ids, now, out, sizeof out) < 0) {
        out[0] = '\0';
    }
    respond(res, session, request, query, response, COLLECTOR_COAP_CHANGED,
            out[0] != '\0' ? out : NULL);
}

static void hnd_prov(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *rq,
                     const coap_string_t *q, coap_pdu_t *rs)
{
    handle_post(r, s, rq, q, rs, POST_PROV, "/v1/prov");
}

static void hnd_usage(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *rq,
                      const coap_string_t *q, coap_pdu_t *rs)
{
    handle_post(r, s, rq, q, rs, POST_USAGE, "/v1/usage");
}

static void hnd_events(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *rq,
                       const coap_string_t *q, coap_pdu_t *rs)
{
    handle_post(r, s, rq, q, rs, POST_EVENTS, "/v1/events");
}

static void hnd_licence(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t *query, coap_pdu_t *response)
{
    server_t *s = server_of(session);
    collector_err_t err = {0};
    cdb_device_t d;
    if (session_device(session, &d, &err) != 0) {
        refuse(res, session, request, query, response, "/v1/licence", &err);
        return;
    }
    int64_t now = collector_now();
    (void)cdb_touch(&s->db, d.serial, now);
    collector_licence_t l;
    bool has_iat = false;
    int rc = cdb_licence_get(&s->db, d.serial, &l, &has_iat);
    char body[LICENCE_TOKEN_MAX + 64];
    if (rc == FW_E_NOENT) {
        (void)snprintf(body, sizeof body, "{\"server_time\":%lld}", (long long)now);
        respond(res, session, request, query, response, COLLECTOR_COAP_NOT_FOUND, body);
        return;
    }
    if (rc == 0 && !has_iat) {
        /* The issue instant is fixed the first time this seq is served, so
         * every later copy of it is byte-identical (deterministic ES256). */
        l.iat = now;
        rc = cdb_licence_set_iat(&s->db, d.serial, l.seq, now);
    }
    static char claims[4096], token[LICENCE_TOKEN_MAX];
    size_t tlen = 0;
    int n = rc == 0 ? collector_build_claims(&l, claims, sizeof claims) : rc;
    if (n < 0 || licence_sign_claims(&s->key, claims, (size_t)n, token, sizeof token, &tlen) != 0 ||
        collector_build_licence_body(token, now, body, sizeof body) < 0) {
        FW_LOGE("%s: cannot issue the licence (%s)", d.serial,
                fw_strerror(n < 0 ? n : FW_E_CRYPTO));
        respond(res, session, request, query, response, COLLECTOR_COAP_INTERNAL, NULL);
        return;
    }
    FW_LOGI("%s: licence seq %u (%s) served", d.serial, (unsigned)l.seq, l.paid ? "paid" : "trial");
    (void)cdb_licence_served(&s->db, d.serial, l.seq, now); /* `admin trial`: sent or not */
    respond(res, session, request, query, response, COLLECTOR_COAP_CONTENT, body);
}

static void usage_serve(FILE *f)
{
    fprintf(f, "usage: spark-collector serve --db FILE --listen ADDR:PORT --licence-key PEM\n"
               "                             " COLLECTOR_NOW_USAGE "\n"
               "  ADDR:PORT  e.g. 127.0.0.1:5684 or [::1]:5684 (DTLS-PSK)\n"
               "  --clock-*  the simulated clock of a demo or test, as the host board takes\n"
               "             it (start, simulated seconds per real second > 0, the real\n"
               "             unix ms at which it shows start); default: real time\n"
               "  test aid: --test-refuse-id ID  refuse (4.00) any batch holding record or\n"
               "            event ID, as a collector with a stricter rule would\n");
}

static coap_resource_t *add_resource(coap_context_t *ctx, const char *path, coap_request_t method,
                                     coap_method_handler_t h)
{
    coap_resource_t *r = coap_resource_init(coap_make_str_const(path), 0);
    if (r != NULL) {
        coap_register_request_handler(r, method, h);
        coap_add_resource(ctx, r);
    }
    return r;
}

static int serve(server_t *s, const coap_address_t *addr, const char *listen)
{
    s->ctx = coap_new_context(NULL);
    if (s->ctx == NULL) {
        FW_LOGE("cannot create the CoAP context");
        return CLI_FAIL;
    }
    coap_set_app_data(s->ctx, s);
    coap_context_set_block_mode(s->ctx, COAP_BLOCK_USE_LIBCOAP);
    coap_context_set_max_handshake_sessions(s->ctx, MAX_HANDSHAKES);
    coap_context_set_max_idle_sessions(s->ctx, MAX_IDLE_SESSIONS);
    coap_register_event_handler(s->ctx, on_event);
    if (link_coap_listen_psk(s->ctx, addr, psk_for_identity, s) != 0) {
        FW_LOGE("cannot listen on %s (DTLS)", listen);
        return CLI_FAIL;
    }
    add_resource(s->ctx, "v1/prov", COAP_REQUEST_POST, hnd_prov);
    add_resource(s->ctx, "v1/usage", COAP_REQUEST_POST, hnd_usage);
    add_resource(s->ctx, "v1/events", COAP_REQUEST_POST, hnd_events);
    s->licence_res = add_resource(s->ctx, "v1/licence", COAP_REQUEST_GET, hnd_licence);
    if (s->licence_res == NULL) {
        return CLI_FAIL;
    }
    coap_resource_set_get_observable(s->licence_res, 1);
    (void)cdb_licence_version(&s->db, &s->licence_version);

    FW_LOGI("listening on %s (DTLS-PSK)%s", listen,
            collector_now_simulated() ? ", on the simulated clock (log times are simulated)" : "");
    struct timespec last;
    clock_gettime(CLOCK_MONOTONIC, &last);
    while (!s_stop) {
        int r = coap_io_process(s->ctx, 250);
        if (r < 0 && !s_stop) {
            FW_LOGE("coap_io_process failed");
            return CLI_FAIL;
        }
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec != last.tv_sec) {
            last = t;
            int64_t v;
            if (cdb_licence_version(&s->db, &v) == 0 && v != s->licence_version) {
                s->licence_version = v;
                FW_LOGI("licences changed (version %lld): notifying observers", (long long)v);
                coap_resource_notify_observers(s->licence_res, NULL);
            }
        }
    }
    FW_LOGI("stopping");
    return CLI_OK;
}

int collector_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"licence-key", required_argument, NULL, 'k'},
        {"clock-start", required_argument, NULL, 's'},
        {"clock-rate", required_argument, NULL, 's'},
        {"clock-anchor", required_argument, NULL, 's'},
        {"test-refuse-id", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *listen = NULL, *keyfile = NULL;
    uint64_t refuse_id = 0;
    int c, at = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, &at)) != -1) {
        char *end;
        switch (c) {
        case 'd': db = optarg; break;
        case 'l': listen = optarg; break;
        case 'k': keyfile = optarg; break;
        case 's':
            if (collector_now_option("serve", opts[at].name, optarg) != CLI_OK) {
                return CLI_USAGE;
            }
            break;
        case 't':
            errno = 0;
            refuse_id = strtoull(optarg, &end, 10);
            if (errno || *end != '\0' || optarg[0] < '1' || optarg[0] > '9' ||
                refuse_id > COLLECTOR_ID_MAX) {
                fprintf(stderr, "spark-collector serve: --test-refuse-id: expected a record id "
                                "from 1 to 9007199254740991\n");
                return CLI_USAGE;
            }
            break;
        case 'h': usage_serve(stdout); return CLI_OK;
        default: usage_serve(stderr); return CLI_USAGE;
        }
    }
    if (db == NULL || listen == NULL || keyfile == NULL || optind != argc) {
        fprintf(stderr, "spark-collector serve: --db, --listen and --licence-key are required\n");
        usage_serve(stderr);
        return CLI_USAGE;
    }
    static server_t s; /* holds the licence key; static keeps it off the stack */
    memset(&s, 0, sizeof s);
    s.refuse_id = refuse_id;
    collector_now_start();
    coap_address_t addr;
    if (link_coap_parse_listen(listen, &addr) != 0) {
        fprintf(stderr, "spark-collector serve: --listen: expected ADDR:PORT, e.g. "
                        "127.0.0.1:5684 or [::1]:5684\n");
        return CLI_USAGE;
    }
    size_t klen;
    uint8_t *pem = NULL;
    int rc = fw_file_read(keyfile, LICENCE_PEM_MAX, &pem, &klen);
    if (rc != 0) {
        fprintf(stderr, "spark-collector: cannot read licence key '%s': %s\n", keyfile,
                fw_file_error(rc));
        return CLI_USAGE;
    }
    rc = licence_key_load(&s.key, (const char *)pem, klen + 1);
    if (rc != 0) {
        rc = licence_key_load(&s.key, (const char *)pem, klen); /* DER: no terminator */
    }
    fw_zeroize(pem, klen);
    free(pem);
    if (rc != 0) {
        fprintf(stderr, "spark-collector serve: --licence-key: not a P-256 private key (%s)\n",
                fw_strerror(rc));
        licence_key_free(&s.key);
        return CLI_USAGE;
    }
    if (cdb_open(&s.db, db) != 0) {
        licence_key_free(&s.key);
        return CLI_FAIL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* libcoap started as on the device: its log lines at warning level into
     * our log, tagged "libcoap" */
    int ret = link_coap_init() == 0 ? serve(&s, &addr, listen) : CLI_FAIL;
    if (s.ctx != NULL) {
        coap_free_context(s.ctx);
    }
    coap_cleanup();
    while (s_states != NULL) {
        session_state_free(s_states);
    }
    cdb_close(&s.db);
    licence_key_free(&s.key);
    return ret;
}
