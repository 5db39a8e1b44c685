/*
 * The provisioning record: one format for the flashing tool and the agent.
 * A record that does not decode must name the field, since a technician reads
 * the message (R1: the trial number is how partners find the device).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "fw/hex.h"
#include "fw/path.h"
#include "proto/provisioning.h"

static const char PEM[] = "-----BEGIN PUBLIC KEY-----\nMFkw...\n-----END PUBLIC KEY-----\n";

static proto_provisioning_t good(void)
{
    proto_provisioning_t p;
    memset(&p, 0, sizeof p);
    strcpy(p.serial, "FOC2240Y1ZZ");
    strcpy(p.model, "Spark Room Kit");
    strcpy(p.trial, "D1000001");
    strcpy(p.server, "coaps://127.0.0.1:5684");
    strcpy(p.licence_pubkey, PEM);
    strcpy(p.region, "US");
    strcpy(p.locale, "en");
    p.psk_len = 32;
    memset(p.psk, 0xA5, p.psk_len);
    strcpy(p.psk_identity, "FOC2240Y1ZZ");
    p.support_psk_len = 16;
    memset(p.support_psk, 0x5A, p.support_psk_len);
    strcpy(p.return_url, "https://example.invalid/rma");
    strcpy(p.dial_prefix, "9");
    p.provisioned_at = 1764000000;
    return p;
}

static void test_roundtrip_is_exact(void **state)
{
    (void)state;
    proto_provisioning_t in = good(), out;
    char buf[4096], why[160];
    size_t len = 0;
    assert_int_equal(proto_provisioning_encode(&in, buf, sizeof buf, &len, why, sizeof why), 0);
    assert_int_equal(proto_provisioning_decode(buf, len, &out, why, sizeof why), 0);
    assert_memory_equal(&in, &out, sizeof in);
}

static void test_encode_refuses_small_buffer(void **state)
{
    (void)state;
    proto_provisioning_t in = good();
    char buf[64], why[160];
    size_t len = 0;
    assert_int_equal(proto_provisioning_encode(&in, buf, sizeof buf, &len, why, sizeof why),
                     FW_E_NOSPACE);
}

/* Each bad field is refused and named, so the message tells the technician
 * what to fix (R1 trial numbers start with D). */
static void test_each_bad_field_is_named(void **state)
{
    (void)state;
    char why[160];
    proto_provisioning_t p;

    p = good();
    strcpy(p.trial, "X1000001");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    assert_non_null(strstr(why, "trial"));
    p = good();
    strcpy(p.trial, "D");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    p = good();
    strcpy(p.trial, "D12a4");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    p = good();
    strcpy(p.serial, "foc2240y1zz");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    assert_non_null(strstr(why, "serial"));
    p = good();
    strcpy(p.serial, "SHORT");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    p = good();
    strcpy(p.server, "coap://127.0.0.1:5683");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    assert_non_null(strstr(why, "server"));
    p = good();
    strcpy(p.server, "coaps://host:99999");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    p = good();
    strcpy(p.server, "coaps://host");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    p = good();
    strcpy(p.region, "us");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    assert_non_null(strstr(why, "region"));
    p = good();
    strcpy(p.locale, "engl"); /* fits the field (5 + NUL) but is not ll or ll-CC */
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    assert_non_null(strstr(why, "locale"));
    p = good();
    p.psk_len = 8;
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    assert_non_null(strstr(why, "psk"));
    p = good();
    strcpy(p.licence_pubkey, "not a key");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), FW_E_INVAL);
    assert_non_null(strstr(why, "licence_pubkey"));
    p = good();
    strcpy(p.server, "coaps://[::1]:5684");
    assert_int_equal(proto_provisioning_validate(&p, why, sizeof why), 0);
}

static void decode_fails_naming(const char *json, const char *field)
{
    proto_provisioning_t out;
    char why[160] = "";
    assert_int_equal(proto_provisioning_decode(json, strlen(json), &out, why, sizeof why),
                     FW_E_FORMAT);
    if (!strstr(why, field)) {
        fail_msg("decoding %s: message '%s' does not name '%s'", json, why, field);
    }
}

/* Bytes out of flash are hostile: wrong types, missing fields, junk. */
static void test_decode_rejects_hostile_records(void **state)
{
    (void)state;
    decode_fails_naming("", "record");
    decode_fails_naming("[1,2]", "record");
    decode_fails_naming("{\"v\":2}", "v");
    decode_fails_naming("{\"v\":1}", "serial");
    decode_fails_naming("{\"v\":1,\"serial\":5}", "serial");
    decode_fails_naming("{\"v\":1,\"serial\":\"FOC2240Y1ZZFOC2240Y1ZZ\"}", "serial");

    proto_provisioning_t in = good(), out;
    char buf[4096], why[160];
    size_t len = 0;
    assert_int_equal(proto_provisioning_encode(&in, buf, sizeof buf, &len, why, sizeof why), 0);
    /* every prefix of a good record is refused, never half-used */
    for (size_t cut = 0; cut < len; cut++) {
        assert_int_not_equal(proto_provisioning_decode(buf, cut, &out, why, sizeof why), 0);
    }
    /* bad hex in the PSK */
    char *psk = strstr(buf, "\"psk\":\"");
    assert_non_null(psk);
    psk[7] = 'z';
    assert_int_equal(proto_provisioning_decode(buf, len, &out, why, sizeof why), FW_E_FORMAT);
    assert_non_null(strstr(why, "psk"));
}

