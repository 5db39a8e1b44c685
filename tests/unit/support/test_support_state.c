/*
 * test_support_state.c - what support sees (support/state.h) and the state
 * document's one writer and reader (proto/support.h): the verdict of the
 * trial engine at each stage of the timeline (R7-R11) as the document says
 * it, null where a member does not apply, the device's own calling mode and
 * time source, a hostile log line made printable, and the reader's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "../trial/trial_fixture.h"
#include "fw/err.h"
#include "proto/support.h"
#include "support/state.h"
#include "trial/timeline.h"

static proto_support_state_t s_doc, s_back;
static char s_buf[PROTO_BODY_MAX];
static size_t s_len;

/* The document as JSON (asserting the encoder takes it), parsed. */
static cJSON *json_of(const proto_record_t *r, const proto_support_state_t *d)
{
    char why[160] = "";
    int rc = proto_support_encode(r, d, s_buf, sizeof s_buf, &s_len, why, sizeof why);
    if (rc != 0) {
        fail_msg("encode: %s", why);
    }
    cJSON *j = cJSON_ParseWithLength(s_buf, s_len);
    assert_non_null(j);
    return j;
}

static const cJSON *member(const cJSON *j, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, name);
    if (m == NULL) {
        fail_msg("no member %s", name);
    }
    return m;
}

static void assert_str(const cJSON *j, const char *name, const char *want)
{
    const cJSON *m = member(j, name);
    assert_true(cJSON_IsString(m));
    assert_string_equal(m->valuestring, want);
}

static void assert_num(const cJSON *j, const char *name, double want)
{
    const cJSON *m = member(j, name);
    assert_true(cJSON_IsNumber(m));
    assert_true(m->valuedouble == want);
}

static void assert_null_member(const cJSON *j, const char *name)
{
    assert_true(cJSON_IsNull(member(j, name)));
}

/* Encoding then decoding gives back the same document. */
static void assert_round_trip(const proto_record_t *r, const proto_support_state_t *d)
{
    char why[160] = "";
    assert_int_equal(proto_support_encode(r, d, s_buf, sizeof s_buf, &s_len, why, sizeof why), 0);
    if (proto_support_decode(r, s_buf, s_len, &s_back, why, sizeof why) != 0) {
        fail_msg("decode: %s", why);
    }
    assert_memory_equal(&s_back, d, sizeof *d);
}

static support_facts_t facts(const trial_claims_t *c, const trial_view_t *v, int64_t now)
{
    support_facts_t f;
    memset(&f, 0, sizeof f);
    f.serial = FX_SERIAL;
    f.model = "Spark Room Kit";
    f.trial = FX_TRIAL;
    f.region = "DE";
    f.fw_version = "0.1.0";
    f.claims = c;
    f.view = v;
    f.calling_full = v != NULL && v->calling == TRIAL_CALLING_FULL;
    f.now = now;
    f.confirmed = now;
    f.time_source = SUPPORT_TIME_COLLECTOR;
    f.last_report = now - HOUR;
    f.queue_depth = 3;
    return f;
}

/* A device with no licence yet: every licence member null, calling
 * degraded, the provisioned region. */
static void test_no_licence(void **state)
{
    (void)state;
    support_facts_t f = facts(NULL, NULL, FX_E);
    f.confirmed = 0; /* a fresh device: never learnt the time */
    f.time_source = SUPPORT_TIME_COLLECTOR;
    f.last_report = 0;
    support_state_build(&f, &s_doc);
    cJSON *j = json_of(&proto_support_state_record, &s_doc);
    assert_true(cJSON_IsFalse(member(j, "valid")));
    assert_str(j, "state", "none");
    assert_str(j, "calling", "degraded");
    assert_str(j, "region", "DE");
    assert_str(j, "serial", FX_SERIAL);
    assert_str(j, "trial", FX_TRIAL);
    assert_str(j, "at", "2026-12-15T00:00:00Z");
    static const char *const nulls[] = {"org",
                                        "type",
                                        "seq",
                                        "issued",
                                        "expiry",
                                        "days_left",
                                        "grace_days_left",
                                        "ext",
                                        "numbers_held_until",
                                        "confirmed",
                                        "last_report",
                                        "last_error",
                                        "last_error_at"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
        assert_null_member(j, nulls[i]);
    }
    assert_str(j, "time_source", "unknown"); /* whatever the glue says: it never learnt */
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "offer")); /* left out when none */
    assert_int_equal(cJSON_GetArraySize(member(j, "services")), 0);
    cJSON_Delete(j);
    assert_round_trip(&proto_support_state_record, &s_doc);
}

