/*
 * What a partner may ask of a trial (tools/collector/partner.c) and the
 * trial's own licence planned by fw_trial (licence_plan.c): R1 trial
 * numbers, R3 keep (US only), R4 extension and services, R5, R6 offers,
 * plans, add-ons and WebEx sites, R9. Pure: no database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fw/err.h"
#include "licence_plan.h"
#include "partner.h"

#define NOW INT64_C(1800000000)
#define DAY INT64_C(86400)

static char s_why[512];

/* A trial of Acme Inc (US) ending in 5 days, with calling to the end. */
static collector_trial_t trial_of(const char *region, int64_t exp)
{
    collector_trial_t t;
    memset(&t, 0, sizeof t);
    (void)snprintf(t.lic.trial, sizeof t.lic.trial, "D1000001");
    (void)snprintf(t.lic.org, sizeof t.lic.org, "Acme Inc");
    (void)snprintf(t.lic.region, sizeof t.lic.region, "%s", region);
    t.lic.trial_exp = exp;
    t.lic.seq = 1;
    t.lic.iat = NOW - DAY;
    t.lic.n_svc = 1;
    (void)snprintf(t.lic.svc[0].id, sizeof t.lic.svc[0].id, "calling");
    t.lic.svc[0].exp = exp;
    return t;
}

static int check(const collector_trial_t *t, const partner_act_t *a, partner_outcome_t *out)
{
    s_why[0] = '\0';
    return partner_act_check(t, a, NOW, out, s_why, sizeof s_why);
}

static void test_trial_numbers(void **state)
{
    (void)state;
    assert_int_equal(partner_check_trial_number("D1000001", s_why, sizeof s_why), 0);
    assert_int_equal(partner_check_trial_number("D1", s_why, sizeof s_why), 0);
    const char *bad[] = {"", "D", "d1000001", "X1000001", "D12X4", "D1234567890123456", " D1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(partner_check_trial_number(bad[i], s_why, sizeof s_why), FW_E_INVAL);
        assert_non_null(strstr(s_why, "(R1)"));
    }
}

static void test_site_urls(void **state)
{
    (void)state;
    const char *good[] = {"https://acme.webex.com", "https://acme.webex.com/",
                          "https://h:8443/a/b-c", "https://A-1.example"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(partner_check_site(good[i], s_why, sizeof s_why), 0);
    }
    char longer[160];
    (void)snprintf(longer, sizeof longer, "https://%0140d.com", 0);
    const char *bad[] = {"http://acme.webex.com",
                         "acme.webex.com",
                         "HTTPS://acme.webex.com",
                         "https://",
                         "https://-acme.com",
                         "https://a..b",
                         "https://a b.com",
                         "https://user@acme.com",
                         "https://h:0",
                         "https://h:99999",
                         "https://h:",
                         "https://h/a b",
                         "https://h/\"",
                         "https://h/\\",
                         longer};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(partner_check_site(bad[i], s_why, sizeof s_why), FW_E_INVAL);
        assert_non_null(strstr(s_why, "webex-site"));
    }
}

static void test_offers_plans_add_ons(void **state)
{
    (void)state;
    partner_offer_t o;
    assert_int_equal(partner_parse_offer("A-SPK", &o, s_why, sizeof s_why), 0);
    assert_int_equal(o, PARTNER_A_SPK);
    assert_int_equal(partner_parse_offer("a-wx", &o, s_why, sizeof s_why), 0);
    assert_int_equal(o, PARTNER_A_WX);
    assert_int_equal(partner_parse_offer("A-XYZ", &o, s_why, sizeof s_why), FW_E_INVAL);
    assert_non_null(strstr(s_why, "expected A-SPK or A-WX (R6)"));

    char plan[3];
    assert_int_equal(partner_parse_plan("m3", plan, s_why, sizeof s_why), 0);
    assert_string_equal(plan, "M3");
    assert_int_equal(partner_parse_plan("C1", plan, s_why, sizeof s_why), 0);
    const char *bad[] = {"", "M", "M0", "M4", "X1", "M33", "3M"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(partner_parse_plan(bad[i], plan, s_why, sizeof s_why), FW_E_INVAL);
    }

    unsigned bits = 0;
    assert_int_equal(partner_parse_add_on("WebEx Training Center 200", &bits, s_why, sizeof s_why),
                     0);
    assert_int_equal(partner_parse_add_on("room-system", &bits, s_why, sizeof s_why), 0);
    assert_int_equal(partner_parse_add_on("webex event center 1000", &bits, s_why, sizeof s_why),
                     0);
    assert_int_equal(partner_parse_add_on("WebEx Meeting Center", &bits, s_why, sizeof s_why),
                     FW_E_INVAL);
    char names[PARTNER_ADD_ONS_MAX + 1];
    partner_add_on_names(bits, names, sizeof names);
    assert_string_equal(names,
                        "Spark Room System, WebEx Training Center 200, WebEx Event Center 1000");
    assert_true(partner_has_webex_part("M3", 0));
    assert_true(partner_has_webex_part("C3", 0));
    assert_true(partner_has_webex_part("M1", PARTNER_ADDON_EVENT_CENTER));
    assert_false(partner_has_webex_part("C2", PARTNER_ADDON_ROOM_SYSTEM));
}

