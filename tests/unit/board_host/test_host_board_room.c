/*
 * The host board itself, what it delivers to the room: scenario parsing and
 * delivery (calls, meetings, people, input, the network) and PNG screens (its
 * storage and clock are test_host_board.c).
 *
 * Links board_host (not the fakes): these tests check the simulation the
 * other tests and the demo rely on. Every test works in its own mkdtemp dir
 * (host_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <mbedtls/md.h>
#include <png.h>

#include "fw/err.h"
#include "hal/call.h"
#include "hal/clock.h"
#include "hal/display.h"
#include "hal/input.h"
#include "hal/flash.h"
#include "hal/identity.h"
#include "hal/input.h"
#include "hal/net.h"
#include "hal/room.h"
#include "hal/secure.h"
#include "hal/system.h"
#include "host/host_board.h"
#include "host_fixture.h"

/* ------------------------------------------------------------- scenario */

typedef struct {
    int kind; /* 'D' dial, 'I' incoming, 'E' ended, 'M' meeting, 'S' share, 'P' people */
    uint32_t id_or_value;
    uint64_t at_ms;
} seen_t;

static void test_scenario_delivery(void **state)
{
    fixture_t *f = *state;
    write_text(f->scenario, "# a day in the room\n"
                            "\n"
                            "{\"t\":10,\"call\":{\"to\":\"+4930123456\",\"seconds\":300}}\n"
                            "   # indented comment\n"
                            "{\"t\":20,\"meeting\":{\"seconds\":100}}\n"
                            "{\"t\":30,\"people\":4}\n"
                            "{\"t\":40,\"network\":\"down\"}\n"
                            "{\"t\":50,\"network\":\"up\"}\n"
                            "{\"t\":60,\"share\":{\"seconds\":10}}\n"
                            "{\"t\":70,\"call\":{\"to\":\"112\",\"seconds\":60}}\n"
                            "{\"t\":80,\"call\":{\"to\":\"555\",\"seconds\":60}}\n"
                            "{\"t\":90,\"call\":{\"to\":\"5551234\",\"seconds\":30}}\n"
                            "{\"t\":100,\"incoming\":{\"from\":\"\",\"seconds\":20}}\n"
                            "{\"t\":110,\"incoming\":{\"from\":\"+15550100\",\"seconds\":5}}\n");
    f->opts.scenario_path = f->scenario;
    assert_int_equal(host_board_init(&f->opts), 0);

    /* A long wait stops at the first event instead of sleeping past it. */
    hal_clock_wait_ms(1000000);
    assert_int_equal(hal_clock_mono_ms(), 10000);

    seen_t seen[32];
    size_t n = 0;
    bool down_seen = false;
    uint64_t down_at = 0, up_at = 0;
    while (hal_clock_mono_ms() < 400000) {
        hal_call_event_t cev;
        while (hal_call_poll(&cev) == 1) {
            assert_true(n < 32);
            int k = cev.kind == HAL_CALL_EV_DIAL       ? 'D'
                    : cev.kind == HAL_CALL_EV_INCOMING ? 'I'
                                                       : 'E';
            seen[n++] = (seen_t){k, k == 'E' ? cev.seconds : cev.id, hal_clock_mono_ms()};
            if (cev.kind == HAL_CALL_EV_DIAL && cev.id == 1) {
                assert_string_equal(cev.number, "+4930123456");
                assert_int_equal(hal_call_decide(1, true), 0);
                assert_int_equal(hal_call_decide(1, true), FW_E_STATE);
            }
            if (cev.kind == HAL_CALL_EV_DIAL && cev.id == 3) {
                assert_string_equal(cev.number, "555");
                assert_int_equal(hal_call_decide(3, false), 0);
            }
            if (cev.kind == HAL_CALL_EV_INCOMING && cev.id == 5) {
                assert_string_equal(cev.number, ""); /* withheld */
            }
            if (cev.kind == HAL_CALL_EV_INCOMING && cev.id == 6) {
                assert_string_equal(cev.number, "+15550100");
                assert_int_equal(hal_call_decide(6, true), 0);
            }
        }
        hal_room_event_t rev;
        while (hal_room_poll(&rev) == 1) {
            assert_true(n < 32);
            int k = rev.kind == HAL_ROOM_EV_MEETING ? 'M'
                    : rev.kind == HAL_ROOM_EV_SHARE ? 'S'
                                                    : 'P';
            seen[n++] = (seen_t){k, rev.value, hal_clock_mono_ms()};
        }
        if (!hal_net_is_up() && !down_seen) {
            down_seen = true;
            down_at = hal_clock_mono_ms();
        }
        if (down_seen && !up_at && hal_net_is_up()) {
            up_at = hal_clock_mono_ms();
        }
        hal_clock_wait_ms(5000);
    }
    /* Calls 2, 4 and 5 are never answered: the stack decides by itself
     * (docs/EMERGENCY.md): 112 is placed anyway (ends 60 s after it was
     * dialled), 5551234 is refused, the withheld incoming call comes within
     * the hour after that 112 call and is let in. */
    static const seen_t expect[] = {
        {'D', 1, 10000},    {'P', 4, 30000},   {'D', 2, 70000},    {'S', 10, 70000},
        {'D', 3, 80000},    {'D', 4, 90000},   {'I', 5, 100000},   {'I', 6, 110000},
        {'E', 5, 115000},   {'E', 20, 120000}, {'M', 100, 120000}, {'E', 60, 130000},
        {'E', 300, 310000},
    };
    assert_int_equal(n, sizeof expect / sizeof expect[0]);
    for (size_t i = 0; i < n; i++) {
        if (seen[i].kind != expect[i].kind || seen[i].id_or_value != expect[i].id_or_value ||
            seen[i].at_ms != expect[i].at_ms) {
            fail_msg("event %zu: got %c %u at %llu ms, expected %c %u at %llu ms", i, seen[i].kind,
                     seen[i].id_or_value, (unsigned long long)seen[i].at_ms, expect[i].kind,
                     expect[i].id_or_value, (unsigned long long)expect[i].at_ms);
        }
    }
    assert_int_equal(down_at, 40000);
    assert_int_equal(up_at, 50000);
    /* Too late to answer call 2 now. */
    assert_int_equal(hal_call_decide(2, true), FW_E_STATE);
    assert_int_equal(hal_call_decide(4, true), FW_E_STATE);
    assert_int_equal(hal_call_decide(99, true), FW_E_NOENT);
    assert_int_equal(hal_call_set_lines_held(false), 0);
}

