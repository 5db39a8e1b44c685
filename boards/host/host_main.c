/*
 * spark-agent for the host simulation board: parse the board's options and the
 * agent's own, bring the board up, run the agent.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "fw/err.h"
#include "fw/sockaddr.h"
#include "host/host_board.h"

#ifndef SPARK_VERSION
#define SPARK_VERSION "0.0.0"
#endif
#define HOST_FONT_DEFAULT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define HOST_FONT_BOLD_DEFAULT "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: spark-agent --flash FILE [options]\n"
        "Runs the Spark room endpoint agent on the host simulation board.\n\n"
        "Agent options:\n"
        "  --run-for SECONDS     stop after this many simulated seconds (default: until SIGTERM)\n"
        "  --font FILE           TrueType font for the screen (default " HOST_FONT_DEFAULT ")\n"
        "  --font-bold FILE      its bold face (default " HOST_FONT_BOLD_DEFAULT ")\n"
        "  --screen-page S       lapsed: 'services ended' and the return instructions take\n"
        "                        turns every S simulated seconds (default 30)\n"
        "  --report-interval S   usage reporting interval in seconds (default 3600)\n"
        "  --report-batch S      how long usage may wait before it is sent (default 14400)\n"
        "  --drain S             at a planned stop, real seconds to send what is queued\n"
        "                        (default 3)\n"
        "  --support-listen ADDR:PORT  open the read-only support port there (DTLS, the\n"
        "                        provisioned support PSK; e.g. 127.0.0.1:5684; default off)\n"
        "  --help, --version\n\n");
    host_board_usage(out);
    fprintf(out, "\nExit codes: 0 stopped cleanly, 1 flash or I/O failure (incl. a simulated\n"
                 "power cut), 64 bad command line, 78 device not provisioned or its flash image\n"
                 "unusable (the setup screen is shown). Unprovisioned or with unusable flash the\n"
                 "agent keeps answering calls, emergency numbers only, until it is stopped.\n");
}

int main(int argc, char **argv)
{
    host_board_options_t opts;
    host_board_options_default(&opts);
    if (host_board_parse_args(&opts, &argc, argv) != 0) {
        fprintf(stderr, "spark-agent: try --help\n");
        return AGENT_EXIT_USAGE;
    }
    agent_config_t cfg = {
        .run_for_s = 0,
        .font_path = HOST_FONT_DEFAULT,
        .font_bold_path = HOST_FONT_BOLD_DEFAULT,
        .version = SPARK_VERSION,
        .screen_page_s = AGENT_SCREEN_PAGE_DEFAULT_S,
        .report_interval_s = 3600,
        .report_batch_s = AGENT_REPORT_BATCH_DEFAULT_S,
        .report_drain_ms = 3000,
    };
    static const struct option longopts[] = {
        {"run-for", required_argument, NULL, 'r'},
        {"font", required_argument, NULL, 'f'},
        {"font-bold", required_argument, NULL, 'F'},
        {"screen-page", required_argument, NULL, 'p'},
        {"report-interval", required_argument, NULL, 'i'},
        {"report-batch", required_argument, NULL, 'b'},
        {"drain", required_argument, NULL, 'd'},
        {"support-listen", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c, idx = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, &idx)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'r':
            cfg.run_for_s = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || cfg.run_for_s <= 0) {
                fprintf(stderr,
                        "spark-agent: --run-for: expected a positive number of seconds, got '%s'\n",
                        optarg);
                return AGENT_EXIT_USAGE;
            }
            break;
        case 'f': cfg.font_path = optarg; break;
        case 'F': cfg.font_bold_path = optarg; break;
        case 'i':
        case 'b':
        case 'p':
        case 'd': {
            char err[160];
            if (agent_config_option(&cfg, longopts[idx].name, optarg, err, sizeof err) != 0) {
                fprintf(stderr, "spark-agent: %s\n", err);
                return AGENT_EXIT_USAGE;
            }
            break;
        }
        case 'S': {
            struct sockaddr_storage a;
            socklen_t alen;
            if (fw_sockaddr_parse(optarg, &a, &alen) != 0) {
                fprintf(stderr,
                        "spark-agent: --support-listen: expected ADDR:PORT with an address "
                        "literal (127.0.0.1:5684, [::1]:5684), got '%s'\n",
                        optarg);
                return AGENT_EXIT_USAGE;
            }
            cfg.support_listen = optarg;
            break;
        }
        case 'h': usage(stdout); return AGENT_EXIT_OK;
        case 'V': printf("spark-agent %s (host board)\n", SPARK_VERSION); return AGENT_EXIT_OK;
        default:
            fprintf(stderr, "spark-agent: unknown option '%s'; try --help\n", argv[optind - 1]);
            return AGENT_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "spark-agent: unexpected argument '%s'; try --help\n", argv[optind]);
        return AGENT_EXIT_USAGE;
    }
    if (!opts.flash_path) {
        fprintf(stderr, "spark-agent: --flash FILE is required (the device's flash image)\n");
        return AGENT_EXIT_USAGE;
    }
    if (opts.scenario_path && access(opts.scenario_path, R_OK) != 0) {
        fprintf(stderr, "spark-agent: --scenario: cannot read '%s': %s\n", opts.scenario_path,
                strerror(errno));
        return AGENT_EXIT_USAGE;
    }
    int rc = host_board_init(&opts);
    if (rc != 0) {
        /* The board printed what is wrong; an unusable image or secure file is
         * a device configuration problem, like a missing provisioning. */
        fprintf(stderr, "spark-agent: cannot start the host board: %s\n", fw_strerror(rc));
        if (rc == FW_E_INVAL || rc == FW_E_FORMAT) {
            return AGENT_EXIT_USAGE;
        }
        return rc == FW_E_STATE || rc == FW_E_IO ? AGENT_EXIT_FAILURE : AGENT_EXIT_UNPROVISIONED;
    }
    int code = agent_run(&cfg);
    if (host_board_power_cut() && code == AGENT_EXIT_OK) {
        code = AGENT_EXIT_FAILURE;
    }
    if (!host_board_storage_ok() && code == AGENT_EXIT_FAILURE) {
        /* An unusable image or secure file is a device configuration problem,
         * like a missing provisioning (the agent served emergency calls). */
        code = AGENT_EXIT_UNPROVISIONED;
    }
    host_board_deinit();
    return code;
}
