/*
 * The room board's TPM 2.0 secure element (room_secure_tpm.c) against a real
 * TPM: Debian's swtpm, started by tpm_secure.sh with a fresh state directory,
 * reached through SPARK_TEST_TPM (a TCTI string). Each test uses its own
 * secure directory and NV index, so they do not see each other's state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "fw/err.h"
#include "fw/file.h"
#include "hal/secure.h"
#include "room_internal.h"
#include "room_tpm.h"
#include "room_test_util.h"

static const char *s_tcti;
static uint32_t s_next_index = 0x01800600u;

typedef struct {
    room_tmp_t tmp;
    uint32_t index;
    char key[128];
} fx_t;

static int setup(void **state)
{
    fx_t *f = room_fx_new(sizeof *f);
    if (!f) {
        return -1;
    }
    f->index = s_next_index++;
    room_tmp_path(&f->tmp, "device.key", f->key, sizeof f->key);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    room_secure_tpm_close();
    room_tmp_remove(&f->tmp);
    free(f);
    return 0;
}

/* The key blob's bytes (fw/file.h) into `out`; returns its length. */
static size_t read_blob(const char *path, void *out, size_t cap)
{
    uint8_t *data = NULL;
    size_t len = 0;
    assert_int_equal(fw_file_read(path, cap, &data, &len), 0);
    memcpy(out, data, len);
    free(data);
    return len;
}

static int open_fx(const fx_t *f)
{
    return room_secure_tpm_open(s_tcti, f->index, f->tmp.dir);
}

/* A second ESYS context on the same TPM, as another process (root with a
 * shell) would have. */
static ESYS_CONTEXT *other_esys(TSS2_TCTI_CONTEXT **tcti)
{
    ESYS_CONTEXT *e = NULL;
    assert_int_equal(Tss2_TctiLdr_Initialize(s_tcti, tcti), TSS2_RC_SUCCESS);
    assert_int_equal(Esys_Initialize(&e, *tcti, NULL), TSS2_RC_SUCCESS);
    return e;
}

static void close_other(ESYS_CONTEXT *e, TSS2_TCTI_CONTEXT *tcti)
{
    Esys_Finalize(&e);
    Tss2_TctiLdr_Finalize(&tcti);
}

