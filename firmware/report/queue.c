/*
 * The outbound queue on the store. The why of every ordering below is in
 * report/queue.h and docs/REPORTING.md (exactly-once argument); the short
 * version: write the new thing before deleting the old one, and make mount
 * able to tell which of the two won.
 */
#define FW_LOG_TAG "report"
#include "report/queue.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "fw/log.h"

#define STATE_MAGIC 'R'
#define STATE_VERSION 1u
#define STATE_HDR (4u + 8u + 8u)
#define STATE_F_OPEN 0x01u
#define QUEUE_KEYS ((uint32_t)STORE_KEY_QUEUE_LAST - STORE_KEY_QUEUE_FIRST + 1u)
#define REFUSED_KEYS ((uint32_t)STORE_KEY_REFUSED_LAST - STORE_KEY_REFUSED_FIRST + 1u)

_Static_assert(REFUSED_KEYS == REPORT_REFUSED_MAX, "one store key per refused item");
_Static_assert(REPORT_QUEUE_MAX + REPORT_REFUSED_MAX + 16u <= STORE_MAX_KEYS,
               "the store indexes every queued and refused item plus the fixed records");

static uint8_t s_item_buf[REPORT_ITEM_MAX];

/* ---- helpers ---------------------------------------------------------------- */

static int find(const report_queue_t *q, uint64_t id)
{
    for (uint32_t i = 0; i < q->n; i++) {
        if (q->e[i].id == id) {
            return (int)i;
        }
    }
    return -1;
}

static void remove_at(report_queue_t *q, uint32_t i)
{
    memmove(&q->e[i], &q->e[i + 1], (q->n - i - 1) * sizeof q->e[0]);
    q->n--;
}

static bool key_used(const report_queue_t *q, store_key_t key)
{
    for (uint32_t i = 0; i < q->n; i++) {
        if (q->e[i].key == key) {
            return true;
        }
    }
    return false;
}

/* Keys rotate through the range so a deleted item's key is not reused at once
 * (easier to read in a flash dump; no correctness depends on it). */
/* The lowest free queue key. Reusing keys matters: a deleted item leaves a
 * tombstone in the store's key table until its sector is collected, and
 * walking through fresh keys would fill that table (test_queue.c, "months
 * of send and ack"). */
static store_key_t free_key(report_queue_t *q)
{
    for (uint32_t k = 0; k < QUEUE_KEYS; k++) {
        store_key_t key = (store_key_t)(STORE_KEY_QUEUE_FIRST + k);
        if (!key_used(q, key)) {
            return key;
        }
    }
    return 0; /* unreachable: n <= REPORT_QUEUE_MAX < QUEUE_KEYS */
}

static int read_item(report_queue_t *q, const report_queue_entry_t *e, report_item_t *it)
{
    size_t len = 0;
    int rc = store_get(q->store, e->key, s_item_buf, sizeof s_item_buf, &len);
    if (rc == 0) {
        rc = report_item_decode(s_item_buf, len, it);
    }
    if (rc == 0 && it->id != e->id) {
        rc = FW_E_CORRUPT;
    }
    return rc;
}

static int write_item(report_queue_t *q, store_key_t key, const report_item_t *it)
{
    size_t len = 0;
    int rc = report_item_encode(it, s_item_buf, sizeof s_item_buf, &len);
    return rc ? rc : store_put(q->store, key, s_item_buf, len, 0);
}

static report_queue_entry_t entry_of(const report_item_t *it, store_key_t key)
{
    report_queue_entry_t e = {it->id, it->cover_from, 0, 0, key, (uint8_t)it->kind};
    if (it->kind == REPORT_ITEM_USAGE) {
        e.start = it->usage.start;
        e.end = it->usage.end;
    }
    return e;
}

/* ---- state record (STORE_KEY_USAGE) --------------------------------------- */

