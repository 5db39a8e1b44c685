/*
 * server_priv.h - what the parts of spark-collector serve share: server.c
 * (options, setup, the event loop), server_session.c (sessions, handshakes,
 * the database's state) and server_resource.c (the CoAP resources). Not for
 * the rest of the collector.
 */
#ifndef COLLECTOR_SERVER_PRIV_H
#define COLLECTOR_SERVER_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>

#include "collector/payload.h"
#include "db.h"
#include "ingest.h"
#include "licence/licence.h"

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
    struct session_state *prev, *next; /* srv_states: freed at exit if libcoap did not */
} session_state_t;

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

/* Every session state, freed at exit if libcoap did not. */
extern session_state_t *srv_states;

/* server_session.c */
session_state_t *srv_session_state(coap_session_t *session);
void srv_session_state_free(session_state_t *st);
int64_t srv_mono_ms(void);
int64_t srv_now(const server_t *s);
server_t *srv_of(coap_session_t *session);
unsigned srv_max_age(server_t *s);
void srv_db_failed(server_t *s, cdb_fail_t cls, const char *why);
void srv_probe_answered(server_t *s, const ingest_job_t *j);
void srv_db_stored(server_t *s);
bool srv_identity_text(const coap_bin_const_t *id, char *out, size_t cap);
const char *srv_peer(coap_session_t *session, char *buf, size_t cap);
const coap_bin_const_t *srv_psk_for_identity(coap_bin_const_t *identity, coap_session_t *session,
                                             void *arg);
int srv_on_event(coap_session_t *session, const coap_event_t event);

/* server_resource.c */
void srv_answer_list(server_t *s, ingest_job_t *j);
void srv_answer_done(server_t *s);
void srv_hnd_prov(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *rq,
                  const coap_string_t *q, coap_pdu_t *rs);
void srv_hnd_usage(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *rq,
                   const coap_string_t *q, coap_pdu_t *rs);
void srv_hnd_events(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *rq,
                    const coap_string_t *q, coap_pdu_t *rs);
void srv_db_probe(server_t *s);
void srv_hnd_licence(coap_resource_t *res, coap_session_t *session, const coap_pdu_t *request,
                     const coap_string_t *query, coap_pdu_t *response);

#endif /* COLLECTOR_SERVER_PRIV_H */
