/*
 * sim/png.h - RGB888 frames to and from PNG files, for whatever stands in for
 * a real screen: the host board's screen, spark-screens, the golden-image
 * tests. Never linked into a real board.
 */
#ifndef SIM_PNG_H
#define SIM_PNG_H

#include <stdbool.h>
#include <stdint.h>

/* Write `rgb` (h rows of w * 3 bytes) to `path` through a temporary file in
 * the same directory and a rename, so a reader never sees half a file.
 * `fast` trades size for speed (the host board writes while it runs).
 * Returns 0, FW_E_NOMEM or FW_E_IO (nothing left behind). */
int sim_png_write(const char *path, const uint8_t *rgb, uint16_t w, uint16_t h, bool fast);

/* Read `path` as RGB888 into a malloc'd buffer (`*rgb`, caller frees).
 * Returns 0, FW_E_NOENT (cannot open), FW_E_FORMAT (not a PNG it can read)
 * or FW_E_NOMEM. */
int sim_png_read(const char *path, uint8_t **rgb, uint16_t *w, uint16_t *h);

#endif /* SIM_PNG_H */
