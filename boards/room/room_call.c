/*
 * The calling stack's socket: a Unix datagram socket the agent binds, the
 * stack sends to (from its own bound address, so replies can reach it).
 *
 * Datagrams are read without blocking, parsed (room_proto.c) and queued;
 * hal_call_poll() and hal_room_poll() take from the queues. Bad datagrams
 * and datagrams that find a full queue are logged and dropped, never fatal.
 * Replies go to the last address a valid message came from: the stack is
 * one process, and "hello" lets it (re)announce itself after a restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fw/err.h"
#include "hal/call.h"
#include "hal/room.h"
#include "room_config.h"
#include "room_internal.h"
#include "room_proto.h"

typedef struct {
    hal_call_event_t ev[ROOM_EVENT_QUEUE_LEN];
    unsigned head, count;
} call_queue_t;

typedef struct {
    hal_room_event_t ev[ROOM_EVENT_QUEUE_LEN];
    unsigned head, count;
} room_queue_t;

static int s_fd = -1;
static char s_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct sockaddr_un s_peer;
static socklen_t s_peer_len; /* 0: no peer yet */
static bool s_lines_known, s_lines_held;
static call_queue_t s_calls;
static room_queue_t s_rooms;
static unsigned long s_dropped;

int room_call_open(const char *socket_path)
{
    memset(&s_calls, 0, sizeof s_calls);
    memset(&s_rooms, 0, sizeof s_rooms);
    s_peer_len = 0;
    s_lines_known = false;
    s_dropped = 0;
    if (!socket_path || !*socket_path) {
        room_log(HAL_LOG_WARN, "no call socket configured: no calls or room usage will be seen");
        return 0;
    }
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(socket_path) >= sizeof addr.sun_path) {
        return room_fail(FW_E_INVAL, "call socket path %s is too long", socket_path);
    }
    strcpy(addr.sun_path, socket_path);
    /* A socket left by a previous run blocks bind(); remove it, but only if
     * it is a socket (never delete a file someone misconfigured here). */
    struct stat st;
    if (lstat(socket_path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            return room_fail(FW_E_INVAL, "call socket path %s exists and is not a socket",
                             socket_path);
        }
        (void)unlink(socket_path);
    }
    s_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s_fd < 0) {
        return room_fail(FW_E_IO, "cannot create call socket: %s", strerror(errno));
    }
    if (bind(s_fd, (const struct sockaddr *)&addr, sizeof addr) != 0) {
        int e = errno;
        close(s_fd);
        s_fd = -1;
        return room_fail(FW_E_IO, "cannot bind call socket %s: %s", socket_path, strerror(e));
    }
    /* The stack runs as its own user in the agent's group. */
    (void)chmod(socket_path, 0660);
    strcpy(s_path, socket_path);
    return 0;
}

void room_call_close(void)
{
    if (s_fd >= 0) {
        close(s_fd);
        s_fd = -1;
        (void)unlink(s_path);
    }
    s_path[0] = '\0';
}

int room_call_fd(void)
{
    return s_fd;
}

static int send_line(const char *line, int len)
{
    if (s_fd < 0 || s_peer_len == 0) {
        return FW_E_STATE;
    }
    ssize_t n =
        sendto(s_fd, line, (size_t)len, MSG_DONTWAIT, (const struct sockaddr *)&s_peer, s_peer_len);
    if (n != len) {
        room_log(HAL_LOG_WARN, "cannot reach the calling stack: %s",
                 n < 0 ? strerror(errno) : "short send");
        return FW_E_IO;
    }
    return 0;
}

static void send_lines_state(void)
{
    char line[32];
    int n = room_proto_format_lines(line, sizeof line, s_lines_held);
    if (n > 0) {
        (void)send_line(line, n);
    }
}

static void drop(const char *what)
{
    s_dropped++;
    room_log(HAL_LOG_WARN, "call socket: dropped %s (%lu dropped so far)", what, s_dropped);
}

