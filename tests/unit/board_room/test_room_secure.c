/*
 * Room board secure element: the key file (created once, 0600, stable across
 * re-init, refused when others can read it), key derivation, and the counter
 * file (persistence, crash-safe update: a stale temp file left by a crash is
 * ignored and removed; a damaged or deleted counter is refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <mbedtls/md.h>

#include "fw/file.h"
#include "fw/err.h"
#include "hal/secure.h"
#include "room_counter.h"
#include "room_internal.h"
#include "room_test_util.h"

typedef struct {
    room_tmp_t tmp;
    char key[128], counter[128], counter_tmp[128];
} fx_t;

static int setup(void **state)
{
    fx_t *f = room_fx_new(sizeof *f);
    if (!f) {
        return -1;
    }
    room_tmp_path(&f->tmp, "device.key", f->key, sizeof f->key);
    room_tmp_path(&f->tmp, "counter", f->counter, sizeof f->counter);
    room_tmp_path(&f->tmp, "counter.tmp", f->counter_tmp, sizeof f->counter_tmp);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    room_secure_file_close();
    room_tmp_remove(&f->tmp);
    free(f);
    return 0;
}

static void read_text(const char *path, char *buf, size_t cap)
{
    uint8_t *text = NULL;
    size_t len = 0;
    assert_int_equal(fw_file_read(path, cap - 1, &text, &len), 0);
    memcpy(buf, text, len + 1);
    free(text);
}

static void test_first_boot_creates_key_and_counter(void **state)
{
    fx_t *f = *state;
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    struct stat st;
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, HAL_SECURE_KEY_LEN);
    assert_int_equal(stat(f->counter, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    uint32_t v = 99;
    assert_int_equal(hal_secure_counter_read(&v), 0);
    assert_int_equal(v, 0);
}

static void test_derivation_stable_and_label_bound(void **state)
{
    fx_t *f = *state;
    uint8_t a1[HAL_SECURE_KEY_LEN], a2[HAL_SECURE_KEY_LEN], b[HAL_SECURE_KEY_LEN];
    assert_int_equal(hal_secure_derive_key("store-mac-v1", a1), FW_E_STATE); /* not open */
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    assert_int_equal(hal_secure_derive_key("store-mac-v1", a1), 0);
    assert_int_equal(hal_secure_derive_key("link-psk-v1", b), 0);
    assert_memory_not_equal(a1, b, sizeof a1);
    room_secure_file_close();
    /* Re-init (a reboot): the same key file gives the same derived keys. */
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    assert_int_equal(hal_secure_derive_key("store-mac-v1", a2), 0);
    assert_memory_equal(a1, a2, sizeof a1);

    /* Matches HMAC-SHA-256(key, "spark-derive-v1" || label), as documented. */
    uint8_t key[HAL_SECURE_KEY_LEN], want[HAL_SECURE_KEY_LEN];
    int fd = open(f->key, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, key, sizeof key), (ssize_t)sizeof key);
    close(fd);
    const char msg[] = "spark-derive-v1store-mac-v1";
    assert_int_equal(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, sizeof key,
                                     (const unsigned char *)msg, strlen(msg), want),
                     0);
    assert_memory_equal(a1, want, sizeof want);
    assert_int_equal(hal_secure_derive_key(NULL, a1), FW_E_INVAL);
}

static void test_other_device_other_keys(void **state)
{
    fx_t *f = *state;
    room_tmp_t other = {{0}};
    assert_int_equal(room_tmp_make(&other), 0);
    uint8_t a[HAL_SECURE_KEY_LEN], b[HAL_SECURE_KEY_LEN];
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    assert_int_equal(hal_secure_derive_key("store-mac-v1", a), 0);
    room_secure_file_close();
    assert_int_equal(room_secure_file_open(other.dir), 0);
    assert_int_equal(hal_secure_derive_key("store-mac-v1", b), 0);
    room_secure_file_close();
    assert_memory_not_equal(a, b, sizeof a);
    room_tmp_remove(&other);
}

