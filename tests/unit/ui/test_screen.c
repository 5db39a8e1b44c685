/*
 * What the screens say (pure model), walked across the trial timeline of
 * docs/TRIAL_RULES.md with the trial engine's own verdicts: days are counted as the
 * rules say (whole days remaining, rounded up; "the last day" is the 24 h
 * before E), in English and German.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "trial/claims.h"
#include "trial/timeline.h"
#include "ui/screen.h"
#include "ui/trial_info.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define E INT64_C(1797292800) /* 2026-12-15T00:00:00Z; E + 45 d = 2027-01-29 */

static bool has(const ui_screen_t *s, const char *needle)
{
    const char *fields[] = {s->banner_title, s->banner_text, s->title,
                            s->footer,       s->action,      s->qr_caption};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strstr(fields[i], needle)) {
            return true;
        }
    }
    for (int i = 0; i < s->n_paras; i++) {
        if (strstr(s->paras[i].text, needle)) {
            return true;
        }
    }
    return false;
}

#define assert_has(s, text)                                                                        \
    do {                                                                                           \
        if (!has((s), (text))) {                                                                   \
            fail_msg("screen '%s' does not say \"%s\"", ui_screen_headline(s), (text));            \
        }                                                                                          \
    } while (0)
#define assert_hasnt(s, text)                                                                      \
    do {                                                                                           \
        if (has((s), (text))) {                                                                    \
            fail_msg("screen '%s' says \"%s\"", ui_screen_headline(s), (text));                    \
        }                                                                                          \
    } while (0)

typedef struct {
    bool paid;
    bool keep;
} lic_t;

static void claims(trial_claims_t *c, lic_t l)
{
    memset(c, 0, sizeof *c);
    strcpy(c->sub, "FOC2240Y1ZZ");
    strcpy(c->trial, "D1000001");
    strcpy(c->region, "DE");
    c->typ = l.paid ? TRIAL_TYPE_PAID : TRIAL_TYPE_TRIAL;
    c->seq = 1;
    c->iat = E - 60 * DAY;
    c->has_trial_exp = !l.paid;
    c->trial_exp = E;
    c->keep = l.keep;
    c->n_svc = 2;
    strcpy(c->svc[0].id, "calling");
    c->svc[0].exp = E;
    strcpy(c->svc[1].id, "messaging");
    c->svc[1].exp = E - 10 * DAY;
}

static ui_trial_info_t info_at(ui_lang_t lang, int64_t now, lic_t l)
{
    trial_claims_t c;
    trial_view_t v;
    claims(&c, l);
    assert_int_equal(trial_state_at(&c, NULL, now, &v), 0);
    ui_trial_info_t t;
    memset(&t, 0, sizeof t);
    t.lang = lang;
    t.model = "Spark Room Kit";
    t.serial = "FOC2240Y1ZZ";
    t.trial = "D1000001";
    t.return_url = "https://partner.example/rma";
    t.version = "1.4.2";
    ui_trial_info_from_view(&t, &v);
    return t;
}

static void screen_at(ui_screen_t *s, ui_lang_t lang, int64_t now, lic_t l, unsigned page)
{
    ui_trial_info_t t = info_at(lang, now, l);
    ui_screen_trial(s, &t, page);
}

static const lic_t TRIAL = {false, false};

/* TRIAL_RULES.md: before E - 7 d the screen is normal, no banner. */
static void test_before_expiring_no_banner(void **state)
{
    (void)state;
    ui_screen_t s;
    screen_at(&s, UI_LANG_EN, E - 7 * DAY - 1, TRIAL, 0);
    assert_int_equal(s.kind, UI_SCREEN_HOME);
    assert_string_equal(s.banner_title, "");
    assert_string_equal(s.title, "Spark Room Kit");
    assert_has(&s, "Ready for calls and meetings.");
    assert_has(&s, "Trial D1000001");
}

