/*
 * The screens' content. Every word comes from the catalogue of the room's
 * language (ui/lang.h); this file decides which words, in which order, and
 * the colours. Nothing here knows pixels: the layout wraps and places.
 */
#include "ui/screen.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"

/* Colours: light text on dark grounds (a room screen is seen from afar and
 * often against a window), warm accents for what needs action. */
#define INK 0xF2F2F2u
#define INK_DARK 0x141414u
#define AMBER 0xF2B705u
#define ORANGE 0xC8461Eu

static void start(ui_screen_t *s, ui_screen_kind_t kind, ui_lang_t lang, uint32_t bg)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->lang = lang;
    s->background = bg;
    s->foreground = INK;
    s->accent = AMBER;
    s->accent_fg = INK_DARK;
}

static void add(ui_screen_t *s, ui_style_t style, const char *text)
{
    if (s->n_paras < UI_MAX_PARAS && text && *text) {
        ui_para_t *p = &s->paras[s->n_paras++];
        p->style = style;
        ui_copy(p->text, sizeof p->text, text);
    }
}

/* A catalogue text with placeholders, as one paragraph. */
static void addf(ui_screen_t *s, ui_style_t style, const char *pattern, const ui_arg_t *args,
                 size_t n)
{
    char text[UI_TEXT_MAX];
    ui_fmt(text, sizeof text, pattern, args, n);
    add(s, style, text);
}

static void add_msg(ui_screen_t *s, ui_style_t style, ui_msg_t key)
{
    add(s, style, ui_msg(s->lang, key));
}

static const char *or_unknown(ui_lang_t lang, const char *v)
{
    return v && *v ? v : ui_msg(lang, UI_MSG_UNKNOWN);
}

/* "Serial ... · Trial ..." (the trial only when known and shown). */
static void footer(ui_screen_t *s, const char *serial, const char *trial)
{
    const ui_arg_t args[] = {{"serial", or_unknown(s->lang, serial)}, {"trial", trial}};
    ui_fmt(s->footer, sizeof s->footer,
           ui_msg(s->lang, trial && *trial ? UI_MSG_FOOTER_SERIAL_TRIAL : UI_MSG_FOOTER_SERIAL),
           args, 2);
}

/* A PLURAL catalogue text for count `n`. */
static void fmt_n(ui_screen_t *s, char *out, size_t cap, ui_msg_t key, int64_t n)
{
    char num[32];
    ui_format_int(s->lang, n, num, sizeof num);
    const ui_arg_t args[] = {{"n", num}};
    ui_fmt(out, cap, ui_msg_n(s->lang, key, n), args, 1);
}

static void fmt_date(ui_screen_t *s, char *out, size_t cap, ui_msg_t key, int64_t t)
{
    char date[64];
    ui_format_date(s->lang, t, date, sizeof date);
    const ui_arg_t args[] = {{"date", date}};
    ui_fmt(out, cap, ui_msg(s->lang, key), args, 1);
}

/* ------------------------------------------------------------------ setup */

void ui_screen_setup(ui_screen_t *out, ui_lang_t lang, const char *serial, const char *trial,
                     ui_setup_reason_t reason, const char *detail)
{
    static const ui_msg_t why[] = {
        [UI_SETUP_NOT_PROVISIONED] = UI_MSG_SETUP_NOT_PROVISIONED,
        [UI_SETUP_FLASH_UNREADABLE] = UI_MSG_SETUP_FLASH_UNREADABLE,
        [UI_SETUP_PROV_INVALID] = UI_MSG_SETUP_PROV_INVALID,
        [UI_SETUP_STORE_FULL] = UI_MSG_SETUP_STORE_FULL,
    };
    start(out, UI_SCREEN_SETUP, lang, 0x1B2A41u);
    ui_copy(out->title, sizeof out->title, ui_msg(lang, UI_MSG_SETUP_TITLE));
    add_msg(out, UI_STYLE_STRONG,
            (unsigned)reason < sizeof why / sizeof why[0] ? why[reason]
                                                          : UI_MSG_SETUP_NOT_PROVISIONED);
    add_msg(out, UI_STYLE_STRONG, UI_MSG_EMERGENCY_WORK);
    add_msg(out, UI_STYLE_BODY, UI_MSG_SETUP_WHAT_TO_DO);
    if (detail && *detail) {
        const ui_arg_t args[] = {{"detail", detail}};
        addf(out, UI_STYLE_SMALL, ui_msg(lang, UI_MSG_SETUP_DETAIL), args, 1);
    }
    footer(out, serial, trial);
}

