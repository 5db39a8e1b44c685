/*
 * host_internal.h - how the host board's files talk to each other.
 *
 * One file per concern (clock, flash, secure, display, scenario, log); init
 * and deinit in host_board.c call each part in order. Not for the firmware.
 */
#ifndef HOST_INTERNAL_H
#define HOST_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/identity.h"
#include "fw/log.h"
#include "hal/log.h"
#include "host/host_board.h"
#include "host/host_storage.h"
#include "sim/clock.h"

#if defined(__GNUC__)
#define HOST_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HOST_PRINTF(a, b)
#endif

/* Record an error message (for host_board_last_error()), print it to stderr as
 * "host: ...", and return `err` so callers can write `return host_fail(...)`. */
void host_error_clear(void);
int host_fail(int err, const char *fmt, ...) HOST_PRINTF(2, 3);

/* Board log line with tag "board" (goes through the same sink as firmware lines). */
#define host_log(level, ...) fw_log((level), "board", __VA_ARGS__)

/* clock + system (host_clock.c) */
int host_clock_init(const sim_clock_opts_t *opts);
void host_clock_deinit(void);
bool host_clock_ready(void);
int64_t host_clock_now_ms(void); /* simulated ms since init */
/* Simulated ms that pass in `real_ms` real ms (0 when stepped). */
int64_t host_clock_sim_ms_for_real_ms(int64_t real_ms);
/* Test aid: SIGKILL the process once simulated time reaches `sim_ms` (-1: never). */
void host_clock_kill_at(int64_t sim_ms);
int64_t host_clock_wall_ms(void);       /* simulated unix ms */
int64_t host_clock_wall_start_ms(void); /* simulated unix ms at init (monotonic 0) */
int host_system_init(void);
void host_system_deinit(void);

/* log (host_log.c) */
void host_log_set_level(hal_log_level_t level);

/* flash (host_flash.c) */
int host_flash_open(const host_board_options_t *opts, bool *created);
void host_flash_close(void);
bool host_flash_cut_happened(void);

/* secure element + identity (host_secure.c) */
int host_secure_create(const char *path, const char *serial, const char *model);
int host_secure_load(const char *path);
void host_secure_unload(void);

/* display (host_display.c) */
int host_display_open(const char *dir);
void host_display_close(void);

/* scenario: calls, room, network (host_scenario.c) */
/* skip_ms: scenario time at this run's start (--scenario-start, --clock-anchor) */
int host_scenario_load(const char *path, int64_t skip_ms);
void host_scenario_unload(void);
/* Fire everything due at or before `now_ms` (simulated ms since init). */
void host_scenario_pump(int64_t now_ms);
/* Simulated ms of the next thing that will happen; INT64_MAX if nothing will. */
int64_t host_scenario_next_due_ms(void);

/* name lookups (host_net.c): --hosts FILE, or NULL for the system's resolver */
void host_net_set_hosts_file(const char *path);

/* Small helpers shared by the files that persist things. */
char *host_path_with_suffix(const char *path, const char *suffix); /* malloc'd */

#endif /* HOST_INTERNAL_H */
