/*
 * spark-collector serve: the libcoap DTLS-PSK server. Thin: it moves bytes
 * between libcoap, the pure payload module (payload.c), the database (db.c)
 * and the writer thread (ingest.c). Decisions about bodies live in payload.c.
 *
 * Durable before acknowledged: a report is answered 2.04 only after the
 * transaction holding it committed (SQLite synchronous=FULL, PostgreSQL
 * synchronous_commit). The sync that costs is shared (group commit): when
 * other requests are waiting or being written, a request goes to the writer
 * thread and gets an empty ACK at once and its answer as a separate
 * (confirmable) response after the commit; a request that arrives alone is
 * stored at once and answered in the ACK (piggybacked). docs/SCALING.md has
 * the figures behind this choice (datagrams on the device, requests/s).
 *
 * The database unavailable (down, restarted, read-only, full, locked): every
 * request is answered 5.03 with Max-Age, nothing is acknowledged that was
 * not stored; one log line when it goes and one when it is back; a write
 * probe every second finds out.
 *
 * Bounds: request bodies are reassembled here, block by block, into at most
 * COLLECTOR_BODY_MAX bytes per session (libcoap's own single-body mode would
 * grow without a limit in 4.3.1); concurrent handshakes and idle sessions
 * are capped on the context; a group holds at most --group-max requests.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <coap3/coap.h>

#include "cli.h"
#include "collector/payload.h"
#include "db.h"
#include "fw/backoff.h"
#include "fw/err.h"
#include "ingest.h"
#include "licence/licence.h"
#include "link/coap_io.h"
#include "now.h"

#define FW_LOG_TAG "collector"
#include "fw/file.h"
#include "fw/iso8601.h"
#include "fw/log.h"
#include "fw/zeroize.h"

#define DEFAULT_MAX_HANDSHAKES 256u
#define DEFAULT_MAX_SESSIONS 20000u
#define DEFAULT_GROUP_WAIT_MS 5u
#define DEFAULT_GROUP_MAX 512u
#define DEFAULT_RETRY_AFTER_S 15u
/* Datagrams read per loop turn before the group is closed and timers run. */
#define DRAIN_MAX 256
/* A separate response carries its ack in one datagram: larger ones (many
 * long ids) are answered in the ACK after a commit of their own. */
#define SEPARATE_BODY_MAX 1000u

typedef enum { ACK_AUTO, ACK_SEPARATE, ACK_PIGGYBACK } ack_mode_t;

typedef struct {
    cdb_t db;        /* the I/O thread's connection: handshakes, licences, lone requests */
    ingest_t ingest; /* the writer thread and its connection */
    licence_key_t key;
    coap_context_t *ctx;
    coap_resource_t *licence_res;
    uint8_t psk[64];
    coap_bin_const_t psk_out;
    int64_t licence_version;
    uint64_t refuse_id; /* test aid --test-refuse-id: refuse the record with this id (0: none) */
    ack_mode_t ack;
    unsigned retry_after_s;
    uint32_t rng;
    /* the database's state */
    bool db_down, probing;
    bool db_trying; /* a probe wrote; "back" once a request's write commits too */
    int64_t down_since_ms;
    uint64_t answered_503;
    /* figures, printed when stopping */
    uint64_t piggybacked, separate, stored_alone;
} server_t;

/* Per-session reassembly of a block-wise request body. */
typedef struct {
    char path[16];
    size_t len;
    uint8_t buf[COLLECTOR_BODY_MAX];
} session_body_t;

/* Per-session state: created when a client offers an identity, freed when
 * libcoap deletes the session. A handshake that never completes (a wrong
 * PSK: DTLS silently drops the records it cannot decrypt) is logged then.
 * The device's serial is kept from the handshake, so a request costs no
 * device lookup. */
