/*
 * target_priv.h - what the target_*.c files share with one another (the
 * commands use flash_cli.h).
 */
#ifndef SF_TARGET_PRIV_H
#define SF_TARGET_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "flash_cli.h"
#include "hal/flash.h"

/* Copy `src` into `dst` (cap bytes). 0, or FW_E_TOOBIG (dst untouched). */
int sf_copy_path(char *dst, size_t cap, const char *src);

/* Silence the boards' log while probing a target: a failure comes back
 * through room_board_last_error() and is reported once, by the caller. */
void sf_board_mute(bool mute);

/* A room target's flash geometry (MTD reports its own; a file or block
 * device takes the config's), with the board's log silenced. */
int sf_target_probe(const sf_target_t *t, hal_flash_geometry_t *geo);

#endif /* SF_TARGET_PRIV_H */
