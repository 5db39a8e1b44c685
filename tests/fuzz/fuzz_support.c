/*
 * libFuzzer target: the room's support port on arbitrary bytes (issue 12),
 * as the collector's handlers are fuzzed. The first byte picks:
 *  - 0: a CoAP message as libcoap parses it off the wire, read by the
 *    port's adapter (support_request_read) and judged by its policy: the
 *    path is bounded and terminated, and the verdict is one the port gives
 *    (2.05 only for a GET of a resource of ours with no body; 4.04, 4.05,
 *    4.13, 4.29 with a Max-Age, or silence);
 *  - 1: a state document as trialctl reads it: one it accepts writes back
 *    and reads again the same.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <coap3/coap.h>

#include "link/support_server.h"
#include "proto/support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void coap_message(const uint8_t *data, size_t size)
{
    static bool s_started;
    static support_policy_t s_policy;
    static uint64_t s_now;
    if (!s_started) {
        coap_startup();
        coap_set_log_level(LOG_EMERG);
        support_policy_init(&s_policy, NULL, 0);
        s_started = true;
    }
    coap_pdu_t *pdu = coap_pdu_init(0, 0, 0, size + 16);
    if (pdu == NULL) {
        return;
    }
    /* a request: class 0, not the empty message */
    if (coap_pdu_parse(COAP_PROTO_UDP, data, size, pdu) && coap_pdu_get_code(pdu) >= 1 &&
        coap_pdu_get_code(pdu) <= 31) {
        support_request_t rq;
        support_request_read(pdu, &rq);
        size_t n = strnlen(rq.path, sizeof rq.path);
        assert(n <= SUPPORT_PATH_MAX);
        assert(rq.path[0] != '/' || rq.path_invalid);
        s_now += 37; /* time moves: the buckets refill now and then */
        uint32_t client = size > 4 ? support_client_key(data, 4) : 1u;
        support_verdict_t v = support_policy_decide(&s_policy, s_now, client, &rq);
        switch (v.code) {
        case 205:
            assert(rq.method == SUPPORT_GET && rq.payload_len == 0 && !rq.block1);
            assert(!rq.path_invalid && v.res < SUPPORT_RES_COUNT);
            assert(strcmp(rq.path, support_resource_path(v.res)) == 0);
            break;
        case 429: assert(v.max_age_s >= 1 && v.max_age_s <= 3600); break;
        case 0:
        case 404:
        case 405:
        case 413: break;
        default: assert(!"a code the port does not give");
        }
    }
    coap_delete_pdu(pdu);
}

static void state_document(const uint8_t *data, size_t size)
{
    static proto_support_state_t doc, again;
    static char out[SUPPORT_BODY_MAX];
    char why[200];
    if (proto_support_decode(&proto_support_state_record, (const char *)data, size, &doc, why,
                             sizeof why) != 0) {
        assert(why[0] != '\0');
        return;
    }
    size_t len = 0;
    assert(proto_support_encode(&proto_support_state_record, &doc, out, sizeof out, &len, why,
                                sizeof why) == 0);
    assert(proto_support_decode(&proto_support_state_record, out, len, &again, why, sizeof why) ==
           0);
    assert(memcmp(&doc, &again, sizeof doc) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (data[0] % 2 == 0) {
        coap_message(data + 1, size - 1);
    } else {
        state_document(data + 1, size - 1);
    }
    return 0;
}
