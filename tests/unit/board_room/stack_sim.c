/*
 * room_stack_sim - a small calling stack, the other side of the room board's
 * call socket, for tests. It asks the agent about one call and then does
 * what docs/EMERGENCY.md asks of every stack:
 *
 *   - the agent answers within the timeout (1 s): its answer stands;
 *   - no answer in time, or its socket is gone: emergency numbers are placed
 *     anyway (fail-open), everything else is refused (fail-closed); an
 *     incoming call is let in only within 60 minutes of an emergency call
 *     this stack placed (remembered in --memory FILE across invocations).
 *
 * It knows its own region and outside-line prefix and uses the device's
 * emergency tables (fw_calling), as a real stack linking it would.
 *
 * usage: room_stack_sim --agent SOCK --bind SOCK --region CC [--dial-prefix D]
 *            [--timeout-ms MS] [--memory FILE] dial ID NUMBER | incoming ID [NUMBER]
 * Prints one line saying what the stack did and why; exit 0 placed / let in,
 * 1 refused, 2 usage or a local error.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "calling/policy.h"

typedef struct {
    const char *agent, *bind, *region, *prefix, *memory;
    int timeout_ms;
    bool incoming;
    const char *id, *number;
} sim_opts_t;

static int usage(const char *why)
{
    fprintf(stderr,
            "room_stack_sim: %s\nusage: room_stack_sim --agent SOCK --bind SOCK --region CC "
            "[--dial-prefix D] [--timeout-ms MS] [--memory FILE] dial ID NUMBER | incoming ID "
            "[NUMBER]\n",
            why);
    return 2;
}

static int64_t now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* Seconds since the last emergency call this stack placed, -1 if none. */
static int64_t since_emergency(const char *memory)
{
    FILE *f = memory ? fopen(memory, "r") : NULL;
    long long at = -1;
    if (f) {
        if (fscanf(f, "%lld", &at) != 1) {
            at = -1;
        }
        fclose(f);
    }
    return at < 0 ? -1 : now_s() - (int64_t)at;
}

static void remember_emergency(const char *memory)
{
    FILE *f = memory ? fopen(memory, "w") : NULL;
    if (f) {
        fprintf(f, "%lld\n", (long long)now_s());
        fclose(f);
    }
}

static int parse(int argc, char **argv, sim_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_ms = 1000;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        const char *k = argv[i] + 2, *v = argv[i + 1];
        if (strcmp(k, "agent") == 0) {
            o->agent = v;
        } else if (strcmp(k, "bind") == 0) {
            o->bind = v;
        } else if (strcmp(k, "region") == 0) {
            o->region = v;
        } else if (strcmp(k, "dial-prefix") == 0) {
            o->prefix = v;
        } else if (strcmp(k, "memory") == 0) {
            o->memory = v;
        } else if (strcmp(k, "timeout-ms") == 0) {
            o->timeout_ms = atoi(v);
        } else {
            return usage("unknown option");
        }
    }
    if (!o->agent || !o->bind || !o->region || i + 1 >= argc) {
        return usage("missing --agent, --bind, --region or the call");
    }
    o->incoming = strcmp(argv[i], "incoming") == 0;
    if (!o->incoming && strcmp(argv[i], "dial") != 0) {
        return usage("the call is 'dial ID NUMBER' or 'incoming ID [NUMBER]'");
    }
    o->id = argv[i + 1];
    o->number = i + 2 < argc ? argv[i + 2] : "";
    if (!o->incoming && !o->number[0]) {
        return usage("dial needs a NUMBER");
    }
    return 0;
}

static int open_socket(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (fd < 0 || strlen(path) >= sizeof a.sun_path) {
        return -1;
    }
    strcpy(a.sun_path, path);
    (void)unlink(path);
    if (bind(fd, (const struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Asks the agent. Returns 1 allow, 0 deny, -1 no answer in time, -2 gone. */
static int ask(int fd, const sim_opts_t *o)
{
    struct sockaddr_un to;
    memset(&to, 0, sizeof to);
    to.sun_family = AF_UNIX;
    snprintf(to.sun_path, sizeof to.sun_path, "%s", o->agent);
    char line[128];
    int n = snprintf(line, sizeof line, "%s %s%s%s\n", o->incoming ? "incoming" : "dial", o->id,
                     o->number[0] ? " " : "", o->number);
    if (sendto(fd, line, (size_t)n, 0, (const struct sockaddr *)&to, sizeof to) != n) {
        return errno == ECONNREFUSED || errno == ENOENT ? -2 : -1;
    }
    char allow[48], deny[48];
    snprintf(allow, sizeof allow, "allow %s\n", o->id);
    snprintf(deny, sizeof deny, "deny %s\n", o->id);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (waited >= o->timeout_ms) {
            return -1;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)(o->timeout_ms - waited)) <= 0) {
            continue;
        }
        char buf[128];
        ssize_t r = recv(fd, buf, sizeof buf - 1, 0);
        if (r <= 0) {
            continue;
        }
        buf[r] = '\0';
        if (strcmp(buf, allow) == 0) {
            return 1;
        }
        if (strcmp(buf, deny) == 0) {
            return 0;
        }
        /* "lines ..." or an answer to an older call: not ours, keep waiting */
    }
}

int main(int argc, char **argv)
{
    sim_opts_t o;
    int rc = parse(argc, argv, &o);
    if (rc != 0) {
        return rc;
    }
    int fd = open_socket(o.bind);
    if (fd < 0) {
        fprintf(stderr, "room_stack_sim: cannot bind %s: %s\n", o.bind, strerror(errno));
        return 2;
    }
    int answer = ask(fd, &o);
    close(fd);
    (void)unlink(o.bind);
    bool emergency = !o.incoming && calling_is_emergency(o.region, o.prefix, o.number);
    bool place;
    const char *why;
    if (answer >= 0) {
        place = answer == 1;
        why = place ? "agent allowed" : "agent denied";
    } else if (o.incoming) {
        int64_t since = since_emergency(o.memory);
        place = since >= 0 && since < CALLING_CALLBACK_S;
        why = place ? (answer == -2 ? "agent socket gone; call-back window"
                                    : "no answer in time; call-back window")
                    : (answer == -2 ? "agent socket gone; fail-closed"
                                    : "no answer in time; fail-closed");
    } else {
        place = emergency;
        why = place ? (answer == -2 ? "agent socket gone; emergency number, fail-open"
                                    : "no answer in time; emergency number, fail-open")
                    : (answer == -2 ? "agent socket gone; fail-closed"
                                    : "no answer in time; fail-closed");
    }
    if (place && emergency) {
        remember_emergency(o.memory);
    }
    printf("%s %s: %s (%s)\n", o.incoming ? "incoming" : "call", o.id,
           place ? (o.incoming ? "let in" : "placed") : "refused", why);
    return place ? 0 : 1;
}