/* R7, R14: the banner from E - 7 d on, days rounded up ("6 days and 1 hour
 * left shows 7"), "ends today" in the 24 h before E. */
static void test_expiring_banner_counts_days_as_the_rules_say(void **state)
{
    (void)state;
    static const struct {
        int64_t at;
        const char *en, *de;
    } rows[] = {
        {-7 * DAY, "The trial ends in 7 days", "Die Testversion endet in 7 Tagen"},
        {-6 * DAY - HOUR, "The trial ends in 7 days", "Die Testversion endet in 7 Tagen"},
        {-6 * DAY, "The trial ends in 6 days", "Die Testversion endet in 6 Tagen"},
        {-4 * DAY - 12 * HOUR, "The trial ends in 5 days", "Die Testversion endet in 5 Tagen"},
        {-DAY - 1, "The trial ends in 2 days", "Die Testversion endet in 2 Tagen"},
        {-DAY, "The trial ends today", "Die Testversion endet heute"},
        {-1, "The trial ends today", "Die Testversion endet heute"},
    };
    ui_screen_t s;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        screen_at(&s, UI_LANG_EN, E + rows[i].at, TRIAL, 0);
        assert_int_equal(s.kind, UI_SCREEN_HOME);
        assert_string_equal(s.banner_title, rows[i].en);
        assert_has(&s, "talk to your partner about buying it"); /* R14 */
        screen_at(&s, UI_LANG_DE, E + rows[i].at, TRIAL, 0);
        assert_string_equal(s.banner_title, rows[i].de);
        assert_has(&s, "sprechen Sie mit Ihrem Partner über den Kauf");
    }
}

/* R8: from E, "trial ended, N days left to buy; contact your partner", with
 * the singular on the last day of grace. */
static void test_grace_banner(void **state)
{
    (void)state;
    ui_screen_t s;
    screen_at(&s, UI_LANG_EN, E, TRIAL, 0);
    assert_string_equal(s.banner_title, "The trial has ended");
    assert_has(&s, "30 days left to buy: contact your partner.");
    assert_has(&s, "Calls and meetings still work");
    screen_at(&s, UI_LANG_EN, E + 12 * DAY + 6 * HOUR, TRIAL, 1);
    assert_has(&s, "18 days left to buy");
    screen_at(&s, UI_LANG_EN, E + 29 * DAY + 1, TRIAL, 0);
    assert_has(&s, "1 day left to buy");
    assert_hasnt(&s, "1 days");
    screen_at(&s, UI_LANG_DE, E + 29 * DAY + 1, TRIAL, 0);
    assert_string_equal(s.banner_title, "Die Testversion ist abgelaufen");
    assert_has(&s, "Noch 1 Tag zum Kaufen: Wenden Sie sich an Ihren Partner.");
    screen_at(&s, UI_LANG_DE, E + DAY, TRIAL, 0);
    assert_has(&s, "Noch 29 Tage zum Kaufen");
}

/* R10, R11 then R12, R13 while lapsed (the two take turns); from E + 45 d
 * only the return instructions. Numbers kept until E + 45 d, as a date in
 * the room's form. Emergency numbers always named. */
static void test_lapsed_and_released(void **state)
{
    (void)state;
    ui_screen_t s;
    screen_at(&s, UI_LANG_EN, E + 30 * DAY, TRIAL, 0);
    assert_int_equal(s.kind, UI_SCREEN_ENDED);
    assert_string_equal(s.title, "Services ended");
    assert_has(&s, "Emergency numbers still work.");
    assert_has(&s, "The phone numbers are kept until 29 January 2027.");
    screen_at(&s, UI_LANG_DE, E + 30 * DAY, TRIAL, 0);
    assert_string_equal(s.title, "Dienste beendet");
    assert_has(&s, "Notrufnummern funktionieren weiterhin.");
    assert_has(&s, "bis zum 29.01.2027 erhalten");
    screen_at(&s, UI_LANG_EN, E + 30 * DAY, TRIAL, 1);
    assert_int_equal(s.kind, UI_SCREEN_RETURN);
    for (unsigned page = 0; page < 3; page++) {
        screen_at(&s, UI_LANG_EN, E + 45 * DAY, TRIAL, page);
        assert_int_equal(s.kind, UI_SCREEN_RETURN);
    }
    screen_at(&s, UI_LANG_EN, E + 30 * DAY - 1, TRIAL, 1); /* still grace */
    assert_int_equal(s.kind, UI_SCREEN_HOME);
}

