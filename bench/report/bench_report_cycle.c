/*
 * bench_report_cycle.c - the device's CPU cost of one reporting cycle.
 *
 * One cycle is what the agent does per usage interval besides the network:
 * count a call and a meeting into the open interval (saved at once), close
 * the interval into the power-safe queue, build the /v1/usage request body
 * (JSON), take the collector's {"ack":[id]} answer and delete the record.
 * It runs on the store over the NOR simulator (the test fakes), so the
 * flash writes are counted too. Run it under callgrind for instructions:
 *
 *   valgrind --tool=callgrind --toggle-collect=cycle bench_report_cycle 100
 *
 * Usage: bench_report_cycle [cycles]   (default 1000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakes/fake_flash.h"
#include "fakes/fake_secure.h"
#include "proto/layout.h"
#include "report/queue.h"
#include "store/store.h"

#define T0 INT64_C(1796083200) /* 2026-12-01T00:00:00Z, an hour boundary */

static store_t s_store;
static report_queue_t s_q;
static char s_body[8192];

/* Not static and not inlined, so callgrind can toggle on it. */
__attribute__((noinline)) int cycle(uint32_t hour);

int cycle(uint32_t hour)
{
    int64_t now = T0 + (int64_t)hour * 3600 + 1800;
    report_usage_t *u = report_queue_usage(&s_q);
    report_usage_call_ended(u, 300);
    if (report_queue_save(&s_q, now) != 0) {
        return 1;
    }
    report_usage_meeting(u, 1800);
    if (report_queue_save(&s_q, now + 1) != 0) {
        return 1;
    }
    if (report_queue_tick(&s_q, now + 3600) != 1) { /* closes and queues the interval */
        return 1;
    }
    report_batch_t b;
    size_t len = 0;
    if (report_queue_batch(&s_q, REPORT_ITEM_USAGE, "FOC2240Y1ZZ", REPORT_BATCH_MAX, s_body,
                           sizeof s_body, &len, &b) != 0) {
        return 1;
    }
    char ack[64];
    int n = snprintf(ack, sizeof ack, "{\"ack\":[%llu]}", (unsigned long long)b.ids[0]);
    return report_queue_ack(&s_q, &b, (const uint8_t *)ack, (size_t)n) == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
    long cycles = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    if (cycles <= 0) {
        fprintf(stderr, "usage: bench_report_cycle [cycles]\n");
        return 2;
    }
    fake_flash_setup(LAYOUT_SECTOR_SIZE, LAYOUT_STORE_SECTORS(LAYOUT_SECTOR_SIZE), 1);
    fake_secure_reset();
    store_config_t cfg = {LAYOUT_STORE_FIRST_SECTOR, LAYOUT_STORE_SECTORS(LAYOUT_SECTOR_SIZE)};
    report_queue_config_t qc = {.interval_s = 3600};
    if (store_mount(&s_store, &cfg) != 0 || report_queue_open(&s_q, &s_store, &qc) != 0 ||
        report_queue_tick(&s_q, T0) < 0) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    const nor_sim_t *f = fake_flash_sim();
    uint64_t bytes0 = f->bytes_programmed;
    for (long i = 0; i < cycles; i++) {
        if (cycle((uint32_t)i) != 0) {
            fprintf(stderr, "cycle %ld failed\n", i);
            return 1;
        }
    }
    printf("%ld report cycles: %.0f flash bytes programmed per cycle, %llu erases, "
           "last body %zu B\n",
           cycles, (double)(f->bytes_programmed - bytes0) / (double)cycles,
           (unsigned long long)f->erases, strlen(s_body));
    fake_flash_free();
    return 0;
}
