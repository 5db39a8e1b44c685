/*
 * The room board and systemd (room_notify.c): the notify protocol as
 * spark-room-agent.service (Type=notify, WatchdogSec=) needs it. The test
 * plays the service manager: a datagram socket in NOTIFY_SOCKET.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "fw/err.h"
#include "hal/clock.h"
#include "room_internal.h"
#include "room_test_util.h"

typedef struct {
    room_tmp_t tmp;
    int fd;
} manager_t;

/* Bind the "service manager" socket and point NOTIFY_SOCKET at it. */
static void manager_open(manager_t *m, const char *watchdog_usec)
{
    assert_int_equal(room_tmp_make(&m->tmp), 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    room_tmp_path(&m->tmp, "notify", a.sun_path, sizeof a.sun_path);
    m->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    assert_true(m->fd >= 0);
    assert_int_equal(bind(m->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(setenv("NOTIFY_SOCKET", a.sun_path, 1), 0);
    if (watchdog_usec) {
        assert_int_equal(setenv("WATCHDOG_USEC", watchdog_usec, 1), 0);
    } else {
        unsetenv("WATCHDOG_USEC");
    }
    unsetenv("WATCHDOG_PID");
}

/* Count the datagrams received so far that contain `what`. */
static int manager_count(manager_t *m, const char *what, char *last, size_t cap)
{
    int n = 0;
    char buf[512];
    ssize_t got;
    while ((got = recv(m->fd, buf, sizeof buf - 1, 0)) > 0) {
        buf[got] = '\0';
        if (strstr(buf, what)) {
            n++;
            if (last) {
                snprintf(last, cap, "%s", buf);
            }
        }
    }
    return n;
}

static void manager_close(manager_t *m)
{
    close(m->fd);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    room_tmp_remove(&m->tmp);
}

static void test_ready_then_keepalives(void **state)
{
    (void)state;
    manager_t m;
    manager_open(&m, "100000"); /* WatchdogSec=100ms: keep-alive every 50 ms */
    room_notify_init();
    assert_int_equal(room_notify_next_ms(), 50);
    hal_clock_wait_ms(10);
    assert_int_equal(manager_count(&m, "READY=1", NULL, 0), 1);
    /* One wait far longer than the watchdog: it must still keep the service
     * alive (the wait is cut into keep-alive slices), and READY=1 only once. */
    hal_clock_wait_ms(400);
    char got[64];
    memset(got, 0, sizeof got);
    int n = manager_count(&m, "WATCHDOG=1", got, sizeof got);
    assert_true(n >= 5);
    assert_true(n <= 9);
    hal_clock_wait_ms(10);
    assert_int_equal(manager_count(&m, "READY=1", NULL, 0), 0);
    manager_close(&m);
}

static void test_no_watchdog_asked(void **state)
{
    (void)state;
    manager_t m;
    manager_open(&m, NULL);
    room_notify_init();
    assert_int_equal(room_notify_next_ms(), 0);
    hal_clock_wait_ms(120);
    assert_int_equal(manager_count(&m, "READY=1", NULL, 0), 1);
    assert_int_equal(manager_count(&m, "WATCHDOG=1", NULL, 0), 0);
    manager_close(&m);
}

static void test_failed_start_says_why(void **state)
{
    (void)state;
    manager_t m;
    manager_open(&m, "100000");
    room_board_options_t o;
    room_board_options_default(&o);
    char p[200];
    room_tmp_path(&m.tmp, "no-such-flash", p, sizeof p);
    snprintf(o.flash, sizeof o.flash, "%s", p);
    snprintf(o.serial, sizeof o.serial, "RKNOTIFY01");
    o.secure_backend = ROOM_SECURE_FILE;
    o.fb[0] = '\0';
    o.call_socket[0] = '\0';
    o.input[0][0] = '\0';
    /* Storage missing: the board comes up for emergency calls only, and
     * systemd's status says why. */
    assert_int_equal(room_board_init(&o), 0);
    char status[512] = "";
    assert_int_equal(manager_count(&m, "STATUS=", status, sizeof status), 1);
    assert_non_null(strstr(status, "emergency calls only"));
    assert_non_null(strstr(status, "no-such-flash"));
    room_board_deinit();
    /* A start that fails (the call socket's path is a regular file): the
     * status names it, and READY=1 never comes. */
    room_tmp_path(&m.tmp, "not-a-socket", o.call_socket, sizeof o.call_socket);
    assert_int_equal(room_write_file(o.call_socket, "x", 1), 0);
    assert_int_not_equal(room_board_init(&o), 0);
    /* two: emergency-calls-only again (the flash is still missing), then the failure */
    assert_int_equal(manager_count(&m, "STATUS=", status, sizeof status), 2);
    assert_non_null(strstr(status, "not-a-socket"));
    assert_int_equal(manager_count(&m, "READY=1", NULL, 0), 0);
    manager_close(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_then_keepalives),
        cmocka_unit_test(test_no_watchdog_asked),
        cmocka_unit_test(test_failed_start_says_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
