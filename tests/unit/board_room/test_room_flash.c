/*
 * Room board flash over a plain file (the eMMC-partition path): geometry,
 * erase, program, refusal to program non-erased bytes, bounds, alignment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fw/err.h"
#include "hal/flash.h"
#include "room_internal.h"
#include "room_test_util.h"

#include <sys/file.h>

#define SECTOR 4096u
#define SECTORS 8u

typedef struct {
    room_tmp_t tmp;
    char path[128];
} fx_t;

static int setup(void **state)
{
    fx_t *f = room_fx_new(sizeof *f);
    if (!f) {
        return -1;
    }
    room_tmp_path(&f->tmp, "flash.bin", f->path, sizeof f->path);
    /* One extra partial sector: must be ignored, not refused. */
    if (room_write_filled(f->path, SECTOR * SECTORS + 100, 0xFF) != 0) {
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    room_flash_close();
    room_tmp_remove(&f->tmp);
    free(f);
    return 0;
}

static void test_closed_flash_is_state(void **state)
{
    (void)state;
    hal_flash_geometry_t geo;
    uint8_t b;
    assert_int_equal(hal_flash_geometry(&geo), FW_E_STATE);
    assert_int_equal(hal_flash_read(0, &b, 1), FW_E_STATE);
    assert_int_equal(hal_flash_program(0, &b, 1), FW_E_STATE);
    assert_int_equal(hal_flash_erase(0), FW_E_STATE);
}

static void test_geometry(void **state)
{
    fx_t *f = *state;
    assert_int_equal(room_flash_open(f->path, SECTOR, 8), 0);
    assert_false(room_flash_is_mtd());
    hal_flash_geometry_t geo;
    assert_int_equal(hal_flash_geometry(&geo), 0);
    assert_int_equal(geo.sector_size, SECTOR);
    assert_int_equal(geo.sector_count, SECTORS);
    assert_int_equal(geo.program_unit, 8);
    /* A second open while one is up is a programmer error, reported. */
    assert_int_equal(room_flash_open(f->path, SECTOR, 8), FW_E_STATE);
}

static void test_missing_and_tiny_files(void **state)
{
    fx_t *f = *state;
    char p[160];
    room_tmp_path(&f->tmp, "nope.bin", p, sizeof p);
    assert_int_equal(room_flash_open(p, SECTOR, 1), FW_E_NOENT);
    room_tmp_path(&f->tmp, "tiny.bin", p, sizeof p);
    assert_int_equal(room_write_filled(p, SECTOR - 1, 0xFF), 0);
    assert_int_equal(room_flash_open(p, SECTOR, 1), FW_E_CORRUPT);
    assert_int_equal(room_flash_open(f->path, 3000, 1), FW_E_INVAL); /* not a power of two */
}

