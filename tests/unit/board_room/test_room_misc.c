/*
 * The small parts of the room board: real clocks, the stop signal cutting a
 * wait short, identity from the config, link state from sysfs, the display
 * without a framebuffer, input without devices, and a whole board init.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <time.h>

#include "fw/err.h"
#include "hal/clock.h"
#include "hal/display.h"
#include "hal/flash.h"
#include "hal/identity.h"
#include "hal/input.h"
#include "hal/net.h"
#include "hal/system.h"
#include "room_config.h"
#include "room_internal.h"
#include "room_test_util.h"

static void test_clocks(void **state)
{
    (void)state;
    int64_t wall = 0;
    /* This machine's clock is set (CI runs after 2024). */
    assert_int_equal(hal_clock_wall(&wall), 0);
    assert_true(wall >= ROOM_WALL_MIN_UNIX);
    assert_int_equal(hal_clock_wall(NULL), FW_E_INVAL);
    uint64_t a = hal_clock_mono_ms();
    hal_clock_wait_ms(20);
    uint64_t b = hal_clock_mono_ms();
    assert_true(b >= a + 20);
    assert_true(b < a + 2000);
}

static void test_sigterm_ends_wait(void **state)
{
    (void)state;
    assert_int_equal(room_system_init(), 0);
    assert_false(hal_system_stop_requested());
    /* Sent before the wait starts: blocked until ppoll() opens the mask, so
     * it is not lost between "check the flag" and "sleep". */
    assert_int_equal(raise(SIGTERM), 0);
    uint64_t a = hal_clock_mono_ms();
    hal_clock_wait_ms(5000);
    assert_true(hal_clock_mono_ms() - a < 1000);
    assert_true(hal_system_stop_requested());
    room_system_deinit(); /* the process survives: SIGTERM was taken */

    /* A signal pending while nobody waits is still seen. */
    assert_int_equal(room_system_init(), 0);
    assert_int_equal(raise(SIGINT), 0);
    assert_true(hal_system_stop_requested());
    room_system_deinit();
}

static void test_identity_and_net(void **state)
{
    (void)state;
    room_board_options_t o;
    room_board_options_default(&o);
    snprintf(o.serial, sizeof o.serial, "RK-42");
    snprintf(o.iface, sizeof o.iface, "lo");
    o.hw_revision = 7;
    assert_int_equal(room_identity_load(&o), 0);
    hal_identity_t id;
    assert_int_equal(hal_identity_get(&id), 0);
    assert_string_equal(id.serial, "RK-42");
    assert_true(id.model[0] != '\0'); /* device tree or the default */
    assert_int_equal(id.hw_revision, 7);
    static const uint8_t zero[6] = {0};
    assert_memory_equal(id.mac, zero, 6); /* loopback's address is 00:00:... */
    room_net_set_iface("lo");
    assert_true(hal_net_is_up()); /* loopback says "unknown": treated as up */
    room_net_set_iface("nosuchif0");
    assert_false(hal_net_is_up());
}

static void test_display_without_fb(void **state)
{
    (void)state;
    hal_display_info_t info;
    uint8_t px[3] = {0};
    assert_int_equal(hal_display_info(&info), FW_E_STATE);
    assert_int_equal(room_display_open("/nonexistent/fb9"), 0);
    assert_int_equal(hal_display_info(&info), 0);
    assert_int_equal(info.width, ROOM_FALLBACK_WIDTH);
    assert_int_equal(info.height, ROOM_FALLBACK_HEIGHT);
    assert_int_equal(info.format, HAL_PIXFMT_RGB888);
    assert_int_equal(hal_display_present(px), 0); /* dropped */
    assert_int_equal(hal_display_present(NULL), FW_E_INVAL);
    room_display_close();
    /* A file that is not a framebuffer: no screen either, no crash. */
    assert_int_equal(room_display_open("/dev/null"), 0);
    assert_int_equal(hal_display_present(px), 0);
    room_display_close();
}

static void test_input_absent(void **state)
{
    (void)state;
    char paths[ROOM_OPT_INPUT_MAX][ROOM_OPT_PATH_MAX] = {"/nonexistent/event0"};
    assert_int_equal(room_input_open((const char(*)[ROOM_OPT_PATH_MAX])paths, 1), 0);
    hal_input_event_t ev;
    assert_int_equal(hal_input_poll(&ev), 0);
    assert_int_equal(hal_input_poll(NULL), FW_E_INVAL);
    room_input_close();
}

static void test_whole_board(void **state)
{
    (void)state;
    room_tmp_t t = {{0}};
    assert_int_equal(room_tmp_make(&t), 0);
    room_board_options_t o;
    /* the TPM back end: test_room_tpm */
    room_test_board_options(&t, &o, ROOM_SECURE_FILE, "RK-1");
    /* No flash yet: the board comes up without storage (the agent must
     * still answer the calling stack, docs/EMERGENCY.md), the message names
     * the flash, and no storage is open. */
    assert_int_equal(room_board_init(&o), 0);
    assert_false(room_board_storage_ok());
    assert_non_null(strstr(room_board_last_error(), "flash.bin"));
    hal_flash_geometry_t geo;
    assert_int_equal(hal_flash_geometry(&geo), FW_E_STATE);
    assert_int_equal(access(o.call_socket, F_OK), 0); /* the stack can still ask */
    /* The agent's setup screen gets the board's reason, not a bare code. */
    assert_non_null(hal_system_fault());
    assert_non_null(strstr(hal_system_fault(), "flash.bin"));
    room_board_deinit();
    assert_null(hal_system_fault());
    assert_int_equal(room_write_filled(o.flash, 512u * 1024u, 0xFF), 0);
    assert_int_equal(room_board_init(&o), 0);
    assert_true(room_board_storage_ok());
    assert_null(hal_system_fault());
    assert_int_equal(room_board_init(&o), FW_E_STATE);
    assert_int_equal(hal_flash_geometry(&geo), 0);
    assert_int_equal(geo.sector_size * geo.sector_count, 512u * 1024u);
    room_board_deinit();
    assert_int_equal(hal_flash_geometry(&geo), FW_E_STATE);
    assert_int_equal(access(o.call_socket, F_OK), -1); /* socket removed */
    room_tmp_remove(&t);
}

int main(void)
{
    room_log_open(HAL_LOG_ERROR, true);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clocks),           cmocka_unit_test(test_sigterm_ends_wait),
        cmocka_unit_test(test_identity_and_net), cmocka_unit_test(test_display_without_fb),
        cmocka_unit_test(test_input_absent),     cmocka_unit_test(test_whole_board),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    room_log_close();
    return failed;
}
