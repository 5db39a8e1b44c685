/*
 * Calling policy: R11 (calling stops after the grace period), TRIAL_RULES.md's
 * rule that emergency numbers stay callable in every state, the outside-line
 * prefix, near misses, and the call-back window after an emergency call
 * (docs/EMERGENCY.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "calling/policy.h"

static const char *const PREFIXES[] = {"9", "0", "81"};

/* "112" -> "(1) 1-2": the same digits with every separator the policy ignores. */
static void with_separators(const char *n, char *out, size_t cap)
{
    static const char seps[] = " -./";
    size_t o = 0;
    if (o + 1 < cap) {
        out[o++] = '(';
    }
    for (size_t i = 0; n[i] && o + 3 < cap; i++) {
        out[o++] = n[i];
        if (i == 0) {
            out[o++] = ')';
        }
        out[o++] = seps[i % (sizeof seps - 1)];
    }
    out[o] = '\0';
}

static void expect_emergency(calling_state_t s, const char *region, const char *prefix,
                             const char *dialled, const char *want_normalised)
{
    calling_verdict_t v = calling_decide(calling_mode_for_state(s), region, prefix, dialled);
    if (!v.allow || !v.emergency || v.reason != CALLING_REASON_EMERGENCY ||
        strcmp(v.normalised, want_normalised) != 0) {
        fail_msg("state %s, region %s, prefix '%s', dialled '%s': allow %d emergency %d reason "
                 "%s normalised '%s' (want an emergency call to %s)",
                 calling_state_name(s), region ? region : "(none)", prefix ? prefix : "", dialled,
                 v.allow, v.emergency, calling_reason_name(v.reason), v.normalised,
                 want_normalised);
    }
}

/* Every region table x every state x {bare, behind each prefix, with separators}. */
static void test_every_table_every_state(void **state)
{
    (void)state;
    size_t n_every = 0;
    const char *const *every = calling_everywhere(&n_every);
    size_t checked = 0;
    for (size_t r = 0; r < calling_region_count(); r++) {
        const calling_region_t *reg = calling_region_at(r);
        const char *numbers[CALLING_REGION_NUMBERS + 2];
        size_t n = 0;
        for (size_t i = 0; i < CALLING_REGION_NUMBERS && reg->numbers[i]; i++) {
            numbers[n++] = reg->numbers[i];
        }
        for (size_t i = 0; i < n_every; i++) {
            numbers[n++] = every[i]; /* 112 and 911 work everywhere */
        }
        for (int s = 0; s < CALLING_STATE_COUNT; s++) {
            for (size_t i = 0; i < n; i++) {
                char dialled[64];
                expect_emergency((calling_state_t)s, reg->region, NULL, numbers[i], numbers[i]);
                for (size_t p = 0; p < sizeof PREFIXES / sizeof *PREFIXES; p++) {
                    /* bare, in a room that has a prefix */
                    expect_emergency((calling_state_t)s, reg->region, PREFIXES[p], numbers[i],
                                     numbers[i]);
                    (void)snprintf(dialled, sizeof dialled, "%s%s", PREFIXES[p], numbers[i]);
                    expect_emergency((calling_state_t)s, reg->region, PREFIXES[p], dialled,
                                     numbers[i]);
                    (void)snprintf(dialled, sizeof dialled, "%s-%s", PREFIXES[p], numbers[i]);
                    expect_emergency((calling_state_t)s, reg->region, PREFIXES[p], dialled,
                                     numbers[i]);
                }
                with_separators(numbers[i], dialled, sizeof dialled);
                expect_emergency((calling_state_t)s, reg->region, NULL, dialled, numbers[i]);
                checked++;
            }
        }
    }
    assert_true(checked > 400); /* the loops ran over real tables */
}

/* R11: an ordinary number follows the state; emergency-only is a denial
 * that says so. */
static void test_ordinary_numbers_follow_the_state(void **state)
{
    (void)state;
    for (int s = 0; s < CALLING_STATE_COUNT; s++) {
        bool full = s == CALLING_STATE_TRIAL || s == CALLING_STATE_EXPIRING ||
                    s == CALLING_STATE_GRACE || s == CALLING_STATE_PAID;
        assert_int_equal(calling_mode_for_state((calling_state_t)s),
                         full ? CALLING_MODE_FULL : CALLING_MODE_DEGRADED);
        const char *dialled[] = {"5551234", "95551234", "9-555-1234", "+4930123456"};
        for (size_t i = 0; i < sizeof dialled / sizeof *dialled; i++) {
            calling_verdict_t v =
                calling_decide(calling_mode_for_state((calling_state_t)s), "US", "9", dialled[i]);
            assert_int_equal(v.allow, full);
            assert_false(v.emergency);
            assert_int_equal(v.reason, full ? CALLING_REASON_FULL : CALLING_REASON_DEGRADED);
        }
    }
    /* the prefix comes off once: what the PBX dials out */
    calling_verdict_t v = calling_decide(CALLING_MODE_DEGRADED, "US", "9", "9-555-1234");
    assert_string_equal(v.normalised, "5551234");
    v = calling_decide(CALLING_MODE_DEGRADED, "US", NULL, "9-555-1234");
    assert_string_equal(v.normalised, "95551234");
}

