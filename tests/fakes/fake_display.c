/* A screen that keeps the last frame, so UI tests can look at pixels. */
#include "fakes/fake_display.h"

#include <stdbool.h>
#include <string.h>

#include "fw/err.h"
#include "hal/display.h"

#define MAX_W 1920
#define MAX_H 1080

static uint8_t s_frame[(size_t)MAX_W * MAX_H * 3];
static bool s_have_frame;
static uint16_t s_w = 1280, s_h = 720;
static uint32_t s_presents;
static int s_fail;

void fake_display_reset(void)
{
    s_have_frame = false;
    s_w = 1280;
    s_h = 720;
    s_presents = 0;
    s_fail = 0;
}

void fake_display_set_size(uint16_t width, uint16_t height)
{
    s_w = width <= MAX_W ? width : MAX_W;
    s_h = height <= MAX_H ? height : MAX_H;
    s_have_frame = false;
}

uint32_t fake_display_present_count(void)
{
    return s_presents;
}

const uint8_t *fake_display_last_frame(void)
{
    return s_have_frame ? s_frame : NULL;
}

uint32_t fake_display_pixel(uint16_t x, uint16_t y)
{
    if (!s_have_frame || x >= s_w || y >= s_h) {
        return 0;
    }
    const uint8_t *p = s_frame + ((size_t)y * s_w + x) * 3;
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

void fake_display_fail_with(int err)
{
    s_fail = err;
}

int hal_display_info(hal_display_info_t *info)
{
    if (!info) {
        return FW_E_INVAL;
    }
    info->width = s_w;
    info->height = s_h;
    info->format = HAL_PIXFMT_RGB888;
    return 0;
}

int hal_display_present(const uint8_t *pixels)
{
    if (!pixels) {
        return FW_E_INVAL;
    }
    if (s_fail) {
        return s_fail;
    }
    memcpy(s_frame, pixels, (size_t)s_w * s_h * 3);
    s_have_frame = true;
    s_presents++;
    return 0;
}
