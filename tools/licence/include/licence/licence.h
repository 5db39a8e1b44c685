/*
 * licence/licence.h - issuing licence tokens (JWS compact, ES256).
 *
 * The signing half of trial/verify.h, for tests, the support tools and later
 * the collector. Signatures are deterministic (RFC 6979): the same key and
 * claims give the same token. Never log a private key.
 */
#ifndef LICENCE_LICENCE_H
#define LICENCE_LICENCE_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#define LICENCE_TOKEN_MAX 8192u /* the signer allows more than devices accept */
#define LICENCE_PEM_MAX 4096u

typedef struct {
    mbedtls_pk_context pk;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
} licence_key_t;

/* Load a PEM (or DER) EC P-256 private key of `len` bytes. Returns 0,
 * FW_E_TOOBIG, FW_E_UNSUPPORTED (not P-256) or FW_E_MBEDTLS(x).
 * Always call licence_key_free() afterwards. */
int licence_key_load(licence_key_t *k, const void *pem, size_t len);
/* Generate a new P-256 key. */
int licence_key_generate(licence_key_t *k);
void licence_key_free(licence_key_t *k);

/* PEM text of the private / public half (NUL-terminated) into `out`. */
int licence_key_write_private_pem(licence_key_t *k, char *out, size_t cap);
int licence_key_write_public_pem(licence_key_t *k, char *out, size_t cap);

/* Sign `payload` (`payload_len` bytes, signed exactly as given) with header
 * `header` (NULL: {"alg":"ES256","typ":"JWT"}; any text is allowed so tests
 * can make wrong headers). Writes a NUL-terminated token; `*out_len` gets its
 * length. Returns 0, FW_E_NOSPACE or FW_E_MBEDTLS(x). */
int licence_sign(licence_key_t *k, const char *header, const char *payload, size_t payload_len,
                 char *out, size_t cap, size_t *out_len);

/* Sign a claims JSON object after checking that it is one (cJSON); trailing
 * whitespace is dropped. FW_E_FORMAT if it is not a JSON object. */
int licence_sign_claims(licence_key_t *k, const char *claims, size_t len, char *out, size_t cap,
                        size_t *out_len);

/* base64url without padding; returns characters written (NUL added) or
 * FW_E_NOSPACE. */
int licence_b64url_encode(const void *in, size_t len, char *out, size_t cap);

#endif /* LICENCE_LICENCE_H */
