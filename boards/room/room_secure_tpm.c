/*
 * The secure element on a TPM 2.0, through Debian's libtss2 (ESYS API; the
 * TCTI loader picks the transport: "device:/dev/tpmrm0" on the device, the
 * tests' "swtpm:host=127.0.0.1,port=N").
 *
 * Device key: an HMAC-SHA-256 keyedhash object made *inside* the TPM
 * (sensitiveDataOrigin, fixedTPM, fixedParent), a child of the owner
 * hierarchy's storage primary key (an ECC P-256 key the TPM re-derives from
 * its owner seed at every start: nothing of it is stored). Only its wrapped
 * form lives in secure_dir/device.key (a "spark-tpm-key v1" header, then the
 * TPM2B_PUBLIC and the TPM2B_PRIVATE the TPM encrypted under that primary):
 * useless on any other TPM, or on this one once it is cleared. The key itself
 * never leaves the TPM; the firmware gets
 *     TPM2_HMAC(device_key, "spark-derive-v1" || label)
 * (the same derivation as the file back end and the host board), read over a
 * session that encrypts the response, so derived keys do not cross the bus
 * in clear either.
 *
 * Counter: an NV index of type counter (TPM_NT_COUNTER). TPM2_NV_Increment is
 * the only way to change it and nothing can set it back: undefining the
 * index and defining it again gives a counter that starts at the largest
 * value any counter on this TPM ever had. So restoring an old flash image
 * with the old secure directory leaves the counter ahead of the store, which
 * the store reports as a rollback. At creation the index is incremented once
 * so its first value already carries that history.
 *
 * The firmware's counter starts at 0 on a new device (hal/secure.h), so it
 * sees the raw count minus the raw count when the device key was made (the
 * base). The base is kept in the key object's public area (its authPolicy
 * field, which this key never uses: userWithAuth is set): TPM2_Load checks
 * the integrity of the public area against the wrapped private part, so a
 * changed base makes the key fail to load. A new key with another base is a
 * new device key: every store record of the old one is unreadable, so no
 * trial time comes back that way either.
 *
 * What it does not stop: someone with root on a running device can still
 * ask this TPM for HMACs with the key (the key is bound to the TPM, not to
 * the software state). Binding its use to PCRs of a measured boot is the
 * next step; see docs/ROOM_BOARD.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "fw/err.h"
#include "fw/file.h"
#include "fw/zeroize.h"
#include "hal/secure.h"
#include "room_config.h"
#include "room_internal.h"
#include "room_tpm.h"

#define KEY_MAGIC "spark-tpm-key v1\n"
#define KEY_BLOB_MAX (sizeof KEY_MAGIC + sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE))
#define BASE_MAGIC "spark-counter-base-v1\0\0" /* 24 bytes, then the base (u64 BE) */
#define DERIVE_PREFIX "spark-derive-v1"        /* as crypto/derive.c */

static TSS2_TCTI_CONTEXT *s_tcti;
static ESYS_CONTEXT *s_esys;
static ESYS_TR s_primary = ESYS_TR_NONE;
static ESYS_TR s_key = ESYS_TR_NONE;
static ESYS_TR s_session = ESYS_TR_NONE;
static ESYS_TR s_nv = ESYS_TR_NONE;
static uint32_t s_index;
static uint64_t s_base; /* raw counter value when the device key was made */
static char s_where[ROOM_OPT_PATH_MAX];

/* The TPM's response code without the parameter/handle number. */
static TSS2_RC tpm_code(TSS2_RC rc)
{
    rc &= 0xFFFFu;
    return (rc & TPM2_RC_FMT1) ? (rc & 0xBFu) : (rc & 0x97Fu);
}

/* "TPM at <tcti>: <what>: <decoded TSS2 error>" as the board's error. */
static int tpm_fail(int err, TSS2_RC rc, const char *what)
{
    return room_fail(err, "TPM (%s): %s: %s", s_where, what, Tss2_RC_Decode(rc));
}

/* --------------------------------------------------------- the primary key */

