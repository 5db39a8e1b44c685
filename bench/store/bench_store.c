/*
 * bench_store.c - write amplification and erase rate of the store.
 *
 * Runs on the NOR simulator behind the test fakes, with the real layout
 * (16 KiB sectors, 512 KiB region). For each payload size, rewrites a set of
 * keys round-robin (so every put makes an older version garbage, as usage
 * counters and licence updates do) long enough for the ring to turn many
 * times, then prints:
 *   write amplification = flash bytes programmed (sector headers, record
 *                         headers, tags, padding, GC copies) / payload bytes
 *   erases per 1,000 puts
 * A "mixed" row runs a device-like mix: a large static provisioning record,
 * a usage counter every step, queue items pushed and deleted, monotonic
 * trial-history updates.
 *
 * Usage: bench_store [puts]   (default 20000 puts per row)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakes/fake_flash.h"
#include "fakes/fake_secure.h"
#include "proto/layout.h"
#include "store/store.h"

static store_t s_store;
static uint8_t s_val[STORE_VALUE_MAX];

static void fresh(store_config_t *cfg)
{
    fake_flash_setup(LAYOUT_SECTOR_SIZE, LAYOUT_STORE_SECTORS(LAYOUT_SECTOR_SIZE), 1);
    fake_secure_reset();
    cfg->first_sector = LAYOUT_STORE_FIRST_SECTOR;
    cfg->sector_count = LAYOUT_STORE_SECTORS(LAYOUT_SECTOR_SIZE);
    if (store_mount(&s_store, cfg) != 0) {
        fprintf(stderr, "mount failed\n");
        exit(1);
    }
}

static void put(store_key_t key, size_t len, unsigned flags, uint64_t *payload)
{
    s_val[0]++; /* a different value each time */
    int rc = store_put(&s_store, key, s_val, len, flags);
    if (rc != 0) {
        fprintf(stderr, "put key 0x%04x len %zu failed: %d\n", (unsigned)key, len, rc);
        exit(1);
    }
    *payload += len;
}

static void report(const char *name, unsigned long puts, uint64_t payload)
{
    const nor_sim_t *f = fake_flash_sim();
    printf("%-14s %8lu %12llu %12llu %8.2f %10.2f\n", name, puts, (unsigned long long)payload,
           (unsigned long long)f->bytes_programmed, (double)f->bytes_programmed / (double)payload,
           1000.0 * (double)f->erases / (double)puts);
}

int main(int argc, char **argv)
{
    const unsigned long puts = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000ul;
    const size_t sizes[] = {32, 256, 1024, 4096};
    store_config_t cfg;
    memset(s_val, 0x5A, sizeof s_val);
    printf("%-14s %8s %12s %12s %8s %10s\n", "payload", "puts", "payload_B", "programmed_B", "WA",
           "erase/1k");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        fresh(&cfg);
        uint64_t payload = 0;
        for (unsigned long n = 0; n < puts; n++) {
            put((store_key_t)(STORE_KEY_QUEUE_FIRST + n % 16), sizes[i], 0, &payload);
        }
        char name[32];
        snprintf(name, sizeof name, "%zu B x16 keys", sizes[i]);
        report(name, puts, payload);
    }

    fresh(&cfg);
    uint64_t payload = 0;
    unsigned long n = 0;
    put(STORE_KEY_PROVISIONING, 2048, 0, &payload);
    put(STORE_KEY_LICENCE, 1500, 0, &payload);
    n += 2;
    for (unsigned long step = 0; n < puts; step++) {
        put(STORE_KEY_USAGE, 64, 0, &payload);
        put((store_key_t)(STORE_KEY_QUEUE_FIRST + step % 32), 300, 0, &payload);
        n += 2;
        if (step >= 16) {
            (void)store_delete(&s_store, (store_key_t)(STORE_KEY_QUEUE_FIRST + (step - 16) % 32));
        }
        if (step % 10 == 0) {
            put(STORE_KEY_TRIAL_HISTORY, 256, STORE_F_MONOTONIC, &payload);
            n++;
        }
        if (step % 200 == 0) {
            put(STORE_KEY_LICENCE, 1500, 0, &payload);
            n++;
        }
    }
    report("mixed", n, payload);
    store_health_t h;
    store_health(&s_store, &h);
    printf("mixed: live %u keys / %u bytes, %u bytes free, sectors erased %u\n",
           (unsigned)h.live_keys, (unsigned)h.live_bytes, (unsigned)h.free_bytes,
           (unsigned)h.sectors_erased);
    fake_flash_free();
    return 0;
}
