/*
 * What the screens say (pure) and that drawing them puts text on the frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fw/err.h"
#include "ui/render.h"
#include "ui/screen.h"

static int find_line(const ui_screen_t *s, const char *needle)
{
    for (int i = 0; i < s->n_lines; i++) {
        if (strstr(s->lines[i], needle)) {
            return i;
        }
    }
    return -1;
}

/* TRIAL_RULES.md "before activation": setup screen with serial and trial number (R1). */
static void test_setup_screen_names_serial_and_trial(void **state)
{
    (void)state;
    ui_screen_t s;
    ui_screen_setup(&s, "FOC2240Y1ZZ", "D1000001", "not provisioned: no record");
    assert_int_equal(s.kind, UI_SCREEN_SETUP);
    assert_true(find_line(&s, "Serial: FOC2240Y1ZZ") >= 0);
    assert_true(find_line(&s, "Trial: D1000001") >= 0);
    assert_true(find_line(&s, "not provisioned") >= 0);

    ui_screen_setup(&s, "", NULL, NULL);
    assert_true(find_line(&s, "Serial: unknown") >= 0);
    assert_int_equal(find_line(&s, "Trial:"), -1);
}

static void test_long_text_is_cut_not_overflowed(void **state)
{
    (void)state;
    char longer[400];
    memset(longer, 'A', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ui_screen_t s;
    ui_screen_setup(&s, longer, longer, longer);
    for (int i = 0; i < s.n_lines; i++) {
        assert_true(strlen(s.lines[i]) < UI_LINE_MAX);
    }
}

static size_t count_not(const uint8_t *fb, size_t pixels, uint32_t rgb)
{
    size_t n = 0;
    for (size_t i = 0; i < pixels; i++) {
        uint32_t p = (uint32_t)fb[3 * i] << 16 | (uint32_t)fb[3 * i + 1] << 8 | fb[3 * i + 2];
        n += p != rgb;
    }
    return n;
}

static void test_render_paints_background_and_text(void **state)
{
    (void)state;
    const uint16_t w = 640, h = 360;
    uint8_t *fb = malloc((size_t)w * h * 3);
    assert_non_null(fb);
    ui_screen_t s;
    ui_screen_setup(&s, "FOC2240Y1ZZ", "D1000001", NULL);

    assert_int_equal(ui_render(NULL, &s, fb, w, h), 0); /* no font: colours only */
    assert_int_equal(count_not(fb, (size_t)w * h, s.background), 0);

    ui_renderer_t *r = ui_renderer_open(SPARK_TEST_FONT);
    assert_non_null(r);
    assert_int_equal(ui_render(r, &s, fb, w, h), 0);
    size_t ink = count_not(fb, (size_t)w * h, s.background);
    assert_true(ink > 1000);              /* text was drawn */
    assert_true(ink < (size_t)w * h / 4); /* ... and not a filled screen */
    ui_renderer_close(r);

    assert_null(ui_renderer_open("/nonexistent/font.ttf"));
    assert_int_equal(ui_render(NULL, &s, NULL, w, h), FW_E_INVAL);
    free(fb);
}

static ui_trial_info_t info(ui_trial_state_t st)
{
    ui_trial_info_t t;
    memset(&t, 0, sizeof t);
    t.state = st;
    t.model = "Spark Room Kit";
    t.serial = "FOC2240Y1ZZ";
    t.trial = "D1000001";
    t.return_url = "https://partner.example/rma";
    return t;
}

/* R7, R14: "trial ends in N days" from E - 7 d; "ends today" on the last day. */
static void test_expiring_banner(void **state)
{
    (void)state;
    ui_screen_t s;
    ui_trial_info_t t = info(UI_TRIAL_EXPIRING);
    t.days_left = 5;
    ui_screen_trial(&s, &t, 0);
    assert_int_equal(s.kind, UI_SCREEN_BANNER);
    assert_true(find_line(&s, "ends in 5 days") >= 0);
    t.days_left = 1;
    t.last_day = true;
    ui_screen_trial(&s, &t, 0);
    assert_string_equal(s.title, "Trial ends today");
    assert_int_equal(find_line(&s, "ends in"), -1);
}

/* R8: "trial ended, N days left to buy". */
static void test_grace_banner(void **state)
{
    (void)state;
    ui_screen_t s;
    ui_trial_info_t t = info(UI_TRIAL_GRACE);
    t.grace_days_left = 30;
    ui_screen_trial(&s, &t, 0);
    assert_string_equal(s.title, "Trial ended");
    assert_true(find_line(&s, "30 days left to buy") >= 0);
}

/* R10 then R12/R13 while lapsed; R11 numbers kept; emergency calls noted. */
static void test_lapsed_alternates_ended_and_return(void **state)
{
    (void)state;
    ui_screen_t s;
    ui_trial_info_t t = info(UI_TRIAL_LAPSED);
    t.rma_due = true;
    t.numbers_held = true;
    strcpy(t.numbers_held_until, "2027-01-29");
    ui_screen_trial(&s, &t, 0);
    assert_int_equal(s.kind, UI_SCREEN_ENDED);
    assert_true(find_line(&s, "Emergency calls still work") >= 0);
    assert_true(find_line(&s, "kept until 2027-01-29") >= 0);
    ui_screen_trial(&s, &t, 1);
    assert_int_equal(s.kind, UI_SCREEN_RETURN);
    assert_true(find_line(&s, "original shipping box") >= 0); /* R12 */
    assert_true(find_line(&s, "return label") >= 0);          /* R12 */
    assert_true(find_line(&s, "carrier") >= 0);               /* R12 */
    assert_true(find_line(&s, "partner help desk") >= 0);     /* R13 */
    assert_true(find_line(&s, "https://partner.example/rma") >= 0);
}

/* R3: a customer who keeps the devices never sees return instructions. */
static void test_keep_devices_never_shows_return(void **state)
{
    (void)state;
    ui_screen_t s;
    ui_trial_info_t t = info(UI_TRIAL_RELEASED);
    t.rma_due = false;
    for (unsigned page = 0; page < 4; page++) {
        ui_screen_trial(&s, &t, page);
        assert_int_not_equal(s.kind, UI_SCREEN_RETURN);
    }
    t.rma_due = true; /* released and due: instructions on every page */
    for (unsigned page = 0; page < 4; page++) {
        ui_screen_trial(&s, &t, page);
        assert_int_equal(s.kind, UI_SCREEN_RETURN);
    }
}

/* R2/R3: paid shows no trial marks. */
static void test_paid_has_no_trial_marks(void **state)
{
    (void)state;
    ui_screen_t s;
    ui_trial_info_t t = info(UI_TRIAL_PAID);
    t.rma_due = true; /* even if asked: paid never shows return instructions */
    ui_screen_trial(&s, &t, 1);
    assert_int_equal(s.kind, UI_SCREEN_HOME);
    assert_int_equal(find_line(&s, "Trial"), -1);
    assert_int_equal(find_line(&s, "D1000001"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_screen_names_serial_and_trial),
        cmocka_unit_test(test_long_text_is_cut_not_overflowed),
        cmocka_unit_test(test_render_paints_background_and_text),
        cmocka_unit_test(test_expiring_banner),
        cmocka_unit_test(test_grace_banner),
        cmocka_unit_test(test_lapsed_alternates_ended_and_return),
        cmocka_unit_test(test_keep_devices_never_shows_return),
        cmocka_unit_test(test_paid_has_no_trial_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
