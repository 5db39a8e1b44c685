/*
 * Layout: where every line, the banner, the QR code and the button go.
 *
 *   +--------------------------------------------------------------+
 *   | banner (full width, accent ground): bold headline, text      |
 *   +--------------------------------------------------------------+
 *   | Title (bold)                              |  +------------+  |
 *   | paragraphs, wrapped to the left column    |  |  QR code   |  |
 *   |                                           |  +------------+  |
 *   |                                           |  caption         |
 *   |                                           |  +------------+  |
 *   | footer (small): serial, trial             |  |   button   |  |
 *   +--------------------------------------------------------------+
 *
 * The right column exists only with a QR code or a button. The button sits
 * in the bottom-right corner at a size fixed by the screen's, so a touch
 * target is where a person (and docs/SCREENS.md) expects it whatever the
 * language. Sizes scale with the screen; if the content does not fit, the
 * whole screen is laid out again 5 % smaller, down to 60 %.
 *
 * Every line's box is the union of its advance box (ascent to descent) and
 * its ink, so ui_layout_check() sees what a person would see overlap.
 */
#include "ui_priv.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "ui/utf8.h"

#define SCALE_MIN 60
#define SCALE_STEP 5

/* Sizes in thousandths of the screen's "unit" (its height, or 9/16 of its
 * width if that is smaller, so a tall screen does not get huge letters). */
#define TITLE_PM 70
#define BANNER_PM 52
#define BODY_PM 44
#define SMALL_PM 31
#define BUTTON_PM 38
#define COLUMN_PCT 31               /* the right column's width, % of the screen's */
#define BUTTON_PCT 16               /* the button's height, % of the screen's */
#define LEAD_PCT 12                 /* extra space between lines, % of the size */
#define PARA_GAP_PCT 45             /* extra space between paragraphs, % of the body size */
#define ITEMS_ONE_COLUMN 5          /* a longer list goes in two columns */
#define MARGIN_X(w) ((w)*45 / 1000) /* left and right margins */
#define MARGIN_Y(h) ((h)*50 / 1000) /* top and bottom margins */

typedef struct {
    ui_renderer_t *r;
    const ui_screen_t *s;
    ui_layout_t *l;
    int unit; /* pixels */
    unsigned pct;
} ctx_t;

static unsigned size_px(const ctx_t *c, int permille)
{
    long px = (long)c->unit * permille * (long)c->pct / 100000L;
    return px < 6 ? 6u : (unsigned)px;
}

static int add_el(ui_layout_t *l, const ui_el_t *e)
{
    if (l->n >= UI_LAYOUT_MAX_EL) {
        l->too_many = true;
        return -1;
    }
    l->el[l->n] = *e;
    return l->n++;
}

/* Wrap `text` into lines at most `max_w` wide, starting with the top of the
 * first line at `y`, left edge `x` (or centred in [x, x + max_w)). Returns
 * the y below the last line (no lead after it); y itself if empty. */
