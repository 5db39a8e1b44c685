/*
 * spark-collector - receives the endpoints' reports over CoAP/DTLS-PSK and
 * serves their licences (serve), and manages its database (admin).
 * docs/COLLECTOR.md describes both and the wire contract.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef COLLECTOR_VERSION
#define COLLECTOR_VERSION "0.0.0"
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: spark-collector [--help | --version] COMMAND [ARGS]\n\n"
               "commands:\n"
               "  serve   run the CoAP/DTLS-PSK collector\n"
               "  admin   enroll devices, set licences, show totals\n\n"
               "'spark-collector COMMAND --help' describes a command.\n"
               "exit status: 0 ok, 1 failure or refused, 2 bad usage\n");
}

int main(int argc, char **argv)
{
    collector_log_init();
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("spark-collector %s\n", COLLECTOR_VERSION);
        return CLI_OK;
    }
    if (strcmp(argv[1], "serve") == 0) {
        return collector_cmd_serve(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "admin") == 0) {
        return collector_cmd_admin(argc - 1, argv + 1);
    }
    fprintf(stderr, "spark-collector: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
