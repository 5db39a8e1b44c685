/*
 * Real time, and the stop request that cuts waiting short.
 *
 * SIGTERM and SIGINT are blocked except inside hal_clock_wait_ms(), whose
 * ppoll() unblocks them atomically: a signal that arrives just before the
 * wait is then delivered inside it instead of being slept through (the
 * classic race of checking a flag and then sleeping). The same ppoll() also
 * watches the call socket and the input devices, so an event ends the wait.
 */
#define _GNU_SOURCE /* ppoll(); glibc declares it only for GNU */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "fw/err.h"
#include "hal/clock.h"
#include "hal/system.h"
#include "room_config.h"
#include "room_internal.h"

static volatile sig_atomic_t s_stop;
static bool s_installed;
static struct sigaction s_old_term, s_old_int;
static sigset_t s_old_mask; /* the mask before init: what ppoll() waits with */

/* ------------------------------------------------------------- hal/clock */

int hal_clock_wall(int64_t *unix_seconds)
{
    if (!unix_seconds) {
        return FW_E_INVAL;
    }
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        return FW_E_IO;
    }
    if ((int64_t)ts.tv_sec < ROOM_WALL_MIN_UNIX) {
        /* The RTC's power-on default (1970 or 2000): not a time at all. */
        return FW_E_STATE;
    }
    *unix_seconds = (int64_t)ts.tv_sec;
    return 0;
}

uint64_t hal_clock_mono_ms(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t hal_clock_net_ms(void)
{
    return hal_clock_mono_ms(); /* device time is real time here */
}

void hal_clock_wait_ms(uint32_t ms)
{
    struct pollfd fds[1 + ROOM_INPUT_MAX_DEVICES];
    nfds_t n = 0;
    int call = room_call_fd();
    if (call >= 0) {
        fds[n].fd = call;
        fds[n].events = POLLIN;
        fds[n++].revents = 0;
    }
    int in[ROOM_INPUT_MAX_DEVICES];
    size_t nin = room_input_fds(in, ROOM_INPUT_MAX_DEVICES);
    for (size_t i = 0; i < nin; i++) {
        fds[n].fd = in[i];
        fds[n].events = POLLIN;
        fds[n++].revents = 0;
    }
    const uint64_t deadline = hal_clock_mono_ms() + ms;
    const uint64_t keepalive = room_notify_next_ms();
    for (;;) {
        /* The main loop is alive as long as it comes back to wait here: tell
         * systemd (READY=1 the first time, then the watchdog keep-alive). */
        room_notify_loop();
        if (s_stop) {
            break;
        }
        uint64_t now = hal_clock_mono_ms();
        if (now >= deadline) {
            break;
        }
        uint64_t left = deadline - now;
        if (keepalive && left > keepalive) {
            left = keepalive; /* a long wait still sends its keep-alives */
        }
        struct timespec ts = {.tv_sec = (time_t)(left / 1000u),
                              .tv_nsec = (long)(left % 1000u) * 1000000L};
        int r = ppoll(n ? fds : NULL, n, &ts, s_installed ? &s_old_mask : NULL);
        if (r > 0) {
            break; /* an event is pending: the caller polls it */
        }
        if (r < 0 && errno != EINTR) {
            break; /* cannot wait: return rather than spin forever here */
        }
        /* r == 0 (timeout) re-checks the deadline; EINTR re-checks s_stop. */
    }
    /* Move what arrived into the queues: a socket left readable would end
     * every later wait at once. */
    room_call_pump();
    room_input_pump();
}

/* ------------------------------------------------------------ hal/system */

static void on_stop_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

int room_system_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the wait must return to the loop */
    s_stop = 0;
    if (sigaction(SIGTERM, &sa, &s_old_term) != 0) {
        return room_fail(FW_E_IO, "cannot install SIGTERM handler: %s", strerror(errno));
    }
    if (sigaction(SIGINT, &sa, &s_old_int) != 0) {
        (void)sigaction(SIGTERM, &s_old_term, NULL);
        return room_fail(FW_E_IO, "cannot install SIGINT handler: %s", strerror(errno));
    }
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    (void)sigprocmask(SIG_BLOCK, &block, &s_old_mask);
    /* The mask ppoll() waits with: as before, but with both signals open. */
    sigdelset(&s_old_mask, SIGTERM);
    sigdelset(&s_old_mask, SIGINT);
    s_installed = true;
    return 0;
}

void room_system_deinit(void)
{
    if (s_installed) {
        sigset_t unblock;
        sigemptyset(&unblock);
        sigaddset(&unblock, SIGTERM);
        sigaddset(&unblock, SIGINT);
        /* Take a signal still pending, or unblocking would hand it to the
         * old action (terminate) and lose the exit code main() returns. */
        const struct timespec zero = {0, 0};
        while (sigtimedwait(&unblock, NULL, &zero) > 0) {
            s_stop = 1;
        }
        (void)sigaction(SIGTERM, &s_old_term, NULL);
        (void)sigaction(SIGINT, &s_old_int, NULL);
        (void)sigprocmask(SIG_UNBLOCK, &unblock, NULL);
        s_installed = false;
    }
}

bool hal_system_stop_requested(void)
{
    if (!s_stop && s_installed) {
        /* A signal may be pending while blocked (it arrived outside a wait):
         * take it now so a loop that never waits still stops. */
        sigset_t pending;
        if (sigpending(&pending) == 0 &&
            (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1)) {
            s_stop = 1;
        }
    }
    return s_stop != 0;
}
