/*
 * hal/system.h - the device's life cycle as the board sees it.
 */
#ifndef HAL_SYSTEM_H
#define HAL_SYSTEM_H

#include <stdbool.h>

/* True once the board was asked to stop (SIGTERM on Linux boards). The agent
 * checks this every loop turn and then shuts down cleanly. */
bool hal_system_stop_requested(void);

#endif /* HAL_SYSTEM_H */
