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
    (void)snprintf(line, sizeof line, "Serial %s  -  Trial %s", serial ? serial : "",
                   trial ? trial : "");
    add_line(out, line);
}
