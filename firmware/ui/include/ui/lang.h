/*
 * ui/lang.h - the screens' languages: message catalogues, plural forms,
 * numbers and dates in the locale's form (pure: no HAL, no clock).
 *
 * Every string a person reads on the room screen is a key of UI_MESSAGES.
 * Each language is one catalogue file (firmware/ui/lang/<code>.c) that gives
 * every key its text; tests/unit/ui/test_lang.c fails when a key is missing
 * or a translation drops a placeholder.
 *
 * Texts are UTF-8 with named placeholders in braces ("{n} days left"), filled
 * by ui_fmt(). A key marked PLURAL has two forms, `one` and `other`, chosen by
 * ui_msg_n() with the language's plural rule.
 */
#ifndef UI_LANG_H
#define UI_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { UI_LANG_EN = 0, UI_LANG_DE = 1, UI_LANG_COUNT } ui_lang_t;

/* X(key, kind, placeholders): kind is TEXT or PLURAL; placeholders are the
 * names the code fills for that key. Every catalogue's text (each form of a
 * PLURAL key) must use each of them, except those marked "?" (optional: the
 * date's parts), and no other. */
#define UI_MESSAGES(X)                                                                             \
    /* dates: {d} {dd} {mm} {month} {yyyy}; {date} {hh} {mi} */                                    \
    X(DATE, TEXT, "d? dd? mm? month? yyyy")                                                        \
    X(DATETIME, TEXT, "date hh mi")                                                                \
    X(MONTH_1, TEXT, "")                                                                           \
    X(MONTH_2, TEXT, "")                                                                           \
    X(MONTH_3, TEXT, "")                                                                           \
    X(MONTH_4, TEXT, "")                                                                           \
    X(MONTH_5, TEXT, "")                                                                           \
    X(MONTH_6, TEXT, "")                                                                           \
    X(MONTH_7, TEXT, "")                                                                           \
    X(MONTH_8, TEXT, "")                                                                           \
    X(MONTH_9, TEXT, "")                                                                           \
    X(MONTH_10, TEXT, "")                                                                          \
    X(MONTH_11, TEXT, "")                                                                          \
    X(MONTH_12, TEXT, "")                                                                          \
    X(THOUSANDS_SEP, TEXT, "")                                                                     \
    /* on every screen */                                                                          \
    X(FOOTER_SERIAL_TRIAL, TEXT, "serial trial")                                                   \
    X(FOOTER_SERIAL, TEXT, "serial")                                                               \
    X(HINT_INFO, TEXT, "")                                                                         \
    X(EMERGENCY_WORK, TEXT, "")                                                                    \
    /* 1. setup / error */                                                                         \
    X(SETUP_TITLE, TEXT, "")                                                                       \
    X(SETUP_NOT_PROVISIONED, TEXT, "")                                                             \
    X(SETUP_FLASH_UNREADABLE, TEXT, "")                                                            \
    X(SETUP_PROV_INVALID, TEXT, "")                                                                \
    X(SETUP_STORE_FULL, TEXT, "")                                                                  \
    X(SETUP_WHAT_TO_DO, TEXT, "")                                                                  \
    X(SETUP_DETAIL, TEXT, "detail")                                                                \
    X(UNKNOWN, TEXT, "")                                                                           \
    /* 2. home and its banner (R7, R14) */                                                         \
    X(HOME_DEFAULT_TITLE, TEXT, "")                                                                \
    X(HOME_READY, TEXT, "")                                                                        \
    X(HOME_NO_LICENCE, TEXT, "")                                                                   \
    X(BANNER_ENDS_IN, PLURAL, "n")                                                                 \
    X(BANNER_ENDS_TODAY, TEXT, "")                                                                 \
    X(BANNER_EXPIRING_TEXT, TEXT, "")                                                              \
    /* 3. grace (R8) */                                                                            \
    X(BANNER_GRACE_TITLE, TEXT, "")                                                                \
    X(BANNER_GRACE_TEXT, PLURAL, "n")                                                              \
    /* 4. services ended (R10, R11) and the calling notice */                                      \
    X(ENDED_TITLE, TEXT, "")                                                                       \
    X(ENDED_TEXT, TEXT, "")                                                                        \
    X(ENDED_NUMBERS_KEPT, TEXT, "date")                                                            \
    X(ENDED_RETURN_NEXT, TEXT, "")                                                                 \
    X(BLOCKED_TITLE, TEXT, "")                                                                     \
    X(BLOCKED_TEXT, TEXT, "")                                                                      \
    X(BLOCKED_EMERGENCY, TEXT, "")                                                                 \
    /* 5. return instructions (R12, R13) and 7. new labels */                                      \
    X(RETURN_TITLE, TEXT, "")                                                                      \
    X(RETURN_STEP_BOX, TEXT, "")                                                                   \
    X(RETURN_STEP_LABEL, TEXT, "")                                                                 \
    X(RETURN_STEP_CARRIER, TEXT, "")                                                               \
    X(RETURN_LOST, TEXT, "")                                                                       \
    X(RETURN_QR_CAPTION, TEXT, "")                                                                 \
    X(RETURN_ACTION, TEXT, "")                                                                     \
    X(RETURN_REQUESTED, TEXT, "date")                                                              \
    /* 6. about */                                                                                 \
    X(ABOUT_TITLE, TEXT, "")                                                                       \
    X(ABOUT_TRIAL, TEXT, "trial")                                                                  \
    X(ABOUT_ENDS_ON, TEXT, "date")                                                                 \
    X(ABOUT_ENDED_ON, TEXT, "date")                                                                \
    X(ABOUT_PAID, TEXT, "")                                                                        \
    X(ABOUT_NO_LICENCE, TEXT, "")                                                                  \
    X(ABOUT_SERVICES, TEXT, "")                                                                    \
    X(ABOUT_SERVICE_LEFT, PLURAL, "service n date")                                                \
    X(ABOUT_SERVICE_ENDED, TEXT, "service date")                                                   \
    X(ABOUT_FIRMWARE, TEXT, "version")                                                             \
    X(ABOUT_LAST_REPORT, TEXT, "datetime")                                                         \
    X(ABOUT_NO_REPORT, TEXT, "")                                                                   \
    X(ABOUT_BACK, TEXT, "s")                                                                       \
    /* service names (R7); ids not listed are shown as they are */                                 \
    X(SVC_CALLING, TEXT, "")                                                                       \
    X(SVC_MEETINGS, TEXT, "")                                                                      \
    X(SVC_MESSAGING, TEXT, "")                                                                     \
    X(SVC_ROOM_SYSTEM, TEXT, "")                                                                   \
    X(SVC_TRAINING_CENTER, TEXT, "")                                                               \
    X(SVC_EVENT_CENTER, TEXT, "")

