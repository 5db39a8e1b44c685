/*
 * mbedtls speaks DER signatures and NUL-terminated PEM; JWS and our image
 * header speak raw r||s and keys read from files of any ending. The
 * conversions live here once.
 */
#include "crypto/es256.h"

#include <string.h>

#include <mbedtls/ecdsa.h>

#include "fw/err.h"
#include "fw/zeroize.h"

bool es256_key_is_p256(const mbedtls_pk_context *pk)
{
    return mbedtls_pk_can_do(pk, MBEDTLS_PK_ECDSA) &&
           mbedtls_pk_ec(*pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1;
}

/* Parses `key` as PEM (mbedtls wants the NUL counted in the length) and, if
 * that fails and it does not look like PEM, as DER of the exact length. */
static int parse(mbedtls_pk_context *pk, const void *key, size_t len, bool private_key)
{
    if (key == NULL || len == 0) {
        return FW_E_INVAL;
    }
    if (len > ES256_PEM_MAX) {
        return FW_E_TOOBIG;
    }
    unsigned char buf[ES256_PEM_MAX + 1];
    memcpy(buf, key, len);
    size_t n = len;
    if (buf[n - 1] != '\0') {
        buf[n++] = '\0';
    }
    int rc = private_key ? mbedtls_pk_parse_key(pk, buf, n, NULL, 0)
                         : mbedtls_pk_parse_public_key(pk, buf, n);
    if (rc != 0 && buf[0] != '-') {
        rc = private_key ? mbedtls_pk_parse_key(pk, buf, len, NULL, 0)
                         : mbedtls_pk_parse_public_key(pk, buf, len);
    }
    fw_zeroize(buf, sizeof buf);
    if (rc != 0) {
        return FW_E_MBEDTLS(rc);
    }
    return es256_key_is_p256(pk) ? 0 : FW_E_UNSUPPORTED;
}

int es256_public_parse(mbedtls_pk_context *pk, const void *key, size_t len)
{
    return parse(pk, key, len, false);
}

int es256_private_parse(mbedtls_pk_context *pk, const void *key, size_t len)
{
    return parse(pk, key, len, true);
}

int es256_verify_digest(const mbedtls_pk_context *pk, const uint8_t digest[32],
                        const uint8_t sig[ES256_SIG_LEN])
{
    if (!es256_key_is_p256(pk)) {
        return FW_E_INVAL;
    }
    mbedtls_ecp_keypair *kp = mbedtls_pk_ec(*pk);
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    int rc = mbedtls_mpi_read_binary(&r, sig, ES256_SIG_LEN / 2);
    if (rc == 0) {
        rc = mbedtls_mpi_read_binary(&s, sig + ES256_SIG_LEN / 2, ES256_SIG_LEN / 2);
    }
    if (rc == 0) {
        /* Rejects r or s outside [1, n-1] as well as a wrong signature. */
        rc = mbedtls_ecdsa_verify(&kp->grp, digest, 32, &kp->Q, &r, &s);
        rc = rc == 0 ? 0 : FW_E_SIGNATURE;
    } else {
        rc = FW_E_MBEDTLS(rc);
    }
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return rc;
}

int es256_sign_digest(const mbedtls_pk_context *pk, const uint8_t digest[32],
                      uint8_t sig[ES256_SIG_LEN], int (*f_rng)(void *, unsigned char *, size_t),
                      void *p_rng)
{
    if (!es256_key_is_p256(pk)) {
        return FW_E_INVAL;
    }
    mbedtls_ecp_keypair *kp = mbedtls_pk_ec(*pk);
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    int rc = mbedtls_ecdsa_sign_det_ext(&kp->grp, &r, &s, &kp->d, digest, 32, MBEDTLS_MD_SHA256,
                                        f_rng, p_rng);
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&r, sig, ES256_SIG_LEN / 2);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&s, sig + ES256_SIG_LEN / 2, ES256_SIG_LEN / 2);
    }
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}

int es256_generate(mbedtls_pk_context *pk, int (*f_rng)(void *, unsigned char *, size_t),
                   void *p_rng)
{
    int rc = mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (rc == 0) {
        rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk), f_rng, p_rng);
    }
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}