/* The outside-line prefix (docs/EMERGENCY.md): 0..2 digits, optional in the
 * record so that records written before it existed still read (as none). */
static void test_dial_prefix(void **state)
{
    (void)state;
    char why[160];
    const char *ok[] = {"", "0", "9", "81"};
    const char *bad[] = {"999", "9a", "-", " 9", "+"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        assert_int_equal(proto_check_dial_prefix(ok[i], why, sizeof why), 0);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(proto_check_dial_prefix(bad[i], why, sizeof why), FW_E_INVAL);
        assert_non_null(strstr(why, "dial_prefix"));
    }
    proto_provisioning_t in = good(), out;
    char buf[4096];
    size_t len = 0;
    assert_int_equal(proto_provisioning_encode(&in, buf, sizeof buf, &len, why, sizeof why), 0);
    assert_non_null(strstr(buf, "\"dial_prefix\":\"9\""));
    /* a record from before the field: no prefix */
    char *field = strstr(buf, ",\"dial_prefix\":\"9\"");
    assert_non_null(field);
    memmove(field, field + 18, strlen(field + 18) + 1);
    assert_int_equal(proto_provisioning_decode(buf, strlen(buf), &out, why, sizeof why), 0);
    assert_string_equal(out.dial_prefix, "");
    /* a bad prefix out of flash is refused and named (every other member
     * valid: the decoder names the first bad one in the record's order) */
    decode_fails_naming("{\"v\":1,\"serial\":\"FOC2240Y1ZZ\",\"model\":\"m\",\"trial\":\"D1\","
                        "\"server\":\"coaps://h:1\","
                        "\"licence_pubkey\":\"-----BEGIN PUBLIC KEY-----\",\"region\":\"US\","
                        "\"locale\":\"en\",\"psk\":\"00112233445566778899aabbccddeeff\","
                        "\"psk_identity\":\"x\",\"dial_prefix\":\"999\"}",
                        "dial_prefix");
    in.dial_prefix[0] = 'x';
    assert_int_equal(proto_provisioning_encode(&in, buf, sizeof buf, &len, why, sizeof why),
                     FW_E_INVAL);
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t out[4];
    size_t n = 0;
    assert_int_equal(fw_hex_decode("00fFa5", out, sizeof out, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(out[1], 0xFF);
    assert_int_equal(fw_hex_decode("abc", out, sizeof out, &n), FW_E_FORMAT);
    assert_int_equal(fw_hex_decode("0g", out, sizeof out, &n), FW_E_FORMAT);
    assert_int_equal(fw_hex_decode("0011223344", out, sizeof out, &n), FW_E_TOOBIG);
    char hex[9];
    assert_int_equal(fw_hex_encode(out, 3, hex, sizeof hex), 0);
    assert_string_equal(hex, "00ffa5");
    assert_int_equal(fw_hex_encode(out, 3, hex, 6), FW_E_NOSPACE);
}

/* fw/path.h: the directory of a state file (boards and sparkflash). */
static void test_path_dir(void **state)
{
    (void)state;
    char d[8];
    assert_int_equal(fw_path_dir("a/b/c.img", d, sizeof d), 0);
    assert_string_equal(d, "a/b");
    assert_int_equal(fw_path_dir("c.img", d, sizeof d), 0);
    assert_string_equal(d, ".");
    assert_int_equal(fw_path_dir("/c.img", d, sizeof d), 0);
    assert_string_equal(d, "/");
    assert_int_equal(fw_path_dir("/tmp/x/", d, sizeof d), 0);
    assert_string_equal(d, "/tmp/x");
    assert_int_equal(fw_path_dir("/toolong/dir/f", d, sizeof d), FW_E_TOOBIG);
    assert_string_equal(d, "");
    assert_int_equal(fw_path_dir("12345678/f", d, sizeof d), FW_E_TOOBIG);
    assert_int_equal(fw_path_dir("1234567/f", d, sizeof d), 0);
    assert_string_equal(d, "1234567");
    assert_int_equal(fw_path_dir(NULL, d, sizeof d), FW_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_is_exact),
        cmocka_unit_test(test_encode_refuses_small_buffer),
        cmocka_unit_test(test_each_bad_field_is_named),
        cmocka_unit_test(test_decode_rejects_hostile_records),
        cmocka_unit_test(test_dial_prefix),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_path_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