void room_tpm_srk_template(TPM2B_PUBLIC *pub)
{
    /* The usual storage root key template (TCG "SRK" ECC P-256): every start
     * makes the same key from the owner seed. Field by field: cppcheck
     * misreads nested designated initializers that repeat a member name. */
    memset(pub, 0, sizeof *pub);
    TPMT_PUBLIC *a = &pub->publicArea;
    a->type = TPM2_ALG_ECC;
    a->nameAlg = TPM2_ALG_SHA256;
    a->objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_FIXEDTPM |
                          TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                          TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
    TPMS_ECC_PARMS *ecc = &a->parameters.eccDetail;
    ecc->symmetric.algorithm = TPM2_ALG_AES;
    ecc->symmetric.keyBits.aes = 128;
    ecc->symmetric.mode.aes = TPM2_ALG_CFB;
    ecc->scheme.scheme = TPM2_ALG_NULL;
    ecc->curveID = TPM2_ECC_NIST_P256;
    ecc->kdf.scheme = TPM2_ALG_NULL;
}

static int create_primary(void)
{
    const TPM2B_SENSITIVE_CREATE sensitive = {0};
    TPM2B_PUBLIC pub;
    room_tpm_srk_template(&pub);
    const TPM2B_DATA outside = {0};
    const TPML_PCR_SELECTION pcrs = {0};
    /* Outputs we do not need are NULL: ESYS then does not return them. */
    TSS2_RC rc =
        Esys_CreatePrimary(s_esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                           &sensitive, &pub, &outside, &pcrs, &s_primary, NULL, NULL, NULL, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        s_primary = ESYS_TR_NONE;
        /* A refused authorization is a device to repair, not a busy one
         * (FW_E_STATE would keep the board down): FW_E_CRYPTO lets it come
         * up without storage, emergency calls only, the setup screen. */
        return tpm_fail(tpm_code(rc) == TPM2_RC_BAD_AUTH || tpm_code(rc) == TPM2_RC_AUTH_FAIL
                            ? FW_E_CRYPTO
                            : FW_E_IO,
                        rc,
                        "cannot make the storage primary key (owner hierarchy with a "
                        "password, or disabled?)");
    }
    return 0;
}

/* ------------------------------------------------------------ device key */

static int save_key(const char *path, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv)
{
    uint8_t buf[sizeof KEY_MAGIC + sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE)];
    size_t off = strlen(KEY_MAGIC);
    memcpy(buf, KEY_MAGIC, off);
    if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, sizeof buf, &off) != TSS2_RC_SUCCESS ||
        Tss2_MU_TPM2B_PRIVATE_Marshal(priv, buf, sizeof buf, &off) != TSS2_RC_SUCCESS) {
        return room_fail(FW_E_INVAL, "cannot encode the TPM key blob");
    }
    int rc = fw_file_write_atomic(path, buf, off, 0600);
    if (rc != 0) {
        return room_fail(FW_E_IO, "cannot write the TPM key blob %s: %s", path, fw_file_error(rc));
    }
    return 0;
}

static int create_key(const char *path, uint64_t base)
{
    const TPM2B_SENSITIVE_CREATE sensitive = {0}; /* no data: the TPM makes the key */
    TPM2B_PUBLIC tmpl = {
        .publicArea =
            {
                .type = TPM2_ALG_KEYEDHASH,
                .nameAlg = TPM2_ALG_SHA256,
                .objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH |
                                    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_NODA,
                .parameters.keyedHashDetail.scheme =
                    {
                        .scheme = TPM2_ALG_HMAC,
                        .details.hmac.hashAlg = TPM2_ALG_SHA256,
                    },
            },
    };
    /* The counter base, integrity-protected with the key (see the top). */
    tmpl.publicArea.authPolicy.size = 32;
    memcpy(tmpl.publicArea.authPolicy.buffer, BASE_MAGIC, 24);
    for (int i = 0; i < 8; i++) {
        tmpl.publicArea.authPolicy.buffer[24 + i] = (uint8_t)(base >> (56 - 8 * i));
    }
    const TPM2B_DATA outside = {0};
    const TPML_PCR_SELECTION pcrs = {0};
    TPM2B_PRIVATE *priv = NULL;
    TPM2B_PUBLIC *pub = NULL;
    TSS2_RC rc = Esys_Create(s_esys, s_primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                             &sensitive, &tmpl, &outside, &pcrs, &priv, &pub, NULL, NULL, NULL);
    int r = rc == TSS2_RC_SUCCESS ? save_key(path, pub, priv)
                                  : tpm_fail(FW_E_IO, rc, "cannot create the device key");
    Esys_Free(priv);
    Esys_Free(pub);
    if (r == 0) {
        room_log(HAL_LOG_INFO, "created a new device key in the TPM (wrapped blob in %s)", path);
    }
    return r;
}

