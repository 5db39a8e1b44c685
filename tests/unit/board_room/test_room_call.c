/*
 * The calling stack's line protocol: good lines, every kind of bad line
 * (refused with a reason, never a crash), and the socket end to end: a
 * "stack" on a loopback Unix datagram socket dials, gets allow/deny back,
 * reports usage; garbage and floods are dropped, bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "fw/err.h"
#include "hal/call.h"
#include "hal/clock.h"
#include "hal/room.h"
#include "room_config.h"
#include "room_internal.h"
#include "room_proto.h"
#include "room_test_util.h"

/* ------------------------------------------------------------- parsing */

static int parse(const char *s, room_msg_t *m)
{
    char why[64];
    return room_proto_parse(s, strlen(s), m, why, sizeof why);
}

static void test_good_lines(void **state)
{
    (void)state;
    room_msg_t m;
    assert_int_equal(parse("dial 7 +4420794600", &m), 0);
    assert_int_equal(m.kind, ROOM_MSG_DIAL);
    assert_int_equal(m.id, 7);
    assert_string_equal(m.number, "+4420794600");
    assert_int_equal(parse("dial 4294967295 112\n", &m), 0);
    assert_int_equal(m.id, 4294967295u);
    assert_string_equal(m.number, "112");
    assert_int_equal(parse("dial 0 *31#012345678901234567890123456", &m), 0); /* 31 chars */
    assert_int_equal(strlen(m.number), 31);
    assert_int_equal(parse("ended 7 3600", &m), 0);
    assert_int_equal(m.kind, ROOM_MSG_ENDED);
    assert_int_equal(m.id, 7);
    assert_int_equal(m.value, 3600);
    assert_int_equal(parse("meeting 1800\n", &m), 0);
    assert_int_equal(m.kind, ROOM_MSG_MEETING);
    assert_int_equal(m.value, 1800);
    assert_int_equal(parse("share 0", &m), 0);
    assert_int_equal(m.kind, ROOM_MSG_SHARE);
    assert_int_equal(parse("people 12", &m), 0);
    assert_int_equal(m.kind, ROOM_MSG_PEOPLE);
    assert_int_equal(m.value, 12);
    assert_int_equal(parse("hello", &m), 0);
    assert_int_equal(m.kind, ROOM_MSG_HELLO);
    assert_int_equal(parse("incoming 8 +15550100", &m), 0);
    assert_int_equal(m.kind, ROOM_MSG_INCOMING);
    assert_int_equal(m.id, 8);
    assert_string_equal(m.number, "+15550100");
    assert_int_equal(parse("incoming 9\n", &m), 0); /* caller id withheld */
    assert_int_equal(m.kind, ROOM_MSG_INCOMING);
    assert_int_equal(m.id, 9);
    assert_string_equal(m.number, "");
}

static void test_bad_lines(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "\n",
        "\n\n",
        " ",
        "dial",
        "dial 7",
        "dial 7 ",
        "dial  7 112",
        " dial 7 112",
        "dial 7 112 extra",
        "dial x 112",
        "dial -1 112",
        "dial +1 112",
        "dial 4294967296 112",
        "dial 99999999999 112",
        "dial 7 abc",
        "dial 7 11 2",
        "dial 7 1;2",
        "dial 7 01234567890123456789012345678901", /* 32 chars */
        "ended 7",
        "ended 7 x",
        "ended 7 1 2",
        "meeting",
        "meeting -5",
        "meeting 5 5",
        "meeting 0x10",
        "share",
        "people",
        "people 1e3",
        "hello there",
        "DIAL 7 112",
        "bogus 1",
        "dial\t7\t112",
        "dial 7 112\r",
        "dial 7 112\n\n",
        "lines held",
        "incoming",
        "incoming x",
        "incoming 7 ",
        "incoming 7 1 2",
        "incoming 7 anonymous",
        "incoming 7 01234567890123456789012345678901",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        room_msg_t m;
        char why[64] = "";
        int rc = room_proto_parse(bad[i], strlen(bad[i]), &m, why, sizeof why);
        if (rc == 0) {
            fail_msg("accepted bad line #%zu '%s'", i, bad[i]);
        }
        assert_true(why[0] != '\0');
    }
    /* Bytes a string literal cannot hold: NUL inside, high bytes. */
    room_msg_t m;
    assert_int_equal(room_proto_parse("dial 7\0 112", 11, &m, NULL, 0), FW_E_FORMAT);
    assert_int_equal(room_proto_parse("dial 7 \xff\xfe", 9, &m, NULL, 0), FW_E_FORMAT);
    char longline[300];
    memset(longline, '1', sizeof longline);
    memcpy(longline, "people ", 7);
    assert_int_equal(room_proto_parse(longline, sizeof longline, &m, NULL, 0), FW_E_TOOBIG);
    assert_int_equal(room_proto_parse(NULL, 3, &m, NULL, 0), FW_E_FORMAT);
}

