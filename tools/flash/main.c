/*
 * sparkflash: the technician's flashing tool. A thin dispatcher; each
 * sub-command lives in its own file (cmd_*.c) and returns its exit code.
 */
#include <stdio.h>
#include <string.h>

#include "flash_cli.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_t;

static const command_t s_commands[] = {
    {"provision", sf_cmd_provision, "write the provisioning record (and the enrollment record)"},
    {"show", sf_cmd_show, "what is provisioned, record health, active firmware (no secrets)"},
    {"verify", sf_cmd_verify, "check every record's integrity; exit 1 naming the damage"},
    {"factory-reset", sf_cmd_factory_reset, "wipe provisioning and trial history (needs --yes)"},
    {"keygen", sf_cmd_keygen, "make a P-256 key pair for licence or firmware signing"},
    {"sign", sf_cmd_sign, "wrap a firmware binary in a signed image"},
    {"flash", sf_cmd_flash, "install a signed firmware image into the inactive slot"},
};

static void usage(FILE *out)
{
    fputs("usage: sparkflash COMMAND [options]   (sparkflash COMMAND --help for each)\n"
          "\nPrepares and repairs Spark room endpoints: provisioning, enrollment records,\n"
          "signed firmware. TARGET is a host-board flash image file with TARGET.secure\n"
          "beside it, or a room board's flash: a block or MTD device (or --board room\n"
          "and a partition image), its secure element from --config or --secure-dir.\n"
          "\nCommands:\n",
          out);
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++) {
        fprintf(out, "  %-14s %s\n", s_commands[i].name, s_commands[i].summary);
    }
    fputs("\nOptions: --help, --version\n"
          "Exit codes: 0 ok, 1 refused or failed check (TARGET unchanged), 2 usage.\n"
          "See docs/SPARKFLASH.md.\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SF_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return SF_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("sparkflash %s\n", SPARKFLASH_VERSION);
        return SF_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++) {
        if (strcmp(cmd, s_commands[i].name) == 0) {
            int rc = s_commands[i].run(argc - 1, argv + 1);
            fflush(stdout);
            return rc;
        }
    }
    fprintf(stderr, "sparkflash: unknown command '%s'\n", cmd);
    usage(stderr);
    return SF_EXIT_USAGE;
}
