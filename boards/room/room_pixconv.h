/*
 * room_pixconv.h - RGB888 frames to a framebuffer's pixel layout (pure).
 *
 * Takes the layout from fbdev's fb_var_screeninfo (bits per pixel and the
 * red/green/blue/transp bitfields) and fb_fix_screeninfo (line length), but
 * knows nothing of fbdev, so tests run it on a memory buffer.
 */
#ifndef ROOM_PIXCONV_H
#define ROOM_PIXCONV_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t offset; /* bit position of the field's least significant bit */
    uint32_t length; /* bits; 0 = channel absent */
} room_pixfield_t;

typedef struct {
    uint32_t bits_per_pixel; /* 16, 24 or 32 */
    uint32_t line_length;    /* bytes from one row to the next */
    room_pixfield_t red, green, blue, transp;
} room_pixlayout_t;

/* 0 if `l` is a layout room_pix_convert() handles: 16/24/32 bpp, each field
 * inside the pixel, at most 16 bits wide. FW_E_UNSUPPORTED otherwise. */
int room_pix_check(const room_pixlayout_t *l);

/* One pixel value for 8-bit r, g, b: each channel keeps its top `length`
 * bits (or is widened by repeating its bits), transp is set fully opaque. */
uint32_t room_pix_pack(const room_pixlayout_t *l, uint8_t r, uint8_t g, uint8_t b);

/* Convert `width` x `height` RGB888 (no padding) into `dst`, row y at
 * dst + y * line_length, pixels stored little-endian (fbdev uses the CPU's
 * order; both our targets are little-endian). Bytes of dst past each row's
 * pixels are left alone. FW_E_INVAL if dst_len is too small for the rows or
 * line_length too short for a row; FW_E_UNSUPPORTED for a bad layout. */
int room_pix_convert(const room_pixlayout_t *l, const uint8_t *rgb, uint32_t width, uint32_t height,
                     uint8_t *dst, size_t dst_len);

#endif /* ROOM_PIXCONV_H */
