/*
 * Contract test (issue 11): what the device encodes, the collector parses,
 * and what the collector answers, the device parses, with every field of
 * proto/wire.h's tables at its limits. Both sides are linked here as they
 * ship: fw_report_codec (the device's encoder and answer parsers) and
 * collector_payload (the collector's parsers and answer builders). The
 * checks walk the tables, so a field added to a table is covered too, and a
 * side that narrows, widens, renames or drops a field on its own fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expect_same.h"

#include <cjson/cJSON.h>

#include "collector/payload.h"
#include "fw/err.h"
#include "limits.h"
#include "proto/json.h"
#include "proto/provisioning.h"
#include "proto/wire.h"
#include "report/codec.h"

#define SERIAL_MAX "ZZZZZZZZZZ9999999999" /* 20 characters, the longest serial */

static collector_usage_t s_u;
static collector_events_t s_e;
static char s_body[PROTO_BODY_MAX];

/* Every field of `r` in `obj` at its max (or min), valid values (limits.h). */
static void fill(const proto_record_t *r, void *obj, bool max)
{
    limit_fill(r, obj, max ? LIM_MAX : LIM_MIN);
}

static size_t usage_body(const proto_batch_head_t *head, uint64_t id, const report_usage_t *u)
{
    report_writer_t w;
    size_t len = 0;
    report_batch_open(&w, s_body, sizeof s_body, head, true);
    assert_int_equal(report_batch_add_usage(&w, id, u), 0);
    assert_int_equal(report_batch_end(&w, &len), 0);
    return len;
}

/* The device keeps `it` in its queue: the item encodes, and reads back from
 * flash as the same record (a limit narrower on the read side than on the
 * write side would strand the record in the queue). */
static void queue_roundtrip(const report_item_t *it)
{
    uint8_t item[REPORT_ITEM_MAX];
    size_t ilen;
    assert_int_equal(report_item_encode(it, item, sizeof item, &ilen), 0);
    report_item_t back;
    memset(&back, 0, sizeof back);
    assert_int_equal(report_item_decode(item, ilen, &back), 0);
    assert_int_equal(back.kind, it->kind);
    assert_int_equal(back.id, it->id);
    if (it->kind == REPORT_ITEM_USAGE) {
        assert_true(report_usage_equal(&back.usage, &it->usage));
    } else {
        expect_same(&proto_event_record, &it->event, &back.event);
    }
}

static void usage_roundtrip(bool max)
{
    proto_batch_head_t head = {SERIAL_MAX, max ? (uint32_t)PROTO_GEN_MAX : 0};
    report_usage_t u;
    memset(&u, 0, sizeof u);
    fill(&proto_usage_record, &u, max);
    uint64_t id = max ? REPORT_ID_MAX : 1;
    /* the device keeps it (a queue item validates) ... */
    report_item_t it = {.kind = REPORT_ITEM_USAGE, .id = id, .cover_from = id, .usage = u};
    queue_roundtrip(&it);
    /* ... sends it, and the collector reads back every field */
    size_t len = usage_body(&head, id, &u);
    collector_err_t err = {0};
    assert_int_equal(collector_check_request(true, COLLECTOR_CF_JSON, len, &err), 0);
    if (collector_parse_usage(s_body, len, head.serial, &s_u, &err) != 0) {
        fail_msg("collector refused the device's body (%d: %s): %.*s", err.coap, err.reason,
                 (int)len, s_body);
    }
    assert_int_equal(s_u.n, 1);
    assert_int_equal(s_u.rec[0].id, id);
    assert_int_equal(s_u.gen, head.gen);
    assert_string_equal(s_u.serial, head.serial);
    expect_same(&proto_usage_record, &u, &s_u.rec[0].u);
    /* the device's own decoder agrees */
    char serial[32];
    uint64_t ids[1];
    report_usage_t back;
    size_t n;
    assert_int_equal(
        report_decode_usage_body(s_body, len, serial, sizeof serial, ids, &back, 1, &n), 0);
    assert_true(report_usage_equal(&back, &u));
}

static void test_usage_at_max_and_min(void **state)
{
    (void)state;
    usage_roundtrip(true);
    usage_roundtrip(false);
}