static void test_program_read_erase(void **state)
{
    fx_t *f = *state;
    assert_int_equal(room_flash_open(f->path, SECTOR, 1), 0);
    const uint8_t data[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    assert_int_equal(hal_flash_program(SECTOR + 32, data, sizeof data), 0);
    uint8_t back[16];
    assert_int_equal(hal_flash_read(SECTOR + 32, back, sizeof back), 0);
    assert_memory_equal(back, data, sizeof data);

    /* Persisted in the file itself, not only in a cache of ours. */
    room_flash_close();
    assert_int_equal(room_flash_open(f->path, SECTOR, 1), 0);
    assert_int_equal(hal_flash_read(SECTOR + 32, back, sizeof back), 0);
    assert_memory_equal(back, data, sizeof data);

    assert_int_equal(hal_flash_erase(1), 0);
    assert_int_equal(hal_flash_read(SECTOR + 32, back, sizeof back), 0);
    for (size_t i = 0; i < sizeof back; i++) {
        assert_int_equal(back[i], 0xFF);
    }
    /* Erasing sector 1 left sector 0 and 2 alone. */
    assert_int_equal(hal_flash_program(SECTOR - 1, data, 1), 0);
    assert_int_equal(hal_flash_program(2 * SECTOR, data + 1, 1), 0);
    assert_int_equal(hal_flash_erase(1), 0);
    assert_int_equal(hal_flash_read(SECTOR - 1, back, 1), 0);
    assert_int_equal(back[0], 1);
    assert_int_equal(hal_flash_read(2 * SECTOR, back, 1), 0);
    assert_int_equal(back[0], 2);
}

static void test_refuses_non_erased(void **state)
{
    fx_t *f = *state;
    assert_int_equal(room_flash_open(f->path, SECTOR, 1), 0);
    const uint8_t a[4] = {0xF0, 0xF0, 0xF0, 0xF0};
    const uint8_t b[4] = {0x00, 0x00, 0x00, 0x00};
    assert_int_equal(hal_flash_program(100, a, sizeof a), 0);
    /* Only clearing bits would work on NOR, but we refuse any non-erased byte. */
    assert_int_equal(hal_flash_program(100, b, sizeof b), FW_E_INVAL);
    assert_int_equal(hal_flash_program(98, b, sizeof b), FW_E_INVAL); /* overlaps by two */
    uint8_t back[4];
    assert_int_equal(hal_flash_read(100, back, sizeof back), 0);
    assert_memory_equal(back, a, sizeof a); /* untouched by the refused writes */
    assert_int_equal(hal_flash_read(98, back, 2), 0);
    assert_int_equal(back[0], 0xFF);
    assert_int_equal(back[1], 0xFF);
    /* After an erase the same bytes program again. */
    assert_int_equal(hal_flash_erase(0), 0);
    assert_int_equal(hal_flash_program(100, b, sizeof b), 0);
}

static void test_bounds_and_alignment(void **state)
{
    fx_t *f = *state;
    assert_int_equal(room_flash_open(f->path, SECTOR, 8), 0);
    uint8_t buf[16];
    memset(buf, 0, sizeof buf);
    const uint32_t end = SECTOR * SECTORS;
    assert_int_equal(hal_flash_read(end - 16, buf, 16), 0);
    assert_int_equal(hal_flash_read(end - 15, buf, 16), FW_E_INVAL);
    assert_int_equal(hal_flash_read(end, buf, 1), FW_E_INVAL);
    assert_int_equal(hal_flash_read(UINT32_MAX, buf, 2), FW_E_INVAL); /* no wrap-around */
    assert_int_equal(hal_flash_read(end, buf, 0), 0);
    assert_int_equal(hal_flash_program(end - 8, buf, 16), FW_E_INVAL);
    assert_int_equal(hal_flash_program(4, buf, 8), FW_E_INVAL); /* unaligned offset */
    assert_int_equal(hal_flash_program(8, buf, 4), FW_E_INVAL); /* partial unit */
    assert_int_equal(hal_flash_program(end - 8, buf, 8), 0);
    assert_int_equal(hal_flash_erase(SECTORS), FW_E_INVAL);
    assert_int_equal(hal_flash_erase(UINT32_MAX), FW_E_INVAL);
    assert_int_equal(hal_flash_read(0, NULL, 1), FW_E_INVAL);
    assert_int_equal(hal_flash_program(0, NULL, 8), FW_E_INVAL);
}

static void test_second_opener_is_refused(void **state)
{
    fx_t *f = *state;
    /* Another process (here: another descriptor) holding the lock. */
    int other = open(f->path, O_RDWR);
    assert_true(other >= 0);
    assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
    assert_int_equal(room_flash_open(f->path, SECTOR, 1), FW_E_STATE);
    close(other);
    assert_int_equal(room_flash_open(f->path, SECTOR, 1), 0);
}

/* room_flash_probe(): a tool's read-only look at a device (sparkflash checks
 * a room target's size before opening it). It must agree with the open
 * flash, work while another process holds the flash, and refuse a character
 * device that is not MTD rather than guess a geometry. */
static void test_probe(void **state)
{
    fx_t *f = *state;
    hal_flash_geometry_t geo, open_geo;
    assert_int_equal(room_flash_probe(f->path, SECTOR, 4, &geo), 0);
    assert_int_equal(geo.sector_size, SECTOR);
    assert_int_equal(geo.sector_count, SECTORS);
    assert_int_equal(geo.program_unit, 4);

    assert_int_equal(room_flash_open(f->path, SECTOR, 4), 0);
    assert_int_equal(hal_flash_geometry(&open_geo), 0);
    assert_memory_equal(&geo, &open_geo, sizeof geo);
    /* The open flash is flock'ed; a probe does not lock, so it still works. */
    memset(&geo, 0, sizeof geo);
    assert_int_equal(room_flash_probe(f->path, SECTOR, 4, &geo), 0);
    assert_int_equal(geo.sector_count, SECTORS);

    assert_int_equal(room_flash_probe("/dev/null", SECTOR, 1, &geo), FW_E_INVAL);
    assert_non_null(strstr(room_board_last_error(), "not an MTD"));
    assert_int_equal(room_flash_probe(f->path, 3000, 1, &geo), FW_E_INVAL);
    char missing[160];
    room_tmp_path(&f->tmp, "absent.bin", missing, sizeof missing);
    assert_int_equal(room_flash_probe(missing, SECTOR, 1, &geo), FW_E_NOENT);
}

int main(void)
{
    room_log_open(HAL_LOG_ERROR, true);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_closed_flash_is_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_geometry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_tiny_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_program_read_erase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_non_erased, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounds_and_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_opener_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    room_log_close();
    return failed;
}
