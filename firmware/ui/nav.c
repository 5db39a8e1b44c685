#include "ui/nav.h"

#include <string.h>

#define ABOUT_MS ((uint64_t)UI_ABOUT_SECONDS * 1000u)
#define NOTICE_MS ((uint64_t)UI_NOTICE_SECONDS * 1000u)

void ui_nav_init(ui_nav_t *nav)
{
    memset(nav, 0, sizeof *nav);
}

/* Elapsed time never underflows: a `now` before `since` (a caller's bug)
 * counts as no time at all. */
static bool within(uint64_t since, uint64_t span, uint64_t now)
{
    return now < since || now - since < span;
}

static void expire(ui_nav_t *nav, uint64_t now)
{
    if (nav->about && !within(nav->about_at, ABOUT_MS, now)) {
        nav->about = false;
    }
    if (nav->notice && !within(nav->notice_at, NOTICE_MS, now)) {
        nav->notice = false;
    }
    if (nav->labels && !within(nav->labels_at, UI_LABELS_HOLD_MS, now)) {
        nav->labels = false;
    }
}

static void open_about(ui_nav_t *nav, uint64_t now)
{
    nav->about = true;
    nav->about_at = now;
    nav->notice = false; /* the person asked for something else */
}

ui_action_t ui_nav_input(ui_nav_t *nav, ui_input_t in, ui_screen_kind_t shown, uint64_t now_ms)
{
    expire(nav, now_ms);
    switch (in) {
    case UI_INPUT_HOME:
        nav->about = false;
        nav->notice = false;
        break;
    case UI_INPUT_INFO:
    case UI_INPUT_TOUCH_BANNER: open_about(nav, now_ms); break;
    case UI_INPUT_TOUCH_ACTION:
        if (shown == UI_SCREEN_RETURN && !nav->labels) {
            nav->labels = true;
            nav->labels_at = now_ms;
            return UI_ACTION_REQUEST_LABELS;
        }
        break;
    case UI_INPUT_TOUCH_OTHER: break;
    }
    return UI_ACTION_NONE;
}

void ui_nav_notice(ui_nav_t *nav, ui_notice_t notice, uint64_t now_ms)
{
    if (notice == UI_NOTICE_CALL_BLOCKED) {
        nav->notice = true;
        nav->notice_at = now_ms;
    }
}

ui_view_t ui_nav_view(ui_nav_t *nav, uint64_t now_ms)
{
    expire(nav, now_ms);
    if (nav->notice && (!nav->about || nav->notice_at >= nav->about_at)) {
        return UI_VIEW_CALL_BLOCKED;
    }
    return nav->about ? UI_VIEW_ABOUT : UI_VIEW_BASE;
}

bool ui_nav_labels_requested(const ui_nav_t *nav, uint64_t now_ms)
{
    return nav->labels && within(nav->labels_at, UI_LABELS_HOLD_MS, now_ms);
}