typedef struct session_state {
    bool connected;
    char identity[65];
    char serial[21];
    int64_t touched_ms;  /* last_contact last written for this session (0: never) */
    uint32_t served_seq; /* the licence seq last recorded as sent (0: none) */
    /* The licence last signed for this session: a notification that finds
     * the same seq and iat sends it again without signing (a change of one
     * room's licence notifies every observer). */
    uint32_t token_seq;
    int64_t token_iat;
    char *token;
    session_body_t *body;              /* only while a block-wise body is arriving */
    struct session_state *prev, *next; /* s_states: freed at exit if libcoap did not */
} session_state_t;

static session_state_t *s_states;

typedef enum { POST_PROV, POST_USAGE, POST_EVENTS } post_kind_t;

/* A request handed to the writer: its job and where its answer goes. */
typedef struct {
    ingest_job_t job;        /* first: ingest hands back this pointer */
    coap_session_t *session; /* referenced until answered */
    uint8_t token[8];
    size_t token_len;
    post_kind_t kind;
    const char *path;
    size_t n_ids;
    uint64_t ids[COLLECTOR_RECORDS_MAX];
} pending_t;

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
    free(st->token);
    free(st);
}

static volatile sig_atomic_t s_stop;

static void on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Server time: real, or the demo's simulated clock (now.h). */
static int64_t server_now(const server_t *s)
{
    (void)s;
    return collector_now();
}

static server_t *server_of(coap_session_t *session)
{
    return coap_get_app_data(coap_session_get_context(session));
}

/* ---- the database's state ------------------------------------------------------ */

static unsigned max_age(server_t *s)
{
    /* spread the rooms' retries: Max-Age between R and 2R */
    return s->retry_after_s + fw_rand_next(&s->rng) % (s->retry_after_s + 1u);
}

/* A statement failed with `cls`: unavailable means every request is answered
 * 5.03 from now on until a write probe succeeds. A database that takes the
 * probe's small write but not a request's (nearly full) is the same outage:
 * no new line for it. */
static void db_failed(server_t *s, cdb_fail_t cls, const char *why)
{
    if (cls != CDB_FAIL_UNAVAILABLE || s->db_down) {
        return;
    }
    s->db_down = true;
    if (s->db_trying) {
        s->db_trying = false;
        return;
    }
    s->down_since_ms = mono_ms();
    s->answered_503 = 0;
    FW_LOGW("database unavailable (%s): answering 5.03 with Max-Age %u-%u s until it is back", why,
            s->retry_after_s, 2 * s->retry_after_s);
}

/* While down: a write probe each second, by the writer thread (a locked
 * database makes it wait its busy timeout there, not in the I/O loop). */
static void probe_answered(server_t *s, const ingest_job_t *j)
{
    s->probing = false;
    if (!s->db_down || j->item.rc != 0) {
        return; /* still down: nothing new to say */
    }
    s->db_down = false;
    s->db_trying = true;
}

/* A request's write committed: the database is back if it was trying. */
static void db_stored(server_t *s)
{
    if (!s->db_trying) {
        return;
    }
    s->db_trying = false;
    FW_LOGI("database back after %lld s: %llu request(s) were answered 5.03 meanwhile",
            (long long)((mono_ms() - s->down_since_ms) / 1000),
            (unsigned long long)s->answered_503);
}

/* ---- handshakes ------------------------------------------------------------------ */

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
    int rc = identity_text(identity, id, sizeof id) ? cdb_device_by_identity(&s->db, id, &d)
                                                    : FW_E_INVAL;
    if (rc != 0) {
        const char *why;
        if (rc == FW_E_IO && cdb_failure(&s->db, &why) == CDB_FAIL_UNAVAILABLE) {
            db_failed(s, CDB_FAIL_UNAVAILABLE, why); /* logged once, not per handshake */
        } else {
            FW_LOGW("handshake refused from %s: unknown PSK identity '%s'",
                    peer(session, who, sizeof who), id);
        }
        return NULL;
    }
    session_state_t *st = session_state(session);
    if (st != NULL) {
        (void)snprintf(st->identity, sizeof st->identity, "%s", id);
        (void)snprintf(st->serial, sizeof st->serial, "%s", d.serial);
    }
    memcpy(s->psk, d.psk, d.psk_len);
    s->psk_out.s = s->psk;
    s->psk_out.length = d.psk_len;
    fw_zeroize(d.psk, sizeof d.psk);
    fw_zeroize(d.support_psk, sizeof d.support_psk);
    FW_LOGD("handshake from %s: identity '%s' (device %s)", peer(session, who, sizeof who), id,
            d.serial);
    return &s->psk_out;
}

