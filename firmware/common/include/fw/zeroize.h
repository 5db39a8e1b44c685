/*
 * fw/zeroize.h - wiping secrets (keys, PSKs, their hex and PEM text).
 *
 * A memset() of a buffer that is freed or goes out of scope right after is
 * a dead store the compiler may drop, leaving the secret in memory. Every
 * secret is wiped with fw_zeroize() instead (the lint test lint_wipes
 * refuses a memset of a key- or PSK-named variable before free/return).
 */
#ifndef FW_ZEROIZE_H
#define FW_ZEROIZE_H

#include <stddef.h>

/* Set `len` bytes at `p` to zero in a way the compiler cannot remove
 * (mbedtls_platform_zeroize). `p` may be NULL when `len` is 0. */
void fw_zeroize(void *p, size_t len);

#endif /* FW_ZEROIZE_H */
