/*
 * fw/file.h - whole files, for the boards and the tools (library fw_file;
 * the agent itself does no file I/O: it sees storage through the HAL).
 *
 * One reader and one writer for every state file, key, record and image:
 * the reader never trusts a size it has not read, the writer leaves either
 * the old file or the new one after a crash or a power cut, never a torn
 * or a missing one.
 */
#ifndef FW_FILE_H
#define FW_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Read all of `path`, at most `max` bytes, into a new buffer (free() it;
 * wipe it first if it held a secret) with a NUL after the data, so text can
 * be used as a string. Pipes, character devices and sysfs files are read
 * to their end too. Returns 0, or FW_E_NOENT (no such file), FW_E_TOOBIG
 * (more than `max` bytes), FW_E_NOMEM, FW_E_IO (errno says why: a
 * directory is EISDIR); *buf is NULL and *len 0 on failure. */
int fw_file_read(const char *path, size_t max, uint8_t **buf, size_t *len);

/* Replace `path` with `len` bytes of `data`, crash-atomically: written to
 * "PATH.tmp" (created with `mode`, which a leftover file is also set to),
 * fsync'ed, renamed over `path`, and the directory fsync'ed (a rename is
 * durable only then). A symbolic link at PATH.tmp is refused. Returns 0,
 * or FW_E_IO (errno says why; `path` is untouched and PATH.tmp removed),
 * FW_E_TOOBIG (path too long), FW_E_INVAL. */
int fw_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* fsync the directory holding `path`. 0 or FW_E_IO / FW_E_INVAL. */
int fw_file_sync_dir(const char *path);

/* Why a call above failed with `rc`, for a message: "no such file",
 * "too large", or strerror(errno) for FW_E_IO (call it before anything
 * else can change errno). Never NULL. */
const char *fw_file_error(int rc);

#endif /* FW_FILE_H */
