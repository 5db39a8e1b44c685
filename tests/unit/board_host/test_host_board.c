/*
 * The host board itself, its storage and time: factory creation, the secure
 * file, power cuts, the stepped clock, the command line options (what it
 * delivers to the room, scenarios and screens, is test_host_board_room.c).
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

/* ------------------------------------------------------- flash + secure */

static void test_factory_fresh(void **state)
{
    fixture_t *f = *state;
    assert_false(exists(f->flash));
    assert_int_equal(host_board_init(&f->opts), 0);
    assert_int_equal(file_size(f->flash), FLASH_BYTES);
    assert_true(exists(f->secure));

    hal_flash_geometry_t geo;
    assert_int_equal(hal_flash_geometry(&geo), 0);
    assert_int_equal(geo.sector_size, 16384);
    assert_int_equal(geo.sector_count, FLASH_BYTES / 16384);
    assert_true(geo.program_unit >= 1);

    static uint8_t buf[FLASH_BYTES];
    assert_int_equal(hal_flash_read(0, buf, sizeof buf), 0);
    for (size_t i = 0; i < sizeof buf; i++) {
        if (buf[i] != 0xFF) {
            fail_msg("byte %zu is 0x%02x, expected erased", i, buf[i]);
        }
    }
    uint32_t counter = 99;
    assert_int_equal(hal_secure_counter_read(&counter), 0);
    assert_int_equal(counter, 0);

    hal_identity_t id;
    assert_int_equal(hal_identity_get(&id), 0);
    assert_int_equal(strlen(id.serial), 11);
    assert_memory_equal(id.serial, "SIM", 3);
    assert_string_equal(id.model, "Spark Room Kit (host sim)");
    assert_int_equal(id.mac[0] & 0x03, 0x02); /* unicast, locally administered */
    assert_int_equal(id.hw_revision, 1);

    /* The device key is in the file, never in anything the board prints. */
    struct stat st;
    assert_int_equal(stat(f->secure, &st), 0);
    assert_int_equal(st.st_mode & 077, 0);
}

/* Secrets at rest: a factory-fresh image (it will hold the PSKs) and its
 * secure file (the device key) are readable by their owner only, whatever
 * the umask. */
