/*
 * test_codec.c - report/usage.h and report/codec.h: counters, intervals,
 * queue items on flash, request bodies, and the response parsers that read
 * bytes from the network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fw/err.h"
#include "report/codec.h"
#include "report/queue.h"
#include "report/usage.h"

#define T0 INT64_C(1700000000) /* 2023-11-14T22:13:20Z */

static report_usage_t sample(int64_t start, uint32_t k)
{
    report_usage_t u = {start, start + 3600, k,       60u * k, k % 3, k % 2,
                        k / 2, 600u * k,     30u * k, k + 1,   3600};
    return u;
}

static void test_interval_alignment_and_roll(void **state)
{
    (void)state;
    report_usage_t u, closed;
    report_usage_open(&u, T0, 0);
    assert_int_equal(u.start % 3600, 0);
    assert_true(u.start <= T0 && T0 < u.end);
    report_usage_call_ended(&u, 120);
    report_usage_people(&u, 4);
    report_usage_people(&u, 2);
    assert_false(report_usage_roll(&u, u.end - 1, 3600, &closed));
    int64_t old_end = u.end;
    /* device off for five hours: one record, then the interval of "now" */
    assert_true(report_usage_roll(&u, old_end + 5 * 3600 + 7, 3600, &closed));
    assert_int_equal(closed.calls, 1);
    assert_int_equal(closed.people_peak, 4);
    assert_int_equal(closed.end, old_end);
    assert_true(report_usage_is_empty(&u));
    assert_int_equal(u.start, old_end + 5 * 3600);
    assert_int_equal(report_interval_floor(-1, 3600), -3600);
    assert_int_equal(report_interval_sanitize(1), REPORT_INTERVAL_MIN_S);
}

static void test_merge_rules(void **state)
{
    (void)state;
    report_usage_t a = sample(T0, 3), b = sample(T0 + 3600, 5);
    report_usage_merge(&a, &b);
    assert_int_equal(a.start, T0);
    assert_int_equal(a.end, T0 + 7200);
    assert_int_equal(a.calls, 8);
    assert_int_equal(a.people_peak, 6);
    assert_int_equal(a.uptime_seconds, 7200);
    report_usage_t big = {0}, one = {0};
    big.calls = UINT32_MAX - 1;
    one.calls = 5;
    report_usage_merge(&big, &one);
    assert_int_equal(big.calls, UINT32_MAX); /* saturates */
}

static void test_item_roundtrip_and_rejects(void **state)
{
    (void)state;
    uint8_t buf[REPORT_ITEM_MAX];
    size_t len;
    report_item_t it = {
        .kind = REPORT_ITEM_USAGE, .id = 42, .cover_from = 40, .usage = sample(T0, 7)};
    assert_int_equal(report_item_encode(&it, buf, sizeof buf, &len), 0);
    report_item_t back;
    assert_int_equal(report_item_decode(buf, len, &back), 0);
    assert_int_equal(back.id, 42);
    assert_int_equal(back.cover_from, 40);
    assert_true(report_usage_equal(&back.usage, &it.usage));
    /* every truncation and every single-byte version/kind damage is refused */
    for (size_t n = 0; n < len; n++) {
        assert_int_equal(report_item_decode(buf, n, &back), FW_E_FORMAT);
    }
    buf[0] ^= 0xFF;
    assert_int_equal(report_item_decode(buf, len, &back), FW_E_FORMAT);

    report_item_t ev = {.kind = REPORT_ITEM_EVENT, .id = 9, .cover_from = 9};
    ev.event.t = T0;
    ev.event.kind = REPORT_EV_RMA_SHOWN;
    strcpy(ev.event.detail, "return label \"A\"");
    assert_int_equal(report_item_encode(&ev, buf, sizeof buf, &len), 0);
    assert_int_equal(report_item_decode(buf, len, &back), 0);
    assert_string_equal(back.event.detail, ev.event.detail);
    assert_int_equal(back.event.kind, REPORT_EV_RMA_SHOWN);
    buf[4 + 8 + 8] = 99; /* unknown kind */
    assert_int_equal(report_item_decode(buf, len, &back), FW_E_FORMAT);
    strcpy(ev.event.detail, "bad\n");
    assert_int_equal(report_item_encode(&ev, buf, sizeof buf, &len), FW_E_INVAL);
    it.cover_from = 43; /* above its own id */
    assert_int_equal(report_item_encode(&it, buf, sizeof buf, &len), FW_E_INVAL);
}

