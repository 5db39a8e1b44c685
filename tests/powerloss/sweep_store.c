/*
 * sweep_store.c - cut power at every flash operation of a realistic store
 * workload and check the store's promises after each "reboot".
 *
 * The workload is what an endpoint does over its life, compressed:
 * provisioning once, licence updates, monotonic trial-history and
 * trusted-time updates, a usage counter written every step, and report queue
 * items pushed and later deleted; enough bytes to turn the ring (GC) several
 * times. It is first run uncut to count its flash operations T; then, for
 * every k in 1..T, a fresh device runs it with a cut armed at operation k.
 * After the cut the flash is powered on and mounted again, and:
 *  - every key whose last operation returned 0 reads back byte-exactly;
 *  - the key being written at the cut holds its old or its new value
 *    (absent or present for a delete), nothing else;
 *  - no key the workload never wrote appears, no rollback is reported;
 *  - the store keeps working: more writes, a remount, same checks.
 * Each cut point is swept with several torn-write seeds (which prefix of the
 * torn operation reached the flash).
 *
 * Usage: sweep_store [--seeds N] [--stride S] [-v]
 * Prints "powerloss_store: N cut points tried, F failures"; exit 1 on failure.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakes/fake_flash.h"
#include "fakes/fake_log.h"
#include "fakes/fake_secure.h"
#include "fw/err.h"
#include "store/store.h"

#define SECTOR 16384u
#define SECTORS 6u
#define STEPS 420
#define MAX_OPS 2000
#define MAX_KEYS 64
#define QUEUE_SLOTS 24

typedef struct {
    store_key_t key;
    bool del;
    unsigned flags;
    uint16_t len;
    uint32_t seed; /* value bytes = fill(seed, len) */
} op_t;

typedef struct {
    store_key_t key;
    bool present;
    uint16_t len;
    uint32_t seed;
} kv_t;

static op_t s_ops[MAX_OPS];
static int s_n_ops;
static kv_t s_model[MAX_KEYS];
static int s_n_model;
static store_t s_store;
static uint8_t s_buf[STORE_VALUE_MAX];
static uint8_t s_want[STORE_VALUE_MAX];
static bool s_verbose;
static int s_failures;
static char s_why[256];
static unsigned long s_gc_redone; /* reboots that found an interrupted GC */
static unsigned long s_rolled;    /* reboots that rolled the counter forward */

static void fill(uint8_t *buf, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 0x9E3779B9u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)(x >> 7);
    }
}

static void add_op(store_key_t key, bool del, unsigned flags, uint16_t len, uint32_t seed)
{
    if (s_n_ops < MAX_OPS) {
        s_ops[s_n_ops++] = (op_t){key, del, flags, len, seed};
    }
}

/* The workload, as a fixed list of operations (deterministic). */
static void build_workload(void)
{
    uint32_t r = 12345;
    s_n_ops = 0;
    add_op(STORE_KEY_PROVISIONING, false, 0, 620, 1);
    add_op(STORE_KEY_LICENCE, false, 0, 900, 2);
    for (int i = 0; i < STEPS; i++) {
        r = r * 1103515245u + 12345u;
        add_op(STORE_KEY_USAGE, false, 0, (uint16_t)(40 + i % 24), 100000u + (uint32_t)i);
        add_op((store_key_t)(STORE_KEY_QUEUE_FIRST + i % QUEUE_SLOTS), false, 0,
               (uint16_t)(60 + (r >> 16) % 360), 200000u + (uint32_t)i);
        if (i >= 8 && i % 3 != 0) { /* most reports get acknowledged and dropped */
            add_op((store_key_t)(STORE_KEY_QUEUE_FIRST + (i - 8) % QUEUE_SLOTS), true, 0, 0, 0);
        }
        if (i % 7 == 3) {
            add_op(STORE_KEY_TRIAL_HISTORY, false, STORE_F_MONOTONIC, (uint16_t)(180 + i % 50),
                   300000u + (uint32_t)i);
        }
        if (i % 11 == 5) {
            add_op(STORE_KEY_TRUSTED_TIME, false, STORE_F_MONOTONIC, 16, 400000u + (uint32_t)i);
        }
        if (i % 40 == 20) {
            add_op(STORE_KEY_LICENCE, false, 0, (uint16_t)(700 + (r >> 8) % 1200),
                   500000u + (uint32_t)i);
        }
        if (i == 200) { /* one large value, to exercise multi-chunk records in GC */
            add_op(0x0010, false, 0, STORE_VALUE_MAX, 600000u);
        }
    }
}

