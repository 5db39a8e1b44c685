/*
 * report/retry.h - what the agent does after the collector answered (or did
 * not answer) a batch. Pure: time and randomness are arguments.
 *
 * Two rules (docs/REPORTING.md, "When the collector says no"):
 *  - Every failure backs off: nothing is sent again before
 *    report_retry_may_send() says so, so no request is ever repeated once per
 *    loop turn, whatever the collector answers.
 *  - One bad record never blocks the rest: a batch refused as malformed
 *    (4.00, 4.13, 4.15) is bisected (the next batches of that kind carry
 *    half as many items) until a batch of one is refused; that item is set
 *    aside and reported. Items around it are acknowledged on the way. Any
 *    other failure (no answer, 5.xx, 4.03 or 4.29 while a collector restarts,
 *    ...) is transient: everything stays queued and the delay grows.
 * Bisection steps and set-asides are progress: they wait the short delay of
 * attempt 1 (2-4 s). Failures that make no progress escalate like the link's
 * reconnects (fw/backoff.h), up to 30 minutes.
 */
#ifndef REPORT_RETRY_H
#define REPORT_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "report/codec.h"

typedef enum {
    REPORT_ANSWER_ACKED = 1, /* 2.01 / 2.04 */
    REPORT_ANSWER_REFUSED,   /* 4.00, 4.13, 4.15: the server refuses what the request holds */
    REPORT_ANSWER_TRANSIENT, /* no answer, 5.xx, any other 4.xx */
} report_answer_t;

/* `err` and `code` as link/link.h reports them (code: class * 100 + detail). */
report_answer_t report_answer_classify(int err, int code);

typedef enum {
    REPORT_VERDICT_ACK = 1,   /* delete what the answer acknowledges */
    REPORT_VERDICT_SPLIT,     /* keep all; the next batch of this kind is smaller */
    REPORT_VERDICT_SET_ASIDE, /* the batch's one item is refused: set it aside, report it */
    REPORT_VERDICT_RETRY,     /* keep all; try again after the (growing) delay */
} report_verdict_t;

typedef struct {
    uint32_t limit[2];      /* items per batch: [0] usage, [1] events */
    uint32_t streak;        /* failures in a row that made no progress */
    uint64_t not_before_ms; /* no request before this (network clock) */
    uint32_t rng;
    uint32_t failures; /* every failed answer, for logs and tests */
    uint32_t refusals; /* answers that refused the content */
} report_retry_t;

void report_retry_init(report_retry_t *r, uint32_t seed);

/* May a request go out now? */
bool report_retry_may_send(const report_retry_t *r, uint64_t now_ms);

/* Items the next batch of `kind` may hold (1..REPORT_BATCH_MAX). */
uint32_t report_retry_limit(const report_retry_t *r, report_item_kind_t kind);

/* The answer `a` to a batch of `n` (>= 1) items of `kind` arrived at
 * `now_ms`. `room_aside`: one more item can be set aside. Returns what to do
 * and sets when the next request may go. */
report_verdict_t report_retry_answer(report_retry_t *r, uint64_t now_ms, report_item_kind_t kind,
                                     uint32_t n, report_answer_t a, bool room_aside);

/* The answer to a request outside the queue (the provisioning report). */
void report_retry_other(report_retry_t *r, uint64_t now_ms, bool ok);

#endif /* REPORT_RETRY_H */
