/*
 * Reporting glue. The queue and the link decide nothing about each other:
 * this file picks what goes next (events first, then usage when due, the
 * provisioning report when it changed), keeps one request in flight, and
 * moves answers back into the queue (acks) and the trial engine (licence,
 * server time). Everything here must survive the server never answering.
 */
#define FW_LOG_TAG "report"
#include "agent_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "fw/err.h"
#include "fw/log.h"
#include "hal/clock.h"
#include "hal/identity.h"
#include "hal/net.h"

#ifndef SPARK_FW_VERSION
#define SPARK_FW_VERSION "0.0.0"
#endif

/* "coaps://HOST:PORT" (validated at provisioning) -> host, port. */
static int split_server(const char *uri, char *host, size_t cap, uint16_t *port)
{
    const char *h = strstr(uri, "://");
    const char *colon = h ? strrchr(h + 3, ':') : NULL;
    if (!colon) {
        return FW_E_FORMAT;
    }
    h += 3;
    size_t n = (size_t)(colon - h);
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') { /* [v6 literal] */
        h++;
        n -= 2;
    }
    long p = strtol(colon + 1, NULL, 10);
    if (n == 0 || n >= cap || p < 1 || p > 65535) {
        return FW_E_FORMAT;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    *port = (uint16_t)p;
    return 0;
}

/* Every answer may carry the collector's clock: trusted time hears it, with
 * the round trip it was read in (the transport does not read bodies). */
static void take_server_time(agent_report_t *r, const link_response_t *resp)
{
    int64_t t = 0;
    if (resp->err == 0 && resp->len && report_parse_server_time(resp->body, resp->len, &t) == 0) {
        agent_trial_server_time(r->trial, t, resp->timed ? resp->sent_ms : TRUSTED_TIME_UNASKED,
                                hal_clock_mono_ms());
    }
}

static void on_licence(void *ctx, const link_response_t *resp)
{
    agent_report_t *r = ctx;
    static char token[TRIAL_TOKEN_MAX + 1];
    take_server_time(r, resp); /* first: the licence is judged at the server's time */
    if (resp->err != 0 || resp->code != 205 ||
        report_parse_licence(resp->body, resp->len, token, sizeof token) != 0) {
        return; /* no licence news (a server that is not ours, 4.04, ...) */
    }
    (void)agent_trial_offer(r->trial, token, strlen(token));
}

/* "4.00" from 400; "timeout" / "network" for no answer. */
static const char *answer_text(const link_response_t *resp, char *buf, size_t cap)
{
    if (resp->err) {
        return fw_strerror(resp->err);
    }
    (void)snprintf(buf, cap, "%d.%02d", resp->code / 100, resp->code % 100);
    return buf;
}

/* The collector refused the one item of a batch: keep it aside, say so
 * (unless it is itself such a report: a refusal must not breed refusals). */
static void set_aside(agent_report_t *r, const link_response_t *resp)
{
    uint64_t id = r->batch.ids[0];
    report_item_t it;
    int rc = report_queue_set_aside(&r->queue, id, &it);
    if (rc != 0) {
        FW_LOGE("record %llu refused but not set aside (%s): kept queued", (unsigned long long)id,
                fw_strerror(rc));
        return;
    }
    char code[24], reason[REPORT_DETAIL_MAX + 1] = "";
    (void)report_parse_error(resp->body, resp->len, reason, sizeof reason);
    const char *what =
        it.kind == REPORT_ITEM_USAGE ? "usage" : report_event_kind_name(it.event.kind);
    FW_LOGW("record %llu (%s) refused by the collector (%s: %s): set aside (%u kept aside); the "
            "records behind it go on",
            (unsigned long long)id, what ? what : "?", answer_text(resp, code, sizeof code),
            reason[0] ? reason : "no reason given", report_queue_refused_count(&r->queue));
    if (it.kind == REPORT_ITEM_USAGE) { /* what the collector does not have (support) */
        const report_usage_t *u = &it.usage;
        FW_LOGI("record %llu kept aside: %lld..%lld calls %u call_seconds %llu calls_blocked %u "
                "emergency_calls %u meetings %u meeting_seconds %llu share_seconds %llu",
                (unsigned long long)id, (long long)u->start, (long long)u->end, u->calls,
                (unsigned long long)u->call_seconds, u->calls_blocked, u->emergency_calls,
                u->meetings, (unsigned long long)u->meeting_seconds,
                (unsigned long long)u->share_seconds);
    }
    if (it.kind == REPORT_ITEM_EVENT && it.event.kind == REPORT_EV_RECORD_REFUSED) {
        return;
    }
    char detail[REPORT_DETAIL_MAX + 1];
    /* A long reason is cut to the event's bounded detail; the return value is
     * looked at so gcc -Os (aarch64) does not call the cut a mistake. */
    int n = snprintf(detail, sizeof detail, "id %llu %s %s: %s", (unsigned long long)id,
                     what ? what : "?", code, reason[0] ? reason : "no reason given");
    if (n < 0) {
        (void)snprintf(detail, sizeof detail, "id %llu", (unsigned long long)id);
    }
    agent_report_event(r, "record_refused", detail, r->trial->report_time);
}

