/*
 * Calling policy: R11 (calling stops after the grace period) and TRIAL_RULES.md's
 * rule that emergency numbers stay callable in every state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "calling/policy.h"

static void test_full_mode_allows_everything(void **state)
{
    (void)state;
    calling_verdict_t v = calling_decide(CALLING_MODE_FULL, "US", "+4930123456");
    assert_true(v.allow);
    assert_false(v.emergency);
    v = calling_decide(CALLING_MODE_FULL, "US", "911");
    assert_true(v.allow);
    assert_true(v.emergency);
}

/* R11: degraded = emergency only. */
static void test_degraded_blocks_ordinary_numbers(void **state)
{
    (void)state;
    const char *ordinary[] = {"+4930123456", "+14155550123", "030123456", "1234", "9111",
                              "91",          "+911",         "",          NULL};
    for (size_t i = 0; i < sizeof ordinary / sizeof *ordinary; i++) {
        calling_verdict_t v = calling_decide(CALLING_MODE_DEGRADED, "US", ordinary[i]);
        assert_false(v.allow);
        assert_false(v.emergency);
    }
}

/* Emergency numbers in every state, per region; 112 and 911 everywhere. */
static void test_degraded_allows_emergency_numbers(void **state)
{
    (void)state;
    struct {
        const char *region, *number;
    } ok[] = {{"US", "911"}, {"US", "112"}, {"DE", "110"},   {"DE", "112"},
              {"GB", "999"}, {"FR", "15"},  {"AU", "000"},   {"JP", "119"},
              {"BR", "190"}, {"DE", "911"}, {"US", "9 1 1"}, {"GB", "(999)"}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        calling_verdict_t v = calling_decide(CALLING_MODE_DEGRADED, ok[i].region, ok[i].number);
        if (!v.allow || !v.emergency) {
            fail_msg("%s in %s must be allowed as an emergency number", ok[i].number, ok[i].region);
        }
    }
}

/* A known region uses its own table: 999 is not an emergency number in the US. */
static void test_region_tables_are_specific(void **state)
{
    (void)state;
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "999").allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "110").allow);
    assert_true(calling_decide(CALLING_MODE_DEGRADED, "GB", "999").allow);
}

/* Unknown or missing region: fail safe, every table counts. */
static void test_unknown_region_fails_safe(void **state)
{
    (void)state;
    assert_true(calling_decide(CALLING_MODE_DEGRADED, "XX", "999").allow);
    assert_true(calling_decide(CALLING_MODE_DEGRADED, NULL, "000").allow);
    assert_true(calling_decide(CALLING_MODE_DEGRADED, "", "110").allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "XX", "+4930123456").allow);
}

static void test_hostile_numbers(void **state)
{
    (void)state;
    char longer[200];
    for (size_t i = 0; i < sizeof longer - 1; i++) {
        longer[i] = '9';
    }
    longer[sizeof longer - 1] = '\0';
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", longer).allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "911abc").allow);
    assert_false(calling_decide(CALLING_MODE_DEGRADED, "US", "sip:911@x").allow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_mode_allows_everything),
        cmocka_unit_test(test_degraded_blocks_ordinary_numbers),
        cmocka_unit_test(test_degraded_allows_emergency_numbers),
        cmocka_unit_test(test_region_tables_are_specific),
        cmocka_unit_test(test_unknown_region_fails_safe),
        cmocka_unit_test(test_hostile_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