static int flow(ctx_t *c, const char *text, bool bold, unsigned px, int x, int y, int max_w,
                uint32_t colour, int container, bool centre)
{
    ui_vmetrics_t vm;
    FT_Face f = ui_font_use(c->r, bold, px, &vm);
    if (!f || !text || !*text) {
        return y;
    }
    const int lead = (int)(px * LEAD_PCT / 100u);
    size_t n = strlen(text), pos = 0;
    int bottom = y;
    while (pos < n) {
        while (pos < n && text[pos] == ' ') {
            pos++;
        }
        if (pos >= n) {
            break;
        }
        size_t next = n;
        size_t len = ui_font_fit(f, text + pos, n - pos, max_w, &next);
        ui_extent_t ext;
        ui_font_measure(f, text + pos, len, &ext);
        const int pen_x = centre ? x + (max_w - ext.advance) / 2 : x;
        const int baseline = y + vm.ascent;
        int x0 = pen_x, x1 = pen_x + ext.advance, y0 = y, y1 = baseline + vm.descent;
        if (ext.has_ink) {
            x0 = pen_x + ext.ink_x0 < x0 ? pen_x + ext.ink_x0 : x0;
            x1 = pen_x + ext.ink_x1 > x1 ? pen_x + ext.ink_x1 : x1;
            y0 = baseline + ext.ink_y0 < y0 ? baseline + ext.ink_y0 : y0;
            y1 = baseline + ext.ink_y1 > y1 ? baseline + ext.ink_y1 : y1;
        }
        ui_el_t e = {
            .kind = UI_EL_TEXT,
            .box = {x0, y0, x1 - x0, y1 - y0},
            .container = container,
            .text = text + pos,
            .len = (uint16_t)len,
            .bold = bold,
            .px = (uint16_t)px,
            .pen_x = pen_x,
            .baseline = baseline,
            .colour = colour,
        };
        if (len > 0) { /* an empty line ('\n\n') only takes room */
            (void)add_el(c->l, &e);
        }
        bottom = baseline + vm.descent;
        y = bottom + lead;
        pos += next > 0 ? next : 1; /* ui_font_fit() always moves on; be sure */
    }
    return bottom;
}

/* Move elements [from, l->n) down by dy. */
static void shift(ui_layout_t *l, int from, int dy)
{
    for (int i = from; i < l->n; i++) {
        l->el[i].box.y += dy;
        l->el[i].baseline += dy;
    }
}

/* Banner across the top; returns its bottom. */
static int banner(ctx_t *c)
{
    const ui_screen_t *s = c->s;
    const int w = c->l->width, mx = MARGIN_X(w);
    const int pad = (int)size_px(c, BODY_PM) / 2;
    ui_el_t e = {.kind = UI_EL_BANNER, .container = -1};
    int idx = add_el(c->l, &e);
    if (idx < 0) {
        return 0;
    }
    int y = flow(c, s->banner_title, true, size_px(c, BANNER_PM), mx, pad, w - 2 * mx, s->accent_fg,
                 idx, false);
    if (s->banner_text[0]) {
        y = flow(c, s->banner_text, false, size_px(c, BODY_PM) * 9u / 10u, mx,
                 y + (int)size_px(c, BODY_PM) / 4, w - 2 * mx, s->accent_fg, idx, false);
    }
    c->l->el[idx].box = (ui_rect_t){0, 0, w, y + pad};
    c->l->banner = idx;
    return y + pad;
}

ui_rect_t ui_action_button_rect(uint16_t w, uint16_t h)
{
    const int mx = MARGIN_X(w), my = MARGIN_Y(h);
    const int colw = w * COLUMN_PCT / 100, bh = h * BUTTON_PCT / 100;
    return (ui_rect_t){w - mx - colw, h - my - bh, colw, bh};
}

/* The right column: QR code, caption, button. Returns its left edge. */
static int right_column(ctx_t *c, int top)
{
    const ui_screen_t *s = c->s;
    ui_layout_t *l = c->l;
    const int w = l->width, h = l->height;
    const int mx = MARGIN_X(w), my = MARGIN_Y(h);
    const int colw = w * COLUMN_PCT / 100, col_x = w - mx - colw;
    const int gap = (int)size_px(c, BODY_PM) / 2;
    int button_top = h - my;
    if (s->action[0]) {
        ui_el_t e = {.kind = UI_EL_BUTTON, .box = ui_action_button_rect(w, h), .container = -1};
        const int bh = e.box.h;
        int idx = add_el(l, &e);
        if (idx >= 0) {
            l->button = idx;
            button_top = e.box.y;
            const int pad = colw / 16, first = l->n;
            int bottom = flow(c, s->action, true, size_px(c, BUTTON_PM), col_x + pad, 0,
                              colw - 2 * pad, s->accent_fg, idx, true);
            shift(l, first, e.box.y + (bh - bottom) / 2);
        }
    }
    if (!s->qr[0]) {
        return col_x;
    }
    int modules = ui_qr_prepare(c->r, s->qr);
    if (modules <= 0) {
        return col_x;
    }
    modules += 8; /* a quiet zone of 4 modules on each side (ISO/IEC 18004) */
    /* The caption first (measured at the top, moved below the code). */
    const int first = l->n;
    int cap_h = flow(c, s->qr_caption, false, size_px(c, SMALL_PM), col_x, 0, colw, s->foreground,
                     -1, true);
    int avail = button_top - gap - (cap_h > 0 ? cap_h + gap / 2 : 0) - top;
    int side = avail < colw ? avail : colw;
    int px = side > 0 ? side / modules : 0;
    if (px < 1) {
        px = 1; /* still drawn; the check reports the overlap */
    }
    ui_el_t q = {.kind = UI_EL_QR, .container = -1};
    q.box = (ui_rect_t){col_x + (colw - modules * px) / 2, top, modules * px, modules * px};
    shift(l, first, top + modules * px + gap / 2);
    l->qr = add_el(l, &q);
    l->qr_modules = modules;
    l->qr_px = px;
    return col_x;
}

