/*
 * hal/display.h - the room screen as a framebuffer.
 *
 * The firmware draws a whole frame into its own buffer and presents it; the
 * board copies it out (fbdev on the room board, a PNG file on the host board).
 */
#ifndef HAL_DISPLAY_H
#define HAL_DISPLAY_H

#include <stdint.h>

typedef enum {
    HAL_PIXFMT_RGB888 = 0, /* 3 bytes per pixel: R, G, B */
} hal_pixfmt_t;

typedef struct {
    uint16_t width;
    uint16_t height;
    hal_pixfmt_t format;
} hal_display_info_t;

int hal_display_info(hal_display_info_t *info);

/* Show `pixels` (height rows of width * 3 bytes, no padding). The board copies
 * the data before returning. */
int hal_display_present(const uint8_t *pixels);

#endif /* HAL_DISPLAY_H */