/* R12, R13: the steps, serial and trial number, the QR code of the return
 * URL with both as query parameters, and the button for new labels. */
static void test_return_instructions(void **state)
{
    (void)state;
    ui_screen_t s;
    screen_at(&s, UI_LANG_EN, E + 50 * DAY, TRIAL, 0);
    assert_string_equal(s.title, "Please return this device");
    assert_has(&s, "original shipping box");                    /* R12 */
    assert_has(&s, "return label");                             /* R12 */
    assert_has(&s, "carrier");                                  /* R12 */
    assert_has(&s, "your partner will have new labels sent");   /* R13 */
    assert_string_equal(s.action, "Request new return labels"); /* R13 */
    assert_string_equal(s.qr, "https://partner.example/rma?serial=FOC2240Y1ZZ&trial=D1000001");
    assert_string_equal(s.footer, "Serial FOC2240Y1ZZ · Trial D1000001");
    screen_at(&s, UI_LANG_DE, E + 50 * DAY, TRIAL, 0);
    assert_string_equal(s.title, "Bitte senden Sie dieses Gerät zurück");
    assert_has(&s, "originalen Versandkarton");
    assert_has(&s, "Retourenaufkleber");
    assert_has(&s, "Versanddienstleister");
    assert_string_equal(s.action, "Neue Retourenaufkleber anfordern");
    assert_string_equal(s.footer, "Seriennummer FOC2240Y1ZZ · Testversion D1000001");

    /* no URL provisioned: no QR code, the rest stays */
    ui_trial_info_t t = info_at(UI_LANG_EN, E + 50 * DAY, TRIAL);
    t.return_url = "";
    ui_screen_trial(&s, &t, 0);
    assert_string_equal(s.qr, "");
    assert_string_equal(s.qr_caption, "");
    assert_has(&s, "original shipping box");

    /* R13: once asked, the button gives way to the answer */
    t = info_at(UI_LANG_DE, E + 50 * DAY, TRIAL);
    t.labels_requested = true;
    t.labels_requested_at = E + 50 * DAY;
    ui_screen_trial(&s, &t, 0);
    assert_string_equal(s.action, "");
    assert_has(&s, "Neue Aufkleber am 03.02.2027 angefordert");
}

/* R3: a customer who keeps the devices never sees return instructions. */
static void test_keep_devices_never_shows_return(void **state)
{
    (void)state;
    const lic_t keep = {false, true};
    ui_screen_t s;
    for (int64_t at = 30 * DAY; at <= 60 * DAY; at += 5 * DAY) {
        for (unsigned page = 0; page < 2; page++) {
            screen_at(&s, UI_LANG_EN, E + at, keep, page);
            assert_int_equal(s.kind, UI_SCREEN_ENDED);
            assert_string_equal(s.qr, "");
            assert_hasnt(&s, "return");
        }
    }
}

/* R2, R3: paid shows no trial marks, and never the return instructions. */
static void test_paid_has_no_trial_marks(void **state)
{
    (void)state;
    const lic_t paid = {true, false};
    ui_screen_t s;
    for (int64_t at = -20 * DAY; at <= 60 * DAY; at += 10 * DAY) {
        screen_at(&s, UI_LANG_EN, E + at, paid, 1);
        assert_int_equal(s.kind, UI_SCREEN_HOME);
        assert_string_equal(s.banner_title, "");
        assert_hasnt(&s, "Trial");
        assert_hasnt(&s, "D1000001");
    }
}

