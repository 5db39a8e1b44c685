/*
 * trialctl licence on the vectors tests/vectors/make_vectors.sh signs with
 * openssl at test time, at the two instants its header names, plus the exit
 * status contract (0 valid, 1 invalid, 2 usage). Runs the built binary
 * through popen() and reads its JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#define VEC TRIAL_VECTORS_DIR
#define DEV " --pubkey " VEC "/licence.pub --serial FOC2240Y1ZZ --trial D1000001"
#define AT1 " --at 2026-12-10T12:00:00Z"
#define AT2 " --at 2027-01-14T00:00:00Z"

typedef struct {
    int status;
    char out[8192];
    char err[2048];
} run_t;

static void run(const char *args, run_t *r)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s 2>%s", TRIALCTL_PATH, args, "trialctl-cli.err");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(r->out, 1, sizeof r->out - 1, p);
    r->out[n] = '\0';
    int st = pclose(p);
    assert_true(WIFEXITED(st));
    r->status = WEXITSTATUS(st);
    FILE *e = fopen("trialctl-cli.err", "r");
    n = e != NULL ? fread(r->err, 1, sizeof r->err - 1, e) : 0;
    r->err[n] = '\0';
    if (e != NULL) {
        fclose(e);
    }
}

static cJSON *run_json(const char *args, int want_status)
{
    run_t r;
    run(args, &r);
    if (r.status != want_status) {
        fail_msg("trialctl %s: exit %d (want %d)\n%s%s", args, r.status, want_status, r.out, r.err);
    }
    cJSON *j = cJSON_Parse(r.out);
    if (j == NULL) {
        fail_msg("not JSON: %s", r.out);
    }
    return j;
}

static const cJSON *field(const cJSON *j, const char *name)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, name);
    if (f == NULL) {
        fail_msg("no field '%s'", name);
    }
    return f;
}

static void expect_str(const cJSON *j, const char *name, const char *want)
{
    const cJSON *f = field(j, name);
    assert_true(cJSON_IsString(f));
    assert_string_equal(f->valuestring, want);
}

static void expect_num(const cJSON *j, const char *name, double want)
{
    const cJSON *f = field(j, name);
    assert_true(cJSON_IsNumber(f));
    assert_true(f->valuedouble == want);
}

static void expect_bool(const cJSON *j, const char *name, bool want)
{
    const cJSON *f = field(j, name);
    assert_true(cJSON_IsBool(f));
    assert_int_equal(cJSON_IsTrue(f), want);
}

static void test_trial_vector_expiring(void **state)
{
    (void)state;
    cJSON *j = run_json("licence " VEC "/trial.jws" DEV AT1 " --json", 0);
    expect_bool(j, "valid", true);
    expect_str(j, "type", "trial");
    expect_str(j, "state", "expiring");
    expect_num(j, "days_left", 5);
    expect_num(j, "grace_days_left", 35);
    expect_str(j, "calling", "full");
    expect_bool(j, "rma", false);
    assert_true(cJSON_IsNull(field(j, "numbers_held_until")));
    const cJSON *svc = field(j, "services");
    assert_int_equal(cJSON_GetArraySize(svc), 2);
    const cJSON *s0 = cJSON_GetArrayItem(svc, 0);
    expect_str(s0, "id", "calling");
    expect_num(s0, "days_left", 5);
    expect_bool(s0, "expired", false);
    expect_str(cJSON_GetArrayItem(svc, 1), "id", "meetings");
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "error"));
    cJSON_Delete(j);
}

static void test_trial_vector_lapsed(void **state)
{
    (void)state;
    cJSON *j = run_json("licence " VEC "/trial.jws" DEV AT2 " --json", 0);
    expect_bool(j, "valid", true);
    expect_str(j, "state", "lapsed");
    expect_num(j, "days_left", 0);
    expect_num(j, "grace_days_left", 0);
    expect_str(j, "calling", "degraded");
    expect_bool(j, "rma", true);
    expect_str(j, "numbers_held_until", "2027-01-29T00:00:00Z");
    const cJSON *s0 = cJSON_GetArrayItem(field(j, "services"), 0);
    expect_bool(s0, "expired", true);
    expect_num(s0, "days_left", 0);
    cJSON_Delete(j);
}

static void test_paid_vector(void **state)
{
    (void)state;
    static const char *const at[] = {AT1, AT2};
    for (int i = 0; i < 2; i++) {
        char args[1024];
        snprintf(args, sizeof args, "licence " VEC "/paid.jws" DEV "%s --json", at[i]);
        cJSON *j = run_json(args, 0);
        expect_bool(j, "valid", true);
        expect_str(j, "type", "paid");
        expect_str(j, "state", "paid");
        expect_str(j, "calling", "full");
        expect_bool(j, "rma", false);
        assert_true(cJSON_IsNull(field(j, "numbers_held_until")));
        expect_num(cJSON_GetArrayItem(field(j, "services"), 0), "days_left", i == 0 ? 373 : 338);
        cJSON_Delete(j);
    }
}

static void test_tampered_vector(void **state)
{
    (void)state;
    static const char *const at[] = {AT1, AT2};
    for (int i = 0; i < 2; i++) {
        char args[1024];
        snprintf(args, sizeof args, "licence " VEC "/tampered.jws" DEV "%s --json", at[i]);
        cJSON *j = run_json(args, 1);
        expect_bool(j, "valid", false);
        expect_str(j, "error", "signature");
        cJSON_Delete(j);
    }
}

/* A properly signed licence with a claim out of range: the claim is named,
 * in --json and in text. */
