/*
 * The provisioning record's PSKs sealed in flash (proto/psk_seal.h), on the
 * fake secure element: nothing of a PSK readable in the stored bytes, the
 * record opens only on the device that sealed it, each ciphertext bound to
 * its field and the serial, and records in clear (older sparkflash) still
 * read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fakes/fake_secure.h"
#include "fw/err.h"
#include "fw/hex.h"
#include "proto/provisioning.h"
#include "proto/psk_seal.h"

static const uint8_t NONCES[PROTO_PSK_SEAL_RANDOM_LEN] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};

typedef struct {
    proto_provisioning_t in;
    char clear[4096], sealed[4096];
    size_t clear_len, sealed_len;
} fx_t;

static fx_t s_fx;

static void make(fx_t *f)
{
    fake_secure_reset();
    memset(f, 0, sizeof *f);
    proto_provisioning_t *p = &f->in;
    strcpy(p->serial, "FOC2240Y1ZZ");
    strcpy(p->model, "Spark Room Kit");
    strcpy(p->trial, "D1000001");
    strcpy(p->server, "coaps://127.0.0.1:5684");
    strcpy(p->licence_pubkey, "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n");
    strcpy(p->region, "US");
    strcpy(p->locale, "en");
    p->psk_len = 32;
    for (size_t i = 0; i < p->psk_len; i++) {
        p->psk[i] = (uint8_t)(0x40 + i);
    }
    strcpy(p->psk_identity, "FOC2240Y1ZZ");
    p->support_psk_len = 16;
    memset(p->support_psk, 0x5A, p->support_psk_len);
    char why[160];
    assert_int_equal(
        proto_provisioning_encode(p, f->clear, sizeof f->clear, &f->clear_len, why, sizeof why), 0);
    assert_int_equal(proto_psk_seal(f->clear, f->clear_len, NONCES, f->sealed, sizeof f->sealed,
                                    &f->sealed_len, why, sizeof why),
                     0);
}

static int open_sealed(const char *json, size_t len, proto_provisioning_t *out, bool *sealed,
                       char *why, size_t cap)
{
    return proto_provisioning_open(json, len, out, sealed, why, cap);
}

static void test_no_psk_in_clear_and_roundtrip(void **state)
{
    (void)state;
    fx_t *f = &s_fx;
    make(f);
    char psk_hex[2 * PROTO_PSK_MAX + 1], sup_hex[2 * PROTO_PSK_MAX + 1];
    assert_int_equal(fw_hex_encode(f->in.psk, f->in.psk_len, psk_hex, sizeof psk_hex), 0);
    assert_int_equal(
        fw_hex_encode(f->in.support_psk, f->in.support_psk_len, sup_hex, sizeof sup_hex), 0);
    assert_non_null(strstr(f->clear, psk_hex)); /* the plain record does have it */
    assert_null(strstr(f->sealed, psk_hex));
    assert_null(strstr(f->sealed, sup_hex));
    assert_null(strstr(f->sealed, "\"psk\""));
    assert_null(strstr(f->sealed, "\"support_psk\""));
    assert_non_null(strstr(f->sealed, "\"psk_seal\":\"aes-256-gcm:provisioning-psk-v1\""));
    /* The rest of the record stays as it was. */
    assert_non_null(strstr(f->sealed, "\"trial\":\"D1000001\""));
    proto_provisioning_t out;
    bool sealed = false;
    char why[160] = "";
    assert_int_equal(open_sealed(f->sealed, f->sealed_len, &out, &sealed, why, sizeof why), 0);
    assert_true(sealed);
    assert_int_equal(out.psk_len, f->in.psk_len);
    assert_memory_equal(out.psk, f->in.psk, f->in.psk_len);
    assert_int_equal(out.support_psk_len, f->in.support_psk_len);
    assert_memory_equal(out.support_psk, f->in.support_psk, f->in.support_psk_len);
    assert_string_equal(out.serial, f->in.serial);
    /* Sealing twice is refused, not nested. */
    char again[4096];
    size_t n = 0;
    assert_int_equal(
        proto_psk_seal(f->sealed, f->sealed_len, NONCES, again, sizeof again, &n, why, sizeof why),
        FW_E_FORMAT);
}

