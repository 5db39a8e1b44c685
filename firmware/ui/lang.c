/*
 * Catalogue lookup, plural choice, placeholders, numbers and dates.
 *
 * Dates are computed with integer arithmetic from the unix instant (UTC), not
 * with gmtime(): the result is the same on every libc and for every instant a
 * licence can hold (up to 9999-12-31).
 */
#include "ui/lang.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"

extern const ui_catalog_t ui_catalog_en;
extern const ui_catalog_t ui_catalog_de;

static const ui_catalog_t *const s_catalogs[UI_LANG_COUNT] = {
    [UI_LANG_EN] = &ui_catalog_en,
    [UI_LANG_DE] = &ui_catalog_de,
};

#define UI_MSG_PLURAL_TEXT false
#define UI_MSG_PLURAL_PLURAL true
#define UI_MSG_PLURAL_(key, kind, args) [UI_MSG_##key] = UI_MSG_PLURAL_##kind,
static const bool s_plural[UI_MSG_COUNT] = {UI_MESSAGES(UI_MSG_PLURAL_)};
#undef UI_MSG_PLURAL_

#define UI_MSG_NAME_(key, kind, args) [UI_MSG_##key] = #key,
static const char *const s_names[UI_MSG_COUNT] = {UI_MESSAGES(UI_MSG_NAME_)};
#undef UI_MSG_NAME_

#define UI_MSG_ARGS_(key, kind, args) [UI_MSG_##key] = (args),
static const char *const s_args[UI_MSG_COUNT] = {UI_MESSAGES(UI_MSG_ARGS_)};
#undef UI_MSG_ARGS_

const char *ui_msg_placeholders(ui_msg_t key)
{
    return (unsigned)key < UI_MSG_COUNT ? s_args[key] : "";
}

const ui_catalog_t *ui_catalog(ui_lang_t lang)
{
    return (unsigned)lang < UI_LANG_COUNT ? s_catalogs[lang] : s_catalogs[UI_LANG_EN];
}

bool ui_msg_is_plural(ui_msg_t key)
{
    return (unsigned)key < UI_MSG_COUNT && s_plural[key];
}

const char *ui_msg_name(ui_msg_t key)
{
    return (unsigned)key < UI_MSG_COUNT ? s_names[key] : "?";
}

ui_lang_t ui_lang_for_locale(const char *locale)
{
    if (locale && locale[0] == 'd' && locale[1] == 'e' && (locale[2] == '\0' || locale[2] == '-')) {
        return UI_LANG_DE;
    }
    return UI_LANG_EN;
}

int ui_lang_parse(const char *code, ui_lang_t *out)
{
    for (unsigned l = 0; code && l < UI_LANG_COUNT; l++) {
        if (strcmp(code, s_catalogs[l]->code) == 0) {
            *out = (ui_lang_t)l;
            return 0;
        }
    }
    return FW_E_INVAL;
}

const char *ui_lang_code(ui_lang_t lang)
{
    return ui_catalog(lang)->code;
}

bool ui_lang_has_catalogue(const char *locale, char *known, size_t cap)
{
    bool found = false;
    size_t used = 0;
    if (known && cap) {
        known[0] = '\0';
    }
    for (unsigned l = 0; l < UI_LANG_COUNT; l++) {
        const char *code = s_catalogs[l]->code;
        size_t n = strlen(code);
        if (locale && strncmp(locale, code, n) == 0 && (locale[n] == '\0' || locale[n] == '-')) {
            found = true;
        }
        if (known && used < cap) {
            used += (size_t)snprintf(known + used, cap - used, "%s%s", l ? ", " : "", code);
        }
    }
    return found;
}

static const char *lookup(ui_lang_t lang, ui_msg_t key, bool other)
{
    if ((unsigned)key >= UI_MSG_COUNT) {
        return "";
    }
    const ui_msg_text_t *m = &ui_catalog(lang)->msg[key];
    const ui_msg_text_t *en = &s_catalogs[UI_LANG_EN]->msg[key];
    const char *s = other ? m->other : m->one;
    if (!s) {
        s = other ? en->other : en->one;
    }
    return s ? s : "";
}

const char *ui_msg(ui_lang_t lang, ui_msg_t key)
{
    return lookup(lang, key, false);
}

const char *ui_msg_n(ui_lang_t lang, ui_msg_t key, int64_t n)
{
    /* English and German share the rule "one for 1, other otherwise"; a
     * language with more forms adds its rule here and fields to the entry. */
    (void)lang;
    return lookup(lang, key, ui_msg_is_plural(key) && n != 1);
}

