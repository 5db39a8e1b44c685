/*
 * test_queue.c - the outbound queue on the real store over the fake NOR
 * flash: enqueue, batch, ack, reboot, ids across reboots, merging at the
 * bound, events never merged, the open interval surviving a reboot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fakes/fake_flash.h"
#include "fakes/fake_secure.h"
#include "fw/err.h"
#include "report/queue.h"

#define T0 INT64_C(1700002800) /* on an hour boundary */
#define SECTOR 16384u
#define SECTORS 8u

static store_t s_store;
static report_queue_t s_q;
static char s_body[REPORT_BODY_MAX];
static const store_config_t s_cfg = {0, SECTORS};

static void fresh(void)
{
    fake_flash_setup(SECTOR, SECTORS, 1);
    fake_secure_reset();
    assert_int_equal(store_mount(&s_store, &s_cfg), 0);
}

/* Power cycle: remount the store and reopen the queue. */
static void reboot(const report_queue_config_t *cfg)
{
    assert_int_equal(store_mount(&s_store, &s_cfg), 0);
    assert_int_equal(report_queue_open(&s_q, &s_store, cfg), 0);
}

static report_usage_t hour(uint32_t h, uint32_t calls)
{
    report_usage_t u = {0};
    u.start = T0 + 3600 * (int64_t)h;
    u.end = u.start + 3600;
    u.calls = calls;
    u.people_peak = calls;
    u.uptime_seconds = 3600;
    return u;
}

static int teardown(void **state)
{
    (void)state;
    fake_flash_free();
    return 0;
}

static uint64_t total_calls(void)
{
    report_batch_t b;
    size_t len;
    char serial[32];
    static uint64_t ids[REPORT_BATCH_MAX];
    static report_usage_t recs[REPORT_BATCH_MAX];
    size_t n = 0;
    uint64_t sum = 0;
    if (report_queue_batch(&s_q, REPORT_ITEM_USAGE, "SIMTEST0001", 64, s_body, sizeof s_body, &len,
                           &b) != 0) {
        return 0;
    }
    assert_int_equal(report_decode_usage_body(s_body, len, serial, sizeof serial, ids, recs,
                                              REPORT_BATCH_MAX, &n),
                     0);
    for (size_t i = 0; i < n; i++) {
        sum += recs[i].calls;
    }
    return sum;
}

static void test_enqueue_batch_ack(void **state)
{
    (void)state;
    fresh();
    assert_int_equal(report_queue_open(&s_q, &s_store, NULL), 0);
    for (uint32_t h = 0; h < 3; h++) {
        report_usage_t u = hour(h, h + 1);
        assert_int_equal(report_queue_push_usage(&s_q, &u), 0);
    }
    report_batch_t b;
    size_t len;
    assert_int_equal(report_queue_batch(&s_q, REPORT_ITEM_USAGE, "SIMTEST0001", 64, s_body,
                                        sizeof s_body, &len, &b),
                     0);
    assert_int_equal(b.n, 3);
    assert_int_equal(b.ids[0], 1);
    assert_int_equal(b.ids[2], 3);
    /* drains in id order; the ack removes only the ids it names that are ours */
    const char *a = "{\"ack\":[1,3,77]}";
    assert_int_equal(report_queue_ack(&s_q, &b, (const uint8_t *)a, strlen(a)), 2);
    assert_int_equal(report_queue_count(&s_q, REPORT_ITEM_USAGE), 1);
    const char *bad = "{\"ack\":[2.5]}";
    assert_true(report_queue_ack(&s_q, &b, (const uint8_t *)bad, strlen(bad)) < 0);
    assert_int_equal(report_queue_count(&s_q, 0), 1);
    /* 2.04 without a body (a server that is not ours): all of the batch */
    assert_int_equal(report_queue_batch(&s_q, REPORT_ITEM_USAGE, "SIMTEST0001", 64, s_body,
                                        sizeof s_body, &len, &b),
                     0);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.ids[0], 2);
    assert_int_equal(report_queue_ack(&s_q, &b, NULL, 0), 1);
    assert_int_equal(report_queue_count(&s_q, 0), 0);
    assert_int_equal(
        report_queue_batch(&s_q, REPORT_ITEM_USAGE, "S", 64, s_body, sizeof s_body, &len, &b),
        FW_E_NOENT);
}

