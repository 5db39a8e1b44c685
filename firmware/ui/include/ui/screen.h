/*
 * ui/screen.h - what each screen shows (pure: no HAL, no clock, no drawing).
 *
 * A screen is a small description: colours, a title and a few lines of text.
 * ui/render.h turns it into pixels. Keeping the two apart lets tests check
 * what a person would read without decoding images.
 */
#ifndef UI_SCREEN_H
#define UI_SCREEN_H

#include <stdbool.h>
#include <stdint.h>

#define UI_MAX_LINES 8
#define UI_LINE_MAX 128

typedef enum {
    UI_SCREEN_SETUP = 1,  /* not provisioned, or provisioning unreadable */
    UI_SCREEN_HOME = 2,   /* normal operation, no trial marks */
    UI_SCREEN_BANNER = 3, /* normal operation with a trial banner (R7, R8) */
    UI_SCREEN_ENDED = 4,  /* services ended (R10), return instructions follow */
    UI_SCREEN_RETURN = 5, /* RMA return instructions (R12, R13) */
} ui_screen_kind_t;

/* Where the device stands, as the screen needs it (filled by the agent from
 * the trial engine's verdict; ui/ itself knows nothing of licences). */
typedef enum {
    UI_TRIAL_NONE = 0, /* no licence in force yet */
    UI_TRIAL_ACTIVE,   /* now < E - 7 d */
    UI_TRIAL_EXPIRING, /* E - 7 d <= now < E */
    UI_TRIAL_GRACE,    /* E <= now < E + 30 d */
    UI_TRIAL_LAPSED,   /* E + 30 d <= now < E + 45 d */
    UI_TRIAL_RELEASED, /* E + 45 d <= now */
    UI_TRIAL_PAID,
} ui_trial_state_t;

typedef struct {
    ui_trial_state_t state;
    int days_left;       /* whole days to E, rounded up */
    int grace_days_left; /* whole days to E + 30 d, rounded up */
    bool last_day;       /* the 24 hours before E (R7) */
    bool rma_due;        /* show return instructions (not on keep or paid, R3) */
    bool calling_degraded;
    bool numbers_held;           /* lapsed: line numbers still kept (R11) */
    char numbers_held_until[24]; /* "2027-01-29" when numbers_held */
    const char *model;
    const char *serial;
    const char *trial;
    const char *return_url; /* may be NULL or empty */
} ui_trial_info_t;

typedef struct {
    ui_screen_kind_t kind;
    uint32_t background; /* 0xRRGGBB */
    uint32_t foreground; /* 0xRRGGBB */
    char title[UI_LINE_MAX];
    int n_lines;
    char lines[UI_MAX_LINES][UI_LINE_MAX];
} ui_screen_t;

/* The setup screen (TRIAL_RULES.md "before activation"): the device's serial and,
 * when known, its trial number, and why the device is not ready. `trial` and
 * `reason` may be NULL or empty. */
void ui_screen_setup(ui_screen_t *out, const char *serial, const char *trial, const char *reason);

/* The normal screen of a provisioned device. */
void ui_screen_home(ui_screen_t *out, const char *model, const char *serial, const char *trial);

/* The screen for where the device stands on the trial timeline (TRIAL_RULES.md,
 * "on screen" column). `page` alternates the lapsed screen between "services
 * ended" (even) and the return instructions (odd), as the guide shows both. */
void ui_screen_trial(ui_screen_t *out, const ui_trial_info_t *info, unsigned page);

#endif /* UI_SCREEN_H */
