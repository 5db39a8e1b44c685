/*
 * ui_priv.h - what font.c, qr.c, layout.c and render.c share (internal).
 */
#ifndef UI_PRIV_H
#define UI_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_SIZES_H

#include "ui/render.h"

#define UI_FACE_REGULAR 0
#define UI_FACE_BOLD 1
#define UI_SIZE_CACHE 12 /* sizes kept per face: styles x shrink steps */

typedef struct {
    FT_Size size;
    unsigned px;
} ui_size_t;

struct ui_renderer {
    FT_Library lib;
    FT_Face face[2];
    ui_size_t sizes[2][UI_SIZE_CACHE];
    unsigned n_sizes[2];
    unsigned next_evict[2];
    /* the QR code of the last payload (libqrencode's QRcode) */
    void *qr;
    char qr_text[UI_URL_MAX];
    ui_layout_t scratch; /* ui_render() without a caller's layout */
};

/* Vertical metrics of a face at a size, in whole pixels. */
typedef struct {
    int ascent;  /* above the baseline, > 0 */
    int descent; /* below the baseline, > 0 */
} ui_vmetrics_t;

/* Make face `bold` at `px` pixels current (sizes are cached so that the
 * hinting program runs once per size). Returns the face or NULL. */
FT_Face ui_font_use(ui_renderer_t *r, bool bold, unsigned px, ui_vmetrics_t *vm);

/* Horizontal extent of s[0..n) drawn with its pen starting at 0: the
 * advance, and the ink's left/right and top/bottom (relative to the pen
 * start and the baseline; y grows downwards). */
typedef struct {
    int advance;
    bool has_ink;
    int ink_x0, ink_x1, ink_y0, ink_y1;
} ui_extent_t;

void ui_font_measure(FT_Face f, const char *s, size_t n, ui_extent_t *out);

/* How much of s[0..n) fits in `max_w` pixels as one line: returns the bytes
 * of the line (trailing spaces excluded) and sets `*next` to where the next
 * line starts. Breaks after a space, or after '/', '-', '?', '&' (URLs,
 * compound words); a word wider than the line is broken between characters;
 * '\n' always breaks. Always makes progress (at least one character). */
size_t ui_font_fit(FT_Face f, const char *s, size_t n, int max_w, size_t *next);

/* Draw s[0..n) with the pen starting at (x, baseline), clipped to the frame. */
void ui_font_draw(FT_Face f, const char *s, size_t n, int x, int baseline, uint32_t rgb,
                  uint8_t *fb, uint16_t w, uint16_t h);

/* The QR code of `text` (cached in `r`): modules across without quiet zone,
 * or 0 if it cannot be encoded. */
int ui_qr_prepare(ui_renderer_t *r, const char *text);
/* True if module (x, y) of the prepared code is dark. */
bool ui_qr_dark(const ui_renderer_t *r, int x, int y);
void ui_qr_free(ui_renderer_t *r);

#endif /* UI_PRIV_H */
