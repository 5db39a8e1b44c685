/*
 * Display: Linux fbdev. The framebuffer's geometry and pixel layout come from
 * FBIOGET_VSCREENINFO / FBIOGET_FSCREENINFO; the memory is mmap'ed once and
 * each presented frame is converted into it (room_pixconv.c).
 *
 * No framebuffer (headless unit, wrong path, unsupported layout) is not an
 * error: the agent still renders at the fallback size, and the board logs
 * once and drops the frames. The room is then blind, but calls are still
 * governed, which matters more.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fw/err.h"
#include "hal/display.h"
#include "room_config.h"
#include "room_internal.h"
#include "room_pixconv.h"

static bool s_open;
static int s_fd = -1;
static uint8_t *s_mem;
static size_t s_mem_len;
static size_t s_origin; /* byte offset of the visible area's top-left pixel */
static uint16_t s_width, s_height;
static room_pixlayout_t s_layout;
static bool s_drop_logged;

static int no_fb(const char *path, const char *why)
{
    room_log(HAL_LOG_WARN, "no framebuffer (%s%s%s): frames are dropped", path ? path : "",
             path ? ": " : "", why);
    if (s_mem) {
        (void)munmap(s_mem, s_mem_len);
        s_mem = NULL;
    }
    if (s_fd >= 0) {
        close(s_fd);
        s_fd = -1;
    }
    s_width = ROOM_FALLBACK_WIDTH;
    s_height = ROOM_FALLBACK_HEIGHT;
    s_drop_logged = true; /* said once, here */
    s_open = true;
    return 0;
}

int room_display_open(const char *fb)
{
    s_drop_logged = false;
    if (!fb || !*fb) {
        return no_fb(NULL, "none configured");
    }
    s_fd = open(fb, O_RDWR | O_CLOEXEC);
    if (s_fd < 0) {
        return no_fb(fb, strerror(errno));
    }
    struct fb_var_screeninfo var;
    struct fb_fix_screeninfo fix;
    if (ioctl(s_fd, FBIOGET_VSCREENINFO, &var) != 0 ||
        ioctl(s_fd, FBIOGET_FSCREENINFO, &fix) != 0) {
        return no_fb(fb, "not a framebuffer device");
    }
    if (fix.type != FB_TYPE_PACKED_PIXELS || fix.visual != FB_VISUAL_TRUECOLOR) {
        return no_fb(fb, "not a packed truecolour framebuffer");
    }
    s_layout.bits_per_pixel = var.bits_per_pixel;
    s_layout.line_length = fix.line_length;
    s_layout.red = (room_pixfield_t){var.red.offset, var.red.length};
    s_layout.green = (room_pixfield_t){var.green.offset, var.green.length};
    s_layout.blue = (room_pixfield_t){var.blue.offset, var.blue.length};
    s_layout.transp = (room_pixfield_t){var.transp.offset, var.transp.length};
    if (room_pix_check(&s_layout) != 0) {
        return no_fb(fb, "unsupported pixel layout");
    }
    if (var.xres == 0 || var.yres == 0 || var.xres > 65535 || var.yres > 65535) {
        return no_fb(fb, "unusable resolution");
    }
    s_origin =
        (size_t)var.yoffset * fix.line_length + (size_t)var.xoffset * (var.bits_per_pixel / 8);
    size_t need = s_origin + (size_t)(var.yres - 1) * fix.line_length +
                  (size_t)var.xres * (var.bits_per_pixel / 8);
    if (fix.smem_len < need) {
        return no_fb(fb, "framebuffer memory smaller than its screen");
    }
    void *m = mmap(NULL, fix.smem_len, PROT_READ | PROT_WRITE, MAP_SHARED, s_fd, 0);
    if (m == MAP_FAILED) {
        return no_fb(fb, strerror(errno));
    }
    s_mem = m;
    s_mem_len = fix.smem_len;
    s_width = (uint16_t)var.xres;
    s_height = (uint16_t)var.yres;
    s_open = true;
    room_log(HAL_LOG_INFO, "framebuffer %s: %ux%u, %u bpp", fb, (unsigned)s_width,
             (unsigned)s_height, (unsigned)var.bits_per_pixel);
    return 0;
}

void room_display_close(void)
{
    if (s_mem) {
        (void)munmap(s_mem, s_mem_len);
        s_mem = NULL;
    }
    if (s_fd >= 0) {
        close(s_fd);
        s_fd = -1;
    }
    s_open = false;
}

int hal_display_info(hal_display_info_t *info)
{
    if (!info) {
        return FW_E_INVAL;
    }
    if (!s_open) {
        return FW_E_STATE;
    }
    info->width = s_width;
    info->height = s_height;
    info->format = HAL_PIXFMT_RGB888;
    return 0;
}

int hal_display_present(const uint8_t *pixels)
{
    if (!pixels) {
        return FW_E_INVAL;
    }
    if (!s_open) {
        return FW_E_STATE;
    }
    if (!s_mem) {
        if (!s_drop_logged) {
            room_log(HAL_LOG_WARN, "no framebuffer: frame dropped");
            s_drop_logged = true;
        }
        return 0;
    }
    return room_pix_convert(&s_layout, pixels, s_width, s_height, s_mem + s_origin,
                            s_mem_len - s_origin);
}