/* One past the table's range: the device does not keep it, the collector
 * does not take it, and the refusal names the field. */
static void test_usage_one_past_max(void **state)
{
    (void)state;
    proto_batch_head_t head = {SERIAL_MAX, 1};
    for (size_t i = 0; i < proto_usage_record.n; i++) {
        const proto_field_t *f = &proto_usage_record.fields[i];
        uint64_t type_max = f->size == 4 ? UINT32_MAX : (uint64_t)INT64_MAX;
        if ((uint64_t)f->max >= type_max) {
            continue; /* the C type itself holds no larger value */
        }
        report_usage_t u;
        memset(&u, 0, sizeof u);
        fill(&proto_usage_record, &u, false);
        proto_field_set(f, &u, f->max + 1);
        if (strcmp(f->name, "start") == 0) {
            u.end = u.start; /* keep end >= start: only the range is wrong */
        }
        report_item_t it = {.kind = REPORT_ITEM_USAGE, .id = 1, .cover_from = 1, .usage = u};
        uint8_t item[REPORT_ITEM_MAX];
        size_t ilen;
        assert_int_equal(report_item_encode(&it, item, sizeof item, &ilen), FW_E_INVAL);
        size_t len = usage_body(&head, 1, &u);
        collector_err_t err = {0};
        assert_int_not_equal(collector_parse_usage(s_body, len, head.serial, &s_u, &err), 0);
        assert_int_equal(err.coap, 400);
        if (strstr(err.reason, f->name) == NULL) {
            fail_msg("%s: refusal does not name it: %s", f->name, err.reason);
        }
    }
}

/* A full batch of the largest records fits the body limit both sides use. */
static void test_full_batch_fits(void **state)
{
    (void)state;
    proto_batch_head_t head = {SERIAL_MAX, (uint32_t)PROTO_GEN_MAX};
    report_usage_t u;
    memset(&u, 0, sizeof u);
    fill(&proto_usage_record, &u, true);
    report_writer_t w;
    report_batch_open(&w, s_body, sizeof s_body, &head, true);
    unsigned added = 0;
    while (added < PROTO_BATCH_MAX && report_batch_add_usage(&w, REPORT_ID_MAX - added, &u) == 0) {
        added++;
    }
    size_t len;
    assert_int_equal(report_batch_end(&w, &len), 0);
    assert_true(added >= 16); /* docs/FORMATS.md promises at least this many */
    collector_err_t err = {0};
    assert_int_equal(collector_check_request(true, COLLECTOR_CF_JSON, len, &err), 0);
    assert_int_equal(collector_parse_usage(s_body, len, head.serial, &s_u, &err), 0);
    assert_int_equal(s_u.n, added);
}

static void test_events_every_kind_longest_detail(void **state)
{
    (void)state;
    proto_batch_head_t head = {SERIAL_MAX, 7};
    report_writer_t w;
    report_batch_open(&w, s_body, sizeof s_body, &head, false);
    report_event_t sent[16];
    size_t k = proto_event_kind_count();
    assert_true(k > 0 && k <= 16);
    for (size_t i = 0; i < k; i++) {
        memset(&sent[i], 0, sizeof sent[i]);
        fill(&proto_event_record, &sent[i], true);
        sent[i].kind = proto_event_kind_at(i);
        sent[i].detail[0] = '"'; /* escaped on the way out, read back as sent */
        sent[i].detail[1] = '\\';
        report_item_t it = {
            .kind = REPORT_ITEM_EVENT, .id = 1 + i, .cover_from = 1 + i, .event = sent[i]};
        queue_roundtrip(&it);
        assert_int_equal(report_batch_add_event(&w, 1 + i, &sent[i]), 0);
    }
    size_t len;
    assert_int_equal(report_batch_end(&w, &len), 0);
    collector_err_t err = {0};
    if (collector_parse_events(s_body, len, head.serial, &s_e, &err) != 0) {
        fail_msg("collector refused the device's events (%d: %s)", err.coap, err.reason);
    }
    assert_int_equal(s_e.n, k);
    assert_int_equal(s_e.gen, 7);
    for (size_t i = 0; i < k; i++) {
        expect_same(&proto_event_record, &sent[i], &s_e.ev[i].e);
        assert_string_equal(collector_event_kind_name(s_e.ev[i].e.kind),
                            report_event_kind_name(sent[i].kind));
    }
    /* one byte longer: neither side keeps it */
    char longer[PROTO_DETAIL_MAX + 2];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    char body[512];
    (void)snprintf(body, sizeof body,
                   "{\"serial\":\"%s\",\"events\":[{\"id\":1,\"t\":1,\"kind\":\"notice\","
                   "\"detail\":\"%s\"}]}",
                   head.serial, longer);
    assert_int_not_equal(collector_parse_events(body, strlen(body), head.serial, &s_e, &err), 0);
    assert_non_null(strstr(err.reason, "detail"));
}