/* The timeline as the document says it: expiring (R7), grace (R8), lapsed
 * with the numbers held (R11), released. */
static void test_timeline(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(3, FX_IAT, FX_E, 1);
    strcpy(c.region, "DE");
    trial_view_t v;
    struct {
        int64_t at;
        const char *state, *calling;
        double days, grace;
        bool rma;
    } steps[] = {
        {FX_E - 5 * DAY, "expiring", "full", 5, 35, false},
        {FX_E + 2 * DAY, "grace", "full", 0, 28, false},
        {FX_E + 31 * DAY, "lapsed", "degraded", 0, 0, true},
        {FX_E + 46 * DAY, "released", "degraded", 0, 0, true},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        assert_int_equal(trial_state_at(&c, NULL, steps[i].at, &v), 0);
        support_facts_t f = facts(&c, &v, steps[i].at);
        support_state_build(&f, &s_doc);
        cJSON *j = json_of(&proto_support_state_record, &s_doc);
        assert_true(cJSON_IsTrue(member(j, "valid")));
        assert_str(j, "state", steps[i].state);
        assert_str(j, "calling", steps[i].calling);
        assert_num(j, "days_left", steps[i].days);
        assert_num(j, "grace_days_left", steps[i].grace);
        assert_true(cJSON_IsBool(member(j, "rma")) &&
                    cJSON_IsTrue(member(j, "rma")) == steps[i].rma);
        assert_str(j, "type", "trial");
        assert_num(j, "seq", 3);
        assert_num(j, "ext", 1);
        assert_str(j, "org", "org-example");
        assert_str(j, "issued", "2026-10-16T00:00:00Z");
        assert_str(j, "expiry", "2026-12-15T00:00:00Z");
        assert_str(j, "model", "Spark Room Kit");
        assert_str(j, "time_source", "collector");
        assert_num(j, "queue_depth", 3);
        const cJSON *svc = member(j, "services");
        assert_int_equal(cJSON_GetArraySize(svc), 2);
        assert_str(cJSON_GetArrayItem(svc, 0), "id", "calling");
        assert_str(cJSON_GetArrayItem(svc, 0), "expiry", "2026-12-15T00:00:00Z");
        if (strcmp(steps[i].state, "lapsed") == 0) {
            assert_str(j, "numbers_held_until", "2027-01-29T00:00:00Z"); /* E + 45 d */
            assert_true(cJSON_IsTrue(member(cJSON_GetArrayItem(svc, 1), "expired")));
        } else {
            assert_null_member(j, "numbers_held_until");
        }
        cJSON_Delete(j);
        assert_round_trip(&proto_support_state_record, &s_doc);
    }
}

/* A paid licence has no expiry: null, not 0 (trialctl licence has always
 * said so); the offer is there. */
static void test_paid(void **state)
{
    (void)state;
    trial_claims_t c = fx_paid(4, FX_E);
    trial_view_t v;
    assert_int_equal(trial_state_at(&c, NULL, FX_E + DAY, &v), 0);
    support_licence_view(&c, &v, FX_E + DAY, &s_doc);
    cJSON *j = json_of(&proto_licence_view_record, &s_doc);
    assert_str(j, "state", "paid");
    assert_str(j, "type", "paid");
    assert_str(j, "offer", "M2");
    assert_null_member(j, "expiry");
    assert_null_member(j, "days_left");
    assert_null_member(j, "grace_days_left");
    /* the licence view is the licence's: none of the device's members */
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "model"));
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "queue_depth"));
    assert_num(j, "seq", 4);
    assert_num(cJSON_GetArrayItem(member(j, "services"), 0), "days_left", 364); /* R7 */
    cJSON_Delete(j);
    assert_round_trip(&proto_licence_view_record, &s_doc);
}

/* What the device applies wins over what the licence alone would say (a
 * full store degrades calling, docs/EMERGENCY.md); how it knows the time. */