/* Before a licence: calling is not possible yet, emergency calls are. */
static void test_no_licence_yet(void **state)
{
    (void)state;
    ui_trial_info_t t;
    memset(&t, 0, sizeof t);
    t.lang = UI_LANG_DE;
    t.serial = "FOC2240Y1ZZ";
    t.trial = "D1000001";
    ui_screen_t s;
    ui_screen_trial(&s, &t, 0);
    assert_int_equal(s.kind, UI_SCREEN_HOME);
    assert_string_equal(s.title, "Spark-Raumsystem"); /* no model provisioned */
    assert_has(&s, "noch nicht eingetroffen");
    assert_has(&s, "Notrufe funktionieren.");
}

/* 1. Setup / error: the reason, "emergency calls work", serial and trial. */
static void test_setup_screen(void **state)
{
    (void)state;
    ui_screen_t s;
    ui_screen_setup(&s, UI_LANG_EN, "FOC2240Y1ZZ", "D1000001", UI_SETUP_PROV_INVALID,
                    "trial: expected D followed by digits");
    assert_int_equal(s.kind, UI_SCREEN_SETUP);
    assert_string_equal(s.title, "Setup required");
    assert_has(&s, "setup data is damaged");
    assert_has(&s, "Emergency calls work.");
    assert_has(&s, "trial: expected D followed by digits");
    assert_string_equal(s.footer, "Serial FOC2240Y1ZZ · Trial D1000001");
    ui_screen_setup(&s, UI_LANG_DE, "", NULL, UI_SETUP_FLASH_UNREADABLE, NULL);
    assert_string_equal(s.title, "Einrichtung erforderlich");
    assert_has(&s, "kann seinen Speicher nicht lesen");
    assert_has(&s, "Notrufe funktionieren.");
    assert_string_equal(s.footer, "Seriennummer unbekannt");
}

/* 6. About: trial number, expiry, every service with its days left (R7),
 * firmware, last report, how to go back. */
static void test_about_screen(void **state)
{
    (void)state;
    ui_trial_info_t t = info_at(UI_LANG_EN, E - 20 * DAY - HOUR, TRIAL);
    t.last_report = E - 20 * DAY - 3 * HOUR;
    ui_screen_t s;
    ui_screen_about(&s, &t);
    assert_int_equal(s.kind, UI_SCREEN_ABOUT);
    assert_has(&s, "Trial number D1000001");
    assert_has(&s, "The trial ends on 15 December 2026.");
    assert_has(&s, "Calling: 21 days left (until 15 December 2026)");
    assert_has(&s, "Messaging: 11 days left (until 5 December 2026)");
    assert_has(&s, "Firmware 1.4.2");
    assert_has(&s, "Last report to the service: 24 November 2026, 21:00 UTC");
    assert_has(&s, "HOME goes back (or wait 60 seconds).");

    t = info_at(UI_LANG_DE, E + 2 * DAY, TRIAL);
    ui_screen_about(&s, &t);
    assert_has(&s, "Die Testversion ist am 15.12.2026 abgelaufen.");
    assert_has(&s, "Anrufe: am 15.12.2026 abgelaufen");
    assert_has(&s, "Noch kein Bericht beim Dienst angekommen.");

    t = info_at(UI_LANG_DE, E - 5 * DAY, TRIAL);
    t.svc[0].days_left = 1; /* singular */
    ui_screen_about(&s, &t);
    assert_has(&s, "Anrufe: noch 1 Tag (bis 15.12.2026)");
}

/* 4. R11: a blocked dial says calling is not available and emergency
 * numbers still work. */