/* A person in the room: buttons and touches come out of hal_input_poll() at
 * their time (docs/SCENARIO.md). */
static void test_scenario_input(void **state)
{
    fixture_t *f = *state;
    write_text(f->scenario, "{\"t\":5,\"button\":\"info\"}\n"
                            "{\"t\":5,\"touch\":{\"x\":1024,\"y\":627}}\n"
                            "{\"t\":9,\"button\":\"home\"}\n");
    f->opts.scenario_path = f->scenario;
    assert_int_equal(host_board_init(&f->opts), 0);
    hal_input_event_t ev;
    assert_int_equal(hal_input_poll(&ev), 0);
    hal_clock_wait_ms(5000);
    assert_int_equal(hal_input_poll(&ev), 1);
    assert_int_equal(ev.kind, HAL_INPUT_BUTTON);
    assert_int_equal(ev.code, HAL_BUTTON_INFO);
    assert_int_equal(hal_input_poll(&ev), 1);
    assert_int_equal(ev.kind, HAL_INPUT_TOUCH);
    assert_int_equal(ev.x, 1024);
    assert_int_equal(ev.y, 627);
    assert_int_equal(hal_input_poll(&ev), 0);
    hal_clock_wait_ms(10000);
    assert_int_equal(hal_input_poll(&ev), 1);
    assert_int_equal(ev.code, HAL_BUTTON_HOME);
    assert_int_equal(hal_input_poll(NULL), FW_E_INVAL);
}

static void test_scenario_same_time_keeps_file_order(void **state)
{
    fixture_t *f = *state;
    write_text(f->scenario, "{\"t\":5,\"people\":1}\n"
                            "{\"t\":5,\"people\":2}\n"
                            "{\"t\":5,\"people\":3}\n");
    f->opts.scenario_path = f->scenario;
    assert_int_equal(host_board_init(&f->opts), 0);
    hal_clock_wait_ms(60000);
    hal_room_event_t ev;
    for (uint32_t want = 1; want <= 3; want++) {
        assert_int_equal(hal_room_poll(&ev), 1);
        assert_int_equal(ev.kind, HAL_ROOM_EV_PEOPLE);
        assert_int_equal(ev.value, want);
    }
    assert_int_equal(hal_room_poll(&ev), 0);
}

