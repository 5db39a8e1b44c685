/*
 * spark-agent-room: the agent on the Linux conference-room endpoint.
 *
 * Options come from three places, later ones winning: room_config.h's
 * defaults, the config file (--config FILE, else /etc/spark/room.conf if it
 * exists), then the other flags, whatever their order on the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "fw/err.h"
#include "room/room_board.h"
#include "room_config.h"

#ifndef SPARK_VERSION
#define SPARK_VERSION "0.0.0"
#endif

static void usage(FILE *out)
{
    fprintf(out, "usage: spark-agent-room [--config FILE] [options]\n"
                 "Runs the Spark room endpoint agent on the room board (Linux).\n\n"
                 "Agent options:\n"
                 "  --run-for SECONDS     stop after this many seconds (default: until SIGTERM)\n"
                 "  --report-interval S   usage reporting interval in seconds (default 3600)\n"
                 "  --report-batch S      how long usage may wait before it is sent (default\n"
                 "                        14400)\n"
                 "  --drain S             at a planned stop, seconds to send what is queued\n"
                 "                        (default 3)\n"
                 "  --help, --version\n\n"
                 "Board options:\n");
    room_board_usage(out);
    fprintf(out, "\nExit codes: 0 stopped cleanly, 1 flash or I/O failure, 64 bad command line\n"
                 "or config file, 78 device not provisioned or its flash, secure directory or\n"
                 "identity unusable (the setup screen is shown when a screen is); until it is\n"
                 "stopped the agent keeps answering the calling stack, emergency numbers only.\n");
}

enum { OPT_CONFIG = 256, OPT_RUN_FOR, OPT_HELP, OPT_VERSION, OPT_LOG_STDERR, OPT_AGENT, OPT_BOARD };

static const struct option s_longopts[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"run-for", required_argument, NULL, OPT_RUN_FOR},
    {"report-interval", required_argument, NULL, OPT_AGENT},
    {"report-batch", required_argument, NULL, OPT_AGENT},
    {"drain", required_argument, NULL, OPT_AGENT},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"log-stderr", no_argument, NULL, OPT_LOG_STDERR},
    {"flash", required_argument, NULL, OPT_BOARD},
    {"flash-sector-size", required_argument, NULL, OPT_BOARD},
    {"flash-program-unit", required_argument, NULL, OPT_BOARD},
    {"secure-dir", required_argument, NULL, OPT_BOARD},
    {"secure-backend", required_argument, NULL, OPT_BOARD},
    {"tpm", required_argument, NULL, OPT_BOARD},
    {"tpm-nv-index", required_argument, NULL, OPT_BOARD},
    {"fb", required_argument, NULL, OPT_BOARD},
    {"font", required_argument, NULL, OPT_BOARD},
    {"font-bold", required_argument, NULL, OPT_BOARD},
    {"call-socket", required_argument, NULL, OPT_BOARD},
    {"iface", required_argument, NULL, OPT_BOARD},
    {"input", required_argument, NULL, OPT_BOARD},
    {"serial", required_argument, NULL, OPT_BOARD},
    {"model", required_argument, NULL, OPT_BOARD},
    {"hw-revision", required_argument, NULL, OPT_BOARD},
    {"log-level", required_argument, NULL, OPT_BOARD},
    {"support-listen", required_argument, NULL, OPT_BOARD},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
    room_board_options_t opts;
    room_board_options_default(&opts);
    /* Reporting: the same defaults as the host board's spark-agent. */
    agent_config_t cfg = {
        .run_for_s = 0,
        .font_path = NULL,
        .report_interval_s = 3600,
        .report_batch_s = AGENT_REPORT_BATCH_DEFAULT_S,
        .report_drain_ms = 3000,
    };
    char err[384];

    /* Pass 1: only --config (and --help/--version, which need no config). */
    const char *config = NULL;
    int c, idx;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", s_longopts, &idx)) != -1) {
        if (c == OPT_CONFIG) {
            config = optarg;
        } else if (c == OPT_HELP) {
            usage(stdout);
            return AGENT_EXIT_OK;
        } else if (c == OPT_VERSION) {
            printf("spark-agent-room %s (room board)\n", SPARK_VERSION);
            return AGENT_EXIT_OK;
        } else if (c == '?' || c == ':') {
            fprintf(stderr,
                    "spark-agent-room: unknown option or missing value in '%s'; try "
                    "--help\n",
                    argv[optind - 1]);
            return AGENT_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "spark-agent-room: unexpected argument '%s'; try --help\n", argv[optind]);
        return AGENT_EXIT_USAGE;
    }
    if (!config && access(ROOM_DEFAULT_CONFIG, F_OK) == 0) {
        config = ROOM_DEFAULT_CONFIG;
    }
    if (config && room_board_load_config(&opts, config, err, sizeof err) != 0) {
        fprintf(stderr, "spark-agent-room: config %s\n", err);
        return AGENT_EXIT_USAGE;
    }

    /* Pass 2: every other flag, over the config file's values. */
    optind = 1;
    while ((c = getopt_long(argc, argv, "", s_longopts, &idx)) != -1) {
        char *end = NULL;
        switch (c) {
        case OPT_RUN_FOR:
            errno = 0;
            cfg.run_for_s = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || errno != 0 || cfg.run_for_s <= 0) {
                fprintf(stderr,
                        "spark-agent-room: --run-for: expected a positive number of seconds, "
                        "got '%s'\n",
                        optarg);
                return AGENT_EXIT_USAGE;
            }
            break;
        case OPT_LOG_STDERR: opts.log_stderr = true; break;
        case OPT_AGENT:
            if (agent_config_option(&cfg, s_longopts[idx].name, optarg, err, sizeof err) != 0) {
                fprintf(stderr, "spark-agent-room: %s\n", err);
                return AGENT_EXIT_USAGE;
            }
            break;
        case OPT_BOARD:
            if (room_board_set_option(&opts, s_longopts[idx].name, optarg, err, sizeof err) != 0) {
                fprintf(stderr, "spark-agent-room: --%s: %s\n", s_longopts[idx].name, err);
                return AGENT_EXIT_USAGE;
            }
            break;
        default: break; /* --config: pass 1 */
        }
    }
    cfg.font_path = opts.font[0] ? opts.font : NULL;
    cfg.font_bold_path = opts.font_bold[0] ? opts.font_bold : NULL;
    cfg.version = SPARK_VERSION;
    cfg.support_listen = opts.support_listen[0] ? opts.support_listen : NULL;

    int rc = room_board_init(&opts);
    if (rc != 0) {
        /* The board logged what is wrong (syslog, and stderr here too). */
        fprintf(stderr, "spark-agent-room: cannot start the room board: %s: %s\n", fw_strerror(rc),
                room_board_last_error());
        if (rc == FW_E_INVAL || rc == FW_E_FORMAT) {
            return AGENT_EXIT_USAGE;
        }
        return rc == FW_E_STATE || rc == FW_E_IO ? AGENT_EXIT_FAILURE : AGENT_EXIT_UNPROVISIONED;
    }
    int code = agent_run(&cfg);
    if (!room_board_storage_ok() && code == AGENT_EXIT_FAILURE) {
        code = AGENT_EXIT_UNPROVISIONED; /* unusable device, as before it served calls */
    }
    room_board_deinit();
    return code;
}