/* Length of the longest prefix of s[0..n) that ends on a UTF-8 boundary. */
static size_t utf8_fit(const char *s, size_t n)
{
    size_t k = n;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) {
        k--; /* s[k] continues a sequence that would be cut */
    }
    return k;
}

typedef struct {
    char *out;
    size_t cap, len;
    bool full;
} sink_t;

static void put(sink_t *k, const char *s, size_t n)
{
    if (k->full || k->cap == 0) {
        return;
    }
    size_t room = k->cap - 1 - k->len;
    if (n > room) {
        /* Cut before a sequence that would not fit whole. `s[room]` exists
         * since n > room. */
        n = utf8_fit(s, room);
        k->full = true;
    }
    memcpy(k->out + k->len, s, n);
    k->len += n;
    k->out[k->len] = '\0';
}

size_t ui_copy(char *out, size_t cap, const char *src)
{
    sink_t k = {out, cap, 0, false};
    if (cap) {
        out[0] = '\0';
    }
    if (src) {
        put(&k, src, strlen(src));
    }
    return k.len;
}

size_t ui_fmt(char *out, size_t cap, const char *pattern, const ui_arg_t *args, size_t n_args)
{
    sink_t k = {out, cap, 0, false};
    if (cap) {
        out[0] = '\0';
    }
    const char *p = pattern ? pattern : "";
    while (*p) {
        const char *open = strchr(p, '{');
        if (!open) {
            put(&k, p, strlen(p));
            break;
        }
        put(&k, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        const ui_arg_t *hit = NULL;
        for (size_t i = 0; close && i < n_args; i++) {
            size_t n = (size_t)(close - open - 1);
            if (strlen(args[i].name) == n && strncmp(open + 1, args[i].name, n) == 0) {
                hit = &args[i];
            }
        }
        if (hit) {
            put(&k, hit->value ? hit->value : "", strlen(hit->value ? hit->value : ""));
            p = close + 1;
        } else {
            put(&k, open, 1);
            p = open + 1;
        }
    }
    return k.len;
}

void ui_format_int(ui_lang_t lang, int64_t n, char *out, size_t cap)
{
    char digits[24];
    uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    const char *sep = ui_msg(lang, UI_MSG_THOUSANDS_SEP);
    char buf[48];
    size_t len = 0;
    if (n < 0) {
        buf[len++] = '-';
    }
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0 && nd > 4) { /* 1234 stays 1234; 12,345 */
            for (const char *s = sep; *s && len < sizeof buf - 2; s++) {
                buf[len++] = *s;
            }
        }
        if (len < sizeof buf - 1) {
            buf[len++] = digits[i];
        }
    }
    buf[len] = '\0';
    ui_copy(out, cap, buf);
}

/* Howard Hinnant's civil_from_days: proleptic Gregorian date of a day number
 * counted from 1970-01-01. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void ui_format_date(ui_lang_t lang, int64_t t, char *out, size_t cap)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(floor_div(t, 86400), &y, &m, &d);
    char sd[12], sdd[12], smm[12], sy[24];
    (void)snprintf(sd, sizeof sd, "%u", d);
    (void)snprintf(sdd, sizeof sdd, "%02u", d);
    (void)snprintf(smm, sizeof smm, "%02u", m);
    (void)snprintf(sy, sizeof sy, "%lld", (long long)y);
    const ui_arg_t args[] = {
        {"d", sd},    {"dd", sdd},
        {"mm", smm},  {"month", ui_msg(lang, (ui_msg_t)(UI_MSG_MONTH_1 + (int)m - 1))},
        {"yyyy", sy},
    };
    ui_fmt(out, cap, ui_msg(lang, UI_MSG_DATE), args, sizeof args / sizeof args[0]);
}

void ui_format_datetime(ui_lang_t lang, int64_t t, char *out, size_t cap)
{
    char date[64], hh[12], mi[12];
    ui_format_date(lang, t, date, sizeof date);
    int64_t sec = t - floor_div(t, 86400) * 86400;
    (void)snprintf(hh, sizeof hh, "%02d", (int)(sec / 3600));
    (void)snprintf(mi, sizeof mi, "%02d", (int)(sec / 60 % 60));
    const ui_arg_t args[] = {{"date", date}, {"hh", hh}, {"mi", mi}};
    ui_fmt(out, cap, ui_msg(lang, UI_MSG_DATETIME), args, sizeof args / sizeof args[0]);
}
