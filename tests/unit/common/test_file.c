/*
 * fw/file.h: the one whole-file reader and the one crash-atomic writer of
 * the boards and tools.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fw/err.h"
#include "fw/file.h"

typedef struct {
    char dir[64];
    char path[128];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/fw-file-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/state", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void put(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void test_read(void **state)
{
    fx_t *f = *state;
    uint8_t *buf = (uint8_t *)"x";
    size_t len = 99;
    assert_int_equal(fw_file_read(f->path, 16, &buf, &len), FW_E_NOENT);
    assert_null(buf);
    assert_int_equal(len, 0);

    static const uint8_t bytes[8] = {'a', 0, 'b', 0xff, 'c', '\n', 0, 'd'};
    put(f->path, bytes, sizeof bytes);
    assert_int_equal(fw_file_read(f->path, sizeof bytes, &buf, &len), 0); /* exactly max */
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(buf, bytes, sizeof bytes);
    assert_int_equal(buf[len], 0); /* a NUL after the data */
    free(buf);
    assert_int_equal(fw_file_read(f->path, sizeof bytes - 1, &buf, &len), FW_E_TOOBIG);
    assert_null(buf);

    put(f->path, "", 0);
    assert_int_equal(fw_file_read(f->path, 0, &buf, &len), 0);
    assert_int_equal(len, 0);
    assert_int_equal(buf[0], 0);
    free(buf);

    /* Larger than the first guess: grows to the end, then stops at max. */
    static uint8_t big[100000];
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)(i * 7);
    }
    put(f->path, big, sizeof big);
    assert_int_equal(fw_file_read(f->path, sizeof big + 5, &buf, &len), 0);
    assert_int_equal(len, sizeof big);
    assert_memory_equal(buf, big, sizeof big);
    free(buf);
    assert_int_equal(fw_file_read(f->path, 4096, &buf, &len), FW_E_TOOBIG);

    /* A file whose size says nothing (procfs, sysfs: 0 or 4096) is read to
     * its end; a directory is an error that says so. */
    assert_int_equal(fw_file_read("/proc/self/status", 1 << 20, &buf, &len), 0);
    assert_true(len > 20);
    assert_non_null(strstr((const char *)buf, "Name:"));
    free(buf);
    errno = 0;
    assert_int_equal(fw_file_read(f->dir, 1024, &buf, &len), FW_E_IO);
    assert_int_equal(errno, EISDIR);
    assert_string_equal(fw_file_error(FW_E_IO), strerror(EISDIR));
    assert_string_equal(fw_file_error(FW_E_TOOBIG), "too large");
    assert_int_equal(fw_file_read(NULL, 1, &buf, &len), FW_E_INVAL);
}

static void test_write_atomic(void **state)
{
    fx_t *f = *state;
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->path);
    mode_t old_mask = umask(0); /* the mode asked for, not the umask's */

    assert_int_equal(fw_file_write_atomic(f->path, "first\n", 6, 0600), 0);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(access(tmp, F_OK), -1); /* no leftover */
    uint8_t *buf;
    size_t len;
    assert_int_equal(fw_file_read(f->path, 64, &buf, &len), 0);
    assert_string_equal((const char *)buf, "first\n");
    free(buf);

    /* A leftover temporary file of an interrupted write, readable by all,
     * does not lend its mode to the new file. */
    put(tmp, "junk", 4);
    assert_int_equal(chmod(tmp, 0666), 0);
    assert_int_equal(fw_file_write_atomic(f->path, "second", 6, 0600), 0);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(fw_file_read(f->path, 64, &buf, &len), 0);
    assert_string_equal((const char *)buf, "second");
    free(buf);
    assert_int_equal(fw_file_write_atomic(f->path, NULL, 0, 0644), 0); /* empty */
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(fw_file_write_atomic(f->path, "third", 5, 0600), 0);

    /* Failures leave the old file as it was: the temporary name is taken
     * by a directory, or is a symbolic link (never followed). */
    assert_int_equal(mkdir(tmp, 0700), 0);
    assert_int_equal(fw_file_write_atomic(f->path, "lost", 4, 0600), FW_E_IO);
    assert_int_equal(rmdir(tmp), 0);
    char target[160];
    snprintf(target, sizeof target, "%s/elsewhere", f->dir);
    assert_int_equal(symlink(target, tmp), 0);
    assert_int_equal(fw_file_write_atomic(f->path, "lost", 4, 0600), FW_E_IO);
    assert_int_equal(access(target, F_OK), -1);
    assert_int_equal(unlink(tmp), 0);
    assert_int_equal(fw_file_read(f->path, 64, &buf, &len), 0);
    assert_string_equal((const char *)buf, "third");
    free(buf);

    char missing[160];
    snprintf(missing, sizeof missing, "%s/no/such/dir", f->dir);
    errno = 0;
    assert_int_equal(fw_file_write_atomic(missing, "x", 1, 0600), FW_E_IO);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(fw_file_sync_dir(f->path), 0);
    assert_int_equal(fw_file_sync_dir(missing), FW_E_IO);
    umask(old_mask);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
