/*
 * test_retry.c - report/retry.h: what follows an answer. Every failure backs
 * off (no request twice in one loop turn), refusals are bisected down to the
 * one record the collector refuses, which is set aside while everything
 * around it is acknowledged; transient failures keep everything and wait
 * longer each time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fw/backoff.h"
#include "fw/err.h"
#include "report/retry.h"

static void test_classify(void **state)
{
    (void)state;
    assert_int_equal(report_answer_classify(0, 201), REPORT_ANSWER_ACKED);
    assert_int_equal(report_answer_classify(0, 204), REPORT_ANSWER_ACKED);
    assert_int_equal(report_answer_classify(0, 400), REPORT_ANSWER_REFUSED);
    assert_int_equal(report_answer_classify(0, 413), REPORT_ANSWER_REFUSED);
    assert_int_equal(report_answer_classify(0, 415), REPORT_ANSWER_REFUSED);
    /* a collector restarting (identity not yet known, too many requests), a
     * server error, a path that is not there: not the record's fault */
    static const int transient[] = {403, 429, 500, 503, 404, 405, 408, 205, 0};
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++) {
        assert_int_equal(report_answer_classify(0, transient[i]), REPORT_ANSWER_TRANSIENT);
    }
    assert_int_equal(report_answer_classify(FW_E_TIMEOUT, 0), REPORT_ANSWER_TRANSIENT);
    assert_int_equal(report_answer_classify(FW_E_NET, 204), REPORT_ANSWER_TRANSIENT);
}

/* Every failure, whatever it is, blocks the next request for at least the
 * backoff of attempt 1 (2 s); transient ones wait longer each time, up to
 * the cap; an acknowledgement lets the next request go at once. */
static void test_every_failure_backs_off(void **state)
{
    (void)state;
    report_retry_t r;
    report_retry_init(&r, 99);
    uint64_t now = 5000;
    assert_true(report_retry_may_send(&r, now));
    for (uint32_t a = 1; a <= 14; a++) {
        assert_int_equal(
            report_retry_answer(&r, now, REPORT_ITEM_USAGE, 10, REPORT_ANSWER_TRANSIENT, true),
            REPORT_VERDICT_RETRY);
        uint64_t e = (uint64_t)FW_BACKOFF_BASE_MS << a;
        e = e > FW_BACKOFF_CAP_MS ? FW_BACKOFF_CAP_MS : e;
        uint64_t wait = r.not_before_ms - now;
        assert_true(wait >= e / 2 && wait <= e);
        assert_false(report_retry_may_send(&r, now + 1000)); /* not on the next loop turn */
        now = r.not_before_ms;
        assert_true(report_retry_may_send(&r, now));
    }
    assert_int_equal(report_retry_limit(&r, REPORT_ITEM_USAGE), REPORT_BATCH_MAX); /* unchanged */
    report_retry_other(&r, now, false); /* the provisioning report fails too */
    assert_true(r.not_before_ms - now >= FW_BACKOFF_CAP_MS / 2);
    assert_int_equal(report_retry_answer(&r, now, REPORT_ITEM_USAGE, 10, REPORT_ANSWER_ACKED, true),
                     REPORT_VERDICT_ACK);
    assert_true(report_retry_may_send(&r, now));
    assert_int_equal(r.streak, 0);
    /* refusals back off too, even while they make progress */
    assert_int_equal(
        report_retry_answer(&r, now, REPORT_ITEM_EVENT, 8, REPORT_ANSWER_REFUSED, true),
        REPORT_VERDICT_SPLIT);
    assert_true(r.not_before_ms - now >= 2000 && r.not_before_ms - now <= 4000);
    now = r.not_before_ms;
    assert_int_equal(
        report_retry_answer(&r, now, REPORT_ITEM_EVENT, 1, REPORT_ANSWER_REFUSED, true),
        REPORT_VERDICT_SET_ASIDE);
    assert_true(r.not_before_ms - now >= 2000 && r.not_before_ms - now <= 4000);
}

