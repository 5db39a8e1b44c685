/*
 * The catalogues (every key in every language, placeholders kept), the
 * choice of language, plural forms, numbers, dates and UTF-8 decoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "ui/lang.h"
#include "ui/utf8.h"

/* Is placeholder {name} (name n bytes long) used in `text`? */
static bool uses(const char *text, const char *name, size_t n)
{
    for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
        if (strncmp(p + 1, name, n) == 0 && p[1 + n] == '}') {
            return true;
        }
    }
    return false;
}

/* Every {name} in `text` is one of `declared` ("n", "d? dd? ..."), and every
 * declared name without '?' is used. Returns NULL or what is wrong. */
static const char *placeholders_ok(const char *text, const char *declared, char *why, size_t cap)
{
    for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end) {
            snprintf(why, cap, "unclosed '{' in \"%s\"", text);
            return why;
        }
        size_t n = (size_t)(end - p - 1);
        bool ok = false;
        for (const char *d = declared; *d;) {
            size_t k = strcspn(d, " ?");
            ok = ok || (k == n && strncmp(d, p + 1, n) == 0);
            d += k;
            d += strspn(d, " ?");
        }
        if (!ok) {
            snprintf(why, cap, "unknown placeholder {%.*s} in \"%s\"", (int)n, p + 1, text);
            return why;
        }
    }
    for (const char *d = declared; *d;) {
        size_t k = strcspn(d, " ?");
        bool optional = d[k] == '?';
        if (!optional && !uses(text, d, k)) {
            snprintf(why, cap, "placeholder {%.*s} missing in \"%s\"", (int)k, d, text);
            return why;
        }
        d += k;
        d += strspn(d, " ?");
    }
    return NULL;
}

/* Issue 13: a test fails when a key is missing from a catalogue. */
static void test_every_key_in_every_catalogue(void **state)
{
    (void)state;
    int missing = 0;
    char why[256];
    for (unsigned l = 0; l < UI_LANG_COUNT; l++) {
        const ui_catalog_t *cat = ui_catalog((ui_lang_t)l);
        for (unsigned k = 0; k < UI_MSG_COUNT; k++) {
            const ui_msg_text_t *m = &cat->msg[k];
            const char *name = ui_msg_name((ui_msg_t)k);
            if (!m->one || !*m->one) {
                print_error("catalogue %s: key %s missing\n", cat->code, name);
                missing++;
                continue;
            }
            if (ui_msg_is_plural((ui_msg_t)k) != (m->other != NULL)) {
                print_error("catalogue %s: key %s: %s\n", cat->code, name,
                            m->other ? "a plural form for a TEXT key" : "plural form missing");
                missing++;
                continue;
            }
            const char *forms[2] = {m->one, m->other};
            for (int f = 0; f < 2 && forms[f]; f++) {
                if (placeholders_ok(forms[f], ui_msg_placeholders((ui_msg_t)k), why, sizeof why)) {
                    print_error("catalogue %s: key %s: %s\n", cat->code, name, why);
                    missing++;
                }
            }
        }
    }
    assert_int_equal(missing, 0);
}

/* The check above can fail: a placeholder dropped or misspelt is caught. */
static void test_placeholder_check_catches_mistakes(void **state)
{
    (void)state;
    char why[256];
    assert_null(placeholders_ok("{n} days", "n", why, sizeof why));
    assert_non_null(placeholders_ok("some days", "n", why, sizeof why));
    assert_non_null(placeholders_ok("{m} days", "n", why, sizeof why));
    assert_null(placeholders_ok("{dd}.{mm}.{yyyy}", "d? dd? mm? month? yyyy", why, sizeof why));
    assert_non_null(placeholders_ok("{dd}.{mm}", "d? dd? mm? month? yyyy", why, sizeof why));
}

/* Catalogues are distinct texts, not copies of English. */
static void test_german_is_german(void **state)
{
    (void)state;
    assert_string_equal(ui_msg(UI_LANG_DE, UI_MSG_ENDED_TITLE), "Dienste beendet");
    assert_string_equal(ui_msg(UI_LANG_EN, UI_MSG_ENDED_TITLE), "Services ended");
    int same = 0;
    for (unsigned k = 0; k < UI_MSG_COUNT; k++) {
        same += strcmp(ui_msg(UI_LANG_DE, (ui_msg_t)k), ui_msg(UI_LANG_EN, (ui_msg_t)k)) == 0;
    }
    assert_true(same < 12); /* month names, "Meetings", "Firmware {version}" ... */
}