static void test_key_readable_by_others_is_refused(void **state)
{
    fx_t *f = *state;
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    room_secure_file_close();
    assert_int_equal(chmod(f->key, 0644), 0);
    assert_int_equal(room_secure_file_open(f->tmp.dir), FW_E_STATE);
    assert_non_null(strstr(room_board_last_error(), "0644"));
    assert_int_equal(chmod(f->key, 0600), 0);
    assert_int_equal(truncate(f->key, 16), 0);
    assert_int_equal(room_secure_file_open(f->tmp.dir), FW_E_CORRUPT);
}

static void test_counter_persists(void **state)
{
    fx_t *f = *state;
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    uint32_t v = 0;
    for (uint32_t i = 1; i <= 5; i++) {
        assert_int_equal(hal_secure_counter_increment(&v), 0);
        assert_int_equal(v, i);
    }
    room_secure_file_close();
    assert_int_equal(hal_secure_counter_read(&v), FW_E_STATE);
    assert_int_equal(hal_secure_counter_increment(&v), FW_E_STATE);
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    assert_int_equal(hal_secure_counter_read(&v), 0);
    assert_int_equal(v, 5);
    char text[64];
    read_text(f->counter, text, sizeof text);
    assert_string_equal(text, "spark-counter v1 5\n");
    assert_int_equal(access(f->counter_tmp, F_OK), -1); /* no temp file left behind */
}

static void test_stale_temp_from_a_crash_is_ignored(void **state)
{
    fx_t *f = *state;
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    uint32_t v;
    assert_int_equal(hal_secure_counter_increment(&v), 0);
    assert_int_equal(hal_secure_counter_increment(&v), 0);
    room_secure_file_close();
    /* A crash between writing counter.tmp and renaming it: the new value was
     * never acknowledged, so the old one stands, whatever the temp holds
     * (here even a torn, half-written line). */
    assert_int_equal(room_write_file(f->counter_tmp, "spark-counter v1 7", 18), 0);
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    assert_int_equal(hal_secure_counter_read(&v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(access(f->counter_tmp, F_OK), -1);
    assert_int_equal(hal_secure_counter_increment(&v), 0);
    assert_int_equal(v, 3);
}

static void test_damaged_or_deleted_counter_is_refused(void **state)
{
    fx_t *f = *state;
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    room_secure_file_close();
    static const char *const bad[] = {
        "",
        "spark-counter v1 \n",
        "spark-counter v1 12",
        "spark-counter v1 -1\n",
        "spark-counter v1 4294967296\n",
        "spark-counter v2 1\n",
        "spark-counter v1 1 \n",
        "garbage",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(room_write_file(f->counter, bad[i], strlen(bad[i])), 0);
        assert_int_equal(room_secure_file_open(f->tmp.dir), FW_E_CORRUPT);
    }
    const char good[] = "spark-counter v1 4294967295\n";
    assert_int_equal(room_write_file(f->counter, good, strlen(good)), 0);
    assert_int_equal(room_secure_file_open(f->tmp.dir), 0);
    uint32_t v;
    assert_int_equal(hal_secure_counter_increment(&v), FW_E_NOSPACE);
    room_secure_file_close();
    /* Key present, counter gone: never silently restarted at 0. */
    assert_int_equal(unlink(f->counter), 0);
    assert_int_equal(room_secure_file_open(f->tmp.dir), FW_E_NOENT);
    assert_int_equal(access(f->counter, F_OK), -1);
}

static void test_missing_secure_dir(void **state)
{
    fx_t *f = *state;
    char p[160];
    room_tmp_path(&f->tmp, "not-mounted", p, sizeof p);
    assert_int_equal(room_secure_file_open(p), FW_E_NOENT);
}

int main(void)
{
    room_log_open(HAL_LOG_ERROR, true);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_boot_creates_key_and_counter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_derivation_stable_and_label_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_device_other_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_readable_by_others_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_persists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_temp_from_a_crash_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_or_deleted_counter_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_secure_dir, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    room_log_close();
    return failed;
}