static void test_format(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(room_proto_format_decision(out, sizeof out, 7, true), 8);
    assert_string_equal(out, "allow 7\n");
    assert_int_equal(room_proto_format_decision(out, sizeof out, 4294967295u, false), 16);
    assert_string_equal(out, "deny 4294967295\n");
    assert_int_equal(room_proto_format_lines(out, sizeof out, true), 11);
    assert_string_equal(out, "lines held\n");
    assert_int_equal(room_proto_format_lines(out, sizeof out, false), 15);
    assert_string_equal(out, "lines released\n");
    assert_int_equal(room_proto_format_decision(out, 5, 7, true), FW_E_NOSPACE);
}

/* -------------------------------------------------------------- socket */

typedef struct {
    room_tmp_t tmp;
    char agent[128], stack[128];
    int fd; /* the calling stack's socket */
} fx_t;

static int setup(void **state)
{
    fx_t *f = room_fx_new(sizeof *f);
    if (!f) {
        return -1;
    }
    room_tmp_path(&f->tmp, "call.sock", f->agent, sizeof f->agent);
    room_tmp_path(&f->tmp, "stack.sock", f->stack, sizeof f->stack);
    if (room_call_open(f->agent) != 0) {
        return -1;
    }
    f->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, f->stack);
    if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        return -1;
    }
    struct timeval tv = {.tv_sec = 2};
    (void)setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv); /* bounded test */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    room_call_close();
    close(f->fd);
    room_tmp_remove(&f->tmp);
    free(f);
    return 0;
}

static void stack_send(const fx_t *f, const void *data, size_t len)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, f->agent);
    assert_int_equal(sendto(f->fd, data, len, 0, (struct sockaddr *)&a, sizeof a), (ssize_t)len);
}

static void stack_says(const fx_t *f, const char *line)
{
    stack_send(f, line, strlen(line));
}

