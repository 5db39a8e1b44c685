/*
 * The host board's front door: options, init order, shared helpers.
 *
 * Options are taken out of argv by name rather than with getopt_long() so the
 * host executable can run its own getopt_long() over what is left: two
 * getopt loops over one argv fight over optind and unknown options.
 */
#include "host/host_board.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw/err.h"
#include "host_internal.h"

static bool s_initialised;
static bool s_storage_ok;

/* --------------------------------------------------------------- parsing */

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9') {
        return false; /* strtoull would accept "-1" and " 1" */
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

int host_board_parse_time(const char *text, int64_t *unix_seconds)
{
    return sim_clock_parse_time(text, unix_seconds);
}

/* The board's clock options as sim/clock.h has them. */
static void clock_opts(const host_board_options_t *opts, sim_clock_opts_t *c)
{
    sim_clock_opts_default(c);
    c->start_now = opts->clock_start_now;
    c->start_s = opts->clock_start;
    c->rate = opts->clock_rate;
    c->anchor_set = opts->clock_anchor_set;
    c->anchor_ms = opts->clock_anchor_ms;
}

static int parse_log_level(const char *v, hal_log_level_t *out)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = (hal_log_level_t)i;
            return 0;
        }
    }
    return FW_E_INVAL;
}

static bool is_board_option(const char *name)
{
    static const char *const known[] = {"flash",     "flash-size", "screen",         "scenario",
                                        "log-level", "cut-after",  "cut-seed",       "serial",
                                        "model",     "kill-at",    "scenario-start", "hosts"};
    if (sim_clock_is_option(name)) {
        return true;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(name, known[i]) == 0) {
            return true;
        }
    }
    return false;
}

int host_board_set_option(host_board_options_t *opts, const char *name, const char *value)
{
    if (!opts || !name) {
        return FW_E_INVAL;
    }
    if (!is_board_option(name)) {
        return FW_E_NOENT;
    }
    /* Every board option takes a value; say which one is missing. */
    if (!value || !*value) {
        return host_fail(FW_E_INVAL, "--%s: needs a value", name);
    }
    uint64_t u;
    if (strcmp(name, "flash") == 0) {
        opts->flash_path = value;
    } else if (strcmp(name, "flash-size") == 0) {
        if (!parse_u64(value, UINT32_MAX, &u) || u < HOST_BOARD_DEFAULT_FLASH_SIZE ||
            u % (16u * 1024u) != 0) {
            return host_fail(FW_E_INVAL,
                             "--flash-size: expected a byte count, a multiple of 16384 and at "
                             "least 524288, got '%s'",
                             value);
        }
        opts->flash_size = (uint32_t)u;
    } else if (sim_clock_is_option(name)) {
        sim_clock_opts_t c;
        clock_opts(opts, &c);
        const char *expected = "";
        if (sim_clock_opts_set(&c, name, value, &expected) != 0) {
            return host_fail(FW_E_INVAL, "--%s: expected %s, got '%s'", name, expected, value);
        }
        opts->clock_start_now = c.start_now;
        opts->clock_start = c.start_s;
        opts->clock_rate = c.rate;
        opts->clock_anchor_set = c.anchor_set;
        opts->clock_anchor_ms = c.anchor_ms;
    } else if (strcmp(name, "screen") == 0) {
        opts->screen_dir = value;
    } else if (strcmp(name, "scenario") == 0) {
        opts->scenario_path = value;
    } else if (strcmp(name, "log-level") == 0) {
        if (parse_log_level(value, &opts->log_level) != 0) {
            return host_fail(FW_E_INVAL, "--log-level: expected error|warn|info|debug, got '%s'",
                             value);
        }
    } else if (strcmp(name, "cut-after") == 0) {
        if (!parse_u64(value, INT64_MAX, &u) || u == 0) {
            return host_fail(FW_E_INVAL,
                             "--cut-after: expected a flash operation count >= 1, got '%s'", value);
        }
        opts->cut_after = (int64_t)u;
    } else if (strcmp(name, "scenario-start") == 0) {
        if (host_board_parse_time(value, &opts->scenario_start) != 0) {
            return host_fail(
                FW_E_INVAL,
                "--scenario-start: expected ISO8601 like 2026-12-01T09:00:00Z, got '%s'", value);
        }
        opts->scenario_start_set = true;
    } else if (strcmp(name, "kill-at") == 0) {
        if (!parse_u64(value, INT64_MAX / 1000, &u) || u == 0) {
            return host_fail(FW_E_INVAL, "--kill-at: expected simulated seconds >= 1, got '%s'",
                             value);
        }
        opts->kill_at = (int64_t)u;
    } else if (strcmp(name, "cut-seed") == 0) {
        if (!parse_u64(value, UINT64_MAX, &u)) {
            return host_fail(FW_E_INVAL, "--cut-seed: expected a number, got '%s'", value);
        }
        opts->cut_seed = u;
    } else if (strcmp(name, "serial") == 0) {
        if (strlen(value) >= sizeof(((hal_identity_t *)0)->serial)) {
            return host_fail(FW_E_INVAL, "--serial: at most 31 characters, got '%s'", value);
        }
        opts->serial = value;
    } else if (strcmp(name, "hosts") == 0) {
        opts->hosts_path = value;
    } else { /* model */
        if (strlen(value) >= sizeof(((hal_identity_t *)0)->model)) {
            return host_fail(FW_E_INVAL, "--model: at most 31 characters, got '%s'", value);
        }
        opts->model = value;
    }
    return 0;
}

