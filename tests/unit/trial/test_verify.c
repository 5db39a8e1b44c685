/*
 * Licence tokens: the three vectors tests/vectors/make_vectors.sh signs with
 * Debian's openssl at test time (its header says what each is), tokens of
 * our own signer, and every way a token can be wrong: each gives its
 * `error` and never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#include "fw/err.h"
#include "licence/licence.h"
#include "trial/timeline.h"
#include "trial/verify.h"
#include "trial_fixture.h"

#ifndef TRIAL_VECTORS_DIR
#error "TRIAL_VECTORS_DIR must name the directory tests/vectors/make_vectors.sh fills"
#endif

#define AT_VECTOR INT64_C(1796904000) /* 2026-12-10T12:00:00Z */
#define AT_LAPSED INT64_C(1799884800) /* 2027-01-14T00:00:00Z */

static const char s_claims[] =
    "{\"sub\":\"FOC2240Y1ZZ\",\"trial\":\"D1000001\",\"org\":\"org-test\",\"typ\":\"trial\","
    "\"seq\":1,\"iat\":1792108800,\"trial_exp\":1797292800,\"ext\":0,\"keep\":false,"
    "\"region\":\"US\",\"svc\":[{\"id\":\"calling\",\"exp\":1797292800}]}";

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TRIAL_VECTORS_DIR, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s (run through ctest: fixture licence_vectors makes it)", path);
    }
    char *buf = malloc(8192);
    assert_non_null(buf);
    *len = fread(buf, 1, 8191, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

typedef struct {
    trial_verifier_t vec;  /* the vectors' key */
    trial_verifier_t mine; /* a key made here */
    licence_key_t signer;  /* its private half */
    licence_key_t other;   /* an unrelated key */
} ctx_t;

static int setup(void **state)
{
    ctx_t *c = calloc(1, sizeof *c);
    size_t len = 0;
    char *pem = slurp("licence.pub", &len);
    assert_int_equal(trial_verifier_init(&c->vec, pem, len), 0);
    free(pem);
    assert_int_equal(licence_key_generate(&c->signer), 0);
    assert_int_equal(licence_key_generate(&c->other), 0);
    char pub[1024];
    assert_int_equal(licence_key_write_public_pem(&c->signer, pub, sizeof pub), 0);
    assert_int_equal(trial_verifier_init(&c->mine, pub, strlen(pub)), 0);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx_t *c = *state;
    trial_verifier_free(&c->vec);
    trial_verifier_free(&c->mine);
    licence_key_free(&c->signer);
    licence_key_free(&c->other);
    free(c);
    return 0;
}

static trial_verify_reason_t check(trial_verifier_t *v, const char *tok, size_t len,
                                   trial_claims_t *claims)
{
    trial_verify_reason_t why = TRIAL_VERIFY_OK;
    trial_claims_t local;
    int rc =
        trial_token_verify(v, tok, len, FX_SERIAL, FX_TRIAL, claims ? claims : &local, NULL, &why);
    assert_true((rc == 0) == (why == TRIAL_VERIFY_OK));
    return why;
}

/* The vectors as tests/vectors/make_vectors.sh describes them, one by one. */
static void test_vectors(void **state)
{
    ctx_t *c = *state;
    size_t len;
    trial_claims_t cl;
    trial_view_t v;

    char *tok = slurp("trial.jws", &len);
    uint8_t hash[TRIAL_HASH_LEN];
    trial_verify_reason_t why;
    assert_int_equal(trial_token_verify(&c->vec, tok, len, FX_SERIAL, FX_TRIAL, &cl, hash, &why),
                     0);
    assert_int_equal(cl.typ, TRIAL_TYPE_TRIAL);
    assert_int_equal(cl.seq, 1);
    assert_int_equal(cl.trial_exp, FX_E);
    assert_string_equal(cl.region, "US");
    assert_int_equal(trial_state_at(&cl, NULL, AT_VECTOR, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_EXPIRING);
    assert_int_equal(v.days_left, 5);
    assert_int_equal(v.calling, TRIAL_CALLING_FULL);
    assert_false(v.rma_due);
    assert_int_equal(trial_state_at(&cl, NULL, AT_LAPSED, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_LAPSED);
    assert_int_equal(v.calling, TRIAL_CALLING_DEGRADED);
    assert_true(v.rma_due);
    /* wrong device */
    assert_int_equal(
        trial_token_verify(&c->vec, tok, len, "FOC0000X0XX", FX_TRIAL, &cl, NULL, &why),
        FW_E_STATE);
    assert_int_equal(why, TRIAL_VERIFY_SERIAL);
    assert_int_equal(trial_token_verify(&c->vec, tok, len, FX_SERIAL, "D1000002", &cl, NULL, &why),
                     FW_E_STATE);
    assert_int_equal(why, TRIAL_VERIFY_TRIAL);
    /* wrong key */
    assert_int_equal(check(&c->mine, tok, len, NULL), TRIAL_VERIFY_SIGNATURE);
    free(tok);

    tok = slurp("paid.jws", &len);
    assert_int_equal(check(&c->vec, tok, len, &cl), TRIAL_VERIFY_OK);
    assert_int_equal(cl.typ, TRIAL_TYPE_PAID);
    assert_int_equal(cl.seq, 2);
    assert_int_equal(trial_state_at(&cl, NULL, AT_VECTOR, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_PAID);
    assert_int_equal(v.calling, TRIAL_CALLING_FULL);
    free(tok);

    tok = slurp("tampered.jws", &len);
    assert_int_equal(check(&c->vec, tok, len, NULL), TRIAL_VERIFY_SIGNATURE);
    free(tok);
}

/* A flipped bit anywhere in the token is refused, never accepted. */
static void test_every_bit_flip(void **state)
{
    ctx_t *c = *state;
    size_t len;
    char *tok = slurp("trial.jws", &len);
    while (len > 0 && (tok[len - 1] == '\n' || tok[len - 1] == '\r')) {
        len--;
    }
    const char *dot2 = strrchr(tok, '.');
    size_t sig_at = (size_t)(dot2 - tok) + 1;
    unsigned counts[8] = {0};
    for (size_t i = 0; i < len * 8; i++) {
        tok[i / 8] ^= (char)(1u << (i % 8));
        trial_verify_reason_t why = check(&c->vec, tok, len, NULL);
        tok[i / 8] ^= (char)(1u << (i % 8));
        assert_int_not_equal(why, TRIAL_VERIFY_OK);
        if (i / 8 > sig_at) {
            assert_true(why == TRIAL_VERIFY_SIGNATURE || why == TRIAL_VERIFY_FORMAT);
        }
        counts[why]++;
    }
    print_message("bit flips: format %u, alg %u, signature %u, claims %u\n",
                  counts[TRIAL_VERIFY_FORMAT], counts[TRIAL_VERIFY_ALG],
                  counts[TRIAL_VERIFY_SIGNATURE], counts[TRIAL_VERIFY_CLAIMS]);
    assert_int_equal(counts[TRIAL_VERIFY_CLAIMS], 0); /* payload never parsed unsigned */
    assert_int_equal(check(&c->vec, tok, len, NULL), TRIAL_VERIFY_OK);
    free(tok);
}

/* Every truncation is refused as `format`. */
static void test_truncated(void **state)
{
    ctx_t *c = *state;
    size_t len;
    char *tok = slurp("trial.jws", &len);
    while (len > 0 && (tok[len - 1] == '\n' || tok[len - 1] == '\r')) {
        len--;
    }
    for (size_t n = 0; n < len; n++) {
        char *cut = malloc(n + 1); /* exact size: ASan catches any over-read */
        memcpy(cut, tok, n);
        trial_verify_reason_t why = check(&c->vec, cut, n, NULL);
        assert_int_equal(why, TRIAL_VERIFY_FORMAT);
        free(cut);
    }
    free(tok);
}

static size_t sign(licence_key_t *k, const char *header, const char *payload, char *out, size_t cap)
{
    size_t n = 0;
    assert_int_equal(licence_sign(k, header, payload, strlen(payload), out, cap, &n), 0);
    return n;
}

static void test_own_signer(void **state)
{
    ctx_t *c = *state;
    char tok[8192];
    size_t n = sign(&c->signer, NULL, s_claims, tok, sizeof tok);
    trial_claims_t cl;
    uint8_t h1[TRIAL_HASH_LEN], h2[TRIAL_HASH_LEN];
    trial_verify_reason_t why;
    assert_int_equal(trial_token_verify(&c->mine, tok, n, FX_SERIAL, FX_TRIAL, &cl, h1, &why), 0);
    assert_string_equal(cl.org, "org-test");
    /* A trailing newline (a file) is the same token. */
    tok[n] = '\n';
    assert_int_equal(trial_token_verify(&c->mine, tok, n + 1, FX_SERIAL, FX_TRIAL, &cl, h2, &why),
                     0);
    assert_memory_equal(h1, h2, sizeof h1);
    /* Deterministic signatures: signing again gives the same token. */
    char again[8192];
    assert_int_equal(sign(&c->signer, NULL, s_claims, again, sizeof again), n);
    assert_memory_equal(tok, again, n);
    /* Serial and trial checks may be skipped (support tools). */
    assert_int_equal(trial_token_verify(&c->mine, tok, n, NULL, NULL, &cl, NULL, &why), 0);
    /* Signed by an unrelated key. */
    n = sign(&c->other, NULL, s_claims, tok, sizeof tok);
    assert_int_equal(check(&c->mine, tok, n, NULL), TRIAL_VERIFY_SIGNATURE);
    /* A kid is allowed. */
    n = sign(&c->signer, "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"2026-1\"}", s_claims, tok,
             sizeof tok);
    assert_int_equal(check(&c->mine, tok, n, NULL), TRIAL_VERIFY_OK);
    n = sign(&c->signer, "{\"alg\":\"ES256\"}", s_claims, tok, sizeof tok);
    assert_int_equal(check(&c->mine, tok, n, NULL), TRIAL_VERIFY_OK);
}

static void test_headers(void **state)
{
    ctx_t *c = *state;
    static const struct {
        const char *header;
        trial_verify_reason_t why;
    } cases[] = {
        {"{\"alg\":\"none\",\"typ\":\"JWT\"}", TRIAL_VERIFY_ALG},
        {"{\"alg\":\"HS256\",\"typ\":\"JWT\"}", TRIAL_VERIFY_ALG},
        {"{\"alg\":\"ES384\",\"typ\":\"JWT\"}", TRIAL_VERIFY_ALG},
        {"{\"alg\":\"es256\",\"typ\":\"JWT\"}", TRIAL_VERIFY_ALG},
        {"{\"alg\":\"ES256 \",\"typ\":\"JWT\"}", TRIAL_VERIFY_ALG},
        {"{\"typ\":\"JWT\"}", TRIAL_VERIFY_ALG},
        {"{\"alg\":\"ES256\",\"alg\":\"none\"}", TRIAL_VERIFY_ALG},
        {"{\"alg\":\"ES256\",\"typ\":\"JOSE\"}", TRIAL_VERIFY_ALG},
        {"{\"alg\":\"ES256\",\"crit\":[\"exp\"]}", TRIAL_VERIFY_ALG},
        {"{\"alg\":\"ES256\",\"jwk\":{}}", TRIAL_VERIFY_ALG},
        {"{\"alg\":\"ES256\",\"kid\":5}", TRIAL_VERIFY_ALG},
        {"{\"alg\":256}", TRIAL_VERIFY_ALG},
        {"[\"ES256\"]", TRIAL_VERIFY_FORMAT},
        {"{\"alg\":\"ES256\"", TRIAL_VERIFY_FORMAT},
        {"{\"alg\":\"ES256\"} ", TRIAL_VERIFY_FORMAT},
        {"not json", TRIAL_VERIFY_FORMAT},
    };
    char tok[8192];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* Validly signed with the right key: the header alone decides. */
        size_t n = sign(&c->signer, cases[i].header, s_claims, tok, sizeof tok);
        if (check(&c->mine, tok, n, NULL) != cases[i].why) {
            fail_msg("header %s", cases[i].header);
        }
    }
    /* alg none the way it is meant: empty signature. */
    char b64h[128], b64p[1024];
    licence_b64url_encode("{\"alg\":\"none\"}", 14, b64h, sizeof b64h);
    licence_b64url_encode(s_claims, strlen(s_claims), b64p, sizeof b64p);
    int n = snprintf(tok, sizeof tok, "%s.%s.", b64h, b64p);
    assert_int_equal(check(&c->mine, tok, (size_t)n, NULL), TRIAL_VERIFY_ALG);
    /* HS256 with a 32-byte "MAC". */
    licence_b64url_encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 27, b64h, sizeof b64h);
    n = snprintf(tok, sizeof tok, "%s.%s.%s", b64h, b64p,
                 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_int_equal(check(&c->mine, tok, (size_t)n, NULL), TRIAL_VERIFY_ALG);
    /* ES256 header, empty signature. */
    licence_b64url_encode("{\"alg\":\"ES256\"}", 15, b64h, sizeof b64h);
    n = snprintf(tok, sizeof tok, "%s.%s.", b64h, b64p);
    assert_int_equal(check(&c->mine, tok, (size_t)n, NULL), TRIAL_VERIFY_FORMAT);
}

static void test_shapes(void **state)
{
    ctx_t *c = *state;
    char tok[8192];
    size_t n = sign(&c->signer, NULL, s_claims, tok, sizeof tok);
    char bad[8300];
    static const char *const shapes[] = {"", ".", "..", "...", "a.b", "a.b.c.d", "a..c", ".b.c"};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        assert_int_equal(check(&c->mine, shapes[i], strlen(shapes[i]), NULL), TRIAL_VERIFY_FORMAT);
    }
    /* A fourth part, padding, standard-alphabet characters, spaces. */
    snprintf(bad, sizeof bad, "%.*s.AAAA", (int)n, tok);
    assert_int_equal(check(&c->mine, bad, strlen(bad), NULL), TRIAL_VERIFY_FORMAT);
    snprintf(bad, sizeof bad, "%.*s==", (int)n, tok);
    assert_int_equal(check(&c->mine, bad, strlen(bad), NULL), TRIAL_VERIFY_FORMAT);
    snprintf(bad, sizeof bad, " %.*s", (int)n, tok);
    assert_int_equal(check(&c->mine, bad, strlen(bad), NULL), TRIAL_VERIFY_FORMAT);
    /* Signature of 63 and 65 bytes. */
    const char *dot2 = strrchr(tok, '.');
    uint8_t sig65[65] = {1};
    char b64s[128];
    licence_b64url_encode(sig65, 65, b64s, sizeof b64s);
    snprintf(bad, sizeof bad, "%.*s.%s", (int)(dot2 - tok), tok, b64s);
    assert_int_equal(check(&c->mine, bad, strlen(bad), NULL), TRIAL_VERIFY_FORMAT);
    licence_b64url_encode(sig65, 63, b64s, sizeof b64s);
    snprintf(bad, sizeof bad, "%.*s.%s", (int)(dot2 - tok), tok, b64s);
    assert_int_equal(check(&c->mine, bad, strlen(bad), NULL), TRIAL_VERIFY_FORMAT);
    /* r = 0, s = 0 and r = s = 0xff..: out of range, refused by the verifier. */
    uint8_t sig[64];
    memset(sig, 0, sizeof sig);
    licence_b64url_encode(sig, 64, b64s, sizeof b64s);
    snprintf(bad, sizeof bad, "%.*s.%s", (int)(dot2 - tok), tok, b64s);
    assert_int_equal(check(&c->mine, bad, strlen(bad), NULL), TRIAL_VERIFY_SIGNATURE);
    memset(sig, 0xff, sizeof sig);
    licence_b64url_encode(sig, 64, b64s, sizeof b64s);
    snprintf(bad, sizeof bad, "%.*s.%s", (int)(dot2 - tok), tok, b64s);
    assert_int_equal(check(&c->mine, bad, strlen(bad), NULL), TRIAL_VERIFY_SIGNATURE);
    /* Non-canonical last character of the signature (unused bits set). */
    snprintf(bad, sizeof bad, "%.*s", (int)n, tok);
    char *last = bad + n - 1;
    assert_true(*last == 'A' || *last == 'Q' || *last == 'g' || *last == 'w');
    *last = (char)(*last + 1);
    assert_int_equal(check(&c->mine, bad, n, NULL), TRIAL_VERIFY_FORMAT);
    /* Embedded NUL. */
    memcpy(bad, tok, n);
    bad[10] = '\0';
    assert_int_equal(check(&c->mine, bad, n, NULL), TRIAL_VERIFY_FORMAT);
}

/* 4096 bytes verify; 4097 are refused before any parsing. */
static void test_size_limit(void **state)
{
    ctx_t *c = *state;
    static char claims[4096], tok[8192];
    /* header 36 + '.' + payload + '.' + 86 = 4096 -> payload 3972 chars = 2979 bytes */
    size_t base = strlen(s_claims) - 1; /* without the closing brace */
    size_t pad = 2979 - base - strlen(",\"pad\":\"\"}");
    int m =
        snprintf(claims, sizeof claims, "%.*s,\"pad\":\"%*s\"}", (int)base, s_claims, (int)pad, "");
    assert_int_equal(m, 2979);
    size_t n = 0;
    assert_int_equal(licence_sign(&c->signer, NULL, claims, (size_t)m, tok, sizeof tok, &n), 0);
    assert_int_equal(n, TRIAL_TOKEN_MAX);
    assert_int_equal(check(&c->mine, tok, n, NULL), TRIAL_VERIFY_OK);

    m = snprintf(claims, sizeof claims, "%.*s,\"pad\":\"%*s\"}", (int)base, s_claims, (int)pad + 1,
                 "");
    assert_int_equal(licence_sign(&c->signer, NULL, claims, (size_t)m, tok, sizeof tok, &n), 0);
    assert_true(n > TRIAL_TOKEN_MAX);
    trial_claims_t cl;
    trial_verify_reason_t why;
    assert_int_equal(trial_token_verify(&c->mine, tok, n, FX_SERIAL, FX_TRIAL, &cl, NULL, &why),
                     FW_E_TOOBIG);
    assert_int_equal(why, TRIAL_VERIFY_FORMAT);
    /* 64 KiB of junk */
    char *junk = malloc(65536);
    memset(junk, 'A', 65536);
    assert_int_equal(check(&c->mine, junk, 65536, NULL), TRIAL_VERIFY_FORMAT);
    free(junk);
}

/* Signed payloads that are not valid claims: `claims`. */
static void test_signed_bad_claims(void **state)
{
    ctx_t *c = *state;
    static const char *const payloads[] = {
        "not json",
        "[]",
        "{}",
        "{\"sub\":\"FOC2240Y1ZZ\",\"trial\":\"D1000001\",\"org\":\"o\",\"typ\":\"trial\","
        "\"seq\":1,\"iat\":1,\"region\":\"US\",\"svc\":[]}", /* no trial_exp */
        "{\"sub\":\"FOC2240Y1ZZ\",\"trial\":\"D1000001\",\"org\":\"o\",\"typ\":\"trial\","
        "\"seq\":0,\"iat\":1,\"trial_exp\":2,\"region\":\"US\",\"svc\":[]}",
        "{\"sub\":\"FOC2240Y1ZZ\",\"trial\":\"D1000001\",\"org\":\"o\",\"typ\":\"paid\","
        "\"seq\":1,\"iat\":1,\"ext\":2,\"region\":\"US\",\"svc\":[]}",
    };
    char tok[8192];
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        size_t n = sign(&c->signer, NULL, payloads[i], tok, sizeof tok);
        assert_int_equal(check(&c->mine, tok, n, NULL), TRIAL_VERIFY_CLAIMS);
    }
    /* The refused claim is named (trialctl prints it). */
    static const char *const want[] = {
        "not JSON",
        "not an object",
        "sub must be 1 to 32 printable characters (the serial)",
        "trial_exp is missing (a trial licence needs its expiry)",
        "seq must be \u2265 1",
        "ext must be 0 or 1 (one extension, R4)",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        size_t n = sign(&c->signer, NULL, payloads[i], tok, sizeof tok);
        trial_claims_t cl;
        trial_verify_reason_t why;
        const char *detail = NULL;
        assert_true(trial_token_verify_detail(&c->mine, tok, n, FX_SERIAL, FX_TRIAL, &cl, NULL,
                                              &why, &detail) < 0);
        assert_int_equal(why, TRIAL_VERIFY_CLAIMS);
        assert_non_null(detail);
        assert_string_equal(detail, want[i]);
    }
    /* Other refusals, and a valid token, have no claim to name. */
    const char *detail = "x";
    trial_verify_reason_t why;
    trial_claims_t cl;
    assert_true(
        trial_token_verify_detail(&c->mine, "a.b.c", 5, NULL, NULL, &cl, NULL, &why, &detail) < 0);
    assert_null(detail);
    size_t n = sign(&c->signer, NULL, s_claims, tok, sizeof tok);
    detail = "x";
    assert_int_equal(
        trial_token_verify_detail(&c->mine, tok, n, FX_SERIAL, FX_TRIAL, &cl, NULL, &why, &detail),
        0);
    assert_null(detail);
}

static void test_keys(void **state)
{
    (void)state;
    trial_verifier_t v;
    assert_int_equal(trial_verifier_init(&v, "garbage", 7) < 0, 1);
    trial_verifier_free(&v);
    assert_int_equal(trial_verifier_init(&v, NULL, 0), FW_E_INVAL);
    trial_verifier_free(&v);
    static char huge[TRIAL_PEM_MAX + 1];
    assert_int_equal(trial_verifier_init(&v, huge, sizeof huge), FW_E_TOOBIG);
    trial_verifier_free(&v);

    /* A P-384 key is refused: ES256 means P-256. */
    mbedtls_pk_context pk;
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_init(&pk);
    mbedtls_entropy_init(&ent);
    mbedtls_ctr_drbg_init(&drbg);
    assert_int_equal(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
    assert_int_equal(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP384R1, mbedtls_pk_ec(pk),
                                         mbedtls_ctr_drbg_random, &drbg),
                     0);
    unsigned char pem[1024];
    assert_int_equal(mbedtls_pk_write_pubkey_pem(&pk, pem, sizeof pem), 0);
    assert_int_equal(trial_verifier_init(&v, pem, strlen((char *)pem)), FW_E_UNSUPPORTED);
    trial_verifier_free(&v);
    /* DER works too. */
    unsigned char der[256];
    int dlen = mbedtls_pk_write_pubkey_der(&pk, der, sizeof der);
    assert_true(dlen > 0);
    assert_int_equal(trial_verifier_init(&v, der + sizeof der - dlen, (size_t)dlen),
                     FW_E_UNSUPPORTED);
    trial_verifier_free(&v);
    mbedtls_pk_free(&pk);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&ent);
    assert_string_equal(trial_verify_reason_name(TRIAL_VERIFY_CLAIMS), "claims");
}

