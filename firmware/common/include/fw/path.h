/*
 * fw/path.h - the directory part of a file path, for boards and tools that
 * keep state in files (a rename is durable only once its directory is
 * synced; a file can be created only where its directory is writable).
 * Pure string work: no file system access.
 */
#ifndef FW_PATH_H
#define FW_PATH_H

#include <stddef.h>

/* The directory holding `path`: "dir/file" -> "dir", "file" -> ".",
 * "/file" -> "/". 0, or FW_E_TOOBIG if it does not fit in `cap` bytes
 * (`out` is then ""), FW_E_INVAL for NULL arguments. */
int fw_path_dir(const char *path, char *out, size_t cap);

#endif /* FW_PATH_H */
