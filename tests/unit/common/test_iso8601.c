/*
 * fw/iso8601.h: the one parser every board and tool uses. The forms the
 * three parsers it replaced disagreed on (host board, collector, trialctl)
 * each have a row here, with what the one grammar says of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fw/err.h"
#include "fw/iso8601.h"

#define T0 INT64_C(1796115600) /* 2026-12-01T09:00:00Z */

static void test_accepted(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t want;
    } ok[] = {
        {"2026-12-01T09:00:00Z", T0},
        {"2026-12-01T09:00Z", T0},     /* seconds may be left out (host refused) */
        {"2026-12-01", T0 - 9 * 3600}, /* a date alone: midnight UTC (host refused) */
        {"2026-12-01T10:30:00+01:30", T0},
        {"2026-12-01T07:00-02:00", T0},
        {"2026-12-01T09:00:00+00:00", T0},
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01", 0},
        {"2024-02-29T00:00:00Z", INT64_C(1709164800)},
        {"2000-02-29", INT64_C(951782400)},
        {"2026-12-31T23:59:59Z", INT64_C(1798761599)},
        {"9999-12-31T23:59:59Z", FW_ISO8601_MAX},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t t = -1;
        const char *why = NULL;
        if (fw_iso8601_parse(ok[i].text, &t, &why) != 0 || t != ok[i].want) {
            fail_msg("'%s': got %lld (%s), want %lld", ok[i].text, (long long)t, why ? why : "-",
                     (long long)ok[i].want);
        }
    }
}

static void test_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *why; /* part of the reason given */
    } bad[] = {
        {"", "YYYY-MM-DD"},
        {"yesterday", "YYYY-MM-DD"},
        {"now", "YYYY-MM-DD"},
        {"20261201T090000Z", "YYYY-MM-DD"}, /* basic format */
        {"2026-12-1", "YYYY-MM-DD"},
        {"2026-12-01T09:00:00", "no time zone"}, /* local time: ambiguous */
        {"2026-12-01T09:00", "no time zone"},
        {"2027-01-01Z", "THH:MM"},          /* date + Z (collector took it) */
        {"2026-12-01 09:00:00Z", "THH:MM"}, /* space (trialctl took it) */
        {"2026-12-01t09:00:00z", "THH:MM"}, /* lower case (host, trialctl) */
        {"2026-12-01T09:00:00z", "no time zone"},
        {"2026-12-01T09:00:00.5Z", "fractions"}, /* fraction (trialctl dropped it) */
        {"2026-12-01T09:00:60Z", "time of day"}, /* leap second (trialctl took it) */
        {"2026-12-01T24:00:00Z", "time of day"},
        {"2026-12-01T09:60:00Z", "time of day"},
        {"2026-12-01T09:0Z", "THH:MM"},
        {"2026-12-01T09:00:0Z", "seconds"},
        {"2026-12-01T09:00:00ZZ", "trailing"},
        {"2026-12-01T09:00:00+0100", "offset"},
        {"2026-12-01T09:00:00+24:00", "offset out of range"},
        {"2026-12-01T09:00:00+01:60", "offset out of range"},
        {"2026-13-01T09:00:00Z", "date out of range"},
        {"2026-00-01T09:00:00Z", "date out of range"},
        {"2026-12-00", "date out of range"},
        {"2026-12-32", "date out of range"},
        {"2025-02-29T09:00:00Z", "no such date"},
        {"2100-02-29", "no such date"},
        {"2026-04-31", "no such date"},
        {"1969-12-31T23:59:59Z", "before 1970"},
        {"1970-01-01T00:00:00+01:00", "instant out of range"},
        {"9999-12-31T23:59:59-00:01", "instant out of range"},
        {"-2026-12-01", "YYYY-MM-DD"},
        {"+2026-12-01", "YYYY-MM-DD"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 12345;
        const char *why = NULL;
        int rc = fw_iso8601_parse(bad[i].text, &t, &why);
        if (rc != FW_E_FORMAT || t != 12345 || why == NULL || strstr(why, bad[i].why) == NULL) {
            fail_msg("'%s': rc %d, t %lld, why '%s' (want '%s')", bad[i].text, rc, (long long)t,
                     why ? why : "(null)", bad[i].why);
        }
    }
    int64_t t;
    assert_int_equal(fw_iso8601_parse(NULL, &t, NULL), FW_E_INVAL);
    assert_int_equal(fw_iso8601_parse("1970-01-01", NULL, NULL), FW_E_INVAL);
    assert_int_equal(fw_iso8601_parse("x", &t, NULL), FW_E_FORMAT); /* why is optional */
}

static void test_format(void **state)
{
    (void)state;
    char buf[FW_ISO8601_LEN];
    assert_string_equal(fw_iso8601_format(T0, buf, sizeof buf), "2026-12-01T09:00:00Z");
    assert_string_equal(fw_iso8601_format(0, buf, sizeof buf), "1970-01-01T00:00:00Z");
    assert_string_equal(fw_iso8601_format(FW_ISO8601_MAX, buf, sizeof buf), "9999-12-31T23:59:59Z");
    assert_string_equal(fw_iso8601_format(-1, buf, sizeof buf), "?");
    assert_string_equal(fw_iso8601_format(FW_ISO8601_MAX + 1, buf, sizeof buf), "?");
    char small[FW_ISO8601_LEN - 1];
    assert_string_equal(fw_iso8601_format(T0, small, sizeof small), "?");

    /* Whatever it writes, the parser reads back to the same instant. */
    uint64_t x = 0x2545F4914F6CDD1Du;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t t = (int64_t)(x % (uint64_t)(FW_ISO8601_MAX + 1));
        int64_t back = -1;
        assert_int_equal(fw_iso8601_parse(fw_iso8601_format(t, buf, sizeof buf), &back, NULL), 0);
        assert_int_equal(back, t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