static void test_b64url(void **state)
{
    (void)state;
    uint8_t out[8];
    assert_int_equal(trial_b64url_decode("", 0, out, sizeof out), 0);
    assert_int_equal(trial_b64url_decode("QQ", 2, out, sizeof out), 1);
    assert_int_equal(out[0], 'A');
    assert_int_equal(trial_b64url_decode("QR", 2, out, sizeof out), FW_E_FORMAT); /* unused bits */
    assert_int_equal(trial_b64url_decode("Q", 1, out, sizeof out), FW_E_FORMAT);
    assert_int_equal(trial_b64url_decode("QQ==", 4, out, sizeof out), FW_E_FORMAT);
    assert_int_equal(trial_b64url_decode("-_8", 3, out, sizeof out), 2);
    assert_int_equal(out[0], 0xfb);
    assert_int_equal(out[1], 0xff);
    assert_int_equal(trial_b64url_decode("+/8", 3, out, sizeof out), FW_E_FORMAT);
    assert_int_equal(trial_b64url_decode("AAAAAAAAAAAA", 12, out, sizeof out), FW_E_NOSPACE);
    char enc[16];
    assert_int_equal(licence_b64url_encode("\xfb\xff", 2, enc, sizeof enc), 3);
    assert_string_equal(enc, "-_8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),    cmocka_unit_test(test_every_bit_flip),
        cmocka_unit_test(test_truncated),  cmocka_unit_test(test_own_signer),
        cmocka_unit_test(test_headers),    cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_size_limit), cmocka_unit_test(test_signed_bad_claims),
        cmocka_unit_test(test_keys),       cmocka_unit_test(test_b64url),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
