/*
 * Sealing the provisioning record's PSKs in flash (proto/psk_seal.h).
 *
 * AES-256-GCM from mbedtls under a key the secure element derives for this
 * purpose alone; the JSON handling is cJSON's. It works on the encoded JSON
 * rather than on proto_provisioning_t, so the record's own encoder and
 * decoder (provisioning.c) stay the one definition of its fields.
 */
#include "proto/psk_seal.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mbedtls/gcm.h>

#include "fw/err.h"
#include "fw/hex.h"
#include "fw/zeroize.h"
#include "hal/secure.h"
#include "proto/provisioning.h"
#include "proto_priv.h"
#include "store/store.h"

#define SEAL_SCHEME "aes-256-gcm:" PROTO_PSK_SEAL_LABEL
#define TAG_LEN 16
#define SEALED_MAX (PROTO_PSK_SEAL_NONCE_LEN + PROTO_PSK_MAX + TAG_LEN)

/* Wipe a string item's text before cJSON frees it. */
static void wipe_item(cJSON *item)
{
    if (cJSON_IsString(item) && item->valuestring) {
        fw_zeroize(item->valuestring, strlen(item->valuestring));
    }
}

static void delete_wiped(cJSON *o)
{
    wipe_item(cJSON_GetObjectItemCaseSensitive(o, "psk"));
    wipe_item(cJSON_GetObjectItemCaseSensitive(o, "support_psk"));
    cJSON_Delete(o);
}

/* AAD: field name, NUL, serial. */
static size_t make_aad(uint8_t *aad, size_t cap, const char *field, const char *serial)
{
    size_t f = strlen(field), s = strlen(serial);
    if (f + 1 + s > cap) {
        return 0;
    }
    memcpy(aad, field, f);
    aad[f] = 0;
    memcpy(aad + f + 1, serial, s);
    return f + 1 + s;
}

static int crypt_field(bool seal, const uint8_t key[HAL_SECURE_KEY_LEN], const char *field,
                       const char *serial, const uint8_t *in, size_t in_len, const uint8_t *nonce,
                       uint8_t *out, size_t *out_len)
{
    uint8_t aad[160];
    size_t aad_len = make_aad(aad, sizeof aad, field, serial);
    if (aad_len == 0) {
        return FW_E_INVAL;
    }
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int m = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256);
    int rc = m == 0 ? 0 : FW_E_MBEDTLS(m);
    if (rc == 0 && seal) {
        memcpy(out, nonce, PROTO_PSK_SEAL_NONCE_LEN);
        m = mbedtls_gcm_crypt_and_tag(
            &gcm, MBEDTLS_GCM_ENCRYPT, in_len, nonce, PROTO_PSK_SEAL_NONCE_LEN, aad, aad_len, in,
            out + PROTO_PSK_SEAL_NONCE_LEN, TAG_LEN, out + PROTO_PSK_SEAL_NONCE_LEN + in_len);
        rc = m == 0 ? 0 : FW_E_MBEDTLS(m);
        *out_len = PROTO_PSK_SEAL_NONCE_LEN + in_len + TAG_LEN;
    } else if (rc == 0) {
        if (in_len < PROTO_PSK_SEAL_NONCE_LEN + TAG_LEN + PROTO_PSK_MIN) {
            rc = FW_E_FORMAT;
        } else {
            size_t n = in_len - PROTO_PSK_SEAL_NONCE_LEN - TAG_LEN;
            m = mbedtls_gcm_auth_decrypt(&gcm, n, in, PROTO_PSK_SEAL_NONCE_LEN, aad, aad_len,
                                         in + in_len - TAG_LEN, TAG_LEN,
                                         in + PROTO_PSK_SEAL_NONCE_LEN, out);
            rc = m == 0 ? 0 : FW_E_CORRUPT; /* wrong key or changed bytes: GCM cannot tell */
            *out_len = n;
        }
    }
    mbedtls_gcm_free(&gcm);
    return rc;
}

static int print_to(cJSON *o, char *out, size_t cap, size_t *out_len, char *why, size_t why_cap)
{
    if (!cJSON_PrintPreallocated(o, out, (int)cap, false)) {
        fw_zeroize(out, cap);
        return proto_fail(why, why_cap, FW_E_NOSPACE, "record: longer than %zu bytes", cap);
    }
    *out_len = strlen(out);
    return 0;
}

/* One PSK field: clear hex `from` -> sealed hex `to`, or back. Absent or
 * empty: nothing to do. */
