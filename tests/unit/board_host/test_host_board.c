/*
 * The host board itself: factory creation, the secure file, power cuts, the
 * stepped clock, scenario parsing and delivery, PNG screens.
 *
 * Links board_host (not the fakes): these tests check the simulation the
 * other tests and the demo rely on. Every test works in its own mkdtemp dir.
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

#define T0 1796115600LL /* 2026-12-01T09:00:00Z */
#define FLASH_BYTES (512u * 1024u)

typedef struct {
    char dir[64];
    char flash[128];
    char secure[136];
    char screen[128];
    char scenario[128];
    host_board_options_t opts;
} fixture_t;

/* ------------------------------------------------------------- helpers */

static void path_in(const fixture_t *f, char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", f->dir, name);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_host_board.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    path_in(f, f->flash, sizeof f->flash, "flash.img");
    snprintf(f->secure, sizeof f->secure, "%s.secure", f->flash);
    path_in(f, f->screen, sizeof f->screen, "screen");
    path_in(f, f->scenario, sizeof f->scenario, "scen.jsonl");
    host_board_options_default(&f->opts);
    f->opts.flash_path = f->flash;
    f->opts.clock_start_now = false;
    f->opts.clock_start = T0;
    f->opts.clock_rate = 0;
    f->opts.log_level = HAL_LOG_ERROR; /* keep test output readable */
    *state = f;
    return 0;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    host_board_deinit();
    remove_tree(f->dir);
    free(f);
    return 0;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Stderr to a file while `fn` runs, then the file's text (malloc'd). */
static int s_saved_stderr = -1;

static void capture_start(const fixture_t *f)
{
    char path[256];
    path_in(f, path, sizeof path, "stderr.txt");
    fflush(stderr);
    s_saved_stderr = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    dup2(fd, 2);
    close(fd);
}

static char *capture_stop(const fixture_t *f)
{
    fflush(stderr);
    dup2(s_saved_stderr, 2);
    close(s_saved_stderr);
    char path[256];
    path_in(f, path, sizeof path, "stderr.txt");
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

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
        cmocka_unit_test_setup_teardown(test_scenario_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenario_same_time_keeps_file_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenario_bad_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenario_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_display_png, setup, teardown),
        cmocka_unit_test_setup_teardown(test_display_without_screen_dir, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