/* ------------------------------------------------------------ home, banner */

static void home(ui_screen_t *out, const ui_trial_info_t *t)
{
    const ui_lang_t lang = t->lang;
    start(out, UI_SCREEN_HOME, lang, 0x0F1419u);
    ui_copy(out->title, sizeof out->title,
            t->model && *t->model ? t->model : ui_msg(lang, UI_MSG_HOME_DEFAULT_TITLE));
    if (t->state == UI_TRIAL_NONE) {
        add_msg(out, UI_STYLE_BODY, UI_MSG_HOME_NO_LICENCE);
        add_msg(out, UI_STYLE_STRONG, UI_MSG_EMERGENCY_WORK);
    } else {
        add_msg(out, UI_STYLE_BODY, UI_MSG_HOME_READY);
    }
    add_msg(out, UI_STYLE_SMALL, UI_MSG_HINT_INFO);
    /* R2/R3: a paid room shows no trial marks, not even its trial number. */
    footer(out, t->serial, t->state == UI_TRIAL_PAID ? NULL : t->trial);

    if (t->state == UI_TRIAL_EXPIRING) { /* R7, R14 */
        if (t->last_day) {
            ui_copy(out->banner_title, sizeof out->banner_title,
                    ui_msg(lang, UI_MSG_BANNER_ENDS_TODAY));
        } else {
            fmt_n(out, out->banner_title, sizeof out->banner_title, UI_MSG_BANNER_ENDS_IN,
                  t->days_left);
        }
        ui_copy(out->banner_text, sizeof out->banner_text,
                ui_msg(lang, UI_MSG_BANNER_EXPIRING_TEXT));
    } else if (t->state == UI_TRIAL_GRACE) { /* R8 */
        out->accent = ORANGE;
        out->accent_fg = 0xFFFFFFu;
        ui_copy(out->banner_title, sizeof out->banner_title,
                ui_msg(lang, UI_MSG_BANNER_GRACE_TITLE));
        fmt_n(out, out->banner_text, sizeof out->banner_text, UI_MSG_BANNER_GRACE_TEXT,
              t->grace_days_left);
    }
}

/* ------------------------------------------------ ended, notice, return */

static void ended(ui_screen_t *out, const ui_trial_info_t *t)
{
    start(out, UI_SCREEN_ENDED, t->lang, 0x3A0A0Au);
    ui_copy(out->title, sizeof out->title, ui_msg(t->lang, UI_MSG_ENDED_TITLE));
    add_msg(out, UI_STYLE_BODY, UI_MSG_ENDED_TEXT);
    add_msg(out, UI_STYLE_STRONG, UI_MSG_BLOCKED_EMERGENCY);
    if (t->numbers_held) { /* R11 */
        char line[UI_TEXT_MAX];
        fmt_date(out, line, sizeof line, UI_MSG_ENDED_NUMBERS_KEPT, t->numbers_held_until);
        add(out, UI_STYLE_BODY, line);
    }
    if (t->rma_due) {
        add_msg(out, UI_STYLE_BODY, UI_MSG_ENDED_RETURN_NEXT);
    }
    add_msg(out, UI_STYLE_SMALL, UI_MSG_HINT_INFO);
    footer(out, t->serial, t->trial);
}

void ui_screen_call_blocked(ui_screen_t *out, const ui_trial_info_t *t)
{
    start(out, UI_SCREEN_NOTICE, t->lang, 0x5A1010u);
    ui_copy(out->title, sizeof out->title, ui_msg(t->lang, UI_MSG_BLOCKED_TITLE));
    add_msg(out, UI_STYLE_BODY, UI_MSG_BLOCKED_TEXT);
    add_msg(out, UI_STYLE_STRONG, UI_MSG_BLOCKED_EMERGENCY);
    footer(out, t->serial, t->state == UI_TRIAL_PAID ? NULL : t->trial);
}

/* R12: original box, return label, carrier pick-up; R13: lost labels go
 * through the partner, and the button asks for new ones. */
