/*
 * proto_dump: prints proto/wire.h's tables and sample bodies made by the code
 * that ships (the device's encoder, the collector's answer builders, the
 * provisioning record codec sparkflash and the agent use), as one JSON
 * object, for check_schemas.py: the schemas in docs/schemas/ must agree with
 * the tables and accept what both sides produce.
 */
#include <stdio.h>
#include <string.h>

#include "collector/payload.h"
#include "limits.h"
#include "proto/fwimage.h"
#include "proto/json.h"
#include "proto/provisioning.h"
#include "proto/slots.h"
#include "proto/wire.h"
#include "link/support_server.h"
#include "proto/support.h"
#include "report/codec.h"
#include "support/state.h"

static const char *type_name(proto_type_t t)
{
    switch (t) {
    case PROTO_T_STR: return "string";
    case PROTO_T_KIND: return "kind";
    case PROTO_T_BOOL: return "boolean";
    case PROTO_T_HEX: return "hex";
    case PROTO_T_CONST: return "const";
    default: return "integer";
    }
}

/* A table: each field's name, type, range and flags, and (with `values`)
 * its values at and past its limits as JSON (null where there is none). */
static void table(const char *name, const proto_record_t *r, bool comma, bool values)
{
    static const char *const lim[] = {"min_value", "max_value", "below_min", "above_max"};
    printf("%s\"%s\":[", comma ? "," : "", name);
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        printf("%s{\"name\":\"%s\",\"type\":\"%s\",\"min\":%lld,\"max\":%lld,\"optional\":%s,"
               "\"secret\":%s",
               i ? "," : "", f->name, type_name(f->type), (long long)f->min, (long long)f->max,
               (f->flags & PROTO_F_OPTIONAL) ? "true" : "false",
               (f->flags & PROTO_F_SECRET) ? "true" : "false");
        for (int k = 0; values && k < 4; k++) {
            static char v[2048];
            printf(",\"%s\":%s", lim[k], limit_json(f, (limit_t)k, v, sizeof v) ? v : "null");
        }
        printf("}");
    }
    printf("]");
}

/* A byte layout: each field's offset, size, name and range. */
static void layout(const char *name, const proto_blayout_t *l, bool comma)
{
    static const char *const types[] = {"u8", "u16", "u32", "bytes", "magic", "fixed", "zero"};
    printf("%s\"%s\":{\"len\":%zu,\"fields\":[", comma ? "," : "", name, l->len);
    for (size_t i = 0; i < l->n; i++) {
        const proto_bfield_t *f = &l->fields[i];
        printf("%s{\"name\":\"%s\",\"at\":%zu,\"size\":%zu,\"type\":\"%s\",\"min\":%u,"
               "\"max\":%u}",
               i ? "," : "", f->name, f->at, f->size, types[f->type], (unsigned)f->min,
               (unsigned)f->max);
    }
    printf("]}");
}

static bool s_first = true;

static void sample(const char *schema, const char *from, const char *body, size_t len)
{
    static char esc[3 * PROTO_BODY_MAX];
    proto_writer_t w;
    proto_writer_init(&w, esc, sizeof esc);
    char copy[PROTO_BODY_MAX + 1];
    (void)snprintf(copy, sizeof copy, "%.*s", (int)len, body);
    proto_w_string(&w, copy);
    printf("%s{\"schema\":\"%s\",\"from\":\"%s\",\"body\":%.*s}", s_first ? "" : ",", schema, from,
           (int)w.len, esc);
    s_first = false;
}

static void fill(const proto_record_t *r, void *obj, bool max)
{
    limit_fill(r, obj, max ? LIM_MAX : LIM_MIN);
}

