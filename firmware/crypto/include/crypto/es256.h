/*
 * crypto/es256.h - ECDSA P-256 with SHA-256 in the raw r||s form that JWS
 * (RFC 7518, "ES256") and our firmware image header both use. One place for
 * the mbedtls details, shared by licence verification, licence issuing and
 * firmware image signing.
 */
#ifndef CRYPTO_ES256_H
#define CRYPTO_ES256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#define ES256_SIG_LEN 64    /* r || s, 32 bytes each, big-endian */
#define ES256_PEM_MAX 4096u /* largest key text accepted */

/* True if `pk` holds an EC key on P-256 (public or private). */
bool es256_key_is_p256(const mbedtls_pk_context *pk);

/* Parse a P-256 public key from PEM (NUL-terminated or not) or DER.
 * `pk` must be initialised by the caller (and freed by it, also on error).
 * FW_E_TOOBIG over ES256_PEM_MAX, FW_E_MBEDTLS(x) if it does not parse,
 * FW_E_UNSUPPORTED if it is not a P-256 key. */
int es256_public_parse(mbedtls_pk_context *pk, const void *key, size_t len);

/* Same for a private key (PEM or DER, unencrypted). The copy made for
 * parsing is wiped. */
int es256_private_parse(mbedtls_pk_context *pk, const void *key, size_t len);

/* Verify `sig` over the SHA-256 `digest`: 0, or FW_E_SIGNATURE (also for r or
 * s out of range), FW_E_INVAL if `pk` is not a P-256 key. */
int es256_verify_digest(const mbedtls_pk_context *pk, const uint8_t digest[32],
                        const uint8_t sig[ES256_SIG_LEN]);

/* Sign the SHA-256 `digest` deterministically (RFC 6979; `f_rng` only blinds
 * the computation). */
int es256_sign_digest(const mbedtls_pk_context *pk, const uint8_t digest[32],
                      uint8_t sig[ES256_SIG_LEN], int (*f_rng)(void *, unsigned char *, size_t),
                      void *p_rng);

/* Make a new P-256 key pair in `pk` (initialised by the caller, empty). */
int es256_generate(mbedtls_pk_context *pk, int (*f_rng)(void *, unsigned char *, size_t),
                   void *p_rng);

#endif /* CRYPTO_ES256_H */