static int convert(cJSON *o, bool seal, const uint8_t key[HAL_SECURE_KEY_LEN], const char *from,
                   const char *to, const char *serial, const uint8_t *nonce, char *why,
                   size_t why_cap)
{
    cJSON *item = cJSON_GetObjectItemCaseSensitive(o, from);
    if (!item) {
        return 0;
    }
    if (!cJSON_IsString(item)) {
        return proto_fail(why, why_cap, FW_E_FORMAT, "%s: expected a hex string", from);
    }
    uint8_t in[SEALED_MAX], out[SEALED_MAX];
    char hex[2 * SEALED_MAX + 1];
    size_t in_len = 0, out_len = 0;
    int rc = 0;
    if (item->valuestring[0] != '\0') {
        if (fw_hex_decode(item->valuestring, in, sizeof in, &in_len) != 0 ||
            (seal && in_len > PROTO_PSK_MAX)) {
            rc = proto_fail(why, why_cap, FW_E_FORMAT, "%s: expected hex of at most %d bytes", from,
                            seal ? PROTO_PSK_MAX : SEALED_MAX);
        } else if ((rc = crypt_field(seal, key, seal ? from : to, serial, in, in_len, nonce, out,
                                     &out_len)) != 0) {
            rc = rc == FW_E_CORRUPT
                     ? proto_fail(why, why_cap, rc,
                                  "%s: does not open with this device's key (a record of another "
                                  "device, or damaged)",
                                  from)
                     : proto_fail(why, why_cap, rc, "%s: %s", from, fw_strerror(rc));
        } else if (fw_hex_encode(out, out_len, hex, sizeof hex) != 0 ||
                   !cJSON_AddStringToObject(o, to, hex)) {
            rc = proto_fail(why, why_cap, FW_E_NOSPACE, "%s: out of memory", to);
        }
    }
    if (rc == 0) {
        wipe_item(item);
        cJSON_DeleteItemFromObjectCaseSensitive(o, from);
    }
    fw_zeroize(in, sizeof in);
    fw_zeroize(out, sizeof out);
    fw_zeroize(hex, sizeof hex);
    return rc;
}

static int run(bool seal, const char *json, size_t len, const uint8_t *random, char *out,
               size_t cap, size_t *out_len, bool *sealed, char *why, size_t why_cap)
{
    cJSON *o = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return proto_fail(why, why_cap, FW_E_FORMAT, "record: not a JSON object");
    }
    const cJSON *serial = cJSON_GetObjectItemCaseSensitive(o, "serial");
    const cJSON *scheme = cJSON_GetObjectItemCaseSensitive(o, "psk_seal");
    const bool is_sealed = cJSON_GetObjectItemCaseSensitive(o, "psk_sealed") != NULL;
    if (sealed) {
        *sealed = is_sealed;
    }
    int rc = 0;
    if (!cJSON_IsString(serial)) {
        rc = proto_fail(why, why_cap, FW_E_FORMAT, "serial: missing");
    } else if (seal == is_sealed) {
        rc = seal ? proto_fail(why, why_cap, FW_E_FORMAT, "psk: already sealed") : 0;
        if (rc == 0) { /* unseal of a record in clear: as it is */
            rc = print_to(o, out, cap, out_len, why, why_cap);
        }
        delete_wiped(o);
        return rc;
    } else if (!seal &&
               (!cJSON_IsString(scheme) || strcmp(scheme->valuestring, SEAL_SCHEME) != 0)) {
        rc = proto_fail(why, why_cap, FW_E_FORMAT, "psk_seal: expected \"%s\"", SEAL_SCHEME);
    }
    uint8_t key[HAL_SECURE_KEY_LEN];
    if (rc == 0 && (rc = hal_secure_derive_key(PROTO_PSK_SEAL_LABEL, key)) != 0) {
        rc = proto_fail(why, why_cap, rc, "secure element: cannot derive the sealing key: %s",
                        fw_strerror(rc));
    }
    static const char *const fields[2][2] = {{"psk", "psk_sealed"},
                                             {"support_psk", "support_psk_sealed"}};
    for (int i = 0; rc == 0 && i < 2; i++) {
        const char *clear = fields[i][0], *closed = fields[i][1];
        rc =
            convert(o, seal, key, seal ? clear : closed, seal ? closed : clear, serial->valuestring,
                    random ? random + (size_t)i * PROTO_PSK_SEAL_NONCE_LEN : NULL, why, why_cap);
    }
    fw_zeroize(key, sizeof key);
    if (rc == 0) {
        if (seal) {
            rc = cJSON_AddStringToObject(o, "psk_seal", SEAL_SCHEME) ? 0 : FW_E_NOSPACE;
        } else {
            cJSON_DeleteItemFromObjectCaseSensitive(o, "psk_seal");
        }
    }
    if (rc == 0) {
        rc = print_to(o, out, cap, out_len, why, why_cap);
    }
    delete_wiped(o);
    return rc;
}

int proto_psk_seal(const char *json, size_t len, const uint8_t random[PROTO_PSK_SEAL_RANDOM_LEN],
                   char *out, size_t cap, size_t *out_len, char *why, size_t why_cap)
{
    if (!json || !random || !out || !out_len) {
        return FW_E_INVAL;
    }
    return run(true, json, len, random, out, cap, out_len, NULL, why, why_cap);
}

int proto_psk_unseal(const char *json, size_t len, char *out, size_t cap, size_t *out_len,
                     bool *sealed, char *why, size_t why_cap)
{
    if (!json || !out || !out_len) {
        return FW_E_INVAL;
    }
    return run(false, json, len, NULL, out, cap, out_len, sealed, why, why_cap);
}

int proto_provisioning_open(const char *stored, size_t len, proto_provisioning_t *out, bool *sealed,
                            char *why, size_t why_cap)
{
    static char clear[STORE_VALUE_MAX]; /* one record at a time, as everything here */
    size_t n = 0;
    int rc = proto_psk_unseal(stored, len, clear, sizeof clear, &n, sealed, why, why_cap);
    if (rc == 0) {
        rc = proto_provisioning_decode(clear, n, out, why, why_cap);
    }
    fw_zeroize(clear, sizeof clear);
    return rc;
}