static int load_key(const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        return room_fail(FW_E_IO, "device key %s is not a regular file", path);
    }
    if ((st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
        return room_fail(FW_E_STATE,
                         "device key %s is accessible to others (mode %04o, owner %u): "
                         "refusing to use it; it must be mode 0600 and owned by the agent's user",
                         path, (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
    }
    int rc = fw_file_read(path, KEY_BLOB_MAX, &buf, &len);
    const size_t m = strlen(KEY_MAGIC);
    if (rc != 0 || len < m || memcmp(buf, KEY_MAGIC, m) != 0) {
        free(buf);
        return room_fail(FW_E_CORRUPT,
                         "device key %s is not a TPM key blob (secure_backend = tpm; a key "
                         "file of secure_backend = file cannot be moved into a TPM)",
                         path);
    }
    TPM2B_PUBLIC pub = {0};
    TPM2B_PRIVATE priv = {0};
    size_t off = m;
    bool ok = Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &pub) == TSS2_RC_SUCCESS &&
              Tss2_MU_TPM2B_PRIVATE_Unmarshal(buf, len, &off, &priv) == TSS2_RC_SUCCESS &&
              off == len;
    free(buf); /* the private part is wrapped by the TPM: nothing to wipe */
    if (!ok) {
        return room_fail(FW_E_CORRUPT, "device key blob %s is damaged", path);
    }
    TSS2_RC trc = Esys_Load(s_esys, s_primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &priv,
                            &pub, &s_key);
    if (trc != TSS2_RC_SUCCESS) {
        s_key = ESYS_TR_NONE;
        return tpm_fail(FW_E_CORRUPT, trc,
                        "the device key blob does not load: it belongs to another TPM, or "
                        "this TPM was cleared, or the blob was changed; the device must be set "
                        "up again");
    }
    /* Checked by the TPM with the key: the counter base. */
    const TPM2B_DIGEST *pol = &pub.publicArea.authPolicy;
    if (pol->size != 32 || memcmp(pol->buffer, BASE_MAGIC, 24) != 0) {
        return room_fail(FW_E_CORRUPT, "device key blob %s carries no counter base", path);
    }
    s_base = 0;
    for (int i = 0; i < 8; i++) {
        s_base = (s_base << 8) | pol->buffer[24 + i];
    }
    return 0;
}

/* A salted HMAC session that encrypts the response (the derived key). */
static int start_session(void)
{
    const TPMT_SYM_DEF sym = {
        .algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB};
    TSS2_RC rc =
        Esys_StartAuthSession(s_esys, s_primary, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                              ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256, &s_session);
    if (rc == TSS2_RC_SUCCESS) {
        rc = Esys_TRSess_SetAttributes(s_esys, s_session,
                                       TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_ENCRYPT, 0xFF);
    }
    if (rc != TSS2_RC_SUCCESS) {
        return tpm_fail(FW_E_IO, rc, "cannot start an encrypted session");
    }
    return 0;
}

/* ------------------------------------------------------------- counter */

/* The counter's ESYS handle; FW_E_NOENT if the index is not defined. */
static int find_counter(bool *written)
{
    TSS2_RC rc =
        Esys_TR_FromTPMPublic(s_esys, s_index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &s_nv);
    if (rc != TSS2_RC_SUCCESS) {
        s_nv = ESYS_TR_NONE;
        return tpm_code(rc) == TPM2_RC_HANDLE
                   ? FW_E_NOENT
                   : tpm_fail(FW_E_IO, rc, "cannot look up the counter's NV index");
    }
    TPM2B_NV_PUBLIC *pub = NULL;
    rc = Esys_NV_ReadPublic(s_esys, s_nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        return tpm_fail(FW_E_IO, rc, "cannot read the counter's NV index");
    }
    const TPMA_NV attrs = pub->nvPublic.attributes;
    Esys_Free(pub);
    if (((attrs & TPMA_NV_TPM2_NT_MASK) >> TPMA_NV_TPM2_NT_SHIFT) != TPM2_NT_COUNTER) {
        return room_fail(FW_E_CORRUPT,
                         "TPM NV index 0x%08x is not a counter: another user of the TPM holds "
                         "it; set tpm_nv_index to a free owner index",
                         (unsigned)s_index);
    }
    *written = (attrs & TPMA_NV_WRITTEN) != 0;
    return 0;
}

static int define_counter(void)
{
    const TPM2B_AUTH auth = {0};
    const TPM2B_NV_PUBLIC pub = {
        .nvPublic =
            {
                .nvIndex = s_index,
                .nameAlg = TPM2_ALG_SHA256,
                .attributes = (TPM2_NT_COUNTER << TPMA_NV_TPM2_NT_SHIFT) | TPMA_NV_AUTHREAD |
                              TPMA_NV_AUTHWRITE | TPMA_NV_NO_DA,
                .dataSize = 8,
            },
    };
    TSS2_RC rc = Esys_NV_DefineSpace(s_esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                     ESYS_TR_NONE, &auth, &pub, &s_nv);
    if (rc != TSS2_RC_SUCCESS) {
        s_nv = ESYS_TR_NONE;
        return tpm_fail(FW_E_IO, rc, "cannot define the monotonic counter");
    }
    return 0;
}

static int read_counter(uint64_t *out)
{
    TPM2B_MAX_NV_BUFFER *data = NULL;
    TSS2_RC rc =
        Esys_NV_Read(s_esys, s_nv, s_nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, 8, 0, &data);
    if (rc != TSS2_RC_SUCCESS) {
        return tpm_fail(FW_E_IO, rc, "cannot read the monotonic counter");
    }
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && i < data->size; i++) {
        v = (v << 8) | data->buffer[i]; /* big-endian on the TPM */
    }
    Esys_Free(data);
    *out = v;
    return 0;
}