static void test_reboot_keeps_items_and_ids_never_repeat(void **state)
{
    (void)state;
    fresh();
    assert_int_equal(report_queue_open(&s_q, &s_store, NULL), 0);
    report_usage_t u = hour(0, 2);
    assert_int_equal(report_queue_push_usage(&s_q, &u), 0);
    report_event_t e = {T0, REPORT_EV_NOTICE, "expiry in 7 days"};
    assert_int_equal(report_queue_push_event(&s_q, &e), 0);
    reboot(NULL);
    assert_int_equal(report_queue_count(&s_q, REPORT_ITEM_USAGE), 1);
    assert_int_equal(report_queue_count(&s_q, REPORT_ITEM_EVENT), 1);
    /* ack everything, the newest id included, then reboot: ids go on from 3 */
    uint64_t all[] = {1, 2};
    assert_int_equal(report_queue_ack_ids(&s_q, all, 2), 2);
    reboot(NULL);
    assert_int_equal(report_queue_count(&s_q, 0), 0);
    assert_int_equal(report_queue_push_event(&s_q, &e), 0);
    report_batch_t b;
    size_t len;
    assert_int_equal(report_queue_batch(&s_q, REPORT_ITEM_EVENT, "SIMTEST0001", 64, s_body,
                                        sizeof s_body, &len, &b),
                     0);
    assert_int_equal(b.ids[0], 3);
    s_body[len] = '\0';
    assert_non_null(strstr(s_body, "\"kind\":\"notice\""));
}

static void test_merge_at_bound_keeps_totals(void **state)
{
    (void)state;
    fresh();
    report_queue_config_t cfg = {.bound = 6};
    assert_int_equal(report_queue_open(&s_q, &s_store, &cfg), 0);
    uint64_t want = 0;
    for (uint32_t h = 0; h < 40; h++) {
        report_usage_t u = hour(h, h + 1);
        want += h + 1;
        assert_int_equal(report_queue_push_usage(&s_q, &u), 0);
        assert_true(report_queue_count(&s_q, 0) <= 6);
    }
    assert_true(s_q.merges >= 34);
    reboot(&cfg);
    assert_int_equal(report_queue_count(&s_q, 0), 6);
    assert_int_equal(total_calls(), want);
    /* the span is covered without gaps or overlaps, oldest coarsest */
    int64_t at = T0;
    for (uint32_t i = 0; i < s_q.n; i++) {
        assert_int_equal(s_q.e[i].start, at);
        at = s_q.e[i].end;
    }
    assert_int_equal(at, T0 + 40 * 3600);
    assert_true(s_q.e[0].end - s_q.e[0].start >= s_q.e[5].end - s_q.e[5].start);
}

static void test_sent_records_frozen_events_never_merged(void **state)
{
    (void)state;
    fresh();
    report_queue_config_t cfg = {.bound = 5};
    assert_int_equal(report_queue_open(&s_q, &s_store, &cfg), 0);
    report_usage_t u0 = hour(0, 1), u1 = hour(1, 2);
    assert_int_equal(report_queue_push_usage(&s_q, &u0), 0);
    assert_int_equal(report_queue_push_usage(&s_q, &u1), 0);
    report_batch_t b;
    size_t len;
    assert_int_equal(
        report_queue_batch(&s_q, REPORT_ITEM_USAGE, "S", 64, s_body, sizeof s_body, &len, &b),
        0); /* sent, ack lost: ids 1, 2 are frozen */
    report_event_t e = {T0, REPORT_EV_CLOCK_ROLLBACK, ""};
    assert_int_equal(report_queue_push_event(&s_q, &e), 0);
    for (uint32_t h = 2; h < 12; h++) {
        report_usage_t u = hour(h, 10);
        assert_int_equal(report_queue_push_usage(&s_q, &u), 0);
    }
    reboot(&cfg); /* the sent mark survives */
    assert_int_equal(report_queue_count(&s_q, 0), 5);
    assert_int_equal(s_q.e[0].id, 1);
    assert_int_equal(s_q.e[1].id, 2);
    assert_int_equal(s_q.e[2].kind, REPORT_ITEM_EVENT);
    assert_int_equal(total_calls(), 1 + 2 + 10 * 10);
    /* full of events and frozen usage: an event cannot get in */
    fresh();
    cfg.bound = 3;
    assert_int_equal(report_queue_open(&s_q, &s_store, &cfg), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(report_queue_push_event(&s_q, &e), 0);
    }
    assert_int_equal(report_queue_push_event(&s_q, &e), FW_E_NOSPACE);
    assert_int_equal(report_queue_count(&s_q, REPORT_ITEM_EVENT), 3);
}

/* An eighth of the queue is kept for events: after a long outage has filled
 * it with usage that was sent once (frozen), a trial notice (R7) still gets
 * in, while the extra usage waits in the open interval. */
