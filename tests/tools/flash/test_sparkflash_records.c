/*
 * sparkflash's records as their readers see them: the provisioning record
 * read back through the store on the host board (the agent's code path), and
 * the enrollment record checked against docs/ENROLLMENT.md with cJSON.
 *
 * usage: test_sparkflash_records PATH/TO/sparkflash
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <limits.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "fw/err.h"
#include "fw/hex.h"
#include "hal/flash.h"
#include "host/host_board.h"
#include "proto/layout.h"
#include "proto/provisioning.h"
#include "proto/psk_seal.h"
#include "store/store.h"

static const char *s_tool;
static char s_dir[256];

#define PSK_HEX "00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef"
#define SUPPORT_HEX "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

/* Run sparkflash with `args` (already shell-quoted) in the work directory. */
static int run_tool(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >/dev/null 2>&1", s_dir, s_tool, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup_keys(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && rm -f lic.pem lic.pem.pub && '%s' keygen --out lic.pem "
             ">/dev/null",
             s_dir, s_tool);
    return system(cmd) == 0 ? 0 : -1;
}

static void provision(const char *image, const char *extra)
{
    char args[1024];
    snprintf(args, sizeof args,
             "provision --image %s --create --serial ABCD1234EF --model 'Spark Room 70' "
             "--trial D4711 --server coaps://[::1]:5684 --licence-pubkey lic.pem.pub "
             "--region DE --locale de-AT %s",
             image, extra);
    assert_int_equal(run_tool(args), 0);
}

static cJSON *load_json(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *o = cJSON_Parse(buf);
    assert_non_null(o);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600); /* it holds the PSKs */
    return o;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    assert_true(cJSON_IsString(it));
    return it->valuestring;
}

static bool is_hex(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max || n % 2) {
        return false;
    }
    for (; *s; s++) {
        if (!strchr("0123456789abcdef", *s)) {
            return false;
        }
    }
    return true;
}

/* docs/ENROLLMENT.md: exactly these ten members, with these types. */
static void check_schema(const cJSON *o)
{
    static const char *const keys[] = {"serial",      "trial",        "psk_identity", "psk",
                                       "region",      "keep_devices", "model",        "support_psk",
                                       "dial_prefix", "gen"};
    assert_true(cJSON_IsObject(o));
    assert_int_equal(cJSON_GetArraySize(o), 10);
    for (size_t i = 0; i < 10; i++) {
        assert_non_null(cJSON_GetObjectItemCaseSensitive(o, keys[i]));
    }
    char why[200];
    assert_int_equal(proto_check_serial(str(o, "serial"), why, sizeof why), 0);
    assert_int_equal(proto_check_trial(str(o, "trial"), why, sizeof why), 0);
    assert_int_equal(proto_check_region(str(o, "region"), why, sizeof why), 0);
    assert_true(strlen(str(o, "psk_identity")) >= 1 && strlen(str(o, "psk_identity")) <= 64);
    assert_true(strlen(str(o, "model")) >= 1 && strlen(str(o, "model")) <= 47);
    assert_true(is_hex(str(o, "psk"), 2 * PROTO_PSK_MIN, 2 * PROTO_PSK_MAX));
    assert_true(is_hex(str(o, "support_psk"), 2 * PROTO_PSK_MIN, 2 * PROTO_PSK_MAX));
    assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(o, "keep_devices")));
    assert_int_equal(proto_check_dial_prefix(str(o, "dial_prefix"), why, sizeof why), 0);
    /* the generation sparkflash took from the secure element's counter */
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(o, "gen");
    assert_true(cJSON_IsNumber(gen) && gen->valuedouble >= 1 && gen->valuedouble <= 4294967295.0);
}

static void test_enrollment_generated_keys(void **state)
{
    (void)state;
    provision("e1.img", "--enroll-out e1.json");
    cJSON *o = load_json("e1.json");
    check_schema(o);
    assert_string_equal(str(o, "serial"), "ABCD1234EF");
    assert_string_equal(str(o, "trial"), "D4711");
    assert_string_equal(str(o, "psk_identity"), "ABCD1234EF"); /* defaults to the serial */
    assert_string_equal(str(o, "region"), "DE");
    assert_string_equal(str(o, "model"), "Spark Room 70");
    assert_int_equal(strlen(str(o, "psk")), 64); /* 32 generated bytes */
    assert_int_equal(strlen(str(o, "support_psk")), 64);
    assert_string_not_equal(str(o, "psk"), str(o, "support_psk"));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "keep_devices")));
    assert_string_equal(str(o, "dial_prefix"), ""); /* none given */
    cJSON_Delete(o);

    /* A second device gets different keys. */
    provision("e2.img", "--enroll-out e2.json");
    cJSON *a = load_json("e1.json"), *b = load_json("e2.json");
    assert_string_not_equal(str(a, "psk"), str(b, "psk"));
    cJSON_Delete(a);
    cJSON_Delete(b);
}

