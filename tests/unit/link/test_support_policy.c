/*
 * test_support_policy.c - the support port's decisions (link/support_policy.h)
 * with no network and a hand-moved clock: which identity gets in, what each
 * request gets (4.04, 4.05, 4.13, 2.05), the rate limits per client and in
 * all (4.29 with Max-Age, then silence), a client table that never grows,
 * the RFC 6690 listing and the log gate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "link/support_policy.h"

static support_policy_t s_p;
static const uint32_t A = 0x11111111u, B = 0x22222222u;

static support_request_t get(const char *path)
{
    support_request_t rq;
    memset(&rq, 0, sizeof rq);
    rq.method = SUPPORT_GET;
    (void)snprintf(rq.path, sizeof rq.path, "%s", path);
    return rq;
}

static int ask(uint64_t now, uint32_t client, const char *path)
{
    support_request_t rq = get(path);
    return support_policy_decide(&s_p, now, client, &rq).code;
}

/* Plenty for the routing tests: the limits are not their subject. */
static int setup_roomy(void **state)
{
    (void)state;
    support_limits_t lim = {1000, 1000, 1000, 1000, 1000};
    support_policy_init(&s_p, &lim, 0);
    return 0;
}

static void test_identity(void **state)
{
    (void)state;
    assert_true(support_identity_ok((const uint8_t *)"support", 7));
    assert_false(support_identity_ok((const uint8_t *)"support", 6));   /* "suppor" */
    assert_false(support_identity_ok((const uint8_t *)"support\0", 8)); /* a NUL after it */
    assert_false(support_identity_ok((const uint8_t *)"Support", 7));
    assert_false(support_identity_ok((const uint8_t *)"FOC2240Y1ZZ", 11)); /* the uplink's */
    assert_false(support_identity_ok((const uint8_t *)"", 0));
    assert_false(support_identity_ok(NULL, 7));
}

static void test_routes(void **state)
{
    (void)state;
    support_verdict_t v;
    support_request_t rq = get("support/state");
    v = support_policy_decide(&s_p, 1, A, &rq);
    assert_int_equal(v.code, 205);
    assert_int_equal(v.res, SUPPORT_RES_STATE);
    rq = get("support/licence");
    v = support_policy_decide(&s_p, 1, A, &rq);
    assert_int_equal(v.code, 205);
    assert_int_equal(v.res, SUPPORT_RES_LICENCE);
    rq = get(".well-known/core");
    v = support_policy_decide(&s_p, 1, A, &rq);
    assert_int_equal(v.code, 205);
    assert_int_equal(v.res, SUPPORT_RES_CORE);
    assert_int_equal(support_resource_format(SUPPORT_RES_STATE), 50);
    assert_int_equal(support_resource_format(SUPPORT_RES_LICENCE), 50);
    assert_int_equal(support_resource_format(SUPPORT_RES_CORE), 40);

    static const char *const unknown[] = {"",
                                          "support",
                                          "support/",
                                          "v1/usage",
                                          "support/state/x",
                                          "SUPPORT/STATE",
                                          "support/statex"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_int_equal(ask(1, A, unknown[i]), 404);
    }
    rq = get("support/state");
    rq.path_invalid = true; /* too long, or a segment holding '/' or NUL */
    assert_int_equal(support_policy_decide(&s_p, 1, A, &rq).code, 404);
    assert_int_equal(s_p.counts.served, 3);
    assert_int_equal(s_p.counts.not_found, 8);
}

static void test_methods_and_bodies(void **state)
{
    (void)state;
    for (unsigned m = 2; m <= 7; m++) { /* POST PUT DELETE FETCH PATCH iPATCH */
        support_request_t rq = get("support/state");
        rq.method = m;
        assert_int_equal(support_policy_decide(&s_p, 1, A, &rq).code, 405);
    }
    support_request_t rq = get("support/nothing");
    rq.method = 3; /* an unknown path is 4.04 whatever the method */
    assert_int_equal(support_policy_decide(&s_p, 1, A, &rq).code, 404);
    rq = get("support/state");
    rq.payload_len = 1;
    assert_int_equal(support_policy_decide(&s_p, 1, A, &rq).code, 413);
    rq = get("support/licence");
    rq.block1 = true; /* the first block of a larger body */
    assert_int_equal(support_policy_decide(&s_p, 1, A, &rq).code, 413);
    rq.method = 2; /* a POST with a body: the method is the first thing wrong */
    assert_int_equal(support_policy_decide(&s_p, 1, A, &rq).code, 405);
    assert_int_equal(s_p.counts.bad_method, 7);
    assert_int_equal(s_p.counts.too_big, 2);
}

/* One client: its burst, then 4.29 with how long to wait, then tokens come
 * back at its rate. */
