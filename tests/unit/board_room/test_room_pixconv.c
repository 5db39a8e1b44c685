/*
 * RGB888 -> framebuffer layouts (pure conversion, on memory buffers): the
 * RGB565 and XRGB8888/ARGB8888/BGR layouts real panels report, row stride,
 * and refusal of layouts and buffers that do not fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "fw/err.h"
#include "room_pixconv.h"

static const room_pixlayout_t RGB565 = {.bits_per_pixel = 16,
                                        .line_length = 0,
                                        .red = {11, 5},
                                        .green = {5, 6},
                                        .blue = {0, 5},
                                        .transp = {0, 0}};
static const room_pixlayout_t XRGB8888 = {.bits_per_pixel = 32,
                                          .line_length = 0,
                                          .red = {16, 8},
                                          .green = {8, 8},
                                          .blue = {0, 8},
                                          .transp = {0, 0}};
static const room_pixlayout_t ARGB8888 = {.bits_per_pixel = 32,
                                          .line_length = 0,
                                          .red = {16, 8},
                                          .green = {8, 8},
                                          .blue = {0, 8},
                                          .transp = {24, 8}};
static const room_pixlayout_t XBGR8888 = {.bits_per_pixel = 32,
                                          .line_length = 0,
                                          .red = {0, 8},
                                          .green = {8, 8},
                                          .blue = {16, 8},
                                          .transp = {0, 0}};

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_pack_565(void **state)
{
    (void)state;
    assert_int_equal(room_pix_pack(&RGB565, 0xFF, 0, 0), 0xF800);
    assert_int_equal(room_pix_pack(&RGB565, 0, 0xFF, 0), 0x07E0);
    assert_int_equal(room_pix_pack(&RGB565, 0, 0, 0xFF), 0x001F);
    assert_int_equal(room_pix_pack(&RGB565, 0xFF, 0xFF, 0xFF), 0xFFFF);
    /* Truncation keeps the top bits: 0x87 -> 10000 (r), 100001 (g), 10000 (b). */
    assert_int_equal(room_pix_pack(&RGB565, 0x87, 0x87, 0x87),
                     (0x10u << 11) | (0x21u << 5) | 0x10u);
}

static void test_pack_32(void **state)
{
    (void)state;
    assert_int_equal(room_pix_pack(&XRGB8888, 0x12, 0x34, 0x56), 0x00123456);
    assert_int_equal(room_pix_pack(&ARGB8888, 0x12, 0x34, 0x56), 0xFF123456);
    assert_int_equal(room_pix_pack(&XBGR8888, 0x12, 0x34, 0x56), 0x00563412);
    /* A 10-bit channel (e.g. 30-bit panels) widens 0xFF to all ones. */
    room_pixlayout_t w = XRGB8888;
    w.red = (room_pixfield_t){20, 10};
    w.green = (room_pixfield_t){10, 10};
    w.blue = (room_pixfield_t){0, 10};
    assert_int_equal(room_pix_pack(&w, 0xFF, 0, 0x80), (0x3FFu << 20) | 0x202u);
}

static void test_convert_565_with_stride(void **state)
{
    (void)state;
    const uint8_t rgb[2 * 2 * 3] = {0xFF, 0, 0,    0,    0xFF, 0,     /* row 0: red, green */
                                    0,    0, 0xFF, 0xFF, 0xFF, 0xFF}; /* row 1: blue, white */
    room_pixlayout_t l = RGB565;
    l.line_length = 8; /* 4 bytes of pixels + 4 bytes of padding per row */
    uint8_t fb[16];
    memset(fb, 0xAA, sizeof fb);
    assert_int_equal(room_pix_convert(&l, rgb, 2, 2, fb, sizeof fb), 0);
    assert_int_equal(le16(fb + 0), 0xF800);
    assert_int_equal(le16(fb + 2), 0x07E0);
    assert_int_equal(le16(fb + 8), 0x001F);
    assert_int_equal(le16(fb + 10), 0xFFFF);
    for (int i = 4; i < 8; i++) {
        assert_int_equal(fb[i], 0xAA); /* padding untouched */
    }
}

static void test_convert_32_and_24(void **state)
{
    (void)state;
    const uint8_t rgb[3 * 3] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};
    room_pixlayout_t l = ARGB8888;
    l.line_length = 12;
    uint8_t fb[12];
    assert_int_equal(room_pix_convert(&l, rgb, 3, 1, fb, sizeof fb), 0);
    assert_int_equal(le32(fb + 0), 0xFF112233);
    assert_int_equal(le32(fb + 4), 0xFF445566);
    assert_int_equal(le32(fb + 8), 0xFF778899);

    room_pixlayout_t bgr24 = {
        .bits_per_pixel = 24, .line_length = 9, .red = {16, 8}, .green = {8, 8}, .blue = {0, 8}};
    uint8_t fb24[9];
    assert_int_equal(room_pix_convert(&bgr24, rgb, 3, 1, fb24, sizeof fb24), 0);
    const uint8_t want[9] = {0x33, 0x22, 0x11, 0x66, 0x55, 0x44, 0x99, 0x88, 0x77};
    assert_memory_equal(fb24, want, sizeof want);
}

static void test_refusals(void **state)
{
    (void)state;
    const uint8_t rgb[4 * 3] = {0};
    uint8_t fb[64];
    room_pixlayout_t l = XRGB8888;
    l.line_length = 8;
    assert_int_equal(room_pix_convert(&l, rgb, 2, 2, fb, 15), FW_E_INVAL); /* needs 16 */
    assert_int_equal(room_pix_convert(&l, rgb, 2, 2, fb, 16), 0);
    l.line_length = 7; /* shorter than a row */
    assert_int_equal(room_pix_convert(&l, rgb, 2, 2, fb, sizeof fb), FW_E_INVAL);
    l = XRGB8888;
    l.line_length = 8;
    assert_int_equal(room_pix_convert(&l, NULL, 2, 2, fb, sizeof fb), FW_E_INVAL);
    assert_int_equal(room_pix_convert(&l, rgb, 2, 2, NULL, sizeof fb), FW_E_INVAL);
    l.bits_per_pixel = 8; /* palette modes are not truecolour */
    assert_int_equal(room_pix_convert(&l, rgb, 2, 2, fb, sizeof fb), FW_E_UNSUPPORTED);
    l = RGB565;
    l.red = (room_pixfield_t){12, 5}; /* sticks out of a 16-bit pixel */
    assert_int_equal(room_pix_check(&l), FW_E_UNSUPPORTED);
    l = XRGB8888;
    l.green = (room_pixfield_t){8, 17};
    assert_int_equal(room_pix_check(&l), FW_E_UNSUPPORTED);
    l.green = (room_pixfield_t){4000000000u, 8}; /* offset + length must not wrap */
    assert_int_equal(room_pix_check(&l), FW_E_UNSUPPORTED);
    assert_int_equal(room_pix_check(NULL), FW_E_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_565),
        cmocka_unit_test(test_pack_32),
        cmocka_unit_test(test_convert_565_with_stride),
        cmocka_unit_test(test_convert_32_and_24),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