static int style_pm(ui_style_t st)
{
    return st == UI_STYLE_SMALL ? SMALL_PM : BODY_PM;
}

/* A run of list items from paragraph `i`: up to ITEMS_ONE_COLUMN at body
 * size one under the other, more in two columns at the small size. Returns
 * the y below them; `*end` gets the paragraph after the run. */
static int items(ctx_t *c, int i, int x, int y, int width, int *end)
{
    const ui_screen_t *s = c->s;
    int j = i;
    while (j < s->n_paras && j < UI_MAX_PARAS && s->paras[j].style == UI_STYLE_ITEM) {
        j++;
    }
    *end = j;
    const int count = j - i;
    const unsigned body = size_px(c, BODY_PM);
    const int gap = (int)(body * PARA_GAP_PCT / 100u);
    if (count <= ITEMS_ONE_COLUMN) {
        for (int k = i; k < j; k++) {
            y = flow(c, s->paras[k].text, false, body, x, y, width, s->foreground, -1, false) + gap;
        }
        return y;
    }
    const int half = (count + 1) / 2, col_gap = (int)body, colw = (width - col_gap) / 2;
    int bottom[2] = {y, y};
    for (int k = i; k < j; k++) {
        const int col = k - i < half ? 0 : 1;
        bottom[col] =
            flow(c, s->paras[k].text, false, size_px(c, SMALL_PM), x + col * (colw + col_gap),
                 bottom[col], colw, s->foreground, -1, false) +
            gap / 2;
    }
    return (bottom[0] > bottom[1] ? bottom[0] : bottom[1]) + gap / 2;
}

static void layout_at(ctx_t *c)
{
    const ui_screen_t *s = c->s;
    ui_layout_t *l = c->l;
    const int w = l->width, h = l->height;
    const int mx = MARGIN_X(w), my = MARGIN_Y(h);
    l->n = 0;
    l->too_many = false;
    l->banner = l->button = l->qr = -1;
    l->qr_modules = l->qr_px = 0;
    l->scale_pct = c->pct;

    int top = my;
    if (s->banner_title[0] || s->banner_text[0]) {
        top = banner(c) + my;
    }
    int left_w = w - 2 * mx;
    if (s->qr[0] || s->action[0]) {
        int col_x = right_column(c, top);
        left_w = col_x - mx - w * 3 / 100;
    }
    /* Footer at the bottom of the left column. */
    const int first_footer = l->n;
    int foot_h =
        flow(c, s->footer, false, size_px(c, SMALL_PM), mx, 0, left_w, s->foreground, -1, false);
    shift(l, first_footer, h - my - foot_h);

    const unsigned body = size_px(c, BODY_PM);
    int y =
        flow(c, s->title, true, size_px(c, TITLE_PM), mx, top, left_w, s->foreground, -1, false);
    y += (int)body * 3 / 4;
    for (int i = 0; i < s->n_paras && i < UI_MAX_PARAS;) {
        const ui_para_t *p = &s->paras[i];
        if (p->style == UI_STYLE_ITEM) {
            y = items(c, i, mx, y, left_w, &i);
            continue;
        }
        y = flow(c, p->text, p->style == UI_STYLE_STRONG, size_px(c, style_pm(p->style)), mx, y,
                 left_w, s->foreground, -1, false);
        y += (int)(body * PARA_GAP_PCT / 100u);
        i++;
    }
}