static void test_events_have_reserved_room(void **state)
{
    (void)state;
    fresh();
    report_queue_config_t cfg = {.bound = 16};
    assert_int_equal(report_queue_open(&s_q, &s_store, &cfg), 0);
    for (uint32_t h = 0; h < 14; h++) {
        report_usage_t u = hour(h, 1);
        assert_int_equal(report_queue_push_usage(&s_q, &u), 0);
    }
    report_batch_t b;
    size_t len;
    assert_int_equal(
        report_queue_batch(&s_q, REPORT_ITEM_USAGE, "S", 64, s_body, sizeof s_body, &len, &b), 0);
    assert_int_equal(b.n, 14); /* all sent once, none acknowledged: frozen */
    report_usage_t extra = hour(14, 1);
    assert_int_equal(report_queue_push_usage(&s_q, &extra), FW_E_NOSPACE);
    report_event_t e = {T0, REPORT_EV_NOTICE, "expiring"};
    assert_int_equal(report_queue_push_event(&s_q, &e), 0);
    assert_int_equal(report_queue_push_event(&s_q, &e), 0);
    assert_int_equal(report_queue_push_event(&s_q, &e), FW_E_NOSPACE); /* bound reached */
    assert_int_equal(report_queue_count(&s_q, REPORT_ITEM_EVENT), 2);
}

/* Months of reporting: items are queued, sent and acknowledged thousands of
 * times. Deleted items leave tombstones in the store's key table until their
 * sector is collected, so the queue must reuse its keys rather than walk
 * through all 4,096 of them (found by the demo: a lapsed room ran out of
 * store keys and dropped an event). */
static void test_months_of_send_and_ack_never_run_out(void **state)
{
    (void)state;
    fresh();
    report_queue_config_t cfg = {0};
    assert_int_equal(report_queue_open(&s_q, &s_store, &cfg), 0);
    for (uint32_t h = 0; h < 3000; h++) {
        report_usage_t u = hour(h, 1);
        assert_int_equal(report_queue_push_usage(&s_q, &u), 0);
        if (h % 3 == 2) {
            report_event_t e = {T0 + 3600 * (int64_t)h, REPORT_EV_NOTICE, "expiring"};
            assert_int_equal(report_queue_push_event(&s_q, &e), 0);
        }
        report_batch_t b;
        size_t len;
        for (report_item_kind_t k = REPORT_ITEM_USAGE; k <= REPORT_ITEM_EVENT; k++) {
            if (report_queue_batch(&s_q, k, "S", 64, s_body, sizeof s_body, &len, &b) == 0) {
                assert_int_equal(report_queue_ack(&s_q, &b, NULL, 0), (int)b.n);
            }
        }
        assert_int_equal(report_queue_count(&s_q, 0), 0);
    }
    store_health_t h;
    store_health(&s_store, &h);
    assert_true(h.live_keys < 16);
}

static void test_tick_closes_intervals_and_open_survives_reboot(void **state)
{
    (void)state;
    fresh();
    report_queue_config_t cfg = {.save_s = 60};
    assert_int_equal(report_queue_open(&s_q, &s_store, &cfg), 0);
    report_usage_call_ended(report_queue_usage(&s_q), 100); /* before time is known */
    assert_int_equal(report_queue_tick(&s_q, T0 + 10), 0);
    report_usage_meeting(report_queue_usage(&s_q), 1800);
    assert_int_equal(report_queue_tick(&s_q, T0 + 100), 0); /* saved: 90 s >= 60 s */
    report_usage_share(report_queue_usage(&s_q), 5);        /* lost at the cut below */
    assert_int_equal(report_queue_tick(&s_q, T0 + 120), 0);
    reboot(&cfg);
    assert_int_equal(s_q.open.calls, 1);
    assert_int_equal(s_q.open.meetings, 1);
    assert_int_equal(s_q.open.share_seconds, 0);
    assert_int_equal(report_queue_tick(&s_q, T0 + 3600), 1); /* closes 1 record */
    assert_int_equal(report_queue_count(&s_q, REPORT_ITEM_USAGE), 1);
    assert_int_equal(report_queue_tick(&s_q, T0 + 7300), 0); /* empty hour: nothing */
    reboot(&cfg);
    assert_true(report_usage_is_empty(&s_q.open));
    assert_int_equal(s_q.open.start, T0 + 7200);
    int64_t end;
    assert_true(report_queue_oldest_usage_end(&s_q, &end));
    assert_int_equal(end, T0 + 3600);
}

/* A fresh queue holding hourly usage records for hours [from, to). */
static void queue_hours(uint32_t from, uint32_t to)
{
    fresh();
    assert_int_equal(report_queue_open(&s_q, &s_store, NULL), 0);
    for (uint32_t h = from; h < to; h++) {
        report_usage_t u = hour(h, 1);
        assert_int_equal(report_queue_push_usage(&s_q, &u), 0);
    }
}

/* The next batch of `kind` (it must exist). */
static report_batch_t next_batch(report_item_kind_t kind, size_t *len)
{
    report_batch_t b;
    assert_int_equal(
        report_queue_batch(&s_q, kind, "SIMTEST0001", 64, s_body, sizeof s_body, len, &b), 0);
    return b;
}

