/*
 * ui/utf8.h - UTF-8 to Unicode code points (pure).
 *
 * Text on screen comes from catalogues and from provisioning (model name,
 * return URL), which a tool or an attacker with the key may have filled with
 * anything: every malformed sequence becomes one U+FFFD and decoding goes on.
 */
#ifndef UI_UTF8_H
#define UI_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UI_UTF8_REPLACEMENT 0xFFFDu

/* Decode the code point at the start of s[0..n) (n >= 1) into `*cp`. Returns
 * the bytes it took: 1..4 for a well-formed sequence. A stray continuation
 * byte, an overlong form, a surrogate, a value above U+10FFFF or a sequence
 * cut short gives U+FFFD and the length of the longest valid start (at least
 * 1), so decoding resumes on the first byte that could begin a character. */
size_t ui_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Number of code points in the NUL-terminated `s`. */
size_t ui_utf8_count(const char *s);

#endif /* UI_UTF8_H */
