/*
 * Fonts: FreeType does the glyph work (outlines, hinting, anti-aliasing,
 * kerning); this file walks UTF-8 text glyph by glyph for measuring, line
 * breaking and drawing, so all three place every glyph the same way.
 *
 * Positions are in FreeType's 26.6 fixed point. With hinting on, advances
 * and FT_KERNING_DEFAULT kerning are whole pixels, so a pen position is a
 * pixel and the result is the same on every compiler.
 */
#define FW_LOG_TAG "ui"
#include "ui_priv.h"

#include <stdlib.h>
#include <string.h>

#include "fw/err.h"
#include "fw/log.h"
#include "ui/utf8.h"

static void close_faces(ui_renderer_t *r)
{
    for (int f = 0; f < 2; f++) {
        if (r->face[f] && (f == 0 || r->face[1] != r->face[0])) {
            FT_Done_Face(r->face[f]); /* frees its sizes too */
        }
        r->face[f] = NULL;
    }
}

ui_renderer_t *ui_renderer_open(const char *font_path, const char *bold_path)
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
    if (!font_path || FT_New_Face(r->lib, font_path, 0, &r->face[UI_FACE_REGULAR]) != 0) {
        FW_LOGE("cannot load font '%s': screens will have no text",
                font_path ? font_path : "(none)");
        FT_Done_FreeType(r->lib);
        free(r);
        return NULL;
    }
    if (!bold_path || FT_New_Face(r->lib, bold_path, 0, &r->face[UI_FACE_BOLD]) != 0) {
        FW_LOGW("cannot load bold font '%s': bold text uses the regular face",
                bold_path ? bold_path : "(none)");
        r->face[UI_FACE_BOLD] = r->face[UI_FACE_REGULAR];
    }
    /* FT_New_Face made a default size per face: we make our own. */
    return r;
}

void ui_renderer_close(ui_renderer_t *r)
{
    if (r) {
        ui_qr_free(r);
        close_faces(r);
        FT_Done_FreeType(r->lib);
        free(r);
    }
}

FT_Face ui_font_use(ui_renderer_t *r, bool bold, unsigned px, ui_vmetrics_t *vm)
{
    int f = bold ? UI_FACE_BOLD : UI_FACE_REGULAR;
    FT_Face face = r->face[f];
    if (r->face[UI_FACE_BOLD] == r->face[UI_FACE_REGULAR]) {
        f = UI_FACE_REGULAR; /* one face: one size cache */
    }
    ui_size_t *hit = NULL;
    for (unsigned i = 0; i < r->n_sizes[f]; i++) {
        if (r->sizes[f][i].px == px) {
            hit = &r->sizes[f][i];
        }
    }
    if (!hit) {
        unsigned slot =
            r->n_sizes[f] < UI_SIZE_CACHE ? r->n_sizes[f]++ : r->next_evict[f]++ % UI_SIZE_CACHE;
        hit = &r->sizes[f][slot];
        if (hit->size) {
            FT_Done_Size(hit->size);
            hit->size = NULL;
        }
        if (FT_New_Size(face, &hit->size) != 0 || FT_Activate_Size(hit->size) != 0 ||
            FT_Set_Pixel_Sizes(face, 0, px) != 0) {
            hit->px = 0;
            return NULL;
        }
        hit->px = px;
    } else if (FT_Activate_Size(hit->size) != 0) {
        return NULL;
    }
    if (vm) {
        /* Rounded outwards so that lines never share a pixel row. */
        vm->ascent = (int)((face->size->metrics.ascender + 63) >> 6);
        vm->descent = (int)((-face->size->metrics.descender + 63) >> 6);
    }
    return face;
}

/* The pen walking a run of text. */
typedef struct {
    FT_Face face;
    FT_UInt prev;
    FT_Pos pen; /* 26.6 */
} pen_t;

/* Load the glyph of `cp` (with `flags`) and return the pen position it is
 * drawn at; the pen moves on by kerning and advance. Control characters
 * take no room. Returns false if nothing is drawn for it. */
static bool step(pen_t *p, uint32_t cp, FT_Int32 flags, FT_Pos *at)
{
    if (cp < 0x20 || cp == 0x7F) {
        return false;
    }
    FT_UInt gi = FT_Get_Char_Index(p->face, cp);
    if (gi == 0) {
        gi = FT_Get_Char_Index(p->face, UI_UTF8_REPLACEMENT); /* no glyph: show U+FFFD */
    }
    if (p->prev && gi && FT_HAS_KERNING(p->face)) {
        FT_Vector k;
        if (FT_Get_Kerning(p->face, p->prev, gi, FT_KERNING_DEFAULT, &k) == 0) {
            p->pen += k.x;
        }
    }
    p->prev = gi;
    *at = p->pen;
    if (FT_Load_Glyph(p->face, gi, flags) != 0) {
        return false;
    }
    p->pen += p->face->glyph->advance.x;
    return true;
}

/* Walk s[0..n) glyph by glyph, loading each with `flags` and handing it to
 * `fn` with the pen position it is drawn at. Returns the pen at the end. */
typedef void (*glyph_fn)(void *ctx, FT_GlyphSlot g, FT_Pos at);