static void test_keep_us_only(void **state)
{
    (void)state;
    static partner_outcome_t out;
    partner_act_t a = {.kind = PARTNER_KEEP};
    collector_trial_t de = trial_of("DE", NOW + 5 * DAY);
    assert_int_equal(check(&de, &a, &out), FW_E_STATE);
    assert_non_null(strstr(s_why, "R3: only US customers may keep the devices"));
    assert_non_null(strstr(s_why, "is in DE"));

    collector_trial_t us = trial_of("US", NOW + 5 * DAY);
    assert_int_equal(check(&us, &a, &out), 0);
    assert_true(out.ch.keep);
    assert_false(out.noop);
    us.lic.keep = true;
    assert_int_equal(check(&us, &a, &out), 0);
    assert_true(out.noop);
}

static void test_add_service(void **state)
{
    (void)state;
    static partner_outcome_t out;
    collector_trial_t t = trial_of("US", NOW + 5 * DAY);
    partner_act_t a = {.kind = PARTNER_ADD_SERVICE, .service = "training-center"};
    a.until = NOW - 1;
    assert_int_equal(check(&t, &a, &out), FW_E_INVAL);
    assert_non_null(strstr(s_why, "not in the future"));
    a.until = NOW + 6 * DAY;
    assert_int_equal(check(&t, &a, &out), FW_E_STATE);
    assert_non_null(strstr(s_why, "after the trial's end"));
    a.until = NOW + 5 * DAY;
    assert_int_equal(check(&t, &a, &out), 0);
    assert_int_equal(out.ch.n_add, 1);
    assert_string_equal(out.ch.add[0].id, "training-center");
    (void)snprintf(a.service, sizeof a.service, "Training Center");
    assert_int_equal(check(&t, &a, &out), FW_E_INVAL);
}

static int convert(collector_trial_t *t, partner_offer_t offer, const char *plan, unsigned add_ons,
                   const char *site, partner_outcome_t *out)
{
    partner_act_t a = {
        .kind = PARTNER_CONVERT, .offer = offer, .add_ons = add_ons, .webex_site = site};
    (void)snprintf(a.plan, sizeof a.plan, "%s", plan);
    return check(t, &a, out);
}