/* The issue's examples: US 9911 and 9-911 with prefix 9, DE 0112 with 0. */
static void test_outside_line_prefix(void **state)
{
    (void)state;
    expect_emergency(CALLING_STATE_LAPSED, "US", "9", "9911", "911");
    expect_emergency(CALLING_STATE_LAPSED, "US", "9", "9-911", "911");
    expect_emergency(CALLING_STATE_LAPSED, "DE", "0", "0112", "112");
    expect_emergency(CALLING_STATE_LAPSED, "DE", "0", "0110", "110");
    expect_emergency(CALLING_STATE_RELEASED, "GB", "9", "9999", "999");
    expect_emergency(CALLING_STATE_RELEASED, "GB", "9", "999", "999"); /* bare */
    /* without a provisioned prefix, 9911 is just a number */
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", NULL, "9911").allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "", "9911").allow);
    /* only once: 99911 behind prefix 9 is 9911, not 911 */
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "9", "99911").allow);
    /* another room's prefix does not count */
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "8", "9911").allow);
    /* a prefix that is not 0..2 digits is ignored, never trusted */
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "999", "999911").allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "x", "x911").allow);
    expect_emergency(CALLING_STATE_LAPSED, "US", "999", "911", "911");
    /* the prefix alone is not a call */
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "9", "9").allow);
}

/* Near misses are not emergency numbers, whatever the state's mode. */
static void test_near_misses(void **state)
{
    (void)state;
    const char *near[] = {"1120", "9112x", "91122", "11",   "1 1 2 0", "0911",    "+911",
                          "+112", "*112",  "112#",  "9111", "91",      "9 1 1 1", "99911"};
    for (size_t i = 0; i < sizeof near / sizeof *near; i++) {
        for (size_t p = 0; p < 2; p++) {
            const char *prefix = p ? "9" : NULL;
            assert_false(calling_is_emergency("US", prefix, near[i]));
            calling_verdict_t v = calling_decide(CALLING_MODE_DEGRADED, "US", prefix, near[i]);
            if (v.allow || v.emergency) {
                fail_msg("near miss '%s' (prefix %s) allowed", near[i], prefix ? prefix : "-");
            }
        }
    }
    assert_int_equal(calling_decide(CALLING_MODE_DEGRADED, "US", "9", "9112x").reason,
                     CALLING_REASON_NOT_A_NUMBER);
    assert_int_equal(calling_decide(CALLING_MODE_DEGRADED, "US", "9", "91122").reason,
                     CALLING_REASON_DEGRADED);
}

/* A known region uses its own table: 999 is not an emergency number in the US. */
static void test_region_tables_are_specific(void **state)
{
    (void)state;
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", NULL, "999").allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", NULL, "110").allow);
    assert_true(calling_decide(CALLING_MODE_DEGRADED, "GB", NULL, "999").allow);
    assert_true(calling_decide(CALLING_MODE_DEGRADED, "DE", NULL, "911").allow); /* everywhere */
}

/* Unknown or missing region: fail safe, every table counts. */
static void test_unknown_region_fails_safe(void **state)
{
    (void)state;
    assert_true(calling_decide(CALLING_MODE_DEGRADED, "XX", NULL, "999").allow);
    assert_true(calling_decide(CALLING_MODE_DEGRADED, NULL, NULL, "000").allow);
    assert_true(calling_decide(CALLING_MODE_DEGRADED, "", NULL, "110").allow);
    assert_true(calling_decide(CALLING_MODE_DEGRADED, "", NULL, "10111").allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "XX", NULL, "+4930123456").allow);
}

/* Before provisioning (or with it unusable) the device knows no region and
 * no prefix: emergency numbers of every table, nothing else. */
static void test_unprovisioned_allows_emergency_only(void **state)
{
    (void)state;
    calling_mode_t m = calling_mode_for_state(CALLING_STATE_UNPROVISIONED);
    assert_int_equal(m, CALLING_MODE_DEGRADED);
    const char *ok[] = {"911", "112", "999", "000", "110", "15", "1414"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        calling_verdict_t v = calling_decide(m, NULL, NULL, ok[i]);
        assert_true(v.allow);
        assert_true(v.emergency);
    }
    const char *no[] = {"5551234", "+4930123456", "1120", "0800123456"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        calling_verdict_t v = calling_decide(m, NULL, NULL, no[i]);
        assert_false(v.allow);
        assert_int_equal(v.reason, CALLING_REASON_DEGRADED);
    }
    assert_false(calling_decide_incoming(m, "5551234", -1).allow);
    assert_int_equal(calling_mode_for_state(CALLING_STATE_NONE), CALLING_MODE_DEGRADED);
}

/* The call-back window: 60 minutes after an emergency call, every incoming
 * call (withheld caller id too); 59:59 is in, 60:00 is out. */