static void put64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static int save_state(report_queue_t *q, int64_t now)
{
    uint8_t buf[STATE_HDR + REPORT_ITEM_MAX];
    buf[0] = STATE_MAGIC;
    buf[1] = STATE_VERSION;
    buf[2] = q->open_valid ? STATE_F_OPEN : 0;
    buf[3] = 0;
    put64(buf + 4, q->sent_hwm);
    put64(buf + 12, q->next_id);
    report_item_t it = {.kind = REPORT_ITEM_USAGE, .id = q->next_id, .cover_from = q->next_id};
    if (q->open_valid) {
        it.usage = q->open;
    }
    size_t len = 0;
    int rc = report_item_encode(&it, buf + STATE_HDR, sizeof buf - STATE_HDR, &len);
    if (rc == 0) {
        rc = store_put(q->store, STORE_KEY_USAGE, buf, STATE_HDR + len, 0);
    }
    if (rc == 0) {
        q->saved_next_id = q->next_id;
        q->last_save = now;
        q->dirty = false;
    } else {
        FW_LOGE("saving usage state failed: %s", fw_strerror(rc));
    }
    return rc;
}

static void load_state(report_queue_t *q)
{
    uint8_t buf[STATE_HDR + REPORT_ITEM_MAX];
    size_t len = 0;
    int rc = store_get(q->store, STORE_KEY_USAGE, buf, sizeof buf, &len);
    report_item_t it;
    if (rc == FW_E_NOENT) {
        return;
    }
    if (rc != 0 || len < STATE_HDR || buf[0] != STATE_MAGIC || buf[1] != STATE_VERSION ||
        report_item_decode(buf + STATE_HDR, len - STATE_HDR, &it) != 0 ||
        it.kind != REPORT_ITEM_USAGE || get64(buf + 12) != it.id) {
        /* The id counter is also bounded below by the queue's ids, and
         * the sent mark only protects merging; losing the open interval is
         * the damage, and it is logged. */
        FW_LOGE("usage state unreadable (%s): open interval lost",
                rc ? fw_strerror(rc) : "bad format");
        q->sent_hwm = REPORT_ID_MAX; /* freeze everything queued: safe */
        return;
    }
    q->sent_hwm = get64(buf + 4);
    q->next_id = it.id;
    q->saved_next_id = it.id;
    if (buf[2] & STATE_F_OPEN) {
        q->open = it.usage;
        q->open_valid = true;
    }
}

/* ---- open -------------------------------------------------------------------- */

typedef struct {
    store_key_t keys[STORE_MAX_KEYS];
    uint32_t n;
} key_list_t;

static key_list_t s_keys;

static int collect_key(void *ctx, store_key_t key, size_t len)
{
    (void)len;
    key_list_t *l = ctx;
    if (l->n < STORE_MAX_KEYS) {
        l->keys[l->n++] = key;
    }
    return 0;
}

static void sort_entries(report_queue_t *q)
{
    for (uint32_t i = 1; i < q->n; i++) { /* insertion sort: n is small */
        report_queue_entry_t x = q->e[i];
        uint32_t j = i;
        while (j > 0 && q->e[j - 1].id > x.id) {
            q->e[j] = q->e[j - 1];
            j--;
        }
        q->e[j] = x;
    }
}

/* Delete usage items another usage item's merge already covers. */
static void finish_merges(report_queue_t *q)
{
    for (uint32_t i = 0; i < q->n;) {
        bool covered = false;
        for (uint32_t j = 0; j < q->n && !covered; j++) {
            covered = j != i && q->e[i].kind == REPORT_ITEM_USAGE &&
                      q->e[j].kind == REPORT_ITEM_USAGE && q->e[j].cover_from <= q->e[i].id &&
                      q->e[i].id < q->e[j].id;
        }
        if (covered) {
            FW_LOGI("finishing an interrupted merge: record %llu", (unsigned long long)q->e[i].id);
            (void)store_delete(q->store, q->e[i].key);
            remove_at(q, i);
        } else {
            i++;
        }
    }
}

/* Index the items kept aside; a queued item that is also kept aside is the
 * leftover of a move a power cut interrupted: delete it now. */
