/*
 * FreeType does the glyph work; this file only lays out a title and lines
 * top-down and alpha-blends the glyph coverage into the RGB888 frame.
 */
#define FW_LOG_TAG "ui"
#include "ui/render.h"

#include <stdlib.h>

#include <ft2build.h>
#include FT_FREETYPE_H

#include "fw/err.h"
#include "fw/log.h"

struct ui_renderer {
    FT_Library lib;
    FT_Face face;
};

ui_renderer_t *ui_renderer_open(const char *font_path)
{
    ui_renderer_t *r = calloc(1, sizeof *r);
    if (!r) {
        return NULL;
    }
    if (FT_Init_FreeType(&r->lib) != 0) {
        FW_LOGE("FreeType failed to start: screens will have no text");
        free(r);
        return NULL;
    }
    if (!font_path || FT_New_Face(r->lib, font_path, 0, &r->face) != 0) {
        FW_LOGE("cannot load font '%s': screens will have no text",
                font_path ? font_path : "(none)");
        FT_Done_FreeType(r->lib);
        free(r);
        return NULL;
    }
    return r;
}

void ui_renderer_close(ui_renderer_t *r)
{
    if (r) {
        FT_Done_Face(r->face);
        FT_Done_FreeType(r->lib);
        free(r);
    }
}

static void fill(uint8_t *fb, uint16_t w, uint16_t h, uint32_t rgb)
{
    for (size_t i = 0; i < (size_t)w * h; i++) {
        fb[3 * i] = (uint8_t)(rgb >> 16);
        fb[3 * i + 1] = (uint8_t)(rgb >> 8);
        fb[3 * i + 2] = (uint8_t)rgb;
    }
}

static void blend(uint8_t *px, uint32_t rgb, uint8_t alpha)
{
    for (int c = 0; c < 3; c++) {
        unsigned fg = (rgb >> (16 - 8 * c)) & 0xFF;
        px[c] = (uint8_t)((fg * alpha + px[c] * (255u - alpha)) / 255u);
    }
}

/* Draw UTF-8-free (Latin-1 subset) text with its baseline at y; clips at edges. */
static void draw_text(ui_renderer_t *r, const char *text, unsigned px_size, int x, int y,
                      uint32_t rgb, uint8_t *fb, uint16_t w, uint16_t h)
{
    if (FT_Set_Pixel_Sizes(r->face, 0, px_size) != 0) {
        return;
    }
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (FT_Load_Char(r->face, *p, FT_LOAD_RENDER) != 0) {
            continue;
        }
        FT_GlyphSlot g = r->face->glyph;
        for (unsigned row = 0; row < g->bitmap.rows; row++) {
            int yy = y - g->bitmap_top + (int)row;
            for (unsigned col = 0; col < g->bitmap.width; col++) {
                int xx = x + g->bitmap_left + (int)col;
                if (xx < 0 || yy < 0 || xx >= w || yy >= h) {
                    continue;
                }
                uint8_t a = g->bitmap.buffer[row * (unsigned)g->bitmap.pitch + col];
                if (a) {
                    blend(fb + 3 * ((size_t)yy * w + (size_t)xx), rgb, a);
                }
            }
        }
        x += (int)(g->advance.x >> 6);
        if (x >= w) {
            break;
        }
    }
}

int ui_render(ui_renderer_t *r, const ui_screen_t *s, uint8_t *fb, uint16_t width, uint16_t height)
{
    if (!s || !fb || width == 0 || height == 0) {
        return FW_E_INVAL;
    }
    fill(fb, width, height, s->background);
    if (!r) {
        return 0;
    }
    unsigned title_px = height / 12, line_px = height / 26;
    int margin = width / 16;
    int y = (int)(height / 6 + title_px);
    draw_text(r, s->title, title_px, margin, y, s->foreground, fb, width, height);
    y += (int)(title_px * 3 / 2);
    for (int i = 0; i < s->n_lines; i++) {
        draw_text(r, s->lines[i], line_px, margin, y, s->foreground, fb, width, height);
        y += (int)(line_px * 8 / 5);
    }
    return 0;
}
