/*
 * Painting a laid-out screen: flat grounds, the QR code module by module,
 * then every line with FreeType's anti-aliased glyphs blended on top.
 */
#include "ui_priv.h"

#include "fw/err.h"

static void fill(uint8_t *fb, uint16_t w, uint16_t h, ui_rect_t r, uint32_t rgb)
{
    int x0 = r.x < 0 ? 0 : r.x, y0 = r.y < 0 ? 0 : r.y;
    int x1 = r.x + r.w > w ? w : r.x + r.w, y1 = r.y + r.h > h ? h : r.y + r.h;
    const uint8_t c[3] = {(uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb};
    for (int y = y0; y < y1; y++) {
        uint8_t *p = fb + 3 * ((size_t)y * w + (size_t)x0);
        for (int x = x0; x < x1; x++, p += 3) {
            p[0] = c[0];
            p[1] = c[1];
            p[2] = c[2];
        }
    }
}

/* Dark modules on white, the quiet zone white too: scanners want a light
 * ground around the code whatever colour the screen is. */
static void draw_qr(const ui_renderer_t *r, const ui_layout_t *l, uint8_t *fb)
{
    const ui_rect_t box = l->el[l->qr].box;
    fill(fb, l->width, l->height, box, 0xFFFFFFu);
    const int px = l->qr_px, quiet = 4;
    for (int my = 0; my < l->qr_modules - 2 * quiet; my++) {
        for (int mx = 0; mx < l->qr_modules - 2 * quiet; mx++) {
            if (ui_qr_dark(r, mx, my)) {
                ui_rect_t m = {box.x + (mx + quiet) * px, box.y + (my + quiet) * px, px, px};
                fill(fb, l->width, l->height, m, 0x000000u);
            }
        }
    }
}

int ui_render(ui_renderer_t *r, const ui_screen_t *s, uint8_t *fb, uint16_t width, uint16_t height,
              ui_layout_t *layout)
{
    if (!s || !fb || width == 0 || height == 0) {
        return FW_E_INVAL;
    }
    fill(fb, width, height, (ui_rect_t){0, 0, width, height}, s->background);
    if (layout) {
        layout->n = 0;
        layout->banner = layout->button = layout->qr = -1;
    }
    if (!r) {
        return 0;
    }
    ui_layout_t *l = layout ? layout : &r->scratch;
    int rc = ui_layout(r, s, width, height, l);
    if (rc != 0) {
        return rc;
    }
    for (int i = 0; i < l->n; i++) {
        const ui_el_t *e = &l->el[i];
        if (e->kind == UI_EL_BANNER || e->kind == UI_EL_BUTTON) {
            fill(fb, width, height, e->box, s->accent);
        }
    }
    if (l->qr >= 0) {
        draw_qr(r, l, fb);
    }
    for (int i = 0; i < l->n; i++) {
        const ui_el_t *e = &l->el[i];
        if (e->kind != UI_EL_TEXT) {
            continue;
        }
        FT_Face f = ui_font_use(r, e->bold, e->px, NULL);
        if (f) {
            ui_font_draw(f, e->text, e->len, e->pen_x, e->baseline, e->colour, fb, width, height);
        }
    }
    return 0;
}