static void test_enrollment_given_keys(void **state)
{
    (void)state;
    provision("e3.img", "--enroll-out e3.json --keep-devices --psk " PSK_HEX
                        " --support-psk " SUPPORT_HEX " --psk-identity room-7 --dial-prefix 0");
    cJSON *o = load_json("e3.json");
    check_schema(o);
    assert_string_equal(str(o, "dial_prefix"), "0");
    assert_string_equal(str(o, "psk"), PSK_HEX);
    assert_string_equal(str(o, "support_psk"), SUPPORT_HEX);
    assert_string_equal(str(o, "psk_identity"), "room-7");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "keep_devices")));
    cJSON_Delete(o);
}

/* The agent's path: host board up, store mounted, record read, decoded. */
static void test_record_reads_back_through_the_store(void **state)
{
    (void)state;
    provision("r.img", "--psk " PSK_HEX
                       " --psk-identity room-7 --return-url https://x.example/rma --dial-prefix 9");
    char path[512];
    snprintf(path, sizeof path, "%s/r.img", s_dir);
    host_board_options_t o;
    host_board_options_default(&o);
    o.flash_path = path;
    o.log_level = HAL_LOG_ERROR;
    assert_int_equal(host_board_init(&o), 0);
    hal_flash_geometry_t geo;
    assert_int_equal(hal_flash_geometry(&geo), 0);
    store_config_t cfg = {LAYOUT_STORE_FIRST_SECTOR, LAYOUT_STORE_SECTORS(geo.sector_size)};
    static store_t s;
    assert_int_equal(store_mount(&s, &cfg), 0);
    static char buf[STORE_VALUE_MAX];
    size_t len = 0;
    assert_int_equal(store_get(&s, STORE_KEY_PROVISIONING, buf, sizeof buf, &len), 0);
    static proto_provisioning_t p;
    char why[200] = "";
    /* In flash the PSKs are sealed (proto/psk_seal.h): never in clear. */
    assert_true(len < sizeof buf);
    buf[len] = '\0';
    assert_non_null(strstr(buf, "\"psk_sealed\""));
    assert_null(strstr(buf, "\"psk\""));
    bool sealed = false;
    assert_int_equal(proto_provisioning_open(buf, len, &p, &sealed, why, sizeof why), 0);
    assert_true(sealed);
    assert_string_equal(p.serial, "ABCD1234EF");
    assert_string_equal(p.model, "Spark Room 70");
    assert_string_equal(p.trial, "D4711");
    assert_string_equal(p.server, "coaps://[::1]:5684");
    assert_string_equal(p.region, "DE");
    assert_string_equal(p.locale, "de-AT");
    assert_string_equal(p.psk_identity, "room-7");
    assert_string_equal(p.return_url, "https://x.example/rma");
    assert_string_equal(p.dial_prefix, "9");
    assert_int_equal(p.psk_len, 32);
    uint8_t want[32];
    size_t n = 0;
    assert_int_equal(fw_hex_decode(PSK_HEX, want, sizeof want, &n), 0);
    assert_memory_equal(p.psk, want, 32);
    assert_int_equal(p.support_psk_len, 32); /* generated */
    assert_true(strncmp(p.licence_pubkey, "-----BEGIN PUBLIC KEY-----", 26) == 0);
    assert_true(p.provisioned_at > 1700000000);
    store_health_t h;
    store_health(&s, &h);
    assert_int_equal(h.records_damaged, 0);
    host_board_deinit();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH/TO/sparkflash\n", argv[0]);
        return 2;
    }
    static char tool[4096];
    if (!realpath(argv[1], tool)) { /* the tests cd into their own directory */
        perror(argv[1]);
        return 2;
    }
    s_tool = tool;
    const char *tmp = getenv("TMPDIR");
    snprintf(s_dir, sizeof s_dir, "%s/sparkflash-records.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s_dir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enrollment_generated_keys),
        cmocka_unit_test(test_enrollment_given_keys),
        cmocka_unit_test(test_record_reads_back_through_the_store),
    };
    int rc = cmocka_run_group_tests(tests, setup_keys, NULL);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    (void)system(cmd);
    return rc;
}
