/*
 * The service manager: systemd's notify protocol through Debian's libsystemd
 * (sd_notify(3), sd_watchdog_enabled(3)). spark-room-agent.service is
 * Type=notify with WatchdogSec=:
 *  - READY=1 once the agent's main loop first waits (provisioning, licence
 *    and history are loaded by then);
 *  - WATCHDOG=1 from the main loop's wait, at half the watchdog interval: a
 *    loop that stops waiting (stuck, spinning elsewhere) stops the
 *    keep-alives and systemd restarts the service;
 *  - STATUS= with the reason when the board cannot start, STOPPING=1 at a
 *    planned stop.
 * Without a service manager (NOTIFY_SOCKET unset: a technician, the tests)
 * every call is a cheap no-op.
 */
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "hal/clock.h"
#include "room_internal.h"

static bool s_ready;
static uint64_t s_watchdog_ms; /* keep-alive period; 0: no watchdog */
static uint64_t s_last_ms;

void room_notify_init(void)
{
    uint64_t usec = 0;
    s_ready = false;
    s_last_ms = 0;
    /* > 0 only when the manager asked for keep-alives from this process. */
    s_watchdog_ms = sd_watchdog_enabled(0, &usec) > 0 ? usec / 2000u : 0;
    if (s_watchdog_ms == 0 && usec > 0) {
        s_watchdog_ms = 1; /* a sub-2 ms interval: every wait */
    }
}

uint64_t room_notify_next_ms(void)
{
    return s_watchdog_ms;
}

void room_notify_loop(void)
{
    uint64_t now = hal_clock_mono_ms();
    if (!s_ready) {
        s_ready = true;
        s_last_ms = now;
        (void)sd_notify(0, "READY=1\nSTATUS=running");
        return;
    }
    if (s_watchdog_ms && now - s_last_ms >= s_watchdog_ms) {
        s_last_ms = now;
        (void)sd_notify(0, "WATCHDOG=1");
    }
}

void room_notify_status(const char *status)
{
    char line[600];
    (void)snprintf(line, sizeof line, "STATUS=%s", status);
    (void)sd_notify(0, line);
}

void room_notify_stopping(void)
{
    (void)sd_notify(0, "STOPPING=1");
}