static int load_refused(report_queue_t *q)
{
    s_keys.n = 0;
    int rc = store_foreach(q->store, STORE_KEY_REFUSED_FIRST, STORE_KEY_REFUSED_LAST, collect_key,
                           &s_keys);
    for (uint32_t k = 0; rc == 0 && k < s_keys.n && q->refused_n < REPORT_REFUSED_MAX; k++) {
        report_item_t it;
        size_t len = 0;
        int r = store_get(q->store, s_keys.keys[k], s_item_buf, sizeof s_item_buf, &len);
        if (r == 0) {
            r = report_item_decode(s_item_buf, len, &it);
        }
        if (r != 0) {
            FW_LOGE("refused item 0x%04x unreadable (%s): deleted", s_keys.keys[k], fw_strerror(r));
            (void)store_delete(q->store, s_keys.keys[k]);
            continue;
        }
        q->refused[q->refused_n].id = it.id;
        q->refused[q->refused_n].key = s_keys.keys[k];
        q->refused_n++;
        int i = find(q, it.id);
        if (i >= 0) {
            FW_LOGI("finishing an interrupted set-aside: record %llu", (unsigned long long)it.id);
            (void)store_delete(q->store, q->e[i].key);
            remove_at(q, (uint32_t)i);
        }
    }
    return rc;
}

int report_queue_open(report_queue_t *q, store_t *store, const report_queue_config_t *cfg)
{
    if (!q || !store) {
        return FW_E_INVAL;
    }
    memset(q, 0, sizeof *q);
    q->store = store;
    if (cfg) {
        q->cfg = *cfg;
    }
    q->cfg.interval_s = report_interval_sanitize(q->cfg.interval_s);
    if (q->cfg.bound == 0) {
        q->cfg.bound = REPORT_QUEUE_DEFAULT_BOUND;
    }
    q->cfg.bound = q->cfg.bound < 2 ? 2 : q->cfg.bound;
    q->cfg.bound = q->cfg.bound > REPORT_QUEUE_MAX ? REPORT_QUEUE_MAX : q->cfg.bound;
    if (q->cfg.save_s == 0) {
        q->cfg.save_s = REPORT_SAVE_DEFAULT_S;
    }
    q->next_id = 1;
    load_state(q);

    s_keys.n = 0;
    int rc =
        store_foreach(store, STORE_KEY_QUEUE_FIRST, STORE_KEY_QUEUE_LAST, collect_key, &s_keys);
    if (rc != 0) {
        return rc;
    }
    for (uint32_t k = 0; k < s_keys.n; k++) {
        report_item_t it;
        report_queue_entry_t probe = {.key = s_keys.keys[k]};
        size_t len = 0;
        rc = store_get(store, probe.key, s_item_buf, sizeof s_item_buf, &len);
        if (rc == 0) {
            rc = report_item_decode(s_item_buf, len, &it);
        }
        if (rc != 0) {
            FW_LOGE("queue item 0x%04x unreadable (%s): deleted", probe.key, fw_strerror(rc));
            (void)store_delete(store, probe.key);
            continue;
        }
        if (q->n >= REPORT_QUEUE_MAX || find(q, it.id) >= 0) {
            FW_LOGE("queue item 0x%04x (id %llu) ignored: %s", probe.key, (unsigned long long)it.id,
                    q->n >= REPORT_QUEUE_MAX ? "index full" : "same id");
            continue;
        }
        q->e[q->n++] = entry_of(&it, probe.key);
    }
    sort_entries(q);
    finish_merges(q);
    rc = load_refused(q);
    if (rc != 0) {
        return rc;
    }

    for (uint32_t k = 0; k < q->refused_n; k++) {
        if (q->refused[k].id >= q->next_id) {
            q->next_id = q->refused[k].id + 1;
        }
    }
    int64_t max_end = INT64_MIN;
    for (uint32_t i = 0; i < q->n; i++) {
        if (q->e[i].id >= q->next_id) {
            q->next_id = q->e[i].id + 1;
        }
        if (q->e[i].kind == REPORT_ITEM_USAGE && q->e[i].end > max_end) {
            max_end = q->e[i].end;
        }
    }
    if (q->open_valid && max_end > q->open.start) {
        /* Cut between queueing a closed interval and saving the next one:
         * the persisted counters are in the queued record already. */
        FW_LOGI("open interval already queued; starting the next one");
        report_usage_t next = {0};
        next.start = max_end;
        next.end = max_end + (int64_t)q->cfg.interval_s;
        q->open = next;
        q->dirty = true;
    }
    FW_LOGI("queue: %u items, %u set aside, next id %llu", q->n, q->refused_n,
            (unsigned long long)q->next_id);
    return 0;
}

