/*
 * Layout and drawing: every screen, both languages, both screen sizes, the
 * sample room and a room with the longest inputs provisioning allows, fits
 * (no line off the screen or over another, nothing out of its box); the QR
 * code has at least 4 px per module at 720p; the check itself finds what is
 * wrong; words wrap, kerning applies, UTF-8 draws.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/err.h"
#include "sample.h"
#include "ui/render.h"
#include "ui_priv.h"

static ui_renderer_t *s_r;
static ui_layout_t s_l;
static ui_screen_t s_s;

static int setup(void **state)
{
    (void)state;
    s_r = ui_renderer_open(SPARK_TEST_FONT, SPARK_TEST_FONT_BOLD);
    return s_r ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ui_renderer_close(s_r);
    return 0;
}

static const uint16_t SIZES[2][2] = {{1280, 720}, {1920, 1080}};

/* Long inputs: a 47-character model name, 20-character serial, the longest
 * trial number, a 255-character return URL, 16 services with 32-character
 * ids and 7-digit day counts. */
#define LONG_MODEL "Spark Room Kit Pro Conference Edition XL-2026 A"
#define LONG_SERIAL "ABCDEFGHIJ0123456789"
#define LONG_TRIAL "D123456789012345"

static char s_long_url[256];

static void make_long(screens_case_t *c)
{
    memset(s_long_url, 0, sizeof s_long_url);
    strcpy(s_long_url, "https://returns.partner-helpdesk.example.com/rma/instructions/");
    while (strlen(s_long_url) < 240) {
        strcat(s_long_url, "segment-");
    }
    s_long_url[240] = '\0';
    strcat(s_long_url, "?lang=de&x=1234");
    assert_int_equal(strlen(s_long_url), 255);
    ui_trial_info_t *t = &c->info;
    t->model = LONG_MODEL;
    t->serial = LONG_SERIAL;
    t->trial = LONG_TRIAL;
    t->return_url = s_long_url;
    t->version = "10.20.30-rc4+build.20261215.abcdef"; /* 34 characters */
    if (t->days_left > 0) {
        t->days_left = 1234567;
    }
    if (t->grace_days_left > 0) {
        t->grace_days_left = 1234567;
    }
    t->n_svc = UI_SVC_MAX;
    for (size_t i = 0; i < UI_SVC_MAX; i++) {
        snprintf(t->svc[i].id, sizeof t->svc[i].id, "service-with-a-long-name-%07zu", i);
        t->svc[i].days_left = 2900000 + (int32_t)i;
        t->svc[i].exp = INT64_C(253402300799); /* 9999-12-31 */
        t->svc[i].expired = i % 5 == 4;
    }
}

static void check_case(const screens_case_t *c, const char *name, uint16_t w, uint16_t h,
                       int *failures)
{
    char why[256];
    if (c->setup) {
        /* the setup screen with the longest detail the agent can give */
        ui_screen_setup(&s_s, c->info.lang, c->info.serial, c->info.trial, UI_SETUP_PROV_INVALID,
                        "provisioning record invalid: return_url: expected an https:// or "
                        "http:// URL of at most 255 printable characters without spaces, got "
                        "something else entirely");
    } else {
        screens_build(c, &s_s);
    }
    assert_int_equal(ui_layout(s_r, &s_s, w, h, &s_l), 0);
    if (ui_layout_check(&s_l, why, sizeof why) != 0) {
        print_error("%s-%s %ux%u (%s): %s\n", name, ui_lang_code(c->info.lang), w, h, c->info.model,
                    why);
        (*failures)++;
    }
    if (s_l.scale_pct < 70) { /* what shrinks to fit stays readable up close */
        print_error("%s-%s %ux%u: shrank to %u %%\n", name, ui_lang_code(c->info.lang), w, h,
                    s_l.scale_pct);
        (*failures)++;
    }
    if (s_s.qr[0]) {
        /* issue 13: at least 4 px per module at 720p (6 at 1080p), quiet zone */
        if (s_l.qr < 0 || s_l.qr_px < 4 * h / 720) {
            print_error("%s-%s %ux%u: QR code %d px per module\n", name, ui_lang_code(c->info.lang),
                        w, h, s_l.qr_px);
            (*failures)++;
        }
        /* the symbol plus a quiet zone of 4 modules on each side */
        assert_int_equal(s_l.qr_modules, ui_qr_prepare(s_r, s_s.qr) + 8);
        assert_true(s_l.qr_modules >= 21 + 8);
    }
}

