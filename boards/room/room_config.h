/*
 * room_config.h - the room board's compile-time defaults, in one place.
 *
 * Every path here can be overridden at run time by the board's config file
 * (key=value, see docs/ROOM_BOARD.md) or by a command-line flag.
 */
#ifndef ROOM_CONFIG_H
#define ROOM_CONFIG_H

#include "proto/layout.h"
#include "room/room_board.h"

/* Where things are on the device. */
#define ROOM_DEFAULT_CONFIG ROOM_BOARD_DEFAULT_CONFIG
#define ROOM_DEFAULT_FLASH "/dev/disk/by-partlabel/spark-store"
#define ROOM_DEFAULT_SECURE_DIR "/var/lib/spark/secure"
/* The TPM: the kernel's resource manager, and the owner NV index of the
 * monotonic counter. */
#define ROOM_DEFAULT_TPM "device:/dev/tpmrm0"
#define ROOM_DEFAULT_TPM_NV_INDEX 0x01800517u
#define ROOM_DEFAULT_FB "/dev/fb0"
#define ROOM_DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define ROOM_DEFAULT_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define ROOM_DEFAULT_CALL_SOCKET "/run/spark/call.sock"
#define ROOM_DEFAULT_IFACE "eth0"
#define ROOM_DEFAULT_INPUT "/dev/input/event0"
/* The support port, on every address (IPv4 too where the kernel has IPv6). */
#define ROOM_DEFAULT_SUPPORT_LISTEN "[::]:5684"

/* Files inside the secure directory. */
#define ROOM_KEY_FILE ROOM_BOARD_KEY_FILE
#define ROOM_COUNTER_FILE "counter"

/* Flash over a plain file or block device (eMMC partition): the erase unit we
 * emulate and the program unit we report. An MTD device reports its own. */
#define ROOM_DEFAULT_SECTOR_SIZE LAYOUT_SECTOR_SIZE
#define ROOM_DEFAULT_PROGRAM_UNIT 1u

/* Identity fallbacks when neither the config nor the device tree says. */
#define ROOM_DEFAULT_MODEL "Spark Room Kit"
#define ROOM_DEFAULT_HW_REVISION 1
#define ROOM_DT_SERIAL "/proc/device-tree/serial-number"
#define ROOM_DT_MODEL "/proc/device-tree/model"
#define ROOM_SYS_NET "/sys/class/net"

/* The screen size the agent renders at when there is no framebuffer (the
 * frames are then dropped, but the agent's code path stays the same). */
#define ROOM_FALLBACK_WIDTH 1280
#define ROOM_FALLBACK_HEIGHT 720

/* An RTC before this date has lost its battery or was never set:
 * 2024-01-01T00:00:00Z. */
#define ROOM_WALL_MIN_UNIX 1704067200LL

/* Call socket: longest datagram we accept, events waiting to be polled
 * (more are dropped with a warning), datagrams read per pump. */
#define ROOM_CALL_LINE_MAX 128
#define ROOM_EVENT_QUEUE_LEN 64
#define ROOM_CALL_PUMP_MAX 64

/* evdev: devices we read, events queued. */
#define ROOM_INPUT_MAX_DEVICES 4
#define ROOM_INPUT_QUEUE_LEN 32

/* Config file: longest line, longest path or string value. */
#define ROOM_CONFIG_LINE_MAX 512
#define ROOM_PATH_MAX 256

#endif /* ROOM_CONFIG_H */
