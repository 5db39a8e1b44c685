/*
 * agent_fixture.h - what the agent tests share (include after cmocka.h):
 * a signed trial licence for FOC2240Y1ZZ / D1000001 stored as if the
 * collector had sent it.
 */
#ifndef AGENT_FIXTURE_H
#define AGENT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "licence/licence.h"
#include "store/store.h"
#include "trial/persist.h"

static inline void fx_store_licence(store_t *s, licence_key_t *key, const char *typ, uint32_t seq,
                                    int64_t iat, int64_t e, bool keep)
{
    char claims[512], token[2048];
    size_t len = 0;
    int n = snprintf(claims, sizeof claims,
                     "{\"sub\":\"FOC2240Y1ZZ\",\"trial\":\"D1000001\",\"org\":\"o1\","
                     "\"typ\":\"%s\",\"seq\":%u,\"iat\":%lld,\"trial_exp\":%lld,\"ext\":0,"
                     "\"keep\":%s,\"region\":\"US\",\"svc\":[{\"id\":\"calling\",\"exp\":%lld}]}",
                     typ, seq, (long long)iat, (long long)e, keep ? "true" : "false", (long long)e);
    assert_true(n > 0 && (size_t)n < sizeof claims);
    assert_int_equal(licence_sign_claims(key, claims, (size_t)n, token, sizeof token, &len), 0);
    assert_int_equal(trial_persist_save_licence(s, token, len), 0);
}

#endif /* AGENT_FIXTURE_H */
