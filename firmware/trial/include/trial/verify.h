/*
 * trial/verify.h - licence tokens: JWS compact serialization, ES256 only.
 *
 * token = base64url(header) "." base64url(payload) "." base64url(r || s)
 * The header must be {"alg":"ES256"} with optionally "typ":"JWT" and a string
 * "kid", nothing else. The signature (64 bytes, r || s) is checked with
 * mbedtls against SHA-256 of "header.payload" before the payload is parsed.
 * No I/O, no clock; the caller passes the provisioned public key.
 */
#ifndef TRIAL_VERIFY_H
#define TRIAL_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "trial/claims.h"
#include "trial/history.h"

#define TRIAL_TOKEN_MAX 4096u /* bytes; longer tokens are refused (format) */
#define TRIAL_PEM_MAX 4096u

/* Why a token was refused; names match trialctl's `error` strings. */
typedef enum {
    TRIAL_VERIFY_OK = 0,
    TRIAL_VERIFY_FORMAT,    /* not three strict base64url parts, too long, bad header JSON */
    TRIAL_VERIFY_ALG,       /* header is not exactly ES256 (none, HS256, crit, ...) */
    TRIAL_VERIFY_SIGNATURE, /* signature does not verify against the key */
    TRIAL_VERIFY_SERIAL,    /* sub is not this device */
    TRIAL_VERIFY_TRIAL,     /* trial is not this device's trial number */
    TRIAL_VERIFY_CLAIMS,    /* payload claims missing, mistyped or out of range */
} trial_verify_reason_t;

typedef struct {
    mbedtls_pk_context pk;
} trial_verifier_t;

/* Load the provisioned public key (PEM or DER SubjectPublicKeyInfo, `len`
 * bytes, need not be NUL-terminated). Must be an EC key on P-256.
 * Returns 0, FW_E_TOOBIG, FW_E_MBEDTLS(x) (unparsable) or FW_E_UNSUPPORTED
 * (another key type or curve). Always call trial_verifier_free() after. */
int trial_verifier_init(trial_verifier_t *v, const void *key, size_t len);
void trial_verifier_free(trial_verifier_t *v);

/* Verify `token` (`len` bytes; one trailing "\n" or "\r\n" is ignored) and
 * check that it names `serial` and `trial_no` (either may be NULL to skip
 * that check). On success returns 0, fills `claims` and, if not NULL, `hash`
 * with SHA-256 of the token (for trial_history_accept). On failure returns a
 * negative FW_E_* code and `*reason` says which check failed; `claims` means
 * nothing.
 * Never reads beyond `len`; bytes from anywhere are fine. */
int trial_token_verify(trial_verifier_t *v, const char *token, size_t len, const char *serial,
                       const char *trial_no, trial_claims_t *claims, uint8_t hash[TRIAL_HASH_LEN],
                       trial_verify_reason_t *reason);

/* trial_token_verify(), and on a TRIAL_VERIFY_CLAIMS refusal *detail names
 * the claim and what it must be (trial_claims_parse's text, "seq must be
 * ≥ 1"); otherwise *detail is NULL. `detail` may be NULL. */
int trial_token_verify_detail(trial_verifier_t *v, const char *token, size_t len,
                              const char *serial, const char *trial_no, trial_claims_t *claims,
                              uint8_t hash[TRIAL_HASH_LEN], trial_verify_reason_t *reason,
                              const char **detail);

/* "ok", "format", "alg", "signature", "serial", "trial", "claims". */
const char *trial_verify_reason_name(trial_verify_reason_t r);

/* Strict base64url without padding (RFC 7515 §2): returns the decoded length,
 * FW_E_FORMAT (bad character, impossible length, non-zero unused bits) or
 * FW_E_NOSPACE. Exposed for the tests and the fuzzer. */
int trial_b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap);

#endif /* TRIAL_VERIFY_H */