static void return_instructions(ui_screen_t *out, const ui_trial_info_t *t)
{
    start(out, UI_SCREEN_RETURN, t->lang, 0x10263Au);
    ui_copy(out->title, sizeof out->title, ui_msg(t->lang, UI_MSG_RETURN_TITLE));
    add_msg(out, UI_STYLE_BODY, UI_MSG_RETURN_STEP_BOX);
    add_msg(out, UI_STYLE_BODY, UI_MSG_RETURN_STEP_LABEL);
    add_msg(out, UI_STYLE_BODY, UI_MSG_RETURN_STEP_CARRIER);
    if (t->labels_requested) {
        char line[UI_TEXT_MAX];
        fmt_date(out, line, sizeof line, UI_MSG_RETURN_REQUESTED, t->labels_requested_at);
        add(out, UI_STYLE_STRONG, line);
    } else {
        add_msg(out, UI_STYLE_BODY, UI_MSG_RETURN_LOST);
        ui_copy(out->action, sizeof out->action, ui_msg(t->lang, UI_MSG_RETURN_ACTION));
    }
    if (ui_return_url(out->qr, sizeof out->qr, t->return_url, t->serial, t->trial) == 0) {
        ui_copy(out->qr_caption, sizeof out->qr_caption, ui_msg(t->lang, UI_MSG_RETURN_QR_CAPTION));
    } else {
        out->qr[0] = '\0';
    }
    footer(out, t->serial, t->trial);
}

void ui_screen_trial(ui_screen_t *out, const ui_trial_info_t *t, unsigned page)
{
    switch (t->state) {
    case UI_TRIAL_LAPSED:
    case UI_TRIAL_RELEASED:
        /* R3: never on keep-devices (rma_due is false there) */
        if (t->rma_due && (t->state == UI_TRIAL_RELEASED || page % 2 == 1)) {
            return_instructions(out, t);
        } else {
            ended(out, t);
        }
        return;
    case UI_TRIAL_NONE:
    case UI_TRIAL_ACTIVE:
    case UI_TRIAL_EXPIRING:
    case UI_TRIAL_GRACE:
    case UI_TRIAL_PAID: break;
    }
    home(out, t);
}

/* ------------------------------------------------------------------ about */

static const char *service_name(ui_lang_t lang, const char *id)
{
    static const struct {
        const char *id;
        ui_msg_t name;
    } known[] = {
        {"calling", UI_MSG_SVC_CALLING},
        {"meetings", UI_MSG_SVC_MEETINGS},
        {"messaging", UI_MSG_SVC_MESSAGING},
        {"room-system", UI_MSG_SVC_ROOM_SYSTEM},
        {"room_system", UI_MSG_SVC_ROOM_SYSTEM},
        {"training-center", UI_MSG_SVC_TRAINING_CENTER},
        {"training_center", UI_MSG_SVC_TRAINING_CENTER},
        {"event-center", UI_MSG_SVC_EVENT_CENTER},
        {"event_center", UI_MSG_SVC_EVENT_CENTER},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(id, known[i].id) == 0) {
            return ui_msg(lang, known[i].name);
        }
    }
    return id;
}

static void about_service(ui_screen_t *out, const ui_service_t *sv)
{
    char date[64], line[UI_TEXT_MAX];
    ui_format_date(out->lang, sv->exp, date, sizeof date);
    const char *name = service_name(out->lang, sv->id);
    if (sv->expired) {
        const ui_arg_t args[] = {{"service", name}, {"date", date}};
        ui_fmt(line, sizeof line, ui_msg(out->lang, UI_MSG_ABOUT_SERVICE_ENDED), args, 2);
    } else {
        char num[32];
        ui_format_int(out->lang, sv->days_left, num, sizeof num);
        const ui_arg_t args[] = {{"service", name}, {"n", num}, {"date", date}};
        ui_fmt(line, sizeof line, ui_msg_n(out->lang, UI_MSG_ABOUT_SERVICE_LEFT, sv->days_left),
               args, 3);
    }
    add(out, UI_STYLE_ITEM, line);
}

