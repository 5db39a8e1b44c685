/*
 * flash_cli.h - what the sparkflash sub-commands share: exit codes, refusal
 * messages, target checks, bringing the host board up, random numbers, keys.
 * Internal to tools/flash.
 */
#ifndef SPARKFLASH_CLI_H
#define SPARKFLASH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

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

typedef enum {
    SF_TARGET_READ,         /* must exist; only read (a snapshot is inspected) */
    SF_TARGET_WRITE,        /* must exist and be writable */
    SF_TARGET_WRITE_CREATE, /* writable, or absent (then it will be created) */
} sf_target_mode_t;

typedef struct {
    bool exists;
    uint64_t size;
} sf_target_info_t;

/* Everything that can be said about TARGET before opening it: present (or
 * allowed to be created), a regular file, writable when it must be, its
 * secure file beside it, size a multiple of the sector size and at least
 * `min_bytes`. Returns SF_EXIT_OK or the exit code of a printed refusal. */
int sf_target_check(const char *cmd, const char *path, sf_target_mode_t mode, uint64_t min_bytes,
                    sf_target_info_t *info);

typedef struct {
    const char *path;
    uint32_t flash_size; /* new image only; 0 = default */
    const char *serial;  /* new image only */
    const char *model;   /* new image only */
    bool quiet;          /* only error lines from the board and firmware */
} sf_board_args_t;

/* Bring the host board up on TARGET (creating it if absent). Returns
 * SF_EXIT_OK or a printed failure. */
int sf_board_open(const char *cmd, const sf_board_args_t *args);
void sf_board_close(void);

/* Mount the store region of the open board. 0 or a negative FW_E_* code. */
int sf_store_mount(store_t *s);

/* Copy TARGET and TARGET.secure into a fresh private directory; `snap` gets
 * the copy's image path. Inspecting the copy means show/verify never write to
 * TARGET (mounting a store may finish an interrupted operation) and work on
 * read-only targets and on images an agent is running on. */
int sf_snapshot_make(const char *cmd, const char *path, char *snap, size_t cap);
void sf_snapshot_remove(const char *snap);

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

/* Read a whole file (at most `max` bytes) into a malloc'd buffer with a NUL
 * after it. 0, FW_E_NOENT/FW_E_IO (errno kept) or FW_E_TOOBIG. */
int sf_read_file(const char *path, size_t max, uint8_t **buf, size_t *len);

/* Write `len` bytes to `path` crash-safely (temporary name, fsync, rename)
 * with mode `mode`. 0 or FW_E_IO (errno kept). */
int sf_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* Sub-commands: argv[0] is the sub-command name. Return an exit code. */
int sf_cmd_provision(int argc, char **argv);
int sf_cmd_show(int argc, char **argv);
int sf_cmd_verify(int argc, char **argv);
int sf_cmd_factory_reset(int argc, char **argv);
int sf_cmd_keygen(int argc, char **argv);
int sf_cmd_sign(int argc, char **argv);
int sf_cmd_flash(int argc, char **argv);

#endif /* SPARKFLASH_CLI_H */