static int on_event(coap_session_t *session, const coap_event_t event)
{
    char who[64];
    if (event == COAP_EVENT_DTLS_ERROR) {
        /* While the database is unavailable no identity can be looked up:
         * every handshake fails (the rooms retry with their backoff), and
         * the one "database unavailable" line says why. */
        if (!server_of(session)->db_down) {
            FW_LOGW("DTLS handshake failed with %s (wrong PSK or unknown identity)",
                    peer(session, who, sizeof who));
        }
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
    server_t *s = server_of(session);
    char who[64], id[65];
    identity_text(coap_session_get_psk_identity(session), id, sizeof id);
    FW_LOGW("%s from %s (identity '%s') refused %d.%02d: %s", what, peer(session, who, sizeof who),
            id, err->coap / 100, err->coap % 100, err->reason);
    char body[256];
    if (collector_build_error(err->reason, server_now(s), body, sizeof body) < 0) {
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
    if (collector_build_error("database unavailable: try again later", server_now(s), body,
                              sizeof body) < 0) {
        (void)snprintf(body, sizeof body, "{}");
    }
    respond(res, session, request, query, response, 503, body, (int)max_age(s));
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
            probe_answered(s, &p->job);
        } else if (p->job.item.rc != 0 && p->job.fail == CDB_FAIL_UNAVAILABLE) {
            db_failed(s, p->job.fail, p->job.why);
        }
        free(p);
        return;
    }
    ingest_job_t *j = &p->job;
    int64_t now = server_now(s);
    char body[COLLECTOR_RECORDS_MAX * 24 + 64];
    int code = COLLECTOR_COAP_CHANGED;
    int maxage = -1;
    if (j->item.rc == 0) {
        stored_body(p->kind, p->ids, p->n_ids, now, body, sizeof body);
        log_stored(p->kind, j);
        db_stored(s);
    } else if (j->fail == CDB_FAIL_UNAVAILABLE || j->fail == CDB_FAIL_CONFLICT) {
        db_failed(s, j->fail, j->why);
        s->answered_503++;
        code = 503;
        maxage = (int)max_age(s);
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

static void answer_list(server_t *s, ingest_job_t *j)
{
    while (j != NULL) {
        ingest_job_t *next = j->next;
        answer_separate(s, (pending_t *)j);
        j = next;
    }
}

static void answer_done(server_t *s)
{
    answer_list(s, ingest_take_done(&s->ingest));
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
    if (!identity_text(coap_session_get_psk_identity(session), id, sizeof id) ||
        cdb_device_by_identity(&server_of(session)->db, id, &d) != 0) {
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
    int64_t now = mono_ms();
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
    server_t *s = server_of(session);
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
    p->job.item.now = server_now(s);
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
        db_stored(s);
        s->piggybacked++;
        respond(res, session, request, query, response, COLLECTOR_COAP_CHANGED,
                out[0] != '\0' ? out : NULL, -1);
    } else {
        const char *why;
        cdb_fail_t cls = cdb_failure(&s->db, &why);
        if (cls == CDB_FAIL_UNAVAILABLE || cls == CDB_FAIL_CONFLICT) {
            db_failed(s, cls, why);
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

/* The signed token of licence `l` for the session's device, kept with the
 * session: signed again only when the seq or iat changed (a licence change
 * notifies every observer, most of whom get the licence they have). */
static int licence_token(server_t *s, coap_session_t *session, const collector_licence_t *l,
                         const char *serial)
{
    session_state_t *st = session_state(session);
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

static void db_probe(server_t *s)
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

static void hnd_licence(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t *query, coap_pdu_t *response)
{
    server_t *s = server_of(session);
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
    int64_t now = server_now(s);
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
            db_failed(s, CDB_FAIL_UNAVAILABLE, why);
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

/* ---- setup and the loop ------------------------------------------------------------- */

static void usage_serve(FILE *f)
{
    fprintf(
        f,
        "usage: spark-collector serve --db URI --listen ADDR:PORT --licence-key PEM\n"
        "                             " COLLECTOR_NOW_USAGE "\n"
        "                             [--ack auto|separate|piggyback] [--group-wait-ms N]\n"
        "                             [--group-max N] [--retry-after S]\n"
        "                             [--max-sessions N] [--max-handshakes N]\n"
        "  URI        sqlite:FILE, FILE, or postgresql://[user@]host[:port]/db[?...]\n"
        "  ADDR:PORT  e.g. 127.0.0.1:5684 or [::1]:5684 (DTLS-PSK)\n"
        "  --clock-*  the simulated clock of a demo or test, as the host board takes\n"
        "             it (start, simulated seconds per real second > 0, the real\n"
        "             unix ms at which it shows start); default: real time\n"
        "  --ack      auto (default): a request that arrives alone is stored at once and\n"
        "             answered in the ACK; one that arrives with others waits (at most\n"
        "             --group-wait-ms, default %u) for a shared commit and gets its answer\n"
        "             as a separate response; separate / piggyback: always that way\n"
        "  --group-max        requests in one commit at most (default %u)\n"
        "  --retry-after S    5.03 when the database is unavailable, Max-Age S..2S (default %u)\n"
        "  --max-sessions N   DTLS sessions kept (default %u); --max-handshakes N at once\n"
        "                     (default %u): more ClientHellos wait for their retransmission\n"
        "  test aid: --test-refuse-id ID  refuse (4.00) any batch holding record or\n"
        "            event ID, as a collector with a stricter rule would\n",
        DEFAULT_GROUP_WAIT_MS, DEFAULT_GROUP_MAX, DEFAULT_RETRY_AFTER_S, DEFAULT_MAX_SESSIONS,
        DEFAULT_MAX_HANDSHAKES);
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

/* how: what found the change ("database notification" or "poll"), logged so
 * that a test can tell LISTEN/NOTIFY from the backstop poll without a clock. */
static void notify_if_changed(server_t *s, const char *how)
{
    int64_t v;
    if (cdb_licence_version(&s->db, &v) == 0 && v != s->licence_version) {
        s->licence_version = v;
        FW_LOGI("licences changed (version %lld, %s): notifying observers", (long long)v, how);
        coap_resource_notify_observers(s->licence_res, NULL);
    }
}

/* libcoap reads one datagram per socket event and then walks every session
 * (coap_io_prepare_io: 17% of the collector's CPU at 1,000 sessions, perf).
 * The collector's context has one socket, its endpoint: each event with a
 * socket is that one, and given k times it reads up to k datagrams before
 * the one walk. k follows the load (doubled while datagrams are left after
 * a batch, halved when the socket ran dry); a read that finds the socket
 * empty is harmless, and its two warnings are dropped (drop_eagain). */
static bool s_batch_read;

static bool drop_eagain(const char *message)
{
    return s_batch_read && (strstr(message, "Resource temporarily unavailable") != NULL ||
                            strstr(message, "read failed") != NULL);
}

#define BATCH_MAX 64

typedef struct {
    int epfd;
    int coap_fd;
    int ep_fd;     /* the endpoint's socket, -1 when not found */
    int notify_fd; /* PostgreSQL LISTEN socket in epfd, -1 if none */
    int batch;     /* k */
} loop_t;

static bool readable(int fd)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    return fd >= 0 && poll(&pf, 1, 0) > 0;
}

/* The LISTEN socket changes when the connection is made again. */
static void watch_notify(server_t *s, loop_t *lp)
{
    int fd = cdb_notify_fd(&s->db);
    if (fd == lp->notify_fd) {
        return;
    }
    if (lp->notify_fd >= 0) {
        (void)epoll_ctl(lp->epfd, EPOLL_CTL_DEL, lp->notify_fd, NULL);
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    lp->notify_fd = (fd >= 0 && epoll_ctl(lp->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) ? fd : -1;
}

/* Read what libcoap has waiting, DRAIN_MAX datagrams at most, then close
 * the group. */
static void drain(server_t *s, loop_t *lp)
{
    for (int i = 0; i < DRAIN_MAX;) {
        struct epoll_event ev[16], many[16 + BATCH_MAX];
        int n = epoll_wait(lp->coap_fd, ev, 16, 0);
        if (n <= 0) {
            break;
        }
        size_t m = 0;
        bool ep = false;
        for (int k = 0; k < n; k++) {
            int copies = (ev[k].data.ptr != NULL && lp->ep_fd >= 0 && !ep) ? lp->batch : 1;
            ep = ep || ev[k].data.ptr != NULL;
            for (int c = 0; c < copies; c++) {
                many[m++] = ev[k];
            }
        }
        s_batch_read = true;
        coap_io_do_epoll(s->ctx, many, m);
        s_batch_read = false;
        i += (int)m;
        if (ep && lp->ep_fd >= 0) {
            if (readable(lp->ep_fd)) {
                lp->batch = lp->batch * 2 > BATCH_MAX ? BATCH_MAX : lp->batch * 2;
            } else {
                lp->batch = lp->batch > 1 ? lp->batch / 2 : 1;
            }
        }
    }
    ingest_flush(&s->ingest);
}

static int run_loop(server_t *s, int ep_fd)
{
    loop_t lp = {.epfd = epoll_create1(EPOLL_CLOEXEC),
                 .coap_fd = coap_context_get_coap_fd(s->ctx),
                 .ep_fd = ep_fd,
                 .notify_fd = -1,
                 .batch = 1};
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lp.coap_fd};
    if (lp.epfd < 0 || lp.coap_fd < 0 || epoll_ctl(lp.epfd, EPOLL_CTL_ADD, lp.coap_fd, &ev) != 0) {
        FW_LOGE("cannot wait on libcoap's sockets (epoll)");
        return CLI_FAIL;
    }
    ev.data.fd = s->ingest.wake_fd;
    (void)epoll_ctl(lp.epfd, EPOLL_CTL_ADD, s->ingest.wake_fd, &ev);
    bool listening = cdb_licence_listen(&s->db) == 0;
    /* SQLite: the version is polled every second; PostgreSQL notifies, and
     * the version is read again every 10 s in case a notification was lost
     * with a connection. */
    int64_t poll_every = cdb_notify_fd(&s->db) >= 0 ? 10000 : 1000;
    int64_t next_second = mono_ms() + 1000, next_poll = mono_ms() + poll_every;
    while (!s_stop) {
        coap_tick_t now;
        coap_ticks(&now);
        unsigned t = coap_io_prepare_epoll(s->ctx, now);
        int64_t until = next_second - mono_ms();
        int wait = (int)(until < 0 ? 0 : until);
        if (t > 0 && (int)t < wait) {
            wait = (int)t;
        }
        struct epoll_event evs[4];
        int n = epoll_wait(lp.epfd, evs, 4, wait);
        if (n < 0 && errno != EINTR) {
            FW_LOGE("epoll_wait: %s", strerror(errno));
            return CLI_FAIL;
        }
        bool notified = false;
        for (int i = 0; i < n; i++) {
            if (evs[i].data.fd == lp.notify_fd) {
                int k = cdb_notifications(&s->db);
                notified = notified || k > 0;
            }
        }
        drain(s, &lp);
        answer_done(s);
        /* read with the results of this round's lookups, if any */
        notified = (lp.notify_fd >= 0 && cdb_notifications_queued(&s->db) > 0) || notified;
        int64_t ms = mono_ms();
        if (ms >= next_second) {
            next_second = ms + 1000;
            db_probe(s);
            if (!listening && !s->db_down) {
                listening = cdb_licence_listen(&s->db) == 0;
            }
            watch_notify(s, &lp);
        }
        if (notified || ms >= next_poll) {
            next_poll = ms + poll_every;
            notify_if_changed(s, notified ? "database notification" : "poll");
        }
    }
    close(lp.epfd);
    return CLI_OK;
}

/* libcoap keeps its endpoint's socket to itself: find it by its address. */
static int endpoint_fd(const coap_address_t *addr)
{
    for (int fd = 3; fd < 1024; fd++) {
        int type = 0;
        socklen_t tl = sizeof type;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_DGRAM &&
            getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && sl == addr->size &&
            memcmp(&ss, &addr->addr, sl) == 0) {
            return fd;
        }
    }
    return -1;
}

/* A fleet reconnecting, or a thousand rooms answered at once, sends more
 * datagrams in a burst than the kernel's default receive buffer (208 KiB)
 * holds: the rest are dropped and wait for their CoAP retransmission (2-3 s
 * later). Ask for RCVBUF_BYTES (above net.core.rmem_max only as root). */
#define RCVBUF_BYTES (8 * 1024 * 1024)

static void widen_receive_buffer(int fd)
{
    int want = RCVBUF_BYTES, got = 0;
    socklen_t gl = sizeof got;
    if (fd < 0) {
        FW_LOGW("cannot find the endpoint's socket: receive buffer left as it is");
        return;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    }
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0) {
        FW_LOGD("receive buffer %d KiB", got / 1024);
    }
}

static int serve(server_t *s, const coap_address_t *addr, const char *listen, unsigned max_hs,
                 unsigned max_sessions)
{
    s->ctx = coap_new_context(NULL);
    if (s->ctx == NULL) {
        FW_LOGE("cannot create the CoAP context");
        return CLI_FAIL;
    }
    coap_set_app_data(s->ctx, s);
    coap_context_set_block_mode(s->ctx, COAP_BLOCK_USE_LIBCOAP);
    coap_context_set_max_handshake_sessions(s->ctx, max_hs);
    coap_context_set_max_idle_sessions(s->ctx, max_sessions);
    coap_register_event_handler(s->ctx, on_event);
    if (link_coap_listen_psk(s->ctx, addr, psk_for_identity, s) != 0) {
        FW_LOGE("cannot listen on %s (DTLS)", listen);
        return CLI_FAIL;
    }
    int ep_fd = endpoint_fd(addr);
    widen_receive_buffer(ep_fd);
    link_coap_log_filter(drop_eagain);
    add_resource(s->ctx, "v1/prov", COAP_REQUEST_POST, hnd_prov);
    add_resource(s->ctx, "v1/usage", COAP_REQUEST_POST, hnd_usage);
    add_resource(s->ctx, "v1/events", COAP_REQUEST_POST, hnd_events);
    s->licence_res = add_resource(s->ctx, "v1/licence", COAP_REQUEST_GET, hnd_licence);
    if (s->licence_res == NULL) {
        return CLI_FAIL;
    }
    coap_resource_set_get_observable(s->licence_res, 1);
    (void)cdb_licence_version(&s->db, &s->licence_version);

    FW_LOGI("listening on %s (DTLS-PSK), database %s%s", listen, s->db.where,
            collector_now_simulated() ? ", on the simulated clock (log times are simulated)" : "");
    int rc = run_loop(s, ep_fd);
    FW_LOGI("stopping: %llu request(s) stored in %llu group commit(s) (largest %zu, %.1f s "
            "writing) and answered separately, %llu stored alone and answered in the ACK",
            (unsigned long long)s->separate, (unsigned long long)s->ingest.groups,
            s->ingest.largest, s->ingest.write_s, (unsigned long long)s->piggybacked);
    return rc;
}

static int parse_uint(const char *opt, const char *v, unsigned long min, unsigned long max,
                      unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || *end != '\0' || v[0] < '0' || v[0] > '9' || n < min || n > max) {
        fprintf(stderr, "spark-collector serve: %s: expected %lu to %lu\n", opt, min, max);
        return CLI_USAGE;
    }
    *out = n;
    return 0;
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
        {"ack", required_argument, NULL, 'a'},
        {"group-wait-ms", required_argument, NULL, 'w'},
        {"group-max", required_argument, NULL, 'g'},
        {"retry-after", required_argument, NULL, 'R'},
        {"max-sessions", required_argument, NULL, 'S'},
        {"max-handshakes", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *listen = NULL, *keyfile = NULL;
    uint64_t refuse_id = 0;
    ack_mode_t ack = ACK_AUTO;
    unsigned long wait_ms = DEFAULT_GROUP_WAIT_MS, group_max = DEFAULT_GROUP_MAX;
    unsigned long retry_after = DEFAULT_RETRY_AFTER_S, max_sessions = DEFAULT_MAX_SESSIONS;
    unsigned long max_hs = DEFAULT_MAX_HANDSHAKES;
    int c, at = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, &at)) != -1) {
        char *end;
        int bad = 0;
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
        case 'a':
            if (strcmp(optarg, "auto") == 0) {
                ack = ACK_AUTO;
            } else if (strcmp(optarg, "separate") == 0) {
                ack = ACK_SEPARATE;
            } else if (strcmp(optarg, "piggyback") == 0) {
                ack = ACK_PIGGYBACK;
            } else {
                fprintf(stderr, "spark-collector serve: --ack: expected auto, separate or "
                                "piggyback\n");
                return CLI_USAGE;
            }
            break;
        case 'w': bad = parse_uint("--group-wait-ms", optarg, 0, 1000, &wait_ms); break;
        case 'g': bad = parse_uint("--group-max", optarg, 1, 100000, &group_max); break;
        case 'R': bad = parse_uint("--retry-after", optarg, 1, 3600, &retry_after); break;
        case 'S': bad = parse_uint("--max-sessions", optarg, 1, 1000000, &max_sessions); break;
        case 'H': bad = parse_uint("--max-handshakes", optarg, 1, 100000, &max_hs); break;
        case 'h': usage_serve(stdout); return CLI_OK;
        default: usage_serve(stderr); return CLI_USAGE;
        }
        if (bad) {
            return bad;
        }
    }
    if (db == NULL || listen == NULL || keyfile == NULL || optind != argc) {
        fprintf(stderr, "spark-collector serve: --db, --listen and --licence-key are required\n");
        usage_serve(stderr);
        return CLI_USAGE;
    }
    static server_t s; /* holds the licence key; static keeps it off the stack */
    memset(&s, 0, sizeof s);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    s.refuse_id = refuse_id;
    s.ack = ack;
    s.retry_after_s = (unsigned)retry_after;
    s.rng = (uint32_t)t0.tv_nsec ^ (uint32_t)getpid();
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
        return cdb_dialect_of_uri(db) < 0 ? CLI_USAGE : CLI_FAIL;
    }
    if (ingest_start(&s.ingest, db, (uint32_t)wait_ms, group_max) != 0) {
        cdb_close(&s.db);
        licence_key_free(&s.key);
        return CLI_FAIL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (ulimit -f) makes a write fail (SQLite: full), as a
     * full disk does: 5.03, not a dead collector. */
    signal(SIGXFSZ, SIG_IGN);

    /* libcoap started as on the device: its log lines at warning level into
     * our log, tagged "libcoap" */
    int ret = link_coap_init() == 0
                  ? serve(&s, &addr, listen, (unsigned)max_hs, (unsigned)max_sessions)
                  : CLI_FAIL;
    answer_list(&s, ingest_stop(&s.ingest)); /* not written: 5.03, sessions released */
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
