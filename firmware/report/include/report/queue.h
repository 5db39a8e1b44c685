/*
 * report/queue.h - the outbound queue: usage records and events waiting for
 * the collector's acknowledgement, kept in the power-safe store, plus the
 * open usage interval.
 *
 * Store keys: one queue item per key in STORE_KEY_QUEUE_FIRST..LAST (binary,
 * report/codec.h); STORE_KEY_USAGE holds the queue state: the open interval's
 * counters, the next record id and the highest usage id that may have been
 * transmitted ("sent mark"). docs/REPORTING.md argues why this is
 * exactly-once; in short:
 *  - an id is written with its item in one atomic store_put(); the next id is
 *    max(persisted next id, largest id in the queue + 1), and the persisted
 *    next id is brought up to date before any deletion could lower the
 *    largest id in the queue: ids never repeat, across reboots and cuts;
 *  - the sent mark is persisted before a usage record is first handed out
 *    for sending; records at or below it are frozen (never merged, never
 *    rewritten), so one id always carries the same content on the wire;
 *  - an item is deleted only when its id was acknowledged;
 *  - a merge writes the merged record (id of the newer one, cover_from =
 *    the older one's) before deleting the older one; mount deletes any usage
 *    item inside another's [cover_from, id) range, which finishes a merge a
 *    power cut interrupted;
 *  - closing an interval writes its record before the state: on mount a
 *    persisted open interval that a queued record already covers is dropped.
 *
 * Bound: at most `bound` items (default REPORT_QUEUE_DEFAULT_BOUND). At the
 * bound, the two adjacent unsent usage records with the shortest combined
 * span are merged (sums add, people_peak max, start min, end max), repeatedly
 * coarsening the oldest data. Events are never merged. If nothing can be
 * merged (all usage frozen, or all items are events), a push returns
 * FW_E_NOSPACE and a closed interval stays merged into the open one
 * (nothing is dropped).
 *
 * Refused items: an item the collector refuses as malformed is taken out of
 * the queue and kept aside under STORE_KEY_REFUSED_FIRST..LAST (at most
 * REPORT_REFUSED_MAX), never sent again, so it cannot block what follows.
 * The move writes the copy before deleting the queued item; mount deletes a
 * queued item whose id is also kept aside. Ids kept aside count for the id
 * counter like queued ones.
 *
 * Uses store/store.h only (no HAL header). Not thread-safe.
 */
#ifndef REPORT_QUEUE_H
#define REPORT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/codec.h"
#include "report/usage.h"
#include "store/store.h"

#define REPORT_QUEUE_MAX 256u           /* hard bound (RAM index size) */
#define REPORT_QUEUE_DEFAULT_BOUND 240u /* items; leaves store keys spare */
#define REPORT_SAVE_DEFAULT_S 300u      /* open interval saved this often */
#define REPORT_REFUSED_MAX 16u          /* refused items kept aside */

typedef struct {
    uint32_t interval_s; /* usage interval; 0 = hourly */
    uint32_t bound;      /* items; 0 = default, clamped to 2..REPORT_QUEUE_MAX */
    uint32_t save_s;     /* persist the open interval at least this often; 0 = default */
    uint32_t gen;        /* provisioning generation the ids belong to (sent with every
                            batch: ids are unique per serial and generation) */
} report_queue_config_t;

/* RAM index of one queued item (private). */
typedef struct {
    uint64_t id;
    uint64_t cover_from;
    int64_t start, end; /* usage only */
    store_key_t key;
    uint8_t kind; /* report_item_kind_t */
} report_queue_entry_t;

/* Treat as opaque. */
typedef struct {
    store_t *store;
    report_queue_config_t cfg;
    uint64_t next_id;       /* next id to hand out */
    uint64_t saved_next_id; /* next_id as persisted in the state record */
    uint64_t sent_hwm;      /* usage ids <= this may have been transmitted */
    report_usage_t open;    /* the open interval */
    bool open_valid;        /* false until the first tick with a time */
    int64_t last_save;      /* unix s of the last state save */
    bool dirty;             /* open counters changed since the last save */
    uint32_t merges;        /* since open, for logs and tests */
    uint32_t n;
    report_queue_entry_t e[REPORT_QUEUE_MAX]; /* sorted by id */
    uint32_t refused_n;                       /* items kept aside */
    struct {
        uint64_t id;
        store_key_t key;
    } refused[REPORT_REFUSED_MAX];
} report_queue_t;