static void test_prov_report_longest(void **state)
{
    (void)state;
    report_prov_t p;
    memset(&p, 0, sizeof p);
    fill(&proto_prov_report_record, &p, true);
    char body[1024];
    size_t len;
    assert_int_equal(report_encode_prov(&p, body, sizeof body, &len), 0);
    collector_prov_t got;
    collector_err_t err = {0};
    if (collector_parse_prov(body, len, p.serial, &got, &err) != 0) {
        fail_msg("collector refused the device's report (%d: %s)", err.coap, err.reason);
    }
    expect_same(&proto_prov_report_record, &p, &got);
    assert_int_equal(got.gen, PROTO_GEN_MAX);
    /* the collector keeps one spelling of a MAC address */
    strcpy(p.mac, "02:AB:cd:00:00:01");
    assert_int_equal(report_encode_prov(&p, body, sizeof body, &len), 0);
    assert_int_equal(collector_parse_prov(body, len, p.serial, &got, &err), 0);
    assert_string_equal(got.mac, "02:ab:cd:00:00:01");
}

/* The agent's report takes serial, model, trial, region, locale and gen from
 * its provisioning record by name: every field the two tables share. */
static void test_prov_report_from_the_record(void **state)
{
    (void)state;
    static proto_provisioning_t rec;
    memset(&rec, 0, sizeof rec);
    fill(&proto_provisioning_record, &rec, true);
    report_prov_t p;
    memset(&p, 0, sizeof p);
    fill(&proto_prov_report_record, &p, false);
    assert_int_equal(
        proto_record_copy(&proto_prov_report_record, &p, &proto_provisioning_record, &rec), 6);
    char body[1024];
    size_t len;
    assert_int_equal(report_encode_prov(&p, body, sizeof body, &len), 0);
    collector_prov_t got;
    collector_err_t err = {0};
    assert_int_equal(collector_parse_prov(body, len, rec.serial, &got, &err), 0);
    assert_string_equal(got.trial, rec.trial);
    assert_int_equal(got.gen, rec.gen);
}

static void test_answers_back_to_the_device(void **state)
{
    (void)state;
    /* acks: the largest ids, duplicates once */
    uint64_t ids[PROTO_BATCH_MAX];
    for (size_t i = 0; i < PROTO_BATCH_MAX; i++) {
        ids[i] = REPORT_ID_MAX - i;
    }
    char out[PROTO_BODY_MAX];
    int n = collector_build_ack(ids, PROTO_BATCH_MAX, PROTO_TIME_MAX, out, sizeof out);
    assert_true(n > 0 && (size_t)n <= PROTO_BODY_MAX);
    uint64_t got[PROTO_BATCH_MAX];
    size_t ng = 0;
    report_ack_kind_t kind;
    assert_int_equal(
        report_parse_ack((const uint8_t *)out, (size_t)n, got, PROTO_BATCH_MAX, &ng, &kind), 0);
    assert_int_equal(kind, REPORT_ACK_LIST);
    assert_int_equal(ng, PROTO_BATCH_MAX);
    assert_memory_equal(got, ids, sizeof ids);
    int64_t t = 0;
    assert_int_equal(report_parse_server_time((const uint8_t *)out, (size_t)n, &t), 0);
    assert_int_equal(t, PROTO_TIME_MAX);

    /* the licence answer with the longest token */
    static char token[PROTO_TOKEN_MAX + 1], back[PROTO_TOKEN_MAX + 1];
    memset(token, 'A', PROTO_TOKEN_MAX);
    token[1] = '.';
    token[PROTO_TOKEN_MAX - 2] = '-';
    n = collector_build_licence_body(token, PROTO_INT_MAX, out, sizeof out);
    assert_true(n > 0 && (size_t)n <= PROTO_BODY_MAX);
    assert_int_equal(report_parse_licence((const uint8_t *)out, (size_t)n, back, sizeof back), 0);
    assert_string_equal(back, token);
    assert_int_equal(report_parse_server_time((const uint8_t *)out, (size_t)n, &t), 0);
    assert_int_equal(t, PROTO_INT_MAX);
    /* one character more: the collector does not build it */
    static char longer[PROTO_TOKEN_MAX + 2];
    memset(longer, 'A', PROTO_TOKEN_MAX + 1);
    assert_true(collector_build_licence_body(longer, 1, out, sizeof out) < 0);
}