static int increment_counter(void)
{
    TSS2_RC rc =
        Esys_NV_Increment(s_esys, s_nv, s_nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE);
    return rc == TSS2_RC_SUCCESS ? 0 : tpm_fail(FW_E_IO, rc, "cannot increment the counter");
}

/* ------------------------------------------------------------ open/close */

int room_secure_tpm_open(const char *tcti, uint32_t nv_index, const char *dir)
{
    if (s_esys) {
        return room_fail(FW_E_STATE, "TPM already open");
    }
    (void)snprintf(s_where, sizeof s_where, "%s", tcti);
    s_index = nv_index;
    int rc = room_secure_dir_check(dir);
    if (rc != 0) {
        return rc;
    }
    char path[ROOM_OPT_PATH_MAX + 16];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, ROOM_KEY_FILE) >= sizeof path) {
        return room_fail(FW_E_INVAL, "secure_dir path too long");
    }
    /* libtss2 logs its own errors to stderr; ours are one clear line each. */
    (void)setenv("TSS2_LOG", "all+NONE", 0);
    TSS2_RC trc = Tss2_TctiLdr_Initialize(tcti, &s_tcti);
    if (trc != TSS2_RC_SUCCESS) {
        s_tcti = NULL;
        return tpm_fail(FW_E_IO, trc, "no TPM there (tpm = in the config names it)");
    }
    trc = Esys_Initialize(&s_esys, s_tcti, NULL);
    if (trc != TSS2_RC_SUCCESS) {
        s_esys = NULL;
        room_secure_tpm_close();
        return tpm_fail(FW_E_IO, trc, "cannot talk to the TPM");
    }
    /* The kernel (or swtpm's --flags startup-clear) normally did this. */
    trc = Esys_Startup(s_esys, TPM2_SU_CLEAR);
    if (trc != TSS2_RC_SUCCESS && tpm_code(trc) != TPM2_RC_INITIALIZE) {
        room_secure_tpm_close();
        return tpm_fail(FW_E_IO, trc, "TPM2_Startup failed");
    }
    bool fresh = access(path, F_OK) != 0;
    bool written = false;
    rc = create_primary();
    if (rc == 0 && !fresh) {
        /* The key first: a blob of another TPM (or of this one before it was
         * cleared) is the clearer thing to report. */
        rc = load_key(path);
        if (rc == 0) {
            rc = find_counter(&written);
        }
        if (rc == FW_E_NOENT || (rc == 0 && !written)) {
            rc = room_fail(FW_E_NOENT,
                           "the TPM has no monotonic counter at NV index 0x%08x while the "
                           "device key exists: the index was deleted (and made again?); the "
                           "rollback guard is gone, refusing to go on",
                           (unsigned)s_index);
        }
    } else if (rc == 0) {
        /* First contact: the counter (kept if this TPM already has it), its
         * first increment, then the key carrying the counter's base. */
        rc = find_counter(&written);
        if (rc == FW_E_NOENT) {
            rc = define_counter();
        }
        if (rc == 0 && !written) {
            rc = increment_counter();
        }
        uint64_t raw = 0;
        if (rc == 0) {
            rc = read_counter(&raw);
        }
        if (rc == 0) {
            rc = create_key(path, raw); /* this device's counter starts at 0 here */
        }
        if (rc == 0) {
            rc = load_key(path);
        }
        if (rc == 0) {
            room_log(HAL_LOG_INFO, "TPM monotonic counter at NV index 0x%08x, start %llu",
                     (unsigned)s_index, (unsigned long long)raw);
        }
    }
    if (rc == 0) {
        rc = start_session();
    }
    if (rc != 0) {
        room_secure_tpm_close();
    }
    return rc;
}

