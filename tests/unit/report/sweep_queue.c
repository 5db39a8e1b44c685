/*
 * sweep_queue.c - cut power at every flash operation of a reporting workload
 * and check exactly-once after each "reboot".
 *
 * The workload counts calls into the open interval, closes intervals (every
 * 4th tick), queues events, hands batches to a model collector (which
 * dedups by id and checks that an id it has seen never arrives with other
 * content) and acknowledges some of them; a small bound forces merges. It is
 * run uncut to count its flash operations T, then for every k in 1..T on a
 * fresh device with a cut at operation k. After the cut:
 *  - calls in the collector + calls in queued records it has not seen + the
 *    open interval == the calls counted up to the last completed tick, or up
 *    to the tick in progress (nothing lost, nothing counted twice);
 *  - a queued record the collector has seen has the same content;
 *  - the next id is above every id ever handed out;
 *  - draining everything leaves the collector with that same total.
 * Prints "powerloss_report_queue: N cut points, F failures"; exit 1 on failure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakes/fake_flash.h"
#include "fakes/fake_secure.h"
#include "fw/err.h"
#include "report/queue.h"

#define SECTOR 16384u
#define SECTORS 6u
#define STEPS 160
#define T0 INT64_C(1700002800)
#define MAX_IDS 512

static store_t s_store;
static report_queue_t s_q;
static char s_body[REPORT_BODY_MAX];
static const store_config_t s_cfg = {0, SECTORS};
static const report_queue_config_t s_qcfg = {.interval_s = 3600, .bound = 6, .save_s = 1};

/* the model collector */
static bool s_seen[MAX_IDS];
static report_usage_t s_rec[MAX_IDS];
static uint64_t s_max_issued;
static int s_fail;
static unsigned long s_cut;

static void fail(const char *what, unsigned long long a, unsigned long long b)
{
    if (s_fail < 20) {
        fprintf(stderr, "cut %lu: %s (%llu vs %llu)\n", s_cut, what, a, b);
    }
    s_fail++;
}

/* Deliver a usage batch to the collector; false on a cut. */
static int deliver_usage(bool do_ack)
{
    report_batch_t b;
    size_t len;
    int rc = report_queue_batch(&s_q, REPORT_ITEM_USAGE, "SIMTEST0001", 4, s_body, sizeof s_body,
                                &len, &b);
    if (rc == FW_E_NOENT) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    static uint64_t ids[REPORT_BATCH_MAX];
    static report_usage_t recs[REPORT_BATCH_MAX];
    char serial[24];
    size_t n;
    if (report_decode_usage_body(s_body, len, serial, sizeof serial, ids, recs, REPORT_BATCH_MAX,
                                 &n) != 0) {
        fail("undecodable body", 0, 0);
        return FW_E_FORMAT;
    }
    char ack[600];
    int at = snprintf(ack, sizeof ack, "{\"ack\":[");
    for (size_t i = 0; i < n; i++) {
        if (ids[i] >= MAX_IDS) {
            fail("id out of range", ids[i], MAX_IDS);
            return FW_E_FORMAT;
        }
        if (s_seen[ids[i]] && !report_usage_equal(&s_rec[ids[i]], &recs[i])) {
            fail("id resent with other content", ids[i], 0);
        }
        s_seen[ids[i]] = true;
        s_rec[ids[i]] = recs[i];
        at += snprintf(ack + at, sizeof ack - (size_t)at, "%s%llu", i ? "," : "",
                       (unsigned long long)ids[i]);
    }
    at += snprintf(ack + at, sizeof ack - (size_t)at, "]}");
    if (!do_ack) {
        return 0; /* the ack was lost on the way */
    }
    rc = report_queue_ack(&s_q, &b, (const uint8_t *)ack, (size_t)at);
    return rc < 0 ? rc : 0;
}

static int deliver_events(void)
{
    report_batch_t b;
    size_t len;
    int rc = report_queue_batch(&s_q, REPORT_ITEM_EVENT, "SIMTEST0001", 8, s_body, sizeof s_body,
                                &len, &b);
    if (rc == FW_E_NOENT) {
        return 0;
    }
    if (rc == 0) {
        rc = report_queue_ack(&s_q, &b, NULL, 0);
    }
    return rc < 0 ? rc : 0;
}

/* Runs the workload; returns the step it stopped at (STEPS if uncut) and
 * the calls counted before that step and through it. */
