#include "fw/hex.h"

#include <string.h>

#include "fw/err.h"

static int nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int fw_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    if (cap < 2 * n + 1) {
        return FW_E_NOSPACE;
    }
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xF];
    }
    out[2 * n] = '\0';
    return 0;
}

int fw_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *n)
{
    size_t len = strlen(hex);
    if (len % 2 != 0) {
        return FW_E_FORMAT;
    }
    if (len / 2 > cap) {
        return FW_E_TOOBIG;
    }
    for (size_t i = 0; i < len / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return FW_E_FORMAT;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *n = len / 2;
    return 0;
}

int fw_mac_parse(const char *s, uint8_t mac[6])
{
    if (strlen(s) != 17) {
        return FW_E_FORMAT;
    }
    for (int i = 0; i < 6; i++) {
        int hi = nibble(s[3 * i]), lo = nibble(s[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':')) {
            return FW_E_FORMAT;
        }
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}
