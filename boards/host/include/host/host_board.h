/*
 * host/host_board.h - setting up the host simulation board.
 *
 * Only the host executable's main() and the board's own tests include this;
 * the firmware sees the board through hal/ alone.
 *
 * Typical main():
 *
 *     host_board_options_t opts;
 *     host_board_options_default(&opts);
 *     if (host_board_parse_args(&opts, &argc, argv) != 0) return 2;
 *     // argv[1..argc-1] now holds only what the board did not recognise:
 *     // run getopt_long() over it for --run-for, --help, ...
 *     if (host_board_init(&opts) != 0) return 1;
 *     ... agent loop ...
 *     host_board_deinit();
 *
 * Board options (each also accepted as --name=value):
 *   --flash FILE          flash image (required); created factory-fresh if absent
 *   --flash-size BYTES    size of a new image (default 524288; multiple of 16 KiB,
 *                         at least 512 KiB); an existing image must match if given
 *   --clock-start T       ISO 8601 UTC ("2026-12-01T09:00:00Z"), "@UNIXSECONDS" or "now"
 *   --clock-rate R        simulated seconds per real second (default 1);
 *                         0 = stepped: time moves only inside hal_clock_wait_ms()
 *   --clock-anchor MS     real unix ms at which simulated time is --clock-start
 *                         (default: when the board starts); processes given the
 *                         same three clock options share one clock (sim/clock.h),
 *                         and the scenario's t then counts from --clock-start
 *   --screen DIR          write presented frames as PNG files into DIR
 *   --scenario FILE       JSON Lines scenario (docs/SCENARIO.md)
 *   --log-level L         error|warn|info|debug (default info)
 *   --cut-after N         test aid: the N-th flash program/erase is torn by a power cut
 *   --cut-seed N          seed for the torn-write pattern (default 1)
 *   --scenario-start T    scenario t counts from T (ISO 8601), not from --clock-start:
 *                         a restarted device resumes its scenario; what lay before
 *                         the clock start is skipped (meetings still running end)
 *   --kill-at S           test aid: SIGKILL itself after S simulated seconds
 *   --serial S, --model M identity of a factory-fresh device (default random / host sim)
 *   --hosts FILE          test aid: FILE (hosts(5) format, read at every lookup) is the
 *                         only name database (address literals still work)
 */
#ifndef HOST_HOST_BOARD_H
#define HOST_HOST_BOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hal/log.h"

#define HOST_BOARD_DEFAULT_FLASH_SIZE (512u * 1024u)
#define HOST_BOARD_DISPLAY_WIDTH 1280
#define HOST_BOARD_DISPLAY_HEIGHT 720

typedef struct {
    const char *flash_path;    /* required; the secure file is flash_path + ".secure" */
    uint32_t flash_size;       /* 0 = accept an existing image's size / default for new */
    bool clock_start_now;      /* true: start at the real wall time */
    int64_t clock_start;       /* unix seconds, used when !clock_start_now */
    double clock_rate;         /* simulated seconds per real second; 0 = stepped */
    bool clock_anchor_set;     /* --clock-anchor given (else: anchored at init) */
    int64_t clock_anchor_ms;   /* real unix ms at which simulated time is clock_start */
    const char *screen_dir;    /* NULL: presented frames are dropped */
    const char *scenario_path; /* NULL: no scenario, network up, no events */
    int64_t cut_after;         /* -1: no power cut; N >= 1: the N-th program/erase is torn */
    bool scenario_start_set;   /* scenario times count from scenario_start, not clock start */
    int64_t scenario_start;    /* unix seconds */
    int64_t kill_at;           /* -1: never; else SIGKILL itself at this many simulated s */
    uint64_t cut_seed;         /* torn-write pattern seed */
    hal_log_level_t log_level;
    const char *serial;     /* factory-fresh device only; NULL = "SIM" + 8 random hex */
    const char *model;      /* factory-fresh device only; NULL = default model */
    const char *hosts_path; /* --hosts test aid; NULL: the system's resolver */
} host_board_options_t;

/* Defaults: clock now at rate 1, log info, no screen, no scenario, no cut. */
void host_board_options_default(host_board_options_t *opts);

/* Apply one board option. `name` is the long name without dashes ("clock-start").
 * Returns 0, FW_E_NOENT if `name` is not a board option (the caller's own option),
 * or FW_E_INVAL with a message on stderr (and in host_board_last_error()). */
int host_board_set_option(host_board_options_t *opts, const char *name, const char *value);

/* Take the board options out of argv (both "--name value" and "--name=value";
 * parsing stops at "--"). On return argv[0..*argc-1] holds argv[0] and everything
 * the board did not recognise, in order, NULL-terminated, ready for getopt_long().
 * Returns 0 or FW_E_INVAL (message on stderr). Strings stay pointers into argv. */
int host_board_parse_args(host_board_options_t *opts, int *argc, char **argv);

/* Print the board options' help (indented lines, no heading of its own). */
void host_board_usage(FILE *out);

/* Parse a --clock-start value: an ISO 8601 instant as fw/iso8601.h accepts
 * it, or "@SECONDS" (sim_clock_parse_time()). "now" is not handled here.
 * Returns 0 or FW_E_INVAL. */
int host_board_parse_time(const char *text, int64_t *unix_seconds);

/* Bring the board up: flash image and secure file (creating a factory-fresh
 * device if the image is absent), clock, scenario, screen, signal handlers.
 * Returns 0 or a negative FW_E_* code with a message on stderr. On failure
 * nothing stays open. Calling it twice without deinit is FW_E_STATE. */
int host_board_init(const host_board_options_t *opts);

/* Release everything init took (unmaps the flash, restores signal handlers).
 * Safe to call when not initialised. */
void host_board_deinit(void);

/* Current simulated wall time in unix seconds (same as hal_clock_wall()). */
int host_board_now(int64_t *sim_unix);

/* Simulated milliseconds since init (same as hal_clock_mono_ms()). */
uint64_t host_board_elapsed_ms(void);

/* True after a --cut-after power cut happened: the agent should exit. */
bool host_board_power_cut(void);

/* False when the board came up without its flash image or secure file
 * (unusable, not misconfigured): the agent then runs in its safe mode. */
bool host_board_storage_ok(void);

/* The last error message the board produced (init or option parsing), "" if none. */
const char *host_board_last_error(void);

#endif /* HOST_HOST_BOARD_H */
