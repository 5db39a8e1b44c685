/*
 * Licence tokens: JWS compact, ES256, checked in an order that parses as
 * little untrusted input as possible: sizes and characters first, then the
 * (small, bounded) header, then the signature, and only a signed payload is
 * handed to the JSON claims parser.
 */
#include "trial/verify.h"

#include <assert.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/sha256.h>

#include "crypto/es256.h"
#include "fw/err.h"

#define HEADER_MAX 256u /* decoded header bytes we are willing to parse */
#define SIG_LEN 64u

/* ---- base64url ---------------------------------------------------------- */

static int b64url_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z') {
        return ch - 'A';
    }
    if (ch >= 'a' && ch <= 'z') {
        return ch - 'a' + 26;
    }
    if (ch >= '0' && ch <= '9') {
        return ch - '0' + 52;
    }
    if (ch == '-') {
        return 62;
    }
    if (ch == '_') {
        return 63;
    }
    return -1;
}

int trial_b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
    if (len % 4 == 1) {
        return FW_E_FORMAT; /* no byte count encodes to this length */
    }
    size_t need = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
    if (need > cap) {
        return FW_E_NOSPACE;
    }
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64url_value((unsigned char)in[i]);
        if (v < 0) {
            return FW_E_FORMAT;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1u;
        }
    }
    /* Canonical only: the unused low bits of the last character must be zero,
     * otherwise two different tokens would carry the same bytes (and a flipped
     * bit there would still verify). */
    if (acc != 0) {
        return FW_E_FORMAT;
    }
    return (int)n;
}

/* ---- key ---------------------------------------------------------------- */

int trial_verifier_init(trial_verifier_t *v, const void *key, size_t len)
{
    mbedtls_pk_init(&v->pk);
    if (len > TRIAL_PEM_MAX) {
        return FW_E_TOOBIG;
    }
    return es256_public_parse(&v->pk, key, len);
}

void trial_verifier_free(trial_verifier_t *v)
{
    if (v != NULL) {
        mbedtls_pk_free(&v->pk);
    }
}

/* ---- token -------------------------------------------------------------- */

/* Exactly {"alg":"ES256"} plus optional "typ":"JWT" and a string "kid". */
static trial_verify_reason_t check_header(const uint8_t *json, size_t len)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts((const char *)json, len, &end, false);
    if (root == NULL) {
        return TRIAL_VERIFY_FORMAT;
    }
    trial_verify_reason_t r = TRIAL_VERIFY_OK;
    if (!cJSON_IsObject(root) || end != (const char *)json + len) {
        r = TRIAL_VERIFY_FORMAT;
    }
    bool alg = false, typ = false, kid = false;
    const cJSON *m;
    cJSON_ArrayForEach(m, root)
    {
        if (r != TRIAL_VERIFY_OK) {
            break;
        }
        const char *k = m->string != NULL ? m->string : "";
        if (strcmp(k, "alg") == 0 && !alg && cJSON_IsString(m) &&
            strcmp(m->valuestring, "ES256") == 0) {
            alg = true;
        } else if (strcmp(k, "typ") == 0 && !typ && cJSON_IsString(m) &&
                   strcmp(m->valuestring, "JWT") == 0) {
            typ = true;
        } else if (strcmp(k, "kid") == 0 && !kid && cJSON_IsString(m)) {
            kid = true;
        } else {
            r = TRIAL_VERIFY_ALG; /* none, HS256, crit, jwk, duplicates... */
        }
    }
    if (r == TRIAL_VERIFY_OK && !alg) {
        r = TRIAL_VERIFY_ALG;
    }
    cJSON_Delete(root);
    return r;
}

static int check_signature(trial_verifier_t *v, const char *signed_part, size_t signed_len,
                           const uint8_t sig[SIG_LEN])
{
    uint8_t digest[32];
    int rc = mbedtls_sha256_ret((const unsigned char *)signed_part, signed_len, digest, 0);
    if (rc != 0) {
        return FW_E_MBEDTLS(rc);
    }
    return es256_verify_digest(&v->pk, digest, sig);
}

int trial_token_verify(trial_verifier_t *v, const char *token, size_t len, const char *serial,
                       const char *trial_no, trial_claims_t *claims, uint8_t hash[TRIAL_HASH_LEN],
                       trial_verify_reason_t *reason)
{
    return trial_token_verify_detail(v, token, len, serial, trial_no, claims, hash, reason, NULL);
}

