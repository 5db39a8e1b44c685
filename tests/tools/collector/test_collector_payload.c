/*
 * Unit tests of the collector's pure payload module: every refusal code
 * (4.00, 4.03, 4.13, 4.15), the field named in each reason, ack and claims
 * bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "collector/payload.h"
#include "fw/err.h"

#define SN "ABC12345"

static const char *rec(char *buf, size_t cap, const char *id, const char *calls)
{
    snprintf(buf, cap,
             "{\"id\":%s,\"start\":100,\"end\":200,\"calls\":%s,\"call_seconds\":1,"
             "\"calls_blocked\":0,\"emergency_calls\":0,\"meetings\":0,\"meeting_seconds\":0,"
             "\"share_seconds\":0,\"people_peak\":2,\"uptime_seconds\":100}",
             id, calls);
    return buf;
}

static collector_usage_t s_u;
static collector_events_t s_e;

static int usage(const char *json, collector_err_t *err)
{
    memset(err, 0, sizeof *err);
    return collector_parse_usage(json, strlen(json), SN, &s_u, err);
}

static void expect_usage_refused(const char *json, int coap, const char *reason_part)
{
    collector_err_t err;
    int rc = usage(json, &err);
    if (rc == 0 || err.coap != coap || strstr(err.reason, reason_part) == NULL) {
        print_error("input %s: rc %d coap %d reason '%s'\n", json, rc, err.coap, err.reason);
    }
    assert_int_not_equal(rc, 0);
    assert_int_equal(err.coap, coap);
    assert_non_null(strstr(err.reason, reason_part));
    assert_int_equal(s_u.n, 0);
}

static void test_usage_ok(void **state)
{
    (void)state;
    char a[512], b[512], body[1200];
    snprintf(body, sizeof body, "{\"serial\":\"" SN "\",\"extra\":[1],\"records\":[%s,%s]}",
             rec(a, sizeof a, "1", "3"), rec(b, sizeof b, "9007199254740991", "4294967295"));
    collector_err_t err;
    assert_int_equal(usage(body, &err), 0);
    assert_int_equal(s_u.n, 2);
    assert_string_equal(s_u.serial, SN);
    assert_int_equal(s_u.rec[0].id, 1);
    assert_int_equal(s_u.rec[0].u.calls, 3);
    assert_int_equal(s_u.rec[1].id, 9007199254740991ull);
    assert_int_equal(s_u.rec[1].u.calls, 4294967295ull);
    assert_int_equal(s_u.rec[1].u.people_peak, 2);
    /* not NUL-terminated input: only len bytes are read */
    char copy[1200];
    size_t n = strlen(body);
    memcpy(copy, body, n);
    copy[n] = 'x';
    assert_int_equal(collector_parse_usage(copy, n, SN, &s_u, &err), 0);
}

static void test_usage_refusals(void **state)
{
    (void)state;
    char a[512], body[2048];
    expect_usage_refused("", 400, "empty");
    expect_usage_refused("{\"serial\":", 400, "not valid JSON");
    expect_usage_refused("[1]", 400, "JSON object");
    expect_usage_refused("{\"records\":[]}", 400, "serial: missing");
    expect_usage_refused("{\"serial\":5,\"records\":[]}", 400, "serial: expected a string");
    expect_usage_refused("{\"serial\":\"abc\",\"records\":[]}", 400, "serial");
    expect_usage_refused("{\"serial\":\"" SN "\",\"serial\":\"" SN "\",\"records\":[]}", 400,
                         "more than once");
    expect_usage_refused("{\"serial\":\"XYZ99999\",\"records\":[]}", 403, "DTLS identity");
    expect_usage_refused("{\"serial\":\"" SN "\"}", 400, "records: missing");
    expect_usage_refused("{\"serial\":\"" SN "\",\"records\":{}}", 400,
                         "records: expected an array");
    expect_usage_refused("{\"serial\":\"" SN "\",\"records\":[]}", 400, "got none");
    expect_usage_refused("{\"serial\":\"" SN "\",\"records\":[1]}", 400,
                         "records[0]: expected an object");
    expect_usage_refused("{\"serial\":\"AB\\u0000C12345\",\"records\":[]}", 400, "u0000");
    const char *bad_ids[] = {"0", "-1", "1.5", "\"1\"", "9007199254740992", "1e300", "true"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        snprintf(body, sizeof body, "{\"serial\":\"" SN "\",\"records\":[%s]}",
                 rec(a, sizeof a, bad_ids[i], "1"));
        expect_usage_refused(body, 400, "records[0].id");
    }
    snprintf(body, sizeof body, "{\"serial\":\"" SN "\",\"records\":[%s]}",
             rec(a, sizeof a, "1", "4294967296"));
    expect_usage_refused(body, 400, "records[0].calls");
    snprintf(body, sizeof body,
             "{\"serial\":\"" SN "\",\"records\":[{\"id\":1,\"start\":300,\"end\":200}]}");
    expect_usage_refused(body, 400, "end: before start");
    snprintf(body, sizeof body, "{\"serial\":\"" SN "\",\"records\":[{\"id\":1,\"start\":1}]}");
    expect_usage_refused(body, 400, "records[0].end: missing");
    /* 65 records */
    size_t pos = (size_t)snprintf(body, sizeof body, "{\"serial\":\"" SN "\",\"records\":[");
    for (int i = 0; i < 65; i++) {
        pos += (size_t)snprintf(body + pos, sizeof body - pos, "%s{}", i ? "," : "");
    }
    snprintf(body + pos, sizeof body - pos, "]}");
    expect_usage_refused(body, 400, "more than 64");
    /* a NUL byte inside the given length */
    collector_err_t err;
    assert_int_not_equal(collector_parse_usage("{\"serial\":\0}", 12, SN, &s_u, &err), 0);
    assert_int_equal(err.coap, 400);
}

