/*
 * fw/hex.h - hex text for keys, PSKs and MAC addresses, written once for the
 * firmware, the boards and the tools.
 */
#ifndef FW_HEX_H
#define FW_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of `n` bytes plus a NUL into `out`; FW_E_NOSPACE if `cap`
 * is below 2 * n + 1. */
int fw_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap);

/* Decode hex (either case, even length) into at most `cap` bytes; `*n` gets
 * the count. FW_E_FORMAT for odd length or a non-hex character, FW_E_TOOBIG
 * when it does not fit. */
int fw_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *n);

/* "aa:bb:cc:dd:ee:ff" (either case) into 6 bytes; 0 or FW_E_FORMAT. */
int fw_mac_parse(const char *s, uint8_t mac[6]);

#endif /* FW_HEX_H */