void room_secure_tpm_close(void)
{
    if (s_esys) {
        const ESYS_TR flush[] = {s_session, s_key, s_primary};
        for (size_t i = 0; i < sizeof flush / sizeof flush[0]; i++) {
            if (flush[i] != ESYS_TR_NONE) {
                (void)Esys_FlushContext(s_esys, flush[i]);
            }
        }
        if (s_nv != ESYS_TR_NONE) {
            (void)Esys_TR_Close(s_esys, &s_nv);
        }
        Esys_Finalize(&s_esys);
    }
    if (s_tcti) {
        Tss2_TctiLdr_Finalize(&s_tcti);
    }
    s_esys = NULL;
    s_tcti = NULL;
    s_session = s_key = s_primary = s_nv = ESYS_TR_NONE;
}

/* ---------------------------------------------------------- hal/secure */

int room_secure_tpm_derive(const char *label, uint8_t out[HAL_SECURE_KEY_LEN])
{
    if (!s_esys || s_key == ESYS_TR_NONE) {
        return FW_E_STATE;
    }
    TPM2B_MAX_BUFFER msg = {0};
    const size_t p = strlen(DERIVE_PREFIX), l = strlen(label);
    if (p + l > sizeof msg.buffer) {
        return FW_E_INVAL;
    }
    memcpy(msg.buffer, DERIVE_PREFIX, p);
    memcpy(msg.buffer + p, label, l);
    msg.size = (UINT16)(p + l);
    TPM2B_DIGEST *mac = NULL;
    TSS2_RC rc = Esys_HMAC(s_esys, s_key, s_session, ESYS_TR_NONE, ESYS_TR_NONE, &msg,
                           TPM2_ALG_SHA256, &mac);
    if (rc != TSS2_RC_SUCCESS || mac->size != HAL_SECURE_KEY_LEN) {
        Esys_Free(mac);
        return tpm_fail(FW_E_IO, rc, "TPM2_HMAC (key derivation) failed");
    }
    memcpy(out, mac->buffer, HAL_SECURE_KEY_LEN);
    fw_zeroize(mac->buffer, sizeof mac->buffer);
    Esys_Free(mac);
    return 0;
}

int room_secure_tpm_counter_read(uint32_t *value)
{
    if (!s_esys || s_nv == ESYS_TR_NONE) {
        return FW_E_STATE;
    }
    uint64_t raw = 0;
    int rc = read_counter(&raw);
    if (rc != 0) {
        return rc;
    }
    if (raw < s_base) {
        return room_fail(FW_E_CORRUPT,
                         "TPM counter %llu is behind this device key's start %llu: not the "
                         "counter the key was made with",
                         (unsigned long long)raw, (unsigned long long)s_base);
    }
    if (raw - s_base > UINT32_MAX) {
        return room_fail(FW_E_CORRUPT, "TPM counter past what the store binds (2^32-1)");
    }
    *value = (uint32_t)(raw - s_base);
    return 0;
}

int room_secure_tpm_counter_increment(uint32_t *new_value)
{
    uint32_t v = 0;
    int rc = room_secure_tpm_counter_read(&v);
    if (rc != 0) {
        return rc;
    }
    if (v == UINT32_MAX) {
        return FW_E_NOSPACE;
    }
    rc = increment_counter();
    if (rc == 0) {
        rc = room_secure_tpm_counter_read(&v);
    }
    if (rc == 0 && new_value) {
        *new_value = v;
    }
    return rc;
}