static void test_device_facts(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trial_view_t v;
    assert_int_equal(trial_state_at(&c, NULL, FX_E - 20 * DAY, &v), 0);
    support_facts_t f = facts(&c, &v, FX_E - 20 * DAY);
    f.calling_full = false;
    support_state_build(&f, &s_doc);
    assert_string_equal(s_doc.calling, "degraded");
    assert_string_equal(s_doc.state, "trial");

    assert_int_equal(support_time_source(true, true, true), SUPPORT_TIME_COLLECTOR);
    assert_int_equal(support_time_source(false, true, true), SUPPORT_TIME_LICENCE);
    assert_int_equal(support_time_source(false, false, true), SUPPORT_TIME_WALL_CLOCK);
    assert_int_equal(support_time_source(false, false, false), SUPPORT_TIME_STORED);
    for (int s = 0; s <= SUPPORT_TIME_UNKNOWN; s++) {
        char why[160];
        assert_int_equal(proto_check_time_source(support_time_source_name(s), why, sizeof why), 0);
    }
    f.time_source = SUPPORT_TIME_LICENCE;
    f.confirmed = FX_E - 20 * DAY - 300; /* a wall clock ahead: shown and confirmed differ */
    support_state_build(&f, &s_doc);
    assert_string_equal(s_doc.time_source, "licence");
    assert_string_equal(s_doc.confirmed, "2026-11-24T23:55:00Z");
    assert_string_equal(s_doc.at, "2026-11-25T00:00:00Z");
}

/* A log line is not trusted: control bytes and UTF-8 become '?', and it is
 * cut to the document's bound. */
static void test_last_error_printable(void **state)
{
    (void)state;
    char line[400];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    memcpy(line, "link: \"\xc3\xa4\"\n\t", 12);
    support_facts_t f = facts(NULL, NULL, FX_E);
    f.last_error = line;
    f.last_error_at = FX_E - 60;
    support_state_build(&f, &s_doc);
    assert_int_equal(strlen(s_doc.last_error), PROTO_PROBLEM_MAX);
    assert_memory_equal(s_doc.last_error, "link: \"??\"??", 12);
    assert_string_equal(s_doc.last_error_at, "2026-12-14T23:59:00Z");
    assert_round_trip(&proto_support_state_record, &s_doc);
}

/* The reader refuses what a room of ours never sends, naming the member. */
static void test_reader_refuses(void **state)
{
    (void)state;
    trial_claims_t c = fx_trial(1, FX_IAT, FX_E, 0);
    trial_view_t v;
    assert_int_equal(trial_state_at(&c, NULL, FX_E - DAY, &v), 0);
    support_facts_t f = facts(&c, &v, FX_E - DAY);
    support_state_build(&f, &s_doc);
    cJSON *good = json_of(&proto_support_state_record, &s_doc);
    struct {
        const char *member, *value, *why;
    } cases[] = {
        {"at", "\"2026-13-01T00:00:00Z\"", "at: expected an instant"},
        {"at", "\"2026-12-01T00:00:00+01:00\"", "at: expected"},
        {"at", "null", "at: expected a string"},
        {"state", "\"bogus\"", "state: expected trial|expiring"},
        {"calling", "\"full \"", "calling: expected"},
        {"days_left", "-1", "days_left: expected an integer from 0"},
        {"days_left", "1.5", "days_left: expected an integer"},
        {"time_source", "\"gps\"", "time_source: expected"},
        {"services", "{}", "services: expected an array"},
        {"queue_depth", "null", "queue_depth: expected an integer"},
    };
    char why[200];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *j = cJSON_Duplicate(good, 1);
        cJSON_ReplaceItemInObjectCaseSensitive(j, cases[i].member, cJSON_Parse(cases[i].value));
        char *text = cJSON_PrintUnformatted(j);
        int rc = proto_support_decode(&proto_support_state_record, text, strlen(text), &s_back, why,
                                      sizeof why);
        if (rc != FW_E_FORMAT || strstr(why, cases[i].why) == NULL) {
            fail_msg("%s = %s: rc %d, '%s'", cases[i].member, cases[i].value, rc, why);
        }
        cJSON_free(text);
        cJSON_Delete(j);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(good, "services");
    char *text = cJSON_PrintUnformatted(good);
    assert_int_equal(proto_support_decode(&proto_support_state_record, text, strlen(text), &s_back,
                                          why, sizeof why),
                     FW_E_FORMAT);
    assert_string_equal(why, "services: missing");
    cJSON_free(text);
    cJSON_Delete(good);
    /* the writer refuses a document it could not read back */
    support_state_build(&f, &s_doc);
    strcpy(s_doc.state, "bogus");
    assert_int_equal(proto_support_encode(&proto_support_state_record, &s_doc, s_buf, sizeof s_buf,
                                          &s_len, why, sizeof why),
                     FW_E_INVAL);
    assert_non_null(strstr(why, "state: expected"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_licence),
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_paid),
        cmocka_unit_test(test_device_facts),
        cmocka_unit_test(test_last_error_printable),
        cmocka_unit_test(test_reader_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