/* A refused item is set aside: out of every later batch, still in the
 * store across reboots, its id never handed out again; at most
 * REPORT_REFUSED_MAX are kept, beyond that a refused item stays queued. */
static void test_set_aside_refused_items(void **state)
{
    (void)state;
    queue_hours(0, 4);
    report_item_t it;
    assert_int_equal(report_queue_set_aside(&s_q, 1, &it), 0);
    assert_int_equal(it.kind, REPORT_ITEM_USAGE);
    assert_int_equal(it.id, 1);
    assert_int_equal(it.usage.start, T0);
    assert_int_equal(report_queue_set_aside(&s_q, 1, NULL), FW_E_NOENT);
    assert_int_equal(report_queue_refused_count(&s_q), 1);
    assert_int_equal(report_queue_count(&s_q, REPORT_ITEM_USAGE), 3);
    size_t len;
    report_batch_t b = next_batch(REPORT_ITEM_USAGE, &len);
    assert_int_equal(b.n, 3);
    assert_int_equal(b.ids[0], 2); /* the refused one no longer leads the batch */
    /* the newest id set aside, then a reboot: ids still never repeat */
    assert_int_equal(report_queue_set_aside(&s_q, 4, NULL), 0);
    reboot(NULL);
    assert_int_equal(report_queue_refused_count(&s_q), 2);
    assert_int_equal(report_queue_count(&s_q, REPORT_ITEM_USAGE), 2);
    report_event_t e = {T0, REPORT_EV_RECORD_REFUSED, "id 1 usage 4.00: bad"};
    assert_int_equal(report_queue_push_event(&s_q, &e), 0);
    b = next_batch(REPORT_ITEM_EVENT, &len);
    assert_int_equal(b.ids[0], 5);
    s_body[len] = '\0';
    assert_non_null(strstr(s_body, "\"kind\":\"record_refused\""));
    /* bounded: 16 kept, the 17th stays queued */
    for (uint32_t h = 10; h < 30; h++) {
        report_usage_t u = hour(h, 1);
        assert_int_equal(report_queue_push_usage(&s_q, &u), 0);
    }
    uint64_t id = 6;
    while (report_queue_refused_count(&s_q) < REPORT_REFUSED_MAX) {
        assert_int_equal(report_queue_set_aside(&s_q, id++, NULL), 0);
    }
    uint32_t queued = report_queue_count(&s_q, 0);
    assert_int_equal(report_queue_set_aside(&s_q, id, NULL), FW_E_NOSPACE);
    assert_int_equal(report_queue_count(&s_q, 0), queued);
    reboot(NULL);
    assert_int_equal(report_queue_refused_count(&s_q), REPORT_REFUSED_MAX);
    assert_int_equal(report_queue_count(&s_q, 0), queued);
}

/* A power cut between writing the kept copy and deleting the queued item:
 * mount finishes the move (the item is never sent again, nor kept twice). */
static void test_set_aside_interrupted_move_finished_at_mount(void **state)
{
    (void)state;
    queue_hours(0, 3);
    /* what the move writes first, with the queued copy left in place */
    report_item_t it = {.kind = REPORT_ITEM_USAGE, .id = 2, .cover_from = 2, .usage = hour(1, 1)};
    uint8_t buf[REPORT_ITEM_MAX];
    size_t n = 0;
    assert_int_equal(report_item_encode(&it, buf, sizeof buf, &n), 0);
    assert_int_equal(store_put(&s_store, STORE_KEY_REFUSED_FIRST, buf, n, 0), 0);
    reboot(NULL);
    assert_int_equal(report_queue_refused_count(&s_q), 1);
    assert_int_equal(report_queue_count(&s_q, 0), 2);
    size_t len;
    report_batch_t b = next_batch(REPORT_ITEM_USAGE, &len);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.ids[0], 1);
    assert_int_equal(b.ids[1], 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_enqueue_batch_ack, teardown),
        cmocka_unit_test_teardown(test_reboot_keeps_items_and_ids_never_repeat, teardown),
        cmocka_unit_test_teardown(test_merge_at_bound_keeps_totals, teardown),
        cmocka_unit_test_teardown(test_events_have_reserved_room, teardown),
        cmocka_unit_test_teardown(test_months_of_send_and_ack_never_run_out, teardown),
        cmocka_unit_test_teardown(test_sent_records_frozen_events_never_merged, teardown),
        cmocka_unit_test_teardown(test_tick_closes_intervals_and_open_survives_reboot, teardown),
        cmocka_unit_test_teardown(test_set_aside_refused_items, teardown),
        cmocka_unit_test_teardown(test_set_aside_interrupted_move_finished_at_mount, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