/* Issue 13: de, de-AT, de-CH give German; anything else English. */
static void test_language_from_locale(void **state)
{
    (void)state;
    static const char *const german[] = {"de", "de-AT", "de-CH", "de-DE", "de-LI"};
    static const char *const english[] = {"en", "en-US", "en-GB", "fr", "fr-CH", "it",
                                          "",   "deu",   "d",     "DE", "dex",   "e"};
    for (size_t i = 0; i < sizeof german / sizeof german[0]; i++) {
        assert_int_equal(ui_lang_for_locale(german[i]), UI_LANG_DE);
    }
    for (size_t i = 0; i < sizeof english / sizeof english[0]; i++) {
        assert_int_equal(ui_lang_for_locale(english[i]), UI_LANG_EN);
    }
    assert_int_equal(ui_lang_for_locale(NULL), UI_LANG_EN);

    ui_lang_t l = UI_LANG_EN;
    assert_int_equal(ui_lang_parse("de", &l), 0);
    assert_int_equal(l, UI_LANG_DE);
    assert_int_equal(ui_lang_parse("fr", &l), FW_E_INVAL);
    assert_int_equal(ui_lang_parse("de-AT", &l), FW_E_INVAL);

    char known[32];
    assert_true(ui_lang_has_catalogue("de-CH", known, sizeof known));
    assert_true(ui_lang_has_catalogue("en", known, sizeof known));
    assert_false(ui_lang_has_catalogue("fr-FR", known, sizeof known));
    assert_string_equal(known, "en, de");
}

static void test_plural_forms(void **state)
{
    (void)state;
    assert_string_equal(ui_msg_n(UI_LANG_EN, UI_MSG_BANNER_ENDS_IN, 1),
                        "The trial ends in {n} day");
    assert_string_equal(ui_msg_n(UI_LANG_EN, UI_MSG_BANNER_ENDS_IN, 2),
                        "The trial ends in {n} days");
    assert_string_equal(ui_msg_n(UI_LANG_EN, UI_MSG_BANNER_ENDS_IN, 0),
                        "The trial ends in {n} days");
    assert_string_equal(ui_msg_n(UI_LANG_DE, UI_MSG_BANNER_ENDS_IN, 1),
                        "Die Testversion endet in {n} Tag");
    assert_string_equal(ui_msg_n(UI_LANG_DE, UI_MSG_BANNER_ENDS_IN, 7),
                        "Die Testversion endet in {n} Tagen");
    /* a TEXT key has one form whatever the count */
    assert_string_equal(ui_msg_n(UI_LANG_DE, UI_MSG_ENDED_TITLE, 5), "Dienste beendet");
}

static void test_numbers(void **state)
{
    (void)state;
    char b[32];
    ui_format_int(UI_LANG_EN, 1234567, b, sizeof b);
    assert_string_equal(b, "1,234,567");
    ui_format_int(UI_LANG_DE, 1234567, b, sizeof b);
    assert_string_equal(b, "1.234.567");
    ui_format_int(UI_LANG_DE, 1234, b, sizeof b);
    assert_string_equal(b, "1234");
    ui_format_int(UI_LANG_EN, 0, b, sizeof b);
    assert_string_equal(b, "0");
    ui_format_int(UI_LANG_EN, -12345, b, sizeof b);
    assert_string_equal(b, "-12,345");
}

/* Issue 13: dates in the locale's form, 29.01.2027 in German. */
static void test_dates(void **state)
{
    (void)state;
    char b[64];
    const int64_t t = INT64_C(1801180800); /* 2027-01-29T00:00:00Z */
    ui_format_date(UI_LANG_DE, t, b, sizeof b);
    assert_string_equal(b, "29.01.2027");
    ui_format_date(UI_LANG_EN, t, b, sizeof b);
    assert_string_equal(b, "29 January 2027");
    ui_format_date(UI_LANG_DE, t - 1, b, sizeof b); /* one second before midnight UTC */
    assert_string_equal(b, "28.01.2027");
    ui_format_date(UI_LANG_DE, INT64_C(951782400), b, sizeof b); /* leap day 2000 */
    assert_string_equal(b, "29.02.2000");
    ui_format_date(UI_LANG_EN, INT64_C(253402300799), b, sizeof b); /* TRIAL_TIME_MAX */
    assert_string_equal(b, "31 December 9999");
    ui_format_date(UI_LANG_DE, 0, b, sizeof b);
    assert_string_equal(b, "01.01.1970");
    ui_format_datetime(UI_LANG_DE, t + 14 * 3600 + 5 * 60 + 59, b, sizeof b);
    assert_string_equal(b, "29.01.2027, 14:05 Uhr UTC");
    ui_format_datetime(UI_LANG_EN, t + 14 * 3600 + 5 * 60, b, sizeof b);
    assert_string_equal(b, "29 January 2027, 14:05 UTC");
}