static void test_refused_claim_named(void **state)
{
    (void)state;
    cJSON *j = run_json("licence " VEC "/seq0.jws" DEV AT1 " --json", 1);
    expect_bool(j, "valid", false);
    expect_str(j, "error", "claims");
    expect_str(j, "claim", "seq");
    expect_str(j, "detail", "seq must be \u2265 1");
    cJSON_Delete(j);
    run_t r;
    run("licence " VEC "/seq0.jws" DEV AT1, &r);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "INVALID (claims: seq must be \u2265 1)"));
    /* A refusal that is not about a claim names none. */
    j = run_json("licence " VEC "/tampered.jws" DEV AT1 " --json", 1);
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "claim"));
    cJSON_Delete(j);
}

static void test_wrong_device(void **state)
{
    (void)state;
    cJSON *j = run_json("licence " VEC "/trial.jws --pubkey " VEC
                        "/licence.pub --serial FOC0000X0XX --trial D1000001" AT1 " --json",
                        1);
    expect_str(j, "error", "serial");
    cJSON_Delete(j);
    j = run_json("licence " VEC "/trial.jws --pubkey " VEC
                 "/licence.pub --serial FOC2240Y1ZZ --trial D1000002" AT1 " --json",
                 1);
    expect_str(j, "error", "trial");
    cJSON_Delete(j);
}

static void test_human_output(void **state)
{
    (void)state;
    run_t r;
    run("licence " VEC "/trial.jws" DEV AT1, &r);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "valid"));
    assert_non_null(strstr(r.out, "expiring"));
    assert_non_null(strstr(r.out, "trial ends in 5 days"));
    run("licence " VEC "/trial.jws" DEV AT2, &r);
    assert_non_null(strstr(r.out, "lapsed"));
    assert_non_null(strstr(r.out, "held until 2027-01-29T00:00:00Z"));
    assert_non_null(strstr(r.out, "return instructions due"));
    run("licence " VEC "/tampered.jws" DEV AT1, &r);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "INVALID (signature"));
}

static void test_usage(void **state)
{
    (void)state;
    static const struct {
        const char *args;
        int status;
        const char *err; /* expected in stderr, or NULL */
    } cases[] = {
        {"", 2, "usage"},
        {"bogus", 2, "unknown command 'bogus'"},
        {"--help", 0, NULL},
        {"--version", 0, NULL},
        {"licence --help", 0, NULL},
        {"licence" DEV AT1, 2, "missing licence FILE"},
        {"licence " VEC "/trial.jws --serial FOC2240Y1ZZ --trial D1000001", 2, "--pubkey"},
        {"licence " VEC "/trial.jws" DEV " --at yesterday", 2, "--at 'yesterday'"},
        {"licence " VEC "/trial.jws" DEV " --at 2026-12-10T12:00:00", 2, "ISO 8601"},
        {"licence " VEC "/trial.jws" DEV " --frobnicate", 2, "unknown option '--frobnicate'"},
        {"licence /nonexistent/licence.jws" DEV AT1, 2, "'/nonexistent/licence.jws'"},
        {"licence " VEC "/trial.jws --pubkey /nonexistent/key.pem --serial S --trial D1", 2,
         "'/nonexistent/key.pem'"},
        {"licence " VEC "/trial.jws --pubkey " VEC "/trial.jws --serial S --trial D1", 2,
         "not a P-256 public key"},
        {"licence " VEC "/trial.jws --pubkey " VEC "/licence.pub --serial S --trial X1", 2,
         "--trial 'X1'"},
        {"licence a b" DEV, 2, "exactly one"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_t r;
        run(cases[i].args, &r);
        if (r.status != cases[i].status ||
            (cases[i].err != NULL && strstr(r.err, cases[i].err) == NULL &&
             strstr(r.out, cases[i].err) == NULL)) {
            fail_msg("trialctl %s: exit %d, stderr: %s", cases[i].args, r.status, r.err);
        }
    }
    run_t r;
    run("--version", &r);
    assert_non_null(strstr(r.out, "trialctl "));
}

/* A file larger than any token is `format`, not a crash or a usage error. */
static void test_oversized_file(void **state)
{
    (void)state;
    FILE *f = fopen("trialctl-big.jws", "w");
    assert_non_null(f);
    for (int i = 0; i < 5000; i++) {
        fputc('A', f);
    }
    fclose(f);
    cJSON *j = run_json("licence trialctl-big.jws" DEV AT1 " --json", 1);
    expect_str(j, "error", "format");
    cJSON_Delete(j);
    remove("trialctl-big.jws");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trial_vector_expiring), cmocka_unit_test(test_trial_vector_lapsed),
        cmocka_unit_test(test_paid_vector),           cmocka_unit_test(test_tampered_vector),
        cmocka_unit_test(test_refused_claim_named),   cmocka_unit_test(test_wrong_device),
        cmocka_unit_test(test_human_output),          cmocka_unit_test(test_usage),
        cmocka_unit_test(test_oversized_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