int trial_token_verify_detail(trial_verifier_t *v, const char *token, size_t len,
                              const char *serial, const char *trial_no, trial_claims_t *claims,
                              uint8_t hash[TRIAL_HASH_LEN], trial_verify_reason_t *reason,
                              const char **detail)
{
    trial_verify_reason_t dummy;
    if (reason == NULL) {
        reason = &dummy;
    }
    const char *no_detail;
    if (detail == NULL) {
        detail = &no_detail;
    }
    *detail = NULL;
    *reason = TRIAL_VERIFY_FORMAT;
    if (v == NULL || claims == NULL || (token == NULL && len != 0)) {
        return FW_E_INVAL;
    }
    memset(claims, 0, sizeof *claims);
    /* A token read from a file may end in a newline (at most two bytes). */
    for (int i = 0; i < 2 && len > 0 && (token[len - 1] == '\n' || token[len - 1] == '\r'); i++) {
        len--;
    }
    if (len > TRIAL_TOKEN_MAX) {
        return FW_E_TOOBIG;
    }
    const char *dot1 = len > 0 ? memchr(token, '.', len) : NULL;
    if (dot1 == NULL) {
        return FW_E_FORMAT;
    }
    const char *dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
    if (dot2 == NULL) {
        return FW_E_FORMAT;
    }
    size_t h_len = (size_t)(dot1 - token);
    size_t p_len = (size_t)(dot2 - dot1 - 1);
    size_t s_len = len - (size_t)(dot2 + 1 - token);
    if (h_len == 0 || p_len == 0) {
        return FW_E_FORMAT; /* an empty signature (alg "none") is judged by its header */
    }

    uint8_t header[HEADER_MAX];
    int n = trial_b64url_decode(token, h_len, header, sizeof header);
    if (n <= 0) {
        return FW_E_FORMAT;
    }
    *reason = check_header(header, (size_t)n);
    if (*reason != TRIAL_VERIFY_OK) {
        return *reason == TRIAL_VERIFY_ALG ? FW_E_UNSUPPORTED : FW_E_FORMAT;
    }

    uint8_t sig[SIG_LEN];
    *reason = TRIAL_VERIFY_FORMAT;
    /* A third '.' lands here as a bad character; a cut or padded token as a
     * length other than 64 bytes (RFC 7518 3.4): malformed, not forged. */
    n = trial_b64url_decode(dot2 + 1, s_len, sig, sizeof sig);
    if (n != (int)SIG_LEN) {
        return FW_E_FORMAT;
    }
    /* The payload must be valid base64url before we spend a verification. */
    static_assert(TRIAL_TOKEN_MAX / 4 * 3 + 3 >= TRIAL_PAYLOAD_MAX, "payload buffer");
    uint8_t payload[TRIAL_TOKEN_MAX / 4 * 3 + 3];
    int p_n = trial_b64url_decode(dot1 + 1, p_len, payload, sizeof payload);
    if (p_n <= 0) {
        return FW_E_FORMAT;
    }

    int rc = check_signature(v, token, h_len + 1 + p_len, sig);
    if (rc != 0) {
        *reason = TRIAL_VERIFY_SIGNATURE;
        return rc;
    }

    *reason = TRIAL_VERIFY_CLAIMS;
    rc = trial_claims_parse((const char *)payload, (size_t)p_n, claims, detail);
    if (rc != 0) {
        return rc;
    }
    *detail = NULL;
    if (serial != NULL && strcmp(claims->sub, serial) != 0) {
        *reason = TRIAL_VERIFY_SERIAL;
        return FW_E_STATE;
    }
    if (trial_no != NULL && strcmp(claims->trial, trial_no) != 0) {
        *reason = TRIAL_VERIFY_TRIAL;
        return FW_E_STATE;
    }
    if (hash != NULL) {
        rc = mbedtls_sha256_ret((const unsigned char *)token, len, hash, 0);
        if (rc != 0) {
            *reason = TRIAL_VERIFY_FORMAT;
            return FW_E_MBEDTLS(rc);
        }
    }
    *reason = TRIAL_VERIFY_OK;
    return 0;
}

const char *trial_verify_reason_name(trial_verify_reason_t r)
{
    switch (r) {
    case TRIAL_VERIFY_OK: return "ok";
    case TRIAL_VERIFY_FORMAT: return "format";
    case TRIAL_VERIFY_ALG: return "alg";
    case TRIAL_VERIFY_SIGNATURE: return "signature";
    case TRIAL_VERIFY_SERIAL: return "serial";
    case TRIAL_VERIFY_TRIAL: return "trial";
    case TRIAL_VERIFY_CLAIMS: return "claims";
    default: return "unknown";
    }
}
