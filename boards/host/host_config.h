/*
 * host_config.h - the host board's compile-time defaults, in one place.
 */
#ifndef HOST_CONFIG_H
#define HOST_CONFIG_H

#include "proto/layout.h"

/* Flash: the sector size the layout was designed for; an 8-byte program unit
 * like many MCU flashes with ECC words, so a store that ignores the unit is
 * caught here rather than on hardware. */
#define HOST_FLASH_SECTOR_SIZE LAYOUT_SECTOR_SIZE
#define HOST_FLASH_PROGRAM_UNIT 8u
#define HOST_FLASH_MIN_BYTES LAYOUT_MIN_FLASH_BYTES

/* The room screen. */
#define HOST_DISPLAY_WIDTH HOST_BOARD_DISPLAY_WIDTH
#define HOST_DISPLAY_HEIGHT HOST_BOARD_DISPLAY_HEIGHT

/* A dial request or incoming call the firmware has not answered within this
 * many simulated seconds is decided by the (simulated) calling stack itself,
 * as docs/EMERGENCY.md asks of every stack: emergency numbers are placed,
 * the rest refused; an incoming call is let in only within the call-back
 * window of an emergency call the stack placed. */
#define HOST_CALL_DECIDE_TIMEOUT_S 1
#define HOST_CALL_DECIDE_REAL_MIN_MS 2000 /* ... but at least this much real time */

/* Events waiting for the agent to poll them; more are dropped with a warning. */
#define HOST_EVENT_QUEUE_LEN 256

/* Factory-fresh identity. */
#define HOST_DEFAULT_MODEL "Spark Room Kit (host sim)"
#define HOST_DEFAULT_HW_REVISION 1

#endif /* HOST_CONFIG_H */
