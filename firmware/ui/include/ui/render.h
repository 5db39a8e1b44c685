/*
 * ui/render.h - lay a ui_screen_t out and draw it into an RGB888 frame.
 *
 * Text: UTF-8 decoded to code points, FreeType glyphs with kerning, word
 * wrap to the column width (a word longer than the column, such as a URL or
 * a long model name, is broken between characters). Two faces: regular and
 * bold (DejaVu Sans and DejaVu Sans Bold on Debian). The return URL becomes
 * a QR code (libqrencode, error correction M, 4-module quiet zone).
 *
 * Sizes follow the screen: body text is 4.4 % of the height (31 px at 720p,
 * 47 px at 1080p), titles 7 %. A screen whose text does not fit at those
 * sizes is laid out again smaller, down to 60 %; ui_layout_check() says
 * whether the result fits (tests run it for every screen, both languages,
 * both sizes and long inputs).
 *
 * Rendering is deterministic: integer arithmetic only, and FreeType output
 * depends only on the font file and the FreeType version, so the golden
 * images in docs/screens/ match across compilers and sanitizer builds.
 */
#ifndef UI_RENDER_H
#define UI_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/nav.h"
#include "ui/screen.h"

typedef struct ui_renderer ui_renderer_t;

/* Load the TrueType fonts. `bold_path` may be NULL or fail to load: bold text
 * then uses the regular face (logged). Returns NULL (and logs why) if the
 * regular font cannot be loaded; ui_render() then paints the background only. */
ui_renderer_t *ui_renderer_open(const char *font_path, const char *bold_path);
void ui_renderer_close(ui_renderer_t *r);

typedef struct {
    int x, y, w, h;
} ui_rect_t;

typedef enum {
    UI_EL_TEXT = 0, /* one line of text */
    UI_EL_BANNER,   /* the banner's ground (its lines are UI_EL_TEXT inside it) */
    UI_EL_QR,       /* the QR code with its quiet zone */
    UI_EL_BUTTON,   /* the action button's ground */
} ui_el_kind_t;

typedef struct {
    ui_el_kind_t kind;
    ui_rect_t box; /* text: the line's box, advance and ink together */
    int container; /* text inside a banner or button: its index; else -1 */
    /* text only: the bytes of the screen's string this line shows (valid
     * while that ui_screen_t is), the face, size, pen start and colour */
    const char *text;
    uint16_t len;
    bool bold;
    uint16_t px;
    int pen_x, baseline;
    uint32_t colour;
} ui_el_t;

#define UI_LAYOUT_MAX_EL 160

typedef struct {
    uint16_t width, height;
    unsigned scale_pct; /* 100: nominal sizes; less when the text had to shrink */
    bool too_many;      /* more lines than UI_LAYOUT_MAX_EL: some were dropped */
    int banner, button; /* element index, -1 if none */
    int qr;             /* element index, -1 if none */
    int qr_modules;     /* modules across, quiet zone included */
    int qr_px;          /* pixels per module */
    int n;
    ui_el_t el[UI_LAYOUT_MAX_EL];
} ui_layout_t;

/* Lay `s` out for a `w` x `h` screen. Returns 0, FW_E_INVAL (bad arguments,
 * or no fonts: `r` NULL) or FW_E_NOMEM. The layout points into `s`. */
int ui_layout(ui_renderer_t *r, const ui_screen_t *s, uint16_t w, uint16_t h, ui_layout_t *out);

/* 0 if every element lies on the screen, every line inside its banner or
 * button, no two elements overlap and nothing was dropped; else FW_E_NOSPACE
 * with the first problem in `why` (naming the text). */
int ui_layout_check(const ui_layout_t *l, char *why, size_t cap);

/* Where the action button (the return screen's "request new return labels")
 * sits on a `w` x `h` screen: the bottom-right corner, whatever the language,
 * so that a person, a test and docs/SCREENS.md know where to touch. */
ui_rect_t ui_action_button_rect(uint16_t w, uint16_t h);

/* What a touch at (x, y) hits on the laid-out screen. */
ui_input_t ui_layout_hit(const ui_layout_t *l, int x, int y);

/* Lay out and paint `s` into `fb` (height rows of width * 3 bytes). `r` may
 * be NULL (background only). `layout` may be NULL; if not, it receives the
 * layout drawn (n = 0 without fonts). */
int ui_render(ui_renderer_t *r, const ui_screen_t *s, uint8_t *fb, uint16_t width, uint16_t height,
              ui_layout_t *layout);

#endif /* UI_RENDER_H */
