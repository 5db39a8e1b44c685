/*
 * ui/render.h - draw a ui_screen_t into an RGB888 frame with FreeType.
 */
#ifndef UI_RENDER_H
#define UI_RENDER_H

#include <stdint.h>

#include "ui/screen.h"

typedef struct ui_renderer ui_renderer_t;

/* Load the TrueType font at `font_path`. Returns NULL (and logs why) if it
 * cannot; ui_render() then still paints the colours, without text. */
ui_renderer_t *ui_renderer_open(const char *font_path);
void ui_renderer_close(ui_renderer_t *r);

/* Paint `s` into `fb` (height rows of width * 3 bytes). `r` may be NULL. */
int ui_render(ui_renderer_t *r, const ui_screen_t *s, uint8_t *fb, uint16_t width, uint16_t height);

#endif /* UI_RENDER_H */