static void on_batch(void *ctx, const link_response_t *resp)
{
    agent_report_t *r = ctx;
    r->in_flight = false;
    take_server_time(r, resp);
    report_answer_t a = report_answer_classify(resp->err, resp->code);
    if (a == REPORT_ANSWER_ACKED) {
        int n = report_queue_ack(&r->queue, &r->batch, resp->body, resp->len);
        if (n < 0) {
            a = REPORT_ANSWER_TRANSIENT; /* a malformed ack acknowledges nothing */
        } else {
            r->last_ack = r->trial->now; /* shown on the about screen */
            FW_LOGD("batch of %u acknowledged: %d deleted", (unsigned)r->batch.n, n);
        }
    }
    bool room = report_queue_refused_count(&r->queue) < REPORT_REFUSED_MAX;
    report_verdict_t v =
        report_retry_answer(&r->retry, hal_clock_net_ms(), r->batch.kind, r->batch.n, a, room);
    char code[24];
    switch (v) {
    case REPORT_VERDICT_ACK: r->aside_full_logged = false; break;
    case REPORT_VERDICT_SPLIT:
        FW_LOGI("collector refused a batch of %u (%s): sending %u at a time to find the record "
                "it refuses",
                (unsigned)r->batch.n, answer_text(resp, code, sizeof code),
                (unsigned)report_retry_limit(&r->retry, r->batch.kind));
        break;
    case REPORT_VERDICT_SET_ASIDE: set_aside(r, resp); break;
    case REPORT_VERDICT_RETRY:
        if (a == REPORT_ANSWER_REFUSED) {
            if (!r->aside_full_logged) {
                FW_LOGE("record %llu refused, but %u records are set aside already: it stays "
                        "queued and is retried with backoff",
                        (unsigned long long)r->batch.ids[0], REPORT_REFUSED_MAX);
                r->aside_full_logged = true;
            }
        } else {
            FW_LOGW("batch not acknowledged (%s): kept, next try in %llu ms",
                    answer_text(resp, code, sizeof code),
                    (unsigned long long)(r->retry.not_before_ms - hal_clock_net_ms()));
        }
        break;
    }
}

static void on_prov(void *ctx, const link_response_t *resp)
{
    agent_report_t *r = ctx;
    r->prov_in_flight = false;
    take_server_time(r, resp);
    report_answer_t a = report_answer_classify(resp->err, resp->code);
    report_retry_other(&r->retry, hal_clock_net_ms(), a == REPORT_ANSWER_ACKED);
    if (a == REPORT_ANSWER_ACKED) {
        memcpy(r->prov_hash_acked, r->prov_hash, sizeof r->prov_hash);
        r->last_ack = r->trial->now;
        (void)store_put(r->store, STORE_KEY_PROV_SENT, r->prov_hash_acked,
                        sizeof r->prov_hash_acked, 0);
        FW_LOGI("provisioning report acknowledged");
    } else if (a == REPORT_ANSWER_REFUSED) {
        char code[24], reason[128] = "";
        (void)report_parse_error(resp->body, resp->len, reason, sizeof reason);
        memcpy(r->prov_hash_refused, r->prov_hash, sizeof r->prov_hash);
        FW_LOGE("provisioning report refused by the collector (%s: %s): not sent again until it "
                "changes",
                answer_text(resp, code, sizeof code), reason[0] ? reason : "no reason given");
    }
}

