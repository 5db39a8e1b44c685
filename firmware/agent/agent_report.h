/*
 * agent_report.h - the agent's side of reporting (internal to agent/).
 *
 * Glue between the loop, the outbound queue (report/) and the uplink
 * (link/), following docs/REPORTING.md: events go out at once, usage in
 * batches, one request in flight, the provisioning report at first contact
 * and whenever it changes, the licence observed and handed to the trial
 * engine, "server_time" of every answer handed to trusted time. After any
 * failure nothing is sent before the backoff allows it (report/retry.h);
 * a record the collector refuses is set aside and reported, never resent.
 */
#ifndef AGENT_REPORT_H
#define AGENT_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "agent_trial.h"
#include "link/link.h"
#include "proto/provisioning.h"
#include "report/codec.h"
#include "report/queue.h"
#include "report/retry.h"
#include "store/store.h"

#define AGENT_REPORT_BODY_MAX 8192u /* the collector refuses larger bodies (4.13) */

typedef struct {
    store_t *store;
    const proto_provisioning_t *prov;
    agent_trial_t *trial;
    report_queue_t queue;
    bool queue_ok;
    link_t *link; /* NULL when the server cannot be used */
    bool in_flight;
    report_batch_t batch;
    report_retry_t retry; /* when the next request may go; bisection of refusals */
    bool aside_full_logged;
    bool want_refresh; /* ask the link for a session (licence news, server time) */
    bool prov_in_flight;
    uint8_t prov_hash[32];         /* of the body last sent */
    uint8_t prov_hash_acked[32];   /* of the body the collector last acknowledged */
    uint8_t prov_hash_refused[32]; /* of a body the collector refused: not sent again */
    uint32_t batch_s;              /* how long usage may wait */
    int64_t last_ack;              /* trusted time the collector last acknowledged a report; 0 */
    char body[AGENT_REPORT_BODY_MAX];
} agent_report_t;

/* Open the queue and the link. Never fails: without a usable server the
 * queue still fills (and merges at its bound) until one is provisioned. */
void agent_report_open(agent_report_t *r, store_t *store, const proto_provisioning_t *prov,
                       agent_trial_t *trial, uint32_t interval_s, uint32_t batch_s);

/* The open interval's counters (count into it). NULL if the queue is unusable. */
report_usage_t *agent_report_usage(agent_report_t *r);

/* Persist the open interval now (after counting something: a power cut
 * must not lose it). */
void agent_report_save(agent_report_t *r, int64_t now);

/* An event for the collector (agent_event_fn). */
void agent_report_event(void *ctx, const char *kind, const char *detail, int64_t t);

/* One loop turn: close intervals, send what is due, drive the link (never
 * blocks). `now` is trusted time, `net_ms` hal_clock_net_ms(). */
void agent_report_step(agent_report_t *r, int64_t now, uint64_t net_ms, bool net_up);

/* Ask for a session as soon as the network is up, even with nothing to
 * send: fresh licence news and server time (trusted time wants it). */
void agent_report_refresh(agent_report_t *r);

/* True while a request waits for the network: the loop then services the
 * link (agent_report_poll) instead of sleeping through its turn. */
bool agent_report_busy(const agent_report_t *r);

/* Drive the link, waiting at most `budget_ms` of network time for it. */
void agent_report_poll(agent_report_t *r, uint32_t budget_ms);

/* Planned stop: persist the open interval, give queued reports up to
 * `drain_ms` of network time to go out, close the link. */
void agent_report_close(agent_report_t *r, int64_t now, uint32_t drain_ms);

#endif /* AGENT_REPORT_H */