static void test_usage_body_roundtrip_and_overflow(void **state)
{
    (void)state;
    static char body[REPORT_BODY_MAX];
    report_writer_t w;
    report_batch_begin(&w, body, sizeof body, "SIMTEST0001", true);
    for (uint32_t i = 0; i < 3; i++) {
        report_usage_t u = sample(T0 + 3600 * i, i + 1);
        assert_int_equal(report_batch_add_usage(&w, 100 + i, &u), 0);
    }
    size_t len;
    assert_int_equal(report_batch_end(&w, &len), 0);
    char serial[32];
    uint64_t ids[8];
    report_usage_t recs[8];
    size_t n;
    assert_int_equal(report_decode_usage_body(body, len, serial, sizeof serial, ids, recs, 8, &n),
                     0);
    assert_int_equal(n, 3);
    assert_string_equal(serial, "SIMTEST0001");
    assert_int_equal(ids[2], 102);
    report_usage_t want = sample(T0 + 7200, 3);
    assert_true(report_usage_equal(&recs[2], &want));

    /* a small buffer: elements that do not fit are left out, body stays valid */
    char small[400];
    report_batch_begin(&w, small, sizeof small, "SIMTEST0001", true);
    uint32_t added = 0;
    for (uint32_t i = 0; i < 10; i++) {
        report_usage_t u = sample(T0, i);
        if (report_batch_add_usage(&w, 1 + i, &u) == 0) {
            added++;
        }
    }
    assert_true(added >= 1 && added < 10);
    assert_int_equal(report_batch_end(&w, &len), 0);
    assert_true(len < sizeof small);
    assert_int_equal(report_decode_usage_body(small, len, serial, sizeof serial, ids, recs, 8, &n),
                     0);
    assert_int_equal(n, added);
}

static void test_event_and_prov_bodies(void **state)
{
    (void)state;
    char body[512];
    report_writer_t w;
    report_event_t e = {T0, REPORT_EV_CALLING_DEGRADED, "grace \"over\""};
    report_batch_begin(&w, body, sizeof body, "SIMTEST0001", false);
    assert_int_equal(report_batch_add_event(&w, 5, &e), 0);
    size_t len;
    assert_int_equal(report_batch_end(&w, &len), 0);
    body[len] = '\0';
    assert_string_equal(body, "{\"serial\":\"SIMTEST0001\",\"events\":[{\"id\":5,\"t\":1700000000,"
                              "\"kind\":\"calling_degraded\",\"detail\":\"grace \\\"over\\\"\"}]}");
    report_prov_t p = {"SIMTEST0001", "Room Kit", "1", "02:00:00:00:00:01", "0.1.0", "D123", "DE",
                       "de-DE",       "trial",    0};
    assert_int_equal(report_encode_prov(&p, body, sizeof body, &len), 0);
    body[len] = '\0';
    assert_non_null(strstr(body, "\"licence_state\":\"trial\""));
    assert_null(strstr(body, "\"gen\"")); /* generation 0: as devices sent it before */
    p.gen = 175;
    assert_int_equal(report_encode_prov(&p, body, sizeof body, &len), 0);
    body[len] = '\0';
    assert_non_null(strstr(body, "\"licence_state\":\"trial\",\"gen\":175}"));
    assert_int_equal(report_encode_prov(&p, body, 20, &len), FW_E_NOSPACE);
    report_event_kind_t k;
    assert_int_equal(report_event_kind_parse("rma_acknowledged", &k), 0);
    assert_int_equal(k, REPORT_EV_RMA_ACKNOWLEDGED);
    assert_int_equal(report_event_kind_parse("rma_labels_requested", &k), 0); /* R13 */
    assert_int_equal(k, REPORT_EV_RMA_LABELS_REQUESTED);
    assert_string_equal(report_event_kind_name(REPORT_EV_RMA_LABELS_REQUESTED),
                        "rma_labels_requested");
    assert_int_equal(report_event_kind_parse("nope", &k), FW_E_FORMAT);
}

static int ack(const char *s, uint64_t *ids, size_t *n, report_ack_kind_t *kind)
{
    return report_parse_ack((const uint8_t *)s, s ? strlen(s) : 0, ids, 4, n, kind);
}

