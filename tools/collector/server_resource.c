/*
 * spark-collector serve, the CoAP resources: v1/prov, v1/usage and v1/events
 * (block-wise bodies reassembled per session, handed to the writer thread or
 * stored at once, answered piggybacked or separately after the commit) and
 * v1/licence (signed tokens, observed). server.c's header says why answers
 * wait for the commit.
 */
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coap3/coap.h>

#include "collector/payload.h"
#include "db.h"
#include "fw/err.h"
#include "ingest.h"
#include "server_priv.h"

#define FW_LOG_TAG "collector"
#include "fw/log.h"
#include "fw/iso8601.h"
#include "fw/zeroize.h"
#include "licence/licence.h"
#include "link/coap_io.h"

/* A separate response carries its ack in one datagram: larger ones (many
 * long ids) are answered in the ACK after a commit of their own. */
#define SEPARATE_BODY_MAX 1000u

/* ---- answers ------------------------------------------------------------------------ */

static void free_body(coap_session_t *session, void *app_ptr)
{
    (void)session;
    free(app_ptr);
}

/* Answer in the ACK with `code`, an optional JSON body (copied) and, when
 * not negative, Max-Age. */
static void respond(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                    const coap_string_t *query, coap_pdu_t *response, int code, const char *body,
                    int maxage)
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
                                      COAP_MEDIATYPE_APPLICATION_JSON, maxage, 0, n,
                                      (const uint8_t *)copy, free_body, copy)) {
        free(copy);
    }
}

static void refuse(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                   const coap_string_t *query, coap_pdu_t *response, const char *what,
                   const collector_err_t *err)
{
    server_t *s = srv_of(session);
    char who[64], id[65];
    srv_identity_text(coap_session_get_psk_identity(session), id, sizeof id);
    FW_LOGW("%s from %s (identity '%s') refused %d.%02d: %s", what,
            srv_peer(session, who, sizeof who), id, err->coap / 100, err->coap % 100, err->reason);
    char body[256];
    if (collector_build_error(err->reason, srv_now(s), body, sizeof body) < 0) {
        (void)snprintf(body, sizeof body, "{}");
    }
    respond(res, session, request, query, response, err->coap, body, -1);
}

/* 5.03 with Max-Age: the database cannot take it now, try again later.
 * Not a refusal of the request: no log line per request. */
static void unavailable(server_t *s, coap_resource_t *res, coap_session_t *session,
                        const coap_pdu_t *request, const coap_string_t *query, coap_pdu_t *response)
{
    char body[128];
    s->answered_503++;
    if (collector_build_error("database unavailable: try again later", srv_now(s), body,
                              sizeof body) < 0) {
        (void)snprintf(body, sizeof body, "{}");
    }
    respond(res, session, request, query, response, 503, body, (int)srv_max_age(s));
}

/* The body of a stored request's answer. */
static void stored_body(post_kind_t kind, const uint64_t *ids, size_t n_ids, int64_t now, char *out,
                        size_t cap)
{
    if (kind == POST_PROV) {
        (void)snprintf(out, cap, "{\"server_time\":%lld}", (long long)now);
    } else if (collector_build_ack(ids, n_ids, now, out, cap) < 0) {
        out[0] = '\0';
    }
}

static void log_stored(post_kind_t kind, const ingest_job_t *j)
{
    if (kind == POST_PROV) {
        FW_LOGD("%s: provisioning stored (fw %s, licence %s)", j->body.prov.serial,
                j->body.prov.fw_version, j->body.prov.licence_state);
    } else if (kind == POST_USAGE) {
        FW_LOGD("%s: %zu usage record(s) stored or already stored", j->body.usage.serial,
                j->body.usage.n);
    } else {
        FW_LOGD("%s: %zu event(s) stored or already stored", j->body.events.serial,
                j->body.events.n);
    }
}