void agent_report_open(agent_report_t *r, store_t *store, const proto_provisioning_t *prov,
                       agent_trial_t *trial, uint32_t interval_s, uint32_t batch_s)
{
    memset(r, 0, sizeof *r);
    r->store = store;
    r->prov = prov;
    r->trial = trial;
    r->batch_s = batch_s;
    r->want_refresh = true; /* licence news and server time at boot */
    /* ids are unique per provisioning generation: every batch says which */
    report_queue_config_t qc = {.interval_s = interval_s, .gen = prov->gen};
    int rc = report_queue_open(&r->queue, store, &qc);
    r->queue_ok = rc == 0;
    if (!r->queue_ok) {
        FW_LOGE("report queue unusable (%s): usage is not recorded", fw_strerror(rc));
    }
    size_t len = 0;
    (void)store_get(store, STORE_KEY_PROV_SENT, r->prov_hash_acked, sizeof r->prov_hash_acked,
                    &len);

    char host[128];
    link_config_t lc = {.identity = prov->psk_identity, .psk = prov->psk, .psk_len = prov->psk_len};
    if (split_server(prov->server, host, sizeof host, &lc.port) != 0) {
        FW_LOGE("server '%s' unusable: reports stay queued", prov->server);
        return;
    }
    lc.host = host;
    for (const char *c = prov->serial; *c; c++) {
        lc.rand_seed = lc.rand_seed * 31u + (uint8_t)*c; /* device-unique jitter */
    }
    report_retry_init(&r->retry, ~lc.rand_seed);
    rc = link_open(&r->link, &lc);
    if (rc != 0) {
        FW_LOGE("cannot open the link to %s: %s; reports stay queued", prov->server,
                fw_strerror(rc));
        r->link = NULL;
        return;
    }
    (void)link_observe(r->link, "/v1/licence", on_licence, r);
}

report_usage_t *agent_report_usage(agent_report_t *r)
{
    return r->queue_ok ? report_queue_usage(&r->queue) : NULL;
}

void agent_report_save(agent_report_t *r, int64_t now)
{
    if (r->queue_ok) {
        int rc = report_queue_save(&r->queue, now);
        if (rc != 0) {
            FW_LOGE("cannot save the open usage interval: %s", fw_strerror(rc));
        }
    }
}

void agent_report_event(void *ctx, const char *kind, const char *detail, int64_t t)
{
    agent_report_t *r = ctx;
    report_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.t = t;
    if (!r->queue_ok || report_event_kind_parse(kind, &ev.kind) != 0) {
        FW_LOGW("event %s not queued", kind);
        return;
    }
    (void)snprintf(ev.detail, sizeof ev.detail, "%s", detail ? detail : "");
    int rc = report_queue_push_event(&r->queue, &ev);
    if (rc != 0) {
        FW_LOGE("event %s not queued: %s (queue: %u events, %u usage records)", kind,
                fw_strerror(rc), report_queue_count(&r->queue, REPORT_ITEM_EVENT),
                report_queue_count(&r->queue, REPORT_ITEM_USAGE));
    }
}

static const char *licence_state(const agent_trial_t *t)
{
    return t->have_licence ? trial_state_name(t->view.state) : "none";
}

/* Sends the provisioning report if its content differs from what the
 * collector last acknowledged (first contact, or something changed, R1). */