static kv_t *model_find(store_key_t key, bool create)
{
    for (int i = 0; i < s_n_model; i++) {
        if (s_model[i].key == key) {
            return &s_model[i];
        }
    }
    if (!create || s_n_model == MAX_KEYS) {
        return NULL;
    }
    s_model[s_n_model] = (kv_t){.key = key};
    return &s_model[s_n_model++];
}

static void model_apply(const op_t *op)
{
    kv_t *kv = model_find(op->key, true);
    kv->present = !op->del;
    kv->len = op->len;
    kv->seed = op->seed;
}

static int apply(const op_t *op)
{
    if (op->del) {
        return store_delete(&s_store, op->key);
    }
    fill(s_want, op->len, op->seed);
    return store_put(&s_store, op->key, s_want, op->len, op->flags);
}

static bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static bool fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s_why, sizeof s_why, fmt, ap);
    va_end(ap);
    return false;
}

/* Does the store hold exactly `kv`? */
static bool holds(const kv_t *kv)
{
    size_t len = 0;
    int rc = store_get(&s_store, kv->key, s_buf, sizeof s_buf, &len);
    if (!kv->present) {
        return rc == FW_E_NOENT;
    }
    if (rc != 0 || len != kv->len) {
        return false;
    }
    fill(s_want, kv->len, kv->seed);
    return memcmp(s_buf, s_want, len) == 0;
}

static int visit(void *ctx, store_key_t key, size_t len)
{
    (void)ctx;
    (void)len;
    const kv_t *kv = model_find(key, false);
    if (kv && kv->present) {
        return 0;
    }
    return (int)key; /* a key nobody wrote */
}

/* Every model key as committed; the in-flight one old or new (the model is
 * then updated to what was found). */
static bool check_all(const op_t *inflight)
{
    store_health_t h;
    store_health(&s_store, &h);
    if (h.rollback) {
        return fail("rollback reported (flash %u hw %u)", (unsigned)h.counter_flash,
                    (unsigned)h.counter_hw);
    }
    for (int i = 0; i < s_n_model; i++) {
        if (inflight && s_model[i].key == inflight->key) {
            continue;
        }
        if (!holds(&s_model[i])) {
            return fail("key 0x%04x lost its committed value", (unsigned)s_model[i].key);
        }
    }
    if (inflight) {
        kv_t *old = model_find(inflight->key, true);
        kv_t now = {inflight->key, !inflight->del, inflight->len, inflight->seed};
        if (holds(&now)) {
            *old = now;
        } else if (!holds(old)) {
            return fail("key 0x%04x is neither old nor new after a cut in its %s",
                        (unsigned)inflight->key, inflight->del ? "delete" : "put");
        }
    }
    int rc = store_foreach(&s_store, 0, 0xFFFF, visit, NULL);
    if (rc != 0) {
        return fail("unexpected key 0x%04x present", (unsigned)rc);
    }
    return true;
}

static bool mount(const store_config_t *cfg)
{
    int rc = store_mount(&s_store, cfg);
    return rc == 0 ? true : fail("mount failed: %d", rc);
}

/* One device life with a cut armed at flash operation k (0 = no cut).
 * Returns true if every check passed. */
