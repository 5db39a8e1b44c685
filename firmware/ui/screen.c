#include "ui/screen.h"

#include <stdio.h>
#include <string.h>

static void add_line(ui_screen_t *s, const char *text)
{
    if (s->n_lines < UI_MAX_LINES) {
        (void)snprintf(s->lines[s->n_lines++], UI_LINE_MAX, "%s", text);
    }
}

static void start(ui_screen_t *s, ui_screen_kind_t kind, uint32_t bg, uint32_t fg,
                  const char *title)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->background = bg;
    s->foreground = fg;
    (void)snprintf(s->title, sizeof s->title, "%s", title);
}

void ui_screen_setup(ui_screen_t *out, const char *serial, const char *trial, const char *reason)
{
    char line[UI_LINE_MAX];
    start(out, UI_SCREEN_SETUP, 0x1B2A41, 0xFFFFFF, "Setup required");
    (void)snprintf(line, sizeof line, "Serial: %s", serial && *serial ? serial : "unknown");
    add_line(out, line);
    if (trial && *trial) {
        (void)snprintf(line, sizeof line, "Trial: %s", trial);
        add_line(out, line);
    }
    if (reason && *reason) {
        add_line(out, reason);
    }
    add_line(out, "This device has not been provisioned for use.");
    add_line(out, "Contact your partner or technician and quote the serial above.");
}

void ui_screen_home(ui_screen_t *out, const char *model, const char *serial, const char *trial)
{
    char line[UI_LINE_MAX];
    start(out, UI_SCREEN_HOME, 0x0F1419, 0xE6E6E6, model && *model ? model : "Spark room endpoint");
    if (trial && *trial) {
        (void)snprintf(line, sizeof line, "Serial %s  -  Trial %s", serial ? serial : "", trial);
    } else {
        (void)snprintf(line, sizeof line, "Serial %s", serial ? serial : "");
    }
    add_line(out, line);
}

/* R12, R13: original box, return label, carrier pick-up; lost labels go
 * through the partner to the partner help desk. */
static void return_instructions(ui_screen_t *out, const ui_trial_info_t *t)
{
    char line[UI_LINE_MAX];
    start(out, UI_SCREEN_RETURN, 0x2B1B0E, 0xFFFFFF, "Please return this device");
    add_line(out, "1. Pack it in its original shipping box.");
    add_line(out, "2. Attach the return label that came with it.");
    add_line(out, "3. Have a carrier pick it up; the return (RMA) is then processed.");
    add_line(out, "Lost the label or box? Ask your partner: the partner help desk");
    add_line(out, "   prints and sends new labels.");
    if (t->return_url && *t->return_url) {
        (void)snprintf(line, sizeof line, "Details: %s", t->return_url);
        add_line(out, line);
    }
    (void)snprintf(line, sizeof line, "Serial %s  -  Trial %s", t->serial ? t->serial : "",
                   t->trial ? t->trial : "");
    add_line(out, line);
}

void ui_screen_trial(ui_screen_t *out, const ui_trial_info_t *t, unsigned page)
{
    char line[UI_LINE_MAX];
    switch (t->state) {
    case UI_TRIAL_NONE:
    case UI_TRIAL_ACTIVE:
    case UI_TRIAL_PAID:
        ui_screen_home(out, t->model, t->serial, t->state == UI_TRIAL_PAID ? NULL : t->trial);
        if (t->state == UI_TRIAL_ACTIVE) {
            (void)snprintf(line, sizeof line, "Trial: %d days left", t->days_left);
            add_line(out, line);
        } else if (t->state == UI_TRIAL_NONE) {
            add_line(out, "Waiting for the trial licence.");
        }
        return;
    case UI_TRIAL_EXPIRING:
        start(out, UI_SCREEN_BANNER, 0x3D2E00, 0xFFFFFF,
              t->last_day ? "Trial ends today" : "Trial ends soon");
        if (!t->last_day) {
            (void)snprintf(line, sizeof line, "The trial ends in %d day%s.", t->days_left,
                           t->days_left == 1 ? "" : "s");
            add_line(out, line);
        }
        add_line(out, "To keep using this room system, ask your partner about buying it.");
        break;
    case UI_TRIAL_GRACE:
        start(out, UI_SCREEN_BANNER, 0x4A1C00, 0xFFFFFF, "Trial ended");
        (void)snprintf(line, sizeof line, "%d day%s left to buy: calling and meetings still work.",
                       t->grace_days_left, t->grace_days_left == 1 ? "" : "s");
        add_line(out, line);
        add_line(out, "Contact your partner to convert the trial.");
        break;
    case UI_TRIAL_LAPSED:
    case UI_TRIAL_RELEASED:
        if (t->rma_due && (t->state == UI_TRIAL_RELEASED || page % 2 == 1)) {
            return_instructions(out, t);
            return;
        }
        start(out, UI_SCREEN_ENDED, 0x3A0A0A, 0xFFFFFF, "Services ended");
        add_line(out, "The trial is over: this room's services are no longer available.");
        add_line(out, "Emergency calls still work.");
        if (t->numbers_held) {
            (void)snprintf(line, sizeof line, "Phone numbers are kept until %s.",
                           t->numbers_held_until);
            add_line(out, line);
        }
        break;
    }
    (void)snprintf(line, sizeof line, "Serial %s  -  Trial %s", t->serial ? t->serial : "",
                   t->trial ? t->trial : "");
    add_line(out, line);
}
