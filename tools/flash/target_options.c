/*
 * The options that say what a sparkflash TARGET is (--board, --config,
 * --secure-dir), shared by every command that takes one.
 */
#include <stdio.h>
#include <string.h>

#include "flash_cli.h"
#include "room/room_storage.h"

bool sf_is_target_option(int c)
{
    return c == SF_OPT_BOARD || c == SF_OPT_CONFIG || c == SF_OPT_SECURE_DIR;
}

int sf_target_option(const char *cmd, int c, const char *arg, sf_target_opts_t *o)
{
    if (c == SF_OPT_BOARD) {
        if (o->board != SF_BOARD_AUTO) {
            return sf_usage_error(cmd, "--board given twice");
        }
        if (strcmp(arg, "host") == 0) {
            o->board = SF_BOARD_HOST;
        } else if (strcmp(arg, "room") == 0) {
            o->board = SF_BOARD_ROOM;
        } else {
            return sf_usage_error(cmd, "--board: expected host or room, got '%s'", arg);
        }
        return SF_EXIT_OK;
    }
    const char **dst = c == SF_OPT_CONFIG ? &o->config : &o->secure_dir;
    if (*dst) {
        return sf_usage_error(cmd, "--%s given twice",
                              c == SF_OPT_CONFIG ? "config" : "secure-dir");
    }
    if (!*arg) {
        return sf_usage_error(cmd, "--%s: empty path",
                              c == SF_OPT_CONFIG ? "config" : "secure-dir");
    }
    *dst = arg;
    return SF_EXIT_OK;
}

void sf_target_usage(FILE *out, int col)
{
    static const char *const lines[][2] = {
        {"--board host|room", "what TARGET is (default: a block or MTD device is a"},
        {"", "room board's flash, anything else a host-board image)"},
        {"--config FILE", "room board config (default " ROOM_BOARD_DEFAULT_CONFIG " if it"},
        {"", "exists): secure_dir, flash_sector_size, serial, ..."},
        {"--secure-dir DIR", "room board secure element directory (key, counter)"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if ((int)strlen(lines[i][0]) > col - 4) { /* too wide: name on a line of its own */
            fprintf(out, "  %s\n", lines[i][0]);
            fprintf(out, "%*s%s\n", col, "", lines[i][1]);
        } else {
            fprintf(out, "  %-*s%s\n", col - 2, lines[i][0], lines[i][1]);
        }
    }
}
