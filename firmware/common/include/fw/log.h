/*
 * fw/log.h - one logging macro family for the whole firmware.
 *
 * In a .c file:   #define FW_LOG_TAG "store"   before including this header,
 * then            FW_LOGE("sector %u damaged", n);
 * Lines are formatted here and handed to the board through hal/log.h.
 * Never log secrets (PSKs, keys): log a fingerprint if you must identify one.
 */
#ifndef FW_LOG_H
#define FW_LOG_H

#include <stddef.h>

#include "hal/log.h"

#ifndef FW_LOG_TAG
#define FW_LOG_TAG "fw"
#endif

#if defined(__GNUC__)
#define FW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FW_PRINTF(a, b)
#endif

void fw_log(hal_log_level_t level, const char *tag, const char *fmt, ...) FW_PRINTF(3, 4);

/* The last line logged at warning or error level, as "tag: message", cut
 * to buf[cap] (support reads it from the room, docs/SUPPORT.md); returns
 * how many such lines this process has logged (0: none, buf is ""). Kept
 * whatever the board's log threshold. */
unsigned fw_log_last_problem(char *buf, size_t cap);

#define FW_LOGE(...) fw_log(HAL_LOG_ERROR, FW_LOG_TAG, __VA_ARGS__)
#define FW_LOGW(...) fw_log(HAL_LOG_WARN, FW_LOG_TAG, __VA_ARGS__)
#define FW_LOGI(...) fw_log(HAL_LOG_INFO, FW_LOG_TAG, __VA_ARGS__)
#define FW_LOGD(...) fw_log(HAL_LOG_DEBUG, FW_LOG_TAG, __VA_ARGS__)

#endif /* FW_LOG_H */
