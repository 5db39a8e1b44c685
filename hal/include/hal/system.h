/*
 * hal/system.h - the device's life cycle as the board sees it.
 */
#ifndef HAL_SYSTEM_H
#define HAL_SYSTEM_H

#include <stdbool.h>

/* True once the board was asked to stop (SIGTERM on Linux boards). The agent
 * checks this every loop turn and then shuts down cleanly. */
bool hal_system_stop_requested(void);

/* Why the board runs without its storage (flash or secure element), in one
 * line naming the problem for the technician (the setup screen's details and
 * the log; never a secret); NULL when its storage is there. */
const char *hal_system_fault(void);

#endif /* HAL_SYSTEM_H */