/* Issue 13: for every screen, both languages, both sizes, with long inputs,
 * no text runs off the screen or overlaps another. */
static void test_every_screen_fits(void **state)
{
    (void)state;
    screens_room_t room;
    screens_room_default(&room);
    int failures = 0, checked = 0;
    for (unsigned l = 0; l < UI_LANG_COUNT; l++) {
        for (size_t i = 0; i < SCREENS_COUNT; i++) {
            for (int sz = 0; sz < 2; sz++) {
                for (int longer = 0; longer < 2; longer++) {
                    screens_case_t c;
                    assert_int_equal(screens_case(&room, (ui_lang_t)l, screens_names[i], &c), 0);
                    if (longer) {
                        make_long(&c);
                    }
                    check_case(&c, screens_names[i], SIZES[sz][0], SIZES[sz][1], &failures);
                    checked++;
                }
            }
        }
    }
    assert_int_equal(checked, 2 * SCREENS_COUNT * 2 * 2);
    assert_int_equal(failures, 0);
}

/* The sample room reads at full size: nothing had to shrink. */
static void test_sample_screens_at_nominal_size(void **state)
{
    (void)state;
    screens_room_t room;
    screens_room_default(&room);
    for (unsigned l = 0; l < UI_LANG_COUNT; l++) {
        for (size_t i = 0; i < SCREENS_COUNT; i++) {
            screens_case_t c;
            assert_int_equal(screens_case(&room, (ui_lang_t)l, screens_names[i], &c), 0);
            screens_build(&c, &s_s);
            assert_int_equal(ui_layout(s_r, &s_s, 1280, 720, &s_l), 0);
            if (s_l.scale_pct != 100) {
                fail_msg("%s-%s shrank to %u %%", screens_names[i], ui_lang_code((ui_lang_t)l),
                         s_l.scale_pct);
            }
        }
    }
}

/* The check finds what is wrong: a screen too small, boxes on each other,
 * off the screen, out of their container, too many lines. */
static void test_check_finds_problems(void **state)
{
    (void)state;
    screens_room_t room;
    screens_room_default(&room);
    screens_case_t c;
    assert_int_equal(screens_case(&room, UI_LANG_DE, "return", &c), 0);
    screens_build(&c, &s_s);
    char why[256];
    assert_int_equal(ui_layout(s_r, &s_s, 64, 64, &s_l), 0);
    assert_int_equal(ui_layout_check(&s_l, why, sizeof why), FW_E_NOSPACE);
    assert_int_equal(s_l.scale_pct, 60); /* it tried every size down to 60 % */

    assert_int_equal(ui_layout(s_r, &s_s, 1280, 720, &s_l), 0);
    assert_int_equal(ui_layout_check(&s_l, why, sizeof why), 0);
    ui_layout_t bad = s_l;
    int a = 0, b = 0;
    while (bad.el[a].kind != UI_EL_TEXT || bad.el[a].container >= 0) {
        a++;
    }
    b = a + 1;
    while (bad.el[b].kind != UI_EL_TEXT || bad.el[b].container >= 0) {
        b++;
    }
    bad.el[b].box.y = bad.el[a].box.y + 1;
    bad.el[b].box.x = bad.el[a].box.x;
    assert_int_equal(ui_layout_check(&bad, why, sizeof why), FW_E_NOSPACE);
    assert_non_null(strstr(why, "overlap"));

    bad = s_l;
    bad.el[a].box.x = 1280 - 10;
    assert_int_equal(ui_layout_check(&bad, why, sizeof why), FW_E_NOSPACE);
    assert_non_null(strstr(why, "runs off the screen"));

    bad = s_l;
    assert_true(bad.button >= 0);
    for (int i = 0; i < bad.n; i++) {
        if (bad.el[i].container == bad.button) {
            bad.el[i].box.y -= bad.el[bad.button].box.h; /* label above its button */
            break;
        }
    }
    assert_int_equal(ui_layout_check(&bad, why, sizeof why), FW_E_NOSPACE);

    bad = s_l;
    bad.too_many = true;
    assert_int_equal(ui_layout_check(&bad, why, sizeof why), FW_E_NOSPACE);
}