static void test_scenario_bad_lines(void **state)
{
    fixture_t *f = *state;
    static const struct {
        const char *line;
        const char *why;
    } cases[] = {
        {"{\"t\":5,\"cal\":{\"to\":\"1\",\"seconds\":1}}", "unknown key \"cal\""},
        {"{\"t\":-1,\"people\":3}", "\"t\" must be an integer >= 0"},
        {"{\"t\":1.5,\"people\":3}", "\"t\" must be an integer"},
        {"{\"t\":\"5\",\"people\":3}", "\"t\" must be a number"},
        {"{\"t\":0,\"people\":3}", "t goes backwards (0 after 1)"},
        {"{\"t\":99999999999999999999,\"people\":1}", "\"t\" is too large"},
        {"{\"t\":5,\"meeting\":{}}", "missing \"seconds\""},
        {"{\"t\":5,\"share\":{\"seconds\":0}}", "\"seconds\" must be an integer >= 1"},
        {"{\"t\":5,\"meeting\":1800}", "\"meeting\" must be an object"},
        {"{\"t\":5,\"call\":{\"seconds\":5}}", "missing \"to\""},
        {"{\"t\":5,\"call\":{\"to\":\"+4930123456789012345678901234567\",\"seconds\":5}}",
         "dialled number is too long"},
        {"{\"t\":5,\"call\":{\"to\":\"0800-FLOWERS\",\"seconds\":5}}", "only digits"},
        {"{\"t\":5,\"call\":{\"to\":\"\",\"seconds\":5}}", "\"to\" must be a non-empty string"},
        {"{\"t\":5,\"incoming\":{\"seconds\":5}}", "missing \"from\" in \"incoming\""},
        {"{\"t\":5,\"incoming\":{\"from\":5,\"seconds\":5}}", "\"from\" must be a string"},
        {"{\"t\":5,\"incoming\":{\"from\":\"x1\",\"seconds\":5}}", "\"from\" may hold only"},
        {"{\"t\":5,\"incoming\":{\"to\":\"1\",\"seconds\":5}}",
         "unknown key \"to\" in \"incoming\""},
        {"{\"t\":5,\"incoming\":\"112\"}", "\"incoming\" must be an object"},
        {"{\"t\":5,\"call\":{\"to\":\"123\",\"seconds\":5,\"from\":\"x\"}}",
         "unknown key \"from\" in \"call\""},
        {"{\"t\":5,\"call\":{\"to\":\"123\"}}", "missing \"seconds\""},
        {"{\"t\":5,\"people\":-2}", "\"people\" must be an integer >= 0"},
        {"{\"t\":5,\"network\":\"sideways\"}", "\"network\" must be \"up\" or \"down\""},
        {"{\"t\":5}", "no event"},
        {"{\"people\":3}", "missing \"t\""},
        {"{\"t\":5,\"people\":3,\"network\":\"up\"}", "more than one event"},
        {"{\"t\":5,\"t\":6,\"people\":3}", "duplicate key \"t\""},
        {"not json", "not valid JSON"},
        {"{\"t\":5,\"people\":3} trailing", "not valid JSON"},
        {"[1,2]", "expected a JSON object"},
        {"{\"t\":5,\"button\":\"power\"}", "\"button\" must be \"home\" or \"info\""},
        {"{\"t\":5,\"touch\":[1,2]}", "\"touch\" must be an object"},
        {"{\"t\":5,\"touch\":{\"x\":1}}", "missing \"y\""},
        {"{\"t\":5,\"touch\":{\"x\":1280,\"y\":1}}", "\"x\" is too large (at most 1279)"},
        {"{\"t\":5,\"touch\":{\"x\":1,\"y\":2,\"z\":3}}", "unknown key \"z\" in \"touch\""},
    };
    f->opts.scenario_path = f->scenario;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"t\":1,\"people\":1}\n# comment\n%s\n{\"t\":9,\"people\":1}\n", cases[i].line);
        write_text(f->scenario, text);
        capture_start(f);
        int rc = host_board_init(&f->opts);
        capture_stop(f);
        if (rc == 0) {
            host_board_deinit();
            fail_msg("accepted: %s", cases[i].line);
        }
        assert_int_equal(rc, FW_E_FORMAT);
        char where[160];
        snprintf(where, sizeof where, "%s:3: ", f->scenario);
        const char *err = host_board_last_error();
        if (!strstr(err, where) || !strstr(err, cases[i].why)) {
            fail_msg("for %s\n  got: %s\n  want: %s%s", cases[i].line, err, where, cases[i].why);
        }
    }
    /* A missing file is refused too, naming it. */
    f->opts.scenario_path = "/nonexistent/scenario.jsonl";
    capture_start(f);
    assert_int_equal(host_board_init(&f->opts), FW_E_NOENT);
    capture_stop(f);
    assert_non_null(strstr(host_board_last_error(), "/nonexistent/scenario.jsonl"));
}