static bool run_one(uint64_t k, uint64_t seed, uint64_t *ops_out)
{
    store_config_t cfg = {0, SECTORS};
    fake_flash_setup(SECTOR, SECTORS, 1);
    fake_secure_reset();
    s_n_model = 0;
    if (!mount(&cfg)) {
        return false;
    }
    nor_sim_t *sim = fake_flash_sim();
    if (k) {
        nor_sim_arm_cut(sim, k, seed);
    }
    const op_t *inflight = NULL;
    for (int i = 0; i < s_n_ops; i++) {
        int rc = apply(&s_ops[i]);
        if (rc == 0) {
            model_apply(&s_ops[i]);
            continue;
        }
        if (rc != FW_E_POWER || !k) {
            return fail("op %d (key 0x%04x) failed: %d", i, (unsigned)s_ops[i].key, rc);
        }
        inflight = &s_ops[i];
        break;
    }
    if (ops_out) {
        *ops_out = sim->ops;
    }
    if (k && !inflight) {
        return true; /* k beyond the workload: nothing to check */
    }
    /* reboot */
    nor_sim_power_on(sim);
    fake_log_clear();
    if (!mount(&cfg)) {
        return false;
    }
    s_gc_redone += fake_log_contains("interrupted garbage collection");
    s_rolled += fake_log_contains("rolling the counter forward");
    if (!check_all(inflight)) {
        return false;
    }
    /* the store keeps working: a few writes of each kind, then another reboot */
    const op_t more[] = {
        {STORE_KEY_USAGE, false, 0, 48, 900001},
        {STORE_KEY_TRIAL_HISTORY, false, STORE_F_MONOTONIC, 210, 900002},
        {(store_key_t)(STORE_KEY_QUEUE_FIRST + 3), false, 0, 333, 900003},
        {(store_key_t)(STORE_KEY_QUEUE_FIRST + 4), true, 0, 0, 0},
        {STORE_KEY_LICENCE, false, 0, 1500, 900004},
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        int rc = apply(&more[i]);
        if (rc != 0) {
            return fail("write %zu after the reboot failed: %d", i, rc);
        }
        model_apply(&more[i]);
    }
    /* and it can still turn the ring: write until the head moved on twice
     * (each move collects a sector, so recovery left GC working) */
    const uint32_t gen0 = s_store.head_generation;
    for (uint32_t i = 0; s_store.head_generation < gen0 + 2; i++) {
        const op_t big = {0x0020, false, 0, 2000, 910000u + i};
        int rc = i < 40 ? apply(&big) : FW_E_NOSPACE;
        if (rc != 0) {
            return fail("filler write %u after the reboot failed: %d", (unsigned)i, rc);
        }
        model_apply(&big);
    }
    return mount(&cfg) && check_all(NULL);
}

int main(int argc, char **argv)
{
    unsigned seeds = 2;
    unsigned stride = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
            seeds = (unsigned)strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--stride") && i + 1 < argc) {
            stride = (unsigned)strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "-v")) {
            s_verbose = true;
        } else {
            fprintf(stderr, "usage: %s [--seeds N] [--stride S] [-v]\n", argv[0]);
            return 2;
        }
    }
    if (stride == 0) {
        stride = 1;
    }
    build_workload();
    uint64_t total = 0;
    if (!run_one(0, 0, &total)) {
        printf("powerloss_store: uncut workload failed: %s\n", s_why);
        return 1;
    }
    store_health_t h;
    store_health(&s_store, &h);
    printf("powerloss_store: workload %d operations, %llu flash operations, %llu erases\n", s_n_ops,
           (unsigned long long)total, (unsigned long long)fake_flash_sim()->erases);

    unsigned long tried = 0;
    for (unsigned sd = 0; sd < seeds; sd++) {
        for (uint64_t k = 1 + sd % stride; k <= total; k += stride) {
            const uint64_t seed = k * 7919u + sd * 104729u + 1u;
            tried++;
            if (!run_one(k, seed, NULL)) {
                s_failures++;
                if (s_failures <= 10 || s_verbose) {
                    printf("  FAIL cut at op %llu seed %llu: %s\n", (unsigned long long)k,
                           (unsigned long long)seed, s_why);
                }
            }
        }
    }
    fake_flash_free();
    printf("powerloss_store: %lu reboots redid an interrupted GC, %lu rolled the counter forward\n",
           s_gc_redone, s_rolled);
    printf("powerloss_store: %lu cut points tried, %d failures\n", tried, s_failures);
    return s_failures ? 1 : 0;
}
