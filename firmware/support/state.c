/*
 * The trial engine's verdict as support's documents (support/state.h).
 * Pure: everything comes in as arguments.
 */
#include "support/state.h"

#include <stdio.h>
#include <string.h>

#include "fw/iso8601.h"
#include "trial/trusted_time.h"

_Static_assert(TRIAL_SVC_MAX <= PROTO_SERVICES_MAX, "every service of a licence fits the document");
_Static_assert(TRIAL_ORG_MAX <= 64 && TRIAL_OFFER_MAX <= 16 && TRIAL_SITE_MAX <= 128,
               "the claims fit the document's strings");

/* Printable ASCII only, cut to the destination (a log line may hold UTF-8). */
static void copy_text(char *dst, size_t cap, const char *src)
{
    memset(dst, 0, cap); /* the whole member: a document compares equal to its copy */
    size_t i = 0;
    for (; src != NULL && src[i] != '\0' && i + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
    }
    dst[i] = '\0';
}

#define COPY(dst, src) copy_text(dst, sizeof(dst), src)

static void instant(char *dst, size_t cap, int64_t t)
{
    char buf[FW_ISO8601_LEN];
    copy_text(dst, cap, fw_iso8601_format(t, buf, sizeof buf));
}

#define INSTANT(dst, t) instant(dst, sizeof(dst), t)

/* Everything that does not apply yet: no licence in force. */
static void no_licence(proto_support_state_t *out, int64_t at)
{
    memset(out, 0, sizeof *out);
    out->seq = out->days_left = out->grace_days_left = out->ext = PROTO_NULL;
    INSTANT(out->at, at);
    COPY(out->state, "none");
    COPY(out->calling, "degraded");
}

void support_licence_view(const trial_claims_t *c, const trial_view_t *v, int64_t at,
                          proto_support_state_t *out)
{
    no_licence(out, at);
    out->valid = true;
    COPY(out->serial, c->sub);
    COPY(out->trial, c->trial);
    COPY(out->org, c->org);
    COPY(out->type, c->typ == TRIAL_TYPE_PAID ? "paid" : "trial");
    out->seq = c->seq;
    INSTANT(out->issued, c->iat);
    COPY(out->state, trial_state_name(v->state));
    if (v->has_expiry) {
        INSTANT(out->expiry, v->expiry);
        out->days_left = v->days_left;
        out->grace_days_left = v->grace_days_left;
    }
    out->last_day = v->last_day;
    COPY(out->calling, trial_calling_name(v->calling));
    out->rma = v->rma_due;
    out->keep = c->keep;
    out->ext = c->ext;
    if (v->numbers_held) {
        INSTANT(out->numbers_held_until, v->numbers_held_until);
    }
    COPY(out->region, c->region);
    COPY(out->offer, c->offer);
    COPY(out->site, c->site);
    out->n_services = v->n_svc < PROTO_SERVICES_MAX ? v->n_svc : PROTO_SERVICES_MAX;
    for (size_t i = 0; i < out->n_services; i++) {
        proto_support_service_t *s = &out->services[i];
        COPY(s->id, v->svc[i].id);
        INSTANT(s->expiry, v->svc[i].exp);
        s->days_left = v->svc[i].days_left;
        s->expired = v->svc[i].expired;
    }
}

void support_state_build(const support_facts_t *f, proto_support_state_t *out)
{
    if (f->claims != NULL && f->view != NULL) {
        support_licence_view(f->claims, f->view, f->now, out);
    } else {
        no_licence(out, f->now);
        COPY(out->region, f->region);
    }
    /* The device's own word for who it is and how it calls. */
    COPY(out->serial, f->serial);
    COPY(out->trial, f->trial);
    COPY(out->calling, f->calling_full ? "full" : "degraded");
    COPY(out->model, f->model);
    COPY(out->fw_version, f->fw_version);
    bool known = f->confirmed >= TRUSTED_TIME_KNOWN_MIN;
    COPY(out->time_source, support_time_source_name(known ? f->time_source : SUPPORT_TIME_UNKNOWN));
    if (known) {
        INSTANT(out->confirmed, f->confirmed);
    }
    if (f->last_report > 0) {
        INSTANT(out->last_report, f->last_report);
    }
    out->queue_depth = f->queue_depth;
    if (f->last_error != NULL && f->last_error[0] != '\0') {
        COPY(out->last_error, f->last_error);
        if (f->last_error_at > 0) {
            INSTANT(out->last_error_at, f->last_error_at);
        }
    }
}

int support_state_document(const support_facts_t *f, char *buf, size_t cap, size_t *len, char *why,
                           size_t why_cap)
{
    static proto_support_state_t doc; /* 3 KiB: off the stack */
    support_state_build(f, &doc);
    return proto_support_encode(&proto_support_state_record, &doc, buf, cap, len, why, why_cap);
}

support_time_source_t support_time_source(bool collector, bool licence, bool wall_agrees)
{
    return collector     ? SUPPORT_TIME_COLLECTOR
           : licence     ? SUPPORT_TIME_LICENCE
           : wall_agrees ? SUPPORT_TIME_WALL_CLOCK
                         : SUPPORT_TIME_STORED;
}

const char *support_time_source_name(support_time_source_t s)
{
    return s <= SUPPORT_TIME_UNKNOWN ? proto_time_sources[s] : "unknown";
}
