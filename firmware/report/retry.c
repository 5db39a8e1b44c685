/*
 * After an answer (report/retry.h): classify, bisect, back off. The delays
 * come from the one backoff rule of the device (fw/backoff.h).
 */
#include "report/retry.h"

#include <string.h>

#include "fw/backoff.h"

#define PROGRESS_ATTEMPT 1u /* 2-4 s between bisection steps */

report_answer_t report_answer_classify(int err, int code)
{
    if (err != 0) {
        return REPORT_ANSWER_TRANSIENT;
    }
    if (code == 201 || code == 204) {
        return REPORT_ANSWER_ACKED;
    }
    if (code == 400 || code == 413 || code == 415) {
        return REPORT_ANSWER_REFUSED;
    }
    return REPORT_ANSWER_TRANSIENT;
}

static unsigned slot(report_item_kind_t kind)
{
    return kind == REPORT_ITEM_EVENT ? 1u : 0u;
}

void report_retry_init(report_retry_t *r, uint32_t seed)
{
    memset(r, 0, sizeof *r);
    r->limit[0] = r->limit[1] = REPORT_BATCH_MAX;
    r->rng = seed;
}

bool report_retry_may_send(const report_retry_t *r, uint64_t now_ms)
{
    return now_ms >= r->not_before_ms;
}

uint32_t report_retry_limit(const report_retry_t *r, report_item_kind_t kind)
{
    return r->limit[slot(kind)];
}

static void wait_attempt(report_retry_t *r, uint64_t now_ms, uint32_t attempt)
{
    r->not_before_ms = now_ms + fw_backoff_ms(attempt, fw_rand_next(&r->rng));
}

/* A failure that made no progress: the delay grows. */
static void escalate(report_retry_t *r, uint64_t now_ms)
{
    if (r->streak < 32u) {
        r->streak++;
    }
    wait_attempt(r, now_ms, r->streak);
}

report_verdict_t report_retry_answer(report_retry_t *r, uint64_t now_ms, report_item_kind_t kind,
                                     uint32_t n, report_answer_t a, bool room_aside)
{
    uint32_t *limit = &r->limit[slot(kind)];
    if (a == REPORT_ANSWER_ACKED) {
        r->streak = 0;
        r->not_before_ms = now_ms;
        return REPORT_VERDICT_ACK;
    }
    r->failures++;
    if (a == REPORT_ANSWER_REFUSED) {
        r->refusals++;
        if (n > 1) {
            *limit = n / 2u; /* the bad item is in one half: find it */
            wait_attempt(r, now_ms, PROGRESS_ATTEMPT);
            return REPORT_VERDICT_SPLIT;
        }
        if (room_aside) {
            *limit = REPORT_BATCH_MAX;
            r->streak = 0;
            wait_attempt(r, now_ms, PROGRESS_ATTEMPT);
            return REPORT_VERDICT_SET_ASIDE;
        }
    }
    escalate(r, now_ms);
    return REPORT_VERDICT_RETRY;
}

void report_retry_other(report_retry_t *r, uint64_t now_ms, bool ok)
{
    if (ok) {
        r->streak = 0;
        r->not_before_ms = now_ms;
        return;
    }
    r->failures++;
    escalate(r, now_ms);
}
