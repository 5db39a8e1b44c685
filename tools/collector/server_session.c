/*
 * spark-collector serve, sessions and the database's state: the per-session
 * state, the server's clocks, the database going down and coming back (one
 * log line each way), and the DTLS-PSK handshakes (the PSK looked up by
 * identity, session events). Shared with server.c and server_resource.c
 * through server_priv.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coap3/coap.h>

#include "collector/payload.h"
#include "db.h"
#include "fw/backoff.h"
#include "fw/err.h"
#include "fw/zeroize.h"
#include "ingest.h"
#include "now.h"
#include "server_priv.h"

#define FW_LOG_TAG "collector"
#include "fw/log.h"

session_state_t *srv_states;

session_state_t *srv_session_state(coap_session_t *session)
{
    session_state_t *st = coap_session_get_app_data(session);
    if (st == NULL) {
        st = calloc(1, sizeof *st);
        if (st != NULL) {
            st->next = srv_states;
            if (srv_states != NULL) {
                srv_states->prev = st;
            }
            srv_states = st;
            coap_session_set_app_data(session, st);
        }
    }
    return st;
}

void srv_session_state_free(session_state_t *st)
{
    if (st->prev != NULL) {
        st->prev->next = st->next;
    } else {
        srv_states = st->next;
    }
    if (st->next != NULL) {
        st->next->prev = st->prev;
    }
    free(st->body);
    free(st->token);
    free(st);
}

int64_t srv_mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Server time: real, or the demo's simulated clock (now.h). */
int64_t srv_now(const server_t *s)
{
    (void)s;
    return collector_now();
}

server_t *srv_of(coap_session_t *session)
{
    return coap_get_app_data(coap_session_get_context(session));
}

/* ---- the database's state ------------------------------------------------------ */

unsigned srv_max_age(server_t *s)
{
    /* spread the rooms' retries: Max-Age between R and 2R */
    return s->retry_after_s + fw_rand_next(&s->rng) % (s->retry_after_s + 1u);
}

/* A statement failed with `cls`: unavailable means every request is answered
 * 5.03 from now on until a write probe succeeds. A database that takes the
 * probe's small write but not a request's (nearly full) is the same outage:
 * no new line for it. */
void srv_db_failed(server_t *s, cdb_fail_t cls, const char *why)
{
    if (cls != CDB_FAIL_UNAVAILABLE || s->db_down) {
        return;
    }
    s->db_down = true;
    if (s->db_trying) {
        s->db_trying = false;
        return;
    }
    s->down_since_ms = srv_mono_ms();
    s->answered_503 = 0;
    FW_LOGW("database unavailable (%s): answering 5.03 with Max-Age %u-%u s until it is back", why,
            s->retry_after_s, 2 * s->retry_after_s);
}

/* While down: a write probe each second, by the writer thread (a locked
 * database makes it wait its busy timeout there, not in the I/O loop). */
void srv_probe_answered(server_t *s, const ingest_job_t *j)
{
    s->probing = false;
    if (!s->db_down || j->item.rc != 0) {
        return; /* still down: nothing new to say */
    }
    s->db_down = false;
    s->db_trying = true;
}

/* A request's write committed: the database is back if it was trying. */
void srv_db_stored(server_t *s)
{
    if (!s->db_trying) {
        return;
    }
    s->db_trying = false;
    FW_LOGI("database back after %lld s: %llu request(s) were answered 5.03 meanwhile",
            (long long)((srv_mono_ms() - s->down_since_ms) / 1000),
            (unsigned long long)s->answered_503);
}

/* ---- handshakes ------------------------------------------------------------------ */

/* Identity bytes as a printable string for logs and lookups. */
bool srv_identity_text(const coap_bin_const_t *id, char *out, size_t cap)
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

const char *srv_peer(coap_session_t *session, char *buf, size_t cap)
{
    const coap_address_t *a = coap_session_get_addr_remote(session);
    if (a == NULL || coap_print_addr(a, (unsigned char *)buf, cap) == 0) {
        (void)snprintf(buf, cap, "?");
    }
    return buf;
}

/* libcoap asks for the PSK of a client's identity: enrolled devices only. */
const coap_bin_const_t *srv_psk_for_identity(coap_bin_const_t *identity, coap_session_t *session,
                                             void *arg)
{
    server_t *s = arg;
    char id[65], who[64];
    cdb_device_t d;
    int rc = srv_identity_text(identity, id, sizeof id) ? cdb_device_by_identity(&s->db, id, &d)
                                                        : FW_E_INVAL;
    if (rc != 0) {
        const char *why;
        if (rc == FW_E_IO && cdb_failure(&s->db, &why) == CDB_FAIL_UNAVAILABLE) {
            srv_db_failed(s, CDB_FAIL_UNAVAILABLE, why); /* logged once, not per handshake */
        } else {
            FW_LOGW("handshake refused from %s: unknown PSK identity '%s'",
                    srv_peer(session, who, sizeof who), id);
        }
        return NULL;
    }
    session_state_t *st = srv_session_state(session);
    if (st != NULL) {
        (void)snprintf(st->identity, sizeof st->identity, "%s", id);
        (void)snprintf(st->serial, sizeof st->serial, "%s", d.serial);
    }
    memcpy(s->psk, d.psk, d.psk_len);
    s->psk_out.s = s->psk;
    s->psk_out.length = d.psk_len;
    fw_zeroize(d.psk, sizeof d.psk);
    fw_zeroize(d.support_psk, sizeof d.support_psk);
    FW_LOGD("handshake from %s: identity '%s' (device %s)", srv_peer(session, who, sizeof who), id,
            d.serial);
    return &s->psk_out;
}

int srv_on_event(coap_session_t *session, const coap_event_t event)
{
    char who[64];
    if (event == COAP_EVENT_DTLS_ERROR) {
        /* While the database is unavailable no identity can be looked up:
         * every handshake fails (the rooms retry with their backoff), and
         * the one "database unavailable" line says why. */
        if (!srv_of(session)->db_down) {
            FW_LOGW("DTLS handshake failed with %s (wrong PSK or unknown identity)",
                    srv_peer(session, who, sizeof who));
        }
    } else if (event == COAP_EVENT_DTLS_CONNECTED) {
        session_state_t *st = srv_session_state(session);
        if (st != NULL) {
            st->connected = true;
        }
    } else if (event == COAP_EVENT_SERVER_SESSION_DEL) {
        session_state_t *st = coap_session_get_app_data(session);
        if (st != NULL && !st->connected && st->identity[0] != '\0') {
            FW_LOGW("DTLS handshake with %s (identity '%s') never completed: wrong PSK?",
                    srv_peer(session, who, sizeof who), st->identity);
        }
        if (st != NULL) {
            srv_session_state_free(st);
        }
        coap_session_set_app_data(session, NULL);
    }
    return 0;
}