/* A separate response (CON) on `p`'s session, after its group committed. */
static void answer_separate(server_t *s, pending_t *p)
{
    coap_session_t *session = p->session;
    if (session == NULL) { /* a touch or a probe: nobody to answer */
        if (p->job.item.kind == CDB_ITEM_PROBE) {
            srv_probe_answered(s, &p->job);
        } else if (p->job.item.rc != 0 && p->job.fail == CDB_FAIL_UNAVAILABLE) {
            srv_db_failed(s, p->job.fail, p->job.why);
        }
        free(p);
        return;
    }
    ingest_job_t *j = &p->job;
    int64_t now = srv_now(s);
    char body[COLLECTOR_RECORDS_MAX * 24 + 64];
    int code = COLLECTOR_COAP_CHANGED;
    int maxage = -1;
    if (j->item.rc == 0) {
        stored_body(p->kind, p->ids, p->n_ids, now, body, sizeof body);
        log_stored(p->kind, j);
        srv_db_stored(s);
    } else if (j->fail == CDB_FAIL_UNAVAILABLE || j->fail == CDB_FAIL_CONFLICT) {
        srv_db_failed(s, j->fail, j->why);
        s->answered_503++;
        code = 503;
        maxage = (int)srv_max_age(s);
        (void)collector_build_error("database unavailable: try again later", now, body,
                                    sizeof body);
    } else {
        FW_LOGE("%s: storage failed: %s", p->path, j->why);
        code = COLLECTOR_COAP_INTERNAL;
        (void)collector_build_error("storage failed", now, body, sizeof body);
    }
    if (coap_session_get_state(session) == COAP_SESSION_STATE_ESTABLISHED) {
        coap_pdu_t *pdu =
            coap_pdu_init(COAP_MESSAGE_CON, COAP_RESPONSE_CODE(code), coap_new_message_id(session),
                          coap_session_max_pdu_size(session));
        uint8_t buf[4];
        if (pdu != NULL && coap_add_token(pdu, p->token_len, p->token) &&
            coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                            coap_encode_var_safe(buf, sizeof buf, COAP_MEDIATYPE_APPLICATION_JSON),
                            buf) &&
            (maxage < 0 ||
             coap_add_option(pdu, COAP_OPTION_MAXAGE,
                             coap_encode_var_safe(buf, sizeof buf, (unsigned)maxage), buf)) &&
            coap_add_data(pdu, strlen(body), (const uint8_t *)body)) {
            (void)coap_send(session, pdu); /* frees the pdu whatever happens */
            s->separate++;
        } else {
            coap_delete_pdu(pdu);
            FW_LOGE("%s: cannot build the separate response", p->path);
        }
    }
    coap_session_release(session);
    free(p);
}

void srv_answer_list(server_t *s, ingest_job_t *j)
{
    while (j != NULL) {
        ingest_job_t *next = j->next;
        answer_separate(s, (pending_t *)j);
        j = next;
    }
}

void srv_answer_done(server_t *s)
{
    srv_answer_list(s, ingest_take_done(&s->ingest));
}

/* ---- requests ------------------------------------------------------------------------ */

/* The device behind the session: its serial from the handshake. */
static int session_device(coap_session_t *session, char *serial, size_t cap, collector_err_t *err)
{
    session_state_t *st = coap_session_get_app_data(session);
    if (st != NULL && st->serial[0] != '\0') {
        (void)snprintf(serial, cap, "%s", st->serial);
        return 0;
    }
    char id[65];
    cdb_device_t d;
    if (!srv_identity_text(coap_session_get_psk_identity(session), id, sizeof id) ||
        cdb_device_by_identity(&srv_of(session)->db, id, &d) != 0) {
        err->coap = COLLECTOR_COAP_FORBIDDEN;
        (void)snprintf(err->reason, sizeof err->reason, "identity '%s': not enrolled", id);
        return FW_E_NOENT;
    }
    fw_zeroize(d.psk, sizeof d.psk); /* the handlers need the serial, not the PSKs */
    fw_zeroize(d.support_psk, sizeof d.support_psk);
    (void)snprintf(serial, cap, "%s", d.serial);
    return 0;
}

