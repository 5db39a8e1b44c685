/*
 * Claims parsing: every claim's type and range (issue 4's claims table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fw/err.h"
#include "trial/claims.h"

#define GOOD_HEAD "{\"sub\":\"FOC2240Y1ZZ\",\"trial\":\"D1000001\",\"org\":\"org-example\","
#define GOOD_TAIL "\"region\":\"US\",\"svc\":[{\"id\":\"calling\",\"exp\":1797292800}]}"
#define TRIAL_MID "\"typ\":\"trial\",\"seq\":1,\"iat\":1792108800,\"trial_exp\":1797292800,"

static int parse(const char *json, trial_claims_t *c)
{
    return trial_claims_parse(json, strlen(json), c, NULL);
}

static void test_vector_payloads(void **state)
{
    (void)state;
    static const char trial[] =
        "{\"sub\":\"FOC2240Y1ZZ\",\"trial\":\"D1000001\",\"org\":\"org-example\",\"typ\":"
        "\"trial\",\"seq\":1,\"iat\":1792108800,\"trial_exp\":1797292800,\"ext\":0,\"keep\":"
        "false,\"region\":\"US\",\"svc\":[{\"id\":\"calling\",\"exp\":1797292800},{\"id\":"
        "\"meetings\",\"exp\":1797292800}]}";
    trial_claims_t c;
    assert_int_equal(parse(trial, &c), 0);
    assert_string_equal(c.sub, "FOC2240Y1ZZ");
    assert_string_equal(c.trial, "D1000001");
    assert_string_equal(c.org, "org-example");
    assert_int_equal(c.typ, TRIAL_TYPE_TRIAL);
    assert_int_equal(c.seq, 1);
    assert_int_equal(c.iat, 1792108800);
    assert_true(c.has_trial_exp);
    assert_int_equal(c.trial_exp, 1797292800);
    assert_int_equal(c.ext, 0);
    assert_false(c.keep);
    assert_string_equal(c.region, "US");
    assert_int_equal(c.n_svc, 2);
    assert_string_equal(c.svc[1].id, "meetings");
    assert_int_equal(c.svc[1].exp, 1797292800);

    static const char paid[] =
        "{\"sub\":\"FOC2240Y1ZZ\",\"trial\":\"D1000001\",\"org\":\"org-example\",\"typ\":"
        "\"paid\",\"seq\":2,\"iat\":1797552000,\"ext\":0,\"keep\":true,\"region\":\"US\","
        "\"svc\":[],\"offer\":\"M2\",\"site\":\"https://example.webex.com\",\"extra\":[1]}  \n";
    assert_int_equal(parse(paid, &c), 0);
    assert_int_equal(c.typ, TRIAL_TYPE_PAID);
    assert_false(c.has_trial_exp);
    assert_true(c.keep);
    assert_int_equal(c.n_svc, 0);
    assert_string_equal(c.offer, "M2");
    assert_string_equal(c.site, "https://example.webex.com");

    /* ext and keep may be left out: 0 and false. */
    assert_int_equal(parse(GOOD_HEAD TRIAL_MID GOOD_TAIL, &c), 0);
    assert_int_equal(c.ext, 0);
    assert_false(c.keep);
}

typedef struct {
    const char *json;
    int rc;
} bad_t;