/* ---- pushing and merging ---------------------------------------------------- */

/* Merge the two adjacent unsent usage records whose merge spans least
 * (oldest first on a tie). Returns 0, or FW_E_NOENT if no pair qualifies. */
static int merge_one(report_queue_t *q)
{
    int best_a = -1, best_b = -1;
    int64_t best_span = 0;
    int prev = -1;
    for (uint32_t i = 0; i < q->n; i++) {
        if (q->e[i].kind != REPORT_ITEM_USAGE) {
            continue;
        }
        if (q->e[i].id <= q->sent_hwm) {
            prev = -1; /* frozen: neither end of a pair */
            continue;
        }
        if (prev >= 0) {
            int64_t span = q->e[i].end - q->e[prev].start;
            if (best_a < 0 || span < best_span) {
                best_a = prev;
                best_b = (int)i;
                best_span = span;
            }
        }
        prev = (int)i;
    }
    if (best_a < 0) {
        return FW_E_NOENT;
    }
    report_item_t a, b;
    int rc = read_item(q, &q->e[best_a], &a);
    if (rc == 0) {
        rc = read_item(q, &q->e[best_b], &b);
    }
    if (rc != 0) {
        return rc;
    }
    report_usage_merge(&b.usage, &a.usage);
    b.cover_from = a.cover_from;
    rc = write_item(q, q->e[best_b].key, &b); /* first the merged record ... */
    if (rc != 0) {
        return rc;
    }
    q->e[best_b] = entry_of(&b, q->e[best_b].key);
    /* ... then the older one goes; if this fails, mount finishes it. */
    (void)store_delete(q->store, q->e[best_a].key);
    remove_at(q, (uint32_t)best_a);
    q->merges++;
    return 0;
}

/* At the bound a usage record that cannot pair up may still fold into the
 * newest queued usage record if that one was never sent. */
static int fold_into_newest(report_queue_t *q, const report_usage_t *u)
{
    for (uint32_t i = q->n; i-- > 0;) {
        if (q->e[i].kind != REPORT_ITEM_USAGE) {
            continue;
        }
        if (q->e[i].id <= q->sent_hwm) {
            return FW_E_NOSPACE;
        }
        report_item_t it;
        int rc = read_item(q, &q->e[i], &it);
        if (rc == 0) {
            report_usage_merge(&it.usage, u);
            rc = write_item(q, q->e[i].key, &it);
        }
        if (rc == 0) {
            q->e[i] = entry_of(&it, q->e[i].key);
            q->merges++;
        }
        return rc;
    }
    return FW_E_NOSPACE;
}

static int push(report_queue_t *q, report_item_t *it)
{
    /* Usage may take all but an eighth of the queue: the rest is kept for
     * events, which are never merged, so a trial notice still gets in when
     * a long outage has filled the queue with usage already sent once. */
    uint32_t limit =
        it->kind == REPORT_ITEM_USAGE ? q->cfg.bound - q->cfg.bound / 8u : q->cfg.bound;
    while (q->n >= limit) {
        int rc = merge_one(q);
        if (rc == FW_E_NOENT && it->kind == REPORT_ITEM_USAGE) {
            return fold_into_newest(q, &it->usage);
        }
        if (rc != 0) {
            return rc == FW_E_NOENT ? FW_E_NOSPACE : rc;
        }
    }
    if (q->next_id > REPORT_ID_MAX) {
        return FW_E_NOSPACE;
    }
    it->id = q->next_id;
    if (it->kind == REPORT_ITEM_USAGE) {
        it->cover_from = it->id;
    }
    store_key_t key = free_key(q);
    int rc = write_item(q, key, it);
    if (rc != 0) {
        return rc;
    }
    q->next_id++;
    q->e[q->n++] = entry_of(it, key);
    return 0;
}