void ui_screen_about(ui_screen_t *out, const ui_trial_info_t *t)
{
    const ui_lang_t lang = t->lang;
    char line[UI_TEXT_MAX];
    start(out, UI_SCREEN_ABOUT, lang, 0x14202Bu);
    ui_copy(out->title, sizeof out->title, ui_msg(lang, UI_MSG_ABOUT_TITLE));
    if (t->state == UI_TRIAL_NONE) {
        add_msg(out, UI_STYLE_STRONG, UI_MSG_ABOUT_NO_LICENCE);
    } else if (t->state == UI_TRIAL_PAID) {
        add_msg(out, UI_STYLE_STRONG, UI_MSG_ABOUT_PAID);
    } else {
        const ui_arg_t args[] = {{"trial", or_unknown(lang, t->trial)}};
        addf(out, UI_STYLE_STRONG, ui_msg(lang, UI_MSG_ABOUT_TRIAL), args, 1);
        if (t->has_expiry) {
            bool ahead = t->state == UI_TRIAL_ACTIVE || t->state == UI_TRIAL_EXPIRING;
            fmt_date(out, line, sizeof line, ahead ? UI_MSG_ABOUT_ENDS_ON : UI_MSG_ABOUT_ENDED_ON,
                     t->expiry);
            add(out, UI_STYLE_BODY, line);
        }
    }
    if (t->n_svc > 0 && t->state != UI_TRIAL_NONE) { /* R7: per service */
        add_msg(out, UI_STYLE_STRONG, UI_MSG_ABOUT_SERVICES);
        for (size_t i = 0; i < t->n_svc && i < UI_SVC_MAX; i++) {
            about_service(out, &t->svc[i]);
        }
    }
    const ui_arg_t ver[] = {{"version", or_unknown(lang, t->version)}};
    addf(out, UI_STYLE_SMALL, ui_msg(lang, UI_MSG_ABOUT_FIRMWARE), ver, 1);
    if (t->last_report > 0) {
        char when[80];
        ui_format_datetime(lang, t->last_report, when, sizeof when);
        const ui_arg_t args[] = {{"datetime", when}};
        addf(out, UI_STYLE_SMALL, ui_msg(lang, UI_MSG_ABOUT_LAST_REPORT), args, 1);
    } else {
        add_msg(out, UI_STYLE_SMALL, UI_MSG_ABOUT_NO_REPORT);
    }
    char secs[8];
    (void)snprintf(secs, sizeof secs, "%d", UI_ABOUT_SECONDS);
    const ui_arg_t back[] = {{"s", secs}};
    addf(out, UI_STYLE_SMALL, ui_msg(lang, UI_MSG_ABOUT_BACK), back, 1);
    footer(out, t->serial, t->state == UI_TRIAL_PAID ? NULL : t->trial);
}

/* ------------------------------------------------------------- return URL */

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

typedef struct {
    char *out;
    size_t cap, len;
} url_t;

static void url_put(url_t *u, const char *s, size_t n, bool encode)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!encode || unreserved(c)) {
            if (u->len + 1 < u->cap) {
                u->out[u->len] = (char)c;
            }
            u->len++;
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            for (int k = 0; k < 3; k++, u->len++) {
                if (u->len + 1 < u->cap) {
                    u->out[u->len] = e[k];
                }
            }
        }
    }
}

int ui_return_url(char *out, size_t cap, const char *base, const char *serial, const char *trial)
{
    if (!out || cap == 0) {
        return FW_E_INVAL;
    }
    out[0] = '\0';
    if (!base || !*base) {
        return FW_E_INVAL;
    }
    const char *frag = strchr(base, '#');
    size_t main_len = frag ? (size_t)(frag - base) : strlen(base);
    const char *q = memchr(base, '?', main_len);
    const char *sep = !q                                                         ? "?"
                      : (base[main_len - 1] == '?' || base[main_len - 1] == '&') ? ""
                                                                                 : "&";
    url_t u = {out, cap, 0};
    url_put(&u, base, main_len, false);
    url_put(&u, sep, strlen(sep), false);
    url_put(&u, "serial=", 7, false);
    url_put(&u, serial ? serial : "", serial ? strlen(serial) : 0, true);
    url_put(&u, "&trial=", 7, false);
    url_put(&u, trial ? trial : "", trial ? strlen(trial) : 0, true);
    if (frag) {
        url_put(&u, frag, strlen(frag), false);
    }
    if (u.len >= cap) {
        out[0] = '\0';
        return FW_E_NOSPACE;
    }
    out[u.len] = '\0';
    return 0;
}

/* ------------------------------------------------------------------ names */

const char *ui_screen_headline(const ui_screen_t *s)
{
    return s->banner_title[0] ? s->banner_title : s->title;
}

const char *ui_screen_kind_name(ui_screen_kind_t kind)
{
    switch (kind) {
    case UI_SCREEN_SETUP: return "setup";
    case UI_SCREEN_HOME: return "home";
    case UI_SCREEN_ENDED: return "ended";
    case UI_SCREEN_NOTICE: return "notice";
    case UI_SCREEN_RETURN: return "return";
    case UI_SCREEN_ABOUT: return "about";
    }
    return "?";
}