/* Collects a (possibly block-wise) body. Returns 1 with the whole body in
 * body and len, 0 after answering 2.31 Continue, -1 after a refusal. */
static int collect_body(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t *query, coap_pdu_t *response, const char *path,
                        const uint8_t **body, size_t *len, bool *blockwise)
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
    *blockwise = coap_get_block_b(session, request, COAP_OPTION_BLOCK1, &b1) != 0;
    size_t seen = offset + n;
    if (collector_check_request(cf_opt != NULL, cf, total > seen ? total : seen, &err) != 0) {
        refuse(res, session, request, query, response, path, &err);
        return -1;
    }
    if (!*blockwise) {
        *body = data;
        *len = n;
        return 1;
    }
    session_state_t *st = srv_session_state(session);
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

/* last_contact: written at most once a minute per session, with a request
 * that is stored anyway. */
#define TOUCH_EVERY_MS 60000

static bool touch_due(coap_session_t *session)
{
    session_state_t *st = coap_session_get_app_data(session);
    int64_t now = srv_mono_ms();
    if (st != NULL && st->touched_ms != 0 && now - st->touched_ms < TOUCH_EVERY_MS) {
        return false;
    }
    if (st != NULL) {
        st->touched_ms = now;
    }
    return true;
}

/* Parse the body into `p` (kind, ids, the job's item). */
static int parse_post(server_t *s, pending_t *p, const uint8_t *body, size_t len,
                      const char *serial, collector_err_t *err)
{
    ingest_job_t *j = &p->job;
    int rc;
    p->n_ids = 0;
    if (p->kind == POST_PROV) {
        j->item.kind = CDB_ITEM_PROV;
        j->item.body = &j->body.prov;
        return collector_parse_prov((const char *)body, len, serial, &j->body.prov, err);
    }
    if (p->kind == POST_USAGE) {
        j->item.kind = CDB_ITEM_USAGE;
        j->item.body = &j->body.usage;
        rc = collector_parse_usage((const char *)body, len, serial, &j->body.usage, err);
        for (size_t i = 0; rc == 0 && i < j->body.usage.n; i++) {
            p->ids[p->n_ids++] = j->body.usage.rec[i].id;
        }
        return rc == 0 ? refuse_test_id(s, p->ids, p->n_ids, "records", err) : rc;
    }
    j->item.kind = CDB_ITEM_EVENTS;
    j->item.body = &j->body.events;
    rc = collector_parse_events((const char *)body, len, serial, &j->body.events, err);
    for (size_t i = 0; rc == 0 && i < j->body.events.n; i++) {
        p->ids[p->n_ids++] = j->body.events.ev[i].id;
    }
    return rc == 0 ? refuse_test_id(s, p->ids, p->n_ids, "events", err) : rc;
}

/* Is another datagram waiting to be read? */
static bool more_waiting(server_t *s)
{
    struct pollfd pf = {.fd = coap_context_get_coap_fd(s->ctx), .events = POLLIN};
    return poll(&pf, 1, 0) > 0;
}

/* Separate response (the writer, with others) or piggybacked (stored now)? */
static bool defer(server_t *s, const coap_pdu_t *request, bool blockwise, const pending_t *p)
{
    if (s->ack == ACK_PIGGYBACK || blockwise || coap_pdu_get_type(request) != COAP_MESSAGE_CON ||
        p->n_ids * 17u + 64u > SEPARATE_BODY_MAX) {
        return false;
    }
    if (s->ack == ACK_SEPARATE) {
        return true;
    }
    return !(ingest_idle(&s->ingest) && !more_waiting(s));
}