static void test_factory_files_private(void **state)
{
    fixture_t *f = *state;
    mode_t old = umask(0);
    int rc = host_board_init(&f->opts);
    umask(old);
    assert_int_equal(rc, 0);
    struct stat st;
    assert_int_equal(stat(f->flash, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(f->secure, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_factory_serial_and_size_options(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(host_board_set_option(&f->opts, "serial", "FOC1234X"), 0);
    assert_int_equal(host_board_set_option(&f->opts, "flash-size", "1048576"), 0);
    assert_int_equal(host_board_init(&f->opts), 0);
    hal_identity_t id;
    assert_int_equal(hal_identity_get(&id), 0);
    assert_string_equal(id.serial, "FOC1234X");
    assert_int_equal(file_size(f->flash), 1048576);
    assert_int_equal(host_board_set_option(&f->opts, "flash-size", "100000"), FW_E_INVAL);
    assert_int_equal(host_board_set_option(&f->opts, "flash-size", "262144"), FW_E_INVAL);
}

/* HMAC-SHA-256(device_key, "spark-derive-v1" || label), with the key read
 * straight from the secure file: checks the documented derivation. */
static void expected_derived(const char *secure, const char *label, uint8_t out[32])
{
    FILE *fp = fopen(secure, "r");
    assert_non_null(fp);
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = '\0';
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    const char *hex = cJSON_GetObjectItem(root, "device_key")->valuestring;
    assert_int_equal(strlen(hex), 64);
    uint8_t key[32];
    for (int i = 0; i < 32; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        key[i] = (uint8_t)v;
    }
    cJSON_Delete(root);
    char msg[128];
    snprintf(msg, sizeof msg, "spark-derive-v1%s", label);
    assert_int_equal(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, sizeof key,
                                     (const unsigned char *)msg, strlen(msg), out),
                     0);
}

static void test_reopen_keeps_key_counter_and_data(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(host_board_init(&f->opts), 0);
    uint8_t k1[32], k1b[32], other[32], expect[32];
    assert_int_equal(hal_secure_derive_key("store-mac-v1", k1), 0);
    assert_int_equal(hal_secure_derive_key("other-v1", other), 0);
    assert_memory_not_equal(k1, other, 32);
    expected_derived(f->secure, "store-mac-v1", expect);
    assert_memory_equal(k1, expect, 32);

    uint32_t v = 0;
    assert_int_equal(hal_secure_counter_increment(&v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(hal_secure_counter_increment(&v), 0);
    assert_int_equal(v, 2);
    const uint8_t data[16] = "persist me 12345";
    assert_int_equal(hal_flash_program(16384, data, sizeof data), 0);
    hal_identity_t id1, id2;
    assert_int_equal(hal_identity_get(&id1), 0);
    host_board_deinit();

    assert_int_equal(host_board_init(&f->opts), 0);
    assert_int_equal(hal_secure_derive_key("store-mac-v1", k1b), 0);
    assert_memory_equal(k1, k1b, 32);
    assert_int_equal(hal_secure_counter_read(&v), 0);
    assert_int_equal(v, 2);
    uint8_t back[16];
    assert_int_equal(hal_flash_read(16384, back, sizeof back), 0);
    assert_memory_equal(back, data, sizeof data);
    assert_int_equal(hal_identity_get(&id2), 0);
    assert_memory_equal(&id1, &id2, sizeof id1);
    /* NOR rules hold: programming over data is refused, erase restores 0xFF. */
    assert_int_equal(hal_flash_program(16384, data, sizeof data), FW_E_INVAL);
    assert_int_equal(hal_flash_erase(1), 0);
    assert_int_equal(hal_flash_read(16384, back, sizeof back), 0);
    assert_int_equal(back[0], 0xFF);
    /* No temporary file is left behind by the atomic rewrite. */
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->secure);
    assert_false(exists(tmp));
}

static void test_missing_secure_refused(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(host_board_init(&f->opts), 0);
    host_board_deinit();
    assert_int_equal(unlink(f->secure), 0);
    /* Up without storage (the agent serves emergency calls, docs/EMERGENCY.md). */
    assert_int_equal(host_board_init(&f->opts), 0);
    assert_false(host_board_storage_ok());
    assert_non_null(strstr(host_board_last_error(), "secure element"));
    assert_non_null(strstr(host_board_last_error(), f->secure));
    /* Nothing stayed open: the flash HAL reports "not up". */
    hal_flash_geometry_t geo;
    assert_int_equal(hal_flash_geometry(&geo), FW_E_STATE);
    hal_identity_t id;
    assert_int_equal(hal_identity_get(&id), FW_E_STATE);
    host_board_deinit();
    assert_false(exists(f->secure)); /* and the board did not invent a new key */
}

/* The unusable-storage board the agent runs on: init says 0, storage_ok no. */
static void init_without_storage(fixture_t *f, const char *why)
{
    assert_int_equal(host_board_init(&f->opts), 0);
    assert_false(host_board_storage_ok());
    assert_non_null(strstr(host_board_last_error(), why));
    host_board_deinit();
}

static void test_corrupt_secure_refused(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(host_board_init(&f->opts), 0);
    host_board_deinit();
    write_text(f->secure, "{\"version\":1,\"device_key\":\"abcd\",\"counter\":0}\n");
    init_without_storage(f, "device_key");
}

static void test_wrong_image_size_refused(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(host_board_init(&f->opts), 0);
    host_board_deinit();

    assert_int_equal(truncate(f->flash, FLASH_BYTES - 16384), 0); /* too small */
    init_without_storage(f, "bytes");

    assert_int_equal(truncate(f->flash, FLASH_BYTES + 1), 0); /* not whole sectors */
    init_without_storage(f, "bytes");

    assert_int_equal(truncate(f->flash, FLASH_BYTES), 0);
    f->opts.flash_size = 2 * FLASH_BYTES; /* explicit size disagrees: a usage error */
    assert_int_equal(host_board_init(&f->opts), FW_E_INVAL);
    assert_non_null(strstr(host_board_last_error(), "--flash-size"));
    f->opts.flash_size = 0;
    assert_int_equal(host_board_init(&f->opts), 0);
    assert_true(host_board_storage_ok());
}

static void test_double_init_refused(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(host_board_init(&f->opts), 0);
    assert_int_equal(host_board_init(&f->opts), FW_E_STATE);
}

static void test_cut_after_tears_and_blocks(void **state)
{
    fixture_t *f = *state;
    f->opts.cut_after = 3;
    capture_start(f);
    assert_int_equal(host_board_init(&f->opts), 0);
    uint8_t data[64];
    memset(data, 0x00, sizeof data);
    assert_int_equal(hal_flash_program(0, data, sizeof data), 0); /* op 1 */
    assert_int_equal(hal_flash_erase(2), 0);                      /* op 2 */
    assert_false(host_board_power_cut());
    assert_int_equal(hal_flash_program(64, data, sizeof data), FW_E_POWER); /* op 3: torn */
    assert_true(host_board_power_cut());
    assert_int_equal(hal_flash_program(128, data, sizeof data), FW_E_POWER);
    assert_int_equal(hal_flash_erase(3), FW_E_POWER);
    uint8_t back[64];
    assert_int_equal(hal_flash_read(0, back, sizeof back), FW_E_POWER);
    uint32_t v;
    assert_int_equal(hal_secure_counter_increment(&v), FW_E_POWER);
    host_board_deinit();
    const char *err = capture_stop(f);
    assert_non_null(strstr(err, "simulated power cut after 3 flash operations"));

    /* "Reboot" without a cut: op 1 is durable, op 4 never happened. */
    f->opts.cut_after = -1;
    assert_int_equal(host_board_init(&f->opts), 0);
    assert_int_equal(hal_flash_read(0, back, sizeof back), 0);
    assert_memory_equal(back, data, sizeof data);
    assert_int_equal(hal_flash_read(128, back, sizeof back), 0);
    for (size_t i = 0; i < sizeof back; i++) {
        assert_int_equal(back[i], 0xFF);
    }
    assert_int_equal(hal_secure_counter_read(&v), 0);
    assert_int_equal(v, 0);
}

/* --------------------------------------------------------------- clock */

static void test_clock_stepped(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(host_board_init(&f->opts), 0);
    int64_t now = 0;
    assert_int_equal(hal_clock_wall(&now), 0);
    assert_int_equal(now, T0);
    assert_int_equal(hal_clock_mono_ms(), 0);
    assert_int_equal(hal_clock_mono_ms(), 0); /* stepped: still, however long we take */
    hal_clock_wait_ms(1500);
    assert_int_equal(hal_clock_mono_ms(), 1500);
    assert_int_equal(hal_clock_wall(&now), 0);
    assert_int_equal(now, T0 + 1);
    hal_clock_wait_ms(3600u * 1000u);
    assert_int_equal(hal_clock_mono_ms(), 3601500);
    assert_int_equal(host_board_now(&now), 0);
    assert_int_equal(now, T0 + 3601);
    assert_int_equal(host_board_elapsed_ms(), 3601500);
    hal_input_event_t in;
    assert_int_equal(hal_input_poll(&in), 0);
    assert_true(hal_net_is_up());
}

static void test_clock_rate_scales_real_time(void **state)
{
    fixture_t *f = *state;
    f->opts.clock_rate = 1000; /* 1 real ms = 1 simulated second */
    assert_int_equal(host_board_init(&f->opts), 0);
    hal_clock_wait_ms(20000); /* 20 real ms */
    uint64_t ms = hal_clock_mono_ms();
    assert_true(ms >= 20000);
    assert_true(ms < 20000 + 2000000); /* generous: a loaded machine is slow */
}

static int64_t real_unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --clock-anchor: simulated time is --clock-start at that real instant, not
 * when this board started, and the scenario counts from --clock-start. A
 * board started a real second after the anchor at one simulated hour per
 * second is an hour in: what was due before is past. (The next entry is a
 * real second further on, so a preempted test still finds it ahead.) */
static void test_clock_anchor_in_the_past(void **state)
{
    fixture_t *f = *state;
    char *argv[] = {"agent", "--clock-rate", "3600", "--clock-anchor", "0", NULL};
    char anchor[32];
    snprintf(anchor, sizeof anchor, "%lld", (long long)(real_unix_ms() - 1000));
    argv[4] = anchor;
    int argc = 5;
    assert_int_equal(host_board_parse_args(&f->opts, &argc, argv), 0);
    assert_int_equal(argc, 1);
    write_text(f->scenario, "{\"t\":60,\"people\":1}\n"
                            "{\"t\":7200,\"people\":2}\n");
    f->opts.scenario_path = f->scenario;
    assert_int_equal(host_board_init(&f->opts), 0);
    int64_t now = 0;
    assert_int_equal(host_board_now(&now), 0);
    assert_true(now >= T0 + 3600);
    assert_true(now < T0 + 7200);                     /* started within a real second */
    assert_true(hal_clock_mono_ms() < 3600u * 1000u); /* counts from this start */
    hal_clock_wait_ms(2 * 3600u * 1000u);             /* ends at the second entry */
    hal_room_event_t ev;
    assert_int_equal(hal_room_poll(&ev), 1);
    assert_int_equal(ev.value, 2); /* the first was due before this run */
    assert_int_equal(hal_room_poll(&ev), 0);
}

/* An anchor a real second ahead: the board starts before --clock-start and
 * the scenario's t = 0 waits for it. */
static void test_clock_anchor_ahead(void **state)
{
    fixture_t *f = *state;
    f->opts.clock_rate = 36000;
    f->opts.clock_anchor_set = true;
    f->opts.clock_anchor_ms = real_unix_ms() + 1000;
    write_text(f->scenario, "{\"t\":0,\"people\":5}\n");
    f->opts.scenario_path = f->scenario;
    assert_int_equal(host_board_init(&f->opts), 0);
    int64_t now = 0;
    assert_int_equal(host_board_now(&now), 0);
    assert_true(now < T0);
    hal_room_event_t ev;
    assert_int_equal(hal_room_poll(&ev), 0);
    hal_clock_wait_ms(11 * 3600u * 1000u); /* ends at t = 0 */
    assert_int_equal(hal_room_poll(&ev), 1);
    assert_int_equal(ev.value, 5);
    assert_int_equal(host_board_now(&now), 0);
    assert_true(now >= T0);
}

static void test_stop_signal(void **state)
{
    fixture_t *f = *state;
    f->opts.clock_rate = 1;
    assert_int_equal(host_board_init(&f->opts), 0);
    assert_false(hal_system_stop_requested());
    raise(SIGTERM); /* the board's handler sets the flag and returns */
    /* cppcheck-suppress unreachableCode */
    assert_true(hal_system_stop_requested());
    hal_clock_wait_ms(60000); /* returns at once instead of sleeping a minute */
    assert_true(hal_clock_mono_ms() < 5000);
}

static void test_parse_time(void **state)
{
    (void)state;
    int64_t t = -1;
    assert_int_equal(host_board_parse_time("2026-12-01T09:00:00Z", &t), 0);
    assert_int_equal(t, T0);
    assert_int_equal(host_board_parse_time("2026-12-01T10:30:00+01:30", &t), 0);
    assert_int_equal(t, T0);
    assert_int_equal(host_board_parse_time("2026-12-01T07:00:00-02:00", &t), 0);
    assert_int_equal(t, T0);
    assert_int_equal(host_board_parse_time("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(host_board_parse_time("2024-02-29T00:00:00Z", &t), 0);
    assert_int_equal(t, 1709164800);
    assert_int_equal(host_board_parse_time("@1796115600", &t), 0);
    assert_int_equal(t, T0);
    /* One grammar for every tool (fw/iso8601.h): a date alone is midnight
     * UTC, as the collector and trialctl always read it. */
    assert_int_equal(host_board_parse_time("2026-12-01", &t), 0);
    assert_int_equal(t, T0 - 9 * 3600);

    static const char *const bad[] = {
        "xyz",
        "",
        "now", /* handled by the option, not the parser */
        "2026-12-01T09:00:00",
        "2026-12-01 09:00:00Z",
        "2026-13-01T09:00:00Z",
        "2026-00-01T09:00:00Z",
        "2025-02-29T09:00:00Z",
        "2026-04-31T09:00:00Z",
        "2026-12-01T24:00:00Z",
        "2026-12-01T09:60:00Z",
        "2026-12-01T09:00:60Z",
        "2026-12-01T09:00:00ZZ",
        "2026-12-01T09:00:00+0100",
        "1969-12-31T23:59:59Z",
        "@-5",
        "@12x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (host_board_parse_time(bad[i], &t) != FW_E_INVAL) {
            fail_msg("accepted '%s'", bad[i]);
        }
    }
}

static void test_options(void **state)
{
    fixture_t *f = *state;
    host_board_options_t o;
    host_board_options_default(&o);
    assert_true(o.clock_start_now);
    assert_true(o.clock_rate == 1.0);
    assert_int_equal(o.cut_after, -1);
    assert_int_equal(o.log_level, HAL_LOG_INFO);

    capture_start(f);
    assert_int_equal(host_board_set_option(&o, "clock-start", "xyz"), FW_E_INVAL);
    const char *err = capture_stop(f);
    assert_non_null(strstr(err, "--clock-start: expected ISO8601 like 2026-12-01T09:00:00Z"));
    assert_non_null(strstr(err, "got 'xyz'"));
    assert_non_null(strstr(host_board_last_error(), "got 'xyz'"));
    assert_int_equal(host_board_set_option(&o, "clock-rate", "-1"), FW_E_INVAL);
    assert_int_equal(host_board_set_option(&o, "clock-rate", "fast"), FW_E_INVAL);
    assert_int_equal(host_board_set_option(&o, "log-level", "loud"), FW_E_INVAL);
    assert_int_equal(host_board_set_option(&o, "cut-after", "0"), FW_E_INVAL);
    assert_int_equal(host_board_set_option(&o, "cut-after", "-3"), FW_E_INVAL);
    assert_int_equal(host_board_set_option(&o, "run-for", "5"), FW_E_NOENT);

    char *argv[] = {
        "agent",  "--flash",       "/tmp/x.img", "--run-for",   "5",         "--clock-rate=0",
        "--help", "--clock-start", "now",        "--log-level", "debug",     "--cut-after",
        "7",      "extra",         "--",         "--flash",     "not-board", NULL};
    int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
    assert_int_equal(host_board_parse_args(&o, &argc, argv), 0);
    assert_string_equal(o.flash_path, "/tmp/x.img");
    assert_true(o.clock_rate == 0);
    assert_true(o.clock_start_now);
    assert_int_equal(o.log_level, HAL_LOG_DEBUG);
    assert_int_equal(o.cut_after, 7);
    assert_int_equal(argc, 8);
    assert_string_equal(argv[1], "--run-for");
    assert_string_equal(argv[2], "5");
    assert_string_equal(argv[3], "--help");
    assert_string_equal(argv[4], "extra");
    assert_string_equal(argv[5], "--");
    assert_string_equal(argv[6], "--flash");
    assert_null(argv[8]);

    char *argv2[] = {"agent", "--clock-start", "2026-99-01T00:00:00Z", NULL};
    argc = 3;
    capture_start(f);
    assert_int_equal(host_board_parse_args(&o, &argc, argv2), FW_E_INVAL);
    capture_stop(f);
    char *argv3[] = {"agent", "--flash", NULL};
    argc = 2;
    capture_start(f);
    assert_int_equal(host_board_parse_args(&o, &argc, argv3), FW_E_INVAL);
    err = capture_stop(f);
    assert_non_null(strstr(err, "--flash: needs a value"));

    capture_start(f);
    host_board_usage(stderr);
    err = capture_stop(f);
    assert_non_null(strstr(err, "--clock-rate"));
    assert_non_null(strstr(err, "--scenario"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_factory_fresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_factory_files_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_factory_serial_and_size_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_key_counter_and_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_secure_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_secure_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_image_size_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_init_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_after_tears_and_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_stepped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_rate_scales_real_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_anchor_in_the_past, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_anchor_ahead, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}