/* A refused batch is halved until one record is left, per kind. */
static void test_refusals_bisect_per_kind(void **state)
{
    (void)state;
    report_retry_t r;
    report_retry_init(&r, 1);
    assert_int_equal(report_retry_limit(&r, REPORT_ITEM_USAGE), REPORT_BATCH_MAX);
    uint32_t n = 64;
    while (n > 1) {
        assert_int_equal(
            report_retry_answer(&r, 0, REPORT_ITEM_USAGE, n, REPORT_ANSWER_REFUSED, true),
            REPORT_VERDICT_SPLIT);
        n /= 2;
        assert_int_equal(report_retry_limit(&r, REPORT_ITEM_USAGE), n);
    }
    assert_int_equal(report_retry_limit(&r, REPORT_ITEM_EVENT), REPORT_BATCH_MAX);
    assert_int_equal(report_retry_answer(&r, 0, REPORT_ITEM_USAGE, 1, REPORT_ANSWER_REFUSED, true),
                     REPORT_VERDICT_SET_ASIDE);
    assert_int_equal(report_retry_limit(&r, REPORT_ITEM_USAGE), REPORT_BATCH_MAX);
    /* no room left to set aside: the record stays queued, the wait grows */
    uint64_t last = 0;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(
            report_retry_answer(&r, 0, REPORT_ITEM_USAGE, 1, REPORT_ANSWER_REFUSED, false),
            REPORT_VERDICT_RETRY);
        assert_true(r.not_before_ms >= last);
        last = r.not_before_ms;
    }
    assert_true(last >= 16000);
    assert_int_equal(r.refusals, 6 + 1 + 5);
}

/* The agent's loop against a collector that refuses some records: 300
 * queued records, three of them poison. Batches come from the head of the
 * queue, at most `limit`; a batch holding a poison record is refused. Every
 * other record is acknowledged, each poison one set aside; refusals stay
 * near log2(64) per poison record, and the whole takes minutes, not days. */
static void test_poison_records_never_block_the_rest(void **state)
{
    (void)state;
    enum { N = 300 };
    static const uint32_t poison[] = {0, 137, 299};
    bool queued[N], aside[N];
    for (uint32_t i = 0; i < N; i++) {
        queued[i] = true;
        aside[i] = false;
    }
    report_retry_t r;
    report_retry_init(&r, 4242);
    uint64_t now = 0;
    uint32_t requests = 0, left = N;
    while (left > 0 && requests < 1000) {
        now = r.not_before_ms > now ? r.not_before_ms : now + 1000; /* the next loop turn */
        assert_true(report_retry_may_send(&r, now));
        uint32_t ids[REPORT_BATCH_MAX], n = 0;
        for (uint32_t i = 0; i < N && n < report_retry_limit(&r, REPORT_ITEM_USAGE); i++) {
            if (queued[i]) {
                ids[n++] = i;
            }
        }
        bool bad = false;
        for (uint32_t k = 0; k < n; k++) {
            for (size_t p = 0; p < sizeof poison / sizeof poison[0]; p++) {
                bad |= ids[k] == poison[p];
            }
        }
        requests++;
        report_verdict_t v = report_retry_answer(
            &r, now, REPORT_ITEM_USAGE, n, bad ? REPORT_ANSWER_REFUSED : REPORT_ANSWER_ACKED, true);
        if (v == REPORT_VERDICT_ACK) {
            for (uint32_t k = 0; k < n; k++) {
                queued[ids[k]] = false;
                left--;
            }
        } else if (v == REPORT_VERDICT_SET_ASIDE) {
            assert_int_equal(n, 1);
            queued[ids[0]] = false;
            aside[ids[0]] = true;
            left--;
        } else {
            assert_int_equal(v, REPORT_VERDICT_SPLIT);
        }
    }
    assert_int_equal(left, 0);
    for (uint32_t i = 0; i < N; i++) {
        bool is_poison = i == poison[0] || i == poison[1] || i == poison[2];
        assert_int_equal(aside[i], is_poison);
    }
    assert_true(r.refusals <= 3 * 7);
    assert_true(requests <= 60);
    assert_true(now < 10u * 60u * 1000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_every_failure_backs_off),
        cmocka_unit_test(test_refusals_bisect_per_kind),
        cmocka_unit_test(test_poison_records_never_block_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
