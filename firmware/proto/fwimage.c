/*
 * Firmware image header codec and ES256 sign/verify. The header is decoded
 * field by field from bytes (never cast onto a struct) because it comes from
 * a file or a flash slot and is treated as hostile until the signature holds.
 */
#include "proto/fwimage.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/sha256.h>

#include "crypto/es256.h"
#include "fw/err.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

int fwimg_version_parse(const char *text, fwimg_version_t *v)
{
    uint32_t part[3] = {0, 0, 0};
    const char *p = text;
    for (int i = 0; i < 3; i++) {
        /* At least one digit, at most five, then '.' between parts. */
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 6) {
            part[i] = part[i] * 10u + (uint32_t)(*p - '0');
            p++;
            digits++;
        }
        if (digits == 0 || digits > 5 || part[i] > UINT16_MAX) {
            return FW_E_FORMAT;
        }
        if (i < 2) {
            if (*p != '.') {
                return FW_E_FORMAT;
            }
            p++;
        }
    }
    if (*p != '\0') {
        return FW_E_FORMAT;
    }
    v->major = (uint16_t)part[0];
    v->minor = (uint16_t)part[1];
    v->patch = (uint16_t)part[2];
    return 0;
}

int fwimg_version_cmp(const fwimg_version_t *a, const fwimg_version_t *b)
{
    if (a->major != b->major) {
        return a->major < b->major ? -1 : 1;
    }
    if (a->minor != b->minor) {
        return a->minor < b->minor ? -1 : 1;
    }
    if (a->patch != b->patch) {
        return a->patch < b->patch ? -1 : 1;
    }
    return 0;
}

void fwimg_version_format(const fwimg_version_t *v, char *buf, size_t cap)
{
    (void)snprintf(buf, cap, "%u.%u.%u", (unsigned)v->major, (unsigned)v->minor,
                   (unsigned)v->patch);
}

void fwimg_header_encode(const fwimg_header_t *h, uint8_t out[FWIMG_HEADER_LEN])
{
    memset(out, 0, FWIMG_HEADER_LEN);
    memcpy(out, FWIMG_MAGIC, FWIMG_MAGIC_LEN);
    put16(out + 8, h->format);
    put16(out + 10, (uint16_t)FWIMG_HEADER_LEN);
    put16(out + 12, h->version.major);
    put16(out + 14, h->version.minor);
    put16(out + 16, h->version.patch);
    put16(out + 18, h->flags);
    put32(out + 20, h->size);
    memcpy(out + 32, h->sha256, FWIMG_HASH_LEN);
    memcpy(out + 64, h->sig, FWIMG_SIG_LEN);
}

int fwimg_header_decode(const uint8_t in[FWIMG_HEADER_LEN], fwimg_header_t *h)
{
    if (memcmp(in, FWIMG_MAGIC, FWIMG_MAGIC_LEN) != 0 || get16(in + 10) != FWIMG_HEADER_LEN) {
        return FW_E_FORMAT;
    }
    h->format = get16(in + 8);
    if (h->format != FWIMG_FORMAT) {
        return FW_E_UNSUPPORTED;
    }
    h->version.major = get16(in + 12);
    h->version.minor = get16(in + 14);
    h->version.patch = get16(in + 16);
    h->flags = get16(in + 18);
    h->size = get32(in + 20);
    memcpy(h->sha256, in + 32, FWIMG_HASH_LEN);
    memcpy(h->sig, in + 64, FWIMG_SIG_LEN);
    return 0;
}

bool fwimg_key_is_p256(mbedtls_pk_context *pk)
{
    return es256_key_is_p256(pk);
}

static int signed_digest(const uint8_t raw[FWIMG_HEADER_LEN], uint8_t digest[32])
{
    int rc = mbedtls_sha256_ret(raw, FWIMG_SIGNED_LEN, digest, 0);
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}

int fwimg_header_sign(fwimg_header_t *h, mbedtls_pk_context *key,
                      int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
    if (!fwimg_key_is_p256(key)) {
        return FW_E_INVAL;
    }
    uint8_t raw[FWIMG_HEADER_LEN], digest[32];
    memset(h->sig, 0, sizeof h->sig);
    fwimg_header_encode(h, raw);
    int rc = signed_digest(raw, digest);
    if (rc != 0) {
        return rc;
    }
    return es256_sign_digest(key, digest, h->sig, f_rng, p_rng);
}

int fwimg_header_verify(const uint8_t raw[FWIMG_HEADER_LEN], mbedtls_pk_context *pub)
{
    if (!fwimg_key_is_p256(pub)) {
        return FW_E_INVAL;
    }
    uint8_t digest[32];
    int rc = signed_digest(raw, digest);
    if (rc != 0) {
        return rc;
    }
    return es256_verify_digest(pub, digest, raw + 64);
}
