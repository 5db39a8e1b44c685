/*
 * libFuzzer target: the collector's request parsers (tools/collector
 * payload.c) on arbitrary bytes. The first byte picks the parser, the rest
 * is the body. Checks the promises the server relies on: a refusal always
 * carries a 4.xx code and a reason; an accepted body is within bounds.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "collector/payload.h"

static collector_usage_t s_u;
static collector_events_t s_e;
static collector_prov_t s_p;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    collector_err_t err;
    memset(&err, 0, sizeof err);
    int rc;
    switch (data[0] % 3) {
    case 0:
        rc = collector_parse_usage(body, len, "ABC12345", &s_u, &err);
        if (rc == 0) {
            assert(s_u.n >= 1 && s_u.n <= COLLECTOR_RECORDS_MAX);
            uint64_t ids[COLLECTOR_RECORDS_MAX];
            for (size_t i = 0; i < s_u.n; i++) {
                assert(s_u.rec[i].id >= 1 && s_u.rec[i].id <= COLLECTOR_ID_MAX);
                assert(s_u.rec[i].u.start <= s_u.rec[i].u.end);
                ids[i] = s_u.rec[i].id;
            }
            char ack[COLLECTOR_RECORDS_MAX * 24 + 64];
            assert(collector_build_ack(ids, s_u.n, 1, ack, sizeof ack) > 0);
        }
        break;
    case 1:
        rc = collector_parse_events(body, len, "ABC12345", &s_e, &err);
        if (rc == 0) {
            assert(s_e.n >= 1 && s_e.n <= COLLECTOR_RECORDS_MAX);
            for (size_t i = 0; i < s_e.n; i++) {
                assert(strlen(s_e.ev[i].e.detail) <= COLLECTOR_DETAIL_MAX);
            }
        }
        break;
    default:
        rc = collector_parse_prov(body, len, "ABC12345", &s_p, &err);
        if (rc == 0) {
            assert(strcmp(s_p.serial, "ABC12345") == 0);
        }
        break;
    }
    if (rc != 0) {
        assert(err.coap >= 400 && err.coap < 500);
        assert(err.reason[0] != '\0');
    }
    return 0;
}