int host_board_parse_args(host_board_options_t *opts, int *argc, char **argv)
{
    if (!opts || !argc || !argv || *argc < 1) {
        return FW_E_INVAL;
    }
    int out = 1;
    int i = 1;
    for (; i < *argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            break; /* the rest belongs to the caller untouched, "--" included */
        }
        if (strncmp(a, "--", 2) != 0) {
            argv[out++] = argv[i];
            continue;
        }
        char name[32];
        const char *eq = strchr(a + 2, '=');
        size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (n >= sizeof name) {
            argv[out++] = argv[i];
            continue;
        }
        memcpy(name, a + 2, n);
        name[n] = '\0';
        const char *value = eq ? eq + 1 : (i + 1 < *argc ? argv[i + 1] : NULL);
        if (!is_board_option(name)) { /* the caller's own option, with or without value */
            argv[out++] = argv[i];
            continue;
        }
        int rc = host_board_set_option(opts, name, value);
        if (rc != 0) {
            return rc;
        }
        if (!eq) {
            i++; /* the value was the next argument */
        }
    }
    for (; i < *argc; i++) {
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}

void host_board_usage(FILE *out)
{
    /* No heading: the caller prints its own ("Board options:"). */
    fputs("  --flash FILE          flash image; created factory-fresh (all 0xFF, new\n"
          "                        FILE.secure) if it does not exist. Required.\n"
          "  --flash-size BYTES    size of a new image (default 524288; a multiple of\n"
          "                        16384, at least 524288)\n"
          "  --clock-start T       simulated start time: ISO8601 UTC like\n"
          "                        2026-12-01T09:00:00Z, @UNIXSECONDS, or now (default)\n"
          "  --clock-rate R        simulated seconds per real second (default 1);\n"
          "                        0 = stepped: time advances only while waiting\n"
          "  --clock-anchor MS     real unix ms at which simulated time is --clock-start\n"
          "                        (default: when the board starts); give the collector\n"
          "                        and every room the same three clock options to run\n"
          "                        them on one clock; scenario t then counts from\n"
          "                        --clock-start\n"
          "  --screen DIR          write frames to DIR/current.png and DIR/screen-NNNN.png\n"
          "  --scenario FILE       JSON Lines of room events (see docs/SCENARIO.md)\n"
          "  --log-level L         error, warn, info (default) or debug\n"
          "  --cut-after N         test aid: tear the N-th flash program/erase with a\n"
          "                        simulated power cut; later writes fail\n"
          "  --cut-seed N          seed of the torn-write pattern (default 1)\n"
          "  --scenario-start T    scenario times count from T, not from --clock-start\n"
          "                        (resume a scenario after a restart)\n"
          "  --kill-at S           test aid: SIGKILL itself after S simulated seconds\n"
          "  --serial S            serial of a factory-fresh device (default SIM + 8 hex)\n"
          "  --model M             model of a factory-fresh device\n"
          "  --hosts FILE          test aid: look names up in FILE only (hosts(5) format,\n"
          "                        read again at every lookup)\n",
          out);
}