int ui_layout(ui_renderer_t *r, const ui_screen_t *s, uint16_t w, uint16_t h, ui_layout_t *out)
{
    if (!r || !s || !out || w < 64 || h < 64) {
        return FW_E_INVAL;
    }
    memset(out, 0, sizeof *out);
    out->width = w;
    out->height = h;
    ctx_t c = {r, s, out, h < w * 9 / 16 ? h : w * 9 / 16, 100};
    for (;;) {
        layout_at(&c);
        if (ui_layout_check(out, NULL, 0) == 0 || c.pct <= SCALE_MIN) {
            return 0;
        }
        c.pct -= SCALE_STEP;
    }
}

/* ------------------------------------------------------------------ check */

static bool inside(const ui_rect_t *a, const ui_rect_t *b)
{
    return a->x >= b->x && a->y >= b->y && a->x + a->w <= b->x + b->w && a->y + a->h <= b->y + b->h;
}

static bool overlap(const ui_rect_t *a, const ui_rect_t *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void describe(const ui_el_t *e, char *out, size_t cap)
{
    static const char *const kinds[] = {"line", "banner", "QR code", "button"};
    if (e->kind == UI_EL_TEXT) {
        (void)snprintf(out, cap, "line \"%.*s\" at %d,%d %dx%d", e->len > 60 ? 60 : (int)e->len,
                       e->text, e->box.x, e->box.y, e->box.w, e->box.h);
    } else {
        (void)snprintf(out, cap, "%s at %d,%d %dx%d", kinds[e->kind], e->box.x, e->box.y, e->box.w,
                       e->box.h);
    }
}

static int problem(char *why, size_t cap, const char *what, const ui_el_t *a, const ui_el_t *b)
{
    if (why && cap) {
        char da[128], db[128] = "";
        describe(a, da, sizeof da);
        if (b) {
            describe(b, db, sizeof db);
        }
        (void)snprintf(why, cap, "%s: %s%s%s", what, da, b ? " and " : "", db);
    }
    return FW_E_NOSPACE;
}

int ui_layout_check(const ui_layout_t *l, char *why, size_t cap)
{
    if (l->too_many) {
        if (why && cap) {
            (void)snprintf(why, cap, "more than %d lines: some were dropped", UI_LAYOUT_MAX_EL);
        }
        return FW_E_NOSPACE;
    }
    const ui_rect_t screen = {0, 0, l->width, l->height};
    for (int i = 0; i < l->n; i++) {
        const ui_el_t *a = &l->el[i];
        if (!inside(&a->box, &screen)) {
            return problem(why, cap, "runs off the screen", a, NULL);
        }
        if (a->container >= 0 && !inside(&a->box, &l->el[a->container].box)) {
            return problem(why, cap, "runs out of its box", a, &l->el[a->container]);
        }
        for (int j = i + 1; j < l->n; j++) {
            const ui_el_t *b = &l->el[j];
            if (a->container == j || b->container == i) {
                continue; /* a line on its own banner or button */
            }
            if (overlap(&a->box, &b->box)) {
                return problem(why, cap, "overlap", a, b);
            }
        }
    }
    return 0;
}

ui_input_t ui_layout_hit(const ui_layout_t *l, int x, int y)
{
    const ui_rect_t pt = {x, y, 1, 1};
    if (l->button >= 0 && overlap(&pt, &l->el[l->button].box)) {
        return UI_INPUT_TOUCH_ACTION;
    }
    if (l->banner >= 0 && overlap(&pt, &l->el[l->banner].box)) {
        return UI_INPUT_TOUCH_BANNER;
    }
    return UI_INPUT_TOUCH_OTHER;
}