/* -------------------------------------------------------------- display */

static void read_png(const char *path, uint8_t *rgb)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, path));
    assert_int_equal(img.width, 1280);
    assert_int_equal(img.height, 720);
    img.format = PNG_FORMAT_RGB;
    assert_true(png_image_finish_read(&img, NULL, rgb, 0, NULL));
}

static void test_display_png(void **state)
{
    fixture_t *f = *state;
    f->opts.screen_dir = f->screen;
    assert_int_equal(host_board_init(&f->opts), 0);
    hal_display_info_t info;
    assert_int_equal(hal_display_info(&info), 0);
    assert_int_equal(info.width, 1280);
    assert_int_equal(info.height, 720);
    assert_int_equal(info.format, HAL_PIXFMT_RGB888);

    const size_t bytes = 1280u * 720u * 3u;
    uint8_t *frame = malloc(bytes), *back = malloc(bytes);
    assert_non_null(frame);
    assert_non_null(back);
    for (size_t i = 0; i < bytes; i++) {
        frame[i] = (uint8_t)(i * 7);
    }
    char cur[160], s1[160], s2[160], s3[160];
    snprintf(cur, sizeof cur, "%s/current.png", f->screen);
    snprintf(s1, sizeof s1, "%s/screen-0001.png", f->screen);
    snprintf(s2, sizeof s2, "%s/screen-0002.png", f->screen);
    snprintf(s3, sizeof s3, "%s/screen-0003.png", f->screen);

    assert_int_equal(hal_display_present(frame), 0);
    assert_true(exists(cur));
    assert_true(exists(s1));
    read_png(cur, back);
    assert_memory_equal(frame, back, bytes);
    struct stat st1, st2;
    assert_int_equal(stat(cur, &st1), 0);

    assert_int_equal(hal_display_present(frame), 0); /* same frame: nothing written */
    assert_false(exists(s2));
    assert_int_equal(stat(cur, &st2), 0);
    assert_int_equal(st1.st_ino, st2.st_ino);

    frame[12345] ^= 0xFF;
    assert_int_equal(hal_display_present(frame), 0);
    assert_true(exists(s2));
    assert_false(exists(s3));
    read_png(cur, back);
    assert_memory_equal(frame, back, bytes);
    read_png(s1, back);
    assert_memory_not_equal(frame, back, bytes);

    /* back to the first frame (an alternating screen): current.png shows it,
     * but it was saved before, so no screen-0003.png */
    frame[12345] ^= 0xFF;
    assert_int_equal(hal_display_present(frame), 0);
    assert_false(exists(s3));
    read_png(cur, back);
    assert_memory_equal(frame, back, bytes);
    free(frame);
    free(back);
}

static void test_display_without_screen_dir(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(host_board_init(&f->opts), 0);
    uint8_t *frame = calloc(1280u * 720u, 3);
    assert_non_null(frame);
    assert_int_equal(hal_display_present(frame), 0);
    free(frame);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scenario_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenario_same_time_keeps_file_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenario_bad_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenario_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_display_png, setup, teardown),
        cmocka_unit_test_setup_teardown(test_display_without_screen_dir, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}