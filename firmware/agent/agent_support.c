/*
 * Support port glue. The server decides nothing about the documents and
 * this file decides nothing about requests: it hands the server the PSK
 * and builds, when asked, the state document (support/state.h) from the
 * trial and report glue, or the licence answer from the stored token.
 */
#define FW_LOG_TAG "support"
#include "agent_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/err.h"
#include "fw/log.h"
#include "hal/clock.h"
#include "proto/json.h"
#include "support/state.h"
#include "trial/persist.h"
#include "trial/trusted_time.h"

#ifndef SPARK_FW_VERSION
#define SPARK_FW_VERSION "0.0.0"
#endif

static void facts_of(const agent_support_t *s, support_facts_t *f, char *problem, size_t cap)
{
    const agent_trial_t *t = s->trial;
    const agent_report_t *r = s->report;
    memset(f, 0, sizeof *f);
    f->serial = s->prov->serial;
    f->model = s->prov->model;
    f->trial = s->prov->trial;
    f->region = agent_trial_region(t);
    f->fw_version = SPARK_FW_VERSION;
    f->claims = t->have_licence ? &t->claims : NULL;
    f->view = t->have_licence ? &t->view : NULL;
    f->calling_full = agent_trial_calling(t) == CALLING_MODE_FULL;
    f->now = t->now;
    f->confirmed = t->confirmed;
    int64_t drift = t->wall - t->confirmed;
    bool agrees = t->wall_ok && drift <= TRUSTED_TIME_SLACK_S && drift >= -TRUSTED_TIME_SLACK_S;
    f->time_source = support_time_source(t->heard_collector, t->licence_time, agrees);
    f->last_report = r->last_ack;
    f->queue_depth = r->queue_ok ? report_queue_count(&r->queue, REPORT_ITEM_EVENT) +
                                       report_queue_count(&r->queue, REPORT_ITEM_USAGE)
                                 : 0;
    if (fw_log_last_problem(problem, cap) > 0) {
        f->last_error = problem;
        f->last_error_at = s->last_problem_at;
    }
}

/* {"error":"...","server_time":T} (proto/wire.h), as the collector refuses. */
static size_t error_body(char *buf, size_t cap, const char *reason, int64_t now)
{
    proto_writer_t w;
    proto_writer_init(&w, buf, cap);
    proto_w_printf(&w, "{\"%s\":", PROTO_ERROR_MEMBER);
    proto_w_string(&w, reason);
    proto_w_printf(&w, ",\"%s\":%lld}", proto_server_time_field.name, (long long)now);
    return w.overflow ? 0 : w.len;
}

/* The licence in force as GET /v1/licence gives it: {"token", "server_time"}
 * with the device's trusted time. */
static int licence_body(agent_support_t *s, char *buf, size_t cap, size_t *len)
{
    static proto_licence_body_t body;
    size_t n = 0;
    int rc = s->trial->have_licence
                 ? trial_persist_load_licence(s->store, body.token, sizeof body.token - 1, &n)
                 : FW_E_NOENT;
    if (rc != 0) {
        *len = error_body(buf, cap, "no licence in force", s->trial->now);
        return rc == FW_E_NOENT ? 404 : 500;
    }
    body.token[n] = '\0';
    body.server_time = s->trial->now;
    proto_writer_t w;
    proto_writer_init(&w, buf, cap);
    proto_w_object(&w, &proto_licence_record, &body);
    *len = w.overflow ? 0 : w.len;
    return w.overflow ? 500 : 205;
}

static int on_body(void *ctx, support_resource_t res, char *buf, size_t cap, size_t *len)
{
    agent_support_t *s = ctx;
    *len = 0;
    if (res == SUPPORT_RES_LICENCE) {
        return licence_body(s, buf, cap, len);
    }
    support_facts_t f;
    char problem[PROTO_PROBLEM_MAX + 1];
    facts_of(s, &f, problem, sizeof problem);
    char why[160];
    if (support_state_document(&f, buf, cap, len, why, sizeof why) != 0) {
        FW_LOGE("state document not made: %s", why);
        *len = 0;
        return 500;
    }
    return 205;
}

void agent_support_open(agent_support_t *s, const char *listen, store_t *store,
                        const proto_provisioning_t *prov, agent_trial_t *trial,
                        agent_report_t *report)
{
    memset(s, 0, sizeof *s);
    s->store = store;
    s->prov = prov;
    s->trial = trial;
    s->report = report;
    if (listen == NULL || listen[0] == '\0') {
        return;
    }
    if (prov->support_psk_len == 0) {
        FW_LOGW("support port off: no support PSK in the provisioning record (provision again)");
        return;
    }
    support_config_t c = {.listen = listen,
                          .psk = prov->support_psk,
                          .psk_len = prov->support_psk_len,
                          .body = on_body,
                          .ctx = s};
    int rc = support_server_open(&s->server, &c, hal_clock_net_ms());
    char any4[24];
    if (rc == FW_E_NET && strncmp(listen, "[::]:", 5) == 0) {
        /* a kernel without IPv6: every IPv4 address instead */
        (void)snprintf(any4, sizeof any4, "0.0.0.0:%s", listen + 5);
        c.listen = any4;
        rc = support_server_open(&s->server, &c, hal_clock_net_ms());
    }
    if (rc != 0) {
        FW_LOGE("support port off: cannot listen on %s (%s)", listen, fw_strerror(rc));
        s->server = NULL;
        return;
    }
    FW_LOGI("support port on %s (DTLS-PSK, identity '%s', read-only)", c.listen, SUPPORT_IDENTITY);
}

bool agent_support_active(const agent_support_t *s)
{
    return s->server != NULL;
}

void agent_support_step(agent_support_t *s)
{
    if (s->server == NULL) {
        return;
    }
    unsigned n = fw_log_last_problem(NULL, 0);
    if (n != s->problems_seen) {
        s->problems_seen = n;
        s->last_problem_at = s->trial->now;
    }
    support_server_step(s->server, hal_clock_net_ms());
}

void agent_support_close(agent_support_t *s)
{
    if (s->server == NULL) {
        return;
    }
    support_stats_t st;
    support_server_stats(s->server, &st);
    const support_counts_t *c = &st.requests;
    FW_LOGI("support port: %u requests (%u answered, %u not found, %u wrong method, %u with a "
            "body, %u rate-limited, %u unanswered), %u identities refused, %u failed handshakes, "
            "at most %u sessions at once",
            c->requests, c->served, c->not_found, c->bad_method, c->too_big, c->limited, c->dropped,
            st.identities_refused, st.handshakes_failed, st.sessions_peak);
    support_server_close(s->server);
    s->server = NULL;
}