static void test_callback_window_edges(void **state)
{
    (void)state;
    const calling_mode_t d = CALLING_MODE_DEGRADED;
    calling_verdict_t v = calling_decide_incoming(d, "", 59 * 60 + 59);
    assert_true(v.allow);
    assert_int_equal(v.reason, CALLING_REASON_CALLBACK_WINDOW);
    assert_true(calling_decide_incoming(d, NULL, 0).allow);
    assert_true(calling_decide_incoming(d, "+15550100", 1).allow);
    v = calling_decide_incoming(d, "", 60 * 60);
    assert_false(v.allow);
    assert_int_equal(v.reason, CALLING_REASON_INCOMING_BLOCKED);
    assert_false(calling_decide_incoming(d, "+15550100", 60 * 60 + 1).allow);
    assert_false(calling_decide_incoming(d, "+15550100", -1).allow); /* no emergency call */
    assert_false(calling_decide_incoming(d, "+15550100", INT64_MIN).allow);
    assert_false(calling_decide_incoming(d, "+15550100", INT64_MAX).allow);
    /* full calling: incoming calls are simply calls */
    v = calling_decide_incoming(CALLING_MODE_FULL, "+15550100", -1);
    assert_true(v.allow);
    assert_int_equal(v.reason, CALLING_REASON_FULL);
    assert_string_equal(v.normalised, "+15550100");
    /* a caller id that is itself an emergency number is flagged, no more */
    v = calling_decide_incoming(d, "112", -1);
    assert_true(v.emergency);
    assert_false(v.allow);
}

static void test_hostile_numbers(void **state)
{
    (void)state;
    char longer[200];
    memset(longer, '9', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "9", longer).allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", NULL, "911abc").allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", NULL, "sip:911@x").allow);
    calling_verdict_t v = calling_decide(CALLING_MODE_DEGRADED, "US", NULL, NULL);
    assert_false(v.allow);
    assert_int_equal(v.reason, CALLING_REASON_NOT_A_NUMBER);
    assert_string_equal(v.normalised, "");
    v = calling_decide(CALLING_MODE_DEGRADED, "US", NULL, " - ");
    assert_false(v.allow);
    assert_int_equal(v.reason, CALLING_REASON_NOT_A_NUMBER);
    /* full mode does not judge dialling plans, but never calls garbage emergency */
    v = calling_decide(CALLING_MODE_FULL, "US", NULL, "sip:911@x");
    assert_true(v.allow);
    assert_false(v.emergency);
}

/* The tables themselves: well-formed, one row per region, numbers dialable. */
static void test_tables_are_well_formed(void **state)
{
    (void)state;
    assert_true(calling_region_count() >= 20);
    assert_null(calling_region_at(calling_region_count()));
    for (size_t r = 0; r < calling_region_count(); r++) {
        const calling_region_t *reg = calling_region_at(r);
        assert_int_equal(strlen(reg->region), 2);
        assert_true(reg->region[0] >= 'A' && reg->region[0] <= 'Z');
        assert_true(reg->region[1] >= 'A' && reg->region[1] <= 'Z');
        assert_non_null(reg->numbers[0]);
        assert_true(strncmp(reg->source, "http", 4) == 0);
        for (size_t q = 0; q < r; q++) {
            assert_string_not_equal(calling_region_at(q)->region, reg->region);
        }
        for (size_t i = 0; i < CALLING_REGION_NUMBERS && reg->numbers[i]; i++) {
            size_t n = strlen(reg->numbers[i]);
            assert_true(n >= 2 && n < CALLING_NUMBER_MAX);
            assert_int_equal(strspn(reg->numbers[i], "0123456789"), n);
        }
    }
}

static void test_names(void **state)
{
    (void)state;
    for (int s = 0; s < CALLING_STATE_COUNT; s++) {
        calling_state_t back;
        assert_int_equal(calling_state_parse(calling_state_name((calling_state_t)s), &back), 0);
        assert_int_equal(back, s);
    }
    calling_state_t x;
    assert_int_equal(calling_state_parse("lapse", &x), -1);
    assert_int_equal(calling_state_parse(NULL, &x), -1);
    assert_string_equal(calling_reason_name(CALLING_REASON_EMERGENCY), "emergency_number");
    assert_string_equal(calling_reason_name(CALLING_REASON_DEGRADED), "emergency_only");
    assert_non_null(strstr(calling_reason_text(CALLING_REASON_DEGRADED), "emergency numbers"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_table_every_state),
        cmocka_unit_test(test_ordinary_numbers_follow_the_state),
        cmocka_unit_test(test_outside_line_prefix),
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_region_tables_are_specific),
        cmocka_unit_test(test_unknown_region_fails_safe),
        cmocka_unit_test(test_unprovisioned_allows_emergency_only),
        cmocka_unit_test(test_callback_window_edges),
        cmocka_unit_test(test_hostile_numbers),
        cmocka_unit_test(test_tables_are_well_formed),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
