/*
 * flash_cli.h - what the sparkflash sub-commands share: exit codes, refusal
 * messages, targets (host image or room board flash), random numbers, keys.
 * Internal to tools/flash.
 */
#ifndef SPARKFLASH_CLI_H
#define SPARKFLASH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#include "room/room_board.h"
#include "store/store.h"

#ifndef SPARKFLASH_VERSION
#define SPARKFLASH_VERSION "0.0.0"
#endif

/* Exit codes (docs/SPARKFLASH.md). */
enum {
    SF_EXIT_OK = 0,
    SF_EXIT_REFUSED = 1, /* refused input, failed check, or the operation failed */
    SF_EXIT_USAGE = 2,   /* bad command line */
};

#if defined(__GNUC__)
#define SF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SF_PRINTF(a, b)
#endif

/* "sparkflash CMD: refused: ..." on stderr; returns SF_EXIT_REFUSED. */
int sf_refuse(const char *cmd, const char *fmt, ...) SF_PRINTF(2, 3);
/* "sparkflash CMD: failed: ..." on stderr; returns SF_EXIT_REFUSED. */
int sf_fail(const char *cmd, const char *fmt, ...) SF_PRINTF(2, 3);
/* "sparkflash CMD: ..." plus a pointer to --help; returns SF_EXIT_USAGE. */
int sf_usage_error(const char *cmd, const char *fmt, ...) SF_PRINTF(2, 3);
/* Informational line on stderr (stdout stays for results such as --json). */
void sf_note(const char *cmd, const char *fmt, ...) SF_PRINTF(2, 3);

/* The message for a getopt_long() failure ('?' or ':'); returns SF_EXIT_USAGE. */
int sf_getopt_error(const char *cmd, int c, char *const argv[]);
/* Reset getopt for a new argument vector. */
void sf_getopt_reset(void);

/* ---------------------------------------------------------------- target */

/* TARGET is a host-board flash image file with TARGET.secure beside it, or a
 * room board's flash: an MTD or block device (or, with --board room, a file
 * holding a partition image) with the secure element in a directory
 * (docs/SPARKFLASH.md "Targets"). target*.c, one concern each. */

typedef enum {
    SF_BOARD_AUTO = 0, /* device node: room; anything else: host */
    SF_BOARD_HOST,
    SF_BOARD_ROOM,
} sf_board_t;

/* The options every TARGET-taking sub-command accepts besides --image. */
typedef struct {
    sf_board_t board;       /* --board host|room */
    const char *config;     /* --config FILE: room board config */
    const char *secure_dir; /* --secure-dir DIR: room board secure element */
} sf_target_opts_t;

enum { SF_OPT_BOARD = 0x1000, SF_OPT_CONFIG, SF_OPT_SECURE_DIR };

/* getopt_long() entries for sf_target_opts_t. */
#define SF_TARGET_LONGOPTS                                                                         \
    {"board", required_argument, NULL, SF_OPT_BOARD},                                              \
        {"config", required_argument, NULL, SF_OPT_CONFIG},                                        \
    {                                                                                              \
        "secure-dir", required_argument, NULL, SF_OPT_SECURE_DIR                                   \
    }
/* Print the --help lines of the target options, descriptions at column
 * `col` (to line up with the sub-command's own options). */
void sf_target_usage(FILE *out, int col);

/* Take one of the target options. SF_EXIT_OK, or a usage error (bad value,
 * given twice). */
bool sf_is_target_option(int c);
int sf_target_option(const char *cmd, int c, const char *arg, sf_target_opts_t *o);

typedef struct {
    sf_board_t board; /* HOST or ROOM */
    char path[PATH_MAX];
    room_board_options_t room; /* ROOM: config + --secure-dir; flash = path */
} sf_target_t;

/* Decide what TARGET is and load a room target's config. SF_EXIT_OK or the
 * exit code of a printed refusal / usage error. Writes nothing. */
int sf_target_resolve(const char *cmd, const char *path, const sf_target_opts_t *o, sf_target_t *t);

/* One line naming the target's board and, for a room target, its secure
 * directory: "room board flash (block device), secure element in DIR". */