static void test_convert_a_spk(void **state)
{
    (void)state;
    static partner_outcome_t out;
    collector_trial_t t = trial_of("US", NOW + 5 * DAY);
    /* M3/C3 must name the trial's WebEx site (R6). */
    assert_int_equal(convert(&t, PARTNER_A_SPK, "M3", 0, NULL, &out), FW_E_STATE);
    assert_non_null(strstr(s_why, "R6: M3 under A-SPK must name the trial's WebEx site URL"));
    assert_int_equal(convert(&t, PARTNER_A_SPK, "C3", 0, "https://acme.webex.com", &out), 0);
    assert_string_equal(out.site, "https://acme.webex.com");
    assert_string_equal(out.after.webex_site, "https://acme.webex.com"); /* now known */
    assert_string_equal(out.offer, "A-SPK C3");
    assert_true(out.ch.paid);
    assert_string_equal(out.ch.offer, "A-SPK C3");
    assert_false(out.after.new_site);
    assert_int_equal(out.after.converted_at, NOW);
    assert_non_null(strstr(out.note, "converts fully (R6)"));
    assert_non_null(strstr(out.note, "(R3)"));
    /* With the trial's site known, another is refused; leaving it out is not. */
    (void)snprintf(t.webex_site, sizeof t.webex_site, "https://acme.webex.com");
    assert_int_equal(convert(&t, PARTNER_A_SPK, "M3", 0, "https://other.webex.com", &out),
                     FW_E_STATE);
    assert_non_null(strstr(s_why, "is not the trial's WebEx site (https://acme.webex.com)"));
    assert_int_equal(convert(&t, PARTNER_A_SPK, "M3", 0, NULL, &out), 0);
    assert_string_equal(out.site, "https://acme.webex.com");
    /* No WebEx part: no site on the paid licence. */
    assert_int_equal(convert(&t, PARTNER_A_SPK, "M1", PARTNER_ADDON_ROOM_SYSTEM, NULL, &out), 0);
    assert_string_equal(out.site, "");
    assert_string_equal(out.after.add_ons, "Spark Room System");
    /* A WebEx add-on: the trial's site converts with it. */
    assert_int_equal(convert(&t, PARTNER_A_SPK, "M1", PARTNER_ADDON_TRAINING_CENTER, NULL, &out),
                     0);
    assert_string_equal(out.site, "https://acme.webex.com");
    assert_int_equal(convert(&t, PARTNER_A_SPK, "M3", 0, "http://acme.webex.com", &out),
                     FW_E_INVAL);
}

static void test_convert_a_wx(void **state)
{
    (void)state;
    static partner_outcome_t out;
    collector_trial_t t = trial_of("DE", NOW + 5 * DAY);
    (void)snprintf(t.webex_site, sizeof t.webex_site, "https://acme.webex.com");
    assert_int_equal(convert(&t, PARTNER_A_WX, "C3", 0, NULL, &out), FW_E_STATE);
    assert_non_null(strstr(s_why, "the WebEx part gets a new site: name its URL"));
    assert_int_equal(convert(&t, PARTNER_A_WX, "C3", 0, "https://ACME.webex.com", &out),
                     FW_E_STATE);
    assert_non_null(strstr(s_why, "cannot be used for the new site"));
    assert_int_equal(convert(&t, PARTNER_A_WX, "C3", 0, "https://acme-new.webex.com", &out), 0);
    assert_true(out.after.new_site);
    assert_string_equal(out.site, "https://acme-new.webex.com");
    assert_string_equal(out.after.webex_site, "https://acme.webex.com"); /* the trial's, kept */
    assert_string_equal(out.offer, "A-WX C3");
    assert_non_null(strstr(out.note, "gets a NEW site, https://acme-new.webex.com (R6)"));
    assert_non_null(strstr(out.note, "of the trial site https://acme.webex.com are not carried"));
    /* No WebEx part: nothing gets a site, and naming one is a mistake. */
    assert_int_equal(convert(&t, PARTNER_A_WX, "M2", 0, NULL, &out), 0);
    assert_string_equal(out.site, "");
    assert_false(out.after.new_site);
    assert_int_equal(convert(&t, PARTNER_A_WX, "M2", 0, "https://new.webex.com", &out), FW_E_STATE);
}

/* A paid trial takes no trial change; a lapsed one is left to the planner,
 * whose refusal is the device's (R9). */
static void test_paid_and_lapsed(void **state)
{
    (void)state;
    static partner_outcome_t out;
    collector_trial_t t = trial_of("US", NOW + 5 * DAY);
    t.lic.paid = true;
    (void)snprintf(t.offer, sizeof t.offer, "A-SPK");
    (void)snprintf(t.plan, sizeof t.plan, "M1");
    partner_act_t ext = {.kind = PARTNER_EXTEND};
    assert_int_equal(check(&t, &ext, &out), FW_E_STATE);
    assert_non_null(strstr(s_why, "was converted to paid (A-SPK M1"));
    assert_int_equal(convert(&t, PARTNER_A_SPK, "M1", 0, NULL, &out), FW_E_STATE);

    collector_trial_t lapsed = trial_of("US", NOW - 31 * DAY);
    assert_int_equal(convert(&lapsed, PARTNER_A_SPK, "M3", 0, NULL, &out), 0); /* no R6 first */
    collector_licence_t next;
    assert_int_equal(collector_trial_plan(&lapsed.lic, &out.ch, NOW, &next, s_why, sizeof s_why),
                     FW_E_STATE);
    assert_non_null(strstr(s_why, "trial lapsed: final (R9)"));
    /* in grace a conversion goes through (R8) */
    collector_trial_t grace = trial_of("US", NOW - 29 * DAY);
    assert_int_equal(convert(&grace, PARTNER_A_SPK, "M1", 0, NULL, &out), 0);
    assert_int_equal(collector_trial_plan(&grace.lic, &out.ch, NOW, &next, s_why, sizeof s_why), 0);
    assert_true(next.paid);
    assert_string_equal(next.offer, "A-SPK M1");
    assert_int_equal(next.seq, 2);
}