/* ------------------------------------------------------------ life cycle */

int host_board_init(const host_board_options_t *opts)
{
    if (!opts) {
        return FW_E_INVAL;
    }
    if (s_initialised) {
        return host_fail(FW_E_STATE, "board already initialised");
    }
    host_error_clear();
    if (!opts->flash_path) {
        return host_fail(FW_E_INVAL, "--flash FILE is required");
    }
    host_log_set_level(opts->log_level);
    /* Clock first: every later log line carries simulated time. */
    sim_clock_opts_t clock;
    clock_opts(opts, &clock);
    int rc = host_clock_init(&clock);
    if (rc != 0) {
        return rc;
    }
    rc = host_storage_open(opts);
    s_storage_ok = rc == 0;
    if (rc != 0 && rc != FW_E_INVAL && rc != FW_E_STATE && rc != FW_E_NOMEM) {
        /* The flash image or secure file is unusable, not misconfigured, and
         * the image is not another agent's: the board comes up without
         * storage so that the agent still answers calls (emergency numbers
         * only, docs/EMERGENCY.md). */
        host_log(HAL_LOG_ERROR, "storage unusable (%s): no flash, no secure element",
                 fw_strerror(rc));
        rc = 0;
    }
    if (rc == 0) {
        /* Scenario time at this run's start: 0 unless --scenario-start says
         * where t counts from, or an anchored clock, shared with other
         * processes, makes it count from --clock-start (this run may have
         * started before or after that instant). */
        int64_t skip_ms = 0;
        if (opts->scenario_start_set) {
            skip_ms = host_clock_wall_start_ms() - opts->scenario_start * 1000;
            if (skip_ms < 0 && !opts->clock_anchor_set) {
                rc = host_fail(FW_E_INVAL, "--scenario-start is after --clock-start");
            }
        } else if (opts->clock_anchor_set && opts->clock_rate > 0) {
            skip_ms = host_clock_wall_start_ms() - sim_clock_from_opts(&clock, 0).start_ms;
        }
        if (rc == 0) {
            rc = host_scenario_load(opts->scenario_path, skip_ms);
        }
        host_clock_kill_at(opts->kill_at >= 0 ? opts->kill_at * 1000 : -1);
    }
    if (rc == 0) {
        rc = host_display_open(opts->screen_dir);
    }
    host_net_set_hosts_file(opts->hosts_path);
    if (rc == 0) {
        rc = host_system_init();
    }
    if (rc != 0) {
        host_display_close();
        host_scenario_unload();
        host_storage_close();
        host_clock_deinit();
        return rc;
    }
    s_initialised = true;
    host_log(HAL_LOG_INFO, "host board up: flash %s, clock rate %g%s%s", opts->flash_path,
             opts->clock_rate, opts->clock_rate == 0 ? " (stepped)" : "",
             opts->clock_anchor_set ? ", anchored" : "");
    return 0;
}

void host_board_deinit(void)
{
    host_net_set_hosts_file(NULL);
    host_system_deinit();
    host_display_close();
    host_scenario_unload();
    host_storage_close();
    host_clock_deinit();
    s_initialised = false;
}

int host_board_now(int64_t *sim_unix)
{
    if (!sim_unix || !host_clock_ready()) {
        return FW_E_STATE;
    }
    int64_t ms = host_clock_wall_ms();
    *sim_unix = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    return 0;
}

uint64_t host_board_elapsed_ms(void)
{
    return host_clock_ready() ? (uint64_t)host_clock_now_ms() : 0;
}

bool host_board_storage_ok(void)
{
    return s_initialised && s_storage_ok;
}

bool host_board_power_cut(void)
{
    return host_flash_cut_happened();
}
