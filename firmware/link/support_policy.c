/*
 * The support port's decisions (link/support_policy.h). Pure: requests,
 * client keys and the time come in as arguments; no heap, fixed tables.
 *
 * Rate limiting is token buckets: one per client address (the most recent
 * SUPPORT_CLIENTS_MAX addresses; a new one takes the slot of the one seen
 * longest ago) and one for everybody, so neither one host nor many can have
 * the device answer more than `total_per_s` requests a second on average.
 * Refusing costs something too (a 4.29 is a datagram out), so refusals have
 * their own bucket and past it a request gets no answer at all.
 */
#include "link/support_policy.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *path;
    unsigned format;
    const char *rt, *title;
} route_t;

static const route_t s_routes[SUPPORT_RES_COUNT] = {
    [SUPPORT_RES_STATE] = {"support/state", 50, "spark.support.state", "trial state"},
    [SUPPORT_RES_LICENCE] = {"support/licence", 50, "spark.support.licence", "licence in force"},
    [SUPPORT_RES_CORE] = {".well-known/core", 40, NULL, NULL},
};

/* ---- buckets ---------------------------------------------------------------- */

static void bucket_fill(support_bucket_t *b, uint32_t burst, uint64_t now_ms)
{
    b->milli = (uint64_t)burst * 1000u;
    b->at_ms = now_ms;
}

/* Refill for the time since the last call, then take one token if there is
 * one. Returns true if taken; else *wait_ms gets how long until one is. */
static bool bucket_take(support_bucket_t *b, uint32_t per_s, uint32_t burst, uint64_t now_ms,
                        uint64_t *wait_ms)
{
    if (now_ms > b->at_ms) {
        uint64_t elapsed = now_ms - b->at_ms;
        uint64_t cap = (uint64_t)burst * 1000u;
        /* elapsed is bounded before the multiplication: a day is plenty */
        uint64_t add = (elapsed > 86400000u ? 86400000u : elapsed) * per_s;
        b->milli = b->milli + add > cap ? cap : b->milli + add;
        b->at_ms = now_ms;
    }
    if (b->milli >= 1000u) {
        b->milli -= 1000u;
        return true;
    }
    if (wait_ms) {
        *wait_ms = per_s ? (1000u - b->milli + per_s - 1) / per_s : UINT64_MAX;
    }
    return false;
}

static support_bucket_t *client_bucket(support_policy_t *p, uint32_t key, uint64_t now_ms)
{
    size_t slot = SUPPORT_CLIENTS_MAX, oldest = 0;
    key = key ? key : 1u; /* 0 marks a free slot */
    for (size_t i = 0; i < SUPPORT_CLIENTS_MAX; i++) {
        if (p->clients[i].key == key) {
            p->clients[i].seen_ms = now_ms;
            return &p->clients[i].bucket;
        }
        if (p->clients[i].key == 0 && slot == SUPPORT_CLIENTS_MAX) {
            slot = i;
        }
        if (p->clients[i].seen_ms < p->clients[oldest].seen_ms) {
            oldest = i;
        }
    }
    if (slot == SUPPORT_CLIENTS_MAX) {
        slot = oldest; /* forgotten: it starts again with a full bucket */
    }
    p->clients[slot].key = key;
    p->clients[slot].seen_ms = now_ms;
    bucket_fill(&p->clients[slot].bucket, p->lim.client_burst, now_ms);
    return &p->clients[slot].bucket;
}

/* ---- decisions ------------------------------------------------------------- */

void support_policy_init(support_policy_t *p, const support_limits_t *lim, uint64_t now_ms)
{
    static const support_limits_t def = SUPPORT_LIMITS_DEFAULT;
    memset(p, 0, sizeof *p);
    p->lim = lim ? *lim : def;
    bucket_fill(&p->total, p->lim.total_burst, now_ms);
    bucket_fill(&p->refusals, p->lim.refusals_per_s, now_ms);
}

int support_route(const char *path, support_resource_t *res)
{
    for (int i = 0; i < SUPPORT_RES_COUNT; i++) {
        if (strcmp(path, s_routes[i].path) == 0) {
            *res = (support_resource_t)i;
            return 0;
        }
    }
    return 404;
}

support_verdict_t support_policy_decide(support_policy_t *p, uint64_t now_ms, uint32_t client,
                                        const support_request_t *rq)
{
    support_verdict_t v = {0, SUPPORT_RES_STATE, 0};
    p->counts.requests++;
    uint64_t wait_client = 0, wait_total = 0;
    support_bucket_t *cb = client_bucket(p, client, now_ms);
    /* The client's token first: one host over its rate does not spend
     * everybody's. */
    bool ok = bucket_take(cb, p->lim.client_per_s, p->lim.client_burst, now_ms, &wait_client) &&
              bucket_take(&p->total, p->lim.total_per_s, p->lim.total_burst, now_ms, &wait_total);
    if (!ok) {
        if (!bucket_take(&p->refusals, p->lim.refusals_per_s, p->lim.refusals_per_s, now_ms,
                         NULL)) {
            p->counts.dropped++;
            return v; /* code 0: silence */
        }
        uint64_t wait = wait_client > wait_total ? wait_client : wait_total;
        uint64_t s = (wait + 999u) / 1000u;
        v.code = 429;
        v.max_age_s = s < 1 ? 1u : s > 3600u ? 3600u : (uint32_t)s;
        p->counts.limited++;
        return v;
    }
    if (rq->path_invalid || support_route(rq->path, &v.res) != 0) {
        v.code = 404;
        p->counts.not_found++;
    } else if (rq->method != SUPPORT_GET) {
        v.code = 405;
        p->counts.bad_method++;
    } else if (rq->payload_len > 0 || rq->block1) {
        v.code = 413;
        p->counts.too_big++;
    } else {
        v.code = 205;
        p->counts.served++;
    }
    return v;
}

const char *support_resource_path(support_resource_t res)
{
    return res < SUPPORT_RES_COUNT ? s_routes[res].path : "";
}

unsigned support_resource_format(support_resource_t res)
{
    return res < SUPPORT_RES_COUNT ? s_routes[res].format : 0;
}

uint32_t support_client_key(const uint8_t *addr, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; addr && i < len; i++) {
        h = (h ^ addr[i]) * 16777619u;
    }
    return h ? h : 1u;
}

bool support_identity_ok(const uint8_t *id, size_t len)
{
    return id != NULL && len == sizeof SUPPORT_IDENTITY - 1 &&
           memcmp(id, SUPPORT_IDENTITY, len) == 0;
}

size_t support_link_format(char *buf, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < SUPPORT_RES_COUNT; i++) {
        const route_t *r = &s_routes[i];
        if (r->rt == NULL) {
            continue; /* the listing does not list itself */
        }
        int w = snprintf(buf + n, n < cap ? cap - n : 0, "%s</%s>;ct=%u;rt=\"%s\";title=\"%s\"",
                         n ? "," : "", r->path, r->format, r->rt, r->title);
        if (w < 0 || (size_t)w >= (n < cap ? cap - n : 0)) {
            return 0;
        }
        n += (size_t)w;
    }
    return n;
}

bool support_gate_open(support_gate_t *g, uint64_t now_ms, uint64_t period_ms, uint32_t *suppressed)
{
    if (g->used && now_ms < g->next_ms) {
        g->held++;
        return false;
    }
    if (suppressed) {
        *suppressed = g->held;
    }
    g->used = true;
    g->held = 0;
    g->next_ms = now_ms + period_ms;
    return true;
}