static void usage_samples(void)
{
    static char body[PROTO_BODY_MAX];
    for (int max = 0; max < 2; max++) {
        proto_batch_head_t head = {"FOC2240Y1ZZ", max ? (uint32_t)PROTO_GEN_MAX : 0};
        report_usage_t u;
        memset(&u, 0, sizeof u);
        fill(&proto_usage_record, &u, max);
        report_writer_t w;
        size_t len = 0;
        report_batch_open(&w, body, sizeof body, &head, true);
        (void)report_batch_add_usage(&w, max ? REPORT_ID_MAX : 1, &u);
        (void)report_batch_add_usage(&w, max ? REPORT_ID_MAX - 1 : 2, &u);
        if (report_batch_end(&w, &len) == 0) {
            sample("usage-body", "device", body, len);
        }
    }
    proto_batch_head_t head = {"FOC2240Y1ZZ", 3};
    report_writer_t w;
    size_t len = 0;
    report_batch_open(&w, body, sizeof body, &head, false);
    for (size_t i = 0; i < proto_event_kind_count(); i++) {
        report_event_t e;
        memset(&e, 0, sizeof e);
        fill(&proto_event_record, &e, i % 2);
        e.kind = proto_event_kind_at(i);
        (void)report_batch_add_event(&w, 10 + i, &e);
    }
    if (report_batch_end(&w, &len) == 0) {
        sample("events-body", "device", body, len);
    }
    for (int max = 0; max < 2; max++) {
        report_prov_t p;
        memset(&p, 0, sizeof p);
        fill(&proto_prov_report_record, &p, max);
        if (report_encode_prov(&p, body, sizeof body, &len) == 0) {
            sample("prov-report", "device", body, len);
        }
    }
}

static void collector_samples(void)
{
    static char out[PROTO_BODY_MAX];
    uint64_t ids[3] = {REPORT_ID_MAX, 1, 1};
    int n = collector_build_ack(ids, 3, PROTO_TIME_MAX, out, sizeof out);
    if (n > 0) {
        sample("ack", "collector", out, (size_t)n);
    }
    n = collector_build_licence_body("eyJhbGciOiJFUzI1NiJ9.e30.c2ln", 1700000000, out, sizeof out);
    if (n > 0) {
        sample("licence", "collector", out, (size_t)n);
    }
    n = collector_build_error("records[0].calls: expected an integer from 0 to 4294967295",
                              1700000000, out, sizeof out);
    if (n > 0) {
        sample("error", "collector", out, (size_t)n);
    }
}

/* The provisioning record (sparkflash writes it, the agent reads it) and
 * the enrollment record (sparkflash writes it, the collector reads it), at
 * their minimum and maximum. */
static void record_samples(void)
{
    static proto_provisioning_t p;
    static proto_enrollment_t e;
    static char out[8192];
    size_t len = 0;
    char why[128];
    for (int max = 0; max < 2; max++) {
        memset(&p, 0, sizeof p);
        fill(&proto_provisioning_record, &p, max);
        if (proto_provisioning_encode(&p, out, sizeof out, &len, why, sizeof why) == 0) {
            sample("provisioning-record", "sparkflash", out, len);
        }
        memset(&e, 0, sizeof e);
        fill(&proto_enrollment_record, &e, max);
        if (proto_json_encode_record(&proto_enrollment_record, &e, true, out, sizeof out, &len, why,
                                     sizeof why) == 0) {
            sample("enrollment-record", "sparkflash", out, len);
        }
    }
}

/* ---- issue 12: the support port's state document ----------------------------- */

static const char *const *words_of(const proto_field_t *f)
{
    return f->check == proto_check_support_state  ? proto_support_states
           : f->check == proto_check_calling      ? proto_calling_modes
           : f->check == proto_check_licence_type ? proto_licence_types
           : f->check == proto_check_time_source  ? proto_time_sources
                                                  : NULL;
}

static void support_table(const char *name, const proto_record_t *r, bool comma)
{
    printf("%s\"%s\":[", comma ? "," : "", name);
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        printf("%s{\"name\":\"%s\",\"type\":\"%s\",\"min\":%lld,\"max\":%lld,"
               "\"optional\":%s,\"nullable\":%s,\"instant\":%s,\"unit\":\"%s\"",
               i ? "," : "", f->name, type_name(f->type), (long long)f->min, (long long)f->max,
               (f->flags & PROTO_F_OPTIONAL) ? "true" : "false",
               (f->flags & PROTO_F_NULL) ? "true" : "false",
               f->check == proto_check_instant ? "true" : "false", f->unit);
        const char *const *w = words_of(f);
        if (w != NULL) {
            printf(",\"words\":[");
            for (size_t k = 0; w[k] != NULL; k++) {
                printf("%s\"%s\"", k ? "," : "", w[k]);
            }
            printf("]");
        }
        printf("}");
    }
    printf("]");
}

