/*
 * crypto/derive.h - purpose keys from a device key, the same on every board.
 *
 * out = HMAC-SHA-256(device_key, "spark-derive-v1" || label). Boards call this
 * inside hal_secure_derive_key() with the key only they can reach (on a real
 * device: inside the secure element or a TEE), so a flash image written on
 * one board kind reads on another given the same device key.
 */
#ifndef CRYPTO_DERIVE_H
#define CRYPTO_DERIVE_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_DERIVED_KEY_LEN 32

/* 0, FW_E_INVAL (NULL argument) or FW_E_MBEDTLS(x). */
int crypto_derive_key(const uint8_t *device_key, size_t key_len, const char *label,
                      uint8_t out[CRYPTO_DERIVED_KEY_LEN]);

#endif /* CRYPTO_DERIVE_H */