/* ---- the provisioning and enrollment records ------------------------------------ */

/* Set field `f` of `obj` to `text` as it is, without the reader's checks
 * (what a writer might hold). false if the struct cannot hold it. */
static bool set_raw(const proto_field_t *f, void *obj, const char *text)
{
    char *p = (char *)obj + f->offset;
    size_t n = strlen(text);
    if (f->type == PROTO_T_STR) {
        if (n >= f->size) {
            return false;
        }
        memcpy(p, text, n + 1);
        return true;
    }
    if (f->type == PROTO_T_HEX) {
        size_t got = n / 2;
        if (got > f->size) {
            return false;
        }
        for (size_t i = 0; i < got; i++) {
            p[i] = (char)0xab;
        }
        memcpy((char *)obj + f->len_offset, &got, sizeof got);
        return true;
    }
    long long v = strtoll(text, NULL, 10);
    if (f->type == PROTO_T_BOOL || f->type == PROTO_T_CONST || f->type == PROTO_T_KIND ||
        (f->size == 4 && (v < 0 || v > (long long)UINT32_MAX)) ||
        (f->size == 8 && v < 0 && f->type == PROTO_T_U64)) {
        return false;
    }
    proto_field_set(f, obj, v);
    return true;
}

/* Both sides of a record, with every field at its limits: at its minimum and
 * maximum written and read back equal; one past each limit refused by the
 * reader (in a record otherwise at its maximum) and by the writer (where the
 * struct can hold the value), each naming the field. */
/* Each record's writer and reader as its programs call them: sparkflash
 * and the agent the provisioning record's codec, sparkflash and the
 * collector (admin enroll) the enrollment record's. */
typedef struct {
    const proto_record_t *r;
    size_t size;
    int (*encode)(const void *obj, char *buf, size_t cap, size_t *len, char *why, size_t why_cap);
    int (*decode)(const char *buf, size_t len, void *obj, char *why, size_t why_cap);
} sides_t;

static int prov_encode(const void *o, char *b, size_t c, size_t *l, char *w, size_t wc)
{
    return proto_provisioning_encode(o, b, c, l, w, wc);
}
static int prov_decode(const char *b, size_t l, void *o, char *w, size_t wc)
{
    return proto_provisioning_decode(b, l, o, w, wc);
}
static int enroll_encode(const void *o, char *b, size_t c, size_t *l, char *w, size_t wc)
{
    return proto_json_encode_record(&proto_enrollment_record, o, true, b, c, l, w, wc);
}
static int enroll_decode(const char *b, size_t l, void *o, char *w, size_t wc)
{
    return proto_json_decode_record(&proto_enrollment_record, b, l, o, sizeof(proto_enrollment_t),
                                    w, wc);
}
static const sides_t s_provisioning = {&proto_provisioning_record, sizeof(proto_provisioning_t),
                                       prov_encode, prov_decode};
static const sides_t s_enrollment = {&proto_enrollment_record, sizeof(proto_enrollment_t),
                                     enroll_encode, enroll_decode};