static void test_ack_parsing(void **state)
{
    (void)state;
    uint64_t ids[4];
    size_t n;
    report_ack_kind_t kind;
    assert_int_equal(ack(NULL, ids, &n, &kind), 0);
    assert_int_equal(kind, REPORT_ACK_ALL);
    assert_int_equal(ack("Created", ids, &n, &kind), 0); /* not JSON: foreign server */
    assert_int_equal(kind, REPORT_ACK_ALL);
    assert_int_equal(ack("{\"server_time\":5}", ids, &n, &kind), 0);
    assert_int_equal(kind, REPORT_ACK_ALL);
    assert_int_equal(ack("{\"ack\":[3,1,2]}", ids, &n, &kind), 0);
    assert_int_equal(kind, REPORT_ACK_LIST);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ack("{\"ack\":[]}", ids, &n, &kind), 0);
    assert_int_equal(kind, REPORT_ACK_LIST);
    assert_int_equal(n, 0);
    assert_int_equal(ack("{\"ack\":[1,2,3,4,5,6]}", ids, &n, &kind), 0);
    assert_int_equal(n, 4); /* bounded by cap */
    const char *bad[] = {"{\"ack\":\"1\"}",    "{\"ack\":[1.5]}",   "{\"ack\":[0]}",
                         "{\"ack\":[-3]}",     "{\"ack\":[1e300]}", "{\"ack\":[9007199254740992]}",
                         "{\"ack\":[1,null]}", "{\"ack\":{}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ack(bad[i], ids, &n, &kind), FW_E_FORMAT);
        assert_int_equal(n, 0);
    }
}

static void test_server_time_and_licence(void **state)
{
    (void)state;
    int64_t t = 0;
    const char *ok = "{\"token\":\"a.b.c\",\"server_time\":1700000123}";
    assert_int_equal(report_parse_server_time((const uint8_t *)ok, strlen(ok), &t), 0);
    assert_int_equal(t, 1700000123);
    char tok[64];
    assert_int_equal(report_parse_licence((const uint8_t *)ok, strlen(ok), tok, sizeof tok), 0);
    assert_string_equal(tok, "a.b.c");
    const char *nf = "Not Found";
    assert_int_equal(report_parse_licence((const uint8_t *)nf, strlen(nf), tok, sizeof tok),
                     FW_E_NOENT);
    assert_int_equal(report_parse_server_time((const uint8_t *)nf, strlen(nf), &t), FW_E_NOENT);
    const char *neg = "{\"server_time\":-5,\"token\":7}";
    assert_int_equal(report_parse_server_time((const uint8_t *)neg, strlen(neg), &t), FW_E_NOENT);
    assert_int_equal(report_parse_licence((const uint8_t *)neg, strlen(neg), tok, sizeof tok),
                     FW_E_NOENT);
    assert_int_equal(report_parse_licence((const uint8_t *)ok, strlen(ok), tok, 3), FW_E_NOENT);
}

/* The reason in a refusal body, as the record_refused event carries it:
 * printable ASCII, cut to fit, nothing when the body names none. */
static void test_refusal_reason(void **state)
{
    (void)state;
    char r[24];
    const char *ok = "{\"error\":\"records[0].calls: too big\",\"server_time\":5}";
    assert_int_equal(report_parse_error((const uint8_t *)ok, strlen(ok), r, sizeof r), 0);
    assert_string_equal(r, "records[0].calls: too b");
    const char *odd = "{\"error\":\"a\\u00e9\\nb\"}";
    assert_int_equal(report_parse_error((const uint8_t *)odd, strlen(odd), r, sizeof r), 0);
    assert_string_equal(r, "a???b"); /* UTF-8 e-acute (2 bytes) and a newline */
    static const char *const none[] = {
        "", "{}", "[1]", "{\"error\":5}", "{\"error\":\"\"}", "{\"error\":"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        assert_int_equal(report_parse_error((const uint8_t *)none[i], strlen(none[i]), r, sizeof r),
                         FW_E_NOENT);
    }
    report_event_kind_t k;
    assert_int_equal(report_event_kind_parse("record_refused", &k), 0);
    assert_int_equal(k, REPORT_EV_RECORD_REFUSED);
    assert_string_equal(report_event_kind_name(REPORT_EV_CLOCK_AHEAD), "clock_ahead");
}

static void test_send_policy(void **state)
{
    (void)state;
    assert_false(report_usage_send_due(false, 0, 0, T0, 3600, 64));
    assert_false(report_usage_send_due(true, T0, 1, T0 + 3599, 3600, 64));
    assert_true(report_usage_send_due(true, T0, 1, T0 + 3600, 3600, 64));
    assert_true(report_usage_send_due(true, T0, 64, T0, 3600, 64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interval_alignment_and_roll),
        cmocka_unit_test(test_merge_rules),
        cmocka_unit_test(test_item_roundtrip_and_rejects),
        cmocka_unit_test(test_usage_body_roundtrip_and_overflow),
        cmocka_unit_test(test_event_and_prov_bodies),
        cmocka_unit_test(test_ack_parsing),
        cmocka_unit_test(test_server_time_and_licence),
        cmocka_unit_test(test_send_policy),
        cmocka_unit_test(test_refusal_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
