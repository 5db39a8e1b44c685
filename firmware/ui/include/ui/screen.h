/*
 * ui/screen.h - what each screen shows (pure: no HAL, no clock, no drawing).
 *
 * A screen is a small description: colours, a title and a few lines of text.
 * ui/render.h turns it into pixels. Keeping the two apart lets tests check
 * what a person would read without decoding images.
 */
#ifndef UI_SCREEN_H
#define UI_SCREEN_H

#include <stdint.h>

#define UI_MAX_LINES 8
#define UI_LINE_MAX 128

typedef enum {
    UI_SCREEN_SETUP = 1, /* not provisioned, or provisioning unreadable */
    UI_SCREEN_HOME = 2,  /* normal operation */
} ui_screen_kind_t;

typedef struct {
    ui_screen_kind_t kind;
    uint32_t background; /* 0xRRGGBB */
    uint32_t foreground; /* 0xRRGGBB */
    char title[UI_LINE_MAX];
    int n_lines;
    char lines[UI_MAX_LINES][UI_LINE_MAX];
} ui_screen_t;

/* The setup screen (TRIAL.md "before activation"): the device's serial and,
 * when known, its trial number, and why the device is not ready. `trial` and
 * `reason` may be NULL or empty. */
void ui_screen_setup(ui_screen_t *out, const char *serial, const char *trial, const char *reason);

/* The normal screen of a provisioned device. */
void ui_screen_home(ui_screen_t *out, const char *model, const char *serial, const char *trial);

#endif /* UI_SCREEN_H */