static void record_limits(const sides_t *sd)
{
    const proto_record_t *r = sd->r;
    size_t size = sd->size;
    static char a[8192], b[8192], json[8192], out[8192];
    char why[200], val[2048];
    size_t len = 0;
    for (int max = 0; max < 2; max++) {
        memset(a, 0, size);
        fill(r, a, max);
        if (sd->encode(a, json, sizeof json, &len, why, sizeof why) != 0) {
            fail_msg("%s at its %s: the writer refuses it: %s", r->name, max ? "max" : "min", why);
        }
        if (sd->decode(json, len, b, why, sizeof why) != 0) {
            fail_msg("%s at its %s: the reader refuses it: %s", r->name, max ? "max" : "min", why);
        }
        expect_same(r, a, b);
    }
    /* a: the record at its maximum; json: as written */
    for (size_t i = 0; i < r->n; i++) {
        const proto_field_t *f = &r->fields[i];
        for (limit_t past = LIM_BELOW_MIN; past <= LIM_ABOVE_MAX; past++) {
            if (!limit_json(f, past, val, sizeof val)) {
                continue;
            }
            cJSON *o = cJSON_ParseWithLength(json, len);
            assert_non_null(o);
            assert_true(cJSON_ReplaceItemInObjectCaseSensitive(o, f->name, cJSON_CreateRaw(val)));
            char *text = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            int rc = sd->decode(text, strlen(text), b, why, sizeof why);
            if (rc == 0 || strstr(why, f->name) == NULL) {
                fail_msg("%s.%s = %.40s: the reader %s (%s)", r->name, f->name, val,
                         rc == 0 ? "takes it" : "does not name it", why);
            }
            cJSON_free(text);
            /* the writer */
            limit_text(f, past, val, sizeof val);
            memcpy(b, a, size);
            if (set_raw(f, b, val)) {
                size_t l2;
                rc = sd->encode(b, out, sizeof out, &l2, why, sizeof why);
                if (rc == 0 || strstr(why, f->name) == NULL) {
                    fail_msg("%s.%s = %.40s: the writer %s (%s)", r->name, f->name, val,
                             rc == 0 ? "writes it" : "does not name it", why);
                }
            }
        }
    }
}

static void test_provisioning_record_limits(void **state)
{
    (void)state;
    record_limits(&s_provisioning);
}

static void test_enrollment_record_limits(void **state)
{
    (void)state;
    record_limits(&s_enrollment);
}

/* sparkflash writes the enrollment record from the provisioning record it
 * wrote, field by name: every field but keep_devices must come from there,
 * or a field added to one table alone goes out empty. */
static void test_enrollment_from_the_provisioning_record(void **state)
{
    (void)state;
    static proto_provisioning_t p;
    static proto_enrollment_t e, back;
    memset(&p, 0, sizeof p);
    memset(&e, 0, sizeof e);
    fill(&proto_provisioning_record, &p, true);
    assert_int_equal(
        proto_record_copy(&proto_enrollment_record, &e, &proto_provisioning_record, &p),
        proto_enrollment_record.n - 1);
    e.keep_devices = true;
    static char text[4096];
    char why[200];
    size_t len;
    assert_int_equal(enroll_encode(&e, text, sizeof text, &len, why, sizeof why), 0);
    assert_int_equal(enroll_decode(text, len, &back, why, sizeof why), 0);
    expect_same(&proto_enrollment_record, &e, &back);
    assert_int_equal(back.gen, p.gen);
    assert_string_equal(back.dial_prefix, p.dial_prefix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_at_max_and_min),
        cmocka_unit_test(test_usage_one_past_max),
        cmocka_unit_test(test_full_batch_fits),
        cmocka_unit_test(test_events_every_kind_longest_detail),
        cmocka_unit_test(test_prov_report_longest),
        cmocka_unit_test(test_prov_report_from_the_record),
        cmocka_unit_test(test_provisioning_record_limits),
        cmocka_unit_test(test_enrollment_record_limits),
        cmocka_unit_test(test_enrollment_from_the_provisioning_record),
        cmocka_unit_test(test_answers_back_to_the_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
