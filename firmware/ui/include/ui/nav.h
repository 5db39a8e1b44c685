/*
 * ui/nav.h - which screen is in front, and what a press or a touch does
 * (pure: time is an argument, in monotonic milliseconds).
 *
 * The device's state decides the base screen (ui_screen_trial()). In front
 * of it, for a while, may stand:
 *   - the about screen: INFO, or a touch on the banner; back after
 *     UI_ABOUT_SECONDS or on HOME;
 *   - a timed notice: ui_nav_notice() when a dial was blocked (R11), for
 *     UI_NOTICE_SECONDS. Whoever blocks a call raises it; it is the screen
 *     model's only entry point for timed notices.
 * The newer of the two is in front; when it ends, the other shows again if
 * its time has not run out.
 *
 * A touch on the return screen's button asks for new return labels (R13):
 * ui_nav_input() returns UI_ACTION_REQUEST_LABELS once, and the button stays
 * answered ("your partner has been asked") for UI_LABELS_HOLD_MS so that a
 * second touch does not ask again.
 */
#ifndef UI_NAV_H
#define UI_NAV_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/screen.h"

#define UI_LABELS_HOLD_MS (UINT64_C(24) * 3600u * 1000u)

typedef enum {
    UI_INPUT_HOME = 1,
    UI_INPUT_INFO,
    UI_INPUT_TOUCH_BANNER, /* a touch inside the banner of the screen shown */
    UI_INPUT_TOUCH_ACTION, /* a touch on the button of the screen shown */
    UI_INPUT_TOUCH_OTHER,  /* a touch anywhere else */
} ui_input_t;

typedef enum {
    UI_VIEW_BASE = 0,
    UI_VIEW_ABOUT,
    UI_VIEW_CALL_BLOCKED,
} ui_view_t;

typedef enum {
    UI_ACTION_NONE = 0,
    UI_ACTION_REQUEST_LABELS, /* raise rma_labels_requested to the collector */
} ui_action_t;

typedef enum {
    UI_NOTICE_CALL_BLOCKED = 1,
} ui_notice_t;

typedef struct {
    bool about;
    uint64_t about_at; /* when it was opened */
    bool notice;
    uint64_t notice_at;
    bool labels;
    uint64_t labels_at; /* when labels were last requested */
} ui_nav_t;

void ui_nav_init(ui_nav_t *nav);

/* A press or a touch at `now_ms`. `shown` is the kind of the screen in front
 * (UI_INPUT_TOUCH_ACTION asks for labels only on the return screen). */
ui_action_t ui_nav_input(ui_nav_t *nav, ui_input_t in, ui_screen_kind_t shown, uint64_t now_ms);

/* Put a timed notice in front from `now_ms` on. */
void ui_nav_notice(ui_nav_t *nav, ui_notice_t notice, uint64_t now_ms);

/* What stands in front at `now_ms` (ends what has run out). */
ui_view_t ui_nav_view(ui_nav_t *nav, uint64_t now_ms);

/* True while a labels request is answered on screen. */
bool ui_nav_labels_requested(const ui_nav_t *nav, uint64_t now_ms);

#endif /* UI_NAV_H */