static void handle_post(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t *query, coap_pdu_t *response, post_kind_t kind,
                        const char *path)
{
    server_t *s = srv_of(session);
    const uint8_t *body;
    size_t len;
    bool blockwise = false;
    if (collect_body(res, session, request, query, response, path, &body, &len, &blockwise) != 1) {
        return;
    }
    collector_err_t err = {0};
    char serial[21];
    if (session_device(session, serial, sizeof serial, &err) != 0) {
        refuse(res, session, request, query, response, path, &err);
        return;
    }
    pending_t *p = malloc(sizeof *p);
    if (p == NULL) {
        err.coap = COLLECTOR_COAP_INTERNAL;
        (void)snprintf(err.reason, sizeof err.reason, "out of memory");
        refuse(res, session, request, query, response, path, &err);
        return;
    }
    p->kind = kind;
    p->path = path;
    p->job.item.now = srv_now(s);
    p->job.item.rc = 0;
    p->job.item.touch = touch_due(session);
    int rc = parse_post(s, p, body, len, serial, &err);
    if (rc != 0) {
        refuse(res, session, request, query, response, path, &err);
        free(p);
        return;
    }
    if (s->db_down) {
        unavailable(s, res, session, request, query, response);
        free(p);
        return;
    }
    if (defer(s, request, blockwise, p)) {
        /* Answered after the group's commit; libcoap sends the empty ACK. */
        coap_bin_const_t tok = coap_pdu_get_token(request);
        p->token_len = tok.length <= sizeof p->token ? tok.length : 0;
        memcpy(p->token, tok.s, p->token_len);
        p->session = coap_session_reference(session);
        ingest_submit(&s->ingest, &p->job);
        return;
    }
    /* Alone (or too big for one datagram): its own commit, answered in the ACK. */
    rc = cdb_store_group(&s->db, &p->job.item, 1);
    if (rc == 0) {
        char out[COLLECTOR_RECORDS_MAX * 24 + 64];
        stored_body(kind, p->ids, p->n_ids, p->job.item.now, out, sizeof out);
        log_stored(kind, &p->job);
        srv_db_stored(s);
        s->piggybacked++;
        respond(res, session, request, query, response, COLLECTOR_COAP_CHANGED,
                out[0] != '\0' ? out : NULL, -1);
    } else {
        const char *why;
        cdb_fail_t cls = cdb_failure(&s->db, &why);
        if (cls == CDB_FAIL_UNAVAILABLE || cls == CDB_FAIL_CONFLICT) {
            srv_db_failed(s, cls, why);
            unavailable(s, res, session, request, query, response);
        } else {
            err.coap = COLLECTOR_COAP_INTERNAL;
            (void)snprintf(err.reason, sizeof err.reason, "storage failed (%s)", fw_strerror(rc));
            FW_LOGE("%s: %s", path, why);
            refuse(res, session, request, query, response, path, &err);
        }
    }
    free(p);
}

void srv_hnd_prov(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *rq,
                  const coap_string_t *q, coap_pdu_t *rs)
{
    handle_post(r, s, rq, q, rs, POST_PROV, "/v1/prov");
}

void srv_hnd_usage(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *rq,
                   const coap_string_t *q, coap_pdu_t *rs)
{
    handle_post(r, s, rq, q, rs, POST_USAGE, "/v1/usage");
}

void srv_hnd_events(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *rq,
                    const coap_string_t *q, coap_pdu_t *rs)
{
    handle_post(r, s, rq, q, rs, POST_EVENTS, "/v1/events");
}

/* The signed token of licence `l` for the session's device, kept with the
 * session: signed again only when the seq or iat changed (a licence change
 * notifies every observer, most of whom get the licence they have). */
static int licence_token(server_t *s, coap_session_t *session, const collector_licence_t *l,
                         const char *serial)
{
    session_state_t *st = srv_session_state(session);
    if (st == NULL) {
        return FW_E_NOMEM;
    }
    if (st->token != NULL && st->token_seq == l->seq && st->token_iat == l->iat) {
        return 0;
    }
    static char claims[4096], token[LICENCE_TOKEN_MAX];
    size_t tlen = 0;
    int n = collector_build_claims(l, claims, sizeof claims);
    if (n < 0) {
        return n;
    }
    if (licence_sign_claims(&s->key, claims, (size_t)n, token, sizeof token, &tlen) != 0) {
        return FW_E_CRYPTO;
    }
    char *copy = malloc(tlen + 1);
    if (copy == NULL) {
        return FW_E_NOMEM;
    }
    memcpy(copy, token, tlen);
    copy[tlen] = '\0';
    free(st->token);
    st->token = copy;
    st->token_seq = l->seq;
    st->token_iat = l->iat;
    FW_LOGI("%s: licence seq %u (%s) issued", serial, (unsigned)l->seq, l->paid ? "paid" : "trial");
    return 0;
}