static void test_too_large_and_cf(void **state)
{
    (void)state;
    static char big[COLLECTOR_BODY_MAX + 2];
    memset(big, ' ', sizeof big);
    collector_err_t err;
    assert_int_equal(collector_parse_usage(big, COLLECTOR_BODY_MAX + 1, SN, &s_u, &err),
                     FW_E_TOOBIG);
    assert_int_equal(err.coap, 413);
    assert_int_equal(collector_check_request(false, 0, COLLECTOR_BODY_MAX, &err), 0);
    assert_int_equal(collector_check_request(true, 50, 10, &err), 0);
    assert_int_not_equal(collector_check_request(true, 50, COLLECTOR_BODY_MAX + 1, &err), 0);
    assert_int_equal(err.coap, 413);
    assert_int_not_equal(collector_check_request(true, 0, 10, &err), 0);
    assert_int_equal(err.coap, 415);
    assert_non_null(strstr(err.reason, "content-format 0"));
    assert_int_not_equal(collector_check_request(true, 60, 10, &err), 0);
    assert_int_equal(err.coap, 415);
}

static void test_events(void **state)
{
    (void)state;
    collector_err_t err;
    const char *ok = "{\"serial\":\"" SN "\",\"events\":[{\"id\":7,\"t\":5,\"kind\":"
                     "\"calling_degraded\",\"detail\":\"E+30d\"},{\"id\":8,\"t\":6,"
                     "\"kind\":\"rma_acknowledged\"}]}";
    assert_int_equal(collector_parse_events(ok, strlen(ok), SN, &s_e, &err), 0);
    assert_int_equal(s_e.n, 2);
    assert_int_equal(s_e.ev[0].e.kind, PROTO_EV_CALLING_DEGRADED);
    assert_string_equal(s_e.ev[0].e.detail, "E+30d");
    assert_string_equal(collector_event_kind_name(s_e.ev[1].e.kind), "rma_acknowledged");
    const struct {
        const char *json;
        int coap;
        const char *part;
    } bad[] = {
        {"{\"serial\":\"" SN "\",\"events\":[{\"id\":1,\"t\":1,\"kind\":\"party\"}]}", 400,
         "unknown kind"},
        {"{\"serial\":\"" SN "\",\"events\":[{\"id\":1,\"t\":-1,\"kind\":\"notice\"}]}", 400,
         "events[0].t"},
        {"{\"serial\":\"" SN "\",\"events\":[{\"id\":1,\"t\":1,\"kind\":\"notice\","
         "\"detail\":7}]}",
         400, "detail: expected a string"},
        {"{\"serial\":\"" SN "\",\"events\":[{\"id\":1,\"t\":1,\"kind\":\"notice\","
         "\"detail\":\"a\\nb\"}]}",
         400, "printable"},
        {"{\"serial\":\"ZZZ99999\",\"events\":[]}", 403, "DTLS identity"},
        {"{\"serial\":\"" SN "\",\"events\":[]}", 400, "got none"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc = collector_parse_events(bad[i].json, strlen(bad[i].json), SN, &s_e, &err);
        if (rc == 0 || err.coap != bad[i].coap || !strstr(err.reason, bad[i].part)) {
            print_error("case %zu: coap %d reason '%s'\n", i, err.coap, err.reason);
        }
        assert_int_not_equal(rc, 0);
        assert_int_equal(err.coap, bad[i].coap);
        assert_non_null(strstr(err.reason, bad[i].part));
    }
}

static void test_prov(void **state)
{
    (void)state;
    collector_prov_t p;
    collector_err_t err;
    char body[512];
#define PROV_FMT                                                                                   \
    "{\"serial\":\"" SN "\",\"model\":\"Room Kit\",\"hw_revision\":\"B\","                         \
    "\"mac\":\"%s\",\"fw_version\":\"0.1.0\",\"trial\":\"%s\","                                    \
    "\"region\":\"US\",\"locale\":\"%s\",\"licence_state\":\"trial\"}"
    snprintf(body, sizeof body, PROV_FMT, "AA:bb:CC:00:11:22", "D1000001", "en-US");
    assert_int_equal(collector_parse_prov(body, strlen(body), SN, &p, &err), 0);
    assert_string_equal(p.mac, "aa:bb:cc:00:11:22");
    assert_string_equal(p.locale, "en-US");
    snprintf(body, sizeof body, PROV_FMT, "aa-bb-cc-00-11-22", "D1000001", "en-US");
    assert_int_not_equal(collector_parse_prov(body, strlen(body), SN, &p, &err), 0);
    assert_non_null(strstr(err.reason, "mac"));
    snprintf(body, sizeof body, PROV_FMT, "aa:bb:cc:00:11:22", "X1", "en-US");
    assert_int_not_equal(collector_parse_prov(body, strlen(body), SN, &p, &err), 0);
    assert_non_null(strstr(err.reason, "trial"));
    snprintf(body, sizeof body, PROV_FMT, "aa:bb:cc:00:11:22", "D1", "english");
    assert_int_not_equal(collector_parse_prov(body, strlen(body), SN, &p, &err), 0);
    assert_non_null(strstr(err.reason, "locale"));
    assert_int_equal(err.coap, 400);
    const char *missing = "{\"serial\":\"" SN "\",\"model\":\"M\"}";
    assert_int_not_equal(collector_parse_prov(missing, strlen(missing), SN, &p, &err), 0);
    assert_string_equal(err.reason, "hw_revision: missing");
    assert_int_not_equal(collector_parse_prov(missing, strlen(missing), "OTHER999", &p, &err), 0);
    assert_int_equal(err.coap, 403);
}

static void test_ack(void **state)
{
    (void)state;
    char out[128];
    const uint64_t ids[] = {3, 1, 3, 9007199254740991ull};
    int n = collector_build_ack(ids, 4, 1700000000, out, sizeof out);
    assert_true(n > 0);
    assert_string_equal(out, "{\"ack\":[3,1,9007199254740991],\"server_time\":1700000000}");
    assert_int_equal(collector_build_ack(ids, 4, 1, out, 10), FW_E_NOSPACE);
    assert_int_equal(collector_build_licence_body("a.b-c_d", 5, out, sizeof out),
                     (int)strlen("{\"token\":\"a.b-c_d\",\"server_time\":5}"));
    assert_int_equal(collector_build_licence_body("a\"b", 5, out, sizeof out), FW_E_INVAL);
}

static void test_claims(void **state)
{
    (void)state;
    collector_licence_t l;
    memset(&l, 0, sizeof l);
    strcpy(l.serial, SN);
    strcpy(l.trial, "D1000001");
    strcpy(l.org, "D1000001");
    strcpy(l.region, "US");
    l.seq = 2;
    l.iat = 1700000000;
    l.trial_exp = 1800000000;
    l.ext = 1;
    l.n_svc = 1;
    strcpy(l.svc[0].id, "calling");
    l.svc[0].exp = 1800000000;
    char out[1024];
    assert_true(collector_build_claims(&l, out, sizeof out) > 0);
    assert_string_equal(out,
                        "{\"sub\":\"ABC12345\",\"trial\":\"D1000001\",\"org\":\"D1000001\","
                        "\"typ\":\"trial\",\"seq\":2,\"iat\":1700000000,"
                        "\"trial_exp\":1800000000,\"ext\":1,\"keep\":false,"
                        "\"region\":\"US\",\"svc\":[{\"id\":\"calling\",\"exp\":1800000000}]}");
    l.paid = true;
    l.keep = true;
    assert_true(collector_build_claims(&l, out, sizeof out) > 0);
    assert_null(strstr(out, "trial_exp"));
    assert_non_null(strstr(out, "\"typ\":\"paid\""));
    strcpy(l.svc[0].id, "Calling");
    assert_int_equal(collector_build_claims(&l, out, sizeof out), FW_E_INVAL);
    strcpy(l.svc[0].id, "calling");
    l.seq = 0;
    assert_int_equal(collector_build_claims(&l, out, sizeof out), FW_E_INVAL);
    l.seq = 1;
    assert_int_equal(collector_build_claims(&l, out, 20), FW_E_NOSPACE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_ok),
        cmocka_unit_test(test_usage_refusals),
        cmocka_unit_test(test_too_large_and_cf),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_prov),
        cmocka_unit_test(test_ack),
        cmocka_unit_test(test_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
