/*
 * RGB888 to 16/24/32-bpp truecolour, from the fbdev bitfields (see header).
 */
#include "room_pixconv.h"

#include "fw/err.h"

static int field_ok(const room_pixfield_t *f, uint32_t bpp)
{
    return f->length <= 16 && f->offset < 32 && f->offset + f->length <= bpp;
}

int room_pix_check(const room_pixlayout_t *l)
{
    if (!l || (l->bits_per_pixel != 16 && l->bits_per_pixel != 24 && l->bits_per_pixel != 32) ||
        !field_ok(&l->red, l->bits_per_pixel) || !field_ok(&l->green, l->bits_per_pixel) ||
        !field_ok(&l->blue, l->bits_per_pixel) || !field_ok(&l->transp, l->bits_per_pixel)) {
        return FW_E_UNSUPPORTED;
    }
    return 0;
}

static uint32_t scale(uint8_t v, uint32_t length)
{
    if (length == 0) {
        return 0;
    }
    if (length <= 8) {
        return (uint32_t)v >> (8 - length);
    }
    /* Wider than 8 bits: repeat the bits so 0xFF becomes all ones. */
    uint32_t out = 0;
    for (uint32_t filled = 0; filled < length; filled += 8) {
        out = (out << 8) | v;
    }
    uint32_t total = ((length + 7) / 8) * 8;
    return out >> (total - length);
}

uint32_t room_pix_pack(const room_pixlayout_t *l, uint8_t r, uint8_t g, uint8_t b)
{
    uint32_t px = scale(r, l->red.length) << l->red.offset;
    px |= scale(g, l->green.length) << l->green.offset;
    px |= scale(b, l->blue.length) << l->blue.offset;
    if (l->transp.length) {
        px |= scale(0xFF, l->transp.length) << l->transp.offset;
    }
    return px;
}

int room_pix_convert(const room_pixlayout_t *l, const uint8_t *rgb, uint32_t width, uint32_t height,
                     uint8_t *dst, size_t dst_len)
{
    int rc = room_pix_check(l);
    if (rc != 0) {
        return rc;
    }
    if (!rgb || !dst) {
        return FW_E_INVAL;
    }
    if (width == 0 || height == 0) {
        return 0;
    }
    const size_t bytes = l->bits_per_pixel / 8;
    const size_t row = (size_t)width * bytes;
    if (l->line_length < row || (size_t)l->line_length * (height - 1) + row > dst_len) {
        return FW_E_INVAL;
    }
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *src = rgb + (size_t)y * width * 3;
        uint8_t *out = dst + (size_t)y * l->line_length;
        for (uint32_t x = 0; x < width; x++, src += 3, out += bytes) {
            uint32_t px = room_pix_pack(l, src[0], src[1], src[2]);
            out[0] = (uint8_t)px;
            out[1] = (uint8_t)(px >> 8);
            if (bytes > 2) {
                out[2] = (uint8_t)(px >> 16);
            }
            if (bytes > 3) {
                out[3] = (uint8_t)(px >> 24);
            }
        }
    }
    return 0;
}
