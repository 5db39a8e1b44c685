/*
 * The room board's options: the key=value config file and the setter the
 * flags share. Good files set every key; each bad key or value is refused
 * with a message naming the key (and file:line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fw/err.h"
#include "room/room_board.h"
#include "room_config.h"
#include "room_test_util.h"

typedef struct {
    room_tmp_t tmp;
    char path[128];
    room_board_options_t opts;
    char err[384];
} fx_t;

static int setup(void **state)
{
    fx_t *f = room_fx_new(sizeof *f);
    if (!f) {
        return -1;
    }
    room_tmp_path(&f->tmp, "room.conf", f->path, sizeof f->path);
    room_board_options_default(&f->opts);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    room_tmp_remove(&f->tmp);
    free(f);
    return 0;
}

static int load(fx_t *f, const char *text)
{
    assert_int_equal(room_write_file(f->path, text, strlen(text)), 0);
    f->err[0] = '\0';
    return room_board_load_config(&f->opts, f->path, f->err, sizeof f->err);
}

static void test_defaults(void **state)
{
    fx_t *f = *state;
    assert_string_equal(f->opts.flash, ROOM_DEFAULT_FLASH);
    assert_string_equal(f->opts.secure_dir, ROOM_DEFAULT_SECURE_DIR);
    assert_string_equal(f->opts.fb, ROOM_DEFAULT_FB);
    assert_string_equal(f->opts.call_socket, ROOM_DEFAULT_CALL_SOCKET);
    assert_int_equal(f->opts.flash_sector_size, ROOM_DEFAULT_SECTOR_SIZE);
    assert_int_equal(f->opts.log_level, HAL_LOG_INFO);
    assert_false(f->opts.log_stderr);
}

static void test_good_file(void **state)
{
    fx_t *f = *state;
    assert_int_equal(load(f, "# the room board\n"
                             "\n"
                             "flash = /dev/mtd3\n"
                             "  flash_sector_size=65536  \n"
                             "flash_program_unit=8\r\n"
                             "secure_dir=/var/lib/spark/secure\n"
                             "fb=none\n"
                             "font=/usr/share/fonts/x.ttf\n"
                             "call_socket=/run/spark/c.sock\n"
                             "iface=end0\n"
                             "input=/dev/input/event2,/dev/input/event5\n"
                             "serial=RK-0001\n"
                             "model=Spark Room Kit Pro\n"
                             "hw_revision=3\n"
                             "log_level=debug\n"
                             "log_stderr=yes\n"
                             "serial=RK-0002"), /* last one wins, no final newline */
                     0);
    const room_board_options_t *o = &f->opts;
    assert_string_equal(o->flash, "/dev/mtd3");
    assert_int_equal(o->flash_sector_size, 65536);
    assert_int_equal(o->flash_program_unit, 8);
    assert_string_equal(o->fb, "");
    assert_string_equal(o->font, "/usr/share/fonts/x.ttf");
    assert_string_equal(o->call_socket, "/run/spark/c.sock");
    assert_string_equal(o->iface, "end0");
    assert_string_equal(o->input[0], "/dev/input/event2");
    assert_string_equal(o->input[1], "/dev/input/event5");
    assert_string_equal(o->input[2], "");
    assert_string_equal(o->serial, "RK-0002");
    assert_string_equal(o->model, "Spark Room Kit Pro");
    assert_int_equal(o->hw_revision, 3);
    assert_int_equal(o->log_level, HAL_LOG_DEBUG);
    assert_true(o->log_stderr);
    assert_int_equal(load(f, "input=none\ncall_socket=none\n"), 0);
    assert_string_equal(o->input[0], "");
    assert_string_equal(o->call_socket, "");
}