/* The room's documents as the agent makes them: no licence, and a licence
 * with every service, at the timeline's stages. */
static void support_samples(void)
{
    static char body[SUPPORT_BODY_MAX];
    static trial_claims_t c;
    memset(&c, 0, sizeof c);
    strcpy(c.sub, "FOC2240Y1ZZ");
    strcpy(c.trial, "D1000001");
    strcpy(c.org, "Example \"GmbH\"");
    c.typ = TRIAL_TYPE_TRIAL;
    c.seq = 2;
    c.iat = 1792108800;
    c.has_trial_exp = true;
    c.trial_exp = 1797292800;
    strcpy(c.region, "DE");
    c.n_svc = TRIAL_SVC_MAX;
    for (size_t i = 0; i < c.n_svc; i++) {
        (void)snprintf(c.svc[i].id, sizeof c.svc[i].id, "service-%zu", i);
        c.svc[i].exp = c.trial_exp - (int64_t)i * 86400;
    }
    static const int64_t at[] = {1790000000, 1797292800 + 86400, 1797292800 + 40 * 86400};
    for (size_t k = 0; k <= sizeof at / sizeof at[0]; k++) {
        trial_view_t v;
        bool lic = k > 0 && trial_state_at(&c, NULL, at[k - 1], &v) == 0;
        support_facts_t f = {.serial = "FOC2240Y1ZZ",
                             .model = "Spark Room Kit",
                             .trial = "D1000001",
                             .region = "DE",
                             .fw_version = "0.1.0",
                             .claims = lic ? &c : NULL,
                             .view = lic ? &v : NULL,
                             .calling_full = lic && v.calling == TRIAL_CALLING_FULL,
                             .now = lic ? at[k - 1] : 1790000000,
                             .confirmed = lic ? at[k - 1] : 0,
                             .time_source = SUPPORT_TIME_COLLECTOR,
                             .last_report = lic ? at[k - 1] - 60 : 0,
                             .queue_depth = (uint32_t)k,
                             .last_error = lic ? "link: handshake with [::1]:5684 timed out" : NULL,
                             .last_error_at = lic ? at[k - 1] - 5 : 0};
        size_t len = 0;
        char why[160];
        if (support_state_document(&f, body, sizeof body, &len, why, sizeof why) == 0) {
            sample("support-state", "device", body, len);
        }
    }
}

int main(void)
{
    printf("{\"tables\":{");
    table("usage", &proto_usage_record, false, false);
    table("event", &proto_event_record, true, false);
    table("batch", &proto_batch_record, true, false);
    table("prov_report", &proto_prov_report_record, true, false);
    table("licence", &proto_licence_record, true, false);
    table("provisioning", &proto_provisioning_record, true, true);
    table("enrollment", &proto_enrollment_record, true, true);
    printf(",\"kinds\":[");
    for (size_t i = 0; i < proto_event_kind_count(); i++) {
        printf("%s\"%s\"", i ? "," : "", proto_event_kind_name(proto_event_kind_at(i)));
    }
    printf("]},\"layouts\":{");
    layout("fwimage-header", &fwimg_header_layout, false);
    layout("boot-record", &slots_boot_layout, true);
    printf("},\"limits\":{\"body\":%u,\"batch\":%u,\"detail\":%u,\"token\":%u,\"id\":%lld},",
           PROTO_BODY_MAX, PROTO_BATCH_MAX, PROTO_DETAIL_MAX, PROTO_TOKEN_MAX,
           (long long)PROTO_ID_MAX);
    printf("\"samples\":[");
    usage_samples();
    collector_samples();
    record_samples();
    support_samples();
    printf("],\"support\":{");
    support_table("state", &proto_support_state_record, false);
    support_table("service", &proto_support_service_record, true);
    printf(",\"services_max\":%u,\"body_max\":%u}}\n", PROTO_SERVICES_MAX, SUPPORT_BODY_MAX);
    return 0;
}
