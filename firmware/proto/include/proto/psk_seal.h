/*
 * proto/psk_seal.h - the provisioning record as it sits in flash: its PSKs
 * sealed under a key of the device's secure element.
 *
 * The record's JSON (proto/provisioning.h) carries "psk" and "support_psk"
 * in hex. In flash those two fields are replaced by
 *     "psk_seal": "aes-256-gcm:provisioning-psk-v1",
 *     "psk_sealed": hex(nonce[12] || ciphertext || tag[16]),
 *     "support_psk_sealed": ...      (when there is a support PSK)
 * under the key hal_secure_derive_key("provisioning-psk-v1"): on the room
 * board a TPM HMAC of the key that never leaves the TPM, so a copy of the
 * flash does not give away the device's DTLS credentials. The additional
 * data binds each ciphertext to its field name and the record's serial.
 * Everything else in the record stays readable (sparkflash show works on
 * any copy of the flash for the non-secret fields only through the device).
 *
 * A record without "psk_sealed" (written by an older sparkflash) is read as
 * it is; `sealed` tells the caller so it can say so.
 */
#ifndef PROTO_PSK_SEAL_H
#define PROTO_PSK_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/provisioning.h"

#define PROTO_PSK_SEAL_LABEL "provisioning-psk-v1"
#define PROTO_PSK_SEAL_NONCE_LEN 12
/* Fresh random bytes per seal: one nonce for each PSK. */
#define PROTO_PSK_SEAL_RANDOM_LEN (2 * PROTO_PSK_SEAL_NONCE_LEN)

/* `json` (an encoded record with "psk" in clear) -> `out` with the PSKs
 * sealed. 0; FW_E_FORMAT (not a record), FW_E_NOSPACE (out too small), or
 * the secure element's error; `why` names the problem. */
int proto_psk_seal(const char *json, size_t len, const uint8_t random[PROTO_PSK_SEAL_RANDOM_LEN],
                   char *out, size_t cap, size_t *out_len, char *why, size_t why_cap);

/* The reverse, for proto_provisioning_decode(): `out` gets the record with
 * the PSKs in clear (wipe it after use). FW_E_CORRUPT when a sealed PSK does
 * not open with this device's key (another device's record, or damaged). */
int proto_psk_unseal(const char *json, size_t len, char *out, size_t cap, size_t *out_len,
                     bool *sealed, char *why, size_t why_cap);

/* The record as stored -> proto_provisioning_t: proto_psk_unseal() then
 * proto_provisioning_decode(), the clear JSON wiped after. Returns what
 * either returns; `sealed` (may be NULL) as above. */
int proto_provisioning_open(const char *stored, size_t len, proto_provisioning_t *out, bool *sealed,
                            char *why, size_t why_cap);

#endif /* PROTO_PSK_SEAL_H */