static void test_fmt_fills_and_cuts_on_character_boundaries(void **state)
{
    (void)state;
    char b[64];
    const ui_arg_t args[] = {{"n", "5"}, {"date", "29.01.2027"}};
    assert_int_equal(ui_fmt(b, sizeof b, "{n} Tage bis {date} {x}", args, 2), 25);
    assert_string_equal(b, "5 Tage bis 29.01.2027 {x}"); /* unknown: kept as it is */
    /* "Gerät" cut in the middle of "ä" (2 bytes): the whole "ä" goes */
    char small[5];
    assert_int_equal(ui_fmt(small, sizeof small, "Gerät", NULL, 0), 3);
    assert_string_equal(small, "Ger");
    assert_int_equal(ui_copy(small, sizeof small, "€€"), 3); /* 3-byte sequences */
    assert_string_equal(small, "€");
    assert_int_equal(ui_fmt(b, sizeof b, "{unclosed", NULL, 0), 9);
    assert_string_equal(b, "{unclosed");
}

static void decode_all(const char *s, size_t n, uint32_t *out, size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < n;) {
        size_t k = ui_utf8_decode(s + i, n - i, &out[*count]);
        assert_true(k >= 1 && k <= 4);
        i += k;
        (*count)++;
    }
}

/* Issue 13: UTF-8 to code points (ä ö ü ß € and beyond), malformed input
 * replaced, never trusted. */
static void test_utf8(void **state)
{
    (void)state;
    uint32_t cp[16];
    size_t n;
    const char *ok = "\xC3\xA4\xC3\xB6\xC3\xBC\xC3\x9F\xE2\x82\xAC\xF0\x9F\x98\x80"
                     "A";
    decode_all(ok, strlen(ok), cp, &n);
    assert_int_equal(n, 7);
    assert_int_equal(cp[0], 0xE4);   /* ä */
    assert_int_equal(cp[3], 0xDF);   /* ß */
    assert_int_equal(cp[4], 0x20AC); /* € */
    assert_int_equal(cp[5], 0x1F600);
    assert_int_equal(cp[6], 'A');
    assert_int_equal(ui_utf8_count(ok), 7);

    static const struct {
        const char *bytes;
        size_t len, count;
    } bad[] = {
        {"\x80", 1, 1},             /* stray continuation */
        {"\xC0\xAF", 2, 2},         /* overlong '/' */
        {"\xE0\x80\xAF", 3, 3},     /* overlong, 3 bytes */
        {"\xED\xA0\x80", 3, 3},     /* surrogate D800 */
        {"\xF4\x90\x80\x80", 4, 4}, /* above U+10FFFF */
        {"\xF5\x80", 2, 2},         /* invalid lead */
        {"\xE2\x82", 2, 1},         /* cut short: one U+FFFD for the subpart */
        {"\xE2\x82"
         "A",
         3, 2}, /* ... and decoding resumes at 'A' */
        {"\xFF", 1, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        decode_all(bad[i].bytes, bad[i].len, cp, &n);
        assert_int_equal(n, bad[i].count);
        assert_int_equal(cp[0], UI_UTF8_REPLACEMENT);
    }
    decode_all("\xE2\x82"
               "A",
               3, cp, &n);
    assert_int_equal(cp[1], 'A');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_in_every_catalogue),
        cmocka_unit_test(test_placeholder_check_catches_mistakes),
        cmocka_unit_test(test_german_is_german),
        cmocka_unit_test(test_language_from_locale),
        cmocka_unit_test(test_plural_forms),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_fmt_fills_and_cuts_on_character_boundaries),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
