/*
 * room_internal.h - how the room board's files talk to each other.
 *
 * One file per concern; room_board.c brings them up and down in order.
 * Not for the firmware. The board's unit tests include it to reach the
 * parts (flash over a file, the secure directory) without a whole board.
 */
#ifndef ROOM_INTERNAL_H
#define ROOM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw/log.h"
#include "hal/log.h"
#include "room/room_board.h"
#include "room/room_storage.h"

#if defined(__GNUC__)
#define ROOM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ROOM_PRINTF(a, b)
#endif

/* Record a message for room_board_last_error(), log it as an error with tag
 * "board", and return `err`: `return room_fail(FW_E_IO, "...")`. */
void room_error_clear(void);
int room_fail(int err, const char *fmt, ...) ROOM_PRINTF(2, 3);

/* Board log line with tag "board". */
#define room_log(level, ...) fw_log((level), "board", __VA_ARGS__)

/* log (room_log.c): syslog, optionally stderr too. */
void room_log_open(hal_log_level_t level, bool also_stderr);
void room_log_close(void);

/* clock + system (room_clock.c). Stop signals are blocked outside
 * hal_clock_wait_ms(), which unblocks them atomically while it waits. */
int room_system_init(void);
void room_system_deinit(void);

/* service manager (room_notify.c): systemd's notify protocol. */
void room_notify_init(void);
/* Called from hal_clock_wait_ms(): READY=1 the first time, then WATCHDOG=1
 * whenever half the watchdog interval has passed. */
void room_notify_loop(void);
/* The keep-alive period in ms (0: no watchdog): waits are cut to it. */
uint64_t room_notify_next_ms(void);
void room_notify_status(const char *status);
void room_notify_stopping(void);

/* flash (room_flash.c): MTD char device, or file / block device with an
 * emulated erase unit of `sector_size` bytes. */
int room_flash_open(const char *path, uint32_t sector_size, uint32_t program_unit);
void room_flash_close(void);
bool room_flash_is_mtd(void);

/* secure element (room_secure.c): the back end opts->secure_backend names. */
int room_secure_open(const room_board_options_t *opts);
void room_secure_close(void);
/* FW_E_NOENT, logged, unless `dir` is an existing directory. */
int room_secure_dir_check(const char *dir);
/* The file back end (room_secure.c + room_counter_file.c): key file and
 * counter file in `dir`. */
int room_secure_file_open(const char *dir);
void room_secure_file_close(void);
/* The TPM 2.0 back end (room_secure_tpm.c): TCTI config string, counter NV
 * index, and `dir` for the wrapped key blob. */
int room_secure_tpm_open(const char *tcti, uint32_t nv_index, const char *dir);
void room_secure_tpm_close(void);
int room_secure_tpm_derive(const char *label, uint8_t out[32]);
int room_secure_tpm_counter_read(uint32_t *value);
int room_secure_tpm_counter_increment(uint32_t *new_value);

/* identity (room_identity.c) */
int room_identity_load(const room_board_options_t *opts);

/* display (room_display.c): "" or a missing device = no screen. */
int room_display_open(const char *fb);
void room_display_close(void);

/* call socket (room_call.c): calls, room usage. "" = no calling stack. */
int room_call_open(const char *socket_path);
void room_call_close(void);
int room_call_fd(void); /* -1 if closed */
void room_call_pump(void);

/* net (room_net.c) */
void room_net_set_iface(const char *iface);
bool room_net_is_up(void);

/* input (room_input.c) */
int room_input_open(const char (*paths)[ROOM_OPT_PATH_MAX], size_t n);
void room_input_close(void);
/* Fill `fds` with open evdev descriptors, at most `max`; returns how many. */
size_t room_input_fds(int *fds, size_t max);
void room_input_pump(void);

#endif /* ROOM_INTERNAL_H */