int report_queue_push_event(report_queue_t *q, const report_event_t *ev)
{
    report_item_t it = {.kind = REPORT_ITEM_EVENT, .id = 1, .cover_from = 1, .event = *ev};
    int rc = push(q, &it);
    if (rc != 0) {
        FW_LOGE("event %s not queued: %s",
                report_event_kind_name(ev->kind) ? report_event_kind_name(ev->kind) : "?",
                fw_strerror(rc));
    }
    return rc;
}

int report_queue_push_usage(report_queue_t *q, const report_usage_t *u)
{
    report_item_t it = {.kind = REPORT_ITEM_USAGE, .id = 1, .cover_from = 1, .usage = *u};
    return push(q, &it);
}

/* ---- the open interval ------------------------------------------------------ */

report_usage_t *report_queue_usage(report_queue_t *q)
{
    q->dirty = true;
    return &q->open;
}

int report_queue_save(report_queue_t *q, int64_t now)
{
    return save_state(q, now);
}

int report_queue_tick(report_queue_t *q, int64_t now)
{
    if (!q->open_valid) {
        report_usage_t counted = q->open; /* counting may start before time is known */
        report_usage_open(&q->open, now, q->cfg.interval_s);
        counted.start = q->open.start;
        counted.end = q->open.end;
        q->open = counted;
        q->open_valid = true;
        return save_state(q, now) < 0 ? FW_E_IO : 0;
    }
    report_usage_t closed;
    int queued = 0;
    if (report_usage_roll(&q->open, now, q->cfg.interval_s, &closed)) {
        if (!report_usage_is_empty(&closed)) {
            int rc = report_queue_push_usage(q, &closed);
            if (rc != 0) {
                /* Nothing is dropped: the closed counters stay in the open
                 * interval, which then starts where the closed one did. */
                FW_LOGW("usage record not queued (%s); kept in the open interval", fw_strerror(rc));
                report_usage_merge(&q->open, &closed);
                q->dirty = true;
                (void)save_state(q, now);
                return rc;
            }
            queued = 1;
        }
        q->dirty = true;
        int rc = save_state(q, now);
        if (rc != 0) {
            return rc;
        }
    }
    if (q->dirty && now - q->last_save >= (int64_t)q->cfg.save_s) {
        int rc = save_state(q, now);
        if (rc != 0) {
            return rc;
        }
    }
    return queued;
}

/* ---- draining ---------------------------------------------------------------- */

uint32_t report_queue_count(const report_queue_t *q, report_item_kind_t kind)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < q->n; i++) {
        c += (kind == 0 || q->e[i].kind == kind) ? 1u : 0u;
    }
    return c;
}

bool report_queue_oldest_usage_end(const report_queue_t *q, int64_t *end)
{
    for (uint32_t i = 0; i < q->n; i++) {
        if (q->e[i].kind == REPORT_ITEM_USAGE) {
            *end = q->e[i].end;
            return true;
        }
    }
    return false;
}

int report_queue_batch(report_queue_t *q, report_item_kind_t kind, const char *serial, uint32_t max,
                       char *buf, size_t cap, size_t *len, report_batch_t *batch)
{
    if (max == 0 || max > REPORT_BATCH_MAX) {
        max = REPORT_BATCH_MAX;
    }
    report_writer_t w;
    proto_batch_head_t head = {.gen = q->cfg.gen};
    (void)snprintf(head.serial, sizeof head.serial, "%s", serial ? serial : "");
    report_batch_open(&w, buf, cap, &head, kind == REPORT_ITEM_USAGE);
    batch->kind = kind;
    batch->n = 0;
    for (uint32_t i = 0; i < q->n && batch->n < max; i++) {
        if (q->e[i].kind != kind) {
            continue;
        }
        report_item_t it;
        int rc = read_item(q, &q->e[i], &it);
        if (rc != 0) {
            /* Unreadable now (damage since mount): skip it, keep it; the
             * next mount deletes it if it stays unreadable. */
            FW_LOGE("queue item %llu unreadable: %s", (unsigned long long)q->e[i].id,
                    fw_strerror(rc));
            continue;
        }
        rc = kind == REPORT_ITEM_USAGE ? report_batch_add_usage(&w, it.id, &it.usage)
                                       : report_batch_add_event(&w, it.id, &it.event);
        if (rc != 0) {
            break;
        }
        batch->ids[batch->n++] = it.id;
    }
    if (batch->n == 0) {
        return report_queue_count(q, kind) ? FW_E_NOSPACE : FW_E_NOENT;
    }
    int rc = report_batch_end(&w, len);
    if (rc != 0) {
        return rc;
    }
    uint64_t top = batch->ids[batch->n - 1];
    if (kind == REPORT_ITEM_USAGE && top > q->sent_hwm) {
        uint64_t old = q->sent_hwm;
        q->sent_hwm = top; /* frozen from now on: persisted before it leaves */
        rc = save_state(q, q->last_save);
        if (rc != 0) {
            q->sent_hwm = old;
            return rc;
        }
    }
    return 0;
}