/* The trial's own licence: one extension (R4), never a trial after paid
 * (R5), its state by the device's timeline. */
static void test_trial_licence(void **state)
{
    (void)state;
    static partner_outcome_t out;
    collector_trial_t t = trial_of("US", NOW + 5 * DAY);
    partner_act_t ext = {.kind = PARTNER_EXTEND};
    assert_int_equal(check(&t, &ext, &out), 0);
    collector_licence_t once, twice;
    assert_int_equal(collector_trial_plan(&t.lic, &out.ch, NOW, &once, s_why, sizeof s_why), 0);
    assert_int_equal(once.trial_exp, NOW + 35 * DAY);
    assert_int_equal(once.svc[0].exp, NOW + 35 * DAY); /* ran to E: runs to the new E */
    assert_int_equal(once.ext, 1);
    assert_int_equal(collector_trial_plan(&once, &out.ch, NOW, &twice, s_why, sizeof s_why),
                     FW_E_STATE);
    assert_non_null(strstr(s_why, "extension count (R4)"));

    trial_view_t v;
    assert_int_equal(collector_licence_view(&t.lic, NOW, NULL, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_EXPIRING);
    assert_int_equal(v.days_left, 5);
    assert_int_equal(collector_licence_view(&once, NOW, NULL, &v), 0);
    assert_int_equal(v.state, TRIAL_STATE_TRIAL);
    assert_int_equal(v.days_left, 35);

    collector_licence_t paid = t.lic;
    paid.paid = true;
    cdb_licence_change_t again = {.set_exp = true, .trial_exp = NOW + 30 * DAY};
    assert_int_equal(collector_trial_plan(&paid, &again, NOW, &twice, s_why, sizeof s_why),
                     FW_E_STATE);
    assert_non_null(strstr(s_why, "(R5)"));
}

/* A paid licence names its offer and site in the claims a device parses. */
static void test_claims_offer_site(void **state)
{
    (void)state;
    collector_licence_t l = trial_of("US", NOW + 5 * DAY).lic;
    (void)snprintf(l.serial, sizeof l.serial, "FOC0000A001");
    l.paid = true;
    (void)snprintf(l.offer, sizeof l.offer, "A-WX C3");
    (void)snprintf(l.site, sizeof l.site, "https://acme-new.webex.com");
    char json[4096];
    assert_true(collector_build_claims(&l, json, sizeof json) > 0);
    assert_non_null(strstr(json, "\"offer\":\"A-WX C3\",\"site\":\"https://acme-new.webex.com\""));
    (void)snprintf(l.site, sizeof l.site, "https://a\"b");
    assert_int_equal(collector_build_claims(&l, json, sizeof json), FW_E_INVAL);
    l.site[0] = '\0';
    l.offer[0] = '\0';
    assert_true(collector_build_claims(&l, json, sizeof json) > 0);
    assert_null(strstr(json, "offer"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trial_numbers),        cmocka_unit_test(test_site_urls),
        cmocka_unit_test(test_offers_plans_add_ons), cmocka_unit_test(test_keep_us_only),
        cmocka_unit_test(test_add_service),          cmocka_unit_test(test_convert_a_spk),
        cmocka_unit_test(test_convert_a_wx),         cmocka_unit_test(test_paid_and_lapsed),
        cmocka_unit_test(test_trial_licence),        cmocka_unit_test(test_claims_offer_site),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
