/*
 * hal/log.h - where log lines go.
 *
 * The firmware formats its lines (see fw/log.h) and hands each finished line
 * to the board, which chooses the sink: stderr on the host board,
 * syslog/journald on the room board. Never pass secrets here.
 */
#ifndef HAL_LOG_H
#define HAL_LOG_H

typedef enum {
    HAL_LOG_ERROR = 0,
    HAL_LOG_WARN = 1,
    HAL_LOG_INFO = 2,
    HAL_LOG_DEBUG = 3,
} hal_log_level_t;

/* Emit one complete line (no trailing newline). `tag` names the module.
 * Must be safe to call from any point of the main loop; never fails. */
void hal_log_write(hal_log_level_t level, const char *tag, const char *msg);

/* Lines with a level above this are dropped before formatting. */
hal_log_level_t hal_log_threshold(void);

#endif /* HAL_LOG_H */
