/*
 * libFuzzer target: licence tokens and claims from arbitrary bytes.
 *
 * The first byte picks the door: even -> the whole token path (split,
 * base64url, header, ECDSA, claims) with the vectors' public key; odd -> the
 * claims parser alone (normally only reached after a valid signature, which a
 * fuzzer cannot forge), then the timeline and history rules on whatever
 * parsed. The rest of the input is the data.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trial/claims.h"
#include "trial/history.h"
#include "trial/timeline.h"
#include "trial/verify.h"

/* The public half of a key made once with tests/vectors/make_vectors.sh (the
 * private half discarded): the token seeds in corpus/licence are signed by it,
 * so they reach the claims parser. */
static const char s_pub[] = "-----BEGIN PUBLIC KEY-----\n"
                            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaw49s3xM9UyPShn/QuwxwrO0PN6U\n"
                            "ZKeQOCvKPKepuPn2Iort2oNQ1pw2SbxKt8H8pqgAnt6EfVjAbUnKEroJ1g==\n"
                            "-----END PUBLIC KEY-----\n";

static trial_verifier_t s_ver;
static int s_ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise_rules(const trial_claims_t *c, uint64_t salt)
{
    trial_view_t v;
    int64_t now = (int64_t)(salt % (uint64_t)TRIAL_TIME_MAX);
    (void)trial_state_at(c, NULL, now, &v);
    trial_history_t h;
    trial_history_init(&h);
    uint8_t hash[TRIAL_HASH_LEN] = {0};
    (void)trial_history_accept(&h, c, hash, now);
    (void)trial_history_observe(&h, now + (int64_t)(salt % 100000));
    trial_notice_t n[TRIAL_NOTICE_COUNT];
    size_t count = trial_notices_due(&h, now, n);
    trial_notices_mark(&h, n, count);
    (void)trial_state_at(c, &h, now, &v);
    uint8_t buf[TRIAL_HISTORY_ENCODED_LEN];
    if (trial_history_encode(&h, buf, sizeof buf) > 0) {
        trial_history_t back;
        if (trial_history_decode(&back, buf, sizeof buf) != 0) {
            __builtin_trap(); /* what we write we must read */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_ready) {
        if (trial_verifier_init(&s_ver, s_pub, sizeof s_pub - 1) != 0) {
            __builtin_trap();
        }
        s_ready = 1;
    }
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    data++;
    size--;
    trial_claims_t c;
    uint64_t salt = 0;
    memcpy(&salt, data, size < sizeof salt ? size : sizeof salt);
    if ((mode & 1) == 0) {
        trial_verify_reason_t why;
        uint8_t hash[TRIAL_HASH_LEN];
        int rc = trial_token_verify(&s_ver, (const char *)data, size, "FOC2240Y1ZZ", "D1000001", &c,
                                    hash, &why);
        if ((rc == 0) != (why == TRIAL_VERIFY_OK)) {
            __builtin_trap();
        }
        if (rc == 0) {
            exercise_rules(&c, salt);
        }
        /* And the history decoder on the same bytes. */
        trial_history_t h;
        (void)trial_history_decode(&h, data, size);
    } else if (trial_claims_parse((const char *)data, size, &c, NULL) == 0) {
        exercise_rules(&c, salt);
    }
    return 0;
}