static void stack_expect(const fx_t *f, const char *want)
{
    char buf[64];
    ssize_t n = recv(f->fd, buf, sizeof buf - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static void test_dial_allow_deny(void **state)
{
    fx_t *f = *state;
    hal_call_event_t ev;
    assert_int_equal(hal_call_poll(&ev), 0);
    stack_says(f, "dial 7 112\n");
    stack_says(f, "dial 8 +15551234567");
    assert_int_equal(hal_call_poll(&ev), 1);
    assert_int_equal(ev.kind, HAL_CALL_EV_DIAL);
    assert_int_equal(ev.id, 7);
    assert_string_equal(ev.number, "112");
    assert_int_equal(hal_call_decide(7, true), 0);
    stack_expect(f, "allow 7\n");
    assert_int_equal(hal_call_poll(&ev), 1);
    assert_int_equal(ev.id, 8);
    assert_int_equal(hal_call_decide(8, false), 0);
    stack_expect(f, "deny 8\n");
    stack_says(f, "ended 7 95");
    assert_int_equal(hal_call_poll(&ev), 1);
    assert_int_equal(ev.kind, HAL_CALL_EV_ENDED);
    assert_int_equal(ev.seconds, 95);
    assert_int_equal(hal_call_poll(&ev), 0);
}

static void test_room_events_and_lines(void **state)
{
    fx_t *f = *state;
    /* Lines state before any stack spoke: kept, sent on hello. */
    assert_int_equal(hal_call_set_lines_held(true), 0);
    stack_says(f, "hello");
    room_call_pump(); /* what a wait or a poll does */
    stack_expect(f, "lines held\n");
    assert_int_equal(hal_call_set_lines_held(false), 0);
    stack_expect(f, "lines released\n");
    stack_says(f, "meeting 1800");
    stack_says(f, "share 300");
    stack_says(f, "people 6");
    hal_room_event_t ev;
    assert_int_equal(hal_room_poll(&ev), 1);
    assert_int_equal(ev.kind, HAL_ROOM_EV_MEETING);
    assert_int_equal(ev.value, 1800);
    assert_int_equal(hal_room_poll(&ev), 1);
    assert_int_equal(ev.kind, HAL_ROOM_EV_SHARE);
    assert_int_equal(hal_room_poll(&ev), 1);
    assert_int_equal(ev.kind, HAL_ROOM_EV_PEOPLE);
    assert_int_equal(ev.value, 6);
    assert_int_equal(hal_room_poll(&ev), 0);
}

static void test_garbage_and_floods_are_dropped(void **state)
{
    fx_t *f = *state;
    stack_says(f, "dial 7");
    stack_send(f, "\0\0\0\0", 4);
    stack_send(f, "", 0);
    char big[1000];
    memset(big, 'x', sizeof big);
    stack_send(f, big, sizeof big); /* longer than a line: truncated read, refused */
    stack_says(f, "dial 9 911");
    hal_call_event_t ev;
    assert_int_equal(hal_call_poll(&ev), 1);
    assert_int_equal(ev.id, 9); /* only the good one came through */
    assert_int_equal(hal_call_poll(&ev), 0);

    /* More dials than the queue holds, each read by a pump (as a wait does)
     * but none polled: the extra ones are dropped, not stored. The kernel's
     * own datagram queue is short, hence a pump per send. */
    for (int i = 0; i < ROOM_EVENT_QUEUE_LEN + 10; i++) {
        char line[32];
        snprintf(line, sizeof line, "dial %d 100", i);
        stack_says(f, line);
        room_call_pump();
    }
    int got = 0;
    while (hal_call_poll(&ev) == 1) {
        assert_int_equal(ev.id, (uint32_t)got); /* oldest kept, in order */
        got++;
    }
    assert_int_equal(got, ROOM_EVENT_QUEUE_LEN);
}

static void test_wait_returns_early_on_a_message(void **state)
{
    fx_t *f = *state;
    stack_says(f, "people 3");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    hal_clock_wait_ms(5000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true(b.tv_sec - a.tv_sec < 2);
    hal_room_event_t ev;
    assert_int_equal(hal_room_poll(&ev), 1);
    assert_int_equal(ev.value, 3);
}

static void test_no_socket_configured(void **state)
{
    (void)state;
    room_call_close();
    assert_int_equal(room_call_open(""), 0);
    hal_call_event_t ev;
    hal_room_event_t rev;
    assert_int_equal(hal_call_poll(&ev), 0);
    assert_int_equal(hal_room_poll(&rev), 0);
    assert_int_equal(hal_call_decide(1, true), FW_E_STATE);
    assert_int_equal(hal_call_set_lines_held(true), 0);
}

static void test_refuses_non_socket_path(void **state)
{
    fx_t *f = *state;
    room_call_close();
    char p[160];
    room_tmp_path(&f->tmp, "plain", p, sizeof p);
    assert_int_equal(room_write_file(p, "x", 1), 0);
    assert_int_equal(room_call_open(p), FW_E_INVAL);
    assert_int_equal(access(p, F_OK), 0); /* not deleted */
}

int main(void)
{
    room_log_open(HAL_LOG_ERROR, false);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lines),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_format),
        cmocka_unit_test_setup_teardown(test_dial_allow_deny, setup, teardown),
        cmocka_unit_test_setup_teardown(test_room_events_and_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_and_floods_are_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_returns_early_on_a_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_socket_configured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_non_socket_path, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    room_log_close();
    return failed;
}