static FT_Pos walk(FT_Face f, const char *s, size_t n, FT_Int32 flags, glyph_fn fn, void *ctx)
{
    pen_t p = {f, 0, 0};
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += ui_utf8_decode(s + i, n - i, &cp);
        FT_Pos at;
        if (step(&p, cp, flags, &at)) {
            fn(ctx, f->glyph, at);
        }
    }
    return p.pen;
}

static void add_ink(void *ctx, FT_GlyphSlot g, FT_Pos at)
{
    ui_extent_t *out = ctx;
    const FT_Glyph_Metrics *m = &g->metrics;
    if (m->width == 0 || m->height == 0) {
        return; /* a space */
    }
    int x0 = (int)((at + m->horiBearingX) >> 6);
    int x1 = (int)((at + m->horiBearingX + m->width + 63) >> 6);
    int y0 = (int)(-(m->horiBearingY + 63) >> 6);
    int y1 = (int)((m->height - m->horiBearingY + 63) >> 6);
    if (!out->has_ink) {
        out->ink_x0 = x0, out->ink_x1 = x1, out->ink_y0 = y0, out->ink_y1 = y1;
        out->has_ink = true;
    }
    out->ink_x0 = x0 < out->ink_x0 ? x0 : out->ink_x0;
    out->ink_x1 = x1 > out->ink_x1 ? x1 : out->ink_x1;
    out->ink_y0 = y0 < out->ink_y0 ? y0 : out->ink_y0;
    out->ink_y1 = y1 > out->ink_y1 ? y1 : out->ink_y1;
}

void ui_font_measure(FT_Face f, const char *s, size_t n, ui_extent_t *out)
{
    memset(out, 0, sizeof *out);
    out->advance = (int)((walk(f, s, n, FT_LOAD_DEFAULT, add_ink, out) + 63) >> 6);
}

static bool break_after(uint32_t cp)
{
    return cp == '/' || cp == '-' || cp == '?' || cp == '&';
}

static size_t trim_spaces(const char *s, size_t k)
{
    while (k > 0 && s[k - 1] == ' ') {
        k--;
    }
    return k;
}

size_t ui_font_fit(FT_Face f, const char *s, size_t n, int max_w, size_t *next)
{
    pen_t p = {f, 0, 0};
    const FT_Pos limit = (FT_Pos)max_w * 64;
    bool have_brk = false;
    size_t brk_end = 0, brk_next = 0; /* the last place the line may end */
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = ui_utf8_decode(s + i, n - i, &cp);
        if (cp == '\n') {
            *next = i + len;
            return trim_spaces(s, i);
        }
        FT_Pos at;
        bool drawn = step(&p, cp, FT_LOAD_DEFAULT, &at);
        /* A glyph that ends past the limit starts the next line, unless it
         * is the line's first (progress) or a space (trailing spaces are
         * dropped anyway). */
        if (drawn && cp != ' ' && p.pen > limit && i > 0) {
            if (!have_brk) {
                *next = i; /* one word wider than the line: break inside it */
                return i;
            }
            while (brk_next < n && s[brk_next] == ' ') {
                brk_next++;
            }
            *next = brk_next;
            return trim_spaces(s, brk_end);
        }
        i += len;
        if (cp == ' ' || (break_after(cp) && i < n)) {
            have_brk = true;
            brk_end = cp == ' ' ? i - len : i;
            brk_next = i;
        }
    }
    *next = n;
    return trim_spaces(s, n);
}

static void blend(uint8_t *px, uint32_t rgb, unsigned alpha)
{
    for (int c = 0; c < 3; c++) {
        unsigned fg = (rgb >> (16 - 8 * c)) & 0xFFu;
        px[c] = (uint8_t)((fg * alpha + px[c] * (255u - alpha) + 127u) / 255u);
    }
}

typedef struct {
    int x, baseline;
    uint32_t rgb;
    uint8_t *fb;
    uint16_t w, h;
} canvas_t;

static void blit(void *ctx, FT_GlyphSlot g, FT_Pos at)
{
    const canvas_t *c = ctx;
    const int gx = c->x + (int)(at >> 6) + g->bitmap_left;
    const int gy = c->baseline - g->bitmap_top;
    for (unsigned row = 0; row < g->bitmap.rows; row++) {
        int yy = gy + (int)row;
        if (yy < 0 || yy >= c->h) {
            continue;
        }
        const uint8_t *src = g->bitmap.buffer + (long)row * g->bitmap.pitch;
        for (unsigned col = 0; col < g->bitmap.width; col++) {
            int xx = gx + (int)col;
            if (xx >= 0 && xx < c->w && src[col]) {
                blend(c->fb + 3 * ((size_t)yy * c->w + (size_t)xx), c->rgb, src[col]);
            }
        }
    }
}

void ui_font_draw(FT_Face f, const char *s, size_t n, int x, int baseline, uint32_t rgb,
                  uint8_t *fb, uint16_t w, uint16_t h)
{
    canvas_t c = {x, baseline, rgb, fb, w, h};
    (void)walk(f, s, n, FT_LOAD_RENDER, blit, &c);
}