void sf_target_describe(const sf_target_t *t, char *out, size_t cap);

typedef enum {
    SF_TARGET_READ,         /* must exist; only read (a snapshot is inspected) */
    SF_TARGET_WRITE,        /* must exist and be writable */
    SF_TARGET_WRITE_CREATE, /* writable, or absent (then it will be created) */
} sf_target_mode_t;

typedef struct {
    bool exists;
    uint64_t size;
    char hw_serial[32]; /* room target: the hardware serial (config, else device
                           tree), read without opening anything; host: "" (it
                           is in the secure file, known once open) */
} sf_target_info_t;

/* Everything that can be said about TARGET before opening it: present (or
 * allowed to be created), the right kind of file, writable when it must be,
 * its secure element present, at least `min_bytes` of whole sectors.
 * Returns SF_EXIT_OK or the exit code of a printed refusal. */
int sf_target_check(const char *cmd, const sf_target_t *t, sf_target_mode_t mode,
                    uint64_t min_bytes, sf_target_info_t *info);

typedef struct {
    const sf_target_t *target;
    uint32_t flash_size; /* new host image only; 0 = default */
    const char *serial;  /* new host image only */
    const char *model;   /* new host image only */
    bool quiet;          /* only error lines from the board and firmware */
} sf_board_args_t;

/* Bring the target's board storage up (creating a host image if absent) and
 * bind the hal_* functions to it; SIGINT/SIGTERM become stop requests.
 * Returns SF_EXIT_OK or a printed failure. */
int sf_board_open(const char *cmd, const sf_board_args_t *args);
void sf_board_close(void);

/* Only error lines from the board and firmware (true), or warnings too. */
void sf_board_quiet(bool quiet);

/* Mount the store region of the open board. 0 or a negative FW_E_* code. */
int sf_store_mount(store_t *s);

/* A private copy of TARGET and its secure element in a fresh directory of
 * $TMPDIR. Inspecting the copy means show/verify never write to TARGET
 * (mounting a store may finish an interrupted operation) and work on
 * read-only targets and on devices an agent is running on. */
#define SF_SNAPSHOT_FILES 8
typedef struct {
    char path[PATH_MAX + 64];
    uint8_t *data; /* wiped before it is freed: it may be a device key */
    size_t len;
} sf_saved_file_t;

typedef struct {
    sf_target_t target; /* the copy */
    char dir[PATH_MAX];
    uint32_t sector_size;
    size_t n_saved;
    sf_saved_file_t saved[SF_SNAPSHOT_FILES]; /* the copy's secure files, as copied */
} sf_snapshot_t;

int sf_snapshot_make(const char *cmd, const sf_target_t *t, sf_snapshot_t *snap);
/* Put the copy's secure files back as they were copied (a mount may have
 * moved its counter). 0 or FW_E_IO. */
int sf_snapshot_restore_secure(const sf_snapshot_t *snap);
void sf_snapshot_remove(sf_snapshot_t *snap);

/* ------------------------------------------------------------- utilities */

typedef struct {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
} sf_rng_t;

/* Seed CTR_DRBG from the system entropy source; `personal` separates uses. */
int sf_rng_init(sf_rng_t *r, const char *personal);
void sf_rng_free(sf_rng_t *r);

/* Load a P-256 public key (PEM or DER). On failure returns non-zero and
 * writes "<field>: ... expected an EC P-256 public key" to `why`. */
int sf_load_p256_public(const char *field, const char *path, mbedtls_pk_context *pk, char *why,
                        size_t cap);

/* First 8 bytes of SHA-256 as 16 hex digits: identifies a secret without
 * revealing it. */
void sf_fingerprint(const void *data, size_t n, char out[17]);

/* Sub-commands: argv[0] is the sub-command name. Return an exit code. */
int sf_cmd_provision(int argc, char **argv);
int sf_cmd_show(int argc, char **argv);
int sf_cmd_verify(int argc, char **argv);
int sf_cmd_factory_reset(int argc, char **argv);
int sf_cmd_keygen(int argc, char **argv);
int sf_cmd_sign(int argc, char **argv);
int sf_cmd_flash(int argc, char **argv);

#endif /* SPARKFLASH_CLI_H */
