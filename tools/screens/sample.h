/*
 * sample.h - a sample room at each point of the trial timeline, as
 * spark-screens draws it (docs/screens/) and as the golden-image, layout and
 * QR tests and the render benchmark use it.
 *
 * Each named screen is a case: the trial engine's verdict at one instant
 * (computed by firmware/trial from sample claims, never written by hand),
 * mapped by ui_trial_info_from_view() like on a device, plus what stands in
 * front (about, the calling notice) and the lapsed page.
 */
#ifndef SCREENS_SAMPLE_H
#define SCREENS_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/nav.h"
#include "ui/screen.h"

#define SCREENS_COUNT 10

/* The names spark-screens writes, in order: setup, home, expiring, last-day,
 * grace, ended, call-blocked, return, about, paid. */
extern const char *const screens_names[SCREENS_COUNT];

typedef struct {
    const char *model;
    const char *serial;
    const char *trial;
    const char *return_url;
    const char *version;
    int64_t expiry; /* E */
} screens_room_t;

/* Spark Room Kit FOC2240Y1ZZ, trial D1000001, E = 2026-12-15T00:00:00Z,
 * return URL https://partner.example/rma. */
void screens_room_default(screens_room_t *room);

typedef struct {
    bool setup; /* the setup screen (no trial info) */
    ui_trial_info_t info;
    ui_view_t view;
    unsigned page;
    int64_t now; /* the instant on the timeline */
} screens_case_t;

/* The case for screen `name` in `lang`. Returns 0 or FW_E_NOENT. */
int screens_case(const screens_room_t *room, ui_lang_t lang, const char *name, screens_case_t *out);

/* The screen a device shows in that case. */
void screens_build(const screens_case_t *c, ui_screen_t *out);

#endif /* SCREENS_SAMPLE_H */