/* Deleting the newest queued item must not let its id be handed out again:
 * the persisted id counter catches up first. */
static int save_next_id(report_queue_t *q)
{
    return q->saved_next_id < q->next_id ? save_state(q, q->last_save) : 0;
}

int report_queue_ack_ids(report_queue_t *q, const uint64_t *ids, size_t n)
{
    if (n == 0) {
        return 0;
    }
    int saved = save_next_id(q);
    if (saved != 0) {
        return saved;
    }
    int deleted = 0;
    for (size_t k = 0; k < n; k++) {
        int i = find(q, ids[k]);
        if (i < 0) {
            continue;
        }
        int rc = store_delete(q->store, q->e[i].key);
        if (rc != 0) {
            return rc;
        }
        remove_at(q, (uint32_t)i);
        deleted++;
    }
    return deleted;
}

int report_queue_ack(report_queue_t *q, const report_batch_t *batch, const uint8_t *body,
                     size_t len)
{
    uint64_t ids[REPORT_BATCH_MAX];
    size_t n = 0;
    report_ack_kind_t kind;
    int rc = report_parse_ack(body, len, ids, REPORT_BATCH_MAX, &n, &kind);
    if (rc != 0) {
        FW_LOGW("malformed ack: nothing acknowledged");
        return rc;
    }
    if (kind == REPORT_ACK_ALL) {
        return report_queue_ack_ids(q, batch->ids, batch->n);
    }
    size_t m = 0; /* only ids of this batch: an ack cannot remove anything else */
    for (size_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < batch->n; j++) {
            if (ids[i] == batch->ids[j]) {
                ids[m++] = ids[i];
                break;
            }
        }
    }
    return report_queue_ack_ids(q, ids, m);
}

bool report_usage_send_due(bool have_usage, int64_t oldest_end, uint32_t queued, int64_t now,
                           uint32_t batch_s, uint32_t max)
{
    if (!have_usage || queued == 0) {
        return false;
    }
    return queued >= max || now - oldest_end >= (int64_t)batch_s;
}

static bool refused_key_used(const report_queue_t *q, store_key_t key)
{
    for (uint32_t k = 0; k < q->refused_n; k++) {
        if (q->refused[k].key == key) {
            return true;
        }
    }
    return false;
}

int report_queue_set_aside(report_queue_t *q, uint64_t id, report_item_t *item)
{
    int i = find(q, id);
    if (i < 0) {
        return FW_E_NOENT;
    }
    if (q->refused_n >= REPORT_REFUSED_MAX) {
        return FW_E_NOSPACE;
    }
    store_key_t key = STORE_KEY_REFUSED_FIRST; /* the lowest one free: there is one */
    while (refused_key_used(q, key)) {
        key++;
    }
    report_item_t it;
    int rc = read_item(q, &q->e[i], &it);
    if (rc == 0) {
        rc = save_next_id(q);
    }
    if (rc == 0) {
        rc = write_item(q, key, &it); /* first the copy ... */
    }
    if (rc != 0) {
        return rc;
    }
    /* ... then the queued one goes; if this fails, mount finishes it. */
    (void)store_delete(q->store, q->e[i].key);
    remove_at(q, (uint32_t)i);
    q->refused[q->refused_n].id = id;
    q->refused[q->refused_n].key = key;
    q->refused_n++;
    if (item) {
        *item = it;
    }
    return 0;
}

uint32_t report_queue_refused_count(const report_queue_t *q)
{
    return q->refused_n;
}