static void test_bad_files_name_the_key(void **state)
{
    fx_t *f = *state;
    static const struct {
        const char *text;
        int rc;
        const char *must_say;
    } bad[] = {
        {"flash=/dev/mtd3\ncolour=blue\n", FW_E_NOENT, ":2: key 'colour': unknown key"},
        {"secure-dir=/x\n", FW_E_NOENT, "key 'secure-dir'"},
        {"flash\n", FW_E_FORMAT, ":1: expected key=value"},
        {"=/dev/mtd0\n", FW_E_FORMAT, "empty key"},
        {"flash=relative/path\n", FW_E_INVAL, "key 'flash': expected an absolute path"},
        {"flash=\n", FW_E_INVAL, "key 'flash'"},
        {"flash_sector_size=3000\n", FW_E_INVAL, "key 'flash_sector_size'"},
        {"flash_sector_size=-4096\n", FW_E_INVAL, "key 'flash_sector_size'"},
        {"flash_sector_size=99999999999999999999\n", FW_E_INVAL, "key 'flash_sector_size'"},
        {"flash_sector_size=1048576\n", FW_E_INVAL, "key 'flash_sector_size'"},
        {"flash_program_unit=0\n", FW_E_INVAL, "key 'flash_program_unit'"},
        {"flash_program_unit=8x\n", FW_E_INVAL, "key 'flash_program_unit'"},
        {"fb=fb0\n", FW_E_INVAL, "key 'fb'"},
        {"hw_revision=65536\n", FW_E_INVAL, "key 'hw_revision'"},
        {"hw_revision= \n", FW_E_INVAL, "key 'hw_revision'"},
        {"log_level=verbose\n", FW_E_INVAL, "key 'log_level': expected error|warn|info|debug"},
        {"log_stderr=maybe\n", FW_E_INVAL, "key 'log_stderr'"},
        {"iface=../../etc\n", FW_E_INVAL, "key 'iface'"},
        {"iface=averyveryverylongname0\n", FW_E_INVAL, "key 'iface'"},
        {"serial=0123456789012345678901234567890123\n", FW_E_INVAL, "key 'serial'"},
        {"model=a\tb\n", FW_E_INVAL, "key 'model'"},
        {"input=/dev/input/event0,\n", FW_E_INVAL, "key 'input'"},
        {"input=/a,/b,/c,/d,/e\n", FW_E_INVAL, "key 'input'"},
        {"input=event0\n", FW_E_INVAL, "key 'input'"},
        {"call_socket=/run/spark/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n",
         FW_E_INVAL, "key 'call_socket'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        room_board_options_default(&f->opts);
        int rc = load(f, bad[i].text);
        if (rc != bad[i].rc || !strstr(f->err, bad[i].must_say) || !strstr(f->err, f->path)) {
            fail_msg("case %zu (%s): rc %d, message '%s'", i, bad[i].text, rc, f->err);
        }
    }
}

static void test_long_line_and_missing_file(void **state)
{
    fx_t *f = *state;
    char text[ROOM_CONFIG_LINE_MAX + 64];
    memset(text, 'a', sizeof text);
    memcpy(text, "model=", 6);
    text[sizeof text - 2] = '\n';
    text[sizeof text - 1] = '\0';
    assert_int_equal(load(f, text), FW_E_TOOBIG);
    assert_non_null(strstr(f->err, ":1: line longer than"));
    char missing[160];
    room_tmp_path(&f->tmp, "absent.conf", missing, sizeof missing);
    assert_int_equal(room_board_load_config(&f->opts, missing, f->err, sizeof f->err), FW_E_IO);
    assert_non_null(strstr(f->err, "absent.conf"));
}

static void test_flag_names_map_to_keys(void **state)
{
    fx_t *f = *state;
    assert_int_equal(
        room_board_set_option(&f->opts, "secure-dir", "/srv/sec", f->err, sizeof f->err), 0);
    assert_string_equal(f->opts.secure_dir, "/srv/sec");
    assert_int_equal(
        room_board_set_option(&f->opts, "flash-sector-size", "4096", f->err, sizeof f->err), 0);
    assert_int_equal(f->opts.flash_sector_size, 4096);
    assert_int_equal(room_board_set_option(&f->opts, "nope", "1", f->err, sizeof f->err),
                     FW_E_NOENT);
    assert_string_equal(f->err, "key 'nope': unknown key");
    assert_int_equal(room_board_set_option(&f->opts, "flash", "/x", NULL, 0), 0);
}

/* The support port (issue 12): on at [::]:5684 unless the file says where
 * or "off"; an address that is not ADDR:PORT is refused naming the key. */
static void test_support_listen(void **state)
{
    fx_t *f = *state;
    assert_string_equal(f->opts.support_listen, "[::]:5684");
    assert_int_equal(load(f, "support_listen = 192.0.2.10:5690\n"), 0);
    assert_string_equal(f->opts.support_listen, "192.0.2.10:5690");
    assert_int_equal(load(f, "support_listen = off\n"), 0);
    assert_string_equal(f->opts.support_listen, "");
    assert_int_equal(
        room_board_set_option(&f->opts, "support-listen", "[::1]:5684", f->err, sizeof f->err), 0);
    assert_string_equal(f->opts.support_listen, "[::1]:5684");
    static const char *const bad[] = {"5684",        "room.example:5684", "[::1]",
                                      "127.0.0.1:0", "127.0.0.1:65536",   "127.0.0.1:56x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(
            room_board_set_option(&f->opts, "support_listen", bad[i], f->err, sizeof f->err),
            FW_E_INVAL);
        assert_non_null(strstr(f->err, "key 'support_listen': expected ADDR:PORT"));
        assert_string_equal(f->opts.support_listen, "[::1]:5684"); /* unchanged */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_good_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files_name_the_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line_and_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_names_map_to_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_support_listen, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
