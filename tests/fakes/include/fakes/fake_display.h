/*
 * fakes/fake_display.h - a screen that remembers the last frame.
 *
 * Same size as the host board (1280x720 RGB888) unless set otherwise.
 */
#ifndef FAKES_FAKE_DISPLAY_H
#define FAKES_FAKE_DISPLAY_H

#include <stdint.h>

/* Forget frames, count 0, size back to 1280x720. */
void fake_display_reset(void);
/* Change the reported size (at most 1920x1080); forgets the last frame. */
void fake_display_set_size(uint16_t width, uint16_t height);
/* Frames presented since reset. */
uint32_t fake_display_present_count(void);
/* The last presented frame (height * width * 3 bytes), or NULL if none. */
const uint8_t *fake_display_last_frame(void);
/* Pixel of the last frame as 0xRRGGBB; 0 when there is no frame. */
uint32_t fake_display_pixel(uint16_t x, uint16_t y);
/* Make the next present calls fail with `err` (0 = succeed again). */
void fake_display_fail_with(int err);

#endif /* FAKES_FAKE_DISPLAY_H */