void srv_db_probe(server_t *s)
{
    if (!s->db_down || s->probing) {
        return;
    }
    pending_t *p = calloc(1, sizeof *p);
    if (p != NULL) {
        p->job.item.kind = CDB_ITEM_PROBE;
        p->path = "(probe)";
        s->probing = true;
        ingest_submit(&s->ingest, &p->job);
    }
}

/* last_contact of a request with nothing to store, and the licence seq
 * sent (`admin trial`: sent or not; 0: none): by the writer, with the next
 * group, answered by nobody. */
static void touch_later(server_t *s, const char *serial, int64_t now, uint32_t served_seq)
{
    pending_t *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return;
    }
    (void)snprintf(p->job.body.prov.serial, sizeof p->job.body.prov.serial, "%s", serial);
    p->job.item.kind = CDB_ITEM_TOUCH;
    p->job.item.body = p->job.body.prov.serial;
    p->job.item.now = now;
    p->job.item.touch = true;
    p->job.item.served_seq = served_seq;
    p->path = "/v1/licence";
    ingest_submit(&s->ingest, &p->job);
}

void srv_hnd_licence(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                     const coap_string_t *query, coap_pdu_t *response)
{
    server_t *s = srv_of(session);
    collector_err_t err = {0};
    char serial[21];
    if (session_device(session, serial, sizeof serial, &err) != 0) {
        refuse(res, session, request, query, response, "/v1/licence", &err);
        return;
    }
    if (s->db_down) {
        unavailable(s, res, session, request, query, response);
        return;
    }
    int64_t now = srv_now(s);
    collector_licence_t l;
    bool has_iat = false;
    int rc = cdb_licence_get(&s->db, serial, &l, &has_iat);
    char body[LICENCE_TOKEN_MAX + 64];
    if (rc == FW_E_NOENT) {
        (void)snprintf(body, sizeof body, "{\"server_time\":%lld}", (long long)now);
        respond(res, session, request, query, response, COLLECTOR_COAP_NOT_FOUND, body, -1);
        return;
    }
    if (rc == 0 && !has_iat) {
        /* The issue instant is fixed the first time this seq is served, so
         * every later copy of it is byte-identical (deterministic ES256). */
        l.iat = now;
        rc = cdb_licence_set_iat(&s->db, serial, l.seq, now);
    }
    if (rc == FW_E_IO) {
        const char *why;
        if (cdb_failure(&s->db, &why) == CDB_FAIL_UNAVAILABLE) {
            srv_db_failed(s, CDB_FAIL_UNAVAILABLE, why);
            unavailable(s, res, session, request, query, response);
            return;
        }
    }
    if (rc == 0) {
        rc = licence_token(s, session, &l, serial);
    }
    session_state_t *st = coap_session_get_app_data(session);
    if (rc != 0 || st == NULL || st->token == NULL ||
        collector_build_licence_body(st->token, now, body, sizeof body) < 0) {
        FW_LOGE("%s: cannot issue the licence (%s)", serial,
                fw_strerror(rc != 0 ? rc : FW_E_CRYPTO));
        respond(res, session, request, query, response, COLLECTOR_COAP_INTERNAL, NULL, -1);
        return;
    }
    FW_LOGD("%s: licence seq %u (%s) served", serial, (unsigned)l.seq, l.paid ? "paid" : "trial");
    respond(res, session, request, query, response, COLLECTOR_COAP_CONTENT, body, -1);
    /* last_contact at most once a minute; each licence seq once per session */
    uint32_t served = st->served_seq != l.seq ? l.seq : 0;
    st->served_seq = l.seq;
    if (touch_due(session) || served != 0) {
        touch_later(s, serial, now, served);
    }
}