/* Word wrap to the column; a word wider than the column (a URL) is broken
 * between characters; every line stays inside. */
static void test_wrap(void **state)
{
    (void)state;
    ui_vmetrics_t vm;
    FT_Face f = ui_font_use(s_r, false, 32, &vm);
    assert_non_null(f);
    assert_true(vm.ascent > 20 && vm.descent > 4);
    const char *text = "Bringen Sie den mitgelieferten Retourenaufkleber an.";
    size_t n = strlen(text), pos = 0, next = 0;
    int lines = 0;
    while (pos < n) {
        size_t len = ui_font_fit(f, text + pos, n - pos, 300, &next);
        ui_extent_t e;
        ui_font_measure(f, text + pos, len, &e);
        assert_true(e.advance <= 300);
        assert_true(len == 0 || text[pos + len - 1] != ' ');
        pos += next;
        lines++;
    }
    assert_true(lines >= 2 && lines <= 4);

    const char *url =
        "https://partner.example/rma/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    size_t len = ui_font_fit(f, url, strlen(url), 200, &next);
    assert_true(len > 0 && len < strlen(url));
    assert_int_equal(next, len); /* broken inside: nothing skipped */
    ui_extent_t e;
    ui_font_measure(f, url, len, &e);
    assert_true(e.advance <= 200);

    /* a word wider than the line and with nowhere to break (a serial, a
     * model name with no space) is broken inside, every line within the
     * width, and nothing of it lost */
    const char *word = "SPARKROOMKITPROFESSIONALWITHQUADCAMERAANDTOUCHCONTROLLER";
    size_t wn = strlen(word), covered = 0;
    int wl = 0;
    while (covered < wn && wl < 64) {
        size_t l = ui_font_fit(f, word + covered, wn - covered, 200, &next);
        ui_font_measure(f, word + covered, l, &e);
        assert_true(l > 0);
        assert_true(e.advance <= 200);
        assert_int_equal(next, l);
        covered += next;
        wl++;
    }
    assert_int_equal(covered, wn);
    assert_true(wl >= 3);

    len = ui_font_fit(f, "one\ntwo", 7, 1000, &next);
    assert_int_equal(len, 3);
    assert_int_equal(next, 4);
    /* a line always moves on, even when one character does not fit */
    len = ui_font_fit(f, "W", 1, 1, &next);
    assert_int_equal(len, 1);
    assert_int_equal(next, 1);
}

/* Issue 13: FreeType glyphs with kerning: "AV" is narrower than A then V. */
static void test_kerning(void **state)
{
    (void)state;
    FT_Face f = ui_font_use(s_r, false, 48, NULL);
    assert_non_null(f);
    ui_extent_t av, a, v;
    ui_font_measure(f, "AV", 2, &av);
    ui_font_measure(f, "A", 1, &a);
    ui_font_measure(f, "V", 1, &v);
    assert_true(av.advance < a.advance + v.advance);
}

static size_t ink(const uint8_t *fb, uint16_t w, uint16_t h, uint32_t bg)
{
    size_t n = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint32_t p = (uint32_t)fb[3 * i] << 16 | (uint32_t)fb[3 * i + 1] << 8 | fb[3 * i + 2];
        n += p != bg;
    }
    return n;
}

/* UTF-8: umlauts, ß and € are their own glyphs (not the replacement), and
 * malformed bytes draw U+FFFD without harm. */
