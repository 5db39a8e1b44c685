/*
 * ui/screen.h - what each screen says (pure: no HAL, no clock, no drawing).
 *
 * A screen is a small description in the room's language: colours, an
 * optional banner, a title, paragraphs, a footer, and on the return screen a
 * QR code and an action button. ui/render.h lays it out and draws it; keeping
 * the two apart lets tests check what a person would read without decoding
 * images. Times are arguments (unix seconds, already trusted by the caller).
 */
#ifndef UI_SCREEN_H
#define UI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/lang.h"

#define UI_TEXT_MAX 320 /* bytes of UTF-8 in one paragraph, title, banner line */
#define UI_MAX_PARAS 24
#define UI_URL_MAX 512
#define UI_SVC_MAX 16
#define UI_SVC_ID_MAX 32

/* Seconds the about screen and the calling notice stay (issue 13). */
#define UI_ABOUT_SECONDS 60
#define UI_NOTICE_SECONDS 30

typedef enum {
    UI_SCREEN_SETUP = 1,  /* 1. not provisioned, or provisioning unreadable */
    UI_SCREEN_HOME = 2,   /* 2./3. normal operation; with a banner R7, R8, R14 */
    UI_SCREEN_ENDED = 3,  /* 4. services ended (R10) */
    UI_SCREEN_NOTICE = 4, /* 4. a dial was blocked (R11) */
    UI_SCREEN_RETURN = 5, /* 5. RMA return instructions (R12, R13) */
    UI_SCREEN_ABOUT = 6,  /* 6. trial, services, firmware, last report (R7) */
} ui_screen_kind_t;

/* Where the device stands, as the screen needs it (ui_trial_info_from_view()
 * fills it from the trial engine's verdict; ui/ itself knows no licence). */
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
    char id[UI_SVC_ID_MAX + 1];
    int64_t exp;       /* unix seconds */
    int32_t days_left; /* whole days to exp, rounded up */
    bool expired;
} ui_service_t;

typedef struct {
    ui_lang_t lang;
    ui_trial_state_t state;
    bool has_expiry;     /* E is known (not on a paid licence) */
    int64_t expiry;      /* E, unix seconds */
    int days_left;       /* whole days to E, rounded up */
    int grace_days_left; /* whole days to E + 30 d, rounded up */
    bool last_day;       /* the 24 hours before E (R7) */
    bool rma_due;        /* show return instructions (not on keep or paid, R3) */
    bool numbers_held;   /* lapsed: line numbers still kept (R11) */
    int64_t numbers_held_until;
    size_t n_svc;
    ui_service_t svc[UI_SVC_MAX];
    const char *model;
    const char *serial;
    const char *trial;
    const char *return_url; /* may be NULL or empty: no QR code */
    const char *version;    /* firmware version, NULL if unknown */
    int64_t last_report;    /* unix seconds of the last acknowledged report, 0: none */
    bool labels_requested;  /* R13: the partner has just been asked for labels */
    int64_t labels_requested_at;
} ui_trial_info_t;

typedef enum {
    UI_STYLE_BODY = 0,
    UI_STYLE_STRONG, /* body size, bold */
    UI_STYLE_SMALL,
    UI_STYLE_ITEM, /* one of a list (services): a long list goes in two columns */
} ui_style_t;

typedef struct {
    ui_style_t style;
    char text[UI_TEXT_MAX];
} ui_para_t;

/* Why the setup screen is shown (its text is in the catalogue; the detail
 * for the technician is passed as it is). */
typedef enum {
    UI_SETUP_NOT_PROVISIONED = 0,
    UI_SETUP_FLASH_UNREADABLE,
    UI_SETUP_PROV_INVALID,
    UI_SETUP_STORE_FULL, /* the trial state cannot be saved (docs/EMERGENCY.md) */
} ui_setup_reason_t;

typedef struct {
    ui_screen_kind_t kind;
    ui_lang_t lang;
    uint32_t background; /* 0xRRGGBB */
    uint32_t foreground;
    uint32_t accent;    /* banner and button fill */
    uint32_t accent_fg; /* text on the accent */
    /* Banner across the top (home during expiry and grace); "" = none.
     * Touching it opens the about screen. */
    char banner_title[UI_TEXT_MAX];
    char banner_text[UI_TEXT_MAX];
    char title[UI_TEXT_MAX];
    int n_paras;
    ui_para_t paras[UI_MAX_PARAS];
    char footer[UI_TEXT_MAX];     /* small line at the bottom: serial, trial */
    char qr[UI_URL_MAX];          /* QR code payload; "" = none */
    char qr_caption[UI_TEXT_MAX]; /* under the QR code */
    char action[UI_TEXT_MAX];     /* button label; "" = no button */
} ui_screen_t;

/* 1. The setup / error screen: why, "emergency calls work", what to do, the
 * serial and (when known) the trial number. `serial`, `trial` and `detail`
 * may be NULL or empty. */
void ui_screen_setup(ui_screen_t *out, ui_lang_t lang, const char *serial, const char *trial,
                     ui_setup_reason_t reason, const char *detail);

/* The screen for where the device stands on the trial timeline (TRIAL_RULES.md,
 * "on screen" column): home (with a banner from E - 7 d, and in grace),
 * services ended, return instructions. `page` alternates the lapsed screen
 * between "services ended" (even) and the return instructions (odd), as the
 * guide shows both; once released the instructions stay. */
void ui_screen_trial(ui_screen_t *out, const ui_trial_info_t *info, unsigned page);

/* 6. About: trial number, expiry, every service with its days left (R7),
 * firmware version, last report. */
void ui_screen_about(ui_screen_t *out, const ui_trial_info_t *info);

/* 4. The calling notice after a blocked dial (R11). */
void ui_screen_call_blocked(ui_screen_t *out, const ui_trial_info_t *info);

/* The return URL with the device's serial and trial number as query
 * parameters (`serial=...&trial=...`, percent-encoded, before any #fragment).
 * Returns 0, FW_E_INVAL (no base URL) or FW_E_NOSPACE (out too small). */
int ui_return_url(char *out, size_t cap, const char *base, const char *serial, const char *trial);

/* The headline of a screen: the banner title when there is one, else the
 * title. What a log line or a test names the screen by. */
const char *ui_screen_headline(const ui_screen_t *s);

/* "setup", "home", ... (English, for logs). */
const char *ui_screen_kind_name(ui_screen_kind_t kind);

#endif /* UI_SCREEN_H */