static void test_fresh_counter_and_key(void **state)
{
    fx_t *f = *state;
    assert_int_equal(open_fx(f), 0);
    uint32_t v = 99;
    /* hal/secure.h: 0 on a factory-fresh device, whatever the raw count. */
    assert_int_equal(room_secure_tpm_counter_read(&v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(room_secure_tpm_counter_increment(&v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(room_secure_tpm_counter_increment(&v), 0);
    assert_int_equal(v, 2);
    uint8_t a[32], b[32], c[32];
    assert_int_equal(room_secure_tpm_derive("store-mac-v1", a), 0);
    assert_int_equal(room_secure_tpm_derive("store-mac-v1", b), 0);
    assert_int_equal(room_secure_tpm_derive("provisioning-psk-v1", c), 0);
    assert_memory_equal(a, b, 32);
    assert_memory_not_equal(a, c, 32);
    /* Reopened: the same key (from the blob), the counter where it was. */
    room_secure_tpm_close();
    assert_int_equal(open_fx(f), 0);
    assert_int_equal(room_secure_tpm_counter_read(&v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(room_secure_tpm_derive("store-mac-v1", b), 0);
    assert_memory_equal(a, b, 32);
    /* The blob on disk holds no derived key. */
    char blob[2048];
    size_t len = 0;
    len = read_blob(f->key, blob, sizeof blob);
    for (size_t i = 0; i + 32 <= len; i++) {
        assert_memory_not_equal(blob + i, a, 32);
    }
}

static void test_key_cannot_leave_the_tpm(void **state)
{
    fx_t *f = *state;
    assert_int_equal(open_fx(f), 0);
    room_secure_tpm_close();
    /* What the blob says about the key: made inside the TPM, bound to it
     * and to its parent, so neither the TPM nor anyone can export it. */
    uint8_t blob[2048];
    size_t len = 0;
    len = read_blob(f->key, blob, sizeof blob);
    size_t off = strlen("spark-tpm-key v1\n");
    TPM2B_PUBLIC pub = {0};
    TPM2B_PRIVATE priv = {0};
    assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Unmarshal(blob, len, &off, &pub), TSS2_RC_SUCCESS);
    assert_int_equal(Tss2_MU_TPM2B_PRIVATE_Unmarshal(blob, len, &off, &priv), TSS2_RC_SUCCESS);
    const TPMA_OBJECT need =
        TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN;
    assert_int_equal(pub.publicArea.objectAttributes & need, need);

    /* Root on the device with its own TPM session: asking the TPM to
     * duplicate (export) the key is refused. */
    TSS2_TCTI_CONTEXT *tcti = NULL;
    ESYS_CONTEXT *e = other_esys(&tcti);
    const TPM2B_SENSITIVE_CREATE sens = {0};
    TPM2B_PUBLIC srk;
    room_tpm_srk_template(&srk);
    const TPM2B_DATA outside = {0};
    const TPML_PCR_SELECTION pcrs = {0};
    ESYS_TR primary = ESYS_TR_NONE, key = ESYS_TR_NONE;
    assert_int_equal(Esys_CreatePrimary(e, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                        ESYS_TR_NONE, &sens, &srk, &outside, &pcrs, &primary, NULL,
                                        NULL, NULL, NULL),
                     TSS2_RC_SUCCESS);
    assert_int_equal(
        Esys_Load(e, primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub, &key),
        TSS2_RC_SUCCESS);
    const TPMT_SYM_DEF_OBJECT none = {.algorithm = TPM2_ALG_NULL};
    TPM2B_DATA *enc_key = NULL;
    TPM2B_PRIVATE *dup = NULL;
    TPM2B_ENCRYPTED_SECRET *seed = NULL;
    TSS2_RC rc = Esys_Duplicate(e, key, ESYS_TR_RH_NULL, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                ESYS_TR_NONE, NULL, &none, &enc_key, &dup, &seed);
    assert_int_not_equal(rc, TSS2_RC_SUCCESS);
    Esys_Free(enc_key);
    Esys_Free(dup);
    Esys_Free(seed);
    /* Reading it back gives only the public area (no sensitive part). */
    TPM2B_PUBLIC *rp = NULL;
    assert_int_equal(
        Esys_ReadPublic(e, key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &rp, NULL, NULL),
        TSS2_RC_SUCCESS);
    assert_int_equal(rp->publicArea.unique.keyedHash.size, 32); /* a digest, not the key */
    Esys_Free(rp);
    (void)Esys_FlushContext(e, key);
    (void)Esys_FlushContext(e, primary);
    close_other(e, tcti);
}

static void test_counter_deleted_is_refused(void **state)
{
    fx_t *f = *state;
    assert_int_equal(open_fx(f), 0);
    room_secure_tpm_close();
    /* Root deletes the NV counter (the owner hierarchy has no password). */
    TSS2_TCTI_CONTEXT *tcti = NULL;
    ESYS_CONTEXT *e = other_esys(&tcti);
    ESYS_TR nv = ESYS_TR_NONE;
    assert_int_equal(
        Esys_TR_FromTPMPublic(e, f->index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nv),
        TSS2_RC_SUCCESS);
    assert_int_equal(Esys_NV_UndefineSpace(e, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                           ESYS_TR_NONE),
                     TSS2_RC_SUCCESS);
    close_other(e, tcti);
    assert_int_equal(open_fx(f), FW_E_NOENT);
    assert_non_null(strstr(room_board_last_error(), "no monotonic counter"));
    /* Defined again by hand (not yet incremented): still refused. */
    e = other_esys(&tcti);
    const TPM2B_AUTH auth = {0};
    const TPM2B_NV_PUBLIC npub = {
        .nvPublic = {.nvIndex = f->index,
                     .nameAlg = TPM2_ALG_SHA256,
                     .attributes = (TPM2_NT_COUNTER << TPMA_NV_TPM2_NT_SHIFT) | TPMA_NV_AUTHREAD |
                                   TPMA_NV_AUTHWRITE | TPMA_NV_NO_DA,
                     .dataSize = 8}};
    assert_int_equal(Esys_NV_DefineSpace(e, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                         ESYS_TR_NONE, &auth, &npub, &nv),
                     TSS2_RC_SUCCESS);
    close_other(e, tcti);
    assert_int_equal(open_fx(f), FW_E_NOENT);
}

static void test_changed_blob_does_not_load(void **state)
{
    fx_t *f = *state;
    assert_int_equal(open_fx(f), 0);
    uint32_t v = 0;
    assert_int_equal(room_secure_tpm_counter_increment(&v), 0);
    room_secure_tpm_close();
    char blob[2048];
    size_t len = 0;
    len = read_blob(f->key, blob, sizeof blob);
    /* Raise the counter base kept in the key's public area (the last byte of
     * authPolicy) as someone winding the counter back would: the TPM's
     * integrity check on the blob fails. Find it after the magic. */
    const char magic[] = "spark-counter-base-v1";
    char *at = NULL;
    for (size_t i = 0; i + sizeof magic <= len; i++) {
        if (memcmp(blob + i, magic, sizeof magic - 1) == 0) {
            at = blob + i;
        }
    }
    assert_non_null(at);
    at[31] = (char)(at[31] + 1);
    assert_int_equal(fw_file_write_atomic(f->key, blob, len, 0600), 0);
    assert_int_equal(open_fx(f), FW_E_CORRUPT);
    assert_non_null(strstr(room_board_last_error(), "does not load"));
    /* Not a TPM blob at all (a file back end key moved here). */
    assert_int_equal(room_write_filled(f->key, 32, 0x42), 0);
    assert_int_equal(open_fx(f), FW_E_CORRUPT);
    assert_non_null(strstr(room_board_last_error(), "not a TPM key blob"));
}

static void test_no_tpm_is_one_clear_error(void **state)
{
    fx_t *f = *state;
    /* Port 9 on loopback: nothing listens there. */
    assert_int_equal(room_secure_tpm_open("swtpm:host=127.0.0.1,port=9", f->index, f->tmp.dir),
                     FW_E_IO);
    const char *why = room_board_last_error();
    assert_non_null(strstr(why, "TPM (swtpm:host=127.0.0.1,port=9)"));
    assert_null(strchr(why, '\n'));
    /* Nothing was created in the secure directory. */
    assert_int_not_equal(access(f->key, F_OK), 0);
}

static void test_index_held_by_something_else(void **state)
{
    fx_t *f = *state;
    TSS2_TCTI_CONTEXT *tcti = NULL;
    ESYS_CONTEXT *e = other_esys(&tcti);
    const TPM2B_AUTH auth = {0};
    const TPM2B_NV_PUBLIC npub = {
        .nvPublic = {.nvIndex = f->index,
                     .nameAlg = TPM2_ALG_SHA256,
                     .attributes = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE | TPMA_NV_NO_DA,
                     .dataSize = 16}};
    ESYS_TR nv = ESYS_TR_NONE;
    assert_int_equal(Esys_NV_DefineSpace(e, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                         ESYS_TR_NONE, &auth, &npub, &nv),
                     TSS2_RC_SUCCESS);
    close_other(e, tcti);
    assert_int_equal(open_fx(f), FW_E_CORRUPT);
    assert_non_null(strstr(room_board_last_error(), "is not a counter"));
}

/* The owner hierarchy's password, set (or cleared with NULL) by another
 * process on the same TPM, as an administrator with tpm2_changeauth would. */
static const TPM2B_AUTH s_owner_pw = {.size = 6, .buffer = "s3cret"};

static void set_owner_auth(const TPM2B_AUTH *from, const TPM2B_AUTH *to)
{
    const TPM2B_AUTH none = {0};
    TSS2_TCTI_CONTEXT *tcti = NULL;
    ESYS_CONTEXT *e = other_esys(&tcti);
    if (from) {
        assert_int_equal(Esys_TR_SetAuth(e, ESYS_TR_RH_OWNER, from), TSS2_RC_SUCCESS);
    }
    TSS2_RC rc = Esys_HierarchyChangeAuth(e, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                          ESYS_TR_NONE, to ? to : &none);
    close_other(e, tcti);
    assert_int_equal(rc, TSS2_RC_SUCCESS);
}

static int teardown_owner_auth(void **state)
{
    room_board_deinit();
    set_owner_auth(&s_owner_pw, NULL); /* the later tests need the owner */
    return teardown(state);
}

/* A wrong owner authorization (the board's storage key needs the owner
 * hierarchy): the board still comes up, without storage, so the agent serves
 * emergency calls only with the setup screen; the error names the cause. */
static void test_wrong_owner_auth_is_safe_mode(void **state)
{
    fx_t *f = *state;
    set_owner_auth(NULL, &s_owner_pw);
    room_board_options_t o;
    room_test_board_options(&f->tmp, &o, ROOM_SECURE_TPM, "RK-AUTH");
    assert_int_equal(room_write_filled(o.flash, 65536, 0xFF), 0);
    snprintf(o.tpm, sizeof o.tpm, "%s", s_tcti);
    o.tpm_nv_index = f->index;
    assert_int_equal(room_board_init(&o), 0);
    assert_false(room_board_storage_ok());
    assert_non_null(strstr(room_board_last_error(), "owner hierarchy"));
    assert_int_equal(access(o.call_socket, F_OK), 0); /* the stack can still ask */
    assert_int_not_equal(access(f->key, F_OK), 0);    /* no key made */
}

int main(void)
{
    s_tcti = getenv("SPARK_TEST_TPM");
    if (!s_tcti || !*s_tcti) {
        fprintf(stderr, "test_room_tpm: SPARK_TEST_TPM (a TCTI) is not set; run it through "
                        "tests/tpm/tpm_secure.sh, which starts swtpm\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_counter_and_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_cannot_leave_the_tpm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_deleted_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_blob_does_not_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_tpm_is_one_clear_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_held_by_something_else, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_owner_auth_is_safe_mode, setup,
                                        teardown_owner_auth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