static void test_another_device_cannot_open_it(void **state)
{
    (void)state;
    fx_t *f = &s_fx;
    make(f);
    uint8_t other[32];
    memset(other, 0x77, sizeof other);
    fake_secure_set_device_key(other);
    proto_provisioning_t out;
    char why[160] = "";
    assert_int_equal(open_sealed(f->sealed, f->sealed_len, &out, NULL, why, sizeof why),
                     FW_E_CORRUPT);
    assert_non_null(strstr(why, "psk_sealed: does not open with this device's key"));
}

/* Replace the first occurrence of `from` by `to` (same length) in s. */
static void patch(char *s, const char *from, const char *to)
{
    char *at = strstr(s, from);
    assert_non_null(at);
    assert_int_equal(strlen(from), strlen(to));
    memcpy(at, to, strlen(to));
}

static void test_bound_to_bytes_field_and_serial(void **state)
{
    (void)state;
    fx_t *f = &s_fx;
    proto_provisioning_t out;
    char why[160];
    /* One ciphertext digit changed. */
    make(f);
    char *ct = strstr(f->sealed, "\"psk_sealed\":\"") + strlen("\"psk_sealed\":\"") + 30;
    *ct = *ct == '0' ? '1' : '0';
    assert_int_equal(open_sealed(f->sealed, f->sealed_len, &out, NULL, why, sizeof why),
                     FW_E_CORRUPT);
    /* Another serial written over the record's: the PSKs no longer open. */
    make(f);
    patch(f->sealed, "\"serial\":\"FOC2240Y1ZZ\"", "\"serial\":\"FOC2240Y1ZA\"");
    assert_int_equal(open_sealed(f->sealed, f->sealed_len, &out, NULL, why, sizeof why),
                     FW_E_CORRUPT);
}

static void test_swapped_fields_refused(void **state)
{
    (void)state;
    /* Build a record whose psk_sealed holds the support PSK's ciphertext. */
    fx_t *f = &s_fx;
    make(f);
    char *a = strstr(f->sealed, "\"support_psk_sealed\":\"") + strlen("\"support_psk_sealed\":\"");
    char sup[256];
    size_t n = (size_t)(strchr(a, '"') - a);
    assert_true(n < sizeof sup);
    memcpy(sup, a, n);
    sup[n] = '\0';
    char rec[4096];
    snprintf(rec, sizeof rec,
             "{\"serial\":\"FOC2240Y1ZZ\",\"psk_seal\":\"aes-256-gcm:provisioning-psk-v1\","
             "\"psk_sealed\":\"%s\"}",
             sup);
    proto_provisioning_t out;
    char why[160] = "";
    assert_int_equal(open_sealed(rec, strlen(rec), &out, NULL, why, sizeof why), FW_E_CORRUPT);
    assert_non_null(strstr(why, "psk_sealed"));
}

static void test_clear_record_still_reads(void **state)
{
    (void)state;
    fx_t *f = &s_fx;
    make(f);
    proto_provisioning_t out;
    bool sealed = true;
    char why[160] = "";
    assert_int_equal(open_sealed(f->clear, f->clear_len, &out, &sealed, why, sizeof why), 0);
    assert_false(sealed);
    assert_memory_equal(out.psk, f->in.psk, f->in.psk_len);
}

static void test_secure_element_failure_is_named(void **state)
{
    (void)state;
    fx_t *f = &s_fx;
    make(f);
    fake_secure_fail_derive(FW_E_IO);
    char out[4096], why[160] = "";
    size_t n = 0;
    assert_int_equal(
        proto_psk_seal(f->clear, f->clear_len, NONCES, out, sizeof out, &n, why, sizeof why),
        FW_E_IO);
    assert_non_null(strstr(why, "secure element"));
    proto_provisioning_t p;
    assert_int_equal(open_sealed(f->sealed, f->sealed_len, &p, NULL, why, sizeof why), FW_E_IO);
    fake_secure_fail_derive(0);
    /* Unknown scheme: refused rather than guessed. */
    patch(f->sealed, "aes-256-gcm:", "aes-128-gcm:");
    assert_int_equal(open_sealed(f->sealed, f->sealed_len, &p, NULL, why, sizeof why), FW_E_FORMAT);
    assert_non_null(strstr(why, "psk_seal"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_psk_in_clear_and_roundtrip),
        cmocka_unit_test(test_another_device_cannot_open_it),
        cmocka_unit_test(test_bound_to_bytes_field_and_serial),
        cmocka_unit_test(test_swapped_fields_refused),
        cmocka_unit_test(test_clear_record_still_reads),
        cmocka_unit_test(test_secure_element_failure_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