#define UI_MSG_ENUM_(key, kind, args) UI_MSG_##key,
typedef enum { UI_MESSAGES(UI_MSG_ENUM_) UI_MSG_COUNT } ui_msg_t;
#undef UI_MSG_ENUM_

typedef struct {
    const char *one;   /* the text; for a PLURAL key the singular form */
    const char *other; /* PLURAL keys only: every other count */
} ui_msg_text_t;

typedef struct {
    const char *code; /* "en", "de" */
    ui_msg_text_t msg[UI_MSG_COUNT];
} ui_catalog_t;

/* For the catalogue files: a text, and a text with its plural form. */
#define UI_T(text)                                                                                 \
    {                                                                                              \
        .one = (text), .other = NULL                                                               \
    }
#define UI_P(one_, other_)                                                                         \
    {                                                                                              \
        .one = (one_), .other = (other_)                                                           \
    }

/* The catalogue of `lang` (any out-of-range value gives English). */
const ui_catalog_t *ui_catalog(ui_lang_t lang);

/* True when `key` is a PLURAL key. */
bool ui_msg_is_plural(ui_msg_t key);

/* The key's name as in UI_MESSAGES ("SETUP_TITLE"), for tests and messages. */
const char *ui_msg_name(ui_msg_t key);

/* The placeholders the code fills for `key`, as in UI_MESSAGES ("n", "d? dd?
 * mm? month? yyyy"). */
const char *ui_msg_placeholders(ui_msg_t key);

/* The screens' language for a provisioned locale: "de" and "de-XX" (de-DE,
 * de-AT, de-CH, ...) give German; anything else, NULL or empty gives
 * English. */
ui_lang_t ui_lang_for_locale(const char *locale);

/* "en" or "de" for --locale; FW_E_INVAL for anything else. */
int ui_lang_parse(const char *code, ui_lang_t *out);
const char *ui_lang_code(ui_lang_t lang);

/* True when the language part of `locale` ("de" of "de-AT") has a catalogue.
 * The list the flashing tool checks --locale against. `known` gets "en, de". */
bool ui_lang_has_catalogue(const char *locale, char *known, size_t cap);

/* The text of `key` (for a PLURAL key its `one` form). Never NULL: a key a
 * catalogue lacks falls back to English, and to "" if English lacks it too. */
const char *ui_msg(ui_lang_t lang, ui_msg_t key);

/* The form of PLURAL `key` for count `n` (English and German: n == 1 is
 * `one`, every other count `other`). A TEXT key gives ui_msg(). */
const char *ui_msg_n(ui_lang_t lang, ui_msg_t key, int64_t n);

/* One placeholder value for ui_fmt(). */
typedef struct {
    const char *name; /* without braces: "n" */
    const char *value;
} ui_arg_t;

/* Copy `pattern` into `out` (at most cap - 1 bytes, always terminated, never
 * cutting a UTF-8 sequence), replacing each {name} with its value from
 * `args`. An unknown {name} is copied as it is. Returns the length written. */
size_t ui_fmt(char *out, size_t cap, const char *pattern, const ui_arg_t *args, size_t n_args);

/* `n` in the language's digits ("1,234,567" / "1.234.567"). */
void ui_format_int(ui_lang_t lang, int64_t n, char *out, size_t cap);

/* The UTC calendar date of unix instant `t` in the language's form
 * ("29 January 2027" / "29.01.2027"), and date with time ("..., 14:05 UTC"). */
void ui_format_date(ui_lang_t lang, int64_t t, char *out, size_t cap);
void ui_format_datetime(ui_lang_t lang, int64_t t, char *out, size_t cap);

/* Copy `src` into `out` like snprintf("%s"), but never cut a UTF-8 sequence
 * in half when it does not fit. Returns the length written. */
size_t ui_copy(char *out, size_t cap, const char *src);

#endif /* UI_LANG_H */
