#include "sample.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "trial/claims.h"
#include "trial/timeline.h"
#include "ui/trial_info.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)

const char *const screens_names[SCREENS_COUNT] = {
    "setup", "home",         "expiring", "last-day", "grace",
    "ended", "call-blocked", "return",   "about",    "paid",
};

void screens_room_default(screens_room_t *room)
{
    room->model = "Spark Room Kit";
    room->serial = "FOC2240Y1ZZ";
    room->trial = "D1000001";
    room->return_url = "https://partner.example/rma";
    room->version = "1.4.2";
    room->expiry = INT64_C(1797292800); /* 2026-12-15T00:00:00Z */
}

/* The sample licence: a trial with three services (messaging ends ten days
 * before the others), or the paid licence that replaced it. */
static void claims(const screens_room_t *room, bool paid, trial_claims_t *c)
{
    memset(c, 0, sizeof *c);
    (void)snprintf(c->sub, sizeof c->sub, "%s", room->serial);
    (void)snprintf(c->trial, sizeof c->trial, "%s", room->trial);
    (void)snprintf(c->region, sizeof c->region, "DE");
    c->seq = paid ? 2 : 1;
    c->typ = paid ? TRIAL_TYPE_PAID : TRIAL_TYPE_TRIAL;
    c->iat = room->expiry - 60 * DAY;
    c->has_trial_exp = !paid;
    c->trial_exp = room->expiry;
    const int64_t end = paid ? room->expiry + 365 * DAY : room->expiry;
    static const char *const ids[] = {"calling", "meetings", "messaging"};
    for (size_t i = 0; i < 3; i++) {
        (void)snprintf(c->svc[i].id, sizeof c->svc[i].id, "%s", ids[i]);
        c->svc[i].exp = end - (i == 2 ? 10 * DAY : 0);
    }
    c->n_svc = 3;
}

static const struct {
    const char *name;
    int64_t at; /* relative to E */
    bool paid;
    ui_view_t view;
    unsigned page;
} s_cases[SCREENS_COUNT] = {
    {"setup", -30 * DAY, false, UI_VIEW_BASE, 0},
    {"home", -20 * DAY, false, UI_VIEW_BASE, 0},
    {"expiring", -4 * DAY - 12 * HOUR, false, UI_VIEW_BASE, 0}, /* 5 days, rounded up */
    {"last-day", -6 * HOUR, false, UI_VIEW_BASE, 0},
    {"grace", 12 * DAY + 6 * HOUR, false, UI_VIEW_BASE, 0}, /* 18 days left to buy */
    {"ended", 35 * DAY, false, UI_VIEW_BASE, 0},
    {"call-blocked", 35 * DAY, false, UI_VIEW_CALL_BLOCKED, 0},
    {"return", 35 * DAY, false, UI_VIEW_BASE, 1},
    {"about", -20 * DAY, false, UI_VIEW_ABOUT, 0},
    {"paid", 12 * DAY, true, UI_VIEW_BASE, 0},
};

int screens_case(const screens_room_t *room, ui_lang_t lang, const char *name, screens_case_t *out)
{
    for (size_t i = 0; i < SCREENS_COUNT; i++) {
        if (strcmp(name, s_cases[i].name) != 0) {
            continue;
        }
        memset(out, 0, sizeof *out);
        out->setup = i == 0;
        out->view = s_cases[i].view;
        out->page = s_cases[i].page;
        out->now = room->expiry + s_cases[i].at;
        ui_trial_info_t *t = &out->info;
        t->lang = lang;
        t->model = room->model;
        t->serial = room->serial;
        t->trial = room->trial;
        t->return_url = room->return_url;
        t->version = room->version;
        t->last_report = out->now - 2 * HOUR - INT64_C(17) * 60;
        trial_claims_t c;
        trial_view_t v;
        claims(room, s_cases[i].paid, &c);
        if (trial_state_at(&c, NULL, out->now, &v) != 0) {
            return FW_E_INVAL;
        }
        ui_trial_info_from_view(t, &v);
        /* A trial licence without "keep" (R3): the return is due once lapsed. */
        return 0;
    }
    return FW_E_NOENT;
}

void screens_build(const screens_case_t *c, ui_screen_t *out)
{
    if (c->setup) {
        ui_screen_setup(out, c->info.lang, c->info.serial, c->info.trial, UI_SETUP_NOT_PROVISIONED,
                        "no provisioning record in flash");
        return;
    }
    switch (c->view) {
    case UI_VIEW_ABOUT: ui_screen_about(out, &c->info); break;
    case UI_VIEW_CALL_BLOCKED: ui_screen_call_blocked(out, &c->info); break;
    case UI_VIEW_BASE: ui_screen_trial(out, &c->info, c->page); break;
    }
}