static void test_bad_claims(void **state)
{
    (void)state;
    /* clang-format off */
    static const bad_t bad[] = {
        {"", FW_E_FORMAT},
        {"[]", FW_E_FORMAT},
        {"{", FW_E_FORMAT},
        {"{} x", FW_E_FORMAT},
        {"\"str\"", FW_E_FORMAT},
        {"{}", FW_E_INVAL},
        /* sub */
        {"{\"trial\":\"D1\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        {"{\"sub\":5,\"trial\":\"D1\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        {"{\"sub\":\"\",\"trial\":\"D1\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        {"{\"sub\":\"A\\nB\",\"trial\":\"D1\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        {"{\"sub\":\"FOC\\u0000X\",\"trial\":\"D1\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_FORMAT},
        {"{\"sub\":\"123456789012345678901234567890123\",\"trial\":\"D1\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        /* trial (R1) */
        {"{\"sub\":\"S\",\"trial\":\"1000001\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        {"{\"sub\":\"S\",\"trial\":\"D\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        {"{\"sub\":\"S\",\"trial\":\"D10a\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        {"{\"sub\":\"S\",\"trial\":\"d100\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        {"{\"sub\":\"S\",\"trial\":\"D1234567890123456\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        /* org */
        {"{\"sub\":\"S\",\"trial\":\"D1\"," TRIAL_MID GOOD_TAIL, FW_E_INVAL},
        /* typ, seq, iat, trial_exp, ext, keep */
        {GOOD_HEAD "\"typ\":\"free\",\"seq\":1,\"iat\":1,\"trial_exp\":2," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":0,\"iat\":1,\"trial_exp\":2," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":1.5,\"iat\":1,\"trial_exp\":2," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":\"1\",\"iat\":1,\"trial_exp\":2," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":4294967296,\"iat\":1,\"trial_exp\":2," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":1,\"iat\":-1,\"trial_exp\":2," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":1,\"iat\":1e300,\"trial_exp\":2," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":1,\"trial_exp\":2," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":1,\"iat\":1," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":1,\"iat\":1,\"trial_exp\":253402300800," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"ext\":2," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"ext\":-1," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"ext\":true," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"keep\":1," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"seq\":2," GOOD_TAIL, FW_E_INVAL}, /* duplicate claim */
        /* region */
        {GOOD_HEAD TRIAL_MID "\"region\":\"us\",\"svc\":[]}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"USA\",\"svc\":[]}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"U\",\"svc\":[]}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"svc\":[]}", FW_E_INVAL},
        /* svc */
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\"}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":{}}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[1]}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[{\"id\":\"x\"}]}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[{\"exp\":1}]}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[{\"id\":\"Call ing\",\"exp\":1}]}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[{\"id\":\"a\",\"exp\":1.5}]}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[{\"id\":\"a\",\"exp\":1,\"id\":\"b\"}]}", FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[{\"id\":\"a\",\"exp\":1},{\"id\":\"a\",\"exp\":2}]}", FW_E_INVAL},
        /* offer, site */
        {GOOD_HEAD TRIAL_MID "\"offer\":7," GOOD_TAIL, FW_E_INVAL},
        {GOOD_HEAD TRIAL_MID "\"site\":\"\"," GOOD_TAIL, FW_E_INVAL},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        trial_claims_t c;
        const char *why = NULL;
        int rc = trial_claims_parse(bad[i].json, strlen(bad[i].json), &c, &why);
        if (rc != bad[i].rc) {
            print_error("case %zu: got %d (%s), want %d: %s\n", i, rc, why, bad[i].rc, bad[i].json);
        }
        assert_int_equal(rc, bad[i].rc);
        assert_non_null(why);
    }
}

static void test_svc_bound(void **state)
{
    (void)state;
    char json[2048];
    int n = snprintf(json, sizeof json, GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[");
    for (unsigned i = 0; i < TRIAL_SVC_MAX + 1; i++) {
        n += snprintf(json + n, sizeof json - (size_t)n, "%s{\"id\":\"s%u\",\"exp\":1}",
                      i ? "," : "", i);
    }
    snprintf(json + n, sizeof json - (size_t)n, "]}");
    trial_claims_t c;
    assert_int_equal(parse(json, &c), FW_E_INVAL); /* 17 services */
    /* 16 is fine */
    char *cut = strstr(json, ",{\"id\":\"s16\"");
    assert_non_null(cut);
    strcpy(cut, "]}");
    assert_int_equal(parse(json, &c), 0);
    assert_int_equal(c.n_svc, TRIAL_SVC_MAX);
}

static void test_size_and_args(void **state)
{
    (void)state;
    static char big[TRIAL_PAYLOAD_MAX + 2];
    memset(big, ' ', sizeof big - 1);
    big[0] = '{';
    big[sizeof big - 2] = '}';
    trial_claims_t c;
    assert_int_equal(trial_claims_parse(big, sizeof big - 1, &c, NULL), FW_E_TOOBIG);
    assert_int_equal(trial_claims_parse(NULL, 0, &c, NULL), FW_E_FORMAT);
    assert_int_equal(trial_claims_parse("{}", 2, NULL, NULL), FW_E_INVAL);
    /* Not NUL-terminated: only `len` bytes are read. */
    static const char json[] = GOOD_HEAD TRIAL_MID GOOD_TAIL "garbage";
    assert_int_equal(trial_claims_parse(json, sizeof json - 1 - 7, &c, NULL), 0);
    assert_true(trial_number_is_valid("D1"));
    assert_true(trial_number_is_valid("D123456789012345"));
    assert_false(trial_number_is_valid("D1234567890123456"));
    assert_false(trial_number_is_valid(NULL));
}

/* Each refusal names the claim first and says what it must be (trialctl
 * shows it: "claims: seq must be \u2265 1"). */
static void test_refusal_names_the_claim(void **state)
{
    (void)state;
    /* clang-format off */
    static const struct {
        const char *json;
        const char *why;
    } cases[] = {
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":0,\"iat\":1,\"trial_exp\":2," GOOD_TAIL, "seq must be \u2265 1"},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":4294967296,\"iat\":1,\"trial_exp\":2," GOOD_TAIL, "seq must be \u2264 4294967295"},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":1.5,\"iat\":1,\"trial_exp\":2," GOOD_TAIL, "seq must be a whole number"},
        {GOOD_HEAD "\"typ\":\"trial\",\"iat\":1,\"trial_exp\":2," GOOD_TAIL, "seq must be a whole number"},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":1,\"iat\":-1,\"trial_exp\":2," GOOD_TAIL, "iat must be \u2265 0 (1970)"},
        {GOOD_HEAD "\"typ\":\"trial\",\"seq\":1,\"iat\":1," GOOD_TAIL, "trial_exp is missing (a trial licence needs its expiry)"},
        {GOOD_HEAD TRIAL_MID "\"ext\":2," GOOD_TAIL, "ext must be 0 or 1 (one extension, R4)"},
        {GOOD_HEAD "\"typ\":\"demo\",\"seq\":1,\"iat\":1," GOOD_TAIL, "typ must be \"trial\" or \"paid\""},
        {GOOD_HEAD TRIAL_MID "\"seq\":2," GOOD_TAIL, "seq is given twice"},
        {GOOD_HEAD TRIAL_MID "\"region\":\"us\",\"svc\":[]}", "region must be two upper-case letters"},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[{\"id\":\"a\",\"exp\":1},{\"id\":\"a\",\"exp\":2}]}", "svc.id: a service is listed twice"},
        {GOOD_HEAD TRIAL_MID "\"region\":\"US\",\"svc\":[{\"id\":\"a\",\"exp\":-5}]}", "svc.exp must be \u2265 0 (1970)"},
        {"{\"sub\":\"FOC2240Y1ZZ\",\"trial\":\"X1\",\"org\":\"o\"," TRIAL_MID GOOD_TAIL, "trial must be D and 1 to 15 digits (R1)"},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        trial_claims_t c;
        const char *why = NULL;
        assert_int_equal(trial_claims_parse(cases[i].json, strlen(cases[i].json), &c, &why),
                         FW_E_INVAL);
        if (why == NULL || strcmp(why, cases[i].why) != 0) {
            fail_msg("case %zu: '%s', want '%s'", i, why ? why : "(null)", cases[i].why);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_payloads),
        cmocka_unit_test(test_bad_claims),
        cmocka_unit_test(test_svc_bound),
        cmocka_unit_test(test_size_and_args),
        cmocka_unit_test(test_refusal_names_the_claim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
