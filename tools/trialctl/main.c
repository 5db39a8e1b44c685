/*
 * trialctl - support view of the trial engine.
 *
 * A table of sub-commands so that later ones (reading a device's trial state)
 * slot in without touching the dispatcher.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trialctl.h"

#ifndef TRIALCTL_VERSION
#define TRIALCTL_VERSION "0.0.0"
#endif

static const trialctl_cmd_t s_cmds[] = {
    {"licence", "evaluate one licence token at one instant", trialctl_cmd_licence,
     trialctl_usage_licence},
    {"call", "would a room let this call through? (calling policy)", trialctl_cmd_call,
     trialctl_usage_call},
    {"device", "ask a room itself for its trial state (its support port)", trialctl_cmd_device,
     trialctl_usage_device},
};
enum { N_CMDS = sizeof s_cmds / sizeof s_cmds[0] };

static void usage(FILE *f)
{
    fprintf(f, "usage: trialctl [--help | --version] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < N_CMDS; i++) {
        fprintf(f, "  %-10s %s\n", s_cmds[i].name, s_cmds[i].summary);
    }
    fprintf(f, "\n'trialctl COMMAND --help' describes a command.\n"
               "exit status: 0 valid, allowed or answered; 1 invalid, denied, unreachable or\n"
               "refused; 2 bad usage\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TRIALCTL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return TRIALCTL_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("trialctl %s\n", TRIALCTL_VERSION);
        return TRIALCTL_EXIT_OK;
    }
    for (size_t i = 0; i < N_CMDS; i++) {
        if (strcmp(argv[1], s_cmds[i].name) == 0) {
            return s_cmds[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "trialctl: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return TRIALCTL_EXIT_USAGE;
}
