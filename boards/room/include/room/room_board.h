/*
 * room/room_board.h - setting up the room board (Linux aarch64 endpoint).
 *
 * Only spark-agent-room's main() and the board's own tests include this;
 * the firmware sees the board through hal/ alone.
 *
 * Typical main():
 *
 *     room_board_options_t opts;
 *     room_board_options_default(&opts);
 *     room_board_load_config(&opts, "/etc/spark/room.conf", err, sizeof err);
 *     room_board_set_option(&opts, "flash", "/dev/mtd3", err, sizeof err);
 *     if (room_board_init(&opts) != 0) ...;
 *     agent_run(...);
 *     room_board_deinit();
 *
 * Option names are the config file's keys (docs/ROOM_BOARD.md); a flag
 * "--secure-dir X" is the key "secure_dir".
 */
#ifndef ROOM_ROOM_BOARD_H
#define ROOM_ROOM_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hal/log.h"

#define ROOM_OPT_PATH_MAX 256

/* Read by spark-agent-room (and sparkflash, for room targets) when no
 * --config is given and it exists. */
#define ROOM_BOARD_DEFAULT_CONFIG "/etc/spark/room.conf"
/* The device key's file in secure_dir (docs/ROOM_BOARD.md). */
#define ROOM_BOARD_KEY_FILE "device.key"
#define ROOM_OPT_INPUT_MAX 4

/* The secure element (docs/ROOM_BOARD.md): TPM 2.0, or files in secure_dir. */
typedef enum { ROOM_SECURE_TPM = 0, ROOM_SECURE_FILE = 1 } room_secure_backend_t;

typedef struct {
    char flash[ROOM_OPT_PATH_MAX];      /* MTD char device, block device or file */
    uint32_t flash_sector_size;         /* file/block device only: emulated erase unit */
    uint32_t flash_program_unit;        /* file/block device only */
    char secure_dir[ROOM_OPT_PATH_MAX]; /* holds device.key (and counter: file back end) */
    room_secure_backend_t secure_backend;
    char tpm[ROOM_OPT_PATH_MAX];         /* TCTI config string */
    uint32_t tpm_nv_index;               /* the counter's NV index */
    char fb[ROOM_OPT_PATH_MAX];          /* "" = no framebuffer */
    char font[ROOM_OPT_PATH_MAX];        /* for the agent, not the board */
    char font_bold[ROOM_OPT_PATH_MAX];   /* its bold face, for the agent */
    char call_socket[ROOM_OPT_PATH_MAX]; /* "" = no calling stack */
    char iface[32];                      /* network interface for link state and MAC */
    char input[ROOM_OPT_INPUT_MAX][ROOM_OPT_PATH_MAX]; /* evdev devices; "" = unused */
    char serial[32];                                   /* "" = from the device tree */
    char model[32]; /* "" = from the device tree, else the default */
    uint16_t hw_revision;
    hal_log_level_t log_level;
    bool log_stderr; /* copy log lines to stderr as well as syslog */
    /* The agent's support port (docs/SUPPORT.md): "ADDR:PORT", "" = off. */
    char support_listen[64];
} room_board_options_t;

/* Fill `opts` with the defaults of room_config.h. */
void room_board_options_default(room_board_options_t *opts);

/* Set one option by its config key ("flash", "secure_dir", ...; '-' is taken
 * as '_'). Returns 0, FW_E_NOENT for an unknown key, FW_E_INVAL for a bad
 * value; on error `err` (may be NULL) says what is wrong, naming the key. */
int room_board_set_option(room_board_options_t *opts, const char *key, const char *value, char *err,
                          size_t cap);

/* Read a key=value config file ('#' comments, blank lines, whitespace around
 * key and value ignored) into `opts`. Stops at the first bad line: returns
 * FW_E_NOENT/FW_E_INVAL/FW_E_FORMAT/FW_E_TOOBIG (unknown key / bad value /
 * no '=' / line too long) or FW_E_IO (unreadable), with
 * "FILE:LINE: ..." in `err`. */
int room_board_load_config(room_board_options_t *opts, const char *path, char *err, size_t cap);

/* Print the options as flags, for --help (indented, no heading). */
void room_board_usage(FILE *out);

/* Bring the board up in order: log, clock and signals, flash, secure element,
 * identity, display, call socket, input. On failure everything opened is
 * closed again, a message is logged and in room_board_last_error(), and a
 * negative FW_E_* code is returned; broken storage alone is not a failure
 * (see room_board_storage_ok()). */
int room_board_init(const room_board_options_t *opts);
void room_board_deinit(void);

/* False when the board came up without its storage (flash, secure element
 * or identity broken or missing, not misconfigured): the agent then serves
 * emergency calls only (docs/EMERGENCY.md). */
bool room_board_storage_ok(void);

const char *room_board_last_error(void);

#endif /* ROOM_ROOM_BOARD_H */
