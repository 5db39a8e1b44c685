/*
 * bench_verify - the cost of verifying one licence token.
 *
 *   bench_verify [ITERATIONS]     (default 2000; 1 for callgrind/massif)
 *
 * Verifies a trial licence signed by openssl (tests/vectors/make_vectors.sh,
 * run once; embedded with its public key, the private half discarded):
 * base64url, header, SHA-256, ECDSA P-256 verify (mbedtls), claims (cJSON),
 * identity check and the token hash - everything trial_token_verify() does.
 * The key is parsed once, outside the timed loop, as on a device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trial/timeline.h"
#include "trial/verify.h"

static const char s_pub[] = "-----BEGIN PUBLIC KEY-----\n"
                            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaw49s3xM9UyPShn/QuwxwrO0PN6U\n"
                            "ZKeQOCvKPKepuPn2Iort2oNQ1pw2SbxKt8H8pqgAnt6EfVjAbUnKEroJ1g==\n"
                            "-----END PUBLIC KEY-----\n";

static const char s_token[] =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJGT0MyMjQwWTFaWiIsInRyaWFsIjoiRDEwMDAwMDEiLCJvcmciOiJvcmctdmVjdG9ycyIsInR5cCI6"
    "InRyaWFsIiwic2VxIjoxLCJpYXQiOjE3OTIxMDg4MDAsInRyaWFsX2V4cCI6MTc5NzI5MjgwMCwiZXh0IjowLCJr"
    "ZWVwIjpmYWxzZSwicmVnaW9uIjoiVVMiLCJzdmMiOlt7ImlkIjoiY2FsbGluZyIsImV4cCI6MTc5NzI5MjgwMH0s"
    "eyJpZCI6Im1lZXRpbmdzIiwiZXhwIjoxNzk3MjkyODAwfV19."
    "XK2BDQ-nOeFdBQEljMQQ3h6InFpd9kukH3FopuFlYXTU7zM4A1kOgrkR2iE7fxO_RTbRWCciP1H2CruAM0UH3A";

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    /* A static stdio buffer keeps libc's 4 KiB out of massif's heap figure. */
    static char s_out[1024];
    setvbuf(stdout, s_out, _IOFBF, sizeof s_out);
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
    if (n < 1) {
        fprintf(stderr, "usage: bench_verify [ITERATIONS >= 1]\n");
        return 2;
    }
    trial_verifier_t v;
    if (trial_verifier_init(&v, s_pub, sizeof s_pub - 1) != 0) {
        fprintf(stderr, "bench_verify: key does not parse\n");
        return 1;
    }
    trial_claims_t c;
    uint8_t hash[TRIAL_HASH_LEN];
    trial_verify_reason_t why;
    double t0 = seconds();
    for (long i = 0; i < n; i++) {
        if (trial_token_verify(&v, s_token, sizeof s_token - 1, "FOC2240Y1ZZ", "D1000001", &c, hash,
                               &why) != 0) {
            fprintf(stderr, "bench_verify: verification failed (%s)\n",
                    trial_verify_reason_name(why));
            trial_verifier_free(&v);
            return 1;
        }
    }
    double dt = seconds() - t0;
    trial_view_t view;
    double t1 = seconds();
    for (long i = 0; i < n; i++) {
        (void)trial_state_at(&c, NULL, c.trial_exp - 4 * 86400 - 43200 + i, &view);
    }
    double dt2 = seconds() - t1;
    printf("token %zu bytes, %ld verifications: %.1f us each (%.0f per second)\n",
           sizeof s_token - 1, n, dt / (double)n * 1e6, (double)n / dt);
    printf("timeline evaluation: %.3f us each\n", dt2 / (double)n * 1e6);
    trial_verifier_free(&v);
    return 0;
}