static void test_utf8_glyphs(void **state)
{
    (void)state;
    FT_Face f = ui_font_use(s_r, false, 40, NULL);
    for (const char *const *p = (const char *const[]){"ä", "ö", "ü", "ß", "€", "Ü", NULL}; *p;
         p++) {
        ui_extent_t e, repl;
        ui_font_measure(f, *p, strlen(*p), &e);
        ui_font_measure(f, "\xEF\xBF\xBD", 3, &repl);
        assert_true(e.has_ink);
        assert_true(e.advance != repl.advance || e.ink_y0 != repl.ink_y0);
    }
    const uint16_t w = 400, h = 100;
    uint8_t *fb = calloc((size_t)w * h, 3);
    assert_non_null(fb);
    ui_font_draw(f, "\xC3\x28\xFF\xE2\x82", 5, 10, 60, 0xFFFFFF, fb, w, h);
    assert_true(ink(fb, w, h, 0) > 50);
    free(fb);
}

/* Touches hit the banner and the button where the layout put them; the
 * button sits where ui_action_button_rect() says, in every language. */
static void test_hit(void **state)
{
    (void)state;
    screens_room_t room;
    screens_room_default(&room);
    screens_case_t c;
    for (unsigned l = 0; l < UI_LANG_COUNT; l++) {
        assert_int_equal(screens_case(&room, (ui_lang_t)l, "return", &c), 0);
        screens_build(&c, &s_s);
        assert_int_equal(ui_layout(s_r, &s_s, 1280, 720, &s_l), 0);
        ui_rect_t b = ui_action_button_rect(1280, 720);
        assert_memory_equal(&s_l.el[s_l.button].box, &b, sizeof b);
        assert_int_equal(ui_layout_hit(&s_l, b.x + b.w / 2, b.y + b.h / 2), UI_INPUT_TOUCH_ACTION);
        assert_int_equal(ui_layout_hit(&s_l, 20, 20), UI_INPUT_TOUCH_OTHER);
    }
    assert_int_equal(screens_case(&room, UI_LANG_EN, "expiring", &c), 0);
    screens_build(&c, &s_s);
    assert_int_equal(ui_layout(s_r, &s_s, 1280, 720, &s_l), 0);
    assert_int_equal(ui_layout_hit(&s_l, 640, 10), UI_INPUT_TOUCH_BANNER);
    assert_int_equal(ui_layout_hit(&s_l, 640, 700), UI_INPUT_TOUCH_OTHER);
    ui_rect_t b = ui_action_button_rect(1280, 720);
    assert_int_equal(ui_layout_hit(&s_l, b.x + 5, b.y + 5), UI_INPUT_TOUCH_OTHER); /* no button */
}

/* The same screen draws the same pixels; no fonts: the ground only. */
static void test_render_deterministic(void **state)
{
    (void)state;
    const uint16_t w = 1280, h = 720;
    uint8_t *a = malloc((size_t)w * h * 3), *b = malloc((size_t)w * h * 3);
    assert_non_null(a);
    assert_non_null(b);
    screens_room_t room;
    screens_room_default(&room);
    screens_case_t c;
    assert_int_equal(screens_case(&room, UI_LANG_DE, "return", &c), 0);
    screens_build(&c, &s_s);
    assert_int_equal(ui_render(s_r, &s_s, a, w, h, NULL), 0);
    assert_int_equal(ui_render(s_r, &s_s, b, w, h, &s_l), 0);
    assert_memory_equal(a, b, (size_t)w * h * 3);
    size_t painted = ink(a, w, h, s_s.background);
    assert_true(painted > 50000); /* text, a QR code, a button */
    assert_int_equal(ui_render(NULL, &s_s, a, w, h, &s_l), 0);
    assert_int_equal(ink(a, w, h, s_s.background), 0);
    assert_int_equal(s_l.n, 0);
    assert_int_equal(ui_render(NULL, &s_s, NULL, w, h, NULL), FW_E_INVAL);
    assert_null(ui_renderer_open("/nonexistent/font.ttf", NULL));
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_screen_fits),
        cmocka_unit_test(test_sample_screens_at_nominal_size),
        cmocka_unit_test(test_check_finds_problems),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_kerning),
        cmocka_unit_test(test_utf8_glyphs),
        cmocka_unit_test(test_hit),
        cmocka_unit_test(test_render_deterministic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
