/*
 * Simulated time, and the stop request that cuts waiting short.
 *
 * Two modes, chosen by --clock-rate:
 *  - rate > 0: simulated time is a pure function of real time,
 *    start + (real - anchor) * rate (sim/clock.h, the arithmetic the
 *    collector shares), so nothing the firmware does can make it drift or run
 *    backwards, and a collector and rooms given the same --clock-start,
 *    --clock-rate and --clock-anchor see the same instant;
 *  - rate = 0 (stepped): simulated time stands still and moves only inside
 *    hal_clock_wait_ms(), by exactly the time waited. Tests and fast demos get
 *    the same result on every run, however loaded the machine is.
 * Either way a wait never sleeps past the next scenario event, so the agent
 * sees every event at (or, at high rates, just after) its time.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "fw/err.h"
#include "hal/clock.h"
#include "hal/system.h"
#include "host_internal.h"
#include "sim/clock.h"

/* At high rates a wait maps to microseconds of real time; below this we would
 * spin instead of sleeping. 100 us is 8.6 simulated seconds at one day/second. */
#define MIN_REAL_SLEEP_NS 100000L

static bool s_ready;
static double s_rate;
static int64_t s_kill_at_ms = -1; /* --kill-at, simulated ms; -1: never */
static sim_clock_run_t s_clock;
static int64_t s_wall_start_ms; /* simulated unix ms at init */
static int64_t s_step_ms;       /* stepped mode: simulated ms since init */
static int64_t s_last_ms;       /* never report less than this (rounding guard) */

static volatile sig_atomic_t s_stop;
static bool s_handlers_installed;
static struct sigaction s_old_term, s_old_int;

int host_clock_init(const sim_clock_opts_t *opts)
{
    if (opts->rate < 0) {
        return host_fail(FW_E_INVAL, "clock rate must be >= 0");
    }
    sim_clock_run_start(&s_clock, opts);
    s_wall_start_ms = sim_clock_at(&s_clock.clock, s_clock.real0_ns);
    s_rate = opts->rate;
    s_step_ms = 0;
    s_last_ms = 0;
    s_ready = true;
    return 0;
}

void host_clock_deinit(void)
{
    s_ready = false;
    s_kill_at_ms = -1;
}

void host_clock_kill_at(int64_t sim_ms)
{
    s_kill_at_ms = sim_ms;
}

int64_t host_clock_sim_ms_for_real_ms(int64_t real_ms)
{
    return s_rate == 0 ? 0 : (int64_t)((double)real_ms * s_rate);
}

bool host_clock_ready(void)
{
    return s_ready;
}

int64_t host_clock_now_ms(void)
{
    if (!s_ready) {
        return 0;
    }
    int64_t ms = s_rate == 0 ? s_step_ms : sim_clock_run_now_ms(&s_clock) - s_wall_start_ms;
    if (ms < s_last_ms) {
        ms = s_last_ms;
    }
    s_last_ms = ms;
    return ms;
}

int64_t host_clock_wall_start_ms(void)
{
    return s_wall_start_ms;
}

int64_t host_clock_wall_ms(void)
{
    return s_wall_start_ms + host_clock_now_ms();
}

/* ------------------------------------------------------------- hal/clock */

int hal_clock_wall(int64_t *unix_seconds)
{
    if (!unix_seconds) {
        return FW_E_INVAL;
    }
    return host_board_now(unix_seconds);
}

uint64_t hal_clock_mono_ms(void)
{
    return (uint64_t)host_clock_now_ms();
}

uint64_t hal_clock_net_ms(void)
{
    /* Sockets are real even when device time is simulated. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

void hal_clock_wait_ms(uint32_t ms)
{
    if (!s_ready) {
        return;
    }
    int64_t now = host_clock_now_ms();
    if (s_kill_at_ms >= 0 && now >= s_kill_at_ms) {
        host_log(HAL_LOG_WARN, "--kill-at: SIGKILL now, as a power cut would stop the device");
        (void)raise(SIGKILL);
    }
    host_scenario_pump(now);
    int64_t target = now + ms;
    int64_t due = host_scenario_next_due_ms();
    if (due < target) {
        target = due; /* wake for the event; pump() left only future ones */
    }
    if (s_rate == 0) {
        if (!s_stop && target > s_step_ms) {
            s_step_ms = target;
        }
    } else {
        while (!s_stop && (now = host_clock_now_ms()) < target) {
            double real_ns = (double)(target - now) * 1e6 / s_rate;
            struct timespec ts;
            if (real_ns < MIN_REAL_SLEEP_NS) {
                real_ns = MIN_REAL_SLEEP_NS;
            }
            ts.tv_sec = (time_t)(real_ns / 1e9);
            ts.tv_nsec = (long)(real_ns - (double)ts.tv_sec * 1e9);
            /* EINTR is what we want: a signal ends the wait, s_stop is checked. */
            (void)nanosleep(&ts, NULL);
        }
    }
    host_scenario_pump(host_clock_now_ms());
}

/* ------------------------------------------------------------ hal/system */

static void on_stop_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

int host_system_init(void)
{
    struct sigaction sa;
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking call should return to the loop */
    s_stop = 0;
    if (sigaction(SIGTERM, &sa, &s_old_term) != 0) {
        return host_fail(FW_E_IO, "cannot install SIGTERM handler: errno %d", errno);
    }
    if (sigaction(SIGINT, &sa, &s_old_int) != 0) {
        (void)sigaction(SIGTERM, &s_old_term, NULL);
        return host_fail(FW_E_IO, "cannot install SIGINT handler: errno %d", errno);
    }
    s_handlers_installed = true;
    return 0;
}

void host_system_deinit(void)
{
    if (s_handlers_installed) {
        (void)sigaction(SIGTERM, &s_old_term, NULL);
        (void)sigaction(SIGINT, &s_old_int, NULL);
        s_handlers_installed = false;
    }
}

bool hal_system_stop_requested(void)
{
    return s_stop != 0;
}

const char *hal_system_fault(void)
{
    return NULL; /* the host board does not start without its storage */
}