static int workload(uint64_t *before, uint64_t *through)
{
    uint64_t counted = 0;
    *before = *through = 0;
    if (store_mount(&s_store, &s_cfg) != 0 || report_queue_open(&s_q, &s_store, &s_qcfg) != 0) {
        return -1;
    }
    for (int i = 0; i < STEPS; i++) {
        int64_t now = T0 + 900 * (int64_t)i;
        *before = counted;
        uint32_t k = (uint32_t)(i % 3) + 1;
        for (uint32_t c = 0; c < k; c++) {
            report_usage_call_ended(report_queue_usage(&s_q), 60);
        }
        counted += k;
        *through = counted;
        int rc = report_queue_tick(&s_q, now);
        if (s_q.next_id > 1 && s_q.next_id - 1 > s_max_issued) {
            s_max_issued = s_q.next_id - 1;
        }
        if (rc < 0) {
            return i;
        }
        if (i % 5 == 2) {
            report_event_t e = {now, REPORT_EV_NOTICE, "step"};
            if (report_queue_push_event(&s_q, &e) != 0) {
                return i;
            }
        }
        if (s_q.next_id - 1 > s_max_issued) {
            s_max_issued = s_q.next_id - 1;
        }
        if (i % 9 == 8 && deliver_usage(i % 2 == 0) != 0) {
            return i;
        }
        if (i % 7 == 6 && deliver_events() != 0) {
            return i;
        }
    }
    *before = counted;
    return STEPS;
}

static uint64_t device_total(void)
{
    uint64_t sum = s_q.open.calls;
    for (uint32_t i = 0; i < s_q.n; i++) {
        if (s_q.e[i].kind != REPORT_ITEM_USAGE) {
            continue;
        }
        uint8_t buf[REPORT_ITEM_MAX];
        size_t len;
        report_item_t it;
        if (store_get(&s_store, s_q.e[i].key, buf, sizeof buf, &len) != 0 ||
            report_item_decode(buf, len, &it) != 0) {
            fail("queued item unreadable", s_q.e[i].id, 0);
            continue;
        }
        if (it.id < MAX_IDS && s_seen[it.id]) {
            if (!report_usage_equal(&s_rec[it.id], &it.usage)) {
                fail("queued record differs from what the collector has", it.id, 0);
            }
            continue;
        }
        sum += it.usage.calls;
    }
    return sum;
}

static uint64_t collector_total(void)
{
    uint64_t sum = 0;
    for (int i = 0; i < MAX_IDS; i++) {
        sum += s_seen[i] ? s_rec[i].calls : 0;
    }
    return sum;
}

static void run(uint64_t cut_at, uint64_t seed)
{
    fake_flash_setup(SECTOR, SECTORS, 1);
    fake_secure_reset();
    memset(s_seen, 0, sizeof s_seen);
    s_max_issued = 0;
    if (cut_at) {
        nor_sim_arm_cut(fake_flash_sim(), cut_at, seed);
    }
    uint64_t before, through;
    (void)workload(&before, &through);
    /* reboot */
    nor_sim_arm_cut(fake_flash_sim(), 0, 0);
    nor_sim_power_on(fake_flash_sim());
    if (store_mount(&s_store, &s_cfg) != 0 || report_queue_open(&s_q, &s_store, &s_qcfg) != 0) {
        fail("remount failed", 0, 0);
        return;
    }
    uint64_t total = collector_total() + device_total();
    if (total != before && total != through) {
        fail("total calls", total, through);
    }
    for (uint32_t i = 0; i < s_q.n; i++) {
        if (s_q.e[i].id > s_max_issued && s_max_issued) {
            /* an item whose put was cut but landed: allowed, it is new */
            s_max_issued = s_q.e[i].id;
        }
    }
    report_event_t e = {T0, REPORT_EV_NOTICE, "after"};
    uint64_t id = s_q.next_id;
    if (id <= s_max_issued) {
        fail("next id not above every id handed out", id, s_max_issued);
    }
    int rc = report_queue_push_event(&s_q, &e);
    if (rc != 0 && rc != FW_E_NOSPACE) {
        fail("push after reboot", (unsigned long long)-rc, 0);
    }
    /* drain everything: the collector ends with the same total */
    for (int guard = 0; guard < 200 && report_queue_count(&s_q, REPORT_ITEM_USAGE); guard++) {
        if (deliver_usage(true) != 0) {
            fail("drain failed", 0, 0);
            break;
        }
    }
    if (collector_total() + s_q.open.calls != total) {
        fail("total after drain", collector_total() + s_q.open.calls, total);
    }
}

int main(int argc, char **argv)
{
    unsigned seeds = argc > 1 ? (unsigned)atoi(argv[1]) : 2;
    run(0, 0);
    uint64_t ops = fake_flash_sim()->ops;
    if (s_fail) {
        fprintf(stderr, "uncut run failed\n");
        return 1;
    }
    unsigned long tried = 0;
    for (uint64_t k = 1; k <= ops; k++) {
        for (unsigned sd = 0; sd < seeds; sd++) {
            s_cut = (unsigned long)k;
            run(k, 1000u * k + sd);
            tried++;
        }
    }
    fake_flash_free();
    printf("powerloss_report_queue: %lu cut points (%llu flash ops), %d failures\n", tried,
           (unsigned long long)ops, s_fail);
    return s_fail ? 1 : 0;
}