static void send_prov_if_changed(agent_report_t *r)
{
    hal_identity_t id;
    memset(&id, 0, sizeof id);
    (void)hal_identity_get(&id);
    report_prov_t p;
    memset(&p, 0, sizeof p);
    (void)snprintf(p.mac, sizeof p.mac, "%02x:%02x:%02x:%02x:%02x:%02x", id.mac[0], id.mac[1],
                   id.mac[2], id.mac[3], id.mac[4], id.mac[5]);
    (void)snprintf(p.hw_revision, sizeof p.hw_revision, "%u", id.hw_revision);
    /* serial, model, trial, region, locale, gen: as provisioned */
    (void)proto_record_copy(&proto_prov_report_record, &p, &proto_provisioning_record, r->prov);
    (void)snprintf(p.fw_version, sizeof p.fw_version, "%s", SPARK_FW_VERSION);
    (void)snprintf(p.licence_state, sizeof p.licence_state, "%s", licence_state(r->trial));
    size_t len = 0;
    if (report_encode_prov(&p, r->body, sizeof r->body, &len) != 0) {
        return;
    }
    uint8_t hash[32];
    if (mbedtls_sha256_ret((const unsigned char *)r->body, len, hash, 0) != 0 ||
        memcmp(hash, r->prov_hash_acked, sizeof hash) == 0 ||
        memcmp(hash, r->prov_hash_refused, sizeof hash) == 0) {
        return;
    }
    memcpy(r->prov_hash, hash, sizeof hash);
    if (link_post(r->link, "/v1/prov", r->body, len, on_prov, r) == 0) {
        r->prov_in_flight = true;
    }
}

static void send_batch(agent_report_t *r, report_item_kind_t kind, const char *path)
{
    size_t len = 0;
    if (report_queue_batch(&r->queue, kind, r->prov->serial, report_retry_limit(&r->retry, kind),
                           r->body, sizeof r->body, &len, &r->batch) != 0) {
        return;
    }
    if (link_post(r->link, path, r->body, len, on_batch, r) == 0) {
        r->in_flight = true;
    }
}

void agent_report_step(agent_report_t *r, int64_t now, uint64_t net_ms, bool net_up)
{
    if (r->queue_ok) {
        (void)report_queue_tick(&r->queue, now);
    }
    if (!r->link) {
        return;
    }
    if (net_up && r->want_refresh) {
        link_refresh(r->link);
        r->want_refresh = false;
    }
    if (net_up && !r->in_flight && !r->prov_in_flight && report_retry_may_send(&r->retry, net_ms)) {
        int64_t oldest = 0;
        if (r->queue_ok && report_queue_count(&r->queue, REPORT_ITEM_EVENT) > 0) {
            send_batch(r, REPORT_ITEM_EVENT, "/v1/events"); /* events: at once */
        } else {
            send_prov_if_changed(r);
            if (!r->prov_in_flight && r->queue_ok &&
                report_queue_oldest_usage_end(&r->queue, &oldest) &&
                report_usage_send_due(true, oldest,
                                      report_queue_count(&r->queue, REPORT_ITEM_USAGE), now,
                                      r->batch_s, REPORT_BATCH_MAX)) {
                send_batch(r, REPORT_ITEM_USAGE, "/v1/usage");
            }
        }
    }
    (void)link_step(r->link, net_ms, 0);
}

void agent_report_refresh(agent_report_t *r)
{
    r->want_refresh = true;
}

bool agent_report_busy(const agent_report_t *r)
{
    return r->link && link_is_waiting(r->link);
}

void agent_report_poll(agent_report_t *r, uint32_t budget_ms)
{
    if (r->link) {
        (void)link_step(r->link, hal_clock_net_ms(), budget_ms);
    }
}

void agent_report_close(agent_report_t *r, int64_t now, uint32_t drain_ms)
{
    if (r->queue_ok) {
        (void)report_queue_save(&r->queue, now);
    }
    if (!r->link) {
        return;
    }
    /* A planned stop sends what is queued, within a bounded time: usage is
     * due at once now. Whatever does not make it stays queued on flash. */
    r->batch_s = 0;
    const uint64_t start = hal_clock_net_ms();
    const uint32_t slice_ms = 20;
    for (uint32_t i = 0; i <= drain_ms / slice_ms && hal_clock_net_ms() - start < drain_ms &&
                         r->queue_ok; /* bounded even if the clock stands still */
         i++) {
        bool queued = report_queue_count(&r->queue, REPORT_ITEM_EVENT) > 0 ||
                      report_queue_count(&r->queue, REPORT_ITEM_USAGE) > 0;
        if (!queued && !r->in_flight && !r->prov_in_flight) {
            break;
        }
        agent_report_step(r, now, hal_clock_net_ms(), hal_net_is_up());
        agent_report_poll(r, slice_ms); /* waits on the socket only */
    }
    link_close(r->link);
    r->link = NULL;
}
