/*
 * A strict decoder after the Unicode standard's table of well-formed byte
 * sequences (Table 3-7): the second byte's range depends on the first, which
 * rules out overlong forms, surrogates and values above U+10FFFF in one place.
 * A broken sequence is replaced by one U+FFFD for its longest valid start
 * ("maximal subpart", the practice the standard recommends).
 */
#include "ui/utf8.h"

#include <string.h>

size_t ui_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char b0 = p[0];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    uint32_t v;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        v = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        v = b0 & 0x0Fu;
        lo = b0 == 0xE0 ? 0xA0 : 0x80; /* overlong */
        hi = b0 == 0xED ? 0x9F : 0xBF; /* surrogates */
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        v = b0 & 0x07u;
        lo = b0 == 0xF0 ? 0x90 : 0x80; /* overlong */
        hi = b0 == 0xF4 ? 0x8F : 0xBF; /* above U+10FFFF */
    } else {
        *cp = UI_UTF8_REPLACEMENT; /* continuation byte, C0, C1, F5..FF */
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if (i >= n || p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xBF)) {
            *cp = UI_UTF8_REPLACEMENT; /* the maximal subpart becomes one U+FFFD */
            return i;
        }
        unsigned char b = p[i];
        v = v << 6 | (b & 0x3Fu);
    }
    *cp = v;
    return len;
}

size_t ui_utf8_count(const char *s)
{
    size_t n = strlen(s), count = 0;
    for (size_t i = 0; i < n; count++) {
        uint32_t cp;
        i += ui_utf8_decode(s + i, n - i, &cp);
    }
    return count;
}
