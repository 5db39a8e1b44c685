/*
 * fuzz_report.c - libFuzzer target for every parser of report/codec.h: the
 * collector's responses (ack lists, server time, licence, refusal reasons)
 * and the queue
 * items read back from flash. The first byte picks the parser; a decoded
 * item must encode and decode back to the same item.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t sel = data[0];
    data++;
    size--;
    switch (sel % 6) {
    case 0: {
        uint64_t ids[REPORT_BATCH_MAX];
        size_t n = 0;
        report_ack_kind_t kind;
        int rc = report_parse_ack(data, size, ids, REPORT_BATCH_MAX, &n, &kind);
        if (rc == 0 && kind == REPORT_ACK_LIST) {
            for (size_t i = 0; i < n; i++) {
                if (ids[i] == 0 || ids[i] > REPORT_ID_MAX) {
                    abort();
                }
            }
        }
        break;
    }
    case 1: {
        int64_t t;
        if (report_parse_server_time(data, size, &t) == 0 && t < 0) {
            abort();
        }
        break;
    }
    case 2: {
        static char tok[REPORT_TOKEN_MAX + 1];
        if (report_parse_licence(data, size, tok, sizeof tok) == 0 && strlen(tok) == 0) {
            abort();
        }
        break;
    }
    case 3: {
        report_item_t it, back;
        uint8_t buf[REPORT_ITEM_MAX];
        size_t len;
        if (report_item_decode(data, size, &it) == 0) {
            if (report_item_encode(&it, buf, sizeof buf, &len) != 0 || len != size ||
                memcmp(buf, data, size) != 0 || report_item_decode(buf, len, &back) != 0) {
                abort();
            }
        }
        break;
    }
    case 4: {
        char reason[REPORT_DETAIL_MAX + 1];
        if (report_parse_error(data, size, reason, sizeof reason) == 0) {
            for (const char *c = reason; *c; c++) {
                if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) {
                    abort(); /* it goes into an event detail: printable only */
                }
            }
        }
        break;
    }
    default: {
        char serial[32];
        static uint64_t ids[REPORT_BATCH_MAX];
        static report_usage_t recs[REPORT_BATCH_MAX];
        size_t n;
        (void)report_decode_usage_body((const char *)data, size, serial, sizeof serial, ids, recs,
                                       REPORT_BATCH_MAX, &n);
        break;
    }
    }
    return 0;
}