/* One request's worth of queued items, handed out by report_queue_batch(). */
typedef struct {
    report_item_kind_t kind;
    uint32_t n;
    uint64_t ids[REPORT_BATCH_MAX];
} report_batch_t;

/* Load the queue from a mounted store: index every item (undecodable items
 * are logged and deleted), finish an interrupted merge or interval close,
 * restore the open interval and the id counter. */
int report_queue_open(report_queue_t *q, store_t *store, const report_queue_config_t *cfg);

/* The open interval, for counting (report_usage_call_ended(...) etc.).
 * Changes are persisted by report_queue_tick(). */
report_usage_t *report_queue_usage(report_queue_t *q);

/* Call once per loop turn with the trusted time. Closes the open interval
 * when it ended (queues its record, merging at the bound), and persists the
 * open interval every cfg.save_s. Returns 1 if a record was queued, 0 if
 * not, negative on a store error (the interval then stays open, merged). */
int report_queue_tick(report_queue_t *q, int64_t now);

/* Persist the open interval now (before a planned shutdown). */
int report_queue_save(report_queue_t *q, int64_t now);

/* Queue an event (never merged). FW_E_NOSPACE when the queue is full of
 * things that cannot be merged. */
int report_queue_push_event(report_queue_t *q, const report_event_t *ev);

/* Queue a closed usage record directly (tests, tools; the agent uses tick). */
int report_queue_push_usage(report_queue_t *q, const report_usage_t *u);

/* Number of queued items of `kind` (0 = any). */
uint32_t report_queue_count(const report_queue_t *q, report_item_kind_t kind);
/* End of the oldest queued usage record (the age of what waits), or false. */
bool report_queue_oldest_usage_end(const report_queue_t *q, int64_t *end);

/* Build the next request body of `kind`: the oldest items in id order, at
 * most `max` (<= REPORT_BATCH_MAX) and as many as fit `cap`. For usage, the
 * sent mark is persisted first. FW_E_NOENT if nothing is queued. */
int report_queue_batch(report_queue_t *q, report_item_kind_t kind, const char *serial, uint32_t max,
                       char *buf, size_t cap, size_t *len, report_batch_t *batch);

/* A 2.01/2.04 answer to `batch` arrived with `body`: delete what it
 * acknowledges (report_parse_ack; ids not in the batch are ignored).
 * Returns the number of items deleted, or a negative error. */
int report_queue_ack(report_queue_t *q, const report_batch_t *batch, const uint8_t *body,
                     size_t len);

/* Delete exactly these ids if queued (the primitive under report_queue_ack). */
int report_queue_ack_ids(report_queue_t *q, const uint64_t *ids, size_t n);

/* The collector refused queued item `id` as malformed: keep it aside (never
 * sent again) so the items behind it go out. `*item` (if not NULL) gets what
 * it held. FW_E_NOENT if not queued, FW_E_NOSPACE when REPORT_REFUSED_MAX
 * items are kept aside already (the item then stays queued), or a store
 * error. */
int report_queue_set_aside(report_queue_t *q, uint64_t id, report_item_t *item);

/* Items kept aside. */
uint32_t report_queue_refused_count(const report_queue_t *q);

/* Pure send policy: should a usage batch go now? True when usage is queued
 * and the oldest record ended at least `batch_s` ago, or `queued` reached
 * `max` records (one full request). Events always go at once. */
bool report_usage_send_due(bool have_usage, int64_t oldest_end, uint32_t queued, int64_t now,
                           uint32_t batch_s, uint32_t max);

#endif /* REPORT_QUEUE_H */