static void test_client_rate(void **state)
{
    (void)state;
    support_limits_t lim = {2, 5, 100, 100, 100};
    support_policy_init(&s_p, &lim, 1000);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ask(1000, A, "support/state"), 205);
    }
    support_request_t rq = get("support/state");
    support_verdict_t v = support_policy_decide(&s_p, 1000, A, &rq);
    assert_int_equal(v.code, 429);
    assert_int_equal(v.max_age_s, 1); /* a token in 500 ms: "ask again in 1 s" */
    assert_int_equal(ask(1499, A, "support/state"), 429);
    assert_int_equal(ask(1500, A, "support/state"), 205); /* 2 a second: one per 500 ms */
    assert_int_equal(ask(1500, A, "support/state"), 429);
    /* another client is not held back by A */
    assert_int_equal(ask(1500, B, "support/state"), 205);
    /* an idle client's bucket fills up to its burst, no further */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ask(60000, A, "support/state"), 205);
    }
    assert_int_equal(ask(60000, A, "support/state"), 429);
    /* errors cost a token too: a flood of 4.04s is a flood */
    support_policy_init(&s_p, &lim, 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ask(0, A, "nothing"), 404);
    }
    assert_int_equal(ask(0, A, "support/state"), 429);
}

/* Many clients: the total rate holds whatever their number; refusals have
 * their own budget and past it there is no answer at all. */
static void test_total_rate_and_silence(void **state)
{
    (void)state;
    support_limits_t lim = {10, 10, 4, 8, 3};
    support_policy_init(&s_p, &lim, 0);
    int served = 0, limited = 0, silent = 0;
    for (uint32_t c = 1; c <= 100; c++) {
        int code = ask(0, c * 7919u, "support/state");
        served += code == 205;
        limited += code == 429;
        silent += code == 0;
    }
    assert_int_equal(served, 8);  /* the total burst */
    assert_int_equal(limited, 3); /* the refusal budget */
    assert_int_equal(silent, 89);
    assert_int_equal(s_p.counts.dropped, 89);
    /* a second later: 4 more at the total rate */
    served = 0;
    for (uint32_t c = 1; c <= 100; c++) {
        served += ask(1000, c * 104729u, "support/state") == 205;
    }
    assert_int_equal(served, 4);
    /* a day of silence does not overflow anything: the buckets are full */
    served = 0;
    for (uint32_t c = 1; c <= 100; c++) {
        served += ask(UINT64_C(1) << 62, c, "support/state") == 205;
    }
    assert_int_equal(served, 8);
    assert_int_equal(s_p.counts.requests, 300);
}

/* The client table is fixed: a client forgotten to make room starts again
 * with a full bucket, but the total still bounds what is answered. */
static void test_client_table_bounded(void **state)
{
    (void)state;
    support_limits_t lim = {1, 2, 1000, 1000, 1000};
    support_policy_init(&s_p, &lim, 0);
    for (uint32_t c = 1; c <= 10 * SUPPORT_CLIENTS_MAX; c++) {
        assert_int_equal(ask(c, c, "support/state"), 205);
    }
    size_t used = 0;
    for (size_t i = 0; i < SUPPORT_CLIENTS_MAX; i++) {
        used += s_p.clients[i].key != 0;
    }
    assert_int_equal(used, SUPPORT_CLIENTS_MAX);
    /* the most recent clients are the ones kept */
    uint32_t last = 10 * SUPPORT_CLIENTS_MAX;
    assert_int_equal(ask(last + 1, last, "support/state"), 205);
    assert_int_equal(ask(last + 1, last, "support/state"), 429); /* its burst of 2 is spent */
    /* key 0 (an address we could not read) is a client like any other */
    assert_int_equal(ask(last + 2, 0, "support/state"), 205);
}

static void test_client_key(void **state)
{
    (void)state;
    const uint8_t a4[4] = {127, 0, 0, 1}, b4[4] = {127, 0, 0, 2};
    assert_int_equal(support_client_key(a4, 4), support_client_key(a4, 4));
    assert_int_not_equal(support_client_key(a4, 4), support_client_key(b4, 4));
    assert_int_not_equal(support_client_key(NULL, 0), 0);
}

static void test_link_format(void **state)
{
    (void)state;
    char buf[512];
    size_t n = support_link_format(buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    assert_string_equal(buf, "</support/state>;ct=50;rt=\"spark.support.state\";title=\"trial "
                             "state\",</support/licence>;ct=50;rt=\"spark.support.licence\";"
                             "title=\"licence in force\"");
    assert_int_equal(support_link_format(buf, n), 0); /* one byte short: nothing */
    assert_int_equal(support_link_format(buf, n + 1), n);
}

static void test_gate(void **state)
{
    (void)state;
    support_gate_t g;
    memset(&g, 0, sizeof g);
    uint32_t held = 99;
    assert_true(support_gate_open(&g, 0, 60000, &held));
    assert_int_equal(held, 0);
    for (int i = 0; i < 1000; i++) {
        assert_false(support_gate_open(&g, 59999, 60000, &held));
    }
    assert_true(support_gate_open(&g, 60000, 60000, &held));
    assert_int_equal(held, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity),
        cmocka_unit_test_setup(test_routes, setup_roomy),
        cmocka_unit_test_setup(test_methods_and_bodies, setup_roomy),
        cmocka_unit_test(test_client_rate),
        cmocka_unit_test(test_total_rate_and_silence),
        cmocka_unit_test(test_client_table_bounded),
        cmocka_unit_test(test_client_key),
        cmocka_unit_test(test_link_format),
        cmocka_unit_test(test_gate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
