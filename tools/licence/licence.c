/*
 * Issuing licences: the mirror image of firmware/trial/verify.c. ECDSA gives
 * a DER SEQUENCE of two INTEGERs; JWS wants r and s as two fixed 32-byte
 * big-endian halves (RFC 7518 3.4), so we take the mpis directly instead.
 */
#include "licence/licence.h"

#include <stdbool.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#include "crypto/es256.h"
#include "fw/err.h"

static const char s_default_header[] = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";
static const char s_pers[] = "spark-licence";

int licence_b64url_encode(const void *in, size_t len, char *out, size_t cap)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const uint8_t *p = in;
    size_t need = len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
    if (need + 1 > cap) {
        return FW_E_NOSPACE;
    }
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
    }
    out[o] = '\0';
    return (int)o;
}

static int rng_init(licence_key_t *k)
{
    mbedtls_entropy_init(&k->entropy);
    mbedtls_ctr_drbg_init(&k->drbg);
    int rc = mbedtls_ctr_drbg_seed(&k->drbg, mbedtls_entropy_func, &k->entropy,
                                   (const unsigned char *)s_pers, sizeof s_pers - 1);
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}

int licence_key_load(licence_key_t *k, const void *pem, size_t len)
{
    mbedtls_pk_init(&k->pk);
    int rc = rng_init(k);
    if (rc != 0) {
        return rc;
    }
    if (len > LICENCE_PEM_MAX) {
        return FW_E_TOOBIG;
    }
    return es256_private_parse(&k->pk, pem, len);
}

int licence_key_generate(licence_key_t *k)
{
    mbedtls_pk_init(&k->pk);
    int rc = rng_init(k);
    if (rc != 0) {
        return rc;
    }
    return es256_generate(&k->pk, mbedtls_ctr_drbg_random, &k->drbg);
}

void licence_key_free(licence_key_t *k)
{
    if (k != NULL) {
        mbedtls_pk_free(&k->pk);
        mbedtls_ctr_drbg_free(&k->drbg);
        mbedtls_entropy_free(&k->entropy);
    }
}

int licence_key_write_private_pem(licence_key_t *k, char *out, size_t cap)
{
    int rc = mbedtls_pk_write_key_pem(&k->pk, (unsigned char *)out, cap);
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}

int licence_key_write_public_pem(licence_key_t *k, char *out, size_t cap)
{
    int rc = mbedtls_pk_write_pubkey_pem(&k->pk, (unsigned char *)out, cap);
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}

int licence_sign(licence_key_t *k, const char *header, const char *payload, size_t payload_len,
                 char *out, size_t cap, size_t *out_len)
{
    if (header == NULL) {
        header = s_default_header;
    }
    size_t o = 0;
    int n = licence_b64url_encode(header, strlen(header), out, cap);
    if (n < 0 || (size_t)n + 1 >= cap) {
        return FW_E_NOSPACE;
    }
    o = (size_t)n;
    out[o++] = '.';
    n = licence_b64url_encode(payload, payload_len, out + o, cap - o);
    if (n < 0) {
        return FW_E_NOSPACE;
    }
    o += (size_t)n;

    uint8_t digest[32];
    int rc = mbedtls_sha256_ret((const unsigned char *)out, o, digest, 0);
    if (rc != 0) {
        return FW_E_MBEDTLS(rc);
    }
    uint8_t sig[ES256_SIG_LEN];
    rc = es256_sign_digest(&k->pk, digest, sig, mbedtls_ctr_drbg_random, &k->drbg);
    if (rc != 0) {
        return rc;
    }
    if (o + 1 >= cap) {
        return FW_E_NOSPACE;
    }
    out[o++] = '.';
    n = licence_b64url_encode(sig, sizeof sig, out + o, cap - o);
    if (n < 0) {
        return FW_E_NOSPACE;
    }
    o += (size_t)n;
    if (out_len != NULL) {
        *out_len = o;
    }
    return 0;
}

int licence_sign_claims(licence_key_t *k, const char *claims, size_t len, char *out, size_t cap,
                        size_t *out_len)
{
    while (len > 0 && (claims[len - 1] == '\n' || claims[len - 1] == '\r' ||
                       claims[len - 1] == ' ' || claims[len - 1] == '\t')) {
        len--;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(claims, len, &end, false);
    bool ok = root != NULL && cJSON_IsObject(root) && end == claims + len;
    cJSON_Delete(root);
    if (!ok) {
        return FW_E_FORMAT;
    }
    return licence_sign(k, NULL, claims, len, out, cap, out_len);
}