static void queue_msg(const room_msg_t *m)
{
    if (m->kind == ROOM_MSG_DIAL || m->kind == ROOM_MSG_INCOMING || m->kind == ROOM_MSG_ENDED) {
        if (s_calls.count == ROOM_EVENT_QUEUE_LEN) {
            /* unanswered: the stack decides alone (docs/EMERGENCY.md) */
            drop("a call event: queue full");
            return;
        }
        hal_call_event_t *e = &s_calls.ev[(s_calls.head + s_calls.count++) % ROOM_EVENT_QUEUE_LEN];
        memset(e, 0, sizeof *e);
        e->kind = m->kind == ROOM_MSG_DIAL       ? HAL_CALL_EV_DIAL
                  : m->kind == ROOM_MSG_INCOMING ? HAL_CALL_EV_INCOMING
                                                 : HAL_CALL_EV_ENDED;
        e->id = m->id;
        e->seconds = m->kind == ROOM_MSG_ENDED ? m->value : 0;
        memcpy(e->number, m->number, sizeof e->number);
        return;
    }
    if (s_rooms.count == ROOM_EVENT_QUEUE_LEN) {
        drop("a room event: queue full");
        return;
    }
    hal_room_event_t *e = &s_rooms.ev[(s_rooms.head + s_rooms.count++) % ROOM_EVENT_QUEUE_LEN];
    e->kind = m->kind == ROOM_MSG_MEETING ? HAL_ROOM_EV_MEETING
              : m->kind == ROOM_MSG_SHARE ? HAL_ROOM_EV_SHARE
                                          : HAL_ROOM_EV_PEOPLE;
    e->value = m->value;
}

void room_call_pump(void)
{
    if (s_fd < 0) {
        return;
    }
    for (int i = 0; i < ROOM_CALL_PUMP_MAX; i++) {
        char buf[ROOM_CALL_LINE_MAX + 1];
        struct sockaddr_un from;
        socklen_t from_len = sizeof from;
        memset(&from, 0, sizeof from);
        /* MSG_TRUNC: the real length of a datagram longer than buf. */
        ssize_t n = recvfrom(s_fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC,
                             (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                room_log(HAL_LOG_WARN, "call socket: %s", strerror(errno));
            }
            return;
        }
        room_msg_t msg;
        char why[64];
        if (room_proto_parse(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf, &msg, why,
                             sizeof why) != 0) {
            char what[96];
            (void)snprintf(what, sizeof what, "a bad message (%s)", why);
            drop(what);
            continue;
        }
        if (from_len > sizeof(sa_family_t) && from_len <= sizeof from) {
            bool changed = s_peer_len != from_len || memcmp(&s_peer, &from, from_len) != 0;
            s_peer = from;
            s_peer_len = from_len;
            if (changed && s_lines_known && msg.kind != ROOM_MSG_HELLO) {
                send_lines_state(); /* a new (restarted) stack learns the state */
            }
        }
        if (msg.kind == ROOM_MSG_HELLO) {
            if (s_lines_known) {
                send_lines_state();
            }
            continue;
        }
        queue_msg(&msg);
    }
}

/* -------------------------------------------------------------- hal/call */

int hal_call_poll(hal_call_event_t *ev)
{
    if (!ev) {
        return FW_E_INVAL;
    }
    room_call_pump();
    if (s_calls.count == 0) {
        return 0;
    }
    *ev = s_calls.ev[s_calls.head];
    s_calls.head = (s_calls.head + 1) % ROOM_EVENT_QUEUE_LEN;
    s_calls.count--;
    return 1;
}

int hal_call_decide(uint32_t id, bool allow)
{
    char line[32];
    int n = room_proto_format_decision(line, sizeof line, id, allow);
    if (n < 0) {
        return n;
    }
    return send_line(line, n);
}

int hal_call_set_lines_held(bool held)
{
    bool changed = !s_lines_known || s_lines_held != held;
    s_lines_known = true;
    s_lines_held = held;
    if (!changed || s_peer_len == 0) {
        return 0; /* sent when the stack next says hello or sends anything */
    }
    char line[32];
    int n = room_proto_format_lines(line, sizeof line, held);
    return n < 0 ? n : send_line(line, n);
}

/* -------------------------------------------------------------- hal/room */

int hal_room_poll(hal_room_event_t *ev)
{
    if (!ev) {
        return FW_E_INVAL;
    }
    room_call_pump();
    if (s_rooms.count == 0) {
        return 0;
    }
    *ev = s_rooms.ev[s_rooms.head];
    s_rooms.head = (s_rooms.head + 1) % ROOM_EVENT_QUEUE_LEN;
    s_rooms.count--;
    return 1;
}
