/*
 * The counter as a file (secure_backend = file): DIR/counter holds
 * "spark-counter v1 <value>\n".
 *
 * Every increment writes DIR/counter.tmp, fsyncs it, renames it over
 * DIR/counter and fsyncs DIR: rename is atomic, so after a power cut the file
 * holds the old or the new value, never a torn one. A crash before the
 * rename leaves a stale counter.tmp, which the next open removes: the value
 * it holds was never acknowledged to the caller.
 *
 * Honest limits: root can edit or restore the file (a TPM NV counter or
 * RPMB cannot be set back), and a file restored together with an old flash
 * image defeats the rollback check. See docs/ROOM_BOARD.md.
 */
#include "room_counter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw/err.h"
#include "fw/file.h"
#include "room_config.h"
#include "room_internal.h"

#define COUNTER_MAGIC "spark-counter v1 "

static bool s_open;
static uint32_t s_value;
static char s_path[ROOM_OPT_PATH_MAX + 16];
static char s_tmp[ROOM_OPT_PATH_MAX + 16];

static int parse_counter(const char *text, size_t len, uint32_t *out)
{
    const size_t m = strlen(COUNTER_MAGIC);
    if (len < m + 2 || memcmp(text, COUNTER_MAGIC, m) != 0 || text[len - 1] != '\n') {
        return FW_E_CORRUPT;
    }
    uint64_t v = 0;
    size_t i = m;
    for (; i < len - 1; i++) {
        if (text[i] < '0' || text[i] > '9' || i - m >= 10) {
            return FW_E_CORRUPT;
        }
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    if (v > UINT32_MAX) {
        return FW_E_CORRUPT;
    }
    *out = (uint32_t)v;
    return 0;
}

static int write_counter(uint32_t value)
{
    char text[64];
    int n = snprintf(text, sizeof text, COUNTER_MAGIC "%u\n", (unsigned)value);
    int rc = fw_file_write_atomic(s_path, text, (size_t)n, 0600);
    if (rc != 0) {
        return room_fail(FW_E_IO, "cannot write counter %s: %s", s_path, fw_file_error(rc));
    }
    return 0;
}

int room_counter_open(const char *secure_dir, bool create)
{
    if (s_open) {
        return room_fail(FW_E_STATE, "counter already open");
    }
    if ((size_t)snprintf(s_path, sizeof s_path, "%s/%s", secure_dir, ROOM_COUNTER_FILE) >=
            sizeof s_path ||
        (size_t)snprintf(s_tmp, sizeof s_tmp, "%s/%s.tmp", secure_dir, ROOM_COUNTER_FILE) >=
            sizeof s_tmp) {
        return room_fail(FW_E_INVAL, "secure_dir path too long");
    }
    if (unlink(s_tmp) == 0) {
        room_log(HAL_LOG_WARN, "removed %s left by an interrupted counter update", s_tmp);
    }
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = fw_file_read(s_path, 63, &text, &len);
    if (rc == FW_E_NOENT && create) {
        rc = write_counter(0);
        if (rc == 0) {
            room_log(HAL_LOG_INFO, "new monotonic counter %s", s_path);
            s_value = 0;
            s_open = true;
        }
        return rc;
    }
    if (rc == FW_E_NOENT) {
        return room_fail(FW_E_NOENT,
                         "monotonic counter %s is missing while the device key exists: the "
                         "rollback guard is gone; refusing to restart it at 0",
                         s_path);
    }
    if (rc == 0) {
        rc = parse_counter((const char *)text, len, &s_value);
    }
    free(text);
    if (rc != 0) {
        return room_fail(rc == FW_E_CORRUPT ? FW_E_CORRUPT : FW_E_IO,
                         "monotonic counter %s is unreadable or damaged (%s)", s_path,
                         fw_strerror(rc));
    }
    s_open = true;
    return 0;
}

int room_counter_read(uint32_t *value)
{
    if (!value) {
        return FW_E_INVAL;
    }
    if (!s_open) {
        return FW_E_STATE;
    }
    *value = s_value;
    return 0;
}

int room_counter_increment(uint32_t *new_value)
{
    if (!s_open) {
        return FW_E_STATE;
    }
    if (s_value == UINT32_MAX) {
        return FW_E_NOSPACE;
    }
    int rc = write_counter(s_value + 1);
    if (rc == 0) {
        s_value++;
        if (new_value) {
            *new_value = s_value;
        }
    }
    return rc;
}

void room_counter_close(void)
{
    s_open = false;
    s_value = 0;
}