static void test_call_blocked_notice(void **state)
{
    (void)state;
    ui_trial_info_t t = info_at(UI_LANG_EN, E + 35 * DAY, TRIAL);
    ui_screen_t s;
    ui_screen_call_blocked(&s, &t);
    assert_int_equal(s.kind, UI_SCREEN_NOTICE);
    assert_string_equal(s.title, "Calling is not available");
    assert_has(&s, "Emergency numbers still work.");
    t.lang = UI_LANG_DE;
    ui_screen_call_blocked(&s, &t);
    assert_string_equal(s.title, "Anrufe sind nicht verfügbar");
}

static void test_return_url(void **state)
{
    (void)state;
    char u[128];
    assert_int_equal(ui_return_url(u, sizeof u, "https://p.example/rma", "FOC1", "D1"), 0);
    assert_string_equal(u, "https://p.example/rma?serial=FOC1&trial=D1");
    assert_int_equal(ui_return_url(u, sizeof u, "https://p.example/r?lang=de", "FOC1", "D1"), 0);
    assert_string_equal(u, "https://p.example/r?lang=de&serial=FOC1&trial=D1");
    assert_int_equal(ui_return_url(u, sizeof u, "https://p.example/r?", "FOC1", "D1"), 0);
    assert_string_equal(u, "https://p.example/r?serial=FOC1&trial=D1");
    assert_int_equal(ui_return_url(u, sizeof u, "https://p.example/r#top", "FOC1", "D1"), 0);
    assert_string_equal(u, "https://p.example/r?serial=FOC1&trial=D1#top");
    assert_int_equal(ui_return_url(u, sizeof u, "https://p.example/r", "A B&", "D/1"), 0);
    assert_string_equal(u, "https://p.example/r?serial=A%20B%26&trial=D%2F1");
    assert_int_equal(ui_return_url(u, sizeof u, "", "FOC1", "D1"), FW_E_INVAL);
    assert_int_equal(ui_return_url(u, sizeof u, NULL, "FOC1", "D1"), FW_E_INVAL);
    assert_int_equal(ui_return_url(u, 20, "https://p.example/rma", "FOC1", "D1"), FW_E_NOSPACE);
    assert_string_equal(u, "");
}

/* Hostile lengths: text longer than a paragraph is cut on a character
 * boundary, never overflowed. */
static void test_long_text_is_cut_not_overflowed(void **state)
{
    (void)state;
    char longer[1000];
    for (size_t i = 0; i + 2 < sizeof longer; i += 2) {
        memcpy(longer + i, "\xC3\xA4", 2); /* ä */
    }
    longer[sizeof longer - 2] = '\0';
    ui_screen_t s;
    ui_screen_setup(&s, UI_LANG_DE, longer, longer, UI_SETUP_NOT_PROVISIONED, longer);
    for (int i = 0; i < s.n_paras; i++) {
        size_t n = strlen(s.paras[i].text);
        assert_true(n < UI_TEXT_MAX);
        assert_true(n == 0 || ((unsigned char)s.paras[i].text[n - 1] & 0xC0) == 0x80 ||
                    (unsigned char)s.paras[i].text[n - 1] < 0x80);
        assert_int_not_equal((unsigned char)s.paras[i].text[n - 1], 0xC3);
    }
    assert_true(strlen(s.footer) < UI_TEXT_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_before_expiring_no_banner),
        cmocka_unit_test(test_expiring_banner_counts_days_as_the_rules_say),
        cmocka_unit_test(test_grace_banner),
        cmocka_unit_test(test_lapsed_and_released),
        cmocka_unit_test(test_return_instructions),
        cmocka_unit_test(test_keep_devices_never_shows_return),
        cmocka_unit_test(test_paid_has_no_trial_marks),
        cmocka_unit_test(test_no_licence_yet),
        cmocka_unit_test(test_setup_screen),
        cmocka_unit_test(test_about_screen),
        cmocka_unit_test(test_call_blocked_notice),
        cmocka_unit_test(test_return_url),
        cmocka_unit_test(test_long_text_is_cut_not_overflowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
