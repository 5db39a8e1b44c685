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

/* TRIAL.md "before activation": setup screen with serial and trial number (R1). */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_screen_names_serial_and_trial),
        cmocka_unit_test(test_long_text_is_cut_not_overflowed),
        cmocka_unit_test(test_render_paints_background_and_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
