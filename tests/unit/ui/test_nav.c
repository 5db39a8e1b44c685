/*
 * Which screen is in front and what presses and touches do (pure): INFO and
 * the banner open the about screen, HOME and 60 s take it away, a blocked
 * dial shows its notice for 30 s, the return screen's button asks for new
 * labels once (R13).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ui/nav.h"

#define S 1000u /* ms */

static void test_info_opens_about_and_timeout_returns(void **state)
{
    (void)state;
    ui_nav_t n;
    ui_nav_init(&n);
    assert_int_equal(ui_nav_view(&n, 0), UI_VIEW_BASE);
    assert_int_equal(ui_nav_input(&n, UI_INPUT_INFO, UI_SCREEN_HOME, 5 * S), UI_ACTION_NONE);
    assert_int_equal(ui_nav_view(&n, 5 * S), UI_VIEW_ABOUT);
    assert_int_equal(ui_nav_view(&n, 5 * S + 60 * S - 1), UI_VIEW_ABOUT);
    assert_int_equal(ui_nav_view(&n, 5 * S + 60 * S), UI_VIEW_BASE); /* back after 60 s */
    assert_int_equal(ui_nav_view(&n, 5 * S + 30 * S), UI_VIEW_BASE); /* and stays back */
}

static void test_home_returns_and_info_restarts_the_time(void **state)
{
    (void)state;
    ui_nav_t n;
    ui_nav_init(&n);
    (void)ui_nav_input(&n, UI_INPUT_INFO, UI_SCREEN_HOME, 0);
    (void)ui_nav_input(&n, UI_INPUT_INFO, UI_SCREEN_ABOUT, 50 * S);
    assert_int_equal(ui_nav_view(&n, 100 * S), UI_VIEW_ABOUT); /* 60 s from the last press */
    (void)ui_nav_input(&n, UI_INPUT_HOME, UI_SCREEN_ABOUT, 101 * S);
    assert_int_equal(ui_nav_view(&n, 101 * S), UI_VIEW_BASE);
    (void)ui_nav_input(&n, UI_INPUT_TOUCH_OTHER, UI_SCREEN_HOME, 102 * S);
    assert_int_equal(ui_nav_view(&n, 102 * S), UI_VIEW_BASE); /* a touch elsewhere: nothing */
}

static void test_touch_on_banner_opens_about(void **state)
{
    (void)state;
    ui_nav_t n;
    ui_nav_init(&n);
    (void)ui_nav_input(&n, UI_INPUT_TOUCH_BANNER, UI_SCREEN_HOME, 7 * S);
    assert_int_equal(ui_nav_view(&n, 8 * S), UI_VIEW_ABOUT);
}

/* R11: the notice stays 30 s; the newer of notice and about is in front,
 * and the other comes back while its time lasts. */
static void test_call_blocked_notice_for_30_seconds(void **state)
{
    (void)state;
    ui_nav_t n;
    ui_nav_init(&n);
    ui_nav_notice(&n, UI_NOTICE_CALL_BLOCKED, 10 * S);
    assert_int_equal(ui_nav_view(&n, 10 * S), UI_VIEW_CALL_BLOCKED);
    assert_int_equal(ui_nav_view(&n, 40 * S - 1), UI_VIEW_CALL_BLOCKED);
    assert_int_equal(ui_nav_view(&n, 40 * S), UI_VIEW_BASE);

    (void)ui_nav_input(&n, UI_INPUT_INFO, UI_SCREEN_HOME, 100 * S);
    ui_nav_notice(&n, UI_NOTICE_CALL_BLOCKED, 110 * S);
    assert_int_equal(ui_nav_view(&n, 110 * S), UI_VIEW_CALL_BLOCKED);
    assert_int_equal(ui_nav_view(&n, 140 * S), UI_VIEW_ABOUT); /* about has 20 s left */
    assert_int_equal(ui_nav_view(&n, 160 * S), UI_VIEW_BASE);

    ui_nav_notice(&n, UI_NOTICE_CALL_BLOCKED, 200 * S);
    (void)ui_nav_input(&n, UI_INPUT_INFO, UI_SCREEN_NOTICE, 205 * S);
    assert_int_equal(ui_nav_view(&n, 206 * S), UI_VIEW_ABOUT); /* asked for: in front */
    (void)ui_nav_input(&n, UI_INPUT_HOME, UI_SCREEN_ABOUT, 207 * S);
    assert_int_equal(ui_nav_view(&n, 207 * S), UI_VIEW_BASE);
}

/* R13: the button on the return screen asks once; not elsewhere; again
 * only after a day. */
static void test_labels_requested_once(void **state)
{
    (void)state;
    ui_nav_t n;
    ui_nav_init(&n);
    assert_int_equal(ui_nav_input(&n, UI_INPUT_TOUCH_ACTION, UI_SCREEN_ENDED, 0), UI_ACTION_NONE);
    assert_false(ui_nav_labels_requested(&n, 0));
    assert_int_equal(ui_nav_input(&n, UI_INPUT_TOUCH_ACTION, UI_SCREEN_RETURN, 5 * S),
                     UI_ACTION_REQUEST_LABELS);
    assert_true(ui_nav_labels_requested(&n, 6 * S));
    assert_int_equal(ui_nav_input(&n, UI_INPUT_TOUCH_ACTION, UI_SCREEN_RETURN, 7 * S),
                     UI_ACTION_NONE);
    assert_true(ui_nav_labels_requested(&n, 5 * S + UI_LABELS_HOLD_MS - 1));
    assert_false(ui_nav_labels_requested(&n, 5 * S + UI_LABELS_HOLD_MS));
    assert_int_equal(
        ui_nav_input(&n, UI_INPUT_TOUCH_ACTION, UI_SCREEN_RETURN, 5 * S + UI_LABELS_HOLD_MS),
        UI_ACTION_REQUEST_LABELS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_opens_about_and_timeout_returns),
        cmocka_unit_test(test_home_returns_and_info_restarts_the_time),
        cmocka_unit_test(test_touch_on_banner_opens_about),
        cmocka_unit_test(test_call_blocked_notice_for_30_seconds),
        cmocka_unit_test(test_labels_requested_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
