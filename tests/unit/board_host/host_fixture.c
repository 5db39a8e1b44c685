/*
 * The fixture of the host board's tests (host_fixture.h): a fresh mkdtemp
 * dir per test with the board's default options pointed into it, and the
 * small file and stderr helpers the tests share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_fixture.h"

void path_in(const fixture_t *f, char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", f->dir, name);
}

int setup(void **state)
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

int teardown(void **state)
{
    fixture_t *f = *state;
    host_board_deinit();
    remove_tree(f->dir);
    free(f);
    return 0;
}

void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Stderr to a file while `fn` runs, then the file's text (malloc'd). */
static int s_saved_stderr = -1;

void capture_start(const fixture_t *f)
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

char *capture_stop(const fixture_t *f)
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
