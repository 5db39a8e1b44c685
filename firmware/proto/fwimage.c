/*
 * Firmware image header codec and ES256 sign/verify. The header is decoded
 * field by field from bytes (never cast onto a struct) because it comes from
 * a file or a flash slot and is treated as hostile until the signature holds.
 */
#include "proto/fwimage.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/sha256.h>

#include "crypto/es256.h"
#include "fw/err.h"

#define HEADER_FIELD(...) PROTO_BFIELD(fwimg_header_t, __VA_ARGS__)
static const proto_bfield_t s_header_fields[] = {FWIMG_HEADER_LAYOUT(HEADER_FIELD)};
const proto_blayout_t fwimg_header_layout = {"firmware image header", s_header_fields,
                                             sizeof s_header_fields / sizeof s_header_fields[0],
                                             FWIMG_HEADER_LEN};

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
    proto_bytes_encode(&fwimg_header_layout, h, out);
}

int fwimg_header_decode(const uint8_t in[FWIMG_HEADER_LEN], fwimg_header_t *h)
{
    return proto_bytes_decode(&fwimg_header_layout, in, FWIMG_HEADER_LEN, h, NULL);
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
